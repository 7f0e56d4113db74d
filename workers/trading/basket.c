/* basket.c - kind basket: the EURUSD basket of the two originals
 * sub_kraken_EURUSD_basket.py and sub_kraken_influxdb_EURUSD_basket.py
 * (reference 6.1), published as schema basket, whose InfluxDB point is
 * their measurement MESSAGES.
 *
 * Per S4 message (eurusd_depth): a DEPTH record; when a synthetic spread is
 * negative (spread_t_ask: EURUSD bought at t1 below its t0 bid; spread_t_bid:
 * bought at t0 below its t1 bid), the implied price of each leg's coin in
 * the other quote currency through that leg's synthetic EURUSD (the cross),
 * a SNAPSHOT record with them, and a BASKET record per negative spread with
 * the four legs' sides.  Recorded, never executed.
 *
 * Fixed relative to the originals (docs/trading.md says why): the EUR->USD
 * cross is bid = bid * EURUSD bid, ask = ask * EURUSD ask (they paired the
 * bid with the book's ask) at full precision (they rounded to 5 decimals);
 * each leg's sides follow its own quote currency (they took all four from
 * t1's); spread_t_bid gives one BASKET (they wrote two, an indentation
 * bug); a leg quoted in neither EUR nor USD, unnamed (the first t0) or the
 * EURUSD pair itself gives no cross and so no SNAPSHOT or BASKET, counted
 * (they wrote a stale or undefined one); pair names are split as everywhere
 * (kraken_base_term); nothing crashes (variant A called float() on a pair
 * name).  A message with a price that is not > 0,
 * a negative volume or no t1 pair is skipped and counted. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "workers/kinds.h"
#include "workers/trading/base_term.h"

struct basket {
	unsigned long long depth, snapshots, baskets, no_cross, skipped;
};

/* One leg of the basket: a quote of the S4 message and its cross. */
struct basket_leg {
	const char *pair;
	double eurusd_bid, eurusd_ask, bid, ask;
	bool eur;	/* quoted in EUR (else USD) */
	char *cross;	/* NBPY_INSTRUMENT_MAX + 1 */
	double *cross_bid, *cross_ask;
};

/* Whether a pair's base is ccy, plain or with Kraken's Z: the base of
 * EURUSD and ZEURZUSD is the term of their cross (EUR priced in EUR). */
static bool base_is(const char *base, const char *ccy)
{
	return strcmp(base, ccy) == 0 || (base[0] == 'Z' && strcmp(base + 1, ccy) == 0);
}

/* The leg's cross pair and implied prices; false when it has none (no pair,
 * a quote currency other than EUR and USD, the EURUSD rate itself). */
static bool cross_of(struct basket_leg *g)
{
	char base[8], term[8];
	size_t n = strlen(g->pair);
	const char *other;

	kraken_base_term(g->pair, base, term);
	if (strcmp(term, "EUR") == 0)
		g->eur = true, other = "USD";
	else if (strcmp(term, "USD") == 0)
		g->eur = false, other = "EUR";
	else
		return false;
	if (base_is(base, other))
		return false;
	/* the term is the pair's last three letters: XXBTZEUR -> XXBTZUSD */
	memcpy(g->cross, g->pair, n - 3);
	memcpy(g->cross + n - 3, other, 4);
	if (g->eur) {	/* sell the coin for EUR at bid, the EUR for USD at the EURUSD bid */
		*g->cross_bid = g->bid * g->eurusd_bid;
		*g->cross_ask = g->ask * g->eurusd_ask;
	} else {	/* sell the coin for USD at bid, buy EUR with it at the EURUSD ask */
		*g->cross_bid = g->bid / g->eurusd_ask;
		*g->cross_ask = g->ask / g->eurusd_bid;
	}
	return true;
}

/* The sides of a leg that buys EURUSD (pays USD for EUR: buys the coin in
 * USD, sells it in EUR) or sells it. */
static void leg_sides(const struct basket_leg *g, bool buys_eurusd, char side[5], char cross_side[5])
{
	bool sells_pair = g->eur == buys_eurusd;

	strcpy(side, sells_pair ? "SELL" : "BUY");
	strcpy(cross_side, sells_pair ? "BUY" : "SELL");
}

/* What makes the message unusable ("bid_t1: not > 0"), or NULL: no t1
 * pair, a price not > 0 or a negative volume (of t0 only when it is named:
 * the first quote has none), a value that is not finite. */
static const char *bad_input(const struct nbpy_eurusd_depth *d, char *why, size_t cap)
{
	enum { PRICE, VOLUME, ANY };
	const struct {
		const char *name;
		double v;
		bool t0;
		int is;
	} f[] = {
		{ "eurusd_bid_t1", d->eurusd_bid_t1, false, PRICE },
		{ "eurusd_ask_t1", d->eurusd_ask_t1, false, PRICE },
		{ "bid_t1", d->bid_t1, false, PRICE },
		{ "ask_t1", d->ask_t1, false, PRICE },
		{ "bid_volume_t1", d->bid_volume_t1, false, VOLUME },
		{ "ask_volume_t1", d->ask_volume_t1, false, VOLUME },
		{ "eurusd_bid_t0", d->eurusd_bid_t0, true, PRICE },
		{ "eurusd_ask_t0", d->eurusd_ask_t0, true, PRICE },
		{ "bid_t0", d->bid_t0, true, PRICE },
		{ "ask_t0", d->ask_t0, true, PRICE },
		{ "bid_volume_t0", d->bid_volume_t0, true, VOLUME },
		{ "ask_volume_t0", d->ask_volume_t0, true, VOLUME },
		{ "spread", d->spread, false, ANY },
		{ "spread_t_bid", d->spread_t_bid, false, ANY },
		{ "spread_t_ask", d->spread_t_ask, false, ANY },
	};
	bool t0_named = d->instrument_t0[0] != '\0';

	if (d->instrument_t1[0] == '\0')
		return "instrument_t1: empty";
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		const char *what = !isfinite(f[i].v) ? "not finite"
			: f[i].t0 && !t0_named ? NULL
			: f[i].is == PRICE && f[i].v <= 0 ? "not > 0"
			: f[i].is == VOLUME && f[i].v < 0 ? "negative" : NULL;

		if (what != NULL) {
			(void)snprintf(why, cap, "%s = %g: %s", f[i].name, f[i].v, what);
			return why;
		}
	}
	return NULL;
}

static void publish(struct worker *w, struct nbpy_msg *out, const char *msgtype,
		    unsigned long long *count)
{
	(void)snprintf(out->u.basket.msgtype, sizeof(out->u.basket.msgtype), "%s", msgtype);
	if (worker_publish(w, out, NULL) == 0)
		(*count)++;
}

static void on_message(struct worker *w, const struct worker_input *in)
{
	struct basket *k = w->kind_state;
	const struct nbpy_msg *m = in->msg;
	const struct nbpy_eurusd_depth *d = &m->u.eurusd_depth;
	struct nbpy_basket *x;
	struct nbpy_msg out;
	struct basket_leg t0, t1;
	char buf[96];
	const char *why;

	if (m->h.schema != NBPY_SCHEMA_EURUSD_DEPTH) {
		worker_error(w, "ignored a %s message: expected eurusd_depth",
			     nbpy_schema_get(m->h.schema) ? nbpy_schema_get(m->h.schema)->name : "?");
		return;
	}
	why = bad_input(d, buf, sizeof(buf));
	if (why != NULL) {
		k->skipped++;
		worker_error(w, "eurusd_depth from %s, seq %llu: %s; skipped", m->h.service,
			     (unsigned long long)m->h.seq, why);
		return;
	}
	memset(&out, 0, sizeof(out));
	out.h.schema = NBPY_SCHEMA_BASKET;
	out.h.event_ns = m->h.event_ns;
	out.h.recv_ns = m->h.recv_ns;
	x = &out.u.basket;
	strcpy(x->instrument_t0, d->instrument_t0);
	x->eurusd_bid_t0 = d->eurusd_bid_t0;
	x->eurusd_ask_t0 = d->eurusd_ask_t0;
	x->bid_t0 = d->bid_t0;
	x->bid_volume_t0 = d->bid_volume_t0;
	x->ask_t0 = d->ask_t0;
	x->ask_volume_t0 = d->ask_volume_t0;
	strcpy(x->instrument_t1, d->instrument_t1);
	x->eurusd_bid_t1 = d->eurusd_bid_t1;
	x->eurusd_ask_t1 = d->eurusd_ask_t1;
	x->bid_t1 = d->bid_t1;
	x->bid_volume_t1 = d->bid_volume_t1;
	x->ask_t1 = d->ask_t1;
	x->ask_volume_t1 = d->ask_volume_t1;
	x->spread = d->spread;
	x->spread_t_bid = d->spread_t_bid;
	x->spread_t_ask = d->spread_t_ask;
	x->bid_t0_cross = x->ask_t0_cross = x->bid_t1_cross = x->ask_t1_cross = NAN;
	publish(w, &out, "DEPTH", &k->depth);
	if (!(d->spread_t_ask < 0) && !(d->spread_t_bid < 0))
		return;
	t0 = (struct basket_leg){ d->instrument_t0, d->eurusd_bid_t0, d->eurusd_ask_t0, d->bid_t0, d->ask_t0,
				  false, x->instrument_t0_cross, &x->bid_t0_cross, &x->ask_t0_cross };
	t1 = (struct basket_leg){ d->instrument_t1, d->eurusd_bid_t1, d->eurusd_ask_t1, d->bid_t1, d->ask_t1,
				  false, x->instrument_t1_cross, &x->bid_t1_cross, &x->ask_t1_cross };
	if (!cross_of(&t0) || !cross_of(&t1)) {
		k->no_cross++;	/* no basket without both crosses */
		return;
	}
	publish(w, &out, "SNAPSHOT", &k->snapshots);
	if (d->spread_t_ask < 0) {	/* buy EURUSD at t1's ask, sell it at t0's bid */
		leg_sides(&t1, true, x->side_t1, x->side_cross_t1);
		leg_sides(&t0, false, x->side_t0, x->side_cross_t0);
		publish(w, &out, "BASKET", &k->baskets);
	}
	if (d->spread_t_bid < 0) {	/* buy EURUSD at t0's ask, sell it at t1's bid */
		leg_sides(&t0, true, x->side_t0, x->side_cross_t0);
		leg_sides(&t1, false, x->side_t1, x->side_cross_t1);
		publish(w, &out, "BASKET", &k->baskets);
	}
}

static void status(struct worker *w, char *buf, size_t cap)
{
	const struct basket *k = w->kind_state;

	(void)snprintf(buf, cap, ", depth %llu, snapshots %llu, baskets %llu, no_cross %llu, skipped %llu",
		       k->depth, k->snapshots, k->baskets, k->no_cross, k->skipped);
}

static const enum nbpy_schema accepts[] = { NBPY_SCHEMA_EURUSD_DEPTH, NBPY_SCHEMA_NONE };

static const struct nbpy_key_spec basket_keys[] = { NBPY_SETTINGS_END };

const struct nbpy_kind_spec basket_kind = {
	.name = "basket",
	.doc = "the EURUSD basket: DEPTH, SNAPSHOT and BASKET records from the synthetic EURUSD depth",
	.flags = NBPY_KIND_PUBLISHES | NBPY_KIND_SUBSCRIBES | NBPY_KIND_NEEDS_INPUT,
	.schema = NBPY_SCHEMA_BASKET,
	.accepts = accepts,
	.keys = basket_keys,
	.state_size = sizeof(struct basket),
	.ops = &(const struct kind_ops){ .on_message = on_message, .status = status },
};
