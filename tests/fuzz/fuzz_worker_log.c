/* fuzz_worker_log.c - libFuzzer target for supervisor/worker_log.c: arbitrary
 * worker output, in arbitrary chunks, at arbitrary times, through the line
 * splitter and the rate limit.  Every line passed on is short and whole, no
 * interval passes more than its burst, and every suppressed line is
 * reported exactly once.
 *
 * Input: two bytes of rate limit, then operations, each one byte (low two
 * bits: what; the rest: how much) and maybe the bytes it feeds. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/worker_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz {
	struct worker_log wl;
	uint64_t seen_lines;	/* lines passed on, as the callback saw them */
	uint64_t reported;	/* the sum of the "suppressed N lines" reports */
	int64_t window_end;	/* the interval the window_passes count belongs to */
	uint64_t window_passes;
};

static void check_line(void *ctx, enum nbpy_log_level level, const char *text)
{
	struct fuzz *f = ctx;
	unsigned long long n;

	if (strlen(text) > WORKER_LOG_LINE_MAX || strchr(text, '\n') != NULL ||
	    level < NBPY_LOG_ERR || level > NBPY_LOG_DEBUG)
		abort();
	if (f->wl.lines == f->seen_lines + 1) {	/* a worker's line */
		f->seen_lines++;
		if (f->wl.rate.burst == 0 || f->wl.rate.interval_ns <= 0)
			return;
		if (f->wl.window_end != f->window_end) {
			f->window_end = f->wl.window_end;
			f->window_passes = 0;
		}
		if (++f->window_passes > f->wl.rate.burst)
			abort();
	} else if (f->wl.lines == f->seen_lines) {	/* nbpyd's report */
		if (level != NBPY_LOG_WARNING || sscanf(text, "suppressed %llu lines", &n) != 1 || n == 0)
			abort();
		f->reported += n;
	} else {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz f;
	const struct worker_log_out out = { .service = "svc", .emit = check_line, .ctx = &f };
	int64_t now = 0;
	size_t i = 2;

	if (size < 2)
		return 0;
	memset(&f, 0, sizeof(f));
	f.wl.rate.burst = data[0] % 8;	/* 0: no limit */
	f.wl.rate.interval_ns = data[1] == 255 ? INT64_MAX : (int64_t)(data[1] % 8) * 1000;
	while (i < size) {
		unsigned op = data[i] & 3, arg = data[i] >> 2;
		size_t len;

		i++;
		switch (op) {
		case 0:	/* a short chunk */
		case 1:	/* a long one: lines over the maximum */
			len = op == 0 ? arg + 1 : (arg + 1) * 64;
			if (len > size - i)
				len = size - i;
			worker_log_feed(&f.wl, &out, (const char *)data + i, len, now);
			i += len;
			break;
		case 2:	/* time passes; a due report goes out */
			now += (int64_t)arg * 250;
			worker_log_tick(&f.wl, &out, now);
			if (worker_log_deadline(&f.wl) != 0 && worker_log_deadline(&f.wl) <= now)
				abort();
			break;
		case 3:	/* the worker exits */
			worker_log_end(&f.wl, &out, now);
			if (f.wl.len != 0 || f.reported != f.wl.suppressed)
				abort();
			break;
		}
	}
	worker_log_end(&f.wl, &out, now);
	if (f.seen_lines != f.wl.lines || f.reported != f.wl.suppressed ||
	    worker_log_deadline(&f.wl) != 0)
		abort();
	return 0;
}
