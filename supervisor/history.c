/* history.c - see history.h. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/fs.h"
#include "supervisor/history.h"

#define LINE_MAX_BYTES 1024

/* Every complete line of the file (a torn last line is dropped), newest
 * last, at most 2 * size + 1 of them: the file never holds more. */
static char **read_lines(const struct history *h, size_t *n)
{
	size_t cap = 2 * h->size + 2, count = 0;
	char **lines = calloc(cap, sizeof(char *)), buf[LINE_MAX_BYTES];
	FILE *f;

	*n = 0;
	if (lines == NULL)
		return NULL;
	f = fopen(h->path, "r");
	if (f == NULL) {
		if (errno == ENOENT)
			return lines;
		free(lines);
		return NULL;
	}
	while (fgets(buf, sizeof(buf), f) != NULL) {
		if (strchr(buf, '\n') == NULL)
			continue;	/* torn or oversized */
		if (count == cap) {	/* more than expected: keep the newest */
			free(lines[0]);
			memmove(lines, lines + 1, (cap - 1) * sizeof(char *));
			count--;
		}
		if ((lines[count] = strdup(buf)) == NULL)
			break;
		count++;
	}
	(void)fclose(f);
	*n = count;
	return lines;
}

static void free_lines(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

int history_open(struct history *h, const char *state_dir, const char *service, size_t size)
{
	char dir[4096];
	char **lines;

	memset(h, 0, sizeof(*h));
	h->size = size ? size : 1;
	if ((size_t)snprintf(dir, sizeof(dir), "%s/history", state_dir) >= sizeof(dir) ||
	    nbpy_mkdir_p(dir, 0755) < 0 || asprintf(&h->path, "%s/%s.jsonl", dir, service) < 0) {
		h->path = NULL;
		return -1;
	}
	lines = read_lines(h, &h->file_lines);
	if (lines == NULL)
		return -1;
	free_lines(lines, h->file_lines);
	return 0;
}

void history_close(struct history *h)
{
	free(h->path);
	memset(h, 0, sizeof(*h));
}

static int format_line(const struct history_entry *e, char *buf, size_t cap)
{
	struct json_object *o = json_object_new_object();
	int n;

	json_object_object_add(o, "time_ns", json_object_new_int64(e->time_ns));
	json_object_object_add(o, "event", json_object_new_string(e->event));
	json_object_object_add(o, "pid", json_object_new_int(e->pid));
	json_object_object_add(o, "code", json_object_new_int(e->code));
	json_object_object_add(o, "signal", json_object_new_int(e->signal));
	json_object_object_add(o, "core", json_object_new_boolean(e->core));
	json_object_object_add(o, "uptime_ns", json_object_new_int64(e->uptime_ns));
	json_object_object_add(o, "delay_ns", json_object_new_int64(e->delay_ns));
	json_object_object_add(o, "reason", json_object_new_string(e->reason));
	n = snprintf(buf, cap, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	if (n < 0 || (size_t)n >= cap) {
		errno = EOVERFLOW;
		return -1;
	}
	return n;
}

static int write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Rewrite the file as its newest size - 1 lines plus line, atomically. */
static int compact(struct history *h, const char *line, size_t len)
{
	struct nbpy_buf b = NBPY_BUF_INIT;
	size_t n, keep;
	char **lines = read_lines(h, &n);
	int rc = -1;

	if (lines == NULL)
		return -1;
	keep = n < h->size - 1 ? n : h->size - 1;
	for (size_t i = n - keep; i < n; i++)
		(void)nbpy_buf_puts(&b, lines[i]);
	if (nbpy_buf_append(&b, line, len) == 0 && (rc = nbpy_write_atomic(h->path, b.data, b.len)) == 0)
		h->file_lines = keep + 1;
	nbpy_buf_free(&b);
	free_lines(lines, n);
	return rc;
}

/* 1 if the file does not end with a newline (a write cut short by a crash
 * or a full disk left a torn line), 0 if it does or is empty, -1 on error. */
static int ends_torn(int fd)
{
	struct stat st;
	char last;

	if (fstat(fd, &st) < 0)
		return -1;
	if (st.st_size == 0)
		return 0;
	switch (pread(fd, &last, 1, st.st_size - 1)) {
	case 1:
		return last != '\n';
	case 0:		/* shrunk since fstat: only nbpyd writes it */
		errno = EIO;
		return -1;
	default:
		return -1;
	}
}

int history_add(struct history *h, const struct history_entry *e)
{
	/* line[0] is room for the newline that ends a torn line */
	char line[LINE_MAX_BYTES + 1];
	int n = format_line(e, line + 1, sizeof(line) - 1), fd, torn, rc;

	if (n < 0 || h->path == NULL)
		return -1;
	if (h->file_lines + 1 > 2 * h->size)
		return compact(h, line + 1, (size_t)n);	/* drops a torn line */
	fd = open(h->path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	torn = ends_torn(fd);
	if (torn < 0) {
		(void)close(fd);
		return -1;
	}
	/* End the torn fragment, so that it stays a line of its own (skipped
	 * when read) instead of swallowing this entry. */
	line[0] = '\n';
	/* One write per line: appended lines never interleave. */
	rc = write_all(fd, line + 1 - torn, (size_t)n + (size_t)torn);
	if (close(fd) < 0)
		rc = -1;
	if (rc == 0)
		h->file_lines += 1 + (size_t)torn;
	return rc;
}

int history_end_dangling(struct history *h, int64_t now_ns, const char *reason,
			 struct history_entry *out)
{
	struct json_object *newest = history_read(h, 1), *last, *v;
	const char *event = NULL;
	int rc = 0;

	if (newest == NULL)
		return -1;
	last = json_object_array_get_idx(newest, 0);	/* NULL: no entry */
	if (last != NULL && json_object_object_get_ex(last, "event", &v))
		event = json_object_get_string(v);
	if (event != NULL && (strcmp(event, "start") == 0 || strcmp(event, "ready") == 0)) {
		memset(out, 0, sizeof(*out));
		out->time_ns = now_ns;
		(void)snprintf(out->event, sizeof(out->event), "exit");
		out->pid = json_object_object_get_ex(last, "pid", &v) ? json_object_get_int(v) : 0;
		out->code = -1;
		(void)snprintf(out->reason, sizeof(out->reason), "%s", reason);
		rc = history_add(h, out) < 0 ? -1 : 1;
	}
	json_object_put(newest);
	return rc;
}

/* The entry a line holds, NULL if none (a torn or foreign line). */
static struct json_object *parse_entry(const char *line)
{
	struct json_object *o = json_tokener_parse(line);

	if (o != NULL && !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
	}
	return o;
}

struct json_object *history_read(const struct history *h, size_t max)
{
	size_t n, got = 0;
	char **lines = read_lines(h, &n);
	struct json_object **newest_first, *a = NULL;

	if (lines == NULL)
		return NULL;
	/* From the newest line back, until max entries: lines that hold none
	 * do not count. */
	newest_first = calloc(n ? n : 1, sizeof(*newest_first));
	if (newest_first != NULL)
		a = json_object_new_array();
	for (size_t i = n; a != NULL && i > 0 && got < max; i--)
		if ((newest_first[got] = parse_entry(lines[i - 1])) != NULL)
			got++;
	while (got > 0)
		json_object_array_add(a, newest_first[--got]);
	free(newest_first);
	free_lines(lines, n);
	if (a == NULL)
		errno = ENOMEM;
	return a;
}
