/* test_history.c - the restart history file: bounded, ordered, torn-line safe. */
#include <fcntl.h>
#include <json-c/json.h>

#include "history.h"
#include "testutil.h"

static char dir[64];

static void setup(void)
{
	(void)snprintf(dir, sizeof(dir), "/tmp/nbpy-hist-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static struct history_entry entry(int i)
{
	struct history_entry e = { .time_ns = i, .pid = 100 + i, .code = i % 3, .uptime_ns = i * 10LL };

	(void)snprintf(e.event, sizeof(e.event), "exit");
	(void)snprintf(e.reason, sizeof(e.reason), "exited %d \"quoted\"\nline", i);
	return e;
}

static int64_t time_of(struct json_object *a, size_t i)
{
	struct json_object *v;

	ck_assert(json_object_object_get_ex(json_object_array_get_idx(a, i), "time_ns", &v));
	return json_object_get_int64(v);
}

START_TEST(bounded_and_newest_last)
{
	struct history h;
	struct json_object *a;

	ck_assert_int_eq(history_open(&h, dir, "svc", 5), 0);
	for (int i = 1; i <= 23; i++) {
		struct history_entry e = entry(i);

		ck_assert_int_eq(history_add(&h, &e), 0);
		ck_assert_uint_le(h.file_lines, 10);
	}
	a = history_read(&h, 100);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_ge(json_object_array_length(a), 5);
	ck_assert_uint_le(json_object_array_length(a), 10);
	ck_assert_int_eq(time_of(a, json_object_array_length(a) - 1), 23);
	for (size_t i = 1; i < json_object_array_length(a); i++)
		ck_assert_int_eq(time_of(a, i), time_of(a, i - 1) + 1);
	json_object_put(a);
	a = history_read(&h, 3);
	ck_assert_uint_eq(json_object_array_length(a), 3);
	ck_assert_int_eq(time_of(a, 0), 21);
	{
		struct json_object *r;

		ck_assert(json_object_object_get_ex(json_object_array_get_idx(a, 2), "reason", &r));
		ck_assert_str_eq(json_object_get_string(r), "exited 23 \"quoted\"\nline");
	}
	json_object_put(a);
	history_close(&h);
}
END_TEST

START_TEST(survives_reopen_and_torn_lines)
{
	struct history h;
	struct json_object *a;
	struct history_entry e = entry(1);
	char path[128];
	int fd;

	ck_assert_int_eq(history_open(&h, dir, "svc", 50), 0);
	ck_assert_int_eq(history_add(&h, &e), 0);
	history_close(&h);
	/* a crash in the middle of a write leaves half a line */
	(void)snprintf(path, sizeof(path), "%s/history/svc.jsonl", dir);
	fd = open(path, O_WRONLY | O_APPEND);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "{\"time_ns\":9", 12), 12);
	ck_assert_int_eq(close(fd), 0);
	ck_assert_int_eq(history_open(&h, dir, "svc", 50), 0);
	ck_assert_uint_eq(h.file_lines, 1);
	a = history_read(&h, 10);
	ck_assert_uint_eq(json_object_array_length(a), 1);
	ck_assert_int_eq(time_of(a, 0), 1);
	json_object_put(a);
	/* no file yet: empty, not an error */
	history_close(&h);
	ck_assert_int_eq(history_open(&h, dir, "other", 50), 0);
	a = history_read(&h, 10);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(json_object_array_length(a), 0);
	json_object_put(a);
	history_close(&h);
}
END_TEST

static Suite *history_suite(void)
{
	Suite *s = suite_create("history");
	TCase *tc = tcase_create("file");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, bounded_and_newest_last);
	tcase_add_test(tc, survives_reopen_and_torn_lines);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(history_suite());
}
