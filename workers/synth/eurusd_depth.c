/* eurusd_depth.c - kind synth.eurusd_depth: the synthetic EURUSD from the
 * top of Kraken order books (pub_kraken_EURUSD_depth.py, reference 4.5),
 * published as S4: the synthetic quotes at t0 and t1 and the top-of-book
 * price and volume of the pair behind each.
 *
 * Each book_top message updates its leg with the best bid and ask; inside the
 * band the book state shifts (t0 <- t1, t1 <- this book, rounded to 5
 * decimals).  Fixed relative to the original: the first quote in the band
 * only becomes t0 (the original published it with t0 at its start-up
 * placeholders: synthetic 1.1/1.2, books 0.0001); an error answer is never
 * read as a book (it crashed on the missing "result"), and the correct ask
 * goes to ask_t1 (the original's depth sink wrote ask_t0 there). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workers/kinds.h"
#include "workers/synth/legs.h"
#include "common/pyfloat.h"

struct eurusd_depth {
	struct legs legs;
	double band_low, band_high;
	struct nbpy_eurusd_depth last;	/* its t1 fields start the next t0 */
	bool have_last;
};

static void on_message(struct worker *w, const struct worker_input *in)
{
	const struct nbpy_msg *m = in->msg;
	struct eurusd_depth *e = w->kind_state;
	const struct nbpy_book_top *b = &m->u.book;
	struct nbpy_eurusd_depth *d;
	struct leg *leg;
	struct nbpy_msg out;
	double bid, ask;

	if (m->h.schema != NBPY_SCHEMA_BOOK_TOP) {
		worker_error(w, "ignored a %s message: expected book_top",
			     nbpy_schema_get(m->h.schema) ? nbpy_schema_get(m->h.schema)->name : "?");
		return;
	}
	if (b->n_bids == 0 || b->n_asks == 0)
		return;	/* an empty side has no top */
	leg = legs_update(&e->legs, b->instrument, b->bids[0].price, b->asks[0].price,
			  b->bids[0].volume, b->asks[0].volume);
	if (leg == NULL)
		return;
	leg_eurusd(leg, &bid, &ask);
	if (!(bid >= e->band_low && bid <= e->band_high && ask >= e->band_low && ask <= e->band_high))
		return;
	memset(&out, 0, sizeof(out));
	out.h.schema = NBPY_SCHEMA_EURUSD_DEPTH;
	out.h.event_ns = m->h.event_ns;
	out.h.recv_ns = m->h.recv_ns;
	d = &out.u.eurusd_depth;
	strcpy(d->instrument_t0, e->last.instrument_t1);
	d->eurusd_bid_t0 = e->last.eurusd_bid_t1;
	d->eurusd_ask_t0 = e->last.eurusd_ask_t1;
	d->bid_t0 = e->last.bid_t1;
	d->bid_volume_t0 = e->last.bid_volume_t1;
	d->ask_t0 = e->last.ask_t1;
	d->ask_volume_t0 = e->last.ask_volume_t1;
	strcpy(d->instrument_t1, b->instrument);
	d->eurusd_bid_t1 = nbpy_pyfloat_round(bid, 5);
	d->eurusd_ask_t1 = nbpy_pyfloat_round(ask, 5);
	d->bid_t1 = nbpy_pyfloat_round(b->bids[0].price, 5);
	d->bid_volume_t1 = nbpy_pyfloat_round(b->bids[0].volume, 5);
	d->ask_t1 = nbpy_pyfloat_round(b->asks[0].price, 5);
	d->ask_volume_t1 = nbpy_pyfloat_round(b->asks[0].volume, 5);
	nbpy_wire_derive(&out);
	e->last = *d;
	if (!e->have_last) {	/* the first one has no t0 */
		e->have_last = true;
		return;
	}
	(void)worker_publish(w, &out, NULL);
}

static int init(struct worker *w)
{
	struct eurusd_depth *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return -1;
	w->kind_state = e;
	e->band_low = nbpy_service_value(w->svc, "band_low")->v.d;
	e->band_high = nbpy_service_value(w->svc, "band_high")->v.d;
	return legs_load(w, &e->legs);
}

static void destroy(struct worker *w)
{
	struct eurusd_depth *e = w->kind_state;

	if (e != NULL)
		legs_free(&e->legs);
	free(e);
}

const struct kind_ops synth_eurusd_depth_kind = {
	.name = "synth.eurusd_depth",
	.init = init,
	.on_message = on_message,
	.destroy = destroy,
};
