/* sink_typedb.c - kind sink.typedb (the seed's Grakn subscriber): the tables
 * of sql_table.h as TypeDB entity types, written through TypeDB 3.x's HTTP
 * API with libcurl and json-c.
 *
 * Sign in once (again on 401), create the database if missing, define each
 * entity type on first use (a schema query; defining what exists already is
 * a no-op), then per batch: open a write transaction, one query of `put`
 * stages (one per row, so a row already there is matched, not inserted
 * again: writing a batch twice stores it once), commit.  TypeDB has no C
 * client, and gRPC from C would chase a protocol that changes per release:
 * the HTTP API is the stable way in. */
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	NBPY_SETTING(struct typedb_settings, password, STRING, "password", NULL, "password; use ${VAR}"),
	NBPY_SETTING(struct typedb_settings, timeout, DURATION, "timeout", "30s", "HTTP request timeout"),
	NBPY_SETTINGS_END
};

struct typedb_store {
	const char *url, *database, *user, *password;
	struct sink_http http;
	char *token;
	bool db_ready;
	bool defined[NBPY_SCHEMA_END];
	struct nbpy_buf q;		/* the batch's TypeQL */
	long status;			/* of the last request */
};

/* One request; body NULL for GET.  The HTTP status, 0 with the error set
 * when there is no answer.  The answer is in st->http.answer. */
static long request(struct sink *s, const char *path, struct json_object *body, bool auth)
{
	struct typedb_store *st = s->store_state;
	CURL *h = st->http.h;
	struct curl_slist *headers = NULL, *l;
	char url[1024], bearer[4200];
	const char *text = body ? json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN) : NULL;

	st->status = 0;
	(void)snprintf(url, sizeof(url), "%s%s", st->url, path);
	l = curl_slist_append(headers, "Content-Type: application/json");
	if (l != NULL && auth && st->token != NULL) {
		headers = l;
		(void)snprintf(bearer, sizeof(bearer), "Authorization: Bearer %s", st->token);
		l = curl_slist_append(headers, bearer);
	}
	if (l == NULL) {
		curl_slist_free_all(headers);
		sink_set_error(s, "out of memory");
		return 0;
	}
	headers = l;
	if (curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers) != CURLE_OK ||
	    (text ? curl_easy_setopt(h, CURLOPT_POSTFIELDS, text)
		  : curl_easy_setopt(h, CURLOPT_HTTPGET, 1L)) != CURLE_OK) {
		curl_slist_free_all(headers);
		sink_set_error(s, "libcurl refused an option");
		return 0;
	}
	st->status = sink_http_perform(s, &st->http, url);
	curl_slist_free_all(headers);
	if (st->status != 0 && st->status / 100 != 2) {
		char why[sizeof(s->error)];

		typedb_answer_error(st->http.answer, why, sizeof(why));
		sink_set_error(s, "%s%s: HTTP %ld %s", st->url, path, st->status, why);
	}
	return st->status;
}

static long sign_in(struct sink *s)
{
	struct typedb_store *st = s->store_state;
	struct json_object *b = json_object_new_object();
	char *token;
	long status;

	if (b == NULL)
		return 0;
	json_object_object_add(b, "username", json_object_new_string(st->user));
	json_object_object_add(b, "password", json_object_new_string(st->password ? st->password : ""));
	status = request(s, "/v1/signin", b, false);
	json_object_put(b);
	if (status / 100 != 2)
		return status;
	if ((token = typedb_answer_token(st->http.answer)) == NULL) {
		sink_set_error(s, "%s/v1/signin: no usable token in the answer", st->url);
		return 502;	/* a broken answer: retry later */
	}
	free(st->token);
	st->token = token;
	return 200;
}

/* A protected request, signing in first or again after a 401. */
static long call(struct sink *s, const char *path, struct json_object *body)
{
	struct typedb_store *st = s->store_state;
	long status;

	if (st->token == NULL && (status = sign_in(s)) / 100 != 2)
		return status;
	status = request(s, path, body, true);
	if (status == 401) {
		free(st->token);
		st->token = NULL;
		if ((status = sign_in(s)) / 100 != 2)
			return status;
		status = request(s, path, body, true);
	}
	return status;
}

/* ---- TypeQL (typeql.c) ---- */

static bool define(struct sink *s, const struct sql_table *t, enum nbpy_schema schema)
{
	struct typedb_store *st = s->store_state;
	struct nbpy_buf q = NBPY_BUF_INIT;
	struct json_object *b;
	long status;

	if (st->defined[schema])
		return true;
	typeql_define(&q, t);
	if (q.failed || (b = json_object_new_object()) == NULL) {
		nbpy_buf_free(&q);
		sink_set_error(s, "out of memory");
		return false;
	}
	json_object_object_add(b, "databaseName", json_object_new_string(st->database));
	json_object_object_add(b, "transactionType", json_object_new_string("schema"));
	json_object_object_add(b, "query", json_object_new_string(q.data));
	json_object_object_add(b, "commit", json_object_new_boolean(1));
	status = call(s, "/v1/query", b);
	json_object_put(b);
	nbpy_buf_free(&q);
	st->defined[schema] = status / 100 == 2;
	if (st->defined[schema])
		log_info("defined entity %s in %s", sql_table_name(t), st->database);
	return st->defined[schema];
}

static long ensure_database(struct sink *s)
{
	struct typedb_store *st = s->store_state;
	char *esc, path[512];
	long status;

	if (st->db_ready)
		return 200;
	if ((esc = curl_easy_escape(st->http.h, st->database, 0)) == NULL)
		return 0;
	(void)snprintf(path, sizeof(path), "/v1/databases/%s", esc);
	curl_free(esc);
	status = call(s, path, NULL);
	if (status == 404) {
		struct json_object *empty = json_object_new_object();

		status = call(s, path, empty);
		json_object_put(empty);
		if (status / 100 == 2)
			log_notice("created database %s", st->database);
	}
	st->db_ready = status / 100 == 2;
	return status;
}

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
		if (!define(s, t, m->h.schema))
			return false;
		*rows += typeql_put(&st->q, t, m, *rows);
	}
	if (st->q.failed)
		sink_set_error(s, "out of memory");
	return !st->q.failed;
}

/* A put stage that matches an entity already there does not say so: no
 * duplicates counted here (docs/sinks.md). */
static enum sink_result typedb_write(struct sink *s, const struct sink_batch *b, size_t *duplicates)
{
	struct typedb_store *st = s->store_state;
	struct json_object *o;
	char path[256], id[129];
	size_t rows;
	long status;
	enum sink_result rc = SINK_RETRY;

	(void)duplicates;
	if ((status = ensure_database(s)) / 100 != 2)
		return sink_http_result(status);
	if (!build_query(s, b, &rows))
		return st->status / 100 == 2 ? SINK_RETRY : sink_http_result(st->status);
	if (rows == 0)
		return SINK_OK;
	if ((o = json_object_new_object()) == NULL)
		return SINK_RETRY;
	json_object_object_add(o, "databaseName", json_object_new_string(st->database));
	json_object_object_add(o, "transactionType", json_object_new_string("write"));
	status = call(s, "/v1/transactions/open", o);
	json_object_put(o);
	if (status / 100 != 2)
		return sink_http_result(status);
	if (!typedb_answer_transaction(st->http.answer, id, sizeof(id))) {
		sink_set_error(s, "%s/v1/transactions/open: no usable transactionId in the answer", st->url);
		return SINK_RETRY;
	}
	(void)snprintf(path, sizeof(path), "/v1/transactions/%s/query", id);
	if ((o = json_object_new_object()) == NULL)
		goto close;
	json_object_object_add(o, "query", json_object_new_string(st->q.data));
	status = call(s, path, o);
	json_object_put(o);
	if (status / 100 != 2) {
		rc = sink_http_result(status);
		goto close;
	}
	(void)snprintf(path, sizeof(path), "/v1/transactions/%s/commit", id);
	if ((o = json_object_new_object()) == NULL)
		goto close;
	status = call(s, path, o);
	json_object_put(o);
	if (status / 100 == 2)
		return SINK_OK;
	rc = sink_http_result(status);
close:
	/* best effort: the server drops it on timeout anyway */
	(void)snprintf(path, sizeof(path), "/v1/transactions/%s/close", id);
	{
		char keep[sizeof(s->error)];
		struct json_object *empty = json_object_new_object();

		memcpy(keep, s->error, sizeof(keep));
		(void)call(s, path, empty);
		json_object_put(empty);
		memcpy(s->error, keep, sizeof(keep));
	}
	return rc;
}

static int typedb_open(struct sink *s)
{
	const struct typedb_settings *set = s->w->settings;
	struct typedb_store *st = calloc(1, sizeof(*st));

	if (st == NULL)
		return -1;
	s->store_state = st;
	st->url = set->url;
	st->database = set->database;
	st->user = set->username;
	st->password = set->password;
	return sink_http_open(&st->http, set->timeout / 1000000, ANSWER_MAX);
}

static void typedb_close(struct sink *s)
{
	struct typedb_store *st = s->store_state;

	if (st == NULL)
		return;
	sink_http_close(&st->http);
	free(st->token);
	nbpy_buf_free(&st->q);
	free(st);
}

static const struct sink_store typedb_store = {
	.open = typedb_open, .write = typedb_write, .close = typedb_close,
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
