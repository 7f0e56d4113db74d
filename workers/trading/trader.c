/* trader.c - kind trader: acts on `signal` messages (signal.eurusd_depth)
 * with the strategy of one of the seed's two OANDA x Kraken traders
 * (reference 6.2 and 6.3), fills its orders on paper against the latest
 * `oanda_price` of each instrument or sends them to OANDA v20 (broker.h),
 * nets the fills into positions with realised and unrealised PnL in the
 * account currency, and publishes an `order` for every order, a `fill` for
 * every fill and a `position` after every order (and, at most once a second
 * per instrument, marked at new quotes), all on its one topic.
 *
 * Strategies (side: the signal's, on its instrument, EUR_USD):
 *   depth  one order on the instrument, `units`; take profit and stop loss
 *          as sub_oanda_kraken_EURUSD_depth_position_order.py (5 decimals);
 *   tick   the instrument through its JPY crosses, as
 *          sub_oanda_kraken_EURUSD_tick_position_order.py: buy EUR_USD =
 *          buy EUR_JPY `units` at its ask and sell USD_JPY for the same
 *          yen, round(units * EURJPY ask / USDJPY bid) at its bid (a sell:
 *          EUR_JPY at the bid, USD_JPY round(units * EURJPY bid / USDJPY
 *          ask) at the ask); 3 decimals, trailing stop 0.200.
 *
 * Risk limits, in every mode, checked for a signal's orders together (all
 * go, or all are refused, so a hedge is never half placed): a quote (and
 * a conversion rate to the account currency) for every leg; no opening
 * order after the day's loss passed max_daily_loss (realised + unrealised
 * since 00:00 UTC of the signal's event time) until the next day; no order
 * that takes |position| above max_position (reducing ones always go); at
 * most max_orders_per_minute orders in the 60 s of signal event time before.
 *
 * State (trader_state.h): paper mode saves it after a signal's orders are
 * settled and before their messages leave; practice and live save the
 * signal as taken, with its orders in flight, before sending, so a crash
 * never sends a signal twice; the next start asks OANDA what became of
 * each order still in flight (oanda_broker_reconcile) and settles the
 * answer as a live one.  Signals at or below the last id are duplicates:
 * counted, ignored. */
#include <autoconfig.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workers/kinds.h"
#include "common/crc32c.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/pyfloat.h"
#include "common/text.h"
#include "common/timefmt.h"
#include "workers/oanda/v20.h"
#include "workers/trading/broker.h"
#include "workers/trading/position.h"
#include "workers/trading/trader_state.h"

#define MAX_QUOTES 64		/* instruments quoted, at most */
#define MAX_LEGS 2		/* orders per signal */
#define SIGNAL_OUT (3 * MAX_LEGS)	/* messages of one signal: order, fill, position per leg */
/* Paper mode saves the state once for the signals of one turn of the loop
 * (a group commit): their messages wait, held by the runtime, until then,
 * at most about this many bytes (some 40,000 messages; only a flood fills
 * it, and then one fsync covers some 13,000 signals, not 1,700 as with 1 MiB). */
#define HELD_MAX (1 << 23)
#define DAY_NS (86400 * NBPY_NS_PER_SEC)
#define RATE_WINDOW_NS (60 * NBPY_NS_PER_SEC)
/* After a restart the orders left in flight are looked up this long after
 * the start, so that the subscribers of the restarted trader are back for
 * what the answers publish. */
#define RECONCILE_DELAY_NS NBPY_NS_PER_SEC

enum trade_mode { MODE_PAPER, MODE_PRACTICE, MODE_LIVE };
/* Each the size of the messages' mode field, to be copied whole. */
static const char mode_names[][sizeof(((struct nbpy_order *)0)->mode)] = { "paper", "practice", "live" };
enum strategy { STRATEGY_DEPTH, STRATEGY_TICK };

struct trader_settings {
	int mode, strategy;
	int64_t units;
	const char *account_currency;
	double slippage_bps, fee_bps;
	int64_t max_position, max_orders_per_minute;
	double max_daily_loss;
	bool flatten_on_stop;
	const char *api_url, *account, *token, *live_confirm;
	int64_t request_timeout, retries;
};

static const struct nbpy_key_spec trader_keys[] = {
	NBPY_SETTING_ENUM(struct trader_settings, mode, "mode", "paper|practice|live", "paper",
			  "paper: fills simulated against the latest quote; practice, live: OANDA v20 market orders"),
	NBPY_SETTING_ENUM(struct trader_settings, strategy, "strategy", "depth|tick", "depth",
			  "depth: the signal's instrument; tick: through its JPY crosses (docs/trading.md)"),
	NBPY_SETTING_INT(struct trader_settings, units, "units", 1, 100000000, "1000",
			 "units of an order (tick: of the first cross; the second matches its yen)"),
	NBPY_SETTING(struct trader_settings, account_currency, STRING, "account_currency", "USD",
		     "currency of PnL and fees; converted with the latest quotes"),
	NBPY_SETTING(struct trader_settings, slippage_bps, DOUBLE, "slippage_bps", "0",
		     "paper: a buy fills at ask * (1 + bps / 10000), a sell at bid * (1 - bps / 10000)"),
	NBPY_SETTING(struct trader_settings, fee_bps, DOUBLE, "fee_bps", "0",
		     "paper: fee = notional * bps / 10000, in the account currency"),
	NBPY_SETTING_INT(struct trader_settings, max_position, "max_position", 1, 1000000000, "10000",
			 "units per instrument, absolute; an order beyond is refused (reducing ones never)"),
	NBPY_SETTING_INT(struct trader_settings, max_orders_per_minute, "max_orders_per_minute", 0,
			 TRADER_MAX_RATE, "10",
			 "orders in the last 60 s of signal event time, at most; 0: no limit (a backtest)"),
	NBPY_SETTING(struct trader_settings, max_daily_loss, DOUBLE, "max_daily_loss", "500",
		     "account currency; beyond it (realised + unrealised since 00:00 UTC) no opening order "
		     "until the next day"),
	NBPY_SETTING(struct trader_settings, flatten_on_stop, BOOL, "flatten_on_stop", "no",
		     "close every open position when stopped"),
	NBPY_SETTING(struct trader_settings, api_url, STRING, "api_url", NULL,
		     "practice, live: OANDA REST host; unset: https://api-fxpractice.oanda.com (practice), "
		     "https://api-fxtrade.oanda.com (live)"),
	NBPY_SETTING(struct trader_settings, account, STRING, "account", NULL, "practice, live: OANDA account id"),
	NBPY_SETTING_SECRET(struct trader_settings, token, "token",
			    "practice, live: API token (a secret, never logged): `${NBPY_OANDA_TOKEN}` or "
			    "token_file = PATH"),
	NBPY_SETTING(struct trader_settings, request_timeout, DURATION, "request_timeout", "10s",
		     "practice, live: limit of one order request"),
	NBPY_SETTING_INT(struct trader_settings, retries, "retries", 0, 10, "2",
			 "practice, live: retries of a timed-out order, with the same client id"),
	NBPY_SETTING(struct trader_settings, live_confirm, STRING, "live_confirm", NULL,
		     "live: must repeat the account id, or the trader does not start"),
	NBPY_SETTINGS_END
};

struct quote {
	char instrument[NBPY_INSTRUMENT_MAX + 1];
	double bid, ask;
	int64_t bid_liquidity, ask_liquidity;	/* 0: unknown */
	bool tradeable_known, tradeable;
	int64_t event_ns, recv_ns;
	int64_t marked_mono;	/* when its position was last published marked at a quote */
	long long mark_timer;	/* > 0: a later quote's mark is due */
};

/* An order on its way to the broker, or looked up after a restart. */
struct pending {
	bool used;
	bool reconcile;		/* sent by an earlier run: being looked up */
	struct trade_order o;
	double rate;		/* account currency per unit of its quote currency, when sent */
	int64_t event_ns, recv_ns;	/* of the signal: its messages carry them */
};

struct trader {
	struct trader_state st;
	char *state_path;
	char client_prefix[24];		/* "nbpy-" and the CRC-32C of the service name */
	struct quote quotes[MAX_QUOTES];
	size_t n_quotes;
	struct nbpy_msg out;		/* the message being built */
	bool dirty;			/* the state changed since it was saved */
	long long commit_timer;		/* > 0: a group commit is due at the end of this turn */
	struct oanda_broker *broker;
	struct pending pending[TRADER_MAX_IN_FLIGHT];
	long long stop_timer;
	long long reconcile_timer;	/* > 0: the orders in flight at the start are not looked up yet */
	/* counters */
	unsigned long long signals, orders, fills, rejected, failed, duplicates, no_quote, bad;
	unsigned long long refused_position, refused_rate, refused_loss, unknown_fate;
};

/* ---- quotes, currencies ---- */

static struct quote *quote_of(struct trader *t, const char *instrument)
{
	for (size_t i = 0; i < t->n_quotes; i++)
		if (strcmp(t->quotes[i].instrument, instrument) == 0)
			return &t->quotes[i];
	return NULL;
}

static struct quote *on_price(struct worker *w, struct trader *t, const struct nbpy_msg *m)
{
	const struct nbpy_oanda_price *p = &m->u.oanda;
	struct quote *q = quote_of(t, p->instrument);

	if (!(p->bid > 0 && p->ask > 0)) {
		t->bad++;
		worker_error(w, "ignored a quote of %s: bid %g, ask %g", p->instrument, p->bid, p->ask);
		return NULL;
	}
	if (q == NULL) {
		if (t->n_quotes == MAX_QUOTES) {
			t->bad++;
			worker_error(w, "ignored a quote of %s: %d instruments quoted already", p->instrument,
				     MAX_QUOTES);
			return NULL;
		}
		q = &t->quotes[t->n_quotes++];
		strcpy(q->instrument, p->instrument);
	}
	q->event_ns = m->h.event_ns;
	q->recv_ns = m->h.recv_ns;
	q->bid = p->bid;
	q->ask = p->ask;
	q->bid_liquidity = p->bid_liquidity;
	q->ask_liquidity = p->ask_liquidity;
	/* the legacy wire carries neither tradeable nor closeout prices: a
	 * quote without closeout prices says nothing about tradeable */
	q->tradeable_known = p->closeout_bid > 0 || p->closeout_ask > 0;
	q->tradeable = p->tradeable != 0;
	return q;
}

/* The quote currency of an OANDA instrument (EUR_USD: USD), or NULL. */
static const char *quote_currency(const char *instrument)
{
	const char *u = strrchr(instrument, '_');

	return u != NULL && u[1] != '\0' ? u + 1 : NULL;
}

/* Account currency per unit of ccy, from the latest mid of ACCOUNT_CCY
 * (1 / mid) or CCY_ACCOUNT (mid).  false: neither is quoted. */
static bool rate_to_account(struct trader *t, const char *account, const char *ccy, double *rate)
{
	char name[2 * NBPY_INSTRUMENT_MAX + 2];
	const struct quote *q;

	if (strcmp(ccy, account) == 0) {
		*rate = 1;
		return true;
	}
	(void)snprintf(name, sizeof(name), "%s_%s", account, ccy);
	if ((q = quote_of(t, name)) != NULL) {
		*rate = 2 / (q->bid + q->ask);
		return true;
	}
	(void)snprintf(name, sizeof(name), "%s_%s", ccy, account);
	if ((q = quote_of(t, name)) != NULL) {
		*rate = (q->bid + q->ask) / 2;
		return true;
	}
	return false;
}

/* ---- positions ---- */

static struct trader_holding *holding_of(struct trader *t, const char *instrument, bool create)
{
	struct trader_holding *h;

	for (size_t i = 0; i < t->st.n_held; i++)
		if (strcmp(t->st.held[i].instrument, instrument) == 0)
			return &t->st.held[i];
	if (!create || t->st.n_held == TRADER_MAX_INSTRUMENTS)
		return NULL;
	h = &t->st.held[t->st.n_held++];
	memset(h, 0, sizeof(*h));
	(void)nbpy_copy(h->instrument, sizeof(h->instrument), instrument);
	return h;
}

/* h's mark (bid when long, ask when short) and unrealised PnL in the
 * account currency; false when flat, unquoted or not convertible. */
static bool unrealised_of(struct trader *t, const char *account, const struct trader_holding *h, double *mark,
			  double *pl)
{
	const struct quote *q = quote_of(t, h->instrument);
	const char *ccy = quote_currency(h->instrument);
	double rate;

	if (h->p.units == 0 || q == NULL || ccy == NULL || !rate_to_account(t, account, ccy, &rate))
		return false;
	*mark = h->p.units > 0 ? q->bid : q->ask;
	*pl = position_unrealised(&h->p, *mark) * rate;
	return true;
}

/* Realised plus what can be marked of the unrealised, account currency. */
static void total_pl(struct trader *t, const char *account, double *realised, double *unrealised)
{
	double mark, pl;

	*realised = *unrealised = 0;
	for (size_t i = 0; i < t->st.n_held; i++) {
		*realised += t->st.held[i].p.realised;
		if (unrealised_of(t, account, &t->st.held[i], &mark, &pl))
			*unrealised += pl;
	}
}

/* ---- state ---- */

static int save_state(struct worker *w, struct trader *t)
{
	struct nbpy_error err;

	if (trader_state_save(&t->st, t->state_path, &err) == 0)
		return 0;
	worker_error(w, "trader state: %s", err.msg);
	return -1;
}

/* ---- messages ---- */

/* A name into a message field of the same size, whole: the source, one of
 * the trader's own fields, is terminated within it (and what follows its NUL
 * never travels), so no strnlen for each of the three messages of a fill. */
#define COPY_FIELD(dst, src) \
	do { \
		_Static_assert(sizeof(dst) == sizeof(src), "COPY_FIELD: sizes differ"); \
		memcpy(dst, src, sizeof(dst)); \
	} while (0)

/* The account currency (3 capital letters, check_settings) into a message's
 * currency field of 4 bytes. */
#define COPY_CURRENCY(dst, set) \
	do { \
		_Static_assert(sizeof(dst) == 4, "COPY_CURRENCY: not a 3-letter field"); \
		memcpy(dst, (set)->account_currency, 4); \
	} while (0)

/* The message to build, zeroed as far as its schema's fields go. */
static struct nbpy_msg *next_out(struct trader *t, enum nbpy_schema schema, int64_t event_ns, int64_t recv_ns,
				 size_t body)
{
	struct nbpy_msg *m = &t->out;

	memset(m, 0, offsetof(struct nbpy_msg, u) + body);
	m->h.schema = schema;
	m->h.event_ns = event_ns;
	m->h.recv_ns = recv_ns;
	return m;
}

static void add_order(struct worker *w, struct trader *t, const struct trader_settings *set,
		      const struct trade_order *o, const char *state, const char *reason, const char *broker_id,
		      int64_t event_ns, int64_t recv_ns)
{
	struct nbpy_order *x =
		&next_out(t, NBPY_SCHEMA_ORDER, event_ns, recv_ns, sizeof(struct nbpy_order))->u.order;

	COPY_FIELD(x->client_id, o->client_id);
	x->signal_id = o->signal_id;
	COPY_FIELD(x->mode, mode_names[set->mode]);
	COPY_FIELD(x->instrument, o->instrument);
	x->side = o->side;
	x->units = o->units;
	x->price = o->price;
	x->take_profit = o->take_profit;
	x->stop_loss = o->stop_loss;
	(void)nbpy_copy(x->state, sizeof(x->state), state);
	(void)nbpy_copy(x->reason, sizeof(x->reason), reason);
	(void)nbpy_copy(x->broker_id, sizeof(x->broker_id), broker_id);
	(void)worker_publish(w, &t->out, NULL);
}

static void add_fill(struct worker *w, struct trader *t, const struct trader_settings *set,
		     const struct trade_order *o, const struct trade_result *r, double realised, int64_t event_ns,
		     int64_t recv_ns)
{
	struct nbpy_fill *x =
		&next_out(t, NBPY_SCHEMA_FILL, event_ns, recv_ns, sizeof(struct nbpy_fill))->u.fill;

	COPY_FIELD(x->client_id, o->client_id);
	x->signal_id = o->signal_id;
	COPY_FIELD(x->mode, mode_names[set->mode]);
	COPY_FIELD(x->instrument, o->instrument);
	x->side = o->side;
	x->units = r->units;
	x->price = r->price;
	x->fee = r->fee;
	x->realised_pl = realised;
	COPY_CURRENCY(x->currency, set);
	COPY_FIELD(x->broker_id, r->fill_id);
	(void)worker_publish(w, &t->out, NULL);
}

static void add_position(struct worker *w, struct trader *t, const struct trader_settings *set,
			 const struct trader_holding *h, int64_t event_ns, int64_t recv_ns)
{
	struct nbpy_position *x =
		&next_out(t, NBPY_SCHEMA_POSITION, event_ns, recv_ns, sizeof(struct nbpy_position))->u.position;
	double mark, pl;

	COPY_FIELD(x->instrument, h->instrument);
	COPY_FIELD(x->mode, mode_names[set->mode]);
	x->units = h->p.units;
	x->average_price = h->p.units != 0 ? h->p.average : NAN;
	x->mark = x->unrealised_pl = NAN;
	if (unrealised_of(t, set->account_currency, h, &mark, &pl)) {
		x->mark = mark;
		x->unrealised_pl = pl;
	}
	x->realised_pl = h->p.realised;
	x->fees = h->p.fees;
	COPY_CURRENCY(x->currency, set);
	(void)worker_publish(w, &t->out, NULL);
}

/* The state saved if it changed, then what it produced (held since the
 * last commit) published: a crash in between loses the messages rather
 * than acting on a signal twice. */
static void commit(struct worker *w, struct trader *t)
{
	if (t->commit_timer > 0) {
		worker_timer_del(w, t->commit_timer);
		t->commit_timer = 0;
	}
	if (t->dirty) {
		(void)save_state(w, t);
		t->dirty = false;
	}
	worker_release(w);
	worker_hold(w);
}

static void commit_due(struct worker *w, void *arg)
{
	struct trader *t = arg;

	t->commit_timer = 0;
	commit(w, t);
}

/* A signal handled: in paper mode its commit joins the others of this turn
 * of the loop (a timer due now runs after the turn's messages), unless the
 * messages waiting could not take another signal's; an order to a broker is
 * never sent before the state says so, so the other modes commit at once. */
static void signal_done(struct worker *w, struct trader *t)
{
	const struct trader_settings *set = w->settings;

	t->dirty = true;
	if (set->mode == MODE_PAPER && worker_held_bytes(w) + SIGNAL_OUT * NBPY_WIRE_MAX <= HELD_MAX) {
		if (t->commit_timer > 0 || (t->commit_timer = worker_timer_add(w, 0, 0, commit_due, t)) > 0)
			return;
		t->commit_timer = 0;
	}
	commit(w, t);
}

/* ---- orders ---- */


/* o's price, take profit and stop loss from q (NULL: none) as the
 * originals set them: a buy priced at the ask, its profit rate above it and
 * its stop sl_rate * ask below the bid; a sell the other way round. */
static void price_order(struct trade_order *o, const struct quote *q, double tp_rate, double sl_rate, int decimals)
{
	o->decimals = decimals;
	if (q == NULL) {
		o->price = o->take_profit = o->stop_loss = NAN;
	} else if (o->side == 'b') {
		o->price = q->ask;
		o->take_profit = nbpy_pyfloat_round(q->ask * (1 + tp_rate), decimals);
		o->stop_loss = nbpy_pyfloat_round(q->bid - sl_rate * q->ask, decimals);
	} else {
		o->price = q->bid;
		o->take_profit = nbpy_pyfloat_round(q->bid * (1 - tp_rate), decimals);
		o->stop_loss = nbpy_pyfloat_round(q->ask + sl_rate * q->bid, decimals);
	}
}

static void new_order(const struct trader *t, struct trade_order *o, int64_t signal_id, const char *leg,
		      const char *instrument, char side, double units)
{
	char id[sizeof(t->client_prefix) + NBPY_I64_MAX + 16];	/* PREFIX-SIGNAL_ID-LEG, then cut to fit */
	size_t n = strlen(t->client_prefix);

	memcpy(id, t->client_prefix, n);
	id[n++] = '-';
	n += nbpy_put_i64(id + n, signal_id);
	id[n++] = '-';
	(void)nbpy_copy(id + n, sizeof(id) - n, leg);
	memset(o, 0, sizeof(*o));
	(void)nbpy_copy(o->client_id, sizeof(o->client_id), id);
	o->signal_id = signal_id;
	(void)nbpy_copy(o->instrument, sizeof(o->instrument), instrument);
	o->side = side;
	o->units = units;
	o->trailing_stop = NAN;
}

/* The orders of a signal, by the strategy; 0: none (a bad signal, or the
 * tick strategy without its crosses' quotes: counted). */
static size_t build_orders(struct worker *w, struct trader *t, const struct nbpy_signal *sig,
			   struct trade_order o[MAX_LEGS])
{
	const struct trader_settings *set = w->settings;
	const char *u = strchr(sig->instrument, '_'), *quote = u ? u + 1 : NULL;
	char cross[2][NBPY_INSTRUMENT_MAX + 1];
	const struct quote *q0, *q1;
	char other;
	double units;

	if ((sig->side != 'b' && sig->side != 's') || u == NULL || u == sig->instrument || quote[0] == '\0' ||
	    strchr(quote, '_') != NULL) {
		t->bad++;
		worker_error(w, "signal %" PRId64 ": side '%c' on '%s': expected b or s on BASE_QUOTE", sig->id,
			     sig->side, sig->instrument);
		return 0;
	}
	if (set->strategy == STRATEGY_DEPTH) {
		new_order(t, &o[0], sig->id, "0", sig->instrument, sig->side, (double)set->units);
		price_order(&o[0], quote_of(t, sig->instrument), 0.0011, 0.001, 5);
		return 1;
	}
	/* tick: BASE_QUOTE through BASE_JPY and QUOTE_JPY, the same yen each */
	(void)snprintf(cross[0], sizeof(cross[0]), "%.*s_JPY", (int)(u - sig->instrument), sig->instrument);
	(void)snprintf(cross[1], sizeof(cross[1]), "%s_JPY", quote);
	q0 = quote_of(t, cross[0]);
	q1 = quote_of(t, cross[1]);
	if (q0 == NULL || q1 == NULL) {
		t->no_quote++;
		log_info("signal %" PRId64 " skipped: no quote of %s yet", sig->id, q0 == NULL ? cross[0] : cross[1]);
		return 0;
	}
	other = sig->side == 'b' ? 's' : 'b';
	units = sig->side == 'b' ? nearbyint((double)set->units * q0->ask / q1->bid)
				 : nearbyint((double)set->units * q0->bid / q1->ask);
	new_order(t, &o[0], sig->id, "0", cross[0], sig->side, (double)set->units);
	price_order(&o[0], q0, 0.0007, 0.0003, 3);
	o[0].trailing_stop = 0.200;
	if (units < 1)
		return 1;	/* too little yen to match in whole units */
	new_order(t, &o[1], sig->id, "1", cross[1], other, units);
	price_order(&o[1], q1, 0.0007, 0.0003, 3);
	o[1].trailing_stop = 0.200;
	return 2;
}

/* ---- risk ---- */

/* Signed units of the orders of instrument in flight (sent, being looked
 * up after a restart, or of a fate still unknown): the limits count them
 * as filled. */
static double pending_units(const struct trader *t, const char *instrument)
{
	double u = 0;

	for (size_t i = 0; i < t->st.n_in_flight; i++) {
		const struct trade_order *o = &t->st.in_flight[i].o;

		if (strcmp(o->instrument, instrument) == 0)
			u += o->side == 'b' ? o->units : -o->units;
	}
	return u;
}

enum refusal { GO, REFUSED_NO_QUOTE, REFUSED_LOSS, REFUSED_POSITION, REFUSED_RATE, REFUSED_FULL };

/* Orders sent in the 60 s of event time before now (older ones dropped). */
static size_t orders_in_window(struct trader *t, int64_t now)
{
	size_t old = 0;

	while (old < t->st.n_recent && t->st.recent[old] <= now - RATE_WINDOW_NS)
		old++;
	memmove(t->st.recent, t->st.recent + old, (t->st.n_recent - old) * sizeof(t->st.recent[0]));
	t->st.n_recent -= old;
	return t->st.n_recent;
}

static void note_orders(struct trader *t, int64_t now, size_t n)
{
	while (n-- > 0) {
		if (t->st.n_recent == TRADER_MAX_RATE)
			(void)memmove(t->st.recent, t->st.recent + 1, --t->st.n_recent * sizeof(t->st.recent[0]));
		t->st.recent[t->st.n_recent++] = now;
	}
}

/* A new UTC day opens a new daily-loss window; a loss beyond the limit
 * halts opening orders until the next one. */
static void check_day(struct worker *w, struct trader *t, int64_t event_ns)
{
	const struct trader_settings *set = w->settings;
	int64_t day = event_ns / DAY_NS - (event_ns % DAY_NS < 0);
	double realised, unrealised, loss;

	total_pl(t, set->account_currency, &realised, &unrealised);
	if (day != t->st.day) {
		if (t->st.halted)
			log_notice("a new UTC day: opening orders again");
		t->st.day = day;
		t->st.day_start_pl = realised + unrealised;
		t->st.halted = false;
	}
	loss = t->st.day_start_pl - (realised + unrealised);
	if (!t->st.halted && loss > set->max_daily_loss) {
		t->st.halted = true;
		t->st.halted_loss = loss;
		log_warning("halted: daily loss %.2f %s > %g: no opening order until 00:00 UTC", loss,
			    set->account_currency, set->max_daily_loss);
	}
}

/* Whether the orders of a signal may go: all or none.  rates[i]: account
 * currency per unit of o[i]'s quote currency; why: the reason when not. */
static enum refusal check_orders(struct worker *w, struct trader *t, const struct trade_order *o, size_t n,
				 int64_t now, double rates[MAX_LEGS], char *why, size_t cap)
{
	const struct trader_settings *set = w->settings;
	size_t recent;

	for (size_t i = 0; i < n; i++) {
		const char *ccy = quote_currency(o[i].instrument);

		if (quote_of(t, o[i].instrument) == NULL) {
			(void)snprintf(why, cap, "no quote of %s", o[i].instrument);
			return REFUSED_NO_QUOTE;
		}
		if (ccy == NULL || !rate_to_account(t, set->account_currency, ccy, &rates[i])) {
			(void)snprintf(why, cap, "no rate %s/%s", ccy ? ccy : o[i].instrument, set->account_currency);
			return REFUSED_NO_QUOTE;
		}
		if (holding_of(t, o[i].instrument, true) == NULL) {
			(void)snprintf(why, cap, "positions in %d instruments already", TRADER_MAX_INSTRUMENTS);
			return REFUSED_FULL;
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct position p = { .units = holding_of(t, o[i].instrument, false)->p.units +
					       pending_units(t, o[i].instrument) };
		double du = o[i].side == 'b' ? o[i].units : -o[i].units;

		if (!position_opens(&p, du))
			continue;	/* reducing: always allowed */
		if (t->st.halted) {
			(void)snprintf(why, cap, "halted: daily loss %.2f %s > %g", t->st.halted_loss,
				       set->account_currency, set->max_daily_loss);
			return REFUSED_LOSS;
		}
		if (fabs(p.units + du) > (double)set->max_position) {
			(void)snprintf(why, cap, "max_position: %s %.0f > %" PRId64, o[i].instrument,
				       fabs(p.units + du), set->max_position);
			return REFUSED_POSITION;
		}
	}
	if (set->max_orders_per_minute == 0)
		return GO;
	recent = orders_in_window(t, now);
	if (recent + n > (size_t)set->max_orders_per_minute) {
		(void)snprintf(why, cap, "max_orders_per_minute: %zu sent in 60 s, max %" PRId64, recent,
			       set->max_orders_per_minute);
		return REFUSED_RATE;
	}
	return GO;
}

/* ---- settling an order ---- */

/* Net what the broker, or the paper fill, did with o into its position
 * and queue its messages. */
static void settle(struct worker *w, struct trader *t, const struct trade_order *o, double rate,
		   const struct trade_result *r, int64_t event_ns, int64_t recv_ns)
{
	static const char *const states[] = { [TRADE_FILLED] = "filled", [TRADE_REJECTED] = "rejected",
					      [TRADE_FAILED] = "failed" };
	const struct trader_settings *set = w->settings;
	struct trader_holding *h = holding_of(t, o->instrument, true);

	t->orders++;
	add_order(w, t, set, o, states[r->outcome], r->outcome == TRADE_FILLED ? "" : r->reason, r->broker_id,
		  event_ns, recv_ns);
	if (r->outcome == TRADE_REJECTED) {
		t->rejected++;
		log_info("order %s rejected: %s", o->client_id, r->reason);
	} else if (r->outcome == TRADE_FAILED) {
		t->failed++;
		worker_error(w, "order %s: %s: its fate is unknown, check the account", o->client_id, r->reason);
	} else if (h == NULL) {
		worker_error(w, "order %s filled, but positions in %d instruments already: not counted",
			     o->client_id, TRADER_MAX_INSTRUMENTS);
	} else {
		double realised = position_fill(&h->p, o->side == 'b' ? r->units : -r->units, r->price) * rate - r->fee;

		h->p.realised += realised;
		h->p.fees += r->fee;
		t->fills++;
		add_fill(w, t, set, o, r, realised, event_ns, recv_ns);
	}
	if (h != NULL)
		add_position(w, t, set, h, event_ns, recv_ns);
}

/* Refuse the orders of a signal, all of them, saying why. */
static void refuse(struct worker *w, struct trader *t, const struct trade_order *o, size_t n, const char *why,
		   int64_t event_ns, int64_t recv_ns)
{
	const struct trader_settings *set = w->settings;

	for (size_t i = 0; i < n; i++) {
		const struct trader_holding *h = holding_of(t, o[i].instrument, false);

		t->orders++;
		add_order(w, t, set, &o[i], "refused", why, "", event_ns, recv_ns);
		if (h != NULL)
			add_position(w, t, set, h, event_ns, recv_ns);
	}
}

/* Paper: fill-or-kill against q, as OANDA's default MARKET order: all at
 * the top (ask for a buy, bid for a sell, less slippage), or nothing when
 * the top shows fewer units than asked (0 shown: not known, the legacy
 * wire); nothing when the instrument is not tradeable. */
static void paper_fill(const struct trader_settings *set, const struct quote *q, const struct trade_order *o,
		       double rate, struct trade_result *r)
{
	int64_t shown = o->side == 'b' ? q->ask_liquidity : q->bid_liquidity;

	memset(r, 0, sizeof(*r));
	if (q->tradeable_known && !q->tradeable) {
		r->outcome = TRADE_REJECTED;
		(void)snprintf(r->reason, sizeof(r->reason), "%s not tradeable now", o->instrument);
	} else if (shown > 0 && (double)shown < o->units) {
		r->outcome = TRADE_REJECTED;
		(void)snprintf(r->reason, sizeof(r->reason), "FOK: %.0f units > %" PRId64 " at the top", o->units,
			       shown);
	} else {
		r->outcome = TRADE_FILLED;
		r->units = o->units;
		r->price = o->side == 'b' ? q->ask * (1 + set->slippage_bps / 1e4)
					  : q->bid * (1 - set->slippage_bps / 1e4);
		r->fee = r->units * r->price * set->fee_bps / 1e4 * rate;
	}
}

static size_t n_pending(const struct trader *t)
{
	size_t n = 0;

	for (size_t i = 0; i < TRADER_MAX_IN_FLIGHT; i++)
		n += t->pending[i].used;
	return n;
}

/* ---- practice and live: OANDA v20 (oanda_orders.c) ---- */

static void forget_in_flight(struct trader *t, const char *client_id)
{
	for (size_t i = 0; i < t->st.n_in_flight; i++)
		if (strcmp(t->st.in_flight[i].o.client_id, client_id) == 0) {
			memmove(&t->st.in_flight[i], &t->st.in_flight[i + 1],
				(t->st.n_in_flight - i - 1) * sizeof(t->st.in_flight[0]));
			t->st.n_in_flight--;
			return;
		}
}

/* The orders sent at stop are answered: the stop may go on. */
static void stop_if_done(struct worker *w, struct trader *t)
{
	if (w->stopping && n_pending(t) == 0) {
		worker_timer_del(w, t->stop_timer);
		t->stop_timer = 0;
		worker_hold_stop(w, false);
	}
}

/* OANDA answered (or every retry failed): the order is settled as a paper
 * fill is, and no longer in flight.  A lookup after a restart that got no
 * answer leaves its order in flight, its fate still unknown, for the next
 * start to ask again. */
static void on_answer(struct worker *w, const struct trade_order *o, const struct trade_result *r, void *arg)
{
	struct trader *t = w->kind_state;
	struct pending *p = arg;

	if (p->reconcile && r->outcome == TRADE_FAILED) {
		t->unknown_fate++;
		worker_error(w, "order %s, sent before a restart: %s: its fate is still unknown (kept in %s, asked "
			     "again at the next start; check the account)", o->client_id, r->reason, t->state_path);
		p->used = false;
		stop_if_done(w, t);
		return;
	}
	if (p->reconcile)
		log_notice("order %s, sent before a restart: %s at OANDA", o->client_id,
			   r->outcome == TRADE_FILLED ? "filled" : r->reason);
	settle(w, t, o, p->rate, r, p->event_ns, p->recv_ns);
	forget_in_flight(t, o->client_id);
	p->used = false;
	t->dirty = true;
	commit(w, t);
	stop_if_done(w, t);
}

/* Send orders to OANDA, after the state says they are in flight (a crash
 * between the two then never sends them again: the next start asks OANDA
 * what became of them, reconcile). */
static void send_orders(struct worker *w, struct trader *t, const struct trade_order *o, const double *rates,
			size_t n, int64_t event_ns, int64_t recv_ns)
{
	struct pending *p[TRADER_MAX_IN_FLIGHT];
	size_t k = 0;

	for (size_t i = 0; i < TRADER_MAX_IN_FLIGHT && k < n; i++)
		if (!t->pending[i].used && t->st.n_in_flight < TRADER_MAX_IN_FLIGHT) {
			p[k] = &t->pending[i];
			*p[k] = (struct pending){ .used = true, .o = o[k], .rate = rates[k], .event_ns = event_ns,
						  .recv_ns = recv_ns };
			t->st.in_flight[t->st.n_in_flight++] = (struct trader_in_flight){
				.o = o[k], .rate = rates[k], .event_ns = event_ns, .recv_ns = recv_ns };
			k++;
		}
	if (k < n || save_state(w, t) < 0) {
		for (size_t i = 0; i < k; i++) {
			forget_in_flight(t, p[i]->o.client_id);
			p[i]->used = false;
		}
		refuse(w, t, o, n, k < n ? "too many orders in flight" : "state not saved: not sent", event_ns,
		       recv_ns);
		commit(w, t);
		return;
	}
	for (size_t i = 0; i < k; i++)
		if (oanda_broker_submit(w, t->broker, &p[i]->o, on_answer, p[i]) < 0) {
			struct trade_result r = { .outcome = TRADE_FAILED };

			(void)snprintf(r.reason, sizeof(r.reason), "not sent: could not start the request");
			on_answer(w, &p[i]->o, &r, p[i]);
		}
}

/* ---- positions marked at new quotes ---- */

/* The position of q's instrument, if open, marked at q. */
static void publish_mark(struct worker *w, struct trader *t, struct quote *q)
{
	const struct trader_holding *h = holding_of(t, q->instrument, false);

	if (h == NULL || h->p.units == 0)
		return;
	add_position(w, t, w->settings, h, q->event_ns, q->recv_ns);
	commit(w, t);	/* after the fills it follows */
	q->marked_mono = nbpy_monotonic_ns();
}

static void mark_due(struct worker *w, void *arg)
{
	struct quote *q = arg;

	q->mark_timer = 0;
	publish_mark(w, w->kind_state, q);
}

/* A new quote of an open position: published at most once a second per
 * instrument, the last quote of a busy second at its end. */
static void mark_position(struct worker *w, struct trader *t, struct quote *q)
{
	const struct trader_holding *h = holding_of(t, q->instrument, false);
	int64_t wait;

	if (h == NULL || h->p.units == 0 || q->mark_timer > 0)
		return;
	wait = q->marked_mono + NBPY_NS_PER_SEC - nbpy_monotonic_ns();
	if (q->marked_mono == 0 || wait <= 0)
		publish_mark(w, t, q);
	else if ((q->mark_timer = worker_timer_add(w, wait, 0, mark_due, q)) < 0)
		q->mark_timer = 0;	/* the next quote tries again */
}

/* At stop: the marks still due go out now. */
static void flush_marks(struct worker *w, struct trader *t)
{
	for (size_t i = 0; i < t->n_quotes; i++)
		if (t->quotes[i].mark_timer > 0) {
			worker_timer_del(w, t->quotes[i].mark_timer);
			mark_due(w, &t->quotes[i]);
		}
}

/* ---- signals ---- */

static void on_signal(struct worker *w, struct trader *t, const struct nbpy_msg *m)
{
	const struct trader_settings *set = w->settings;
	const struct nbpy_signal *sig = &m->u.signal;
	struct trade_order o[MAX_LEGS];
	double rates[MAX_LEGS];
	char why[64];
	size_t n;

	t->signals++;
	if (sig->id <= t->st.last_signal_id) {
		t->duplicates++;	/* acted on before (a replay, a restart) */
		return;
	}
	t->st.last_signal_id = sig->id;
	check_day(w, t, m->h.event_ns);
	if ((n = build_orders(w, t, sig, o)) == 0)
		goto done;
	switch (check_orders(w, t, o, n, m->h.event_ns, rates, why, sizeof(why))) {
	case GO:
		break;
	case REFUSED_NO_QUOTE:
		t->no_quote++;
		/* fall through */
	case REFUSED_FULL:
		refuse(w, t, o, n, why, m->h.event_ns, m->h.recv_ns);
		log_info("signal %" PRId64 ": %s", sig->id, why);
		goto done;
	case REFUSED_LOSS:
		t->refused_loss += n;
		goto limit;
	case REFUSED_POSITION:
		t->refused_position += n;
		goto limit;
	case REFUSED_RATE:
		t->refused_rate += n;
limit:
		refuse(w, t, o, n, why, m->h.event_ns, m->h.recv_ns);
		log_warning("signal %" PRId64 " refused: %s", sig->id, why);
		goto done;
	}
	if (set->max_orders_per_minute > 0)
		note_orders(t, m->h.event_ns, n);
	if (set->mode != MODE_PAPER) {
		send_orders(w, t, o, rates, n, m->h.event_ns, m->h.recv_ns);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct trade_result r;

		paper_fill(set, quote_of(t, o[i].instrument), &o[i], rates[i], &r);
		settle(w, t, &o[i], rates[i], &r, m->h.event_ns, m->h.recv_ns);
	}
done:
	signal_done(w, t);
}

static void on_message(struct worker *w, const struct worker_input *in)
{
	struct trader *t = w->kind_state;
	const struct nbpy_msg *m = in->msg;
	struct quote *q;

	if (m->h.schema == NBPY_SCHEMA_OANDA_PRICE) {
		if ((q = on_price(w, t, m)) != NULL)
			mark_position(w, t, q);
	} else if (m->h.schema == NBPY_SCHEMA_SIGNAL) {
		on_signal(w, t, m);
	} else {
		t->bad++;
		worker_error(w, "ignored a %s message: expected signal or oanda_price",
			     nbpy_schema_get(m->h.schema) ? nbpy_schema_get(m->h.schema)->name : "?");
	}
}

/* ---- stopping ---- */

/* flatten_on_stop: a closing market order for every open position. */
static void flatten(struct worker *w, struct trader *t)
{
	const struct trader_settings *set = w->settings;
	int64_t now = nbpy_now_ns();

	for (size_t i = 0; i < t->st.n_held; i++) {
		const struct trader_holding *h = &t->st.held[i];
		const struct quote *q = quote_of(t, h->instrument);
		const char *ccy = quote_currency(h->instrument);
		struct trade_order o;
		struct trade_result r;
		char leg[8];
		double rate;

		if (h->p.units == 0)
			continue;
		(void)snprintf(leg, sizeof(leg), "f%u", (unsigned)(i % TRADER_MAX_INSTRUMENTS));
		new_order(t, &o, now, leg, h->instrument, h->p.units > 0 ? 's' : 'b', fabs(h->p.units));
		o.signal_id = 0;	/* no signal: the stop */
		price_order(&o, q, NAN, NAN, 5);
		o.take_profit = o.stop_loss = NAN;
		if (q == NULL || ccy == NULL || !rate_to_account(t, set->account_currency, ccy, &rate)) {
			worker_error(w, "flatten_on_stop: %s stays at %.0f: no quote to close it at", h->instrument,
				     h->p.units);
			refuse(w, t, &o, 1, "flatten_on_stop: no quote", now, now);
		} else if (set->mode != MODE_PAPER) {
			send_orders(w, t, &o, &rate, 1, now, now);
			continue;
		} else {
			paper_fill(set, q, &o, rate, &r);
			settle(w, t, &o, rate, &r, now, now);
		}
		t->dirty = true;
		commit(w, t);
	}
}

static void stop_give_up(struct worker *w, void *arg)
{
	struct trader *t = arg;

	t->stop_timer = 0;
	worker_error(w, "%zu orders not answered at stop: their fate is unknown (%s lists them)", n_pending(t),
		     t->state_path);
	worker_hold_stop(w, false);
}

static void on_stop(struct worker *w)
{
	const struct trader_settings *set = w->settings;
	struct trader *t = w->kind_state;
	const struct nbpy_value *v = nbpy_service_value(w->svc, "stop_timeout");
	int64_t budget = v && v->text ? v->v.ns : nbpy_config_global(w->config, "stop_timeout")->v.ns;

	if (t->reconcile_timer > 0) {	/* not looked up yet: the state keeps them for the next start */
		worker_timer_del(w, t->reconcile_timer);
		t->reconcile_timer = 0;
	}
	commit(w, t);	/* the signals read at stop */
	flush_marks(w, t);
	if (set->flatten_on_stop)
		flatten(w, t);
	if (n_pending(t) == 0)
		return;
	/* half of stop_timeout for the answers, the rest to exit before
	 * nbpyd's SIGKILL */
	worker_hold_stop(w, true);
	t->stop_timer = worker_timer_add(w, budget / 2, 0, stop_give_up, t);
	if (t->stop_timer < 0) {
		t->stop_timer = 0;
		stop_give_up(w, t);
	}
}

/* ---- the kind ---- */

static int check_settings(struct worker *w)
{
	const struct trader_settings *set = w->settings;
	const char *c = set->account_currency;

	if (strlen(c) != 3 || strspn(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3)
		return worker_config_error(w, &set->account_currency, "account_currency: '%s' is not a currency "
					   "code (3 capital letters, e.g. USD)", c);
	if (!(set->slippage_bps >= 0 && set->slippage_bps < 10000))
		return worker_config_error(w, &set->slippage_bps, "slippage_bps: must be 0 or more, below 10000");
	if (!(set->fee_bps >= 0 && set->fee_bps < 10000))
		return worker_config_error(w, &set->fee_bps, "fee_bps: must be 0 or more, below 10000");
	if (!(set->max_daily_loss > 0 && isfinite(set->max_daily_loss)))
		return worker_config_error(w, &set->max_daily_loss, "max_daily_loss: must be more than 0");
	if (set->mode == MODE_PAPER)
		return 0;
	if (set->account == NULL || !oanda_url_safe(set->account))
		return worker_config_error(w, &set->account,
					   "account: mode = %s needs an OANDA account id (letters, digits, _ - .)",
					   mode_names[set->mode]);
	if (set->token == NULL || set->token[0] == '\0')
		return worker_config_error(w, &set->token,
					   "token: mode = %s needs an API token (token = ${NBPY_OANDA_TOKEN} or "
					   "token_file = PATH)", mode_names[set->mode]);
	if (set->request_timeout <= 0)
		return worker_config_error(w, &set->request_timeout, "request_timeout: must be more than 0");
	if (set->mode == MODE_LIVE && (set->live_confirm == NULL || strcmp(set->live_confirm, set->account) != 0))
		return worker_config_error(w, &set->live_confirm,
					   "live_confirm: mode = live trades real money: set live_confirm to the "
					   "account id to mean it");
	return 0;
}

/* After a restart: OANDA is asked what became of each order in flight
 * (on_answer settles it); one kept by an older trader as a bare client id
 * cannot be looked up: its fate is unknown, reported, and forgotten. */
static void reconcile(struct worker *w, void *arg)
{
	struct trader *t = arg;
	size_t kept = 0, asked = 0, slot = 0;

	t->reconcile_timer = 0;
	for (size_t i = 0; i < t->st.n_in_flight; i++) {
		const struct trader_in_flight *f = &t->st.in_flight[i];
		struct pending *p;

		if (f->o.instrument[0] == '\0' || t->broker == NULL) {
			t->unknown_fate++;
			worker_error(w, "order %s was sent before a restart and not answered; %s: its fate is "
				     "unknown, check the account", f->o.client_id,
				     t->broker == NULL ? "mode = paper cannot ask OANDA" : "the state keeps only its id");
			continue;
		}
		if (kept != i)
			t->st.in_flight[kept] = *f;
		f = &t->st.in_flight[kept++];
		/* signals sent since the start may use some slots; the state's
		 * in-flight list counts them, so one is free for each order here */
		while (t->pending[slot].used)
			slot++;
		p = &t->pending[slot];
		*p = (struct pending){ .used = true, .reconcile = true, .o = f->o, .rate = f->rate,
				       .event_ns = f->event_ns, .recv_ns = f->recv_ns };
		if (oanda_broker_reconcile(w, t->broker, &p->o, on_answer, p) < 0) {
			p->used = false;
			t->unknown_fate++;
			worker_error(w, "order %s, sent before a restart: could not ask OANDA about it: its fate "
				     "is unknown (kept in %s)", f->o.client_id, t->state_path);
			continue;
		}
		asked++;
	}
	if (asked > 0)
		log_notice("%zu orders sent before a restart and not answered: asking OANDA what became of them",
			   asked);
	if (kept < t->st.n_in_flight) {
		t->st.n_in_flight = kept;
		(void)save_state(w, t);
	}
}

/* STATE_DIR/trader/SERVICE.json, read back; orders in flight at a crash are
 * looked up (reconcile). */
static int load_state(struct worker *w, struct trader *t)
{
	const char *state_dir = nbpy_config_global(w->config, "state_dir")->text;
	struct nbpy_error err;
	char dir[4096];
	int rc;

	if ((size_t)snprintf(dir, sizeof(dir), "%s/trader", state_dir) >= sizeof(dir))
		return worker_config_error(w, NULL, "state_dir: too long");
	if (nbpy_mkdir_p(dir, 0755) < 0)
		return nbpy_error_class_set(&w->error, NBPY_ERR_CONFIG, "cannot create %s: %s", dir, strerror(errno));
	if (asprintf(&t->state_path, "%s/%s.json", dir, w->svc->name) < 0) {
		t->state_path = NULL;
		return nbpy_error_set(&w->error, "out of memory");
	}
	rc = trader_state_load(&t->st, t->state_path, &err);
	if (rc < 0)
		return worker_config_error(w, NULL, "trader state %s (fix or remove the file; positions are in it)",
					   err.msg);
	if (rc == 1) {
		log_info("no state in %s: a first run, flat", t->state_path);
		return 0;
	}
	log_info("state %s: %zu positions, last signal %" PRId64 ", %zu orders in flight", t->state_path,
		 t->st.n_held, t->st.last_signal_id, t->st.n_in_flight);
	if (t->st.n_in_flight == 0)
		return 0;
	if ((t->reconcile_timer = worker_timer_add(w, RECONCILE_DELAY_NS, 0, reconcile, t)) < 0) {
		t->reconcile_timer = 0;
		reconcile(w, t);
	}
	return 0;
}

static int init(struct worker *w)
{
	const struct trader_settings *set = w->settings;
	struct trader *t = w->kind_state;

	if (check_settings(w) < 0)
		return -1;
	worker_hold(w);	/* until each commit */
	/* service names run to 63 bytes, a client id to 47 */
	(void)snprintf(t->client_prefix, sizeof(t->client_prefix), "nbpy-%08" PRIx32,
		       nbpy_crc32c(0, w->svc->name, strlen(w->svc->name)));
	if (set->mode != MODE_PAPER) {
		struct oanda_broker_config bc = {
			.api_url = set->api_url != NULL ? set->api_url
				   : set->mode == MODE_LIVE ? "https://api-fxtrade.oanda.com"
							    : "https://api-fxpractice.oanda.com",
			.account = set->account,
			.token = set->token,
			.timeout_ns = set->request_timeout,
			.retries = (int)set->retries,
		};

		if ((t->broker = oanda_broker_new(&bc, &w->error)) == NULL)
			return -1;
		if (set->mode == MODE_LIVE)
			log_notice("live trading on account %s", set->account);
	}
	return load_state(w, t);
}

static void status(struct worker *w, char *buf, size_t cap)
{
	const struct trader_settings *set = w->settings;
	struct trader *t = w->kind_state;
	const struct {
		const char *name;
		const unsigned long long *count;
	} rare[] = { { "failed", &t->failed }, { "bad", &t->bad }, { "unknown", &t->unknown_fate } };
	double realised, unrealised;
	size_t n;

	total_pl(t, set->account_currency, &realised, &unrealised);
	n = (size_t)snprintf(buf, cap, ", signals %llu, orders %llu, fills %llu, rejected %llu, refused %llu "
			     "(position %llu, rate %llu, loss %llu)", t->signals, t->orders, t->fills, t->rejected,
			     t->refused_position + t->refused_rate + t->refused_loss, t->refused_position,
			     t->refused_rate, t->refused_loss);
	if (n < cap && t->st.halted)
		n += (size_t)snprintf(buf + n, cap - n, ", halted: daily loss %.2f %s > %g", t->st.halted_loss,
				      set->account_currency, set->max_daily_loss);
	if (n < cap)
		n += (size_t)snprintf(buf + n, cap - n, ", duplicates %llu, no_quote %llu, pl %.2f + %.2f %s",
				      t->duplicates, t->no_quote, realised, unrealised, set->account_currency);
	/* the rare ones only when they happened: the line has 160 bytes */
	for (size_t i = 0; i < sizeof(rare) / sizeof(rare[0]); i++)
		if (n < cap && *rare[i].count > 0)
			n += (size_t)snprintf(buf + n, cap - n, ", %s %llu", rare[i].name, *rare[i].count);
}

static void destroy(struct worker *w)
{
	struct trader *t = w->kind_state;

	if (t->broker != NULL)
		oanda_broker_free(t->broker);
	free(t->state_path);
}

static const enum nbpy_schema accepts[] = { NBPY_SCHEMA_SIGNAL, NBPY_SCHEMA_OANDA_PRICE, NBPY_SCHEMA_NONE };

const struct nbpy_kind_spec trader_kind = {
	.name = "trader",
	.doc = "acts on signals: paper fills or OANDA v20 market orders, netted positions, PnL, risk limits",
	.flags = NBPY_KIND_PUBLISHES | NBPY_KIND_SUBSCRIBES | NBPY_KIND_NEEDS_INPUT,
	.schema = NBPY_SCHEMA_NONE,
	.accepts = accepts,
	.keys = trader_keys,
	.settings_size = sizeof(struct trader_settings),
	.state_size = sizeof(struct trader),
	.ops = &(const struct kind_ops){
		.init = init,
		.on_message = on_message,
		.on_stop = on_stop,
		.status = status,
		.destroy = destroy,
	},
};
