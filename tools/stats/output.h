/* output.h - nbpy-stats' writers: one row of statistics per tick, as CSV or
 * as rows of a SQLite table tick_stats; or nothing (benchmarks).
 *
 * CSV: the header instrument,time,count,mid_mean,mid_std,mid_min,mid_max,
 * spread_mean,spread_std,spread_min,spread_max,vwap; time in ns since the
 * epoch; doubles as %.17g (they read back exactly); NaN as an empty cell.
 * SQLite: table tick_stats (created if missing; rows appended in one
 * transaction): instrument, event_time (RFC 3339, as the sinks write it),
 * window, window_time (ns, 0: none), count and the statistics, NULL for
 * NaN. */
#ifndef NBPY_TOOLS_OUTPUT_H
#define NBPY_TOOLS_OUTPUT_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "gpu/rolling.h"

enum output_format { OUTPUT_CSV, OUTPUT_SQLITE, OUTPUT_NONE };

struct output {
	enum output_format format;
	const char *path;
	bool created;		/* SQLite: a database this run made, removed on failure */
	char partial[PATH_MAX + 16];	/* CSV to a file: PATH.partial, renamed over it at the end */
	FILE *f;		/* CSV */
	struct sqlite3 *db;	/* SQLite */
	struct sqlite3_stmt *insert;
	uint32_t window;	/* SQLite: the window and window_time columns */
	int64_t window_ns;
};

/* Opens path ("-": stdout, for CSV) to write format; nothing for
 * OUTPUT_NONE.  -1 with the reason in err. */
int output_open(struct output *o, enum output_format format, const char *path, char *err, size_t errlen);

/* Writes row i of out: the statistics at instrument's tick at t_ns. */
int output_row(struct output *o, const char *instrument, int64_t t_ns, const struct nbpy_rolling_output *out,
	       size_t i, char *err, size_t errlen);

/* Finishes: ok, commits (SQLite) or renames the CSV into place, -1 with
 * the reason in err when that fails; not ok (an error earlier), rolls back
 * and removes what this run created: a failed run leaves what was there. */
int output_close(struct output *o, bool ok, char *err, size_t errlen);

#endif
