/* rolling_cpu.h - what gpu/rolling.c needs of gpu/rolling_cpu.c beyond
 * gpu/rolling.h; internal to gpu/. */
#ifndef NBPY_GPU_ROLLING_CPU_H
#define NBPY_GPU_ROLLING_CPU_H

#include "gpu/rolling.h"

/* Empties the window, as if just made by nbpy_rolling_new (the batch starts
 * each segment so, without allocating again). */
void nbpy_rolling_reset(struct nbpy_rolling *r);

/* nbpy_rolling_batch on the CPU for a count window (p->window_ns == 0; p
 * and in checked): the same numbers as push/get row by row, faster.  0, or
 * -1 when out of memory. */
int nbpy_rolling_batch_count(const struct nbpy_rolling_params *p, const struct nbpy_rolling_input *in,
			     const struct nbpy_rolling_output *out);

#endif
