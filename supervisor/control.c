/* control.c - the JSON commands of the control socket (docs/control-protocol.md).
 *
 * Request:  {"v": 1, "id": ANY, "cmd": "status", "services": ["a", ...], "n": 20}
 * Reply:    {"v": 1, "id": ANY, "ok": true, "result": {...}}
 *      or:  {"v": 1, "id": ANY, "ok": false, "error": {"code": "...", "message": "..."}}
 * Every command answers at once; start, stop and restart report the state
 * they left and the client polls status to wait. */
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

static char *finish(struct json_object *o)
{
	char *text = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));

	json_object_put(o);
	return text;
}

static struct json_object *envelope(struct json_object *id, bool ok)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "v", json_object_new_int(CONTROL_PROTOCOL));
	json_object_object_add(o, "id", id ? json_object_get(id) : NULL);
	json_object_object_add(o, "ok", json_object_new_boolean(ok));
	return o;
}

static char *reply_ok(struct json_object *id, struct json_object *result)
{
	struct json_object *o = envelope(id, true);

	json_object_object_add(o, "result", result ? result : json_object_new_object());
	return finish(o);
}

static char *reply_error_text(struct json_object *id, const char *code, const char *msg)
{
	struct json_object *o = envelope(id, false), *e = json_object_new_object();

	json_object_object_add(e, "code", json_object_new_string(code));
	json_object_object_add(e, "message", json_object_new_string(msg));
	json_object_object_add(o, "error", e);
	return finish(o);
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

/* The named services, or all when none are named.  NULL + *unknown set if
 * a name is not a service. */
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

static struct svc **select_services(struct supervisor *sv, struct json_object *names,
				    size_t *n, const char **unknown, bool all_if_none)
{
	size_t count = names ? json_object_array_length(names) : 0;
	struct svc **out;

	*unknown = NULL;
	if (count == 0 && all_if_none)
		count = sv->n_svcs;
	out = calloc(count ? count : 1, sizeof(*out));
	if (out == NULL)
		return NULL;
	*n = 0;
	if (names == NULL || json_object_array_length(names) == 0) {
		if (all_if_none)
			for (size_t i = 0; i < sv->n_svcs; i++)
				out[(*n)++] = sv->svcs[i];
		return out;
	}
	for (size_t i = 0; i < count; i++) {
		struct json_object *v = json_object_array_get_idx(names, i);
		struct svc *s = supervisor_find(sv, json_object_get_string(v));

		if (s == NULL) {
			*unknown = json_object_get_string(v);
			free(out);
			return NULL;
		}
		out[(*n)++] = s;
	}
	return out;
}

static struct json_object *status_result(struct supervisor *sv, struct svc **list, size_t n)
{
	struct json_object *r = json_object_new_object(), *a = json_object_new_array();
	char summary[128];

	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, svc_json(list[i]));
	supervisor_summary(sv, summary, sizeof(summary));
	json_object_object_add(r, "services", a);
	json_object_object_add(r, "summary", json_object_new_string(summary));
	return r;
}

static struct json_object *history_result(struct svc **list, size_t n, int64_t max)
{
	struct json_object *r = json_object_new_object(), *all = json_object_new_array();

	/* per service, newest `max`, oldest first */
	for (size_t i = 0; i < n; i++) {
		struct json_object *a = history_read(&list[i]->hist, (size_t)max);

		for (size_t j = 0; a != NULL && j < json_object_array_length(a); j++) {
			struct json_object *e = json_object_get(json_object_array_get_idx(a, j));

			json_object_object_add(e, "service", json_object_new_string(list[i]->name));
			json_object_array_add(all, e);
		}
		json_object_put(a);
	}
	json_object_object_add(r, "entries", all);
	return r;
}

char *control_handle(struct supervisor *sv, const char *req, size_t len)
{
	struct json_tokener *tok;
	struct json_object *root, *v, *id = NULL, *names = NULL, *result = NULL;
	const char *cmd, *unknown = NULL;
	struct svc **list = NULL;
	size_t n = 0;
	char *out;

	/* The socket's ZMQ_MAXMSGSIZE drops larger requests unread; this
	 * guards the int below. */
	if (len > CONTROL_MAX_REQUEST)
		return reply_error(NULL, "too_large", "request of %zu bytes, at most %d", len,
			     CONTROL_MAX_REQUEST);
	tok = json_tokener_new_ex(16);
	if (tok == NULL)
		return reply_error(NULL, "internal", "out of memory");
	root = json_tokener_parse_ex(tok, req, (int)len);
	if (root == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len || !json_object_is_type(root, json_type_object)) {
		json_tokener_free(tok);
		json_object_put(root);
		return reply_error(NULL, "bad_request", "not a JSON object");
	}
	json_tokener_free(tok);
	(void)json_object_object_get_ex(root, "id", &id);
	/* only the JSON integer 1: json-c would read "1", 1.9 and true as 1 */
	if (!json_object_object_get_ex(root, "v", &v) || !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) != CONTROL_PROTOCOL) {
		out = reply_error(id, "bad_version", "protocol version %d expected", CONTROL_PROTOCOL);
		goto done;
	}
	if (!json_object_object_get_ex(root, "cmd", &v) || !json_object_is_type(v, json_type_string)) {
		out = reply_error(id, "bad_request", "no \"cmd\" string");
		goto done;
	}
	cmd = json_object_get_string(v);
	if (json_object_object_get_ex(root, "services", &names) && !is_name_array(names)) {
		out = reply_error(id, "bad_request", "\"services\" must be an array of names");
		goto done;
	}
	if (json_object_object_get_ex(root, "n", &v) && !json_object_is_type(v, json_type_int)) {
		out = reply_error(id, "bad_request", "\"n\" must be an integer");
		goto done;
	}
	if (strcmp(cmd, "ping") == 0) {
		result = json_object_new_object();
		json_object_object_add(result, "pid", json_object_new_int((int)getpid()));
		json_object_object_add(result, "version", json_object_new_string(PACKAGE_VERSION));
		json_object_object_add(result, "config", json_object_new_string(sv->config_path));
		out = reply_ok(id, result);
		goto done;
	}
	if (strcmp(cmd, "reload") == 0) {
		struct json_object *diff = NULL;
		struct nbpy_diag d;

		if (supervisor_reload(sv, &diff, &d) < 0) {
			/* the very text `nbpyd --check` prints, less its last newline */
			char *text = nbpy_diag_text(&d);

			if (text != NULL && *text != '\0')
				text[strlen(text) - 1] = '\0';
			out = text ? reply_error_text(id, "bad_config", text)
				   : reply_error(id, "internal", "out of memory");
			free(text);
		} else {
			out = reply_ok(id, diff);
		}
		nbpy_diag_free(&d);
		goto done;
	}
	if (strcmp(cmd, "status") != 0 && strcmp(cmd, "start") != 0 && strcmp(cmd, "stop") != 0 &&
	    strcmp(cmd, "restart") != 0 && strcmp(cmd, "history") != 0) {
		out = reply_error(id, "unknown_command", "unknown command '%.64s'", cmd);
		goto done;
	}
	list = select_services(sv, names, &n, &unknown,
			       strcmp(cmd, "status") == 0 || strcmp(cmd, "history") == 0);
	if (list == NULL) {
		out = unknown ? reply_error(id, "unknown_service", "unknown service '%.64s'", unknown)
			      : reply_error(id, "internal", "out of memory");
		goto done;
	}
	if (n == 0 && strcmp(cmd, "status") != 0 && strcmp(cmd, "history") != 0) {
		out = reply_error(id, "bad_request", "%s needs service names", cmd);
		goto done;
	}
	if (sv->shutting_down && strcmp(cmd, "status") != 0 && strcmp(cmd, "history") != 0) {
		out = reply_error(id, "shutting_down", "nbpyd is shutting down");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		if (strcmp(cmd, "start") == 0) {
			svc_start(list[i], "start");
		} else if (strcmp(cmd, "stop") == 0) {
			svc_stop(list[i], "stopped by nbpyctl");
		} else if (strcmp(cmd, "restart") == 0) {
			bool running = svc_has_process(list[i]);

			svc_stop(list[i], "restart");
			if (running)
				list[i]->start_after_stop = true;
			else
				svc_start(list[i], "start");
		}
	}
	if (strcmp(cmd, "history") == 0) {
		int64_t max = 20;

		if (json_object_object_get_ex(root, "n", &v))
			max = json_object_get_int64(v);
		if (max < 1)
			max = 1;
		result = history_result(list, n, max);
	} else {
		result = status_result(sv, list, n);
	}
	out = reply_ok(id, result);
done:
	free(list);
	json_object_put(root);
	return out;
}
