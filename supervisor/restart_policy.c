/* restart_policy.c - see restart_policy.h. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "supervisor/restart_policy.h"

void restart_state_init(struct restart_state *s, int64_t min_ns, int64_t max_ns, uint64_t seed)
{
	memset(s, 0, sizeof(*s));
	nbpy_backoff_init(&s->backoff, min_ns, max_ns, seed);
}

void restart_state_clear(struct restart_state *s)
{
	s->n_exits = 0;
	s->next = 0;
	nbpy_backoff_reset(&s->backoff);
}

static bool in_list(const int *list, size_t n, int code)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == code)
			return true;
	return false;
}

bool exit_is_success(const struct restart_policy *p, const struct exit_status *e)
{
	if (e->exec_failed)
		return false;
	/* As systemd: the stop signals are a clean end. */
	if (e->signaled)
		return !e->core && (e->signal == SIGTERM || e->signal == SIGINT ||
				    e->signal == SIGHUP || e->signal == SIGPIPE);
	return in_list(p->success, p->n_success, e->code);
}

void exit_status_describe(const struct exit_status *e, char *buf, size_t cap)
{
	if (e->exec_failed)
		(void)snprintf(buf, cap, "exec failed: %s", strerror(e->code));
	else if (e->signaled)
		(void)snprintf(buf, cap, "killed by SIG%s%s", sigabbrev_np(e->signal) ? sigabbrev_np(e->signal) : "?",
			       e->core ? " (core dumped)" : "");
	else
		(void)snprintf(buf, cap, "exited %d", e->code);
}

/* Record this exit; true when it completes a crash loop. */
static bool crash_loop(const struct restart_policy *p, struct restart_state *s, int64_t now,
		       unsigned *count)
{
	unsigned n = p->crash_loop_count < CRASH_LOOP_MAX ? p->crash_loop_count : CRASH_LOOP_MAX;

	s->exits[s->next] = now;
	s->next = (s->next + 1) % n;
	if (s->n_exits < n)
		s->n_exits++;
	*count = s->n_exits;
	/* s->next now indexes the oldest of the last n exits. */
	return s->n_exits == n && now - s->exits[s->next % n] <= p->crash_loop_window_ns;
}

struct restart_decision restart_decide(const struct restart_policy *p, struct restart_state *s,
				       const struct exit_status *e, int64_t now_ns, int64_t ran_ns)
{
	struct restart_decision d = { ACTION_RESTART, 0, "" };
	char what[64];
	unsigned count;
	bool success = exit_is_success(p, e);

	exit_status_describe(e, what, sizeof(what));
	if (e->exec_failed) {
		d.action = ACTION_FATAL;
		(void)snprintf(d.reason, sizeof(d.reason), "%s", what);
		return d;
	}
	if (!e->signaled && in_list(p->prevent, p->n_prevent, e->code)) {
		d.action = ACTION_FATAL;
		(void)snprintf(d.reason, sizeof(d.reason), "%s, which never restarts%s", what,
			       e->code == 78 ? " (configuration error)" : "");
		return d;
	}
	if (p->mode == RESTART_NEVER || (p->mode == RESTART_ON_FAILURE && success)) {
		d.action = ACTION_STAY_DOWN;
		(void)snprintf(d.reason, sizeof(d.reason), "%s", what);
		return d;
	}
	if (ran_ns >= p->stable_after_ns)
		restart_state_clear(s);
	if (crash_loop(p, s, now_ns, &count)) {
		d.action = ACTION_FATAL;
		(void)snprintf(d.reason, sizeof(d.reason), "crash loop: %u exits within %llds, last %s",
			       count, (long long)(p->crash_loop_window_ns / 1000000000), what);
		return d;
	}
	d.delay_ns = nbpy_backoff_next(&s->backoff);
	(void)snprintf(d.reason, sizeof(d.reason), "%s", what);
	return d;
}
