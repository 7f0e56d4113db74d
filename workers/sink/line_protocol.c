/* line_protocol.c - see line_protocol.h.  The measurements, tags and fields
 * come from common/schemas.def (its LP lines); this file writes them. */
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workers/sink/line_protocol.h"
#include "common/buf.h"
#include "common/pyfloat.h"

/* s with a backslash before each character in special; newlines, which no
 * element may hold, become spaces (escaped where spaces are special). */
static void put_escaped(struct nbpy_buf *b, const char *s, const char *special)
{
	if (nbpy_buf_reserve(b, 2 * strlen(s)) < 0)
		return;
	for (; *s; s++) {
		char c = *s == '\n' || *s == '\r' ? ' ' : *s;

		if (strchr(special, c) != NULL)
			b->data[b->len++] = '\\';
		b->data[b->len++] = c;
	}
	b->data[b->len] = '\0';
}

/* nbpy_buf_append, with the common case (it fits) inlined: points are
 * written by the hundred thousand, a few bytes at a time. */
static void put(struct nbpy_buf *b, const char *s, size_t n)
{
	if (b->cap > 0 && n < b->cap - b->len && !b->failed) {
		memcpy(b->data + b->len, s, n);
		b->len += n;
		b->data[b->len] = '\0';
		return;
	}
	(void)nbpy_buf_append(b, s, n);
}

/* ---- one point ---- */

struct point {
	struct nbpy_buf *b;
	int fields;
};

static struct point start(struct nbpy_buf *b, const char *measurement)
{
	put_escaped(b, measurement, ", ");
	return (struct point){ b, 0 };
}

/* Tags must come in key order (InfluxDB's advice); empty values are left
 * out, as InfluxDB refuses them. */
static void tag(struct point *pt, const char *key, const char *value)
{
	if (value[0] == '\0')
		return;
	put(pt->b, ",", 1);
	put_escaped(pt->b, key, ",= ");
	put(pt->b, "=", 1);
	put_escaped(pt->b, value, ",= ");
}

static void field_key(struct point *pt, const char *key)
{
	put(pt->b, pt->fields++ ? "," : " ", 1);
	put_escaped(pt->b, key, ",= ");
	put(pt->b, "=", 1);
}

static void f64(struct point *pt, const char *key, double v)
{
	char num[40];
	size_t n = nbpy_pyfloat_format(v, num, sizeof(num));

	field_key(pt, key);
	put(pt->b, num, n);
}

static void i64(struct point *pt, const char *key, int64_t v)
{
	char num[32];
	int n = snprintf(num, sizeof(num), "%" PRId64 "i", v);

	field_key(pt, key);
	put(pt->b, num, (size_t)n);
}

static void str(struct point *pt, const char *key, const char *v)
{
	field_key(pt, key);
	put(pt->b, "\"", 1);
	put_escaped(pt->b, v, "\"\\");
	put(pt->b, "\"", 1);
}

static void end(struct point *pt, int64_t ns, enum lp_precision prec)
{
	static const int64_t div[] = { 1, 1000, 1000000, 1000000000 };
	char num[32];
	int64_t t = ns / div[prec];
	int n;

	if (ns < 0 && t * div[prec] != ns)
		t--;	/* floor, not toward zero */
	n = snprintf(num, sizeof(num), " %" PRId64 "\n", t);
	put(pt->b, num, (size_t)n);
}

/* ---- base and term currency of a Kraken pair ---- */

void lp_base_term(const char *pair, char base[8], char term[8])
{
	size_t n = strlen(pair);
	size_t b0 = 0, bl = 0, t0 = 0;

	if (n == 8 && pair[0] == 'X' && (pair[4] == 'Z' || pair[4] == 'X')) {
		b0 = 1, bl = 3, t0 = 5;			/* XXBTZEUR, XETHXXBT */
	} else if (n == 7 && strncmp(pair, "DASH", 4) == 0) {
		b0 = 0, bl = 4, t0 = 4;			/* DASHEUR */
	} else if (n == 8 && pair[0] != 'X' && pair[4] == 'Z') {
		b0 = 0, bl = 4, t0 = 5;			/* USDTZUSD */
	} else if (n == 7 && strcmp(pair + 4, "XBT") == 0) {
		b0 = 0, bl = 4, t0 = 4;			/* DASHXBT-like */
	} else if (n == 6 && pair[2] != '_') {
		b0 = 0, bl = 3, t0 = 3;			/* BCHEUR */
	} else {
		base[0] = term[0] = '\0';
		return;
	}
	memcpy(base, pair + b0, bl);
	base[bl] = '\0';
	memcpy(term, pair + t0, n - t0);
	term[n - t0] = '\0';
}

/* ---- per schema: the points schemas.def describes ---- */

enum lp_role {
	LP_END, LP_TAG, LP_TAG_CHAR, LP_TAG_INT, LP_TAG_F64, LP_TAG_BASE, LP_TAG_TERM, LP_TAG_CONST, LP_TAG_TIER,
	LP_F64, LP_F64_CAST, LP_F64N, LP_F64_TIER, LP_I64, LP_I64_LAG, LP_STR, LP_STR_IF_SET,
	LP_LEVEL_PRICE, LP_LEVEL_VOLUME, LP_TIME_PLUS_ID,
};

struct lp_item {
	enum lp_role role;
	const char *key;
	size_t offset;		/* of the member in struct nbpy_msg */
	size_t count;		/* LEVEL_*: offset of the level count */
	const char *value;	/* TAG_CONST */
};

struct lp_measurement {
	const char *name;
	const struct lp_item *items;	/* up to LP_END */
};

#define LP_AT(m, f) offsetof(struct nbpy_msg, u.m.f)
#define LP_PLAIN(ROLE, key, m, f) { LP_##ROLE, key, LP_AT(m, f), 0, NULL },
#define LP_LEVEL(ROLE, key, m, f) { LP_##ROLE, key, LP_AT(m, f), LP_AT(m, n_##f), NULL },
#define LP_ITEM_TAG LP_PLAIN
#define LP_ITEM_TAG_CHAR LP_PLAIN
#define LP_ITEM_TAG_INT LP_PLAIN
#define LP_ITEM_TAG_F64 LP_PLAIN
#define LP_ITEM_TAG_BASE LP_PLAIN
#define LP_ITEM_TAG_TERM LP_PLAIN
#define LP_ITEM_F64 LP_PLAIN
#define LP_ITEM_F64_CAST LP_PLAIN
#define LP_ITEM_F64N LP_PLAIN
#define LP_ITEM_I64 LP_PLAIN
#define LP_ITEM_STR LP_PLAIN
#define LP_ITEM_STR_IF_SET LP_PLAIN
#define LP_ITEM_TIME_PLUS_ID LP_PLAIN
#define LP_ITEM_LEVEL_PRICE LP_LEVEL
#define LP_ITEM_LEVEL_VOLUME LP_LEVEL

/* <name>_lp: the tags and fields of each schema's point. */
#define SCHEMA(id, ENUM, name, member, ctype, legacy_topic, title, sql_table, measurement, derive) \
	static const struct lp_item name##_lp[] = {
#define LP(ROLE, key, m, f) LP_ITEM_##ROLE(ROLE, key, m, f)
#define LP_X(ROLE, key, value) { LP_##ROLE, key, 0, 0, value },
#define END_SCHEMA { LP_END, NULL, 0, 0, NULL } };
#include "common/schemas.def"

#define SCHEMA(id, ENUM, name, member, ctype, legacy_topic, title, sql_table, measurement, derive) \
	[id] = { measurement, name##_lp },
static const struct lp_measurement measurements[NBPY_SCHEMA_END] = {
#include "common/schemas.def"
};

const char *lp_measurement(enum nbpy_schema schema)
{
	return (unsigned)schema < NBPY_SCHEMA_END ? measurements[schema].name : NULL;
}

int lp_key(enum nbpy_schema schema, size_t i, struct lp_key *out)
{
	static const struct {
		bool tag;
		const char *note;
	} roles[] = {
		[LP_TAG] = { true, "" }, [LP_TAG_CHAR] = { true, "" }, [LP_TAG_INT] = { true, "" },
		[LP_TAG_F64] = { true, "" },
		[LP_TAG_BASE] = { true, "base currency of the pair" },
		[LP_TAG_TERM] = { true, "term currency of the pair" },
		[LP_TAG_CONST] = { true, "" }, [LP_TAG_TIER] = { true, "0 = best" },
		[LP_F64] = { false, "" }, [LP_F64_CAST] = { false, "float, from an integer" },
		[LP_F64N] = { false, "float, left out when undefined" },
		[LP_F64_TIER] = { false, "float, 0 = best" }, [LP_I64] = { false, "integer" },
		[LP_I64_LAG] = { false, "integer, recv_ns - event_ns" }, [LP_STR] = { false, "string" },
		[LP_STR_IF_SET] = { false, "string, when set" },
		[LP_LEVEL_PRICE] = { false, "when the tier has one" },
		[LP_LEVEL_VOLUME] = { false, "when the tier has one" },
	};
	const struct lp_item *it;

	if (lp_measurement(schema) == NULL)
		return 0;
	for (it = measurements[schema].items; it->role != LP_END; it++) {
		if (it->role == LP_TIME_PLUS_ID)
			continue;	/* no key: it moves the point time */
		if (i-- == 0) {
			out->key = it->key;
			out->tag = roles[it->role].tag;
			out->note = roles[it->role].note;
			out->value = it->role == LP_TAG_CONST ? it->value : NULL;
			return 1;
		}
	}
	return 0;
}

#define MEMBER(m, it, type) (*(const type *)((const char *)(m) + (it)->offset))

static uint32_t level_count(const struct nbpy_msg *m, const struct lp_item *it)
{
	return *(const uint32_t *)((const char *)m + it->count);
}

static const struct nbpy_book_level *level(const struct nbpy_msg *m, const struct lp_item *it,
					    uint32_t tier)
{
	if (tier >= level_count(m, it))
		return NULL;
	return (const struct nbpy_book_level *)((const char *)m + it->offset) + tier;
}

/* Point `tier` of m (0 when the schema has no book sides). */
static inline __attribute__((always_inline)) void
point(struct nbpy_buf *b, const struct lp_measurement *ms, const struct nbpy_msg *m, uint32_t tier,
      enum lp_precision prec)
{
	struct point pt = start(b, ms->name);
	int64_t ns = m->h.event_ns;
	char text[NBPY_PYFLOAT_MAX], base[8], term[8];
	const struct nbpy_book_level *lv;

#pragma GCC unroll 32
	for (const struct lp_item *it = ms->items; it->role != LP_END; it++) {
		const char *p = (const char *)m + it->offset;

		switch (it->role) {
		case LP_END:
			break;
		case LP_TAG:
			tag(&pt, it->key, p);
			break;
		case LP_TAG_CHAR:
			text[0] = *p;
			text[1] = '\0';
			tag(&pt, it->key, text);
			break;
		case LP_TAG_INT:
			(void)snprintf(text, sizeof(text), "%" PRId64, MEMBER(m, it, int64_t));
			tag(&pt, it->key, text);
			break;
		case LP_TAG_F64:	/* as a float field's text: 0.0, -1.5 */
			(void)nbpy_pyfloat_format(MEMBER(m, it, double), text, sizeof(text));
			tag(&pt, it->key, text);
			break;
		case LP_TAG_BASE:
		case LP_TAG_TERM:
			lp_base_term(p, base, term);
			tag(&pt, it->key, it->role == LP_TAG_BASE ? base : term);
			break;
		case LP_TAG_CONST:
			tag(&pt, it->key, it->value);
			break;
		case LP_TAG_TIER:
			(void)snprintf(text, sizeof(text), "%u", tier);
			tag(&pt, it->key, text);
			break;
		case LP_F64:
			f64(&pt, it->key, MEMBER(m, it, double));
			break;
		case LP_F64N:	/* undefined (NaN): no field */
			if (!isnan(MEMBER(m, it, double)))
				f64(&pt, it->key, MEMBER(m, it, double));
			break;
		case LP_F64_CAST:
			f64(&pt, it->key, (double)MEMBER(m, it, int64_t));
			break;
		case LP_F64_TIER:
			f64(&pt, it->key, (double)tier);
			break;
		case LP_I64:
			i64(&pt, it->key, MEMBER(m, it, int64_t));
			break;
		case LP_I64_LAG:
			i64(&pt, it->key, m->h.recv_ns - m->h.event_ns);
			break;
		case LP_STR_IF_SET:
			if (p[0] == '\0')
				break;
			/* fall through */
		case LP_STR:
			str(&pt, it->key, p);
			break;
		case LP_LEVEL_PRICE:
			if ((lv = level(m, it, tier)) != NULL)
				f64(&pt, it->key, lv->price);
			break;
		case LP_LEVEL_VOLUME:
			if ((lv = level(m, it, tier)) != NULL)
				f64(&pt, it->key, lv->volume);
			break;
		case LP_TIME_PLUS_ID:
			/* Fills of one order share a time: the trade id's last three
			 * digits as nanoseconds keep them apart (Kraken's times have
			 * 100 us steps). */
			if (MEMBER(m, it, int64_t) >= 0)
				ns += MEMBER(m, it, int64_t) % 1000;
			break;
		}
	}
	end(&pt, ns, prec);
}

/* One point writer per schema, the loop over its items unrolled (the items
 * are compile-time constants here), as wire_msgpack.c does for the codec. */
typedef void point_fn(struct nbpy_buf *b, const struct nbpy_msg *m, uint32_t tier, enum lp_precision prec);
#define SCHEMA(id, ENUM, name, member, ctype, legacy_topic, title, sql_table, measurement, derive) \
	static void point_##name(struct nbpy_buf *b, const struct nbpy_msg *m, uint32_t tier, \
				 enum lp_precision prec) \
	{ \
		point(b, &measurements[id], m, tier, prec); \
	}
#include "common/schemas.def"

#define SCHEMA(id, ENUM, name, member, ctype, legacy_topic, title, sql_table, measurement, derive) \
	[id] = point_##name,
static point_fn *const points_of[NBPY_SCHEMA_END] = {
#include "common/schemas.def"
};

size_t lp_append(struct nbpy_buf *b, const struct nbpy_msg *m, enum lp_precision prec)
{
	const struct lp_measurement *ms;
	uint32_t points = 1;
	bool tiers = false;

	if ((unsigned)m->h.schema >= NBPY_SCHEMA_END || measurements[m->h.schema].name == NULL)
		return 0;
	ms = &measurements[m->h.schema];
	/* One point per tier where the schema has book sides: the bid and the
	 * ask of a tier share it, and the tier tag keeps tiers from
	 * overwriting each other at the same time. */
	for (const struct lp_item *it = ms->items; it->role != LP_END; it++) {
		if (it->role == LP_LEVEL_PRICE || it->role == LP_LEVEL_VOLUME) {
			uint32_t n = level_count(m, it);

			points = tiers && points > n ? points : n;
			tiers = true;
		}
	}
	for (uint32_t i = 0; i < points; i++)
		points_of[m->h.schema](b, m, i, prec);
	return points;
}
