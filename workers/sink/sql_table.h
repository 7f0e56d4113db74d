/* sql_table.h - one SQL table per message schema, shared by sink.pgsql and
 * sink.sqlite: names, columns, DDL and the row values of a message.
 *
 * Every table starts with the same four columns, source (the publishing
 * service), seq, event_time and recv_time, and has a unique key on
 * (source, seq, event_time) - plus (side, tier_id) for order-book levels,
 * one row per level, or the column a schema names with SQL_KEY (instrument,
 * for a service numbering one topic per instrument) - so writing a message
 * twice stores it once.  seq
 * restarts with the publisher; event_time tells the runs apart.  Column
 * names follow the original services' tables where they had one; they are
 * part of each schema's entry in common/schemas.def (docs/sinks.md lists
 * them). */
#ifndef NBPY_SINK_SQL_TABLE_H
#define NBPY_SINK_SQL_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/wire.h"

enum sql_type { SQL_TEXT, SQL_FLOAT, SQL_INT, SQL_TIME };

struct sql_value {
	enum sql_type type;
	const char *s;		/* TEXT (NUL-terminated) */
	char ch[2];		/* where s points for one-character columns */
	double f;		/* FLOAT */
	int64_t i;		/* INT; TIME: ns since the epoch */
	bool null;		/* SQL NULL (an undefined F64N value), whatever the type */
};

enum sql_dialect { SQL_POSTGRESQL, SQL_SQLITE };

#define SQL_MAX_COLUMNS 32

struct sql_table;

/* The table of a schema (every schema of common/schemas.def has one); NULL
 * for an id that is no schema. */
const struct sql_table *sql_table_for(enum nbpy_schema schema);
const char *sql_table_name(const struct sql_table *t);
size_t sql_table_columns(const struct sql_table *t);
const char *sql_table_column(const struct sql_table *t, size_t i);
enum sql_type sql_table_column_type(const struct sql_table *t, size_t i);
/* Whether the column may be NULL: an F64N field, NULL when undefined. */
bool sql_table_column_nullable(const struct sql_table *t, size_t i);

/* The value of a constant column (SQL_CONST in schemas.def), else NULL. */
const char *sql_table_column_constant(const struct sql_table *t, size_t i);

/* CREATE TABLE IF NOT EXISTS with the unique key, in the dialect. */
int sql_table_ddl(const struct sql_table *t, enum sql_dialect d, char *buf, size_t cap);

/* The unique key's columns, comma-separated ("source, seq, event_time"). */
const char *sql_table_key(const struct sql_table *t);
/* The columns telling one message from another: the key less an
 * order-book level's (side, tier_id). */
const char *sql_table_message_key(const struct sql_table *t);

/* How many rows m makes (1, or one per order-book level). */
size_t sql_table_rows(const struct sql_table *t, const struct nbpy_msg *m);

/* The values of row i of m, sql_table_columns() of them. */
void sql_table_row(const struct sql_table *t, const struct nbpy_msg *m, size_t i, struct sql_value *out);

/* A time as "2026-11-26T23:02:45.123456Z" (microseconds, as both stores
 * keep them); returns the length. */
size_t sql_time_format(int64_t ns, char *buf, size_t cap);

#endif
