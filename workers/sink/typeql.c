/* typeql.c - see typeql.h. */
#include <stdio.h>
#include <string.h>

#include "common/pyfloat.h"
#include "workers/sink/typeql.h"

static void put_string_literal(struct nbpy_buf *b, const char *s)
{
	(void)nbpy_buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			(void)nbpy_buf_putc(b, '\\');
		(void)nbpy_buf_putc(b, *s);
	}
	(void)nbpy_buf_putc(b, '"');
}

/* A double as TypeQL reads one: digits with a point, no exponent. */
static void put_double(struct nbpy_buf *b, double v)
{
	char num[400];

	(void)nbpy_pyfloat_format(v, num, sizeof(num));
	if (strchr(num, 'e') != NULL) {
		char *end;

		(void)snprintf(num, sizeof(num), "%.20f", v);
		end = num + strlen(num) - 1;
		while (*end == '0' && end[-1] != '.')
			*end-- = '\0';
	}
	(void)nbpy_buf_puts(b, num);
}

static void put_value(struct nbpy_buf *b, const struct sql_value *v)
{
	char num[40];

	switch (v->type) {
	case SQL_TEXT:
		put_string_literal(b, v->s);
		break;
	case SQL_FLOAT:
		put_double(b, v->f);
		break;
	case SQL_INT:
		(void)nbpy_buf_printf(b, "%lld", (long long)v->i);
		break;
	case SQL_TIME:
		/* datetime in UTC, microseconds: "2018-09-27T20:19:03.817645" */
		if (sql_time_format(v->i, num, sizeof(num)) > 0) {
			num[strlen(num) - 1] = '\0';	/* the Z */
			(void)nbpy_buf_puts(b, num);
		}
		break;
	}
}

static const char *typeql_type(enum sql_type t)
{
	static const char *const names[] = { "string", "double", "integer", "datetime" };

	return names[t];
}

void typeql_define(struct nbpy_buf *q, const struct sql_table *t)
{
	(void)nbpy_buf_puts(q, "define\n");
	for (size_t i = 0; i < sql_table_columns(t); i++)
		(void)nbpy_buf_printf(q, "  attribute %s, value %s;\n", sql_table_column(t, i),
				      typeql_type(sql_table_column_type(t, i)));
	(void)nbpy_buf_printf(q, "  entity %s", sql_table_name(t));
	for (size_t i = 0; i < sql_table_columns(t); i++)
		(void)nbpy_buf_printf(q, ", owns %s", sql_table_column(t, i));
	(void)nbpy_buf_puts(q, ";\n");
}

size_t typeql_put(struct nbpy_buf *q, const struct sql_table *t, const struct nbpy_msg *m, size_t first)
{
	struct sql_value v[SQL_MAX_COLUMNS];
	size_t rows = sql_table_rows(t, m);

	for (size_t r = 0; r < rows; r++) {
		sql_table_row(t, m, r, v);
		(void)nbpy_buf_printf(q, "put $r%zu isa %s", first + r, sql_table_name(t));
		for (size_t i = 0; i < sql_table_columns(t); i++) {
			if (v[i].null)	/* undefined: the attribute is absent */
				continue;
			(void)nbpy_buf_printf(q, ", has %s ", sql_table_column(t, i));
			put_value(q, &v[i]);
		}
		(void)nbpy_buf_puts(q, ";\n");
	}
	return rows;
}
