/* service.c - see service.h. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/fs.h"
#include "common/log.h"
#include "supervisor/notify.h"
#include "supervisor/service.h"
#include "supervisor/spawn.h"
#include "common/timefmt.h"

/* journalctl MESSAGE_ID=... finds every restart-history event. */
#define HISTORY_MESSAGE_ID "8c1e6f3a2b7d4e59a0c4d1f2e3b5a697"

/* Bytes of a worker's output read per loop pass: a full default pipe. */
#define LOG_READ_BUDGET (64 * 1024)
/* A worker that filled the budget is read again this much later: beyond
 * LOG_READ_BUDGET per pause (about 6 MB/s) its writes wait on the full pipe,
 * so a flood costs nbpyd a few per cent of a core, not all of it. */
#define LOG_READ_PAUSE_NS (10 * 1000000LL)

extern char **environ;

static const char *const state_names[] = {
	"stopped", "starting", "running", "backoff", "stopping", "exited", "fatal",
};

const char *svc_state_name(enum svc_state s)
{
	return state_names[s];
}

/* ---- settings ---- */

static const struct nbpy_value *val(const struct nbpy_service *c, const char *key)
{
	return nbpy_service_value(c, key);
}

static int parse_signal(const char *name)
{
	static const struct { const char *n; int s; } sigs[] = {
		{ "TERM", SIGTERM }, { "INT", SIGINT }, { "HUP", SIGHUP }, { "QUIT", SIGQUIT },
		{ "USR1", SIGUSR1 }, { "USR2", SIGUSR2 },
	};

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (strcmp(sigs[i].n, name) == 0)
			return sigs[i].s;
	return SIGTERM;
}

static size_t copy_codes(int *out, const struct nbpy_value *v)
{
	size_t n = 0;

	for (size_t i = 0; i < v->n_items && n < RESTART_MAX_CODES; i++)
		out[n++] = atoi(v->items[i]);
	return n;
}

const char *svc_lookup_error(int err)
{
	/* what getpwnam(3) lists for "no such name" */
	return err == 0 || err == ENOENT || err == ESRCH || err == EBADF || err == EPERM ? NULL
										      : strerror(err);
}

/* A problem of one key, at its line (the section's when defaulted). */
#define KEY_DIAG(d, c, conf, v, fmt, ...) \
	nbpy_diag_add(d, (c)->path, (v)->line ? (v)->line : (conf)->line, "[%s] %s: " fmt, (conf)->name, \
		      (v)->spec->name, __VA_ARGS__)

/* Whether nbpyd may start a worker as another user: setgroups, setgid and
 * setuid at spawn, chown of its notify socket, signals to it.  The default unit runs nbpyd
 * unprivileged, so a `user =` is then a config error, not a failed start. */
static bool can_switch_ids(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3];
	const uint32_t need = 1U << CAP_SETUID | 1U << CAP_SETGID | 1U << CAP_CHOWN | 1U << CAP_KILL;

	if (syscall(SYS_capget, &hdr, caps) < 0)
		return geteuid() == 0;
	return (caps[0].effective & need) == need;
}

/* user, group and working_dir: looked up now, so a name that does not exist
 * is a config error rather than a worker that cannot start. */
static void load_identity(struct svc_settings *set, const struct nbpy_config *c,
			  const struct nbpy_service *conf, struct nbpy_diag *d)
{
	const struct nbpy_value *v = val(conf, "user");
	struct stat st;

	if (v->text != NULL) {
		const struct passwd *pw;
		int n = (int)(sizeof(set->groups) / sizeof(set->groups[0]));

		errno = 0;
		pw = getpwnam(v->text);
		if (pw == NULL) {
			const char *why = svc_lookup_error(errno);

			KEY_DIAG(d, c, conf, v, "no user '%s'%s%s", v->text, why ? ": " : "", why ? why : "");
		} else {
			set->set_ids = true;
			set->uid = pw->pw_uid;
			set->gid = pw->pw_gid;
			if (getgrouplist(pw->pw_name, pw->pw_gid, set->groups, &n) < 0)
				KEY_DIAG(d, c, conf, v, "user '%s' is in more than %zu groups", v->text,
					 sizeof(set->groups) / sizeof(set->groups[0]));
			else
				set->n_groups = (size_t)n;
		}
	}
	v = val(conf, "group");
	if (v->text != NULL) {
		const struct group *gr;

		errno = 0;
		gr = getgrnam(v->text);
		if (gr == NULL) {
			const char *why = svc_lookup_error(errno);

			KEY_DIAG(d, c, conf, v, "no group '%s'%s%s", v->text, why ? ": " : "", why ? why : "");
		} else {
			if (!set->set_ids) {
				set->set_ids = true;
				set->uid = getuid();
			}
			set->gid = gr->gr_gid;
			set->groups[0] = gr->gr_gid;
			set->n_groups = 1;
		}
	}
	if (set->set_ids && !can_switch_ids()) {
		v = val(conf, "user")->text != NULL ? val(conf, "user") : val(conf, "group");
		KEY_DIAG(d, c, conf, v, "switching to '%s' needs nbpyd to run as root, or with CAP_SETUID, "
			 "CAP_SETGID, CAP_CHOWN and CAP_KILL (it runs as uid %d: see nbpyd.service's drop-in in "
			 "docs/operations.md)", v->text, (int)geteuid());
	}
	v = val(conf, "working_dir");
	if (v->text != NULL) {
		if (stat(v->text, &st) < 0)
			KEY_DIAG(d, c, conf, v, "%s: %s", v->text, strerror(errno));
		else if (!S_ISDIR(st.st_mode))
			KEY_DIAG(d, c, conf, v, "%s: not a directory", v->text);
		else if ((set->cwd = strdup(v->text)) == NULL)
			nbpy_diag_add(d, c->path, 0, "out of memory");
	}
}

void svc_settings_load(struct svc_settings *set, const struct nbpy_config *c,
		       const struct nbpy_service *conf, const char *worker, const char *config_path,
		       struct nbpy_diag *d)
{
	const struct nbpy_value *v;
	bool exec = strcmp(conf->kind->name, "exec") == 0;
	struct nbpy_buf fingerprint = NBPY_BUF_INIT;

	memset(set, 0, sizeof(*set));
	set->umask = -1;
	set->nofile = -1;
	set->core = -1;
	if (exec) {
		const char *why;

		v = val(conf, "command");
		set->argv = spawn_split_command(v->text, &why);
		if (set->argv == NULL) {
			KEY_DIAG(d, c, conf, v, "%s", why);
		} else {
			/* Not found: exec reports it, and the service goes fatal
			 * with the reason (the program may appear before it is
			 * started). */
			set->path = spawn_find_program(set->argv[0]);
			if (set->path == NULL && (set->path = strdup(set->argv[0])) == NULL)
				goto oom;
		}
	} else {
		const char *args[] = { worker, "-c", config_path, conf->name };

		set->argv = calloc(5, sizeof(char *));
		if (set->argv == NULL || (set->path = strdup(worker)) == NULL)
			goto oom;
		for (size_t i = 0; i < 4; i++)
			if ((set->argv[i] = strdup(args[i])) == NULL)
				goto oom;
	}
	load_identity(set, c, conf, d);
	v = val(conf, "notify");
	set->notify = v->text ? v->v.b : !exec;
	set->start_secs_ns = val(conf, "start_secs")->v.ns;
	set->start_timeout_ns = val(conf, "start_timeout")->v.ns;
	set->watchdog_ns = val(conf, "watchdog")->v.ns;
	set->fatal_retry_ns = val(conf, "fatal_retry")->v.ns;
	set->stop_signal = parse_signal(val(conf, "stop_signal")->text);
	v = val(conf, "stop_timeout");
	set->stop_timeout_ns = v->text ? v->v.ns : nbpy_config_global(c, "stop_timeout")->v.ns;
	v = val(conf, "backoff");
	if (v->text == NULL)
		v = nbpy_config_global(c, "backoff");
	set->backoff_min_ns = v->v.range.lo_ns;
	set->backoff_max_ns = v->v.range.hi_ns;
	v = val(conf, "restart");
	set->policy.mode = strcmp(v->text, "always") == 0 ? RESTART_ALWAYS :
			   strcmp(v->text, "never") == 0 ? RESTART_NEVER : RESTART_ON_FAILURE;
	set->policy.n_prevent = copy_codes(set->policy.prevent, val(conf, "restart_prevent_exit"));
	set->policy.n_success = copy_codes(set->policy.success, val(conf, "success_exit"));
	set->policy.stable_after_ns = val(conf, "stable_after")->v.ns;
	set->policy.crash_loop_count = (unsigned)val(conf, "crash_loop_count")->v.i;
	set->policy.crash_loop_window_ns = val(conf, "crash_loop_window")->v.ns;
	v = val(conf, "umask");
	if (v->text != NULL)
		set->umask = (int)v->v.i;
	v = val(conf, "nice");
	if (v->text != NULL) {
		set->set_nice = true;
		set->nice = (int)v->v.i;
	}
	v = val(conf, "limit_nofile");
	if (v->text != NULL)
		set->nofile = (long)v->v.i;
	v = val(conf, "limit_core");
	if (v->text != NULL)
		set->core = (long long)v->v.bytes;
	/* Environment: ours, less systemd's per-process variables, plus the
	 * configured pairs.  NOTIFY_SOCKET is added at spawn. */
	{
		size_t n = 0, cap_env = 8;
		char *name;
		const struct nbpy_value *env = val(conf, "environment");

		for (char **e = environ; *e; e++)
			cap_env++;
		cap_env += env->n_items;
		set->envp = calloc(cap_env, sizeof(char *));
		if (set->envp == NULL)
			goto oom;
		for (char **e = environ; *e; e++)
			if (strncmp(*e, "NOTIFY_SOCKET=", 14) && strncmp(*e, "WATCHDOG_", 9) &&
			    strncmp(*e, "LISTEN_", 7) && strncmp(*e, "NBPY_SERVICE=", 13))
				if ((set->envp[n++] = strdup(*e)) == NULL)
					goto oom;
		for (size_t i = 0; i < env->n_items; i++)
			if ((set->envp[n++] = strdup(env->items[i])) == NULL)
				goto oom;
		if (asprintf(&name, "NBPY_SERVICE=%s", conf->name) < 0)
			goto oom;
		set->envp[n] = name;
	}
	(void)nbpy_buf_printf(&fingerprint, "kind=%s\n", conf->kind->name);
	for (size_t i = 0; i < conf->n_values; i++)
		(void)nbpy_buf_printf(&fingerprint, "%s=%s\n", conf->values[i].spec->name,
				      conf->values[i].text ? conf->values[i].text : "");
	if ((set->fingerprint = nbpy_buf_steal(&fingerprint)) == NULL)
		goto oom;
	return;
oom:
	nbpy_diag_add(d, c->path, 0, "out of memory");
}

void svc_settings_free(struct svc_settings *set)
{
	free(set->path);
	spawn_free_argv(set->argv);
	spawn_free_argv(set->envp);
	free(set->cwd);
	free(set->fingerprint);
	memset(set, 0, sizeof(*set));
}

/* ---- worker output ---- */

static void emit_line(void *ctx, enum nbpy_log_level level, const char *text)
{
	const struct svc *s = ctx;

	nbpy_log_for(s->name, NULL, level, "%s", text);
}

static struct worker_log_out log_out(struct svc *s)
{
	return (struct worker_log_out){ .service = s->name, .emit = emit_line, .ctx = s };
}

/* The last unterminated line and the suppressed count go out with it. */
static void close_log(struct svc *s)
{
	struct worker_log_out out = log_out(s);

	if (s->log_fd < 0)
		return;
	worker_log_end(&s->log, &out, nbpy_monotonic_ns());
	(void)close(s->log_fd);
	s->log_fd = -1;
}

void svc_set_log_rate(struct svc *s, const struct nbpy_config *c, const struct nbpy_service *conf)
{
	const struct nbpy_value *burst = val(conf, "log_rate_burst");
	const struct nbpy_value *interval = val(conf, "log_rate_interval");

	if (burst->text == NULL)
		burst = nbpy_config_global(c, "log_rate_burst");
	if (interval->text == NULL)
		interval = nbpy_config_global(c, "log_rate_interval");
	s->log.rate = (struct worker_log_rate){ .burst = (uint32_t)burst->v.i,
						.interval_ns = interval->v.ns };
}

/* Read at most LOG_READ_BUDGET bytes a call: a worker that writes without
 * pause is read a slice at a time, between everything else, instead of
 * holding the loop for as long as it writes. */
void svc_on_log(struct svc *s)
{
	struct worker_log_out out = log_out(s);
	int64_t now = nbpy_monotonic_ns();
	size_t budget = LOG_READ_BUDGET;
	char chunk[16384];

	while (s->log_fd >= 0 && budget > 0) {
		ssize_t n = read(s->log_fd, chunk, budget < sizeof(chunk) ? budget : sizeof(chunk));

		if (n > 0) {
			worker_log_feed(&s->log, &out, chunk, (size_t)n, now);
			budget -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0)	/* not expected of a pipe; polling it again would spin */
			nbpy_log_for(s->name, NULL, NBPY_LOG_WARNING, "reading its output: %s",
				     strerror(errno));
		close_log(s);	/* EOF: every writer is gone */
	}
	s->log_resume_mono = budget == 0 ? now + LOG_READ_PAUSE_NS : 0;
}

bool svc_log_wanted(const struct svc *s, int64_t now)
{
	return s->log_fd >= 0 && now >= s->log_resume_mono;
}

int64_t svc_log_deadline(const struct svc *s, int64_t now)
{
	int64_t report = worker_log_deadline(&s->log);
	int64_t resume = s->log_fd >= 0 && s->log_resume_mono > now ? s->log_resume_mono : 0;

	if (report == 0 || (resume != 0 && resume < report))
		return resume;
	return report;
}

void svc_on_log_timer(struct svc *s, int64_t now)
{
	struct worker_log_out out = log_out(s);

	worker_log_tick(&s->log, &out, now);
}

/* ---- life cycle ---- */

static int open_notify_socket(struct svc *s, const char *run_dir, struct nbpy_error *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (nbpy_mkdir_p(run_dir, 0755) < 0)
		return nbpy_error_set(err, "mkdir %s: %s", run_dir, strerror(errno));
	if ((size_t)snprintf(s->notify_path, sizeof(s->notify_path), "%s/%s.notify", run_dir,
			     s->name) >= sizeof(s->notify_path))
		return nbpy_error_set(err, "notify socket path too long in %s", run_dir);
	memcpy(sa.sun_path, s->notify_path, strlen(s->notify_path) + 1);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || (unlink(s->notify_path) < 0 && errno != ENOENT) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		if (fd >= 0)
			(void)close(fd);
		return nbpy_error_set(err, "notify socket %s: %s", s->notify_path, strerror(e));
	}
	/* Only the worker (and root) may tell nbpyd it is ready. */
	if (chmod(s->notify_path, 0600) < 0 ||
	    (s->set.set_ids && chown(s->notify_path, s->set.uid, s->set.gid) < 0)) {
		int e = errno;

		(void)close(fd);
		return nbpy_error_set(err, "notify socket %s: %s", s->notify_path, strerror(e));
	}
	s->notify_fd = fd;
	return 0;
}

/* The journal's copy of a history entry. */
static void log_event(const struct svc *s, const struct history_entry *e)
{
	nbpy_log_for(s->name, HISTORY_MESSAGE_ID,
		     strcmp(e->event, "fatal") == 0 ? NBPY_LOG_ERR :
		     strcmp(e->event, "exit") == 0 ? NBPY_LOG_NOTICE : NBPY_LOG_INFO,
		     "%s pid %d%s%s%s", e->event, e->pid, e->reason[0] ? ": " : "", e->reason,
		     e->delay_ns > 0 ? " (restart delayed)" : "");
}

/* A new service has no worker: a history that ends in its start or ready
 * means the nbpyd that started it died (SIGKILL, crash, power loss) and took
 * the worker with it (PR_SET_PDEATHSIG).  Say so, rather than leave a hole. */
static void record_supervisor_death(struct svc *s)
{
	struct history_entry e;
	int rc = history_end_dangling(&s->hist, nbpy_now_ns(),
				      "supervisor died: nbpyd ended without recording this worker's exit "
				      "(the worker dies with it); noticed at the next nbpyd start", &e);

	if (rc < 0)
		nbpy_log_for(s->name, NULL, NBPY_LOG_WARNING, "cannot check history %s: %s",
			     s->hist.path, strerror(errno));
	else if (rc > 0)
		log_event(s, &e);
}

struct svc *svc_new(const struct nbpy_config *c, const struct nbpy_service *conf,
		    struct svc_settings *set, struct nbpy_error *err)
{
	const char *state_dir = nbpy_config_global(c, "state_dir")->text;
	struct svc *s = calloc(1, sizeof(*s));

	if (s == NULL || (s->name = strdup(conf->name)) == NULL) {
		free(s);
		(void)nbpy_error_set(err, "out of memory");
		return NULL;
	}
	s->set = *set;
	memset(set, 0, sizeof(*set));	/* owned by the service now */
	s->enabled = conf->enabled;
	s->notify_fd = -1;
	s->log_fd = -1;
	s->since_real = nbpy_now_ns();
	(void)snprintf(s->reason, sizeof(s->reason), "not started");
	restart_state_init(&s->rs, s->set.backoff_min_ns, s->set.backoff_max_ns, 0);
	svc_set_log_rate(s, c, conf);
	if (history_open(&s->hist, state_dir, s->name,
			 (size_t)nbpy_config_global(c, "history_size")->v.i) < 0) {
		(void)nbpy_error_set(err, "history of %s in %s: %s", s->name, state_dir, strerror(errno));
		svc_free(s);
		return NULL;
	}
	record_supervisor_death(s);
	if (open_notify_socket(s, nbpy_config_global(c, "run_dir")->text, err) < 0) {
		svc_free(s);
		return NULL;
	}
	return s;
}

void svc_free(struct svc *s)
{
	if (s == NULL)
		return;
	if (s->notify_fd >= 0) {
		(void)close(s->notify_fd);
		(void)unlink(s->notify_path);
	}
	if (s->log_fd >= 0)
		(void)close(s->log_fd);
	history_close(&s->hist);
	svc_settings_free(&s->set);
	free(s->name);
	free(s);
}

bool svc_has_process(const struct svc *s)
{
	return s->pid > 0;
}

static void set_state(struct svc *s, enum svc_state st, const char *reason)
{
	s->state = st;
	s->since_real = nbpy_now_ns();
	(void)snprintf(s->reason, sizeof(s->reason), "%s", reason);
	s->timer_mono = 0;
}

static void record(struct svc *s, const char *event, int code, int sig, int core, int64_t uptime,
		   int64_t delay, const char *reason)
{
	struct history_entry e = { .time_ns = nbpy_now_ns(), .pid = s->pid, .code = code,
				   .signal = sig, .core = core, .uptime_ns = uptime, .delay_ns = delay };

	(void)snprintf(e.event, sizeof(e.event), "%s", event);
	(void)snprintf(e.reason, sizeof(e.reason), "%s", reason);
	if (history_add(&s->hist, &e) < 0)
		nbpy_log_for(s->name, NULL, NBPY_LOG_WARNING, "cannot write history %s: %s",
			     s->hist.path ? s->hist.path : "?", strerror(errno));
	log_event(s, &e);
}

static void signal_group(struct svc *s, int sig)
{
	/* The worker leads its own process group: its children go too. */
	if (s->pid > 0 && killpg(s->pid, sig) < 0 && errno != ESRCH)
		nbpy_log_for(s->name, NULL, NBPY_LOG_WARNING, "killpg(%d, %d): %s", (int)s->pid, sig,
			     strerror(errno));
}

static char **spawn_env(struct svc *s)
{
	size_t n = 0;
	char **envp;

	while (s->set.envp[n])
		n++;
	envp = calloc(n + 3, sizeof(char *));
	if (envp == NULL)
		return NULL;
	memcpy(envp, s->set.envp, n * sizeof(char *));
	if (asprintf(&envp[n], "NOTIFY_SOCKET=%s", s->notify_path) < 0) {
		free(envp);
		return NULL;
	}
	/* As systemd does: the worker pings at half of it (sd_watchdog_enabled). */
	if (s->set.watchdog_ns > 0 &&
	    asprintf(&envp[n + 1], "WATCHDOG_USEC=%lld", (long long)(s->set.watchdog_ns / 1000)) < 0) {
		free(envp[n]);
		free(envp);
		return NULL;
	}
	return envp;
}

void svc_start(struct svc *s, enum svc_cause cause)
{
	static const char *const cause_names[] = { "start", "restart", "fatal retry" };
	const char *why = cause_names[cause];
	struct spawn_request r;
	int pipefd[2], exec_errno = 0;
	char **envp;
	int64_t now = nbpy_monotonic_ns();

	switch (s->state) {
	case SVC_STARTING:
	case SVC_RUNNING:
		return;
	case SVC_STOPPING:
		s->start_after_stop = true;
		return;
	default:
		break;
	}
	if (cause == SVC_CAUSE_START &&
	    (s->state == SVC_FATAL || s->state == SVC_STOPPED || s->state == SVC_EXITED))
		restart_state_clear(&s->rs);
	if (s->log_fd >= 0) {	/* the last one's pipe, held open by a leftover */
		svc_on_log(s);
		close_log(s);
	}
	envp = spawn_env(s);
	if (envp == NULL || pipe2(pipefd, O_CLOEXEC) < 0) {
		free(envp);
		set_state(s, SVC_BACKOFF, "cannot start: out of resources");
		s->timer_mono = now + nbpy_backoff_next(&s->rs.backoff);
		return;
	}
	r = (struct spawn_request){
		.path = s->set.path, .argv = s->set.argv, .envp = envp, .set_ids = s->set.set_ids,
		.uid = s->set.uid, .gid = s->set.gid, .groups = s->set.groups,
		.n_groups = s->set.n_groups, .cwd = s->set.cwd, .umask = s->set.umask,
		.set_nice = s->set.set_nice, .nice = s->set.nice, .nofile = s->set.nofile,
		.core = s->set.core, .out_fd = pipefd[1],
	};
	s->pid = spawn_worker(&r, &exec_errno);
	{
		size_t n = 0;	/* what spawn_env added follows the settings' */

		while (s->set.envp[n])
			n++;
		free(envp[n]);
		free(envp[n + 1]);
		free(envp);
	}
	(void)close(pipefd[1]);
	if (s->pid < 0) {
		s->pid = 0;
		(void)close(pipefd[0]);
		set_state(s, SVC_BACKOFF, "fork failed");
		s->timer_mono = now + nbpy_backoff_next(&s->rs.backoff);
		return;
	}
	s->log_fd = pipefd[0];
	s->log_resume_mono = 0;
	if (fcntl(s->log_fd, F_SETFL, O_NONBLOCK) < 0) {	/* a blocking read would hang nbpyd */
		nbpy_log_for(s->name, NULL, NBPY_LOG_WARNING, "its output is not read: O_NONBLOCK: %s",
			     strerror(errno));
		(void)close(s->log_fd);
		s->log_fd = -1;
	}
	s->exec_errno = exec_errno;
	s->spawned_mono = now;
	s->ready_mono = 0;
	s->last_ping_mono = now;
	s->kill_reason = NULL;
	s->stop_requested = false;
	s->status_text[0] = '\0';
	set_state(s, SVC_STARTING, why);
	s->timer_mono = now + (s->set.notify ? s->set.start_timeout_ns :
			       (s->set.start_secs_ns < s->set.start_timeout_ns ? s->set.start_secs_ns :
				s->set.start_timeout_ns));
	record(s, "start", -1, 0, 0, 0, 0, why);
}

void svc_stop(struct svc *s, const char *why)
{
	s->start_after_stop = false;
	switch (s->state) {
	case SVC_STARTING:
	case SVC_RUNNING:
		s->stop_requested = true;
		set_state(s, SVC_STOPPING, why);
		signal_group(s, s->set.stop_signal);
		(void)killpg(s->pid, SIGCONT);	/* a stopped process must see it */
		s->timer_mono = nbpy_monotonic_ns() + s->set.stop_timeout_ns;
		return;
	case SVC_STOPPING:
		s->stop_requested = true;
		return;
	case SVC_BACKOFF:
	case SVC_EXITED:
	case SVC_FATAL:
		set_state(s, SVC_STOPPED, why);
		record(s, "stop", -1, 0, 0, 0, 0, why);
		return;
	case SVC_STOPPED:
		return;
	}
}

void svc_restart(struct svc *s, const char *why)
{
	bool running = svc_has_process(s);

	svc_stop(s, why);
	if (running)
		s->start_after_stop = true;
	else
		svc_start(s, SVC_CAUSE_START);
}

void svc_apply_settings(struct svc *s, struct svc_settings *set, bool enabled)
{
	svc_settings_free(&s->set);
	s->set = *set;
	memset(set, 0, sizeof(*set));
	restart_state_init(&s->rs, s->set.backoff_min_ns, s->set.backoff_max_ns, 0);
	s->enabled = enabled;
	s->remove_after_stop = false;
	if (!enabled)
		svc_stop(s, "disabled by reload");
	else if (svc_has_process(s))
		svc_restart(s, "changed by reload");
	else
		svc_start(s, SVC_CAUSE_START);
}

void svc_remove(struct svc *s)
{
	svc_stop(s, "removed by reload");
	s->remove_after_stop = true;
}

void svc_kill(struct svc *s)
{
	signal_group(s, SIGKILL);
}

static void decode_status(int ws, struct exit_status *e)
{
	memset(e, 0, sizeof(*e));
	if (WIFSIGNALED(ws)) {
		e->signaled = true;
		e->signal = WTERMSIG(ws);
		e->core = WCOREDUMP(ws);
	} else {
		e->code = WEXITSTATUS(ws);
	}
}

void svc_on_exit(struct svc *s, int ws, bool shutting_down)
{
	int64_t now = nbpy_monotonic_ns();
	int64_t uptime = now - s->spawned_mono;
	int64_t ran = s->ready_mono ? now - s->ready_mono : 0;
	struct exit_status e;
	struct restart_decision d;
	char what[160];

	decode_status(ws, &e);
	if (s->exec_errno) {
		e.exec_failed = true;
		e.code = s->exec_errno;
	}
	s->last_exit = e;
	s->has_last_exit = true;
	exit_status_describe(&e, what, sizeof(what));
	if (s->kill_reason != NULL)
		(void)snprintf(what + strlen(what), sizeof(what) - strlen(what), " (%s)", s->kill_reason);
	/* Leftovers in its process group (children it forked) go with it. */
	signal_group(s, SIGKILL);
	svc_on_log(s);
	svc_on_notify(s);	/* its last STATUS (an init error says why) */

	if (s->stop_requested || shutting_down) {
		record(s, "exit", e.signaled ? -1 : e.code, e.signal, e.core, uptime, 0, what);
		s->pid = 0;
		set_state(s, SVC_STOPPED, s->stop_requested ? "stopped" : "nbpyd shutdown");
		if (s->start_after_stop && !shutting_down) {
			s->start_after_stop = false;
			svc_start(s, SVC_CAUSE_START);
		}
		return;
	}
	if (s->kill_reason != NULL) {
		/* nbpyd killed it (watchdog, start timeout): a failure whatever the code */
		e.signaled = false;
		e.code = 1;
	}
	d = restart_decide(&s->set.policy, &s->rs, &e, now, ran);
	if (s->kill_reason != NULL)
		(void)snprintf(d.reason, sizeof(d.reason), "%s", what);
	record(s, "exit", s->last_exit.signaled ? -1 : s->last_exit.code, s->last_exit.signal,
	       s->last_exit.core, uptime, d.action == ACTION_RESTART ? d.delay_ns : 0, d.reason);
	if (d.action == ACTION_FATAL)
		record(s, "fatal", -1, 0, 0, 0, 0, d.reason);
	s->pid = 0;
	switch (d.action) {
	case ACTION_RESTART:
		set_state(s, SVC_BACKOFF, d.reason);
		s->timer_mono = now + d.delay_ns;
		s->restarts++;
		break;
	case ACTION_STAY_DOWN:
		set_state(s, SVC_EXITED, d.reason);
		break;
	case ACTION_FATAL:
		set_state(s, SVC_FATAL, d.reason);
		if (s->set.fatal_retry_ns > 0)
			s->timer_mono = now + s->set.fatal_retry_ns;
		break;
	}
}

static void become_ready(struct svc *s, int64_t now, const char *how)
{
	s->ready_mono = now;
	s->last_ping_mono = now;
	set_state(s, SVC_RUNNING, how);
	if (s->set.watchdog_ns > 0)
		s->timer_mono = now + s->set.watchdog_ns;
	record(s, "ready", -1, 0, 0, now - s->spawned_mono, 0, how);
}

void svc_on_timer(struct svc *s, int64_t now)
{
	if (s->timer_mono == 0 || now < s->timer_mono)
		return;
	switch (s->state) {
	case SVC_BACKOFF:
		svc_start(s, SVC_CAUSE_RESTART);
		break;
	case SVC_FATAL:
		svc_start(s, SVC_CAUSE_FATAL_RETRY);
		break;
	case SVC_STARTING:
		if (!s->set.notify && now - s->spawned_mono >= s->set.start_secs_ns) {
			become_ready(s, now, "alive for start_secs");
			break;
		}
		s->kill_reason = "start timeout";
		s->timer_mono = 0;
		signal_group(s, SIGKILL);
		break;
	case SVC_RUNNING:
		if (s->set.watchdog_ns > 0 && now - s->last_ping_mono >= s->set.watchdog_ns) {
			s->kill_reason = "watchdog";
			s->timer_mono = 0;
			signal_group(s, SIGKILL);
		} else if (s->set.watchdog_ns > 0) {
			s->timer_mono = s->last_ping_mono + s->set.watchdog_ns;
		}
		break;
	case SVC_STOPPING:
		(void)snprintf(s->reason, sizeof(s->reason), "stop timeout: SIGKILL");
		s->timer_mono = 0;
		signal_group(s, SIGKILL);
		break;
	default:
		s->timer_mono = 0;
		break;
	}
}

/* One datagram of "KEY=VALUE\n" lines (the sd_notify protocol). */
void svc_on_notify(struct svc *s)
{
	char buf[NOTIFY_MAX_DATAGRAM];
	struct notify_msg msg;
	ssize_t n;

	while ((n = recv(s->notify_fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		int64_t now = nbpy_monotonic_ns();

		if (s->pid == 0)
			continue;	/* a straggler after the exit */
		notify_parse(buf, (size_t)n, &msg);
		if (msg.ready && s->state == SVC_STARTING)
			become_ready(s, now, "ready");
		if (msg.has_status)
			(void)snprintf(s->status_text, sizeof(s->status_text), "%s", msg.status);
		if (msg.watchdog)
			s->last_ping_mono = now;
	}
}

