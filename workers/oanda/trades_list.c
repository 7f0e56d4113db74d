/* trades_list.c - `nbpy-worker --once SERVICE` of kind oanda.transactions:
 * the original pub_oanda_orders_.py's one-shot TradesList.  GET
 * {api_url}/v3/accounts/{account}/trades?state=OPEN&count=500, then with
 * beforeID=<lowest id so far> while a page comes back full, and print
 * {"trades": [every open trade, newest first], "lastTransactionID": "N"}
 * as indented JSON on stdout.  A blocking request: this runs alone, outside
 * the worker's event loop.  Errors go to stderr, never with the token. */
#include <autoconfig.h>
#include <curl/curl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "workers/oanda/transactions.h"
#include "workers/oanda/v20.h"

#define PAGE 500		/* OANDA's largest count */
#define BODY_MAX (16 << 20)

struct body {
	struct nbpy_buf b;
	bool too_large;
};

static size_t on_body(char *data, size_t size, size_t n, void *user)
{
	struct body *body = user;

	if (body->b.len + size * n > BODY_MAX) {
		body->too_large = true;
		return 0;
	}
	return nbpy_buf_append(&body->b, data, size * n) < 0 ? 0 : size * n;
}

/* One page as a JSON object, or NULL with the reason on stderr. */
static struct json_object *get_page(const struct nbpy_service *svc, const char *url, struct curl_slist *headers)
{
	const struct transactions_settings *set = svc->settings;
	struct body body = { NBPY_BUF_INIT, false };
	struct json_object *root = NULL, *msg;
	char errbuf[CURL_ERROR_SIZE] = "";
	CURL *h = curl_easy_init();
	CURLcode rc = CURLE_FAILED_INIT;
	long status = 0;

	if (h != NULL &&
	    curl_easy_setopt(h, CURLOPT_URL, url) == CURLE_OK &&
	    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers) == CURLE_OK &&
	    curl_easy_setopt(h, CURLOPT_USERAGENT, "nbpy/" PACKAGE_VERSION) == CURLE_OK &&
	    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
	    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(set->request_timeout / 1000000)) == CURLE_OK &&
	    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf) == CURLE_OK &&
	    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK &&
	    curl_easy_setopt(h, CURLOPT_WRITEDATA, &body) == CURLE_OK)
		rc = curl_easy_perform(h);
	if (rc != CURLE_OK)
		fprintf(stderr, "nbpy-worker: [%s] trades: %s\n", svc->name,
			body.too_large ? "answer larger than 16 MiB" : errbuf[0] ? errbuf : curl_easy_strerror(rc));
	else if (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK || body.b.failed)
		fprintf(stderr, "nbpy-worker: [%s] trades: no answer\n", svc->name);
	else if ((root = json_tokener_parse(body.b.data ? body.b.data : "")) == NULL ||
		 !json_object_is_type(root, json_type_object))
		fprintf(stderr, "nbpy-worker: [%s] trades: HTTP %ld, not a JSON object\n", svc->name, status);
	else if (status != 200)
		fprintf(stderr, "nbpy-worker: [%s] trades: HTTP %ld: %s\n", svc->name, status,
			json_object_object_get_ex(root, "errorMessage", &msg) ? json_object_get_string(msg) : "");
	if (status != 200 && root != NULL) {
		json_object_put(root);
		root = NULL;
	}
	if (h != NULL)
		curl_easy_cleanup(h);
	nbpy_buf_free(&body.b);
	return root;
}

/* The trade id of o, or -1. */
static long long trade_id(struct json_object *o)
{
	struct json_object *id;
	const char *s;

	if (!json_object_object_get_ex(o, "id", &id) || !json_object_is_type(id, json_type_string))
		return -1;
	s = json_object_get_string(id);
	return s[0] != '\0' && strlen(s) <= 18 && s[strspn(s, "0123456789")] == '\0' ? atoll(s) : -1;
}

/* Append the trades of page below `*lowest` to all; how many it held. */
static int take_page(struct json_object *page, struct json_object *all, long long *lowest, size_t *n)
{
	struct json_object *trades;

	if (!json_object_object_get_ex(page, "trades", &trades) || !json_object_is_type(trades, json_type_array))
		return -1;
	*n = json_object_array_length(trades);
	for (size_t i = 0; i < *n; i++) {
		struct json_object *t = json_object_array_get_idx(trades, i);
		long long id = trade_id(t);

		if (id < 0)
			return -1;
		if (*lowest >= 0 && id >= *lowest)
			continue;	/* beforeID may include the trade it names */
		if (json_object_array_add(all, json_object_get(t)) < 0)
			return -1;
		*lowest = id;
	}
	return 0;
}

int oanda_trades_list(const struct nbpy_service *svc)
{
	const struct transactions_settings *set = svc->settings;
	struct json_object *out = json_object_new_object(), *all = json_object_new_array(), *page, *last;
	struct curl_slist *headers = NULL;
	char *auth = NULL, url[4200];
	long long lowest = -1, before;
	int rc = 1;
	size_t n = PAGE;

	if (set->token[0] == '\0' || !oanda_url_safe(set->account)) {
		fprintf(stderr, "nbpy-worker: [%s] token empty, or account not letters, digits, _ - .\n", svc->name);
		json_object_put(out);
		json_object_put(all);
		return NBPY_EX_CONFIG;
	}
	if (out == NULL || all == NULL || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    oanda_auth_header(set->token, &auth) < 0 || (headers = curl_slist_append(NULL, auth)) == NULL) {
		fprintf(stderr, "nbpy-worker: [%s] out of memory\n", svc->name);
		goto out;
	}
	while (n == PAGE) {
		before = lowest;
		if (lowest < 0)
			(void)snprintf(url, sizeof(url), "%s/v3/accounts/%s/trades?state=OPEN&count=%d",
				       set->api_url, set->account, PAGE);
		else
			(void)snprintf(url, sizeof(url), "%s/v3/accounts/%s/trades?state=OPEN&count=%d&beforeID=%lld",
				       set->api_url, set->account, PAGE, lowest);
		if ((page = get_page(svc, url, headers)) == NULL)
			goto out;
		if (take_page(page, all, &lowest, &n) < 0) {
			fprintf(stderr, "nbpy-worker: [%s] trades: no list of trades with ids in the answer\n",
				svc->name);
			json_object_put(page);
			goto out;
		}
		if (json_object_object_length(out) == 0 &&
		    (json_object_object_add(out, "trades", json_object_get(all)) < 0 ||
		     (json_object_object_get_ex(page, "lastTransactionID", &last) &&
		      json_object_object_add(out, "lastTransactionID", json_object_get(last)) < 0))) {
			json_object_put(page);
			goto out;
		}
		json_object_put(page);
		if (lowest == before)
			break;	/* nothing new: the end */
	}
	printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						      JSON_C_TO_STRING_NOSLASHESCAPE));
	rc = fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
out:
	if (headers != NULL)	/* libcurl's copy of the token */
		explicit_bzero(headers->data, strlen(headers->data));
	curl_slist_free_all(headers);
	oanda_auth_free(&auth);
	json_object_put(out);
	json_object_put(all);
	curl_global_cleanup();
	return rc;
}
