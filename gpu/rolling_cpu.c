/* rolling_cpu.c - the streaming window of gpu/rolling.h on the CPU: the
 * reference implementation, which the kind, the batch tool's CPU path and
 * the tests use, and whose arithmetic gpu/rolling_cuda.cu mirrors.
 *
 * The window is two blocks ("two stacks"): FRONT holds the oldest ticks and,
 * for each, the aggregate of it and the FRONT ticks after it (its suffix);
 * BACK holds the newest ticks and one running aggregate of them.  A new tick
 * is added to BACK; the oldest leaves FRONT; when FRONT is empty, BACK is
 * sealed into it (its suffixes computed afresh, right to left).  The window's
 * statistics combine FRONT's first suffix with BACK's aggregate (Chan).
 * Nothing is ever subtracted from a running sum, so nothing drifts, and each
 * tick is added twice at most: O(1) amortised (gpu/README.md). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "gpu/rolling.h"
#include "gpu/rolling_cpu.h"

/* Two doubles side by side, mid's and spread's: each gets the same IEEE
 * operations as a lone double would (so the same numbers, bit for bit), the
 * pair in one SIMD instruction where the machine has them (SSE2: halves the
 * divisions, which bound the speed).  Alignment 8: structs without padding. */
typedef double pair __attribute__((vector_size(16), aligned(8)));
typedef int64_t pair_mask __attribute__((vector_size(16), aligned(8)));

/* Lane by lane: a where m is set, else b. */
static inline pair pair_select(pair_mask m, pair a, pair b)
{
	return (pair)(((pair_mask)a & m) | ((pair_mask)b & ~m));
}

/* Count, and mean, sum of squared deviations, min and max of some values
 * of mid and of spread (both are there or neither, so one count). */
struct moments {
	double n;
	pair mean, m2, min, max;
};

/* VWAP's sums over the ticks with finite price and volume. */
struct vsums {
	double n, pv, v;
};

struct agg {
	struct moments ms;
	struct vsums vw;
};

/* A tick as the window keeps it: mid and spread (ms) NaN when bid or ask
 * is not finite, pv and v NaN when price or volume is not. */
struct tick {
	int64_t t;
	pair ms;
	double pv, v;
};

struct nbpy_rolling {
	uint32_t cap;		/* window: ticks held at most */
	int64_t window_ns;	/* 0: count window */
	double min_periods;	/* >= 1: fewer observations give NaN */
	uint32_t head;		/* ring position of the oldest tick */
	uint32_t len;		/* ticks held */
	uint32_t nfront;	/* of them, the oldest nfront are FRONT, the rest BACK */
	bool pushed;		/* last_t is set */
	int64_t last_t;
	struct agg back;	/* aggregate of BACK's ticks */
	struct tick *ticks;	/* ring of cap ticks */
	struct agg *suf;	/* by ring position: suffix aggregate of a FRONT tick */
};

static const struct moments MOMENTS_NONE = { 0, { 0, 0 }, { 0, 0 }, { INFINITY, INFINITY },
					     { -INFINITY, -INFINITY } };
static const struct vsums VSUMS_NONE = { 0, 0, 0 };

/* Welford: adds x (not NaN) to a. */
static inline void moments_add(struct moments *a, pair x)
{
	pair d;

	a->n += 1;
	d = x - a->mean;
	a->mean += d / a->n;
	a->m2 += d * (x - a->mean);
	a->min = pair_select(x < a->min, x, a->min);
	a->max = pair_select(x > a->max, x, a->max);
}

/* Chan et al.: the moments of a's values and b's together.  Equal means give
 * delta exactly 0: an all-equal window keeps m2 exactly 0. */
static inline struct moments moments_combine(const struct moments *a, const struct moments *b)
{
	struct moments c;
	pair delta;

	if (a->n == 0)
		return *b;
	if (b->n == 0)
		return *a;
	c.n = a->n + b->n;
	delta = b->mean - a->mean;
	c.mean = a->mean + delta * b->n / c.n;
	c.m2 = a->m2 + b->m2 + delta * delta * a->n * b->n / c.n;
	c.min = pair_select(a->min < b->min, a->min, b->min);
	c.max = pair_select(a->max > b->max, a->max, b->max);
	return c;
}

static inline void agg_add(struct agg *a, const struct tick *k)
{
	if (!isnan(k->ms[0]))
		moments_add(&a->ms, k->ms);
	if (!isnan(k->v)) {
		a->vw.n += 1;
		a->vw.pv += k->pv;
		a->vw.v += k->v;
	}
}

static inline struct agg agg_combine(const struct agg *a, const struct agg *b)
{
	struct agg c;

	c.ms = moments_combine(&a->ms, &b->ms);
	c.vw.n = a->vw.n + b->vw.n;
	c.vw.pv = a->vw.pv + b->vw.pv;
	c.vw.v = a->vw.v + b->vw.v;
	return c;
}

static inline void agg_clear(struct agg *a)
{
	a->ms = MOMENTS_NONE;
	a->vw = VSUMS_NONE;
}

/* A tick's values as the window keeps them (struct tick). */
static inline void tick_set(struct tick *k, double bid, double ask, double price, double volume)
{
	if (isfinite(bid) && isfinite(ask))
		k->ms = (pair){ (bid + ask) / 2, ask - bid };
	else
		k->ms = (pair){ NAN, NAN };
	if (isfinite(price) && isfinite(volume)) {
		k->pv = price * volume;
		k->v = volume;
	} else {
		k->pv = k->v = NAN;
	}
}

static inline uint32_t ring_pos(const struct nbpy_rolling *r, uint32_t i)
{
	uint32_t pos = r->head + i;

	return pos >= r->cap ? pos - r->cap : pos;
}

/* FRONT is empty: BACK's ticks become FRONT, their suffix aggregates
 * computed right to left from scratch (the exact recomputation). */
static void seal(struct nbpy_rolling *r)
{
	struct agg acc;
	uint32_t i, pos;

	agg_clear(&acc);
	for (i = r->len; i-- > 0;) {
		pos = ring_pos(r, i);
		agg_add(&acc, &r->ticks[pos]);
		r->suf[pos] = acc;
	}
	r->nfront = r->len;
	agg_clear(&r->back);
}

static inline void evict_oldest(struct nbpy_rolling *r)
{
	if (r->nfront == 0)
		seal(r);
	r->head = r->head + 1 == r->cap ? 0 : r->head + 1;
	r->nfront--;
	r->len--;
}

/* pandas' min_periods for p: as set, or window (1 with a time window). */
static double min_periods_of(const struct nbpy_rolling_params *p)
{
	return p->min_periods ? p->min_periods : p->window_ns > 0 ? 1 : p->window;
}

void nbpy_rolling_reset(struct nbpy_rolling *r)
{
	r->head = r->len = r->nfront = 0;
	r->pushed = false;
	r->last_t = 0;
	agg_clear(&r->back);
}

struct nbpy_rolling *nbpy_rolling_new(const struct nbpy_rolling_params *p)
{
	struct nbpy_rolling *r;
	char err[128];

	if (nbpy_rolling_params_check(p, err, sizeof(err)) < 0) {
		errno = EINVAL;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->cap = p->window;
	r->window_ns = p->window_ns;
	r->min_periods = min_periods_of(p);
	r->ticks = malloc((size_t)r->cap * sizeof(*r->ticks));
	r->suf = malloc((size_t)r->cap * sizeof(*r->suf));
	if (!r->ticks || !r->suf) {
		nbpy_rolling_free(r);
		errno = ENOMEM;
		return NULL;
	}
	nbpy_rolling_reset(r);
	return r;
}

void nbpy_rolling_free(struct nbpy_rolling *r)
{
	if (!r)
		return;
	free(r->ticks);
	free(r->suf);
	free(r);
}

int nbpy_rolling_push(struct nbpy_rolling *r, int64_t t_ns, double bid, double ask,
		      double price, double volume)
{
	struct tick *k;

	if (r->window_ns > 0) {
		if (r->pushed && t_ns < r->last_t)
			return -1;
		/* the oldest leaves when t_old <= t_ns - window_ns; unsigned:
		 * t_ns >= t_old, so the difference fits and cannot overflow */
		while (r->len > 0 &&
		       (uint64_t)t_ns - (uint64_t)r->ticks[r->head].t >= (uint64_t)r->window_ns)
			evict_oldest(r);
	}
	if (r->len == r->cap)
		evict_oldest(r);
	k = &r->ticks[ring_pos(r, r->len)];
	k->t = t_ns;
	tick_set(k, bid, ask, price, volume);
	r->len++;
	agg_add(&r->back, k);
	r->pushed = true;
	r->last_t = t_ns;
	return 0;
}

/* The statistics of a window whose aggregate is w. */
static inline void agg_row(const struct agg *w, double min_periods, struct nbpy_rolling_row *out)
{
	const struct moments *m = &w->ms;

	out->count = (int64_t)m->n;
	if (m->n < min_periods) {
		out->mid_mean = out->mid_std = out->mid_min = out->mid_max = NAN;
		out->spread_mean = out->spread_std = out->spread_min = out->spread_max = NAN;
	} else {
		pair var = pair_select(m->m2 > 0, m->m2, (pair){ 0, 0 }) / (m->n - 1);

		out->mid_mean = m->mean[0];
		out->spread_mean = m->mean[1];
		out->mid_std = m->n >= 2 ? sqrt(var[0]) : NAN;
		out->spread_std = m->n >= 2 ? sqrt(var[1]) : NAN;
		out->mid_min = m->min[0];
		out->spread_min = m->min[1];
		out->mid_max = m->max[0];
		out->spread_max = m->max[1];
	}
	out->vwap = w->vw.n >= min_periods && w->vw.v != 0 ? w->vw.pv / w->vw.v : NAN;
}

void nbpy_rolling_get(const struct nbpy_rolling *r, struct nbpy_rolling_row *out)
{
	struct agg w = r->nfront > 0 ? agg_combine(&r->suf[r->head], &r->back) : r->back;

	agg_row(&w, r->min_periods, out);
}

size_t nbpy_rolling_len(const struct nbpy_rolling *r)
{
	return r->len;
}

/* The window of a count-window segment is its blocks of W rows from the
 * segment's start: exactly push/get's FRONT and BACK.  Row o of block b
 * combines the suffix aggregate of block b - 1 from row o + 1 (the FRONT
 * that push/get's seal computed) with the running aggregate of block b's
 * rows 0..o (BACK); the same operations in the same order as push/get, so
 * the same numbers, without the ring or a call per row. */
static void segment_count(const struct nbpy_rolling_input *in, const struct nbpy_rolling_output *out,
			  size_t first, size_t end, uint32_t window, double min_periods, struct agg *suf)
{
	struct nbpy_rolling_row row;
	struct agg back, w;
	struct tick k;
	size_t b, n, o;

	for (b = first; b < end; b += window) {
		n = end - b < window ? end - b : window;
		agg_clear(&back);
		for (o = 0; o < n; o++) {
			tick_set(&k, in->bid[b + o], in->ask[b + o], in->price[b + o], in->volume[b + o]);
			agg_add(&back, &k);
			if (b > first && o + 1 < window)
				w = agg_combine(&suf[o + 1], &back);
			else
				w = back;
			agg_row(&w, min_periods, &row);
			out->count[b + o] = row.count;
			out->mid_mean[b + o] = row.mid_mean;
			out->mid_std[b + o] = row.mid_std;
			out->mid_min[b + o] = row.mid_min;
			out->mid_max[b + o] = row.mid_max;
			out->spread_mean[b + o] = row.spread_mean;
			out->spread_std[b + o] = row.spread_std;
			out->spread_min[b + o] = row.spread_min;
			out->spread_max[b + o] = row.spread_max;
			out->vwap[b + o] = row.vwap;
		}
		if (end - b > window) {		/* a next block: this one's suffixes (seal) */
			agg_clear(&back);
			for (o = window; o-- > 0;) {
				tick_set(&k, in->bid[b + o], in->ask[b + o], in->price[b + o],
					 in->volume[b + o]);
				agg_add(&back, &k);
				suf[o] = back;
			}
		}
	}
}

int nbpy_rolling_batch_count(const struct nbpy_rolling_params *p, const struct nbpy_rolling_input *in,
			     const struct nbpy_rolling_output *out)
{
	struct agg *suf = NULL;
	size_t k;

	for (k = 0; k < in->n_segments && !suf; k++) {
		if (in->seg[k + 1] - in->seg[k] > p->window &&
		    !(suf = malloc((size_t)p->window * sizeof(*suf))))
			return -1;
	}
	for (k = 0; k < in->n_segments; k++)
		segment_count(in, out, in->seg[k], in->seg[k + 1], p->window, min_periods_of(p), suf);
	free(suf);
	return 0;
}
