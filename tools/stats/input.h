/* input.h - nbpy-stats' readers: ticks from a CSV file, a SQLite database
 * of sink.sqlite, or a capture file of sink.file, into a struct ticks.
 *
 * The fields: bid, ask, price (the last trade's) and volume (its size), as
 * workers/stats/tick_source.h takes them from each schema (table
 * kraken_tick, oanda_tick or kraken_trades), as stats.rolling does.
 * CSV: a header naming the columns instrument, time, bid, ask and
 * optionally price and volume, in any order (others are ignored); time in
 * ns since the epoch or RFC 3339; an empty cell is NaN. */
#ifndef NBPY_TOOLS_INPUT_H
#define NBPY_TOOLS_INPUT_H

#include <stdint.h>

#include "tools/stats/ticks.h"

enum input_format { INPUT_CSV, INPUT_SQLITE, INPUT_CAPTURE };

/* What a read found besides the rows. */
struct input_info {
	enum input_format format;	/* from the file's first bytes */
	char source[64];		/* the table read, or the schemas of a capture */
	uint64_t skipped;		/* capture: messages of other schemas */
	uint64_t bad;			/* capture: messages that did not decode */
	char first_bad[NBPY_ERROR_MAX + 32];	/* the first of those, and why */
	bool torn;			/* capture: stopped at a torn or corrupt record */
	uint64_t torn_at;		/* its offset */
};

/* Reads path ("-": CSV from stdin) into tk.  table: the SQLite table, or
 * for a capture the table whose schema's messages to read; NULL: the one
 * table of ticks in the database, or a capture's quotes (kraken_ticker and
 * oanda_price).  -1 with the reason, naming the file and the line, row or
 * record, in err. */
int input_read(const char *path, const char *table, struct ticks *tk, struct input_info *info,
	       char *err, size_t errlen);

#endif
