/* sink_http.h - what the HTTP stores (InfluxDB, Kapacitor, TypeDB) share:
 * one kept-alive libcurl handle with the sink's timeouts and User-Agent, the
 * server's answer kept (bounded) for parsing and logs, and one reading of
 * HTTP statuses. */
#ifndef NBPY_SINK_HTTP_H
#define NBPY_SINK_HTTP_H

#include <curl/curl.h>

#include "workers/sink/sink.h"

struct sink_http {
	CURL *h;
	char *answer;			/* NUL-terminated; the rest is cut */
	size_t answer_len, answer_max;
};

/* -1 if libcurl or memory fails. */
int sink_http_open(struct sink_http *c, long timeout_ms, size_t answer_max);
void sink_http_close(struct sink_http *c);

/* Send the request the caller set up on c->h (method, body, headers) to
 * url.  The HTTP status, or 0 with the sink's error set when no answer came. */
long sink_http_perform(struct sink *s, struct sink_http *c, const char *url);

/* 2xx stored; no answer, 5xx, 429, 408 retried; 401 and 403 retried too
 * (credentials get fixed, the data should still be there); other 4xx refused. */
enum sink_result sink_http_result(long status);

#endif
