/* rest.h - the parts of Kraken's public REST API that every Kraken kind
 * shares: the {"error":[...],"result":{...}} envelope and its numbers. */
#ifndef NBPY_KRAKEN_REST_H
#define NBPY_KRAKEN_REST_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "workers/runtime.h"

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
