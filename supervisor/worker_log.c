/* worker_log.c - see worker_log.h. */
#include <stdio.h>
#include <string.h>

#include "supervisor/worker_log.h"

static void report_suppressed(struct worker_log *wl, const struct worker_log_out *out)
{
	char msg[128];

	if (wl->window_dropped == 0)
		return;
	(void)snprintf(msg, sizeof(msg), "suppressed %llu lines (log rate limit: %u per %gs)",
		       (unsigned long long)wl->window_dropped, wl->rate.burst,
		       (double)wl->rate.interval_ns / 1e9);
	wl->window_dropped = 0;
	out->emit(out->ctx, NBPY_LOG_WARNING, msg);
}

/* May one more line go out now?  Decided before the line is looked at, so
 * a dropped line costs only its counting. */
static int admit(struct worker_log *wl, const struct worker_log_out *out, int64_t now)
{
	if (wl->rate.burst == 0 || wl->rate.interval_ns <= 0)
		return 1;
	if (wl->window_end == 0 || now >= wl->window_end) {
		report_suppressed(wl, out);
		/* saturating: a configured interval may be centuries long */
		wl->window_end = now > INT64_MAX - wl->rate.interval_ns ? INT64_MAX :
				 now + wl->rate.interval_ns;
		wl->window_lines = 0;
	}
	if (wl->window_lines >= wl->rate.burst) {
		wl->window_dropped++;
		wl->suppressed++;
		return 0;
	}
	wl->window_lines++;
	return 1;
}

/* A worker's own "LEVEL service: message" lines keep their level and lose
 * the prefix the journal entry already carries; other output is info. */
static void pass_on(struct worker_log *wl, const struct worker_log_out *out, int64_t now)
{
	char *line = wl->line, *sp;
	int level = NBPY_LOG_INFO;

	wl->line[wl->len] = '\0';
	wl->len = 0;
	if (!admit(wl, out, now))
		return;
	wl->lines++;
	sp = strchr(line, ' ');
	if (sp != NULL) {
		size_t n = strlen(out->service);

		*sp = '\0';
		level = nbpy_log_level_parse(line);
		*sp = ' ';
		if (level >= 0 && strncmp(sp + 1, out->service, n) == 0 && sp[1 + n] == ':' &&
		    sp[2 + n] == ' ')
			line = sp + 3 + n;
		else
			level = NBPY_LOG_INFO;
	}
	out->emit(out->ctx, (enum nbpy_log_level)level, line);
}

void worker_log_feed(struct worker_log *wl, const struct worker_log_out *out, const char *data,
		     size_t n, int64_t now)
{
	while (n > 0) {
		const char *nl = memchr(data, '\n', n);
		size_t take = nl != NULL ? (size_t)(nl - data) : n;
		size_t room = WORKER_LOG_LINE_MAX - wl->len;

		if (take > room) {
			take = room;
			nl = NULL;	/* the newline comes later */
		}
		memcpy(wl->line + wl->len, data, take);
		wl->len += take;
		data += take;
		n -= take;
		if (nl != NULL) {
			data++;
			n--;
			pass_on(wl, out, now);
		} else if (wl->len == WORKER_LOG_LINE_MAX) {	/* too long: pass on a piece */
			pass_on(wl, out, now);
		}
	}
}

void worker_log_end(struct worker_log *wl, const struct worker_log_out *out, int64_t now)
{
	if (wl->len > 0)
		pass_on(wl, out, now);
	report_suppressed(wl, out);
}

int64_t worker_log_deadline(const struct worker_log *wl)
{
	return wl->window_dropped > 0 ? wl->window_end : 0;
}

void worker_log_tick(struct worker_log *wl, const struct worker_log_out *out, int64_t now)
{
	if (wl->window_dropped > 0 && now >= wl->window_end) {
		report_suppressed(wl, out);
		wl->window_end = 0;	/* the next line opens a new interval */
	}
}
