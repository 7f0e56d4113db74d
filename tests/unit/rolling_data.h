/* rolling_data.h - for the CUDA tests (test_rolling_cuda*.c): FX-like ticks
 * in segments (instruments) of many lengths, with NaNs, zero volumes and
 * constant stretches, and the row-by-row comparison of a result with the
 * CPU's within the tolerances. */
#ifndef NBPY_ROLLING_DATA_H
#define NBPY_ROLLING_DATA_H

#include <math.h>
#include <stdint.h>

#include "gpu/rolling.h"
#include "tests/unit/testutil.h"

#define MAX_RUNS 4096

/* ck_assert_msg without its cost on success (Check records every passing
 * assertion: a system call each; millions of rows are compared here) */
#define ROW_ASSERT(cond, ...)                                                                      \
	do {                                                                                       \
		if (!(cond))                                                                       \
			ck_abort_msg(__VA_ARGS__);                                                 \
	} while (0)

struct ticks {
	struct nbpy_rolling_input in;
	size_t *seg;
	double *bid, *ask, *price, *volume;
	size_t n_runs;
	size_t run[MAX_RUNS][2];	/* constant stretches: rows [run[k][0], run[k][1]) */
};

static uint64_t rng_state;

static uint64_t rng_next(void)	/* splitmix64 */
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double rng_unit(void)	/* [0, 1) */
{
	return (double)(rng_next() >> 11) * 0x1p-53;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	ck_assert_msg(p != NULL, "calloc of %zu x %zu bytes failed", n, size);
	return p;
}

/* n_rows ticks: first segments of the lengths around the windows tested
 * (and two empty ones), then random lengths up to max_seg. */
static void ticks_make(struct ticks *t, size_t n_rows, size_t max_seg, uint64_t seed)
{
	static const size_t FIRST[] = { 1, 2, 0, 3, 19, 20, 21, 999, 1000, 0, 1001, 1025, 2047, 3001 };
	size_t n_seg = 0, cap = 64, r = 0, k, len, end, run_end = 0;
	int64_t pips = 0;	/* mid in pips (1e-5) above the instrument's base */
	double base = 1, spread = 0, price = 0;

	rng_state = seed;
	memset(t, 0, sizeof(*t));
	t->seg = xcalloc(cap, sizeof(size_t));
	t->bid = xcalloc(n_rows, sizeof(double));
	t->ask = xcalloc(n_rows, sizeof(double));
	t->price = xcalloc(n_rows, sizeof(double));
	t->volume = xcalloc(n_rows, sizeof(double));
	while (r < n_rows) {
		len = n_seg < sizeof(FIRST) / sizeof(FIRST[0]) ? FIRST[n_seg]
							     : 1 + rng_next() % max_seg;
		end = n_rows - r > len ? r + len : n_rows;
		if (n_seg + 2 > cap) {
			cap *= 2;
			t->seg = realloc(t->seg, cap * sizeof(size_t));
			ck_assert_ptr_nonnull(t->seg);
		}
		t->seg[n_seg++] = r;
		/* an instrument: EURUSD-, USDJPY- or AUDUSD-like */
		base = (double[]){ 1.1, 150.0, 0.65 }[rng_next() % 3];
		pips = 0;
		spread = 1e-5 * (double)(1 + rng_next() % 4);
		run_end = 0;
		for (k = r; k < end; k++) {
			double u = rng_unit();

			if (k >= run_end && u < 5e-5 && t->n_runs < MAX_RUNS) {
				/* a constant stretch, longer than the longest window */
				run_end = k + 1200 + rng_next() % 2000;
				t->run[t->n_runs][0] = k;
				t->run[t->n_runs][1] = run_end < end ? run_end : end;
				t->n_runs++;
			}
			if (k < run_end && k > t->run[t->n_runs - 1][0]) {
				t->bid[k] = t->bid[k - 1];
				t->ask[k] = t->ask[k - 1];
				t->price[k] = t->price[k - 1];
				t->volume[k] = t->volume[k - 1];
				continue;
			}
			if (u < 0.7)	/* else: no change, as ticks often are */
				pips += (int64_t)(rng_next() % 7) - 3;
			if (rng_unit() < 0.05)
				spread = 1e-5 * (double)(1 + rng_next() % 4);
			t->bid[k] = base + (double)pips * 1e-5;
			t->ask[k] = t->bid[k] + spread;
			price = rng_unit() < 0.5 ? t->bid[k] : t->ask[k];
			t->price[k] = price;
			t->volume[k] = rng_unit() < 0.05 ? 0 : (double)(1 + rng_next() % 1000) / 100;
			/* missing values, and now and then a run of them */
			if (rng_unit() < 0.002)
				t->bid[k] = NAN;
			if (rng_unit() < 0.002)
				t->ask[k] = INFINITY;
			if (rng_unit() < 0.002)
				t->price[k] = NAN;
			if (rng_unit() < 0.002)
				t->volume[k] = NAN;
			if (rng_unit() < 2e-5) {
				size_t gap = k + rng_next() % 50;

				for (; k < end && k < gap; k++)
					t->bid[k] = t->ask[k] = t->price[k] = t->volume[k] = NAN;
				k--;
			}
		}
		r = end;
	}
	t->seg[n_seg] = n_rows;
	t->in.n_rows = n_rows;
	t->in.n_segments = n_seg;
	t->in.seg = t->seg;
	t->in.bid = t->bid;
	t->in.ask = t->ask;
	t->in.price = t->price;
	t->in.volume = t->volume;
}

static void ticks_free(struct ticks *t)
{
	free(t->seg);
	free(t->bid);
	free(t->ask);
	free(t->price);
	free(t->volume);
}

static void out_alloc(struct nbpy_rolling_output *o, size_t n)
{
	o->count = xcalloc(n, sizeof(int64_t));
	o->mid_mean = xcalloc(n, sizeof(double));
	o->mid_std = xcalloc(n, sizeof(double));
	o->mid_min = xcalloc(n, sizeof(double));
	o->mid_max = xcalloc(n, sizeof(double));
	o->spread_mean = xcalloc(n, sizeof(double));
	o->spread_std = xcalloc(n, sizeof(double));
	o->spread_min = xcalloc(n, sizeof(double));
	o->spread_max = xcalloc(n, sizeof(double));
	o->vwap = xcalloc(n, sizeof(double));
}

static void out_free(struct nbpy_rolling_output *o)
{
	free(o->count);
	free(o->mid_mean);
	free(o->mid_std);
	free(o->mid_min);
	free(o->mid_max);
	free(o->spread_mean);
	free(o->spread_std);
	free(o->spread_min);
	free(o->spread_max);
	free(o->vwap);
}

/* Relative tolerances of the issue.  std also gets an absolute floor of
 * 1e-13 of the mean's size: values near m are only known to about
 * DBL_EPSILON * m each, so the std of a window that is almost constant
 * (a few pips among hundreds of equal ticks) is only defined to that
 * absolute precision, whatever the order of the additions. */
#define TOL_MEAN 1e-12
#define TOL_STD 1e-9
#define TOL_STD_FLOOR 1e-13

struct diff_stats {
	double max_mean, max_std;	/* largest relative differences seen */
	size_t std_floor;		/* std rows within the floor, not within TOL_STD */
};

static void same(double got, double want, double tol, double abs_floor, size_t row,
		 const char *what, const char *label, double *max_rel, size_t *floored)
{
	double d, rel;

	if (isnan(want) || isnan(got)) {
		ROW_ASSERT(isnan(want) && isnan(got), "%s: row %zu %s: got %.17g, want %.17g",
			      label, row, what, got, want);
		return;
	}
	if (tol == 0) {	/* exact: min, max */
		ROW_ASSERT(got == want, "%s: row %zu %s: got %.17g, want exactly %.17g", label, row,
			      what, got, want);
		return;
	}
	d = fabs(got - want);
	/* want 0: the std of two ticks a rounding apart may come out 0 one way
	 * and not the other; check_constant checks exact zeros */
	rel = want != 0 ? d / fabs(want) : d > 0 ? INFINITY : 0;
	if (rel > *max_rel && want != 0)
		*max_rel = rel;
	if (d <= tol * fabs(want))
		return;	/* within the relative tolerance (exact when want is 0) */
	ROW_ASSERT(d <= abs_floor, "%s: row %zu %s: got %.17g, want %.17g (relative %.3g)", label,
		      row, what, got, want, rel);
	(*floored)++;
}

/* got against want (the CPU's), every row and column. */
static void compare(const struct nbpy_rolling_output *got, const struct nbpy_rolling_output *want,
		    size_t n, const char *label, struct diff_stats *st)
{
	size_t i;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < n; i++) {
		ROW_ASSERT(got->count[i] == want->count[i], "%s: row %zu count: got %lld, want %lld",
			      label, i, (long long)got->count[i], (long long)want->count[i]);
		same(got->mid_mean[i], want->mid_mean[i], TOL_MEAN, 0, i, "mid_mean", label,
		     &st->max_mean, &st->std_floor);
		same(got->spread_mean[i], want->spread_mean[i], TOL_MEAN, 0, i, "spread_mean", label,
		     &st->max_mean, &st->std_floor);
		same(got->vwap[i], want->vwap[i], TOL_MEAN, 0, i, "vwap", label, &st->max_mean,
		     &st->std_floor);
		same(got->mid_std[i], want->mid_std[i], TOL_STD, TOL_STD_FLOOR * fabs(want->mid_mean[i]),
		     i, "mid_std", label, &st->max_std, &st->std_floor);
		same(got->spread_std[i], want->spread_std[i], TOL_STD,
		     TOL_STD_FLOOR * fabs(want->spread_mean[i]), i, "spread_std", label, &st->max_std,
		     &st->std_floor);
		same(got->mid_min[i], want->mid_min[i], 0, 0, i, "mid_min", label, NULL, NULL);
		same(got->mid_max[i], want->mid_max[i], 0, 0, i, "mid_max", label, NULL, NULL);
		same(got->spread_min[i], want->spread_min[i], 0, 0, i, "spread_min", label, NULL, NULL);
		same(got->spread_max[i], want->spread_max[i], 0, 0, i, "spread_max", label, NULL, NULL);
	}
}

/* In each constant stretch, the rows whose whole window lies in it: std
 * exactly 0, mean, min and max exactly the value (independent of the CPU:
 * the data says so).  Returns the rows checked. */
static size_t check_constant(const struct ticks *t, const struct nbpy_rolling_output *got,
			     size_t window, uint32_t min_periods, const char *label)
{
	size_t k, i, checked = 0;

	for (k = 0; k < t->n_runs; k++) {
		double mid = (t->bid[t->run[k][0]] + t->ask[t->run[k][0]]) / 2;
		double spread = t->ask[t->run[k][0]] - t->bid[t->run[k][0]];

		if (!isfinite(mid))
			continue;
		for (i = t->run[k][0] + window - 1; i < t->run[k][1]; i++) {
			ROW_ASSERT(got->count[i] == (int64_t)window, "%s: row %zu: count %lld", label,
				      i, (long long)got->count[i]);
			if (window >= 2)
				ROW_ASSERT(got->mid_std[i] == 0.0 && got->spread_std[i] == 0.0,
					      "%s: row %zu: constant window, std %.17g %.17g", label,
					      i, got->mid_std[i], got->spread_std[i]);
			ROW_ASSERT(got->mid_mean[i] == mid && got->mid_min[i] == mid &&
					      got->mid_max[i] == mid && got->spread_mean[i] == spread,
				      "%s: row %zu: constant window, mean %.17g, want %.17g", label, i,
				      got->mid_mean[i], mid);
			checked++;
		}
	}
	(void)min_periods;
	return checked;
}

/* Device errors that need no GPU: a time window is the CPU's only. */
static void check_time_window_refused(void)
{
	struct nbpy_rolling_params p = { 100, 1000000000, 0 };
	enum nbpy_device got = NBPY_DEVICE_AUTO;
	char err[256] = "";

	ck_assert_int_eq(nbpy_rolling_device_pick(NBPY_DEVICE_CUDA, 1 << 24, &p, &got, err,
						  sizeof(err)),
			 -1);
	ck_assert_msg(strstr(err, "time window") != NULL, "reason: %s", err);
	ck_assert_int_eq(nbpy_rolling_device_pick(NBPY_DEVICE_AUTO, 1 << 24, &p, &got, err,
						  sizeof(err)),
			 0);
	ck_assert_int_eq(got, NBPY_DEVICE_CPU);
}

/* Runs s without forking: the CUDA runtime does not survive fork(), and
 * main has started it already. */
static int run_nofork(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
