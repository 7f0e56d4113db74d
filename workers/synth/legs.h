/* legs.h - the coin -> (USD pair, EUR pair) table of the synthetic EURUSD
 * kinds, with the latest quote of each leg. */
#ifndef NBPY_SYNTH_LEGS_H
#define NBPY_SYNTH_LEGS_H

#include "workers/runtime.h"

struct leg {
	char usd[NBPY_INSTRUMENT_MAX + 1], eur[NBPY_INSTRUMENT_MAX + 1];
	double usd_bid, usd_ask, eur_bid, eur_ask;
	double usd_bid_volume, usd_ask_volume, eur_bid_volume, eur_ask_volume;
};

struct legs {
	struct leg *leg;
	size_t n;
};

/* From the service's `legs` key; -1 (logged with FILE:LINE) on a bad item. */
int legs_load(struct worker *w, struct legs *l);
void legs_free(struct legs *l);

/* Record a quote of pair; the leg it belongs to, or NULL. */
struct leg *legs_update(struct legs *l, const char *pair, double bid, double ask,
			double bid_volume, double ask_volume);

/* EURUSD ask = USD-leg ask / EUR-leg bid; bid = USD-leg bid / EUR-leg ask. */
void leg_eurusd(const struct leg *g, double *bid, double *ask);

#endif
