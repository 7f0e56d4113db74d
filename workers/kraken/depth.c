/* depth.c - kind kraken.depth: Kraken REST Depth, the top `count` levels of
 * each pair on an interval, and optionally on demand from a synthetic
 * EURUSD signal (the original pub_kraken_depth.py: when spread_t_bid or
 * spread_t_ask < 0, fetch the books of both hedge pairs and their EUR/USD
 * crosses).  Fixed relative to the original (reference 4.3): no request for
 * the empty instrument of the first message, no crash for pairs without an
 * EUR/USD suffix, and an error answer is never published.  Only the book of
 * the pair asked for is published (answers.h). */
#include <autoconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workers/kraken/answers.h"
#include "workers/kinds.h"
#include "common/log.h"
#include "workers/kraken/rest.h"
#include "common/timefmt.h"

#define QUEUE_MAX 64

struct depth_settings {
	struct kraken_rest_settings rest;	/* first: kraken_get reads it */
	int64_t count;
	bool on_signal;
};
_Static_assert(offsetof(struct depth_settings, rest) == 0, "kraken_get reads the rest keys first");

static const struct nbpy_key_spec depth_keys[] = {
	KRAKEN_REST_KEYS(struct depth_settings, rest),
	NBPY_SETTING_INT(struct depth_settings, count, "count", 1, NBPY_BOOK_LEVELS_MAX, "10",
			 "levels per side"),
	NBPY_SETTING(struct depth_settings, on_signal, BOOL, "on_signal", "no",
		     "also fetch the legs' books when a subscribed synthetic EURUSD spread is negative"),
	NBPY_SETTINGS_END
};

struct depth {
	const char *base;
	char **pairs;
	size_t n_pairs;
	int count;
	bool on_signal, in_flight;
	int64_t interval_ns, next_round;
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
	    kraken_get(w, url, on_depth, d) < 0) {
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
	const struct depth_settings *set = w->settings;
	struct depth *d = w->kind_state;

	d->base = set->rest.url;
	d->count = (int)set->count;
	d->on_signal = set->on_signal;
	d->interval_ns = set->rest.interval;
	nbpy_backoff_init(&d->backoff, NBPY_NS_PER_SEC, 60 * NBPY_NS_PER_SEC, 0);
	if (kraken_all_pairs(&set->rest.pairs)) {
		if (!d->on_signal)
			return worker_config_error(w, &set->rest.pairs, "pairs: kraken.depth fetches one pair "
						   "per request: list the pairs (or set on_signal = yes)");
	} else {
		d->pairs = set->rest.pairs.items;	/* owned by the config, which outlives us */
		d->n_pairs = set->rest.pairs.n;
	}
	if (d->on_signal && w->svc->n_subs == 0)
		return worker_config_error(w, NULL, "on_signal needs subscribe = a synthetic EURUSD service");
	worker_set_timer(w, nbpy_monotonic_ns());
	return 0;
}

static const enum nbpy_schema accepts[] = { NBPY_SCHEMA_EURUSD_TICK, NBPY_SCHEMA_NONE };

const struct nbpy_kind_spec kraken_depth_kind = {
	.name = "kraken.depth",
	.doc = "Kraken REST Depth, top levels per pair",
	.flags = NBPY_KIND_PUBLISHES | NBPY_KIND_SUBSCRIBES,
	.schema = NBPY_SCHEMA_BOOK_TOP,
	.accepts = accepts,
	.keys = depth_keys,
	.settings_size = sizeof(struct depth_settings),
	.state_size = sizeof(struct depth),
	.ops = &(const struct kind_ops){
		.init = init,
		.on_message = on_message,
		.on_timer = next_request,
	},
};
