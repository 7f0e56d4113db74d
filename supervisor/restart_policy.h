/* restart_policy.h - what to do when a worker exits: restart after a delay,
 * stay down, or give up (fatal).  Pure logic, no processes: unit-tested. */
#ifndef NBPY_RESTART_POLICY_H
#define NBPY_RESTART_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/backoff.h"

enum restart_mode {
	RESTART_ALWAYS,
	RESTART_ON_FAILURE,
	RESTART_NEVER,
};

#define CRASH_LOOP_MAX 1000
#define RESTART_MAX_CODES 32

/* How a worker ended. */
struct exit_status {
	bool exec_failed;	/* never ran: code is the errno of execve */
	bool signaled;
	int code;		/* exit code, or errno when exec_failed */
	int signal;
	bool core;
};

struct restart_policy {
	enum restart_mode mode;
	int prevent[RESTART_MAX_CODES];	/* exit codes that never restart */
	size_t n_prevent;
	int success[RESTART_MAX_CODES];	/* exit codes that count as success */
	size_t n_success;
	int64_t stable_after_ns;	/* running this long resets the backoff */
	unsigned crash_loop_count;	/* that many exits... */
	int64_t crash_loop_window_ns;	/* ...within this window: fatal */
};

/* Per-service memory of recent exits. */
struct restart_state {
	struct nbpy_backoff backoff;
	int64_t exits[CRASH_LOOP_MAX];	/* ring of exit times, ns */
	unsigned n_exits, next;
};

enum restart_action {
	ACTION_RESTART,		/* after delay_ns */
	ACTION_STAY_DOWN,	/* exited as the policy allows: state "exited" */
	ACTION_FATAL,		/* give up until started by hand (or fatal_retry) */
};

struct restart_decision {
	enum restart_action action;
	int64_t delay_ns;
	char reason[192];
};

void restart_state_init(struct restart_state *s, int64_t min_ns, int64_t max_ns, uint64_t seed);

/* Forget past exits and the backoff (after nbpyctl start). */
void restart_state_clear(struct restart_state *s);

/* Decide after an exit at now_ns; ran_ns is how long the worker had been
 * running (ready), 0 if it never got there. */
struct restart_decision restart_decide(const struct restart_policy *p, struct restart_state *s,
				       const struct exit_status *e, int64_t now_ns, int64_t ran_ns);

/* "exited 1", "killed by SIGSEGV (core dumped)", "exec failed: ..." */
void exit_status_describe(const struct exit_status *e, char *buf, size_t cap);

bool exit_is_success(const struct restart_policy *p, const struct exit_status *e);

#endif
