/* sink_pgsql.c - kind sink.pgsql: the tables of sql_table.h in PostgreSQL
 * through libpq, one persistent connection, one transaction and one COPY per
 * table per batch.
 *
 * COPY has no ON CONFLICT, so a batch goes in two ways.  First straight into
 * the table: the fast path, all or nothing.  If that hits the unique key
 * (the batch, or part of it, was stored before a crash or an outage), the
 * transaction is rolled back and the batch is copied into a temporary
 * staging table and moved with INSERT ... ON CONFLICT DO NOTHING, which
 * says which messages were new: the others are counted as duplicates.
 * Tables are created on first use, as TimescaleDB hypertables when that
 * extension is installed.
 *
 * The loop never waits for PostgreSQL: a batch is written by a thread of
 * its own, one at a time, with libpq's ordinary calls on the one
 * connection (used by one thread at a time, as libpq allows), and the
 * thread's end is an eventfd the loop watches.  That keeps the two-way
 * write above as the plain sequence it is; libpq's non-blocking interface
 * would turn each of its dozen round trips into a state of a machine.
 * The thread touches only this store's state and the batch in flight,
 * which the sink leaves alone until sink_write_done. */
#include <errno.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workers/kinds.h"
#include "common/log.h"
#include "workers/sink/sink.h"
#include "workers/sink/sql_table.h"

#define COPY_CHUNK 65536

struct pgsql_settings {
	struct sink_settings sink;
	const char *conninfo;	/* may hold a password: never logged */
	bool timescaledb;
};
_Static_assert(offsetof(struct pgsql_settings, sink) == 0, "sink.c reads the sink keys first");

static const struct nbpy_key_spec pgsql_keys[] = {
	SINK_KEYS(struct pgsql_settings),
	NBPY_SETTING_REQUIRED(struct pgsql_settings, conninfo, STRING, "conninfo",
			      "libpq connection string (\"host=... dbname=... user=...\"); "
			      "passwords via ${VAR} or ~/.pgpass"),
	NBPY_SETTING(struct pgsql_settings, timescaledb, BOOL, "timescaledb", "yes",
		     "make new tables hypertables if TimescaleDB is installed"),
	NBPY_SETTINGS_END
};

struct pg_store {
	char *conninfo;			/* copies: a thread left behind at exit */
	char app_name[NBPY_SERVICE_MAX + 1];	/* outlives the configuration */
	bool timescale_wanted;
	PGconn *conn;
	bool ready[NBPY_SCHEMA_END];	/* table (and staging table) exist */
	int timescale;			/* -1 unknown, 0 no, 1 extension installed */
	struct nbpy_buf copy;		/* COPY data of one table */
	/* the write in flight: its own copy of the batch; the results set by
	 * the thread, read after it ends */
	struct sink_batch batch;
	struct nbpy_msg msg;
	bool ok, busy, abandoned;
	size_t duplicates;
	struct nbpy_error err;
	pthread_t thread;
	int done_fd;			/* eventfd: the thread has ended */
};

/* ---- COPY binary format ----
 * Values travel as the server stores them: no float printing or parsing on
 * either side, which is most of the cost of text COPY.  The tables' types
 * (sql_table.h) are what the format assumes: text, float8, int8 and
 * timestamptz (microseconds since 2000-01-01 UTC). */

#define PG_EPOCH_US 946684800000000LL	/* 2000-01-01 in Unix microseconds */

static int grow(struct pg_store *st, size_t need)
{
	return nbpy_buf_reserve(&st->copy, need);
}

/* Room made by grow() before. */
static void put_be(struct pg_store *st, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--)
		st->copy.data[st->copy.len++] = (char)(v >> (8 * i));
	st->copy.data[st->copy.len] = '\0';
}

static int put_header(struct pg_store *st)
{
	static const char sig[11] = "PGCOPY\n\377\r\n";

	if (grow(st, 19) < 0)
		return -1;
	(void)nbpy_buf_append(&st->copy, sig, 11);
	put_be(st, 0, 4);	/* flags */
	put_be(st, 0, 4);	/* header extension */
	return 0;
}

static int put_row(struct pg_store *st, const struct sql_value *v, size_t n)
{
	if (grow(st, 2 + n * 12) < 0)
		return -1;
	put_be(st, n, 2);
	for (size_t i = 0; i < n; i++) {
		uint64_t u;
		int64_t us;
		size_t len;

		if (v[i].null) {	/* COPY BINARY: a field of length -1 */
			put_be(st, 0xffffffffu, 4);
			continue;
		}
		switch (v[i].type) {
		case SQL_TEXT:
			len = strlen(v[i].s);
			if (grow(st, 4 + len) < 0)
				return -1;
			put_be(st, len, 4);
			(void)nbpy_buf_append(&st->copy, v[i].s, len);
			break;
		case SQL_FLOAT:
			memcpy(&u, &v[i].f, 8);
			put_be(st, 8, 4);
			put_be(st, u, 8);
			break;
		case SQL_INT:
			put_be(st, 8, 4);
			put_be(st, (uint64_t)v[i].i, 8);
			break;
		case SQL_TIME:
			us = v[i].i / 1000 - (v[i].i % 1000 < 0);	/* floor */
			put_be(st, 8, 4);
			put_be(st, (uint64_t)(us - PG_EPOCH_US), 8);
			break;
		}
	}
	return 0;
}

/* ---- errors ---- */

/* SQLSTATE classes that may pass: connection, resources, operator action,
 * system errors, serialization.  Anything else is about the data. */
static enum nbpy_error_class classify(struct pg_store *st, const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	if (PQstatus(st->conn) != CONNECTION_OK || state == NULL)
		return NBPY_ERR_TRANSIENT;
	if (strncmp(state, "08", 2) == 0 || strncmp(state, "53", 2) == 0 || strncmp(state, "57", 2) == 0 ||
	    strncmp(state, "58", 2) == 0 || strncmp(state, "40", 2) == 0)
		return NBPY_ERR_TRANSIENT;
	return NBPY_ERR_REFUSED;
}

/* The error of the write: libpq's message as one line, with a class. */
static void set_error(struct pg_store *st, enum nbpy_error_class cls, const char *msg)
{
	(void)nbpy_error_class_set(&st->err, cls, "%s", msg);
	st->err.msg[strcspn(st->err.msg, "\n")] = '\0';
}

static void disconnect(struct pg_store *st)
{
	PQfinish(st->conn);
	st->conn = NULL;
	memset(st->ready, 0, sizeof(st->ready));
	st->timescale = -1;
}

/* Keep the error of a failed result (freed here); always false. */
static bool failed(struct pg_store *st, PGresult *res, bool *conflict)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	set_error(st, classify(st, res), PQerrorMessage(st->conn));
	if (conflict)
		*conflict = state != NULL && strcmp(state, "23505") == 0;
	PQclear(res);
	return false;
}

/* Run sql, a query answering one number, into *n; false with the error kept. */
static bool run_count(struct pg_store *st, const char *sql, size_t *n)
{
	PGresult *res = PQexec(st->conn, sql);
	char *end;

	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return failed(st, res, NULL);
	if (PQntuples(res) != 1 || PQnfields(res) != 1) {
		(void)nbpy_error_set(&st->err, "%d rows of %d columns where one number was expected",
				     PQntuples(res), PQnfields(res));
		PQclear(res);
		return false;
	}
	*n = (size_t)strtoull(PQgetvalue(res, 0, 0), &end, 10);
	if (end == PQgetvalue(res, 0, 0) || *end != '\0') {
		(void)nbpy_error_set(&st->err, "'%s' where a number was expected", PQgetvalue(res, 0, 0));
		PQclear(res);
		return false;
	}
	PQclear(res);
	return true;
}

/* Run sql; false with the error kept. */
static bool run(struct pg_store *st, const char *sql, bool *conflict)
{
	PGresult *res = PQexec(st->conn, sql);
	ExecStatusType status = PQresultStatus(res);

	if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
		PQclear(res);
		return true;
	}
	return failed(st, res, conflict);
}

static void ignore_notice(void *arg, const char *message)
{
	(void)arg;
	log_debug("server: %s", message);
}

static bool connect_db(struct pg_store *st)
{
	/* Defaults first: what conninfo says wins. */
	const char *keys[] = { "connect_timeout", "application_name", "keepalives", "keepalives_idle",
			       "dbname", NULL };
	const char *vals[] = { "5", st->app_name, "1", "30", st->conninfo, NULL };

	if (st->conn != NULL && PQstatus(st->conn) == CONNECTION_OK)
		return true;
	disconnect(st);
	st->conn = PQconnectdbParams(keys, vals, 1);
	if (st->conn == NULL || PQstatus(st->conn) != CONNECTION_OK) {
		set_error(st, NBPY_ERR_TRANSIENT, st->conn ? PQerrorMessage(st->conn) : "out of memory");
		disconnect(st);
		return false;
	}
	/* "relation already exists, skipping" and the like: not news */
	(void)PQsetNoticeProcessor(st->conn, ignore_notice, NULL);
	return true;
}

/* CREATE TABLE on first use (and a hypertable with TimescaleDB), plus the
 * session's staging table for the conflict path. */
static bool prepare_table(struct pg_store *st, const struct sql_table *t, enum nbpy_schema schema)
{
	char sql[4096];
	const char *name = sql_table_name(t);

	if (st->ready[schema])
		return true;
	if (sql_table_ddl(t, SQL_POSTGRESQL, sql, sizeof(sql)) < 0 || !run(st, sql, NULL))
		return false;
	if (st->timescale < 0) {
		PGresult *res = PQexec(st->conn, "SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'");

		st->timescale = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
		PQclear(res);
	}
	if (st->timescale && st->timescale_wanted) {
		(void)snprintf(sql, sizeof(sql),
			       "SELECT create_hypertable('%s', 'event_time', if_not_exists => TRUE, "
			       "migrate_data => TRUE)", name);
		if (!run(st, sql, NULL))
			return false;
	}
	(void)snprintf(sql, sizeof(sql),
		       "CREATE TEMP TABLE IF NOT EXISTS nbpy_stage_%s (LIKE %s) ON COMMIT DELETE ROWS",
		       name, name);
	if (!run(st, sql, NULL))
		return false;
	st->ready[schema] = true;
	return true;
}

/* COPY the rows of one schema's messages in b into target; *msgs: how
 * many messages made rows. */
static bool copy_rows(struct pg_store *st, const struct sink_batch *b, enum nbpy_schema schema,
		      const struct sql_table *t, const char *target, struct nbpy_msg *m,
		      size_t *msgs, bool *conflict)
{
	struct sql_value v[SQL_MAX_COLUMNS];
	char sql[2048];
	size_t len, pos = 0;
	PGresult *res;
	bool ok;

	len = (size_t)snprintf(sql, sizeof(sql), "COPY %s (", target);
	for (size_t i = 0; i < sql_table_columns(t); i++)
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, "%s%s", i ? ", " : "",
					sql_table_column(t, i));
	(void)snprintf(sql + len, sizeof(sql) - len, ") FROM STDIN WITH (FORMAT binary)");
	res = PQexec(st->conn, sql);
	if (PQresultStatus(res) != PGRES_COPY_IN)
		return failed(st, res, conflict);
	PQclear(res);
	/* Rows go out in 64 KiB pieces as they are formatted, so the server
	 * parses one piece while the next is made. */
	nbpy_buf_reset(&st->copy);
	*msgs = 0;
	ok = put_header(st) == 0;
	while (ok && sink_batch_next(b, &pos, m) == 1) {
		if (m->h.schema != schema)
			continue;
		*msgs += sql_table_rows(t, m) > 0;
		for (size_t r = 0; ok && r < sql_table_rows(t, m); r++) {
			sql_table_row(t, m, r, v);
			if (put_row(st, v, sql_table_columns(t)) < 0) {
				(void)nbpy_error_set(&st->err, "out of memory");
				ok = false;
			}
		}
		if (ok && st->copy.len >= COPY_CHUNK) {
			ok = PQputCopyData(st->conn, st->copy.data, (int)st->copy.len) == 1;
			nbpy_buf_reset(&st->copy);
		}
	}
	if (ok && grow(st, 2) == 0) {
		put_be(st, 0xffff, 2);	/* trailer: -1 */
		ok = PQputCopyData(st->conn, st->copy.data, (int)st->copy.len) == 1;
	}
	if (PQputCopyEnd(st->conn, ok ? NULL : "client error") != 1)
		ok = false;
	res = PQgetResult(st->conn);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		ok = failed(st, res, conflict);
	else
		PQclear(res);
	while ((res = PQgetResult(st->conn)) != NULL)
		PQclear(res);
	return ok;
}

/* One transaction for the whole batch; staged = the conflict path, which
 * counts the messages that were in the table already in *duplicates. */
static bool write_once(struct pg_store *st, const struct sink_batch *b, bool staged, struct nbpy_msg *m,
		       size_t *duplicates, bool *conflict)
{
	bool seen[NBPY_SCHEMA_END] = { false };
	size_t pos = 0, msgs = 0, added = 0, dup = 0;

	*conflict = false;
	while (sink_batch_next(b, &pos, m) == 1)
		seen[m->h.schema] = sql_table_for(m->h.schema) != NULL;
	for (size_t i = 0; i < NBPY_SCHEMA_END; i++)
		if (seen[i] && !prepare_table(st, sql_table_for((enum nbpy_schema)i), (enum nbpy_schema)i))
			return false;
	if (!run(st, "BEGIN", NULL))
		return false;
	for (size_t i = 0; i < NBPY_SCHEMA_END; i++) {
		const struct sql_table *t = sql_table_for((enum nbpy_schema)i);
		char stage[128], sql[640];

		if (!seen[i])
			continue;
		(void)snprintf(stage, sizeof(stage), "nbpy_stage_%s", sql_table_name(t));
		if (!copy_rows(st, b, (enum nbpy_schema)i, t, staged ? stage : sql_table_name(t), m, &msgs,
			       conflict))
			goto rollback;
		if (!staged)
			continue;
		/* A message is new if any of its rows (order-book levels) is. */
		(void)snprintf(sql, sizeof(sql),
			       "WITH ins AS (INSERT INTO %s SELECT * FROM %s ON CONFLICT DO NOTHING "
			       "RETURNING %s) SELECT count(*) FROM (SELECT DISTINCT %s FROM ins) AS k",
			       sql_table_name(t), stage, sql_table_message_key(t), sql_table_message_key(t));
		if (!run_count(st, sql, &added))
			goto rollback;
		dup += msgs > added ? msgs - added : 0;
	}
	if (run(st, "COMMIT", NULL)) {
		*duplicates = dup;
		return true;
	}
rollback:
	if (PQstatus(st->conn) == CONNECTION_OK)
		PQclear(PQexec(st->conn, "ROLLBACK"));
	return false;
}

/* The thread: one batch, then word to the loop. */
static void *write_thread(void *arg)
{
	struct pg_store *st = arg;
	uint64_t one = 1;
	bool conflict;

	st->duplicates = 0;
	st->ok = connect_db(st) &&
		 (write_once(st, &st->batch, false, &st->msg, &st->duplicates, &conflict) ||
		  (conflict && write_once(st, &st->batch, true, &st->msg, &st->duplicates, &conflict)));
	if (!st->ok && st->err.cls == NBPY_ERR_TRANSIENT && st->conn != NULL &&
	    PQstatus(st->conn) != CONNECTION_OK)
		disconnect(st);
	/* an eventfd write fails only on overflow, after 2^64 - 1 of them */
	(void)write(st->done_fd, &one, sizeof(one));
	return NULL;
}

static void thread_ended(struct worker *w, int fd, unsigned events, void *arg)
{
	struct sink *s = arg;
	struct pg_store *st = s->store_state;
	uint64_t n;
	int rc;

	(void)w;
	(void)events;
	if (read(fd, &n, sizeof(n)) != (ssize_t)sizeof(n))
		return;	/* EAGAIN: not yet */
	if ((rc = pthread_join(st->thread, NULL)) != 0)
		log_warning("pthread_join: %s", strerror(rc));
	st->busy = false;
	if (st->abandoned) {
		st->abandoned = false;
		return;
	}
	sink_write_done(s, st->ok ? NULL : &st->err, st->duplicates);
}

static void pg_write(struct sink *s, const struct sink_batch *b)
{
	struct pg_store *st = s->store_state;
	int rc;

	/* The thread's own copy: a write left behind at exit uses nothing
	 * the sink frees. */
	nbpy_buf_reset(&st->batch.buf);
	st->batch.n = b->n;
	if (nbpy_buf_append(&st->batch.buf, b->buf.data, b->buf.len) < 0) {
		(void)nbpy_error_set(&st->err, "out of memory");
		sink_write_done(s, &st->err, 0);
		return;
	}
	(void)nbpy_error_set(&st->err, "no error");
	if ((rc = pthread_create(&st->thread, NULL, write_thread, st)) != 0) {
		(void)nbpy_error_set(&st->err, "cannot start a thread: %s", strerror(rc));
		sink_write_done(s, &st->err, 0);
		return;
	}
	st->busy = true;
}

static void pg_cancel(struct sink *s)
{
	struct pg_store *st = s->store_state;

	st->abandoned = true;
}

/* The kind's keys. */
static int read_keys(struct sink *s, struct pg_store *st)
{
	const struct pgsql_settings *set = s->w->settings;

	st->conninfo = strdup(set->conninfo);
	st->timescale_wanted = set->timescaledb;
	return st->conninfo ? 0 : nbpy_error_set(&s->w->error, "out of memory");
}

static int pg_open(struct sink *s)
{
	struct pg_store *st = calloc(1, sizeof(*st));

	if (st == NULL)
		return -1;
	s->store_state = st;
	st->timescale = -1;
	st->done_fd = -1;
	(void)snprintf(st->app_name, sizeof(st->app_name), "%s", s->w->svc->name);
	if (read_keys(s, st) < 0)
		return -1;
	if ((st->done_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0 ||
	    worker_watch_fd(s->w, st->done_fd, WORKER_READABLE, thread_ended, s) < 0) {
		return nbpy_error_set(&s->w->error, "eventfd: %s", strerror(errno));
	}
	return 0;
}

static void pg_close(struct sink *s)
{
	struct pg_store *st = s->store_state;

	if (st == NULL)
		return;
	if (st->busy) {
		/* A write given up at SIGTERM, still waiting for the server: the
		 * thread keeps this state (its own), the process ends next. */
		log_warning("a write to PostgreSQL is still waiting for the server; left behind");
		(void)pthread_detach(st->thread);
		return;
	}
	if (st->done_fd >= 0) {
		worker_unwatch_fd(s->w, st->done_fd);
		(void)close(st->done_fd);
	}
	disconnect(st);
	nbpy_buf_free(&st->copy);
	nbpy_buf_free(&st->batch.buf);
	free(st->conninfo);
	free(st);
}

static const struct sink_store pg_store = {
	.open = pg_open, .write = pg_write, .cancel = pg_cancel, .close = pg_close,
	.counts_duplicates = true,
};

const struct nbpy_kind_spec sink_pgsql_kind = {
	.name = "sink.pgsql",
	.doc = "store subscribed messages in PostgreSQL tables (COPY, idempotent)",
	.flags = SINK_FLAGS,
	.schema = NBPY_SCHEMA_NONE,
	.keys = pgsql_keys,
	.settings_size = sizeof(struct pgsql_settings),
	.state_size = sizeof(struct sink),
	.ops = SINK_OPS(&pg_store),
};
