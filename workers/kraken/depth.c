/* depth.c - kind kraken.depth: Kraken REST Depth, the top `count` levels of
 * each pair on an interval, and optionally on demand from a synthetic
 * EURUSD signal (the original pub_kraken_depth.py: when spread_t_bid or
 * spread_t_ask < 0, fetch the books of both hedge pairs and their EUR/USD
 * crosses).  Fixed relative to the original (reference 4.3): no request for
 * the empty instrument of the first message, no crash for pairs without an
 * EUR/USD suffix, and an error answer is never published.  Only the book of
 * the pair asked for is published (answers.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workers/kraken/answers.h"
#include "workers/kinds.h"
#include "common/log.h"
#include "workers/kraken/rest.h"
#include "common/timefmt.h"

#define QUEUE_MAX 64

struct depth {
	char *base;
	char **pairs;
	size_t n_pairs;
	int count;
	bool on_signal, in_flight;
	int64_t interval_ns, next_round;
	long timeout_ms;
	struct nbpy_backoff backoff;
	char queue[QUEUE_MAX][NBPY_INSTRUMENT_MAX + 1];	/* pairs to fetch, in order */
	size_t n_queue;
};

static void enqueue(struct depth *d, const char *pair)
{
	if (pair[0] == '\0' || strlen(pair) > NBPY_INSTRUMENT_MAX)
		return;
	for (size_t i = 0; i < d->n_queue; i++)
		if (strcmp(d->queue[i], pair) == 0)
			return;
	if (d->n_queue < QUEUE_MAX)
		strcpy(d->queue[d->n_queue++], pair);
}

static void next_request(struct worker *w);

static void on_depth(struct worker *w, const struct http_result *r, void *arg)
{
	struct depth *d = arg;
	struct json_object *root, *result;
	char why[300];
	enum kraken_outcome o = kraken_check(r, &root, &result, why, sizeof(why));
	struct kraken_answer a = { .publish = kraken_publish, .arg = w };

	d->in_flight = false;
	if (o != KRAKEN_OK) {
		worker_error(w, "Depth %s: %s", d->queue[0], why);
		if (o == KRAKEN_RETRY) {	/* keep the pair queued, try later */
			worker_set_timer(w, nbpy_monotonic_ns() + nbpy_backoff_next(&d->backoff));
			return;
		}
	} else {
		nbpy_backoff_reset(&d->backoff);
		kraken_depth_answer(result, d->queue[0], nbpy_now_ns(), &a);
		json_object_put(root);
		kraken_count_bad(w, "Depth", &a);
	}
	/* done with this pair */
	memmove(d->queue[0], d->queue[1], (d->n_queue - 1) * sizeof(d->queue[0]));
	d->n_queue--;
	next_request(w);
}

/* One request at a time keeps to Kraken's ~1 request/s public limit. */
static void next_request(struct worker *w)
{
	struct depth *d = w->kind_state;
	int64_t now = nbpy_monotonic_ns();
	char *url;

	if (d->in_flight)
		return;
	if (d->n_queue == 0) {
		if (d->n_pairs > 0 && now >= d->next_round) {
			for (size_t i = 0; i < d->n_pairs; i++)
				enqueue(d, d->pairs[i]);
			d->next_round = now + d->interval_ns;
		}
		if (d->n_queue == 0) {
			if (d->n_pairs > 0)
				worker_set_timer(w, d->next_round);
			return;
		}
	}
	if (asprintf(&url, "%s/0/public/Depth?pair=%s&count=%d", d->base, d->queue[0], d->count) < 0 ||
	    worker_http_get(w, url, d->timeout_ms, on_depth, d) < 0) {
		worker_error(w, "cannot start a Depth request");
		worker_set_timer(w, now + nbpy_backoff_next(&d->backoff));
	} else {
		d->in_flight = true;
	}
	free(url);
}

/* XXBTZUSD <-> XXBTZEUR; pairs without that suffix have no cross. */
static void enqueue_with_cross(struct depth *d, const char *pair)
{
	size_t n = strlen(pair);
	char cross[NBPY_INSTRUMENT_MAX + 1];

	enqueue(d, pair);
	if (n < 3 || n > NBPY_INSTRUMENT_MAX)
		return;
	memcpy(cross, pair, n + 1);
	if (strcmp(pair + n - 3, "USD") == 0)
		memcpy(cross + n - 3, "EUR", 3);
	else if (strcmp(pair + n - 3, "EUR") == 0)
		memcpy(cross + n - 3, "USD", 3);
	else
		return;
	enqueue(d, cross);
}

static void on_message(struct worker *w, const struct worker_input *in)
{
	const struct nbpy_msg *m = in->msg;
	struct depth *d = w->kind_state;
	const struct nbpy_eurusd_tick *e = &m->u.eurusd;

	if (!d->on_signal || m->h.schema != NBPY_SCHEMA_EURUSD_TICK)
		return;
	if (e->spread_t_bid < 0 || e->spread_t_ask < 0) {
		enqueue_with_cross(d, e->instrument_t0);
		enqueue_with_cross(d, e->instrument_t1);
		next_request(w);
	}
}

static int init(struct worker *w)
{
	struct depth *d = calloc(1, sizeof(*d));
	const struct nbpy_value *pairs = nbpy_service_value(w->svc, "pairs");

	if (d == NULL)
		return -1;
	w->kind_state = d;
	d->base = strdup(nbpy_service_value(w->svc, "url")->text);
	d->count = (int)nbpy_service_value(w->svc, "count")->v.i;
	d->on_signal = nbpy_service_value(w->svc, "on_signal")->v.b;
	d->interval_ns = nbpy_service_value(w->svc, "interval")->v.ns;
	d->timeout_ms = (long)(nbpy_service_value(w->svc, "timeout")->v.ns / 1000000);
	nbpy_backoff_init(&d->backoff, NBPY_NS_PER_SEC, 60 * NBPY_NS_PER_SEC, 0);
	if (pairs->n_items == 1 && strcmp(pairs->items[0], "all") == 0) {
		if (!d->on_signal) {
			log_error("%s:%d: [%s] pairs: kraken.depth fetches one pair per request: "
				  "list the pairs (or set on_signal = yes)", w->config->path,
				  pairs->line ? pairs->line : w->svc->line, w->svc->name);
			return -1;
		}
	} else {
		d->pairs = pairs->items;	/* owned by the config, which outlives us */
		d->n_pairs = pairs->n_items;
	}
	if (d->on_signal && w->svc->n_subs == 0) {
		log_error("%s:%d: [%s] on_signal needs subscribe = a synthetic EURUSD service",
			  w->config->path, w->svc->line, w->svc->name);
		return -1;
	}
	if (d->base == NULL)
		return -1;
	worker_set_timer(w, nbpy_monotonic_ns());
	return 0;
}

static void destroy(struct worker *w)
{
	struct depth *d = w->kind_state;

	if (d != NULL)
		free(d->base);
	free(d);
}

const struct kind_ops kraken_depth_kind = {
	.name = "kraken.depth",
	.init = init,
	.on_message = on_message,
	.on_timer = next_request,
	.destroy = destroy,
};
