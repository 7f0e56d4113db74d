/* sink.h - what every store-writing kind shares: batching by size and time,
 * the on-disk spool while the store is down, retry with backoff, flush or
 * spool on SIGTERM, and the written/spooled/dropped counters in STATUS.
 *
 * A store (struct sink_store) only writes one batch and says how it went:
 *   SINK_OK     everything is stored;
 *   SINK_RETRY  nothing (or not all) is stored, try the same batch later
 *               (unreachable, 5xx, lost connection): the batch is spooled;
 *   SINK_DROP   the store refuses this batch for good (4xx, bad data): it is
 *               dropped and counted, and the next one goes on.
 * Stores are idempotent (docs/sinks.md), so writing a batch again after a
 * partial or unknown outcome duplicates nothing; stores that can tell say
 * how many messages they already held, and those are counted as duplicates,
 * not as written. */
#ifndef NBPY_SINK_H
#define NBPY_SINK_H

#include "workers/runtime.h"
#include "workers/sink/spool.h"

enum sink_result { SINK_OK, SINK_RETRY, SINK_DROP };

/* A batch: messages as MessagePack payloads, each prefixed by its u32 length
 * (host order), in arrival order. */
struct sink_batch {
	unsigned char *buf;
	size_t len, cap, n;
};

/* Walk a batch: *pos starts at 0.  1 with m decoded, 0 at the end. */
int sink_batch_next(const struct sink_batch *b, size_t *pos, struct nbpy_msg *m);

struct sink;

struct sink_store {
	/* Read the kind's keys and prepare (no connection needed yet); -1 is a
	 * configuration error, logged. */
	int (*open)(struct sink *s);
	/* On SINK_OK, *duplicates (0 on entry) is how many of the batch's
	 * messages were in the store already and were left as they were. */
	enum sink_result (*write)(struct sink *s, const struct sink_batch *b, size_t *duplicates);
	void (*close)(struct sink *s);
	/* The store tells new rows from ones it had (SQL: yes; InfluxDB
	 * overwrites a point in silence, TypeDB's put does not say). */
	bool counts_duplicates;
};

struct sink {
	struct worker *w;
	const struct sink_store *store;
	void *store_state;
	struct sink_batch batch;	/* in memory, not yet written */
	struct nbpy_msg *msg;		/* for stores to decode the batch into */
	size_t batch_max;
	int64_t flush_every, batch_since;	/* monotonic ns; 0: batch empty */
	struct spool spool;
	bool spool_open;
	struct nbpy_backoff backoff;
	int64_t retry_at, next_sync;
	uint64_t failures;		/* failed tries in this outage */
	uint64_t written, rejected, lost;
	uint64_t duplicates;		/* in the store already: not written again */
	char error[256];		/* the store's last complaint, for logs */
};

/* Set by a store's write: why it failed, logged once per outage. */
void sink_set_error(struct sink *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The kind_ops of a sink kind; the store comes from ops->data. */
int sink_init(struct worker *w);
void sink_on_message(struct worker *w, const struct worker_input *in);
void sink_on_timer(struct worker *w);
void sink_on_stop(struct worker *w);
void sink_destroy(struct worker *w);
void sink_status(struct worker *w, char *buf, size_t cap);

#define SINK_KIND(kind_name, store_ops) {					\
	.name = kind_name, .data = store_ops, .init = sink_init,		\
	.on_message = sink_on_message, .on_timer = sink_on_timer,		\
	.on_stop = sink_on_stop, .destroy = sink_destroy, .status = sink_status }

#endif
