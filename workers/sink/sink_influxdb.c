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

/* Both kinds' keys; sink.kapacitor has no api, org, bucket, token nor
 * create_database (left zero: v1, none, no). */
struct influx_settings {
	struct sink_settings sink;
	int precision;		/* enum lp_precision: the index in "ns|us|ms|s" */
	const char *username, *password;
	bool gzip;
	int64_t timeout;	/* ns */
	const char *url;
	int api;		/* API_V1 or API_V2: the index in "v1|v2" */
	const char *db, *rp, *org, *bucket, *token;
	bool create_database;
};
_Static_assert(offsetof(struct influx_settings, sink) == 0, "sink.c reads the sink keys first");

enum { API_V1, API_V2 };
_Static_assert(LP_NS == 0 && LP_US == 1 && LP_MS == 2 && LP_S == 3, "precision's choices in enum order");
static const char *const precision_names[] = { [LP_NS] = "ns", [LP_US] = "us", [LP_MS] = "ms", [LP_S] = "s" };

#define LINE_PROTOCOL_KEYS \
	NBPY_SETTING_ENUM(struct influx_settings, precision, "precision", "ns|us|ms|s", "ns", \
			  "time precision of the points written"), \
	NBPY_SETTING(struct influx_settings, username, STRING, "username", NULL, "HTTP basic-auth user"), \
	NBPY_SETTING_SECRET(struct influx_settings, password, "password", \
			    "HTTP basic-auth password; use ${VAR} or password_file = PATH"), \
	NBPY_SETTING(struct influx_settings, gzip, BOOL, "gzip", "no", "send bodies gzip-compressed"), \
	NBPY_SETTING(struct influx_settings, timeout, DURATION, "timeout", "10s", "HTTP request timeout")

static const struct nbpy_key_spec influxdb_keys[] = {
	SINK_KEYS(struct influx_settings),
	LINE_PROTOCOL_KEYS,
	NBPY_SETTING(struct influx_settings, url, STRING, "url", "http://127.0.0.1:8086", "InfluxDB base URL"),
	NBPY_SETTING_ENUM(struct influx_settings, api, "api", "v1|v2", "v1",
			  "v1: /write with db and rp; v2: /api/v2/write with org and bucket"),
	NBPY_SETTING(struct influx_settings, db, STRING, "db", "tick", "v1 database"),
	NBPY_SETTING(struct influx_settings, rp, STRING, "rp", NULL,
		     "v1 retention policy; default the database's default"),
	NBPY_SETTING(struct influx_settings, org, STRING, "org", NULL, "v2 organisation"),
	NBPY_SETTING(struct influx_settings, bucket, STRING, "bucket", NULL, "v2 bucket"),
	NBPY_SETTING_SECRET(struct influx_settings, token, "token", "v2 API token; use ${VAR} or token_file = PATH"),
	NBPY_SETTING(struct influx_settings, create_database, BOOL, "create_database", "no",
		     "v1: CREATE DATABASE when a write says it is missing"),
	NBPY_SETTINGS_END
};

static const struct nbpy_key_spec kapacitor_keys[] = {
	SINK_KEYS(struct influx_settings),
	LINE_PROTOCOL_KEYS,
	NBPY_SETTING(struct influx_settings, url, STRING, "url", "http://127.0.0.1:9092", "Kapacitor base URL"),
	NBPY_SETTING(struct influx_settings, db, STRING, "db", "tick", "database the stream tasks' dbrps name"),
	NBPY_SETTING_REQUIRED(struct influx_settings, rp, STRING, "rp",
			      "retention policy the stream tasks' dbrps name (Kapacitor needs it)"),
	NBPY_SETTINGS_END
};

struct influx_store {
	bool kapacitor, v2, create_db, gzip;
	const char *url, *db, *token, *user, *password;
	enum lp_precision prec;
	long timeout_ms;
	char *write_url, *create_url;
	char auth[1024];		/* "Authorization: Token ..." (v2) */
	const char *headers[4];		/* [0] Content-Encoding, skipped for plain bodies */
	struct sink_http http;
	struct nbpy_buf body;
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
	z.next_in = (Bytef *)st->body.data;
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

	nbpy_buf_reset(&st->body);
	while (sink_batch_next(b, &pos, s->msg) == 1)
		points += lp_append(&st->body, s->msg, st->prec);
	if (st->body.failed) {
		sink_write_done(s, (nbpy_error_set(&err, "out of memory"), &err), 0);
		return;
	}
	if (points == 0) {
		sink_write_done(s, NULL, 0);
		return;
	}
	st->sent = st->body.data;
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
	const struct influx_settings *set = s->w->settings;
	const char *names[4], *values[4], *path;
	size_t n = 0, cap, len;

	if (st->v2) {
		path = "/api/v2/write";
		names[n] = "org", values[n++] = set->org;
		names[n] = "bucket", values[n++] = set->bucket;
	} else {
		path = st->kapacitor ? "/kapacitor/v1/write" : "/write";
		names[n] = "db", values[n++] = st->db;
		names[n] = "rp", values[n++] = set->rp;
	}
	names[n] = "precision", values[n++] = precision_names[set->precision];
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

/* The kind's settings; -1 (w->error) if they do not fit together. */
static int read_keys(struct sink *s, struct influx_store *st)
{
	const struct influx_settings *set = s->w->settings;

	/* sink.kapacitor's settings have api v1, no token, no create_database */
	st->v2 = set->api == API_V2;
	st->url = set->url;
	st->db = set->db;
	st->prec = (enum lp_precision)set->precision;
	st->gzip = set->gzip;
	st->user = set->username;
	st->password = set->password;
	st->timeout_ms = set->timeout / 1000000;
	st->create_db = set->create_database;
	st->token = set->token;
	if (st->v2 && (set->org == NULL || set->bucket == NULL || st->token == NULL))
		return worker_config_error(s->w, &set->api, "api = v2 needs org, bucket and token");
	if (strlen(st->url) > 0 && st->url[strlen(st->url) - 1] == '/')
		return worker_config_error(s->w, &set->url, "url: no trailing slash, please (%s)", st->url);
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
	nbpy_buf_free(&st->body);
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

const struct nbpy_kind_spec sink_influxdb_kind = {
	.name = "sink.influxdb",
	.doc = "write subscribed messages to InfluxDB 1.x or 2.x (line protocol)",
	.flags = SINK_FLAGS,
	.schema = NBPY_SCHEMA_NONE,
	.keys = influxdb_keys,
	.settings_size = sizeof(struct influx_settings),
	.state_size = sizeof(struct sink),
	.ops = SINK_OPS(&influx_store),
};

const struct nbpy_kind_spec sink_kapacitor_kind = {
	.name = "sink.kapacitor",
	.doc = "write subscribed messages to Kapacitor's write API (line protocol)",
	.flags = SINK_FLAGS,
	.schema = NBPY_SCHEMA_NONE,
	.keys = kapacitor_keys,
	.settings_size = sizeof(struct influx_settings),
	.state_size = sizeof(struct sink),
	.ops = SINK_OPS(&kapacitor_store),
};
