/* progress.h - a progress line on stderr while nbpy-stats works, only when
 * stderr is a terminal: one line rewritten in place, a few times a second. */
#ifndef NBPY_TOOLS_PROGRESS_H
#define NBPY_TOOLS_PROGRESS_H

#include <stdint.h>

/* Shows progress from now on if stderr is a terminal. */
void progress_init(void);

/* phase: "reading"...; total 0: unknown (the count alone is shown).
 * Cheap: most calls return after comparing a counter. */
void progress_show(const char *phase, uint64_t done, uint64_t total);

/* Clears the line (before other output, and at the end). */
void progress_clear(void);

#endif
