/* spool.c - see spool.h. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fs.h"
#include "workers/sink/spool.h"

#define SEGMENT_MIN (64u << 10)
#define SEGMENT_MAX (4u << 20)

static void segment_path(const struct spool *s, uint64_t n, char *buf, size_t cap)
{
	(void)snprintf(buf, cap, "%s/%016" PRIu64 ".spool", s->dir, n);
}

/* Records from m's current position to its end (or a torn record). */
static uint64_t count_records(struct capture_map *m)
{
	struct capture_view v;
	uint64_t n = 0;

	while (capture_map_next(m, &v) == 1)
		n++;
	return n;
}

int spool_open(struct spool *s, const char *dir, uint64_t max_bytes)
{
	DIR *d;
	struct dirent *e;
	uint64_t lo = UINT64_MAX, hi = 0;

	memset(s, 0, sizeof(*s));
	s->tail_file.fd = -1;
	s->max_bytes = max_bytes;
	s->segment_bytes = max_bytes / 8 < SEGMENT_MIN ? SEGMENT_MIN
			 : max_bytes / 8 > SEGMENT_MAX ? SEGMENT_MAX : max_bytes / 8;
	if ((s->dir = strdup(dir)) == NULL || nbpy_mkdir_p(dir, 0750) < 0 || (d = opendir(dir)) == NULL)
		goto fail;
	while ((errno = 0, e = readdir(d)) != NULL) {
		char path[PATH_MAX], *end;
		unsigned long long n = strtoull(e->d_name, &end, 10);
		struct capture_map m;

		if (end == e->d_name || strcmp(end, ".spool") != 0)
			continue;
		segment_path(s, n, path, sizeof(path));
		if (capture_map_open(path, &m) < 0) {
			if (errno != EINVAL)	/* not a capture: leave it alone */
				goto fail_dir;
			continue;
		}
		s->bytes += m.size;
		s->messages += count_records(&m);
		capture_map_close(&m);
		lo = n < lo ? n : lo;
		hi = n > hi ? n : hi;
	}
	if (errno != 0)
		goto fail_dir;
	if (closedir(d) < 0)
		goto fail;
	/* Appends go to a new segment: never after a torn record. */
	s->head = lo == UINT64_MAX ? 1 : lo;
	s->tail = hi + 1;
	return 0;
fail_dir:
	{
		int err = errno;

		(void)closedir(d);
		errno = err;
	}
fail:
	{
		int err = errno;

		free(s->dir);
		s->dir = NULL;
		errno = err;
	}
	return -1;
}

static int close_tail(struct spool *s)
{
	int rc = 0;

	if (s->tail_file.fd < 0)
		return 0;
	if (s->dirty && fsync(s->tail_file.fd) < 0)
		rc = -1;
	if (close(s->tail_file.fd) < 0)
		rc = -1;
	s->tail_file.fd = -1;
	s->dirty = false;
	s->tail++;
	return rc;
}

void spool_close(struct spool *s)
{
	(void)close_tail(s);
	capture_map_close(&s->map);
	free(s->dir);
	s->dir = NULL;
}

/* Delete the head segment; its unconsumed messages are dropped when
 * counted_drop is set, or were consumed already. */
static void remove_head(struct spool *s, bool count_drop)
{
	char path[PATH_MAX];
	struct stat st;

	segment_path(s, s->head, path, sizeof(path));
	if (s->map.data != NULL)
		s->map.pos = s->read_pos;	/* what is not consumed yet */
	else if (capture_map_open(path, &s->map) < 0)
		memset(&s->map, 0, sizeof(s->map));
	if (s->map.data != NULL) {
		uint64_t left = count_records(&s->map);

		if (count_drop)
			s->dropped += left;
		s->messages -= left < s->messages ? left : s->messages;
	}
	if (stat(path, &st) == 0) {
		s->bytes -= (uint64_t)st.st_size < s->bytes ? (uint64_t)st.st_size : s->bytes;
		(void)unlink(path);
	}
	capture_map_close(&s->map);
	s->read_n = 0;
	s->head++;
}

int spool_append(struct spool *s, const char *topic, const void *payload, size_t len)
{
	struct capture_record r;
	size_t need = 8 + 8 + 1 + strlen(topic) + len;

	/* Make room: the oldest closed segments go first. */
	while (s->bytes + need > s->max_bytes && s->head < s->tail)
		remove_head(s, true);
	if (s->bytes + need > s->max_bytes) {
		s->dropped++;
		errno = ENOSPC;
		return -1;
	}
	if (s->tail_file.fd >= 0 && s->tail_size + need > s->segment_bytes && close_tail(s) < 0)
		return -1;
	if (s->tail_file.fd < 0) {
		char path[PATH_MAX];

		segment_path(s, s->tail, path, sizeof(path));
		if (capture_open_append(path, &s->tail_file) < 0)
			return -1;
		s->tail_size = 8;
		s->bytes += 8;
	}
	if (len > sizeof(r.payload)) {
		errno = EMSGSIZE;
		return -1;
	}
	r.time_ns = 0;
	(void)snprintf(r.topic, sizeof(r.topic), "%s", topic);
	memcpy(r.payload, payload, len);
	r.len = len;
	if (capture_append(&s->tail_file, &r) < 0)
		return -1;
	s->tail_size += need;
	s->bytes += need;
	s->messages++;
	s->dirty = true;
	return 0;
}

size_t spool_read(struct spool *s, size_t max,
		  void (*fn)(void *arg, const struct capture_view *v), void *arg)
{
	struct capture_view v;
	size_t n = 0;

	s->read_n = 0;
	while (s->messages > 0) {
		if (s->map.data == NULL) {
			char path[PATH_MAX];

			/* The segment being appended to is closed before it is read. */
			if (s->head == s->tail && close_tail(s) < 0)
				return 0;
			if (s->head >= s->tail)
				return 0;
			segment_path(s, s->head, path, sizeof(path));
			if (capture_map_open(path, &s->map) < 0) {
				memset(&s->map, 0, sizeof(s->map));
				remove_head(s, true);	/* vanished or unreadable */
				continue;
			}
			s->read_pos = s->map.pos;
		}
		s->map.pos = s->read_pos;
		while (n < max && capture_map_next(&s->map, &v) == 1) {
			fn(arg, &v);
			n++;
		}
		if (n > 0) {
			s->read_n = n;
			return n;
		}
		remove_head(s, true);	/* a torn record ends a segment */
	}
	return 0;
}

void spool_consume(struct spool *s)
{
	struct capture_view v;

	if (s->read_n == 0 || s->map.data == NULL)
		return;
	s->messages -= s->read_n < s->messages ? s->read_n : s->messages;
	s->read_n = 0;
	s->read_pos = s->map.pos;
	/* Done with this segment?  Then it goes now, not at the next read. */
	if (capture_map_next(&s->map, &v) != 1)
		remove_head(s, false);
	else
		s->map.pos = s->read_pos;
}

int spool_sync(struct spool *s)
{
	if (s->tail_file.fd < 0 || !s->dirty)
		return 0;
	s->dirty = false;
	return fsync(s->tail_file.fd);
}
