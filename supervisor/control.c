/* control.c - the JSON commands of the control socket (docs/control-protocol.md).
 *
 * Request:  {"v": 1, "id": ANY, "cmd": "status", "services": ["a", ...], "n": 20}
 * Reply:    {"v": 1, "id": ANY, "ok": true, "result": {...}}
 *      or:  {"v": 1, "id": ANY, "ok": false, "error": {"code": "...", "message": "..."}}
 * Every command answers at once; start, stop and restart report the state
 * they left and the client polls status to wait.  The commands are one table
 * (commands[]): a name, a handler and flags that say which checks the
 * request passes first.  Only service.c changes a service. */
#include <autoconfig.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "supervisor/supervisor.h"
#include "common/timefmt.h"

static struct json_object *svc_json(const struct svc *s)
{
	struct json_object *o = json_object_new_object();
	int64_t now = nbpy_monotonic_ns();
	char last[160] = "";

	if (s->has_last_exit)
		exit_status_describe(&s->last_exit, last, sizeof(last));
	json_object_object_add(o, "name", json_object_new_string(s->name));
	json_object_object_add(o, "state", json_object_new_string(svc_state_name(s->state)));
	json_object_object_add(o, "reason", json_object_new_string(s->reason));
	json_object_object_add(o, "enabled", json_object_new_boolean(s->enabled));
	json_object_object_add(o, "pid", json_object_new_int(s->pid));
	json_object_object_add(o, "uptime_ns",
			       json_object_new_int64(s->pid ? now - s->spawned_mono : 0));
	json_object_object_add(o, "restarts", json_object_new_int((int)s->restarts));
	json_object_object_add(o, "last_exit", json_object_new_string(last));
	json_object_object_add(o, "status", json_object_new_string(s->status_text));
	json_object_object_add(o, "since_ns", json_object_new_int64(s->since_real));
	json_object_object_add(o, "log_lines", json_object_new_int64((int64_t)s->log.lines));
	json_object_object_add(o, "log_suppressed", json_object_new_int64((int64_t)s->log.suppressed));
	return o;
}

/* {"v": 1, "id": ID, "ok": OK, KEY: VALUE}, as text */
static char *reply_with(struct json_object *id, bool ok, const char *key, struct json_object *value)
{
	struct json_object *o = json_object_new_object();
	char *text;

	json_object_object_add(o, "v", json_object_new_int(CONTROL_PROTOCOL));
	json_object_object_add(o, "id", id ? json_object_get(id) : NULL);
	json_object_object_add(o, "ok", json_object_new_boolean(ok));
	json_object_object_add(o, key, value);
	text = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return text;
}

static char *reply_ok(struct json_object *id, struct json_object *result)
{
	return reply_with(id, true, "result", result ? result : json_object_new_object());
}

static char *reply_error_text(struct json_object *id, const char *code, const char *msg)
{
	struct json_object *e = json_object_new_object();

	json_object_object_add(e, "code", json_object_new_string(code));
	json_object_object_add(e, "message", json_object_new_string(msg));
	return reply_with(id, false, "error", e);
}

static char *reply_error(struct json_object *id, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static char *reply_error(struct json_object *id, const char *code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return reply_error_text(id, code, msg);
}

/* An array of strings: json-c would read 1 or null as the name "1" or "". */
static bool is_name_array(struct json_object *names)
{
	if (!json_object_is_type(names, json_type_array))
		return false;
	for (size_t i = 0; i < json_object_array_length(names); i++)
		if (!json_object_is_type(json_object_array_get_idx(names, i), json_type_string))
			return false;
	return true;
}

/* The services named (an array of names, or NULL), or all of them when none
 * are.  NULL with *unknown set for a name that is no service (still NULL:
 * out of memory). */
static struct svc **select_services(struct supervisor *sv, struct json_object *names, size_t *n,
				    const char **unknown)
{
	size_t named = names ? json_object_array_length(names) : 0;
	struct svc **out = calloc(named ? named : sv->n_svcs + 1, sizeof(*out));

	*unknown = NULL;
	*n = 0;
	if (out == NULL)
		return NULL;
	for (size_t i = 0; named == 0 && i < sv->n_svcs; i++)
		out[(*n)++] = sv->svcs[i];
	for (size_t i = 0; i < named; i++) {
		const char *name = json_object_get_string(json_object_array_get_idx(names, i));
		struct svc *s = supervisor_find(sv, name);

		if (s == NULL) {
			*unknown = name;
			free(out);
			return NULL;
		}
		out[(*n)++] = s;
	}
	return out;
}

/* {"added": [...], "removed": [...], "changed": [...], "unchanged": [...]} */
static struct json_object *diff_result(const struct reload_diff *diff)
{
	static const char *const keys[RELOAD_CHANGES] = { "added", "removed", "changed", "unchanged" };
	struct json_object *r = json_object_new_object(), *names[RELOAD_CHANGES];

	for (int c = 0; c < RELOAD_CHANGES; c++)
		names[c] = json_object_new_array();
	for (size_t i = 0; i < diff->n; i++)
		json_object_array_add(names[diff->entries[i].change],
				      json_object_new_string(diff->entries[i].name));
	for (int c = 0; c < RELOAD_CHANGES; c++)
		json_object_object_add(r, keys[c], names[c]);
	return r;
}

/* A request that passed the checks its command's flags ask for. */
struct request {
	struct json_object *root, *id;
	struct svc **list;	/* CMD_SERVICES: the services it names */
	size_t n;
};

static char *cmd_ping(struct supervisor *sv, const struct request *rq)
{
	struct json_object *result = json_object_new_object();

	json_object_object_add(result, "pid", json_object_new_int((int)getpid()));
	json_object_object_add(result, "version", json_object_new_string(PACKAGE_VERSION));
	json_object_object_add(result, "config", json_object_new_string(sv->config_path));
	return reply_ok(rq->id, result);
}

static char *cmd_reload(struct supervisor *sv, const struct request *rq)
{
	struct reload_diff diff;
	struct nbpy_diag d;
	char *out;

	if (supervisor_reload(sv, &diff, &d) < 0) {
		/* the very text `nbpyd --check` prints, less its last newline */
		char *text = nbpy_diag_text(&d);

		if (text != NULL && *text != '\0')
			text[strlen(text) - 1] = '\0';
		out = text ? reply_error_text(rq->id, "bad_config", text)
			   : reply_error(rq->id, "internal", "out of memory");
		free(text);
	} else {
		out = reply_ok(rq->id, diff_result(&diff));
	}
	reload_diff_free(&diff);
	nbpy_diag_free(&d);
	return out;
}

static char *cmd_status(struct supervisor *sv, const struct request *rq)
{
	struct json_object *r = json_object_new_object(), *a = json_object_new_array();
	char summary[128];

	for (size_t i = 0; i < rq->n; i++)
		json_object_array_add(a, svc_json(rq->list[i]));
	supervisor_summary(sv, summary, sizeof(summary));
	json_object_object_add(r, "services", a);
	json_object_object_add(r, "summary", json_object_new_string(summary));
	return reply_ok(rq->id, r);
}

/* Per service, its newest n entries, oldest first. */
static char *cmd_history(struct supervisor *sv, const struct request *rq)
{
	struct json_object *r = json_object_new_object(), *all = json_object_new_array(), *v;
	int64_t max = 20;

	(void)sv;
	if (json_object_object_get_ex(rq->root, "n", &v))
		max = json_object_get_int64(v);
	for (size_t i = 0; i < rq->n; i++) {
		struct json_object *a = history_read(&rq->list[i]->hist, max < 1 ? 1 : (size_t)max);

		for (size_t j = 0; a != NULL && j < json_object_array_length(a); j++) {
			struct json_object *e = json_object_get(json_object_array_get_idx(a, j));

			json_object_object_add(e, "service", json_object_new_string(rq->list[i]->name));
			json_object_array_add(all, e);
		}
		json_object_put(a);
	}
	json_object_object_add(r, "entries", all);
	return reply_ok(rq->id, r);
}

static char *cmd_start(struct supervisor *sv, const struct request *rq)
{
	for (size_t i = 0; i < rq->n; i++)
		svc_start(rq->list[i], SVC_CAUSE_START);
	return cmd_status(sv, rq);
}

static char *cmd_stop(struct supervisor *sv, const struct request *rq)
{
	for (size_t i = 0; i < rq->n; i++)
		svc_stop(rq->list[i], "stopped by nbpyctl");
	return cmd_status(sv, rq);
}

static char *cmd_restart(struct supervisor *sv, const struct request *rq)
{
	for (size_t i = 0; i < rq->n; i++)
		svc_restart(rq->list[i], "restart");
	return cmd_status(sv, rq);
}

enum {
	CMD_SERVICES = 1,	/* works on "services": the named ones, all when none are */
	CMD_NEEDS_NAMES = 2,	/* at least one name: "all" is not meant */
	CMD_NOT_IN_SHUTDOWN = 4,	/* starts or stops workers: refused while nbpyd stops */
};

static const struct command {
	const char *name;
	char *(*handler)(struct supervisor *sv, const struct request *rq);
	unsigned flags;
} commands[] = {
	{ "ping", cmd_ping, 0 },
	{ "reload", cmd_reload, 0 },
	{ "status", cmd_status, CMD_SERVICES },
	{ "history", cmd_history, CMD_SERVICES },
	{ "start", cmd_start, CMD_SERVICES | CMD_NEEDS_NAMES | CMD_NOT_IN_SHUTDOWN },
	{ "stop", cmd_stop, CMD_SERVICES | CMD_NEEDS_NAMES | CMD_NOT_IN_SHUTDOWN },
	{ "restart", cmd_restart, CMD_SERVICES | CMD_NEEDS_NAMES | CMD_NOT_IN_SHUTDOWN },
};

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

char *control_handle(struct supervisor *sv, const char *req, size_t len)
{
	struct json_tokener *tok;
	struct json_object *names = NULL, *v;
	struct request rq = { .root = NULL };
	const struct command *cmd;
	const char *name, *unknown;
	char *out;

	/* The socket's ZMQ_MAXMSGSIZE drops larger requests unread; this
	 * guards the int below. */
	if (len > CONTROL_MAX_REQUEST)
		return reply_error(NULL, "too_large", "request of %zu bytes, at most %d", len,
			     CONTROL_MAX_REQUEST);
	tok = json_tokener_new_ex(16);
	if (tok == NULL)
		return reply_error(NULL, "internal", "out of memory");
	rq.root = json_tokener_parse_ex(tok, req, (int)len);
	if (rq.root == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len || !json_object_is_type(rq.root, json_type_object)) {
		json_tokener_free(tok);
		json_object_put(rq.root);
		return reply_error(NULL, "bad_request", "not a JSON object");
	}
	json_tokener_free(tok);
	(void)json_object_object_get_ex(rq.root, "id", &rq.id);
	/* only the JSON integer 1: json-c would read "1", 1.9 and true as 1 */
	if (!json_object_object_get_ex(rq.root, "v", &v) || !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) != CONTROL_PROTOCOL) {
		out = reply_error(rq.id, "bad_version", "protocol version %d expected", CONTROL_PROTOCOL);
		goto done;
	}
	if (!json_object_object_get_ex(rq.root, "cmd", &v) || !json_object_is_type(v, json_type_string)) {
		out = reply_error(rq.id, "bad_request", "no \"cmd\" string");
		goto done;
	}
	name = json_object_get_string(v);
	if (json_object_object_get_ex(rq.root, "services", &names) && !is_name_array(names)) {
		out = reply_error(rq.id, "bad_request", "\"services\" must be an array of names");
		goto done;
	}
	if (json_object_object_get_ex(rq.root, "n", &v) && !json_object_is_type(v, json_type_int)) {
		out = reply_error(rq.id, "bad_request", "\"n\" must be an integer");
		goto done;
	}
	if ((cmd = find_command(name)) == NULL) {
		out = reply_error(rq.id, "unknown_command", "unknown command '%.64s'", name);
		goto done;
	}
	if ((cmd->flags & CMD_NEEDS_NAMES) && (names == NULL || json_object_array_length(names) == 0)) {
		out = reply_error(rq.id, "bad_request", "%s needs service names", name);
		goto done;
	}
	if ((cmd->flags & CMD_SERVICES) &&
	    (rq.list = select_services(sv, names, &rq.n, &unknown)) == NULL) {
		out = unknown ? reply_error(rq.id, "unknown_service", "unknown service '%.64s'", unknown)
			      : reply_error(rq.id, "internal", "out of memory");
		goto done;
	}
	if (sv->shutting_down && (cmd->flags & CMD_NOT_IN_SHUTDOWN)) {
		out = reply_error(rq.id, "shutting_down", "nbpyd is shutting down");
		goto done;
	}
	out = cmd->handler(sv, &rq);
done:
	free(rq.list);
	json_object_put(rq.root);
	return out;
}
