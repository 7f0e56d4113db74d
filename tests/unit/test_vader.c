/* test_vader.c - VADER in C (workers/twitter/vader.c) against the reference
 * outputs of vaderSentiment (the README's sentences and the extra vectors of
 * the reference doc, and two by NLTK's port: computed by the Python
 * reference, not by this code);
 * the lexicon loader's errors; bad UTF-8 and huge texts refused, not scored.
 * Needs the lexicon (scripts/lib/vader_lexicon.sh): NBPY_VADER_LEXICON, else
 * /var/lib/nbpy/vader_lexicon.txt, else $NBPY_SRCDIR/build/vader_lexicon.txt;
 * the scoring tests skip when there is none. */
#include <math.h>

#include "workers/twitter/vader.h"
#include "tests/unit/testutil.h"

static struct vader_lexicon *lex;

/* where scripts/lib/vader_lexicon.sh puts it (root, else the source tree's build/) */
static const char *lexicon_path(void)
{
	static char path[4096];
	const char *p = getenv("NBPY_VADER_LEXICON"), *src = getenv("NBPY_SRCDIR");

	if (p && *p)
		return p;
	if (access("/var/lib/nbpy/vader_lexicon.txt", R_OK) == 0 || !src)
		return "/var/lib/nbpy/vader_lexicon.txt";
	(void)snprintf(path, sizeof(path), "%s/build/vader_lexicon.txt", src);
	return path;
}

static void load(void)
{
	struct nbpy_error err = { 0 };

	if (access(lexicon_path(), R_OK) != 0)
		return;
	lex = vader_lexicon_load(lexicon_path(), &err);
	if (!lex) {
		fprintf(stderr, "test_vader: %s\n", err.msg);
		exit(EXIT_FAILURE);
	}
}

/* NAN: a value the reference versions disagree on, not checked */
struct reference {
	const char *text;
	double compound, neg, neu, pos;
};

static const struct reference readme[] = {
	{ "VADER is smart, handsome, and funny.", 0.8316, 0.0, 0.254, 0.746 },
	{ "VADER is smart, handsome, and funny!", 0.8439, 0.0, 0.248, 0.752 },
	{ "VADER is very smart, handsome, and funny.", 0.8545, 0.0, 0.299, 0.701 },
	{ "VADER is VERY SMART, handsome, and FUNNY.", 0.9227, 0.0, 0.246, 0.754 },
	{ "VADER is VERY SMART, handsome, and FUNNY!!!", 0.9342, 0.0, 0.233, 0.767 },
	{ "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!", 0.9469, 0.0, 0.294, 0.706 },
	{ "VADER is not smart, handsome, nor funny.", -0.7424, 0.646, 0.354, 0.0 },
	{ "The book was good.", 0.4404, 0.0, 0.508, 0.492 },
	{ "The book was only kind of good.", 0.3832, 0.0, 0.697, 0.303 },
	{ "The plot was good, but the characters are uncompelling and the dialog is not great.", -0.7042,
	  0.327, 0.579, 0.094 },
	{ "Today SUX!", -0.5461, 0.779, 0.221, 0.0 },
	{ "Today only kinda sux! But I'll get by, lol", 0.5249, 0.127, 0.556, 0.317 },
	{ "Make sure you :) or :D today!", 0.8633, 0.0, 0.294, 0.706 },
	{ "Not bad at all", 0.431, 0.0, 0.513, 0.487 },
	{ "Sentiment analysis has never been good.", -0.3412, 0.325, 0.675, 0.0 },
	{ "At least it isn't a horrible book.", 0.431, NAN, NAN, NAN },
	{ "", 0.0, 0.0, 0.0, 0.0 },
	/* extra vectors (compound only: pos/neu/neg are version-sensitive) */
	{ "I hate this market, crypto is a scam", -0.8126, NAN, NAN, NAN },
	{ "Crypto is a scam and a bubble", -0.5719, NAN, NAN, NAN },
	{ "ETH looks great today!!", 0.6892, NAN, NAN, NAN },
	{ "BTC to the moon \xf0\x9f\x9a\x80\xf0\x9f\x9a\x80", 0.0, NAN, NAN, NAN },
	{ "not bad, not great", 0.6754, NAN, NAN, NAN },
	{ "the shit", -0.5574, NAN, NAN, NAN },
	{ "VADER sentiment analysis is the shit.", 0.6124, NAN, NAN, NAN },
	/* by NLTK 3.8's nltk.sentiment.vader with the installed lexicon: all in
	 * capitals (no emphasis), and more than 4 "!" (4 count) */
	{ "GREAT MARKET TODAY", 0.6249, 0.0, 0.328, 0.672 },
	{ "The market is good today !!!!!!", 0.6209, 0.0, 0.551, 0.449 },
};

static void check_one(const struct reference *r)
{
	struct vader_scores s;

	ck_assert_int_eq(vader_score(lex, r->text, strlen(r->text), &s), VADER_OK);
	ck_assert_msg(fabs(s.compound - r->compound) < 0.00005, "\"%s\": compound %.4f, reference %.4f", r->text,
		      s.compound, r->compound);
	if (isnan(r->pos))
		return;
	ck_assert_msg(fabs(s.neg - r->neg) < 0.0005 && fabs(s.neu - r->neu) < 0.0005 && fabs(s.pos - r->pos) < 0.0005,
		      "\"%s\": neg/neu/pos %.3f/%.3f/%.3f, reference %.3f/%.3f/%.3f", r->text, s.neg, s.neu, s.pos,
		      r->neg, r->neu, r->pos);
}

START_TEST(reference_sentences)
{
	if (!lex) {
		printf("test_vader: SKIP: no lexicon at %s (scripts/lib/vader_lexicon.sh)\n", lexicon_path());
		return;
	}
	check_one(&readme[_i]);
}
END_TEST

/* Bad UTF-8 (a stray continuation byte, an overlong, a surrogate, a cut
 * sequence) and texts over the bounds are refused with zero scores. */
START_TEST(bad_input_refused)
{
	static const char *const bad[] = { "good \x80", "good \xc0\xaf", "good \xed\xa0\x80", "good \xe2\x82" };
	static char huge[VADER_TEXT_MAX + 2], many[2 * VADER_TOKENS_MAX + 2];
	struct vader_scores s;

	if (!lex)
		return;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(vader_score(lex, bad[i], strlen(bad[i]), &s), VADER_BAD_UTF8);
		ck_assert(s.compound == 0 && s.pos == 0 && s.neu == 0 && s.neg == 0);
	}
	memset(huge, 'a', sizeof(huge) - 1);
	ck_assert_int_eq(vader_score(lex, huge, VADER_TEXT_MAX + 1, &s), VADER_TOO_LONG);
	/* exactly the bound is fine: one long neutral token */
	ck_assert_int_eq(vader_score(lex, huge, VADER_TEXT_MAX, &s), VADER_OK);
	ck_assert(s.neu == 1.0);
	for (size_t i = 0; i < sizeof(many) - 1; i++)
		many[i] = i % 2 ? ' ' : 'a';
	ck_assert_int_eq(vader_score(lex, many, 2 * VADER_TOKENS_MAX, &s), VADER_OK);
	ck_assert_int_eq(vader_score(lex, many, 2 * VADER_TOKENS_MAX + 1, &s), VADER_TOO_LONG);
	/* valid multi-byte text scores: "good" and a Latin-1 capital (É) */
	ck_assert_int_eq(vader_score(lex, "good \xc3\x89t\xc3\xa9", 10, &s), VADER_OK);
	ck_assert(fabs(s.compound - 0.4404) < 0.00005);
}
END_TEST

/* The loader names the file and line of what is wrong. */
START_TEST(lexicon_errors)
{
	struct nbpy_error err = { 0 };
	struct vader_lexicon *l;
	const char *p;
	int found;

	ck_assert_ptr_null(vader_lexicon_load("/nonexistent/vader_lexicon.txt", &err));
	ck_assert(strstr(err.msg, "/nonexistent/vader_lexicon.txt") != NULL);
	p = write_temp("good\t1.9\t0.9\t[1]\nbad\tworse\t1\n");
	ck_assert_ptr_null(vader_lexicon_load(p, &err));
	ck_assert_msg(strstr(err.msg, ":2:") && strstr(err.msg, "\"bad\""), "%s", err.msg);
	(void)unlink(p);
	p = write_temp("good\t9\n");
	ck_assert_ptr_null(vader_lexicon_load(p, &err));
	(void)unlink(p);
	p = write_temp("nothing here\n");
	ck_assert_ptr_null(vader_lexicon_load(p, &err));
	ck_assert(strstr(err.msg, ":1:") != NULL);
	(void)unlink(p);
	p = write_temp("");
	ck_assert_ptr_null(vader_lexicon_load(p, &err));
	(void)unlink(p);
	/* CRLF lines, a repeated word takes the later value (as Python's dict) */
	p = write_temp("lol\t2.9\r\n\r\nlol\t1.8\t0.1\r\nok\t-0.5\n");
	l = vader_lexicon_load(p, &err);
	ck_assert_msg(l != NULL, "%s", err.msg);
	ck_assert_uint_eq(vader_lexicon_size(l), 2);
	ck_assert(vader_lexicon_get(l, "lol", 3, &found) == 1.8 && found);
	ck_assert(vader_lexicon_get(l, "ok", 2, &found) == -0.5 && found);
	ck_assert(vader_lexicon_get(l, "no", 2, &found) == 0 && !found);
	vader_lexicon_free(l);
	(void)unlink(p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vader");
	TCase *tc = tcase_create("vader");
	int rc;

	load();
	tcase_add_loop_test(tc, reference_sentences, 0, (int)(sizeof(readme) / sizeof(readme[0])));
	tcase_add_test(tc, bad_input_refused);
	tcase_add_test(tc, lexicon_errors);
	suite_add_tcase(s, tc);
	rc = run_suite(s);
	vader_lexicon_free(lex);
	return rc;
}
