/* fuzz_betfair.c - libFuzzer target for workers/betfair/market_cache.c: the
 * input is one mcm line as betfair.stream reads it (not NUL-terminated).
 * A line the scan accepts (into a tape) has each element of its `mc` applied to a small
 * cache (2 markets of 3 runners), as the kind does; then every cap holds,
 * every kept level and traded price and size is positive and finite, and
 * each traded ladder is strictly ascending by price.  The sanitizers catch
 * a read past the line (the ladders are read in place). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/json_scan.h"
#include "workers/betfair/market_cache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_ladder(const struct bf_level *l, int n)
{
	for (int i = 0; i < n; i++)
		if (l[i].size < 0 || !isfinite(l[i].size) || !isfinite(l[i].price) ||
		    (l[i].size == 0 ? l[i].price != 0 : !(l[i].price > 0)))
			abort();
}

static void check(const struct bf_cache *c)
{
	if (c->n_markets > c->max_markets)
		abort();
	for (uint32_t i = 0; i < c->n_markets; i++) {
		const struct bf_market *m = &c->markets[i];

		if (m->n_runners > c->max_runners || memchr(m->id, '\0', sizeof(m->id)) == NULL)
			abort();
		for (uint32_t j = 0; j < m->n_runners; j++) {
			const struct bf_runner *r = &m->runners[j];

			check_ladder(r->back, BF_LEVELS);
			check_ladder(r->lay, BF_LEVELS);
			if (r->n_traded > BF_TRADED_MAX)
				abort();
			for (uint32_t k = 0; k < r->n_traded; k++)
				if (!(r->traded[k].size > 0) || !(r->traded[k].price > 0) || (k > 0 && !(r->traded[k - 1].price < r->traded[k].price)))
					abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *rec = malloc(size ? size : 1);	/* exactly the line: a read past it is caught */
	struct nbpy_json_field f[] = { { .name = "mc" } };
	struct nbpy_json_tape t = NBPY_JSON_TAPE_INIT;
	struct bf_cache c;

	if (rec == NULL || bf_cache_init(&c, 2, 3) != 0)
		abort();
	memcpy(rec, data, size);
	if (nbpy_json_tape_scan(&t, rec, size, NULL) == NULL && nbpy_json_tape_fields(&t, 0, f, 1) == NULL &&
	    f[0].value.type == NBPY_JSON_ARRAY)
		for (uint32_t mc = f[0].at + 1; mc < t.tok[f[0].at].next; mc = t.tok[mc].next) {
			struct bf_market *m;

			if (bf_cache_apply(&c, &t, mc, &m) != NULL)
				break;
			check(&c);
		}
	check(&c);
	bf_cache_free(&c);
	nbpy_json_tape_free(&t);
	free(rec);
	return 0;
}
