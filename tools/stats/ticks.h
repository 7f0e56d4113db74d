/* ticks.h - the ticks nbpy-stats reads, as columns, and their grouping by
 * instrument for nbpy_rolling_batch (gpu/rolling.h).
 *
 * Readers append rows in input order; ticks_group then orders them by
 * instrument (instruments by name, as pandas' groupby sorts them; the rows
 * of each in input order: a stable counting sort), one column at a time so
 * that the peak memory is one column more than the table. */
#ifndef NBPY_TOOLS_TICKS_H
#define NBPY_TOOLS_TICKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/wire.h"

/* Instruments in one run: more is refused (a column read as the instrument
 * by mistake, most likely). */
#define TICKS_MAX_INSTRUMENTS (1u << 20)

struct ticks {
	size_t n, cap;			/* rows */
	int64_t *t_ns;
	double *bid, *ask, *price, *volume;
	uint32_t *inst;			/* instrument of each row; freed by ticks_group */

	/* instruments: names, and per instrument the last time and the place it
	 * was read at (a line or row number), for the time-order check */
	size_t n_inst, inst_cap;
	char (*name)[NBPY_INSTRUMENT_MAX + 1];
	int64_t *last_t;
	uint64_t *last_at;
	uint32_t *slot;			/* hash of names: instrument + 1, 0 empty */
	size_t n_slots;
	bool time_order;		/* ticks_add refuses a time going back */
	const char *at_what;		/* what ticks_add's `at` counts: "line" (set by the reader) */

	/* after ticks_group: segment k is rows [seg[k], seg[k + 1]) of
	 * instrument seg_inst[k] */
	size_t n_seg;
	size_t *seg;
	uint32_t *seg_inst;
};

/* An empty table; time_order: each instrument's rows must come in time
 * order (a time window needs it). */
void ticks_init(struct ticks *tk, bool time_order);
void ticks_free(struct ticks *tk);

/* The instrument called name (len bytes), added if new.  -1 with the reason
 * in err: empty, too long, not UTF-8, too many instruments, out of memory. */
int ticks_instrument(struct ticks *tk, const char *name, size_t len, uint32_t *id, char *err,
		     size_t errlen);

/* Appends a row of instrument id read at `at` (a line or row number).
 * -1 with the reason in err: out of memory, or with time_order a time
 * before the instrument's last (naming where that one was read). */
int ticks_add(struct ticks *tk, uint32_t id, int64_t t_ns, double bid, double ask, double price,
	      double volume, uint64_t at, char *err, size_t errlen);

/* Groups the rows by instrument (see above); -1 with errno = ENOMEM. */
int ticks_group(struct ticks *tk);

/* After ticks_group: the most ticks of one instrument within any span
 * (t - window_ns, t]: the count window that never binds with that time
 * window. */
size_t ticks_max_in_span(const struct ticks *tk, int64_t window_ns);

#endif
