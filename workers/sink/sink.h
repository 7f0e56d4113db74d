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

/* The keys every sink kind has: the first member, `sink`, of its settings
 * struct S (sink.c reads them there). */
struct sink_settings {
	int64_t batch_size;
	int64_t flush_interval;	/* ns */
	uint64_t spool_max;	/* bytes */
	struct nbpy_range retry_backoff;
};

#define SINK_KEYS(S) \
	NBPY_SETTING_INT(S, sink.batch_size, "batch_size", 1, 1000000, "5000", \
			 "messages per write to the store"), \
	NBPY_SETTING(S, sink.flush_interval, DURATION, "flush_interval", "1s", \
		     "write a partial batch after this long"), \
	NBPY_SETTING(S, sink.spool_max, SIZE, "spool_max", "256MiB", \
		     "on-disk spool (STATE_DIR/spool/SERVICE) while the store is down; beyond it the oldest go"), \
	NBPY_SETTING(S, sink.retry_backoff, DURATION_RANGE, "retry_backoff", "1s..30s", \
		     "retry delay while the store fails")

/* A sink kind's flags: it subscribes, and needs an input. */
#define SINK_FLAGS (NBPY_KIND_SUBSCRIBES | NBPY_KIND_NEEDS_INPUT)

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
	/* Read the kind's settings and prepare (no connection needed yet); -1
	 * with the reason in s->w->error (NBPY_ERR_CONFIG: exit 78). */
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

/* The kind_ops of a sink kind (SINK_OPS); the store comes from ops->data,
 * the state is a struct sink. */
int sink_init(struct worker *w);
void sink_on_message(struct worker *w, const struct worker_input *in);
void sink_on_timer(struct worker *w);
void sink_on_stop(struct worker *w);
void sink_destroy(struct worker *w);
void sink_status(struct worker *w, char *buf, size_t cap);

#define SINK_OPS(store_ops) (&(const struct kind_ops){				\
	.data = store_ops, .init = sink_init,					\
	.on_message = sink_on_message, .on_timer = sink_on_timer,		\
	.on_stop = sink_on_stop, .destroy = sink_destroy, .status = sink_status })

#endif
