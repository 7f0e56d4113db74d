/* capture.h - the capture file of sink.file and replay.
 *
 * A file starts with the 8 bytes "NBPYCAP1"; then records, each written
 * with one write(2) to a file opened O_APPEND:
 *
 *   u32 length of what follows the CRC (little endian)
 *   u32 CRC-32 (zlib) of what follows
 *   i64 receive time, ns since the epoch (little endian)
 *   u8  topic length, then the topic
 *   the payload (one MessagePack message, as on the wire)
 *
 * A crash can only leave a torn last record; readers stop there and say so.
 * docs/services.md describes the format for other tools. */
#ifndef NBPY_CAPTURE_H
#define NBPY_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

#define CAPTURE_MAGIC "NBPYCAP1"
#define CAPTURE_MAX_RECORD (8 + 1 + NBPY_TOPIC_MAX + NBPY_LEGACY_MAX)

struct capture_record {
	int64_t time_ns;
	char topic[NBPY_TOPIC_MAX + 1];
	unsigned char payload[NBPY_LEGACY_MAX];
	size_t len;
};

/* Open for appending (writing the magic to a new file); -1 with errno. */
int capture_open_append(const char *path);
int capture_append(int fd, const struct capture_record *r);

/* A capture mapped for reading: records are read in place, without copies. */
struct capture_map {
	const unsigned char *data;
	size_t size, pos;
};

struct capture_view {
	int64_t time_ns;
	const char *topic;	/* not NUL-terminated */
	size_t topic_len;
	const unsigned char *payload;
	size_t len;
};

/* Map path and check the magic; -1 with errno (EINVAL: not a capture). */
int capture_map_open(const char *path, struct capture_map *m);
void capture_map_close(struct capture_map *m);

/* 1: a record; 0: clean end; -1: a torn or corrupt record (the rest is skipped). */
int capture_map_next(struct capture_map *m, struct capture_view *v);

#endif
