/* runtime_http.c - the worker's one libcurl multi, driven by the loop's fd
 * events and timers (CURLMOPT_SOCKETFUNCTION, CURLMOPT_TIMERFUNCTION), and
 * the short requests on it (worker_http).  Streams: runtime_stream.c. */
#include <autoconfig.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/log.h"
#include "workers/runtime.h"
#include "workers/runtime_loop.h"

#define HTTP_MAX_BODY (16 << 20)	/* a response larger than this is an error */

struct http_req {
	struct curl_owner owner;	/* first: CURLOPT_PRIVATE points here */
	struct http_req *next;
	CURL *handle;
	struct curl_slist *headers;
	http_done_fn done;
	void *arg;
	struct nbpy_buf body;
	bool too_large;
	char errbuf[CURL_ERROR_SIZE];
};

/* Hand every finished transfer to its owner.  The message does not outlive
 * the handle's removal, so what is needed is copied first. */
static void check_done(struct worker *w)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(w->loop->curl, &left)) != NULL) {
		struct curl_owner *o = NULL;
		CURL *h = msg->easy_handle;
		CURLcode result = msg->data.result;

		if (msg->msg != CURLMSG_DONE)
			continue;
		if (curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&o) == CURLE_OK && o != NULL)
			o->done(w, o, result);
	}
}

/* After libcurl ran: records to the streams, then completions. */
static void after_curl(struct worker *w)
{
	worker_streams_process(w);
	check_done(w);
}

static void on_curl_fd(struct worker *w, int fd, unsigned events, void *arg)
{
	int flags = (events & WORKER_READABLE ? CURL_CSELECT_IN : 0) |
		    (events & WORKER_WRITABLE ? CURL_CSELECT_OUT : 0), running;

	(void)arg;
	(void)curl_multi_socket_action(w->loop->curl, fd, flags, &running);
	after_curl(w);
}

static int on_curl_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct worker *w = userp;
	unsigned ev = (what & CURL_POLL_IN ? WORKER_READABLE : 0) | (what & CURL_POLL_OUT ? WORKER_WRITABLE : 0);

	(void)easy;
	(void)socketp;
	if (what == CURL_POLL_REMOVE) {
		/* a raw stream's socket outlives libcurl's interest in it */
		if (worker_fd_watcher(w, s) == on_curl_fd)
			worker_unwatch_fd(w, s);
		return 0;
	}
	if (worker_watch_fd(w, s, ev, on_curl_fd, NULL) < 0) {
		worker_error(w, "libcurl socket %d: %s", s, strerror(errno));
		return -1;
	}
	return 0;
}

static void curl_timeout(struct worker *w, void *arg)
{
	int running;

	(void)arg;
	w->loop->curl_timer = 0;
	(void)curl_multi_socket_action(w->loop->curl, CURL_SOCKET_TIMEOUT, 0, &running);
	after_curl(w);
}

static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
	struct worker *w = userp;
	struct worker_loop *L = w->loop;

	(void)multi;
	worker_timer_del(w, L->curl_timer);
	L->curl_timer = 0;
	if (timeout_ms < 0)
		return 0;
	L->curl_timer = worker_timer_add(w, (int64_t)timeout_ms * 1000000, 0, curl_timeout, NULL);
	if (L->curl_timer < 0) {
		L->curl_timer = 0;
		return -1;
	}
	return 0;
}

int worker_curl_open(struct worker *w)
{
	struct worker_loop *L = w->loop;
	L->user_agent = "nbpy/" PACKAGE_VERSION;	/* a request may name its own */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || (L->curl = curl_multi_init()) == NULL ||
	    curl_multi_setopt(L->curl, CURLMOPT_SOCKETFUNCTION, on_curl_socket) != CURLM_OK ||
	    curl_multi_setopt(L->curl, CURLMOPT_SOCKETDATA, w) != CURLM_OK ||
	    curl_multi_setopt(L->curl, CURLMOPT_TIMERFUNCTION, on_curl_timer) != CURLM_OK ||
	    curl_multi_setopt(L->curl, CURLMOPT_TIMERDATA, w) != CURLM_OK) {
		log_error("libcurl initialisation failed");
		return -1;
	}
	return 0;
}

static void http_forget(struct worker *w, struct http_req *r)
{
	for (struct http_req **p = &w->loop->http_pending; *p; p = &(*p)->next)
		if (*p == r) {
			*p = r->next;
			break;
		}
	(void)curl_multi_remove_handle(w->loop->curl, r->handle);
	curl_easy_cleanup(r->handle);
	worker_curl_headers_free(r->headers);
	nbpy_buf_free(&r->body);
	free(r);
}

void worker_curl_close(struct worker *w)
{
	struct worker_loop *L = w->loop;

	while (L->http_pending)
		http_forget(w, L->http_pending);
	if (L->curl)
		(void)curl_multi_cleanup(L->curl);
	L->curl = NULL;
	curl_global_cleanup();
}

/* ---- short requests ---- */

static size_t on_body(char *data, size_t size, size_t n, void *user)
{
	struct http_req *r = user;
	size_t len = size * n;

	if (r->body.len + len > HTTP_MAX_BODY) {
		r->too_large = true;
		return 0;	/* aborts the transfer */
	}
	return nbpy_buf_append(&r->body, data, len) < 0 ? 0 : len;
}

static void http_done(struct worker *w, struct curl_owner *o, CURLcode result)
{
	struct http_req *r = (struct http_req *)o;
	struct http_result res = { 0 };

	if (result == CURLE_OK) {
		(void)curl_easy_getinfo(r->handle, CURLINFO_RESPONSE_CODE, &res.status);
		res.body = r->body.data ? r->body.data : "";
		res.len = r->body.len;
	} else {
		res.error = r->too_large ? "response larger than 16 MiB" :
			    r->body.failed ? "out of memory" :
			    r->errbuf[0] ? r->errbuf : curl_easy_strerror(result);
	}
	r->done(w, &res, r->arg);
	http_forget(w, r);
}

void worker_curl_headers_free(struct curl_slist *list)
{
	for (struct curl_slist *l = list; l != NULL; l = l->next)
		explicit_bzero(l->data, strlen(l->data));
	curl_slist_free_all(list);
}

/* The options every transfer of this worker shares. */
int worker_curl_common(struct worker *w, CURL *h, const char *url, const char *user_agent,
		       const char *cainfo, const char *userpwd, const char *const *headers,
		       struct curl_slist **list, char *errbuf, void *owner)
{
	if (curl_easy_setopt(h, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_USERAGENT, user_agent ? user_agent : w->loop->user_agent) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_PRIVATE, owner) != CURLE_OK ||
	    (cainfo && curl_easy_setopt(h, CURLOPT_CAINFO, cainfo) != CURLE_OK) ||
	    (userpwd && curl_easy_setopt(h, CURLOPT_USERPWD, userpwd) != CURLE_OK))
		return -1;
	for (size_t i = 0; headers != NULL && headers[i] != NULL; i++) {
		struct curl_slist *more = curl_slist_append(*list, headers[i]);

		if (more == NULL)
			return -1;
		*list = more;
	}
	if (*list != NULL && curl_easy_setopt(h, CURLOPT_HTTPHEADER, *list) != CURLE_OK)
		return -1;
	errbuf[0] = '\0';
	return 0;
}

static int set_method(CURL *h, const struct http_request *req)
{
	const char *m = req->method ? req->method : "GET";
	const void *body = req->body ? req->body : "";

	if (strcmp(m, "GET") == 0)
		return curl_easy_setopt(h, CURLOPT_HTTPGET, 1L) == CURLE_OK ? 0 : -1;
	if (strcmp(m, "HEAD") == 0)
		return curl_easy_setopt(h, CURLOPT_NOBODY, 1L) == CURLE_OK ? 0 : -1;
	if (strcmp(m, "POST") != 0 && curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, m) != CURLE_OK)
		return -1;
	if (strcmp(m, "POST") != 0 && req->body == NULL)
		return 0;
	return curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len) == CURLE_OK &&
	       curl_easy_setopt(h, CURLOPT_POSTFIELDS, body) == CURLE_OK ? 0 : -1;
}

int worker_http(struct worker *w, const struct http_request *req, http_done_fn done, void *arg)
{
	struct http_req *r = calloc(1, sizeof(*r));
	CURL *h = curl_easy_init();

	if (r == NULL || h == NULL || req->url == NULL || done == NULL)
		goto fail;
	r->owner.done = http_done;
	r->done = done;
	r->arg = arg;
	r->handle = h;
	if (worker_curl_common(w, h, req->url, req->user_agent, req->cainfo, req->userpwd, req->headers,
			       &r->headers, r->errbuf, r) < 0 ||
	    set_method(h, req) < 0 ||
	    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, req->timeout_ms) != CURLE_OK ||
	    (req->connect_timeout_ms > 0 &&
	     curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, req->connect_timeout_ms) != CURLE_OK) ||
	    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "") != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_WRITEDATA, r) != CURLE_OK ||
	    curl_multi_add_handle(w->loop->curl, h) != CURLM_OK)
		goto fail;
	r->next = w->loop->http_pending;
	w->loop->http_pending = r;
	return 0;
fail:
	if (h)
		curl_easy_cleanup(h);
	if (r)
		worker_curl_headers_free(r->headers);
	free(r);
	return -1;
}
