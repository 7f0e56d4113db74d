/* wire_fields.h - the field tables of every schema: the MessagePack header and
 * body fields, and the legacy SOH field orders.
 *
 * The MessagePack layout is a positional array:
 *   [schema, version, service, seq, event_ns, recv_ns - event_ns, body...]
 * with the body fields in the order listed here.  The legacy lists give the
 * original Python services' SOH-separated field order (reference section 3).
 * Adding a field means a new version; docs/wire-format.md mirrors these
 * tables.
 *
 * A header of static tables rather than a .c file, so that wire_msgpack.c
 * sees them as compile-time constants and unrolls its encoder and decoder
 * per schema; wire_schema.c builds the descriptors that everything else
 * reads.  Include it from those two files only. */
#ifndef NBPY_WIRE_FIELDS_H
#define NBPY_WIRE_FIELDS_H

#include <stddef.h>

#include "common/wire.h"

#define FIELD(name, type, member, size, unit) \
	{ name, type, offsetof(struct nbpy_msg, member), size, unit }
#define MEMBER_SIZE(member) sizeof(((struct nbpy_msg *)0)->member)
#define STR(name, member)  FIELD(name, NBPY_F_STR, member, MEMBER_SIZE(member), "UTF-8")
#define F64(name, member, unit) FIELD(name, NBPY_F_F64, member, 0, unit)
#define I64(name, member, unit) FIELD(name, NBPY_F_I64, member, 0, unit)
#define CHR(name, member, unit) FIELD(name, NBPY_F_CHAR, member, 0, unit)
#define LEVELS(name, count, levels) \
	FIELD(name, NBPY_F_LEVELS, count, offsetof(struct nbpy_msg, levels), "[price, volume, time ns]")
#define TIMEF(name, type, unit) FIELD(name, type, h.event_ns, 0, unit)
#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct nbpy_field wire_header_fields[] = {
	STR("service", h.service),
	FIELD("seq", NBPY_F_U64, h.seq, 0, "count"),
	I64("event_ns", h.event_ns, "ns since epoch"),
	FIELD("recv_delta_ns", NBPY_F_RECV_DELTA, h.recv_ns, 0, "ns, recv - event"),
};

/* S1: u.ticker, wire and legacy orders are the same. */
#define T(f) u.ticker.f
static const struct nbpy_field ticker_fields[] = {
	STR("instrument", T(instrument)),
	F64("ask_price", T(ask_price), "quote currency"),
	I64("ask_whole_lot_volume", T(ask_whole_lot_volume), "lots"),
	F64("ask_lot_volume", T(ask_lot_volume), "base currency"),
	F64("bid_price", T(bid_price), "quote currency"),
	I64("bid_whole_lot_volume", T(bid_whole_lot_volume), "lots"),
	F64("bid_lot_volume", T(bid_lot_volume), "base currency"),
	F64("last_trade_price", T(last_trade_price), "quote currency"),
	F64("last_trade_lot_volume", T(last_trade_lot_volume), "base currency"),
	F64("volume_today", T(volume_today), "base currency"),
	F64("volume_last_24_hours", T(volume_24h), "base currency"),
	F64("vwap_today", T(vwap_today), "quote currency"),
	F64("vwap_last_24_hours", T(vwap_24h), "quote currency"),
	I64("number_of_trades_today", T(trades_today), "count"),
	I64("number_of_trades_last_24_hours", T(trades_24h), "count"),
	F64("low_today", T(low_today), "quote currency"),
	F64("low_last_24_hours", T(low_24h), "quote currency"),
	F64("high_today", T(high_today), "quote currency"),
	F64("high_last_24_hours", T(high_24h), "quote currency"),
	F64("opening_price", T(opening_price), "quote currency"),
};
#undef T

static const struct nbpy_field book_fields[] = {
	STR("instrument", u.book.instrument),
	LEVELS("bids", u.book.n_bids, u.book.bids),
	LEVELS("asks", u.book.n_asks, u.book.asks),
};

static const struct nbpy_field trade_fields[] = {
	STR("instrument", u.trade.instrument),
	F64("price", u.trade.price, "quote currency"),
	F64("volume", u.trade.volume, "base currency"),
	CHR("side", u.trade.side, "b|s"),
	CHR("order_type", u.trade.order_type, "m|l"),
	STR("misc", u.trade.misc),
	I64("trade_id", u.trade.trade_id, "id"),
};
static const struct nbpy_field trade_legacy[] = {
	STR("instrument", u.trade.instrument),
	F64("price", u.trade.price, "quote currency"),
	F64("volume", u.trade.volume, "base currency"),
	TIMEF("time", NBPY_F_TIME_SECONDS, "s since epoch"),
	CHR("side", u.trade.side, "b|s"),
	CHR("order_type", u.trade.order_type, "m|l"),
	STR("misc", u.trade.misc),
	I64("trade_id", u.trade.trade_id, "id"),
};

#define E(f) u.eurusd.f
static const struct nbpy_field eurusd_fields[] = {
	STR("instrument_t0", E(instrument_t0)),
	F64("bid_t0", E(bid_t0), "USD per EUR"),
	F64("ask_t0", E(ask_t0), "USD per EUR"),
	STR("instrument_t1", E(instrument_t1)),
	F64("bid_t1", E(bid_t1), "USD per EUR"),
	F64("ask_t1", E(ask_t1), "USD per EUR"),
};
static const struct nbpy_field eurusd_legacy[] = {
	STR("instrument_t0", E(instrument_t0)),
	F64("bid_t0", E(bid_t0), "USD per EUR"),
	F64("ask_t0", E(ask_t0), "USD per EUR"),
	STR("instrument_t1", E(instrument_t1)),
	F64("bid_t1", E(bid_t1), "USD per EUR"),
	F64("ask_t1", E(ask_t1), "USD per EUR"),
	F64("spread", E(spread), "USD per EUR"),
	F64("spread_t_bid", E(spread_t_bid), "USD per EUR"),
	F64("spread_t_ask", E(spread_t_ask), "USD per EUR"),
};
#undef E

#define D(f) u.eurusd_depth.f
#define EURUSD_DEPTH_BODY \
	STR("instrument_t0", D(instrument_t0)), \
	F64("eurusd_bid_t0", D(eurusd_bid_t0), "USD per EUR"), \
	F64("eurusd_ask_t0", D(eurusd_ask_t0), "USD per EUR"), \
	F64("bid_t0", D(bid_t0), "quote currency"), \
	F64("bid_volume_t0", D(bid_volume_t0), "base currency"), \
	F64("ask_t0", D(ask_t0), "quote currency"), \
	F64("ask_volume_t0", D(ask_volume_t0), "base currency"), \
	STR("instrument_t1", D(instrument_t1)), \
	F64("eurusd_bid_t1", D(eurusd_bid_t1), "USD per EUR"), \
	F64("eurusd_ask_t1", D(eurusd_ask_t1), "USD per EUR"), \
	F64("bid_t1", D(bid_t1), "quote currency"), \
	F64("bid_volume_t1", D(bid_volume_t1), "base currency"), \
	F64("ask_t1", D(ask_t1), "quote currency"), \
	F64("ask_volume_t1", D(ask_volume_t1), "base currency")
static const struct nbpy_field eurusd_depth_fields[] = { EURUSD_DEPTH_BODY };
static const struct nbpy_field eurusd_depth_legacy[] = {
	EURUSD_DEPTH_BODY,
	F64("spread", D(spread), "USD per EUR"),
	F64("spread_t_bid", D(spread_t_bid), "USD per EUR"),
	F64("spread_t_ask", D(spread_t_ask), "USD per EUR"),
};
#undef D

static const struct nbpy_field oanda_fields[] = {
	STR("instrument", u.oanda.instrument),
	F64("bid", u.oanda.bid, "quote currency"),
	F64("ask", u.oanda.ask, "quote currency"),
};
static const struct nbpy_field oanda_legacy[] = {
	STR("instrument", u.oanda.instrument),
	TIMEF("time", NBPY_F_TIME_RFC3339, "RFC 3339"),
	F64("bid", u.oanda.bid, "quote currency"),
	F64("ask", u.oanda.ask, "quote currency"),
};

static const struct nbpy_field heartbeat_fields[] = {
	STR("source", u.heartbeat.source),
};
static const struct nbpy_field heartbeat_legacy[] = {
	TIMEF("time", NBPY_F_TIME_RFC3339, "RFC 3339"),
	FIELD("now", NBPY_F_RECV_RFC3339, h.recv_ns, 0, "RFC 3339"),
	FIELD("lag", NBPY_F_LAG_SECONDS, h.recv_ns, 0, "s"),
};

#define B(f) u.betfair.f
static const struct nbpy_field betfair_fields[] = {
	STR("market_id", B(market_id)),
	I64("selection_id", B(selection_id), "id"),
	CHR("side", B(side), "B|L"),
	I64("level", B(level), "0 = best"),
	F64("price", B(price), "decimal odds"),
	F64("size", B(size), "GBP"),
};
static const struct nbpy_field betfair_legacy[] = {
	STR("market_id", B(market_id)),
	TIMEF("publish_time", NBPY_F_TIME_MS, "ms since epoch"),
	I64("selection_id", B(selection_id), "id"),
	CHR("side", B(side), "B|L"),
	I64("level", B(level), "0 = best"),
	F64("price", B(price), "decimal odds"),
	F64("size", B(size), "GBP"),
};
#undef B

#define S(f) u.sentiment.f
static const struct nbpy_field sentiment_fields[] = {
	STR("id", S(id)),
	STR("lang", S(lang)),
	STR("time_zone", S(time_zone)),
	STR("geohash", S(geohash)),
	STR("user", S(user)),
	I64("followers", S(followers), "count"),
	I64("statuses", S(statuses), "count"),
	I64("retweets", S(retweets), "count"),
	F64("pos", S(pos), "0..1"),
	F64("neg", S(neg), "0..1"),
	STR("location", S(location)),
	STR("text", S(text)),
};
static const struct nbpy_field sentiment_legacy[] = {
	STR("id", S(id)),
	TIMEF("time", NBPY_F_TIME_ISO, "UTC"),
	STR("lang", S(lang)),
	STR("time_zone", S(time_zone)),
	STR("geohash", S(geohash)),
	STR("user", S(user)),
	I64("followers", S(followers), "count"),
	I64("statuses", S(statuses), "count"),
	I64("retweets", S(retweets), "count"),
	F64("pos", S(pos), "0..1"),
	F64("neg", S(neg), "0..1"),
	STR("location", S(location)),
	STR("text", S(text)),
};
#undef S

#endif
