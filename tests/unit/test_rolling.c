/* test_rolling.c - gpu/rolling.h on the CPU: pandas' reference vector
 * (reference §2.1, values from that table), every row of random FX-like data
 * against a naive two-pass computation written here, the drift of 20M ticks,
 * the batch against push/get, parameter and device errors; and what a tick
 * is in each schema (workers/stats/tick_source.h, docs/services.md). */
#include <math.h>
#include <stdint.h>

#include "autoconfig.h"
#include "gpu/rolling.h"
#include "tests/unit/testutil.h"
#include "workers/stats/tick_source.h"

/* ---- (a) the reference vector of next-capabilities.md §2.1 (pandas 1.5.3) ---- */

static const double REF_P[9] = { 1.1000, 1.1002, 1.1001, 1.1005, 1.1005, 1.1005, 1.0999, NAN, 1.1003 };
static const double REF_V[9] = { 2, 1, 3, 0.5, 1.5, 2, 4, 1, 1 };

/* The table's values have 10 decimals. */
static void ck_near10(double got, double want, const char *what, int row)
{
	if (isnan(want))
		ck_assert_msg(isnan(got), "%s row %d: %.12g, want NaN", what, row, got);
	else
		ck_assert_msg(fabs(got - want) < 6e-11, "%s row %d: %.12g, want %.10f", what, row, got,
			      want);
}

static struct nbpy_rolling *new_window(uint32_t window, int64_t window_ns, uint32_t min_periods)
{
	struct nbpy_rolling_params p = { window, window_ns, min_periods };
	struct nbpy_rolling *r = nbpy_rolling_new(&p);

	ck_assert_ptr_nonnull(r);
	return r;
}

START_TEST(reference_vector)
{
	/* mean3, std3, min3, max3, vwap3 of the table; rows 7 and 8 hold the NaN */
	static const double want[9][5] = {
		{ NAN, NAN, NAN, NAN, NAN },
		{ NAN, NAN, NAN, NAN, NAN },
		{ 1.1001, 0.0001000000, 1.1000, 1.1002, 1.1000833333 },
		{ 1.1002666667, 0.0002081666, 1.1001, 1.1005, 1.1001666667 },
		{ 1.1003666667, 0.0002309401, 1.1001, 1.1005, 1.1002600000 },
		{ 1.1005, 0.0, 1.1005, 1.1005, 1.1005 },
		{ 1.1003, 0.0003464102, 1.0999, 1.1005, 1.1001800000 },
		{ NAN, NAN, NAN, NAN, NAN },
		{ NAN, NAN, NAN, NAN, NAN },
	};
	/* std3 with min_periods = 1 */
	static const double want_std1[9] = { NAN, 0.0001414214, 0.0001, 0.0002081666, 0.0002309401,
					     0.0, 0.0003464102, 0.0004242641, 0.0002828427 };
	static const int64_t want_count[9] = { 1, 2, 3, 3, 3, 3, 3, 2, 2 };
	struct nbpy_rolling *r3 = new_window(3, 0, 0), *r1 = new_window(3, 0, 1);
	struct nbpy_rolling_row w, w1;
	int i;

	for (i = 0; i < 9; i++) {
		/* bid = ask = p: mid = p, spread = 0 */
		ck_assert_int_eq(nbpy_rolling_push(r3, i, REF_P[i], REF_P[i], REF_P[i], REF_V[i]), 0);
		ck_assert_int_eq(nbpy_rolling_push(r1, i, REF_P[i], REF_P[i], REF_P[i], REF_V[i]), 0);
		nbpy_rolling_get(r3, &w);
		nbpy_rolling_get(r1, &w1);
		ck_assert_int_eq(w.count, want_count[i]);
		ck_assert_int_eq(w1.count, want_count[i]);
		ck_assert_uint_eq(nbpy_rolling_len(r3), i < 3 ? (size_t)i + 1 : 3);
		ck_near10(w.mid_mean, want[i][0], "mean3", i);
		ck_near10(w.mid_std, want[i][1], "std3", i);
		ck_near10(w.mid_min, want[i][2], "min3", i);
		ck_near10(w.mid_max, want[i][3], "max3", i);
		ck_near10(w.vwap, want[i][4], "vwap3", i);
		ck_near10(w1.mid_std, want_std1[i], "std3 min_periods=1", i);
		/* spread: 0 in every window counted; std needs two */
		ck_near10(w.spread_mean, isnan(want[i][0]) ? NAN : 0.0, "spread mean", i);
		ck_near10(w.spread_max, isnan(want[i][0]) ? NAN : 0.0, "spread max", i);
		ck_near10(w1.spread_std, isnan(want_std1[i]) ? NAN : 0.0, "spread std", i);
	}
	nbpy_rolling_free(r3);
	nbpy_rolling_free(r1);
}
END_TEST

/* Row 5's window is 1.1005 three times: std exactly 0, mean exactly 1.1005. */
START_TEST(reference_constant_window_exact)
{
	struct nbpy_rolling *r = new_window(3, 0, 0);
	struct nbpy_rolling_row w;
	int i;

	for (i = 0; i <= 5; i++)
		ck_assert_int_eq(nbpy_rolling_push(r, i, REF_P[i], REF_P[i], REF_P[i], REF_V[i]), 0);
	nbpy_rolling_get(r, &w);
	ck_assert(w.mid_std == 0.0);
	ck_assert(w.mid_mean == 1.1005);
	ck_assert(w.vwap == 1.1005);
	ck_assert(w.spread_std == 0.0);
	nbpy_rolling_free(r);
}
END_TEST

/* Values 1..5 at t = 0, 1, 1.5, 3, 4 s, rolling('2s'): mean 1, 1.5, 2, 3.5,
 * 4.5; count 1, 2, 3, 2, 2 (the table). */
START_TEST(reference_time_window)
{
	static const int64_t t[5] = { 0, 1000000000, 1500000000, 3000000000, 4000000000 };
	static const double mean[5] = { 1, 1.5, 2, 3.5, 4.5 };
	static const int64_t count[5] = { 1, 2, 3, 2, 2 };
	struct nbpy_rolling *r = new_window(100, 2000000000, 0);
	struct nbpy_rolling_row w;
	int i;

	for (i = 0; i < 5; i++) {
		ck_assert_int_eq(nbpy_rolling_push(r, t[i], i + 1, i + 1, i + 1, 1), 0);
		nbpy_rolling_get(r, &w);
		ck_assert_int_eq(w.count, count[i]);
		ck_assert_msg(fabs(w.mid_mean - mean[i]) < 1e-15, "row %d: mean %.17g, want %g", i,
			      w.mid_mean, mean[i]);
		ck_assert_uint_eq(nbpy_rolling_len(r), (size_t)count[i]);
	}
	/* back in time: refused, nothing added */
	ck_assert_int_eq(nbpy_rolling_push(r, t[4] - 1, 9, 9, 9, 1), -1);
	ck_assert_uint_eq(nbpy_rolling_len(r), 2);
	/* the same time again is fine */
	ck_assert_int_eq(nbpy_rolling_push(r, t[4], 6, 6, 6, 1), 0);
	nbpy_rolling_get(r, &w);
	ck_assert_int_eq(w.count, 3);
	nbpy_rolling_free(r);
}
END_TEST

/* Checks in the loops below call ck_abort_msg only on failure: every
 * ck_assert writes its location to Check's pipe, a system call per row. */

/* Times at the ends of int64_t: no overflow in the eviction test (UBSan
 * builds check it), the window still (t - window_ns, t]. */
START_TEST(time_window_extreme_times)
{
	struct nbpy_rolling *r = new_window(10, INT64_MAX, 0);
	struct nbpy_rolling_row w;

	ck_assert_int_eq(nbpy_rolling_push(r, INT64_MIN, 1, 1, 1, 1), 0);
	ck_assert_int_eq(nbpy_rolling_push(r, -2, 2, 2, 2, 1), 0);
	nbpy_rolling_get(r, &w);
	ck_assert_int_eq(w.count, 2);	/* INT64_MIN > -2 - INT64_MAX: in */
	ck_assert_int_eq(nbpy_rolling_push(r, -1, 3, 3, 3, 1), 0);
	nbpy_rolling_get(r, &w);
	ck_assert_int_eq(w.count, 2);	/* INT64_MIN <= -1 - INT64_MAX: out */
	ck_assert(w.mid_mean == 2.5);
	ck_assert_int_eq(nbpy_rolling_push(r, INT64_MAX, 4, 4, 4, 1), 0);
	nbpy_rolling_get(r, &w);
	ck_assert_int_eq(w.count, 1);	/* -2, -1 <= INT64_MAX - INT64_MAX: out */
	ck_assert(w.mid_mean == 4);
	nbpy_rolling_free(r);
}
END_TEST

/* Volumes that sum to 0 (a correction and its trade): no VWAP, not an
 * infinity; NaN prices and volumes stay out of both sums. */
START_TEST(vwap_zero_volume_sum)
{
	struct nbpy_rolling *r = new_window(2, 0, 1);
	struct nbpy_rolling_row w;

	ck_assert_int_eq(nbpy_rolling_push(r, 0, 1.1, 1.1, 1.1, 1), 0);
	ck_assert_int_eq(nbpy_rolling_push(r, 1, 1.1, 1.1, 1.2, -1), 0);
	nbpy_rolling_get(r, &w);
	ck_assert_msg(isnan(w.vwap), "vwap %.17g, want NaN", w.vwap);
	ck_assert_int_eq(nbpy_rolling_push(r, 2, 1.1, 1.1, NAN, 5), 0);
	nbpy_rolling_get(r, &w);
	ck_assert(w.vwap == 1.2);	/* the volume of a NaN price is left out too */
	ck_assert_int_eq(nbpy_rolling_push(r, 3, 1.1, 1.1, 1.3, NAN), 0);
	nbpy_rolling_get(r, &w);
	ck_assert_msg(isnan(w.vwap), "vwap %.17g, want NaN: no tick with price and volume", w.vwap);
	nbpy_rolling_free(r);
}
END_TEST

/* ---- (b) random FX-like data against a naive two-pass computation ---- */

static uint64_t rng_state;

static uint64_t rng(void)	/* xorshift64* */
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static double rng_unit(void)	/* [0, 1) */
{
	return (double)(rng() >> 11) * 0x1p-53;
}

/* Ticks in several segments (one empty), with NaN bids, asks and prices,
 * zero volumes, constant stretches (one longer than 1000 ticks) and times
 * that may repeat.  Prices are 1.1 plus multiples of 2^-17 (about 7.6e-6),
 * exact in binary: mid and spread are exact, a stretch of equal prices is
 * equal bit for bit, and a window that is not constant has a std far above
 * rounding noise (so 1e-9 relative is a fair bound). */
struct data {
	size_t n_rows, n_segments;
	size_t seg[8];
	int64_t *t;
	double *bid, *ask, *price, *volume;
};

static void data_make(struct data *d, uint64_t seed)
{
	static const size_t lens[6] = { 9000, 0, 1, 2500, 7000, 11000 };
	double grid = 0x1p-17, mid = 1.1;
	int64_t t = 1700000000000000000;
	size_t k, i, hold = 0;

	rng_state = seed;
	d->n_segments = 6;
	d->seg[0] = 0;
	for (k = 0; k < d->n_segments; k++)
		d->seg[k + 1] = d->seg[k] + lens[k];
	d->n_rows = d->seg[d->n_segments];
	d->t = malloc(d->n_rows * sizeof(*d->t));
	d->bid = malloc(d->n_rows * sizeof(double));
	d->ask = malloc(d->n_rows * sizeof(double));
	d->price = malloc(d->n_rows * sizeof(double));
	d->volume = malloc(d->n_rows * sizeof(double));
	ck_assert(d->t && d->bid && d->ask && d->price && d->volume);
	for (i = 0; i < d->n_rows; i++) {
		double half = grid * (double)(1 + rng() % 8);

		if (i == 4000)
			hold = 1500;	/* longer than the largest window */
		else if (hold == 0 && rng() % 200 == 0)
			hold = 1 + rng() % 60;
		if (hold > 0 && i > 0) {
			hold--;
			d->bid[i] = d->bid[i - 1];
			d->ask[i] = d->ask[i - 1];
			d->price[i] = d->price[i - 1];
			d->volume[i] = d->volume[i - 1];
			if (isnan(d->bid[i]) || isnan(d->ask[i]) || isnan(d->price[i])) {
				d->bid[i] = mid - half;
				d->ask[i] = mid + half;
				d->price[i] = mid;
			}
		} else {
			mid += grid * (double)((int)(rng() % 27) - 13);
			d->bid[i] = mid - half;
			d->ask[i] = mid + half;
			d->price[i] = mid + grid * (double)((int)(rng() % 5) - 2);
			d->volume[i] = rng() % 10 == 0 ? 0 : (double)(1 + rng() % 1000) / 8;
			switch (rng() % 50) {
			case 0: d->bid[i] = NAN; break;
			case 1: d->ask[i] = NAN; break;
			case 2: d->price[i] = NAN; break;
			case 3: d->volume[i] = NAN; break;
			case 4: d->bid[i] = d->ask[i] = d->price[i] = NAN; break;
			default: break;
			}
		}
		t += (int64_t)(rng() % 4) * 500000000;	/* 0 to 1.5 s, often equal */
		d->t[i] = t;
	}
}

static void data_free(struct data *d)
{
	free(d->t);
	free(d->bid);
	free(d->ask);
	free(d->price);
	free(d->volume);
}

/* The statistics of some values, two passes; *constant when all are equal. */
struct naive_moments {
	int64_t n;
	double mean, std, min, max;
	bool constant;
};

static void naive_moments(const double *x, size_t n_x, double min_periods, struct naive_moments *m)
{
	double sum = 0, ss = 0;
	size_t i;

	m->n = 0;
	m->min = INFINITY;
	m->max = -INFINITY;
	m->constant = true;
	for (i = 0; i < n_x; i++) {
		if (isnan(x[i]))
			continue;
		if (m->n > 0 && x[i] != m->min)
			m->constant = false;
		m->n++;
		sum += x[i];
		m->min = fmin(m->min, x[i]);
		m->max = fmax(m->max, x[i]);
	}
	if (m->n == 0 || (double)m->n < min_periods) {
		m->mean = m->std = m->min = m->max = NAN;
		return;
	}
	m->mean = sum / (double)m->n;
	for (i = 0; i < n_x; i++)
		if (!isnan(x[i]))
			ss += (x[i] - m->mean) * (x[i] - m->mean);
	m->std = m->n >= 2 ? sqrt(ss / (double)(m->n - 1)) : NAN;
	if (m->constant) {	/* pandas: exactly the value, std exactly 0 */
		m->mean = m->min;
		m->std = m->n >= 2 ? 0.0 : NAN;
	}
}

static void ck_rel(double got, double want, double tol, const char *what, size_t row)
{
	if (isnan(want) ? !isnan(got) : !(fabs(got - want) <= tol * fabs(want)))
		ck_abort_msg("%s row %zu: %.17g, want %.17g", what, row, got, want);
}

static void ck_exact(double got, double want, const char *what, size_t row)
{
	if (!((isnan(got) && isnan(want)) || got == want))
		ck_abort_msg("%s row %zu: %.17g, want %.17g", what, row, got, want);
}

/* Rows checked with a constant window of two or more: the data must have some. */
static size_t constant_rows;

static void ck_moments(double mean, double std, double min, double max,
		       const struct naive_moments *m, const char *what, size_t row)
{
	ck_rel(mean, m->mean, 1e-12, what, row);
	ck_rel(std, m->std, 1e-9, what, row);
	ck_exact(min, m->min, what, row);
	ck_exact(max, m->max, what, row);
	if (m->constant && !isnan(m->mean)) {
		/* all equal: exactly the value, std exactly 0 */
		ck_exact(mean, m->min, what, row);
		if (m->n >= 2 && std != 0.0)
			ck_abort_msg("%s row %zu: constant window, std %.17g", what, row, std);
		constant_rows += m->n >= 2;
	}
}

/* Row i of the window ending at row i of segment [s0, i], naively. */
static void ck_row_naive(const struct data *d, const struct nbpy_rolling_params *p, size_t s0,
			 size_t i, const struct nbpy_rolling_row *w)
{
	static double mid[1000], spread[1000];
	double minp = p->min_periods ? p->min_periods : p->window_ns > 0 ? 1 : p->window;
	double pv = 0, v = 0, nv = 0, vwap;
	struct naive_moments m;
	size_t j, first = i + 1 > s0 + p->window ? i + 1 - p->window : s0, n = 0;

	if (p->window_ns > 0)
		while (d->t[first] <= d->t[i] - p->window_ns)
			first++;
	if (i + 1 - first > 1000)
		ck_abort_msg("row %zu: window of %zu", i, i + 1 - first);
	for (j = first; j <= i; j++, n++) {
		bool q = isfinite(d->bid[j]) && isfinite(d->ask[j]);

		mid[n] = q ? (d->bid[j] + d->ask[j]) / 2 : NAN;
		spread[n] = q ? d->ask[j] - d->bid[j] : NAN;
		if (isfinite(d->price[j]) && isfinite(d->volume[j])) {
			pv += d->price[j] * d->volume[j];
			v += d->volume[j];
			nv++;
		}
	}
	naive_moments(mid, n, minp, &m);
	if (w->count != m.n)
		ck_abort_msg("count row %zu: %lld, want %lld", i, (long long)w->count, (long long)m.n);
	ck_moments(w->mid_mean, w->mid_std, w->mid_min, w->mid_max, &m, "mid", i);
	naive_moments(spread, n, minp, &m);
	ck_moments(w->spread_mean, w->spread_std, w->spread_min, w->spread_max, &m, "spread", i);
	vwap = nv >= minp && nv > 0 && v != 0 ? pv / v : NAN;
	ck_rel(w->vwap, vwap, 1e-12, "vwap", i);
}

struct out_cols {
	int64_t *count;
	double *col[9];
	struct nbpy_rolling_output out;
};

static void out_make(struct out_cols *o, size_t n)
{
	int c;

	o->count = malloc(n * sizeof(int64_t));
	ck_assert_ptr_nonnull(o->count);
	for (c = 0; c < 9; c++) {
		o->col[c] = malloc(n * sizeof(double));
		ck_assert_ptr_nonnull(o->col[c]);
	}
	o->out = (struct nbpy_rolling_output){ o->count, o->col[0], o->col[1], o->col[2], o->col[3],
					       o->col[4], o->col[5], o->col[6], o->col[7], o->col[8] };
}

static void out_free(struct out_cols *o)
{
	int c;

	free(o->count);
	for (c = 0; c < 9; c++)
		free(o->col[c]);
}

/* Bit for bit: the batch is push/get. */
static void ck_same_row(const struct out_cols *o, size_t i, const struct nbpy_rolling_row *w)
{
	const double want[9] = { w->mid_mean, w->mid_std, w->mid_min, w->mid_max, w->spread_mean,
				 w->spread_std, w->spread_min, w->spread_max, w->vwap };
	int c;

	if (o->count[i] != w->count)
		ck_abort_msg("batch row %zu: count %lld, push/get %lld", i, (long long)o->count[i],
			     (long long)w->count);
	for (c = 0; c < 9; c++)
		if (memcmp(&o->col[c][i], &want[c], sizeof(double)) != 0)
			ck_abort_msg("batch row %zu column %d: %.17g, push/get %.17g", i, c, o->col[c][i],
				     want[c]);
}

/* Every row of d, streamed and in one batch, for these params. */
static void ck_params(const struct data *d, uint32_t window, int64_t window_ns, uint32_t min_periods)
{
	struct nbpy_rolling_params p = { window, window_ns, min_periods };
	struct nbpy_rolling_input in = { d->n_rows, d->n_segments, d->seg, window_ns ? d->t : NULL,
					 d->bid, d->ask, d->price, d->volume };
	struct nbpy_rolling_row w;
	struct out_cols o;
	char err[256];
	size_t k, i;

	constant_rows = 0;
	out_make(&o, d->n_rows);
	ck_assert_msg(nbpy_rolling_batch(NBPY_DEVICE_CPU, &p, &in, &o.out, err, sizeof(err)) == 0,
		      "batch: %s", err);
	for (k = 0; k < d->n_segments; k++) {
		struct nbpy_rolling *r = new_window(window, window_ns, min_periods);

		for (i = d->seg[k]; i < d->seg[k + 1]; i++) {
			if (nbpy_rolling_push(r, d->t[i], d->bid[i], d->ask[i], d->price[i],
					      d->volume[i]) != 0)
				ck_abort_msg("row %zu: push refused", i);
			nbpy_rolling_get(r, &w);
			ck_row_naive(d, &p, d->seg[k], i, &w);
			ck_same_row(&o, i, &w);
		}
		nbpy_rolling_free(r);
	}
	out_free(&o);
	/* the spread is constant in a constant stretch, whatever the window */
	if (window >= 2)
		ck_assert_uint_gt(constant_rows, 0);
}

static const uint32_t WINDOWS[] = { 1, 2, 3, 20, 1000 };

/* _i: the window; count windows, min_periods default, 1 and window. */
START_TEST(random_count_windows)
{
	uint32_t window = WINDOWS[_i];
	struct data d;

	data_make(&d, 0x9e3779b97f4a7c15ull + _i);
	ck_params(&d, window, 0, 0);
	ck_params(&d, window, 0, 1);
	ck_params(&d, window, 0, window);
	if (window > 2)
		ck_params(&d, window, 0, window / 2);
	data_free(&d);
}
END_TEST

/* _i: the cap; time windows of 2 s and 30 s, min_periods default (1) and 2. */
START_TEST(random_time_windows)
{
	uint32_t window = WINDOWS[_i];
	struct data d;

	data_make(&d, 0x2545f4914f6cdd1dull + _i);
	ck_params(&d, window, 2000000000, 0);
	ck_params(&d, window, 30000000000, 0);
	if (window >= 2)
		ck_params(&d, window, 2000000000, 2);
	data_free(&d);
}
END_TEST

/* ---- (c) drift: 20M FX-like ticks, the last window against two passes ---- */

static void ck_drift(uint32_t window)
{
	/* not a multiple of the window: the last window spans FRONT and BACK */
	enum { N = 20000000 + 7 };
	struct nbpy_rolling *r = new_window(window, 0, 0);
	struct nbpy_rolling_row w;
	double *last = calloc(window, sizeof(double)), mid = 1.1;
	long double sum = 0, ss = 0, mean, std;
	uint32_t i;
	size_t n;

	ck_assert_ptr_nonnull(last);
	rng_state = 0x853c49e6748fea9bull;
	for (n = 0; n < N; n++) {
		/* steps up to 1e-4, not on a grid; pulled back towards 1.1 */
		mid += (rng_unit() * 2 - 1) * 1e-4 - (mid - 1.1) * 1e-4;
		last[n % window] = mid;
		if (nbpy_rolling_push(r, (int64_t)n, mid - 5e-5, mid + 5e-5, mid, 1) != 0)
			ck_abort_msg("tick %zu: push refused", n);
	}
	nbpy_rolling_get(r, &w);
	for (i = 0; i < window; i++) {
		double bid = last[i] - 5e-5, ask = last[i] + 5e-5;

		last[i] = (bid + ask) / 2;	/* the mid as the window computes it */
		sum += last[i];
	}
	mean = sum / window;
	for (i = 0; i < window; i++)
		ss += (last[i] - mean) * (last[i] - mean);
	std = sqrtl(ss / (window - 1));
	ck_assert_msg(fabsl(w.mid_std - std) <= 1e-9L * std, "window %u: std %.17g, two-pass %.17Lg",
		      window, w.mid_std, std);
	ck_assert_msg(fabsl(w.mid_mean - mean) <= 1e-12L * mean,
		      "window %u: mean %.17g, two-pass %.17Lg", window, w.mid_mean, mean);
	ck_assert_msg(fabs(w.vwap - w.mid_mean) <= 1e-12 * w.mid_mean, "vwap %.17g, mean %.17g",
		      w.vwap, w.mid_mean);
	free(last);
	nbpy_rolling_free(r);
}

START_TEST(drift_window_100)
{
	ck_drift(100);
}
END_TEST

START_TEST(drift_window_20)
{
	ck_drift(20);
}
END_TEST

/* ---- (d) batch, parameters, devices ---- */

START_TEST(batch_errors)
{
	static const size_t seg[3] = { 0, 2, 4 };
	static const int64_t t[4] = { 0, 5, 10, 9 };
	static const double x[4] = { 1, 2, 3, 4 };
	struct nbpy_rolling_params count = { 2, 0, 0 }, time = { 2, 1000, 0 };
	struct nbpy_rolling_input in = { 4, 2, seg, t, x, x, x, x };
	struct out_cols o;
	char err[256];

	out_make(&o, 4);
	ck_assert_int_eq(nbpy_rolling_batch(NBPY_DEVICE_CPU, &time, &in, &o.out, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "rows 2..3 of segment 1 go back in time");
	/* a count window takes any times */
	ck_assert_int_eq(nbpy_rolling_batch(NBPY_DEVICE_CPU, &count, &in, &o.out, err, sizeof(err)), 0);
	ck_assert_int_eq(o.count[3], 2);
	ck_assert(o.col[0][3] == 3.5);
	/* segments that do not cover the rows */
	in.n_rows = 5;
	ck_assert_int_eq(nbpy_rolling_batch(NBPY_DEVICE_CPU, &count, &in, &o.out, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "segments cover rows 0..4, not the 5 rows");
	in.n_rows = 4;
	/* a time window without times */
	in.t_ns = NULL;
	ck_assert_int_eq(nbpy_rolling_batch(NBPY_DEVICE_CPU, &time, &in, &o.out, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "a time window needs the times (t_ns)");
	/* auto is for the pick, not the batch */
	ck_assert_int_eq(nbpy_rolling_batch(NBPY_DEVICE_AUTO, &count, &in, &o.out, err, sizeof(err)), -1);
	out_free(&o);
}
END_TEST

START_TEST(params_check)
{
	struct nbpy_rolling_params p = { 0, 0, 0 };
	char err[256];

	ck_assert_int_eq(nbpy_rolling_params_check(&p, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "window 0: must be 1..16777216");
	ck_assert_ptr_null(nbpy_rolling_new(&p));
	p.window = NBPY_ROLLING_WINDOW_MAX + 1;
	ck_assert_int_eq(nbpy_rolling_params_check(&p, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "window 16777217: must be 1..16777216");
	p.window = NBPY_ROLLING_WINDOW_MAX;
	ck_assert_int_eq(nbpy_rolling_params_check(&p, err, sizeof(err)), 0);
	p.window = 10;
	p.window_ns = -1;
	ck_assert_int_eq(nbpy_rolling_params_check(&p, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "window_ns -1: must be >= 0");
	p.window_ns = 0;
	p.min_periods = 11;
	ck_assert_int_eq(nbpy_rolling_params_check(&p, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "min_periods 11: must be <= window (10)");
	p.min_periods = 10;
	ck_assert_int_eq(nbpy_rolling_params_check(&p, err, sizeof(err)), 0);
}
END_TEST

START_TEST(devices)
{
	struct nbpy_rolling_params count = { 20, 0, 0 }, time = { 20, 1000000000, 0 };
	enum nbpy_device d = NBPY_DEVICE_CUDA;
	char err[256], why[256];
	bool usable = nbpy_cuda_usable(why, sizeof(why));

	ck_assert_int_eq(nbpy_device_parse("auto", &d), 0);
	ck_assert_int_eq(d, NBPY_DEVICE_AUTO);
	ck_assert_int_eq(nbpy_device_parse("cpu", &d), 0);
	ck_assert_int_eq(d, NBPY_DEVICE_CPU);
	ck_assert_int_eq(nbpy_device_parse("cuda", &d), 0);
	ck_assert_int_eq(d, NBPY_DEVICE_CUDA);
	ck_assert_int_eq(nbpy_device_parse("CUDA", &d), -1);
	ck_assert_int_eq(nbpy_device_parse("", &d), -1);
	ck_assert_int_eq(nbpy_device_parse("gpu", &d), -1);
	ck_assert_str_eq(nbpy_device_name(NBPY_DEVICE_AUTO), "auto");
	ck_assert_str_eq(nbpy_device_name(NBPY_DEVICE_CPU), "cpu");
	ck_assert_str_eq(nbpy_device_name(NBPY_DEVICE_CUDA), "cuda");

	ck_assert_int_eq(nbpy_rolling_device_pick(NBPY_DEVICE_CPU, 1u << 30, &count, &d, err,
						  sizeof(err)), 0);
	ck_assert_int_eq(d, NBPY_DEVICE_CPU);
	/* auto: the CPU for small batches and for time windows, GPU or not */
	ck_assert_int_eq(nbpy_rolling_device_pick(NBPY_DEVICE_AUTO, NBPY_ROLLING_CUDA_MIN_ROWS - 1,
						  &count, &d, err, sizeof(err)), 0);
	ck_assert_int_eq(d, NBPY_DEVICE_CPU);
	ck_assert_int_eq(nbpy_rolling_device_pick(NBPY_DEVICE_AUTO, 1u << 30, &time, &d, err,
						  sizeof(err)), 0);
	ck_assert_int_eq(d, NBPY_DEVICE_CPU);
	ck_assert_int_eq(nbpy_rolling_device_pick(NBPY_DEVICE_AUTO, NBPY_ROLLING_CUDA_MIN_ROWS, &count,
						  &d, err, sizeof(err)), 0);
	ck_assert_int_eq(d, usable ? NBPY_DEVICE_CUDA : NBPY_DEVICE_CPU);
	/* cuda: never a time window; without a GPU, the reason */
	ck_assert_int_eq(nbpy_rolling_device_pick(NBPY_DEVICE_CUDA, 1u << 30, &time, &d, err,
						  sizeof(err)), -1);
	ck_assert_str_eq(err, "device cuda: a time window is computed on the CPU only");
	if (!usable) {
		char want[300];

		ck_assert_int_eq(nbpy_rolling_device_pick(NBPY_DEVICE_CUDA, 1u << 30, &count, &d, err,
							  sizeof(err)), -1);
		(void)snprintf(want, sizeof(want), "device cuda: %s", why);
		ck_assert_str_eq(err, want);
		ck_assert_int_gt(strlen(why), 0);
	}
}
END_TEST

/* Built without CUDA, the reason says so. */
START_TEST(no_cuda_reason)
{
#ifndef HAVE_CUDA
	char why[256] = "";

	ck_assert(!nbpy_cuda_usable(why, sizeof(why)));
	ck_assert_str_eq(why, "built without CUDA");
#endif
}
END_TEST

/* ---- the ticks of each schema, as docs/services.md says them ---- */

/* m's tick; its source's quote flag in *quote */
static struct tick_fields tick_of(const struct nbpy_msg *m, bool *quote)
{
	struct tick_fields t;
	const struct tick_source *src = tick_read(m, &t);

	ck_assert_msg(src != NULL, "schema %d: no tick source", (int)m->h.schema);
	ck_assert_int_eq(src->schema, m->h.schema);
	*quote = src->quote;
	return t;
}

START_TEST(tick_sources_by_schema)
{
	static struct nbpy_msg m;	/* static: a message is large */
	struct tick_fields t;
	bool quote;

	/* kraken_ticker: the quote, and the last trade for the VWAP */
	memset(&m, 0, sizeof(m));
	m.h.schema = NBPY_SCHEMA_KRAKEN_TICKER;
	strcpy(m.u.ticker.instrument, "XXBTZUSD");
	m.u.ticker.bid_price = 30300.5;
	m.u.ticker.ask_price = 30301.5;
	m.u.ticker.last_trade_price = 30301.0;
	m.u.ticker.last_trade_lot_volume = 0.25;
	m.u.ticker.volume_today = 1234.0;
	t = tick_of(&m, &quote);
	ck_assert_str_eq(t.instrument, "XXBTZUSD");
	ck_assert(t.bid == 30300.5 && t.ask == 30301.5 && t.price == 30301.0 && t.volume == 0.25);
	ck_assert(quote);
	/* oanda_price: a quote, no trade */
	memset(&m, 0, sizeof(m));
	m.h.schema = NBPY_SCHEMA_OANDA_PRICE;
	strcpy(m.u.oanda.instrument, "EUR_USD");
	m.u.oanda.bid = 1.08121;
	m.u.oanda.ask = 1.08123;
	t = tick_of(&m, &quote);
	ck_assert_str_eq(t.instrument, "EUR_USD");
	ck_assert(t.bid == 1.08121 && t.ask == 1.08123 && isnan(t.price) && isnan(t.volume));
	ck_assert(quote);
	/* trade: no quote, its price is both bid and ask (mid = price, spread 0) */
	memset(&m, 0, sizeof(m));
	m.h.schema = NBPY_SCHEMA_TRADE;
	strcpy(m.u.trade.instrument, "XXBTZEUR");
	m.u.trade.price = 27000.1;
	m.u.trade.volume = 0.00125;
	t = tick_of(&m, &quote);
	ck_assert_str_eq(t.instrument, "XXBTZEUR");
	ck_assert(t.bid == 27000.1 && t.ask == 27000.1 && t.price == 27000.1 && t.volume == 0.00125);
	ck_assert(!quote);
	/* anything else is no tick */
	memset(&m, 0, sizeof(m));
	m.h.schema = NBPY_SCHEMA_TICK_STATS;
	ck_assert_ptr_null(tick_read(&m, &t));
	m.h.schema = NBPY_SCHEMA_BOOK_TOP;
	ck_assert_ptr_null(tick_read(&m, &t));
}
END_TEST

static Suite *rolling_suite(void)
{
	Suite *s = suite_create("rolling");
	TCase *tc = tcase_create("core");
	TCase *drift = tcase_create("drift");

	tcase_add_test(tc, reference_vector);
	tcase_add_test(tc, reference_constant_window_exact);
	tcase_add_test(tc, reference_time_window);
	tcase_add_test(tc, time_window_extreme_times);
	tcase_add_test(tc, vwap_zero_volume_sum);
	tcase_add_loop_test(tc, random_count_windows, 0, sizeof(WINDOWS) / sizeof(WINDOWS[0]));
	tcase_add_loop_test(tc, random_time_windows, 0, sizeof(WINDOWS) / sizeof(WINDOWS[0]));
	tcase_add_test(tc, batch_errors);
	tcase_add_test(tc, params_check);
	tcase_add_test(tc, devices);
	tcase_add_test(tc, no_cuda_reason);
	tcase_add_test(tc, tick_sources_by_schema);
	tcase_set_timeout(tc, 60);
	tcase_add_test(drift, drift_window_100);
	tcase_add_test(drift, drift_window_20);
	tcase_set_timeout(drift, 60);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, drift);
	return s;
}

int main(void)
{
	return run_suite(rolling_suite());
}
