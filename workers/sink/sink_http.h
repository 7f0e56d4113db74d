/* sink_http.h - what the HTTP stores (InfluxDB, Kapacitor, TypeDB) share:
 * one request at a time through the worker's curl multi (worker_http: the
 * loop never waits for a store), with the sink's timeout and User-Agent;
 * the server's answer kept (bounded) for parsing and logs; and one reading
 * of HTTP statuses. */
#ifndef NBPY_SINK_HTTP_H
#define NBPY_SINK_HTTP_H

#include "workers/sink/sink.h"

/* What to do with an answer: status 0 means none came (err says why). */
typedef void (*sink_http_then)(struct sink *s, long status);

struct sink_http {
	struct sink *s;
	long timeout_ms;
	char *userpwd;			/* "user:password" or NULL: a secret, never logged */
	char *answer;			/* NUL-terminated; the rest is cut */
	size_t answer_len, answer_max;
	struct nbpy_error err;		/* why there was no answer */
	sink_http_then then;
	unsigned abandoned;		/* requests given up whose answer is ignored */
};

/* -1 if memory fails.  user NULL: no basic authentication. */
int sink_http_open(struct sink_http *c, struct sink *s, long timeout_ms, size_t answer_max,
		   const char *user, const char *password);
void sink_http_close(struct sink_http *c);

/* Send method to url with headers (NULL-terminated, or NULL) and body (which
 * must stay as it is until then is called); then is called once, from the
 * loop, with the answer in c->answer.  -1 (then not called, c->err set) if
 * it could not start. */
int sink_http_send(struct sink_http *c, const char *method, const char *url,
		   const char *const *headers, const void *body, size_t len, sink_http_then then);

/* Ignore the answer of the request in flight. */
void sink_http_abandon(struct sink_http *c);

/* How a status other than 2xx (stored) counts: no answer (0), 5xx, 429,
 * 408 transient; 401 and 403 transient too (credentials get fixed, the
 * data should still be there); other 4xx refused. */
enum nbpy_error_class sink_http_class(long status);

#endif
