/* answers.c - see answers.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "workers/kraken/answers.h"
#include "workers/kraken/rest.h"

/* ---- the asked-for pairs ---- */

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int kraken_pairs_set(struct kraken_pairs *p, char *const *names, size_t n)
{
	p->n = 0;
	p->names = calloc(n ? n : 1, sizeof(*p->names));
	if (p->names == NULL)
		return -1;
	for (; p->n < n; p->n++)
		if ((p->names[p->n] = strdup(names[p->n])) == NULL) {
			kraken_pairs_free(p);
			return -1;
		}
	qsort(p->names, p->n, sizeof(*p->names), by_name);
	return 0;
}

bool kraken_pairs_has(const struct kraken_pairs *p, const char *name)
{
	return p->n > 0 && bsearch(&name, p->names, p->n, sizeof(*p->names), by_name) != NULL;
}

char *kraken_pairs_join(const struct kraken_pairs *p)
{
	struct nbpy_buf b = NBPY_BUF_INIT;

	for (size_t i = 0; i < p->n; i++)
		(void)nbpy_buf_printf(&b, "%s%s", i ? "," : "", p->names[i]);
	return nbpy_buf_steal(&b);	/* NULL if an append failed */
}

void kraken_pairs_free(struct kraken_pairs *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->names[i]);
	free(p->names);
	p->names = NULL;
	p->n = 0;
}

int kraken_asset_pairs(struct json_object *result, bool dark_pool, struct kraken_pairs *p)
{
	size_t n = 0;
	char **names = calloc((size_t)json_object_object_length(result) + 1, sizeof(*names));
	int rc;

	if (names == NULL)
		return -1;
	json_object_object_foreach(result, name, value) {
		(void)value;
		if (dark_pool || strstr(name, ".d") == NULL)
			names[n++] = name;
	}
	rc = kraken_pairs_set(p, names, n);
	free(names);
	return rc;
}

/* ---- entries ---- */

static void reject(struct kraken_answer *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reject(struct kraken_answer *a, const char *fmt, ...)
{
	va_list ap;

	if (a->bad++ == 0) {
		va_start(ap, fmt);
		(void)vsnprintf(a->first_bad, sizeof(a->first_bad), fmt, ap);
		va_end(ap);
	}
}

static void publish(struct kraken_answer *a, struct nbpy_msg *m)
{
	if (a->publish(a->arg, m) == 0)
		a->published++;
}

/* What a number of an answer may be. */
enum range {
	PRICE,		/* > 0: a quote or a trade */
	STAT,		/* >= 0: a day's statistic, 0 when nothing traded */
	VOLUME,		/* >= 0 */
	COUNT,		/* a whole number, 0 .. 9e15 */
};

static bool in_range(double v, enum range r)
{
	switch (r) {
	case PRICE:
		return v > 0;
	case COUNT:
		return v >= 0 && v <= 9e15 && v == (double)(int64_t)v;
	default:
		return v >= 0;
	}
}

#define NO_INDEX ((size_t)-1)	/* the field is a number, not an array */
#define TF(key, i, r, field) { key, i, r, offsetof(struct nbpy_kraken_ticker, field) }

/* The Ticker fields: key, index in its array, range, where it goes (COUNT
 * fields are int64_t, the others double). */
static const struct ticker_field {
	const char *key;
	size_t index;
	enum range range;
	size_t offset;
} TICKER_FIELDS[] = {
	TF("a", 0, PRICE, ask_price), TF("a", 1, COUNT, ask_whole_lot_volume),
	TF("a", 2, VOLUME, ask_lot_volume), TF("b", 0, PRICE, bid_price),
	TF("b", 1, COUNT, bid_whole_lot_volume), TF("b", 2, VOLUME, bid_lot_volume),
	TF("c", 0, PRICE, last_trade_price), TF("c", 1, VOLUME, last_trade_lot_volume),
	TF("v", 0, VOLUME, volume_today), TF("v", 1, VOLUME, volume_24h),
	TF("p", 0, STAT, vwap_today), TF("p", 1, STAT, vwap_24h),
	TF("t", 0, COUNT, trades_today), TF("t", 1, COUNT, trades_24h),
	TF("l", 0, STAT, low_today), TF("l", 1, STAT, low_24h),
	TF("h", 0, STAT, high_today), TF("h", 1, STAT, high_24h),
	TF("o", NO_INDEX, STAT, opening_price),
};

/* One pair of the Ticker result; NULL, or the key of the field that is
 * missing, malformed or out of range. */
static const char *ticker_pair(struct json_object *o, struct nbpy_kraken_ticker *k)
{
	if (!json_object_is_type(o, json_type_object))
		return "(not an object)";
	for (size_t i = 0; i < sizeof(TICKER_FIELDS) / sizeof(TICKER_FIELDS[0]); i++) {
		const struct ticker_field *f = &TICKER_FIELDS[i];
		struct json_object *v;
		char *at = (char *)k + f->offset;
		double d;

		if (!json_object_object_get_ex(o, f->key, &v) ||
		    !(f->index == NO_INDEX ? kraken_number(v, &d) : kraken_array_number(v, f->index, &d)) ||
		    !in_range(d, f->range))
			return f->key;
		if (f->range == COUNT) {
			int64_t n = (int64_t)d;

			memcpy(at, &n, sizeof(n));
		} else {
			memcpy(at, &d, sizeof(d));
		}
	}
	return NULL;
}

void kraken_ticker_answer(struct json_object *result, const struct kraken_pairs *asked, int64_t now,
			  struct kraken_answer *a)
{
	struct nbpy_msg m;

	json_object_object_foreach(result, name, value) {
		const char *field;

		if (!kraken_pairs_has(asked, name)) {
			reject(a, "pair %.40s was not asked for", name);
			continue;
		}
		memset(&m, 0, sizeof(m));
		m.h.schema = NBPY_SCHEMA_KRAKEN_TICKER;
		/* The REST ticker has no time of its own: the answer's arrival. */
		m.h.event_ns = now;
		m.h.recv_ns = now;
		if (strlen(name) >= sizeof(m.u.ticker.instrument)) {
			reject(a, "pair name %.40s... too long", name);
			continue;
		}
		if ((field = ticker_pair(value, &m.u.ticker)) != NULL) {
			/* only the first is shown: no need to print the others */
			reject(a, "pair %.40s: \"%s\" missing, malformed or out of range: %.100s", name, field,
			       a->bad ? "" : json_object_to_json_string_ext(value, JSON_C_TO_STRING_PLAIN));
			continue;
		}
		strcpy(m.u.ticker.instrument, name);
		publish(a, &m);
	}
}

/* Levels [price, volume, time s] of one side, at most NBPY_BOOK_LEVELS_MAX. */
static bool book_side(struct json_object *side, struct nbpy_book_level *lv, uint32_t *n)
{
	size_t len;

	if (!json_object_is_type(side, json_type_array))
		return false;
	len = json_object_array_length(side);
	if (len > NBPY_BOOK_LEVELS_MAX)
		len = NBPY_BOOK_LEVELS_MAX;	/* Kraken honours count; be safe */
	for (size_t i = 0; i < len; i++) {
		struct json_object *l = json_object_array_get_idx(side, i);
		double t;

		if (!kraken_array_number(l, 0, &lv[i].price) || !in_range(lv[i].price, PRICE) ||
		    !kraken_array_number(l, 1, &lv[i].volume) || !in_range(lv[i].volume, VOLUME) ||
		    !kraken_array_number(l, 2, &t) || t < 0 || t > 9e9)
			return false;
		lv[i].time_ns = (int64_t)(t * 1e9 + 0.5);
	}
	*n = (uint32_t)len;
	return true;
}

void kraken_depth_answer(struct json_object *result, const char *pair, int64_t now,
			 struct kraken_answer *a)
{
	struct nbpy_msg m;

	json_object_object_foreach(result, name, book) {
		struct json_object *asks, *bids;

		if (strcmp(name, pair) != 0) {
			reject(a, "book of %.40s, which was not asked for", name);
			continue;
		}
		memset(&m, 0, sizeof(m));
		m.h.schema = NBPY_SCHEMA_BOOK_TOP;
		m.h.event_ns = now;
		m.h.recv_ns = now;
		if (strlen(name) >= sizeof(m.u.book.instrument) ||
		    !json_object_object_get_ex(book, "asks", &asks) ||
		    !json_object_object_get_ex(book, "bids", &bids) ||
		    !book_side(asks, m.u.book.asks, &m.u.book.n_asks) ||
		    !book_side(bids, m.u.book.bids, &m.u.book.n_bids)) {
			reject(a, "book of %.40s malformed or out of range", name);
			continue;
		}
		strcpy(m.u.book.instrument, name);
		publish(a, &m);
	}
}

static bool printable(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			return false;
	return true;
}

/* [price, volume, time, side, ordertype, misc, trade_id] */
static bool trade(struct json_object *o, const char *pair, struct nbpy_msg *m)
{
	struct nbpy_trade *tr = &m->u.trade;
	const char *side, *type, *misc;
	double time_s, id;

	if (!json_object_is_type(o, json_type_array) || json_object_array_length(o) < 7 ||
	    !kraken_array_number(o, 0, &tr->price) || !in_range(tr->price, PRICE) ||
	    !kraken_array_number(o, 1, &tr->volume) || !in_range(tr->volume, VOLUME) ||
	    !kraken_array_number(o, 2, &time_s) || time_s < 0 || time_s > 9e9 ||
	    !kraken_array_number(o, 6, &id) || id < 1 || id > 9e15)
		return false;
	side = json_object_get_string(json_object_array_get_idx(o, 3));
	type = json_object_get_string(json_object_array_get_idx(o, 4));
	misc = json_object_get_string(json_object_array_get_idx(o, 5));
	/* side b(uy) or s(ell), type m(arket) or l(imit), misc printable ASCII:
	 * anything else would not even encode (found by fuzz_kraken) */
	if (side == NULL || strlen(side) != 1 || strchr("bs", side[0]) == NULL || type == NULL ||
	    strlen(type) != 1 || strchr("ml", type[0]) == NULL || misc == NULL ||
	    strlen(misc) >= sizeof(tr->misc) || !printable(misc) || strlen(pair) >= sizeof(tr->instrument))
		return false;
	strcpy(tr->instrument, pair);
	tr->side = side[0];
	tr->order_type = type[0];
	strcpy(tr->misc, misc);
	tr->trade_id = (int64_t)id;
	m->h.event_ns = (int64_t)(time_s * 1e9 + 0.5);
	return true;
}

int kraken_trades_answer(struct json_object *result, const char *pair, int64_t now,
			 struct kraken_trades_cursor *c, struct kraken_answer *a, char *why, size_t cap)
{
	struct json_object *list = NULL, *last = NULL;
	const char *cursor;
	struct nbpy_msg m;

	json_object_object_foreach(result, key, value) {
		if (strcmp(key, "last") == 0)
			last = value;
		else if (strcmp(key, pair) == 0)
			list = value;
		else
			reject(a, "trades of %.40s, which were not asked for", key);
	}
	if (list == NULL || !json_object_is_type(list, json_type_array) || last == NULL) {
		(void)snprintf(why, cap, "no trade list of %.40s or no \"last\" cursor", pair);
		return -1;
	}
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		memset(&m, 0, sizeof(m));
		m.h.schema = NBPY_SCHEMA_TRADE;
		if (!trade(json_object_array_get_idx(list, i), pair, &m)) {
			reject(a, "trade %zu of %.40s malformed or out of range", i, pair);
			continue;
		}
		if (m.u.trade.trade_id <= c->last_id)
			continue;	/* already published */
		m.h.recv_ns = now;
		if (a->publish(a->arg, &m) == 0) {
			c->last_id = m.u.trade.trade_id;
			a->published++;
		}
	}
	cursor = json_object_get_string(last);
	/* it goes back into a URL: digits only */
	if (cursor == NULL || cursor[0] == '\0' || strlen(cursor) >= sizeof(c->since) ||
	    strspn(cursor, "0123456789") != strlen(cursor))
		reject(a, "bad \"last\" cursor of %.40s, keeping the previous one", pair);
	else
		memcpy(c->since, cursor, strlen(cursor) + 1);
	return 0;
}
