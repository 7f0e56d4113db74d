/* test_betfair_cache.c - workers/betfair/market_cache: each rule of the
 * Exchange Stream API applied to a small market, the expected ladders
 * written by hand from the changes; the caps refusing and counting;
 * malformed changes named. */
#include <math.h>
#include <stdint.h>

#include "workers/betfair/market_cache.h"
#include "tests/unit/testutil.h"

static struct bf_cache cache;
static struct nbpy_json_tape tape = NBPY_JSON_TAPE_INIT;

static void setup(void)
{
	ck_assert_int_eq(bf_cache_init(&cache, 2, 3), 0);
}

static void teardown(void)
{
	bf_cache_free(&cache);
	nbpy_json_tape_free(&tape);
}

/* Apply one mc given as JSON text; the market it changed. */
static struct bf_market *apply(const char *text)
{
	struct bf_market *m = NULL;
	const char *why = nbpy_json_tape_scan(&tape, text, strlen(text), NULL);

	ck_assert_msg(why == NULL, "bad test JSON: %s", why);
	why = bf_cache_apply(&cache, &tape, 0, &m);
	ck_assert_msg(why == NULL, "refused: %s (%s)", why, text);
	return m;
}

static const char *apply_bad(const char *text)
{
	struct bf_market *m;

	ck_assert_ptr_null(nbpy_json_tape_scan(&tape, text, strlen(text), NULL));
	return bf_cache_apply(&cache, &tape, 0, &m);
}

static struct bf_runner *runner(const char *market, int64_t id, double hc)
{
	struct bf_market *m = bf_cache_market(&cache, market);

	ck_assert_ptr_nonnull(m);
	return bf_market_runner(m, id, hc);
}

/* A ladder equals n (price, size) pairs, levels past n empty. */
static void ladder_is(const struct bf_level *l, const double *expect, int n)
{
	for (int i = 0; i < BF_LEVELS; i++) {
		double p = i < n ? expect[2 * i] : 0, s = i < n ? expect[2 * i + 1] : 0;

		ck_assert_msg(l[i].price == p && l[i].size == s, "level %d: %g@%g, expected %g@%g", i, l[i].size,
			      l[i].price, s, p);
	}
}

static int changed(const struct bf_market *m)
{
	int n = 0;

	for (uint32_t i = 0; i < m->n_runners; i++)
		n += m->runners[i].changed;
	return n;
}

static const char IMAGE[] =
	"{\"id\":\"1.100\",\"img\":true,\"tv\":50.5,\"marketDefinition\":{\"status\":\"OPEN\",\"inPlay\":false,"
	"\"runners\":[{\"id\":11,\"status\":\"ACTIVE\"},{\"id\":12,\"status\":\"ACTIVE\"}]},"
	"\"rc\":[{\"id\":11,\"batb\":[[0,2.5,100],[1,2.48,50],[2,2.46,25]],\"batl\":[[0,2.52,80]],"
	"\"trd\":[[2.5,10],[2.48,5]],\"ltp\":2.5,\"tv\":15}]}";

START_TEST(image_builds_the_market)
{
	struct bf_market *m = apply(IMAGE);
	struct bf_runner *r = runner("1.100", 11, 0);

	ck_assert_str_eq(m->id, "1.100");
	ck_assert_str_eq(m->status, "OPEN");
	ck_assert(!m->in_play);
	ck_assert_uint_eq(m->n_runners, 2);	/* 12 from the definition, without prices */
	ck_assert_int_eq(changed(m), 2);
	ladder_is(r->back, (const double[]){ 2.5, 100, 2.48, 50, 2.46, 25 }, 3);
	ladder_is(r->lay, (const double[]){ 2.52, 80 }, 1);
	ck_assert_uint_eq(r->n_traded, 2);	/* ascending by price */
	ck_assert(r->traded[0].price == 2.48 && r->traded[0].size == 5);
	ck_assert(r->traded[1].price == 2.5 && r->traded[1].size == 10);
	ck_assert(r->ltp == 2.5 && r->tv == 15);
	r = runner("1.100", 12, 0);
	ck_assert_ptr_nonnull(r);
	ladder_is(r->back, NULL, 0);
	ck_assert(isnan(r->ltp));
}
END_TEST

START_TEST(deltas_update_levels_and_size_0_empties)
{
	struct bf_market *m;
	struct bf_runner *r;

	apply(IMAGE);
	m = apply("{\"id\":\"1.100\",\"rc\":[{\"id\":11,\"batb\":[[1,2.44,70],[2,0,0]],\"batl\":[[0,2.54,30],[1,2.56,9]]}]}");
	ck_assert_int_eq(changed(m), 1);	/* 12 untouched */
	ck_assert(m->runners[0].changed);
	r = runner("1.100", 11, 0);
	ladder_is(r->back, (const double[]){ 2.5, 100, 2.44, 70 }, 2);
	ladder_is(r->lay, (const double[]){ 2.54, 30, 2.56, 9 }, 2);
	/* the level 0 emptied, the others kept: a hole, as Betfair's levels say */
	apply("{\"id\":\"1.100\",\"rc\":[{\"id\":11,\"batb\":[[0,2.5,0]]}]}");
	ck_assert(r->back[0].size == 0 && r->back[0].price == 0);
	ck_assert(r->back[1].price == 2.44 && r->back[1].size == 70);
	ck_assert(r->ltp == 2.5 && r->tv == 15);	/* absent: unchanged */
	apply("{\"id\":\"1.100\",\"rc\":[{\"id\":11,\"ltp\":2.44,\"tv\":85.5}]}");
	ck_assert(r->ltp == 2.44 && r->tv == 85.5);
}
END_TEST

START_TEST(traded_by_price_and_empty_clears)
{
	struct bf_runner *r;

	apply(IMAGE);
	r = runner("1.100", 11, 0);
	apply("{\"id\":\"1.100\",\"rc\":[{\"id\":11,\"trd\":[[2.49,3],[2.5,12],[2.48,0],[2.6,1]]}]}");
	ck_assert_uint_eq(r->n_traded, 3);	/* 2.48 removed, 2.49 and 2.6 added, 2.5 replaced */
	ck_assert(r->traded[0].price == 2.49 && r->traded[0].size == 3);
	ck_assert(r->traded[1].price == 2.5 && r->traded[1].size == 12);
	ck_assert(r->traded[2].price == 2.6 && r->traded[2].size == 1);
	apply("{\"id\":\"1.100\",\"rc\":[{\"id\":11,\"trd\":[]}]}");
	ck_assert_uint_eq(r->n_traded, 0);
	ladder_is(r->back, (const double[]){ 2.5, 100, 2.48, 50, 2.46, 25 }, 3);	/* untouched */
}
END_TEST

START_TEST(runners_keyed_by_id_and_handicap)
{
	struct bf_market *m;

	apply(IMAGE);
	m = apply("{\"id\":\"1.100\",\"rc\":[{\"id\":11,\"hc\":-1.5,\"batb\":[[0,1.9,7]]},"
		  "{\"id\":11,\"hc\":0.0,\"batl\":[[0,2.6,4]]}]}");
	ck_assert_uint_eq(m->n_runners, 3);
	ck_assert_int_eq(changed(m), 2);
	ladder_is(runner("1.100", 11, -1.5)->back, (const double[]){ 1.9, 7 }, 1);
	ladder_is(runner("1.100", 11, 0)->lay, (const double[]){ 2.6, 4 }, 1);	/* hc 0.0 is the runner without hc */
	ladder_is(runner("1.100", 11, 0)->back, (const double[]){ 2.5, 100, 2.48, 50, 2.46, 25 }, 3);
	ck_assert_ptr_null(runner("1.100", 11, 1.5));
}
END_TEST

START_TEST(image_replaces_the_market)
{
	struct bf_market *m;

	apply(IMAGE);
	apply("{\"id\":\"1.100\",\"rc\":[{\"id\":13,\"batb\":[[0,9,9]]}]}");
	m = apply("{\"id\":\"1.100\",\"img\":true,\"marketDefinition\":{\"status\":\"SUSPENDED\",\"inPlay\":true,"
		  "\"runners\":[{\"id\":11}]},\"rc\":[{\"id\":11,\"batl\":[[0,3,1]]}]}");
	ck_assert_uint_eq(m->n_runners, 1);	/* 12 and 13 gone with the old image */
	ck_assert_str_eq(m->status, "SUSPENDED");
	ck_assert(m->in_play);
	ladder_is(m->runners[0].back, NULL, 0);	/* the old back ladder gone */
	ladder_is(m->runners[0].lay, (const double[]){ 3, 1 }, 1);
	ck_assert_uint_eq(m->runners[0].n_traded, 0);
	ck_assert(isnan(m->runners[0].ltp));
	ck_assert_uint_eq(cache.stats.images, 2);
}
END_TEST

START_TEST(definition_replaces_and_changes_every_runner)
{
	struct bf_market *m;

	apply(IMAGE);
	/* the same status and inPlay: no runner changed */
	m = apply("{\"id\":\"1.100\",\"marketDefinition\":{\"status\":\"OPEN\",\"inPlay\":false,\"runners\":[]}}");
	ck_assert_int_eq(changed(m), 0);
	m = apply("{\"id\":\"1.100\",\"marketDefinition\":{\"status\":\"OPEN\",\"inPlay\":true,\"runners\":[]}}");
	ck_assert_int_eq(changed(m), 2);
	ck_assert(m->in_play);
	m = apply("{\"id\":\"1.100\",\"marketDefinition\":{\"status\":\"CLOSED\",\"inPlay\":true}}");
	ck_assert_str_eq(m->status, "CLOSED");
	ck_assert_int_eq(changed(m), 2);
	ladder_is(runner("1.100", 11, 0)->back, (const double[]){ 2.5, 100, 2.48, 50, 2.46, 25 }, 3);
}
END_TEST

START_TEST(unknown_market_is_created_by_its_delta)
{
	struct bf_market *m = apply("{\"id\":\"1.200\",\"rc\":[{\"id\":5,\"batb\":[[0,4,2]]}]}");

	ck_assert_str_eq(m->id, "1.200");
	ck_assert_str_eq(m->status, "");
	ck_assert(!m->defined);
	ladder_is(runner("1.200", 5, 0)->back, (const double[]){ 4, 2 }, 1);
}
END_TEST

START_TEST(caps_refuse_and_count)
{
	struct bf_market *m;

	apply(IMAGE);
	/* runners: 3 per market; the 4th and 5th refused, the rest applied */
	m = apply("{\"id\":\"1.100\",\"rc\":[{\"id\":13,\"batb\":[[0,5,1]]},{\"id\":14,\"batb\":[[0,6,1]]},"
		  "{\"id\":15},{\"id\":11,\"batb\":[[10,1.01,5],[0,2.2,3]]}]}");
	ck_assert_uint_eq(m->n_runners, 3);
	ck_assert_uint_eq(cache.stats.refused_runners, 2);
	ck_assert_ptr_null(runner("1.100", 14, 0));
	ck_assert_uint_eq(cache.stats.refused_levels, 1);	/* level 10 of 0..9 */
	ck_assert(runner("1.100", 11, 0)->back[0].price == 2.2);
	/* markets: 2; the 3rd refused until one is CLOSED, then it takes its place */
	apply("{\"id\":\"1.200\",\"rc\":[]}");
	ck_assert_ptr_nonnull(bf_cache_market(&cache, "1.200"));
	ck_assert_ptr_null(apply("{\"id\":\"1.300\",\"img\":true}"));
	ck_assert_uint_eq(cache.stats.refused_markets, 1);
	ck_assert_ptr_null(bf_cache_market(&cache, "1.300"));
	apply("{\"id\":\"1.100\",\"marketDefinition\":{\"status\":\"CLOSED\",\"inPlay\":false}}");
	m = apply("{\"id\":\"1.300\",\"img\":true}");
	ck_assert_str_eq(m->id, "1.300");
	ck_assert_ptr_null(bf_cache_market(&cache, "1.100"));
	ck_assert_uint_eq(cache.stats.evicted, 1);
}
END_TEST

START_TEST(traded_cap)
{
	char text[64];
	struct bf_runner *r;

	apply(IMAGE);
	r = runner("1.100", 11, 0);
	for (int i = 0; i < BF_TRADED_MAX; i++) {
		(void)snprintf(text, sizeof(text), "{\"id\":\"1.100\",\"rc\":[{\"id\":11,\"trd\":[[%d,1]]}]}", 100 + i);
		apply(text);
	}
	ck_assert_uint_eq(r->n_traded, BF_TRADED_MAX);
	ck_assert_uint_eq(cache.stats.refused_traded, 2);	/* the image's 2.48 and 2.5 came first */
	ck_assert(r->traded[0].price == 2.48 && r->traded[BF_TRADED_MAX - 1].price == 100 + BF_TRADED_MAX - 3);
	apply("{\"id\":\"1.100\",\"rc\":[{\"id\":11,\"trd\":[[2.5,3]]}]}");	/* an existing price: replaced */
	ck_assert(r->traded[1].size == 3);
}
END_TEST

START_TEST(malformed_changes_named)
{
	ck_assert_str_eq(apply_bad("[]"), "market change not an object, or a name twice");
	ck_assert_str_eq(apply_bad("{\"rc\":[]}"), "market change without an id, or one too long");
	ck_assert_str_eq(apply_bad("{\"id\":\"1.123456789012345678901234\"}"),
			 "market change without an id, or one too long");
	ck_assert_str_eq(apply_bad("{\"id\":\"1.1\",\"rc\":{}}"), "rc not an array");
	ck_assert_str_eq(apply_bad("{\"id\":\"1.1\",\"rc\":[{\"batb\":[]}]}"), "runner without an integer id");
	ck_assert_str_eq(apply_bad("{\"id\":\"1.1\",\"rc\":[{\"id\":1,\"batb\":[[0,2]]}]}"), "ladder entry too short");
	ck_assert_str_eq(apply_bad("{\"id\":\"1.1\",\"rc\":[{\"id\":1,\"batb\":[[0,2,3,4]]}]}"), "ladder entry too long");
	ck_assert_str_eq(apply_bad("{\"id\":\"1.1\",\"rc\":[{\"id\":1,\"batb\":[[0.5,2,3]]}]}"), "bad level, price or size");
	ck_assert_str_eq(apply_bad("{\"id\":\"1.1\",\"rc\":[{\"id\":1,\"batb\":[[0,2,-3]]}]}"), "bad level, price or size");
	ck_assert_str_eq(apply_bad("{\"id\":\"1.1\",\"rc\":[{\"id\":1,\"batl\":[[0,0,3]]}]}"), "bad level, price or size");
	ck_assert_str_eq(apply_bad("{\"id\":\"1.1\",\"rc\":[{\"id\":1,\"trd\":[[-2,3]]}]}"), "bad traded price or size");
	ck_assert_str_eq(apply_bad("{\"id\":\"1.1\",\"rc\":[{\"id\":1,\"trd\":[[2,-3]]}]}"), "bad traded price or size");
	ck_assert_str_eq(apply_bad("{\"id\":\"1.1\",\"rc\":[{\"id\":1,\"batl\":[[0,\"2\",3]]}]}"), "not a number");
	ck_assert_str_eq(apply_bad("{\"id\":\"1.1\",\"rc\":[{\"id\":1,\"trd\":[[1e999,1]]}]}"), "number out of range");
	ck_assert_str_eq(apply_bad("{\"id\":\"1.1\",\"rc\":[{\"id\":1,\"trd\":{}}]}"), "traded ladder not an array");
	ck_assert_str_eq(apply_bad("{\"id\":\"1.1\",\"rc\":[{\"id\":1,\"ltp\":null}]}"), "bad ltp");
	ck_assert_str_eq(apply_bad("{\"id\":\"1.1\",\"marketDefinition\":{\"inPlay\":true}}"),
			 "marketDefinition without a status");
	ck_assert_str_eq(apply_bad("{\"id\":\"1.1\",\"marketDefinition\":{\"status\":\"OPEN\"}}"),
			 "marketDefinition without inPlay");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("betfair_cache");
	TCase *tc = tcase_create("betfair_cache");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, image_builds_the_market);
	tcase_add_test(tc, deltas_update_levels_and_size_0_empties);
	tcase_add_test(tc, traded_by_price_and_empty_clears);
	tcase_add_test(tc, runners_keyed_by_id_and_handicap);
	tcase_add_test(tc, image_replaces_the_market);
	tcase_add_test(tc, definition_replaces_and_changes_every_runner);
	tcase_add_test(tc, unknown_market_is_created_by_its_delta);
	tcase_add_test(tc, caps_refuse_and_count);
	tcase_add_test(tc, traded_cap);
	tcase_add_test(tc, malformed_changes_named);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
