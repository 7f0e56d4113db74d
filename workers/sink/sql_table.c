/* sql_table.c - see sql_table.h.  The tables come from common/schemas.def:
 * each field's SQL column, a schema's constant column, and one row per
 * order-book level where the schema says SQL_LEVELS. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "workers/sink/sql_table.h"
#include "common/timefmt.h"

enum col_kind {
	C_STR, C_F64, C_F64N, C_I64, C_U64, C_CHAR, C_TIME, C_CONST,
	/* order-book rows: the level of the row */
	C_SIDE, C_TIER, C_PRICE, C_VOLUME, C_LEVEL_TIME,
};

struct sql_column {
	const char *name;
	enum col_kind kind;
	size_t offset;		/* in struct nbpy_msg; C_CONST: unused */
	const char *constant;
};

/* A book side whose levels become rows (a LEVELS field of schemas.def). */
struct sql_side {
	const char *name;	/* the side column's value; NULL ends the list */
	size_t count, levels;	/* offsets of the level count and the levels */
};

struct sql_table {
	enum nbpy_schema schema;
	const char *name;
	const struct sql_column *cols;
	size_t n_cols;
	const struct sql_side *sides;
	bool levels;		/* one row per order-book level */
	const char *key;	/* NULL: KEY */
};

/* Every table's unique key starts with these. */
#define KEY "source, seq, event_time"

#define AT(member) offsetof(struct nbpy_msg, member)
#define COL(name, kind, member) { name, kind, AT(member), NULL },
#define HEADER \
	COL("source", C_STR, h.service) \
	COL("seq", C_U64, h.seq) \
	COL("event_time", C_TIME, h.event_ns) \
	COL("recv_time", C_TIME, h.recv_ns)
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* <name>_cols: the columns of each schema's table. */
#define SQL_COL_STR(m, f, col) COL(col, C_STR, u.m.f)
#define SQL_COL_F64(m, f, col) COL(col, C_F64, u.m.f)
#define SQL_COL_F64N(m, f, col) COL(col, C_F64N, u.m.f)
#define SQL_COL_I64(m, f, col) COL(col, C_I64, u.m.f)
#define SQL_COL_CHR(m, f, col) COL(col, C_CHAR, u.m.f)
#define SQL_COL_LEVELS(m, f, col)
#define SCHEMA(id, ENUM, name, member, ctype, legacy_topic, title, sql_table, measurement, derive) \
	static const struct sql_column name##_cols[] = { HEADER
#define SQL_CONST(column, value) { column, C_CONST, 0, value },
#define FIELD(m, f, TYPE, size, name, WHERE, doc, sql_column) SQL_COL_##TYPE(m, f, sql_column)
#define SQL_LEVELS \
	COL("side", C_SIDE, u) COL("tier_id", C_TIER, u) COL("price", C_PRICE, u) \
	COL("volume", C_VOLUME, u) COL("level_time", C_LEVEL_TIME, u)
#define END_SCHEMA };
#include "common/schemas.def"

/* <name>_sides: the book sides of each schema, in row order. */
#define SQL_SIDE_STR(m, f, col)
#define SQL_SIDE_F64(m, f, col)
#define SQL_SIDE_F64N(m, f, col)
#define SQL_SIDE_I64(m, f, col)
#define SQL_SIDE_CHR(m, f, col)
#define SQL_SIDE_LEVELS(m, f, col) { col, AT(u.m.n_##f), AT(u.m.f) },
#define SCHEMA(id, ENUM, name, member, ctype, legacy_topic, title, sql_table, measurement, derive) \
	static const struct sql_side name##_sides[] = {
#define FIELD(m, f, TYPE, size, name, WHERE, doc, sql_column) SQL_SIDE_##TYPE(m, f, sql_column)
#define END_SCHEMA { NULL, 0, 0 } };
#include "common/schemas.def"

#define SCHEMA(id, ENUM, sname, member, ctype, legacy_topic, title, table, measurement, derive) \
	[id] = { .schema = NBPY_SCHEMA_##ENUM, .name = table, .cols = sname##_cols, \
		 .n_cols = N(sname##_cols), .sides = sname##_sides,
#define SQL_LEVELS .levels = true, .key = KEY ", side, tier_id",
#define SQL_KEY(column) .key = KEY ", " column,
#define END_SCHEMA },
static const struct sql_table tables[NBPY_SCHEMA_END] = {
#include "common/schemas.def"
};

#define SCHEMA(id, ENUM, name, member, ctype, legacy_topic, title, sql_table, measurement, derive) \
	_Static_assert(N(name##_cols) <= SQL_MAX_COLUMNS, #name ": more than SQL_MAX_COLUMNS columns"); \
	_Static_assert(0
#define SQL_LEVELS + 1
#define SQL_KEY(column) + 1
#define END_SCHEMA <= 1, "a schema with both SQL_LEVELS and SQL_KEY, or two SQL_KEY");
#include "common/schemas.def"

static enum sql_type col_type(enum col_kind k)
{
	switch (k) {
	case C_F64: case C_F64N: case C_PRICE: case C_VOLUME:
		return SQL_FLOAT;
	case C_I64: case C_U64: case C_TIER:
		return SQL_INT;
	case C_TIME: case C_LEVEL_TIME:
		return SQL_TIME;
	default:
		return SQL_TEXT;
	}
}

const struct sql_table *sql_table_for(enum nbpy_schema schema)
{
	if ((unsigned)schema >= NBPY_SCHEMA_END || tables[schema].name == NULL)
		return NULL;
	return &tables[schema];
}

const char *sql_table_name(const struct sql_table *t)
{
	return t->name;
}

size_t sql_table_columns(const struct sql_table *t)
{
	return t->n_cols;
}

const char *sql_table_column(const struct sql_table *t, size_t i)
{
	return t->cols[i].name;
}

enum sql_type sql_table_column_type(const struct sql_table *t, size_t i)
{
	return col_type(t->cols[i].kind);
}

bool sql_table_column_nullable(const struct sql_table *t, size_t i)
{
	return t->cols[i].kind == C_F64N;
}

const char *sql_table_column_constant(const struct sql_table *t, size_t i)
{
	return t->cols[i].kind == C_CONST ? t->cols[i].constant : NULL;
}

const char *sql_table_key(const struct sql_table *t)
{
	return t->key != NULL ? t->key : KEY;
}

const char *sql_table_message_key(const struct sql_table *t)
{
	return t->levels ? KEY : sql_table_key(t);
}

int sql_table_ddl(const struct sql_table *t, enum sql_dialect d, char *buf, size_t cap)
{
	static const char *const pg[] = { "text", "double precision", "bigint", "timestamptz" };
	/* SQLite: times as RFC 3339 text, which sorts and compares as time */
	static const char *const lite[] = { "TEXT", "REAL", "INTEGER", "TEXT" };
	const char *const *types = d == SQL_POSTGRESQL ? pg : lite;
	size_t len = 0;
	int n = snprintf(buf, cap, "CREATE TABLE IF NOT EXISTS %s (", t->name);

	if (n < 0 || (size_t)n >= cap)
		return -1;
	len = (size_t)n;
	for (size_t i = 0; i < t->n_cols; i++) {
		n = snprintf(buf + len, cap - len, "%s %s%s, ", t->cols[i].name,
			     types[col_type(t->cols[i].kind)],
			     sql_table_column_nullable(t, i) ? "" : " NOT NULL");
		if (n < 0 || (size_t)n >= cap - len)
			return -1;
		len += (size_t)n;
	}
	n = snprintf(buf + len, cap - len, "UNIQUE (%s))", sql_table_key(t));
	return n < 0 || (size_t)n >= cap - len ? -1 : 0;
}

size_t sql_table_rows(const struct sql_table *t, const struct nbpy_msg *m)
{
	size_t rows = 0;

	if (!t->levels)
		return 1;
	for (const struct sql_side *sd = t->sides; sd->name != NULL; sd++)
		rows += *(const uint32_t *)((const char *)m + sd->count);
	return rows;
}

void sql_table_row(const struct sql_table *t, const struct nbpy_msg *m, size_t row, struct sql_value *out)
{
	const struct sql_side *sd = t->sides;
	const struct nbpy_book_level *lv = NULL;
	size_t tier = row;

	/* the row's side and tier: the sides' levels one after the other */
	if (t->levels) {
		for (; sd->name != NULL; sd++) {
			size_t n = *(const uint32_t *)((const char *)m + sd->count);

			if (tier < n)
				break;
			tier -= n;
		}
		if (sd->name != NULL)
			lv = (const struct nbpy_book_level *)((const char *)m + sd->levels) + tier;
	}
	for (size_t i = 0; i < t->n_cols; i++) {
		const struct sql_column *c = &t->cols[i];
		const char *p = (const char *)m + c->offset;
		struct sql_value *v = &out[i];

		v->type = col_type(c->kind);
		v->null = false;
		switch (c->kind) {
		case C_STR:
			v->s = p;
			break;
		case C_CHAR:
			v->ch[0] = *p;
			v->ch[1] = '\0';
			v->s = v->ch;
			break;
		case C_CONST:
			v->s = c->constant;
			break;
		case C_F64:
			memcpy(&v->f, p, sizeof(v->f));
			break;
		case C_F64N:	/* undefined (NaN): NULL */
			memcpy(&v->f, p, sizeof(v->f));
			v->null = isnan(v->f);
			break;
		case C_I64:
		case C_TIME:
			memcpy(&v->i, p, sizeof(v->i));
			break;
		case C_U64: {
			uint64_t u;

			memcpy(&u, p, sizeof(u));
			v->i = (int64_t)u;
			break;
		}
		case C_SIDE:
			v->s = lv != NULL ? sd->name : "";
			break;
		case C_TIER:
			v->i = (int64_t)tier;
			break;
		case C_PRICE:
			v->f = lv != NULL ? lv->price : 0;
			break;
		case C_VOLUME:
			v->f = lv != NULL ? lv->volume : 0;
			break;
		case C_LEVEL_TIME:
			v->i = lv != NULL ? lv->time_ns : 0;
			break;
		}
	}
}

static char *digits(char *p, unsigned v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

/* Without gmtime and printf: rows are formatted by the hundred thousand.
 * Days to civil date after Howard Hinnant's days_from_civil inverse. */
size_t sql_time_format(int64_t ns, char *buf, size_t cap)
{
	int64_t s = ns / NBPY_NS_PER_SEC, frac = ns % NBPY_NS_PER_SEC, days, sod, era, doe, yoe, y, doy, mp;
	unsigned d, mo;
	char *p = buf;

	if (cap < 28)
		return 0;
	if (frac < 0) {
		frac += NBPY_NS_PER_SEC;
		s--;
	}
	days = s / 86400;
	sod = s % 86400;
	if (sod < 0) {
		sod += 86400;
		days--;
	}
	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	mo = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	y += mo <= 2;
	if (y < 0 || y > 9999)
		return 0;
	p = digits(p, (unsigned)y, 4);
	*p++ = '-';
	p = digits(p, mo, 2);
	*p++ = '-';
	p = digits(p, d, 2);
	*p++ = 'T';
	p = digits(p, (unsigned)(sod / 3600), 2);
	*p++ = ':';
	p = digits(p, (unsigned)(sod / 60 % 60), 2);
	*p++ = ':';
	p = digits(p, (unsigned)(sod % 60), 2);
	*p++ = '.';
	p = digits(p, (unsigned)(frac / 1000), 6);
	*p++ = 'Z';
	*p = '\0';
	return (size_t)(p - buf);
}
