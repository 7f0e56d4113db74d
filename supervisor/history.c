/* history.c - see history.h. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "history.h"

struct json_object *history_entry_json(const struct history_entry *e)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "time_ns", json_object_new_int64(e->time_ns));
	json_object_object_add(o, "event", json_object_new_string(e->event));
	json_object_object_add(o, "pid", json_object_new_int(e->pid));
	json_object_object_add(o, "code", json_object_new_int(e->code));
	json_object_object_add(o, "signal", json_object_new_int(e->signal));
	json_object_object_add(o, "core", json_object_new_boolean(e->core));
	json_object_object_add(o, "uptime_ns", json_object_new_int64(e->uptime_ns));
	json_object_object_add(o, "delay_ns", json_object_new_int64(e->delay_ns));
	json_object_object_add(o, "reason", json_object_new_string(e->reason));
	return o;
}

static int64_t get_i64(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

static const char *get_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

static void ring_push(struct history *h, const struct history_entry *e)
{
	if (h->n < h->size) {
		h->ring[(h->head + h->n) % h->size] = *e;
		h->n++;
	} else {
		h->ring[h->head] = *e;
		h->head = (h->head + 1) % h->size;
	}
}

static int mkdir_p(const char *dir)
{
	char tmp[4096];

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s", dir) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(tmp, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

int history_open(struct history *h, const char *state_dir, const char *service, size_t size)
{
	char dir[4096], line[1024];
	FILE *f;

	memset(h, 0, sizeof(*h));
	h->size = size ? size : 1;
	h->ring = calloc(h->size, sizeof(*h->ring));
	if (h->ring == NULL)
		return -1;
	if ((size_t)snprintf(dir, sizeof(dir), "%s/history", state_dir) >= sizeof(dir) ||
	    mkdir_p(dir) < 0 || asprintf(&h->path, "%s/%s.jsonl", dir, service) < 0) {
		h->path = NULL;
		return -1;
	}
	f = fopen(h->path, "r");
	if (f == NULL)
		return errno == ENOENT ? 0 : -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		struct json_object *o;
		struct history_entry e;

		h->file_lines++;
		if (strchr(line, '\n') == NULL)
			continue;	/* torn write or oversized: skip */
		o = json_tokener_parse(line);
		if (o == NULL || !json_object_is_type(o, json_type_object)) {
			json_object_put(o);
			continue;
		}
		memset(&e, 0, sizeof(e));
		e.time_ns = get_i64(o, "time_ns");
		(void)snprintf(e.event, sizeof(e.event), "%s", get_str(o, "event"));
		e.pid = (int)get_i64(o, "pid");
		e.code = (int)get_i64(o, "code");
		e.signal = (int)get_i64(o, "signal");
		e.core = (int)get_i64(o, "core");
		e.uptime_ns = get_i64(o, "uptime_ns");
		e.delay_ns = get_i64(o, "delay_ns");
		(void)snprintf(e.reason, sizeof(e.reason), "%s", get_str(o, "reason"));
		json_object_put(o);
		ring_push(h, &e);
	}
	return fclose(f) == 0 ? 0 : -1;
}

void history_close(struct history *h)
{
	free(h->ring);
	free(h->path);
	memset(h, 0, sizeof(*h));
}

static int write_line(int fd, const struct history_entry *e)
{
	struct json_object *o = history_entry_json(e);
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	char buf[1024];
	int n = snprintf(buf, sizeof(buf), "%s\n", s);
	int rc = 0;

	json_object_put(o);
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		errno = EOVERFLOW;
		return -1;
	}
	/* One write per line: appends of a line never interleave. */
	if (write(fd, buf, (size_t)n) != n)
		rc = -1;
	return rc;
}

/* Rewrite the file with the entries in memory: temp file, fsync, rename. */
static int compact(struct history *h)
{
	char tmp[4200];
	int fd, rc = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", h->path) >= sizeof(tmp))
		return -1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	for (size_t i = 0; i < h->n && rc == 0; i++)
		rc = write_line(fd, &h->ring[(h->head + i) % h->size]);
	if (rc == 0 && fsync(fd) < 0)
		rc = -1;
	if (close(fd) < 0)
		rc = -1;
	if (rc == 0 && rename(tmp, h->path) < 0)
		rc = -1;
	if (rc == 0)
		h->file_lines = h->n;
	else
		(void)unlink(tmp);
	return rc;
}

int history_add(struct history *h, const struct history_entry *e)
{
	int fd, rc;

	ring_push(h, e);
	if (h->path == NULL)
		return -1;
	if (h->file_lines + 1 > 2 * h->size)
		return compact(h);
	fd = open(h->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	rc = write_line(fd, e);
	if (close(fd) < 0)
		rc = -1;
	if (rc == 0)
		h->file_lines++;
	return rc;
}

const struct history_entry *history_get(const struct history *h, size_t i)
{
	if (i >= h->n)
		return NULL;
	return &h->ring[(h->head + h->n - 1 - i) % h->size];
}
