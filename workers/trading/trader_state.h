/* trader_state.h - what a trader keeps across restarts, in
 * STATE_DIR/trader/SERVICE.json: the positions, the last signal acted on,
 * the daily-loss window, the recent orders of the rate limit and the orders
 * sent and not answered yet (enough of each to look it up at OANDA after a
 * crash and settle what it became).  Written atomically (common/fs.h);
 * a file that cannot be read back is an error, never a silent reset. */
#ifndef NBPY_TRADING_TRADER_STATE_H
#define NBPY_TRADING_TRADER_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/wire.h"
#include "workers/trading/broker.h"
#include "workers/trading/position.h"

#define TRADER_MAX_INSTRUMENTS 16	/* positions held, at most */
#define TRADER_MAX_RATE 1000		/* max_orders_per_minute, at most */
#define TRADER_MAX_IN_FLIGHT 16		/* orders sent and not answered, at most */

struct trader_holding {
	char instrument[NBPY_INSTRUMENT_MAX + 1];
	struct position p;
};

/* An order sent and not answered.  A state file written before the orders
 * were kept whole has only their client ids: then o.instrument is "" and
 * the order cannot be looked up (the trader says its fate is unknown). */
struct trader_in_flight {
	struct trade_order o;	/* trailing_stop NaN and decimals 0: not kept */
	double rate;		/* account currency per unit of its quote currency, when sent */
	int64_t event_ns, recv_ns;	/* of its signal */
};

struct trader_state {
	int64_t last_signal_id;		/* signals at or below it are duplicates */
	int64_t day;			/* UTC day (days since 1970) of the daily-loss window */
	double day_start_pl;		/* realised + unrealised when it began, account currency */
	bool halted;			/* the daily loss tripped: no opening order until the next day */
	double halted_loss;		/* ...at this loss */
	struct trader_holding held[TRADER_MAX_INSTRUMENTS];
	size_t n_held;
	int64_t recent[TRADER_MAX_RATE];	/* event times of the orders sent, oldest first */
	size_t n_recent;
	struct trader_in_flight in_flight[TRADER_MAX_IN_FLIGHT];
	size_t n_in_flight;
};

/* Write s to path atomically.  -1 with err. */
int trader_state_save(const struct trader_state *s, const char *path, struct nbpy_error *err);

/* Read path into s (zeroed first).  1: no such file (s is empty, a first
 * run); 0: read; -1: unreadable or not a state file, err naming the file and
 * what is wrong. */
int trader_state_load(struct trader_state *s, const char *path, struct nbpy_error *err);

#endif
