/* sqlite_rows.c - see sqlite_rows.h. */
#include <sqlite3.h>
#include <stdio.h>

#include "common/timefmt.h"
#include "workers/sink/sqlite_rows.h"

int sqlite_rows_prepare(sqlite3 *db, const struct sql_table *t, const char *verb, sqlite3_stmt **ins)
{
	char sql[4096];
	size_t len;
	int rc;

	if (sql_table_ddl(t, SQL_SQLITE, sql, sizeof(sql)) < 0)
		return SQLITE_TOOBIG;
	if ((rc = sqlite3_exec(db, sql, NULL, NULL, NULL)) != SQLITE_OK)
		return rc;
	/* columns of <= 32 short names: well within sql */
	len = (size_t)snprintf(sql, sizeof(sql), "%s INTO %s (", verb, sql_table_name(t));
	for (size_t i = 0; i < sql_table_columns(t); i++)
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, "%s%s", i ? ", " : "",
					sql_table_column(t, i));
	len += (size_t)snprintf(sql + len, sizeof(sql) - len, ") VALUES (");
	for (size_t i = 0; i < sql_table_columns(t); i++)
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, "%s?", i ? ", " : "");
	(void)snprintf(sql + len, sizeof(sql) - len, ")");
	return sqlite3_prepare_v2(db, sql, -1, ins, NULL);
}

int sqlite_rows_insert(sqlite3_stmt *ins, const struct sql_value *v, size_t n, int *added)
{
	char tbuf[NBPY_RFC3339_MAX];
	int rc = SQLITE_OK;

	*added = 0;
	for (size_t i = 0; i < n && rc == SQLITE_OK; i++) {
		int col = (int)i + 1;

		if (v[i].null) {
			rc = sqlite3_bind_null(ins, col);
			continue;
		}
		switch (v[i].type) {
		case SQL_TEXT:
			rc = sqlite3_bind_text(ins, col, v[i].s, -1, SQLITE_TRANSIENT);
			break;
		case SQL_FLOAT:
			rc = sqlite3_bind_double(ins, col, v[i].f);
			break;
		case SQL_INT:
			rc = sqlite3_bind_int64(ins, col, v[i].i);
			break;
		case SQL_TIME:
			rc = sqlite3_bind_text(ins, col, tbuf, (int)sql_time_format(v[i].i, tbuf, sizeof(tbuf)),
					       SQLITE_TRANSIENT);
			break;
		}
	}
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(ins);
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
		*added = rc == SQLITE_OK ? sqlite3_changes(sqlite3_db_handle(ins)) : 0;
	}
	(void)sqlite3_reset(ins);
	return rc;
}
