/* sink.c - see sink.h.
 *
 * Two states.  Normal: messages collect in the in-memory batch, written when
 * it holds batch_size messages or is flush_interval old.  Backlog: the store
 * failed, so the failed batch and every message after it go to the spool, in
 * order, and the spool is written back, batch by batch, whenever the backoff
 * allows; once it is empty the sink is normal again.
 *
 * One write is in flight at a time and the loop never waits for it:
 * messages arriving meanwhile keep collecting, and when that batch fills
 * up before the store answers, the backlog begins: the batch in flight is
 * copied to the spool, then the full one, then what follows, in order.
 * If the write in flight succeeds after all, its copy is taken off the
 * head of the spool again.  Memory stays bounded by two batches (the one
 * in flight and the one collecting) whatever a store's stall or outage. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "workers/sink/sink.h"
#include "common/timefmt.h"

#define DRAIN_ROUNDS 8	/* spooled batches a local store writes back per loop turn: stay responsive */
#define SYNC_EVERY_NS 1000000000LL

/* ---- the batch: [u8 topic length][topic][u32 payload length][payload] ---- */

static int batch_add(struct sink_batch *b, const char *topic, size_t tn, const void *p, size_t len)
{
	unsigned char tl = (unsigned char)tn;
	uint32_t l = (uint32_t)len;

	if (nbpy_buf_reserve(&b->buf, 1 + tn + 4 + len) < 0)
		return -1;
	(void)nbpy_buf_append(&b->buf, &tl, 1);
	(void)nbpy_buf_append(&b->buf, topic, tn);
	(void)nbpy_buf_append(&b->buf, &l, 4);
	(void)nbpy_buf_append(&b->buf, p, len);
	b->n++;
	return 0;
}

static void batch_clear(struct sink_batch *b)
{
	nbpy_buf_reset(&b->buf);
	b->n = 0;
}

/* One record at *pos: topic and payload. */
static void batch_record(const struct sink_batch *b, size_t pos, const char **topic, size_t *tn,
			 const unsigned char **p, uint32_t *len)
{
	const unsigned char *at = (const unsigned char *)b->buf.data + pos;

	*tn = at[0];
	*topic = (const char *)at + 1;
	memcpy(len, at + 1 + *tn, 4);
	*p = at + 1 + *tn + 4;
}

int sink_batch_next(const struct sink_batch *b, size_t *pos, struct nbpy_msg *m)
{
	struct nbpy_error err;

	while (*pos < b->buf.len) {
		const char *topic;
		const unsigned char *p;
		size_t tn;
		uint32_t len;

		batch_record(b, *pos, &topic, &tn, &p, &len);
		*pos += 1 + tn + 4 + len;
		/* The runtime decoded it on receipt: this fails only on a corrupt spool. */
		if (nbpy_wire_decode(p, len, m, &err) == 0)
			return 1;
		log_warning("spooled message skipped: %s", err.msg);
	}
	return 0;
}

/* ---- states ---- */

static void spool_one(struct sink *s, const char *topic, const void *p, size_t len)
{
	if (spool_append(&s->spool, topic, p, len) < 0 && errno != ENOSPC) {
		s->lost++;
		worker_error(s->w, "spool %s: %s: message lost", s->spool.dir, strerror(errno));
	}
}

/* Append b's messages to the spool, in order. */
static void spool_records(struct sink *s, const struct sink_batch *b)
{
	size_t pos = 0;

	while (pos < b->buf.len) {
		const char *topic;
		const unsigned char *p;
		char name[NBPY_TOPIC_MAX + 1];
		size_t tn;
		uint32_t len;

		batch_record(b, pos, &topic, &tn, &p, &len);
		pos += 1 + tn + 4 + len;
		memcpy(name, topic, tn);
		name[tn] = '\0';
		spool_one(s, name, p, len);
	}
}

static void spool_batch(struct sink *s, struct sink_batch *b)
{
	spool_records(s, b);
	batch_clear(b);
	if (b == &s->batch)
		s->batch_since = 0;
}

static void skip(void *arg, const struct capture_view *v)
{
	(void)arg;
	(void)v;
}

/* The batch in flight was spooled when the backlog began (out_spooled) and
 * turned out written or refused: take it off the head of the spool.  What
 * the size bound dropped from there was its messages first. */
static void unspool_out(struct sink *s)
{
	uint64_t gone = s->spool.dropped - s->out_dropped_mark;
	size_t left = gone >= s->out.n ? 0 : s->out.n - (size_t)gone, got;

	while (left > 0 && (got = spool_read(&s->spool, left, skip, NULL)) > 0) {
		spool_consume(&s->spool);
		left -= got;
	}
}

static void failed(struct sink *s, const char *what)
{
	int64_t delay = nbpy_backoff_next(&s->backoff);

	if (++s->failures == 1)
		log_warning("%s: %s; spooling to %s, retrying with backoff", what, s->error, s->spool.dir);
	else
		log_debug("%s: %s; next try in %.1fs", what, s->error, (double)delay / 1e9);
	s->w->errors++;
	s->retry_at = nbpy_monotonic_ns() + delay;
}

static void succeeded(struct sink *s)
{
	if (!spool_empty(&s->spool))
		return;
	if (s->failures > 0)
		log_notice("store reachable again after %llu failed tries; spool written back",
			   (unsigned long long)s->failures);
	s->failures = 0;
	nbpy_backoff_reset(&s->backoff);
}

static void from_spool(void *arg, const struct capture_view *v)
{
	struct sink *s = arg;

	if (batch_add(&s->out, v->topic, v->topic_len, v->payload, v->len) < 0) {
		s->lost++;
		worker_error(s->w, "out of memory reading the spool: message lost");
	}
}

static void schedule(struct sink *s)
{
	int64_t next = INT64_MAX;

	/* Nothing starts while a write is in flight: its end pumps again. */
	if (!s->in_flight && s->batch.n > 0)
		next = s->batch_since + s->flush_every;
	if (!s->in_flight && !s->stopping && !spool_empty(&s->spool) && s->retry_at < next)
		next = s->retry_at;
	if (s->spool.dirty && s->next_sync < next)
		next = s->next_sync;
	if (s->stopping && s->in_flight && s->stop_deadline < next)
		next = s->stop_deadline;
	worker_set_timer(s->w, next == INT64_MAX ? 0 : next);
}

static void start_write(struct sink *s, bool spooled)
{
	s->in_flight = true;
	s->out_from_spool = spooled;
	s->store->write(s, &s->out);
}

/* Start the next write if none is in flight: the spool first (when the
 * backoff allows; not while stopping), else a full or old enough batch.  A
 * local store finishes inside write, so this loops, a few batches a turn. */
static void pump(struct sink *s)
{
	int rounds = 0;

	if (s->pumping)
		return;
	s->pumping = true;
	while (!s->in_flight) {
		int64_t now = nbpy_monotonic_ns();

		if (!spool_empty(&s->spool)) {
			if (s->stopping || now < s->retry_at || rounds++ == DRAIN_ROUNDS)
				break;
			batch_clear(&s->out);
			if (spool_read(&s->spool, s->batch_max, from_spool, s) == 0)
				break;	/* torn or unreadable: spool_read dropped what it could not read */
			start_write(s, true);
		} else if (s->batch.n > 0 && (s->stopping || s->batch.n >= s->batch_max ||
					      now >= s->batch_since + s->flush_every)) {
			struct sink_batch full = s->batch;

			s->batch = s->out;	/* the emptied buffer collects next */
			s->out = full;
			batch_clear(&s->batch);
			s->batch_since = 0;
			start_write(s, false);
		} else {
			break;
		}
	}
	s->pumping = false;
	schedule(s);
}

/* SIGTERM, and nothing in flight any more: what could not be stored is
 * in the spool; let the runtime finish. */
static void stop_done(struct sink *s)
{
	char line[160];

	if (s->stopped)
		return;
	s->stopped = true;
	if (spool_sync(&s->spool) < 0)
		worker_error(s->w, "fsync %s: %s", s->spool.dir, strerror(errno));
	sink_status(s->w, line, sizeof(line));
	log_notice("%s", line + 2);
	worker_hold_stop(s->w, false);
}

void sink_write_done(struct sink *s, const struct nbpy_error *err, size_t dup)
{
	bool spooled = s->out_from_spool, copied = s->out_spooled;

	if (!s->in_flight)
		return;	/* cancelled */
	s->in_flight = false;
	s->out_spooled = false;
	if (copied && (err == NULL || err->cls == NBPY_ERR_REFUSED))
		unspool_out(s);
	if (err != NULL)
		(void)snprintf(s->error, sizeof(s->error), "%s", err->msg);
	if (err == NULL) {
		if (dup > s->out.n)
			dup = s->out.n;
		s->written += s->out.n - dup;
		s->duplicates += dup;
		if (spooled)
			spool_consume(&s->spool);
	} else if (err->cls == NBPY_ERR_REFUSED) {
		s->rejected += s->out.n;
		worker_error(s->w, "store refused a batch of %zu messages (dropped): %s", s->out.n,
			     s->error);
		if (spooled)
			spool_consume(&s->spool);
	} else {
		/* Behind the spool go this batch, then what came meanwhile:
		 * while the spool is not empty, the batch is. */
		if (!spooled && !copied)
			spool_batch(s, &s->out);
		spool_batch(s, &s->batch);
		failed(s, spooled ? "writing the spool back failed" : "write failed");
	}
	batch_clear(&s->out);
	if (err == NULL || err->cls == NBPY_ERR_REFUSED)
		succeeded(s);
	pump(s);
	if (s->stopping && !s->in_flight)
		stop_done(s);
}

/* ---- kind_ops ---- */

int sink_init(struct worker *w)
{
	const struct sink_settings *set = w->settings;	/* the first member of every sink's */
	struct sink *s = w->kind_state;
	char dir[PATH_MAX];

	s->w = w;
	if ((s->msg = malloc(sizeof(*s->msg))) == NULL)
		return nbpy_error_set(&w->error, "out of memory");
	s->store = w->ops->data;
	s->batch_max = (size_t)set->batch_size;
	s->flush_every = set->flush_interval;
	nbpy_backoff_init(&s->backoff, set->retry_backoff.lo_ns, set->retry_backoff.hi_ns, 0);
	if (snprintf(dir, sizeof(dir), "%s/spool/%s", nbpy_config_global(w->config, "state_dir")->text,
		     w->svc->name) >= (int)sizeof(dir))
		return nbpy_error_class_set(&w->error, NBPY_ERR_CONFIG, "%s: state_dir too long",
					    w->config->path);
	if (spool_open(&s->spool, dir, set->spool_max) < 0)
		return nbpy_error_class_set(&w->error, NBPY_ERR_CONFIG, "spool %s: %s", dir, strerror(errno));
	s->spool_open = true;
	if (s->store->open(s) < 0)
		return w->error.msg[0] ? -1 : nbpy_error_set(&w->error, "out of memory");
	if (!spool_empty(&s->spool))
		log_notice("%llu messages spooled by an earlier run: writing them first",
			   (unsigned long long)s->spool.messages);
	s->retry_at = nbpy_monotonic_ns();
	s->next_sync = s->retry_at + SYNC_EVERY_NS;
	schedule(s);
	return 0;
}

void sink_on_message(struct worker *w, const struct worker_input *in)
{
	struct sink *s = w->kind_state;
	size_t tn = strlen(in->topic);

	if (!spool_empty(&s->spool) || s->stopping) {
		/* Backlog: behind what is spooled, to keep the order.  Stopping:
		 * what still comes goes to the next run. */
		spool_one(s, in->topic, in->raw, in->raw_len);
		schedule(s);
		return;
	}
	if (batch_add(&s->batch, in->topic, tn, in->raw, in->raw_len) < 0) {
		s->lost++;
		worker_error(w, "out of memory: message lost");
		return;
	}
	if (s->batch.n == 1)
		s->batch_since = nbpy_monotonic_ns();
	/* Full while the store is still busy with the last one: the backlog
	 * begins, and memory stays bounded.  The batch in flight goes to the
	 * spool first, to keep the order if it fails; it comes off again if
	 * it does not (unspool_out). */
	if (s->batch.n >= s->batch_max && s->in_flight) {
		if (!s->out_from_spool && !s->out_spooled) {
			s->out_dropped_mark = s->spool.dropped;
			spool_records(s, &s->out);
			s->out_spooled = true;
		}
		spool_batch(s, &s->batch);
	}
	if (s->batch.n >= s->batch_max)
		pump(s);
	else
		schedule(s);
}

void sink_on_timer(struct worker *w)
{
	struct sink *s = w->kind_state;
	int64_t now = nbpy_monotonic_ns();

	if (s->stopping && s->in_flight && now >= s->stop_deadline) {
		/* The store did not answer in time: what it was writing is
		 * spooled (written again by the next run, which the stores'
		 * keys absorb), and so is what came meanwhile. */
		log_warning("stopping: the store did not finish writing %zu messages in time; spooled",
			    s->out.n);
		s->store->cancel(s);
		s->in_flight = false;
		if (!s->out_from_spool && !s->out_spooled)
			spool_batch(s, &s->out);
		batch_clear(&s->out);
		spool_batch(s, &s->batch);
		stop_done(s);
		return;
	}
	pump(s);
	if (now >= s->next_sync) {
		if (spool_sync(&s->spool) < 0)
			worker_error(w, "fsync %s: %s", s->spool.dir, strerror(errno));
		s->next_sync = now + SYNC_EVERY_NS;
	}
	schedule(s);
}

void sink_on_stop(struct worker *w)
{
	struct sink *s = w->kind_state;
	const struct nbpy_value *v = nbpy_service_value(w->svc, "stop_timeout");
	int64_t budget = v && v->text ? v->v.ns : nbpy_config_global(w->config, "stop_timeout")->v.ns;

	/* One try at the store for what is pending, then the spool: nothing
	 * accepted is dropped.  Half of stop_timeout for the store, the rest
	 * to spool and exit before nbpyd's SIGKILL. */
	s->stopping = true;
	s->stop_deadline = nbpy_monotonic_ns() + budget / 2;
	pump(s);
	if (s->in_flight)
		worker_hold_stop(w, true);
	else
		stop_done(s);
}

void sink_destroy(struct worker *w)
{
	struct sink *s = w->kind_state;

	if (s->in_flight)
		s->store->cancel(s);
	if (s->store != NULL && s->store->close)
		s->store->close(s);
	if (s->spool_open)
		spool_close(&s->spool);
	nbpy_buf_free(&s->batch.buf);
	nbpy_buf_free(&s->out.buf);
	free(s->msg);
}

void sink_status(struct worker *w, char *buf, size_t cap)
{
	struct sink *s = w->kind_state;

	int n = snprintf(buf, cap, ", written %llu, spooled %llu, dropped %llu",
			 (unsigned long long)s->written, (unsigned long long)s->spool.messages,
			 (unsigned long long)(s->rejected + s->lost + s->spool.dropped));

	/* only where the store can tell: a 0 from one that cannot would lie */
	if (s->store->counts_duplicates && n >= 0 && (size_t)n < cap)
		(void)snprintf(buf + n, cap - (size_t)n, ", duplicates %llu",
			       (unsigned long long)s->duplicates);
}
