/* wire.h - the messages nbpy services exchange, and their two encodings.
 *
 * Every message is a struct nbpy_msg: a header (schema, publishing service,
 * per-publisher sequence number, event and receive times in ns) and one body
 * per schema.  Each schema is described once, as data, in wire_fields.h; the
 * MessagePack codec (wire_msgpack.c, unrolled per schema at compile time) and
 * the legacy text codec of the original Python services (wire_legacy.c) walk
 * those tables, and wire_schema.c describes each schema to everything else.
 * docs/wire-format.md is the contract for other languages. */
#ifndef NBPY_WIRE_H
#define NBPY_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define NBPY_WIRE_VERSION 1
#define NBPY_WIRE_MAX 4096		/* largest MessagePack payload accepted */
#define NBPY_LEGACY_MAX 8192		/* largest legacy frame, topic included */
#define NBPY_TOPIC_MAX 63
#define NBPY_SERVICE_MAX 63
#define NBPY_INSTRUMENT_MAX 31
#define NBPY_BOOK_LEVELS_MAX 32
#define NBPY_TEXT_MAX 1120		/* 280 characters of 4-byte UTF-8 */

enum nbpy_schema {
	NBPY_SCHEMA_NONE = 0,		/* not (yet) a defined schema */
	NBPY_SCHEMA_ANNOUNCEMENT = 0,	/* on the wire: a sequence announcement, below */
	NBPY_SCHEMA_KRAKEN_TICKER = 1,	/* S1 */
	NBPY_SCHEMA_BOOK_TOP = 2,	/* S3 */
	NBPY_SCHEMA_TRADE = 3,
	NBPY_SCHEMA_EURUSD_TICK = 4,	/* S2 */
	NBPY_SCHEMA_EURUSD_DEPTH = 5,	/* S4 */
	NBPY_SCHEMA_OANDA_PRICE = 6,	/* S5 */
	NBPY_SCHEMA_HEARTBEAT = 7,	/* S7b */
	NBPY_SCHEMA_BETFAIR_MC = 8,	/* S9, one ladder level per message */
	NBPY_SCHEMA_SENTIMENT = 9,	/* S8 */
	NBPY_SCHEMA_END
};

struct nbpy_kraken_ticker {
	char instrument[NBPY_INSTRUMENT_MAX + 1];
	double ask_price;
	int64_t ask_whole_lot_volume;
	double ask_lot_volume;
	double bid_price;
	int64_t bid_whole_lot_volume;
	double bid_lot_volume;
	double last_trade_price;
	double last_trade_lot_volume;
	double volume_today;
	double volume_24h;
	double vwap_today;
	double vwap_24h;
	int64_t trades_today;
	int64_t trades_24h;
	double low_today;
	double low_24h;
	double high_today;
	double high_24h;
	double opening_price;
};

struct nbpy_book_level {
	double price;
	double volume;
	int64_t time_ns;
};

struct nbpy_book_top {
	char instrument[NBPY_INSTRUMENT_MAX + 1];
	uint32_t n_bids;	/* best first */
	uint32_t n_asks;	/* best first */
	struct nbpy_book_level bids[NBPY_BOOK_LEVELS_MAX];
	struct nbpy_book_level asks[NBPY_BOOK_LEVELS_MAX];
};

struct nbpy_trade {
	char instrument[NBPY_INSTRUMENT_MAX + 1];
	double price;
	double volume;
	char side;		/* 'b' buy, 's' sell */
	char order_type;	/* 'm' market, 'l' limit */
	char misc[16];
	int64_t trade_id;	/* time is header.event_ns */
};

/* Derived fields (spreads) are not on the MessagePack wire: decoders compute
 * them with nbpy_wire_derive(), exactly as the original did. */
struct nbpy_eurusd_tick {
	char instrument_t0[NBPY_INSTRUMENT_MAX + 1];
	double bid_t0;
	double ask_t0;
	char instrument_t1[NBPY_INSTRUMENT_MAX + 1];
	double bid_t1;
	double ask_t1;
	double spread;		/* round(ask_t1 - bid_t1, 5) */
	double spread_t_bid;	/* round(ask_t0 - bid_t1, 5) */
	double spread_t_ask;	/* round(ask_t1 - bid_t0, 5) */
};

struct nbpy_eurusd_depth {
	char instrument_t0[NBPY_INSTRUMENT_MAX + 1];
	double eurusd_bid_t0;
	double eurusd_ask_t0;
	double bid_t0;
	double bid_volume_t0;
	double ask_t0;
	double ask_volume_t0;
	char instrument_t1[NBPY_INSTRUMENT_MAX + 1];
	double eurusd_bid_t1;
	double eurusd_ask_t1;
	double bid_t1;
	double bid_volume_t1;
	double ask_t1;
	double ask_volume_t1;
	double spread;		/* derived as in nbpy_eurusd_tick */
	double spread_t_bid;
	double spread_t_ask;
};

struct nbpy_oanda_price {
	char instrument[NBPY_INSTRUMENT_MAX + 1];
	double bid;
	double ask;		/* time is header.event_ns */
};

struct nbpy_heartbeat {
	char source[NBPY_INSTRUMENT_MAX + 1];	/* time is header.event_ns */
};

struct nbpy_betfair_mc {
	char market_id[24];
	int64_t selection_id;
	char side;		/* 'B' back, 'L' lay */
	int64_t level;		/* 0 = best */
	double price;
	double size;		/* publish time is header.event_ns */
};

struct nbpy_sentiment {
	char id[24];
	char lang[16];
	char time_zone[64];
	char geohash[16];
	char user[64];
	int64_t followers;
	int64_t statuses;
	int64_t retweets;
	double pos;
	double neg;
	char location[128];
	char text[NBPY_TEXT_MAX + 1];	/* created_at is header.event_ns */
};

struct nbpy_msg_header {
	enum nbpy_schema schema;
	char service[NBPY_SERVICE_MAX + 1];
	uint64_t seq;
	int64_t event_ns;	/* when it happened at the source */
	int64_t recv_ns;	/* when nbpy received it from the source */
};

struct nbpy_msg {
	struct nbpy_msg_header h;
	union {
		struct nbpy_kraken_ticker ticker;
		struct nbpy_book_top book;
		struct nbpy_trade trade;
		struct nbpy_eurusd_tick eurusd;
		struct nbpy_eurusd_depth eurusd_depth;
		struct nbpy_oanda_price oanda;
		struct nbpy_heartbeat heartbeat;
		struct nbpy_betfair_mc betfair;
		struct nbpy_sentiment sentiment;
	} u;
};

/* ---- schema descriptions (wire_schema.c) ---- */

enum nbpy_field_type {
	NBPY_F_STR,		/* char[size], UTF-8, no NUL */
	NBPY_F_F64,		/* finite double */
	NBPY_F_I64,
	NBPY_F_U64,
	NBPY_F_CHAR,		/* one printable ASCII character */
	NBPY_F_LEVELS,		/* book side: uint32 count at offset, levels at aux */
	NBPY_F_RECV_DELTA,	/* h.recv_ns, sent as recv_ns - event_ns */
	/* legacy text only: renderings of the header times */
	NBPY_F_TIME_RFC3339,	/* h.event_ns as 2018-09-27T20:19:03.817645123Z */
	NBPY_F_RECV_RFC3339,	/* h.recv_ns likewise */
	NBPY_F_LAG_SECONDS,	/* (recv_ns - event_ns) / 1e9, Python float text */
	NBPY_F_TIME_SECONDS,	/* h.event_ns as seconds with 9 decimals */
	NBPY_F_TIME_MS,		/* h.event_ns as integer milliseconds */
	NBPY_F_TIME_ISO,	/* h.event_ns as 2018-09-27T20:19:03 (UTC) */
};

struct nbpy_field {
	const char *name;
	enum nbpy_field_type type;
	size_t offset;		/* from the start of struct nbpy_msg */
	size_t size;		/* STR: buffer size; LEVELS: offset of the levels */
	const char *unit;	/* for docs and tools */
};

struct nbpy_schema_desc {
	enum nbpy_schema id;
	const char *name;		/* "eurusd_tick" */
	const char *legacy_topic;	/* the original's topic, "" if none */
	const struct nbpy_field *fields;	/* MessagePack body, in order */
	size_t n_fields;
	const struct nbpy_field *legacy;	/* legacy SOH fields, in order */
	size_t n_legacy;		/* 0: the body is Kraken Depth JSON */
	void (*derive)(struct nbpy_msg *m);
};

/* The MessagePack header fields after schema and version. */
extern const struct nbpy_field *const nbpy_header_fields;
extern const size_t nbpy_n_header_fields;

const struct nbpy_schema_desc *nbpy_schema_get(enum nbpy_schema id);
const struct nbpy_schema_desc *nbpy_schema_by_name(const char *name);
const struct nbpy_schema_desc *nbpy_schema_by_legacy_topic(const char *topic);

/* Compute the derived fields of m (no-op for schemas without any). */
void nbpy_wire_derive(struct nbpy_msg *m);

/* ---- JSON view of one field (wire_json.c), NULL for legacy-only types ---- */

struct json_object;
struct json_object *nbpy_wire_field_json(const struct nbpy_msg *m, const struct nbpy_field *f);

/* ---- MessagePack (wire_msgpack.c) ---- */

/* Encode m into buf; on success *len is the payload size.  Fails on values
 * that must not travel: non-finite numbers, invalid UTF-8, oversize. */
int nbpy_wire_encode(const struct nbpy_msg *m, void *buf, size_t cap, size_t *len,
		     struct nbpy_error *err);

/* Decode one payload.  Never trusts the input: any malformed, truncated,
 * oversized or wrongly typed payload is an error with a reason. */
int nbpy_wire_decode(const void *buf, size_t len, struct nbpy_msg *m, struct nbpy_error *err);

/* Decode the message at the start of buf (a batch frame holds several back
 * to back) and say how many bytes it took. */
int nbpy_wire_decode_next(const void *buf, size_t len, size_t *used, struct nbpy_msg *m,
			  struct nbpy_error *err);

#define NBPY_BATCH_MAX 64	/* messages in one batch frame */

/* A sequence announcement is schema id 0 with the header alone:
 *   [0, 1, service, seq, event_ns, 0]
 * Every MessagePack publisher sends one periodically on each topic it
 * publishes, seq being the last sequence number service published there, so
 * that subscribers count what they lost after the last message they received
 * (docs/wire-format.md).  nbpy_wire_encode and the decoders handle it like a
 * schema of that id without a body: h.schema is NBPY_SCHEMA_ANNOUNCEMENT. */

/* The service and sequence number of an encoded message, read from its
 * header without decoding the rest; -1 if it does not start like one. */
int nbpy_wire_peek_sequence(const void *buf, size_t len, const char **service, size_t *service_len,
			    uint64_t *seq);

/* ---- legacy text (wire_legacy.c) ---- */

/* Encode "<topic> <f1>\x01<f2>..." (or "<topic> <Kraken Depth JSON>" for
 * the book).  topic NULL means the schema's original topic. */
int nbpy_legacy_encode(const struct nbpy_msg *m, const char *topic, char *buf, size_t cap,
		       size_t *len, struct nbpy_error *err);

/* Decode a legacy frame of the given schema the way the originals parsed it:
 * split at the first space, then at SOH.  The topic is copied to topic (may
 * be NULL).  Header fields the frame lacks are left 0. */
int nbpy_legacy_decode(const char *frame, size_t len, enum nbpy_schema schema,
		       struct nbpy_msg *m, char *topic, size_t topic_cap, struct nbpy_error *err);

#endif
