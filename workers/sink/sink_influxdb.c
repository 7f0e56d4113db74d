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
 * measurement, tags and event time, so writing a batch twice stores it once. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

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
	char *write_url;
	struct sink_http http;
	struct curl_slist *headers;
	struct nbpy_buf body;
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
	z.next_in = (Bytef *)st->body.data;
	z.avail_in = (uInt)st->body.len;
	z.next_out = st->packed;
	z.avail_out = (uInt)st->packed_cap;
	out = deflate(&z, Z_FINISH) == Z_STREAM_END ? z.total_out : 0;
	(void)deflateEnd(&z);
	return out;
}

/* POST body to url; the HTTP status, 0 with s->error set on no answer. */
static long post(struct sink *s, const char *url, const void *body, size_t len, bool gzipped)
{
	struct influx_store *st = s->store_state;
	CURL *h = st->http.h;

	if (curl_easy_setopt(h, CURLOPT_POSTFIELDS, body) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_HTTPHEADER, gzipped ? st->headers : st->headers->next) != CURLE_OK) {
		sink_set_error(s, "libcurl refused an option");
		return 0;
	}
	return sink_http_perform(s, &st->http, url);
}

static bool create_database(struct sink *s)
{
	struct influx_store *st = s->store_state;
	char q[600], *esc, url[2048];
	size_t k = (size_t)snprintf(q, sizeof(q), "CREATE DATABASE \"");
	long status;

	if (strlen(st->db) > 255) {
		sink_set_error(s, "database name longer than 255 bytes");
		return false;
	}
	/* an identifier in double quotes: escape \ and " */
	for (const char *p = st->db; *p; p++) {
		if (*p == '"' || *p == '\\')
			q[k++] = '\\';
		q[k++] = *p;
	}
	q[k++] = '"';
	q[k] = '\0';
	if ((esc = curl_easy_escape(st->http.h, q, 0)) == NULL) {
		sink_set_error(s, "out of memory");
		return false;
	}
	(void)snprintf(url, sizeof(url), "%s/query?q=%s", st->url, esc);
	curl_free(esc);
	status = post(s, url, "", 0, false);
	if (status / 100 == 2) {
		log_notice("created database %s", st->db);
		return true;
	}
	if (status != 0) {
		char line[ANSWER_MAX];

		store_answer_line(st->http.answer, line, sizeof(line));
		sink_set_error(s, "CREATE DATABASE %s: HTTP %ld %s", st->db, status, line);
	}
	return false;
}

/* InfluxDB does not say whether a point was new or replaced an equal one:
 * no duplicates counted here (docs/sinks.md). */
static enum sink_result influx_write(struct sink *s, const struct sink_batch *b, size_t *duplicates)
{
	struct influx_store *st = s->store_state;
	const void *body;
	size_t pos = 0, len, points = 0;
	bool no_db;
	long status;

	(void)duplicates;
	nbpy_buf_reset(&st->body);
	while (sink_batch_next(b, &pos, s->msg) == 1)
		points += lp_append(&st->body, s->msg, st->prec);
	if (st->body.failed) {
		sink_set_error(s, "out of memory");
		return SINK_RETRY;
	}
	if (points == 0)
		return SINK_OK;
	body = st->body.data;
	len = st->body.len;
	if (st->gzip) {
		if ((len = pack(st)) == 0) {
			sink_set_error(s, "gzip failed");
			return SINK_RETRY;
		}
		body = st->packed;
	}
	status = post(s, st->write_url, body, len, st->gzip);
	no_db = influx_answer_no_database(status, st->http.answer);
	if (no_db && st->create_db) {
		if (!create_database(s))
			return SINK_RETRY;	/* its error is set */
		status = post(s, st->write_url, body, len, st->gzip);
		no_db = false;
	}
	if (status != 0 && status / 100 != 2) {
		char line[ANSWER_MAX];

		store_answer_line(st->http.answer, line, sizeof(line));
		sink_set_error(s, "%s: HTTP %ld %s", st->url, status, line);
	}
	/* a missing database gets created by someone: keep the batch meanwhile */
	return no_db ? SINK_RETRY : sink_http_result(status);
}

/* The write URL with its query string, every value escaped. */
static int build_url(struct sink *s)
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
		if ((esc = curl_easy_escape(st->http.h, values[i], 0)) == NULL)
			return -1;
		len += (size_t)snprintf(st->write_url + len, cap - len, "%c%s=%s",
					strchr(st->write_url, '?') ? '&' : '?', names[i], esc);
		curl_free(esc);
	}
	return 0;
}

static int open_store(struct sink *s, bool kapacitor)
{
	const struct nbpy_service *svc = s->w->svc;
	struct influx_store *st = calloc(1, sizeof(*st));
	const char *api;
	char auth[1024];
	struct curl_slist *l = NULL;

	if (st == NULL)
		return -1;
	s->store_state = st;
	st->kapacitor = kapacitor;
	api = kapacitor ? "v1" : nbpy_service_value(svc, "api")->text;
	st->v2 = strcmp(api, "v2") == 0;
	st->url = nbpy_service_value(svc, "url")->text;
	st->db = nbpy_service_value(svc, "db")->text;
	st->prec = lp_precision_parse(nbpy_service_value(svc, "precision")->text);
	st->gzip = nbpy_service_value(svc, "gzip")->v.b;
	st->user = nbpy_service_value(svc, "username")->text;
	st->password = nbpy_service_value(svc, "password")->text;
	if (!kapacitor) {
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
	if (sink_http_open(&st->http, nbpy_service_value(svc, "timeout")->v.ns / 1000000, ANSWER_MAX) < 0 ||
	    build_url(s) < 0)
		return -1;
	/* headers[0] is Content-Encoding, skipped for plain bodies */
	l = curl_slist_append(l, "Content-Encoding: gzip");
	if (l != NULL)
		st->headers = l;
	l = l ? curl_slist_append(l, "Content-Type: text/plain; charset=utf-8") : NULL;
	if (l != NULL && st->v2) {
		(void)snprintf(auth, sizeof(auth), "Authorization: Token %s", st->token);
		l = curl_slist_append(l, auth);
	}
	l = l ? curl_slist_append(l, "Expect:") : NULL;	/* no 100-continue round trip */
	if (l == NULL)
		return -1;
	if (st->user != NULL &&
	    (curl_easy_setopt(st->http.h, CURLOPT_USERNAME, st->user) != CURLE_OK ||
	     curl_easy_setopt(st->http.h, CURLOPT_PASSWORD, st->password ? st->password : "") != CURLE_OK))
		return -1;
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
	curl_slist_free_all(st->headers);
	nbpy_buf_free(&st->body);
	free(st->packed);
	free(st->write_url);
	free(st);
}

static const struct sink_store influx_store = {
	.open = influx_open, .write = influx_write, .close = influx_close,
};
static const struct sink_store kapacitor_store = {
	.open = kapacitor_open, .write = influx_write, .close = influx_close,
};

const struct kind_ops sink_influxdb_kind = SINK_KIND("sink.influxdb", &influx_store);
const struct kind_ops sink_kapacitor_kind = SINK_KIND("sink.kapacitor", &kapacitor_store);
