/* sink.c - see sink.h.
 *
 * Two states.  Normal: messages collect in the in-memory batch, written when
 * it holds batch_size messages or is flush_interval old.  Backlog: the store
 * failed, so the failed batch and every message after it go to the spool, in
 * order, and the spool is written back, batch by batch, whenever the backoff
 * allows; once it is empty the sink is normal again.  Memory stays bounded by
 * one batch whatever the length of an outage. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "workers/sink/sink.h"
#include "common/timefmt.h"

#define DRAIN_ROUNDS 8	/* batches written back per loop turn: stay responsive */
#define SYNC_EVERY_NS 1000000000LL

void sink_set_error(struct sink *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(s->error, sizeof(s->error), fmt, ap);
	va_end(ap);
}

/* ---- the batch: [u8 topic length][topic][u32 payload length][payload] ---- */

static int batch_add(struct sink_batch *b, const char *topic, size_t tn, const void *p, size_t len)
{
	size_t need = 1 + tn + 4 + len;
	uint32_t l = (uint32_t)len;

	if (b->len + need > b->cap) {
		size_t cap = (b->len + need) * 2;
		unsigned char *bigger = realloc(b->buf, cap);

		if (bigger == NULL)
			return -1;
		b->buf = bigger;
		b->cap = cap;
	}
	b->buf[b->len] = (unsigned char)tn;
	memcpy(b->buf + b->len + 1, topic, tn);
	memcpy(b->buf + b->len + 1 + tn, &l, 4);
	memcpy(b->buf + b->len + 1 + tn + 4, p, len);
	b->len += need;
	b->n++;
	return 0;
}

static void batch_clear(struct sink_batch *b)
{
	b->len = 0;
	b->n = 0;
}

/* One record at *pos: topic and payload. */
static void batch_record(const struct sink_batch *b, size_t pos, const char **topic, size_t *tn,
			 const unsigned char **p, uint32_t *len)
{
	*tn = b->buf[pos];
	*topic = (const char *)b->buf + pos + 1;
	memcpy(len, b->buf + pos + 1 + *tn, 4);
	*p = b->buf + pos + 1 + *tn + 4;
}

int sink_batch_next(const struct sink_batch *b, size_t *pos, struct nbpy_msg *m)
{
	struct nbpy_error err;

	while (*pos < b->len) {
		const char *topic;
		const unsigned char *p;
		size_t tn;
		uint32_t len;

		batch_record(b, *pos, &topic, &tn, &p, &len);
		*pos += 1 + tn + 4 + len;
		/* The sink encoded it itself: this fails only on a corrupt spool. */
		if (nbpy_wire_decode(p, len, m, &err) == 0)
			return 1;
		log_warning("spooled message skipped: %s", err.msg);
	}
	return 0;
}

/* ---- states ---- */

static void spool_batch(struct sink *s)
{
	size_t pos = 0;

	while (pos < s->batch.len) {
		const char *topic;
		const unsigned char *p;
		char name[NBPY_TOPIC_MAX + 1];
		size_t tn;
		uint32_t len;

		batch_record(&s->batch, pos, &topic, &tn, &p, &len);
		pos += 1 + tn + 4 + len;
		memcpy(name, topic, tn);
		name[tn] = '\0';
		if (spool_append(&s->spool, name, p, len) < 0 && errno != ENOSPC) {
			s->lost++;
			worker_error(s->w, "spool %s: %s: message lost", s->spool.dir, strerror(errno));
		}
	}
	batch_clear(&s->batch);
	s->batch_since = 0;
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

static void write_batch(struct sink *s, bool from_spool)
{
	size_t dup = 0;
	enum sink_result rc = s->store->write(s, &s->batch, &dup);

	switch (rc) {
	case SINK_OK:
		if (dup > s->batch.n)
			dup = s->batch.n;
		s->written += s->batch.n - dup;
		s->duplicates += dup;
		if (from_spool)
			spool_consume(&s->spool);
		break;
	case SINK_DROP:
		s->rejected += s->batch.n;
		worker_error(s->w, "store refused a batch of %zu messages (dropped): %s", s->batch.n,
			     s->error);
		if (from_spool)
			spool_consume(&s->spool);
		break;
	case SINK_RETRY:
		if (!from_spool)
			spool_batch(s);
		failed(s, from_spool ? "writing the spool back failed" : "write failed");
		break;
	}
	batch_clear(&s->batch);
	s->batch_since = 0;
	if (rc != SINK_RETRY)
		succeeded(s);
}

static void from_spool(void *arg, const struct capture_view *v)
{
	struct sink *s = arg;

	if (batch_add(&s->batch, v->topic, v->topic_len, v->payload, v->len) < 0) {
		s->lost++;
		worker_error(s->w, "out of memory reading the spool: message lost");
	}
}

static void drain(struct sink *s)
{
	for (int i = 0; i < DRAIN_ROUNDS && !spool_empty(&s->spool); i++) {
		batch_clear(&s->batch);
		if (spool_read(&s->spool, s->batch_max, from_spool, s) == 0)
			break;
		write_batch(s, true);
		if (s->retry_at > nbpy_monotonic_ns())
			return;
	}
}

static void schedule(struct sink *s)
{
	int64_t next = INT64_MAX;

	if (s->batch.n > 0)
		next = s->batch_since + s->flush_every;
	if (!spool_empty(&s->spool) && s->retry_at < next)
		next = s->retry_at;
	if (s->spool.dirty && s->next_sync < next)
		next = s->next_sync;
	worker_set_timer(s->w, next == INT64_MAX ? 0 : next);
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
	const struct nbpy_msg *m = in->msg;
	const char *topic = in->topic;
	struct sink *s = w->kind_state;
	unsigned char payload[NBPY_WIRE_MAX];
	struct nbpy_error err;
	size_t len, tn = strlen(topic);

	if (nbpy_wire_encode(m, payload, sizeof(payload), &len, &err) < 0) {
		w->bad_messages++;
		log_warning("message on %s skipped: %s", topic, err.msg);
		return;
	}
	if (!spool_empty(&s->spool)) {
		/* Backlog: behind what is spooled, to keep the order. */
		if (spool_append(&s->spool, topic, payload, len) < 0 && errno != ENOSPC) {
			s->lost++;
			worker_error(w, "spool %s: %s: message lost", s->spool.dir, strerror(errno));
		}
		schedule(s);
		return;
	}
	if (batch_add(&s->batch, topic, tn, payload, len) < 0) {
		s->lost++;
		worker_error(w, "out of memory: message lost");
		return;
	}
	if (s->batch.n == 1)
		s->batch_since = nbpy_monotonic_ns();
	if (s->batch.n >= s->batch_max)
		write_batch(s, false);
	schedule(s);
}

void sink_on_timer(struct worker *w)
{
	struct sink *s = w->kind_state;
	int64_t now = nbpy_monotonic_ns();

	if (s->batch.n > 0 && now >= s->batch_since + s->flush_every)
		write_batch(s, false);
	if (!spool_empty(&s->spool) && now >= s->retry_at)
		drain(s);
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
	char line[160];

	/* One try at the store, then the spool: nothing accepted is dropped,
	 * and the stop stays bounded by the store's timeout. */
	if (s->batch.n > 0)
		write_batch(s, false);
	if (spool_sync(&s->spool) < 0)
		worker_error(w, "fsync %s: %s", s->spool.dir, strerror(errno));
	sink_status(w, line, sizeof(line));
	log_notice("%s", line + 2);
}

void sink_destroy(struct worker *w)
{
	struct sink *s = w->kind_state;

	if (s->store != NULL && s->store->close)
		s->store->close(s);
	if (s->spool_open)
		spool_close(&s->spool);
	free(s->batch.buf);
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
