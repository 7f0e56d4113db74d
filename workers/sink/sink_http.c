/* sink_http.c - see sink_http.h. */
#include <autoconfig.h>
#include <stdlib.h>
#include <string.h>

#include "workers/sink/sink_http.h"
#include "workers/sink/store_answer.h"

static size_t on_answer(char *data, size_t size, size_t n, void *arg)
{
	struct sink_http *c = arg;

	store_answer_append(c->answer, &c->answer_len, c->answer_max, data, size * n);
	return size * n;
}

int sink_http_open(struct sink_http *c, long timeout_ms, size_t answer_max)
{
	memset(c, 0, sizeof(*c));
	c->answer_max = answer_max;
	if ((c->answer = malloc(answer_max)) == NULL || (c->h = curl_easy_init()) == NULL)
		return -1;
	c->answer[0] = '\0';
	if (curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, on_answer) != CURLE_OK ||
	    curl_easy_setopt(c->h, CURLOPT_WRITEDATA, c) != CURLE_OK ||
	    curl_easy_setopt(c->h, CURLOPT_TIMEOUT_MS, timeout_ms) != CURLE_OK ||
	    curl_easy_setopt(c->h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 5000 ? timeout_ms : 5000L)
		    != CURLE_OK ||
	    curl_easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(c->h, CURLOPT_USERAGENT, "nbpy/" PACKAGE_VERSION) != CURLE_OK ||
	    curl_easy_setopt(c->h, CURLOPT_TCP_KEEPALIVE, 1L) != CURLE_OK)
		return -1;
	return 0;
}

void sink_http_close(struct sink_http *c)
{
	if (c->h != NULL)
		curl_easy_cleanup(c->h);
	free(c->answer);
	memset(c, 0, sizeof(*c));
}

long sink_http_perform(struct sink *s, struct sink_http *c, const char *url)
{
	CURLcode rc;
	long status = 0;

	c->answer_len = 0;
	c->answer[0] = '\0';
	if (curl_easy_setopt(c->h, CURLOPT_URL, url) != CURLE_OK) {
		sink_set_error(s, "libcurl refused the URL %s", url);
		return 0;
	}
	if ((rc = curl_easy_perform(c->h)) != CURLE_OK) {
		sink_set_error(s, "%s: %s", url, curl_easy_strerror(rc));
		return 0;
	}
	(void)curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &status);
	return status;
}

enum sink_result sink_http_result(long status)
{
	if (status / 100 == 2)
		return SINK_OK;
	if (status == 0 || status >= 500 || status == 429 || status == 408 || status == 401 ||
	    status == 403)
		return SINK_RETRY;
	return SINK_DROP;
}
