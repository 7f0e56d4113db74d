/* tick_source.h - what a tick of rolling statistics is, by schema: which
 * fields of a kraken_ticker, oanda_price or trade message are its
 * instrument, bid, ask, price and volume.  One table for the kind
 * stats.rolling (workers/stats/rolling.c) and the batch tool nbpy-stats
 * (tools/stats/input.c), so that a live service and a backfill of the same
 * messages compute the same statistics.
 *
 *   kraken_ticker: bid_price, ask_price; last_trade_price and
 *     last_trade_lot_volume for the VWAP;
 *   oanda_price: bid, ask; no trade (price and volume NaN: VWAP undefined);
 *   trade: no quote, so its price is both bid and ask (the mid is the trade
 *     price, the spread 0), and price and volume for the VWAP. */
#ifndef NBPY_WORKERS_TICK_SOURCE_H
#define NBPY_WORKERS_TICK_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/wire.h"

/* A field of the message: its offset in struct nbpy_msg and its member's
 * name, which is also its column in the schema's SQL table (schemas.def);
 * offset TICK_FIELD_NONE: not in the schema (NaN), column NULL. */
struct tick_field {
	size_t offset;
	const char *column;
};
#define TICK_FIELD_NONE SIZE_MAX

struct tick_source {
	enum nbpy_schema schema;
	size_t instrument;		/* offset of the NUL-terminated name */
	struct tick_field bid, ask, price, volume;
	bool quote;			/* a quote of its own (bid and ask), not a trade */
};

extern const struct tick_source tick_sources[];
extern const size_t tick_sources_n;

/* One tick of a message. */
struct tick_fields {
	const char *instrument;		/* in the message */
	double bid, ask, price, volume;	/* NaN: not in the schema */
};

/* The tick of m into *t, and its schema's source; NULL (t untouched): m's
 * schema has no ticks.  One call per message, for stats.rolling's path. */
const struct tick_source *tick_read(const struct nbpy_msg *m, struct tick_fields *t);

#endif
