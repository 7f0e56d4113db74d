/* nbpyd.c - the nbpy supervisor: one worker per enabled service.
 *
 * One thread, one loop: zmq_poll over the control socket, a signalfd
 * (SIGCHLD, SIGTERM, SIGINT, SIGHUP), each worker's notify socket and log
 * pipe, with a timeout that is the nearest service timer, so nothing wakes
 * up when nothing happens.  nbpyd is a child subreaper: orphans of its
 * workers come back to it and are reaped. */
#include <autoconfig.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>
#include <zmq.h>

#include "supervisor/control_socket.h"
#include "common/fs.h"
#include "common/log.h"
#include "supervisor/resolve.h"
#include "supervisor/spawn.h"
#include "supervisor/supervisor.h"
#include "common/timefmt.h"

#define SHUTDOWN_GRACE_NS (5 * NBPY_NS_PER_SEC)
#define NBPYD_EXIT_RUNNING 75	/* EX_TEMPFAIL: another nbpyd holds the lock */

struct svc *supervisor_find(struct supervisor *sv, const char *name)
{
	for (size_t i = 0; i < sv->n_svcs; i++)
		if (strcmp(sv->svcs[i]->name, name) == 0)
			return sv->svcs[i];
	return NULL;
}

void supervisor_summary(const struct supervisor *sv, char *buf, size_t cap)
{
	unsigned count[SVC_FATAL + 1] = { 0 };

	for (size_t i = 0; i < sv->n_svcs; i++)
		count[sv->svcs[i]->state]++;
	(void)snprintf(buf, cap, "%u running, %u starting, %u backoff, %u fatal, %u stopped",
		       count[SVC_RUNNING], count[SVC_STARTING], count[SVC_BACKOFF], count[SVC_FATAL],
		       count[SVC_STOPPED] + count[SVC_EXITED]);
}

/* ---- processes ---- */

static void reap(struct supervisor *sv)
{
	int ws;
	pid_t pid;

	while ((pid = waitpid(-1, &ws, WNOHANG)) > 0) {
		bool found = false;

		for (size_t i = 0; i < sv->n_svcs; i++) {
			struct svc *s = sv->svcs[i];

			if (s->pid == pid) {
				svc_on_exit(s, ws, sv->shutting_down);
				found = true;
				break;
			}
		}
		if (!found)
			log_debug("reaped orphan %d", (int)pid);
	}
	if (pid < 0 && errno != ECHILD)
		log_warning("waitpid: %s", strerror(errno));
}

static void notify_systemd(const struct supervisor *sv, const char *extra)
{
	static char last[160];
	char summary[160], msg[256];

	supervisor_summary(sv, summary, sizeof(summary));
	/* STATUS= only when it changes: the loop turns on every event */
	if (extra == NULL && strcmp(summary, last) == 0)
		return;
	memcpy(last, summary, sizeof(last));
	(void)snprintf(msg, sizeof(msg), "%sSTATUS=%s", extra ? extra : "", summary);
	(void)sd_notify(0, msg);
}

static void begin_shutdown(struct supervisor *sv)
{
	int64_t longest = 0;

	if (sv->shutting_down)
		return;
	sv->shutting_down = true;
	log_notice("stopping all services");
	notify_systemd(sv, "STOPPING=1\n");
	for (size_t i = 0; i < sv->n_svcs; i++) {
		if (sv->svcs[i]->set.stop_timeout_ns > longest)
			longest = sv->svcs[i]->set.stop_timeout_ns;
		svc_stop(sv->svcs[i], "nbpyd shutdown");
	}
	/* Each service gets its stop_timeout, then SIGKILL; past this bound
	 * everything left is killed and nbpyd exits anyway. */
	sv->shutdown_deadline = nbpy_monotonic_ns() + longest + SHUTDOWN_GRACE_NS;
}

static bool any_process(const struct supervisor *sv)
{
	for (size_t i = 0; i < sv->n_svcs; i++)
		if (svc_has_process(sv->svcs[i]))
			return true;
	return false;
}

static int handle_signals(struct supervisor *sv, int sfd)
{
	struct signalfd_siginfo si;
	ssize_t n;

	while ((n = read(sfd, &si, sizeof(si))) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			reap(sv);
			break;
		case SIGTERM:
		case SIGINT:
			begin_shutdown(sv);
			break;
		case SIGHUP: {	/* reload logs what it did */
			struct reload_diff diff;
			struct nbpy_diag d;

			if (supervisor_reload(sv, &diff, &d) < 0)
				for (size_t i = 0; i < d.n; i++)
					log_error("reload: %s", d.msgs[i]);
			reload_diff_free(&diff);
			nbpy_diag_free(&d);
			break;
		}
		}
	}
	if (n < 0 && errno != EAGAIN) {
		log_error("signalfd: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Services removed by a reload go once their worker has exited. */
static void drop_removed(struct supervisor *sv)
{
	size_t n = 0;

	for (size_t i = 0; i < sv->n_svcs; i++) {
		struct svc *s = sv->svcs[i];

		if (s->remove_after_stop && !svc_has_process(s))
			svc_free(s);
		else
			sv->svcs[n++] = s;
	}
	sv->n_svcs = n;
}

/* The nearest timer, as a zmq_poll timeout in ms (-1: none); other_next: the
 * watchdog's and the control socket's (0: none). */
static long poll_timeout(const struct supervisor *sv, int64_t now, const int64_t other_next[2])
{
	int64_t next = INT64_MAX;

	for (size_t i = 0; i < sv->n_svcs; i++) {
		int64_t log_next = svc_log_deadline(sv->svcs[i], now);

		if (sv->svcs[i]->timer_mono && sv->svcs[i]->timer_mono < next)
			next = sv->svcs[i]->timer_mono;
		if (log_next && log_next < next)
			next = log_next;
	}
	if (sv->shutting_down && sv->shutdown_deadline < next)
		next = sv->shutdown_deadline;
	for (int i = 0; i < 2; i++)
		if (other_next[i] && other_next[i] < next)
			next = other_next[i];
	if (next == INT64_MAX)
		return -1;
	if (next <= now)
		return 0;
	/* round up: waking early would spin */
	return (long)((next - now + 999999) / 1000000);
}

static int run(struct supervisor *sv, struct control_socket *control, int sfd)
{
	zmq_pollitem_t *items = NULL;
	uint64_t wd_usec = 0;
	int64_t wd_next = 0;

	if (sd_watchdog_enabled(0, &wd_usec) > 0)
		wd_next = nbpy_monotonic_ns();
	for (;;) {
		size_t n, sig_item;
		int64_t now = nbpy_monotonic_ns(), timers[2];
		int rc;

		if (sv->shutting_down && !any_process(sv))
			break;
		if (sv->shutting_down && now >= sv->shutdown_deadline) {
			log_error("shutdown took too long: killing what is left");
			for (size_t i = 0; i < sv->n_svcs; i++)
				svc_kill(sv->svcs[i]);
			sv->shutdown_deadline = now + NBPY_NS_PER_SEC;
		}
		free(items);
		items = calloc(CONTROL_POLLITEMS + 1 + 2 * sv->n_svcs, sizeof(*items));
		if (items == NULL) {
			log_error("out of memory");
			return -1;
		}
		sig_item = n = control_socket_pollitems(control, items);
		items[n++] = (zmq_pollitem_t){ .fd = sfd, .events = ZMQ_POLLIN };
		for (size_t i = 0; i < sv->n_svcs; i++) {
			items[n++] = (zmq_pollitem_t){ .fd = sv->svcs[i]->notify_fd, .events = ZMQ_POLLIN };
			if (svc_log_wanted(sv->svcs[i], now))
				items[n++] = (zmq_pollitem_t){ .fd = sv->svcs[i]->log_fd, .events = ZMQ_POLLIN };
		}
		timers[0] = wd_next;
		timers[1] = control_socket_timer(control);
		rc = zmq_poll(items, (int)n, poll_timeout(sv, now, timers));
		if (rc < 0 && errno != EINTR) {
			log_error("zmq_poll: %s", zmq_strerror(errno));
			free(items);
			return -1;
		}
		now = nbpy_monotonic_ns();
		if (rc > 0 && (items[sig_item].revents & ZMQ_POLLIN) && handle_signals(sv, sfd) < 0) {
			free(items);
			return -1;
		}
		control_socket_serve(control, sv, items, now);
		/* Notify and log fds: cheap non-blocking reads; the service list
		 * may have changed (reload), so poll them all rather than map items.
		 * Each pass reads a bounded slice of each worker's output, and one
		 * that filled its slice waits a little (svc_log_wanted), so a worker
		 * that never stops writing delays the control socket, the signals
		 * and the other services by one slice, not forever. */
		if (rc > 0)
			for (size_t i = 0; i < sv->n_svcs; i++) {
				svc_on_notify(sv->svcs[i]);
				if (svc_log_wanted(sv->svcs[i], now))
					svc_on_log(sv->svcs[i]);
			}
		for (size_t i = 0; i < sv->n_svcs; i++) {
			svc_on_timer(sv->svcs[i], now);
			svc_on_log_timer(sv->svcs[i], now);
		}
		drop_removed(sv);
		if (wd_next && now >= wd_next) {
			(void)sd_notify(0, "WATCHDOG=1");
			wd_next = now + (int64_t)wd_usec * 1000 / 2;
		}
		notify_systemd(sv, NULL);
	}
	free(items);
	return 0;
}

/* One nbpyd per configuration: an fcntl write lock on the file prefix+suffix,
 * held while nbpyd runs (the kernel drops it however nbpyd ends; a fork does
 * not inherit it).  The file holds the pid, for people.  The lock fd, -1 with
 * the reason logged, or -2 (logged too) when another process holds it. */
static int lock_instance(const char *prefix, const char *suffix)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	char path[PATH_MAX];
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s%s", prefix, suffix) >= sizeof(path)) {
		log_error("lock %s%s: path too long", prefix, suffix);
		return -1;
	}
	if (nbpy_mkdir_parent(path, 0755) < 0 ||
	    (fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0) {
		log_error("lock %s: %s", path, strerror(errno));
		return -1;
	}
	if (fcntl(fd, F_SETLK, &fl) < 0) {
		int e = errno;

		fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET };
		if ((e == EAGAIN || e == EACCES) && fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK) {
			log_error("another nbpyd (pid %d) runs with this configuration: it holds %s",
				  (int)fl.l_pid, path);
			(void)close(fd);
			return -2;
		}
		log_error("lock %s: %s", path, strerror(e));
		(void)close(fd);
		return -1;
	}
	if (ftruncate(fd, 0) < 0 || dprintf(fd, "%d\n", (int)getpid()) < 0)
		log_warning("lock %s: writing the pid: %s", path, strerror(errno));
	return fd;
}

/* Control connections cost descriptors: nbpyd takes its hard RLIMIT_NOFILE
 * as the soft one; workers get the original soft limit back (spawn.c).
 * Returns the limit in force. */
static size_t raise_nofile_limit(void)
{
	struct rlimit rl;
	rlim_t target;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
		log_error("RLIMIT_NOFILE: %s", strerror(errno));
		return 0;
	}
	spawn_set_default_nofile(rl.rlim_cur == RLIM_INFINITY ? -1 : (long long)rl.rlim_cur);
	target = rl.rlim_max == RLIM_INFINITY ? 1048576 : rl.rlim_max;	/* Linux's nr_open */
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < target) {
		struct rlimit up = { target, rl.rlim_max };

		if (setrlimit(RLIMIT_NOFILE, &up) == 0)
			rl.rlim_cur = target;
		else
			log_warning("RLIMIT_NOFILE %llu: %s; staying at %llu", (unsigned long long)target,
				    strerror(errno), (unsigned long long)rl.rlim_cur);
	}
	return rl.rlim_cur == RLIM_INFINITY ? 1048576 : (size_t)rl.rlim_cur;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: nbpyd [-c FILE] [--check]\n"
		   "  -c FILE   configuration (default %s/nbpy/nbpy.conf)\n"
		   "  --check   validate the configuration and exit (0 ok, 78 errors)\n", SYSCONFDIR);
}

int main(int argc, char **argv)
{
	struct supervisor sv = { 0 };
	const char *path = SYSCONFDIR "/nbpy/nbpy.conf";
	bool check = false, ipc_control;
	sigset_t mask;
	struct control_socket control = { 0 };
	struct resolved resolved = { 0 };
	struct nbpy_diag diag;
	int sfd = -1, rc = 1, lock_fds[2] = { -1, -1 };
	size_t fd_limit;
	struct nbpy_error err;
	const char *control_ep;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
			path = argv[++i];
		} else if (strcmp(argv[i], "--check") == 0) {
			check = true;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	/* Workers get the absolute path; messages name the file as given. */
	sv.config_path = realpath(path, NULL);
	if (sv.config_path == NULL && (sv.config_path = strdup(path)) == NULL) {
		fprintf(stderr, "nbpyd: out of memory\n");
		return 1;
	}
	if (resolve_config(path, sv.config_path, &resolved, &diag) < 0) {
		free(sv.config_path);
		nbpy_diag_exit(&diag);
	}
	sv.config = resolved.config;
	if (check) {
		printf("%s: ok, %zu services\n", path, sv.config->n_services);
		resolved_free(&resolved);
		free(sv.config_path);
		return 0;
	}
	resolved.config = NULL;		/* sv owns it now */
	nbpy_log_init("nbpyd", (enum nbpy_log_level)nbpy_log_level_parse(
				       nbpy_config_global(sv.config, "log_level")->text));
	sv.started_real = nbpy_now_ns();

	/* The locks come before anything a second nbpyd would disturb: the
	 * control socket, notify sockets, history, workers.  The state
	 * directory's covers history, the socket's its path (a tcp endpoint
	 * cannot be bound twice). */
	control_ep = nbpy_config_global(sv.config, "control")->text;
	ipc_control = strncmp(control_ep, "ipc://", 6) == 0;
	lock_fds[0] = lock_instance(nbpy_config_global(sv.config, "state_dir")->text, "/nbpyd.lock");
	if (lock_fds[0] >= 0 && ipc_control)
		lock_fds[1] = lock_instance(control_ep + 6, ".lock");
	if (lock_fds[0] == -2 || lock_fds[1] == -2)
		rc = NBPYD_EXIT_RUNNING;
	if (lock_fds[0] < 0 || (ipc_control && lock_fds[1] < 0))
		goto out;
	fd_limit = raise_nofile_limit();
	if (fd_limit == 0)
		goto out;

	/* Signals arrive through the signalfd, in the loop; children reset them. */
	if (sigemptyset(&mask) < 0 || sigaddset(&mask, SIGCHLD) < 0 || sigaddset(&mask, SIGTERM) < 0 ||
	    sigaddset(&mask, SIGINT) < 0 || sigaddset(&mask, SIGHUP) < 0 ||
	    sigprocmask(SIG_BLOCK, &mask, NULL) < 0 ||
	    (sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) < 0 ||
	    signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
		log_error("signals: %s", strerror(errno));
		goto out;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		log_error("PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
		goto out;
	}
	if (control_socket_open(&control, sv.config, fd_limit) < 0)
		goto out;
	sv.svcs = calloc(sv.config->n_services ? sv.config->n_services : 1, sizeof(*sv.svcs));
	if (sv.svcs == NULL)
		goto out;
	for (size_t i = 0; i < sv.config->n_services; i++) {
		struct svc *s = svc_new(sv.config, &sv.config->services[i], &resolved.settings[i], &err);

		if (s == NULL) {
			log_error("%s", err.msg);
			goto out;
		}
		sv.svcs[sv.n_svcs++] = s;
	}
	for (size_t i = 0; i < sv.n_svcs; i++)
		if (sv.svcs[i]->enabled)
			svc_start(sv.svcs[i], SVC_CAUSE_START);
	log_notice("%zu services, %s, control %s", sv.n_svcs, sv.config_path, control_ep);
	notify_systemd(&sv, "READY=1\n");
	rc = run(&sv, &control, sfd) < 0 ? 1 : 0;
	log_notice("stopped");
out:
	resolved_free(&resolved);
	for (size_t i = 0; i < sv.n_svcs; i++)
		svc_free(sv.svcs[i]);
	free(sv.svcs);
	control_socket_close(&control);
	if (sfd >= 0)
		(void)close(sfd);
	for (int i = 0; i < 2; i++)
		if (lock_fds[i] >= 0)
			(void)close(lock_fds[i]);
	nbpy_config_free(sv.config);
	free(sv.config_path);
	return rc;
}
