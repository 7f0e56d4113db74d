/* runtime.h - what every worker kind gets for free.
 *
 * One event loop per worker process, in the style of Redis's ae: an epoll
 * set holding the subscriptions (through ZMQ_FD), a signalfd, libcurl's
 * sockets and any file descriptor a kind registers, and a list of timers
 * (ids, one-shot or periodic).  Nothing is rebuilt per turn and there is no
 * FD_SETSIZE cap.  On top of it:
 *
 *   - publish and subscribe by service name through the registry, sequence
 *     numbers, their periodic announcement and gap counting (the tail
 *     included), batching (the framing is in common/bus.c);
 *   - for kinds flagged NBPY_KIND_XPUB, an XPUB whose subscribers'
 *     subscriptions reach ops->on_subscribe (a last-value cache answers
 *     them with worker_send_now);
 *   - SIGTERM or SIGINT: what reached the sockets is handed over, on_stop
 *     flushes, the batch and the announcements go out, exit 0;
 *   - sd_notify READY, WATCHDOG and a STATUS line with counters, every second;
 *   - one libcurl multi per worker, driven by its socket and timer callbacks
 *     through the same loop: short requests (worker_http) and long-lived
 *     streams of newline-delimited records (worker_stream_open): a streaming
 *     HTTP GET, or a raw TLS/TCP connection with lines both ways;
 *   - logging with the service name.
 *
 * A kind supplies callbacks (struct kind_ops, named by its struct
 * nbpy_kind_spec), reads its keys from w->settings and keeps its own state
 * in w->kind_state.  Every callback runs on the loop, one at a time: none may
 * block.  Events (fds, timers) may be added or removed at any time, also
 * from inside a callback.
 *
 * Init failures: init returns -1 and fills w->error (nbpy_error_class_set);
 * the class NBPY_ERR_CONFIG exits 78 (NBPY_EX_CONFIG), any other class exits
 * 1.  w->error starts out as NBPY_ERR_CONFIG with an empty message, so an
 * init that logged its reason itself and returned -1 still exits 78. */
#ifndef NBPY_WORKER_RUNTIME_H
#define NBPY_WORKER_RUNTIME_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/backoff.h"
#include "common/buf.h"
#include "common/bus.h"
#include "common/config.h"
#include "common/error.h"
#include "common/wire.h"

struct worker;
struct worker_loop;

/* What arrived on a subscription: the decoded message, and the bytes of that
 * one message as MessagePack exactly as received (for a batch frame, the
 * slice of the frame holding it; for a legacy text frame, the MessagePack
 * the runtime encoded once from the stamped message).  Valid during the
 * call only. */
struct worker_input {
	const struct nbpy_msg *msg;
	const char *topic;	/* NUL-terminated */
	const unsigned char *raw;
	size_t raw_len;
	int64_t recv_ns;	/* CLOCK_REALTIME when it was received */
};

struct kind_ops {
	const void *data;	/* the kind's own constants (a sink's store) */
	/* Set up; -1 stops the worker (w->error says why and how: see above). */
	int (*init)(struct worker *w);
	/* A message from a subscription. */
	void (*on_message)(struct worker *w, const struct worker_input *in);
	/* The kind's timer fired (see worker_set_timer). */
	void (*on_timer)(struct worker *w);
	/* SIGTERM: flush what is pending. */
	void (*on_stop)(struct worker *w);
	void (*destroy)(struct worker *w);
	/* Optional: more ", name value" counters for the STATUS line. */
	void (*status)(struct worker *w, char *buf, size_t cap);
	/* Kinds flagged NBPY_KIND_XPUB: a subscriber subscribed to topic (len
	 * bytes, a prefix as ZeroMQ matches it, not NUL-terminated; 0 bytes:
	 * everything) on the service's socket.  Every subscription is reported,
	 * the second to a topic too (ZMQ_XPUB_VERBOSE); unsubscriptions are not. */
	void (*on_subscribe)(struct worker *w, const char *topic, size_t len);
	/* Optional: `nbpy-worker --once SERVICE`, a one-shot of the kind's
	 * (no event loop, nothing published); returns the exit code. */
	int (*once)(const struct nbpy_service *svc);
};

/* Sequence numbers run per stream: one (service, topic) pair.  A table of
 * streams, looked up last-hit first (a kind usually sends or receives long
 * runs of one stream).  Bounded: a stream past the bound is not numbered
 * apart, and said once. */
#define WORKER_MAX_STREAMS 256

struct worker_seq {
	char topic[NBPY_TOPIC_MAX + 1];
	char service[NBPY_SERVICE_MAX + 1];
	size_t topic_len, service_len;
	uint64_t seq;		/* the last sequence number */
	int64_t event_ns;	/* ...and its event time (repeats) */
};

struct worker_seq_table {
	struct worker_seq *e;	/* WORKER_MAX_STREAMS, allocated by the runtime */
	size_t n, last;
	bool full;		/* said so once */
};

struct worker {
	const struct nbpy_config *config;
	const struct nbpy_service *svc;
	size_t name_len;	/* strlen(svc->name), at most NBPY_SERVICE_MAX */
	const struct kind_ops *ops;
	const void *settings;	/* the kind's settings struct (svc->settings) */
	void *kind_state;	/* kind->state_size zeroed bytes, freed after destroy */
	struct nbpy_error error;	/* why init failed */
	void *zctx;
	void *pub;		/* NULL if the kind does not publish */
	enum nbpy_wire_mode wire;
	const char *topic;
	struct nbpy_bus_batch batch;	/* batch > 1: messages waiting for one frame */
	struct nbpy_buf held;	/* worker_hold: encoded messages waiting for worker_release */
	bool holding;
	void **subs;
	size_t n_subs;
	/* one per connect endpoint: numbers what arrives without a publisher */
	struct nbpy_bus_origin *origins;
	size_t *sub_origin;		/* subscription -> its endpoint's origin */
	struct worker_loop *loop;	/* the event loop's own state (runtime.c) */
	uint64_t topic_seq;	/* the last sequence number on the service's own topic */
	/* Sequence announcements (wire.h) cover the service's own topic and
	 * every (topic, service) published on or noted by worker_note_sent. */
	struct worker_seq_table sent;
	/* what subscriptions received, per (service, topic): gaps, repeats */
	struct worker_seq_table heard;
	bool stopping;
	bool stop_held;		/* worker_hold_stop */
	/* counters for STATUS= and logs */
	uint64_t received, published, errors, gaps, repeats, bad_messages;
	int64_t last_message_mono;
};

/* Publish m on the service's topic (or topic if not NULL), filling in the
 * service name and the topic's next sequence number (each topic is numbered
 * 1, 2, 3, ... on its own).  Counted; never blocks. */
int worker_publish(struct worker *w, struct nbpy_msg *m, const char *topic);

/* Hold what worker_publish is given from now on (numbered and encoded,
 * in order) until worker_release sends it: for a kind that saves its state
 * before what it decided leaves.  worker_held_bytes says how much waits. */
void worker_hold(struct worker *w);
void worker_release(struct worker *w);
size_t worker_held_bytes(const struct worker *w);

/* Send payload (one encoded message, or a batch) on topic (topic_len
 * bytes) at once, after what is waiting in the batch: for a kind that
 * resends what it published before (a last-value cache), so it is not
 * counted in published.  Never blocks; 0, or -1 (counted as an error). */
int worker_send_now(struct worker *w, const char *topic, size_t topic_len, const void *payload, size_t len);

/* For the announcements: service published seq on topic (lengths in bytes,
 * no NUL needed).  worker_publish notes what it sends; a kind that sends
 * frames itself (replay) calls this after each. */
void worker_note_sent(struct worker *w, const char *topic, size_t topic_len, const char *service,
		      size_t service_len, uint64_t seq);

/* A configuration problem found by init: "FILE:LINE: [SERVICE] " and the
 * message into w->error with class NBPY_ERR_CONFIG, LINE that of the key
 * whose settings field is `field` (NULL: the section's).  Returns -1. */
int worker_config_error(struct worker *w, const void *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A kind with work in flight at SIGTERM (a sink's write) holds the stop
 * from on_stop: the loop goes on (fds, HTTP, timers; what still arrives on
 * the subscriptions is handed over too) until the kind lets go.  The kind
 * bounds its own wait (within stop_timeout). */
void worker_hold_stop(struct worker *w, bool hold);

/* An error for the STATUS counters, logged with context. */
void worker_error(struct worker *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- events ---- */

#define WORKER_READABLE 1u
#define WORKER_WRITABLE 2u

/* Called with what fd is ready for (an error or hang-up is reported as the
 * interest registered, so the next read or write sees it). */
typedef void (*worker_fd_fn)(struct worker *w, int fd, unsigned events, void *arg);
/* Watch fd for `events` (replacing an earlier watch of the same fd; 0 keeps
 * the watch but asks for nothing); 0, or -1 with errno (EPERM: a regular
 * file, which is always ready). */
int worker_watch_fd(struct worker *w, int fd, unsigned events, worker_fd_fn fn, void *arg);
/* Forget fd (before closing it); unknown fds are ignored. */
void worker_unwatch_fd(struct worker *w, int fd);

typedef void (*worker_timer_fn)(struct worker *w, void *arg);
/* Fire fn after after_ns (monotonic); again every period_ns if > 0 (a
 * periodic timer that falls behind skips, it does not burst).  Returns an
 * id > 0, or -1.  A timer added from a callback fires on a later turn. */
long long worker_timer_add(struct worker *w, int64_t after_ns, int64_t period_ns, worker_timer_fn fn,
			   void *arg);
void worker_timer_del(struct worker *w, long long id);	/* unknown or fired ids are ignored */

/* The kind's one timer, for kinds that need no more: fire ops->on_timer at
 * monotonic time at_ns (replacing the previous one; 0: none). */
void worker_set_timer(struct worker *w, int64_t at_ns);

/* ---- HTTP requests through the worker's one curl multi ---- */

/* An HTTP response, or the reason there is none. */
struct http_result {
	long status;		/* 0: no response (network error, timeout) */
	const char *body;	/* NUL-terminated (the NUL not counted in len) */
	size_t len;
	const char *error;	/* libcurl's message when status is 0 */
};

typedef void (*http_done_fn)(struct worker *w, const struct http_result *r, void *arg);

struct http_request {
	const char *method;		/* "GET" (default when NULL), "POST", ... */
	const char *url;
	const char *const *headers;	/* NULL-terminated "Name: value" lines, or NULL */
	const void *body;		/* not copied: must stay valid until done is called */
	size_t body_len;
	long timeout_ms;		/* whole request; 0: no limit */
	const char *userpwd;		/* optional basic auth "user:password" (a secret: never logged) */
	long connect_timeout_ms;	/* 0: libcurl's default (300 s) */
	const char *user_agent;		/* NULL: the service's user_agent key, else "nbpy" */
	const char *cainfo;		/* NULL: the system's CA certificates */
};

/* Start req; done is called exactly once, from the loop (never from inside
 * worker_http), with the response (up to 16 MiB; more is an error) or the
 * reason there is none.  Returns 0, or -1 if it could not start (then done
 * is not called).  Requests still in flight when the worker exits are
 * dropped without a call. */
int worker_http(struct worker *w, const struct http_request *req, http_done_fn done, void *arg);

/* ---- long-lived streams of newline-delimited records ----
 *
 * Two transports, one behaviour:
 *   - an HTTP GET whose body is a stream of records, one per line (OANDA v20
 *     pricing and transactions, the X filtered stream);
 *   - raw = true: a TLS ("https://host:port") or plain TCP ("http://host:port")
 *     connection carrying lines both ways (Betfair's stream API): nothing is
 *     sent on connecting; the kind sends with worker_stream_send.
 * Each record (the line without "\n" or "\r\n"; empty lines, which servers
 * send as keep-alives, are skipped) goes to on_record.  A record longer than
 * max_record is an error: counted, logged, and the connection is dropped.
 * Any error, the end of the stream, a non-2xx answer, or no byte at all for
 * idle_ns (keep-alives count) drops the connection and reconnects after a
 * delay from the stream's backoff, reset once a record has arrived on the
 * new connection.  HTTP 401 and 403 are a configuration error (credentials
 * refused), not a passing one: counted (refused, refused_status for the
 * kind's STATUS) and retried after refused_retry_ns, not the backoff's delay.
 * A record cut by a disconnect is discarded, counted (cut), never passed
 * on.  Errors go to w->errors and the log (never the URL's credentials: pass
 * those in headers or userpwd). */
struct worker_stream;

typedef void (*worker_record_fn)(struct worker *w, struct worker_stream *s, const char *rec, size_t len,
				 void *arg);

struct worker_stream_spec {
	const char *name;		/* for logs: "pricing" */
	const char *url;
	bool raw;			/* connect only, then lines both ways */
	const char *const *headers;	/* HTTP: NULL-terminated "Name: value" lines, or NULL */
	const char *userpwd;		/* HTTP: optional basic auth (never logged) */
	const char *user_agent;		/* HTTP: NULL as for worker_http */
	const char *cainfo;		/* NULL: the system's CA certificates */
	size_t max_record;		/* bytes, 0: 1 MiB */
	int64_t idle_ns;		/* 0: no idle watchdog */
	long connect_timeout_ms;	/* 0: 10 s */
	int64_t backoff_min_ns, backoff_max_ns;	/* 0: 1 s and 60 s */
	int64_t refused_retry_ns;	/* HTTP 401/403: retry after this (0: 60 s) */
	/* A record (NUL-terminated at rec[len]; valid during the call). */
	worker_record_fn on_record;
	/* Optional: connected (raw: TLS done, time to log in; HTTP: a 2xx answer
	 * began), and dropped (why; a reconnect is scheduled). */
	void (*on_connect)(struct worker *w, struct worker_stream *s, void *arg);
	void (*on_drop)(struct worker *w, struct worker_stream *s, const char *why, void *arg);
	void *arg;
};

/* Counters of one stream, for the kind's STATUS. */
struct worker_stream_stats {
	uint64_t records, connects, drops, too_long;
	uint64_t cut;		/* records cut by a disconnect, discarded */
	uint64_t refused;	/* HTTP 401/403 answers */
	long refused_status;	/* 401 or 403 while that was the last answer, else 0 */
	bool connected;
};

/* Start connecting (the spec's strings are copied).  NULL with errno if the
 * spec is unusable or memory ran out. */
struct worker_stream *worker_stream_open(struct worker *w, const struct worker_stream_spec *spec);
/* Raw streams: queue one line (line + "\r\n") for sending.  0, or -1 with
 * errno ENOTCONN (not connected now: send again from on_connect), EINVAL
 * (not a raw stream) or ENOBUFS (over 1 MiB waiting). */
int worker_stream_send(struct worker_stream *s, const void *line, size_t len);
/* Disconnect and free; may be called from the stream's own callbacks. */
void worker_stream_close(struct worker_stream *s);
const struct worker_stream_stats *worker_stream_stats(const struct worker_stream *s);

/* ---- running ---- */

/* Run the service; returns the process exit code. */
int worker_run(const struct nbpy_config *c, const char *service, const struct kind_ops *ops);

#endif
