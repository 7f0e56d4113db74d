/* runtime.c - see runtime.h. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>
#include <zmq.h>

#include "common/log.h"
#include "workers/runtime.h"
#include "common/timefmt.h"

#define HTTP_MAX_BODY (16 << 20)	/* a response larger than this is an error */
#define MAX_SUBS 48			/* poll items: subscriptions, then libcurl's sockets */
#define STATUS_EVERY_NS NBPY_NS_PER_SEC

struct http_req {
	struct http_req *next;
	CURL *handle;
	struct worker *w;
	http_done_fn done;
	void *arg;
	char *body;
	size_t len, cap;
	bool too_large;
	char errbuf[CURL_ERROR_SIZE];
	struct curl_slist *headers;
};

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

/* Send the pending batch as one frame. */
static void flush_batch(struct worker *w)
{
	struct nbpy_error err;

	if (w->batch_n == 0)
		return;
	if (nbpy_bus_send_frame(w->pub, w->batch_topic, w->batch_buf, w->batch_len, ZMQ_DONTWAIT, &err) < 0)
		worker_error(w, "publish: %s (%zu messages lost)", err.msg, w->batch_n);
	else
		w->published += w->batch_n;
	w->batch_n = 0;
	w->batch_len = 0;
}

static int add_to_batch(struct worker *w, const struct nbpy_msg *m, const char *topic)
{
	struct nbpy_error err;
	size_t len;

	if (w->batch_n > 0 && strcmp(w->batch_topic, topic) != 0)
		flush_batch(w);
	if (nbpy_wire_encode(m, w->batch_buf + w->batch_len, NBPY_WIRE_MAX, &len, &err) < 0) {
		worker_error(w, "publish: %s", err.msg);
		return -1;
	}
	w->batch_topic = topic;
	w->batch_len += len;
	if (++w->batch_n == w->batch_max)
		flush_batch(w);
	return 0;
}

int worker_publish(struct worker *w, struct nbpy_msg *m, const char *topic)
{
	struct nbpy_error err;

	if (w->pub == NULL)
		return -1;
	(void)snprintf(m->h.service, sizeof(m->h.service), "%s", w->svc->name);
	m->h.seq = ++w->seq;
	if (topic == NULL) {
		topic = w->topic;
		w->topic_seq = w->seq;
	} else {
		worker_note_sent(w, topic, strlen(topic), w->svc->name, strlen(w->svc->name), w->seq);
	}
	if (w->batch_max > 1)
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

static bool same_sent(const struct worker_sent *s, const char *topic, size_t topic_len,
		      const char *service, size_t service_len)
{
	return s->topic_len == topic_len && s->service_len == service_len &&
	       memcmp(s->topic, topic, topic_len) == 0 && memcmp(s->service, service, service_len) == 0;
}

void worker_note_sent(struct worker *w, const char *topic, size_t topic_len, const char *service,
		      size_t service_len, uint64_t seq)
{
	struct worker_sent *s = &w->sent[w->sent_last];
	size_t i;

	/* a replay sends long runs of one topic and service: try the last first */
	if (w->n_sent > 0 && same_sent(s, topic, topic_len, service, service_len)) {
		s->seq = seq;
		return;
	}
	for (i = 0; i < w->n_sent; i++)
		if (same_sent(&w->sent[i], topic, topic_len, service, service_len))
			break;
	if (i == w->n_sent) {
		if (i == WORKER_MAX_ANNOUNCED || topic_len > NBPY_TOPIC_MAX || service_len > NBPY_SERVICE_MAX) {
			if (!w->sent_full)
				worker_error(w, "more than %d topics and services, or names too long: "
					     "%.*s on %.*s is not announced", WORKER_MAX_ANNOUNCED,
					     (int)service_len, service, (int)topic_len, topic);
			w->sent_full = true;
			return;
		}
		s = &w->sent[w->n_sent++];
		memcpy(s->topic, topic, topic_len);
		s->topic[topic_len] = '\0';
		memcpy(s->service, service, service_len);
		s->service[service_len] = '\0';
		s->topic_len = topic_len;
		s->service_len = service_len;
	}
	w->sent_last = i;
	w->sent[i].seq = seq;
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
	for (size_t i = 0; i < w->n_sent; i++)
		send_announcement(w, w->sent[i].topic, w->sent[i].service, w->sent[i].seq);
}

void worker_set_timer(struct worker *w, int64_t at_ns)
{
	w->timer_mono = at_ns;
}

/* ---- HTTP through libcurl multi ---- */

static size_t on_body(char *data, size_t size, size_t n, void *user)
{
	struct http_req *r = user;
	size_t len = size * n;

	if (r->len + len > HTTP_MAX_BODY) {
		r->too_large = true;
		return 0;	/* aborts the transfer */
	}
	if (r->len + len + 1 > r->cap) {
		size_t cap = (r->len + len + 1) * 2;
		char *bigger = realloc(r->body, cap);

		if (bigger == NULL)
			return 0;
		r->body = bigger;
		r->cap = cap;
	}
	memcpy(r->body + r->len, data, len);
	r->len += len;
	r->body[r->len] = '\0';
	return len;
}

int worker_http(struct worker *w, const struct http_request *req, http_done_fn done, void *arg)
{
	const struct nbpy_value *ua = nbpy_service_value(w->svc, "user_agent");
	struct http_req *r = calloc(1, sizeof(*r));
	CURL *h = curl_easy_init();
	bool ok;

	if (r == NULL || h == NULL) {
		free(r);
		if (h)
			curl_easy_cleanup(h);
		return -1;
	}
	r->w = w;
	r->done = done;
	r->arg = arg;
	for (size_t i = 0; req->headers && req->headers[i]; i++) {
		struct curl_slist *l = curl_slist_append(r->headers, req->headers[i]);

		if (l == NULL)
			goto fail;
		r->headers = l;
	}
	ok = curl_easy_setopt(h, CURLOPT_URL, req->url) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_USERAGENT, ua && ua->text ? ua->text : "nbpy") == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, req->timeout_ms) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "") == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_WRITEDATA, r) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_ERRORBUFFER, r->errbuf) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_PRIVATE, r) == CURLE_OK &&
	     curl_easy_setopt(h, CURLOPT_HTTPHEADER, r->headers) == CURLE_OK;
	if (ok && req->userpwd)
		ok = curl_easy_setopt(h, CURLOPT_USERPWD, req->userpwd) == CURLE_OK;
	if (ok && req->method && strcmp(req->method, "GET") != 0)
		ok = curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body ? req->body : "") == CURLE_OK &&
		     curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len) == CURLE_OK &&
		     (strcmp(req->method, "POST") == 0 ||
		      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method) == CURLE_OK);
	if (!ok || curl_multi_add_handle(w->curl, h) != CURLM_OK)
		goto fail;
	r->handle = h;
	r->next = w->http_pending;
	w->http_pending = r;
	return 0;
fail:
	curl_easy_cleanup(h);
	curl_slist_free_all(r->headers);
	free(r);
	return -1;
}

int worker_http_get(struct worker *w, const char *url, long timeout_ms, http_done_fn done, void *arg)
{
	struct http_request req = { .url = url, .timeout_ms = timeout_ms };

	return worker_http(w, &req, done, arg);
}

int worker_watch_fd(struct worker *w, int fd, unsigned events, worker_fd_fn fn, void *arg)
{
	size_t i = 0;

	while (i < w->n_watched && w->watched[i].fd != fd)
		i++;
	if (i == sizeof(w->watched) / sizeof(w->watched[0])) {
		errno = ENOSPC;
		return -1;
	}
	if (i == w->n_watched)
		w->n_watched++;
	w->watched[i].fd = fd;
	w->watched[i].events = events;
	w->watched[i].fn = fn;
	w->watched[i].arg = arg;
	return 0;
}

void worker_unwatch_fd(struct worker *w, int fd)
{
	for (size_t i = 0; i < w->n_watched; i++)
		if (w->watched[i].fd == fd) {
			w->watched[i] = w->watched[--w->n_watched];
			return;
		}
}

void worker_hold_stop(struct worker *w, bool hold)
{
	w->stop_held = hold;
}

static void http_forget(struct worker *w, struct http_req *r)
{
	for (struct http_req **p = &w->http_pending; *p; p = &(*p)->next)
		if (*p == r) {
			*p = r->next;
			break;
		}
	(void)curl_multi_remove_handle(w->curl, r->handle);
	curl_easy_cleanup(r->handle);
	curl_slist_free_all(r->headers);
	free(r->body);
	free(r);
}

static void http_finish(struct worker *w)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(w->curl, &left)) != NULL) {
		struct http_req *r = NULL;
		struct http_result res = { 0 };
		CURL *h = msg->easy_handle;

		if (msg->msg != CURLMSG_DONE)
			continue;
		(void)curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&r);
		if (msg->data.result == CURLE_OK) {
			(void)curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &res.status);
			res.body = r->body ? r->body : "";
			res.len = r->len;
		} else {
			res.error = r->too_large ? "response larger than 16 MiB" :
				    r->errbuf[0] ? r->errbuf : curl_easy_strerror(msg->data.result);
		}
		r->done(w, &res, r->arg);
		http_forget(w, r);
	}
}

/* ---- the loop ---- */

static void *open_pub(struct worker *w)
{
	const struct nbpy_value *hwm = nbpy_service_value(w->svc, "sndhwm");
	int h = (int)hwm->v.i, linger = 1000;
	void *s;

	if (w->svc->bind == NULL)
		return NULL;
	s = zmq_socket(w->zctx, ZMQ_PUB);
	if (s == NULL || zmq_setsockopt(s, ZMQ_SNDHWM, &h, sizeof(h)) < 0 ||
	    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger)) < 0 || zmq_bind(s, w->svc->bind) < 0) {
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
	int h = hwm ? (int)hwm->v.i : 100000;

	if (w->svc->n_subs > MAX_SUBS) {
		log_error("%s:%d: [%s] %zu subscriptions, at most %d", w->config->path, w->svc->line,
			  w->svc->name, w->svc->n_subs, MAX_SUBS);
		return -2;	/* a configuration problem */
	}
	w->subs = calloc(w->svc->n_subs ? w->svc->n_subs : 1, sizeof(void *));
	w->origins = calloc(w->svc->n_subs ? w->svc->n_subs : 1, sizeof(*w->origins));
	w->sub_origin = calloc(w->svc->n_subs ? w->svc->n_subs : 1, sizeof(*w->sub_origin));
	if (w->subs == NULL || w->origins == NULL || w->sub_origin == NULL)
		return -1;
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

		if (s == NULL || zmq_setsockopt(s, ZMQ_RCVHWM, &h, sizeof(h)) < 0 ||
		    zmq_setsockopt(s, ZMQ_SUBSCRIBE, sub->topic, strlen(sub->topic)) < 0 ||
		    zmq_connect(s, sub->endpoint) < 0) {
			log_error("subscribe to %s: %s", sub->endpoint, zmq_strerror(errno));
			if (s)
				(void)zmq_close(s);
			return -1;
		}
		w->subs[w->n_subs++] = s;
	}
	return 0;
}

/* Where the sequence of a publishing service stands: NULL the first time it
 * is heard of (seq is where counting starts) or when the table is full. */
static uint64_t *last_seq_of(struct worker *w, const char *service, uint64_t seq)
{
	size_t i;

	for (i = 0; i < w->n_sources; i++)
		if (strcmp(w->sources[i].service, service) == 0)
			return &w->sources[i].seq;
	if (i < WORKER_MAX_SOURCES) {
		(void)snprintf(w->sources[i].service, sizeof(w->sources[i].service), "%s", service);
		w->sources[i].seq = seq;
		w->n_sources++;
	}
	return NULL;
}

/* Count sequence gaps per publishing service. */
static void track_sequence(struct worker *w, const struct nbpy_msg *m)
{
	uint64_t *last;

	if (m->h.service[0] == '\0')
		return;	/* legacy frames carry no sequence */
	if ((last = last_seq_of(w, m->h.service, m->h.seq)) == NULL)
		return;
	if (m->h.seq > *last + 1)
		w->gaps += m->h.seq - *last - 1;
	*last = m->h.seq;
}

/* A sequence announcement: what the service published up to seq and did not
 * reach us is lost, after the last message received too.  Below what was
 * received (a restarted publisher) it changes nothing: the next message
 * starts counting again. */
static void count_announced(struct worker *w, const struct nbpy_msg *m)
{
	uint64_t *last = last_seq_of(w, m->h.service, m->h.seq);

	if (last != NULL && m->h.seq > *last) {
		w->gaps += m->h.seq - *last;
		*last = m->h.seq;
	}
}

/* What subscription `sub` has: decoded, counted, and handed to the kind. */
static void receive(struct worker *w, size_t sub)
{
	char topic[NBPY_TOPIC_MAX + 1];
	struct nbpy_error err;
	size_t n;
	int rc;

	/* Drain what is there, but give other sockets a turn after a burst. */
	for (int i = 0; i < 1000; i++) {
		rc = nbpy_bus_recv_batch(w->subs[sub], w->inbox, NBPY_BATCH_MAX, &n, topic, sizeof(topic),
					 w->svc->subs[sub].schema, ZMQ_DONTWAIT, &err);
		if (rc == -1)
			break;
		if (rc == NBPY_BUS_BAD_MESSAGE) {
			w->bad_messages++;
			log_warning("bad message skipped: %s", err.msg);
			continue;
		}
		for (size_t k = 0; k < n; k++) {
			if (w->inbox[k].h.schema == NBPY_SCHEMA_ANNOUNCEMENT) {
				count_announced(w, &w->inbox[k]);
				continue;
			}
			w->received++;
			w->last_message_mono = nbpy_monotonic_ns();
			track_sequence(w, &w->inbox[k]);
			/* Legacy frames: a header of our own, or every frame of
			 * a topic would be one row to a store. */
			if (w->inbox[k].h.service[0] == '\0')
				nbpy_bus_stamp(&w->origins[w->sub_origin[sub]], &w->inbox[k], topic,
					       nbpy_now_ns());
			if (w->ops->on_message)
				w->ops->on_message(w, &w->inbox[k], topic);
		}
	}
}

static void report_status(struct worker *w)
{
	char buf[384], age[32] = "-", more[160] = "";

	if (w->last_message_mono)
		(void)snprintf(age, sizeof(age), "%.1fs",
			       (double)(nbpy_monotonic_ns() - w->last_message_mono) / 1e9);
	if (w->ops->status)
		w->ops->status(w, more, sizeof(more));
	(void)snprintf(buf, sizeof(buf),
		       "STATUS=received %llu, published %llu, errors %llu, gaps %llu, bad %llu, last %s%s",
		       (unsigned long long)w->received, (unsigned long long)w->published,
		       (unsigned long long)w->errors, (unsigned long long)w->gaps,
		       (unsigned long long)w->bad_messages, age, more);
	(void)sd_notify(0, buf);
}

static int loop(struct worker *w, int sfd)
{
	zmq_pollitem_t items[1 + MAX_SUBS + 64];
	uint64_t wd_usec = 0;
	int64_t next_status = 0, wd_every = 0, next_wd = 0;

	if (sd_watchdog_enabled(0, &wd_usec) > 0)
		wd_every = (int64_t)wd_usec * 1000 / 2;
	/* STATUS at once, then every second: "last" is the age of the last message */
	next_status = nbpy_monotonic_ns();
	for (bool stopped = false;;) {
		fd_set rd, wr, ex;
		int maxfd = -1, n = 0, rc, first_watched;
		long curl_ms = -1, timeout;
		int64_t now = nbpy_monotonic_ns(), next = INT64_MAX;

		if (w->stopping && !stopped) {
			(void)sd_notify(0, "STOPPING=1");
			/* What already reached our sockets is handled, not dropped: a sink
			 * must not lose what it has received. */
			for (size_t i = 0; i < w->n_subs; i++)
				receive(w, i);
			if (w->ops->on_stop)
				w->ops->on_stop(w);
			stopped = true;
		}
		if (stopped && !w->stop_held)
			break;
		items[n++] = (zmq_pollitem_t){ .fd = sfd, .events = ZMQ_POLLIN };
		for (size_t i = 0; i < w->n_subs; i++)
			items[n++] = (zmq_pollitem_t){ .socket = w->subs[i], .events = stopped ? 0 : ZMQ_POLLIN };
		first_watched = n;
		for (size_t i = 0; i < w->n_watched; i++)
			items[n++] = (zmq_pollitem_t){ .fd = w->watched[i].fd,
				.events = (short)(((w->watched[i].events & WORKER_READABLE) ? ZMQ_POLLIN : 0) |
						  ((w->watched[i].events & WORKER_WRITABLE) ? ZMQ_POLLOUT : 0)) };
		FD_ZERO(&rd);
		FD_ZERO(&wr);
		FD_ZERO(&ex);
		if (curl_multi_fdset(w->curl, &rd, &wr, &ex, &maxfd) != CURLM_OK)
			maxfd = -1;
		for (int fd = 0; fd <= maxfd && n < (int)(sizeof(items) / sizeof(items[0])); fd++) {
			short ev = (short)((FD_ISSET(fd, &rd) ? ZMQ_POLLIN : 0) |
					   (FD_ISSET(fd, &wr) ? ZMQ_POLLOUT : 0) |
					   (FD_ISSET(fd, &ex) ? ZMQ_POLLERR : 0));

			if (ev)
				items[n++] = (zmq_pollitem_t){ .fd = fd, .events = ev };
		}
		if (w->timer_mono)
			next = w->timer_mono;
		if (next_status && next_status < next)
			next = next_status;
		if (wd_every && next_wd < next)
			next = next_wd;
		timeout = next == INT64_MAX ? -1 : next <= now ? 0 : (long)((next - now + 999999) / 1000000);
		(void)curl_multi_timeout(w->curl, &curl_ms);
		if (curl_ms >= 0 && (timeout < 0 || curl_ms < timeout))
			timeout = curl_ms;
		rc = zmq_poll(items, n, timeout);
		if (rc < 0 && errno != EINTR) {
			log_error("zmq_poll: %s", zmq_strerror(errno));
			return 1;
		}
		if (rc > 0 && (items[0].revents & ZMQ_POLLIN)) {
			struct signalfd_siginfo si;

			while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
					w->stopping = true;
		}
		for (size_t i = 0; rc > 0 && i < w->n_subs; i++)
			if (items[1 + i].revents & ZMQ_POLLIN)
				receive(w, i);
		for (int i = first_watched; rc > 0 && i < first_watched + (int)w->n_watched; i++) {
			unsigned ev = ((items[i].revents & (ZMQ_POLLIN | ZMQ_POLLERR)) ? WORKER_READABLE : 0) |
				      ((items[i].revents & ZMQ_POLLOUT) ? WORKER_WRITABLE : 0);

			for (size_t k = 0; ev && k < w->n_watched; k++)
				if (w->watched[k].fd == items[i].fd) {
					w->watched[k].fn(w, items[i].fd, ev, w->watched[k].arg);
					break;
				}
		}
		{
			int running;

			(void)curl_multi_perform(w->curl, &running);
			http_finish(w);
		}
		now = nbpy_monotonic_ns();
		if (w->timer_mono && now >= w->timer_mono) {
			w->timer_mono = 0;
			if (w->ops->on_timer)
				w->ops->on_timer(w);
		}
		if (now >= next_status) {
			announce(w);
			report_status(w);
			next_status = now + STATUS_EVERY_NS;
		}
		if (wd_every && now >= next_wd) {
			(void)sd_notify(0, "WATCHDOG=1");
			next_wd = now + wd_every;
		}
		/* A batch never waits for more than one turn of the loop. */
		flush_batch(w);
	}
	announce(w);	/* flushes the batch first */
	log_notice("stopping: received %llu, published %llu, errors %llu, gaps %llu",
		   (unsigned long long)w->received, (unsigned long long)w->published,
		   (unsigned long long)w->errors, (unsigned long long)w->gaps);
	return 0;
}

int worker_run(const struct nbpy_config *c, const char *service, const struct kind_ops *ops)
{
	struct worker w = { .config = c, .ops = ops };
	sigset_t mask;
	int sfd = -1, rc = 1;

	w.svc = nbpy_config_service(c, service);
	if (w.svc == NULL) {
		fprintf(stderr, "nbpy-worker: %s: no service [%s]\n", c->path, service);
		return NBPY_EX_CONFIG;
	}
	nbpy_log_init(service, (enum nbpy_log_level)nbpy_log_level_parse(
				       nbpy_config_global(c, "log_level")->text));
	if (sigemptyset(&mask) < 0 || sigaddset(&mask, SIGTERM) < 0 || sigaddset(&mask, SIGINT) < 0 ||
	    sigprocmask(SIG_BLOCK, &mask, NULL) < 0 ||
	    (sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) < 0 || signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
		log_error("signals: %s", strerror(errno));
		return 1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || (w.curl = curl_multi_init()) == NULL) {
		log_error("libcurl initialisation failed");
		goto out;
	}
	w.zctx = zmq_ctx_new();
	if (w.zctx == NULL)
		goto out;
	if (w.svc->kind->flags & NBPY_KIND_PUBLISHES) {
		const struct nbpy_value *wire = nbpy_service_value(w.svc, "wire");

		w.wire = strcmp(wire->text, "legacy") == 0 ? NBPY_WIRE_LEGACY : NBPY_WIRE_MSGPACK;
		w.topic = w.svc->topic;
		w.batch_max = (size_t)nbpy_service_value(w.svc, "batch")->v.i;
		if (w.batch_max > 1 && (w.batch_buf = malloc(w.batch_max * NBPY_WIRE_MAX)) == NULL)
			goto out;
		if ((w.pub = open_pub(&w)) == NULL)
			goto out;
	}
	if (w.svc->kind->flags & NBPY_KIND_SUBSCRIBES) {
		int subs;

		if ((w.inbox = malloc(NBPY_BATCH_MAX * sizeof(*w.inbox))) == NULL)
			goto out;
		if ((subs = open_subs(&w)) < 0) {
			rc = subs == -2 ? NBPY_EX_CONFIG : 1;
			goto out;
		}
	}
	if (ops->init && ops->init(&w) < 0) {
		rc = NBPY_EX_CONFIG;
		goto out;
	}
	(void)sd_notify(0, "READY=1");
	log_info("ready: %s%s%s", ops->name, w.pub ? ", publishing on " : "", w.pub ? w.svc->bind : "");
	rc = loop(&w, sfd);
out:
	if (ops->destroy)
		ops->destroy(&w);
	for (size_t i = 0; i < w.n_subs; i++)
		(void)zmq_close(w.subs[i]);
	free(w.subs);
	free(w.origins);
	free(w.sub_origin);
	free(w.inbox);
	free(w.batch_buf);
	if (w.pub)
		(void)zmq_close(w.pub);
	if (w.zctx)
		(void)zmq_ctx_term(w.zctx);
	while (w.http_pending)
		http_forget(&w, w.http_pending);
	if (w.curl)
		(void)curl_multi_cleanup(w.curl);
	curl_global_cleanup();
	if (sfd >= 0)
		(void)close(sfd);
	return rc;
}
