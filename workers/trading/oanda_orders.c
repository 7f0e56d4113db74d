/* oanda_orders.c - the OANDA v20 broker of broker.h: market orders sent
 * with POST {api_url}/v3/accounts/{account}/orders through the worker's
 * curl multi (worker_http), asynchronously, and their answers turned into
 * a trade_result (oanda_order_json.c reads them).
 *
 * A retried order cannot fill twice.  When an answer leaves the order's
 * fate unknown (a timeout, no answer, a 5xx or 429, a 201 that cannot be
 * read), nothing is re-sent blindly: after a short delay OANDA is asked
 * for the order by its client id (GET .../orders/@CLIENT_ID).  FILLED or
 * CANCELLED: the transaction that settled it (GET .../transactions/ID) is
 * the outcome, and no new POST goes out; 404: the first try never arrived,
 * and the same order (same client id) is posted again.  Every unknown
 * answer, of any of the three requests, uses one of `retries`; with none
 * left the order is TRADE_FAILED, its fate unknown, the reason saying the
 * last thing that went wrong.
 *
 * oanda_broker_reconcile starts at the lookup, for an order a crashed run
 * sent: there a 404 means it was never placed, and it is not posted. */
#include <autoconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "workers/oanda/v20.h"
#include "workers/runtime.h"
#include "workers/trading/oanda_order_json.h"

#define API_URL_MAX 1024
#define ACCOUNT_MAX 64
#define URL_MAX (API_URL_MAX + ACCOUNT_MAX + 96)
#define RETRIES_MAX 10
#define RETRY_DELAY_NS 250000000LL	/* doubles with each retry of an order */
#define RETRY_DELAY_MAX_NS 4000000000LL

enum step {
	STEP_POST,	/* POST .../orders */
	STEP_LOOKUP,	/* GET .../orders/@CLIENT_ID */
	STEP_FETCH,	/* GET .../transactions/ID */
};

struct pending {
	struct pending *next;
	struct oanda_broker *b;
	struct trade_order o;
	broker_done_fn done;
	void *arg;
	enum step step;
	bool reconcile;		/* oanda_broker_reconcile: never POSTed from here */
	int retries_used;
	long long timer;	/* a retry's delay, 0: none */
	char txn[24];		/* STEP_FETCH: the transaction */
	struct trade_result r;
	char url[URL_MAX];
	char body[OANDA_ORDER_BODY_MAX];	/* worker_http does not copy it */
	size_t body_len;
};

struct oanda_broker {
	char api_url[API_URL_MAX + 1];
	char account[ACCOUNT_MAX + 1];
	char *cainfo;
	char *auth;		/* "Authorization: Bearer TOKEN": a secret */
	const char *post_headers[4], *get_headers[3];
	long timeout_ms;
	int retries;
	struct worker *w;	/* for the retries' timers */
	struct pending *pending;
	unsigned n_pending;
};

struct oanda_broker *oanda_broker_new(const struct oanda_broker_config *c, struct nbpy_error *err)
{
	struct oanda_broker *b;
	size_t n = c->api_url ? strlen(c->api_url) : 0;

	if (n > 0 && c->api_url[n - 1] == '/')
		n--;	/* https://host/ works as https://host */
	if (n == 0 || n > API_URL_MAX ||
	    (strncmp(c->api_url, "https://", 8) != 0 && strncmp(c->api_url, "http://", 7) != 0)) {
		nbpy_error_set(err, "api_url: an http:// or https:// URL of at most %d bytes", API_URL_MAX);
		return NULL;
	}
	if (c->account == NULL || strlen(c->account) > ACCOUNT_MAX || !oanda_url_safe(c->account)) {
		nbpy_error_set(err, "account: letters, digits, _ - . only, at most %d", ACCOUNT_MAX);
		return NULL;
	}
	if (c->token == NULL || c->token[0] == '\0' || strpbrk(c->token, "\r\n") != NULL) {
		nbpy_error_set(err, "token: empty or more than one line");
		return NULL;
	}
	if (c->timeout_ns < 1000000 || c->retries < 0 || c->retries > RETRIES_MAX) {
		nbpy_error_set(err, "request timeout under 1 ms, or retries not 0 to %d", RETRIES_MAX);
		return NULL;
	}
	if ((b = calloc(1, sizeof(*b))) == NULL || oanda_auth_header(c->token, &b->auth) < 0 ||
	    (c->cainfo != NULL && (b->cainfo = strdup(c->cainfo)) == NULL)) {
		oanda_broker_free(b);
		nbpy_error_set(err, "out of memory");
		return NULL;
	}
	memcpy(b->api_url, c->api_url, n);
	strcpy(b->account, c->account);
	b->post_headers[0] = b->get_headers[0] = b->auth;
	b->post_headers[1] = "Content-Type: application/json";
	b->post_headers[2] = b->get_headers[1] = "Accept-Datetime-Format: RFC3339";
	b->timeout_ms = (long)(c->timeout_ns / 1000000);
	b->retries = c->retries;
	return b;
}

/* Hand p's result to its owner and forget it. */
static void finish(struct worker *w, struct pending *p)
{
	struct oanda_broker *b = p->b;

	for (struct pending **q = &b->pending; *q != NULL; q = &(*q)->next)
		if (*q == p) {
			*q = p->next;
			break;
		}
	b->n_pending--;
	p->done(w, &p->o, &p->r, p->arg);
	free(p);
}

static void on_answer(struct worker *w, const struct http_result *res, void *arg);

/* Send p's current step; -1 if the request could not start. */
static int send_step(struct worker *w, struct pending *p)
{
	const struct oanda_broker *b = p->b;
	struct http_request req = {
		.url = p->url,
		.timeout_ms = b->timeout_ms,
		.connect_timeout_ms = b->timeout_ms,
		.cainfo = b->cainfo,
		.headers = b->get_headers,
	};
	int n;

	if (p->step == STEP_POST) {
		n = snprintf(p->url, sizeof(p->url), "%s/v3/accounts/%s/orders", b->api_url, b->account);
		req.method = "POST";
		req.headers = b->post_headers;
		req.body = p->body;
		req.body_len = p->body_len;
	} else if (p->step == STEP_LOOKUP) {
		n = snprintf(p->url, sizeof(p->url), "%s/v3/accounts/%s/orders/@%s", b->api_url, b->account,
			     p->o.client_id);
	} else {
		n = snprintf(p->url, sizeof(p->url), "%s/v3/accounts/%s/transactions/%s", b->api_url, b->account,
			     p->txn);
	}
	if (n < 0 || (size_t)n >= sizeof(p->url))
		return -1;
	return worker_http(w, &req, on_answer, p);
}

static void fail(struct worker *w, struct pending *p, const char *why)
{
	char full[sizeof(p->r.reason) + 32];	/* why may be p->r.reason itself */

	(void)snprintf(full, sizeof(full), "%d tries: %s", p->retries_used + 1, why);
	p->r.outcome = TRADE_FAILED;
	(void)snprintf(p->r.reason, sizeof(p->r.reason), "%.63s", full);
	log_warning("order %s: failed, its fate unknown: %s", p->o.client_id, p->r.reason);
	finish(w, p);
}

/* Go on with p's step, at once. */
static void go(struct worker *w, struct pending *p)
{
	if (send_step(w, p) < 0)
		fail(w, p, "could not start a request");
}

static void retry_timer(struct worker *w, void *arg)
{
	struct pending *p = arg;

	p->timer = 0;
	go(w, p);
}

/* An unknown answer: with a retry left, ask (after a delay) whether the
 * order exists, or fetch its transaction again; else give up. */
static void retry(struct worker *w, struct pending *p, enum step next)
{
	int64_t delay = RETRY_DELAY_NS << (p->retries_used < 5 ? p->retries_used : 5);

	if (p->retries_used >= p->b->retries) {
		fail(w, p, p->r.reason);
		return;
	}
	p->retries_used++;
	p->step = next;
	log_notice("order %s: %s; %s (retry %d of %d)", p->o.client_id, p->r.reason,
		   next == STEP_FETCH ? "fetching its transaction again" : "asking OANDA whether it arrived",
		   p->retries_used, p->b->retries);
	p->timer = worker_timer_add(w, delay < RETRY_DELAY_MAX_NS ? delay : RETRY_DELAY_MAX_NS, 0, retry_timer, p);
	if (p->timer < 0) {
		p->timer = 0;
		go(w, p);
	}
}

static void on_answer(struct worker *w, const struct http_result *res, void *arg)
{
	struct pending *p = arg;
	enum oanda_verdict v;

	switch (p->step) {
	case STEP_POST:
		v = oanda_create_answer(&p->o, res->status, res->body, res->len, &p->r);
		break;
	case STEP_LOOKUP:
		v = oanda_lookup_answer(&p->o, res->status, res->body, res->len, &p->r, p->txn);
		break;
	default:
		v = oanda_transaction_answer(&p->o, res->status, res->body, res->len, &p->r);
		break;
	}
	if (res->status == 0 && res->error != NULL)
		(void)snprintf(p->r.reason, sizeof(p->r.reason), "no answer: %s", res->error);
	switch (v) {
	case OANDA_FINAL:
		finish(w, p);
		break;
	case OANDA_ABSENT:
		if (p->reconcile) {	/* a crashed run's order: its signal is old, never sent again */
			p->r.outcome = TRADE_REJECTED;
			(void)snprintf(p->r.reason, sizeof(p->r.reason), "not placed (OANDA has no such client id)");
			finish(w, p);
			break;
		}
		/* the earlier POST never arrived: the same order again */
		log_notice("order %s: not at OANDA, sending it again", p->o.client_id);
		p->step = STEP_POST;
		go(w, p);
		break;
	case OANDA_FETCH:
		p->step = STEP_FETCH;
		go(w, p);
		break;
	default:
		retry(w, p, p->step == STEP_FETCH ? STEP_FETCH : STEP_LOOKUP);
		break;
	}
}

/* Track o and send its first request: a POST, or (reconcile) the lookup. */
static int start(struct worker *w, struct oanda_broker *b, const struct trade_order *o, bool reconcile,
		 broker_done_fn done, void *arg)
{
	struct pending *p = calloc(1, sizeof(*p));
	struct nbpy_error err;
	int n;

	if (p == NULL)
		return -1;
	p->b = b;
	p->o = *o;
	p->done = done;
	p->arg = arg;
	p->reconcile = reconcile;
	p->step = reconcile ? STEP_LOOKUP : STEP_POST;
	if (!reconcile) {
		if ((n = oanda_order_body(&p->o, p->body, sizeof(p->body), &err)) < 0) {
			log_error("%s", err.msg);
			free(p);
			return -1;
		}
		p->body_len = (size_t)n;
	} else if (!oanda_url_safe(o->client_id)) {	/* it goes into the URL */
		log_error("order %s: client id must be letters, digits, _ - .", o->client_id);
		free(p);
		return -1;
	}
	if (send_step(w, p) < 0) {
		free(p);
		return -1;
	}
	b->w = w;
	p->next = b->pending;
	b->pending = p;
	b->n_pending++;
	return 0;
}

int oanda_broker_submit(struct worker *w, struct oanda_broker *b, const struct trade_order *o,
			broker_done_fn done, void *arg)
{
	return start(w, b, o, false, done, arg);
}

int oanda_broker_reconcile(struct worker *w, struct oanda_broker *b, const struct trade_order *o,
			   broker_done_fn done, void *arg)
{
	return start(w, b, o, true, done, arg);
}

unsigned oanda_broker_in_flight(const struct oanda_broker *b)
{
	return b->n_pending;
}

void oanda_broker_free(struct oanda_broker *b)
{
	if (b == NULL)
		return;
	while (b->pending != NULL) {
		struct pending *p = b->pending;

		b->pending = p->next;
		if (p->timer > 0)
			worker_timer_del(b->w, p->timer);
		free(p);
	}
	oanda_auth_free(&b->auth);
	free(b->cainfo);
	free(b);
}
