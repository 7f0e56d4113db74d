/* schema_doc.c - print the schema tables of docs/wire-format.md and
 * docs/sinks.md from common/schemas.def (through the descriptors, the SQL
 * tables and the line-protocol mapping built from it).
 *
 *   schema_doc wire|legacy|sql|lp
 *
 * The docs embed this output between <!-- BEGIN/END schema_doc PART -->
 * markers; `make update-schema-doc` rewrites them and
 * tests/integration/docs_in_sync.sh fails when they differ. */
#include <stdio.h>
#include <string.h>

#include "common/wire.h"
#include "workers/sink/line_protocol.h"
#include "workers/sink/sql_table.h"

/* Schemas with more body fields than this are summarized by their count. */
#define LISTED_MAX 12

static const char *type_name(const struct nbpy_field *f)
{
	static char buf[96];

	switch (f->type) {
	case NBPY_F_STR:
		(void)snprintf(buf, sizeof(buf), "str ≤ %zu", f->size - 1);
		return buf;
	case NBPY_F_F64: return "float64";
	case NBPY_F_F64N: return "float64 or nil";
	case NBPY_F_I64: return "int";
	case NBPY_F_U64: return "uint";
	case NBPY_F_CHAR: return "char";
	case NBPY_F_LEVELS:
		(void)snprintf(buf, sizeof(buf), "array (≤ %d) of `[price float64, volume float64, time_ns int]`",
			       NBPY_BOOK_LEVELS_MAX);
		return buf;
	default: return "?";
	}
}

static void names(const struct nbpy_field *f, size_t n, const char *sep)
{
	for (size_t i = 0; i < n; i++)
		printf("%s%s", i ? sep : "", f[i].name);
}

static void wire(void)
{
	printf("| id | name | legacy topic | body (in order) | version |\n|---|---|---|---|---|\n");
	for (int id = 1; id < NBPY_SCHEMA_END; id++) {
		const struct nbpy_schema_desc *s = nbpy_schema_get(id);

		printf("| %d | `%s` | `%s`%s | ", id, s->name, s->legacy_topic,
		       strcmp(s->legacy_topic, "kr_depth") == 0 ? ", `kr_order_book`" : "");
		if (s->n_fields > LISTED_MAX)
			printf("%zu fields", s->n_fields);
		else
			names(s->fields, s->n_fields, ", ");
		printf(" | %u |\n", s->version);
	}
	for (int id = 1; id < NBPY_SCHEMA_END; id++) {
		const struct nbpy_schema_desc *s = nbpy_schema_get(id);

		printf("\n#### %d `%s` (%s)\n\n| # | field | type | unit |\n|---|---|---|---|\n", id, s->name,
		       s->title);
		for (size_t i = 0; i < s->n_fields; i++)
			printf("| %zu | %s | %s | %s |\n", 6 + i, s->fields[i].name, type_name(&s->fields[i]),
			       s->fields[i].unit);
		for (size_t i = 0; i < s->n_legacy; i++)
			if (s->legacy[i].derived)
				printf("%s`%s`%s", i && s->legacy[i - 1].derived ? ", " :
				       "\nDerived, not sent (the decoder computes them; the legacy frame and the stores carry them): ",
				       s->legacy[i].name, i + 1 == s->n_legacy ? ".\n" : "");
	}
}

/* The legacy frame's fields: the body in order (by count when long), the
 * time renderings with their format, the derived fields at the end. */
static void legacy(void)
{
	printf("| schema | topic | fields, in order |\n|---|---|---|\n");
	for (int id = 1; id < NBPY_SCHEMA_END; id++) {
		const struct nbpy_schema_desc *s = nbpy_schema_get(id);
		size_t body = 0;

		printf("| %s | `%s` | ", s->name, s->legacy_topic);
		if (s->n_legacy == 0) {
			printf("the Kraken Depth response JSON: `{\"error\":[],\"result\":{\"PAIR\":{\"asks\":"
			       "[[\"price\",\"volume\",time_s],…],\"bids\":[…]}}}` |\n");
			continue;
		}
		/* the body in order, then only derived fields: summarize long ones */
		while (body < s->n_legacy && body < s->n_fields &&
		       strcmp(s->legacy[body].name, s->fields[body].name) == 0)
			body++;
		if (body == s->n_fields && s->n_fields > LISTED_MAX) {
			printf("the %zu body fields", body);
			if (body < s->n_legacy) {
				printf(", then ");
				names(s->legacy + body, s->n_legacy - body, ", ");
			}
			printf(" |\n");
			continue;
		}
		for (size_t i = 0; i < s->n_legacy; i++) {
			const struct nbpy_field *f = &s->legacy[i];
			bool time = f->type >= NBPY_F_TIME_RFC3339;

			printf("%s%s%s%s%s", i ? ", " : "", f->name, time ? " (" : "", time ? f->unit : "",
			       time ? ")" : "");
		}
		printf(" |\n");
	}
}

static void sql(void)
{
	printf("| schema | table | columns after the common four |\n|---|---|---|\n");
	for (int id = 1; id < NBPY_SCHEMA_END; id++) {
		const struct sql_table *t = sql_table_for(id);
		static const char *const types[] = { "text", "float", "integer", "time" };

		printf("| `%s` | `%s` | ", nbpy_schema_get(id)->name, sql_table_name(t));
		for (size_t i = 4; i < sql_table_columns(t); i++) {
			const char *constant = sql_table_column_constant(t, i);

			printf("%s`%s` (%s%s%s%s%s)", i > 4 ? ", " : "", sql_table_column(t, i),
			       types[sql_table_column_type(t, i)], constant ? ", always `" : "",
			       constant ? constant : "", constant ? "`" : "",
			       sql_table_column_nullable(t, i) ? ", NULL when undefined" : "");
		}
		printf(" |\n");
	}
}

static void lp(void)
{
	printf("| schema | measurement | tags | fields |\n|---|---|---|---|\n");
	for (int id = 1; id < NBPY_SCHEMA_END; id++) {
		struct lp_key k;
		int n = 0;

		printf("| `%s` | `%s` | ", nbpy_schema_get(id)->name, lp_measurement(id));
		for (size_t i = 0; lp_key(id, i, &k) && k.tag; i++, n++)
			printf("%s`%s%s%s`%s%s%s", n ? ", " : "", k.key, k.value ? "=" : "", k.value ? k.value : "",
			       *k.note ? " (" : "", k.note, *k.note ? ")" : "");
		printf(" | ");
		n = 0;
		for (size_t i = 0; lp_key(id, i, &k); i++)
			if (!k.tag)
				printf("%s`%s`%s%s%s", n++ ? ", " : "", k.key, *k.note ? " (" : "", k.note,
				       *k.note ? ")" : "");
		printf(" |\n");
	}
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*print)(void);
	} parts[] = { { "wire", wire }, { "legacy", legacy }, { "sql", sql }, { "lp", lp } };

	for (size_t i = 0; argc == 2 && i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (strcmp(argv[1], parts[i].name) == 0) {
			parts[i].print();
			return fflush(stdout) == 0 ? 0 : 1;
		}
	}
	fprintf(stderr, "usage: schema_doc wire|legacy|sql|lp\n");
	return 2;
}
