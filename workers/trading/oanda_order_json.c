/* oanda_order_json.c - see oanda_order_json.h.  OANDA's answers are read
 * with json-c (REST answers, now and then); every field used is checked:
 * decimals are strings of digits with an optional sign and point, ids
 * strings of 1 to 19 digits, and a missing or malformed one makes the
 * answer unusable, with the field named in r->reason. */
#include <autoconfig.h>
#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workers/oanda/v20.h"
#include "workers/trading/oanda_order_json.h"

#define UNITS_MAX 1e12	/* far above any FX order; keeps "%.0f" exact */

/* ---- the request ---- */

/* ,"NAME":{"KEY":"PRICE"} when v is set (not NaN); 0, or -1 if v is not a price. */
static int add_price(char *buf, size_t cap, size_t *n, const char *name, const char *key, double v,
		     int decimals)
{
	int k;

	if (isnan(v))
		return 0;
	if (!isfinite(v) || v <= 0)
		return -1;
	k = snprintf(buf + *n, cap - *n, ",\"%s\":{\"%s\":\"%.*f\"}", name, key, decimals, v);
	if (k < 0 || (size_t)k >= cap - *n)
		return -1;
	*n += (size_t)k;
	return 0;
}

int oanda_order_body(const struct trade_order *o, char *buf, size_t cap, struct nbpy_error *err)
{
	size_t n;
	int k;

	if (o->side != 'b' && o->side != 's')
		return nbpy_error_set(err, "order %s: side must be b or s", o->client_id);
	if (!isfinite(o->units) || o->units < 1 || o->units > UNITS_MAX || o->units != floor(o->units))
		return nbpy_error_set(err, "order %s: units must be a whole number from 1 to 1e12", o->client_id);
	if (!oanda_url_safe(o->instrument) || !oanda_url_safe(o->client_id))
		return nbpy_error_set(err, "order %s: instrument and client id must be letters, digits, _ - .",
				      o->client_id);
	if (o->decimals < 0 || o->decimals > 10)
		return nbpy_error_set(err, "order %s: decimals must be 0 to 10", o->client_id);
	/* units are signed: negative sells */
	k = snprintf(buf, cap, "{\"order\":{\"type\":\"MARKET\",\"instrument\":\"%s\",\"units\":\"%s%.0f\","
		     "\"timeInForce\":\"FOK\",\"positionFill\":\"DEFAULT\"", o->instrument,
		     o->side == 's' ? "-" : "", o->units);
	if (k < 0 || (size_t)k >= cap)
		return nbpy_error_set(err, "order %s: body too long", o->client_id);
	n = (size_t)k;
	if (add_price(buf, cap, &n, "takeProfitOnFill", "price", o->take_profit, o->decimals) < 0 ||
	    add_price(buf, cap, &n, "stopLossOnFill", "price", o->stop_loss, o->decimals) < 0 ||
	    add_price(buf, cap, &n, "trailingStopLossOnFill", "distance", o->trailing_stop, o->decimals) < 0)
		return nbpy_error_set(err, "order %s: take profit, stop loss and trailing stop must be "
				      "NaN or finite and > 0", o->client_id);
	k = snprintf(buf + n, cap - n, ",\"clientExtensions\":{\"id\":\"%s\"}}}", o->client_id);
	if (k < 0 || (size_t)k >= cap - n)
		return nbpy_error_set(err, "order %s: body too long", o->client_id);
	return (int)(n + (size_t)k);
}

/* ---- reading answers ---- */

static enum oanda_verdict say(struct trade_result *r, enum oanda_verdict v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum oanda_verdict say(struct trade_result *r, enum oanda_verdict v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
	return v;
}

/* The answer as a JSON object, or NULL (not JSON, an object, too long, a NUL inside). */
static struct json_object *parse(const char *body, size_t len)
{
	struct json_object *root;

	if (body == NULL || len > OANDA_ANSWER_MAX || strlen(body) != len)
		return NULL;
	root = json_tokener_parse(body);
	if (root != NULL && !json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		root = NULL;
	}
	return root;
}

static struct json_object *member(struct json_object *o, const char *key, json_type type)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, type) ? v : NULL;
}

/* The string member key of o, at most max bytes; NULL if absent, not a string, or longer. */
static const char *string(struct json_object *o, const char *key, size_t max)
{
	struct json_object *v = member(o, key, json_type_string);

	return v != NULL && (size_t)json_object_get_string_len(v) <= max ? json_object_get_string(v) : NULL;
}

/* A transaction or order id: 1 to 19 digits, into id[24]; -1 if not. */
static int id_of(struct json_object *o, const char *key, char id[24])
{
	const char *s = string(o, key, 19);

	if (s == NULL || s[0] == '\0' || s[strspn(s, "0123456789")] != '\0')
		return -1;
	strcpy(id, s);
	return 0;
}

/* A DecimalNumber or PriceValue: a string -?D+(.D+)?; -1 if absent or malformed. */
static int decimal_of(struct json_object *o, const char *key, double *v)
{
	const char *s = string(o, key, 32), *p;
	size_t d;

	if (s == NULL)
		return -1;
	p = s + (s[0] == '-');
	if ((d = strspn(p, "0123456789")) == 0)
		return -1;
	p += d;
	if (*p == '.' && (d = strspn(p + 1, "0123456789")) > 0)
		p += 1 + d;
	if (*p != '\0')
		return -1;
	*v = strtod(s, NULL);
	return isfinite(*v) ? 0 : -1;
}

/* An ORDER_FILL transaction t of order o into r.  r->broker_id, when set,
 * must be the order it fills. */
static enum oanda_verdict read_fill(const struct trade_order *o, struct json_object *t, const char *where,
				    struct trade_result *r)
{
	const char *type = string(t, "type", 32), *inst = string(t, "instrument", NBPY_INSTRUMENT_MAX);
	char order_id[24];
	double units, price, commission = 0;

	if (type == NULL || strcmp(type, "ORDER_FILL") != 0)
		return say(r, OANDA_UNKNOWN, "%s.type: not ORDER_FILL", where);
	if (id_of(t, "id", r->fill_id) < 0)
		return say(r, OANDA_UNKNOWN, "%s.id: missing or not an id", where);
	if (id_of(t, "orderID", order_id) < 0)
		return say(r, OANDA_UNKNOWN, "%s.orderID: missing or not an id", where);
	if (r->broker_id[0] != '\0' && strcmp(order_id, r->broker_id) != 0)
		return say(r, OANDA_UNKNOWN, "%s.orderID: %s, not order %s", where, order_id, r->broker_id);
	if (inst == NULL || strcmp(inst, o->instrument) != 0)
		return say(r, OANDA_UNKNOWN, "%s.instrument: missing or not %s", where, o->instrument);
	if (decimal_of(t, "units", &units) < 0)
		return say(r, OANDA_UNKNOWN, "%s.units: missing or not a decimal", where);
	/* fill-or-kill: all the units, on the order's side */
	if (units != (o->side == 's' ? -o->units : o->units))
		return say(r, OANDA_UNKNOWN, "%s.units: %.0f, not the order's %s%.0f", where, units,
			   o->side == 's' ? "-" : "", o->units);
	if ((decimal_of(t, "price", &price) < 0 && decimal_of(t, "fullVWAP", &price) < 0) || price <= 0)
		return say(r, OANDA_UNKNOWN, "%s.price: missing or not a price", where);
	if (json_object_object_get_ex(t, "commission", NULL) &&
	    (decimal_of(t, "commission", &commission) < 0 || commission < 0))
		return say(r, OANDA_UNKNOWN, "%s.commission: not a decimal >= 0", where);
	strcpy(r->broker_id, order_id);
	r->outcome = TRADE_FILLED;
	r->units = o->units;
	r->price = price;
	r->fee = commission;	/* OANDA states it as a positive amount that reduces the balance */
	r->reason[0] = '\0';
	return OANDA_FINAL;
}

/* An ORDER_CANCEL transaction t into r: rejected, with its reason. */
static enum oanda_verdict read_cancel(struct json_object *t, const char *where, struct trade_result *r)
{
	const char *type = string(t, "type", 32), *reason = string(t, "reason", sizeof(r->reason) - 1);
	char order_id[24];

	if (type == NULL || strcmp(type, "ORDER_CANCEL") != 0)
		return say(r, OANDA_UNKNOWN, "%s.type: not ORDER_CANCEL", where);
	if (id_of(t, "orderID", order_id) < 0)
		return say(r, OANDA_UNKNOWN, "%s.orderID: missing or not an id", where);
	if (r->broker_id[0] != '\0' && strcmp(order_id, r->broker_id) != 0)
		return say(r, OANDA_UNKNOWN, "%s.orderID: %s, not order %s", where, order_id, r->broker_id);
	if (reason == NULL || reason[0] == '\0')
		return say(r, OANDA_UNKNOWN, "%s.reason: missing", where);
	strcpy(r->broker_id, order_id);
	r->outcome = TRADE_REJECTED;
	(void)snprintf(r->reason, sizeof(r->reason), "%s", reason);
	return OANDA_FINAL;
}

static void clear(struct trade_result *r, bool keep_broker_id)
{
	char broker_id[sizeof(r->broker_id)];

	strcpy(broker_id, keep_broker_id ? r->broker_id : "");
	memset(r, 0, sizeof(*r));
	strcpy(r->broker_id, broker_id);
}

/* A refusal (4xx): rejected, with OANDA's errorCode, else the reject
 * transaction's rejectReason, else the status. */
static enum oanda_verdict refused(long status, struct json_object *root, struct trade_result *r)
{
	struct json_object *reject = root ? member(root, "orderRejectTransaction", json_type_object) : NULL;
	const char *code = root ? string(root, "errorCode", sizeof(r->reason) - 1) : NULL;

	if (status == 401 || status == 403)	/* the token is never part of the answer we keep */
		return say(r, OANDA_FINAL, "authorization refused (HTTP %ld)", status);
	if (code != NULL && strcmp(code, "CLIENT_ORDER_ID_ALREADY_EXISTS") == 0)
		return say(r, OANDA_UNKNOWN, "%s", code);	/* it exists: the lookup says how it went */
	if (code == NULL && reject != NULL)
		code = string(reject, "rejectReason", sizeof(r->reason) - 1);
	if (code != NULL && code[0] != '\0')
		return say(r, OANDA_FINAL, "%s", code);
	return say(r, OANDA_FINAL, "HTTP %ld without errorCode or rejectReason", status);
}

enum oanda_verdict oanda_create_answer(const struct trade_order *o, long status, const char *body,
				       size_t len, struct trade_result *r)
{
	struct json_object *root, *create, *t;
	enum oanda_verdict v;

	clear(r, false);
	r->outcome = TRADE_REJECTED;
	if (status == 0)
		return say(r, OANDA_UNKNOWN, "no answer");
	if (status >= 500 || status == 429)
		return say(r, OANDA_UNKNOWN, "HTTP %ld", status);
	root = parse(body, len);
	if (status >= 400) {
		v = refused(status, root, r);
	} else if (status != 201) {
		v = say(r, OANDA_UNKNOWN, "HTTP %ld", status);
	} else if (root == NULL) {
		v = say(r, OANDA_UNKNOWN, "HTTP 201 without a JSON object");
	} else if ((create = member(root, "orderCreateTransaction", json_type_object)) == NULL ||
		   id_of(create, "id", r->broker_id) < 0) {
		v = say(r, OANDA_UNKNOWN, "orderCreateTransaction.id: missing or not an id");
	} else if ((t = member(root, "orderFillTransaction", json_type_object)) != NULL) {
		v = read_fill(o, t, "orderFillTransaction", r);
	} else if ((t = member(root, "orderCancelTransaction", json_type_object)) != NULL) {
		v = read_cancel(t, "orderCancelTransaction", r);
	} else {
		v = say(r, OANDA_UNKNOWN, "HTTP 201 without orderFillTransaction or orderCancelTransaction");
	}
	if (root != NULL)
		json_object_put(root);
	return v;
}

enum oanda_verdict oanda_lookup_answer(const struct trade_order *o, long status, const char *body,
				       size_t len, struct trade_result *r, char txn[24])
{
	struct json_object *root, *order, *ext;
	const char *state, *cid, *inst;
	enum oanda_verdict v = OANDA_UNKNOWN;

	clear(r, false);
	r->outcome = TRADE_REJECTED;
	txn[0] = '\0';
	if (status == 404)
		return OANDA_ABSENT;
	if (status != 200)
		return status == 0 ? say(r, v, "no answer") : say(r, v, "lookup: HTTP %ld", status);
	if ((root = parse(body, len)) == NULL)
		return say(r, v, "lookup: HTTP 200 without a JSON object");
	if ((order = member(root, "order", json_type_object)) == NULL || id_of(order, "id", r->broker_id) < 0)
		(void)say(r, v, "order.id: missing or not an id");
	else if ((ext = member(order, "clientExtensions", json_type_object)) == NULL ||
		 (cid = string(ext, "id", sizeof(o->client_id) - 1)) == NULL || strcmp(cid, o->client_id) != 0)
		(void)say(r, v, "order.clientExtensions.id: missing or not %s", o->client_id);
	else if ((inst = string(order, "instrument", NBPY_INSTRUMENT_MAX)) == NULL ||
		 strcmp(inst, o->instrument) != 0)
		(void)say(r, v, "order.instrument: missing or not %s", o->instrument);
	else if ((state = string(order, "state", 16)) == NULL)
		(void)say(r, v, "order.state: missing");
	else if (strcmp(state, "FILLED") == 0)
		v = id_of(order, "fillingTransactionID", txn) < 0 ?
		    say(r, v, "order.fillingTransactionID: missing or not an id") : OANDA_FETCH;
	else if (strcmp(state, "CANCELLED") == 0)
		v = id_of(order, "cancellingTransactionID", txn) < 0 ?
		    say(r, v, "order.cancellingTransactionID: missing or not an id") : OANDA_FETCH;
	else
		(void)say(r, v, "order %s is %s", r->broker_id, state);	/* PENDING, TRIGGERED: not settled */
	json_object_put(root);
	return v;
}

enum oanda_verdict oanda_transaction_answer(const struct trade_order *o, long status, const char *body,
					    size_t len, struct trade_result *r)
{
	struct json_object *root, *t;
	const char *type;
	enum oanda_verdict v;

	clear(r, true);	/* the lookup's order id: the transaction must be of it */
	r->outcome = TRADE_REJECTED;
	if (status != 200)
		return status == 0 ? say(r, OANDA_UNKNOWN, "no answer") :
		       say(r, OANDA_UNKNOWN, "transaction: HTTP %ld", status);
	if ((root = parse(body, len)) == NULL)
		return say(r, OANDA_UNKNOWN, "transaction: HTTP 200 without a JSON object");
	if ((t = member(root, "transaction", json_type_object)) == NULL || (type = string(t, "type", 32)) == NULL)
		v = say(r, OANDA_UNKNOWN, "transaction.type: missing");
	else if (strcmp(type, "ORDER_CANCEL") == 0)
		v = read_cancel(t, "transaction", r);
	else
		v = read_fill(o, t, "transaction", r);
	json_object_put(root);
	return v;
}
