/* progress.c - see progress.h. */
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include "common/timefmt.h"
#include "tools/stats/progress.h"

#define EVERY_NS (NBPY_NS_PER_SEC / 5)

static bool shown, on_terminal;
static int64_t next_ns;
static uint64_t next_done;	/* look at the clock only every 64Ki rows */

void progress_init(void)
{
	on_terminal = isatty(STDERR_FILENO) == 1;
}

void progress_show(const char *phase, uint64_t done, uint64_t total)
{
	int64_t now;

	if (!on_terminal || done < next_done)
		return;
	next_done = done + 65536;
	if ((now = nbpy_monotonic_ns()) < next_ns)
		return;
	next_ns = now + EVERY_NS;
	if (total > 0)
		fprintf(stderr, "\r\033[Knbpy-stats: %s %3.0f%% (%llu of %llu)", phase,
			100.0 * (double)done / (double)total, (unsigned long long)done,
			(unsigned long long)total);
	else
		fprintf(stderr, "\r\033[Knbpy-stats: %s %llu", phase, (unsigned long long)done);
	shown = true;
}

void progress_clear(void)
{
	if (shown)
		fputs("\r\033[K", stderr);
	shown = false;
	next_done = 0;
	next_ns = 0;
}
