/* oanda_order_json.h - the pure part of the OANDA v20 broker (oanda_orders.c):
 * the body of a market order, and what each answer of OANDA's says.  No
 * I/O, so the unit test (tests/unit/test_oanda_orders.c) feeds them the
 * answers of the v20 documentation directly. */
#ifndef NBPY_TRADING_OANDA_ORDER_JSON_H
#define NBPY_TRADING_OANDA_ORDER_JSON_H

#include <stddef.h>

#include "common/error.h"
#include "workers/trading/broker.h"

#define OANDA_ORDER_BODY_MAX 1024	/* the largest body oanda_order_body writes */
#define OANDA_ANSWER_MAX (64 << 10)	/* a longer answer is refused as malformed */

/* {"order":{"type":"MARKET",...}} of o into buf (cap bytes, NUL-terminated):
 * its length, or -1 with *err naming the field that cannot be sent
 * (units not a whole number > 0, a side other than b/s, an instrument or
 * client id with characters URLs do not take, a price not finite and > 0,
 * decimals out of 0..10). */
int oanda_order_body(const struct trade_order *o, char *buf, size_t cap, struct nbpy_error *err);

/* What an answer says of the order. */
enum oanda_verdict {
	OANDA_FINAL,	/* r is the outcome: TRADE_FILLED or TRADE_REJECTED */
	OANDA_UNKNOWN,	/* no usable answer: the order may or may not exist (r->reason says why) */
	OANDA_ABSENT,	/* the lookup: OANDA has no order with this client id */
	OANDA_FETCH,	/* the lookup: the order is settled, transaction `txn` says how */
};

/* The answer to POST .../orders (status 0: none).  201 with an
 * orderFillTransaction: filled; with an orderCancelTransaction: rejected
 * with its reason; 4xx: rejected (errorCode, else the reject transaction's
 * rejectReason; 401/403: an authorization failure); 5xx, 429, no answer,
 * or a 201 missing a field: unknown. */
enum oanda_verdict oanda_create_answer(const struct trade_order *o, long status, const char *body,
				       size_t len, struct trade_result *r);

/* The answer to GET .../orders/@CLIENT_ID: 404 absent; 200 FILLED or
 * CANCELLED: fetch (txn = fillingTransactionID or cancellingTransactionID,
 * r->broker_id = the order's id); anything else unknown. */
enum oanda_verdict oanda_lookup_answer(const struct trade_order *o, long status, const char *body,
				       size_t len, struct trade_result *r, char txn[24]);

/* The answer to GET .../transactions/ID: an ORDER_FILL (filled) or an
 * ORDER_CANCEL (rejected) of this order is final; anything else unknown. */
enum oanda_verdict oanda_transaction_answer(const struct trade_order *o, long status, const char *body,
					    size_t len, struct trade_result *r);

#endif
