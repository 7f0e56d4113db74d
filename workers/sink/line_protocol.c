/* line_protocol.c - see line_protocol.h. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workers/sink/line_protocol.h"
#include "common/pyfloat.h"

/* ---- the buffer ---- */

static bool reserve(struct lp_buf *b, size_t n)
{
	if (b->len + n + 1 <= b->cap)
		return true;
	size_t cap = (b->len + n + 1) * 2;
	char *bigger = realloc(b->p, cap);

	if (bigger == NULL) {
		b->oom = 1;
		return false;
	}
	b->p = bigger;
	b->cap = cap;
	return true;
}

void lp_buf_put(struct lp_buf *b, const char *s, size_t n)
{
	if (!reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* s with a backslash before each character in special; newlines, which no
 * element may hold, become spaces (escaped where spaces are special). */
static void put_escaped(struct lp_buf *b, const char *s, const char *special)
{
	if (!reserve(b, 2 * strlen(s)))
		return;
	for (; *s; s++) {
		char c = *s == '\n' || *s == '\r' ? ' ' : *s;

		if (strchr(special, c) != NULL)
			b->p[b->len++] = '\\';
		b->p[b->len++] = c;
	}
	b->p[b->len] = '\0';
}

void lp_buf_free(struct lp_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* ---- one point ---- */

struct point {
	struct lp_buf *b;
	int fields;
};

static struct point start(struct lp_buf *b, const char *measurement)
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
	lp_buf_put(pt->b, ",", 1);
	put_escaped(pt->b, key, ",= ");
	lp_buf_put(pt->b, "=", 1);
	put_escaped(pt->b, value, ",= ");
}

static void field_key(struct point *pt, const char *key)
{
	lp_buf_put(pt->b, pt->fields++ ? "," : " ", 1);
	put_escaped(pt->b, key, ",= ");
	lp_buf_put(pt->b, "=", 1);
}

static void f64(struct point *pt, const char *key, double v)
{
	char num[40];
	size_t n = nbpy_pyfloat_format(v, num, sizeof(num));

	field_key(pt, key);
	lp_buf_put(pt->b, num, n);
}

static void i64(struct point *pt, const char *key, int64_t v)
{
	char num[32];
	int n = snprintf(num, sizeof(num), "%" PRId64 "i", v);

	field_key(pt, key);
	lp_buf_put(pt->b, num, (size_t)n);
}

static void str(struct point *pt, const char *key, const char *v)
{
	field_key(pt, key);
	lp_buf_put(pt->b, "\"", 1);
	put_escaped(pt->b, v, "\"\\");
	lp_buf_put(pt->b, "\"", 1);
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
	lp_buf_put(pt->b, num, (size_t)n);
}

enum lp_precision lp_precision_parse(const char *s)
{
	return strcmp(s, "us") == 0 ? LP_US : strcmp(s, "ms") == 0 ? LP_MS : strcmp(s, "s") == 0 ? LP_S : LP_NS;
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

/* ---- per schema ---- */

static size_t ticker(struct lp_buf *b, const struct nbpy_msg *m, enum lp_precision prec)
{
	const struct nbpy_kraken_ticker *t = &m->u.ticker;
	char base[8], term[8];
	struct point pt = start(b, "tick");

	lp_base_term(t->instrument, base, term);
	tag(&pt, "base_ccy", base);
	tag(&pt, "instrument", t->instrument);
	tag(&pt, "term_ccy", term);
	/* all floats, as the original wrote them: an existing database keeps
	 * its field types */
	f64(&pt, "ask_price", t->ask_price);
	f64(&pt, "ask_whole_lot_volume", (double)t->ask_whole_lot_volume);
	f64(&pt, "ask_lot_volume", t->ask_lot_volume);
	f64(&pt, "bid_price", t->bid_price);
	f64(&pt, "bid_whole_lot_volume", (double)t->bid_whole_lot_volume);
	f64(&pt, "bid_lot_volume", t->bid_lot_volume);
	f64(&pt, "last_trade_price", t->last_trade_price);
	f64(&pt, "last_trade_lot_volume", t->last_trade_lot_volume);
	f64(&pt, "volume_today", t->volume_today);
	f64(&pt, "volume_last_24_hours", t->volume_24h);
	f64(&pt, "vwap_today", t->vwap_today);
	f64(&pt, "vwap_last_24_hours", t->vwap_24h);
	f64(&pt, "number_of_trades_today", (double)t->trades_today);
	f64(&pt, "number_of_trades_last_24_hours", (double)t->trades_24h);
	f64(&pt, "low_today", t->low_today);
	f64(&pt, "low_last_24_hours", t->low_24h);
	f64(&pt, "high_today", t->high_today);
	f64(&pt, "high_last_24_hours", t->high_24h);
	f64(&pt, "opening_price", t->opening_price);
	end(&pt, m->h.event_ns, prec);
	return 1;
}

/* One point per tier: the bid and the ask of a tier share it, and the tier
 * tag keeps tiers from overwriting each other at the same time. */
static size_t book(struct lp_buf *b, const struct nbpy_msg *m, enum lp_precision prec)
{
	const struct nbpy_book_top *bk = &m->u.book;
	uint32_t tiers = bk->n_bids > bk->n_asks ? bk->n_bids : bk->n_asks;
	char base[8], term[8];

	lp_base_term(bk->instrument, base, term);
	for (uint32_t i = 0; i < tiers; i++) {
		char tier[12];
		struct point pt = start(b, "depth");

		(void)snprintf(tier, sizeof(tier), "%u", i);
		tag(&pt, "base_ccy", base);
		tag(&pt, "instrument", bk->instrument);
		tag(&pt, "term_ccy", term);
		tag(&pt, "tier", tier);
		f64(&pt, "tier_id", (double)i);
		if (i < bk->n_bids) {
			f64(&pt, "top_bid", bk->bids[i].price);
			f64(&pt, "top_bid_volume", bk->bids[i].volume);
		}
		if (i < bk->n_asks) {
			f64(&pt, "top_ask", bk->asks[i].price);
			f64(&pt, "top_ask_volume", bk->asks[i].volume);
		}
		end(&pt, m->h.event_ns, prec);
	}
	return tiers;
}

static size_t trade(struct lp_buf *b, const struct nbpy_msg *m, enum lp_precision prec)
{
	const struct nbpy_trade *t = &m->u.trade;
	char side[2] = { t->side, '\0' }, type[2] = { t->order_type, '\0' };
	struct point pt = start(b, "trades");

	tag(&pt, "instrument", t->instrument);
	tag(&pt, "order_type", type);
	tag(&pt, "side", side);
	f64(&pt, "price", t->price);
	f64(&pt, "volume", t->volume);
	i64(&pt, "trade_id", t->trade_id);
	if (t->misc[0] != '\0')
		str(&pt, "misc", t->misc);
	/* Fills of one order share a time: the trade id's last three digits as
	 * nanoseconds keep them apart (Kraken's times have 100 us steps). */
	end(&pt, m->h.event_ns + (t->trade_id >= 0 ? t->trade_id % 1000 : 0), prec);
	return 1;
}

static size_t eurusd(struct lp_buf *b, const struct nbpy_msg *m, enum lp_precision prec)
{
	const struct nbpy_eurusd_tick *e = &m->u.eurusd;
	struct point pt = start(b, "synthetic");

	tag(&pt, "instrument", "KR_EURUSD");
	tag(&pt, "instrument_t0", e->instrument_t0);
	tag(&pt, "instrument_t1", e->instrument_t1);
	str(&pt, "hedge_instrument_t0", e->instrument_t0);
	str(&pt, "hedge_instrument_t1", e->instrument_t1);
	f64(&pt, "kraken_EURUSD_ASK_5_t0", e->ask_t0);
	f64(&pt, "kraken_EURUSD_ASK_5_t1", e->ask_t1);
	f64(&pt, "kraken_EURUSD_BID_5_t0", e->bid_t0);
	f64(&pt, "kraken_EURUSD_BID_5_t1", e->bid_t1);
	f64(&pt, "spread", e->spread);
	f64(&pt, "spread_t_ask", e->spread_t_ask);
	f64(&pt, "spread_t_bid", e->spread_t_bid);
	end(&pt, m->h.event_ns, prec);
	return 1;
}

static size_t eurusd_depth(struct lp_buf *b, const struct nbpy_msg *m, enum lp_precision prec)
{
	const struct nbpy_eurusd_depth *d = &m->u.eurusd_depth;
	struct point pt = start(b, "depth");

	tag(&pt, "instrument", "KR_EURUSD_DEPTH");
	tag(&pt, "instrument_t0", d->instrument_t0);
	tag(&pt, "instrument_t1", d->instrument_t1);
	str(&pt, "instrument_t0", d->instrument_t0);
	str(&pt, "instrument_t1", d->instrument_t1);
	f64(&pt, "kraken_EURUSD_depth_BID_5_t0", d->eurusd_bid_t0);
	f64(&pt, "kraken_EURUSD_depth_ASK_5_t0", d->eurusd_ask_t0);
	f64(&pt, "kraken_EURUSD_depth_BID_5_t1", d->eurusd_bid_t1);
	f64(&pt, "kraken_EURUSD_depth_ASK_5_t1", d->eurusd_ask_t1);
	f64(&pt, "bid_t0", d->bid_t0);
	f64(&pt, "bid_volume_t0", d->bid_volume_t0);
	f64(&pt, "ask_t0", d->ask_t0);
	f64(&pt, "ask_volume_t0", d->ask_volume_t0);
	f64(&pt, "bid_t1", d->bid_t1);
	f64(&pt, "bid_volume_t1", d->bid_volume_t1);
	f64(&pt, "ask_t1", d->ask_t1);
	f64(&pt, "ask_volume_t1", d->ask_volume_t1);
	f64(&pt, "spread_depth", d->spread);
	f64(&pt, "spread_depth_t_bid", d->spread_t_bid);
	f64(&pt, "spread_depth_t_ask", d->spread_t_ask);
	end(&pt, m->h.event_ns, prec);
	return 1;
}

static size_t oanda(struct lp_buf *b, const struct nbpy_msg *m, enum lp_precision prec)
{
	struct point pt = start(b, "tick");

	tag(&pt, "instrument", m->u.oanda.instrument);
	f64(&pt, "ask", m->u.oanda.ask);
	f64(&pt, "bid", m->u.oanda.bid);
	end(&pt, m->h.event_ns, prec);
	return 1;
}

static size_t heartbeat(struct lp_buf *b, const struct nbpy_msg *m, enum lp_precision prec)
{
	struct point pt = start(b, "heartbeat");

	tag(&pt, "source", m->u.heartbeat.source);
	i64(&pt, "lag_ns", m->h.recv_ns - m->h.event_ns);
	end(&pt, m->h.event_ns, prec);
	return 1;
}

static size_t betfair(struct lp_buf *b, const struct nbpy_msg *m, enum lp_precision prec)
{
	const struct nbpy_betfair_mc *bf = &m->u.betfair;
	char sel[24], level[24], side[2] = { bf->side, '\0' };
	struct point pt = start(b, "betfair");

	(void)snprintf(sel, sizeof(sel), "%" PRId64, bf->selection_id);
	(void)snprintf(level, sizeof(level), "%" PRId64, bf->level);
	tag(&pt, "level", level);
	tag(&pt, "market_id", bf->market_id);
	tag(&pt, "selection_id", sel);
	tag(&pt, "side", side);
	f64(&pt, "price", bf->price);
	f64(&pt, "size", bf->size);
	end(&pt, m->h.event_ns, prec);
	return 1;
}

static size_t sentiment(struct lp_buf *b, const struct nbpy_msg *m, enum lp_precision prec)
{
	const struct nbpy_sentiment *s = &m->u.sentiment;
	struct point pt = start(b, "crypto");

	tag(&pt, "geohash", s->geohash);
	tag(&pt, "lang", s->lang);
	tag(&pt, "time_zone", s->time_zone);
	str(&pt, "id", s->id);
	i64(&pt, "followers_count", s->followers);
	i64(&pt, "retweet_count", s->retweets);
	i64(&pt, "statuses_count", s->statuses);
	str(&pt, "text", s->text);
	str(&pt, "user", s->user);
	f64(&pt, "pos_score", s->pos);
	f64(&pt, "neg_score", s->neg);
	if (s->location[0] != '\0')
		str(&pt, "location", s->location);
	end(&pt, m->h.event_ns, prec);
	return 1;
}

size_t lp_append(struct lp_buf *b, const struct nbpy_msg *m, enum lp_precision prec)
{
	static size_t (*const by_schema[NBPY_SCHEMA_END])(struct lp_buf *, const struct nbpy_msg *,
							   enum lp_precision) = {
		[NBPY_SCHEMA_KRAKEN_TICKER] = ticker,
		[NBPY_SCHEMA_BOOK_TOP] = book,
		[NBPY_SCHEMA_TRADE] = trade,
		[NBPY_SCHEMA_EURUSD_TICK] = eurusd,
		[NBPY_SCHEMA_EURUSD_DEPTH] = eurusd_depth,
		[NBPY_SCHEMA_OANDA_PRICE] = oanda,
		[NBPY_SCHEMA_HEARTBEAT] = heartbeat,
		[NBPY_SCHEMA_BETFAIR_MC] = betfair,
		[NBPY_SCHEMA_SENTIMENT] = sentiment,
	};

	if ((unsigned)m->h.schema >= NBPY_SCHEMA_END || by_schema[m->h.schema] == NULL)
		return 0;
	return by_schema[m->h.schema](b, m, prec);
}
