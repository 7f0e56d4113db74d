/* market_cache.c - Betfair's market cache: applies MarketChanges (the rules
 * are in market_cache.h).  Reads the change from common/json_scan's tape;
 * allocates only when a market or runner first appears. */
#include <autoconfig.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "workers/betfair/market_cache.h"

int bf_cache_init(struct bf_cache *c, uint32_t max_markets, uint32_t max_runners)
{
	memset(c, 0, sizeof(*c));
	if (max_markets == 0 || max_runners == 0) {
		errno = EINVAL;
		return -1;
	}
	c->markets = calloc(max_markets, sizeof(*c->markets));
	if (c->markets == NULL)
		return -1;
	c->max_markets = max_markets;
	c->max_runners = max_runners;
	return 0;
}

static void market_empty(struct bf_market *m)
{
	for (uint32_t i = 0; i < m->n_runners; i++)
		free(m->runners[i].traded);
	free(m->runners);
	memset(m, 0, sizeof(*m));
}

void bf_cache_clear(struct bf_cache *c)
{
	for (uint32_t i = 0; i < c->n_markets; i++)
		market_empty(&c->markets[i]);
	c->n_markets = 0;
}

void bf_cache_free(struct bf_cache *c)
{
	if (c->markets != NULL)
		bf_cache_clear(c);
	free(c->markets);
	c->markets = NULL;
}

/* FNV-1a of a market id: most ids differ only in their last digits, so a
 * lookup compares keys before it compares ids. */
static uint64_t market_key(const char *id)
{
	uint64_t h = 0xcbf29ce484222325u;

	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 0x100000001b3u;
	return h;
}

static struct bf_market *find_market(struct bf_cache *c, const char *id, uint64_t key)
{
	for (uint32_t i = 0; i < c->n_markets; i++)
		if (c->markets[i].key == key && strcmp(c->markets[i].id, id) == 0)
			return &c->markets[i];
	return NULL;
}

struct bf_market *bf_cache_market(struct bf_cache *c, const char *id)
{
	return find_market(c, id, market_key(id));
}

struct bf_runner *bf_market_runner(struct bf_market *m, int64_t id, double hc)
{
	for (uint32_t i = 0; i < m->n_runners; i++)
		if (m->runners[i].id == id && m->runners[i].hc == hc)
			return &m->runners[i];
	return NULL;
}

/* The entries of a ladder at token a, arrays of exactly n numbers each: the
 * next one's values into v.  1: an entry; 0: the ladder's end; -1: not a
 * ladder of such entries (*why). */
static int ladder_next(const struct nbpy_json_tape *t, uint32_t a, uint32_t *e, double *v, size_t n, const char **why)
{
	uint32_t i = *e, k;
	size_t got = 0;

	if (i >= t->tok[a].next)
		return 0;
	if (t->tok[i].type != NBPY_JSON_ARRAY) {
		*why = "ladder entry not an array";
		return -1;
	}
	for (k = i + 1; k < t->tok[i].next && got < n; k = t->tok[k].next)
		if (nbpy_json_tape_number(t, k, &v[got++]) != NULL) {
			*why = t->tok[k].type == NBPY_JSON_NUMBER ? "number out of range" : "not a number";
			return -1;
		}
	if (got < n || k < t->tok[i].next) {
		*why = got < n ? "ladder entry too short" : "ladder entry too long";
		return -1;
	}
	*e = t->tok[i].next;
	return 1;
}

/* batb/batl: [level, price, size]; size 0 empties the level. */
static const char *apply_levels(struct bf_cache *c, struct bf_level *ladder, const struct nbpy_json_tape *t, uint32_t a)
{
	const char *why = NULL;
	uint32_t e = a + 1;
	double v[3];
	int got;

	if (t->tok[a].type != NBPY_JSON_ARRAY)
		return "level ladder not an array";
	while ((got = ladder_next(t, a, &e, v, 3, &why)) > 0) {
		if (v[0] < 0 || v[0] != floor(v[0]) || v[2] < 0 || (v[2] > 0 && !(v[1] > 0)))
			return "bad level, price or size";
		if (v[0] >= BF_LEVELS) {
			c->stats.refused_levels++;
			continue;
		}
		struct bf_level *l = &ladder[(int)v[0]];
		if (v[2] == 0)
			*l = (struct bf_level){ 0, 0 };
		else
			*l = (struct bf_level){ v[1], v[2] };
	}
	return got < 0 ? why : NULL;
}

/* trd: [price, size] kept ascending by price; size 0 removes the price, an
 * empty ladder clears it. */
static const char *apply_traded(struct bf_cache *c, struct bf_runner *r, const struct nbpy_json_tape *t, uint32_t a)
{
	const char *why = NULL;
	uint32_t e = a + 1;
	double v[2];
	int got;

	if (t->tok[a].type != NBPY_JSON_ARRAY)
		return "traded ladder not an array";
	if (t->tok[a].next == a + 1) {
		r->n_traded = 0;
		return NULL;
	}
	while ((got = ladder_next(t, a, &e, v, 2, &why)) > 0) {
		uint32_t lo = 0, hi = r->n_traded;

		if (v[1] < 0 || !(v[0] > 0))
			return "bad traded price or size";
		while (lo < hi) {	/* the first price >= v[0] */
			uint32_t mid = lo + (hi - lo) / 2;
			if (r->traded[mid].price < v[0])
				lo = mid + 1;
			else
				hi = mid;
		}
		bool found = lo < r->n_traded && r->traded[lo].price == v[0];
		if (v[1] == 0) {
			if (found) {
				memmove(&r->traded[lo], &r->traded[lo + 1], (r->n_traded - lo - 1) * sizeof(*r->traded));
				r->n_traded--;
			}
		} else if (found) {
			r->traded[lo].size = v[1];
		} else if (r->n_traded == BF_TRADED_MAX) {
			c->stats.refused_traded++;
		} else {
			if (r->traded == NULL && (r->traded = malloc(BF_TRADED_MAX * sizeof(*r->traded))) == NULL)
				return "out of memory";
			memmove(&r->traded[lo + 1], &r->traded[lo], (r->n_traded - lo) * sizeof(*r->traded));
			r->traded[lo] = (struct bf_level){ v[0], v[1] };
			r->n_traded++;
		}
	}
	return got < 0 ? why : NULL;
}

/* The runner (id, hc), created when new; NULL when the market is full
 * (counted) or memory ran out (*why set). */
static struct bf_runner *runner(struct bf_cache *c, struct bf_market *m, int64_t id, double hc, const char **why)
{
	struct bf_runner *r = bf_market_runner(m, id, hc);

	if (r != NULL)
		return r;
	if (m->n_runners == c->max_runners) {
		c->stats.refused_runners++;
		return NULL;
	}
	if ((m->n_runners & (m->n_runners - 1)) == 0) {	/* 0, 1, 2, 4...: grow */
		uint32_t cap = m->n_runners ? 2 * m->n_runners : 1;
		struct bf_runner *more = realloc(m->runners, cap * sizeof(*more));

		if (more == NULL) {
			*why = "out of memory";
			return NULL;
		}
		m->runners = more;
	}
	r = &m->runners[m->n_runners++];
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->hc = hc;
	r->ltp = NAN;
	r->changed = true;
	return r;
}

/* A runner's key: `id` (required) and `hc` (0 when absent), from fields
 * read with nbpy_json_tape_fields. */
static const char *runner_key(const struct nbpy_json_tape *t, const struct nbpy_json_field *id,
			      const struct nbpy_json_field *hc, int64_t *out_id, double *out_hc)
{
	if (nbpy_json_int64(id->value, out_id) != NULL)
		return "runner without an integer id";
	*out_hc = 0;
	if (hc->at != 0 && nbpy_json_tape_number(t, hc->at, out_hc) != NULL)
		return "runner hc not a number";
	if (*out_hc == 0)
		*out_hc = 0;	/* -0.0 is the runner 0.0 */
	return NULL;
}

enum { RC_ID, RC_HC, RC_BATB, RC_BATL, RC_TRD, RC_LTP, RC_TV, RC_FIELDS };

static const char *apply_runner(struct bf_cache *c, struct bf_market *m, const struct nbpy_json_tape *t, uint32_t rc)
{
	struct nbpy_json_field f[RC_FIELDS] = {
		[RC_ID] = { .name = "id" }, [RC_HC] = { .name = "hc" }, [RC_BATB] = { .name = "batb" },
		[RC_BATL] = { .name = "batl" }, [RC_TRD] = { .name = "trd" }, [RC_LTP] = { .name = "ltp" },
		[RC_TV] = { .name = "tv" },
	};
	const char *why = NULL;
	struct bf_runner *r;
	int64_t id;
	double hc;

	if (nbpy_json_tape_fields(t, rc, f, RC_FIELDS) != NULL)
		return "runner change not an object, or a name twice";
	if ((why = runner_key(t, &f[RC_ID], &f[RC_HC], &id, &hc)) != NULL)
		return why;
	if ((r = runner(c, m, id, hc, &why)) == NULL)
		return why;
	r->changed = true;
	if (f[RC_BATB].at != 0 && (why = apply_levels(c, r->back, t, f[RC_BATB].at)) != NULL)
		return why;
	if (f[RC_BATL].at != 0 && (why = apply_levels(c, r->lay, t, f[RC_BATL].at)) != NULL)
		return why;
	if (f[RC_TRD].at != 0 && (why = apply_traded(c, r, t, f[RC_TRD].at)) != NULL)
		return why;
	if (f[RC_LTP].at != 0 && nbpy_json_tape_number(t, f[RC_LTP].at, &r->ltp) != NULL)
		return "bad ltp";
	if (f[RC_TV].at != 0 && nbpy_json_tape_number(t, f[RC_TV].at, &r->tv) != NULL)
		return "bad tv";
	return NULL;
}

/* marketDefinition: replaces status and inPlay; its runners are created
 * when new.  A change of status or inPlay changes every runner's message. */
static const char *apply_definition(struct bf_cache *c, struct bf_market *m, const struct nbpy_json_tape *t, uint32_t def)
{
	struct nbpy_json_field f[] = { { .name = "status" }, { .name = "inPlay" }, { .name = "runners" } };
	char status[BF_STATUS_MAX];
	const char *why = NULL;
	bool in_play;

	if (nbpy_json_tape_fields(t, def, f, 3) != NULL)
		return "marketDefinition not an object, or a name twice";
	if (nbpy_json_string(f[0].value, status, sizeof(status), NULL) != NULL)
		return "marketDefinition without a status";
	if (f[1].value.type != NBPY_JSON_TRUE && f[1].value.type != NBPY_JSON_FALSE)
		return "marketDefinition without inPlay";
	in_play = f[1].value.type == NBPY_JSON_TRUE;
	if (!m->defined || strcmp(status, m->status) != 0 || in_play != m->in_play)
		for (uint32_t i = 0; i < m->n_runners; i++)
			m->runners[i].changed = true;
	memcpy(m->status, status, sizeof(status));
	m->in_play = in_play;
	m->defined = true;
	if (f[2].at == 0)
		return NULL;
	if (f[2].value.type != NBPY_JSON_ARRAY)
		return "marketDefinition runners not an array";
	for (uint32_t rd = f[2].at + 1; rd < t->tok[f[2].at].next; rd = t->tok[rd].next) {
		struct nbpy_json_field k[] = { { .name = "id" }, { .name = "hc" } };
		int64_t id;
		double hc;

		if (nbpy_json_tape_fields(t, rd, k, 2) != NULL)
			return "marketDefinition runner not an object";
		if ((why = runner_key(t, &k[0], &k[1], &id, &hc)) != NULL)
			return why;
		if (runner(c, m, id, hc, &why) == NULL && why != NULL)
			return why;
	}
	return NULL;
}

/* A slot for a new market: a free one, or a CLOSED market's; NULL when
 * full (counted). */
static struct bf_market *new_market(struct bf_cache *c)
{
	if (c->n_markets < c->max_markets)
		return &c->markets[c->n_markets++];
	for (uint32_t i = 0; i < c->n_markets; i++)
		if (strcmp(c->markets[i].status, "CLOSED") == 0) {
			market_empty(&c->markets[i]);
			c->stats.evicted++;
			return &c->markets[i];
		}
	c->stats.refused_markets++;
	return NULL;
}

enum { MC_ID, MC_IMG, MC_DEF, MC_RC, MC_TV, MC_FIELDS };

const char *bf_cache_apply(struct bf_cache *c, const struct nbpy_json_tape *t, uint32_t mc, struct bf_market **out)
{
	struct nbpy_json_field f[MC_FIELDS] = {
		[MC_ID] = { .name = "id" }, [MC_IMG] = { .name = "img" }, [MC_DEF] = { .name = "marketDefinition" },
		[MC_RC] = { .name = "rc" }, [MC_TV] = { .name = "tv" },
	};
	char id[BF_MARKET_ID_MAX];
	size_t len;
	uint64_t key;
	struct bf_market *m;
	const char *why;

	*out = NULL;
	if (nbpy_json_tape_fields(t, mc, f, MC_FIELDS) != NULL)
		return "market change not an object, or a name twice";
	if (nbpy_json_string(f[MC_ID].value, id, sizeof(id), &len) != NULL || len == 0)
		return "market change without an id, or one too long";
	if (f[MC_RC].at != 0 && f[MC_RC].value.type != NBPY_JSON_ARRAY)
		return "rc not an array";
	key = market_key(id);
	m = find_market(c, id, key);
	if (m == NULL || f[MC_IMG].value.type == NBPY_JSON_TRUE) {
		if (m == NULL && (m = new_market(c)) == NULL)
			return NULL;	/* refused, counted */
		market_empty(m);
		memcpy(m->id, id, len + 1);
		m->key = key;
		c->stats.images++;
	}
	for (uint32_t i = 0; i < m->n_runners; i++)
		m->runners[i].changed = false;
	c->stats.changes++;
	*out = m;
	if (f[MC_DEF].at != 0 && (why = apply_definition(c, m, t, f[MC_DEF].at)) != NULL)
		return why;
	if (f[MC_TV].at != 0 && nbpy_json_tape_number(t, f[MC_TV].at, &m->tv) != NULL)
		return "bad market tv";
	if (f[MC_RC].at != 0)
		for (uint32_t rc = f[MC_RC].at + 1; rc < t->tok[f[MC_RC].at].next; rc = t->tok[rc].next)
			if ((why = apply_runner(c, m, t, rc)) != NULL)
				return why;
	return NULL;
}

void bf_runner_message(const struct bf_market *m, const struct bf_runner *r, int64_t event_ns, struct nbpy_msg *msg)
{
	struct nbpy_betfair_mc *p = &msg->u.betfair;
	double *back[3][2] = { { &p->back_price_0, &p->back_size_0 }, { &p->back_price_1, &p->back_size_1 },
			       { &p->back_price_2, &p->back_size_2 } };
	double *lay[3][2] = { { &p->lay_price_0, &p->lay_size_0 }, { &p->lay_price_1, &p->lay_size_1 },
			      { &p->lay_price_2, &p->lay_size_2 } };

	memset(msg, 0, offsetof(struct nbpy_msg, u) + sizeof(*p));
	msg->h.schema = NBPY_SCHEMA_BETFAIR_MC;
	msg->h.event_ns = event_ns;
	memcpy(p->market_id, m->id, sizeof(p->market_id));
	memcpy(p->market_status, m->status, sizeof(p->market_status));
	p->in_play = m->in_play;
	p->selection_id = r->id;
	p->handicap = r->hc;
	for (int l = 0; l < 3; l++) {
		bool bk = r->back[l].size > 0, ly = r->lay[l].size > 0;

		*back[l][0] = bk ? r->back[l].price : NAN;
		*back[l][1] = bk ? r->back[l].size : NAN;
		*lay[l][0] = ly ? r->lay[l].price : NAN;
		*lay[l][1] = ly ? r->lay[l].size : NAN;
	}
	p->traded_volume = r->tv;
	p->last_traded = r->ltp;
}
