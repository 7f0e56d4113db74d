/* legs.h - the coin -> (USD pair, EUR pair) table of the synthetic EURUSD
 * kinds, with the latest quote of each leg. */
#ifndef NBPY_SYNTH_LEGS_H
#define NBPY_SYNTH_LEGS_H

#include "workers/runtime.h"

/* The `legs` key's default: {coin, USD pair, EUR pair}, the original's
 * table with its off-by-one pairing fixed (reference 4.2). */
#define EURUSD_LEGS \
	"BCH:BCHUSD:BCHEUR, DASH:DASHUSD:DASHEUR, ETC:XETCZUSD:XETCZEUR, " \
	"ETH:XETHZUSD:XETHZEUR, LTC:XLTCZUSD:XLTCZEUR, XBT:XXBTZUSD:XXBTZEUR, " \
	"XMR:XXMRZUSD:XXMRZEUR, XRP:XXRPZUSD:XXRPZEUR, ZEC:XZECZUSD:XZECZEUR"
#define EURUSD_LEGS_DOC "COIN:USD_PAIR:EUR_PAIR triples"

struct leg {
	char usd[NBPY_INSTRUMENT_MAX + 1], eur[NBPY_INSTRUMENT_MAX + 1];
	double usd_bid, usd_ask, eur_bid, eur_ask;
	double usd_bid_volume, usd_ask_volume, eur_bid_volume, eur_ask_volume;
};

struct legs {
	struct leg *leg;
	size_t n;
};

/* From the service's `legs` key (its settings field items); -1 with
 * w->error set on a bad item or out of memory. */
int legs_load(struct worker *w, const struct nbpy_list *items, struct legs *l);
void legs_free(struct legs *l);

/* Record a quote of pair; the leg it belongs to, or NULL. */
struct leg *legs_update(struct legs *l, const char *pair, double bid, double ask,
			double bid_volume, double ask_volume);

/* EURUSD ask = USD-leg ask / EUR-leg bid; bid = USD-leg bid / EUR-leg ask. */
void leg_eurusd(const struct leg *g, double *bid, double *ask);

#endif
