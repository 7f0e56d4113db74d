/* eurusd.c - kind synth.eurusd: a synthetic EURUSD from crypto legs.
 *
 * For each coin quoted in both USD and EUR, the latest quotes give
 *   EURUSD_ask = USD-leg ask / EUR-leg bid,   EURUSD_bid = USD-leg bid / EUR-leg ask.
 * Inside the band [band_low, band_high] the quote is published as an S2
 * message: the previous quote (t0), this one rounded to 5 decimals (t1), and
 * the spreads.  Differences from pub_kraken_EURUSD.py (reference 4.2):
 * the coin -> (USD pair, EUR pair) table is configurable and correctly paired
 * (the original's ETC/ETH/LTC/REP rows were off by one), and variant a
 * publishes only on updates of a table leg (the original re-published the
 * stale quote under any EUR or USD pair's name).  Variant b reproduces the
 * original _tick script: band 1..2 in etc/nbpy.conf, published on every pair.
 * The band also waits for both legs of a coin (see legs.c), and the first
 * quote in the band only becomes t0: the original published it with t0 at
 * its start-up placeholders ("", 1.1, 1.2). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workers/kinds.h"
#include "workers/synth/legs.h"
#include "common/pyfloat.h"

struct eurusd {
	struct legs legs;
	double band_low, band_high;
	bool every_pair;	/* variant b */
	double bid, ask;	/* the running synthetic quote */
	struct nbpy_eurusd_tick last;	/* t1 of the last quote in the band */
	bool have_last;
};

static bool in_band(const struct eurusd *e)
{
	return e->bid >= e->band_low && e->bid <= e->band_high && e->ask >= e->band_low &&
	       e->ask <= e->band_high;
}

static void on_message(struct worker *w, const struct worker_input *in)
{
	const struct nbpy_msg *m = in->msg;
	struct eurusd *e = w->kind_state;
	const struct nbpy_kraken_ticker *t = &m->u.ticker;
	struct leg *leg;
	struct nbpy_msg out;

	if (m->h.schema != NBPY_SCHEMA_KRAKEN_TICKER) {
		worker_error(w, "ignored a %s message: expected kraken_ticker",
			     nbpy_schema_get(m->h.schema) ? nbpy_schema_get(m->h.schema)->name : "?");
		return;
	}
	leg = legs_update(&e->legs, t->instrument, t->bid_price, t->ask_price, t->bid_lot_volume,
			  t->ask_lot_volume);
	if (leg != NULL)
		leg_eurusd(leg, &e->bid, &e->ask);
	else if (!e->every_pair)
		return;
	if (!in_band(e))
		return;
	memset(&out, 0, sizeof(out));
	out.h.schema = NBPY_SCHEMA_EURUSD_TICK;
	out.h.event_ns = m->h.event_ns;
	out.h.recv_ns = m->h.recv_ns;
	strcpy(out.u.eurusd.instrument_t0, e->last.instrument_t1);
	out.u.eurusd.bid_t0 = e->last.bid_t1;
	out.u.eurusd.ask_t0 = e->last.ask_t1;
	strcpy(out.u.eurusd.instrument_t1, t->instrument);
	out.u.eurusd.bid_t1 = nbpy_pyfloat_round(e->bid, 5);
	out.u.eurusd.ask_t1 = nbpy_pyfloat_round(e->ask, 5);
	nbpy_wire_derive(&out);
	e->last = out.u.eurusd;
	if (!e->have_last) {	/* the first one has no t0 */
		e->have_last = true;
		return;
	}
	(void)worker_publish(w, &out, NULL);
}

static int init(struct worker *w)
{
	struct eurusd *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return -1;
	w->kind_state = e;
	e->band_low = nbpy_service_value(w->svc, "band_low")->v.d;
	e->band_high = nbpy_service_value(w->svc, "band_high")->v.d;
	e->every_pair = strcmp(nbpy_service_value(w->svc, "variant")->text, "b") == 0;
	return legs_load(w, &e->legs);
}

static void destroy(struct worker *w)
{
	struct eurusd *e = w->kind_state;

	if (e != NULL)
		legs_free(&e->legs);
	free(e);
}

const struct kind_ops synth_eurusd_kind = {
	.name = "synth.eurusd",
	.init = init,
	.on_message = on_message,
	.destroy = destroy,
};
