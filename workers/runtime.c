/* runtime.c - the worker's event loop, publishing, subscriptions and status
 * (see runtime.h).  HTTP and streams are in runtime_http.c and
 * runtime_stream.c; what they share with the loop is runtime_loop.h. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>
#include <zmq.h>

#include "common/log.h"
#include "common/timefmt.h"
#include "workers/runtime.h"
#include "workers/runtime_loop.h"

#define MAX_SUBS 48
#define STATUS_EVERY_NS NBPY_NS_PER_SEC
#define DRAIN_BURST 1000	/* messages from one subscription before others get a turn */
#define EPOLL_BATCH 64

int worker_config_error(struct worker *w, const void *field, const char *fmt, ...)
{
	char msg[NBPY_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return nbpy_error_class_set(&w->error, NBPY_ERR_CONFIG, "%s:%d: [%s] %s", w->config->path,
				    field ? nbpy_service_setting_line(w->svc, field) : w->svc->line,
				    w->svc->name, msg);
}

void worker_error(struct worker *w, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	w->errors++;
	log_warning("%s", msg);
}

/* ---- publishing ---- */

/* Send the pending batch as one frame. */
static void flush_batch(struct worker *w)
{
	struct nbpy_error err;
	size_t n = w->batch.n;

	if (n == 0 || w->pub == NULL)
		return;
	if (nbpy_bus_batch_send(w->pub, &w->batch, ZMQ_DONTWAIT, &err) < 0)
		worker_error(w, "publish: %s (%zu messages lost)", err.msg, n);
	else
		w->published += n;
}

static int add_to_batch(struct worker *w, const struct nbpy_msg *m, const char *topic)
{
	struct nbpy_error err;

	if (!nbpy_bus_batch_fits(&w->batch, topic))
		flush_batch(w);
	if (nbpy_bus_batch_add(&w->batch, m, topic, &err) < 0) {
		worker_error(w, "publish: %s", err.msg);
		return -1;
	}
	if (w->batch.n == w->batch.max)
		flush_batch(w);
	return 0;
}

/* ---- held messages (worker_hold) ---- */

/* Each held message: this, the topic and its NUL (none for the service's
 * own topic, or for a legacy frame, which carries its topic), then the
 * encoded message. */
struct held_head {
	uint32_t len;
	uint8_t tlen;
	bool own_topic;
};

static int hold(struct worker *w, const struct nbpy_msg *m, const char *topic)
{
	bool legacy = w->wire == NBPY_WIRE_LEGACY;
	size_t tlen = legacy || topic == w->topic ? 0 : strlen(topic) + 1, len, at;
	struct held_head h;
	struct nbpy_error err;
	int rc;

	if (tlen > NBPY_TOPIC_MAX + 1) {
		worker_error(w, "publish: topic longer than %d bytes", NBPY_TOPIC_MAX);
		return -1;
	}
	if (nbpy_buf_reserve(&w->held, sizeof(h) + tlen + (legacy ? NBPY_LEGACY_MAX : NBPY_WIRE_MAX)) < 0) {
		worker_error(w, "publish: out of memory holding a message");
		return -1;
	}
	at = w->held.len + sizeof(h) + tlen;
	rc = legacy ? nbpy_legacy_encode(m, topic, w->held.data + at, NBPY_LEGACY_MAX, &len, &err)
		    : nbpy_wire_encode(m, w->held.data + at, NBPY_WIRE_MAX, &len, &err);
	if (rc < 0) {
		worker_error(w, "publish: %s", err.msg);
		return -1;
	}
	h.len = (uint32_t)len;
	h.tlen = (uint8_t)tlen;
	h.own_topic = !legacy && topic == w->topic;
	memcpy(w->held.data + w->held.len, &h, sizeof(h));
	memcpy(w->held.data + w->held.len + sizeof(h), topic, tlen);
	w->held.len = at + len;
	w->held.data[w->held.len] = '\0';
	return 0;
}

void worker_hold(struct worker *w)
{
	w->holding = true;
}

size_t worker_held_bytes(const struct worker *w)
{
	return w->held.len;
}

void worker_release(struct worker *w)
{
	struct held_head h;

	w->holding = false;
	for (size_t at = 0; at < w->held.len; at += sizeof(h) + h.tlen + h.len) {
		const char *topic, *payload;

		memcpy(&h, w->held.data + at, sizeof(h));
		topic = h.own_topic ? w->topic : w->held.data + at + sizeof(h);
		payload = w->held.data + at + sizeof(h) + h.tlen;
		if (w->pub == NULL)
			continue;
		if (w->batch.max > 1) {
			if (!nbpy_bus_batch_fits(&w->batch, topic))
				flush_batch(w);
			nbpy_bus_batch_add_encoded(&w->batch, payload, h.len, topic);
			if (w->batch.n == w->batch.max)
				flush_batch(w);
			continue;
		}
		if ((w->wire != NBPY_WIRE_LEGACY
			     ? nbpy_bus_send_raw(w->pub, topic, strlen(topic), payload, h.len, ZMQ_DONTWAIT)
			     : zmq_send(w->pub, payload, h.len, ZMQ_DONTWAIT)) < 0)
			worker_error(w, "publish: %s", zmq_strerror(errno));
		else
			w->published++;
	}
	flush_batch(w);	/* its topic may point into held */
	nbpy_buf_reset(&w->held);
}

static bool same_stream(const struct worker_seq *e, const char *topic, size_t topic_len,
			const char *service, size_t service_len)
{
	return e->topic_len == topic_len && e->service_len == service_len &&
	       memcmp(e->topic, topic, topic_len) == 0 && memcmp(e->service, service, service_len) == 0;
}

/* The entry of stream (service, topic) in t; *added when it is new (seq and
 * event_ns 0).  NULL when t is full or a name too long: said once. */
static struct worker_seq *stream_of(struct worker *w, struct worker_seq_table *t, const char *topic,
				    size_t topic_len, const char *service, size_t service_len, bool *added)
{
	struct worker_seq *e;
	size_t i;

	*added = false;
	if (t->n > 0 && same_stream(&t->e[t->last], topic, topic_len, service, service_len))
		return &t->e[t->last];
	for (i = 0; i < t->n; i++)
		if (same_stream(&t->e[i], topic, topic_len, service, service_len))
			return &t->e[t->last = i];
	if (i == WORKER_MAX_STREAMS || topic_len > NBPY_TOPIC_MAX || service_len > NBPY_SERVICE_MAX) {
		if (!t->full)
			worker_error(w, "more than %d streams, or names too long: %.*s on %.*s is not numbered apart",
				     WORKER_MAX_STREAMS, (int)service_len, service, (int)topic_len, topic);
		t->full = true;
		return NULL;
	}
	e = &t->e[t->last = t->n++];
	memcpy(e->topic, topic, topic_len);
	e->topic[topic_len] = '\0';
	memcpy(e->service, service, service_len);
	e->service[service_len] = '\0';
	e->topic_len = topic_len;
	e->service_len = service_len;
	e->seq = 0;
	e->event_ns = 0;
	*added = true;
	return e;
}

/* The next sequence number on topic: each topic counts on its own, so a
 * subscriber of some topics sees no hole for the others. */
static uint64_t next_seq(struct worker *w, const char *topic)
{
	struct worker_seq *e;
	bool added;

	if (topic == w->topic)
		return ++w->topic_seq;
	e = stream_of(w, &w->sent, topic, strlen(topic), w->svc->name, w->name_len, &added);
	return e != NULL ? ++e->seq : ++w->topic_seq;	/* past the bound: shares the own topic's */
}

int worker_publish(struct worker *w, struct nbpy_msg *m, const char *topic)
{
	struct nbpy_error err;

	if (w->pub == NULL)
		return -1;
	if (topic == NULL || strcmp(topic, w->topic) == 0)
		topic = w->topic;
	memcpy(m->h.service, w->svc->name, w->name_len + 1);	/* the config checked its length */
	m->h.seq = next_seq(w, topic);
	if (w->holding)
		return hold(w, m, topic);
	if (w->batch.max > 1)
		return add_to_batch(w, m, topic);
	if (nbpy_bus_send(w->pub, topic, m, w->wire, ZMQ_DONTWAIT, &err) < 0) {
		/* A PUB socket drops at its high-water mark: the sequence gap
		 * shows it to subscribers; count it here too. */
		worker_error(w, "publish: %s", err.msg);
		return -1;
	}
	w->published++;
	return 0;
}

int worker_send_now(struct worker *w, const char *topic, size_t topic_len, const void *payload, size_t len)
{
	if (w->pub == NULL)
		return -1;
	flush_batch(w);	/* what was published before goes out first */
	if (nbpy_bus_send_raw(w->pub, topic, topic_len, payload, len, ZMQ_DONTWAIT) < 0) {
		worker_error(w, "send on %.*s: %s", (int)topic_len, topic, zmq_strerror(errno));
		return -1;
	}
	return 0;
}

void worker_note_sent(struct worker *w, const char *topic, size_t topic_len, const char *service,
		      size_t service_len, uint64_t seq)
{
	bool added;
	struct worker_seq *e = stream_of(w, &w->sent, topic, topic_len, service, service_len, &added);

	if (e != NULL)
		e->seq = seq;
}

static void send_announcement(struct worker *w, const char *topic, const char *service, uint64_t seq)
{
	struct nbpy_msg m;
	struct nbpy_error err;

	m.h.schema = NBPY_SCHEMA_ANNOUNCEMENT;
	(void)snprintf(m.h.service, sizeof(m.h.service), "%s", service);
	m.h.seq = seq;
	m.h.event_ns = m.h.recv_ns = nbpy_now_ns();
	/* At the high-water mark of a replay, which does not drop, the next
	 * announcement will do. */
	if (nbpy_bus_send(w->pub, topic, &m, NBPY_WIRE_MSGPACK, ZMQ_DONTWAIT, &err) < 0 && errno != EAGAIN)
		worker_error(w, "announce on %s: %s", topic, err.msg);
}

/* Announce the last sequence number of every topic published on (wire.h),
 * after what it covers.  Legacy framing has no announcement. */
static void announce(struct worker *w)
{
	if (w->pub == NULL || w->wire == NBPY_WIRE_LEGACY)
		return;
	flush_batch(w);
	if (w->topic_seq > 0)
		send_announcement(w, w->topic, w->svc->name, w->topic_seq);
	for (size_t i = 0; i < w->sent.n; i++)
		if (w->sent.e[i].seq > 0)
			send_announcement(w, w->sent.e[i].topic, w->sent.e[i].service, w->sent.e[i].seq);
}

/* ---- file descriptors ---- */

static struct fd_watch *watch_of(struct worker_loop *L, int fd)
{
	return fd >= 0 && (size_t)fd < L->n_fds && L->fds[fd].fn != NULL ? &L->fds[fd] : NULL;
}

int worker_watch_fd(struct worker *w, int fd, unsigned events, worker_fd_fn fn, void *arg)
{
	struct worker_loop *L = w->loop;
	struct fd_watch *f;
	struct epoll_event ev = { 0 };
	bool was_in;

	if (fd < 0 || fn == NULL) {
		errno = EINVAL;
		return -1;
	}
	if ((size_t)fd >= L->n_fds) {
		size_t n = L->n_fds * 2 > (size_t)fd + 1 ? L->n_fds * 2 : (size_t)fd + 64;
		struct fd_watch *bigger = realloc(L->fds, n * sizeof(*bigger));

		if (bigger == NULL)
			return -1;
		memset(bigger + L->n_fds, 0, (n - L->n_fds) * sizeof(*bigger));
		L->fds = bigger;
		L->n_fds = n;
	}
	f = &L->fds[fd];
	was_in = f->fn != NULL && f->events != 0;
	if (f->fn == NULL)
		f->gen = ++L->gen;	/* events still queued for an earlier watch are stale */
	/* epoll_data: the fd and this watch's generation */
	ev.data.u64 = (uint64_t)f->gen << 32 | (uint32_t)fd;
	ev.events = (events & WORKER_READABLE ? EPOLLIN : 0) | (events & WORKER_WRITABLE ? EPOLLOUT : 0);
	if (events == 0) {
		if (was_in && epoll_ctl(L->ep, EPOLL_CTL_DEL, fd, NULL) < 0 && errno != EBADF && errno != ENOENT)
			return -1;
	} else if (epoll_ctl(L->ep, was_in ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev) < 0) {
		/* closed and reused, or a dup of a watched fd: try the other way */
		int again = was_in && errno == ENOENT ? EPOLL_CTL_ADD : !was_in && errno == EEXIST ? EPOLL_CTL_MOD : -1;

		if (again < 0 || epoll_ctl(L->ep, again, fd, &ev) < 0) {
			if (f->fn == NULL)
				f->gen = 0;
			return -1;
		}
	}
	f->fn = fn;
	f->arg = arg;
	f->events = events;
	return 0;
}

void worker_unwatch_fd(struct worker *w, int fd)
{
	struct fd_watch *f = watch_of(w->loop, fd);

	if (f == NULL)
		return;
	if (f->events != 0)
		(void)epoll_ctl(w->loop->ep, EPOLL_CTL_DEL, fd, NULL);	/* ENOENT/EBADF: already gone */
	memset(f, 0, sizeof(*f));
}

worker_fd_fn worker_fd_watcher(struct worker *w, int fd)
{
	struct fd_watch *f = watch_of(w->loop, fd);

	return f ? f->fn : NULL;
}

static void dispatch_fd(struct worker *w, uint64_t data, uint32_t revents)
{
	int fd = (int)(uint32_t)data;
	struct fd_watch *f = watch_of(w->loop, fd);
	unsigned ev = 0;

	if (f == NULL || f->gen != (uint32_t)(data >> 32))
		return;	/* unwatched (or replaced) earlier in this turn */
	if (revents & EPOLLIN)
		ev |= WORKER_READABLE;
	if (revents & EPOLLOUT)
		ev |= WORKER_WRITABLE;
	if (revents & (EPOLLERR | EPOLLHUP))
		ev |= f->events;
	ev &= f->events;
	if (ev)
		f->fn(w, fd, ev, f->arg);
}

/* ---- timers ---- */

static void timer_insert(struct worker_loop *L, struct timer *t)
{
	struct timer **p = &L->timers;

	while (*p != NULL && (*p)->due <= t->due)
		p = &(*p)->next;
	t->next = *p;
	*p = t;
}

long long worker_timer_at(struct worker *w, int64_t at_ns, int64_t period_ns, worker_timer_fn fn, void *arg)
{
	struct worker_loop *L = w->loop;
	struct timer *t;

	if (fn == NULL || (t = calloc(1, sizeof(*t))) == NULL)
		return -1;
	t->id = ++L->last_timer_id;
	t->due = at_ns;
	t->period = period_ns > 0 ? period_ns : 0;
	t->fn = fn;
	t->arg = arg;
	timer_insert(L, t);
	return t->id;
}

long long worker_timer_add(struct worker *w, int64_t after_ns, int64_t period_ns, worker_timer_fn fn,
			   void *arg)
{
	return worker_timer_at(w, nbpy_monotonic_ns() + (after_ns > 0 ? after_ns : 0), period_ns, fn, arg);
}

void worker_timer_del(struct worker *w, long long id)
{
	struct worker_loop *L = w->loop;

	if (id <= 0)
		return;
	if (id == L->firing_id) {
		L->firing_deleted = true;	/* freed when its callback returns */
		return;
	}
	for (struct timer **p = &L->timers; *p != NULL; p = &(*p)->next)
		if ((*p)->id == id) {
			struct timer *t = *p;

			*p = t->next;
			free(t);
			return;
		}
}

/* Fire what is due now, each timer at most once, none added meanwhile. */
static void run_timers(struct worker *w)
{
	struct worker_loop *L = w->loop;
	int64_t now = nbpy_monotonic_ns();
	long long newest = L->last_timer_id;

	for (;;) {
		struct timer **p = &L->timers, *t;

		while (*p != NULL && (*p)->due <= now && (*p)->id > newest)
			p = &(*p)->next;
		if (*p == NULL || (*p)->due > now || (w->stopping && !w->stop_held))
			return;
		t = *p;
		*p = t->next;
		L->firing_id = t->id;
		L->firing_deleted = false;
		t->fn(w, t->arg);
		L->firing_id = 0;
		if (t->period > 0 && !L->firing_deleted) {
			t->due += t->period;
			if (t->due <= now)
				t->due = now + t->period;
			timer_insert(L, t);
		} else {
			free(t);
		}
	}
}

static void kind_timer(struct worker *w, void *arg)
{
	(void)arg;
	w->loop->kind_timer = 0;
	if (w->ops->on_timer)
		w->ops->on_timer(w);
}

void worker_set_timer(struct worker *w, int64_t at_ns)
{
	struct worker_loop *L = w->loop;

	worker_timer_del(w, L->kind_timer);
	L->kind_timer = at_ns != 0 ? worker_timer_at(w, at_ns, 0, kind_timer, NULL) : 0;
	if (L->kind_timer < 0) {
		L->kind_timer = 0;
		worker_error(w, "out of memory: the timer is lost");
	}
}

/* ---- subscriptions ---- */

static void *open_pub(struct worker *w)
{
	const struct nbpy_value *hwm = nbpy_service_value(w->svc, "sndhwm");
	int h = (int)hwm->v.i, linger = 1000, verbose = 1;
	void *s;

	if (w->svc->bind == NULL)
		return NULL;
	s = zmq_socket(w->zctx, w->loop->xpub ? ZMQ_XPUB : ZMQ_PUB);
	/* VERBOSE: without it only the first subscription to a topic is
	 * passed on, and a second subscriber would never be answered */
	if (s == NULL || zmq_setsockopt(s, ZMQ_SNDHWM, &h, sizeof(h)) < 0 ||
	    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger)) < 0 ||
	    (w->loop->xpub && zmq_setsockopt(s, ZMQ_XPUB_VERBOSE, &verbose, sizeof(verbose)) < 0) ||
	    zmq_bind(s, w->svc->bind) < 0) {
		log_error("publish on %s: %s", w->svc->bind, zmq_strerror(errno));
		if (s)
			(void)zmq_close(s);
		return NULL;
	}
	return s;
}

static int open_subs(struct worker *w)
{
	const struct nbpy_value *hwm = nbpy_service_value(w->svc, "rcvhwm");
	int h = hwm ? (int)hwm->v.i : 100000, zero = 0;
	size_t n = w->svc->n_subs ? w->svc->n_subs : 1;

	if (w->svc->n_subs > MAX_SUBS)
		return nbpy_error_class_set(&w->error, NBPY_ERR_CONFIG, "%s:%d: [%s] %zu subscriptions, at most %d",
					    w->config->path, w->svc->line, w->svc->name, w->svc->n_subs,
					    MAX_SUBS);
	w->subs = calloc(n, sizeof(void *));
	w->origins = calloc(n, sizeof(*w->origins));
	w->sub_origin = calloc(n, sizeof(*w->sub_origin));
	w->loop->sub_pending = calloc(n, sizeof(*w->loop->sub_pending));
	if (w->subs == NULL || w->origins == NULL || w->sub_origin == NULL || w->loop->sub_pending == NULL)
		return nbpy_error_set(&w->error, "out of memory");
	for (size_t i = 0; i < w->svc->n_subs; i++) {
		const struct nbpy_subscription *sub = &w->svc->subs[i];
		void *s = zmq_socket(w->zctx, ZMQ_SUB);
		size_t o = 0;

		/* Subscriptions to one endpoint (several topics) share its
		 * numbering: one sequence per connection. */
		while (o < i && strcmp(w->svc->subs[o].endpoint, sub->endpoint) != 0)
			o++;
		w->sub_origin[i] = o < i ? w->sub_origin[o] : i;
		w->origins[i].endpoint = sub->endpoint;

		/* LINGER 0: a SUB has nothing of value to send, but with the
		 * default (forever) zmq_ctx_term waits to deliver the subscription
		 * it queued on reconnecting to a publisher that has gone, and the
		 * worker hangs at stop until nbpyd kills it */
		if (s == NULL || zmq_setsockopt(s, ZMQ_RCVHWM, &h, sizeof(h)) < 0 ||
		    zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero)) < 0 ||
		    zmq_setsockopt(s, ZMQ_SUBSCRIBE, sub->topic, strlen(sub->topic)) < 0 ||
		    zmq_connect(s, sub->endpoint) < 0) {
			nbpy_error_set(&w->error, "subscribe to %s: %s", sub->endpoint, zmq_strerror(errno));
			if (s)
				(void)zmq_close(s);
			return -1;
		}
		w->subs[w->n_subs++] = s;
	}
	return 0;
}

/* Count sequence gaps per stream (service, topic); true if m repeats the
 * last message of its stream (same seq and event time: a last-value cache
 * resending it), which is not delivered again.  The first message of a
 * stream is where counting starts; a lower number is a publisher that
 * restarted. */
static bool track_sequence(struct worker *w, const struct nbpy_msg *m, const char *topic)
{
	struct worker_seq *e;
	bool added;

	if (m->h.service[0] == '\0')
		return false;	/* legacy frames carry no sequence */
	e = stream_of(w, &w->heard, topic, strlen(topic), m->h.service, strlen(m->h.service), &added);
	if (e == NULL)
		return false;
	if (!added && m->h.seq == e->seq && m->h.event_ns == e->event_ns)
		return true;
	if (!added && m->h.seq > e->seq + 1)
		w->gaps += m->h.seq - e->seq - 1;
	e->seq = m->h.seq;
	e->event_ns = m->h.event_ns;
	return false;
}

/* A sequence announcement: what the service published on topic up to seq
 * and did not reach us is lost, after the last message received too.  Below
 * what was received (a restarted publisher) it changes nothing: the next
 * message starts counting again.  Before anything was received it only sets
 * where counting starts. */
static void count_announced(struct worker *w, const struct nbpy_msg *m, const char *topic)
{
	bool added;
	struct worker_seq *e = stream_of(w, &w->heard, topic, strlen(topic), m->h.service,
					 strlen(m->h.service), &added);

	if (e == NULL)
		return;
	if (added) {
		e->seq = m->h.seq;
	} else if (m->h.seq > e->seq) {
		w->gaps += m->h.seq - e->seq;
		e->seq = m->h.seq;
		e->event_ns = 0;	/* seq was lost: if it comes after all (resent), it is no repeat */
	}
	/* else the last message received stays the last: a resend of it is
	 * still a repeat (a last-value cache announces its topics too) */
}

/* Hand message k of what was just received to the kind, with its bytes. */
static void deliver(struct worker *w, size_t sub, size_t k, const char *topic, int64_t now)
{
	struct worker_loop *L = w->loop;
	struct nbpy_msg *m = &L->inbox[k];
	struct worker_input in = { .msg = m, .topic = topic, .recv_ns = now };

	w->received++;
	if (track_sequence(w, m, topic)) {
		w->repeats++;
		return;
	}
	if (L->frame.data != NULL) {
		in.raw = L->frame.data + L->slices[k].off;
		in.raw_len = L->slices[k].len;
	} else {
		/* Legacy frames: a header of our own, or every frame of a
		 * topic would be one row to a store; then MessagePack once. */
		struct nbpy_error err;

		nbpy_bus_stamp(&w->origins[w->sub_origin[sub]], m, topic, now);
		if (w->ops->on_message && nbpy_wire_encode(m, L->legacy_raw, sizeof(L->legacy_raw), &in.raw_len,
							   &err) < 0) {
			w->bad_messages++;
			log_warning("bad message skipped: %s", err.msg);
			return;
		}
		in.raw = L->legacy_raw;
	}
	if (w->ops->on_message)
		w->ops->on_message(w, &in);
}

/* What subscription `sub` has: decoded, counted, and handed to the kind. */
static void receive(struct worker *w, size_t sub)
{
	struct worker_loop *L = w->loop;
	char topic[NBPY_TOPIC_MAX + 1];
	struct nbpy_error err;
	size_t n;
	int rc, i, events = 0;
	size_t sz = sizeof(events);
	int64_t now;

	/* Drain what is there, but give other sockets a turn after a burst. */
	L->sub_pending[sub] = false;
	for (i = 0; i < DRAIN_BURST; i++) {
		rc = nbpy_bus_recv_frame(w->subs[sub], L->inbox, L->slices, NBPY_BATCH_MAX, &n, topic,
					 sizeof(topic), w->svc->subs[sub].schema, ZMQ_DONTWAIT, &L->frame, &err);
		if (rc == -1) {
			if (errno != EAGAIN && errno != EINTR)
				worker_error(w, "receive from %s: %s", w->svc->subs[sub].endpoint,
					     zmq_strerror(errno));
			/* ZMQ_FD signals edges: only an empty socket re-arms it */
			if (zmq_getsockopt(w->subs[sub], ZMQ_EVENTS, &events, &sz) == 0 && (events & ZMQ_POLLIN))
				L->sub_pending[sub] = true;
			break;
		}
		if (rc == NBPY_BUS_BAD_MESSAGE) {
			w->bad_messages++;
			log_warning("bad message skipped: %s", err.msg);
			continue;
		}
		now = nbpy_now_ns();
		for (size_t k = 0; k < n; k++) {
			if (L->inbox[k].h.schema == NBPY_SCHEMA_ANNOUNCEMENT)
				count_announced(w, &L->inbox[k], topic);
			else
				deliver(w, sub, k, topic, now);
		}
		nbpy_bus_frame_release(&L->frame);
	}
	if (i == DRAIN_BURST)
		L->sub_pending[sub] = true;	/* more may be there: next turn */
	if (i > 0)	/* once a burst: a clock read per message shows in a flood */
		w->last_message_mono = nbpy_monotonic_ns();
}

static void on_sub_fd(struct worker *w, int fd, unsigned events, void *arg)
{
	(void)fd;
	(void)events;
	receive(w, (size_t)(uintptr_t)arg);
}

/* ---- subscriptions to an XPUB (NBPY_KIND_XPUB) ---- */

/* What subscribers sent: byte 1 and the topic subscribes, byte 0 and the
 * topic unsubscribes.  Drained, with a turn for others after a burst. */
static void read_subscriptions(struct worker *w)
{
	struct worker_loop *L = w->loop;

	L->xpub_pending = false;
	for (int i = 0; i < DRAIN_BURST; i++) {
		zmq_msg_t msg;
		const unsigned char *d;
		size_t n;

		(void)zmq_msg_init(&msg);	/* cannot fail */
		if (zmq_msg_recv(&msg, w->pub, ZMQ_DONTWAIT) < 0) {
			if (errno != EAGAIN && errno != EINTR)
				worker_error(w, "read subscriptions on %s: %s", w->svc->bind, zmq_strerror(errno));
			(void)zmq_msg_close(&msg);
			return;	/* the end-of-turn check (check_xpub) sees what is left */
		}
		d = zmq_msg_data(&msg);
		n = zmq_msg_size(&msg);
		if (n >= 1 && d[0] == 1 && w->ops->on_subscribe)
			w->ops->on_subscribe(w, (const char *)d + 1, n - 1);
		(void)zmq_msg_close(&msg);
	}
	L->xpub_pending = true;	/* more may be there: next turn */
}

static void on_xpub_fd(struct worker *w, int fd, unsigned events, void *arg)
{
	(void)fd;
	(void)events;
	(void)arg;
	read_subscriptions(w);
}

/* ZMQ_FD signals edges, and a send may take in a subscription without the
 * fd saying so: after the turn's sends, ask the socket itself. */
static void check_xpub(struct worker *w)
{
	int events = 0;
	size_t sz = sizeof(events);

	if (w->loop->xpub && w->pub != NULL && zmq_getsockopt(w->pub, ZMQ_EVENTS, &events, &sz) == 0 &&
	    (events & ZMQ_POLLIN))
		w->loop->xpub_pending = true;
}

static void on_signal_fd(struct worker *w, int fd, unsigned events, void *arg)
{
	struct signalfd_siginfo si;

	(void)events;
	(void)arg;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
			w->stopping = true;
}

/* ---- status ---- */

static void report_status(struct worker *w, void *arg)
{
	char buf[512], age[32] = "-", more[320] = "";

	(void)arg;
	announce(w);
	if (w->last_message_mono)
		(void)snprintf(age, sizeof(age), "%.1fs",
			       (double)(nbpy_monotonic_ns() - w->last_message_mono) / 1e9);
	if (w->ops->status)
		w->ops->status(w, more, sizeof(more));
	(void)snprintf(buf, sizeof(buf),
		       "STATUS=received %llu, published %llu, errors %llu, gaps %llu, repeats %llu, bad %llu, "
		       "last %s%s",
		       (unsigned long long)w->received, (unsigned long long)w->published,
		       (unsigned long long)w->errors, (unsigned long long)w->gaps, (unsigned long long)w->repeats,
		       (unsigned long long)w->bad_messages, age, more);
	(void)sd_notify(0, buf);
}

void worker_hold_stop(struct worker *w, bool hold)
{
	w->stop_held = hold;
}

static void feed_watchdog(struct worker *w, void *arg)
{
	(void)w;
	(void)arg;
	(void)sd_notify(0, "WATCHDOG=1");
}

/* ---- the loop ---- */

int worker_loop_open(struct worker *w)
{
	if ((w->loop->ep = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		log_error("epoll: %s", strerror(errno));
		return -1;
	}
	return worker_curl_open(w);
}

static int watch_subs(struct worker *w)
{
	for (size_t i = 0; i < w->n_subs; i++) {
		int fd;
		size_t sz = sizeof(fd);

		if (zmq_getsockopt(w->subs[i], ZMQ_FD, &fd, &sz) < 0 ||
		    worker_watch_fd(w, fd, WORKER_READABLE, on_sub_fd, (void *)(uintptr_t)i) < 0) {
			log_error("watch subscription %zu: %s", i, strerror(errno));
			return -1;
		}
		w->loop->sub_pending[i] = true;	/* what came before the watch */
	}
	return 0;
}

static int watch_xpub(struct worker *w)
{
	int fd;
	size_t sz = sizeof(fd);

	if (!w->loop->xpub || w->pub == NULL)
		return 0;
	if (zmq_getsockopt(w->pub, ZMQ_FD, &fd, &sz) < 0 ||
	    worker_watch_fd(w, fd, WORKER_READABLE, on_xpub_fd, NULL) < 0) {
		log_error("watch the subscribers of %s: %s", w->svc->bind, strerror(errno));
		return -1;
	}
	w->loop->xpub_pending = true;	/* what came before the watch */
	return 0;
}

int worker_loop_turn(struct worker *w)
{
	struct worker_loop *L = w->loop;
	struct epoll_event evs[EPOLL_BATCH];
	int n, timeout = -1;
	bool pending = L->xpub_pending;

	for (size_t i = 0; i < w->n_subs; i++)
		pending |= L->sub_pending[i];
	if (pending) {
		timeout = 0;
	} else if (L->timers != NULL) {
		int64_t wait = L->timers->due - nbpy_monotonic_ns();

		timeout = wait <= 0 ? 0 : wait >= 60 * NBPY_NS_PER_SEC ? 60000 : (int)((wait + 999999) / 1000000);
	}
	n = epoll_wait(L->ep, evs, EPOLL_BATCH, timeout);
	if (n < 0 && errno != EINTR) {
		log_error("epoll_wait: %s", strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++)
		dispatch_fd(w, evs[i].data.u64, evs[i].events);
	if (L->xpub_pending)
		read_subscriptions(w);
	for (size_t i = 0; pending && i < w->n_subs; i++)
		if (L->sub_pending[i])
			receive(w, i);
	run_timers(w);
	/* A batch never waits for more than one turn of the loop. */
	flush_batch(w);
	check_xpub(w);
	return 0;
}

static int loop(struct worker *w)
{
	uint64_t wd_usec = 0;

	/* STATUS at once, then every second: "last" is the age of the last message */
	if (worker_timer_add(w, 0, STATUS_EVERY_NS, report_status, NULL) < 0)
		return 1;
	if (sd_watchdog_enabled(0, &wd_usec) > 0 &&
	    worker_timer_add(w, 0, (int64_t)wd_usec * 1000 / 2, feed_watchdog, NULL) < 0)
		return 1;
	if (watch_subs(w) < 0 || watch_xpub(w) < 0)
		return 1;
	while (!w->stopping)
		if (worker_loop_turn(w) < 0)
			return 1;
	(void)sd_notify(0, "STOPPING=1");
	/* What already reached our sockets is handled, not dropped: a sink
	 * must not lose what it has received. */
	for (size_t i = 0; i < w->n_subs; i++)
		receive(w, i);
	if (w->ops->on_stop)
		w->ops->on_stop(w);
	while (w->stop_held)
		if (worker_loop_turn(w) < 0)
			return 1;
	announce(w);	/* flushes the batch first */
	log_notice("stopping: received %llu, published %llu, errors %llu, gaps %llu, repeats %llu",
		   (unsigned long long)w->received, (unsigned long long)w->published,
		   (unsigned long long)w->errors, (unsigned long long)w->gaps, (unsigned long long)w->repeats);
	return 0;
}

void worker_loop_close(struct worker *w)
{
	struct worker_loop *L = w->loop;

	worker_curl_close(w);
	while (L->timers != NULL) {
		struct timer *t = L->timers;

		L->timers = t->next;
		free(t);
	}
	free(L->fds);
	if (L->ep >= 0)
		(void)close(L->ep);
	free(L->sub_pending);
	free(L->inbox);
	free(L->slices);
	nbpy_bus_frame_release(&L->frame);
}

/* Exit code for an error in w->error: 78 for configuration, else 1.  The
 * reason is logged, and is the last STATUS, which nbpyctl status shows. */
static int failed(struct worker *w)
{
	char status[sizeof(w->error.msg) + 16];

	if (w->error.msg[0] != '\0') {
		log_error("%s", w->error.msg);
		(void)snprintf(status, sizeof(status), "STATUS=error: %s", w->error.msg);
		(void)sd_notify(0, status);
	}
	return w->error.cls == NBPY_ERR_CONFIG ? NBPY_EX_CONFIG : 1;
}

int worker_run(const struct nbpy_config *c, const char *service, const struct kind_ops *ops)
{
	struct worker_loop L = { .ep = -1 };
	struct worker w = { .config = c, .ops = ops, .loop = &L };
	sigset_t mask;
	int sfd = -1, rc = 1;

	w.svc = nbpy_config_service(c, service);
	if (w.svc == NULL) {
		fprintf(stderr, "nbpy-worker: %s: no service [%s]\n", c->path, service);
		return NBPY_EX_CONFIG;
	}
	w.name_len = strlen(w.svc->name);
	nbpy_log_init(service, (enum nbpy_log_level)nbpy_log_level_parse(
				       nbpy_config_global(c, "log_level")->text));
	if (sigemptyset(&mask) < 0 || sigaddset(&mask, SIGTERM) < 0 || sigaddset(&mask, SIGINT) < 0 ||
	    sigprocmask(SIG_BLOCK, &mask, NULL) < 0 ||
	    (sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) < 0 || signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
		log_error("signals: %s", strerror(errno));
		return 1;
	}
	if (worker_loop_open(&w) < 0)
		goto out;
	if (worker_watch_fd(&w, sfd, WORKER_READABLE, on_signal_fd, NULL) < 0) {
		log_error("watch the signals: %s", strerror(errno));
		goto out;
	}
	w.zctx = zmq_ctx_new();
	if (w.zctx == NULL)
		goto out;
	if ((w.sent.e = calloc(WORKER_MAX_STREAMS, sizeof(*w.sent.e))) == NULL ||
	    (w.heard.e = calloc(WORKER_MAX_STREAMS, sizeof(*w.heard.e))) == NULL) {
		log_error("out of memory");
		goto out;
	}
	if (w.svc->kind->flags & NBPY_KIND_PUBLISHES) {
		const struct nbpy_value *wire = nbpy_service_value(w.svc, "wire");

		w.wire = strcmp(wire->text, "legacy") == 0 ? NBPY_WIRE_LEGACY : NBPY_WIRE_MSGPACK;
		w.topic = w.svc->topic;
		L.xpub = (w.svc->kind->flags & NBPY_KIND_XPUB) != 0;
		if (nbpy_bus_batch_init(&w.batch, (size_t)nbpy_service_value(w.svc, "batch")->v.i) < 0)
			goto out;
		if ((w.pub = open_pub(&w)) == NULL)
			goto out;
	}
	if (w.svc->kind->flags & NBPY_KIND_SUBSCRIBES) {
		if ((L.inbox = malloc(NBPY_BATCH_MAX * sizeof(*L.inbox))) == NULL ||
		    (L.slices = malloc(NBPY_BATCH_MAX * sizeof(*L.slices))) == NULL)
			goto out;
		if (open_subs(&w) < 0) {
			rc = failed(&w);
			goto out;
		}
	}
	w.settings = w.svc->settings;
	if (w.svc->kind->state_size > 0 && (w.kind_state = calloc(1, w.svc->kind->state_size)) == NULL) {
		log_error("out of memory");
		goto out;
	}
	/* an init that logs its own reason and returns -1 exits 78, as before */
	nbpy_error_class_set(&w.error, NBPY_ERR_CONFIG, "%s", "");
	if (ops->init && ops->init(&w) < 0) {
		rc = failed(&w);
		goto out;
	}
	(void)sd_notify(0, "READY=1");
	log_info("ready: %s%s%s", w.svc->kind->name, w.pub ? ", publishing on " : "",
		 w.pub ? w.svc->bind : "");
	rc = loop(&w);
out:
	if (ops->destroy && w.kind_state != NULL)
		ops->destroy(&w);
	worker_streams_close_all(&w);
	free(w.kind_state);
	for (size_t i = 0; i < w.n_subs; i++)
		(void)zmq_close(w.subs[i]);
	free(w.sent.e);
	free(w.heard.e);
	free(w.subs);
	free(w.origins);
	free(w.sub_origin);
	nbpy_bus_batch_free(&w.batch);
	nbpy_buf_free(&w.held);
	if (w.pub)
		(void)zmq_close(w.pub);
	if (w.zctx)
		(void)zmq_ctx_term(w.zctx);
	worker_loop_close(&w);
	if (sfd >= 0)
		(void)close(sfd);
	return rc;
}
