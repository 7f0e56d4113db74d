/* spool.h - the on-disk queue a sink keeps while its store is unreachable.
 *
 * A directory of numbered segment files in the capture format (capture.h):
 * messages are appended to the newest segment and read back, in order, from
 * the oldest; a segment is deleted once everything in it was written to the
 * store.  Reading position is not persisted: after a crash the oldest segment
 * is read again from its start, which the stores' idempotent keys absorb.
 * The total size is bounded; beyond it the oldest segment is dropped and its
 * messages counted. */
#ifndef NBPY_SINK_SPOOL_H
#define NBPY_SINK_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/capture.h"

struct spool {
	char *dir;
	uint64_t max_bytes, segment_bytes;
	uint64_t bytes;			/* on disk, all segments */
	uint64_t messages;		/* queued: not yet consumed */
	uint64_t dropped;		/* lost to the size bound */
	uint64_t head, tail;		/* oldest and newest segment numbers */
	struct capture_file tail_file;	/* fd -1: no open tail */
	uint64_t tail_size;
	struct capture_map map;		/* the head segment, when reading */
	size_t read_pos;		/* where the last spool_read ended */
	size_t read_n;			/* records it returned */
	bool dirty;			/* appended since the last sync */
};

/* Open (creating) dir and take over segments left by an earlier run.
 * -1 with errno. */
int spool_open(struct spool *s, const char *dir, uint64_t max_bytes);
void spool_close(struct spool *s);

static inline bool spool_empty(const struct spool *s)
{
	return s->messages == 0;
}

/* Queue one message.  -1 with errno on a write error (the message is lost
 * and the caller counts it). */
int spool_append(struct spool *s, const char *topic, const void *payload, size_t len);

/* Call fn for up to max queued messages, oldest first, without consuming
 * them; returns how many.  spool_consume then drops them from the queue. */
size_t spool_read(struct spool *s, size_t max,
		  void (*fn)(void *arg, const struct capture_view *v), void *arg);
void spool_consume(struct spool *s);

/* fsync the newest segment if anything was appended.  -1 with errno. */
int spool_sync(struct spool *s);

#endif
