/* answers.h - Kraken's four REST answers (AssetPairs, Ticker, Depth, Trades)
 * read into messages, without I/O: the kinds hand them the checked "result"
 * object (rest.h), tests/fuzz/fuzz_kraken.c hands them anything.
 *
 * Only what was asked for is published: an entry for a pair not requested,
 * a malformed entry, a price that is not a positive finite number or a
 * negative volume is rejected and counted as bad, never published. */
#ifndef NBPY_KRAKEN_ANSWERS_H
#define NBPY_KRAKEN_ANSWERS_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/wire.h"

/* Where one answer's messages go, and what became of its entries. */
struct kraken_answer {
	/* An accepted message (the parser owns m): 0 if it was published. */
	int (*publish)(void *arg, struct nbpy_msg *m);
	void *arg;
	size_t published, bad;
	char first_bad[200];	/* why the first bad entry was rejected */
};

/* The pairs a worker asks for, sorted for lookups. */
struct kraken_pairs {
	char **names;
	size_t n;
};

/* Copies and sorts names; -1 if out of memory. */
int kraken_pairs_set(struct kraken_pairs *p, char *const *names, size_t n);
bool kraken_pairs_has(const struct kraken_pairs *p, const char *name);
/* "A,B,C" (malloc'ed), for a request's pair= parameter; NULL if out of memory. */
char *kraken_pairs_join(const struct kraken_pairs *p);
void kraken_pairs_free(struct kraken_pairs *p);

/* AssetPairs: the pair names (dark-pool ".d" pairs only with dark_pool)
 * into *p; -1 if out of memory. */
int kraken_asset_pairs(struct json_object *result, bool dark_pool, struct kraken_pairs *p);

/* Ticker: one kraken.ticker message per asked pair, event time now. */
void kraken_ticker_answer(struct json_object *result, const struct kraken_pairs *asked, int64_t now,
			  struct kraken_answer *a);

/* Depth of one pair: one book_top message, event time now. */
void kraken_depth_answer(struct json_object *result, const char *pair, int64_t now,
			 struct kraken_answer *a);

/* Where a pair's Trades paging stands. */
struct kraken_trades_cursor {
	char since[32];		/* Kraken's `last`, digits; "" = none yet */
	int64_t last_id;	/* highest trade id published, 0 = none */
};

/* Trades of one pair: the trades above c->last_id (raised as they are
 * published), recv time now; c->since from the answer's "last".  -1 (why
 * set) when the answer has no trade list for the pair or no cursor. */
int kraken_trades_answer(struct json_object *result, const char *pair, int64_t now,
			 struct kraken_trades_cursor *c, struct kraken_answer *a, char *why, size_t cap);

#endif
