/* backoff.c - see backoff.h. */
#include <time.h>
#include <unistd.h>

#include "common/backoff.h"

void nbpy_backoff_init(struct nbpy_backoff *b, int64_t min_ns, int64_t max_ns, uint64_t seed)
{
	struct timespec ts;

	if (min_ns < 1)
		min_ns = 1;
	if (max_ns < min_ns)
		max_ns = min_ns;
	b->min_ns = min_ns;
	b->max_ns = max_ns;
	b->attempt = 0;
	if (seed == 0) {
		if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
			ts.tv_nsec = 0;
		seed = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)getpid() ^ (uint64_t)ts.tv_sec;
	}
	b->rng = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

static uint64_t next_random(struct nbpy_backoff *b)
{
	b->rng ^= b->rng >> 12;
	b->rng ^= b->rng << 25;
	b->rng ^= b->rng >> 27;
	return b->rng * 0x2545f4914f6cdd1dULL;
}

int64_t nbpy_backoff_peek(const struct nbpy_backoff *b)
{
	int64_t d = b->min_ns;

	/* Double until the cap; the loop bound keeps the shift from overflowing. */
	for (unsigned i = 0; i < b->attempt && d < b->max_ns; i++)
		d = d > b->max_ns / 2 ? b->max_ns : d * 2;
	return d < b->max_ns ? d : b->max_ns;
}

int64_t nbpy_backoff_next(struct nbpy_backoff *b)
{
	int64_t d = nbpy_backoff_peek(b);
	int64_t half = d / 2;

	if (d < b->max_ns)
		b->attempt++;
	return half + (int64_t)(next_random(b) % (uint64_t)(d - half + 1));
}

void nbpy_backoff_reset(struct nbpy_backoff *b)
{
	b->attempt = 0;
}
