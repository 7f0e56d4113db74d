/* worker_log.h - a worker's output turned into log lines: the bytes of its
 * stdout/stderr pipe split into lines, its own "LEVEL service: message" lines
 * keeping their level, and each service rate-limited as journald does
 * (RateLimitBurst/RateLimitIntervalSec): at most `burst` lines per `interval`,
 * the rest counted and dropped, and one "suppressed N lines" line when that
 * interval ends (or the output does).
 *
 * Pure: no file descriptors and no clock.  The caller passes the bytes and
 * the time, and gets each line through a callback; service.c reads the pipe,
 * the unit test and tests/fuzz/fuzz_worker_log.c feed it directly.  A zeroed
 * struct worker_log is ready to use, with no limit. */
#ifndef NBPY_WORKER_LOG_H
#define NBPY_WORKER_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "common/log.h"

/* Longer lines are passed on in pieces of this many bytes: the longest
 * message nbpy_log_for writes whole (log.c). */
#define WORKER_LOG_LINE_MAX 1023

/* burst 0 or interval 0: no limit. */
struct worker_log_rate {
	uint32_t burst;
	int64_t interval_ns;
};

/* Where lines go: text is NUL-terminated and only valid during the call. */
struct worker_log_out {
	const char *service;	/* the prefix a worker's own lines carry */
	void (*emit)(void *ctx, enum nbpy_log_level level, const char *text);
	void *ctx;
};

struct worker_log {
	struct worker_log_rate rate;
	char line[WORKER_LOG_LINE_MAX + 1];	/* the line being assembled */
	size_t len;
	int64_t window_end;		/* ns; 0: no interval open */
	uint32_t window_lines;		/* passed on in this interval */
	uint64_t window_dropped;	/* dropped in this interval, not yet reported */
	uint64_t lines;			/* totals since nbpyd started: passed on... */
	uint64_t suppressed;		/* ...and dropped by the rate limit */
};

/* Take n bytes of output at time now (monotonic ns). */
void worker_log_feed(struct worker_log *wl, const struct worker_log_out *out, const char *data,
		     size_t n, int64_t now);

/* The output ended (EOF): pass on a last unterminated line and report what
 * the current interval suppressed. */
void worker_log_end(struct worker_log *wl, const struct worker_log_out *out, int64_t now);

/* When worker_log_tick has a "suppressed" line to write; 0: never. */
int64_t worker_log_deadline(const struct worker_log *wl);

/* Report the suppressed lines of an interval that has ended. */
void worker_log_tick(struct worker_log *wl, const struct worker_log_out *out, int64_t now);

#endif
