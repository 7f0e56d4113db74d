/* sink_http.c - see sink_http.h. */
#include <autoconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workers/sink/sink_http.h"
#include "workers/sink/store_answer.h"

int sink_http_open(struct sink_http *c, struct sink *s, long timeout_ms, size_t answer_max,
		   const char *user, const char *password)
{
	memset(c, 0, sizeof(*c));
	c->s = s;
	c->timeout_ms = timeout_ms;
	c->answer_max = answer_max;
	if ((c->answer = malloc(answer_max)) == NULL)
		return -1;
	c->answer[0] = '\0';
	if (user != NULL) {
		size_t n = strlen(user) + 1 + (password ? strlen(password) : 0) + 1;

		if ((c->userpwd = malloc(n)) == NULL)
			return -1;
		(void)snprintf(c->userpwd, n, "%s:%s", user, password ? password : "");
	}
	return 0;
}

void sink_http_close(struct sink_http *c)
{
	free(c->answer);
	if (c->userpwd != NULL) {
		memset(c->userpwd, 0, strlen(c->userpwd));
		free(c->userpwd);
	}
	memset(c, 0, sizeof(*c));
}

static void on_done(struct worker *w, const struct http_result *r, void *arg)
{
	struct sink_http *c = arg;

	(void)w;
	if (c->abandoned > 0) {
		c->abandoned--;
		return;
	}
	c->answer_len = 0;
	c->answer[0] = '\0';
	if (r->status == 0)
		(void)nbpy_error_set(&c->err, "%s", r->error ? r->error : "no answer");
	else
		store_answer_append(c->answer, &c->answer_len, c->answer_max, r->body ? r->body : "", r->len);
	c->then(c->s, r->status);
}

int sink_http_send(struct sink_http *c, const char *method, const char *url,
		   const char *const *headers, const void *body, size_t len, sink_http_then then)
{
	const char *all[8];
	size_t n = 0;
	struct http_request req = {
		.method = method, .url = url, .headers = all, .body = body, .body_len = len,
		.timeout_ms = c->timeout_ms, .userpwd = c->userpwd,
		.connect_timeout_ms = c->timeout_ms < 5000 ? c->timeout_ms : 5000,
		.user_agent = "nbpy/" PACKAGE_VERSION,
	};

	all[n++] = "Expect:";	/* no 100-continue round trip */
	for (size_t i = 0; headers && headers[i] && n + 1 < sizeof(all) / sizeof(all[0]); i++)
		all[n++] = headers[i];
	all[n] = NULL;
	c->then = then;
	if (worker_http(c->s->w, &req, on_done, c) < 0)
		return nbpy_error_set(&c->err, "%s: cannot start the request (libcurl or memory)", url);
	return 0;
}

void sink_http_abandon(struct sink_http *c)
{
	c->abandoned++;
}

enum nbpy_error_class sink_http_class(long status)
{
	if (status == 0 || status >= 500 || status == 429 || status == 408 || status == 401 ||
	    status == 403)
		return NBPY_ERR_TRANSIENT;
	return NBPY_ERR_REFUSED;
}
