/* capture.h - the capture file of sink.file, replay and the sinks' spools.
 *
 * A file starts with the 8 bytes "NBPYCAP2"; then records, each written
 * with one write(2) to a file opened O_APPEND:
 *
 *   u32 length of what follows the CRC (little endian)
 *   u32 CRC-32C (Castagnoli) of what follows
 *   i64 receive time, ns since the epoch (little endian)
 *   u8  topic length, then the topic
 *   the payload (one MessagePack message, as on the wire)
 *
 * A crash can only leave a torn last record; readers stop there and say so.
 * Files of the first version, "NBPYCAP1", differ only in the checksum
 * (CRC-32 as zlib computes it); they are read, and appended to in their own
 * version.  CRC-32C has an instruction on x86-64: zlib's CRC-32 took a
 * quarter of replay's time. 
 * docs/services.md describes the format for other tools. */
#ifndef NBPY_CAPTURE_H
#define NBPY_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/wire.h"

#define CAPTURE_MAGIC "NBPYCAP2"
#define CAPTURE_MAGIC_V1 "NBPYCAP1"
#define CAPTURE_MAX_RECORD (8 + 1 + NBPY_TOPIC_MAX + NBPY_LEGACY_MAX)

struct capture_record {
	int64_t time_ns;
	char topic[NBPY_TOPIC_MAX + 1];
	unsigned char payload[NBPY_LEGACY_MAX];
	size_t len;
};

/* A file open for appending, in its version. */
struct capture_file {
	int fd;
	bool v1;		/* NBPYCAP1: zlib CRC-32 */
};

/* Open for appending (writing the magic to a new file); -1 with errno
 * (EINVAL: an existing file that is not a capture). */
int capture_open_append(const char *path, struct capture_file *f);
int capture_append(const struct capture_file *f, const struct capture_record *r);

/* A capture mapped for reading: records are read in place, without copies. */
struct capture_map {
	const unsigned char *data;
	size_t size, pos;
	bool v1;
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
