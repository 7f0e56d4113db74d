/* signal.c - kind signal.eurusd_depth: trading signals from the synthetic
 * EURUSD (sub_kraken_EURUSD_depth_send_order.py, reference 5.11, and the
 * rules of the OANDA x Kraken traders, 6.2 and 6.3), published as schema
 * signal, whose InfluxDB point is the original's measurement `orders`.
 *
 * Reads eurusd_depth (S4) or eurusd_tick (S2) messages, and optionally
 * oanda_price quotes, of which it keeps the latest bid and ask of
 * `instrument`.  Each synthetic message is tried against four rules, each
 * firing one signal:
 *   t_bid      spread_t_bid < -threshold: buy at eurusd_ask_t1
 *   t_ask      spread_t_ask < -threshold: sell at eurusd_bid_t1
 *   oanda_ask  oanda_ask < eurusd_bid_t1: buy at oanda_ask
 *   oanda_bid  oanda_bid > eurusd_ask_t1: sell at oanda_bid
 * (the last two once a quote of `instrument` was seen).  Fixed relative to
 * the originals: numbers are compared as numbers (the traders compared the
 * OANDA and Kraken prices as strings), the OANDA rules take the side they
 * describe (the traders' sentinel prices inverted both), a signal is a
 * message rather than a print, and a message whose t0 is the original
 * publisher's start-up placeholder (no t0 pair, books at 0.0001) fires
 * nothing.  A bad value (NaN, infinite, <= 0) or a message of another schema
 * is counted and skipped. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "common/text.h"
#include "workers/kinds.h"

/* The original pub_kraken_EURUSD_depth.py's start-up top of book for t0. */
#define PLACEHOLDER_BOOK 0.0001

struct signal_settings {
	double threshold;
	double units;
	const char *instrument;
};

static const struct nbpy_key_spec signal_keys[] = {
	NBPY_SETTING(struct signal_settings, threshold, DOUBLE, "threshold", "0.0",
		     "USD per EUR, >= 0: a synthetic spread (t_bid, t_ask) fires when below -threshold; "
		     "0 is the original send_order's every negative spread"),
	NBPY_SETTING(struct signal_settings, units, DOUBLE, "units", "1000", "size of each signal, > 0"),
	NBPY_SETTING(struct signal_settings, instrument, STRING, "instrument", "EUR_USD",
		     "what the signals trade, and whose OANDA quotes the oanda_* rules compare"),
	NBPY_SETTINGS_END
};

struct signal {
	double threshold, units;
	const char *instrument;
	double oanda_bid, oanda_ask;	/* NaN until a quote of instrument */
	int64_t last_id;
	unsigned long long inputs, quotes, other_quotes, signals;
	unsigned long long skipped, placeholder, bad_value, unexpected;
};

/* The synthetic quote both input schemas carry. */
struct synthetic {
	const char *instrument_t0, *instrument_t1;
	double bid_t0, ask_t0, bid_t1, ask_t1, spread, spread_t_bid, spread_t_ask;
	bool placeholder;	/* t0 is the original publisher's start-up value */
};

static bool good_price(double x)
{
	return isfinite(x) && x > 0;
}

static void skip(struct signal *s, unsigned long long *reason)
{
	s->skipped++;
	(*reason)++;
}

/* The synthetic quote of m; false when m is of no synthetic schema. */
static bool synthetic_of(const struct nbpy_msg *m, struct synthetic *q)
{
	if (m->h.schema == NBPY_SCHEMA_EURUSD_DEPTH) {
		const struct nbpy_eurusd_depth *d = &m->u.eurusd_depth;

		*q = (struct synthetic){ d->instrument_t0, d->instrument_t1, d->eurusd_bid_t0, d->eurusd_ask_t0,
					 d->eurusd_bid_t1, d->eurusd_ask_t1, d->spread, d->spread_t_bid,
					 d->spread_t_ask,
					 d->instrument_t0[0] == '\0' ||
					 (d->bid_t0 == PLACEHOLDER_BOOK && d->ask_t0 == PLACEHOLDER_BOOK) };
		return true;
	}
	if (m->h.schema == NBPY_SCHEMA_EURUSD_TICK) {
		const struct nbpy_eurusd_tick *t = &m->u.eurusd;

		*q = (struct synthetic){ t->instrument_t0, t->instrument_t1, t->bid_t0, t->ask_t0, t->bid_t1,
					 t->ask_t1, t->spread, t->spread_t_bid, t->spread_t_ask,
					 t->instrument_t0[0] == '\0' };
		return true;
	}
	return false;
}

static void fire(struct worker *w, const struct nbpy_msg *m, const struct synthetic *q, const char *rule,
		 char side, double price)
{
	struct signal *s = w->kind_state;
	struct nbpy_signal *g;
	struct nbpy_msg out;

	memset(&out, 0, offsetof(struct nbpy_msg, u) + sizeof(out.u.signal));
	out.h.schema = NBPY_SCHEMA_SIGNAL;
	out.h.event_ns = m->h.event_ns;
	out.h.recv_ns = m->h.recv_ns;
	g = &out.u.signal;
	/* several signals of one message, or messages of one time: distinct ids */
	g->id = m->h.event_ns > s->last_id ? m->h.event_ns : s->last_id + 1;
	s->last_id = g->id;
	(void)nbpy_copy(g->rule, sizeof(g->rule), rule);
	g->side = side;
	(void)nbpy_copy(g->instrument, sizeof(g->instrument), s->instrument);
	g->size = s->units;
	g->price = price;
	g->threshold = s->threshold;
	(void)nbpy_copy(g->instrument_t0, sizeof(g->instrument_t0), q->instrument_t0);
	g->eurusd_bid_t0 = q->bid_t0;
	g->eurusd_ask_t0 = q->ask_t0;
	(void)nbpy_copy(g->instrument_t1, sizeof(g->instrument_t1), q->instrument_t1);
	g->eurusd_bid_t1 = q->bid_t1;
	g->eurusd_ask_t1 = q->ask_t1;
	g->spread = q->spread;
	g->spread_t_bid = q->spread_t_bid;
	g->spread_t_ask = q->spread_t_ask;
	g->oanda_bid = s->oanda_bid;
	g->oanda_ask = s->oanda_ask;
	if (worker_publish(w, &out, NULL) == 0)
		s->signals++;
}

static void on_quote(struct worker *w, const struct nbpy_oanda_price *p)
{
	struct signal *s = w->kind_state;

	if (strcmp(p->instrument, s->instrument) != 0) {
		s->other_quotes++;
		return;
	}
	if (!good_price(p->bid) || !good_price(p->ask)) {
		worker_error(w, "%s quote with bid %g, ask %g: skipped", p->instrument, p->bid, p->ask);
		skip(s, &s->bad_value);
		return;
	}
	s->quotes++;
	s->oanda_bid = p->bid;
	s->oanda_ask = p->ask;
}

static void on_message(struct worker *w, const struct worker_input *in)
{
	struct signal *s = w->kind_state;
	const struct nbpy_msg *m = in->msg;
	const struct nbpy_schema_desc *desc;
	struct synthetic q;

	s->inputs++;
	if (m->h.schema == NBPY_SCHEMA_OANDA_PRICE) {
		on_quote(w, &m->u.oanda);
		return;
	}
	if (!synthetic_of(m, &q)) {
		desc = nbpy_schema_get(m->h.schema);
		worker_error(w, "ignored a %s message on %s: expected eurusd_depth, eurusd_tick or oanda_price",
			     desc ? desc->name : "?", in->topic);
		skip(s, &s->unexpected);
		return;
	}
	if (!good_price(q.bid_t0) || !good_price(q.ask_t0) || !good_price(q.bid_t1) || !good_price(q.ask_t1) ||
	    !isfinite(q.spread) || !isfinite(q.spread_t_bid) || !isfinite(q.spread_t_ask)) {
		worker_error(w, "%s synthetic quote with t0 %g/%g, t1 %g/%g: skipped", q.instrument_t1, q.bid_t0,
			     q.ask_t0, q.bid_t1, q.ask_t1);
		skip(s, &s->bad_value);
		return;
	}
	if (q.placeholder) {
		skip(s, &s->placeholder);	/* its t0 spreads are against made-up prices */
		return;
	}
	if (q.spread_t_bid < -s->threshold)
		fire(w, m, &q, "t_bid", 'b', q.ask_t1);	/* the bid jumped above the previous ask */
	if (q.spread_t_ask < -s->threshold)
		fire(w, m, &q, "t_ask", 's', q.bid_t1);	/* the ask fell below the previous bid */
	if (s->oanda_ask < q.bid_t1)	/* false while NaN: no quote yet */
		fire(w, m, &q, "oanda_ask", 'b', s->oanda_ask);	/* OANDA sells below the synthetic bid */
	if (s->oanda_bid > q.ask_t1)
		fire(w, m, &q, "oanda_bid", 's', s->oanda_bid);	/* OANDA buys above the synthetic ask */
}

static int init(struct worker *w)
{
	const struct signal_settings *set = w->settings;
	struct signal *s = w->kind_state;

	if (set->threshold < 0)
		return worker_config_error(w, &set->threshold, "threshold: must be 0 or more (USD per EUR)");
	if (!(set->units > 0))
		return worker_config_error(w, &set->units, "units: must be more than 0");
	if (set->instrument[0] == '\0' || strlen(set->instrument) > NBPY_INSTRUMENT_MAX)
		return worker_config_error(w, &set->instrument, "instrument: 1 to %d characters",
					   NBPY_INSTRUMENT_MAX);
	s->threshold = set->threshold;
	s->units = set->units;
	s->instrument = set->instrument;
	s->oanda_bid = NAN;
	s->oanda_ask = NAN;
	return 0;
}

static void status(struct worker *w, char *buf, size_t cap)
{
	const struct signal *s = w->kind_state;

	(void)snprintf(buf, cap,
		       ", inputs %llu, quotes %llu, other_quotes %llu, signals %llu, skipped %llu, "
		       "placeholder %llu, bad_value %llu, unexpected %llu",
		       s->inputs, s->quotes, s->other_quotes, s->signals, s->skipped, s->placeholder, s->bad_value,
		       s->unexpected);
}

static const enum nbpy_schema accepts[] = {
	NBPY_SCHEMA_EURUSD_DEPTH, NBPY_SCHEMA_EURUSD_TICK, NBPY_SCHEMA_OANDA_PRICE, NBPY_SCHEMA_NONE
};

const struct nbpy_kind_spec signal_eurusd_depth_kind = {
	.name = "signal.eurusd_depth",
	.doc = "trading signals from negative synthetic EURUSD spreads and OANDA across the synthetic",
	.flags = NBPY_KIND_PUBLISHES | NBPY_KIND_SUBSCRIBES | NBPY_KIND_NEEDS_INPUT,
	.schema = NBPY_SCHEMA_SIGNAL,
	.accepts = accepts,
	.keys = signal_keys,
	.settings_size = sizeof(struct signal_settings),
	.state_size = sizeof(struct signal),
	.ops = &(const struct kind_ops){ .init = init, .on_message = on_message, .status = status },
};
