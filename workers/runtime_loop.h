/* runtime_loop.h - the event loop's state, shared by runtime.c (fds,
 * timers, subscriptions), runtime_http.c (the curl multi) and
 * runtime_stream.c.  Not for kinds: they use runtime.h. */
#ifndef NBPY_WORKER_RUNTIME_LOOP_H
#define NBPY_WORKER_RUNTIME_LOOP_H

#include "workers/runtime.h"

struct fd_watch {
	worker_fd_fn fn;	/* NULL: not watched */
	void *arg;
	unsigned events;	/* 0: kept but not in the epoll set */
	uint32_t gen;		/* tells events for an earlier watch of the fd apart */
};

struct timer {
	struct timer *next;	/* the list is sorted by due */
	long long id;
	int64_t due, period;
	worker_timer_fn fn;
	void *arg;
};

struct http_req;

struct worker_loop {
	int ep;			/* epoll */
	struct fd_watch *fds;	/* indexed by fd */
	size_t n_fds;
	uint32_t gen;
	struct timer *timers;
	long long last_timer_id, firing_id, kind_timer;
	bool firing_deleted;
	/* subscriptions */
	bool *sub_pending;	/* may hold more than one burst: read it next turn */
	struct nbpy_msg *inbox;	/* NBPY_BATCH_MAX received messages */
	struct nbpy_bus_slice *slices;
	struct nbpy_bus_frame frame;
	unsigned char legacy_raw[NBPY_WIRE_MAX];
	/* the publishing socket is an XPUB (NBPY_KIND_XPUB): subscriptions
	 * to read, maybe more than ZMQ_FD's edge said */
	bool xpub, xpub_pending;
	/* libcurl */
	CURLM *curl;
	long long curl_timer;
	const char *user_agent;	/* the service's user_agent key, or "nbpy" */
	struct http_req *http_pending;	/* in flight, freed on exit */
	struct worker_stream *streams;
};

/* The loop on its own, without a service (runtime.c runs it for one; the
 * stream tests in tests/progs/streamtest.c without): open, turn until
 * w->stopping, close.  w->loop must point to a zeroed struct worker_loop
 * with ep = -1.  Open and turn return -1 on failure (logged). */
int worker_loop_open(struct worker *w);
int worker_loop_turn(struct worker *w);
void worker_loop_close(struct worker *w);

/* Absolute form of worker_timer_add (monotonic at_ns). */
long long worker_timer_at(struct worker *w, int64_t at_ns, int64_t period_ns, worker_timer_fn fn, void *arg);
/* Who watches fd now (NULL: nobody). */
worker_fd_fn worker_fd_watcher(struct worker *w, int fd);

/* runtime_http.c */
int worker_curl_open(struct worker *w);
void worker_curl_close(struct worker *w);

/* Every easy handle's CURLOPT_PRIVATE starts with this, so that the multi's
 * completions reach their owner. */
struct curl_owner {
	void (*done)(struct worker *w, struct curl_owner *o, CURLcode result);
};

/* Set the options every transfer shares on h (the header lines go into
 * *list, which the caller frees after the transfer); -1 on failure. */
int worker_curl_common(struct worker *w, CURL *h, const char *url, const char *user_agent,
		       const char *cainfo, const char *userpwd, const char *const *headers,
		       struct curl_slist **list, char *errbuf, void *owner);
/* Free a header list made by worker_curl_common, wiping each line first:
 * libcurl's copies hold bearer tokens. */
void worker_curl_headers_free(struct curl_slist *list);

/* runtime_stream.c */
/* Hand what the streams' transfers received to their kinds (outside
 * libcurl's callbacks, so the kinds may call anything). */
void worker_streams_process(struct worker *w);
void worker_streams_close_all(struct worker *w);

#endif
