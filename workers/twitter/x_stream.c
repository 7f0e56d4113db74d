/* x_stream.c - kind x.sentiment: the X API v2 filtered stream
 * (GET {url}/2/tweets/search/stream), one `sentiment` message per post with
 * its VADER scores (workers/twitter/vader.c, lexicon read at start).
 *
 * At start the config's rules are synchronised with X's (x_rules.c: missing
 * ones added, stale ones deleted, nothing sent when equal), then the one
 * stream connection opens.  The runtime's stream (worker_stream_open) reads
 * the lines and watches for silence (X sends "\r\n" every 20 s); when it
 * drops, this file closes it and reconnects on X's documented schedule
 * rather than the runtime's backoff: at once after an established
 * connection dropped, then network errors linearly (retry_network, +that
 * much each time, up to 64 times it), HTTP errors doubling from retry_http
 * (up to 64 times it), HTTP 429 doubling from retry_rate_limited (up to 16
 * times it).  A connection that answers 2xx starts the schedules over.
 *
 * The bearer token is a secret: it goes into the Authorization header
 * only, never into a log line, the status or an error. */
#include <autoconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workers/kinds.h"
#include "common/buf.h"
#include "common/log.h"
#include "workers/oanda/v20.h"
#include "workers/twitter/vader.h"
#include "workers/twitter/x_post.h"
#include "workers/twitter/x_rules.h"

#define STREAM_FIELDS \
	"tweet.fields=created_at,lang,geo,author_id,public_metrics&expansions=author_id,geo.place_id" \
	"&user.fields=username,location,public_metrics&place.fields=geo,full_name,country_code"
#define REQUEST_TIMEOUT_MS 30000

struct x_settings {
	const char *url;
	const char *token;
	struct nbpy_list rules;
	const char *lexicon;
	bool keep_text;
	int64_t idle_timeout, retry_network, retry_http, retry_rate_limited;	/* ns */
};

static const struct nbpy_key_spec x_keys[] = {
	NBPY_SETTING(struct x_settings, url, STRING, "url", "https://api.x.com", "X API base URL"),
	NBPY_SETTING_SECRET_REQUIRED(struct x_settings, token, "token",
				     "app bearer token (a secret, never logged): `${NBPY_X_TOKEN}` or token_file = PATH"),
	NBPY_SETTING_REQUIRED(struct x_settings, rules, LIST, "rules",
			      "stream rules, `TAG: VALUE` each, e.g. `crypto: (bitcoin OR ethereum) lang:en -is:retweet`;"
			      " synchronised with X's at start"),
	NBPY_SETTING(struct x_settings, lexicon, STRING, "lexicon", "/var/lib/nbpy/vader_lexicon.txt",
		     "VADER lexicon file (scripts/lib/vader_lexicon.sh fetches it)"),
	NBPY_SETTING(struct x_settings, keep_text, BOOL, "keep_text", "no", "publish the post's text too"),
	NBPY_SETTING(struct x_settings, idle_timeout, DURATION, "idle_timeout", "21s",
		     "reconnect after this long without a byte (X sends a keep-alive every 20 s)"),
	NBPY_SETTING(struct x_settings, retry_network, DURATION, "retry_network", "250ms",
		     "reconnect delay step after a network error: linear, up to 64 times it (X: 250 ms to 16 s)"),
	NBPY_SETTING(struct x_settings, retry_http, DURATION, "retry_http", "5s",
		     "first reconnect delay after an HTTP error, doubling up to 64 times it (X: 5 s to 320 s)"),
	NBPY_SETTING(struct x_settings, retry_rate_limited, DURATION, "retry_rate_limited", "60s",
		     "first reconnect delay after HTTP 429, doubling up to 16 times it (X: from 60 s)"),
	NBPY_SETTINGS_END
};

enum retry_class { RETRY_NETWORK, RETRY_HTTP, RETRY_429, RETRY_CLASSES };

struct x_state {
	struct vader_lexicon *lex;
	struct x_rule *rules;
	size_t n_rules;
	char *auth;		/* "Authorization: Bearer TOKEN" (secret) */
	const char *get_headers[2], *post_headers[3];
	char *stream_url, *rules_url;
	char *delete_body, *add_body;	/* waiting to be sent */
	char *sent_body;		/* sent, its answer not in yet */
	size_t deleting, adding, sent;	/* rules in delete_body, add_body, sent_body */
	uint64_t *sent_counter;		/* rules_deleted or rules_added, once sent_body is done */
	struct worker_stream *stream;
	bool established;	/* the stream answered 2xx since it last dropped */
	unsigned attempts[RETRY_CLASSES];
	int64_t last_delay;	/* ns, for the status */
	long long timer;
	/* counters: published posts are w->published */
	uint64_t posts, bad, too_long, stream_errors, rules_added, rules_deleted, rule_syncs_failed;
};

static void start_sync(struct worker *w, void *arg);
static void open_stream(struct worker *w, void *arg);

/* The delay before the next try of class c (X's schedules). */
static int64_t next_delay(const struct x_settings *set, struct x_state *x, enum retry_class c)
{
	unsigned n = x->attempts[c]++;
	int64_t d;

	switch (c) {
	case RETRY_NETWORK:
		d = set->retry_network * (int64_t)(n + 1 < 64 ? n + 1 : 64);
		break;
	case RETRY_HTTP:
		d = set->retry_http << (n < 6 ? n : 6);
		break;
	default:
		d = set->retry_rate_limited << (n < 4 ? n : 4);
		break;
	}
	return d;
}

static void later(struct worker *w, struct x_state *x, int64_t delay, worker_timer_fn fn)
{
	x->last_delay = delay;
	worker_timer_del(w, x->timer);
	x->timer = worker_timer_add(w, delay, 0, fn, x);
	if (x->timer < 0) {
		x->timer = 0;
		worker_error(w, "x: out of memory: cannot schedule a retry");
	}
}

/* ---- rules ---- */

static enum retry_class class_of_status(long status)
{
	return status == 0 ? RETRY_NETWORK : status == 429 ? RETRY_429 : RETRY_HTTP;
}

static void sync_failed(struct worker *w, struct x_state *x, long status, const char *what)
{
	const struct x_settings *set = w->settings;
	int64_t delay = next_delay(set, x, class_of_status(status));

	x->rule_syncs_failed++;
	worker_error(w, "x: rules: %s; trying again in %.2f s", what, (double)delay / 1e9);
	later(w, x, delay, start_sync);
}

static void send_rules(struct worker *w, struct x_state *x);

static void on_rules_posted(struct worker *w, const struct http_result *r, void *arg)
{
	struct x_state *x = arg;
	char what[256];

	if (r->status / 100 != 2) {
		(void)snprintf(what, sizeof(what), "POST: %s%ld %.120s", r->status ? "HTTP " : "",
			       r->status, r->status ? r->body : r->error);
		sync_failed(w, x, r->status, what);
		return;
	}
	*x->sent_counter += x->sent;
	/* X answers 200 with errors[] for rules it refused (invalid syntax) */
	if (strstr(r->body, "\"errors\"") != NULL)
		worker_error(w, "x: rules: X refused some: %.300s", r->body);
	send_rules(w, x);
}

/* Deletions first, then additions, then the stream.  A body must live
 * until its answer: it waits in sent_body. */
static void send_rules(struct worker *w, struct x_state *x)
{
	struct http_request req = {
		.method = "POST", .url = x->rules_url, .headers = x->post_headers, .timeout_ms = REQUEST_TIMEOUT_MS,
	};

	free(x->sent_body);
	x->sent_body = NULL;
	if (x->delete_body) {
		x->sent_body = x->delete_body;
		x->delete_body = NULL;
		x->sent = x->deleting;
		x->sent_counter = &x->rules_deleted;
	} else if (x->add_body) {
		x->sent_body = x->add_body;
		x->add_body = NULL;
		x->sent = x->adding;
		x->sent_counter = &x->rules_added;
	} else {
		open_stream(w, x);
		return;
	}
	req.body = x->sent_body;
	req.body_len = strlen(x->sent_body);
	if (worker_http(w, &req, on_rules_posted, x) < 0)
		sync_failed(w, x, 0, "cannot start the request");
}

static void on_rules_listed(struct worker *w, const struct http_result *r, void *arg)
{
	struct x_state *x = arg;
	char what[256];

	if (r->status != 200) {
		(void)snprintf(what, sizeof(what), "GET: %s%ld %.120s", r->status ? "HTTP " : "", r->status,
			       r->status ? r->body : r->error);
		sync_failed(w, x, r->status, what);
		return;
	}
	free(x->delete_body);
	free(x->add_body);
	if (x_rules_plan(x->rules, x->n_rules, r->body, r->len, &x->delete_body, &x->deleting, &x->add_body,
			 &x->adding, what, sizeof(what)) < 0) {
		sync_failed(w, x, 500, what);
		return;
	}
	log_info("x: rules: %zu to delete, %zu to add", x->deleting, x->adding);
	send_rules(w, x);
}

static void start_sync(struct worker *w, void *arg)
{
	struct x_state *x = arg;
	struct http_request req = { .url = x->rules_url, .headers = x->get_headers, .timeout_ms = REQUEST_TIMEOUT_MS };

	x->timer = 0;
	if (worker_http(w, &req, on_rules_listed, x) < 0)
		sync_failed(w, x, 0, "cannot start the request");
}

/* ---- the stream ---- */

static void on_record(struct worker *w, struct worker_stream *s, const char *rec, size_t len, void *arg)
{
	const struct x_settings *set = w->settings;
	struct x_state *x = arg;
	struct nbpy_msg m;
	const char *why;
	size_t at;

	(void)s;
	switch (x_post_parse(rec, len, x->lex, set->keep_text, &m, &why, &at)) {
	case X_POST_OK:
		x->posts++;
		(void)worker_publish(w, &m, NULL);
		return;
	case X_POST_TOO_LONG:
		x->too_long++;
		log_warning("x: post not scored (%s): %.80s", why, rec);
		return;
	case X_POST_STREAM_ERROR:
		x->stream_errors++;
		log_warning("x: %s: %.300s", why, rec);
		return;
	case X_POST_BAD:
		break;
	}
	x->bad++;
	w->bad_messages++;
	if (at > 0)
		log_warning("x: bad line (%s at byte %zu): %.200s", why, at, rec);
	else
		log_warning("x: bad line (%s): %.200s", why, rec);
}

static void on_connect(struct worker *w, struct worker_stream *s, void *arg)
{
	struct x_state *x = arg;

	(void)w;
	(void)s;
	x->established = true;
	memset(x->attempts, 0, sizeof(x->attempts));
	log_info("x: stream connected");
}

/* The runtime says why in words: "HTTP 429", "HTTP 503", "HTTP 401: ...",
 * or a network error, a silence, the end of the stream. */
static void on_drop(struct worker *w, struct worker_stream *s, const char *why, void *arg)
{
	const struct x_settings *set = w->settings;
	struct x_state *x = arg;
	long status = strncmp(why, "HTTP ", 5) == 0 ? strtol(why + 5, NULL, 10) : 0;
	int64_t delay;

	if (status == 0 && x->established)
		delay = 0;	/* X: reconnect at once, then back off */
	else
		delay = next_delay(set, x, class_of_status(status));
	x->established = false;
	worker_stream_close(s);
	x->stream = NULL;
	log_info("x: reconnecting in %.3f s", (double)delay / 1e9);
	later(w, x, delay, open_stream);
}

static void open_stream(struct worker *w, void *arg)
{
	const struct x_settings *set = w->settings;
	struct x_state *x = arg;
	struct worker_stream_spec spec = {
		.name = "x",
		.url = x->stream_url,
		.headers = x->get_headers,
		.idle_ns = set->idle_timeout,
		.max_record = 256 * 1024,
		.on_record = on_record,
		.on_connect = on_connect,
		.on_drop = on_drop,
		.arg = x,
	};

	x->timer = 0;
	if (x->stream)
		return;	/* one connection only */
	x->stream = worker_stream_open(w, &spec);
	if (!x->stream) {
		worker_error(w, "x: cannot open the stream");
		later(w, x, next_delay(set, x, RETRY_NETWORK), open_stream);
	}
}

static int init(struct worker *w)
{
	const struct x_settings *set = w->settings;
	struct x_state *x = w->kind_state;
	struct nbpy_error lex_error = { 0 };
	char why[256];

	if (set->token[0] == '\0')
		return worker_config_error(w, &set->token, "token: empty");
	if (set->idle_timeout <= 0)
		return worker_config_error(w, &set->idle_timeout, "idle_timeout: must be more than 0");
	if (set->retry_network <= 0 || set->retry_http <= 0 || set->retry_rate_limited <= 0)
		return worker_config_error(w, set->retry_network <= 0 ? &set->retry_network
					   : set->retry_http <= 0 ? &set->retry_http : &set->retry_rate_limited,
					   "retry_*: must be more than 0");
	if (set->rules.n == 0)
		return worker_config_error(w, &set->rules, "rules: none given");
	if (x_rules_from_config(&set->rules, &x->rules, &x->n_rules, why, sizeof(why)) < 0)
		return worker_config_error(w, &set->rules, "%s", why);
	x->lex = vader_lexicon_load(set->lexicon, &lex_error);
	if (!x->lex)
		return worker_config_error(w, &set->lexicon, "lexicon: %s", lex_error.msg);
	if (oanda_auth_header(set->token, &x->auth) < 0 ||
	    asprintf(&x->stream_url, "%s/2/tweets/search/stream?%s", set->url, STREAM_FIELDS) < 0 ||
	    asprintf(&x->rules_url, "%s/2/tweets/search/stream/rules", set->url) < 0)
		return nbpy_error_class_set(&w->error, NBPY_ERR_TRANSIENT, "out of memory");
	x->get_headers[0] = x->post_headers[0] = x->auth;
	x->post_headers[1] = "Content-Type: application/json";
	log_info("x: lexicon %s, %zu words; %zu rules", set->lexicon, vader_lexicon_size(x->lex), x->n_rules);
	start_sync(w, x);
	return 0;
}

static void status(struct worker *w, char *buf, size_t cap)
{
	const struct x_state *x = w->kind_state;
	static const struct worker_stream_stats none;
	const struct worker_stream_stats *st = x->stream ? worker_stream_stats(x->stream) : &none;

	(void)snprintf(buf, cap,
		       ", posts %llu, bad %llu, too_long %llu, stream_errors %llu, rules_added %llu, "
		       "rules_deleted %llu, rule_syncs_failed %llu, connected %s, last_retry_s %.3f",
		       (unsigned long long)x->posts, (unsigned long long)x->bad, (unsigned long long)x->too_long,
		       (unsigned long long)x->stream_errors, (unsigned long long)x->rules_added,
		       (unsigned long long)x->rules_deleted, (unsigned long long)x->rule_syncs_failed,
		       st->connected ? "yes" : "no", (double)x->last_delay / 1e9);
}

static void destroy(struct worker *w)
{
	struct x_state *x = w->kind_state;

	if (x->stream)
		worker_stream_close(x->stream);
	vader_lexicon_free(x->lex);
	oanda_auth_free(&x->auth);
	free(x->rules);
	free(x->stream_url);
	free(x->rules_url);
	free(x->delete_body);
	free(x->add_body);
	free(x->sent_body);
}

const struct nbpy_kind_spec x_sentiment_kind = {
	.name = "x.sentiment",
	.doc = "X API v2 filtered stream, one VADER-scored sentiment message per post",
	.flags = NBPY_KIND_PUBLISHES,
	.schema = NBPY_SCHEMA_SENTIMENT,
	.keys = x_keys,
	.settings_size = sizeof(struct x_settings),
	.state_size = sizeof(struct x_state),
	.ops = &(const struct kind_ops){
		.init = init,
		.status = status,
		.destroy = destroy,
	},
};
