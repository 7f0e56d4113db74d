/* test_oanda_orders.c - the OANDA v20 order body and the reading of
 * OANDA's answers (workers/trading/oanda_order_json.c), against answers
 * written by hand in the shape of the v20 documentation (developer.oanda.com
 * rest-live-v20 order-ep / transaction-df, oanda/v20-python order.py); and
 * the requests the broker (workers/trading/oanda_orders.c) makes to
 * reconcile an order after a restart, its HTTP and timers stubbed below. */
#include <math.h>

#include "tests/unit/testutil.h"
#include "workers/runtime.h"
#include "workers/trading/oanda_order_json.h"

static struct trade_order order(char side, double units)
{
	struct trade_order o = {
		.client_id = "nbpy-trader-1700000000000000042-0",
		.signal_id = 1700000000000000042LL,
		.instrument = "EUR_USD",
		.side = side,
		.units = units,
		.price = 1.08412,
		.take_profit = NAN,
		.stop_loss = NAN,
		.trailing_stop = NAN,
		.decimals = 5,
	};
	return o;
}

static enum oanda_verdict create(const struct trade_order *o, long status, const char *body,
				 struct trade_result *r)
{
	return oanda_create_answer(o, status, body, body ? strlen(body) : 0, r);
}

/* ---- the body ---- */

START_TEST(sell_body_has_negative_units_and_no_on_fill_parts)
{
	struct trade_order o = order('s', 1000);
	struct nbpy_error err;
	char buf[OANDA_ORDER_BODY_MAX];
	const char *want = "{\"order\":{\"type\":\"MARKET\",\"instrument\":\"EUR_USD\",\"units\":\"-1000\","
			   "\"timeInForce\":\"FOK\",\"positionFill\":\"DEFAULT\","
			   "\"clientExtensions\":{\"id\":\"nbpy-trader-1700000000000000042-0\"}}}";

	ck_assert_int_eq(oanda_order_body(&o, buf, sizeof(buf), &err), (int)strlen(want));
	ck_assert_str_eq(buf, want);
}
END_TEST

START_TEST(buy_body_with_take_profit_stop_loss_and_trailing_stop)
{
	struct trade_order o = order('b', 250000);
	struct nbpy_error err;
	char buf[OANDA_ORDER_BODY_MAX];

	o.take_profit = 1.085;
	o.stop_loss = 1.0835;
	o.trailing_stop = 0.002;
	ck_assert_int_gt(oanda_order_body(&o, buf, sizeof(buf), &err), 0);
	ck_assert_str_eq(buf, "{\"order\":{\"type\":\"MARKET\",\"instrument\":\"EUR_USD\",\"units\":\"250000\","
			 "\"timeInForce\":\"FOK\",\"positionFill\":\"DEFAULT\","
			 "\"takeProfitOnFill\":{\"price\":\"1.08500\"},\"stopLossOnFill\":{\"price\":\"1.08350\"},"
			 "\"trailingStopLossOnFill\":{\"distance\":\"0.00200\"},"
			 "\"clientExtensions\":{\"id\":\"nbpy-trader-1700000000000000042-0\"}}}");
	o.decimals = 3;
	o.trailing_stop = NAN;
	o.stop_loss = NAN;
	o.instrument[0] = '\0';
	strcpy(o.instrument, "USD_JPY");
	o.take_profit = 149.5;
	ck_assert_int_gt(oanda_order_body(&o, buf, sizeof(buf), &err), 0);
	ck_assert_ptr_nonnull(strstr(buf, "\"takeProfitOnFill\":{\"price\":\"149.500\"},\"clientExtensions\""));
}
END_TEST

START_TEST(bodies_that_cannot_be_sent)
{
	struct nbpy_error err;
	char buf[OANDA_ORDER_BODY_MAX], small[64];
	struct trade_order o;

	o = order('s', 0);
	ck_assert_int_eq(oanda_order_body(&o, buf, sizeof(buf), &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "units"));
	o = order('s', 1.5);
	ck_assert_int_eq(oanda_order_body(&o, buf, sizeof(buf), &err), -1);
	o = order('b', NAN);
	ck_assert_int_eq(oanda_order_body(&o, buf, sizeof(buf), &err), -1);
	o = order('b', -1000);	/* the side says sell, never the sign */
	ck_assert_int_eq(oanda_order_body(&o, buf, sizeof(buf), &err), -1);
	o = order('x', 1000);
	ck_assert_int_eq(oanda_order_body(&o, buf, sizeof(buf), &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "side"));
	o = order('b', 1000);
	strcpy(o.instrument, "EUR\"USD");
	ck_assert_int_eq(oanda_order_body(&o, buf, sizeof(buf), &err), -1);
	o = order('b', 1000);
	strcpy(o.client_id, "nbpy x");
	ck_assert_int_eq(oanda_order_body(&o, buf, sizeof(buf), &err), -1);
	o = order('b', 1000);
	o.stop_loss = -1;
	ck_assert_int_eq(oanda_order_body(&o, buf, sizeof(buf), &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "stop loss"));
	o = order('b', 1000);
	o.take_profit = INFINITY;
	ck_assert_int_eq(oanda_order_body(&o, buf, sizeof(buf), &err), -1);
	o = order('b', 1000);
	o.decimals = 11;
	ck_assert_int_eq(oanda_order_body(&o, buf, sizeof(buf), &err), -1);
	o = order('b', 1000);
	ck_assert_int_eq(oanda_order_body(&o, small, sizeof(small), &err), -1);
}
END_TEST

/* ---- POST .../orders ---- */

#define CREATE_SELL "\"orderCreateTransaction\":{\"type\":\"MARKET_ORDER\",\"instrument\":\"EUR_USD\"," \
	"\"units\":\"-1000\",\"timeInForce\":\"FOK\",\"positionFill\":\"DEFAULT\",\"reason\":\"CLIENT_ORDER\"," \
	"\"clientExtensions\":{\"id\":\"nbpy-trader-1700000000000000042-0\"},\"id\":\"6368\"," \
	"\"accountID\":\"101-004-1234567-001\",\"userID\":1234567,\"batchID\":\"6368\"," \
	"\"time\":\"2026-11-30T10:00:00.000000000Z\"}"

/* A filled sell: units, price and commission as OANDA writes them. */
#define FILL_OBJ(units, price, commission) "{\"type\":\"ORDER_FILL\"," \
	"\"orderID\":\"6368\",\"clientOrderID\":\"nbpy-trader-1700000000000000042-0\"," \
	"\"instrument\":\"EUR_USD\",\"units\":" units ",\"price\":" price ",\"fullVWAP\":" price "," \
	"\"reason\":\"MARKET_ORDER\",\"pl\":\"0.0000\",\"financing\":\"0.0000\",\"commission\":" commission "," \
	"\"accountBalance\":\"99997.5000\",\"tradeOpened\":{\"tradeID\":\"6369\",\"units\":\"-1000\"," \
	"\"price\":\"1.08412\",\"halfSpreadCost\":\"0.0750\"},\"halfSpreadCost\":\"0.0750\",\"id\":\"6369\"," \
	"\"accountID\":\"101-004-1234567-001\",\"userID\":1234567,\"batchID\":\"6368\"," \
	"\"time\":\"2026-11-30T10:00:00.000000000Z\"}"
#define FILL_SELL(units, price, commission) "\"orderFillTransaction\":" FILL_OBJ(units, price, commission)

#define RELATED ",\"relatedTransactionIDs\":[\"6368\",\"6369\"],\"lastTransactionID\":\"6369\"}"

START_TEST(a_201_fill_is_filled)
{
	struct trade_order o = order('s', 1000);
	struct trade_result r;

	ck_assert_int_eq(create(&o, 201, "{" CREATE_SELL "," FILL_SELL("\"-1000\"", "\"1.08412\"", "\"2.5000\"")
				RELATED, &r), OANDA_FINAL);
	ck_assert_int_eq(r.outcome, TRADE_FILLED);
	ck_assert_double_eq(r.units, 1000);
	ck_assert_double_eq_tol(r.price, 1.08412, 1e-12);
	ck_assert_double_eq_tol(r.fee, 2.5, 1e-12);
	ck_assert_str_eq(r.broker_id, "6368");
	ck_assert_str_eq(r.fill_id, "6369");
	ck_assert_str_eq(r.reason, "");
}
END_TEST

START_TEST(a_201_fill_without_commission_has_no_fee)
{
	struct trade_order o = order('s', 1000);
	struct trade_result r;
	char body[4096];

	/* commission left out: the fill is read, the fee 0 */
	(void)snprintf(body, sizeof(body), "%s", "{" CREATE_SELL "," FILL_SELL("\"-1000\"", "\"1.08412\"",
									       "\"0\"") RELATED);
	memcpy(strstr(body, "\"commission\":\"0\","), "\"cOmmission\":\"0\",", 17);
	ck_assert_int_eq(create(&o, 201, body, &r), OANDA_FINAL);
	ck_assert_int_eq(r.outcome, TRADE_FILLED);
	ck_assert_double_eq(r.fee, 0);
}
END_TEST

START_TEST(a_201_cancel_is_rejected_with_its_reason)
{
	struct trade_order o = order('s', 1000);
	struct trade_result r;

	/* FOK market order and not enough margin: created, then cancelled */
	ck_assert_int_eq(create(&o, 201, "{" CREATE_SELL ",\"orderCancelTransaction\":{\"type\":\"ORDER_CANCEL\","
				"\"orderID\":\"6368\",\"clientOrderID\":\"nbpy-trader-1700000000000000042-0\","
				"\"reason\":\"INSUFFICIENT_MARGIN\",\"id\":\"6369\",\"accountID\":\"101-004-1234567-001\","
				"\"userID\":1234567,\"batchID\":\"6368\",\"time\":\"2026-11-30T10:00:00.000000000Z\"}"
				RELATED, &r), OANDA_FINAL);
	ck_assert_int_eq(r.outcome, TRADE_REJECTED);
	ck_assert_str_eq(r.reason, "INSUFFICIENT_MARGIN");
	ck_assert_str_eq(r.broker_id, "6368");
}
END_TEST

START_TEST(a_4xx_is_rejected_and_never_retried)
{
	struct trade_order o = order('b', 1000);
	struct trade_result r;

	ck_assert_int_eq(create(&o, 400, "{\"orderRejectTransaction\":{\"type\":\"MARKET_ORDER_REJECT\","
				"\"instrument\":\"EUR_USD\",\"units\":\"1000\",\"rejectReason\":\"UNITS_PRECISION_EXCEEDED\","
				"\"id\":\"6370\"},\"relatedTransactionIDs\":[\"6370\"],\"lastTransactionID\":\"6370\","
				"\"errorCode\":\"UNITS_PRECISION_EXCEEDED\",\"errorMessage\":\"Units precision exceeded\"}",
				&r), OANDA_FINAL);
	ck_assert_int_eq(r.outcome, TRADE_REJECTED);
	ck_assert_str_eq(r.reason, "UNITS_PRECISION_EXCEEDED");
	/* no errorCode: the reject transaction's reason */
	ck_assert_int_eq(create(&o, 400, "{\"orderRejectTransaction\":{\"type\":\"MARKET_ORDER_REJECT\","
				"\"rejectReason\":\"INSUFFICIENT_MARGIN\",\"id\":\"6371\"}}", &r), OANDA_FINAL);
	ck_assert_str_eq(r.reason, "INSUFFICIENT_MARGIN");
	ck_assert_int_eq(create(&o, 404, "{\"errorCode\":\"INVALID_ACCOUNT_ID\",\"errorMessage\":\"Invalid value\"}",
				&r), OANDA_FINAL);
	ck_assert_str_eq(r.reason, "INVALID_ACCOUNT_ID");
	ck_assert_int_eq(create(&o, 400, "<html>bad request</html>", &r), OANDA_FINAL);
	ck_assert_int_eq(r.outcome, TRADE_REJECTED);
	ck_assert_str_eq(r.reason, "HTTP 400 without errorCode or rejectReason");
}
END_TEST

START_TEST(refused_credentials_name_authorization_only)
{
	struct trade_order o = order('b', 1000);
	struct trade_result r;

	ck_assert_int_eq(create(&o, 401, "{\"errorMessage\":\"Insufficient authorization to perform request. "
				"token s3cr3t\"}", &r), OANDA_FINAL);
	ck_assert_int_eq(r.outcome, TRADE_REJECTED);
	ck_assert_str_eq(r.reason, "authorization refused (HTTP 401)");
	ck_assert_int_eq(create(&o, 403, "{\"errorMessage\":\"The provided request was forbidden.\"}", &r),
			 OANDA_FINAL);
	ck_assert_str_eq(r.reason, "authorization refused (HTTP 403)");
}
END_TEST

START_TEST(no_answer_or_a_server_error_is_unknown)
{
	struct trade_order o = order('b', 1000);
	struct trade_result r;

	ck_assert_int_eq(create(&o, 0, NULL, &r), OANDA_UNKNOWN);
	ck_assert_int_eq(create(&o, 500, "{\"errorMessage\":\"An unexpected error occurred\"}", &r), OANDA_UNKNOWN);
	ck_assert_str_eq(r.reason, "HTTP 500");
	ck_assert_int_eq(create(&o, 503, "", &r), OANDA_UNKNOWN);
	ck_assert_int_eq(create(&o, 429, "{}", &r), OANDA_UNKNOWN);
	ck_assert_int_eq(create(&o, 200, "{}", &r), OANDA_UNKNOWN);
	/* the order exists already (a retry raced the first try): ask for it */
	ck_assert_int_eq(create(&o, 400, "{\"errorCode\":\"CLIENT_ORDER_ID_ALREADY_EXISTS\","
				"\"errorMessage\":\"Client order ID already exists\"}", &r), OANDA_UNKNOWN);
}
END_TEST

/* A 201 whose fill cannot be read: the order may exist, so it is unknown
 * (the lookup settles it), with the field named. */
static void unreadable_201(const char *body, const char *field)
{
	struct trade_order o = order('s', 1000);
	struct trade_result r;

	ck_assert_int_eq(create(&o, 201, body, &r), OANDA_UNKNOWN);
	ck_assert_msg(strstr(r.reason, field) != NULL, "reason '%s' does not name %s", r.reason, field);
}

START_TEST(an_unreadable_201_is_unknown_and_names_the_field)
{
	unreadable_201("{" CREATE_SELL "," FILL_SELL("\"-1000\"", "\"1.08x12\"", "\"0\"") RELATED,
		       "orderFillTransaction.price");
	unreadable_201("{" CREATE_SELL "," FILL_SELL("\"-1000\"", "1.08412", "\"0\"") RELATED,
		       "orderFillTransaction.price");	/* a number, not OANDA's string */
	unreadable_201("{" CREATE_SELL "," FILL_SELL("\"-1000\"", "\"-1.08412\"", "\"0\"") RELATED,
		       "orderFillTransaction.price");
	unreadable_201("{" CREATE_SELL "," FILL_SELL("\"1000\"", "\"1.08412\"", "\"0\"") RELATED,
		       "orderFillTransaction.units");	/* the wrong side */
	unreadable_201("{" CREATE_SELL "," FILL_SELL("\"-1e3\"", "\"1.08412\"", "\"0\"") RELATED,
		       "orderFillTransaction.units");
	unreadable_201("{" CREATE_SELL "," FILL_SELL("\"-500\"", "\"1.08412\"", "\"0\"") RELATED,
		       "orderFillTransaction.units");	/* FOK: all or nothing */
	unreadable_201("{" CREATE_SELL "," FILL_SELL("\"-1000\"", "\"1.08412\"", "\"-2.5\"") RELATED,
		       "orderFillTransaction.commission");
	unreadable_201("{" CREATE_SELL "," FILL_SELL("\"-1000\"", "\"1.08412\"", "2.5") RELATED,
		       "orderFillTransaction.commission");
	unreadable_201("{" FILL_SELL("\"-1000\"", "\"1.08412\"", "\"0\"") RELATED, "orderCreateTransaction.id");
	unreadable_201("{" CREATE_SELL RELATED, "without orderFillTransaction or orderCancelTransaction");
	unreadable_201("{" CREATE_SELL ",\"orderFillTransaction\":{\"type\":\"ORDER_FILL\"", "JSON");
	unreadable_201("[1]", "JSON");
}
END_TEST

START_TEST(an_answer_too_long_or_with_a_nul_is_unreadable)
{
	struct trade_order o = order('s', 1000);
	struct trade_result r;
	const char body[] = "{\"orderCreateTransaction\":{\"id\":\"1\"}}\0trailing";
	char *big = malloc(OANDA_ANSWER_MAX + 2);

	ck_assert_ptr_nonnull(big);
	ck_assert_int_eq(oanda_create_answer(&o, 201, body, sizeof(body) - 1, &r), OANDA_UNKNOWN);
	memset(big, ' ', OANDA_ANSWER_MAX + 1);
	big[0] = '{';
	big[OANDA_ANSWER_MAX] = '}';
	big[OANDA_ANSWER_MAX + 1] = '\0';
	ck_assert_int_eq(oanda_create_answer(&o, 201, big, OANDA_ANSWER_MAX + 1, &r), OANDA_UNKNOWN);
	ck_assert_ptr_nonnull(strstr(r.reason, "JSON"));
	free(big);
}
END_TEST

/* ---- GET .../orders/@CLIENT_ID and .../transactions/ID ---- */

#define ORDER(state, extra) "{\"order\":{\"id\":\"6368\",\"createTime\":\"2026-11-30T10:00:00.000000000Z\"," \
	"\"type\":\"MARKET\",\"instrument\":\"EUR_USD\",\"units\":\"-1000\",\"timeInForce\":\"FOK\"," \
	"\"positionFill\":\"DEFAULT\",\"state\":\"" state "\"," \
	"\"clientExtensions\":{\"id\":\"nbpy-trader-1700000000000000042-0\"}" extra "}," \
	"\"lastTransactionID\":\"6369\"}"

START_TEST(the_lookup_says_absent_settled_or_unknown)
{
	struct trade_order o = order('s', 1000);
	struct trade_result r;
	char txn[24];
	const char *body;

	body = "{\"errorCode\":\"NO_SUCH_ORDER\",\"errorMessage\":\"The Order specified does not exist\"}";
	ck_assert_int_eq(oanda_lookup_answer(&o, 404, body, strlen(body), &r, txn), OANDA_ABSENT);
	body = ORDER("FILLED", ",\"fillingTransactionID\":\"6369\",\"filledTime\":\"2026-11-30T10:00:00Z\","
		     "\"tradeOpenedID\":\"6369\"");
	ck_assert_int_eq(oanda_lookup_answer(&o, 200, body, strlen(body), &r, txn), OANDA_FETCH);
	ck_assert_str_eq(txn, "6369");
	ck_assert_str_eq(r.broker_id, "6368");
	body = ORDER("CANCELLED", ",\"cancellingTransactionID\":\"6370\"");
	ck_assert_int_eq(oanda_lookup_answer(&o, 200, body, strlen(body), &r, txn), OANDA_FETCH);
	ck_assert_str_eq(txn, "6370");
	body = ORDER("PENDING", "");
	ck_assert_int_eq(oanda_lookup_answer(&o, 200, body, strlen(body), &r, txn), OANDA_UNKNOWN);
	ck_assert_str_eq(r.reason, "order 6368 is PENDING");
	body = ORDER("FILLED", "");	/* filled, but by what? */
	ck_assert_int_eq(oanda_lookup_answer(&o, 200, body, strlen(body), &r, txn), OANDA_UNKNOWN);
	ck_assert_ptr_nonnull(strstr(r.reason, "fillingTransactionID"));
	strcpy(o.client_id, "nbpy-trader-1700000000000000042-1");	/* someone else's order */
	body = ORDER("FILLED", ",\"fillingTransactionID\":\"6369\"");
	ck_assert_int_eq(oanda_lookup_answer(&o, 200, body, strlen(body), &r, txn), OANDA_UNKNOWN);
	ck_assert_ptr_nonnull(strstr(r.reason, "clientExtensions.id"));
	ck_assert_int_eq(oanda_lookup_answer(&o, 500, "", 0, &r, txn), OANDA_UNKNOWN);
	ck_assert_int_eq(oanda_lookup_answer(&o, 0, NULL, 0, &r, txn), OANDA_UNKNOWN);
}
END_TEST

START_TEST(the_transaction_is_the_outcome)
{
	struct trade_order o = order('s', 1000);
	struct trade_result r = { 0 };
	const char *buf = "{\"transaction\":" FILL_OBJ("\"-1000\"", "\"1.08401\"", "\"0.5000\"")
			  ",\"lastTransactionID\":\"6369\"}", *body;

	strcpy(r.broker_id, "6368");	/* from the lookup */
	ck_assert_int_eq(oanda_transaction_answer(&o, 200, buf, strlen(buf), &r), OANDA_FINAL);
	ck_assert_int_eq(r.outcome, TRADE_FILLED);
	ck_assert_double_eq_tol(r.price, 1.08401, 1e-12);
	ck_assert_double_eq_tol(r.fee, 0.5, 1e-12);
	ck_assert_str_eq(r.fill_id, "6369");
	ck_assert_str_eq(r.broker_id, "6368");
	strcpy(r.broker_id, "7000");	/* a fill of another order */
	ck_assert_int_eq(oanda_transaction_answer(&o, 200, buf, strlen(buf), &r), OANDA_UNKNOWN);
	ck_assert_ptr_nonnull(strstr(r.reason, "orderID"));
	strcpy(r.broker_id, "6368");
	body = "{\"transaction\":{\"type\":\"ORDER_CANCEL\",\"orderID\":\"6368\",\"reason\":\"MARKET_HALTED\","
	       "\"id\":\"6370\"},\"lastTransactionID\":\"6370\"}";
	ck_assert_int_eq(oanda_transaction_answer(&o, 200, body, strlen(body), &r), OANDA_FINAL);
	ck_assert_int_eq(r.outcome, TRADE_REJECTED);
	ck_assert_str_eq(r.reason, "MARKET_HALTED");
	body = "{\"transaction\":{\"type\":\"DAILY_FINANCING\",\"id\":\"6369\"}}";
	ck_assert_int_eq(oanda_transaction_answer(&o, 200, body, strlen(body), &r), OANDA_UNKNOWN);
	ck_assert_int_eq(oanda_transaction_answer(&o, 404, "{}", 2, &r), OANDA_UNKNOWN);
}
END_TEST

/* ---- the broker's requests (oanda_orders.c), HTTP and timers stubbed ---- */

static struct sent {
	char method[8];
	char url[256];
	http_done_fn done;
	void *arg;
} sent[16];
static int n_sent;
static worker_timer_fn timer_fn;	/* the one retry timer due, NULL: none */
static void *timer_arg;

int worker_http(struct worker *w, const struct http_request *req, http_done_fn done, void *arg)
{
	(void)w;
	ck_assert_int_lt(n_sent, 16);
	(void)snprintf(sent[n_sent].method, sizeof(sent[n_sent].method), "%s", req->method ? req->method : "GET");
	(void)snprintf(sent[n_sent].url, sizeof(sent[n_sent].url), "%s", req->url);
	sent[n_sent].done = done;
	sent[n_sent].arg = arg;
	n_sent++;
	return 0;
}

long long worker_timer_add(struct worker *w, int64_t after_ns, int64_t period_ns, worker_timer_fn fn, void *arg)
{
	(void)w;
	(void)after_ns;
	(void)period_ns;
	timer_fn = fn;
	timer_arg = arg;
	return 1;
}

void worker_timer_del(struct worker *w, long long id)
{
	(void)w;
	(void)id;
	timer_fn = NULL;
}

/* The answer to the last request sent; a retry's timer fired at once. */
static void answer(long status, const char *body)
{
	struct http_result res = { .status = status, .body = body, .len = body ? strlen(body) : 0 };
	struct sent *s = &sent[n_sent - 1];

	s->done(NULL, &res, s->arg);
	if (timer_fn != NULL) {
		worker_timer_fn fn = timer_fn;

		timer_fn = NULL;
		fn(NULL, timer_arg);
	}
}

static struct trade_result outcome;
static int outcomes;

static void done(struct worker *w, const struct trade_order *o, const struct trade_result *r, void *arg)
{
	(void)w;
	(void)o;
	(void)arg;
	outcome = *r;
	outcomes++;
}

#define API "http://127.0.0.1:1/v3/accounts/101-004-1-001"

static struct oanda_broker *broker(void)
{
	struct oanda_broker_config c = { .api_url = "http://127.0.0.1:1/", .account = "101-004-1-001",
					 .token = "t0ken", .timeout_ns = 1000000000, .retries = 2 };
	struct nbpy_error err;
	struct oanda_broker *b = oanda_broker_new(&c, &err);

	ck_assert_ptr_nonnull(b);
	n_sent = outcomes = 0;
	timer_fn = NULL;
	return b;
}

START_TEST(reconcile_a_filled_order_fetches_its_fill)
{
	struct oanda_broker *b = broker();
	struct trade_order o = order('s', 1000);
	const char *fill = "{\"transaction\":" FILL_OBJ("\"-1000\"", "\"1.08401\"", "\"0.5000\"")
			   ",\"lastTransactionID\":\"6369\"}";

	ck_assert_int_eq(oanda_broker_reconcile(NULL, b, &o, done, NULL), 0);
	ck_assert_int_eq(n_sent, 1);	/* a lookup, never a POST */
	ck_assert_str_eq(sent[0].method, "GET");
	ck_assert_str_eq(sent[0].url, API "/orders/@nbpy-trader-1700000000000000042-0");
	ck_assert_uint_eq(oanda_broker_in_flight(b), 1);
	answer(200, ORDER("FILLED", ",\"fillingTransactionID\":\"6369\""));
	ck_assert_int_eq(n_sent, 2);
	ck_assert_str_eq(sent[1].method, "GET");
	ck_assert_str_eq(sent[1].url, API "/transactions/6369");
	answer(200, fill);
	ck_assert_int_eq(outcomes, 1);
	ck_assert_int_eq(outcome.outcome, TRADE_FILLED);
	ck_assert_double_eq(outcome.units, 1000);
	ck_assert_double_eq_tol(outcome.price, 1.08401, 1e-12);
	ck_assert_str_eq(outcome.fill_id, "6369");
	ck_assert_uint_eq(oanda_broker_in_flight(b), 0);
	oanda_broker_free(b);
}
END_TEST

START_TEST(reconcile_an_order_oanda_never_received_is_not_placed)
{
	struct oanda_broker *b = broker();
	struct trade_order o = order('b', 1000);

	ck_assert_int_eq(oanda_broker_reconcile(NULL, b, &o, done, NULL), 0);
	answer(404, "{\"errorCode\":\"ORDER_DOESNT_EXIST\"}");
	ck_assert_int_eq(n_sent, 1);	/* not posted again: its signal is old */
	ck_assert_int_eq(outcomes, 1);
	ck_assert_int_eq(outcome.outcome, TRADE_REJECTED);
	ck_assert_str_eq(outcome.reason, "not placed (OANDA has no such client id)");
	oanda_broker_free(b);
}
END_TEST

START_TEST(reconcile_without_an_answer_stays_unknown)
{
	struct oanda_broker *b = broker();
	struct trade_order o = order('b', 1000);

	ck_assert_int_eq(oanda_broker_reconcile(NULL, b, &o, done, NULL), 0);
	answer(500, "");	/* the lookup asked again after a delay, twice (retries = 2) */
	answer(0, NULL);
	ck_assert_int_eq(outcomes, 0);
	answer(503, "");
	ck_assert_int_eq(n_sent, 3);
	for (int i = 0; i < n_sent; i++)
		ck_assert_str_eq(sent[i].method, "GET");
	ck_assert_int_eq(outcomes, 1);
	ck_assert_int_eq(outcome.outcome, TRADE_FAILED);
	ck_assert_str_eq(outcome.reason, "3 tries: lookup: HTTP 503");
	strcpy(o.client_id, "bad/id");	/* it goes into a URL */
	ck_assert_int_eq(oanda_broker_reconcile(NULL, b, &o, done, NULL), -1);
	oanda_broker_free(b);
}
END_TEST

START_TEST(submit_posts_again_when_the_lookup_says_absent)
{
	struct oanda_broker *b = broker();
	struct trade_order o = order('b', 1000);

	ck_assert_int_eq(oanda_broker_submit(NULL, b, &o, done, NULL), 0);
	ck_assert_str_eq(sent[0].method, "POST");
	answer(500, "");	/* not processed: asked for, absent, the same order again */
	ck_assert_str_eq(sent[1].method, "GET");
	answer(404, "{\"errorCode\":\"ORDER_DOESNT_EXIST\"}");
	ck_assert_int_eq(n_sent, 3);
	ck_assert_str_eq(sent[2].method, "POST");
	ck_assert_int_eq(outcomes, 0);
	oanda_broker_free(b);
}
END_TEST

static Suite *oanda_orders_suite(void)
{
	Suite *s = suite_create("oanda_orders");
	TCase *body = tcase_create("body"), *answers = tcase_create("answers"), *requests = tcase_create("requests");

	tcase_add_test(body, sell_body_has_negative_units_and_no_on_fill_parts);
	tcase_add_test(body, buy_body_with_take_profit_stop_loss_and_trailing_stop);
	tcase_add_test(body, bodies_that_cannot_be_sent);
	tcase_add_test(answers, a_201_fill_is_filled);
	tcase_add_test(answers, a_201_fill_without_commission_has_no_fee);
	tcase_add_test(answers, a_201_cancel_is_rejected_with_its_reason);
	tcase_add_test(answers, a_4xx_is_rejected_and_never_retried);
	tcase_add_test(answers, refused_credentials_name_authorization_only);
	tcase_add_test(answers, no_answer_or_a_server_error_is_unknown);
	tcase_add_test(answers, an_unreadable_201_is_unknown_and_names_the_field);
	tcase_add_test(answers, an_answer_too_long_or_with_a_nul_is_unreadable);
	tcase_add_test(answers, the_lookup_says_absent_settled_or_unknown);
	tcase_add_test(answers, the_transaction_is_the_outcome);
	suite_add_tcase(s, body);
	tcase_add_test(requests, reconcile_a_filled_order_fetches_its_fill);
	tcase_add_test(requests, reconcile_an_order_oanda_never_received_is_not_placed);
	tcase_add_test(requests, reconcile_without_an_answer_stays_unknown);
	tcase_add_test(requests, submit_posts_again_when_the_lookup_says_absent);
	suite_add_tcase(s, answers);
	suite_add_tcase(s, requests);
	return s;
}

int main(void)
{
	return run_suite(oanda_orders_suite());
}
