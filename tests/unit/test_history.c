/* test_history.c - the restart history file: bounded, ordered, torn-line safe. */
#include <fcntl.h>
#include <json-c/json.h>

#include "supervisor/history.h"
#include "tests/unit/testutil.h"

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

static const char *str_of(struct json_object *a, size_t i, const char *key)
{
	struct json_object *v;

	ck_assert(json_object_object_get_ex(json_object_array_get_idx(a, i), key, &v));
	return json_object_get_string(v);
}

static void append_raw(const char *text)
{
	char path[128];
	int fd;

	(void)snprintf(path, sizeof(path), "%s/history/svc.jsonl", dir);
	fd = open(path, O_WRONLY | O_APPEND);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	ck_assert_int_eq(close(fd), 0);
}

static void read_raw(char *buf, size_t cap)
{
	char path[128];
	FILE *f;
	size_t n;

	(void)snprintf(path, sizeof(path), "%s/history/svc.jsonl", dir);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, cap - 1, f);
	ck_assert(n < cap - 1);
	buf[n] = '\0';
	ck_assert_int_eq(fclose(f), 0);
}

/* nbpyd died in the middle of a write; the next entry starts a new line. */
START_TEST(torn_line_does_not_swallow_next)
{
	struct history h;
	struct json_object *a;
	struct history_entry e1 = entry(1), e2 = entry(2), e3 = entry(3);
	char raw[4096], *frag;

	ck_assert_int_eq(history_open(&h, dir, "svc", 50), 0);
	ck_assert_int_eq(history_add(&h, &e1), 0);
	ck_assert_int_eq(history_add(&h, &e2), 0);
	history_close(&h);
	append_raw("{\"time_ns\":9,\"event\":\"ex");
	ck_assert_int_eq(history_open(&h, dir, "svc", 50), 0);
	ck_assert_int_eq(history_add(&h, &e3), 0);
	a = history_read(&h, 10);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(json_object_array_length(a), 3);
	ck_assert_int_eq(time_of(a, 0), 1);
	ck_assert_int_eq(time_of(a, 1), 2);
	ck_assert_int_eq(time_of(a, 2), 3);
	ck_assert_str_eq(str_of(a, 2, "reason"), "exited 3 \"quoted\"\nline");
	json_object_put(a);
	/* the fragment is kept on a line of its own, the new entry on the next */
	read_raw(raw, sizeof(raw));
	frag = strstr(raw, "{\"time_ns\":9,\"event\":\"ex\n{\"time_ns\":3,");
	ck_assert_ptr_nonnull(frag);
	ck_assert_ptr_eq(strchr(frag, '\n'), frag + strlen("{\"time_ns\":9,\"event\":\"ex"));
	/* and later entries append normally */
	e3.time_ns = 4;
	ck_assert_int_eq(history_add(&h, &e3), 0);
	a = history_read(&h, 10);
	ck_assert_uint_eq(json_object_array_length(a), 4);
	ck_assert_int_eq(time_of(a, 3), 4);
	json_object_put(a);
	history_close(&h);
}
END_TEST

static struct history_entry event(int64_t t, const char *ev, int pid)
{
	struct history_entry e = { .time_ns = t, .pid = pid, .code = -1 };

	(void)snprintf(e.event, sizeof(e.event), "%s", ev);
	(void)snprintf(e.reason, sizeof(e.reason), "%s", ev);
	return e;
}

/* A history ending in start or ready gets an exit entry saying why; any
 * other ending (or none) is left alone. */
START_TEST(dangling_start_or_ready_gets_an_exit)
{
	static const char *const dangling[] = { "start", "ready" };
	static const char *const closed[] = { "exit", "stop", "fatal" };
	struct history h;
	struct history_entry e, out;
	struct json_object *a;

	ck_assert_int_eq(history_open(&h, dir, "svc", 50), 0);
	ck_assert_int_eq(history_end_dangling(&h, 5, "died", &out), 0);	/* no file */
	for (size_t i = 0; i < 2; i++) {
		e = event(10 * (int64_t)i + 1, dangling[i], 4242 + (int)i);
		ck_assert_int_eq(history_add(&h, &e), 0);
		memset(&out, 0x55, sizeof(out));
		ck_assert_int_eq(history_end_dangling(&h, 10 * (int64_t)i + 7, "supervisor died", &out), 1);
		ck_assert_str_eq(out.event, "exit");
		ck_assert_int_eq(out.pid, 4242 + (int)i);
		ck_assert_int_eq(out.time_ns, 10 * (int64_t)i + 7);
		a = history_read(&h, 1);
		ck_assert_uint_eq(json_object_array_length(a), 1);
		ck_assert_str_eq(str_of(a, 0, "event"), "exit");
		ck_assert_str_eq(str_of(a, 0, "reason"), "supervisor died");
		ck_assert_int_eq(time_of(a, 0), 10 * (int64_t)i + 7);
		ck_assert_str_eq(str_of(a, 0, "pid"), i == 0 ? "4242" : "4243");
		ck_assert_str_eq(str_of(a, 0, "code"), "-1");
		json_object_put(a);
		/* closed now: a second look adds nothing */
		ck_assert_int_eq(history_end_dangling(&h, 99, "again", &out), 0);
	}
	for (size_t i = 0; i < 3; i++) {
		e = event(100 + (int64_t)i, closed[i], 7);
		ck_assert_int_eq(history_add(&h, &e), 0);
		ck_assert_int_eq(history_end_dangling(&h, 200, "died", &out), 0);
	}
	a = history_read(&h, 100);
	ck_assert_uint_eq(json_object_array_length(a), 7);
	json_object_put(a);
	/* a start followed by a torn line (the exit being written): still open */
	e = event(300, "start", 77);
	ck_assert_int_eq(history_add(&h, &e), 0);
	history_close(&h);
	append_raw("{\"time_ns\":301,\"event\":\"exi");
	ck_assert_int_eq(history_open(&h, dir, "svc", 50), 0);
	ck_assert_int_eq(history_end_dangling(&h, 400, "supervisor died", &out), 1);
	ck_assert_int_eq(out.pid, 77);
	a = history_read(&h, 2);
	ck_assert_uint_eq(json_object_array_length(a), 2);
	ck_assert_str_eq(str_of(a, 0, "event"), "start");
	ck_assert_str_eq(str_of(a, 1, "event"), "exit");
	ck_assert_int_eq(time_of(a, 1), 400);
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
	tcase_add_test(tc, torn_line_does_not_swallow_next);
	tcase_add_test(tc, dangling_start_or_ready_gets_an_exit);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(history_suite());
}
