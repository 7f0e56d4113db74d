/* bench/gpu_rolling.c - the CUDA rolling statistics against their physical
 * bounds, and the CPU path on the same ticks (gpu/README.md, "Benchmark").
 *
 * For FX-like ticks in page-locked host memory (100 instruments), per
 * window: (a) rows/s with the data resident on the GPU (the three kernels
 * only, CUDA events, best of 5) against the HBM bound = bandwidth / 112 B
 * per row (in: bid, ask, price, volume; out: count and 9 doubles), with the
 * bandwidth measured (device-to-device cudaMemcpy) and nominal (4.8 TB/s,
 * H200); (b) end to end from host memory (nbpy_rolling_batch, wall clock,
 * best of 3) against the PCIe bound = measured host-to-device bandwidth /
 * 32 B of input per row, and the full copy bound, which also moves 80 B per
 * row back; (c) the CPU path on the first cpu_rows rows.  Prints a table.
 *
 *   bench/gpu_rolling [ROWS [CPU_ROWS [WINDOW...]]]
 *   (default 100000000 rows, 20000000 for the CPU (one core), windows 2 20 1000 10000) */
#include <inttypes.h>
#include <stdbool.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gpu/rolling.h"
#include "gpu/rolling_cuda_bench.h"

#define IN_BYTES 32.0		/* bid, ask, price, volume */
#define OUT_BYTES 80.0		/* count + 9 doubles */
#define HBM_NOMINAL 4.8e12	/* H200, bytes/s */

static double now(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *pinned(size_t bytes)
{
	void *p = nbpy_rolling_cuda_host_alloc(bytes);

	if (!p) {
		fprintf(stderr, "gpu_rolling: %zu bytes of page-locked memory: not available\n", bytes);
		exit(1);
	}
	return p;
}

static void out_pinned(struct nbpy_rolling_output *o, size_t n)
{
	double **cols[9] = { &o->mid_mean,    &o->mid_std,    &o->mid_min,
			     &o->mid_max,     &o->spread_mean, &o->spread_std,
			     &o->spread_min,  &o->spread_max,  &o->vwap };

	o->count = pinned(n * sizeof(int64_t));
	for (int c = 0; c < 9; c++)
		*cols[c] = pinned(n * sizeof(double));
}

/* Whether got agrees with want (the CPU's) within gpu/rolling.h's
 * tolerances (std with the floor of tests/unit/rolling_data.h); prints
 * the first difference.  The benchmark's own check: it may run where the
 * unit tests could not be built. */
static bool agrees(double got, double want, double tol, double abs_floor)
{
	if (isnan(got) || isnan(want))
		return isnan(got) && isnan(want);
	return fabs(got - want) <= tol * fabs(want) || fabs(got - want) <= abs_floor;
}

static size_t differences(const struct nbpy_rolling_output *g, const struct nbpy_rolling_output *w,
			  size_t n)
{
	size_t bad = 0;

	for (size_t i = 0; i < n; i++) {
		bool ok = g->count[i] == w->count[i] && agrees(g->mid_min[i], w->mid_min[i], 0, 0) &&
			  agrees(g->mid_max[i], w->mid_max[i], 0, 0) &&
			  agrees(g->spread_min[i], w->spread_min[i], 0, 0) &&
			  agrees(g->spread_max[i], w->spread_max[i], 0, 0) &&
			  agrees(g->mid_mean[i], w->mid_mean[i], 1e-12, 0) &&
			  agrees(g->spread_mean[i], w->spread_mean[i], 1e-12, 0) &&
			  agrees(g->vwap[i], w->vwap[i], 1e-12, 0) &&
			  agrees(g->mid_std[i], w->mid_std[i], 1e-9, 1e-13 * fabs(w->mid_mean[i])) &&
			  agrees(g->spread_std[i], w->spread_std[i], 1e-9,
				 1e-13 * fabs(w->spread_mean[i]));

		if (!ok && bad++ == 0)
			fprintf(stderr,
				"gpu_rolling: row %zu differs: count %" PRId64 "/%" PRId64
				", mid mean %.17g/%.17g std %.17g/%.17g min %.17g/%.17g, vwap %.17g/%.17g\n",
				i, g->count[i], w->count[i], g->mid_mean[i], w->mid_mean[i], g->mid_std[i],
				w->mid_std[i], g->mid_min[i], w->mid_min[i], g->vwap[i], w->vwap[i]);
	}
	return bad;
}

/* FX-like ticks: 100 instruments of equal length, a random walk in pips. */
static void make_ticks(struct nbpy_rolling_input *in, size_t n, size_t *seg, size_t n_seg)
{
	double *bid = pinned(n * sizeof(double)), *ask = pinned(n * sizeof(double));
	double *price = pinned(n * sizeof(double)), *volume = pinned(n * sizeof(double));
	uint64_t x = 88172645463325252ULL;
	long pips = 0;

	for (size_t k = 0; k <= n_seg; k++)
		seg[k] = n / n_seg * k;
	seg[n_seg] = n;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		pips += (long)(x % 7) - 3;
		bid[i] = 1.1 + (double)pips * 1e-5;
		ask[i] = bid[i] + 1e-5 * (double)(1 + (x >> 8) % 3);
		price[i] = (x >> 12) & 1 ? bid[i] : ask[i];
		volume[i] = (double)(1 + (x >> 16) % 1000) / 100;
	}
	in->n_rows = n;
	in->n_segments = n_seg;
	in->seg = seg;
	in->t_ns = NULL;
	in->bid = bid;
	in->ask = ask;
	in->price = price;
	in->volume = volume;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 100000000;
	size_t cpu_rows = argc > 2 ? strtoull(argv[2], NULL, 10) : 20000000;
	static const uint32_t DEFAULT_W[] = { 2, 20, 1000, 10000 };
	struct nbpy_rolling_input in, cpu_in;
	struct nbpy_rolling_output out, cpu_out, check_out;
	size_t seg[101], cpu_seg[101];
	double d2d, h2d, d2h, hbm_bound, pcie_bound, copy_bound;
	char err[256], why[256];
	int nw = argc > 3 ? argc - 3 : (int)(sizeof(DEFAULT_W) / sizeof(DEFAULT_W[0]));
	size_t bad = 0;

	if (n < 100 || cpu_rows < 100 || cpu_rows > n) {
		fprintf(stderr, "usage: gpu_rolling [ROWS [CPU_ROWS [WINDOW...]]] (ROWS >= CPU_ROWS >= 100)\n");
		return 2;
	}
	if (!nbpy_cuda_usable(why, sizeof(why))) {
		printf("skipped: no GPU (%s)\n", why);
		return 77;
	}
	if (nbpy_rolling_cuda_bandwidth((size_t)1 << 30, &d2d, &h2d, &d2h, err, sizeof(err)) < 0) {
		fprintf(stderr, "gpu_rolling: %s\n", err);
		return 1;
	}
	make_ticks(&in, n, seg, 100);
	out_pinned(&out, n);
	make_ticks(&cpu_in, cpu_rows, cpu_seg, 100);
	out_pinned(&cpu_out, cpu_rows);
	out_pinned(&check_out, cpu_rows);

	hbm_bound = d2d / (IN_BYTES + OUT_BYTES);
	pcie_bound = h2d / IN_BYTES;
	copy_bound = fmin(h2d / IN_BYTES, d2h / OUT_BYTES);
	printf("rows %zu (100 instruments), CPU rows %zu\n", n, cpu_rows);
	printf("measured: device-to-device %.0f GB/s (nominal HBM %.1f TB/s), "
	       "host-to-device %.1f GB/s, device-to-host %.1f GB/s (page-locked)\n",
	       d2d / 1e9, HBM_NOMINAL / 1e12, h2d / 1e9, d2h / 1e9);
	printf("bounds: HBM %.2f G rows/s measured, %.2f nominal (%.0f B/row); PCIe in %.2f G rows/s "
	       "(%.0f B/row); in and out %.2f G rows/s\n\n",
	       hbm_bound / 1e9, HBM_NOMINAL / (IN_BYTES + OUT_BYTES) / 1e9, IN_BYTES + OUT_BYTES,
	       pcie_bound / 1e9, IN_BYTES, copy_bound / 1e9);
	printf("%7s | %14s %9s %9s | %14s %8s %8s | %12s %8s\n", "window", "resident G/s",
	       "%HBM meas", "%HBM nom", "end-to-end G/s", "%PCIe in", "%in+out", "CPU M rows/s",
	       "GPU/CPU");
	for (int k = 0; k < nw; k++) {
		struct nbpy_rolling_params p = { argc > 3 ? (uint32_t)strtoul(argv[3 + k], NULL, 10)
							  : DEFAULT_W[k],
						 0, 0 };
		double resident, t, e2e = INFINITY, cpu;

		if (nbpy_rolling_params_check(&p, err, sizeof(err)) < 0 ||
		    nbpy_rolling_cuda_resident(&p, &in, 5, &resident, err, sizeof(err)) < 0) {
			fprintf(stderr, "gpu_rolling: window %" PRIu32 ": %s\n", p.window, err);
			return 1;
		}
		for (int r = 0; r < 3; r++) {
			t = now();
			if (nbpy_rolling_batch(NBPY_DEVICE_CUDA, &p, &in, &out, err, sizeof(err)) < 0) {
				fprintf(stderr, "gpu_rolling: window %" PRIu32 ": %s\n", p.window, err);
				return 1;
			}
			e2e = fmin(e2e, now() - t);
		}
		t = now();
		if (nbpy_rolling_batch(NBPY_DEVICE_CPU, &p, &cpu_in, &cpu_out, err, sizeof(err)) < 0) {
			fprintf(stderr, "gpu_rolling: cpu, window %" PRIu32 ": %s\n", p.window, err);
			return 1;
		}
		cpu = now() - t;
		if (nbpy_rolling_batch(NBPY_DEVICE_CUDA, &p, &cpu_in, &check_out, err, sizeof(err)) < 0) {
			fprintf(stderr, "gpu_rolling: check, window %" PRIu32 ": %s\n", p.window, err);
			return 1;
		}
		bad += differences(&check_out, &cpu_out, cpu_rows);
		printf("%7" PRIu32 " | %14.2f %8.0f%% %8.0f%% | %14.2f %7.0f%% %7.0f%% | %12.1f %7.0fx\n",
		       p.window, n / resident / 1e9, 100 * n / resident / hbm_bound,
		       100 * n / resident / (HBM_NOMINAL / (IN_BYTES + OUT_BYTES)), n / e2e / 1e9,
		       100 * n / e2e / pcie_bound, 100 * n / e2e / copy_bound, cpu_rows / cpu / 1e6,
		       (n / e2e) / (cpu_rows / cpu));
	}
	printf("\ncheck: CUDA against CPU on the CPU's %zu rows, every window: %s\n", cpu_rows,
	       bad ? "DIFFERENT (first difference above)" : "equal within the tolerances");
	if (bad)
		fprintf(stderr, "gpu_rolling: %zu rows differ\n", bad);
	return bad ? 1 : 0;
}
