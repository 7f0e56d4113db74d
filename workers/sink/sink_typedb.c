/* sink_typedb.c - kind sink.typedb (the seed's Grakn subscriber): the tables
 * of sql_table.h as TypeDB entity types, written through TypeDB 3.x's HTTP
 * API with json-c, through the worker's curl multi (sink_http.h).
 *
 * Sign in once (again on 401), create the database if missing, define each
 * entity type on first use (a schema query; defining what exists already is
 * a no-op), then per batch: open a write transaction, one query of `put`
 * stages (one per row, so a row already there is matched, not inserted
 * again: writing a batch twice stores it once), commit.  Each request is
 * started from the answer to the one before (the steps below, in order).
 * TypeDB has no C client, and gRPC from C would chase a protocol that
 * changes per release: the HTTP API is the stable way in. */
#include <curl/curl.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "workers/kinds.h"
#include "common/log.h"
#include "workers/sink/sink.h"
#include "workers/sink/sink_http.h"
#include "workers/sink/sql_table.h"
#include "workers/sink/store_answer.h"
#include "workers/sink/typeql.h"

#define ANSWER_MAX (64 * 1024)

struct typedb_settings {
	struct sink_settings sink;
	const char *url, *database, *username, *password;
	int64_t timeout;	/* ns */
};
_Static_assert(offsetof(struct typedb_settings, sink) == 0, "sink.c reads the sink keys first");

static const struct nbpy_key_spec typedb_keys[] = {
	SINK_KEYS(struct typedb_settings),
	NBPY_SETTING(struct typedb_settings, url, STRING, "url", "http://127.0.0.1:8000",
		     "TypeDB 3.x HTTP API base URL"),
	NBPY_SETTING(struct typedb_settings, database, STRING, "database", "nbpy", "database (created if missing)"),
	NBPY_SETTING(struct typedb_settings, username, STRING, "username", "admin", "user to sign in as"),
	NBPY_SETTING_SECRET(struct typedb_settings, password, "password",
			    "password; use ${VAR} or password_file = PATH"),
	NBPY_SETTING(struct typedb_settings, timeout, DURATION, "timeout", "30s", "HTTP request timeout"),
	NBPY_SETTINGS_END
};

struct typedb_store {
	const char *url, *database, *user, *password;
	long timeout_ms;
	char *db_path;			/* /v1/databases/NAME, escaped */
	struct sink_http http;
	char *token;
	bool db_ready;
	bool defined[NBPY_SCHEMA_END];
	struct nbpy_buf q;		/* the batch's TypeQL */
	/* the write in flight */
	const struct sink_batch *batch;
	enum nbpy_schema defining;
	char tx[129];			/* its transaction */
	struct nbpy_error err, saved;	/* saved: the failure a transaction close keeps */
	/* the request in flight (call) */
	char path[256];
	struct nbpy_buf body, signin;	/* kept until answered */
	bool get, retried;
	sink_http_then then;
	char bearer[TYPEDB_TOKEN_MAX + 32];
};

/* ---- requests: call() signs in first, and again once after a 401 ---- */

static void send_call(struct sink *s);

/* An answer other than 2xx as the write's error: libcurl's reason, or the
 * server's message. */
static void answer_error(struct sink *s, const char *path, long status)
{
	struct typedb_store *st = s->store_state;
	char why[NBPY_ERROR_MAX];

	if (status == 0) {
		st->err = st->http.err;
		return;
	}
	typedb_answer_error(st->http.answer, why, sizeof(why));
	(void)nbpy_error_class_set(&st->err, sink_http_class(status), "%s%s: HTTP %ld %s", st->url, path,
				   status, why);
}

/* POST (or GET when body is NULL) url + path; then answers, its error in st->err. */
static void request(struct sink *s, const char *path, const struct nbpy_buf *body, bool auth,
		 sink_http_then then)
{
	struct typedb_store *st = s->store_state;
	const char *headers[3] = { "Content-Type: application/json", NULL, NULL };
	char url[1024];

	if (auth && st->token != NULL) {
		(void)snprintf(st->bearer, sizeof(st->bearer), "Authorization: Bearer %s", st->token);
		headers[1] = st->bearer;
	}
	(void)snprintf(url, sizeof(url), "%s%s", st->url, path);
	if (sink_http_send(&st->http, body ? "POST" : "GET", url, headers, body ? body->data : NULL,
			   body ? body->len : 0, then) < 0) {
		st->err = st->http.err;
		then(s, 0);
	}
}

static void signed_in(struct sink *s, long status)
{
	struct typedb_store *st = s->store_state;
	char *token;

	if (status / 100 != 2) {
		answer_error(s, "/v1/signin", status);
		st->then(s, status);
		return;
	}
	if ((token = typedb_answer_token(st->http.answer)) == NULL) {
		(void)nbpy_error_set(&st->err, "%s/v1/signin: no usable token in the answer", st->url);
		st->then(s, 502);	/* a broken answer: retry later */
		return;
	}
	free(st->token);
	st->token = token;
	send_call(s);
}

static void sign_in(struct sink *s)
{
	struct typedb_store *st = s->store_state;
	struct json_object *b = json_object_new_object();

	nbpy_buf_reset(&st->signin);
	if (b != NULL) {
		json_object_object_add(b, "username", json_object_new_string(st->user));
		json_object_object_add(b, "password",
				       json_object_new_string(st->password ? st->password : ""));
		(void)nbpy_buf_puts(&st->signin, json_object_to_json_string_ext(b, JSON_C_TO_STRING_PLAIN));
		json_object_put(b);
	}
	if (b == NULL || st->signin.failed) {
		(void)nbpy_error_set(&st->err, "out of memory");
		st->then(s, 0);
		return;
	}
	request(s, "/v1/signin", &st->signin, false, signed_in);
}

static void answered(struct sink *s, long status)
{
	struct typedb_store *st = s->store_state;

	if (status == 401 && !st->retried) {
		st->retried = true;
		free(st->token);
		st->token = NULL;
		sign_in(s);
		return;
	}
	if (status / 100 != 2)
		answer_error(s, st->path, status);
	st->then(s, status);
}

static void send_call(struct sink *s)
{
	struct typedb_store *st = s->store_state;

	request(s, st->path, st->get ? NULL : &st->body, true, answered);
}

/* A protected request: path, body (NULL: GET; put here), then the step. */
static void call(struct sink *s, const char *path, struct json_object *body, sink_http_then then)
{
	struct typedb_store *st = s->store_state;

	(void)snprintf(st->path, sizeof(st->path), "%s", path);
	st->get = body == NULL;
	st->retried = false;
	st->then = then;
	nbpy_buf_reset(&st->body);
	if (body != NULL) {
		(void)nbpy_buf_puts(&st->body, json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN));
		json_object_put(body);
	}
	if (st->body.failed) {
		(void)nbpy_error_set(&st->err, "out of memory");
		then(s, 0);
		return;
	}
	if (st->token == NULL)
		sign_in(s);
	else
		send_call(s);
}

/* ---- TypeQL (typeql.c) ---- */

/* The batch as one pipeline of put stages. */
static bool build_query(struct sink *s, const struct sink_batch *b, size_t *rows)
{
	struct typedb_store *st = s->store_state;
	struct nbpy_msg *m = s->msg;
	size_t pos = 0;

	nbpy_buf_reset(&st->q);
	*rows = 0;
	while (!st->q.failed && sink_batch_next(b, &pos, m) == 1) {
		const struct sql_table *t = sql_table_for(m->h.schema);

		if (t == NULL)
			continue;	/* every decodable schema has a table */
		*rows += typeql_put(&st->q, t, m, *rows);
	}
	if (st->q.failed)
		(void)nbpy_error_set(&st->err, "out of memory");
	return !st->q.failed;
}

/* ---- a write, step by step ---- */

static void failed(struct sink *s, long status)
{
	struct typedb_store *st = s->store_state;

	(void)status;	/* st->err says it */
	sink_write_done(s, &st->err, 0);
}

static struct json_object *object(const char *k1, const char *v1, const char *k2, const char *v2)
{
	struct json_object *o = json_object_new_object();

	if (o != NULL && k1 != NULL)
		json_object_object_add(o, k1, json_object_new_string(v1));
	if (o != NULL && k2 != NULL)
		json_object_object_add(o, k2, json_object_new_string(v2));
	return o;
}

static void closed(struct sink *s, long status)
{
	struct typedb_store *st = s->store_state;

	/* best effort: the server drops it on timeout anyway */
	(void)status;
	st->err = st->saved;
	sink_write_done(s, &st->err, 0);
}

/* The transaction failed (st->err): close it, keep the error. */
static void close_tx(struct sink *s, long status)
{
	struct typedb_store *st = s->store_state;
	char path[256];

	(void)status;
	st->saved = st->err;
	(void)snprintf(path, sizeof(path), "/v1/transactions/%s/close", st->tx);
	call(s, path, object(NULL, NULL, NULL, NULL), closed);
}

/* A put stage that matches an entity already there does not say so: no
 * duplicates counted here (docs/sinks.md). */
static void committed(struct sink *s, long status)
{
	if (status / 100 != 2) {
		close_tx(s, status);
		return;
	}
	sink_write_done(s, NULL, 0);
}

static void queried(struct sink *s, long status)
{
	struct typedb_store *st = s->store_state;
	char path[256];

	if (status / 100 != 2) {
		close_tx(s, status);
		return;
	}
	(void)snprintf(path, sizeof(path), "/v1/transactions/%s/commit", st->tx);
	call(s, path, object(NULL, NULL, NULL, NULL), committed);
}

static void opened(struct sink *s, long status)
{
	struct typedb_store *st = s->store_state;
	char path[256];

	if (status / 100 != 2) {
		failed(s, status);
		return;
	}
	if (!typedb_answer_transaction(st->http.answer, st->tx, sizeof(st->tx))) {
		(void)nbpy_error_set(&st->err, "%s/v1/transactions/open: no usable transactionId in the answer",
				     st->url);
		failed(s, status);
		return;
	}
	(void)snprintf(path, sizeof(path), "/v1/transactions/%s/query", st->tx);
	call(s, path, object("query", st->q.data, NULL, NULL), queried);
}

static void open_tx(struct sink *s)
{
	struct typedb_store *st = s->store_state;
	size_t rows;

	if (!build_query(s, st->batch, &rows)) {
		failed(s, 0);
		return;
	}
	if (rows == 0) {
		sink_write_done(s, NULL, 0);
		return;
	}
	call(s, "/v1/transactions/open", object("databaseName", st->database, "transactionType", "write"),
	     opened);
}

static void define_next(struct sink *s);

static void defined(struct sink *s, long status)
{
	struct typedb_store *st = s->store_state;

	if (status / 100 != 2) {
		failed(s, status);
		return;
	}
	st->defined[st->defining] = true;
	log_info("defined entity %s in %s", sql_table_name(sql_table_for(st->defining)), st->database);
	define_next(s);
}

/* Define the first entity type of the batch not defined yet; then open. */
static void define_next(struct sink *s)
{
	struct typedb_store *st = s->store_state;
	struct nbpy_msg *m = s->msg;
	struct nbpy_buf q = NBPY_BUF_INIT;
	struct json_object *b;
	size_t pos = 0;
	bool found = false;

	while (!found && sink_batch_next(st->batch, &pos, m) == 1)
		found = sql_table_for(m->h.schema) != NULL && !st->defined[m->h.schema];
	if (!found) {
		open_tx(s);
		return;
	}
	st->defining = m->h.schema;
	typeql_define(&q, sql_table_for(m->h.schema));
	b = q.failed ? NULL : object("databaseName", st->database, "transactionType", "schema");
	if (b != NULL) {
		json_object_object_add(b, "query", json_object_new_string(q.data));
		json_object_object_add(b, "commit", json_object_new_boolean(1));
	}
	nbpy_buf_free(&q);
	if (b == NULL) {
		(void)nbpy_error_set(&st->err, "out of memory");
		failed(s, 0);
		return;
	}
	call(s, "/v1/query", b, defined);
}

static void database_created(struct sink *s, long status)
{
	struct typedb_store *st = s->store_state;

	if (status / 100 != 2) {
		failed(s, status);
		return;
	}
	log_notice("created database %s", st->database);
	st->db_ready = true;
	define_next(s);
}

static void database_checked(struct sink *s, long status)
{
	struct typedb_store *st = s->store_state;

	if (status == 404) {
		call(s, st->db_path, object(NULL, NULL, NULL, NULL), database_created);
		return;
	}
	if (status / 100 != 2) {
		failed(s, status);
		return;
	}
	st->db_ready = true;
	define_next(s);
}

static void typedb_write(struct sink *s, const struct sink_batch *b)
{
	struct typedb_store *st = s->store_state;

	st->batch = b;
	if (st->db_ready)
		define_next(s);
	else
		call(s, st->db_path, NULL, database_checked);
}

static void typedb_cancel(struct sink *s)
{
	struct typedb_store *st = s->store_state;

	sink_http_abandon(&st->http);
}

/* The kind's settings. */
static void read_keys(struct sink *s, struct typedb_store *st)
{
	const struct typedb_settings *set = s->w->settings;

	st->url = set->url;
	st->database = set->database;
	st->user = set->username;
	st->password = set->password;
	st->timeout_ms = set->timeout / 1000000;
}

static int typedb_open(struct sink *s)
{
	struct typedb_store *st = calloc(1, sizeof(*st));
	CURL *h;
	char *esc;
	size_t n;

	if (st == NULL)
		return -1;
	s->store_state = st;
	read_keys(s, st);
	if ((h = curl_easy_init()) == NULL)
		return -1;
	esc = curl_easy_escape(h, st->database, 0);
	curl_easy_cleanup(h);
	if (esc == NULL)
		return -1;
	n = strlen(esc) + sizeof("/v1/databases/");
	if ((st->db_path = malloc(n)) != NULL)
		(void)snprintf(st->db_path, n, "/v1/databases/%s", esc);
	curl_free(esc);
	if (st->db_path == NULL)
		return nbpy_error_set(&s->w->error, "out of memory");
	if (strlen(st->db_path) >= sizeof(st->path))
		return worker_config_error(s->w, &((const struct typedb_settings *)s->w->settings)->database,
					   "database: name too long");
	/* no basic authentication: TypeDB signs in with a token */
	return sink_http_open(&st->http, s, st->timeout_ms, ANSWER_MAX, NULL, NULL);
}

static void typedb_close(struct sink *s)
{
	struct typedb_store *st = s->store_state;

	if (st == NULL)
		return;
	sink_http_close(&st->http);
	free(st->token);
	free(st->db_path);
	nbpy_buf_free(&st->q);
	nbpy_buf_free(&st->body);
	if (st->signin.data != NULL)	/* holds the password */
		memset(st->signin.data, 0, st->signin.cap);
	nbpy_buf_free(&st->signin);
	memset(st->bearer, 0, sizeof(st->bearer));
	free(st);
}

static const struct sink_store typedb_store = {
	.open = typedb_open, .write = typedb_write, .cancel = typedb_cancel, .close = typedb_close,
};

const struct nbpy_kind_spec sink_typedb_kind = {
	.name = "sink.typedb",
	.doc = "write subscribed messages to TypeDB 3.x (HTTP API, TypeQL put)",
	.flags = SINK_FLAGS,
	.schema = NBPY_SCHEMA_NONE,
	.keys = typedb_keys,
	.settings_size = sizeof(struct typedb_settings),
	.state_size = sizeof(struct sink),
	.ops = SINK_OPS(&typedb_store),
};
