/* config_kinds.c - the config keys that belong to no worker kind: the
 * [nbpyd] section, the keys every service has and the bus keys of publishers
 * and subscribers, and nbpyd's own kind `exec`.  Each worker kind declares
 * its keys in its own file (workers/kinds.list); validation,
 * docs/configuration.md and `nbpy-worker --list-kinds` read both. */
#include <stdint.h>
#include <string.h>

#include "common/config.h"

#define KEY(n, t, default, text) { .name = n, .type = t, .def = default, .doc = text }
#define KEY_ENUM(n, options, default, text) \
	{ .name = n, .type = NBPY_KEY_ENUM, .def = default, .doc = text, .choices = options }
#define KEY_INT(n, lo, hi, default, text) \
	{ .name = n, .type = NBPY_KEY_INT, .def = default, .doc = text, .min = lo, .max = hi }
#define KEY_INT_LIST(n, lo, hi, default, text) \
	{ .name = n, .type = NBPY_KEY_INT_LIST, .def = default, .doc = text, .min = lo, .max = hi }
#define KEY_END NBPY_SETTINGS_END

const struct nbpy_key_spec nbpy_global_keys[] = {
	KEY("control", NBPY_KEY_ENDPOINT, "ipc:///run/nbpy/control",
	    "ZeroMQ endpoint of the control socket nbpyctl talks to"),
	KEY("state_dir", NBPY_KEY_STRING, "/var/lib/nbpy",
	    "directory for restart history, cursors, spools and SQLite files"),
	KEY("bus_host", NBPY_KEY_STRING, "127.0.0.1",
	    "host publishers bind and subscribers connect to for registry ports"),
	KEY("stop_timeout", NBPY_KEY_DURATION, "10s",
	    "default time a worker has to exit after SIGTERM before SIGKILL"),
	KEY("backoff", NBPY_KEY_DURATION_RANGE, "1s..60s",
	    "restart delay: starts at MIN, doubles per failure up to MAX"),
	KEY_ENUM("log_level", "error|warning|notice|info|debug", "info",
		 "lowest level logged by nbpyd and workers"),
	KEY("run_dir", NBPY_KEY_STRING, "/run/nbpy",
	    "directory for the workers' notify sockets (systemd RuntimeDirectory)"),
	{ .name = "control_curve_secret", .type = NBPY_KEY_STRING, .flags = NBPY_KEY_SECRET,
	  .doc = "CURVE secret key (Z85) of a tcp control socket; use ${VAR} or control_curve_secret_file, "
		 "not the key itself" },
	KEY("control_curve_public", NBPY_KEY_STRING, NULL,
	    "CURVE public key (Z85) of a tcp control socket, for nbpyctl"),
	KEY("control_curve_clients", NBPY_KEY_LIST, NULL,
	    "CURVE public keys (Z85) allowed to use a tcp control socket"),
	KEY("control_group", NBPY_KEY_STRING, NULL,
	    "group that owns the ipc control socket (mode 0660); default nbpyd's group"),
	KEY("worker", NBPY_KEY_STRING, NULL,
	    "the worker program for services with a kind: a path, or a name searched in PATH; "
	    "default nbpy-worker beside nbpyd, else in the configured bindir"),
	KEY_INT("history_size", 100, 100000, "200", "restart-history entries kept per service"),
	KEY_INT("log_rate_burst", 0, 1000000000, "1000",
		"log lines a worker may write per log_rate_interval; the rest are dropped and counted (0: no limit)"),
	KEY("log_rate_interval", NBPY_KEY_DURATION, "30s",
	    "the interval of log_rate_burst; one \"suppressed N lines\" line after each that dropped some (0: no limit)"),
	KEY_END
};

const struct nbpy_key_spec nbpy_service_keys[] = {
	KEY("kind", NBPY_KEY_STRING, NULL, "worker kind (see below); optional with `command`"),
	KEY("enabled", NBPY_KEY_BOOL, "yes", "start this service with nbpyd"),
	KEY("command", NBPY_KEY_STRING, NULL,
	    "run this program instead of nbpy-worker (kind `exec`)"),
	KEY("description", NBPY_KEY_STRING, NULL, "free text shown by nbpyctl"),
	/* supervision, read by nbpyd */
	KEY_ENUM("restart", "always|on-failure|never", "always",
		 "restart after any exit, only after a failure, or never"),
	KEY_INT_LIST("restart_prevent_exit", 0, 255, "78",
		     "exit codes that never restart (78: configuration error): the service goes fatal"),
	KEY_INT_LIST("success_exit", 0, 255, "0", "exit codes that count as success"),
	KEY("backoff", NBPY_KEY_DURATION_RANGE, NULL, "restart delay range; default [nbpyd] backoff"),
	KEY("stable_after", NBPY_KEY_DURATION, "60s", "running this long resets the backoff"),
	KEY_INT("crash_loop_count", 2, 1000, "5", "this many exits within crash_loop_window..."),
	KEY("crash_loop_window", NBPY_KEY_DURATION, "60s", "...make the service fatal"),
	KEY("fatal_retry", NBPY_KEY_DURATION, "0",
	    "retry a fatal service after this long (0: wait for nbpyctl start)"),
	KEY("notify", NBPY_KEY_BOOL, NULL,
	    "the program sends READY=1 (default yes for kinds, no for command)"),
	KEY("start_secs", NBPY_KEY_DURATION, "1s", "without notify: alive this long counts as running"),
	KEY("start_timeout", NBPY_KEY_DURATION, "30s", "longest time to become ready"),
	KEY("watchdog", NBPY_KEY_DURATION, "0", "kill and restart when WATCHDOG=1 stops this long (0: off)"),
	KEY_ENUM("stop_signal", "TERM|INT|HUP|QUIT|USR1|USR2", "TERM", "first signal of a stop"),
	KEY("stop_timeout", NBPY_KEY_DURATION, NULL, "then SIGKILL; default [nbpyd] stop_timeout"),
	KEY_INT("log_rate_burst", 0, 1000000000, NULL, "default [nbpyd] log_rate_burst"),
	KEY("log_rate_interval", NBPY_KEY_DURATION, NULL, "default [nbpyd] log_rate_interval"),
	KEY("user", NBPY_KEY_STRING, NULL, "run as this user"),
	KEY("group", NBPY_KEY_STRING, NULL, "run as this group (default: the user's)"),
	KEY("working_dir", NBPY_KEY_STRING, NULL, "start in this directory"),
	KEY("environment", NBPY_KEY_ENV_LIST, NULL, "NAME=VALUE pairs added to the environment"),
	KEY("umask", NBPY_KEY_OCTAL, NULL, "file creation mask, octal (e.g. 027)"),
	KEY_INT("nice", -20, 19, NULL, "scheduling priority"),
	KEY_INT("limit_nofile", 16, 1048576, NULL, "RLIMIT_NOFILE"),
	KEY("limit_core", NBPY_KEY_SIZE, NULL, "RLIMIT_CORE"),
	KEY_END
};

const struct nbpy_key_spec nbpy_publisher_keys[] = {
	KEY("bind", NBPY_KEY_ENDPOINT, NULL,
	    "PUB endpoint; default tcp://BUS_HOST:PORT from the port registry"),
	KEY("topic", NBPY_KEY_STRING, NULL, "topic frame; default from the port registry"),
	KEY_ENUM("wire", "msgpack|legacy", "msgpack",
		 "msgpack, or legacy: the original single-frame SOH text"),
	KEY_INT("sndhwm", 0, 10000000, "100000", "ZeroMQ send high-water mark, in messages"),
	KEY_INT("batch", 1, NBPY_BATCH_MAX, "1",
		"MessagePack messages packed per frame; a batch leaves at the latest when the loop idles"),
	KEY_END
};

const struct nbpy_key_spec nbpy_subscriber_keys[] = {
	KEY("subscribe", NBPY_KEY_LIST, NULL, "services to read, by name (resolved via the registry)"),
	KEY("connect", NBPY_KEY_LIST, NULL, "raw endpoints to read, for publishers outside this file"),
	KEY("topics", NBPY_KEY_LIST, NULL, "topic filters for `connect` endpoints (default: all)"),
	KEY_INT("rcvhwm", 0, 10000000, "100000", "ZeroMQ receive high-water mark, in messages"),
	KEY_END
};

static const struct nbpy_key_spec exec_keys[] = { KEY_END };

const struct nbpy_kind_spec nbpy_exec_kind = {
	.name = "exec", .doc = "any program given with `command`", .flags = NBPY_KIND_PUBLISHES,
	.schema = NBPY_SCHEMA_NONE, .keys = exec_keys,
};

const struct nbpy_kind_spec *nbpy_kind_find(const char *name)
{
	for (const struct nbpy_kind_spec *const *k = nbpy_kinds; *k != NULL; k++)
		if (strcmp((*k)->name, name) == 0)
			return *k;
	return NULL;
}
