/* legs.c - see legs.h.  Legs not seen yet hold bid 1e-7 / ask 1e6, as in the
 * original, so their synthetic quote falls outside any band. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workers/synth/legs.h"

int legs_load(struct worker *w, const struct nbpy_list *items, struct legs *l)
{
	l->n = 0;
	l->leg = calloc(items->n ? items->n : 1, sizeof(*l->leg));
	if (l->leg == NULL)
		return nbpy_error_set(&w->error, "out of memory");
	for (size_t i = 0; i < items->n; i++) {
		struct leg *g = &l->leg[l->n];
		char coin[32];

		if (sscanf(items->items[i], "%31[^:]:%31[^:]:%31s", coin, g->usd, g->eur) != 3)
			return worker_config_error(w, items, "legs: bad item '%s': expected "
						   "COIN:USD_PAIR:EUR_PAIR", items->items[i]);
		g->usd_bid = g->eur_bid = 1e-7;
		g->usd_ask = g->eur_ask = 1e6;
		l->n++;
	}
	return 0;
}

void legs_free(struct legs *l)
{
	free(l->leg);
	l->leg = NULL;
	l->n = 0;
}

struct leg *legs_update(struct legs *l, const char *pair, double bid, double ask,
			double bid_volume, double ask_volume)
{
	for (size_t i = 0; i < l->n; i++) {
		struct leg *g = &l->leg[i];

		if (strcmp(g->usd, pair) == 0) {
			g->usd_bid = bid;
			g->usd_ask = ask;
			g->usd_bid_volume = bid_volume;
			g->usd_ask_volume = ask_volume;
			return g;
		}
		if (strcmp(g->eur, pair) == 0) {
			g->eur_bid = bid;
			g->eur_ask = ask;
			g->eur_bid_volume = bid_volume;
			g->eur_ask_volume = ask_volume;
			return g;
		}
	}
	return NULL;
}

void leg_eurusd(const struct leg *g, double *bid, double *ask)
{
	*ask = g->usd_ask / g->eur_bid;
	*bid = g->usd_bid / g->eur_ask;
}
