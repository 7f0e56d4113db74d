/* streamtest.c - drives the worker runtime's event loop without a service,
 * for tests/integration/runtime_streams.sh: one stream (or one HTTP request)
 * against tests/fakes/fake_stream.py, printing what happens, one line each,
 * with the monotonic time in ms:
 *
 *   MS connect | MS record LEN TEXT | MS drop WHY | MS stats records=N
 *   connects=N drops=N too_long=N cut=N refused=N refused_status=N |
 *   MS http STATUS BODY | MS closed
 *
 *   streamtest [options] URL
 *     --raw              a raw line stream (URL https://host:port or http://)
 *     --cainfo FILE      CA certificate for TLS
 *     --max N            max_record
 *     --idle-ms N        idle watchdog
 *     --backoff-ms A B   reconnect backoff
 *     --refused-ms N     retry after HTTP 401/403
 *     --send LINE        raw: send LINE on every connect (repeatable)
 *     --close-after N    worker_stream_close from inside on_record after N records
 *     --for-ms N         run this long, then print the stats and exit 0
 *     --post BODY        one worker_http POST of BODY instead of a stream
 *     --header H         a request header (repeatable)
 *     --events           the fd and timer self-test instead (no URL)
 *     --hold             the worker_hold / worker_release self-test instead (no URL)
 *
 * Exit status: 0, or 1 when something could not be set up (or a self-test
 * check failed). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <unistd.h>
#include <zmq.h>

#include "common/log.h"
#include "common/timefmt.h"
#include "workers/runtime.h"
#include "workers/runtime_loop.h"

static const char *sends[8];
static size_t n_sends;
static long close_after = -1;
static long records;
static struct worker_stream *stream;
static int64_t t0;

static double ms(void)
{
	return (double)(nbpy_monotonic_ns() - t0) / 1e6;
}

static void on_record(struct worker *w, struct worker_stream *s, const char *rec, size_t len, void *arg)
{
	(void)w;
	(void)arg;
	if (strlen(rec) != len)
		printf("%.1f BAD record not NUL-terminated at its length\n", ms());
	printf("%.1f record %zu %s\n", ms(), len, rec);
	records++;
	if (close_after >= 0 && records == close_after) {
		worker_stream_close(s);
		stream = NULL;
		printf("%.1f closed\n", ms());
	}
	fflush(stdout);
}

static void on_connect(struct worker *w, struct worker_stream *s, void *arg)
{
	(void)w;
	(void)arg;
	printf("%.1f connect\n", ms());
	for (size_t i = 0; i < n_sends; i++)
		if (worker_stream_send(s, sends[i], strlen(sends[i])) < 0)
			printf("%.1f send failed: %s\n", ms(), strerror(errno));
	fflush(stdout);
}

static void on_drop(struct worker *w, struct worker_stream *s, const char *why, void *arg)
{
	(void)w;
	(void)s;
	(void)arg;
	printf("%.1f drop %s\n", ms(), why);
	fflush(stdout);
}

static void finish(struct worker *w, void *arg)
{
	(void)arg;
	if (stream != NULL) {
		const struct worker_stream_stats *st = worker_stream_stats(stream);

		printf("%.1f stats records=%llu connects=%llu drops=%llu too_long=%llu cut=%llu refused=%llu "
		       "refused_status=%ld\n", ms(),
		       (unsigned long long)st->records, (unsigned long long)st->connects,
		       (unsigned long long)st->drops, (unsigned long long)st->too_long,
		       (unsigned long long)st->cut, (unsigned long long)st->refused, st->refused_status);
	}
	fflush(stdout);
	w->stopping = true;
}

static void on_http(struct worker *w, const struct http_result *r, void *arg)
{
	(void)arg;
	printf("%.1f http %ld %s\n", ms(), r->status, r->status ? r->body : r->error);
	fflush(stdout);
	w->stopping = true;
}

/* ---- --events: fds and timers ---- */

static int failures;
static long long periodic_id, victim_id;
static int periodic_fired, victim_fired, oneshot_order[4], n_order, pipe_reads;
static int pipefd[2];

static void expect(bool cond, const char *what)
{
	printf("%s %s\n", cond ? "ok" : "FAIL", what);
	failures += !cond;
}

static void periodic(struct worker *w, void *arg)
{
	(void)arg;
	if (++periodic_fired == 3)
		worker_timer_del(w, periodic_id);	/* deleting itself from its callback */
}

static void victim(struct worker *w, void *arg)
{
	(void)w;
	(void)arg;
	victim_fired++;
}

static void oneshot(struct worker *w, void *arg)
{
	(void)w;
	oneshot_order[n_order++] = (int)(intptr_t)arg;
}

static void on_pipe(struct worker *w, int fd, unsigned events, void *arg)
{
	char c;

	(void)arg;
	if ((events & WORKER_READABLE) && read(fd, &c, 1) == 1)
		pipe_reads++;
	if (pipe_reads == 2)
		worker_unwatch_fd(w, fd);	/* from its own callback */
}

static void write_pipe(struct worker *w, void *arg)
{
	(void)w;
	(void)arg;
	if (write(pipefd[1], "x", 1) != 1)
		failures++;
}

/* A pipe whose read end is numbered above FD_SETSIZE (select's cap), when
 * the limits allow one. */
static int high_pipe(void)
{
	struct rlimit rl;
	int high = FD_SETSIZE + 100;

	if (pipe(pipefd) < 0)
		return -1;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur <= (rlim_t)high && rl.rlim_max > (rlim_t)high + 1) {
		rl.rlim_cur = (rlim_t)high + 1;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (dup2(pipefd[0], high) == high) {
		(void)close(pipefd[0]);
		pipefd[0] = high;
	}
	return 0;
}

static int events_test(struct worker *w)
{
	if (high_pipe() < 0)
		return 1;
	printf("%s the pipe is fd %d (FD_SETSIZE %d)\n", pipefd[0] >= FD_SETSIZE ? "ok" : "note", pipefd[0],
	       FD_SETSIZE);
	periodic_id = worker_timer_add(w, 10 * 1000000, 10 * 1000000, periodic, NULL);
	victim_id = worker_timer_add(w, 30 * 1000000, 0, victim, NULL);
	/* added out of order: they fire by time */
	(void)worker_timer_add(w, 60 * 1000000, 0, oneshot, (void *)3);
	(void)worker_timer_add(w, 20 * 1000000, 0, oneshot, (void *)1);
	(void)worker_timer_add(w, 40 * 1000000, 0, oneshot, (void *)2);
	worker_timer_del(w, victim_id);
	worker_timer_del(w, 999999);	/* unknown: ignored */
	expect(periodic_id > 0 && victim_id > periodic_id, "timer ids are positive and new");
	expect(worker_watch_fd(w, pipefd[0], WORKER_READABLE, on_pipe, NULL) == 0, "watch a pipe");
	expect(worker_watch_fd(w, 12345, WORKER_READABLE, on_pipe, NULL) < 0 && errno == EBADF,
	       "watching a closed fd fails with EBADF");
	(void)worker_timer_add(w, 5 * 1000000, 0, write_pipe, NULL);
	(void)worker_timer_add(w, 15 * 1000000, 0, write_pipe, NULL);
	(void)worker_timer_add(w, 25 * 1000000, 0, write_pipe, NULL);	/* after the unwatch: unread */
	(void)worker_timer_add(w, 200 * 1000000, 0, finish, NULL);
	while (!w->stopping)
		if (worker_loop_turn(w) < 0)
			return 1;
	expect(periodic_fired == 3, "a periodic timer fires until it deletes itself");
	expect(victim_fired == 0, "a deleted timer does not fire");
	expect(n_order == 3 && oneshot_order[0] == 1 && oneshot_order[1] == 2 && oneshot_order[2] == 3,
	       "one-shot timers fire once each, in time order");
	expect(pipe_reads == 2, "the fd callback ran for each byte until it unwatched its fd");
	return failures ? 1 : 0;
}

/* ---- --hold: held messages leave at worker_release, in order ---- */

/* What sub receives, up to max messages (and their topics), counted in *n:
 * the first within wait_ms, the rest while they keep coming. */
static void drain_sub(void *sub, int wait_ms, struct nbpy_msg *got, char topics[][NBPY_TOPIC_MAX + 1],
		      size_t max, size_t *n)
{
	zmq_pollitem_t it = { .socket = sub, .events = ZMQ_POLLIN };
	struct nbpy_msg batch[NBPY_BATCH_MAX];
	char topic[NBPY_TOPIC_MAX + 1];
	struct nbpy_error err;
	size_t k;

	*n = 0;
	while (zmq_poll(&it, 1, wait_ms) == 1) {
		if (nbpy_bus_recv_batch(sub, batch, NBPY_BATCH_MAX, &k, topic, sizeof(topic), NBPY_SCHEMA_NONE,
					ZMQ_DONTWAIT, &err) != 0) {
			expect(false, err.msg);
			return;
		}
		for (size_t i = 0; i < k && *n < max; i++, (*n)++) {
			got[*n] = batch[i];
			strcpy(topics[*n], topic);
		}
		wait_ms = 50;	/* the rest of what was sent */
	}
}

static void tick(struct nbpy_msg *m, double bid)
{
	memset(m, 0, sizeof(*m));
	m->h.schema = NBPY_SCHEMA_EURUSD_TICK;
	m->h.event_ns = m->h.recv_ns = 1700000000000000000LL;
	m->u.eurusd.bid_t0 = bid;
}

static int hold_test(struct worker *w)
{
	static struct nbpy_service svc = { .name = (char *)"holdtest" };
	static struct nbpy_msg got[16];
	static char topics[16][NBPY_TOPIC_MAX + 1];
	void *ctx = zmq_ctx_new(), *sub;
	struct nbpy_msg m;
	size_t n;
	char what[160];

	w->svc = &svc;
	w->name_len = strlen(svc.name);
	w->topic = "own";
	w->wire = NBPY_WIRE_MSGPACK;
	w->sent.e = calloc(WORKER_MAX_STREAMS, sizeof(*w->sent.e));
	if (ctx == NULL || w->sent.e == NULL || (w->pub = zmq_socket(ctx, ZMQ_PUB)) == NULL ||
	    (sub = zmq_socket(ctx, ZMQ_SUB)) == NULL || zmq_bind(w->pub, "inproc://hold") < 0 ||
	    zmq_connect(sub, "inproc://hold") < 0 || zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0) < 0)
		return 1;
	usleep(100000);	/* the subscription reaches the publisher */

	/* one message to a frame: own, x, own held; then one not held */
	worker_hold(w);
	for (int i = 1; i <= 3; i++) {
		tick(&m, i);
		(void)worker_publish(w, &m, i == 2 ? "x" : NULL);
	}
	drain_sub(sub, 200, got, topics, 16, &n);
	expect(n == 0 && w->published == 0 && worker_held_bytes(w) > 0, "held messages do not leave");
	worker_release(w);
	tick(&m, 4);
	(void)worker_publish(w, &m, NULL);
	drain_sub(sub, 1000, got, topics, 16, &n);
	(void)snprintf(what, sizeof(what), "released in order, then one not held: %zu messages, published %llu", n,
		 (unsigned long long)w->published);
	expect(n == 4 && w->published == 4 && worker_held_bytes(w) == 0 && !strcmp(topics[0], "own") &&
		       !strcmp(topics[1], "x") && !strcmp(topics[2], "own") && !strcmp(topics[3], "own") &&
		       got[0].h.seq == 1 && got[1].h.seq == 1 && got[2].h.seq == 2 && got[3].h.seq == 3 &&
		       got[0].u.eurusd.bid_t0 == 1 && got[1].u.eurusd.bid_t0 == 2 && got[2].u.eurusd.bid_t0 == 3 &&
		       got[3].u.eurusd.bid_t0 == 4 && !strcmp(got[1].h.service, "holdtest"),
	       what);

	/* batches of 4: six held on own, one on x, leave as 4 + 2 + 1 */
	if (nbpy_bus_batch_init(&w->batch, 4) < 0)
		return 1;
	worker_hold(w);
	for (int i = 5; i <= 11; i++) {
		tick(&m, i);
		(void)worker_publish(w, &m, i == 11 ? "x" : NULL);
	}
	drain_sub(sub, 200, got, topics, 16, &n);
	expect(n == 0 && w->batch.n == 0, "held messages do not join a batch");
	worker_release(w);
	drain_sub(sub, 1000, got, topics, 16, &n);
	(void)snprintf(what, sizeof(what), "released in batches, in order: %zu messages, published %llu", n,
		 (unsigned long long)w->published);
	expect(n == 7 && w->published == 11 && got[0].h.seq == 4 && got[5].h.seq == 9 && got[6].h.seq == 2 &&
		       got[0].u.eurusd.bid_t0 == 5 && got[5].u.eurusd.bid_t0 == 10 &&
		       got[6].u.eurusd.bid_t0 == 11 && !strcmp(topics[5], "own") && !strcmp(topics[6], "x"),
	       what);
	nbpy_bus_batch_free(&w->batch);
	nbpy_buf_free(&w->held);
	free(w->sent.e);
	zmq_close(sub);
	zmq_close(w->pub);
	w->pub = NULL;
	zmq_ctx_term(ctx);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct worker_loop L = { .ep = -1 };
	struct worker w = { .loop = &L };
	struct worker_stream_spec spec = { .name = "test", .on_record = on_record, .on_connect = on_connect,
					   .on_drop = on_drop };
	const char *headers[8] = { NULL }, *post = NULL;
	size_t n_headers = 0;
	long for_ms = 5000;
	bool events = false, hold = false;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--raw"))
			spec.raw = true;
		else if (!strcmp(argv[i], "--cainfo") && i + 1 < argc)
			spec.cainfo = argv[++i];
		else if (!strcmp(argv[i], "--max") && i + 1 < argc)
			spec.max_record = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--idle-ms") && i + 1 < argc)
			spec.idle_ns = atoll(argv[++i]) * 1000000;
		else if (!strcmp(argv[i], "--refused-ms") && i + 1 < argc)
			spec.refused_retry_ns = atoll(argv[++i]) * 1000000;
		else if (!strcmp(argv[i], "--backoff-ms") && i + 2 < argc) {
			spec.backoff_min_ns = atoll(argv[++i]) * 1000000;
			spec.backoff_max_ns = atoll(argv[++i]) * 1000000;
		} else if (!strcmp(argv[i], "--send") && i + 1 < argc && n_sends < 8)
			sends[n_sends++] = argv[++i];
		else if (!strcmp(argv[i], "--close-after") && i + 1 < argc)
			close_after = atol(argv[++i]);
		else if (!strcmp(argv[i], "--for-ms") && i + 1 < argc)
			for_ms = atol(argv[++i]);
		else if (!strcmp(argv[i], "--post") && i + 1 < argc)
			post = argv[++i];
		else if (!strcmp(argv[i], "--header") && i + 1 < argc && n_headers < 7)
			headers[n_headers++] = argv[++i];
		else if (!strcmp(argv[i], "--events"))
			events = true;
		else if (!strcmp(argv[i], "--hold"))
			hold = true;
		else
			spec.url = argv[i];
	}
	spec.headers = n_headers ? headers : NULL;
	setvbuf(stdout, NULL, _IOLBF, 0);
	nbpy_log_init("streamtest", NBPY_LOG_DEBUG);
	t0 = nbpy_monotonic_ns();
	if (worker_loop_open(&w) < 0)
		return 1;
	if (events || hold) {
		rc = events ? events_test(&w) : hold_test(&w);
		worker_loop_close(&w);
		return rc;
	}
	if (spec.url == NULL) {
		fprintf(stderr, "streamtest: no URL\n");
		rc = 1;
	} else if (post != NULL) {
		const struct http_request req = { .method = "POST", .url = spec.url, .headers = spec.headers,
						  .body = post, .body_len = strlen(post), .timeout_ms = 5000 };

		if (worker_http(&w, &req, on_http, NULL) < 0)
			rc = 1;
	} else if ((stream = worker_stream_open(&w, &spec)) == NULL) {
		fprintf(stderr, "streamtest: worker_stream_open: %s\n", strerror(errno));
		rc = 1;
	}
	if (rc == 0 && worker_timer_add(&w, for_ms * 1000000, 0, finish, NULL) < 0)
		rc = 1;
	while (rc == 0 && !w.stopping)
		if (worker_loop_turn(&w) < 0)
			rc = 1;
	worker_streams_close_all(&w);
	worker_loop_close(&w);
	return rc;
}
