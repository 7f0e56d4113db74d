/* test_spool.c - the sinks' on-disk spool: order, consumption, survival across
 * a restart, the size bound (oldest dropped and counted), torn records; and
 * the capture format under it, both versions, and the damage its reader
 * must refuse. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "workers/sink/spool.h"
#include "tests/unit/testutil.h"

static char dir[64];

static void setup(void)
{
	(void)snprintf(dir, sizeof(dir), "/tmp/nbpy-spool-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Messages are "m<i>" padded to 100 bytes; reading collects their numbers. */
static void put(struct spool *s, int i)
{
	char p[100] = { 0 };

	(void)snprintf(p, sizeof(p), "m%d", i);
	ck_assert_int_eq(spool_append(s, "topic", p, sizeof(p)), 0);
}

struct got {
	int ids[4096];
	size_t n;
};

static void collect(void *arg, const struct capture_view *v)
{
	struct got *g = arg;

	ck_assert_uint_eq(v->len, 100);
	ck_assert_uint_eq(v->topic_len, 5);
	ck_assert_int_eq(memcmp(v->topic, "topic", 5), 0);
	ck_assert_int_eq(((const char *)v->payload)[0], 'm');
	g->ids[g->n++] = atoi((const char *)v->payload + 1);
}

/* Read and consume everything; returns how many, checking the order. */
static size_t drain(struct spool *s, size_t chunk, int first)
{
	static struct got g;

	g.n = 0;
	for (;;) {
		size_t before = g.n, n = spool_read(s, chunk, collect, &g);

		if (n == 0)
			break;
		ck_assert_uint_eq(g.n - before, n);
		spool_consume(s);
	}
	for (size_t i = 0; i < g.n; i++)
		ck_assert_int_eq(g.ids[i], first + (int)i);
	return g.n;
}

START_TEST(fifo_across_segments)
{
	struct spool s;
	struct got g = { .n = 0 };

	ck_assert_int_eq(spool_open(&s, dir, 1 << 20), 0);	/* 128 KiB segments */
	ck_assert(spool_empty(&s));
	for (int i = 0; i < 3000; i++)	/* ~370 KiB: several segments */
		put(&s, i);
	ck_assert_uint_eq(s.messages, 3000);
	/* read without consuming: the same messages again */
	ck_assert_uint_eq(spool_read(&s, 10, collect, &g), 10);
	ck_assert_uint_eq(spool_read(&s, 10, collect, &g), 10);
	ck_assert_int_eq(g.ids[10], 0);
	ck_assert_uint_eq(s.messages, 3000);
	/* appends while reading go behind */
	ck_assert_uint_eq(drain(&s, 700, 0), 3000);
	ck_assert(spool_empty(&s));
	put(&s, 3000);
	ck_assert_uint_eq(drain(&s, 700, 3000), 1);
	spool_close(&s);
	/* consumed segments are gone from the disk */
	ck_assert_int_eq(spool_open(&s, dir, 1 << 20), 0);
	ck_assert(spool_empty(&s));
	ck_assert_uint_le(s.bytes, 8);
	spool_close(&s);
}
END_TEST

START_TEST(survives_restart)
{
	struct spool s;

	ck_assert_int_eq(spool_open(&s, dir, 1 << 20), 0);
	for (int i = 0; i < 2000; i++)
		put(&s, i);
	ck_assert_int_eq(spool_sync(&s), 0);
	/* consume the first 500, as a sink writing them back would */
	{
		struct got g = { .n = 0 };

		ck_assert_uint_eq(spool_read(&s, 500, collect, &g), 500);
		spool_consume(&s);
	}
	spool_close(&s);
	ck_assert_int_eq(spool_open(&s, dir, 1 << 20), 0);
	/* The position inside a segment is not kept: a restart reads the
	 * oldest segment from its start (stores are idempotent), and never
	 * loses anything behind it. */
	ck_assert_uint_ge(s.messages, 1500);
	ck_assert_uint_le(s.messages, 2000);
	{
		size_t n = drain(&s, 333, 2000 - (int)s.messages);

		ck_assert_uint_ge(n, 1500);
	}
	spool_close(&s);
}
END_TEST

START_TEST(bounded_drops_oldest)
{
	struct spool s;
	size_t n;

	/* 64 KiB segments, 256 KiB in all: ~2000 messages of 126 bytes fit */
	ck_assert_int_eq(spool_open(&s, dir, 256 << 10), 0);
	for (int i = 0; i < 10000; i++)
		put(&s, i);
	ck_assert_uint_le(s.bytes, 256 << 10);
	ck_assert_uint_gt(s.dropped, 7000);
	ck_assert_uint_eq(s.dropped + s.messages, 10000);
	/* what is left is the newest, in order, ending with the last one */
	n = drain(&s, 512, 10000 - (int)s.messages);
	ck_assert_uint_eq(n + s.dropped, 10000);
	spool_close(&s);
}
END_TEST

START_TEST(torn_record_ends_a_segment)
{
	struct spool s;
	char path[128];
	struct stat st;
	int fd;

	ck_assert_int_eq(spool_open(&s, dir, 1 << 20), 0);
	for (int i = 0; i < 10; i++)
		put(&s, i);
	spool_close(&s);
	/* cut the last record in half, as a crash mid-write would */
	(void)snprintf(path, sizeof(path), "%s/%016d.spool", dir, 1);
	ck_assert_int_eq(stat(path, &st), 0);
	fd = open(path, O_WRONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, st.st_size - 50), 0);
	ck_assert_int_eq(close(fd), 0);
	ck_assert_int_eq(spool_open(&s, dir, 1 << 20), 0);
	ck_assert_uint_eq(s.messages, 9);
	put(&s, 9);	/* goes to a new segment, after the torn one */
	ck_assert_uint_eq(drain(&s, 4, 0), 10);
	ck_assert(spool_empty(&s));
	spool_close(&s);
}
END_TEST

/* Files of the first format (zlib CRC-32) are read, and appended to in it. */
START_TEST(capture_v1_read_and_appended)
{
	char path[128];
	struct capture_record r = { .time_ns = 42, .topic = "t", .len = 3 };
	struct capture_file f;
	struct capture_map m;
	struct capture_view v;
	unsigned char rec[8 + 8 + 1 + 1 + 3] = { 0 };
	uint32_t crc, len = 8 + 1 + 1 + 3;
	int fd;

	memcpy(r.payload, "abc", 3);
	(void)snprintf(path, sizeof(path), "%s/old.nbpy", dir);
	rec[8] = 42;
	rec[16] = 1;
	rec[17] = 't';
	memcpy(rec + 18, "xyz", 3);
	crc = (uint32_t)crc32(0L, rec + 8, len);
	for (int i = 0; i < 4; i++) {
		rec[i] = (unsigned char)(len >> (8 * i));
		rec[4 + i] = (unsigned char)(crc >> (8 * i));
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "NBPYCAP1", 8), 8);
	ck_assert_int_eq(write(fd, rec, sizeof(rec)), (int)sizeof(rec));
	ck_assert_int_eq(close(fd), 0);
	ck_assert_int_ge(capture_open_append(path, &f), 0);
	ck_assert(f.v1);
	ck_assert_int_eq(capture_append(&f, &r), 0);
	ck_assert_int_eq(close(f.fd), 0);
	ck_assert_int_eq(capture_map_open(path, &m), 0);
	ck_assert_int_eq(capture_map_next(&m, &v), 1);
	ck_assert_int_eq(memcmp(v.payload, "xyz", 3), 0);
	ck_assert_int_eq(capture_map_next(&m, &v), 1);
	ck_assert_int_eq(memcmp(v.payload, "abc", 3), 0);
	ck_assert_int_eq(capture_map_next(&m, &v), 0);
	capture_map_close(&m);
	/* a new file gets the current format; a stranger is refused */
	(void)snprintf(path, sizeof(path), "%s/new.nbpy", dir);
	ck_assert_int_ge(capture_open_append(path, &f), 0);
	ck_assert(!f.v1);
	ck_assert_int_eq(capture_append(&f, &r), 0);
	ck_assert_int_eq(close(f.fd), 0);
	ck_assert_int_eq(capture_map_open(path, &m), 0);
	ck_assert_int_eq(memcmp(m.data, "NBPYCAP2", 8), 0);
	ck_assert_int_eq(capture_map_next(&m, &v), 1);
	capture_map_close(&m);
	(void)snprintf(path, sizeof(path), "%s/stranger", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_eq(write(fd, "hello world", 11), 11);
	ck_assert_int_eq(close(fd), 0);
	ck_assert_int_eq(capture_open_append(path, &f), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* A capture of n records, topic "t", payloads of len bytes: record i starts
 * at 8 + i * (8 + 8 + 1 + 1 + len). */
static void write_capture(const char *path, int n, size_t len)
{
	struct capture_record r = { .time_ns = 1, .topic = "t", .len = len };
	struct capture_file f;

	ck_assert_int_ge(capture_open_append(path, &f), 0);
	for (int i = 0; i < n; i++) {
		memset(r.payload, 'a' + i, len);
		ck_assert_int_eq(capture_append(&f, &r), 0);
	}
	ck_assert_int_eq(close(f.fd), 0);
}

static void poke(const char *path, off_t at, const void *bytes, size_t n)
{
	int fd = open(path, O_WRONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, bytes, n, at), (ssize_t)n);
	ck_assert_int_eq(close(fd), 0);
}

/* How many records read back before the end (0) or an error (-1). */
static int readable(const char *path, int *last_rc)
{
	struct capture_map m;
	struct capture_view v;
	int n = 0;

	ck_assert_int_eq(capture_map_open(path, &m), 0);
	while ((*last_rc = capture_map_next(&m, &v)) == 1)
		n++;
	capture_map_close(&m);
	return n;
}

/* Damage the length check cannot see: one payload byte flipped in a whole
 * record must fail its CRC, in the reader and in the spool's count; a header
 * cut short and a length past the end of the file are errors, not the end. */
START_TEST(capture_damage_is_refused)
{
	char path[128];
	const size_t rec = 8 + 8 + 1 + 1 + 3;
	unsigned char x = 'Z', far[4] = { 0xff, 0xff, 0, 0 };	/* 65535 bytes */
	struct spool s;
	int rc;

	(void)snprintf(path, sizeof(path), "%s/flip.nbpy", dir);
	write_capture(path, 3, 3);
	ck_assert_int_eq(readable(path, &rc), 3);
	ck_assert_int_eq(rc, 0);
	poke(path, (off_t)(8 + rec + 8 + 8 + 1 + 1 + 1), &x, 1);	/* record 1, payload byte 1 */
	ck_assert_int_eq(readable(path, &rc), 1);
	ck_assert_int_eq(rc, -1);

	(void)snprintf(path, sizeof(path), "%s/short.nbpy", dir);
	write_capture(path, 3, 3);
	ck_assert_int_eq(truncate(path, (off_t)(8 + 2 * rec + 3)), 0);	/* 3 bytes of a header */
	ck_assert_int_eq(readable(path, &rc), 2);
	ck_assert_int_eq(rc, -1);

	/* the last record says 65535 bytes; the file ends at a page boundary:
	 * 8 + (18 + 4058) + 12 = 4096 */
	(void)snprintf(path, sizeof(path), "%s/long.nbpy", dir);
	write_capture(path, 2, 4058);
	ck_assert_int_eq(truncate(path, 4096), 0);
	poke(path, 8 + 18 + 4058, far, sizeof(far));
	ck_assert_int_eq(readable(path, &rc), 1);
	ck_assert_int_eq(rc, -1);

	/* the spool counts what it can read back: the flipped record and what
	 * follows it in its segment are not there */
	ck_assert_int_eq(spool_open(&s, dir, 1 << 20), 0);
	for (int i = 0; i < 3; i++)
		put(&s, i);
	spool_close(&s);
	(void)snprintf(path, sizeof(path), "%s/%016d.spool", dir, 1);
	poke(path, 8 + 8 + 8 + 1 + 5 + 50, &x, 1);	/* record 0, inside its payload */
	ck_assert_int_eq(spool_open(&s, dir, 1 << 20), 0);
	ck_assert_uint_eq(s.messages, 0);
	spool_close(&s);
}
END_TEST

static Suite *spool_suite(void)
{
	Suite *s = suite_create("spool");
	TCase *tc = tcase_create("disk");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, fifo_across_segments);
	tcase_add_test(tc, survives_restart);
	tcase_add_test(tc, bounded_drops_oldest);
	tcase_add_test(tc, torn_record_ends_a_segment);
	tcase_add_test(tc, capture_v1_read_and_appended);
	tcase_add_test(tc, capture_damage_is_refused);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(spool_suite());
}
