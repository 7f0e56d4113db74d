/* ticker.c - kind kraken.ticker: Kraken REST Ticker, one message per pair
 * per poll (the original pub_kraken_tick at 8378a84, with an interval
 * instead of a tight loop, and errors that are counted instead of fatal).
 *
 * pairs = all discovers the pairs with AssetPairs first (dark-pool ".d"
 * pairs skipped unless dark_pool = yes).  HTTP errors, 429, 5xx, timeouts and
 * Kraken's rate-limit errors back off; malformed answers are counted and
 * logged, and nothing is published from them.  Only the pairs asked for are
 * published: other entries, and entries with a price that is not positive
 * or a negative volume, are counted as bad (answers.h). */
#include <autoconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workers/kraken/answers.h"
#include "workers/kinds.h"
#include "common/log.h"
#include "workers/kraken/rest.h"
#include "common/timefmt.h"

struct ticker_settings {
	struct kraken_rest_settings rest;	/* first: kraken_get reads it */
	bool dark_pool;
};
_Static_assert(offsetof(struct ticker_settings, rest) == 0, "kraken_get reads the rest keys first");

static const struct nbpy_key_spec ticker_keys[] = {
	KRAKEN_REST_KEYS(struct ticker_settings, rest),
	NBPY_SETTING(struct ticker_settings, dark_pool, BOOL, "dark_pool", "no",
		     "include dark-pool `.d` pairs in `all`"),
	NBPY_SETTINGS_END
};

struct ticker {
	const char *base;	/* https://api.kraken.com */
	struct kraken_pairs asked;	/* the pairs asked for: only these are published */
	char *pairs;		/* the same, comma-joined; NULL until discovered */
	bool dark_pool, in_flight;
	int64_t interval_ns;
	struct nbpy_backoff backoff;
};

static void schedule(struct worker *w, struct ticker *t, bool failed)
{
	int64_t delay = failed ? nbpy_backoff_next(&t->backoff) : t->interval_ns;

	if (!failed)
		nbpy_backoff_reset(&t->backoff);
	worker_set_timer(w, nbpy_monotonic_ns() + delay);
}

static void on_ticker(struct worker *w, const struct http_result *r, void *arg)
{
	struct ticker *t = arg;
	struct json_object *root, *result;
	char why[300];
	enum kraken_outcome o = kraken_check(r, &root, &result, why, sizeof(why));
	struct kraken_answer a = { .publish = kraken_publish, .arg = w };

	t->in_flight = false;
	if (o != KRAKEN_OK) {
		worker_error(w, "Ticker: %s", why);
		schedule(w, t, o == KRAKEN_RETRY);
		return;
	}
	kraken_ticker_answer(result, &t->asked, nbpy_now_ns(), &a);
	json_object_put(root);
	kraken_count_bad(w, "Ticker", &a);
	schedule(w, t, false);
}

static void on_asset_pairs(struct worker *w, const struct http_result *r, void *arg)
{
	struct ticker *t = arg;
	struct json_object *root, *result;
	char why[300];
	enum kraken_outcome o = kraken_check(r, &root, &result, why, sizeof(why));

	t->in_flight = false;
	if (o != KRAKEN_OK) {
		worker_error(w, "AssetPairs: %s", why);
		schedule(w, t, true);
		return;
	}
	o = kraken_asset_pairs(result, t->dark_pool, &t->asked) < 0 ? KRAKEN_RETRY : KRAKEN_OK;
	json_object_put(root);
	if (o == KRAKEN_OK && t->asked.n > 0 && (t->pairs = kraken_pairs_join(&t->asked)) == NULL)
		o = KRAKEN_RETRY;
	if (o != KRAKEN_OK || t->asked.n == 0) {
		worker_error(w, "AssetPairs: %s", o == KRAKEN_OK ? "no pairs" : "out of memory");
		kraken_pairs_free(&t->asked);
		schedule(w, t, true);
		return;
	}
	log_info("%zu pairs from AssetPairs", t->asked.n);
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
	if (kraken_get(w, url, t->pairs ? on_ticker : on_asset_pairs, t) < 0) {
		worker_error(w, "cannot start a request to %s", t->base);
		schedule(w, t, true);
	} else {
		t->in_flight = true;
	}
	free(url);
}

static int init(struct worker *w)
{
	const struct ticker_settings *set = w->settings;
	struct ticker *t = w->kind_state;

	t->base = set->rest.url;
	t->interval_ns = set->rest.interval;
	t->dark_pool = set->dark_pool;
	nbpy_backoff_init(&t->backoff, NBPY_NS_PER_SEC, 60 * NBPY_NS_PER_SEC, 0);
	if (!kraken_all_pairs(&set->rest.pairs) &&
	    (kraken_pairs_set(&t->asked, set->rest.pairs.items, set->rest.pairs.n) < 0 ||
	     (t->pairs = kraken_pairs_join(&t->asked)) == NULL))
		return nbpy_error_set(&w->error, "out of memory");
	worker_set_timer(w, nbpy_monotonic_ns());
	return 0;
}

static void destroy(struct worker *w)
{
	struct ticker *t = w->kind_state;

	free(t->pairs);
	kraken_pairs_free(&t->asked);
}

const struct nbpy_kind_spec kraken_ticker_kind = {
	.name = "kraken.ticker",
	.doc = "Kraken REST Ticker, one message per pair per poll",
	.flags = NBPY_KIND_PUBLISHES,
	.schema = NBPY_SCHEMA_KRAKEN_TICKER,
	.keys = ticker_keys,
	.settings_size = sizeof(struct ticker_settings),
	.state_size = sizeof(struct ticker),
	.ops = &(const struct kind_ops){
		.init = init,
		.on_timer = poll_kraken,
		.destroy = destroy,
	},
};
