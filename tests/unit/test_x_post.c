/* test_x_post.c - x.sentiment's pure parts: a filtered-stream line into a
 * sentiment message (workers/twitter/x_post.c), with values written by hand
 * from the line (and the geohash of Wikipedia's example, 57.64911 N
 * 10.40744 E = u4pruydqqvj); the rules' sync plan (x_rules.c): nothing sent
 * when X holds the config's rules, stale ones deleted by id, missing added. */
#include <math.h>

#include "workers/twitter/x_post.h"
#include "workers/twitter/x_rules.h"
#include "tests/unit/testutil.h"

/* a lexicon of two words, enough to see that the text is scored */
static struct vader_lexicon *tiny_lexicon(void)
{
	struct nbpy_error err = { 0 };
	const char *p = write_temp("good\t1.9\t0.9\t[2]\nbad\t-2.5\t0.5\t[-2]\n");
	struct vader_lexicon *lex = vader_lexicon_load(p, &err);

	(void)unlink(p);
	ck_assert_msg(lex != NULL, "%s", err.msg);
	return lex;
}

static enum x_post_result parse(const char *line, bool keep, struct nbpy_msg *m, const char **why)
{
	struct vader_lexicon *lex = tiny_lexicon();
	size_t at;
	enum x_post_result r = x_post_parse(line, strlen(line), lex, keep, m, why, &at);

	vader_lexicon_free(lex);
	return r;
}

START_TEST(post_with_point_and_author)
{
	static const char line[] =
		"{\"data\":{\"id\":\"1790000000000000001\",\"text\":\"good\",\"created_at\":\"2024-01-15T10:35:00.250Z\","
		"\"lang\":\"en\",\"author_id\":\"42\",\"public_metrics\":{\"repost_count\":7},"
		"\"geo\":{\"coordinates\":{\"type\":\"Point\",\"coordinates\":[10.40744,57.64911]}}},"
		"\"includes\":{\"users\":[{\"id\":\"41\",\"username\":\"other\"},{\"id\":\"42\",\"username\":\"someone\","
		"\"location\":\"Aalborg\",\"public_metrics\":{\"followers_count\":120,\"post_count\":5000}}]},"
		"\"matching_rules\":[{\"id\":\"1\",\"tag\":\"btc\"},{\"id\":\"2\",\"tag\":\"eth\"}]}";
	struct nbpy_msg m;
	const char *why = NULL;
	const struct nbpy_sentiment *t = &m.u.sentiment;

	ck_assert_msg(parse(line, true, &m, &why) == X_POST_OK, "%s", why);
	ck_assert_int_eq(m.h.schema, NBPY_SCHEMA_SENTIMENT);
	ck_assert_int_eq(m.h.event_ns, 1705314900250000000LL);	/* 2024-01-15T10:35:00.250Z */
	ck_assert_str_eq(t->id, "1790000000000000001");
	ck_assert_str_eq(t->lang, "en");
	ck_assert_str_eq(t->author_id, "42");
	ck_assert_str_eq(t->user, "someone");
	ck_assert_str_eq(t->location, "Aalborg");
	ck_assert_int_eq(t->followers, 120);
	ck_assert_int_eq(t->statuses, 5000);	/* post_count, the newer spelling */
	ck_assert_int_eq(t->retweets, 7);	/* repost_count */
	ck_assert(t->lat == 57.64911 && t->lon == 10.40744);
	ck_assert(strncmp(t->geohash, "u4pruydqqvj", 11) == 0);
	ck_assert_uint_eq(strlen(t->geohash), 12);
	ck_assert_str_eq(t->rules, "btc,eth");
	ck_assert_str_eq(t->text, "good");
	/* "good" alone: 1.9 / sqrt(1.9^2 + 15) = 0.4404; all positive */
	ck_assert(fabs(t->compound - 0.4404) < 1e-12 && t->pos == 1.0 && t->neu == 0.0 && t->neg == 0.0);
	ck_assert_msg(parse(line, false, &m, &why) == X_POST_OK, "%s", why);
	ck_assert_str_eq(t->text, "");	/* keep_text = no */
}
END_TEST

START_TEST(post_with_place)
{
	static const char line[] =
		"{\"data\":{\"id\":\"5\",\"text\":\"bad\",\"created_at\":\"2024-01-15T10:35:00Z\",\"author_id\":\"9\","
		"\"geo\":{\"place_id\":\"p1\"}},\"includes\":{\"places\":[{\"id\":\"p1\",\"full_name\":\"Manhattan, NY\","
		"\"geo\":{\"type\":\"Feature\",\"bbox\":[-74.0,40.5,-73.0,41.5],\"properties\":{}}}]}}";
	struct nbpy_msg m;
	const char *why = NULL;
	const struct nbpy_sentiment *t = &m.u.sentiment;

	ck_assert_msg(parse(line, false, &m, &why) == X_POST_OK, "%s", why);
	ck_assert_str_eq(t->place, "Manhattan, NY");
	ck_assert(t->lat == 41.0 && t->lon == -73.5);	/* the box's centre */
	ck_assert_str_eq(t->user, "");	/* the author not expanded */
	ck_assert_str_eq(t->rules, "");
	ck_assert(fabs(t->compound - -0.5423) < 1e-12 && t->neg == 1.0);	/* -2.5 / sqrt(6.25 + 15) */
}
END_TEST

START_TEST(post_without_geo)
{
	struct nbpy_msg m;
	const char *why = NULL;

	ck_assert_msg(parse("{\"data\":{\"id\":\"6\",\"text\":\"\",\"created_at\":\"2024-01-15T10:35:00Z\"}}", false, &m,
			    &why) == X_POST_OK, "%s", why);
	ck_assert(isnan(m.u.sentiment.lat) && isnan(m.u.sentiment.lon));
	ck_assert_str_eq(m.u.sentiment.geohash, "");
}
END_TEST

START_TEST(bad_lines)
{
	static const struct {
		const char *line;
		enum x_post_result want;
	} cases[] = {
		{ "not json", X_POST_BAD },
		{ "{\"data\":{\"id\":\"7\",\"text\":\"x\"}}", X_POST_BAD },	/* no created_at */
		{ "{\"data\":{\"id\":\"7a\",\"text\":\"x\",\"created_at\":\"2024-01-15T10:35:00Z\"}}", X_POST_BAD },
		{ "{\"data\":{\"id\":\"7\",\"created_at\":\"2024-01-15T10:35:00Z\"}}", X_POST_BAD },	/* no text */
		{ "{\"data\":{\"id\":\"7\",\"text\":\"x\",\"created_at\":\"2024-01-15T10:35:00Z\","
		  "\"geo\":{\"coordinates\":{\"coordinates\":[200,10]}}}}", X_POST_BAD },	/* lon out of range */
		{ "{\"errors\":[{\"title\":\"operational-disconnect\"}]}", X_POST_STREAM_ERROR },
	};
	struct nbpy_msg m;
	const char *why;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(parse(cases[i].line, false, &m, &why) == cases[i].want, "case %zu", i);
}
END_TEST

START_TEST(too_long_text)
{
	static char line[4096];
	struct nbpy_msg m;
	const char *why;
	int n = snprintf(line, sizeof(line), "{\"data\":{\"id\":\"8\",\"created_at\":\"2024-01-15T10:35:00Z\",\"text\":\"");

	memset(line + n, 'a', NBPY_TEXT_MAX + 1);	/* one byte over what 280 characters can take */
	strcpy(line + n + NBPY_TEXT_MAX + 1, "\"}}");
	ck_assert_int_eq(parse(line, false, &m, &why), X_POST_TOO_LONG);
	line[n + NBPY_TEXT_MAX] = '"';	/* exactly NBPY_TEXT_MAX: scored */
	strcpy(line + n + NBPY_TEXT_MAX + 1, "}}");
	ck_assert_msg(parse(line, false, &m, &why) == X_POST_OK, "%s", why);
}
END_TEST

static void plan(const char *answer, const char *want_delete, const char *want_add)
{
	struct nbpy_list items = { .items = (char *[]){ "btc: bitcoin OR btc", "eth : ethereum lang:en" }, .n = 2 };
	struct x_rule *rules;
	size_t n, deleting, adding;
	char why[256], *del, *add;

	ck_assert_int_eq(x_rules_from_config(&items, &rules, &n, why, sizeof(why)), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(rules[1].tag, "eth");
	ck_assert_str_eq(rules[1].value, "ethereum lang:en");
	ck_assert_msg(x_rules_plan(rules, n, answer, strlen(answer), &del, &deleting, &add, &adding, why,
				   sizeof(why)) == 0, "%s", why);
	if (want_delete)
		ck_assert_str_eq(del, want_delete);
	else
		ck_assert_ptr_null(del);
	if (want_add)
		ck_assert_str_eq(add, want_add);
	else
		ck_assert_ptr_null(add);
	free(del);
	free(add);
	free(rules);
}

START_TEST(rules_sync_plan)
{
	/* equal: nothing to send */
	plan("{\"data\":[{\"id\":\"1\",\"value\":\"ethereum lang:en\",\"tag\":\"eth\"},"
	     "{\"id\":\"2\",\"value\":\"bitcoin OR btc\",\"tag\":\"btc\"}],\"meta\":{\"result_count\":2}}", NULL, NULL);
	/* none held: both added */
	plan("{\"meta\":{\"result_count\":0}}", NULL,
	     "{\"add\":[{\"value\":\"bitcoin OR btc\",\"tag\":\"btc\"},{\"value\":\"ethereum lang:en\",\"tag\":\"eth\"}]}");
	/* a stale one, and one whose tag changed: both deleted, the changed one added */
	plan("{\"data\":[{\"id\":\"11\",\"value\":\"old\",\"tag\":\"old\"},{\"id\":\"12\",\"value\":\"bitcoin OR btc\","
	     "\"tag\":\"bitcoin\"},{\"id\":\"13\",\"value\":\"ethereum lang:en\",\"tag\":\"eth\"}]}",
	     "{\"delete\":{\"ids\":[\"11\",\"12\"]}}", "{\"add\":[{\"value\":\"bitcoin OR btc\",\"tag\":\"btc\"}]}");
}
END_TEST

START_TEST(rules_errors)
{
	struct nbpy_list no_colon = { .items = (char *[]){ "bitcoin" }, .n = 1 };
	struct nbpy_list twice = { .items = (char *[]){ "a: x", "a: y" }, .n = 2 };
	struct x_rule one = { .tag = "a", .value = "x" }, *rules;
	size_t n, d, a;
	char why[256], *del, *add;

	ck_assert_int_eq(x_rules_from_config(&no_colon, &rules, &n, why, sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "item 1"));
	ck_assert_int_eq(x_rules_from_config(&twice, &rules, &n, why, sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "'a' twice"));
	ck_assert_int_eq(x_rules_plan(&one, 1, "[]", 2, &del, &d, &add, &a, why, sizeof(why)), -1);
	ck_assert_int_eq(x_rules_plan(&one, 1, "{\"data\":[{\"value\":\"x\"}]}", 24, &del, &d, &add, &a, why,
				      sizeof(why)), -1);	/* no id */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("x_post");
	TCase *tc = tcase_create("x_post");

	tcase_add_test(tc, post_with_point_and_author);
	tcase_add_test(tc, post_with_place);
	tcase_add_test(tc, post_without_geo);
	tcase_add_test(tc, bad_lines);
	tcase_add_test(tc, too_long_text);
	tcase_add_test(tc, rules_sync_plan);
	tcase_add_test(tc, rules_errors);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
