/* service.h - one supervised service: its worker process, state machine,
 * timers, notify socket, log pipe and restart history.
 *
 * States: stopped, starting, running, backoff, stopping, exited, fatal,
 * always with a reason.  Every change goes through the functions below (the
 * only code that writes a service's state, pid, backoff and timers), one
 * service at a time, from nbpyd's single event loop: there is never more than
 * one worker per service.  Everyone else only reads struct svc. */
#ifndef NBPY_SERVICE_H
#define NBPY_SERVICE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/config.h"
#include "common/error.h"
#include "supervisor/history.h"
#include "supervisor/notify.h"
#include "supervisor/restart_policy.h"
#include "supervisor/worker_log.h"

enum svc_state {
	SVC_STOPPED,
	SVC_STARTING,
	SVC_RUNNING,
	SVC_BACKOFF,
	SVC_STOPPING,
	SVC_EXITED,
	SVC_FATAL,
};

/* What the config says, resolved for spawning (rebuilt on reload). */
struct svc_settings {
	char *path;		/* program: a path, or found in PATH */
	char **argv;
	char **envp;
	bool notify;
	int64_t start_secs_ns, start_timeout_ns, watchdog_ns, fatal_retry_ns;
	int stop_signal;
	int64_t stop_timeout_ns;
	struct restart_policy policy;
	int64_t backoff_min_ns, backoff_max_ns;
	bool set_ids;
	uid_t uid;
	gid_t gid;
	gid_t groups[64];
	size_t n_groups;
	char *cwd;
	int umask;
	bool set_nice;
	int nice;
	long nofile;
	long long core;
	char *fingerprint;	/* the section's resolved values: changed => restart on reload */
};

struct svc {
	char *name;
	bool enabled;
	struct svc_settings set;
	enum svc_state state;
	char reason[192];
	pid_t pid;
	int64_t spawned_mono, ready_mono, since_real;	/* ns */
	int64_t timer_mono;		/* 0: none */
	int64_t last_ping_mono;
	int exec_errno;
	const char *kill_reason;	/* why nbpyd killed it, for the exit record */
	bool stop_requested, start_after_stop, remove_after_stop;
	unsigned restarts;
	bool has_last_exit;
	struct exit_status last_exit;
	char status_text[NOTIFY_STATUS_MAX];
	int notify_fd;
	char notify_path[108];
	int log_fd;			/* read end of the worker's stdout/stderr */
	struct worker_log log;		/* its output: line assembly, rate limit, counters */
	int64_t log_resume_mono;	/* log_fd is read from then on (0: now) */
	struct restart_state rs;
	struct history hist;
};

/* Why a worker starts: the reason its state and history show ("start",
 * "restart", "fatal retry").  Only a start asked for (nbpyd's start, nbpyctl,
 * reload) forgets the backoff and past exits. */
enum svc_cause {
	SVC_CAUSE_START,
	SVC_CAUSE_RESTART,	/* the backoff delay ended */
	SVC_CAUSE_FATAL_RETRY,	/* fatal_retry ended */
};

const char *svc_state_name(enum svc_state s);

/* Build settings from a config section: worker is the worker program (for
 * kinds), config_path the file workers get with -c.  Every problem (command
 * syntax, unknown user or group, missing working_dir) goes to d as a
 * FILE:LINE message; the caller checks d.  Free set in any case. */
void svc_settings_load(struct svc_settings *set, const struct nbpy_config *c,
		       const struct nbpy_service *conf, const char *worker, const char *config_path,
		       struct nbpy_diag *d);
void svc_settings_free(struct svc_settings *set);
/* Why getpwnam or getgrnam returned NULL (errno err): NULL when the name
 * just does not exist. */
const char *svc_lookup_error(int err);

/* Create the service of section conf of c, stopped, with its notify socket,
 * history and resolved settings (set: taken, left zeroed).  NULL with the
 * reason in err. */
struct svc *svc_new(const struct nbpy_config *c, const struct nbpy_service *conf,
		    struct svc_settings *set, struct nbpy_error *err);
void svc_free(struct svc *s);

void svc_start(struct svc *s, enum svc_cause cause);
void svc_stop(struct svc *s, const char *why);
/* Stop the worker and start it again once it has exited (now, if there is
 * none). */
void svc_restart(struct svc *s, const char *why);
/* A reload's new settings (set is taken, left zeroed): a fresh backoff, and
 * the worker stopped if disabled, restarted if running, else started.  A
 * service being removed (svc_remove) is kept. */
void svc_apply_settings(struct svc *s, struct svc_settings *set, bool enabled);
/* Stop it for good (remove_after_stop): to be freed once it has no worker. */
void svc_remove(struct svc *s);
/* SIGKILL its process group (shutdown took too long). */
void svc_kill(struct svc *s);
void svc_on_exit(struct svc *s, int wait_status, bool shutting_down);
void svc_on_timer(struct svc *s, int64_t now_mono);
void svc_on_notify(struct svc *s);
/* The log rate limit from the service's section, else [nbpyd]'s. */
void svc_set_log_rate(struct svc *s, const struct nbpy_config *c, const struct nbpy_service *conf);
/* Read the log pipe, at most a fixed budget a call; at EOF the fd is closed.
 * A worker that filled the budget is paused briefly: see svc_log_wanted. */
void svc_on_log(struct svc *s);
/* Whether the loop should poll and read log_fd now. */
bool svc_log_wanted(const struct svc *s, int64_t now_mono);
/* The next time the log needs the loop (a pause ends, a "suppressed N
 * lines" line is due); 0: none. */
int64_t svc_log_deadline(const struct svc *s, int64_t now_mono);
void svc_on_log_timer(struct svc *s, int64_t now_mono);

bool svc_has_process(const struct svc *s);

#endif
