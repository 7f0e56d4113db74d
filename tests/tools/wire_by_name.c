/* wire_by_name.c - nbpy's codec driven by field NAMES, for the Python interop
 * test (tests/integration/python_decode.py).  Reads JSON lines on stdin, one
 * answer line each on stdout:
 *   {"schema": ID, "header": {NAME: VALUE...}, "body": {NAME: VALUE...}}
 *     -> {"msgpack": HEX, "legacy": HEX}     nbpy_wire_encode, nbpy_legacy_encode
 *   {"decode": HEX}
 *     -> {"schema": ID, "header": {...}, "body": {...}}   nbpy_wire_decode
 *   anything wrong -> {"error": WHY}
 *
 * The names are the documented ones and the name -> struct member map below
 * is written out by hand, NOT taken from the schema definitions
 * (common/schemas.def): the test checks nbpy's bytes against the doc, so it
 * must not read them. */
#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "common/wire.h"

struct named {
	int schema;		/* 0: the header, in every schema */
	const char *name;
	char type;		/* s str, c char, d double, n double or null (NaN), i int64,
				 * u uint64, L book side */
	size_t off;		/* L: offset of the count */
	size_t size;		/* s: buffer size; L: offset of the levels */
};

#define AT(member) offsetof(struct nbpy_msg, member)
#define SZ(member) sizeof(((struct nbpy_msg *)0)->member)
#define S(id, name, member) { id, name, 's', AT(member), SZ(member) }
#define V(id, name, t, member) { id, name, t, AT(member), 0 }
#define SIDE(name, n, lv) { 2, name, 'L', AT(u.book.n), AT(u.book.lv) }

static const struct named names[] = {
	S(0, "service", h.service), V(0, "seq", 'u', h.seq), V(0, "event_ns", 'i', h.event_ns),
	/* recv_delta_ns is handled apart: it is recv_ns - event_ns */
	S(1, "instrument", u.ticker.instrument), V(1, "ask_price", 'd', u.ticker.ask_price),
	V(1, "ask_whole_lot_volume", 'i', u.ticker.ask_whole_lot_volume),
	V(1, "ask_lot_volume", 'd', u.ticker.ask_lot_volume), V(1, "bid_price", 'd', u.ticker.bid_price),
	V(1, "bid_whole_lot_volume", 'i', u.ticker.bid_whole_lot_volume),
	V(1, "bid_lot_volume", 'd', u.ticker.bid_lot_volume),
	V(1, "last_trade_price", 'd', u.ticker.last_trade_price),
	V(1, "last_trade_lot_volume", 'd', u.ticker.last_trade_lot_volume),
	V(1, "volume_today", 'd', u.ticker.volume_today),
	V(1, "volume_last_24_hours", 'd', u.ticker.volume_24h),
	V(1, "vwap_today", 'd', u.ticker.vwap_today), V(1, "vwap_last_24_hours", 'd', u.ticker.vwap_24h),
	V(1, "number_of_trades_today", 'i', u.ticker.trades_today),
	V(1, "number_of_trades_last_24_hours", 'i', u.ticker.trades_24h),
	V(1, "low_today", 'd', u.ticker.low_today), V(1, "low_last_24_hours", 'd', u.ticker.low_24h),
	V(1, "high_today", 'd', u.ticker.high_today), V(1, "high_last_24_hours", 'd', u.ticker.high_24h),
	V(1, "opening_price", 'd', u.ticker.opening_price),
	S(2, "instrument", u.book.instrument), SIDE("bids", n_bids, bids), SIDE("asks", n_asks, asks),
	S(3, "instrument", u.trade.instrument), V(3, "price", 'd', u.trade.price),
	V(3, "volume", 'd', u.trade.volume), V(3, "side", 'c', u.trade.side),
	V(3, "order_type", 'c', u.trade.order_type), S(3, "misc", u.trade.misc),
	V(3, "trade_id", 'i', u.trade.trade_id),
	S(4, "instrument_t0", u.eurusd.instrument_t0), V(4, "bid_t0", 'd', u.eurusd.bid_t0),
	V(4, "ask_t0", 'd', u.eurusd.ask_t0), S(4, "instrument_t1", u.eurusd.instrument_t1),
	V(4, "bid_t1", 'd', u.eurusd.bid_t1), V(4, "ask_t1", 'd', u.eurusd.ask_t1),
	S(5, "instrument_t0", u.eurusd_depth.instrument_t0),
	V(5, "eurusd_bid_t0", 'd', u.eurusd_depth.eurusd_bid_t0),
	V(5, "eurusd_ask_t0", 'd', u.eurusd_depth.eurusd_ask_t0), V(5, "bid_t0", 'd', u.eurusd_depth.bid_t0),
	V(5, "bid_volume_t0", 'd', u.eurusd_depth.bid_volume_t0), V(5, "ask_t0", 'd', u.eurusd_depth.ask_t0),
	V(5, "ask_volume_t0", 'd', u.eurusd_depth.ask_volume_t0),
	S(5, "instrument_t1", u.eurusd_depth.instrument_t1),
	V(5, "eurusd_bid_t1", 'd', u.eurusd_depth.eurusd_bid_t1),
	V(5, "eurusd_ask_t1", 'd', u.eurusd_depth.eurusd_ask_t1), V(5, "bid_t1", 'd', u.eurusd_depth.bid_t1),
	V(5, "bid_volume_t1", 'd', u.eurusd_depth.bid_volume_t1), V(5, "ask_t1", 'd', u.eurusd_depth.ask_t1),
	V(5, "ask_volume_t1", 'd', u.eurusd_depth.ask_volume_t1),
	S(6, "instrument", u.oanda.instrument), V(6, "bid", 'd', u.oanda.bid), V(6, "ask", 'd', u.oanda.ask),
	V(6, "bid_liquidity", 'i', u.oanda.bid_liquidity), V(6, "ask_liquidity", 'i', u.oanda.ask_liquidity),
	V(6, "closeout_bid", 'd', u.oanda.closeout_bid), V(6, "closeout_ask", 'd', u.oanda.closeout_ask),
	V(6, "tradeable", 'i', u.oanda.tradeable),
	S(7, "source", u.heartbeat.source),
	S(8, "market_id", u.betfair.market_id), V(8, "selection_id", 'i', u.betfair.selection_id),
	V(8, "handicap", 'd', u.betfair.handicap), S(8, "market_status", u.betfair.market_status),
	V(8, "in_play", 'i', u.betfair.in_play),
	V(8, "back_price_0", 'n', u.betfair.back_price_0), V(8, "back_size_0", 'n', u.betfair.back_size_0),
	V(8, "back_price_1", 'n', u.betfair.back_price_1), V(8, "back_size_1", 'n', u.betfair.back_size_1),
	V(8, "back_price_2", 'n', u.betfair.back_price_2), V(8, "back_size_2", 'n', u.betfair.back_size_2),
	V(8, "lay_price_0", 'n', u.betfair.lay_price_0), V(8, "lay_size_0", 'n', u.betfair.lay_size_0),
	V(8, "lay_price_1", 'n', u.betfair.lay_price_1), V(8, "lay_size_1", 'n', u.betfair.lay_size_1),
	V(8, "lay_price_2", 'n', u.betfair.lay_price_2), V(8, "lay_size_2", 'n', u.betfair.lay_size_2),
	V(8, "traded_volume", 'd', u.betfair.traded_volume), V(8, "last_traded", 'n', u.betfair.last_traded),
	S(9, "id", u.sentiment.id), S(9, "lang", u.sentiment.lang), S(9, "time_zone", u.sentiment.time_zone),
	S(9, "geohash", u.sentiment.geohash), S(9, "user", u.sentiment.user),
	S(9, "author_id", u.sentiment.author_id),
	V(9, "followers", 'i', u.sentiment.followers), V(9, "statuses", 'i', u.sentiment.statuses),
	V(9, "retweets", 'i', u.sentiment.retweets), V(9, "compound", 'd', u.sentiment.compound),
	V(9, "pos", 'd', u.sentiment.pos), V(9, "neu", 'd', u.sentiment.neu),
	V(9, "neg", 'd', u.sentiment.neg), S(9, "location", u.sentiment.location),
	S(9, "place", u.sentiment.place), V(9, "lat", 'n', u.sentiment.lat), V(9, "lon", 'n', u.sentiment.lon),
	S(9, "rules", u.sentiment.rules), S(9, "text", u.sentiment.text),
	V(10, "id", 'i', u.oanda_txn.id), S(10, "type", u.oanda_txn.type), S(10, "account", u.oanda_txn.account),
	S(10, "batch_id", u.oanda_txn.batch_id), S(10, "order_id", u.oanda_txn.order_id),
	S(10, "trade_id", u.oanda_txn.trade_id), S(10, "instrument", u.oanda_txn.instrument),
	S(10, "units", u.oanda_txn.units), S(10, "price", u.oanda_txn.price), S(10, "reason", u.oanda_txn.reason),
	S(10, "pl", u.oanda_txn.pl), S(10, "financing", u.oanda_txn.financing),
	S(11, "instrument", u.tick_stats.instrument), V(11, "window", 'i', u.tick_stats.window),
	V(11, "window_time", 'i', u.tick_stats.window_time), V(11, "count", 'i', u.tick_stats.count),
	V(11, "mid_mean", 'n', u.tick_stats.mid_mean), V(11, "mid_std", 'n', u.tick_stats.mid_std),
	V(11, "mid_min", 'n', u.tick_stats.mid_min), V(11, "mid_max", 'n', u.tick_stats.mid_max),
	V(11, "spread_mean", 'n', u.tick_stats.spread_mean),
	V(11, "spread_std", 'n', u.tick_stats.spread_std),
	V(11, "spread_min", 'n', u.tick_stats.spread_min),
	V(11, "spread_max", 'n', u.tick_stats.spread_max), V(11, "vwap", 'n', u.tick_stats.vwap),
	S(12, "instrument", u.exposure.instrument), S(12, "base_ccy", u.exposure.base_ccy),
	S(12, "term_ccy", u.exposure.term_ccy), V(12, "bid_tier_id", 'i', u.exposure.bid_tier_id),
	V(12, "top_bid", 'd', u.exposure.top_bid), V(12, "top_bid_volume", 'd', u.exposure.top_bid_volume),
	V(12, "bid_base_amount", 'd', u.exposure.bid_base_amount),
	V(12, "bid_term_amount", 'd', u.exposure.bid_term_amount),
	V(12, "ask_tier_id", 'i', u.exposure.ask_tier_id),
	V(12, "top_ask", 'd', u.exposure.top_ask), V(12, "top_ask_volume", 'd', u.exposure.top_ask_volume),
	V(12, "ask_base_amount", 'd', u.exposure.ask_base_amount),
	V(12, "ask_term_amount", 'd', u.exposure.ask_term_amount),
	V(13, "id", 'i', u.signal.id), S(13, "rule", u.signal.rule), V(13, "side", 'c', u.signal.side),
	S(13, "instrument", u.signal.instrument), V(13, "size", 'd', u.signal.size),
	V(13, "price", 'd', u.signal.price), V(13, "threshold", 'd', u.signal.threshold),
	S(13, "instrument_t0", u.signal.instrument_t0), V(13, "eurusd_bid_t0", 'd', u.signal.eurusd_bid_t0),
	V(13, "eurusd_ask_t0", 'd', u.signal.eurusd_ask_t0), S(13, "instrument_t1", u.signal.instrument_t1),
	V(13, "eurusd_bid_t1", 'd', u.signal.eurusd_bid_t1), V(13, "eurusd_ask_t1", 'd', u.signal.eurusd_ask_t1),
	V(13, "spread", 'd', u.signal.spread), V(13, "spread_t_bid", 'd', u.signal.spread_t_bid),
	V(13, "spread_t_ask", 'd', u.signal.spread_t_ask), V(13, "oanda_bid", 'n', u.signal.oanda_bid),
	V(13, "oanda_ask", 'n', u.signal.oanda_ask),
	S(14, "msgtype", u.basket.msgtype), S(14, "instrument_t0", u.basket.instrument_t0),
	V(14, "eurusd_bid_t0", 'd', u.basket.eurusd_bid_t0), V(14, "eurusd_ask_t0", 'd', u.basket.eurusd_ask_t0),
	V(14, "bid_t0", 'd', u.basket.bid_t0), V(14, "bid_volume_t0", 'd', u.basket.bid_volume_t0),
	V(14, "ask_t0", 'd', u.basket.ask_t0), V(14, "ask_volume_t0", 'd', u.basket.ask_volume_t0),
	S(14, "instrument_t1", u.basket.instrument_t1),
	V(14, "eurusd_bid_t1", 'd', u.basket.eurusd_bid_t1), V(14, "eurusd_ask_t1", 'd', u.basket.eurusd_ask_t1),
	V(14, "bid_t1", 'd', u.basket.bid_t1), V(14, "bid_volume_t1", 'd', u.basket.bid_volume_t1),
	V(14, "ask_t1", 'd', u.basket.ask_t1), V(14, "ask_volume_t1", 'd', u.basket.ask_volume_t1),
	V(14, "spread", 'd', u.basket.spread), V(14, "spread_t_bid", 'd', u.basket.spread_t_bid),
	V(14, "spread_t_ask", 'd', u.basket.spread_t_ask),
	S(14, "instrument_t0_cross", u.basket.instrument_t0_cross),
	V(14, "bid_t0_cross", 'n', u.basket.bid_t0_cross), V(14, "ask_t0_cross", 'n', u.basket.ask_t0_cross),
	S(14, "instrument_t1_cross", u.basket.instrument_t1_cross),
	V(14, "bid_t1_cross", 'n', u.basket.bid_t1_cross), V(14, "ask_t1_cross", 'n', u.basket.ask_t1_cross),
	S(14, "side_t0", u.basket.side_t0), S(14, "side_cross_t0", u.basket.side_cross_t0),
	S(14, "side_t1", u.basket.side_t1), S(14, "side_cross_t1", u.basket.side_cross_t1),
	S(15, "client_id", u.order.client_id), V(15, "signal_id", 'i', u.order.signal_id),
	S(15, "mode", u.order.mode), S(15, "instrument", u.order.instrument), V(15, "side", 'c', u.order.side),
	V(15, "units", 'd', u.order.units), V(15, "price", 'n', u.order.price),
	V(15, "take_profit", 'n', u.order.take_profit), V(15, "stop_loss", 'n', u.order.stop_loss),
	S(15, "state", u.order.state), S(15, "reason", u.order.reason), S(15, "broker_id", u.order.broker_id),
	S(16, "client_id", u.fill.client_id), V(16, "signal_id", 'i', u.fill.signal_id),
	S(16, "mode", u.fill.mode), S(16, "instrument", u.fill.instrument), V(16, "side", 'c', u.fill.side),
	V(16, "units", 'd', u.fill.units), V(16, "price", 'd', u.fill.price), V(16, "fee", 'd', u.fill.fee),
	V(16, "realised_pl", 'd', u.fill.realised_pl), S(16, "currency", u.fill.currency),
	S(16, "broker_id", u.fill.broker_id),
	S(17, "instrument", u.position.instrument), S(17, "mode", u.position.mode),
	V(17, "units", 'd', u.position.units), V(17, "average_price", 'n', u.position.average_price),
	V(17, "mark", 'n', u.position.mark), V(17, "realised_pl", 'd', u.position.realised_pl),
	V(17, "unrealised_pl", 'n', u.position.unrealised_pl), V(17, "fees", 'd', u.position.fees),
	S(17, "currency", u.position.currency),
};

#define N_NAMES (sizeof(names) / sizeof(names[0]))

static int fail(char *why, size_t cap, const char *what, const char *name)
{
	(void)snprintf(why, cap, "%s '%s'", what, name);
	return -1;
}

static int set_levels(struct nbpy_msg *m, const struct named *n, struct json_object *v, char *why, size_t cap)
{
	struct nbpy_book_level *lv = (void *)((char *)m + n->size);
	size_t count;

	if (!json_object_is_type(v, json_type_array) ||
	    (count = json_object_array_length(v)) > NBPY_BOOK_LEVELS_MAX)
		return fail(why, cap, "expected at most 32 levels in", n->name);
	for (size_t i = 0; i < count; i++) {
		struct json_object *l = json_object_array_get_idx(v, i);

		if (!json_object_is_type(l, json_type_array) || json_object_array_length(l) != 3)
			return fail(why, cap, "expected [price, volume, time_ns] in", n->name);
		lv[i].price = json_object_get_double(json_object_array_get_idx(l, 0));
		lv[i].volume = json_object_get_double(json_object_array_get_idx(l, 1));
		lv[i].time_ns = json_object_get_int64(json_object_array_get_idx(l, 2));
	}
	*(uint32_t *)((char *)m + n->off) = (uint32_t)count;
	return 0;
}

/* Set the member named n from v. */
static int set_one(struct nbpy_msg *m, const struct named *n, struct json_object *v, char *why, size_t cap)
{
	char *p = (char *)m + n->off;

	switch (n->type) {
	case 's':
	case 'c': {
		const char *s = json_object_get_string(v);
		size_t len = (size_t)json_object_get_string_len(v);

		if (!json_object_is_type(v, json_type_string) || len >= (n->type == 'c' ? 2 : n->size) ||
		    (n->type == 'c' && len != 1))
			return fail(why, cap, "bad or too long string for", n->name);
		memcpy(p, s, len + (n->type == 's'));
		return 0;
	}
	case 'n':
		if (v == NULL) {	/* JSON null: undefined */
			*(double *)p = NAN;
			return 0;
		}
		/* fall through */
	case 'd':
		if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
			return fail(why, cap, "expected a number for", n->name);
		*(double *)p = json_object_get_double(v);
		return 0;
	case 'i':
	case 'u':
		if (!json_object_is_type(v, json_type_int))
			return fail(why, cap, "expected an integer for", n->name);
		errno = 0;
		if (n->type == 'i')
			*(int64_t *)p = json_object_get_int64(v);
		else
			*(uint64_t *)p = json_object_get_uint64(v);
		return errno == 0 ? 0 : fail(why, cap, "integer out of range for", n->name);
	default:
		return set_levels(m, n, v, why, cap);
	}
}

/* Fill m's header (schema 0 names) or body (schema id) from the JSON
 * object: every name of that schema must be there, and nothing else. */
static int set_all(struct nbpy_msg *m, int schema, struct json_object *o, char *why, size_t cap)
{
	size_t known = 0;

	if (!json_object_is_type(o, json_type_object))
		return fail(why, cap, "expected an object for", schema ? "body" : "header");
	for (size_t i = 0; i < N_NAMES; i++) {
		struct json_object *v;

		if (names[i].schema != schema)
			continue;
		if (!json_object_object_get_ex(o, names[i].name, &v))
			return fail(why, cap, "missing field", names[i].name);
		if (set_one(m, &names[i], v, why, cap) < 0)
			return -1;
		known++;
	}
	if (schema == 0)
		known++;	/* recv_delta_ns */
	if ((size_t)json_object_object_length(o) != known)
		return fail(why, cap, "fields this tool does not know in", schema ? "body" : "header");
	return 0;
}

static struct json_object *get_one(const struct nbpy_msg *m, const struct named *n)
{
	const char *p = (const char *)m + n->off;

	switch (n->type) {
	case 's':
		return json_object_new_string(p);
	case 'c':
		return json_object_new_string_len(p, 1);
	case 'n':		/* NaN: NULL, which json-c writes as null */
		if (isnan(*(const double *)p))
			return NULL;
		/* fall through */
	case 'd':
		return json_object_new_double(*(const double *)p);
	case 'i':
		return json_object_new_int64(*(const int64_t *)p);
	case 'u':
		return json_object_new_uint64(*(const uint64_t *)p);
	default: {
		const struct nbpy_book_level *lv = (const void *)((const char *)m + n->size);
		struct json_object *a = json_object_new_array();

		for (uint32_t i = 0; i < *(const uint32_t *)p; i++) {
			struct json_object *l = json_object_new_array();

			json_object_array_add(l, json_object_new_double(lv[i].price));
			json_object_array_add(l, json_object_new_double(lv[i].volume));
			json_object_array_add(l, json_object_new_int64(lv[i].time_ns));
			json_object_array_add(a, l);
		}
		return a;
	}
	}
}

static struct json_object *get_all(const struct nbpy_msg *m, int schema)
{
	struct json_object *o = json_object_new_object();

	for (size_t i = 0; i < N_NAMES; i++)
		if (names[i].schema == schema)
			json_object_object_add(o, names[i].name, get_one(m, &names[i]));
	if (schema == 0)
		json_object_object_add(o, "recv_delta_ns", json_object_new_int64(m->h.recv_ns - m->h.event_ns));
	return o;
}

static struct json_object *hex(const char *buf, size_t len)
{
	static char out[2 * NBPY_LEGACY_MAX + 1];

	for (size_t i = 0; i < len; i++)
		(void)snprintf(out + 2 * i, 3, "%02x", (unsigned char)buf[i]);
	out[2 * len] = '\0';
	return json_object_new_string(out);
}

static int encode(struct json_object *in, struct json_object *out, char *why, size_t cap)
{
	struct json_object *schema, *header, *body, *delta;
	char buf[NBPY_LEGACY_MAX];
	struct nbpy_error err;
	struct nbpy_msg m;
	size_t len;

	memset(&m, 0, sizeof(m));
	if (!json_object_object_get_ex(in, "schema", &schema) ||
	    !json_object_object_get_ex(in, "header", &header) ||
	    !json_object_object_get_ex(in, "body", &body) ||
	    !json_object_object_get_ex(header, "recv_delta_ns", &delta))
		return fail(why, cap, "expected schema, header, body and", "recv_delta_ns");
	m.h.schema = (enum nbpy_schema)json_object_get_int(schema);
	if (set_all(&m, 0, header, why, cap) < 0 || set_all(&m, m.h.schema, body, why, cap) < 0)
		return -1;
	m.h.recv_ns = m.h.event_ns + json_object_get_int64(delta);
	nbpy_wire_derive(&m);	/* the spreads, as a publisher fills them in */
	if (nbpy_wire_encode(&m, buf, sizeof(buf), &len, &err) < 0)
		return fail(why, cap, "nbpy_wire_encode:", err.msg);
	json_object_object_add(out, "msgpack", hex(buf, len));
	if (nbpy_legacy_encode(&m, NULL, buf, sizeof(buf), &len, &err) < 0)
		return fail(why, cap, "nbpy_legacy_encode:", err.msg);
	json_object_object_add(out, "legacy", hex(buf, len));
	return 0;
}

static int decode(const char *text, struct json_object *out, char *why, size_t cap)
{
	char buf[NBPY_WIRE_MAX + 1];
	size_t len = strlen(text) / 2;
	struct nbpy_error err;
	struct nbpy_msg m;

	if (len > sizeof(buf) || strlen(text) % 2)
		return fail(why, cap, "bad hex", "decode");
	for (size_t i = 0; i < len; i++)
		if (sscanf(text + 2 * i, "%2hhx", (unsigned char *)&buf[i]) != 1)
			return fail(why, cap, "bad hex", "decode");
	if (nbpy_wire_decode(buf, len, &m, &err) < 0)
		return fail(why, cap, "nbpy_wire_decode:", err.msg);
	json_object_object_add(out, "schema", json_object_new_int(m.h.schema));
	json_object_object_add(out, "header", get_all(&m, 0));
	json_object_object_add(out, "body", m.h.schema == NBPY_SCHEMA_ANNOUNCEMENT ?
			       json_object_new_object() : get_all(&m, m.h.schema));
	return 0;
}

int main(void)
{
	static char line[1 << 16];

	while (fgets(line, sizeof(line), stdin) != NULL) {
		struct json_object *in = json_tokener_parse(line), *out = json_object_new_object(), *h;
		char why[512] = "";
		int rc;

		if (in == NULL || strchr(line, '\n') == NULL)
			rc = fail(why, sizeof(why), "not one JSON line of at most", "64 KiB");
		else if (json_object_object_get_ex(in, "decode", &h))
			rc = decode(json_object_get_string(h), out, why, sizeof(why));
		else
			rc = encode(in, out, why, sizeof(why));
		if (rc < 0) {
			json_object_put(out);
			out = json_object_new_object();
			json_object_object_add(out, "error", json_object_new_string(why));
		}
		if (puts(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN)) < 0)
			return 1;
		json_object_put(out);
		json_object_put(in);
	}
	return ferror(stdin) || fflush(stdout) != 0 ? 1 : 0;
}
