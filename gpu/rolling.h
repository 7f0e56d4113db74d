/* rolling.h - rolling statistics of ticks, per instrument: one interface,
 * a CPU implementation (the reference, gpu/rolling_cpu.c) and a CUDA one for
 * large batches (gpu/rolling_cuda.cu).
 *
 * Semantics are pandas' (reference §2.1), per instrument:
 *   mid = (bid + ask) / 2, spread = ask - bid;
 *   mid_* and spread_* are rolling count/mean/std/min/max of those columns,
 *   vwap = rolling sum(price * volume) / rolling sum(volume).
 * The window ending at a tick holds the last `window` ticks (rows, NaN rows
 * included, as pandas counts them); with window_ns > 0 it holds, of those,
 * the ticks with time in (t - window_ns, t] (pandas rolling('Ns'), closed
 * right, when window is large enough never to bind).  A NaN input is
 * skipped and not counted (nobs): mid and spread are NaN when bid or ask is;
 * a tick enters the VWAP only when price and volume are both finite.  A
 * statistic is NaN when its nobs < min_periods; std (ddof = 1) also when
 * nobs < 2; vwap also when the volume sum is 0.  A window whose values are
 * all equal has std exactly 0 and mean exactly that value.
 *
 * Accuracy: nothing is ever subtracted out of a running sum, so nothing
 * drifts: against an exact two-pass computation, mean and vwap agree within
 * 1e-12 relative and std within 1e-9 relative (tests/unit/test_rolling.c),
 * except a std at the rounding level of the inputs themselves (a "constant"
 * spread of decimal prices whose differences are a few ulps), which no
 * summation order gets to 1e-9 relative: there the bound is about
 * 1e-15 x |mean| absolute.  The CUDA implementation agrees with the CPU one
 * within the same bounds. */
#ifndef NBPY_GPU_ROLLING_H
#define NBPY_GPU_ROLLING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Configuration of one computation; the same for every instrument. */
struct nbpy_rolling_params {
	uint32_t window;	/* ticks, >= 1: the window, or with window_ns its cap */
	int64_t window_ns;	/* 0: count window only; > 0: time window too */
	uint32_t min_periods;	/* 0: pandas' default: window, or 1 with window_ns */
};

/* NBPY_ROLLING_WINDOW_MAX bounds window (memory: about 136 B per tick of
 * window per instrument). */
#define NBPY_ROLLING_WINDOW_MAX (1u << 24)

/* Checks params; 0, or -1 with a message naming the bad value in err. */
int nbpy_rolling_params_check(const struct nbpy_rolling_params *p, char *err, size_t errlen);

/* The statistics of one window.  NaN where undefined (see above). */
struct nbpy_rolling_row {
	int64_t count;		/* nobs of mid: ticks in the window with finite bid and ask */
	double mid_mean, mid_std, mid_min, mid_max;
	double spread_mean, spread_std, spread_min, spread_max;
	double vwap;
};

/* ---- Streaming: one instrument's window, a tick at a time (the kind). ---- */

struct nbpy_rolling;		/* opaque; gpu/rolling_cpu.c */

/* A window for params (checked with nbpy_rolling_params_check first);
 * NULL with errno = ENOMEM. */
struct nbpy_rolling *nbpy_rolling_new(const struct nbpy_rolling_params *p);
void nbpy_rolling_free(struct nbpy_rolling *r);

/* Adds a tick at t_ns (any value for a count window).  O(1) amortised.
 * -1 (the tick is not added) when a time window would go back in time:
 * t_ns < the last tick's; the caller counts it. */
int nbpy_rolling_push(struct nbpy_rolling *r, int64_t t_ns, double bid, double ask,
		      double price, double volume);

/* The statistics of the window ending at the last tick pushed. */
void nbpy_rolling_get(const struct nbpy_rolling *r, struct nbpy_rolling_row *out);

/* Ticks held now (rows in the window, NaN ones included). */
size_t nbpy_rolling_len(const struct nbpy_rolling *r);

/* ---- Batch: many instruments at once, columnar (the batch tool). ---- */

/* Rows grouped by instrument: segment k is rows [seg[k], seg[k + 1]), in time
 * order; seg[0] = 0, seg[n_segments] = n_rows.  Each segment starts a fresh
 * window.  t_ns may be NULL for a count window. */
struct nbpy_rolling_input {
	size_t n_rows, n_segments;
	const size_t *seg;
	const int64_t *t_ns;
	const double *bid, *ask, *price, *volume;
};

/* One output column per statistic, n_rows each: row i holds the statistics
 * of the window ending at input row i. */
struct nbpy_rolling_output {
	int64_t *count;
	double *mid_mean, *mid_std, *mid_min, *mid_max;
	double *spread_mean, *spread_std, *spread_min, *spread_max;
	double *vwap;
};

enum nbpy_device { NBPY_DEVICE_AUTO, NBPY_DEVICE_CPU, NBPY_DEVICE_CUDA };

/* "auto", "cpu", "cuda" <-> enum; parse returns -1 for anything else. */
int nbpy_device_parse(const char *s, enum nbpy_device *out);
const char *nbpy_device_name(enum nbpy_device d);

/* Whether a CUDA device is usable now.  false with the reason in why
 * ("built without CUDA", "no CUDA device: ...") otherwise. */
bool nbpy_cuda_usable(char *why, size_t whylen);

/* Smallest batch (rows) for which auto picks CUDA: below it the launch and
 * transfer costs outweigh the compute (gpu/README.md). */
#define NBPY_ROLLING_CUDA_MIN_ROWS ((size_t)1 << 20)

/* The device a computation of n_rows would run on: CPU and CUDA as asked
 * (CUDA: -1 with the reason in err when no device is usable, or for a time
 * window, which only the CPU computes), AUTO: CUDA when it is usable, the
 * window is a count window and n_rows >= NBPY_ROLLING_CUDA_MIN_ROWS, else
 * CPU. */
int nbpy_rolling_device_pick(enum nbpy_device want, size_t n_rows,
			     const struct nbpy_rolling_params *p, enum nbpy_device *got,
			     char *err, size_t errlen);

/* Computes every row of in into out on device (CPU or CUDA, already picked).
 * 0, or -1 with the reason in err (out of memory, a CUDA error, a time
 * window going back in time: "rows N..M of segment K go back in time").
 * The CPU path gives, bit for bit, the numbers of nbpy_rolling_push/get
 * per segment (a count window by blocks, gpu/rolling_cpu.c): the kind and
 * the tool give the same numbers. */
int nbpy_rolling_batch(enum nbpy_device device, const struct nbpy_rolling_params *p,
		       const struct nbpy_rolling_input *in, const struct nbpy_rolling_output *out,
		       char *err, size_t errlen);

#endif
