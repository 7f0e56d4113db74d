/* sink_sqlite.c - kind sink.sqlite, the embedded default store: the tables of
 * sql_table.h in one SQLite file, WAL mode, one transaction per batch, and
 * INSERT OR IGNORE on the unique key so a batch written twice is stored
 * once (the rows ignored are counted as duplicates).  Tables are created on
 * first use.
 *
 * The one store that writes synchronously (sink_write_done from inside
 * write): it is a local file, a batch takes milliseconds, and the only wait
 * is another writer's lock, bounded by busy_timeout (5 s by default, set it
 * below the watchdog interval if another program holds long write
 * transactions).  A thread would add more than it saves. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fs.h"
#include "workers/kinds.h"
#include "common/log.h"
#include "workers/sink/sink.h"
#include "workers/sink/sql_table.h"
#include "workers/sink/sqlite_rows.h"

struct sqlite_settings {
	struct sink_settings sink;
	const char *path;
	int64_t busy_timeout;	/* ns */
};
_Static_assert(offsetof(struct sqlite_settings, sink) == 0, "sink.c reads the sink keys first");

static const struct nbpy_key_spec sqlite_keys[] = {
	SINK_KEYS(struct sqlite_settings),
	NBPY_SETTING(struct sqlite_settings, path, STRING, "path", NULL,
		     "database file; default STATE_DIR/nbpy.sqlite"),
	NBPY_SETTING(struct sqlite_settings, busy_timeout, DURATION, "busy_timeout", "5s",
		     "wait this long for another writer's lock"),
	NBPY_SETTINGS_END
};

struct sqlite_store {
	struct nbpy_error err;		/* of the write, for sink_write_done */
	char path[PATH_MAX];
	int64_t busy_ms;
	sqlite3 *db;
	sqlite3_stmt *insert[NBPY_SCHEMA_END];	/* prepared on first use */
};

static void close_db(struct sqlite_store *st)
{
	for (size_t i = 0; i < NBPY_SCHEMA_END; i++) {
		(void)sqlite3_finalize(st->insert[i]);
		st->insert[i] = NULL;
	}
	if (st->db != NULL && sqlite3_close(st->db) != SQLITE_OK)
		log_warning("%s: close: %s", st->path, sqlite3_errmsg(st->db));
	st->db = NULL;
}

/* Transient: worth the same batch again later.  The rest means the data
 * itself is refused. */
static enum nbpy_error_class classify(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_CONSTRAINT:
	case SQLITE_MISMATCH:
	case SQLITE_TOOBIG:
	case SQLITE_RANGE:
		return NBPY_ERR_REFUSED;
	default:
		return NBPY_ERR_TRANSIENT;
	}
}

static int exec(struct sink *s, const char *sql)
{
	struct sqlite_store *st = s->store_state;
	char *msg = NULL;
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		(void)nbpy_error_set(&st->err, "%s: %s", st->path, msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
	}
	return rc;
}

/* Switching to WAL takes the exclusive lock.  While another connection
 * holds the reserved lock (a writer of a file still in rollback mode, or
 * another sink switching the same new file at the same moment) SQLite
 * answers SQLITE_BUSY at once, without the busy handler, to avoid a
 * deadlock; so this tries again itself, within busy_timeout. */
static int set_wal(struct sink *s)
{
	struct sqlite_store *st = s->store_state;
	int rc;

	for (int64_t waited = 0;; waited += 10) {
		rc = exec(s, "PRAGMA journal_mode=WAL");
		if ((rc & 0xff) != SQLITE_BUSY || waited >= st->busy_ms)
			return rc;
		(void)sqlite3_sleep(10);	/* ms */
	}
}

static int connect_db(struct sink *s)
{
	struct sqlite_store *st = s->store_state;
	int rc;

	if (st->db != NULL)
		return SQLITE_OK;
	rc = sqlite3_open_v2(st->path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		(void)nbpy_error_set(&st->err, "%s: %s", st->path,
				     st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		close_db(st);
		return rc;
	}
	(void)sqlite3_busy_timeout(st->db, (int)st->busy_ms);
	/* WAL: readers (sqlite3 on the command line) never block the sink.
	 * synchronous=NORMAL: a power cut may lose the last transactions, which
	 * the publisher's replay or the spool cannot tell apart from any other
	 * loss; a crash of the worker loses nothing committed. */
	if ((rc = set_wal(s)) != SQLITE_OK ||
	    (rc = exec(s, "PRAGMA synchronous=NORMAL")) != SQLITE_OK) {
		close_db(st);
		return rc;
	}
	return SQLITE_OK;
}

static sqlite3_stmt *insert_for(struct sink *s, const struct sql_table *t, enum nbpy_schema schema, int *rc)
{
	struct sqlite_store *st = s->store_state;

	if (st->insert[schema] != NULL)
		return st->insert[schema];
	*rc = sqlite_rows_prepare(st->db, t, "INSERT OR IGNORE", &st->insert[schema]);
	if (*rc != SQLITE_OK) {
		(void)nbpy_error_set(&st->err, "%s: %s", st->path, sqlite3_errmsg(st->db));
		return NULL;
	}
	return st->insert[schema];
}

static void sqlite_write(struct sink *s, const struct sink_batch *b)
{
	struct sqlite_store *st = s->store_state;
	struct sql_value v[SQL_MAX_COLUMNS];
	struct nbpy_msg *m = s->msg;
	size_t pos = 0, rows, added, dup = 0;
	int rc;

	if ((rc = connect_db(s)) != SQLITE_OK || (rc = exec(s, "BEGIN IMMEDIATE")) != SQLITE_OK)
		goto fail;
	while (sink_batch_next(b, &pos, m) == 1) {
		const struct sql_table *t = sql_table_for(m->h.schema);
		sqlite3_stmt *ins;

		if (t == NULL)
			continue;	/* every decodable schema has a table */
		if ((ins = insert_for(s, t, m->h.schema, &rc)) == NULL)
			goto rollback;
		rows = sql_table_rows(t, m);
		added = 0;
		for (size_t r = 0; r < rows; r++) {
			int one = 0;

			sql_table_row(t, m, r, v);
			if ((rc = sqlite_rows_insert(ins, v, sql_table_columns(t), &one)) != SQLITE_OK) {
				(void)nbpy_error_set(&st->err, "%s: insert into %s: %s", st->path,
						     sql_table_name(t), sqlite3_errmsg(st->db));
				goto rollback;
			}
			added += (size_t)one;
		}
		if (rows > 0 && added == 0)
			dup++;	/* every row of it was there already */
	}
	if ((rc = exec(s, "COMMIT")) != SQLITE_OK)
		goto rollback;
	sink_write_done(s, NULL, dup);
	return;
rollback:
	(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
fail:
	st->err.cls = classify(rc);
	if (st->err.cls == NBPY_ERR_TRANSIENT)
		close_db(st);	/* start clean next time */
	sink_write_done(s, &st->err, 0);
}

/* Never in flight: write finishes before it returns. */
static void sqlite_cancel(struct sink *s)
{
	(void)s;
}

/* The kind's settings; -1 (w->error) if the path does not fit. */
static int read_keys(struct sink *s, struct sqlite_store *st)
{
	const struct sqlite_settings *set = s->w->settings;

	st->busy_ms = set->busy_timeout / 1000000;
	if (snprintf(st->path, sizeof(st->path), "%s", set->path ? set->path : "") >= (int)sizeof(st->path) ||
	    (set->path == NULL &&
	     snprintf(st->path, sizeof(st->path), "%s/nbpy.sqlite",
		      nbpy_config_global(s->w->config, "state_dir")->text) >= (int)sizeof(st->path)))
		return worker_config_error(s->w, &set->path, "path: too long");
	return 0;
}

/* Errors at the start that no retry mends: the path or the file is wrong
 * (a configuration error, not restarted).  The rest may pass. */
static bool open_refused(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
	case SQLITE_READONLY:
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
	case SQLITE_AUTH:
		return true;
	default:
		return false;
	}
}

static int sqlite_open(struct sink *s)
{
	struct sqlite_store *st = calloc(1, sizeof(*st));
	int rc;

	if (st == NULL)
		return nbpy_error_set(&s->w->error, "out of memory");
	s->store_state = st;
	if (read_keys(s, st) < 0)
		return -1;
	if (nbpy_mkdir_parent(st->path, 0750) < 0)
		return nbpy_error_class_set(&s->w->error, NBPY_ERR_CONFIG, "directory of %s: %s", st->path,
					    strerror(errno));
	if ((rc = connect_db(s)) == SQLITE_OK)
		return 0;
	if (open_refused(rc))
		return nbpy_error_class_set(&s->w->error, NBPY_ERR_CONFIG, "%s", st->err.msg);
	/* another writer's lock, a full disk: the first write tries again */
	log_warning("%s; trying again at the first write", st->err.msg);
	return 0;
}

static void sqlite_close(struct sink *s)
{
	struct sqlite_store *st = s->store_state;

	if (st == NULL)
		return;
	close_db(st);
	free(st);
}

static const struct sink_store sqlite_store = {
	.open = sqlite_open, .write = sqlite_write, .cancel = sqlite_cancel, .close = sqlite_close,
	.counts_duplicates = true,
};

const struct nbpy_kind_spec sink_sqlite_kind = {
	.name = "sink.sqlite",
	.doc = "store subscribed messages in SQLite tables (the embedded default)",
	.flags = SINK_FLAGS,
	.schema = NBPY_SCHEMA_NONE,
	.keys = sqlite_keys,
	.settings_size = sizeof(struct sqlite_settings),
	.state_size = sizeof(struct sink),
	.ops = SINK_OPS(&sqlite_store),
};
