/* ticker.c - kind kraken.ticker: Kraken REST Ticker, one message per pair
 * per poll (the original pub_kraken_tick at 8378a84, with an interval
 * instead of a tight loop, and errors that are counted instead of fatal).
 *
 * pairs = all discovers the pairs with AssetPairs first (dark-pool ".d"
 * pairs skipped unless dark_pool = yes).  HTTP errors, 429, 5xx, timeouts and
 * Kraken's rate-limit errors back off; malformed answers are counted and
 * logged, and nothing is published from them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kinds.h"
#include "log.h"
#include "rest.h"
#include "timefmt.h"

struct ticker {
	char *base;		/* https://api.kraken.com */
	char *pairs;		/* comma-joined; NULL until discovered */
	bool discover, dark_pool, in_flight;
	int64_t interval_ns;
	long timeout_ms;
	struct nbpy_backoff backoff;
};

static void schedule(struct worker *w, struct ticker *t, bool failed)
{
	int64_t delay = failed ? nbpy_backoff_next(&t->backoff) : t->interval_ns;

	if (!failed)
		nbpy_backoff_reset(&t->backoff);
	worker_set_timer(w, nbpy_monotonic_ns() + delay);
}

/* One pair of the Ticker result; false if any field is missing or bad. */
static bool parse_pair(const char *name, struct json_object *o, struct nbpy_kraken_ticker *k)
{
	struct json_object *a, *b, *c, *v, *p, *t, *l, *h, *op;
	double d[6];

	if (strlen(name) >= sizeof(k->instrument) || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "a", &a) || !json_object_object_get_ex(o, "b", &b) ||
	    !json_object_object_get_ex(o, "c", &c) || !json_object_object_get_ex(o, "v", &v) ||
	    !json_object_object_get_ex(o, "p", &p) || !json_object_object_get_ex(o, "t", &t) ||
	    !json_object_object_get_ex(o, "l", &l) || !json_object_object_get_ex(o, "h", &h) ||
	    !json_object_object_get_ex(o, "o", &op))
		return false;
	strcpy(k->instrument, name);
	if (!kraken_array_number(a, 0, &k->ask_price) || !kraken_array_number(a, 1, &d[0]) ||
	    !kraken_array_number(a, 2, &k->ask_lot_volume) || !kraken_array_number(b, 0, &k->bid_price) ||
	    !kraken_array_number(b, 1, &d[1]) || !kraken_array_number(b, 2, &k->bid_lot_volume) ||
	    !kraken_array_number(c, 0, &k->last_trade_price) ||
	    !kraken_array_number(c, 1, &k->last_trade_lot_volume) ||
	    !kraken_array_number(v, 0, &k->volume_today) || !kraken_array_number(v, 1, &k->volume_24h) ||
	    !kraken_array_number(p, 0, &k->vwap_today) || !kraken_array_number(p, 1, &k->vwap_24h) ||
	    !kraken_array_number(t, 0, &d[2]) || !kraken_array_number(t, 1, &d[3]) ||
	    !kraken_array_number(l, 0, &k->low_today) || !kraken_array_number(l, 1, &k->low_24h) ||
	    !kraken_array_number(h, 0, &k->high_today) || !kraken_array_number(h, 1, &k->high_24h) ||
	    !kraken_number(op, &k->opening_price))
		return false;
	for (int i = 0; i < 4; i++)
		if (d[i] < 0 || d[i] > 9e15 || d[i] != (double)(int64_t)d[i])
			return false;
	k->ask_whole_lot_volume = (int64_t)d[0];
	k->bid_whole_lot_volume = (int64_t)d[1];
	k->trades_today = (int64_t)d[2];
	k->trades_24h = (int64_t)d[3];
	return true;
}

static void on_ticker(struct worker *w, const struct http_result *r, void *arg)
{
	struct ticker *t = arg;
	struct json_object *root, *result;
	struct nbpy_msg *m;
	char why[300];
	enum kraken_outcome o = kraken_check(r, &root, &result, why, sizeof(why));
	int64_t now = nbpy_now_ns();

	t->in_flight = false;
	if (o != KRAKEN_OK) {
		worker_error(w, "Ticker: %s", why);
		schedule(w, t, o == KRAKEN_RETRY);
		return;
	}
	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		json_object_put(root);
		schedule(w, t, true);
		return;
	}
	json_object_object_foreach(result, name, value) {
		if (!t->dark_pool && strstr(name, ".d") != NULL)
			continue;
		memset(m, 0, sizeof(*m));
		m->h.schema = NBPY_SCHEMA_KRAKEN_TICKER;
		/* The REST ticker has no time of its own: the answer's arrival. */
		m->h.event_ns = now;
		m->h.recv_ns = now;
		if (!parse_pair(name, value, &m->u.ticker)) {
			worker_error(w, "Ticker: pair %.40s is malformed, skipped: %.120s", name,
				     json_object_to_json_string_ext(value, JSON_C_TO_STRING_PLAIN));
			continue;
		}
		(void)worker_publish(w, m, NULL);
	}
	free(m);
	json_object_put(root);
	schedule(w, t, false);
}

static void on_asset_pairs(struct worker *w, const struct http_result *r, void *arg)
{
	struct ticker *t = arg;
	struct json_object *root, *result;
	char why[300];
	enum kraken_outcome o = kraken_check(r, &root, &result, why, sizeof(why));
	size_t len = 0, cap = 0, count = 0;

	t->in_flight = false;
	if (o != KRAKEN_OK) {
		worker_error(w, "AssetPairs: %s", why);
		schedule(w, t, true);
		return;
	}
	json_object_object_foreach(result, name, value) {
		size_t n = strlen(name);
		char *bigger;

		(void)value;
		if (!t->dark_pool && strstr(name, ".d") != NULL)
			continue;
		if (len + n + 2 > cap) {
			cap = (len + n + 2) * 2;
			bigger = realloc(t->pairs, cap);
			if (bigger == NULL)
				break;
			t->pairs = bigger;
		}
		if (len > 0)
			t->pairs[len++] = ',';
		memcpy(t->pairs + len, name, n + 1);
		len += n;
		count++;
	}
	json_object_put(root);
	if (t->pairs == NULL || len == 0) {
		worker_error(w, "AssetPairs: no pairs");
		free(t->pairs);
		t->pairs = NULL;
		schedule(w, t, true);
		return;
	}
	log_info("%zu pairs from AssetPairs", count);
	worker_set_timer(w, nbpy_monotonic_ns());
}

static void poll_kraken(struct worker *w)
{
	struct ticker *t = w->kind_state;
	char *url;
	int rc;

	if (t->in_flight)
		return;
	if (t->pairs == NULL)
		rc = asprintf(&url, "%s/0/public/AssetPairs", t->base);
	else
		rc = asprintf(&url, "%s/0/public/Ticker?pair=%s", t->base, t->pairs);
	if (rc < 0) {
		schedule(w, t, true);
		return;
	}
	if (worker_http_get(w, url, t->timeout_ms, t->pairs ? on_ticker : on_asset_pairs, t) < 0) {
		worker_error(w, "cannot start a request to %s", t->base);
		schedule(w, t, true);
	} else {
		t->in_flight = true;
	}
	free(url);
}

static int init(struct worker *w)
{
	struct ticker *t = calloc(1, sizeof(*t));
	const struct nbpy_value *pairs = nbpy_service_value(w->svc, "pairs");
	size_t len = 0;

	if (t == NULL)
		return -1;
	w->kind_state = t;
	t->base = strdup(nbpy_service_value(w->svc, "url")->text);
	t->interval_ns = nbpy_service_value(w->svc, "interval")->v.ns;
	t->timeout_ms = (long)(nbpy_service_value(w->svc, "timeout")->v.ns / 1000000);
	t->dark_pool = nbpy_service_value(w->svc, "dark_pool")->v.b;
	nbpy_backoff_init(&t->backoff, NBPY_NS_PER_SEC, 60 * NBPY_NS_PER_SEC, 0);
	if (t->base == NULL)
		return -1;
	if (!(pairs->n_items == 1 && strcmp(pairs->items[0], "all") == 0)) {
		for (size_t i = 0; i < pairs->n_items; i++)
			len += strlen(pairs->items[i]) + 1;
		t->pairs = calloc(1, len + 1);
		if (t->pairs == NULL)
			return -1;
		for (size_t i = 0; i < pairs->n_items; i++) {
			if (i > 0)
				strcat(t->pairs, ",");
			strcat(t->pairs, pairs->items[i]);
		}
	}
	worker_set_timer(w, nbpy_monotonic_ns());
	return 0;
}

static void destroy(struct worker *w)
{
	struct ticker *t = w->kind_state;

	if (t == NULL)
		return;
	free(t->base);
	free(t->pairs);
	free(t);
}

const struct kind_ops kraken_ticker_kind = {
	.name = "kraken.ticker",
	.init = init,
	.on_timer = poll_kraken,
	.destroy = destroy,
};
