/* nbpyd.c - the nbpy supervisor: one worker per enabled service.
 *
 * One thread, one loop: zmq_poll over the control socket, a signalfd
 * (SIGCHLD, SIGTERM, SIGINT, SIGHUP), each worker's notify socket and log
 * pipe, with a timeout that is the nearest service timer, so nothing wakes
 * up when nothing happens.  nbpyd is a child subreaper: orphans of its
 * workers come back to it and are reaped. */
#include <autoconfig.h>
#include <errno.h>
#include <grp.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>
#include <zmq.h>

#include "fs.h"
#include "log.h"
#include "supervisor.h"
#include "timefmt.h"

#define SHUTDOWN_GRACE_NS (5 * NBPY_NS_PER_SEC)

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

struct svc *supervisor_make_service(struct supervisor *sv, const struct nbpy_service *conf,
				    char *why, size_t cap)
{
	struct svc_settings set;
	const struct nbpy_config *c = sv->config;
	struct svc *s;

	if (svc_settings_load(&set, c, conf, sv->config_path, why, cap) < 0) {
		svc_settings_free(&set);
		return NULL;
	}
	s = svc_new(conf->name, &set, conf->enabled, nbpy_config_global(c, "state_dir")->text,
		    nbpy_config_global(c, "run_dir")->text,
		    (size_t)nbpy_config_global(c, "history_size")->v.i, why, cap);
	svc_settings_free(&set);
	if (s != NULL)
		svc_set_log_rate(s, c, conf);
	return s;
}

/* ---- control socket ---- */

struct control {
	void *sock;
	void *zap;		/* ZAP handler for a CURVE tcp socket, else NULL */
	uint8_t (*clients)[32];	/* allowed client public keys */
	size_t n_clients;
};

/* A tcp control socket: CURVE encryption, and a ZAP handler that admits only
 * the configured client keys (config validation guarantees the keys). */
static int setup_curve(void *ctx, struct control *c, const struct nbpy_config *cfg)
{
	const struct nbpy_value *clients = nbpy_config_global(cfg, "control_curve_clients");
	const char *secret = nbpy_config_global(cfg, "control_curve_secret")->text;
	int one = 1;

	c->clients = calloc(clients->n_items ? clients->n_items : 1, sizeof(*c->clients));
	if (c->clients == NULL)
		return -1;
	for (size_t i = 0; i < clients->n_items; i++)
		if (zmq_z85_decode(c->clients[c->n_clients++], clients->items[i]) == NULL)
			return -1;
	/* The ZAP endpoint must exist before the socket it guards binds. */
	c->zap = zmq_socket(ctx, ZMQ_REP);
	if (c->zap == NULL || zmq_bind(c->zap, "inproc://zeromq.zap.01") < 0 ||
	    zmq_setsockopt(c->sock, ZMQ_CURVE_SERVER, &one, sizeof(one)) < 0 ||
	    zmq_setsockopt(c->sock, ZMQ_CURVE_SECRETKEY, secret, strlen(secret)) < 0 ||
	    zmq_setsockopt(c->sock, ZMQ_ZAP_DOMAIN, "nbpyd", 5) < 0) {
		log_error("CURVE setup: %s", zmq_strerror(errno));
		return -1;
	}
	return 0;
}

static int open_control(void *ctx, struct control *c, const struct nbpy_config *cfg)
{
	const char *ep = nbpy_config_global(cfg, "control")->text;
	const char *group = nbpy_config_global(cfg, "control_group")->text;
	int linger = 0;

	if (strncmp(ep, "ipc://", 6) == 0) {
		char dir[PATH_MAX], *slash;

		(void)snprintf(dir, sizeof(dir), "%s", ep + 6);
		slash = strrchr(dir, '/');
		if (slash != NULL && slash != dir) {
			*slash = '\0';
			if (nbpy_mkdir_p(dir, 0755) < 0) {
				log_error("control socket directory %s: %s", dir, strerror(errno));
				return -1;
			}
		}
	}
	c->sock = zmq_socket(ctx, ZMQ_REP);
	if (c->sock == NULL || zmq_setsockopt(c->sock, ZMQ_LINGER, &linger, sizeof(linger)) < 0) {
		log_error("control socket: %s", zmq_strerror(errno));
		return -1;
	}
	if (strncmp(ep, "tcp://", 6) == 0 && setup_curve(ctx, c, cfg) < 0)
		return -1;
	if (zmq_bind(c->sock, ep) < 0) {
		log_error("control socket %s: %s", ep, zmq_strerror(errno));
		return -1;
	}
	if (strncmp(ep, "ipc://", 6) == 0) {
		gid_t gid = getgid();

		if (group != NULL) {
			const struct group *gr = getgrnam(group);

			if (gr == NULL) {
				log_error("control_group: no group '%s'", group);
				return -1;
			}
			gid = gr->gr_gid;
		}
		if (chown(ep + 6, (uid_t)-1, gid) < 0 || chmod(ep + 6, 0660) < 0) {
			log_error("control socket %s: %s", ep + 6, strerror(errno));
			return -1;
		}
	}
	return 0;
}

static void close_control(struct control *c)
{
	if (c->sock != NULL)
		(void)zmq_close(c->sock);
	if (c->zap != NULL)
		(void)zmq_close(c->zap);
	free(c->clients);
}

/* One ZAP request (RFC 27): admit a CURVE client whose key is listed. */
static void serve_zap(struct control *c)
{
	zmq_msg_t part[8];
	int n = 0, more = 1;
	size_t sz = sizeof(more);
	bool ok = false;
	static const char *const reply_ok[] = { "200", "OK" }, *const reply_no[] = { "400", "unknown key" };
	const char *const *r;

	while (more && n < 8) {
		if (zmq_msg_init(&part[n]) < 0 || zmq_msg_recv(&part[n], c->zap, ZMQ_DONTWAIT) < 0)
			break;
		n++;
		if (zmq_getsockopt(c->zap, ZMQ_RCVMORE, &more, &sz) < 0)
			more = 0;
	}
	if (n < 2)
		goto out;
	if (n == 7 && zmq_msg_size(&part[5]) == 5 && memcmp(zmq_msg_data(&part[5]), "CURVE", 5) == 0 &&
	    zmq_msg_size(&part[6]) == 32)
		for (size_t i = 0; i < c->n_clients && !ok; i++)
			ok = memcmp(zmq_msg_data(&part[6]), c->clients[i], 32) == 0;
	if (!ok)
		log_warning("control: refused a client with an unknown CURVE key");
	r = ok ? reply_ok : reply_no;
	if (zmq_send(c->zap, "1.0", 3, ZMQ_SNDMORE) < 0 ||
	    zmq_send(c->zap, zmq_msg_data(&part[1]), zmq_msg_size(&part[1]), ZMQ_SNDMORE) < 0 ||
	    zmq_send(c->zap, r[0], 3, ZMQ_SNDMORE) < 0 ||
	    zmq_send(c->zap, r[1], strlen(r[1]), ZMQ_SNDMORE) < 0 ||
	    zmq_send(c->zap, "", 0, ZMQ_SNDMORE) < 0 || zmq_send(c->zap, "", 0, 0) < 0)
		log_warning("ZAP reply: %s", zmq_strerror(errno));
out:
	for (int i = 0; i < n; i++)
		(void)zmq_msg_close(&part[i]);
}

static void serve_control(struct supervisor *sv, void *sock)
{
	zmq_msg_t msg;
	char *answer;
	int more = 0;
	size_t sz = sizeof(more);

	/* REP: one request, one reply, never blocking (zmq_poll said readable). */
	if (zmq_msg_init(&msg) < 0)
		return;
	if (zmq_msg_recv(&msg, sock, ZMQ_DONTWAIT) < 0) {
		(void)zmq_msg_close(&msg);
		return;
	}
	while (zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &sz) == 0 && more) {
		zmq_msg_t part;

		if (zmq_msg_init(&part) < 0 || zmq_msg_recv(&part, sock, ZMQ_DONTWAIT) < 0)
			break;
		(void)zmq_msg_close(&part);
	}
	answer = control_handle(sv, zmq_msg_data(&msg), zmq_msg_size(&msg));
	(void)zmq_msg_close(&msg);
	if (answer == NULL)
		answer = strdup("{\"v\":1,\"ok\":false,\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}");
	if (answer == NULL || zmq_send(sock, answer, strlen(answer), ZMQ_DONTWAIT) < 0)
		log_warning("control reply not sent: %s", zmq_strerror(errno));
	free(answer);
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
		case SIGHUP: {
			struct json_object *diff = NULL, *errors = NULL;

			if (supervisor_reload(sv, &diff, &errors) < 0)
				for (size_t i = 0; errors && i < json_object_array_length(errors); i++)
					log_error("reload: %s", json_object_get_string(json_object_array_get_idx(errors, i)));
			json_object_put(diff);
			json_object_put(errors);
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

/* The nearest timer, as a zmq_poll timeout in ms (-1: none). */
static long poll_timeout(const struct supervisor *sv, int64_t now, int64_t watchdog_next)
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
	if (watchdog_next && watchdog_next < next)
		next = watchdog_next;
	if (next == INT64_MAX)
		return -1;
	if (next <= now)
		return 0;
	/* round up: waking early would spin */
	return (long)((next - now + 999999) / 1000000);
}

static int run(struct supervisor *sv, struct control *control, int sfd)
{
	zmq_pollitem_t *items = NULL;
	uint64_t wd_usec = 0;
	int64_t wd_next = 0;

	if (sd_watchdog_enabled(0, &wd_usec) > 0)
		wd_next = nbpy_monotonic_ns();
	for (;;) {
		size_t n = 2;
		int64_t now = nbpy_monotonic_ns();
		int rc;

		if (sv->shutting_down && !any_process(sv))
			break;
		if (sv->shutting_down && now >= sv->shutdown_deadline) {
			log_error("shutdown took too long: killing what is left");
			for (size_t i = 0; i < sv->n_svcs; i++)
				if (sv->svcs[i]->pid > 0)
					(void)killpg(sv->svcs[i]->pid, SIGKILL);
			sv->shutdown_deadline = now + NBPY_NS_PER_SEC;
		}
		free(items);
		items = calloc(3 + 2 * sv->n_svcs, sizeof(*items));
		if (items == NULL) {
			log_error("out of memory");
			return -1;
		}
		items[0] = (zmq_pollitem_t){ .socket = control->sock, .events = ZMQ_POLLIN };
		items[1] = (zmq_pollitem_t){ .fd = sfd, .events = ZMQ_POLLIN };
		if (control->zap != NULL)
			items[n++] = (zmq_pollitem_t){ .socket = control->zap, .events = ZMQ_POLLIN };
		for (size_t i = 0; i < sv->n_svcs; i++) {
			items[n++] = (zmq_pollitem_t){ .fd = sv->svcs[i]->notify_fd, .events = ZMQ_POLLIN };
			if (svc_log_wanted(sv->svcs[i], now))
				items[n++] = (zmq_pollitem_t){ .fd = sv->svcs[i]->log_fd, .events = ZMQ_POLLIN };
		}
		rc = zmq_poll(items, (int)n, poll_timeout(sv, now, wd_next));
		if (rc < 0 && errno != EINTR) {
			log_error("zmq_poll: %s", zmq_strerror(errno));
			free(items);
			return -1;
		}
		now = nbpy_monotonic_ns();
		if (rc > 0 && (items[1].revents & ZMQ_POLLIN) && handle_signals(sv, sfd) < 0) {
			free(items);
			return -1;
		}
		if (rc > 0 && control->zap != NULL && (items[2].revents & ZMQ_POLLIN))
			serve_zap(control);
		if (rc > 0 && (items[0].revents & ZMQ_POLLIN))
			serve_control(sv, control->sock);
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
	bool check = false;
	sigset_t mask;
	void *ctx = NULL;
	struct control control = { 0 };
	int sfd = -1, rc = 1;
	char why[512];

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
	sv.config = nbpy_config_load_or_exit(path);
	if (check) {
		printf("%s: ok, %zu services\n", path, sv.config->n_services);
		nbpy_config_free(sv.config);
		return 0;
	}
	nbpy_log_init("nbpyd", (enum nbpy_log_level)nbpy_log_level_parse(
				       nbpy_config_global(sv.config, "log_level")->text));
	sv.config_path = realpath(path, NULL);
	if (sv.config_path == NULL)
		sv.config_path = strdup(path);
	sv.started_real = nbpy_now_ns();

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
	ctx = zmq_ctx_new();
	if (ctx == NULL || open_control(ctx, &control, sv.config) < 0)
		goto out;
	sv.svcs = calloc(sv.config->n_services ? sv.config->n_services : 1, sizeof(*sv.svcs));
	if (sv.svcs == NULL)
		goto out;
	for (size_t i = 0; i < sv.config->n_services; i++) {
		struct svc *s = supervisor_make_service(&sv, &sv.config->services[i], why, sizeof(why));

		if (s == NULL) {
			log_error("%s", why);
			goto out;
		}
		sv.svcs[sv.n_svcs++] = s;
	}
	for (size_t i = 0; i < sv.n_svcs; i++)
		if (sv.svcs[i]->enabled)
			svc_start(sv.svcs[i], "start");
	log_notice("%zu services, %s, control %s", sv.n_svcs, sv.config_path,
		   nbpy_config_global(sv.config, "control")->text);
	notify_systemd(&sv, "READY=1\n");
	rc = run(&sv, &control, sfd) < 0 ? 1 : 0;
	log_notice("stopped");
out:
	for (size_t i = 0; i < sv.n_svcs; i++)
		svc_free(sv.svcs[i]);
	free(sv.svcs);
	close_control(&control);
	if (ctx != NULL)
		(void)zmq_ctx_term(ctx);
	if (sfd >= 0)
		(void)close(sfd);
	nbpy_config_free(sv.config);
	free(sv.config_path);
	return rc;
}
