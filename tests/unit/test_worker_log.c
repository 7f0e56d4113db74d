/* test_worker_log.c - a worker's output to log lines: splitting in any
 * chunking, levels kept, overlong lines cut, and the per-service rate limit
 * with its "suppressed N lines" reports. */
#include <stdint.h>

#include "tests/unit/testutil.h"
#include "supervisor/worker_log.h"

#define SEC 1000000000LL

static struct {
	int level;
	char text[WORKER_LOG_LINE_MAX + 1];
} got[64];
static size_t n_got;

static void collect(void *ctx, enum nbpy_log_level level, const char *text)
{
	(void)ctx;
	ck_assert_uint_lt(n_got, sizeof(got) / sizeof(got[0]));
	got[n_got].level = (int)level;
	ck_assert_uint_le(strlen(text), WORKER_LOG_LINE_MAX);
	strcpy(got[n_got].text, text);
	n_got++;
}

static const struct worker_log_out out = { .service = "svc", .emit = collect };
static struct worker_log wl;

static void setup(void)
{
	memset(&wl, 0, sizeof(wl));
	n_got = 0;
}

static void feed(const char *s, int64_t now)
{
	worker_log_feed(&wl, &out, s, strlen(s), now);
}

static void expect(size_t i, int level, const char *text)
{
	ck_assert_uint_lt(i, n_got);
	ck_assert_int_eq(got[i].level, level);
	ck_assert_str_eq(got[i].text, text);
}

START_TEST(levels)
{
	feed("warning svc: disk low\nerror svc: \ninfo other: not ours\nbogus svc: x\n"
	     "debug svc:no space\nplain text\n", 0);
	ck_assert_uint_eq(n_got, 6);
	expect(0, NBPY_LOG_WARNING, "disk low");
	expect(1, NBPY_LOG_ERR, "");
	expect(2, NBPY_LOG_INFO, "info other: not ours");
	expect(3, NBPY_LOG_INFO, "bogus svc: x");
	expect(4, NBPY_LOG_INFO, "debug svc:no space");
	expect(5, NBPY_LOG_INFO, "plain text");
	ck_assert_uint_eq(wl.lines, 6);
}
END_TEST

START_TEST(any_chunking)
{
	const char *text = "notice svc: one\ntwo\n\nthree";

	/* byte by byte gives what one call gives */
	for (size_t i = 0; i < strlen(text); i++)
		worker_log_feed(&wl, &out, text + i, 1, 0);
	ck_assert_uint_eq(n_got, 3);
	expect(0, NBPY_LOG_NOTICE, "one");
	expect(1, NBPY_LOG_INFO, "two");
	expect(2, NBPY_LOG_INFO, "");
	worker_log_end(&wl, &out, 0);	/* the unterminated last line */
	ck_assert_uint_eq(n_got, 4);
	expect(3, NBPY_LOG_INFO, "three");
	worker_log_end(&wl, &out, 0);	/* nothing twice */
	ck_assert_uint_eq(n_got, 4);
}
END_TEST

START_TEST(overlong_lines_in_pieces)
{
	enum { LONG = 2 * WORKER_LOG_LINE_MAX + 100 };
	static char big[LONG + 2];

	memset(big, 'x', LONG);
	big[LONG] = '\n';
	feed(big, 0);
	ck_assert_uint_eq(n_got, 3);
	ck_assert_uint_eq(strlen(got[0].text), WORKER_LOG_LINE_MAX);
	ck_assert_uint_eq(strlen(got[1].text), WORKER_LOG_LINE_MAX);
	ck_assert_uint_eq(strlen(got[2].text), 100);
	/* exactly the maximum, then its newline: one line, no empty one */
	n_got = 0;
	big[WORKER_LOG_LINE_MAX] = '\n';
	big[WORKER_LOG_LINE_MAX + 1] = '\0';
	feed(big, 0);
	ck_assert_uint_eq(n_got, 1);
	ck_assert_uint_eq(strlen(got[0].text), WORKER_LOG_LINE_MAX);
}
END_TEST

START_TEST(rate_limit)
{
	wl.rate = (struct worker_log_rate){ .burst = 3, .interval_ns = 10 * SEC };
	for (int i = 0; i < 10; i++)
		feed("line\n", i);
	ck_assert_uint_eq(n_got, 3);
	ck_assert_uint_eq(wl.lines, 3);
	ck_assert_uint_eq(wl.suppressed, 7);
	ck_assert_int_eq(worker_log_deadline(&wl), 10 * SEC);	/* the window began at 0 */
	worker_log_tick(&wl, &out, 10 * SEC - 1);
	ck_assert_uint_eq(n_got, 3);
	worker_log_tick(&wl, &out, 10 * SEC);
	ck_assert_uint_eq(n_got, 4);
	expect(3, NBPY_LOG_WARNING, "suppressed 7 lines (log rate limit: 3 per 10s)");
	ck_assert_int_eq(worker_log_deadline(&wl), 0);
	worker_log_tick(&wl, &out, 11 * SEC);	/* reported once */
	ck_assert_uint_eq(n_got, 4);

	/* the next line opens a new interval: 3 more pass, the rest are
	 * reported when the output ends */
	feed("a\nb\nc\nd\ne\n", 12 * SEC);
	ck_assert_uint_eq(n_got, 7);
	ck_assert_int_eq(worker_log_deadline(&wl), 22 * SEC);
	worker_log_end(&wl, &out, 13 * SEC);
	ck_assert_uint_eq(n_got, 8);
	expect(7, NBPY_LOG_WARNING, "suppressed 2 lines (log rate limit: 3 per 10s)");
	ck_assert_uint_eq(wl.lines, 6);
	ck_assert_uint_eq(wl.suppressed, 9);
}
END_TEST

START_TEST(report_before_the_next_interval)
{
	/* no tick in between: the report still comes first, once */
	wl.rate = (struct worker_log_rate){ .burst = 1, .interval_ns = SEC / 2 };
	feed("a\nb\nc\n", 0);
	feed("d\n", SEC);
	ck_assert_uint_eq(n_got, 3);
	expect(0, NBPY_LOG_INFO, "a");
	expect(1, NBPY_LOG_WARNING, "suppressed 2 lines (log rate limit: 1 per 0.5s)");
	expect(2, NBPY_LOG_INFO, "d");
}
END_TEST

START_TEST(zero_disables)
{
	wl.rate = (struct worker_log_rate){ .burst = 0, .interval_ns = SEC };
	for (int i = 0; i < 50; i++)
		feed("x\n", 0);
	wl.rate = (struct worker_log_rate){ .burst = 1, .interval_ns = 0 };
	for (int i = 0; i < 10; i++)
		feed("x\n", 0);
	ck_assert_uint_eq(n_got, 60);
	ck_assert_uint_eq(wl.suppressed, 0);
	ck_assert_int_eq(worker_log_deadline(&wl), 0);
}
END_TEST

START_TEST(huge_interval)
{
	/* a window end past INT64_MAX saturates instead of overflowing */
	wl.rate = (struct worker_log_rate){ .burst = 1, .interval_ns = INT64_MAX };
	feed("a\nb\n", 5 * SEC);
	ck_assert_int_eq(worker_log_deadline(&wl), INT64_MAX);
	ck_assert_uint_eq(n_got, 1);
}
END_TEST

static Suite *worker_log_suite(void)
{
	Suite *s = suite_create("worker_log");
	TCase *tc = tcase_create("lines");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, levels);
	tcase_add_test(tc, any_chunking);
	tcase_add_test(tc, overlong_lines_in_pieces);
	tcase_add_test(tc, rate_limit);
	tcase_add_test(tc, report_before_the_next_interval);
	tcase_add_test(tc, zero_disables);
	tcase_add_test(tc, huge_interval);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(worker_log_suite());
}
