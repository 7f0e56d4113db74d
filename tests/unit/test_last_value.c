/* test_last_value.c - the last-value table of oanda.lvc: one entry per
 * topic, the last value kept, subscriptions matched as ZeroMQ prefixes,
 * the bound on topics, sizes checked. */
#include <errno.h>

#include "workers/oanda/last_value.h"
#include "tests/unit/testutil.h"

static struct last_value *put(struct last_values *t, const char *topic, const char *value)
{
	struct last_value *e = last_values_entry(t, topic, strlen(topic));

	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(last_value_set(e, value, strlen(value)), 0);
	return e;
}

/* The topics matching prefix, joined by ",", each "topic=value". */
static const char *matches(const struct last_values *t, const char *prefix)
{
	static char out[256];
	const struct last_value *e;
	size_t i = 0, n = 0;

	out[0] = '\0';
	while ((e = last_values_match(t, &i, prefix, strlen(prefix))) != NULL)
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s=%.*s", n ? "," : "", e->topic, (int)e->len,
				      (const char *)e->bytes);
	return out;
}

START_TEST(last_value_per_topic)
{
	struct last_values t;
	struct last_value *eur;

	ck_assert_int_eq(last_values_init(&t, 8), 0);
	eur = put(&t, "EUR_USD", "e1");
	put(&t, "USD_JPY", "j1");
	ck_assert_ptr_eq(put(&t, "EUR_USD", "e2"), eur);	/* the same entry: it stays put */
	ck_assert_uint_eq(t.n, 2);
	ck_assert_str_eq(matches(&t, "EUR_USD"), "EUR_USD=e2");
	ck_assert_str_eq(matches(&t, "USD_JPY"), "USD_JPY=j1");
	last_values_free(&t);
}
END_TEST

START_TEST(subscriptions_match_as_prefixes)
{
	struct last_values t;

	ck_assert_int_eq(last_values_init(&t, 8), 0);
	put(&t, "EUR_USD", "e");
	put(&t, "USD_JPY", "j");
	put(&t, "EUR_JPY", "ej");
	ck_assert_str_eq(matches(&t, ""), "EUR_USD=e,USD_JPY=j,EUR_JPY=ej");
	ck_assert_str_eq(matches(&t, "EUR"), "EUR_USD=e,EUR_JPY=ej");
	ck_assert_str_eq(matches(&t, "EUR_USDX"), "");	/* longer than the topic */
	ck_assert_str_eq(matches(&t, "GBP_USD"), "");
	ck_assert_str_eq(matches(&t, "eur_usd"), "");	/* bytes, not case-folded */
	last_values_free(&t);
}
END_TEST

START_TEST(an_entry_without_a_value_is_not_sent)
{
	struct last_values t;
	struct last_value *e;

	ck_assert_int_eq(last_values_init(&t, 8), 0);
	e = last_values_entry(&t, "GBP_USD", 7);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->topic, "GBP_USD");
	ck_assert_str_eq(matches(&t, "GBP_USD"), "");
	ck_assert_str_eq(matches(&t, ""), "");
	last_values_free(&t);
}
END_TEST

START_TEST(bounded)
{
	struct last_values t;

	ck_assert_int_eq(last_values_init(&t, 2), 0);
	put(&t, "A", "1");
	put(&t, "B", "2");
	errno = 0;
	ck_assert_ptr_null(last_values_entry(&t, "C", 1));
	ck_assert_int_eq(errno, ENOSPC);
	put(&t, "A", "3");	/* a known topic still updates */
	ck_assert_str_eq(matches(&t, ""), "A=3,B=2");
	last_values_free(&t);
	errno = 0;
	ck_assert_int_eq(last_values_init(&t, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(sizes_checked)
{
	struct last_values t;
	char topic[NBPY_TOPIC_MAX + 2];
	static unsigned char big[NBPY_WIRE_MAX + 1];
	struct last_value *e;

	ck_assert_int_eq(last_values_init(&t, 4), 0);
	memset(topic, 'T', sizeof(topic));
	errno = 0;
	ck_assert_ptr_null(last_values_entry(&t, topic, NBPY_TOPIC_MAX + 1));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(last_values_entry(&t, topic, 0));
	e = last_values_entry(&t, topic, NBPY_TOPIC_MAX);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(strlen(e->topic), NBPY_TOPIC_MAX);
	ck_assert_int_eq(last_value_set(e, "v", 1), 0);
	errno = 0;
	ck_assert_int_eq(last_value_set(e, big, sizeof(big)), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	ck_assert_int_eq(last_value_set(e, big, 0), -1);
	ck_assert_uint_eq(e->len, 1);	/* the value before stays */
	ck_assert_int_eq(last_value_set(e, big, NBPY_WIRE_MAX), 0);
	last_values_free(&t);
}
END_TEST

static Suite *last_value_suite(void)
{
	Suite *s = suite_create("last_value");
	TCase *tc = tcase_create("table");

	tcase_add_test(tc, last_value_per_topic);
	tcase_add_test(tc, subscriptions_match_as_prefixes);
	tcase_add_test(tc, an_entry_without_a_value_is_not_sent);
	tcase_add_test(tc, bounded);
	tcase_add_test(tc, sizes_checked);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(last_value_suite());
}
