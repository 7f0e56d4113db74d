/* output.h - nbpy-stats' writers: one row of statistics per tick, as CSV,
 * as rows of the SQLite table tick_stats, as tick_stats messages in a
 * capture file; or nothing (benchmarks).
 *
 * CSV: the header instrument,time,count,mid_mean,mid_std,mid_min,mid_max,
 * spread_mean,spread_std,spread_min,spread_max,vwap; time in ns since the
 * epoch; doubles as %.17g (they read back exactly); NaN as an empty cell.
 * SQLite and capture: each row is the tick_stats message stats.rolling
 * publishes (schema 11): service (the SQL column source) the name given,
 * seq the row's number in this run's output (1, 2...), event and receive
 * time the tick's time.  SQLite: the table, columns and unique key of
 * sink.sqlite (workers/sink/sql_table.h), created if missing, rows
 * appended in one transaction; a row whose key is there already fails the
 * run.  Capture: records on the topic kraken_tick_stats at the tick's
 * time, as sink.file writes them (common/capture.h). */
#ifndef NBPY_TOOLS_OUTPUT_H
#define NBPY_TOOLS_OUTPUT_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "common/capture.h"
#include "gpu/rolling.h"

struct sql_table;

enum output_format { OUTPUT_CSV, OUTPUT_SQLITE, OUTPUT_CAPTURE, OUTPUT_NONE };

struct output {
	enum output_format format;
	const char *path;
	bool created;		/* SQLite: a database this run made, removed on failure */
	char partial[PATH_MAX + 16];	/* CSV, capture to a file: PATH.partial, renamed over it at the end */
	FILE *f;		/* CSV */
	struct sqlite3 *db;	/* SQLite */
	const struct sql_table *table;
	struct sqlite3_stmt *insert;
	bool begun;		/* SQLite: the transaction is open (at the first row) */
	struct capture_file cap;	/* capture */
	bool cap_open;
	struct capture_record *rec;
	struct nbpy_msg *msg;	/* SQLite, capture: the row as a message */
	uint32_t window;	/* SQLite, capture: the window and window_time fields */
	int64_t window_ns;
};

/* Opens path ("-": stdout, for CSV) to write format; nothing for
 * OUTPUT_NONE.  source: the messages' service (SQLite, capture; 1 to 63
 * characters).  -1 with the reason in err. */
int output_open(struct output *o, enum output_format format, const char *path, const char *source, char *err,
		size_t errlen);

/* Writes row i of out: the statistics at instrument's tick at t_ns. */
int output_row(struct output *o, const char *instrument, int64_t t_ns, const struct nbpy_rolling_output *out,
	       size_t i, char *err, size_t errlen);

/* Finishes: ok, commits (SQLite) or renames the CSV or capture into place, -1 with
 * the reason in err when that fails; not ok (an error earlier), rolls back
 * and removes what this run created: a failed run leaves what was there. */
int output_close(struct output *o, bool ok, char *err, size_t errlen);

#endif
