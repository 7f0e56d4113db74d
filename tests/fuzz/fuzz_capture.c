/* fuzz_capture.c - libFuzzer target for the capture reader (capture.c:
 * replay, the sinks' spools) and the spool that reads segments left on disk
 * (spool.c).  The first byte is a mode, the rest a capture file:
 *   bit 0: fix each record's checksum first, so that the fuzzer gets past
 *          it to the lengths, topics and payloads behind;
 *   bit 1: also open it as a spool's leftover segment (in a temp dir) and
 *          read the spool empty.
 * Any file gives records inside the file, each payload decoded or refused
 * as replay and the sinks do; the spool delivers exactly the records the
 * reader found, then deletes the segment.  The capture itself is a memfd. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "common/capture.h"
#include "common/crc32c.h"
#include "workers/sink/spool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Rewrite the CRC of every record whose length fits, as a writer would. */
static void fix_checksums(uint8_t *f, size_t size)
{
	bool v1 = size >= 8 && memcmp(f, CAPTURE_MAGIC_V1, 8) == 0;
	size_t pos = 8;

	while (pos + 8 <= size) {
		uint32_t len = get32(f + pos), c;

		if (len > size - pos - 8)
			break;
		c = v1 ? (uint32_t)crc32(0L, f + pos + 8, (uInt)len) : nbpy_crc32c(0, f + pos + 8, len);
		for (int i = 0; i < 4; i++)
			f[pos + 4 + i] = (uint8_t)(c >> (8 * i));
		pos += 8 + len;
	}
}

/* Records of the capture at path, each checked; -1 if it does not open. */
static long read_capture(const char *path)
{
	static struct nbpy_msg m;
	struct capture_map map;
	struct capture_view v;
	long n = 0;
	int rc;

	if (capture_map_open(path, &map) < 0)
		return -1;
	while ((rc = capture_map_next(&map, &v)) == 1) {
		if (v.topic_len > NBPY_TOPIC_MAX || v.len > NBPY_LEGACY_MAX ||
		    (const uint8_t *)v.topic < map.data || v.payload + v.len > map.data + map.size)
			abort();
		(void)nbpy_wire_decode(v.payload, v.len, &m, NULL);
		n++;
	}
	if (rc != 0 && rc != -1)
		abort();
	capture_map_close(&map);
	return n;
}

static size_t delivered;

static void count(void *arg, const struct capture_view *v)
{
	(void)arg;
	(void)v;
	delivered++;
}

/* The file as a spool segment left by an earlier run, read empty. */
static void read_spool(const uint8_t *f, size_t size, long records)
{
	static char dir[] = "/tmp/nbpy-fuzz-spool-XXXXXX";
	static bool made;
	char seg[sizeof(dir) + 32];
	struct spool s;
	FILE *out;
	DIR *d;
	struct dirent *e;

	if (!made && mkdtemp(dir) == NULL)
		abort();
	made = true;
	(void)snprintf(seg, sizeof(seg), "%s/%016d.spool", dir, 1);
	if ((out = fopen(seg, "w")) == NULL || fwrite(f, 1, size, out) != size || fclose(out) != 0)
		abort();
	if (spool_open(&s, dir, 1 << 20) < 0)
		abort();
	if ((long)s.messages != (records < 0 ? 0 : records))
		abort();	/* it counts what the reader finds */
	delivered = 0;
	for (int i = 0; i < 1000 && !spool_empty(&s); i++) {
		if (spool_read(&s, 7, count, NULL) == 0)
			break;
		spool_consume(&s);
	}
	if (!spool_empty(&s) || (long)delivered != (records < 0 ? 0 : records))
		abort();
	spool_close(&s);
	/* nothing stays behind: a segment the spool did not take is removed here */
	if ((d = opendir(dir)) == NULL)
		abort();
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.') {
			char p[sizeof(dir) + 300];

			(void)snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
			(void)unlink(p);
		}
	(void)closedir(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	uint8_t *f;
	long records;

	if (fd < 0) {
		if ((fd = memfd_create("capture", 0)) < 0)
			abort();
		(void)snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (size < 1)
		return 0;
	if ((f = malloc(size)) == NULL)
		abort();
	memcpy(f, data + 1, size - 1);
	if (data[0] & 1)
		fix_checksums(f, size - 1);
	if (ftruncate(fd, 0) < 0 || pwrite(fd, f, size - 1, 0) != (ssize_t)(size - 1))
		abort();
	records = read_capture(path);
	if (data[0] & 2)
		read_spool(f, size - 1, records);
	free(f);
	return 0;
}
