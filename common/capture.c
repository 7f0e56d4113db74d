/* capture.c - see capture.h. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "common/capture.h"
#include "common/crc32c.h"

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t checksum(bool v1, const unsigned char *p, size_t len)
{
	return v1 ? (uint32_t)crc32(0L, p, (uInt)len) : nbpy_crc32c(0, p, len);
}

int capture_open_append(const char *path, struct capture_file *f)
{
	char magic[8];
	struct stat st;
	int e;

	f->v1 = false;
	f->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (f->fd < 0)
		return -1;
	if (fstat(f->fd, &st) < 0)
		goto fail;
	if (st.st_size == 0) {
		if (write(f->fd, CAPTURE_MAGIC, 8) != 8)
			goto fail;
		return f->fd;
	}
	if (pread(f->fd, magic, 8, 0) != 8 ||
	    (memcmp(magic, CAPTURE_MAGIC, 8) != 0 && memcmp(magic, CAPTURE_MAGIC_V1, 8) != 0)) {
		errno = EINVAL;
		goto fail;
	}
	f->v1 = memcmp(magic, CAPTURE_MAGIC_V1, 8) == 0;
	return f->fd;
fail:
	e = errno ? errno : EIO;
	(void)close(f->fd);
	f->fd = -1;
	errno = e;
	return -1;
}

int capture_append(const struct capture_file *f, const struct capture_record *r)
{
	unsigned char buf[8 + CAPTURE_MAX_RECORD];
	size_t tn = strlen(r->topic), body = 8 + 1 + tn + r->len;
	uint64_t t = (uint64_t)r->time_ns;

	if (tn > NBPY_TOPIC_MAX || r->len > NBPY_LEGACY_MAX) {
		errno = EINVAL;
		return -1;
	}
	for (int i = 0; i < 8; i++)
		buf[8 + i] = (unsigned char)(t >> (8 * i));
	buf[16] = (unsigned char)tn;
	memcpy(buf + 17, r->topic, tn);
	memcpy(buf + 17 + tn, r->payload, r->len);
	put32(buf, (uint32_t)body);
	put32(buf + 4, checksum(f->v1, buf + 8, body));
	/* One write: a crash leaves this record whole or torn, never mixed. */
	if (write(f->fd, buf, 8 + body) != (ssize_t)(8 + body)) {
		if (errno == 0)
			errno = EIO;
		return -1;
	}
	return 0;
}

int capture_map_open(const char *path, struct capture_map *m)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC), e;
	void *p;

	memset(m, 0, sizeof(*m));
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		goto fail;
	if ((size_t)st.st_size < 8) {
		errno = EINVAL;
		goto fail;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		goto fail;
	(void)close(fd);
	(void)madvise(p, (size_t)st.st_size, MADV_SEQUENTIAL);
	m->data = p;
	m->size = (size_t)st.st_size;
	m->pos = 8;
	m->v1 = memcmp(p, CAPTURE_MAGIC_V1, 8) == 0;
	if (!m->v1 && memcmp(p, CAPTURE_MAGIC, 8) != 0) {
		capture_map_close(m);
		errno = EINVAL;
		return -1;
	}
	return 0;
fail:
	e = errno;
	(void)close(fd);
	errno = e;
	return -1;
}

void capture_map_close(struct capture_map *m)
{
	if (m->data != NULL)
		(void)munmap((void *)m->data, m->size);
	memset(m, 0, sizeof(*m));
}

int capture_map_next(struct capture_map *m, struct capture_view *v)
{
	const unsigned char *body;
	size_t left = m->size - m->pos, len, tn;
	uint64_t t = 0;

	if (left == 0)
		return 0;
	if (left < 8)
		return -1;
	len = get32(m->data + m->pos);
	body = m->data + m->pos + 8;
	if (len < 9 || len > CAPTURE_MAX_RECORD || len > left - 8 ||
	    checksum(m->v1, body, len) != get32(m->data + m->pos + 4))
		return -1;
	tn = body[8];
	if (tn > NBPY_TOPIC_MAX || 9 + tn > len || len - 9 - tn > NBPY_LEGACY_MAX)
		return -1;
	for (int i = 7; i >= 0; i--)
		t = t << 8 | body[i];
	v->time_ns = (int64_t)t;
	v->topic = (const char *)body + 9;
	v->topic_len = tn;
	v->payload = body + 9 + tn;
	v->len = len - 9 - tn;
	m->pos += 8 + len;
	return 1;
}
