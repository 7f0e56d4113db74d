/* broker.h - where a trader's orders go.  mode = paper fills them in the
 * trader itself, against the latest quote (trader.c); practice and live send
 * OANDA v20 market orders (oanda_orders.c) through the worker's curl multi,
 * asynchronously: the answer comes back to a callback on the loop. */
#ifndef NBPY_TRADING_BROKER_H
#define NBPY_TRADING_BROKER_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "common/wire.h"

struct worker;

/* One market order, as the trader decided it. */
struct trade_order {
	char client_id[48];	/* nbpy-<crc32c(service) in 8 hex>-<signal id>-<leg>: a retry reuses it */
	int64_t signal_id;
	char instrument[NBPY_INSTRUMENT_MAX + 1];	/* e.g. EUR_USD */
	char side;		/* 'b' buy or 's' sell */
	double units;		/* > 0, whole units */
	double price;		/* the quote it was priced on: ask (buy) or bid (sell) */
	double take_profit;	/* NaN: none */
	double stop_loss;	/* NaN: none */
	double trailing_stop;	/* a distance in price units; NaN: none */
	int decimals;		/* how many decimals the prices above are sent with */
};

enum trade_outcome {
	TRADE_FILLED,		/* units at price */
	TRADE_REJECTED,		/* the broker said no (cancelled FOK, insufficient margin...): not retried */
	TRADE_FAILED,		/* no answer after every retry: the order's fate is unknown */
};

struct trade_result {
	enum trade_outcome outcome;
	double units;		/* filled, > 0 */
	double price;		/* the fill's price */
	double fee;		/* commission and the like, account currency, >= 0 */
	char broker_id[24];	/* the broker's order id (orderCreateTransaction), or "" */
	char fill_id[24];	/* the fill's transaction id, or "" */
	char reason[64];	/* not filled: the broker's reason or errorCode, or what failed */
};

typedef void (*broker_done_fn)(struct worker *w, const struct trade_order *o,
			       const struct trade_result *r, void *arg);

/* ---- OANDA v20 (oanda_orders.c) ---- */

struct oanda_broker_config {
	const char *api_url;	/* e.g. https://api-fxpractice.oanda.com, no trailing slash */
	const char *account;	/* checked by oanda_url_safe */
	const char *token;	/* a secret: never logged */
	int64_t timeout_ns;	/* one request */
	int retries;		/* after a timeout or a 5xx, with the same client id */
	const char *cainfo;	/* NULL: the system's CA certificates */
};

struct oanda_broker;

/* NULL with *err filled (out of memory, a bad account name). */
struct oanda_broker *oanda_broker_new(const struct oanda_broker_config *c, struct nbpy_error *err);

/* Send o (copied); done is called exactly once from the loop, never from
 * inside this call.  A timeout or a 5xx is retried with the same client id
 * after asking OANDA whether that client id already exists, so a retried
 * request cannot fill twice.  -1: could not start (done is not called). */
int oanda_broker_submit(struct worker *w, struct oanda_broker *b, const struct trade_order *o,
			broker_done_fn done, void *arg);

/* After a restart: what became of o, sent by an earlier run that never
 * heard the answer (o as the trader's state kept it; only client_id,
 * instrument, side and units matter here).  OANDA is asked for its client
 * id, with the retries of a submit, and nothing is ever posted: FILLED or
 * CANCELLED settle it as the answer to the POST would have; not at OANDA
 * (404) is TRADE_REJECTED, reason "not placed (OANDA has no such client
 * id)": the signal is old, the order is not sent again; no answer after
 * every retry is TRADE_FAILED, its fate still unknown.  done as submit's;
 * -1: could not start (done is not called). */
int oanda_broker_reconcile(struct worker *w, struct oanda_broker *b, const struct trade_order *o,
			   broker_done_fn done, void *arg);

/* Orders sent (or looked up) and not answered yet. */
unsigned oanda_broker_in_flight(const struct oanda_broker *b);

void oanda_broker_free(struct oanda_broker *b);

#endif
