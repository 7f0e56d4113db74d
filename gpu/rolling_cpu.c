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

/* Count, mean, sum of squared deviations, min and max of some values. */
struct moments {
	double n, mean, m2, min, max;
};

/* VWAP's sums over the ticks with finite price and volume. */
struct vsums {
	double n, pv, v;
};

struct agg {
	struct moments mid, spread;
	struct vsums vw;
};

/* A tick as the window keeps it: mid and spread NaN when bid or ask is not
 * finite, pv and v NaN when price or volume is not. */
struct tick {
	int64_t t;
	double mid, spread, pv, v;
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

static const struct moments MOMENTS_NONE = { 0, 0, 0, INFINITY, -INFINITY };
static const struct vsums VSUMS_NONE = { 0, 0, 0 };

/* Welford: adds x (not NaN) to a. */
static inline void moments_add(struct moments *a, double x)
{
	double d;

	a->n += 1;
	d = x - a->mean;
	a->mean += d / a->n;
	a->m2 += d * (x - a->mean);
	a->min = x < a->min ? x : a->min;
	a->max = x > a->max ? x : a->max;
}

/* Chan et al.: the moments of a's values and b's together.  Equal means give
 * delta exactly 0: an all-equal window keeps m2 exactly 0. */
static inline struct moments moments_combine(const struct moments *a, const struct moments *b)
{
	struct moments c;
	double delta;

	if (a->n == 0)
		return *b;
	if (b->n == 0)
		return *a;
	c.n = a->n + b->n;
	delta = b->mean - a->mean;
	c.mean = a->mean + delta * b->n / c.n;
	c.m2 = a->m2 + b->m2 + delta * delta * a->n * b->n / c.n;
	c.min = a->min < b->min ? a->min : b->min;
	c.max = a->max > b->max ? a->max : b->max;
	return c;
}

static inline void agg_add(struct agg *a, const struct tick *k)
{
	if (!isnan(k->mid)) {
		moments_add(&a->mid, k->mid);
		moments_add(&a->spread, k->spread);
	}
	if (!isnan(k->v)) {
		a->vw.n += 1;
		a->vw.pv += k->pv;
		a->vw.v += k->v;
	}
}

static inline struct agg agg_combine(const struct agg *a, const struct agg *b)
{
	struct agg c;

	c.mid = moments_combine(&a->mid, &b->mid);
	c.spread = moments_combine(&a->spread, &b->spread);
	c.vw.n = a->vw.n + b->vw.n;
	c.vw.pv = a->vw.pv + b->vw.pv;
	c.vw.v = a->vw.v + b->vw.v;
	return c;
}

static inline void agg_clear(struct agg *a)
{
	a->mid = MOMENTS_NONE;
	a->spread = MOMENTS_NONE;
	a->vw = VSUMS_NONE;
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
	r->min_periods = p->min_periods ? p->min_periods : p->window_ns > 0 ? 1 : p->window;
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
	if (isfinite(bid) && isfinite(ask)) {
		k->mid = (bid + ask) / 2;
		k->spread = ask - bid;
	} else {
		k->mid = k->spread = NAN;
	}
	if (isfinite(price) && isfinite(volume)) {
		k->pv = price * volume;
		k->v = volume;
	} else {
		k->pv = k->v = NAN;
	}
	r->len++;
	agg_add(&r->back, k);
	r->pushed = true;
	r->last_t = t_ns;
	return 0;
}

static inline void moments_out(const struct moments *m, double min_periods, double *mean,
			       double *std, double *min, double *max)
{
	if (m->n < min_periods) {
		*mean = *std = *min = *max = NAN;
		return;
	}
	*mean = m->mean;
	*std = m->n >= 2 ? sqrt((m->m2 > 0 ? m->m2 : 0) / (m->n - 1)) : NAN;
	*min = m->min;
	*max = m->max;
}

void nbpy_rolling_get(const struct nbpy_rolling *r, struct nbpy_rolling_row *out)
{
	struct agg w = r->nfront > 0 ? agg_combine(&r->suf[r->head], &r->back) : r->back;

	out->count = (int64_t)w.mid.n;
	moments_out(&w.mid, r->min_periods, &out->mid_mean, &out->mid_std, &out->mid_min,
		    &out->mid_max);
	moments_out(&w.spread, r->min_periods, &out->spread_mean, &out->spread_std,
		    &out->spread_min, &out->spread_max);
	out->vwap = w.vw.n >= r->min_periods && w.vw.v != 0 ? w.vw.pv / w.vw.v : NAN;
}

size_t nbpy_rolling_len(const struct nbpy_rolling *r)
{
	return r->len;
}
