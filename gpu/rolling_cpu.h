/* rolling_cpu.h - what gpu/rolling.c needs of gpu/rolling_cpu.c beyond
 * gpu/rolling.h; internal to gpu/. */
#ifndef NBPY_GPU_ROLLING_CPU_H
#define NBPY_GPU_ROLLING_CPU_H

#include "gpu/rolling.h"

/* Empties the window, as if just made by nbpy_rolling_new (the batch starts
 * each segment so, without allocating again). */
void nbpy_rolling_reset(struct nbpy_rolling *r);

#endif
