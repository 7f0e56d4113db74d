/* sink_influxdb.c - kinds sink.influxdb and sink.kapacitor: line protocol
 * (line_protocol.h) POSTed per batch over one kept-alive libcurl connection.
 *
 * InfluxDB 1.x /write (db, rp, precision, user/password), 2.x /api/v2/write
 * (org, bucket, token), and Kapacitor's /kapacitor/v1/write (db and rp).
 * Answers are handled as Telegraf does: 2xx stored; 404 "database not found"
 * creates the database when create_database is set, else the batch waits in
 * the spool; 401/403 wait too (credentials get fixed, data should not be
 * lost meanwhile); other 4xx drop the batch with the server's message; 5xx,
 * 429 and network errors retry with backoff.  A point's key is its
 * measurement, tags and event time, so writing a batch twice stores it once.
 * Requests go through the worker's curl multi (sink_http.h): a write is
 * POST, then when the database is missing and may be created, CREATE
 * DATABASE and the POST again, each step started from the answer of the
 * one before. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <curl/curl.h>

#include "workers/kinds.h"
#include "workers/sink/line_protocol.h"
#include "common/log.h"
#include "workers/sink/sink.h"
#include "workers/sink/sink_http.h"
#include "workers/sink/store_answer.h"

#define ANSWER_MAX 1024		/* kept of the server's answer, for the logs */

struct influx_store {
	bool kapacitor, v2, create_db, gzip;
	const char *url, *db, *token, *user, *password;
	enum lp_precision prec;
	long timeout_ms;
	char *write_url, *create_url;
	char auth[1024];		/* "Authorization: Token ..." (v2) */
	const char *headers[4];		/* [0] Content-Encoding, skipped for plain bodies */
	struct sink_http http;
	struct lp_buf body;
	const void *sent;		/* the body of the write in flight */
	size_t sent_len;
	bool created;			/* ...which created the database and wrote again */
	unsigned char *packed;		/* gzip of body */
	size_t packed_cap;
};

/* gzip the body into st->packed; its size, 0 on failure. */
static size_t pack(struct influx_store *st)
{
	z_stream z = { 0 };
	size_t bound = compressBound((uLong)st->body.len) + 32, out;

	if (bound > st->packed_cap) {
		unsigned char *p = realloc(st->packed, bound);

		if (p == NULL)
			return 0;
		st->packed = p;
		st->packed_cap = bound;
	}
	/* 16 + MAX_WBITS: a gzip wrapper, which Content-Encoding: gzip means */
	if (deflateInit2(&z, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return 0;
	z.next_in = (Bytef *)st->body.p;
	z.avail_in = (uInt)st->body.len;
	z.next_out = st->packed;
	z.avail_out = (uInt)st->packed_cap;
	out = deflate(&z, Z_FINISH) == Z_STREAM_END ? z.total_out : 0;
	(void)deflateEnd(&z);
	return out;
}

static void written(struct sink *s, long status);
static void created(struct sink *s, long status);

/* POST the batch's body to the write URL; written() takes the answer. */
static void post_write(struct sink *s)
{
	struct influx_store *st = s->store_state;

	if (sink_http_send(&st->http, "POST", st->write_url, st->gzip ? st->headers : st->headers + 1,
			   st->sent, st->sent_len, written) < 0)
		sink_write_done(s, &st->http.err, 0);
}

/* The outcome of a write (or CREATE DATABASE) that answered status. */
static void finish(struct sink *s, long status, const char *what)
{
	struct influx_store *st = s->store_state;
	struct nbpy_error err;
	char line[ANSWER_MAX];

	if (status / 100 == 2) {
		sink_write_done(s, NULL, 0);
		return;
	}
	if (status == 0) {
		sink_write_done(s, &st->http.err, 0);
		return;
	}
	store_answer_line(st->http.answer, line, sizeof(line));
	/* a missing database gets created by someone: keep the batch meanwhile */
	(void)nbpy_error_class_set(&err, influx_answer_no_database(status, st->http.answer) && !st->created
						? NBPY_ERR_TRANSIENT : sink_http_class(status),
				   "%s: HTTP %ld %s", what, status, line);
	sink_write_done(s, &err, 0);
}

static void written(struct sink *s, long status)
{
	struct influx_store *st = s->store_state;

	if (influx_answer_no_database(status, st->http.answer) && st->create_db && !st->created) {
		struct nbpy_error err;

		if (st->create_url == NULL) {
			(void)nbpy_error_set(&err, "database name longer than 255 bytes");
			sink_write_done(s, &err, 0);
			return;
		}
		if (sink_http_send(&st->http, "POST", st->create_url, st->headers + 1, "", 0, created) < 0)
			sink_write_done(s, &st->http.err, 0);
		return;
	}
	finish(s, status, st->url);
}

static void created(struct sink *s, long status)
{
	struct influx_store *st = s->store_state;
	char what[300];

	if (status / 100 != 2) {
		(void)snprintf(what, sizeof(what), "CREATE DATABASE %s", st->db);
		finish(s, status, what);
		return;
	}
	log_notice("created database %s", st->db);
	st->created = true;	/* once per write */
	post_write(s);
}

/* InfluxDB does not say whether a point was new or replaced an equal one:
 * no duplicates counted here (docs/sinks.md). */
static void influx_write(struct sink *s, const struct sink_batch *b)
{
	struct influx_store *st = s->store_state;
	struct nbpy_error err;
	size_t pos = 0, points = 0;

	st->body.len = 0;
	st->body.oom = 0;
	while (sink_batch_next(b, &pos, s->msg) == 1)
		points += lp_append(&st->body, s->msg, st->prec);
	if (st->body.oom) {
		sink_write_done(s, (nbpy_error_set(&err, "out of memory"), &err), 0);
		return;
	}
	if (points == 0) {
		sink_write_done(s, NULL, 0);
		return;
	}
	st->sent = st->body.p;
	st->sent_len = st->body.len;
	st->created = false;
	if (st->gzip) {
		if ((st->sent_len = pack(st)) == 0) {
			sink_write_done(s, (nbpy_error_set(&err, "gzip failed"), &err), 0);
			return;
		}
		st->sent = st->packed;
	}
	post_write(s);
}

static void influx_cancel(struct sink *s)
{
	struct influx_store *st = s->store_state;

	sink_http_abandon(&st->http);
}

/* The URL of CREATE DATABASE "db" (an identifier in double quotes: \ and "
 * escaped) into st->create_url; -1 if memory fails. */
static int build_create_url(struct influx_store *st, CURL *h)
{
	char q[600], *esc;
	size_t k = (size_t)snprintf(q, sizeof(q), "CREATE DATABASE \""), cap;

	if (strlen(st->db) > 255)
		return 0;	/* no URL: said when it is needed */
	for (const char *p = st->db; *p; p++) {
		if (*p == '"' || *p == '\\')
			q[k++] = '\\';
		q[k++] = *p;
	}
	q[k++] = '"';
	q[k] = '\0';
	if ((esc = curl_easy_escape(h, q, 0)) == NULL)
		return -1;
	cap = strlen(st->url) + strlen(esc) + 12;
	if ((st->create_url = malloc(cap)) != NULL)
		(void)snprintf(st->create_url, cap, "%s/query?q=%s", st->url, esc);
	curl_free(esc);
	return st->create_url ? 0 : -1;
}

/* The write URL with its query string, every value escaped. */
static int build_url(struct sink *s, CURL *h)
{
	struct influx_store *st = s->store_state;
	const struct nbpy_service *svc = s->w->svc;
	const char *names[4], *values[4], *path;
	size_t n = 0, cap, len;

	if (st->v2) {
		path = "/api/v2/write";
		names[n] = "org", values[n++] = nbpy_service_value(svc, "org")->text;
		names[n] = "bucket", values[n++] = nbpy_service_value(svc, "bucket")->text;
	} else {
		path = st->kapacitor ? "/kapacitor/v1/write" : "/write";
		names[n] = "db", values[n++] = st->db;
		names[n] = "rp", values[n++] = nbpy_service_value(svc, "rp")->text;
	}
	names[n] = "precision", values[n++] = nbpy_service_value(svc, "precision")->text;
	cap = strlen(st->url) + strlen(path) + 16;
	for (size_t i = 0; i < n; i++)
		cap += values[i] ? strlen(values[i]) * 3 + strlen(names[i]) + 2 : 0;
	if ((st->write_url = malloc(cap)) == NULL)
		return -1;
	len = (size_t)snprintf(st->write_url, cap, "%s%s", st->url, path);
	for (size_t i = 0; i < n; i++) {
		char *esc;

		if (values[i] == NULL || values[i][0] == '\0')
			continue;
		if ((esc = curl_easy_escape(h, values[i], 0)) == NULL)
			return -1;
		len += (size_t)snprintf(st->write_url + len, cap - len, "%c%s=%s",
					strchr(st->write_url, '?') ? '&' : '?', names[i], esc);
		curl_free(esc);
	}
	return 0;
}

/* The kind's keys; -1 (logged) if they do not fit together. */
static int read_keys(struct sink *s, struct influx_store *st)
{
	const struct nbpy_service *svc = s->w->svc;
	const char *api = st->kapacitor ? "v1" : nbpy_service_value(svc, "api")->text;

	st->v2 = strcmp(api, "v2") == 0;
	st->url = nbpy_service_value(svc, "url")->text;
	st->db = nbpy_service_value(svc, "db")->text;
	st->prec = lp_precision_parse(nbpy_service_value(svc, "precision")->text);
	st->gzip = nbpy_service_value(svc, "gzip")->v.b;
	st->user = nbpy_service_value(svc, "username")->text;
	st->password = nbpy_service_value(svc, "password")->text;
	st->timeout_ms = nbpy_service_value(svc, "timeout")->v.ns / 1000000;
	if (!st->kapacitor) {
		st->create_db = nbpy_service_value(svc, "create_database")->v.b;
		st->token = nbpy_service_value(svc, "token")->text;
	}
	if (st->v2 && (nbpy_service_value(svc, "org")->text == NULL ||
		       nbpy_service_value(svc, "bucket")->text == NULL || st->token == NULL)) {
		log_error("%s: [%s] api = v2 needs org, bucket and token", s->w->config->path, svc->name);
		return -1;
	}
	if (strlen(st->url) > 0 && st->url[strlen(st->url) - 1] == '/') {
		log_error("%s: [%s] url: no trailing slash, please (%s)", s->w->config->path, svc->name,
			  st->url);
		return -1;
	}
	return 0;
}

static int open_store(struct sink *s, bool kapacitor)
{
	struct influx_store *st = calloc(1, sizeof(*st));
	CURL *h;
	size_t n = 0;
	int rc;

	if (st == NULL)
		return -1;
	s->store_state = st;
	st->kapacitor = kapacitor;
	if (read_keys(s, st) < 0)
		return -1;
	if ((h = curl_easy_init()) == NULL)	/* for escaping */
		return -1;
	rc = build_url(s, h) < 0 || (st->create_db && build_create_url(st, h) < 0) ||
	     sink_http_open(&st->http, s, st->timeout_ms, ANSWER_MAX, st->user, st->password) < 0 ? -1 : 0;
	curl_easy_cleanup(h);
	if (rc < 0)
		return -1;
	st->headers[n++] = "Content-Encoding: gzip";
	st->headers[n++] = "Content-Type: text/plain; charset=utf-8";
	if (st->v2) {
		(void)snprintf(st->auth, sizeof(st->auth), "Authorization: Token %s", st->token);
		st->headers[n++] = st->auth;
	}
	st->headers[n] = NULL;
	log_info("writing to %s", st->write_url);
	return 0;
}

static int influx_open(struct sink *s)
{
	return open_store(s, false);
}

static int kapacitor_open(struct sink *s)
{
	return open_store(s, true);
}

static void influx_close(struct sink *s)
{
	struct influx_store *st = s->store_state;

	if (st == NULL)
		return;
	sink_http_close(&st->http);
	lp_buf_free(&st->body);
	free(st->packed);
	free(st->write_url);
	free(st->create_url);
	memset(st->auth, 0, sizeof(st->auth));	/* a secret */
	free(st);
}

static const struct sink_store influx_store = {
	.open = influx_open, .write = influx_write, .cancel = influx_cancel, .close = influx_close,
};
static const struct sink_store kapacitor_store = {
	.open = kapacitor_open, .write = influx_write, .cancel = influx_cancel, .close = influx_close,
};

const struct kind_ops sink_influxdb_kind = SINK_KIND("sink.influxdb", &influx_store);
const struct kind_ops sink_kapacitor_kind = SINK_KIND("sink.kapacitor", &kapacitor_store);
