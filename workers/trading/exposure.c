/* exposure.c - kind exposure: base and term currency amounts at the top of
 * each Kraken book (sub_kraken_influxdb_depth_base_term.py, reference 5.10),
 * published as schema exposure, whose InfluxDB point is the original's
 * measurement `exposure`.
 *
 * Per book: top bid and ask price and volume, base amount = volume, term
 * amount = volume * price.  Fixed relative to the original: base and term
 * come from the sinks' splitting of Kraken pair names plus a fallback for
 * the names it leaves out (kraken_base_term: XBTUSDT, USDCUSD...), where the
 * original raised NameError on every pair but X...Z and 6-character names;
 * bid_tier_id is the bid's own level (the original wrote the asks loop's
 * tier_id there, 0 as well, so no value changes); a book with an empty side
 * is skipped (the original had no top to write either) and counted
 * (STATUS: books, one_sided). */
#include <stdio.h>
#include <string.h>

#include "workers/kinds.h"
#include "workers/trading/base_term.h"

struct exposure {
	unsigned long long books, one_sided;
};

static void on_message(struct worker *w, const struct worker_input *in)
{
	struct exposure *e = w->kind_state;
	const struct nbpy_msg *m = in->msg;
	const struct nbpy_book_top *b = &m->u.book;
	struct nbpy_exposure *x;
	struct nbpy_msg out;

	if (m->h.schema != NBPY_SCHEMA_BOOK_TOP) {
		worker_error(w, "ignored a %s message: expected book_top",
			     nbpy_schema_get(m->h.schema) ? nbpy_schema_get(m->h.schema)->name : "?");
		return;
	}
	e->books++;
	if (b->n_bids == 0 || b->n_asks == 0) {
		e->one_sided++;	/* an empty side has no top */
		return;
	}
	memset(&out, 0, sizeof(out));
	out.h.schema = NBPY_SCHEMA_EXPOSURE;
	out.h.event_ns = m->h.event_ns;
	out.h.recv_ns = m->h.recv_ns;
	x = &out.u.exposure;
	strcpy(x->instrument, b->instrument);
	kraken_base_term(b->instrument, x->base_ccy, x->term_ccy);
	x->bid_tier_id = 0;	/* the top: level 0 of each side */
	x->top_bid = b->bids[0].price;
	x->top_bid_volume = b->bids[0].volume;
	x->bid_base_amount = b->bids[0].volume;
	x->bid_term_amount = b->bids[0].volume * b->bids[0].price;
	x->ask_tier_id = 0;
	x->top_ask = b->asks[0].price;
	x->top_ask_volume = b->asks[0].volume;
	x->ask_base_amount = b->asks[0].volume;
	x->ask_term_amount = b->asks[0].volume * b->asks[0].price;
	(void)worker_publish(w, &out, NULL);
}

static void status(struct worker *w, char *buf, size_t cap)
{
	const struct exposure *e = w->kind_state;

	(void)snprintf(buf, cap, ", books %llu, one_sided %llu", e->books, e->one_sided);
}

static const enum nbpy_schema accepts[] = { NBPY_SCHEMA_BOOK_TOP, NBPY_SCHEMA_NONE };

static const struct nbpy_key_spec exposure_keys[] = { NBPY_SETTINGS_END };

const struct nbpy_kind_spec exposure_kind = {
	.name = "exposure",
	.doc = "base and term currency amounts at the top of each Kraken book",
	.flags = NBPY_KIND_PUBLISHES | NBPY_KIND_SUBSCRIBES | NBPY_KIND_NEEDS_INPUT,
	.schema = NBPY_SCHEMA_EXPOSURE,
	.accepts = accepts,
	.keys = exposure_keys,
	.state_size = sizeof(struct exposure),
	.ops = &(const struct kind_ops){ .on_message = on_message, .status = status },
};
