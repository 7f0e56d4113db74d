/* trades.c - kind kraken.trades (the seed's kraken_orders, "trade
 * executions"): Kraken's public trades per pair, paged with the Trades
 * `since` cursor so that nothing is missed and nothing repeats.
 *
 * Per pair the cursor (Kraken's `last`) and the highest trade id published
 * are kept in STATE_DIR/cursors/SERVICE/PAIR, rewritten atomically after each
 * page, so a restarted worker goes on where it stopped.  Trades at or below
 * the last published id are skipped: a page that overlaps the previous one
 * duplicates nothing.  Only the asked pair's trades are read (answers.h). */
#include <autoconfig.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "workers/kraken/answers.h"
#include "common/fs.h"
#include "workers/kinds.h"
#include "common/log.h"
#include "workers/kraken/rest.h"
#include "common/timefmt.h"

struct trades_settings {
	struct kraken_rest_settings rest;	/* first: kraken_get reads it */
};
_Static_assert(offsetof(struct trades_settings, rest) == 0, "kraken_get reads the rest keys first");

static const struct nbpy_key_spec trades_keys[] = {
	KRAKEN_REST_KEYS(struct trades_settings, rest),
	NBPY_SETTINGS_END
};

struct pair_cursor {
	const char *pair;
	struct kraken_trades_cursor at;
};

struct trades {
	const char *base;
	char *dir;
	struct pair_cursor *pairs;
	size_t n_pairs, next;
	bool in_flight;
	int64_t interval_ns, round_start;
	struct nbpy_backoff backoff;
};

static void load_cursor(struct trades *t, struct pair_cursor *c)
{
	char path[4200];
	FILE *f;

	(void)snprintf(path, sizeof(path), "%s/%s", t->dir, c->pair);
	f = fopen(path, "r");
	if (f == NULL)
		return;
	/* the cursor goes back into a URL: digits only */
	if (fscanf(f, "%31s %" SCNd64, c->at.since, &c->at.last_id) != 2 ||
	    strspn(c->at.since, "0123456789") != strlen(c->at.since) || c->at.last_id < 0) {
		c->at.since[0] = '\0';
		c->at.last_id = 0;
		log_warning("cursor %s unreadable: starting from Kraken's latest trades", path);
	}
	(void)fclose(f);
}

/* Atomic: a crash leaves the old cursor or the new one. */
static int save_cursor(struct trades *t, const struct pair_cursor *c)
{
	char path[4200], buf[96];
	int n = snprintf(buf, sizeof(buf), "%s %" PRId64 "\n", c->at.since, c->at.last_id);

	(void)snprintf(path, sizeof(path), "%s/%s", t->dir, c->pair);
	return nbpy_write_atomic(path, buf, (size_t)n);
}

static void schedule_next(struct worker *w);

static void on_trades(struct worker *w, const struct http_result *r, void *arg)
{
	struct trades *t = arg;
	struct pair_cursor *c = &t->pairs[t->next];
	struct json_object *root, *result;
	char why[300];
	enum kraken_outcome o = kraken_check(r, &root, &result, why, sizeof(why));
	struct kraken_answer a = { .publish = kraken_publish, .arg = w };

	t->in_flight = false;
	if (o != KRAKEN_OK) {
		worker_error(w, "Trades %s: %s", c->pair, why);
		if (o == KRAKEN_RETRY) {
			worker_set_timer(w, nbpy_monotonic_ns() + nbpy_backoff_next(&t->backoff));
			return;
		}
		t->next++;
		schedule_next(w);
		return;
	}
	nbpy_backoff_reset(&t->backoff);
	if (kraken_trades_answer(result, c->pair, nbpy_now_ns(), &c->at, &a, why, sizeof(why)) < 0)
		worker_error(w, "Trades %s: %s", c->pair, why);
	else if (save_cursor(t, c) < 0)
		worker_error(w, "cannot save the cursor of %s in %s: %s", c->pair, t->dir, strerror(errno));
	json_object_put(root);
	kraken_count_bad(w, "Trades", &a);
	t->next++;
	schedule_next(w);
}

static void request(struct worker *w)
{
	struct trades *t = w->kind_state;
	struct pair_cursor *c;
	char *url;
	int rc;

	if (t->in_flight)
		return;
	if (t->next >= t->n_pairs) {
		t->next = 0;
		t->round_start = nbpy_monotonic_ns();
	}
	c = &t->pairs[t->next];
	if (c->at.since[0])
		rc = asprintf(&url, "%s/0/public/Trades?pair=%s&since=%s", t->base, c->pair, c->at.since);
	else
		rc = asprintf(&url, "%s/0/public/Trades?pair=%s", t->base, c->pair);
	if (rc < 0 || kraken_get(w, url, on_trades, t) < 0) {
		worker_error(w, "cannot start a Trades request");
		worker_set_timer(w, nbpy_monotonic_ns() + nbpy_backoff_next(&t->backoff));
	} else {
		t->in_flight = true;
	}
	if (rc >= 0)
		free(url);
}

/* Pairs one after the other; a new round every interval. */
static void schedule_next(struct worker *w)
{
	struct trades *t = w->kind_state;

	if (t->next < t->n_pairs)
		request(w);
	else
		worker_set_timer(w, t->round_start + t->interval_ns);
}

static int init(struct worker *w)
{
	const struct trades_settings *set = w->settings;
	const struct nbpy_list *pairs = &set->rest.pairs;
	struct trades *t = w->kind_state;

	if (kraken_all_pairs(pairs))
		return worker_config_error(w, pairs, "pairs: kraken.trades pages one pair per request: "
					   "list the pairs");
	t->base = set->rest.url;
	t->interval_ns = set->rest.interval;
	nbpy_backoff_init(&t->backoff, NBPY_NS_PER_SEC, 60 * NBPY_NS_PER_SEC, 0);
	if (asprintf(&t->dir, "%s/cursors/%s", nbpy_config_global(w->config, "state_dir")->text,
		     w->svc->name) < 0) {
		t->dir = NULL;
		return nbpy_error_set(&w->error, "out of memory");
	}
	if (nbpy_mkdir_p(t->dir, 0755) < 0)
		return nbpy_error_class_set(&w->error, NBPY_ERR_CONFIG, "cannot create %s: %s", t->dir,
					    strerror(errno));
	t->pairs = calloc(pairs->n, sizeof(*t->pairs));
	if (t->pairs == NULL)
		return nbpy_error_set(&w->error, "out of memory");
	for (size_t i = 0; i < pairs->n; i++) {
		t->pairs[i].pair = pairs->items[i];
		load_cursor(t, &t->pairs[i]);
	}
	t->n_pairs = pairs->n;
	t->next = t->n_pairs;	/* the first request starts a round */
	worker_set_timer(w, nbpy_monotonic_ns());
	return 0;
}

static void destroy(struct worker *w)
{
	struct trades *t = w->kind_state;

	free(t->dir);
	free(t->pairs);
}

const struct nbpy_kind_spec kraken_trades_kind = {
	.name = "kraken.trades",
	.doc = "Kraken REST Trades through the `since` cursor",
	.flags = NBPY_KIND_PUBLISHES,
	.schema = NBPY_SCHEMA_TRADE,
	.keys = trades_keys,
	.settings_size = sizeof(struct trades_settings),
	.state_size = sizeof(struct trades),
	.ops = &(const struct kind_ops){
		.init = init,
		.on_timer = request,
		.destroy = destroy,
	},
};
