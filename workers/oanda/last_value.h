/* last_value.h - the last message published on each topic, kept as it was
 * sent: the table of a last-value cache (kind oanda.lvc, workers/oanda/lvc.c).
 * At most max topics; an entry, once made, stays where it is (its topic may
 * be handed to worker_publish).  Lookups are linear: a few hundred
 * instruments at most. */
#ifndef NBPY_WORKER_LAST_VALUE_H
#define NBPY_WORKER_LAST_VALUE_H

#include <stddef.h>

#include "common/wire.h"

struct last_value {
	char topic[NBPY_TOPIC_MAX + 1];	/* NUL-terminated */
	size_t topic_len;
	size_t len;			/* 0: no value yet */
	unsigned char bytes[NBPY_WIRE_MAX];
};

struct last_values {
	struct last_value *v;
	size_t n, max;
};

/* An empty table for up to max topics: 0, or -1 with errno. */
int last_values_init(struct last_values *t, size_t max);
void last_values_free(struct last_values *t);

/* The entry of topic (topic_len bytes), made (without a value) if it is
 * new.  NULL with errno ENOSPC when topic is new and max topics are kept
 * already, EINVAL when it is empty or longer than NBPY_TOPIC_MAX. */
struct last_value *last_values_entry(struct last_values *t, const char *topic, size_t topic_len);

/* Keep bytes (len, 1..NBPY_WIRE_MAX) as e's value: 0, or -1 with errno
 * EMSGSIZE (the value before stays). */
int last_value_set(struct last_value *e, const void *bytes, size_t len);

/* The next entry with a value from *i on whose topic starts with prefix
 * (plen bytes; 0 matches every topic), as a ZeroMQ subscription matches;
 * *i moves past it.  NULL when there is none.  Start with *i = 0. */
const struct last_value *last_values_match(const struct last_values *t, size_t *i, const void *prefix,
					   size_t plen);

#endif
