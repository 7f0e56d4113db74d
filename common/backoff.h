/* backoff.h - capped exponential backoff with jitter.
 *
 * The n-th delay (n from 0) is drawn uniformly from [d/2, d] where
 * d = min(max, min * 2^n).  "Equal jitter" keeps a floor of half the nominal
 * delay, so a crashing worker or a failing server is never hammered, while
 * peers that failed together spread out.  Reset after a success. */
#ifndef NBPY_BACKOFF_H
#define NBPY_BACKOFF_H

#include <stdint.h>

struct nbpy_backoff {
	int64_t min_ns;
	int64_t max_ns;
	unsigned attempt;	/* delays handed out since the last reset */
	uint64_t rng;		/* xorshift64* state, never 0 */
};

/* min_ns > 0, max_ns >= min_ns.  seed 0 picks one from the clock and pid. */
void nbpy_backoff_init(struct nbpy_backoff *b, int64_t min_ns, int64_t max_ns, uint64_t seed);

/* The next delay in ns; grows until the cap. */
int64_t nbpy_backoff_next(struct nbpy_backoff *b);

/* The nominal (jitter-free) delay that the next call is drawn below. */
int64_t nbpy_backoff_peek(const struct nbpy_backoff *b);

void nbpy_backoff_reset(struct nbpy_backoff *b);

#endif
