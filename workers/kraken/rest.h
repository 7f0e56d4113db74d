/* rest.h - the parts of Kraken's public REST API that every Kraken kind
 * shares: its config keys, the {"error":[...],"result":{...}} envelope and
 * its numbers. */
#ifndef NBPY_KRAKEN_REST_H
#define NBPY_KRAKEN_REST_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "workers/runtime.h"

/* The keys every Kraken kind has, embedded as member m of its settings
 * struct S (the user agent's default needs <autoconfig.h>). */
struct kraken_rest_settings {
	const char *url;
	struct nbpy_list pairs;
	int64_t interval, timeout;	/* ns */
	const char *user_agent;
};

#define KRAKEN_REST_KEYS(S, m) \
	NBPY_SETTING(S, m.url, STRING, "url", "https://api.kraken.com", "Kraken REST base URL"), \
	NBPY_SETTING(S, m.pairs, LIST, "pairs", "all", \
		     "pair names as Kraken's answers key them (XXBTZUSD, not the altname XBTUSD), or `all` " \
		     "(AssetPairs discovery); entries for other pairs are counted as bad"), \
	NBPY_SETTING(S, m.interval, DURATION, "interval", "1s", "poll interval (Kraken allows ~1 request/s)"), \
	NBPY_SETTING(S, m.timeout, DURATION, "timeout", "10s", "HTTP request timeout"), \
	NBPY_SETTING(S, m.user_agent, STRING, "user_agent", "nbpy/" PACKAGE_VERSION, "HTTP User-Agent")

/* pairs = all */
static inline bool kraken_all_pairs(const struct nbpy_list *pairs)
{
	return pairs->n == 1 && strcmp(pairs->items[0], "all") == 0;
}

/* GET url with the kind's timeout and User-Agent: its settings struct starts
 * with `struct kraken_rest_settings rest` (asserted in each kind's file). */
static inline int kraken_get(struct worker *w, const char *url, http_done_fn done, void *arg)
{
	const struct kraken_rest_settings *rest = w->settings;
	const struct http_request req = {
		.url = url, .timeout_ms = (long)(rest->timeout / 1000000), .user_agent = rest->user_agent,
	};

	return worker_http(w, &req, done, arg);
}

enum kraken_outcome {
	KRAKEN_OK,
	KRAKEN_RETRY,		/* HTTP error, 429, 5xx, network, rate limit: back off */
	KRAKEN_BAD,		/* malformed answer or API error: count and go on */
};

/* Check an HTTP result and its envelope.  On KRAKEN_OK *root holds the
 * parsed document (json_object_put it) and *result its "result" object. */
enum kraken_outcome kraken_check(const struct http_result *r, struct json_object **root,
				 struct json_object **result, char *why, size_t cap);

/* The same for a 200 answer's body (not NUL-terminated), without I/O. */
enum kraken_outcome kraken_envelope(const char *body, size_t len, struct json_object **root,
				    struct json_object **result, char *why, size_t cap);

/* A Kraken number: a decimal string ("5432.10000") or a JSON number. */
bool kraken_number(struct json_object *o, double *out);

/* Element i of array o as a number. */
bool kraken_array_number(struct json_object *o, size_t i, double *out);

/* struct kraken_answer's publish for a worker (inline: the fuzz target
 * links this module without the worker runtime). */
static inline int kraken_publish(void *w, struct nbpy_msg *m)
{
	return worker_publish(w, m, NULL);
}

/* Add an answer's rejected entries to the worker's bad counter, with one
 * warning naming the first (what: "Ticker"). */
struct kraken_answer;
void kraken_count_bad(struct worker *w, const char *what, const struct kraken_answer *a);

#endif
