/* runtime_stream.c - long-lived streams of newline-delimited records on the
 * worker's curl multi (see runtime.h): a streaming HTTP GET, or a raw TLS or
 * TCP connection (CURLOPT_CONNECT_ONLY, then curl_easy_recv/curl_easy_send
 * driven by the socket's events), with an idle watchdog and reconnects
 * through the shared backoff.
 *
 * The kind's callbacks never run inside libcurl's: an HTTP stream's body is
 * only buffered by the write callback, and split into records once
 * curl_multi_socket_action has returned (worker_streams_process). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/timefmt.h"
#include "workers/runtime.h"
#include "workers/runtime_loop.h"

#define DEFAULT_MAX_RECORD (1 << 20)
#define DEFAULT_CONNECT_TIMEOUT_MS 10000L
#define OUT_MAX (1 << 20)	/* bytes waiting to be sent on a raw stream */
#define READ_CHUNK 16384
#define READS_PER_TURN 64	/* then other events get a turn */

struct worker_stream {
	struct curl_owner owner;	/* first: CURLOPT_PRIVATE points here */
	struct worker_stream *next;
	struct worker *w;
	/* the spec, copied */
	char *name, *url, *userpwd, *user_agent, *cainfo;
	const char **headers;
	bool raw;
	size_t max_record;
	int64_t idle_ns, refused_retry_ns;
	long connect_timeout_ms;
	worker_record_fn on_record;
	void (*on_connect)(struct worker *w, struct worker_stream *s, void *arg);
	void (*on_drop)(struct worker *w, struct worker_stream *s, const char *why, void *arg);
	void *arg;
	struct nbpy_backoff backoff;
	/* the connection */
	CURL *h;		/* NULL: waiting to reconnect */
	struct curl_slist *header_list;
	int fd;			/* raw and connected: the socket watched; else -1 */
	bool http_ok;		/* HTTP: a 2xx answer began (seen in the write callback) */
	bool got_record;	/* a record arrived on this connection */
	bool pending;		/* HTTP: `in` holds bytes not split yet */
	int busy;		/* inside the kind's callbacks: closing waits */
	bool closing;
	unsigned conn;		/* bumped by each teardown: a callback may drop the connection */
	char why[160];		/* why the write callback aborted the transfer */
	struct nbpy_buf in;	/* HTTP: received, not split yet */
	struct nbpy_buf line;	/* the record being assembled */
	/* raw: being sent (from out_off), and queued behind it: TLS wants a
	 * write retried with the same bytes at the same place, so out never
	 * grows while part of it is unsent */
	struct nbpy_buf out, queued;
	size_t out_off;
	int64_t last_byte;	/* monotonic */
	long long idle_timer, retry_timer, more_timer;
	char errbuf[CURL_ERROR_SIZE];
	struct worker_stream_stats st;
};

static void start(struct worker_stream *s);

const struct worker_stream_stats *worker_stream_stats(const struct worker_stream *s)
{
	return &s->st;
}

/* Close the connection, whatever state it is in. */
static void teardown(struct worker_stream *s)
{
	struct worker *w = s->w;

	s->conn++;
	if (s->fd >= 0)
		worker_unwatch_fd(w, s->fd);	/* libcurl closes it with the handle */
	s->fd = -1;
	if (s->h != NULL) {
		(void)curl_multi_remove_handle(w->loop->curl, s->h);
		curl_easy_cleanup(s->h);
		s->h = NULL;
	}
	worker_curl_headers_free(s->header_list);
	s->header_list = NULL;
	worker_timer_del(w, s->idle_timer);
	worker_timer_del(w, s->more_timer);
	s->idle_timer = s->more_timer = 0;
	s->st.connected = s->http_ok = s->pending = false;
	nbpy_buf_reset(&s->in);
	nbpy_buf_reset(&s->line);
	nbpy_buf_reset(&s->out);
	nbpy_buf_reset(&s->queued);
	s->out_off = 0;
}

static void destroy(struct worker_stream *s)
{
	struct worker *w = s->w;

	teardown(s);
	worker_timer_del(w, s->retry_timer);
	for (struct worker_stream **p = &w->loop->streams; *p; p = &(*p)->next)
		if (*p == s) {
			*p = s->next;
			break;
		}
	nbpy_buf_free(&s->in);
	nbpy_buf_free(&s->line);
	nbpy_buf_free(&s->out);
	nbpy_buf_free(&s->queued);
	for (size_t i = 0; s->headers && s->headers[i]; i++)
		free((char *)s->headers[i]);
	free(s->headers);
	free(s->name);
	free(s->url);
	free(s->userpwd);
	free(s->user_agent);
	free(s->cainfo);
	free(s);
}

void worker_stream_close(struct worker_stream *s)
{
	if (s == NULL)
		return;
	s->closing = true;
	if (s->busy == 0)
		destroy(s);
}

/* Around the kind's callbacks: leave is true when the kind closed the
 * stream in one (it may be gone now) or its connection was dropped (a
 * failed send), so the caller must not touch the connection again. */
static unsigned enter(struct worker_stream *s)
{
	s->busy++;
	return s->conn;
}

static bool leave(struct worker_stream *s, unsigned conn)
{
	if (--s->busy == 0 && s->closing) {
		destroy(s);
		return true;
	}
	return s->closing || s->conn != conn;
}

static void retry(struct worker *w, void *arg)
{
	struct worker_stream *s = arg;

	(void)w;
	s->retry_timer = 0;
	start(s);
}

/* Lose the connection, say why, and reconnect after delay.  True when the
 * kind closed the stream meanwhile. */
static bool drop_for(struct worker_stream *s, const char *why, int64_t delay)
{
	struct worker *w = s->w;
	char full[512];

	(void)snprintf(full, sizeof(full), "%s", why);
	if (s->line.len > 0) {	/* never passed on half */
		s->st.cut++;
		(void)snprintf(full, sizeof(full), "%s (a record cut after %zu bytes: discarded)", why, s->line.len);
	}
	teardown(s);
	s->st.drops++;
	worker_error(w, "stream %s: %s; reconnecting in %.1f s", s->name, full, (double)delay / 1e9);
	if (s->on_drop) {
		unsigned conn = enter(s);

		s->on_drop(w, s, full, s->arg);
		if (leave(s, conn))
			return true;
	}
	worker_timer_del(w, s->retry_timer);	/* one reconnect, however many drops */
	s->retry_timer = worker_timer_add(w, delay, 0, retry, s);
	if (s->retry_timer < 0) {
		s->retry_timer = 0;
		worker_error(w, "stream %s: out of memory: it stays down", s->name);
	}
	return false;
}

/* The same, after the backoff's delay. */
static bool drop(struct worker_stream *s, const char *why)
{
	return drop_for(s, why, nbpy_backoff_next(&s->backoff));
}

static void idle_check(struct worker *w, void *arg)
{
	struct worker_stream *s = arg;
	int64_t quiet = nbpy_monotonic_ns() - s->last_byte;
	char why[80];

	s->idle_timer = 0;
	if (quiet < s->idle_ns) {
		s->idle_timer = worker_timer_add(w, s->idle_ns - quiet, 0, idle_check, s);
		if (s->idle_timer > 0)
			return;
		s->idle_timer = 0;
		(void)drop(s, "out of memory for the idle watchdog");
		return;
	}
	(void)snprintf(why, sizeof(why), "nothing received for %.1f s", (double)quiet / 1e9);
	(void)drop(s, why);
}

/* Split data into records for the kind.  0; -1 when the connection must be
 * dropped (reason in s->why); 1 when the kind closed the stream or the
 * connection is gone. */
static int feed(struct worker_stream *s, const char *data, size_t n)
{
	while (n > 0) {
		const char *nl = memchr(data, '\n', n);
		size_t take = nl ? (size_t)(nl - data) : n, len;
		unsigned conn;

		/* one byte more than the record may be its "\r" */
		if (s->line.len + take > s->max_record + 1)
			goto too_long;
		if (nbpy_buf_append(&s->line, data, take) < 0) {
			(void)snprintf(s->why, sizeof(s->why), "out of memory");
			return -1;
		}
		if (nl == NULL)
			break;
		data += take + 1;
		n -= take + 1;
		len = s->line.len;
		if (len > 0 && s->line.data[len - 1] == '\r')
			len--;
		if (len > s->max_record)
			goto too_long;
		if (len > 0) {	/* empty lines are keep-alives */
			s->line.data[len] = '\0';
			s->st.records++;
			if (!s->got_record)
				nbpy_backoff_reset(&s->backoff);
			s->got_record = true;
			conn = enter(s);
			s->on_record(s->w, s, s->line.data, len, s->arg);
			if (leave(s, conn))
				return 1;
		}
		nbpy_buf_reset(&s->line);
	}
	return 0;
too_long:
	s->st.too_long++;
	nbpy_buf_reset(&s->line);	/* counted here, not as cut by the drop */
	(void)snprintf(s->why, sizeof(s->why), "a record longer than %zu bytes", s->max_record);
	return -1;
}

/* Tell the kind the connection is up; true when it closed the stream or
 * the connection is gone. */
static bool connected(struct worker_stream *s)
{
	unsigned conn;

	s->st.connected = true;
	s->st.connects++;
	s->st.refused_status = 0;
	if (s->on_connect == NULL)
		return false;
	conn = enter(s);
	s->on_connect(s->w, s, s->arg);
	return leave(s, conn);
}

/* ---- HTTP streams ---- */

static size_t on_http_body(char *data, size_t size, size_t n, void *user)
{
	struct worker_stream *s = user;
	size_t len = size * n;

	s->last_byte = nbpy_monotonic_ns();
	if (!s->http_ok) {
		long code = 0;

		(void)curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &code);
		if (code / 100 != 2) {
			(void)snprintf(s->why, sizeof(s->why), "HTTP %ld", code);
			return 0;	/* aborts the transfer */
		}
		s->http_ok = true;
	}
	/* split after libcurl returns; what waits is bounded by the record's
	 * limit plus what one turn of libcurl reads */
	if (nbpy_buf_append(&s->in, data, len) < 0) {
		(void)snprintf(s->why, sizeof(s->why), "out of memory");
		return 0;
	}
	s->pending = true;
	return len;
}

/* What the write callback buffered, as records; true when s is gone or
 * dropped. */
static bool process(struct worker_stream *s)
{
	int rc;

	s->pending = false;
	if (s->http_ok && !s->st.connected && connected(s))
		return true;
	rc = feed(s, s->in.data ? s->in.data : "", s->in.len);
	if (rc == 1)
		return true;
	nbpy_buf_reset(&s->in);
	if (rc < 0) {
		char why[sizeof(s->why)];

		memcpy(why, s->why, sizeof(why));
		(void)drop(s, why);
		return true;
	}
	return false;
}

void worker_streams_process(struct worker *w)
{
	bool again = true;

	/* a kind may close or open streams from its callbacks: start over
	 * after each */
	while (again) {
		again = false;
		for (struct worker_stream *s = w->loop->streams; s != NULL; s = s->next)
			if (s->pending) {
				again = true;
				(void)process(s);
				break;
			}
	}
}

static void http_stream_done(struct worker *w, struct curl_owner *o, CURLcode result)
{
	struct worker_stream *s = (struct worker_stream *)o;
	char why[sizeof(s->why) + CURL_ERROR_SIZE];
	long code = 0;

	(void)w;
	if (s->pending && process(s))
		return;
	(void)curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &code);
	if (!s->http_ok && (code == 401 || code == 403)) {
		/* the credentials: retrying soon will not help, and can lock an account */
		s->st.refused++;
		s->st.refused_status = code;
		(void)snprintf(why, sizeof(why), "HTTP %ld: credentials refused (a configuration error)", code);
		(void)drop_for(s, why, s->refused_retry_ns);
		return;
	}
	if (s->why[0] != '\0')
		(void)snprintf(why, sizeof(why), "%s", s->why);
	else if (result != CURLE_OK)
		(void)snprintf(why, sizeof(why), "%s", s->errbuf[0] ? s->errbuf : curl_easy_strerror(result));
	else if (code / 100 != 2)
		(void)snprintf(why, sizeof(why), "HTTP %ld", code);
	else
		(void)snprintf(why, sizeof(why), "the server ended the stream");
	(void)drop(s, why);
}

/* ---- raw streams ---- */

static void raw_event(struct worker *w, int fd, unsigned events, void *arg);

/* Send what waits; false when the connection was dropped. */
static bool flush_out(struct worker_stream *s)
{
	for (;;) {
		size_t sent = 0;
		CURLcode rc;

		if (s->out_off == s->out.len) {
			struct nbpy_buf done = s->out;

			s->out_off = 0;
			if (s->queued.len == 0) {
				nbpy_buf_reset(&s->out);
				break;
			}
			s->out = s->queued;	/* the next lines, and the spent buffer for later */
			s->queued = done;
			nbpy_buf_reset(&s->queued);
		}
		rc = curl_easy_send(s->h, s->out.data + s->out_off, s->out.len - s->out_off, &sent);
		if (rc == CURLE_AGAIN)
			break;
		if (rc != CURLE_OK) {
			char why[CURL_ERROR_SIZE + 16];

			(void)snprintf(why, sizeof(why), "send: %s", curl_easy_strerror(rc));
			(void)drop(s, why);
			return false;
		}
		s->out_off += sent;
	}
	if (worker_watch_fd(s->w, s->fd, WORKER_READABLE | (s->out_off < s->out.len ? WORKER_WRITABLE : 0),
			    raw_event, s) < 0) {
		(void)drop(s, "cannot watch the socket");
		return false;
	}
	return true;
}

static void read_more(struct worker *w, void *arg);

/* Read what the connection has; TLS may hold decrypted bytes the socket
 * no longer shows, so read until libcurl says there is nothing. */
static void raw_read(struct worker_stream *s)
{
	char buf[READ_CHUNK];

	for (int i = 0; i < READS_PER_TURN; i++) {
		size_t got = 0;
		CURLcode rc = curl_easy_recv(s->h, buf, sizeof(buf), &got);
		int fed;

		if (rc == CURLE_AGAIN)
			return;
		if (rc != CURLE_OK || got == 0) {
			char why[CURL_ERROR_SIZE + 16];

			(void)snprintf(why, sizeof(why), "%s",
				       rc != CURLE_OK ? curl_easy_strerror(rc) : "closed by the server");
			(void)drop(s, why);
			return;
		}
		s->last_byte = nbpy_monotonic_ns();
		if ((fed = feed(s, buf, got)) == 1)
			return;
		if (fed < 0) {
			char why[sizeof(s->why)];

			memcpy(why, s->why, sizeof(why));
			(void)drop(s, why);
			return;
		}
	}
	/* a burst: the rest on the next turn (the socket may not show it) */
	if (s->more_timer == 0 && (s->more_timer = worker_timer_add(s->w, 0, 0, read_more, s)) < 0)
		s->more_timer = 0;
}

static void read_more(struct worker *w, void *arg)
{
	struct worker_stream *s = arg;

	(void)w;
	s->more_timer = 0;
	if (s->h != NULL && s->fd >= 0)
		raw_read(s);
}

static void raw_event(struct worker *w, int fd, unsigned events, void *arg)
{
	struct worker_stream *s = arg;

	(void)w;
	(void)fd;
	if ((events & WORKER_WRITABLE) && !flush_out(s))
		return;
	if (events & WORKER_READABLE)
		raw_read(s);
}

static void raw_stream_done(struct worker *w, struct curl_owner *o, CURLcode result)
{
	struct worker_stream *s = (struct worker_stream *)o;
	curl_socket_t fd = CURL_SOCKET_BAD;

	if (result != CURLE_OK) {
		char why[CURL_ERROR_SIZE + 16];

		(void)snprintf(why, sizeof(why), "%s", s->errbuf[0] ? s->errbuf : curl_easy_strerror(result));
		(void)drop(s, why);
		return;
	}
	/* connected: the handle stays in the multi, which curl_easy_send and
	 * curl_easy_recv need; the socket is ours to watch now */
	if (curl_easy_getinfo(s->h, CURLINFO_ACTIVESOCKET, &fd) != CURLE_OK || fd == CURL_SOCKET_BAD) {
		(void)drop(s, "no socket after connecting");
		return;
	}
	s->fd = fd;
	if (worker_watch_fd(w, fd, WORKER_READABLE, raw_event, s) < 0) {
		(void)drop(s, "cannot watch the socket");
		return;
	}
	s->last_byte = nbpy_monotonic_ns();
	if (connected(s))
		return;
	raw_read(s);	/* the server may have spoken already */
}

int worker_stream_send(struct worker_stream *s, const void *line, size_t len)
{
	struct nbpy_buf *b = s->out_off < s->out.len ? &s->queued : &s->out;

	if (!s->raw) {
		errno = EINVAL;
		return -1;
	}
	if (s->fd < 0 || s->h == NULL) {
		errno = ENOTCONN;
		return -1;
	}
	if (s->out.len - s->out_off + s->queued.len + len + 2 > OUT_MAX) {
		errno = ENOBUFS;
		return -1;
	}
	if (nbpy_buf_reserve(b, len + 2) < 0) {
		b->failed = false;	/* a failed reserve leaves the content as it was */
		errno = ENOMEM;
		return -1;
	}
	(void)nbpy_buf_append(b, line, len);
	(void)nbpy_buf_append(b, "\r\n", 2);
	(void)flush_out(s);	/* a failure drops the connection, and says so */
	return 0;
}

/* ---- connecting ---- */

/* Start a connection; on failure, the reconnect is scheduled. */
static void start(struct worker_stream *s)
{
	struct worker *w = s->w;
	CURL *h = curl_easy_init();

	s->why[0] = '\0';
	s->got_record = false;
	if (h == NULL)
		goto fail;
	s->h = h;
	s->owner.done = s->raw ? raw_stream_done : http_stream_done;
	if (worker_curl_common(w, h, s->url, s->user_agent, s->cainfo, s->userpwd, s->raw ? NULL : s->headers,
			       &s->header_list, s->errbuf, s) < 0 ||
	    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, s->connect_timeout_ms) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L) != CURLE_OK)
		goto fail;
	if (s->raw) {
		if (curl_easy_setopt(h, CURLOPT_CONNECT_ONLY, 1L) != CURLE_OK)
			goto fail;
	} else if (curl_easy_setopt(h, CURLOPT_HTTPGET, 1L) != CURLE_OK ||
		   curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_http_body) != CURLE_OK ||
		   curl_easy_setopt(h, CURLOPT_WRITEDATA, s) != CURLE_OK) {
		goto fail;
	}
	if (curl_multi_add_handle(w->loop->curl, h) != CURLM_OK)
		goto fail;
	s->last_byte = nbpy_monotonic_ns();
	if (s->idle_ns > 0 && (s->idle_timer = worker_timer_add(w, s->idle_ns, 0, idle_check, s)) < 0) {
		s->idle_timer = 0;
		goto fail;
	}
	return;
fail:
	(void)drop(s, "cannot start a connection (out of memory?)");
}

static char *copy(const char *s, bool *ok)
{
	char *c;

	if (s == NULL)
		return NULL;
	if ((c = strdup(s)) == NULL)
		*ok = false;
	return c;
}

struct worker_stream *worker_stream_open(struct worker *w, const struct worker_stream_spec *spec)
{
	struct worker_stream *s;
	bool ok = true;
	size_t nh = 0;

	if (spec->url == NULL || spec->on_record == NULL ||
	    (spec->backoff_min_ns < 0 || spec->backoff_max_ns < 0 || spec->idle_ns < 0 ||
	     spec->refused_retry_ns < 0)) {
		errno = EINVAL;
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->w = w;
	s->fd = -1;
	s->name = copy(spec->name ? spec->name : "stream", &ok);
	s->url = copy(spec->url, &ok);
	s->userpwd = copy(spec->userpwd, &ok);
	s->user_agent = copy(spec->user_agent, &ok);
	s->cainfo = copy(spec->cainfo, &ok);
	while (spec->headers && spec->headers[nh])
		nh++;
	if (nh > 0 && (s->headers = calloc(nh + 1, sizeof(*s->headers))) == NULL)
		ok = false;
	for (size_t i = 0; ok && i < nh; i++)
		s->headers[i] = copy(spec->headers[i], &ok);
	s->raw = spec->raw;
	s->max_record = spec->max_record ? spec->max_record : DEFAULT_MAX_RECORD;
	s->idle_ns = spec->idle_ns;
	s->refused_retry_ns = spec->refused_retry_ns ? spec->refused_retry_ns : 60 * NBPY_NS_PER_SEC;
	s->connect_timeout_ms = spec->connect_timeout_ms ? spec->connect_timeout_ms : DEFAULT_CONNECT_TIMEOUT_MS;
	s->on_record = spec->on_record;
	s->on_connect = spec->on_connect;
	s->on_drop = spec->on_drop;
	s->arg = spec->arg;
	nbpy_backoff_init(&s->backoff, spec->backoff_min_ns ? spec->backoff_min_ns : NBPY_NS_PER_SEC,
			  spec->backoff_max_ns ? spec->backoff_max_ns : 60 * NBPY_NS_PER_SEC, 0);
	s->next = w->loop->streams;
	w->loop->streams = s;
	if (!ok) {
		destroy(s);
		errno = ENOMEM;
		return NULL;
	}
	start(s);
	return s;
}

void worker_streams_close_all(struct worker *w)
{
	while (w->loop->streams != NULL) {
		w->loop->streams->busy = 0;
		worker_stream_close(w->loop->streams);
	}
}
