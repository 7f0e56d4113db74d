/* nbpy-stats.c - rolling statistics of ticks over history, for backfills
 * and backtests: the statistics of the kind stats.rolling, computed by
 * gpu/rolling.h for every tick of a CSV file, a SQLite database of
 * sink.sqlite or a capture of sink.file, many instruments at once, and
 * written as CSV, into sink.sqlite's table tick_stats or as a capture of
 * tick_stats messages (docs/man/nbpy-stats.1).
 *
 * The ticks are read once into columns (tools/stats/input.c), grouped by
 * instrument (ticks.c), computed in chunks of whole instruments, so that
 * the output columns stay bounded, and written chunk by chunk
 * (output.c), instrument by instrument in name order, each in input order.
 *
 * Exit status: 0 done; 1 an error (input, output, device, memory): nothing
 * is left written; 2 bad usage. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/text.h"
#include "common/timefmt.h"
#include "gpu/rolling.h"
#include "tools/stats/input.h"
#include "tools/stats/output.h"
#include "tools/stats/progress.h"
#include "tools/stats/ticks.h"

#define EXIT_USAGE 2

/* Rows computed at once: bounds the output columns (80 B a row) unless one
 * instrument has more. */
#define CHUNK_ROWS ((size_t)1 << 22)

struct options {
	struct nbpy_rolling_params p;	/* p.window 0: not given */
	enum nbpy_device device;
	uint64_t every;
	const char *in, *table, *out, *source;
	enum output_format format;
	bool format_given, source_given, quiet;
};

static void usage(void)
{
	printf(
		"usage: nbpy-stats [--window N] [--window-time DUR] [--min-periods N]\n"
		"                  [--device auto|cpu|cuda] [--every N] --in FILE [--table T]\n"
		"                  (--out FILE [--format csv|sqlite|capture] [--source NAME]\n"
		"                   | --format none) [--quiet]\n"
		"  --window N         the last N ticks of each instrument (with --window-time: at most N)\n"
		"  --window-time DUR  the ticks within DUR (500ms, 2s, 1m): (t - DUR, t]\n"
		"  --min-periods N    ticks needed for a statistic (default: N, or 1 with --window-time)\n"
		"  --device D         auto (default), cpu or cuda\n"
		"  --every N          write every Nth tick's statistics of each instrument (default 1)\n"
		"  --in FILE          CSV (- for stdin), a sink.sqlite database or a capture file\n"
		"  --table T          kraken_tick, oanda_tick or kraken_trades (database, capture)\n"
		"  --out FILE         CSV (- for stdout), SQLite (table tick_stats) or a capture\n"
		"  --format F         csv, sqlite, capture (default from FILE's suffix) or none\n"
		"                     (compute only)\n"
		"  --source NAME      the rows' source (SQLite) or service (capture); default nbpy-stats\n"
		"  --quiet            no progress and no summary\n"
		"exit: 0 done, 1 error (nothing left written), 2 bad usage\n");
}

static int parse_count(const char *s, uint64_t max, uint64_t *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return *end != '\0' || errno == ERANGE || *v > max ? -1 : 0;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = {
		{ "window", required_argument, NULL, 'w' },
		{ "window-time", required_argument, NULL, 't' },
		{ "min-periods", required_argument, NULL, 'm' },
		{ "device", required_argument, NULL, 'd' },
		{ "every", required_argument, NULL, 'e' },
		{ "in", required_argument, NULL, 'i' },
		{ "table", required_argument, NULL, 'T' },
		{ "out", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "source", required_argument, NULL, 's' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c;

	*o = (struct options){ .device = NBPY_DEVICE_AUTO, .every = 1, .source = "nbpy-stats" };
	while ((c = getopt_long(argc, argv, "w:t:m:d:e:i:T:o:f:s:qh", longs, NULL)) != -1) {
		switch (c) {
		case 'w':
			if (parse_count(optarg, NBPY_ROLLING_WINDOW_MAX, &v) < 0 || v == 0)
				return fprintf(stderr, "nbpy-stats: --window %s: 1 to %u ticks\n", optarg,
					       NBPY_ROLLING_WINDOW_MAX), -1;
			o->p.window = (uint32_t)v;
			break;
		case 't':
			if (nbpy_parse_duration(optarg, &o->p.window_ns) < 0 || o->p.window_ns <= 0)
				return fprintf(stderr, "nbpy-stats: --window-time %s: a duration above 0, "
					       "as 500ms, 2s or 1m\n", optarg), -1;
			break;
		case 'm':
			if (parse_count(optarg, NBPY_ROLLING_WINDOW_MAX, &v) < 0)
				return fprintf(stderr, "nbpy-stats: --min-periods %s: 0 to %u\n", optarg,
					       NBPY_ROLLING_WINDOW_MAX), -1;
			o->p.min_periods = (uint32_t)v;
			break;
		case 'd':
			if (nbpy_device_parse(optarg, &o->device) < 0)
				return fprintf(stderr, "nbpy-stats: --device %s: auto, cpu or cuda\n", optarg), -1;
			break;
		case 'e':
			/* bounded: row + every never wraps */
			if (parse_count(optarg, (uint64_t)1 << 40, &o->every) < 0 || o->every == 0)
				return fprintf(stderr, "nbpy-stats: --every %s: 1 to 2^40\n", optarg), -1;
			break;
		case 'i':
			o->in = optarg;
			break;
		case 'T':
			o->table = optarg;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'f':
			o->format_given = true;
			if (strcmp(optarg, "csv") == 0)
				o->format = OUTPUT_CSV;
			else if (strcmp(optarg, "sqlite") == 0)
				o->format = OUTPUT_SQLITE;
			else if (strcmp(optarg, "capture") == 0)
				o->format = OUTPUT_CAPTURE;
			else if (strcmp(optarg, "none") == 0)
				o->format = OUTPUT_NONE;
			else
				return fprintf(stderr, "nbpy-stats: --format %s: csv, sqlite, capture or none\n",
					       optarg), -1;
			break;
		case 's':
			/* the source column and the messages' service: a service's name */
			if (!nbpy_service_name_valid(optarg, strlen(optarg)))
				return fprintf(stderr, "nbpy-stats: --source %s: 1 to %d letters, digits, '_', "
					       "'.' or '-', as a service's name\n", optarg, NBPY_SERVICE_MAX), -1;
			o->source = optarg;
			o->source_given = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			usage();
			exit(0);
		default:
			return -1;
		}
	}
	if (optind < argc)
		return fprintf(stderr, "nbpy-stats: unexpected argument '%s'\n", argv[optind]), -1;
	if (o->in == NULL)
		return fprintf(stderr, "nbpy-stats: no --in FILE\n"), -1;
	if (o->p.window == 0 && o->p.window_ns == 0)
		return fprintf(stderr, "nbpy-stats: no window: give --window, --window-time or both\n"), -1;
	if (o->format_given && o->format == OUTPUT_NONE)
		return o->out != NULL ? fprintf(stderr, "nbpy-stats: --format none writes nothing: "
						"no --out\n"), -1 : 0;
	if (o->out == NULL)
		return fprintf(stderr, "nbpy-stats: no --out FILE (or --format none)\n"), -1;
	if (!o->format_given) {
		const char *dot = strrchr(o->out, '.');

		if (strcmp(o->out, "-") == 0 || (dot && strcmp(dot, ".csv") == 0))
			o->format = OUTPUT_CSV;
		else if (dot && (strcmp(dot, ".sqlite") == 0 || strcmp(dot, ".sqlite3") == 0 ||
				 strcmp(dot, ".db") == 0))
			o->format = OUTPUT_SQLITE;
		else if (dot && (strcmp(dot, ".cap") == 0 || strcmp(dot, ".nbpy") == 0))
			o->format = OUTPUT_CAPTURE;
		else
			return fprintf(stderr, "nbpy-stats: --out %s: give --format csv, sqlite or capture\n",
				       o->out), -1;
	}
	if (o->source_given && o->format == OUTPUT_CSV)
		return fprintf(stderr, "nbpy-stats: --source: CSV has no source\n"), -1;
	if (o->format != OUTPUT_CSV && strcmp(o->out, "-") == 0)
		return fprintf(stderr, "nbpy-stats: only CSV can go to stdout\n"), -1;
	return 0;
}

/* The parameters for the ticks read: without --window, the count window
 * that never binds with --window-time (the most ticks of an instrument in
 * one such span). */
static int final_params(struct options *o, const struct ticks *tk, char *err, size_t errlen)
{
	if (o->p.window == 0) {
		size_t most = ticks_max_in_span(tk, o->p.window_ns);

		if (most > NBPY_ROLLING_WINDOW_MAX) {
			(void)snprintf(err, errlen, "%s: %zu ticks of one instrument within --window-time: "
				       "more than %u; give a --window", o->in, most, NBPY_ROLLING_WINDOW_MAX);
			return -1;
		}
		o->p.window = most > o->p.min_periods ? (uint32_t)most : o->p.min_periods;
		if (o->p.window == 0)
			o->p.window = 1;
	}
	return nbpy_rolling_params_check(&o->p, err, errlen);
}

struct run {
	const struct options *o;
	struct ticks *tk;
	struct output *out;
	enum nbpy_device device;
	int64_t compute_ns, write_ns;
	uint64_t written;
};

/* Writes the rows of segments [a, b) computed into res (row 0 = the first
 * row of segment a). */
static int write_chunk(struct run *r, size_t a, size_t b, const struct nbpy_rolling_output *res, char *err,
		       size_t errlen)
{
	const struct ticks *tk = r->tk;
	size_t base = tk->seg[a];

	for (size_t k = a; k < b; k++) {
		const char *name = tk->name[tk->seg_inst[k]];
		size_t first = tk->seg[k];

		/* every Nth of each instrument: its Nth, 2Nth... tick */
		for (size_t i = first + r->o->every - 1; i < tk->seg[k + 1]; i += r->o->every) {
			if (output_row(r->out, name, tk->t_ns[i], res, i - base, err, errlen) < 0)
				return -1;
			r->written++;
			progress_show("computing", i, tk->n);
		}
	}
	return 0;
}

/* Computes and writes every row, in chunks of whole instruments. */
static int compute(struct run *r, char *err, size_t errlen)
{
	const struct ticks *tk = r->tk;
	size_t most = 0, *rel = malloc((tk->n_seg + 1) * sizeof(*rel));
	double *cols = NULL;
	struct nbpy_rolling_output res;
	int rc = -1;

	/* the largest chunk: CHUNK_ROWS, or one instrument alone */
	for (size_t k = 0; k < tk->n_seg; k++)
		if (tk->seg[k + 1] - tk->seg[k] > most)
			most = tk->seg[k + 1] - tk->seg[k];
	if (most < CHUNK_ROWS)
		most = tk->n < CHUNK_ROWS ? tk->n : CHUNK_ROWS;
	if (rel == NULL || (most > 0 && (cols = malloc(10 * most * sizeof(*cols))) == NULL)) {
		(void)snprintf(err, errlen, "out of memory for %zu rows of statistics", most);
		goto out;
	}
	res = (struct nbpy_rolling_output){
		.count = (int64_t *)cols, .mid_mean = cols + most, .mid_std = cols + 2 * most,
		.mid_min = cols + 3 * most, .mid_max = cols + 4 * most, .spread_mean = cols + 5 * most,
		.spread_std = cols + 6 * most, .spread_min = cols + 7 * most, .spread_max = cols + 8 * most,
		.vwap = cols + 9 * most,
	};
	_Static_assert(sizeof(int64_t) == sizeof(double), "count shares the block of doubles");
	for (size_t a = 0, b; a < tk->n_seg; a = b) {
		size_t base = tk->seg[a];
		struct nbpy_rolling_input in;
		int64_t t0 = nbpy_monotonic_ns(), t1;

		for (b = a + 1; b < tk->n_seg && tk->seg[b + 1] - base <= most; b++)
			;
		for (size_t k = a; k <= b; k++)
			rel[k - a] = tk->seg[k] - base;
		in = (struct nbpy_rolling_input){
			.n_rows = tk->seg[b] - base, .n_segments = b - a, .seg = rel,
			.t_ns = tk->t_ns + base, .bid = tk->bid + base, .ask = tk->ask + base,
			.price = tk->price + base, .volume = tk->volume + base,
		};
		progress_show("computing", base, tk->n);
		if (nbpy_rolling_batch(r->device, &r->o->p, &in, &res, err, errlen) < 0)
			goto out;
		t1 = nbpy_monotonic_ns();
		r->compute_ns += t1 - t0;
		if (r->out->format != OUTPUT_NONE && write_chunk(r, a, b, &res, err, errlen) < 0)
			goto out;
		r->write_ns += nbpy_monotonic_ns() - t1;
	}
	rc = 0;
out:
	progress_clear();
	free(rel);
	free(cols);
	return rc;
}

static void warn_input(const struct options *o, const struct input_info *info)
{
	if (info->bad > 0)
		fprintf(stderr, "nbpy-stats: %s: %" PRIu64 " messages that do not decode, skipped; the first: %s\n",
			o->in, info->bad, info->first_bad);
	if (info->torn)
		fprintf(stderr, "nbpy-stats: %s: a torn or corrupt record at offset %" PRIu64 ": the rest of the "
			"file is not read\n", o->in, info->torn_at);
}

int main(int argc, char **argv)
{
	static const char *const formats[] = { "CSV", "SQLite", "capture" };
	struct options o;
	struct ticks tk;
	struct output out;
	struct input_info info;
	struct run r = { .o = &o, .tk = &tk, .out = &out };
	struct nbpy_rolling_params early;
	char err[512];
	int64_t t0 = nbpy_monotonic_ns(), t_read;

	if (parse_options(argc, argv, &o) < 0) {
		fprintf(stderr, "nbpy-stats --help says how to call it\n");
		return EXIT_USAGE;
	}
	/* what can be refused before reading is refused now */
	early = o.p;
	early.window = early.window ? early.window : NBPY_ROLLING_WINDOW_MAX;
	if (nbpy_rolling_params_check(&early, err, sizeof(err)) < 0) {
		fprintf(stderr, "nbpy-stats: %s\n", err);
		return EXIT_USAGE;
	}
	if (o.device == NBPY_DEVICE_CUDA &&
	    nbpy_rolling_device_pick(o.device, 0, &early, &r.device, err, sizeof(err)) < 0) {
		fprintf(stderr, "nbpy-stats: %s\n", err);
		return EXIT_FAILURE;
	}
	if (!o.quiet)
		progress_init();
	if (output_open(&out, o.format, o.out, o.source, err, sizeof(err)) < 0) {
		fprintf(stderr, "nbpy-stats: %s\n", err);
		(void)output_close(&out, false, err, sizeof(err));
		return EXIT_FAILURE;
	}
	ticks_init(&tk, o.p.window_ns > 0);
	if (input_read(o.in, o.table, &tk, &info, err, sizeof(err)) < 0)
		goto fail;
	warn_input(&o, &info);
	t_read = nbpy_monotonic_ns();
	if (ticks_group(&tk) < 0) {
		(void)snprintf(err, sizeof(err), "out of memory grouping %zu rows", tk.n);
		goto fail;
	}
	if (final_params(&o, &tk, err, sizeof(err)) < 0 ||
	    nbpy_rolling_device_pick(o.device, tk.n, &o.p, &r.device, err, sizeof(err)) < 0)
		goto fail;
	out.window = o.p.window;
	out.window_ns = o.p.window_ns;
	if (compute(&r, err, sizeof(err)) < 0 || output_close(&out, true, err, sizeof(err)) < 0)
		goto fail;
	if (!o.quiet)
		fprintf(stderr, "nbpy-stats: %zu ticks of %zu instruments (%s%s%s) in %.2f s; window %u, "
			"window_time %" PRId64 " ns, min_periods %u (0: the default) on %s: %.2f s; %" PRIu64 " rows written "
			"in %.2f s\n", tk.n, tk.n_inst, formats[info.format], info.source[0] ? ", " : "",
			info.source, (double)(t_read - t0) / 1e9, o.p.window, o.p.window_ns,
			o.p.min_periods, nbpy_device_name(r.device), (double)r.compute_ns / 1e9,
			r.written, (double)r.write_ns / 1e9);
	ticks_free(&tk);
	return 0;
fail:
	progress_clear();
	fprintf(stderr, "nbpy-stats: %s\n", err);
	(void)output_close(&out, false, err, sizeof(err));
	ticks_free(&tk);
	return EXIT_FAILURE;
}
