/* sink.h - what every store-writing kind shares: batching by size and time,
 * the on-disk spool while the store is down, retry with backoff, flush or
 * spool on SIGTERM, and the written/spooled/dropped counters in STATUS.
 *
 * A store (struct sink_store) writes one batch at a time without blocking
 * the loop: write starts it, and the store reports how it went, once, with
 * sink_write_done (from the loop later, or from inside write for a local
 * store):
 *   no error              everything is stored;
 *   NBPY_ERR_TRANSIENT    nothing (or not all) is stored, try the same batch
 *                         later (unreachable, 5xx, lost connection): the
 *                         batch is spooled;
 *   NBPY_ERR_REFUSED      the store refuses this batch for good (4xx, bad
 *                         data): it is dropped and counted, the next goes on.
 * (NBPY_ERR_CONFIG from a write is taken as transient: the batch waits in
 * the spool until someone fixes the store.)  Stores are idempotent
 * (docs/sinks.md), so writing a batch again after a partial or unknown
 * outcome duplicates nothing; stores that can tell say how many messages
 * they already held, and those are counted as duplicates, not as written. */
#ifndef NBPY_SINK_H
#define NBPY_SINK_H

#include "common/buf.h"
#include "common/error.h"
#include "workers/runtime.h"
#include "workers/sink/spool.h"

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

/* A batch: the messages as received (MessagePack), each as
 * [u8 topic length][topic][u32 payload length, host order][payload], in
 * arrival order. */
struct sink_batch {
	struct nbpy_buf buf;
	size_t n;
};

/* Walk a batch: *pos starts at 0.  1 with m decoded, 0 at the end. */
int sink_batch_next(const struct sink_batch *b, size_t *pos, struct nbpy_msg *m);

struct sink;

struct sink_store {
	/* Read the kind's settings and prepare (no connection needed yet); -1
	 * with the reason in s->w->error (NBPY_ERR_CONFIG: exit 78). */
	int (*open)(struct sink *s);
	/* Start writing b, which stays as it is until the store calls
	 * sink_write_done, exactly once. */
	void (*write)(struct sink *s, const struct sink_batch *b);
	/* Give up the write in flight (SIGTERM and no time left): the store
	 * never calls sink_write_done for it; the sink spools the batch. */
	void (*cancel)(struct sink *s);
	void (*close)(struct sink *s);
	/* The store tells new rows from ones it had (SQL: yes; InfluxDB
	 * overwrites a point in silence, TypeDB's put does not say). */
	bool counts_duplicates;
};

/* How the write in flight went: err NULL when everything is stored, with
 * duplicates of the batch's messages found in the store already (left as
 * they were); else err's class says what to do with the batch. */
void sink_write_done(struct sink *s, const struct nbpy_error *err, size_t duplicates);

struct sink {
	struct worker *w;
	const struct sink_store *store;
	void *store_state;
	struct sink_batch batch;	/* collecting, not yet written */
	struct sink_batch out;		/* being written (in_flight) */
	bool in_flight, out_from_spool, pumping;
	bool out_spooled;		/* out was copied to the spool (backlog began) */
	uint64_t out_dropped_mark;	/* spool.dropped then */
	struct nbpy_msg *msg;		/* for stores to decode a batch into */
	size_t batch_max;
	int64_t flush_every, batch_since;	/* monotonic ns; 0: batch empty */
	struct spool spool;
	bool spool_open;
	struct nbpy_backoff backoff;
	int64_t retry_at, next_sync;
	bool stopping, stopped;
	int64_t stop_deadline;		/* SIGTERM: give up the write in flight then */
	uint64_t failures;		/* failed tries in this outage */
	uint64_t written, rejected, lost;
	uint64_t duplicates;		/* in the store already: not written again */
	char error[NBPY_ERROR_MAX];	/* the store's last complaint, for logs */
};

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
