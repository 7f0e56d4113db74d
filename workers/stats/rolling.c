/* rolling.c - kind stats.rolling: rolling statistics of tickers, per
 * instrument, published as tick_stats messages.
 *
 * Each tick (a kraken_ticker, oanda_price or trade message; the table
 * `sources` says which fields are its bid, ask, price and volume) goes into
 * its instrument's window (gpu/rolling.h: pandas' semantics, O(1) amortised
 * per tick).  An instrument publishes its statistics every `every` of its
 * ticks, and/or every `interval` when it had ticks since its last
 * publication; the message's event time is its last tick's.
 *
 * device: a stream adds one tick at a time, which the CPU's streaming
 * window does in tens of ns; a GPU launch alone costs microseconds
 * (reference §2.3), so auto and cpu both compute on the CPU.  cuda keeps
 * each instrument's last `window` ticks and computes each publication with
 * nbpy_rolling_batch on the GPU over those windows: the same numbers, for
 * parity with the CPU, paying only with many instruments x large windows.
 *
 * Bounds: at most max_instruments instruments (the ticks of any further
 * one are counted and dropped) and max_instruments x window ticks of
 * memory, checked at start.  Fixes the originals (reference §5.16), which
 * crashed on their first messages and computed nothing. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workers/kinds.h"
#include "gpu/rolling.h"
#include "workers/stats/tick_source.h"

struct rolling_settings {
	int64_t window;
	int64_t window_time;	/* ns, 0: none */
	int64_t min_periods;
	int64_t every;
	int64_t interval;	/* ns, 0: none */
	int64_t max_instruments;
	int device;		/* index in "auto|cpu|cuda" */
};

enum { DEVICE_AUTO, DEVICE_CPU, DEVICE_CUDA };

static const struct nbpy_key_spec rolling_keys[] = {
	NBPY_SETTING_INT(struct rolling_settings, window, "window", 1, NBPY_ROLLING_WINDOW_MAX, "100",
			 "ticks in the window (with window_time: its cap)"),
	NBPY_SETTING(struct rolling_settings, window_time, DURATION, "window_time", "0s",
		     "also a time window: ticks in (t - window_time, t]; 0: none (cpu only)"),
	NBPY_SETTING_INT(struct rolling_settings, min_periods, "min_periods", 0, NBPY_ROLLING_WINDOW_MAX, "0",
			 "fewer ticks make a statistic undefined; 0: pandas' default (window, 1 with window_time)"),
	NBPY_SETTING_INT(struct rolling_settings, every, "every", 0, 1000000000, "1",
			 "publish an instrument's statistics every this many of its ticks; 0: on interval only"),
	NBPY_SETTING(struct rolling_settings, interval, DURATION, "interval", "0s",
		     "also publish every interval, for each instrument with new ticks; 0: never"),
	NBPY_SETTING_INT(struct rolling_settings, max_instruments, "max_instruments", 1, 1 << 20, "4096",
			 "instruments kept; the ticks of more are dropped and counted (refused)"),
	NBPY_SETTING_ENUM(struct rolling_settings, device, "device", "auto|cpu|cuda", "auto",
			  "auto and cpu: the CPU (a stream is one tick at a time); cuda: the GPU, for parity; "
			  "no usable GPU is an error at start"),
	NBPY_SETTINGS_END
};

/* Memory bound: about 144 bytes per tick of window (gpu/rolling.h); cuda
 * keeps the ticks (struct tick) and, for a round, their batch: a time, a
 * count and N_COLS columns. */
#define TICK_BYTES 144u
#define N_COLS 13		/* bid, ask, price, volume, then the 9 statistics */
#define CUDA_TICK_BYTES (sizeof(struct tick) + 2 * sizeof(int64_t) + N_COLS * sizeof(double))
#define MEMORY_MAX ((uint64_t)4 << 30)

/* ---- the instruments ---- */

struct tick {
	int64_t t_ns;
	double bid, ask, price, volume;
};

struct instrument {
	char name[NBPY_INSTRUMENT_MAX + 1];
	struct nbpy_rolling *window;	/* cpu */
	struct tick *ring;		/* cuda: the last `window` ticks */
	size_t head, len;
	uint64_t unpublished;		/* ticks since the last publication */
	int64_t event_ns, recv_ns;	/* of the last tick */
};

struct rolling {
	struct nbpy_rolling_params params;
	bool cuda;
	struct instrument *inst;	/* max_instruments, in order of arrival */
	size_t n_inst, max_inst;
	uint32_t *slots;		/* hash: index + 1, 0 = free */
	size_t n_slots;			/* a power of two, >= 2 x max_inst */
	/* cuda: the batch of one publication round, grown as needed */
	struct nbpy_rolling_input in;
	size_t *seg;
	int64_t *t_ns;
	double *cols[N_COLS];		/* bid, ask, price, volume, then the statistics */
	int64_t *count;
	size_t cap_rows, cap_segs;
	struct instrument **batch;	/* the instruments of the round */
	size_t n_batch;
	/* counters */
	uint64_t ticks, published, refused, out_of_order, no_memory;
	bool said_full;
};

static uint64_t hash_name(const char *s)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* The instrument named name, added if new; NULL when max_instruments are
 * kept already (refused) or memory ran out. */
static struct instrument *instrument_of(struct worker *w, struct rolling *r, const char *name)
{
	size_t mask = r->n_slots - 1, i = hash_name(name) & mask;
	struct instrument *e;

	for (; r->slots[i] != 0; i = (i + 1) & mask)
		if (strcmp(r->inst[r->slots[i] - 1].name, name) == 0)
			return &r->inst[r->slots[i] - 1];
	if (r->n_inst >= r->max_inst) {
		r->refused++;
		if (!r->said_full) {
			r->said_full = true;
			worker_error(w, "max_instruments (%zu) reached: ticks of new instruments (first '%s') are dropped",
				     r->max_inst, name);
		}
		return NULL;
	}
	e = &r->inst[r->n_inst];
	memset(e, 0, sizeof(*e));
	(void)snprintf(e->name, sizeof(e->name), "%s", name);
	if (r->cuda)
		e->ring = malloc(r->params.window * sizeof(*e->ring));
	else
		e->window = nbpy_rolling_new(&r->params);
	if (e->ring == NULL && e->window == NULL) {
		r->no_memory++;
		worker_error(w, "instrument '%s': out of memory for its window", name);
		return NULL;
	}
	r->slots[i] = (uint32_t)++r->n_inst;
	return e;
}

/* ---- publishing ---- */

static void fill_stats(struct nbpy_msg *out, const struct rolling *r, const struct instrument *e,
		       const struct nbpy_rolling_row *row)
{
	struct nbpy_tick_stats *s = &out->u.tick_stats;

	memset(out, 0, sizeof(*out));
	out->h.schema = NBPY_SCHEMA_TICK_STATS;
	out->h.event_ns = e->event_ns;
	out->h.recv_ns = e->recv_ns;
	memcpy(s->instrument, e->name, sizeof(s->instrument));
	s->window = r->params.window;
	s->window_time = r->params.window_ns;
	s->count = row->count;
	s->mid_mean = row->mid_mean;
	s->mid_std = row->mid_std;
	s->mid_min = row->mid_min;
	s->mid_max = row->mid_max;
	s->spread_mean = row->spread_mean;
	s->spread_std = row->spread_std;
	s->spread_min = row->spread_min;
	s->spread_max = row->spread_max;
	s->vwap = row->vwap;
}

static void publish_row(struct worker *w, struct rolling *r, struct instrument *e,
			const struct nbpy_rolling_row *row)
{
	struct nbpy_msg out;

	fill_stats(&out, r, e, row);
	e->unpublished = 0;
	if (worker_publish(w, &out, NULL) == 0)
		r->published++;
}

/* Grow *p to n elements of size bytes: 0, or -1 (*p unchanged). */
static int grow(void *p, size_t n, size_t size)
{
	void *q = realloc(*(void **)p, n * size);

	if (q == NULL)
		return -1;
	*(void **)p = q;
	return 0;
}

/* cuda: room for rows more rows and one more segment in the batch. */
static int batch_reserve(struct rolling *r, size_t rows)
{
	size_t need = r->in.n_rows + rows, segs = r->n_batch + 2;

	if (need > r->cap_rows) {
		size_t cap = need > 2 * r->cap_rows ? need : 2 * r->cap_rows;

		if (grow(&r->t_ns, cap, sizeof(*r->t_ns)) < 0 || grow(&r->count, cap, sizeof(*r->count)) < 0)
			return -1;
		for (size_t k = 0; k < N_COLS; k++)
			if (grow(&r->cols[k], cap, sizeof(double)) < 0)
				return -1;
		r->cap_rows = cap;
	}
	if (segs > r->cap_segs) {
		size_t cap = segs > 2 * r->cap_segs ? segs : 2 * r->cap_segs;

		if (grow(&r->seg, cap, sizeof(*r->seg)) < 0 || grow(&r->batch, cap, sizeof(*r->batch)) < 0)
			return -1;
		r->cap_segs = cap;
	}
	return 0;
}

/* cuda: column k of the batch (0..3 inputs, 4..12 outputs). */
static double *col(const struct rolling *r, size_t k)
{
	return r->cols[k];
}

/* cuda: e's window, oldest first, as the next segment of the batch. */
static int batch_add(struct rolling *r, struct instrument *e)
{
	size_t base;

	if (batch_reserve(r, e->len) < 0)
		return -1;
	base = r->in.n_rows;
	r->seg[r->n_batch] = base;
	for (size_t k = 0; k < e->len; k++) {
		const struct tick *t = &e->ring[(e->head + r->params.window - e->len + k) % r->params.window];

		r->t_ns[base + k] = t->t_ns;
		col(r, 0)[base + k] = t->bid;
		col(r, 1)[base + k] = t->ask;
		col(r, 2)[base + k] = t->price;
		col(r, 3)[base + k] = t->volume;
	}
	r->in.n_rows += e->len;
	r->batch[r->n_batch++] = e;
	return 0;
}

/* cuda: compute the batch on the GPU and publish each segment's last row. */
static void batch_run(struct worker *w, struct rolling *r)
{
	struct nbpy_rolling_output out;
	char err[256];

	if (r->n_batch == 0)
		return;
	r->seg[r->n_batch] = r->in.n_rows;
	r->in.n_segments = r->n_batch;
	r->in.seg = r->seg;
	r->in.t_ns = r->t_ns;
	r->in.bid = col(r, 0);
	r->in.ask = col(r, 1);
	r->in.price = col(r, 2);
	r->in.volume = col(r, 3);
	out = (struct nbpy_rolling_output){
		.count = r->count, .mid_mean = col(r, 4), .mid_std = col(r, 5), .mid_min = col(r, 6),
		.mid_max = col(r, 7), .spread_mean = col(r, 8), .spread_std = col(r, 9),
		.spread_min = col(r, 10), .spread_max = col(r, 11), .vwap = col(r, 12),
	};
	if (nbpy_rolling_batch(NBPY_DEVICE_CUDA, &r->params, &r->in, &out, err, sizeof(err)) < 0) {
		worker_error(w, "device = cuda: %s", err);
	} else {
		for (size_t k = 0; k < r->n_batch; k++) {
			size_t i = r->seg[k + 1] - 1;
			struct nbpy_rolling_row row = {
				r->count[i], out.mid_mean[i], out.mid_std[i], out.mid_min[i], out.mid_max[i],
				out.spread_mean[i], out.spread_std[i], out.spread_min[i], out.spread_max[i],
				out.vwap[i],
			};

			publish_row(w, r, r->batch[k], &row);
		}
	}
	r->in.n_rows = 0;
	r->n_batch = 0;
}

/* Publish e's statistics now (cuda: add them to the round's batch). */
static void publish(struct worker *w, struct rolling *r, struct instrument *e)
{
	struct nbpy_rolling_row row;

	if (!r->cuda) {
		nbpy_rolling_get(e->window, &row);
		publish_row(w, r, e, &row);
	} else if (batch_add(r, e) < 0) {
		r->no_memory++;
		worker_error(w, "device = cuda: out of memory for a batch of %zu rows", r->in.n_rows + e->len);
	}
}

static void on_interval(struct worker *w, void *arg)
{
	struct rolling *r = w->kind_state;

	(void)arg;
	for (size_t i = 0; i < r->n_inst; i++)
		if (r->inst[i].unpublished > 0)
			publish(w, r, &r->inst[i]);
	batch_run(w, r);
}

/* ---- ticks ---- */

static int push(struct rolling *r, struct instrument *e, int64_t t_ns, double bid, double ask,
		double price, double volume)
{
	struct tick *t;

	if (!r->cuda)
		return nbpy_rolling_push(e->window, t_ns, bid, ask, price, volume);
	/* cuda windows are count windows only (checked at start) */
	t = &e->ring[e->head];
	*t = (struct tick){ t_ns, bid, ask, price, volume };
	e->head = (e->head + 1) % r->params.window;
	if (e->len < r->params.window)
		e->len++;
	return 0;
}

static void on_message(struct worker *w, const struct worker_input *in)
{
	const struct rolling_settings *set = w->settings;
	struct rolling *r = w->kind_state;
	const struct nbpy_msg *m = in->msg;
	struct tick_fields t;
	struct instrument *e;

	if (tick_read(m, &t) == NULL) {
		worker_error(w, "ignored a %s message: not a ticker",
			     nbpy_schema_get(m->h.schema) ? nbpy_schema_get(m->h.schema)->name : "?");
		return;
	}
	r->ticks++;
	e = instrument_of(w, r, t.instrument);
	if (e == NULL)
		return;
	if (push(r, e, m->h.event_ns, t.bid, t.ask, t.price, t.volume) < 0) {
		r->out_of_order++;	/* a time window going back in time: not added */
		return;
	}
	e->event_ns = m->h.event_ns;
	e->recv_ns = m->h.recv_ns;
	if (++e->unpublished >= (uint64_t)set->every && set->every > 0) {
		publish(w, r, e);
		batch_run(w, r);
	}
}

/* ---- set-up ---- */

static int init(struct worker *w)
{
	const struct rolling_settings *set = w->settings;
	struct rolling *r = w->kind_state;
	char err[256];
	uint64_t per_tick;

	r->params = (struct nbpy_rolling_params){ (uint32_t)set->window, set->window_time,
						  (uint32_t)set->min_periods };
	if (set->window_time < 0)
		return worker_config_error(w, &set->window_time, "window_time: must not be negative");
	if (nbpy_rolling_params_check(&r->params, err, sizeof(err)) < 0)
		return worker_config_error(w, &set->window, "%s", err);
	if (set->interval < 0)
		return worker_config_error(w, &set->interval, "interval: must not be negative");
	if (set->every == 0 && set->interval == 0)
		return worker_config_error(w, &set->every, "every = 0 and interval = 0: nothing would be published");
	r->cuda = set->device == DEVICE_CUDA;
	if (r->cuda && set->window_time > 0)
		return worker_config_error(w, &set->window_time,
					   "window_time: device = cuda computes count windows only (cpu: both)");
	if (r->cuda && !nbpy_cuda_usable(err, sizeof(err)))
		return worker_config_error(w, &set->device, "device = cuda: %s", err);
	per_tick = r->cuda ? CUDA_TICK_BYTES : TICK_BYTES;
	if ((uint64_t)set->max_instruments * (uint64_t)set->window * per_tick > MEMORY_MAX)
		return worker_config_error(w, &set->max_instruments,
					   "max_instruments x window: %lld x %lld ticks of %llu bytes is more than "
					   "the %llu MiB allowed; lower max_instruments or window",
					   (long long)set->max_instruments, (long long)set->window,
					   (unsigned long long)per_tick, (unsigned long long)(MEMORY_MAX >> 20));
	r->max_inst = (size_t)set->max_instruments;
	for (r->n_slots = 2; r->n_slots < 2 * r->max_inst; r->n_slots *= 2)
		;
	r->inst = calloc(r->max_inst, sizeof(*r->inst));
	r->slots = calloc(r->n_slots, sizeof(*r->slots));
	if (r->inst == NULL || r->slots == NULL)
		return nbpy_error_set(&w->error, "out of memory for %zu instruments", r->max_inst);
	if (set->interval > 0 && worker_timer_add(w, set->interval, set->interval, on_interval, NULL) < 0)
		return nbpy_error_set(&w->error, "no timer");
	return 0;
}

static void status(struct worker *w, char *buf, size_t cap)
{
	const struct rolling *r = w->kind_state;

	(void)snprintf(buf, cap, ", ticks %llu, instruments %zu, instruments_refused %llu, out_of_order %llu, "
			    "stats %llu, no_memory %llu",
		       (unsigned long long)r->ticks, r->n_inst, (unsigned long long)r->refused,
		       (unsigned long long)r->out_of_order, (unsigned long long)r->published,
		       (unsigned long long)r->no_memory);
}

static void destroy(struct worker *w)
{
	struct rolling *r = w->kind_state;

	for (size_t i = 0; r->inst != NULL && i < r->n_inst; i++) {
		nbpy_rolling_free(r->inst[i].window);
		free(r->inst[i].ring);
	}
	free(r->inst);
	free(r->slots);
	free(r->seg);
	free(r->t_ns);
	for (size_t k = 0; k < N_COLS; k++)
		free(r->cols[k]);
	free(r->count);
	free(r->batch);
}

/* tick_source.c's schemas */
static const enum nbpy_schema accepts[] = {
	NBPY_SCHEMA_KRAKEN_TICKER, NBPY_SCHEMA_OANDA_PRICE, NBPY_SCHEMA_TRADE, NBPY_SCHEMA_NONE
};

const struct nbpy_kind_spec stats_rolling_kind = {
	.name = "stats.rolling",
	.doc = "rolling statistics (pandas' count/mean/std/min/max of mid and spread, vwap) per instrument",
	.flags = NBPY_KIND_PUBLISHES | NBPY_KIND_SUBSCRIBES | NBPY_KIND_NEEDS_INPUT,
	.schema = NBPY_SCHEMA_TICK_STATS,
	.accepts = accepts,
	.keys = rolling_keys,
	.settings_size = sizeof(struct rolling_settings),
	.state_size = sizeof(struct rolling),
	.ops = &(const struct kind_ops){
		.init = init,
		.on_message = on_message,
		.destroy = destroy,
		.status = status,
	},
};
