/* sqlite_rows.h - the tables of sql_table.h in SQLite: the statement that
 * creates a table (if missing) and inserts its rows, and one row's values
 * bound and inserted.  Shared by sink.sqlite and nbpy-stats, so that a
 * backfill writes the very table the store writes. */
#ifndef NBPY_SINK_SQLITE_ROWS_H
#define NBPY_SINK_SQLITE_ROWS_H

#include <stddef.h>

#include "workers/sink/sql_table.h"

struct sqlite3;
struct sqlite3_stmt;

/* Creates t's table in db if missing (sql_table_ddl), then prepares
 * "VERB INTO table (columns) VALUES (?, ...)" into *ins; verb: "INSERT"
 * (a row already there is an error) or "INSERT OR IGNORE".  An SQLite
 * result code; not SQLITE_OK: sqlite3_errmsg(db) says why. */
int sqlite_rows_prepare(struct sqlite3 *db, const struct sql_table *t, const char *verb,
			struct sqlite3_stmt **ins);

/* Binds the n values of a row (sql_table_row) to ins and inserts it; *added
 * is 1 if the row is new, 0 if OR IGNORE left it out.  An SQLite result
 * code (SQLITE_OK when done); ins is reset either way. */
int sqlite_rows_insert(struct sqlite3_stmt *ins, const struct sql_value *v, size_t n, int *added);

#endif
