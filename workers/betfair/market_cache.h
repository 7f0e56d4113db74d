/* market_cache.h - Betfair's market cache: the markets of a stream
 * subscription, kept up to date by applying each MarketChange (`mc`) exactly
 * as the Exchange Stream API defines it.  Pure C, no I/O: betfair.c feeds it
 * the stream's lines, bench/ and tests/unit/test_betfair_cache.c feed it
 * strings.
 *
 * The rules (docs/betfair.md):
 *   - a change with `img: true`, or for a market not cached yet, replaces the
 *     market; a `marketDefinition` replaces the one before (status, inPlay,
 *     its runners);
 *   - runners are keyed by (selection id `id`, handicap `hc`, 0 when absent);
 *     a runner not known yet is created by the change that names it;
 *   - `batb`/`batl` (best available to back and lay, `[level, price, size]`)
 *     update their level; size 0 empties it;
 *   - `trd` (traded, `[price, size]`) updates its price; size 0 removes it;
 *     an empty `trd` clears the traded ladder;
 *   - `ltp` and `tv` are replaced when present.
 * Bounded: markets, runners per market, ladder levels and traded prices have
 * caps; what would pass them is refused and counted, never stored.  A
 * CLOSED market makes room for a new one when the cache is full. */
#ifndef NBPY_BETFAIR_MARKET_CACHE_H
#define NBPY_BETFAIR_MARKET_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/json_scan.h"
#include "common/wire.h"

#define BF_LEVELS 10		/* Betfair's ladderLevels: 1 to 10 */
#define BF_TRADED_MAX 350	/* the price ladder of odds has 350 steps */
#define BF_MARKET_ID_MAX 24
#define BF_STATUS_MAX 12

struct bf_level {
	double price, size;	/* size 0: the level is empty */
};

struct bf_runner {
	int64_t id;
	double hc;
	double ltp;		/* NaN: none yet */
	double tv;
	struct bf_level back[BF_LEVELS], lay[BF_LEVELS];	/* by level, 0 = best */
	struct bf_level *traded;	/* by price, ascending; n_traded of BF_TRADED_MAX */
	uint32_t n_traded;
	bool changed;		/* since bf_cache_apply began */
};

struct bf_market {
	char id[BF_MARKET_ID_MAX];
	uint64_t key;		/* a hash of id, to find it fast */
	char status[BF_STATUS_MAX];	/* marketDefinition.status, "" before one */
	bool in_play;
	bool defined;		/* a marketDefinition came */
	double tv;
	struct bf_runner *runners;	/* max_runners of them */
	uint32_t n_runners;
};

struct bf_cache_stats {
	uint64_t changes;	/* mc applied */
	uint64_t images;	/* of them, replacing the market */
	uint64_t refused_markets, refused_runners, refused_levels, refused_traded;
	uint64_t evicted;	/* CLOSED markets dropped for a new one */
};

struct bf_cache {
	struct bf_market *markets;
	uint32_t n_markets, max_markets, max_runners;
	struct bf_cache_stats stats;
};

/* 0, or -1 (errno ENOMEM, EINVAL for a cap of 0). */
int bf_cache_init(struct bf_cache *c, uint32_t max_markets, uint32_t max_runners);
void bf_cache_free(struct bf_cache *c);
/* Forget every market (a SUB_IMAGE without img flags replaces all). */
void bf_cache_clear(struct bf_cache *c);

/* Apply one MarketChange object (an element of an mcm's `mc`, token mc of
 * the line's tape from common/json_scan).  NULL, with *out the market (NULL when refused and
 * counted) whose changed runners have `changed` set; or why the change is
 * malformed (nothing of it was applied past that point: the market may be
 * half updated, as Betfair's next image puts right).  *out stays valid
 * until the next call. */
const char *bf_cache_apply(struct bf_cache *c, const struct nbpy_json_tape *t, uint32_t mc, struct bf_market **out);

struct bf_market *bf_cache_market(struct bf_cache *c, const char *id);
struct bf_runner *bf_market_runner(struct bf_market *m, int64_t id, double hc);

/* The betfair_market message of runner r of market m: its best three levels
 * a side (NaN where a level is empty), status, in-play, tv and ltp. */
void bf_runner_message(const struct bf_market *m, const struct bf_runner *r, int64_t event_ns, struct nbpy_msg *msg);

#endif
