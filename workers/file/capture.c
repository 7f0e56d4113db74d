/* capture.c - see capture.h. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "capture.h"

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int capture_open_append(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	struct stat st;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || (st.st_size == 0 && write(fd, CAPTURE_MAGIC, 8) != 8)) {
		int e = errno;

		(void)close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int capture_append(int fd, const struct capture_record *r)
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
	put32(buf + 4, (uint32_t)crc32(0L, buf + 8, (uInt)body));
	/* One write: a crash leaves this record whole or torn, never mixed. */
	if (write(fd, buf, 8 + body) != (ssize_t)(8 + body)) {
		if (errno == 0)
			errno = EIO;
		return -1;
	}
	return 0;
}

FILE *capture_open_read(const char *path)
{
	FILE *f = fopen(path, "rb");
	char magic[8];

	if (f == NULL)
		return NULL;
	if (fread(magic, 1, 8, f) != 8 || memcmp(magic, CAPTURE_MAGIC, 8) != 0) {
		(void)fclose(f);
		errno = EINVAL;
		return NULL;
	}
	return f;
}

int capture_next(FILE *f, struct capture_record *r)
{
	unsigned char head[8], body[CAPTURE_MAX_RECORD];
	size_t n = fread(head, 1, 8, f), len, tn;
	uint64_t t = 0;

	if (n == 0 && feof(f))
		return 0;
	if (n != 8)
		return -1;
	len = get32(head);
	if (len < 9 || len > sizeof(body) || fread(body, 1, len, f) != len ||
	    (uint32_t)crc32(0L, body, (uInt)len) != get32(head + 4))
		return -1;
	for (int i = 7; i >= 0; i--)
		t = t << 8 | body[i];
	tn = body[8];
	if (tn > NBPY_TOPIC_MAX || 9 + tn > len || len - 9 - tn > sizeof(r->payload))
		return -1;
	r->time_ns = (int64_t)t;
	memcpy(r->topic, body + 9, tn);
	r->topic[tn] = '\0';
	r->len = len - 9 - tn;
	memcpy(r->payload, body + 9 + tn, r->len);
	return 1;
}
