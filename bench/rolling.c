/* bench/rolling.c - speed of gpu/'s CPU rolling statistics, for
 * bench/rolling_stats.sh.
 *
 *   bench/rolling gen N K FILE.csv
 *       writes N FX-like ticks of K instruments (K <= 8), interleaved in time
 *       order, deterministically (fixed seed): the header
 *       instrument,time,bid,ask,price,volume, then one tick a line, with
 *       prices in whole pipettes (exact decimal text) and time in ns.
 *   bench/rolling run FILE.csv TRIALS EVERY SAMPLES.txt W...
 *       reads FILE.csv (not timed) and, for each window W, times TRIALS runs
 *       of (1) stats.rolling's work per tick: nbpy_rolling_push then
 *       nbpy_rolling_get into the tick's own instrument's window, and (2)
 *       nbpy_rolling_batch on the CPU over the whole file, grouping the rows
 *       by instrument into columns included (and that grouping alone).
 *       Then checks, untimed, that the two give the same numbers on every
 *       row, and writes every EVERY-th row's statistics (W, row, count,
 *       mid mean/std/min/max, spread mean/std/min/max, vwap) to SAMPLES.txt
 *       for the comparison with pandas.  Prints one line per measurement:
 *           stream|batch|group W best_ns_per_row median_ns_per_row
 *       Exit status 1 on any error or mismatch.
 *   bench/rolling mem W...
 *       prints "memory W bytes" for one window of each W: the heap it
 *       takes (run it with GLIBC_TUNABLES=glibc.malloc.tcache_count=0). */
#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gpu/rolling.h"

#define MAX_INSTRUMENTS 8

static volatile double sink;	/* keeps the optimizer honest */

/* ---- gen ---- */

static uint64_t rng_state = 0x6e627079u;	/* fixed: the same ticks every run */

static uint64_t rng(void)	/* splitmix64 */
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static const struct {
	const char *name;
	long start;		/* mid in pipettes */
	int decimals;
} pairs[MAX_INSTRUMENTS] = {
	{ "EUR_USD", 108500, 5 }, { "USD_JPY", 149500, 3 }, { "GBP_USD", 126500, 5 },
	{ "AUD_USD", 65500, 5 }, { "USD_CHF", 88000, 5 }, { "USD_CAD", 136000, 5 },
	{ "EUR_GBP", 85800, 5 }, { "EUR_JPY", 162000, 3 },
};

static void put_pipettes(FILE *f, long v, int decimals)
{
	long scale = decimals == 3 ? 1000 : 100000;

	fprintf(f, "%ld.%0*ld", v / scale, decimals, v % scale);
}

static int gen(long n, int k, const char *path)
{
	long mid2[MAX_INSTRUMENTS];	/* twice the mid, pipettes: bid + ask */
	int64_t t = 1796083200000000000;	/* 2026-12-01T00:00:00Z */
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		fprintf(stderr, "rolling: %s: %s\n", path, strerror(errno));
		return 1;
	}
	for (int j = 0; j < k; j++)
		mid2[j] = 2 * pairs[j].start;
	fputs("instrument,time,bid,ask,price,volume\n", f);
	for (long i = 0; i < n; i++) {
		uint64_t r = rng();
		int j = (int)(r % (uint64_t)k);
		int step = (int)((r >> 8) % 9) - 4;		/* pipettes of mid, 0 most often below */
		long spread = 2 + (long)((r >> 16) % 4);	/* mostly 2-5 pipettes, */
		long bid, ask;

		if ((r >> 24) % 64 == 0)
			spread += (long)((r >> 32) % 40);	/* sometimes wide */
		if (step == -4 || step == 4 || (r >> 40) % 3 == 0)
			step = 0;				/* quotes often repeat */
		mid2[j] += 2 * step;
		bid = (mid2[j] - spread) / 2;
		ask = bid + spread;
		r = rng();
		t += 1 + (int64_t)(r % 50000000);	/* up to 50 ms apart */
		fprintf(f, "%s,%lld,", pairs[j].name, (long long)t);
		put_pipettes(f, bid, pairs[j].decimals);
		fputc(',', f);
		put_pipettes(f, ask, pairs[j].decimals);
		fputc(',', f);
		put_pipettes(f, (r >> 32) & 1 ? ask : bid, pairs[j].decimals);	/* a trade at either side */
		fprintf(f, ",%ld\n", 1000 * (1 + (long)((r >> 33) % 100)));
	}
	if (ferror(f) | fclose(f)) {	/* both: fclose even after an error */
		fprintf(stderr, "rolling: %s: %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}

/* ---- run ---- */

struct ticks {
	size_t n, n_inst;
	char names[MAX_INSTRUMENTS][16];
	unsigned char *inst;
	int64_t *t;
	double *bid, *ask, *price, *volume;
};

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (p == NULL) {
		fprintf(stderr, "rolling: out of memory (%zu x %zu bytes)\n", n, size);
		exit(1);
	}
	return p;
}

static int instrument_id(struct ticks *tk, const char *name, size_t len)
{
	for (size_t j = 0; j < tk->n_inst; j++)
		if (strlen(tk->names[j]) == len && memcmp(tk->names[j], name, len) == 0)
			return (int)j;
	if (tk->n_inst == MAX_INSTRUMENTS || len >= sizeof tk->names[0])
		return -1;
	memcpy(tk->names[tk->n_inst], name, len);
	tk->names[tk->n_inst][len] = '\0';
	return (int)tk->n_inst++;
}

/* Reads what gen writes; 0, or -1 with a message naming the line. */
static int load(const char *path, struct ticks *tk)
{
	FILE *f = fopen(path, "r");
	char line[256];
	size_t cap = 1 << 20, lineno = 1;

	if (f == NULL) {
		fprintf(stderr, "rolling: %s: %s\n", path, strerror(errno));
		return -1;
	}
	memset(tk, 0, sizeof *tk);
	if (fgets(line, sizeof line, f) == NULL || strcmp(line, "instrument,time,bid,ask,price,volume\n") != 0) {
		fprintf(stderr, "rolling: %s:1: not the header instrument,time,bid,ask,price,volume\n", path);
		fclose(f);
		return -1;
	}
	tk->inst = xcalloc(cap, 1);
	tk->t = xcalloc(cap, sizeof *tk->t);
	tk->bid = xcalloc(cap, sizeof(double));
	tk->ask = xcalloc(cap, sizeof(double));
	tk->price = xcalloc(cap, sizeof(double));
	tk->volume = xcalloc(cap, sizeof(double));
	while (fgets(line, sizeof line, f) != NULL) {
		char *comma = strchr(line, ','), *p, *end;
		double *col[4] = { tk->bid, tk->ask, tk->price, tk->volume };
		int id;

		lineno++;
		if (tk->n == cap) {
			cap *= 2;
			if ((tk->inst = realloc(tk->inst, cap)) == NULL ||
			    (tk->t = realloc(tk->t, cap * sizeof *tk->t)) == NULL ||
			    (tk->bid = realloc(tk->bid, cap * sizeof(double))) == NULL ||
			    (tk->ask = realloc(tk->ask, cap * sizeof(double))) == NULL ||
			    (tk->price = realloc(tk->price, cap * sizeof(double))) == NULL ||
			    (tk->volume = realloc(tk->volume, cap * sizeof(double))) == NULL) {
				fprintf(stderr, "rolling: out of memory at %s:%zu\n", path, lineno);
				exit(1);
			}
			col[0] = tk->bid, col[1] = tk->ask, col[2] = tk->price, col[3] = tk->volume;
		}
		if (comma == NULL || (id = instrument_id(tk, line, (size_t)(comma - line))) < 0)
			goto bad;
		tk->inst[tk->n] = (unsigned char)id;
		errno = 0;
		tk->t[tk->n] = strtoll(comma + 1, &end, 10);
		if (errno != 0 || *end != ',')
			goto bad;
		for (int c = 0; c < 4; c++) {
			p = end + 1;
			col[c][tk->n] = strtod(p, &end);
			if (end == p || *end != (c == 3 ? '\n' : ','))
				goto bad;
		}
		tk->n++;
	}
	if (ferror(f)) {
		fprintf(stderr, "rolling: %s: %s\n", path, strerror(errno));
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
bad:
	fprintf(stderr, "rolling: %s:%zu: not instrument,time,bid,ask,price,volume (at most %d instruments)\n",
		path, lineno, MAX_INSTRUMENTS);
	fclose(f);
	return -1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Fastest and median of TRIALS times, in ns per row. */
static void report(const char *what, uint32_t w, double *secs, int trials, size_t n)
{
	qsort(secs, (size_t)trials, sizeof *secs, cmp_double);
	printf("%s %u %.2f %.2f\n", what, w, secs[0] * 1e9 / (double)n, secs[trials / 2] * 1e9 / (double)n);
}

/* stats.rolling's work: each tick into its instrument's window, then that
 * window's statistics.  Seconds, or -1. */
static double time_stream(const struct ticks *tk, const struct nbpy_rolling_params *p)
{
	struct nbpy_rolling *win[MAX_INSTRUMENTS];
	struct nbpy_rolling_row row;
	double t0, t1, acc = 0;

	for (size_t j = 0; j < tk->n_inst; j++)
		if ((win[j] = nbpy_rolling_new(p)) == NULL) {
			fprintf(stderr, "rolling: nbpy_rolling_new: %s\n", strerror(errno));
			return -1;
		}
	t0 = now_s();
	for (size_t i = 0; i < tk->n; i++) {
		struct nbpy_rolling *r = win[tk->inst[i]];

		if (nbpy_rolling_push(r, tk->t[i], tk->bid[i], tk->ask[i], tk->price[i], tk->volume[i]) != 0) {
			fprintf(stderr, "rolling: nbpy_rolling_push refused row %zu\n", i);
			return -1;
		}
		nbpy_rolling_get(r, &row);
		acc += row.mid_mean;
	}
	t1 = now_s();
	sink = acc;
	for (size_t j = 0; j < tk->n_inst; j++)
		nbpy_rolling_free(win[j]);
	return t1 - t0;
}

/* The rows grouped by instrument (in time order within each), as the batch
 * tool gets them; pos[i] is where input row i lands. */
struct grouped {
	size_t seg[MAX_INSTRUMENTS + 1];
	size_t *pos;
	int64_t *t;
	double *bid, *ask, *price, *volume;
};

static void group(const struct ticks *tk, struct grouped *g)
{
	size_t next[MAX_INSTRUMENTS] = { 0 };

	memset(g->seg, 0, sizeof g->seg);
	for (size_t i = 0; i < tk->n; i++)
		g->seg[tk->inst[i] + 1]++;
	for (size_t j = 0; j < tk->n_inst; j++) {
		g->seg[j + 1] += g->seg[j];
		next[j] = g->seg[j];
	}
	for (size_t i = 0; i < tk->n; i++) {
		size_t k = next[tk->inst[i]]++;

		g->pos[i] = k;
		g->t[k] = tk->t[i];
		g->bid[k] = tk->bid[i];
		g->ask[k] = tk->ask[i];
		g->price[k] = tk->price[i];
		g->volume[k] = tk->volume[i];
	}
}

/* Grouping and nbpy_rolling_batch on the CPU.  Seconds, or -1. */
static double time_batch(const struct ticks *tk, const struct nbpy_rolling_params *p, struct grouped *g,
			 const struct nbpy_rolling_output *out)
{
	struct nbpy_rolling_input in;
	char err[256];
	double t0, t1;

	t0 = now_s();
	group(tk, g);
	in = (struct nbpy_rolling_input){
		.n_rows = tk->n, .n_segments = tk->n_inst, .seg = g->seg, .t_ns = g->t,
		.bid = g->bid, .ask = g->ask, .price = g->price, .volume = g->volume,
	};
	if (nbpy_rolling_batch(NBPY_DEVICE_CPU, p, &in, out, err, sizeof err) != 0) {
		fprintf(stderr, "rolling: nbpy_rolling_batch: %s\n", err);
		return -1;
	}
	t1 = now_s();
	return t1 - t0;
}

static bool same(double a, double b)
{
	return memcmp(&a, &b, sizeof a) == 0 || (isnan(a) && isnan(b));
}

static void out_row(const struct nbpy_rolling_output *o, size_t k, struct nbpy_rolling_row *r)
{
	*r = (struct nbpy_rolling_row){
		o->count[k], o->mid_mean[k], o->mid_std[k], o->mid_min[k], o->mid_max[k],
		o->spread_mean[k], o->spread_std[k], o->spread_min[k], o->spread_max[k], o->vwap[k],
	};
}

/* Untimed: the streaming path row by row against the batch output, bit for
 * bit (the contract: both paths give the same numbers), and the samples. */
static int check_and_sample(const struct ticks *tk, const struct nbpy_rolling_params *p, const struct grouped *g,
			    const struct nbpy_rolling_output *out, size_t every, FILE *samples)
{
	struct nbpy_rolling *win[MAX_INSTRUMENTS];
	struct nbpy_rolling_row s, b;
	int rc = 0;

	for (size_t j = 0; j < tk->n_inst; j++)
		if ((win[j] = nbpy_rolling_new(p)) == NULL) {
			fprintf(stderr, "rolling: nbpy_rolling_new: %s\n", strerror(errno));
			return -1;
		}
	for (size_t i = 0; i < tk->n && rc == 0; i++) {
		struct nbpy_rolling *r = win[tk->inst[i]];

		(void)nbpy_rolling_push(r, tk->t[i], tk->bid[i], tk->ask[i], tk->price[i], tk->volume[i]);
		nbpy_rolling_get(r, &s);
		out_row(out, g->pos[i], &b);
		if (s.count != b.count || !same(s.mid_mean, b.mid_mean) || !same(s.mid_std, b.mid_std) ||
		    !same(s.mid_min, b.mid_min) || !same(s.mid_max, b.mid_max) ||
		    !same(s.spread_mean, b.spread_mean) || !same(s.spread_std, b.spread_std) ||
		    !same(s.spread_min, b.spread_min) || !same(s.spread_max, b.spread_max) || !same(s.vwap, b.vwap)) {
			fprintf(stderr, "rolling: window %u, row %zu: push/get and batch differ "
				"(mid std %.17g vs %.17g, vwap %.17g vs %.17g)\n",
				p->window, i, s.mid_std, b.mid_std, s.vwap, b.vwap);
			rc = -1;
		}
		if (i % every == 0)
			fprintf(samples, "%u %zu %lld %.17g %.17g %.17g %.17g %.17g %.17g %.17g %.17g %.17g\n",
				p->window, i, (long long)b.count, b.mid_mean, b.mid_std, b.mid_min, b.mid_max,
				b.spread_mean, b.spread_std, b.spread_min, b.spread_max, b.vwap);
	}
	for (size_t j = 0; j < tk->n_inst; j++)
		nbpy_rolling_free(win[j]);
	return rc;
}

/* Heap bytes one window of each W takes, as malloc counts them (chunk
 * headers included).  glibc counts chunks in its per-thread cache as in use,
 * so run this with GLIBC_TUNABLES=glibc.malloc.tcache_count=0, and before
 * anything is freed. */
static int mem(int argc, char **argv)
{
	struct nbpy_rolling_params one = { .window = 1 };

	nbpy_rolling_free(nbpy_rolling_new(&one));	/* malloc's own first allocations */
	for (int a = 0; a < argc; a++) {
		struct nbpy_rolling_params p = { .window = (uint32_t)strtoul(argv[a], NULL, 10) };
		struct mallinfo2 before = mallinfo2(), after;
		struct nbpy_rolling *r = nbpy_rolling_new(&p);

		if (r == NULL) {
			fprintf(stderr, "rolling: window %s: %s\n", argv[a], strerror(errno));
			return 1;
		}
		after = mallinfo2();
		printf("memory %u %zu\n", p.window,
		       (after.uordblks + after.hblkhd) - (before.uordblks + before.hblkhd));
		nbpy_rolling_free(r);
	}
	return 0;
}

static int run(int argc, char **argv)
{
	const char *path = argv[0], *samples_path = argv[3];
	int trials = atoi(argv[1]);
	long every = atol(argv[2]);
	struct ticks tk;
	struct grouped g;
	struct nbpy_rolling_output out;
	FILE *samples;
	double *secs;

	if (trials < 1 || trials > 1000 || every < 1) {
		fprintf(stderr, "rolling: TRIALS must be 1-1000 and EVERY >= 1\n");
		return 1;
	}
	if (load(path, &tk) != 0)
		return 1;
	if (tk.n == 0) {
		fprintf(stderr, "rolling: %s: no ticks\n", path);
		return 1;
	}
	if ((samples = fopen(samples_path, "w")) == NULL) {
		fprintf(stderr, "rolling: %s: %s\n", samples_path, strerror(errno));
		return 1;
	}
	g.pos = xcalloc(tk.n, sizeof *g.pos);
	g.t = xcalloc(tk.n, sizeof *g.t);
	g.bid = xcalloc(tk.n, sizeof(double));
	g.ask = xcalloc(tk.n, sizeof(double));
	g.price = xcalloc(tk.n, sizeof(double));
	g.volume = xcalloc(tk.n, sizeof(double));
	out = (struct nbpy_rolling_output){
		xcalloc(tk.n, sizeof(int64_t)),
		xcalloc(tk.n, sizeof(double)), xcalloc(tk.n, sizeof(double)),
		xcalloc(tk.n, sizeof(double)), xcalloc(tk.n, sizeof(double)),
		xcalloc(tk.n, sizeof(double)), xcalloc(tk.n, sizeof(double)),
		xcalloc(tk.n, sizeof(double)), xcalloc(tk.n, sizeof(double)),
		xcalloc(tk.n, sizeof(double)),
	};
	secs = xcalloc((size_t)trials, sizeof *secs);
	for (int a = 4; a < argc; a++) {
		char *end, err[256];
		unsigned long w = strtoul(argv[a], &end, 10);
		struct nbpy_rolling_params p = { .window = (uint32_t)w };

		if (*end != '\0' || w == 0 || w > NBPY_ROLLING_WINDOW_MAX ||
		    nbpy_rolling_params_check(&p, err, sizeof err) != 0) {
			fprintf(stderr, "rolling: window %s: not a window\n", argv[a]);
			return 1;
		}
		for (int i = 0; i < trials; i++)
			if ((secs[i] = time_stream(&tk, &p)) < 0)
				return 1;
		report("stream", p.window, secs, trials, tk.n);
		for (int i = 0; i < trials; i++)
			if ((secs[i] = time_batch(&tk, &p, &g, &out)) < 0)
				return 1;
		report("batch", p.window, secs, trials, tk.n);
		for (int i = 0; i < trials; i++) {
			double t0 = now_s();

			group(&tk, &g);
			secs[i] = now_s() - t0;
		}
		report("group", p.window, secs, trials, tk.n);
		fflush(stdout);
		if (check_and_sample(&tk, &p, &g, &out, (size_t)every, samples) != 0)
			return 1;
	}
	if (ferror(samples) | fclose(samples)) {
		fprintf(stderr, "rolling: %s: %s\n", samples_path, strerror(errno));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "gen") == 0) {
		long n = atol(argv[2]);
		int k = atoi(argv[3]);

		if (n < 1 || k < 1 || k > MAX_INSTRUMENTS) {
			fprintf(stderr, "rolling: gen: N >= 1 and 1 <= K <= %d\n", MAX_INSTRUMENTS);
			return 1;
		}
		return gen(n, k, argv[4]);
	}
	if (argc >= 7 && strcmp(argv[1], "run") == 0)
		return run(argc - 2, argv + 2);
	if (argc >= 3 && strcmp(argv[1], "mem") == 0)
		return mem(argc - 2, argv + 2);
	fprintf(stderr, "usage: bench/rolling gen N K FILE.csv\n"
		"       bench/rolling run FILE.csv TRIALS EVERY SAMPLES.txt W...\n"
		"       bench/rolling mem W...\n");
	return 2;
}
