/* wire_schema.c - the schema descriptors built from common/schemas.def
 * (through wire_fields.h's tables), their lookups, and the derived fields. */
#include <stddef.h>
#include <string.h>

#include "common/pyfloat.h"
#include "common/wire.h"
#include "common/wire_fields.h"

const struct nbpy_field *const nbpy_header_fields = wire_header_fields;
const size_t nbpy_n_header_fields = N(wire_header_fields);

/* The three spreads of the original, from the rounded quotes. */
static void derive_spreads(double bid_t0, double ask_t0, double bid_t1, double ask_t1,
			   double *spread, double *spread_t_bid, double *spread_t_ask)
{
	*spread = nbpy_pyfloat_round(ask_t1 - bid_t1, 5);
	*spread_t_bid = nbpy_pyfloat_round(ask_t0 - bid_t1, 5);
	*spread_t_ask = nbpy_pyfloat_round(ask_t1 - bid_t0, 5);
}

static void derive_eurusd(struct nbpy_msg *m)
{
	struct nbpy_eurusd_tick *e = &m->u.eurusd;

	derive_spreads(e->bid_t0, e->ask_t0, e->bid_t1, e->ask_t1,
		       &e->spread, &e->spread_t_bid, &e->spread_t_ask);
}

static void derive_eurusd_depth(struct nbpy_msg *m)
{
	struct nbpy_eurusd_depth *d = &m->u.eurusd_depth;

	derive_spreads(d->eurusd_bid_t0, d->eurusd_ask_t0, d->eurusd_bid_t1, d->eurusd_ask_t1,
		       &d->spread, &d->spread_t_bid, &d->spread_t_ask);
}

/* A schema with book sides travels in legacy text as the Kraken Depth JSON:
 * no SOH fields (n_legacy 0).  Its version: 1, plus n - 1 when the entry
 * says SCHEMA_VERSION(n). */
#define SCHEMA(id, ENUM, name, member, ctype, legacy_topic, title, sql_table, measurement, derive) \
	[id] = { NBPY_SCHEMA_##ENUM, #name, legacy_topic, name##_fields, N(name##_fields), \
		 name##_legacy, name##_n_levels ? 0 : N(name##_legacy), derive, title, 1
#define SCHEMA_VERSION(n) + (n) - 1
#define END_SCHEMA },
static const struct nbpy_schema_desc schemas[NBPY_SCHEMA_END] = {
#include "common/schemas.def"
};

const struct nbpy_schema_desc *nbpy_schema_get(enum nbpy_schema id)
{
	if ((int)id <= 0 || id >= NBPY_SCHEMA_END)
		return NULL;
	return &schemas[id];
}

const struct nbpy_schema_desc *nbpy_schema_by_name(const char *name)
{
	for (int i = 1; i < NBPY_SCHEMA_END; i++)
		if (strcmp(schemas[i].name, name) == 0)
			return &schemas[i];
	return NULL;
}

const struct nbpy_schema_desc *nbpy_schema_by_legacy_topic(const char *topic)
{
	if (strcmp(topic, "kr_order_book") == 0)	/* same payload as kr_depth */
		return &schemas[NBPY_SCHEMA_BOOK_TOP];
	for (int i = 1; i < NBPY_SCHEMA_END; i++)
		if (strcmp(schemas[i].legacy_topic, topic) == 0)
			return &schemas[i];
	return NULL;
}

void nbpy_wire_derive(struct nbpy_msg *m)
{
	const struct nbpy_schema_desc *s = nbpy_schema_get(m->h.schema);

	if (s != NULL && s->derive != NULL)
		s->derive(m);
}
