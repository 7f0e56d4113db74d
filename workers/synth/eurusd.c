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
 * Legs not seen yet hold bid 1e-7 / ask 1e6, as in the original, so the band
 * also waits for both legs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kinds.h"
#include "log.h"
#include "pyfloat.h"

struct leg {
	char usd[NBPY_INSTRUMENT_MAX + 1], eur[NBPY_INSTRUMENT_MAX + 1];
	double usd_bid, usd_ask, eur_bid, eur_ask;
};

struct eurusd {
	struct leg *legs;
	size_t n_legs;
	double band_low, band_high;
	bool every_pair;	/* variant b */
	double bid, ask;	/* the running synthetic quote */
	struct nbpy_eurusd_tick last;	/* t1 of the last published quote */
};

static bool in_band(const struct eurusd *e)
{
	return e->bid >= e->band_low && e->bid <= e->band_high && e->ask >= e->band_low &&
	       e->ask <= e->band_high;
}

static void on_message(struct worker *w, const struct nbpy_msg *m, const char *topic)
{
	struct eurusd *e = w->kind_state;
	const struct nbpy_kraken_ticker *t = &m->u.ticker;
	struct leg *leg = NULL;
	struct nbpy_msg out;

	(void)topic;
	if (m->h.schema != NBPY_SCHEMA_KRAKEN_TICKER) {
		worker_error(w, "ignored a %s message: expected kraken_ticker",
			     nbpy_schema_get(m->h.schema) ? nbpy_schema_get(m->h.schema)->name : "?");
		return;
	}
	for (size_t i = 0; i < e->n_legs && leg == NULL; i++) {
		if (strcmp(e->legs[i].usd, t->instrument) == 0) {
			leg = &e->legs[i];
			leg->usd_bid = t->bid_price;
			leg->usd_ask = t->ask_price;
		} else if (strcmp(e->legs[i].eur, t->instrument) == 0) {
			leg = &e->legs[i];
			leg->eur_bid = t->bid_price;
			leg->eur_ask = t->ask_price;
		}
	}
	if (leg != NULL) {
		e->ask = leg->usd_ask / leg->eur_bid;
		e->bid = leg->usd_bid / leg->eur_ask;
	} else if (!e->every_pair) {
		return;
	}
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
	(void)worker_publish(w, &out, NULL);
}

static int parse_legs(struct worker *w, struct eurusd *e)
{
	const struct nbpy_value *v = nbpy_service_value(w->svc, "legs");

	e->legs = calloc(v->n_items ? v->n_items : 1, sizeof(*e->legs));
	if (e->legs == NULL)
		return -1;
	for (size_t i = 0; i < v->n_items; i++) {
		struct leg *l = &e->legs[e->n_legs];
		char coin[32];

		if (sscanf(v->items[i], "%31[^:]:%31[^:]:%31s", coin, l->usd, l->eur) != 3) {
			log_error("%s:%d: [%s] legs: bad item '%s': expected COIN:USD_PAIR:EUR_PAIR",
				  w->config->path, v->line, w->svc->name, v->items[i]);
			return -1;
		}
		l->usd_bid = l->eur_bid = 1e-7;
		l->usd_ask = l->eur_ask = 1e6;
		e->n_legs++;
	}
	return 0;
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
	/* the original's starting t1 */
	e->last.bid_t1 = 1.1;
	e->last.ask_t1 = 1.2;
	return parse_legs(w, e);
}

static void destroy(struct worker *w)
{
	struct eurusd *e = w->kind_state;

	if (e != NULL)
		free(e->legs);
	free(e);
}

const struct kind_ops synth_eurusd_kind = {
	.name = "synth.eurusd",
	.init = init,
	.on_message = on_message,
	.destroy = destroy,
};
