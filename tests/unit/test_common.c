/* test_common.c - backoff, time text, UTF-8, suggestions and logging. */
#include <fcntl.h>
#include <time.h>
#include <math.h>
#include <stdint.h>

#include "common/backoff.h"
#include "common/buf.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/crc32c.h"
#include "common/log.h"
#include "tests/unit/testutil.h"
#include "common/text.h"
#include "common/timefmt.h"

#define SEC 1000000000LL

START_TEST(crc32c_vectors_and_paths_agree)
{
	unsigned char buf[300];
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	/* the check value of CRC-32C, and iSCSI's 32 zero bytes */
	ck_assert_uint_eq(nbpy_crc32c(0, "123456789", 9), 0xe3069283u);
	ck_assert_uint_eq(nbpy_crc32c_sw(0, "123456789", 9), 0xe3069283u);
	memset(buf, 0, 32);
	ck_assert_uint_eq(nbpy_crc32c(0, buf, 32), 0x8a9136aau);
	ck_assert_uint_eq(nbpy_crc32c(0, buf, 0), 0);
	for (int i = 0; i < 1000; i++) {
		size_t n = (size_t)(x % sizeof(buf)), k = n / 3;

		for (size_t j = 0; j < n; j++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			buf[j] = (unsigned char)x;
		}
		/* any length and alignment; continuing a crc is the same as one go */
		ck_assert_uint_eq(nbpy_crc32c(0, buf + 1, n ? n - 1 : 0), nbpy_crc32c_sw(0, buf + 1, n ? n - 1 : 0));
		ck_assert_uint_eq(nbpy_crc32c(nbpy_crc32c(0, buf, k), buf + k, n - k), nbpy_crc32c_sw(0, buf, n));
	}
}
END_TEST

/* nbpy_strtod is strtod to the bit and the end pointer, fast path or not:
 * random decimals (the fast path's) and random strings (its edges). */
START_TEST(strtod_fast_path_is_strtod)
{
	static const char alphabet[] = "0123456789012345678901234567890123456789..eE+-x ";
	static const char *const edges[] = { "1.08013", "0", "0.0", ".5", "5.", ".", "", "-1.5", "+1", " 1",
					     "1e5", "1.5E-3", "0x1p3", "inf", "nan", "999999999999999",
					     "9999999999999999", "0.000000000000001", "1.2.3", "1.5in", "00012.50" };
	uint64_t x = 0x2545f4914f6cdd1dULL;
	char buf[32];

	for (size_t i = 0; i < 200000 + sizeof(edges) / sizeof(edges[0]); i++) {
		char *e1, *e2;
		double a, b;

		if (i < sizeof(edges) / sizeof(edges[0])) {
			(void)snprintf(buf, sizeof(buf), "%s", edges[i]);
		} else {
			size_t n;

			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			n = 1 + x % 20;
			for (size_t j = 0; j < n; j++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				/* half the strings: digits and one '.' only */
				buf[j] = i % 2 ? alphabet[x % (sizeof(alphabet) - 1)] : "0123456789"[x % 10];
			}
			buf[n] = '\0';
			if (i % 2 == 0)
				buf[x % n] = '.';
		}
		a = nbpy_strtod(buf, &e1);
		b = strtod(buf, &e2);
		ck_assert_msg(memcmp(&a, &b, sizeof(a)) == 0 && e1 == e2, "'%s': %.17g end %td, strtod %.17g end %td",
			      buf, a, e1 - buf, b, e2 - buf);
	}
	ck_assert(nbpy_strtod("1.08013", NULL) == 1.08013);
}
END_TEST

/* nbpy_dtoa17 is snprintf's "%.17g" to the byte: doubles of random bits
 * (every magnitude), random ones near 1 (the statistics' kind), exact ties
 * of the 17th digit (m / 4 with 53-bit m: rounded half to even), and the
 * edges of its own range and of %g's fixed/scientific switch. */
START_TEST(dtoa17_is_printf)
{
	static const double edges[] = { 0.0, -0.0, 1e-6, 0x1.0c6f7a0b5ed8dp-20, 9.99999999999999e-7, 1e-5,
					0.0001, 0.00009999999999999999, 1, 10, 0.1, 99999999999999999.0,
					9007199254740991.0, 9007199254740992.0, 1234567890123456.75,
					1234567890123456.25, 9999999999999999.5, 0.99999999999999999,
					1.08497, 1.084985, NAN, INFINITY, -INFINITY, 1e300, 5e-324 };
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	char got[NBPY_DTOA17_MAX], want[NBPY_DTOA17_MAX];

	for (size_t i = 0; i < 600000 + sizeof(edges) / sizeof(edges[0]); i++) {
		double d;
		size_t n;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		if (i < sizeof(edges) / sizeof(edges[0])) {
			d = edges[i];
		} else if (i % 3 == 0) {
			memcpy(&d, &x, sizeof(d));
		} else if (i % 3 == 1) {
			d = ldexp((double)(x >> 11), -53 - (int)(x % 40));	/* [0, 1) down to 2^-93 */
		} else {
			d = ldexp((double)((x >> 11) | 1), -(int)(x % 4));	/* ties at 2^-1, 2^-2 */
		}
		if (x & 1)
			d = -d;
		n = nbpy_dtoa17(d, got);
		(void)snprintf(want, sizeof(want), "%.17g", d);
		ck_assert_msg(strcmp(got, want) == 0 && n == strlen(want), "%a: '%s', printf '%s'", d, got,
			      want);
	}
}
END_TEST

/* The parse's calendar arithmetic is timegm's: every day from 1678 to 2261,
 * days past a month's end and a leap second included. */
START_TEST(rfc3339_days_are_timegms)
{
	char buf[64];

	for (int year = 1678; year <= 2261; year++)
		for (int mon = 1; mon <= 12; mon++)
			for (int day = 1; day <= 31; day++) {
				struct tm tm = { .tm_year = year - 1900, .tm_mon = mon - 1, .tm_mday = day,
						 .tm_hour = 23, .tm_min = 59, .tm_sec = day == 31 ? 60 : 7 };
				int64_t ns;
				time_t t = timegm(&tm);

				(void)snprintf(buf, sizeof(buf), "%04d-%02d-%02dT23:59:%02d.5Z", year, mon, day,
					       day == 31 ? 60 : 7);
				ck_assert_int_eq(nbpy_rfc3339_parse(buf, strlen(buf), &ns), 0);
				ck_assert_msg(ns == (int64_t)t * SEC + 500000000, "%s", buf);
			}
}
END_TEST

START_TEST(backoff_grows_caps_and_resets)
{
	struct nbpy_backoff b;
	int64_t nominal[] = { 1, 2, 4, 8, 16, 32, 60, 60, 60 };

	nbpy_backoff_init(&b, 1 * SEC, 60 * SEC, 42);
	for (size_t i = 0; i < sizeof(nominal) / sizeof(nominal[0]); i++) {
		int64_t d;

		ck_assert_int_eq(nbpy_backoff_peek(&b), nominal[i] * SEC);
		d = nbpy_backoff_next(&b);
		/* equal jitter: within [d/2, d] */
		ck_assert_int_ge(d, nominal[i] * SEC / 2);
		ck_assert_int_le(d, nominal[i] * SEC);
	}
	nbpy_backoff_reset(&b);
	ck_assert_int_eq(nbpy_backoff_peek(&b), 1 * SEC);
}
END_TEST

START_TEST(backoff_jitter_spreads_and_never_overflows)
{
	struct nbpy_backoff a, b;
	int differ = 0;

	nbpy_backoff_init(&a, 1 * SEC, 60 * SEC, 1);
	nbpy_backoff_init(&b, 1 * SEC, 60 * SEC, 2);
	for (int i = 0; i < 20; i++)
		differ += nbpy_backoff_next(&a) != nbpy_backoff_next(&b);
	ck_assert_int_gt(differ, 15);
	/* thousands of failures at the cap: no overflow, no negative delay */
	nbpy_backoff_init(&a, 2, INT64_MAX, 7);
	for (int i = 0; i < 5000; i++)
		ck_assert_int_gt(nbpy_backoff_next(&a), 0);
	ck_assert_int_eq(nbpy_backoff_peek(&a), INT64_MAX);
	/* min > max is clamped */
	nbpy_backoff_init(&a, 5 * SEC, 1 * SEC, 0);
	ck_assert_int_eq(nbpy_backoff_peek(&a), 5 * SEC);
}
END_TEST

START_TEST(rfc3339_format_and_parse)
{
	char buf[NBPY_RFC3339_MAX];
	int64_t ns;

	ck_assert_uint_gt(nbpy_rfc3339_format(1538079543817645123LL, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "2018-09-27T20:19:03.817645123Z");
	ck_assert_int_eq(nbpy_rfc3339_parse(buf, strlen(buf), &ns), 0);
	ck_assert_int_eq(ns, 1538079543817645123LL);
	ck_assert_int_eq(nbpy_rfc3339_parse("2018-09-27T20:19:03.817645Z", 27, &ns), 0);
	ck_assert_int_eq(ns, 1538079543817645000LL);
	ck_assert_int_eq(nbpy_rfc3339_parse("2018-09-27T22:19:03+02:00", 25, &ns), 0);
	ck_assert_int_eq(ns, 1538079543LL * SEC);
	ck_assert_int_eq(nbpy_rfc3339_parse("2018-09-27T20:19:03", 19, &ns), -1);
	ck_assert_int_eq(nbpy_rfc3339_parse("2018-13-27T20:19:03Z", 20, &ns), -1);
	ck_assert_int_eq(nbpy_rfc3339_parse("2018-09-27T20:19:03.Z", 21, &ns), -1);
	ck_assert_int_eq(nbpy_rfc3339_parse("2018-09-27T20:19:03Zjunk", 24, &ns), -1);
	ck_assert_uint_gt(nbpy_rfc3339_format(-1, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "1969-12-31T23:59:59.999999999Z");
	ck_assert_int_gt(nbpy_now_ns(), 1700000000LL * SEC);
	ck_assert_int_gt(nbpy_monotonic_ns(), 0);
}
END_TEST

START_TEST(utf8_and_suggestions)
{
	static const char *const keys[] = { "interval", "timeout", "pairs", "url" };

	ck_assert(nbpy_utf8_valid("EUR_USD \xe2\x9c\x93 \xf0\x9f\x98\x80", 16));
	ck_assert(!nbpy_utf8_valid("\xc0\xaf", 2));		/* overlong '/' */
	ck_assert(!nbpy_utf8_valid("\xed\xa0\x80", 3));	/* surrogate */
	ck_assert(!nbpy_utf8_valid("\xe2\x9c", 2));		/* truncated */
	ck_assert(!nbpy_utf8_valid("a\0b", 3));
	ck_assert(!nbpy_utf8_valid("\xf4\x90\x80\x80", 4));	/* > U+10FFFF */
	ck_assert_uint_eq(nbpy_edit_distance("intervl", "interval"), 1);
	ck_assert_uint_eq(nbpy_edit_distance("", "abc"), 3);
	ck_assert_str_eq(nbpy_closest("intervl", keys, 4), "interval");
	ck_assert_str_eq(nbpy_closest("pair", keys, 4), "pairs");
	ck_assert_ptr_null(nbpy_closest("banana", keys, 4));
}
END_TEST

/* Outside the journal, one plain "LEVEL service: message" line per call. */
START_TEST(log_plain_lines)
{
	char path[] = "/tmp/nbpy-log-XXXXXX", buf[512] = "";
	int fd = mkstemp(path), saved = dup(STDERR_FILENO);
	ssize_t n;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_eq(unsetenv("JOURNAL_STREAM"), 0);
	ck_assert_int_ge(dup2(fd, STDERR_FILENO), 0);
	nbpy_log_init("kraken_tick", NBPY_LOG_INFO);
	ck_assert(!nbpy_log_to_journal());
	log_info("polled %d pairs", 42);
	log_debug("not shown");
	log_error("HTTP %d", 429);
	ck_assert_int_ge(dup2(saved, STDERR_FILENO), 0);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "info kraken_tick: polled 42 pairs\nerror kraken_tick: HTTP 429\n");
	ck_assert_int_eq(nbpy_log_level_parse("warning"), NBPY_LOG_WARNING);
	ck_assert_int_eq(nbpy_log_level_parse("loud"), -1);
	(void)close(fd);
	(void)close(saved);
	(void)unlink(path);
}
END_TEST

/* JOURNAL_STREAM naming another file is not the journal. */
START_TEST(log_journal_detection)
{
	ck_assert_int_eq(setenv("JOURNAL_STREAM", "1:2", 1), 0);
	nbpy_log_init("x", NBPY_LOG_INFO);
	ck_assert(!nbpy_log_to_journal());
	ck_assert_int_eq(setenv("JOURNAL_STREAM", "garbage", 1), 0);
	nbpy_log_init("x", NBPY_LOG_INFO);
	ck_assert(!nbpy_log_to_journal());
}
END_TEST

START_TEST(buf_grows_formats_and_steals)
{
	struct nbpy_buf b = NBPY_BUF_INIT;
	char big[1000];
	char *s;

	ck_assert_int_eq(nbpy_buf_puts(&b, "ab"), 0);
	ck_assert_int_eq(nbpy_buf_putc(&b, 'c'), 0);
	ck_assert_int_eq(nbpy_buf_append(&b, "\0d", 2), 0);
	ck_assert_uint_eq(b.len, 5);
	ck_assert_int_eq(memcmp(b.data, "abc\0d", 6), 0);	/* NUL after the content */
	/* a formatted piece longer than the room left is formatted again whole */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(nbpy_buf_printf(&b, "<%s|%d>", big, 42), 0);
	ck_assert_uint_eq(b.len, 5 + 1 + 999 + 4);
	ck_assert_str_eq(b.data + 5 + 1 + 999, "|42>");
	ck_assert_int_eq(b.data[b.len], '\0');
	nbpy_buf_reset(&b);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_str_eq(b.data, "");
	ck_assert_int_eq(nbpy_buf_printf(&b, "%s=%u", "n", 7u), 0);
	s = nbpy_buf_steal(&b);
	ck_assert_str_eq(s, "n=7");
	free(s);
	ck_assert_ptr_null(b.data);
	/* a request no allocation can meet fails, sticks, and keeps the content */
	ck_assert_int_eq(nbpy_buf_puts(&b, "kept"), 0);
	ck_assert_int_eq(nbpy_buf_reserve(&b, SIZE_MAX - 2), -1);
	ck_assert(b.failed);
	ck_assert_int_eq(nbpy_buf_puts(&b, "more"), -1);
	ck_assert_str_eq(b.data, "kept");
	ck_assert_ptr_null(nbpy_buf_steal(&b));
	ck_assert_ptr_null(b.data);
	nbpy_buf_free(&b);
}
END_TEST

/* The halves of an atomic write: prepare leaves the file as it was (the
 * new content in FILE.tmp), commit puts it in place. */
static void read_text(const char *path, char *out, size_t cap)
{
	FILE *f = fopen(path, "r");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(out, 1, cap - 1, f);
	out[n] = '\0';
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(write_prepare_then_commit)
{
	char dir[] = "/tmp/nbpy-fs.XXXXXX", path[64], tmp[64], text[16];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	(void)snprintf(path, sizeof(path), "%s/cursor", dir);
	(void)snprintf(tmp, sizeof(tmp), "%s/cursor.tmp", dir);
	ck_assert_int_eq(nbpy_write_atomic(path, "1\n", 2), 0);
	ck_assert_int_eq(nbpy_write_prepare(path, "22\n", 3), 0);
	read_text(path, text, sizeof(text));
	ck_assert_str_eq(text, "1\n");
	read_text(tmp, text, sizeof(text));
	ck_assert_str_eq(text, "22\n");
	ck_assert_int_eq(nbpy_write_commit(path), 0);
	read_text(path, text, sizeof(text));
	ck_assert_str_eq(text, "22\n");
	ck_assert_int_eq(access(tmp, F_OK), -1);
	ck_assert_int_eq(nbpy_write_commit(path), -1);	/* nothing prepared */
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

START_TEST(error_classes)
{
	struct nbpy_error e;

	ck_assert_int_eq(nbpy_error_set(&e, "lost %s", "it"), -1);
	ck_assert_int_eq(e.cls, NBPY_ERR_TRANSIENT);
	ck_assert_str_eq(e.msg, "lost it");
	ck_assert_int_eq(nbpy_error_class_set(&e, NBPY_ERR_CONFIG, "bad key %d", 3), -1);
	ck_assert_int_eq(e.cls, NBPY_ERR_CONFIG);
	ck_assert_str_eq(e.msg, "bad key 3");
	ck_assert_int_eq(nbpy_error_class_set(NULL, NBPY_ERR_REFUSED, "x"), -1);
}
END_TEST

static Suite *common_suite(void)
{
	Suite *s = suite_create("common");
	TCase *tc = tcase_create("helpers");

	/* dtoa17_is_printf checks 600,000 numbers: seconds under ASan on a busy
	 * machine, past Check's default 4 s */
	tcase_set_timeout(tc, 120);

	tcase_add_test(tc, backoff_grows_caps_and_resets);
	tcase_add_test(tc, backoff_jitter_spreads_and_never_overflows);
	tcase_add_test(tc, rfc3339_format_and_parse);
	tcase_add_test(tc, utf8_and_suggestions);
	tcase_add_test(tc, crc32c_vectors_and_paths_agree);
	tcase_add_test(tc, strtod_fast_path_is_strtod);
	tcase_add_test(tc, dtoa17_is_printf);
	tcase_add_test(tc, rfc3339_days_are_timegms);
	tcase_add_test(tc, log_plain_lines);
	tcase_add_test(tc, log_journal_detection);
	tcase_add_test(tc, buf_grows_formats_and_steals);
	tcase_add_test(tc, error_classes);
	tcase_add_test(tc, write_prepare_then_commit);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(common_suite());
}
