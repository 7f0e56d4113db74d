/* runtime.h - what every worker kind gets for free.
 *
 * One event loop (zmq_poll over the subscriptions, a signalfd and libcurl's
 * sockets, with timers), publish and subscribe by service name through the
 * registry, sequence numbers, their periodic announcement and gap counting
 * (the tail included), SIGTERM -> flush and exit 0,
 * sd_notify READY/WATCHDOG and a STATUS line with counters, HTTP through
 * libcurl multi, and logging with the service name.  A kind supplies
 * callbacks (struct kind_ops) and keeps its own state in w->kind_state. */
#ifndef NBPY_WORKER_RUNTIME_H
#define NBPY_WORKER_RUNTIME_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/backoff.h"
#include "common/bus.h"
#include "common/config.h"
#include "common/wire.h"

struct worker;
struct http_req;

struct kind_ops {
	const char *name;	/* as in the config table: "kraken.ticker" */
	const void *data;	/* the kind's own constants (a sink's store) */
	/* Set up; -1 stops the worker with exit 78 if it is a config problem
	 * (reason logged by the kind). */
	int (*init)(struct worker *w);
	/* A decoded message from a subscription. */
	void (*on_message)(struct worker *w, const struct nbpy_msg *m, const char *topic);
	/* The kind's timer fired (see worker_set_timer). */
	void (*on_timer)(struct worker *w);
	/* SIGTERM: flush what is pending. */
	void (*on_stop)(struct worker *w);
	void (*destroy)(struct worker *w);
	/* Optional: more ", name value" counters for the STATUS line. */
	void (*status)(struct worker *w, char *buf, size_t cap);
};

/* An HTTP response, or the reason there is none. */
struct http_result {
	long status;		/* 0: no response (network error, timeout) */
	const char *body;
	size_t len;
	const char *error;	/* libcurl's message when status is 0 */
};

typedef void (*http_done_fn)(struct worker *w, const struct http_result *r, void *arg);

/* STUB until h/runtime lands (RUNTIME_API.md): what arrived on a subscription. */
struct worker_input {
	const struct nbpy_msg *msg;
	const char *topic;
	const unsigned char *raw;
	size_t raw_len;
	int64_t recv_ns;
};

#define WORKER_READABLE 1u
#define WORKER_WRITABLE 2u
typedef void (*worker_fd_fn)(struct worker *w, int fd, unsigned events, void *arg);
int worker_watch_fd(struct worker *w, int fd, unsigned events, worker_fd_fn fn, void *arg);
void worker_unwatch_fd(struct worker *w, int fd);

struct http_request {
	const char *method;
	const char *url;
	const char *const *headers;
	const void *body;
	size_t body_len;
	long timeout_ms;
	const char *userpwd;
};
int worker_http(struct worker *w, const struct http_request *req, http_done_fn done, void *arg);

/* A kind with work in flight at SIGTERM (a sink's write) holds the stop:
 * after on_stop the loop goes on serving file descriptors, HTTP and the
 * kind's timer (not the subscriptions) until the kind lets go.  The kind
 * bounds its own wait (stop_timeout). */
void worker_hold_stop(struct worker *w, bool hold);

#define WORKER_MAX_SOURCES 32
#define WORKER_MAX_ANNOUNCED 32

/* The last sequence number a service published on a topic. */
struct worker_sent {
	char topic[NBPY_TOPIC_MAX + 1];
	char service[NBPY_SERVICE_MAX + 1];
	size_t topic_len, service_len;
	uint64_t seq;
};

struct worker {
	const struct nbpy_config *config;
	const struct nbpy_service *svc;
	const struct kind_ops *ops;
	void *kind_state;
	void *zctx;
	void *pub;		/* NULL if the kind does not publish */
	enum nbpy_wire_mode wire;
	const char *topic;
	/* batching: up to batch_max encoded messages of one topic per frame */
	size_t batch_max, batch_n, batch_len;
	char *batch_buf;
	const char *batch_topic;
	struct nbpy_msg *inbox;		/* NBPY_BATCH_MAX received messages */
	void **subs;
	size_t n_subs;
	/* one per connect endpoint: numbers what arrives without a publisher */
	struct nbpy_bus_origin *origins;
	size_t *sub_origin;		/* subscription -> its endpoint's origin */
	CURLM *curl;
	struct http_req *http_pending;	/* in flight, freed on exit */
	uint64_t seq;		/* the last sequence number published */
	uint64_t topic_seq;	/* ...on the service's own topic; 0: none yet */
	/* Sequence announcements (wire.h) cover the service's own topic and
	 * every (topic, service) noted by worker_note_sent. */
	struct worker_sent sent[WORKER_MAX_ANNOUNCED];
	size_t n_sent, sent_last;
	bool sent_full;
	int64_t timer_mono;	/* 0: none */
	bool stopping;
	bool stop_held;		/* worker_hold_stop */
	struct { int fd; unsigned events; worker_fd_fn fn; void *arg; } watched[8];	/* STUB */
	size_t n_watched;
	/* counters for STATUS= and logs */
	uint64_t received, published, errors, gaps, bad_messages;
	int64_t last_message_mono;
	struct {
		char service[NBPY_SERVICE_MAX + 1];
		uint64_t seq;
	} sources[WORKER_MAX_SOURCES];
	size_t n_sources;
};

/* Publish m on the service's topic (or topic if not NULL), filling in the
 * service name and the next sequence number.  Counted; never blocks. */
int worker_publish(struct worker *w, struct nbpy_msg *m, const char *topic);

/* For the announcements: service published seq on topic (lengths in bytes,
 * no NUL needed).  worker_publish notes what it sends; a kind that sends
 * frames itself (replay) calls this after each. */
void worker_note_sent(struct worker *w, const char *topic, size_t topic_len, const char *service,
		      size_t service_len, uint64_t seq);

/* Fire on_timer at monotonic time at_ns (replaces the previous timer). */
void worker_set_timer(struct worker *w, int64_t at_ns);

/* GET url (User-Agent from the kind's user_agent key if any); done is called
 * once from the loop, with a response or an error. */
int worker_http_get(struct worker *w, const char *url, long timeout_ms, http_done_fn done, void *arg);

/* An error for the STATUS counters, logged with context. */
void worker_error(struct worker *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Run the service; returns the process exit code. */
int worker_run(const struct nbpy_config *c, const char *service, const struct kind_ops *ops);

#endif
