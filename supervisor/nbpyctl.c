/* nbpyctl.c - control nbpyd over its ZeroMQ control socket.
 *
 *   nbpyctl [-c CONFIG | -e ENDPOINT] [--json] [--timeout D] COMMAND [ARGS]
 *
 * Exit codes: 0 ok; 3 `status` found a named service not running; 4 unknown
 * service; 69 nbpyd unreachable; 1 anything else. */
#include <autoconfig.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "common/config.h"
#include "common/timefmt.h"

#define EXIT_NOT_RUNNING 3
#define EXIT_UNKNOWN_SERVICE 4
#define EXIT_UNREACHABLE 69

struct ctl {
	void *ctx;
	const char *endpoint;
	int64_t timeout_ns;
	bool json;
	const char *server_key;		/* CURVE, for tcp endpoints */
	const char *public_key, *secret_key;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: nbpyctl [-c CONFIG | -e ENDPOINT] [--json] [--timeout D] COMMAND\n"
		"  status [SERVICE...]        state of all or the named services\n"
		"  start SERVICE...           start and wait until running\n"
		"  stop SERVICE... [--no-wait]\n"
		"  restart SERVICE...\n"
		"  history [SERVICE] [-n N]   restart history, newest last\n"
		"  reload                     re-read the config and apply the difference\n"
		"  ping\n"
		"  keygen                     print a new CURVE key pair (Z85) for a tcp control socket\n"
		"tcp endpoints use CURVE: the server key from [nbpyd] control_curve_public (or\n"
		"NBPYCTL_CURVE_SERVER), the client pair from NBPYCTL_CURVE_PUBLIC and NBPYCTL_CURVE_SECRET\n"
		"exit: 0 ok, 3 not running (status), 4 unknown service, 69 nbpyd unreachable, 1 error\n");
}

/* One request, one reply, on a fresh REQ socket (so a lost reply never
 * wedges the next request).  NULL when nbpyd did not answer in time. */
static struct json_object *call(struct ctl *c, struct json_object *req)
{
	const char *text = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	int timeout_ms = (int)(c->timeout_ns / 1000000), linger = 0;
	void *sock = zmq_socket(c->ctx, ZMQ_REQ);
	char *buf = NULL;
	zmq_msg_t msg;
	struct json_object *reply = NULL;

	if (sock == NULL || zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof(linger)) < 0 ||
	    zmq_setsockopt(sock, ZMQ_RCVTIMEO, &timeout_ms, sizeof(timeout_ms)) < 0 ||
	    zmq_setsockopt(sock, ZMQ_SNDTIMEO, &timeout_ms, sizeof(timeout_ms)) < 0 ||
	    (c->server_key != NULL &&
	     (zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, c->server_key, strlen(c->server_key)) < 0 ||
	      zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, c->public_key, strlen(c->public_key)) < 0 ||
	      zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, c->secret_key, strlen(c->secret_key)) < 0)) ||
	    zmq_connect(sock, c->endpoint) < 0) {
		fprintf(stderr, "nbpyctl: %s: %s\n", c->endpoint, zmq_strerror(errno));
		if (sock)
			(void)zmq_close(sock);
		return NULL;
	}
	if (zmq_send(sock, text, strlen(text), 0) < 0 || zmq_msg_init(&msg) < 0) {
		(void)zmq_close(sock);
		return NULL;
	}
	if (zmq_msg_recv(&msg, sock, 0) >= 0) {
		buf = strndup(zmq_msg_data(&msg), zmq_msg_size(&msg));
		reply = buf ? json_tokener_parse(buf) : NULL;
		free(buf);
	}
	(void)zmq_msg_close(&msg);
	(void)zmq_close(sock);
	return reply;
}

static struct json_object *request(const char *cmd, char **names, int n)
{
	struct json_object *r = json_object_new_object(), *a = json_object_new_array();

	json_object_object_add(r, "v", json_object_new_int(1));
	json_object_object_add(r, "id", json_object_new_int64(nbpy_monotonic_ns()));
	json_object_object_add(r, "cmd", json_object_new_string(cmd));
	for (int i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(names[i]));
	json_object_object_add(r, "services", a);
	return r;
}

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

static int64_t num(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

/* An error reply: print it, map it to an exit code. */
static int check_error(struct json_object *reply)
{
	struct json_object *ok, *err;

	if (json_object_object_get_ex(reply, "ok", &ok) && json_object_get_boolean(ok))
		return 0;
	if (!json_object_object_get_ex(reply, "error", &err)) {
		fprintf(stderr, "nbpyctl: malformed reply\n");
		return 1;
	}
	if (strcmp(str(err, "code"), "bad_config") == 0) {
		/* FILE:LINE messages, one per line, as `nbpyd --check` prints them */
		fprintf(stderr, "%s\nnbpyctl: reload refused: nbpyd keeps its running configuration\n",
			str(err, "message"));
		return 1;
	}
	fprintf(stderr, "nbpyctl: %s\n", str(err, "message"));
	return strcmp(str(err, "code"), "unknown_service") == 0 ? EXIT_UNKNOWN_SERVICE : 1;
}

static void fmt_duration(int64_t ns, char *buf, size_t cap)
{
	int64_t s = ns / NBPY_NS_PER_SEC;

	if (ns <= 0)
		(void)snprintf(buf, cap, "-");
	else if (s < 60)
		(void)snprintf(buf, cap, "%llds", (long long)s);
	else if (s < 3600)
		(void)snprintf(buf, cap, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
	else if (s < 86400)
		(void)snprintf(buf, cap, "%lldh%02lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
	else
		(void)snprintf(buf, cap, "%lldd%02lldh", (long long)(s / 86400), (long long)(s % 86400 / 3600));
}

static void print_status(struct json_object *result)
{
	struct json_object *list;
	size_t w = 7;

	if (!json_object_object_get_ex(result, "services", &list))
		return;
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		size_t l = strlen(str(json_object_array_get_idx(list, i), "name"));

		w = l > w ? l : w;
	}
	printf("%-*s %-9s %7s %8s %8s  %-24s %s\n", (int)w, "SERVICE", "STATE", "PID", "UPTIME",
	       "RESTARTS", "LAST EXIT", "STATUS");
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *s = json_object_array_get_idx(list, i);
		char up[32], pid[16];
		const char *status = str(s, "status");

		fmt_duration(num(s, "uptime_ns"), up, sizeof(up));
		(void)snprintf(pid, sizeof(pid), "%lld", (long long)num(s, "pid"));
		printf("%-*s %-9s %7s %8s %8lld  %-24s %s\n", (int)w, str(s, "name"), str(s, "state"),
		       num(s, "pid") ? pid : "-", up, (long long)num(s, "restarts"),
		       str(s, "last_exit")[0] ? str(s, "last_exit") : "-",
		       status[0] ? status : str(s, "reason"));
	}
}

static void print_history(struct json_object *result)
{
	struct json_object *list;

	if (!json_object_object_get_ex(result, "entries", &list))
		return;
	printf("%-30s %-20s %-8s %7s %9s %8s  %s\n", "TIME", "SERVICE", "EVENT", "PID", "UPTIME",
	       "DELAY", "REASON");
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *e = json_object_array_get_idx(list, i);
		char t[NBPY_RFC3339_MAX], up[32], delay[32];

		(void)nbpy_rfc3339_format(num(e, "time_ns"), t, sizeof(t));
		fmt_duration(num(e, "uptime_ns"), up, sizeof(up));
		if (num(e, "delay_ns") > 0)
			(void)snprintf(delay, sizeof(delay), "%.3fs", (double)num(e, "delay_ns") / 1e9);
		else
			(void)snprintf(delay, sizeof(delay), "-");
		printf("%-30s %-20s %-8s %7lld %9s %8s  %s\n", t, str(e, "service"), str(e, "event"),
		       (long long)num(e, "pid"), up, delay, str(e, "reason"));
	}
}

/* Poll status until every service reached its goal or the timeout. */
static int wait_for(struct ctl *c, char **names, int n, bool want_running, struct json_object **last)
{
	int64_t deadline = nbpy_monotonic_ns() + c->timeout_ns;

	for (;;) {
		struct json_object *req = request("status", names, n), *reply = call(c, req), *list, *res;
		bool done = true, failed = false;
		int rc;

		json_object_put(req);
		if (reply == NULL)
			return EXIT_UNREACHABLE;
		if ((rc = check_error(reply)) != 0) {
			json_object_put(reply);
			return rc;
		}
		(void)json_object_object_get_ex(reply, "result", &res);
		(void)json_object_object_get_ex(res, "services", &list);
		for (size_t i = 0; i < json_object_array_length(list); i++) {
			const char *st = str(json_object_array_get_idx(list, i), "state");

			if (want_running) {
				if (strcmp(st, "fatal") == 0 || strcmp(st, "exited") == 0 ||
				    strcmp(st, "stopped") == 0)
					failed = true;
				else if (strcmp(st, "running") != 0)
					done = false;
			} else if (strcmp(st, "stopped") != 0) {
				done = false;
			}
		}
		json_object_put(*last);
		*last = reply;
		if (failed)
			return 1;
		if (done)
			return 0;
		if (nbpy_monotonic_ns() >= deadline) {
			fprintf(stderr, "nbpyctl: timed out waiting\n");
			return 1;
		}
		(void)zmq_poll(NULL, 0, 50);
	}
}

static void print_reply(const struct ctl *c, const char *cmd, struct json_object *reply)
{
	struct json_object *res;

	if (c->json) {
		printf("%s\n", json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PRETTY));
		return;
	}
	if (!json_object_object_get_ex(reply, "result", &res))
		return;
	if (strcmp(cmd, "history") == 0)
		print_history(res);
	else if (strcmp(cmd, "ping") == 0)
		printf("nbpyd %s, pid %lld, %s\n", str(res, "version"), (long long)num(res, "pid"),
		       str(res, "config"));
	else if (strcmp(cmd, "reload") == 0)
		printf("%s\n", json_object_to_json_string_ext(res, JSON_C_TO_STRING_SPACED));
	else
		print_status(res);
}

int main(int argc, char **argv)
{
	struct ctl c = { .timeout_ns = 30 * NBPY_NS_PER_SEC };
	const char *config = SYSCONFDIR "/nbpy/nbpy.conf", *cmd;
	char *peeked = NULL, *server_key = NULL;
	struct json_object *req, *reply = NULL;
	char *names[256];
	int n = 0, rc, i;
	bool no_wait = false;
	int64_t hist_n = 20;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
			config = argv[++i];
		} else if (strcmp(argv[i], "-e") == 0 && i + 1 < argc) {
			c.endpoint = argv[++i];
		} else if (strcmp(argv[i], "--json") == 0) {
			c.json = true;
		} else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
			if (nbpy_parse_duration(argv[++i], &c.timeout_ns) < 0 || c.timeout_ns <= 0) {
				fprintf(stderr, "nbpyctl: bad --timeout '%s' (e.g. 10s)\n", argv[i]);
				return 1;
			}
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 1;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 1;
	}
	cmd = argv[i++];
	if (strcmp(cmd, "keygen") == 0) {
		char pub[41], sec[41];

		if (zmq_curve_keypair(pub, sec) < 0) {
			fprintf(stderr, "nbpyctl: keygen: %s\n", zmq_strerror(errno));
			return 1;
		}
		printf("public %s\nsecret %s\n", pub, sec);
		return 0;
	}
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--no-wait") == 0)
			no_wait = true;
		else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
			hist_n = atoll(argv[++i]);
		else if (n < 256)
			names[n++] = argv[i];
	}
	if ((strcmp(cmd, "start") == 0 || strcmp(cmd, "stop") == 0 || strcmp(cmd, "restart") == 0) && n == 0) {
		fprintf(stderr, "nbpyctl: %s needs service names\n", cmd);
		return 1;
	}
	if (c.endpoint == NULL) {
		/* Only the endpoint is needed, and a file with errors elsewhere
		 * must not stop `nbpyctl reload` from reporting them. */
		if (access(config, R_OK) < 0) {
			fprintf(stderr, "nbpyctl: %s: %s (or pass -e ENDPOINT)\n", config, strerror(errno));
			return 1;
		}
		peeked = nbpy_config_peek(config, "nbpyd", "control");
		c.endpoint = peeked;
		for (const struct nbpy_key_spec *k = nbpy_global_keys; !c.endpoint && k->name; k++)
			if (strcmp(k->name, "control") == 0)
				c.endpoint = k->def;
	}
	if (strncmp(c.endpoint, "tcp://", 6) == 0) {
		c.server_key = getenv("NBPYCTL_CURVE_SERVER");
		if (c.server_key == NULL && access(config, R_OK) == 0)
			c.server_key = server_key = nbpy_config_peek(config, "nbpyd", "control_curve_public");
		c.public_key = getenv("NBPYCTL_CURVE_PUBLIC");
		c.secret_key = getenv("NBPYCTL_CURVE_SECRET");
		if (c.server_key == NULL || c.public_key == NULL || c.secret_key == NULL) {
			fprintf(stderr, "nbpyctl: %s is tcp: it needs the server's CURVE key "
				"(control_curve_public or NBPYCTL_CURVE_SERVER) and a client pair in "
				"NBPYCTL_CURVE_PUBLIC and NBPYCTL_CURVE_SECRET (nbpyctl keygen)\n", c.endpoint);
			free(server_key);
			free(peeked);
			return 1;
		}
	}
	c.ctx = zmq_ctx_new();
	if (c.ctx == NULL)
		return 1;
	req = request(cmd, names, n);
	if (strcmp(cmd, "history") == 0)
		json_object_object_add(req, "n", json_object_new_int64(hist_n));
	reply = call(&c, req);
	json_object_put(req);
	if (reply == NULL) {
		fprintf(stderr, "nbpyctl: nbpyd is not answering on %s\n", c.endpoint);
		rc = EXIT_UNREACHABLE;
		goto out;
	}
	rc = check_error(reply);
	if (rc != 0)
		goto out;
	if (!no_wait && (strcmp(cmd, "start") == 0 || strcmp(cmd, "restart") == 0))
		rc = wait_for(&c, names, n, true, &reply);
	else if (!no_wait && strcmp(cmd, "stop") == 0)
		rc = wait_for(&c, names, n, false, &reply);
	if (rc == EXIT_UNREACHABLE) {
		fprintf(stderr, "nbpyctl: nbpyd is not answering on %s\n", c.endpoint);
		goto out;
	}
	print_reply(&c, cmd, reply);
	if (rc == 0 && strcmp(cmd, "status") == 0 && n > 0) {
		struct json_object *res, *list;

		(void)json_object_object_get_ex(reply, "result", &res);
		(void)json_object_object_get_ex(res, "services", &list);
		for (size_t k = 0; k < json_object_array_length(list); k++)
			if (strcmp(str(json_object_array_get_idx(list, k), "state"), "running") != 0)
				rc = EXIT_NOT_RUNNING;
	}
out:
	json_object_put(reply);
	(void)zmq_ctx_term(c.ctx);
	free(peeked);
	free(server_key);
	return rc;
}
