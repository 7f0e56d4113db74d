/* bench/pipeline.c - the two ends of the pipeline benchmark.
 *
 *   pipeline pub-nbpy ENDPOINT N [RATE]      N EURUSD ticks through nbpy's publish path
 *                                            (fill, encode, multipart send), stamped at send
 *   pipeline pub-batch ENDPOINT N K          the same, K ticks packed per frame
 *   pipeline pub-raw ENDPOINT N SIZE [RATE]  N fixed buffers of SIZE bytes (topic + payload)
 *                                            straight through libzmq: the transport's ceiling
 * RATE paces the sender (messages/s) for latency runs; 0 or absent: flat out.
 *   pipeline gen-capture FILE N               a capture of N EURUSD ticks for `replay`
 *   pipeline sub ENDPOINT N nbpy|raw  receive up to N (10 s without a message ends it),
 *                                     decode (nbpy) and count gaps; prints one line:
 *                                     received msgs_per_s p50_us p99_us gaps
 *
 * bench/pipeline.sh runs the pairs side by side with a Python pyzmq + msgpack
 * pair and prints the table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "common/bus.h"
#include "common/capture.h"
#include "common/timefmt.h"

#define HWM 2000000

static void *sock(void *ctx, int type, const char *ep, int bind)
{
	void *s = zmq_socket(ctx, type);
	/* the publisher lingers to flush its queue; a subscriber that lingered
	 * would wait out the 5 s for its subscription to a publisher gone */
	int hwm = HWM, linger = type == ZMQ_PUB ? 5000 : 0;

	if (s == NULL || zmq_setsockopt(s, type == ZMQ_PUB ? ZMQ_SNDHWM : ZMQ_RCVHWM, &hwm, sizeof(hwm)) < 0 ||
	    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger)) < 0 ||
	    (type == ZMQ_SUB && zmq_setsockopt(s, ZMQ_SUBSCRIBE, "", 0) < 0) ||
	    (bind ? zmq_bind(s, ep) : zmq_connect(s, ep)) < 0) {
		fprintf(stderr, "pipeline: %s: %s\n", ep, zmq_strerror(zmq_errno()));
		exit(1);
	}
	return s;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Busy-wait until message i is due at rate per second (0: no pacing). */
static void pace(int64_t start, long i, long rate)
{
	if (rate > 0)
		while (nbpy_monotonic_ns() - start < (int64_t)((double)i * 1e9 / (double)rate))
			;
}

/* The same ticks as pub_nbpy, recorded 1 µs apart, for the replay worker. */
static int gen_capture(const char *path, long n)
{
	struct capture_record *r = malloc(sizeof(*r));
	struct nbpy_msg m;
	struct capture_file f;

	if (r == NULL || capture_open_append(path, &f) < 0)
		return 1;
	memset(&m, 0, sizeof(m));
	m.h.schema = NBPY_SCHEMA_EURUSD_TICK;
	strcpy(m.h.service, "kraken_EURUSD");
	strcpy(m.u.eurusd.instrument_t0, "XZECZUSD");
	strcpy(m.u.eurusd.instrument_t1, "XETHZEUR");
	strcpy(r->topic, "kr_eurusd_tick");
	for (long i = 0; i < n; i++) {
		m.h.seq = (uint64_t)i + 1;
		m.h.event_ns = m.h.recv_ns = 1538079543817645123LL + i * 1000;
		m.u.eurusd.bid_t0 = 1.15956 + (double)(i % 100) * 1e-5;
		m.u.eurusd.ask_t0 = 1.17441;
		m.u.eurusd.bid_t1 = 1.16386;
		m.u.eurusd.ask_t1 = 1.16688 + (double)(i % 100) * 1e-5;
		r->time_ns = m.h.recv_ns;
		if (nbpy_wire_encode(&m, r->payload, sizeof(r->payload), &r->len, NULL) < 0 ||
		    capture_append(&f, r) < 0)
			return 1;
	}
	free(r);
	return close(f.fd) == 0 ? 0 : 1;
}

static void pub_nbpy(void *s, long n, long rate, long k)
{
	int64_t start = nbpy_monotonic_ns();
	char batch[NBPY_BATCH_MAX * NBPY_WIRE_MAX];
	size_t len = 0, one;
	long in_batch = 0;
	struct nbpy_msg m;
	struct nbpy_error err;

	memset(&m, 0, sizeof(m));
	m.h.schema = NBPY_SCHEMA_EURUSD_TICK;
	strcpy(m.h.service, "kraken_EURUSD");
	strcpy(m.u.eurusd.instrument_t0, "XZECZUSD");
	strcpy(m.u.eurusd.instrument_t1, "XETHZEUR");
	for (long i = 0; i < n; i++) {
		pace(start, i, rate);
		m.h.seq = (uint64_t)i + 1;
		m.h.event_ns = m.h.recv_ns = nbpy_now_ns();
		m.u.eurusd.bid_t0 = 1.15956 + (double)(i % 100) * 1e-5;
		m.u.eurusd.ask_t0 = 1.17441;
		m.u.eurusd.bid_t1 = 1.16386;
		m.u.eurusd.ask_t1 = 1.16688 + (double)(i % 100) * 1e-5;
		if (k <= 1) {
			if (nbpy_bus_send(s, "kr_eurusd_tick", &m, NBPY_WIRE_MSGPACK, 0, &err) < 0)
				goto fail;
			continue;
		}
		/* what worker_publish does with batch = k */
		if (nbpy_wire_encode(&m, batch + len, NBPY_WIRE_MAX, &one, &err) < 0)
			goto fail;
		len += one;
		if (++in_batch == k || i == n - 1) {
			if (nbpy_bus_send_frame(s, "kr_eurusd_tick", batch, len, 0, &err) < 0)
				goto fail;
			len = 0;
			in_batch = 0;
		}
	}
	return;
fail:
	fprintf(stderr, "pipeline: %s\n", err.msg);
	exit(1);
}

static void pub_raw(void *s, long n, size_t size, long rate)
{
	int64_t start = nbpy_monotonic_ns();
	char buf[4096];
	const size_t topic = 14;	/* "kr_eurusd_tick" */

	if (size <= topic + 16 || size > sizeof(buf)) {
		fprintf(stderr, "pipeline: SIZE must be 31..4096\n");
		exit(1);
	}
	memset(buf, 'x', sizeof(buf));
	for (long i = 0; i < n; i++) {
		int64_t t, seq = i + 1;

		pace(start, i, rate);
		t = nbpy_now_ns();

		memcpy(buf, &t, 8);
		memcpy(buf + 8, &seq, 8);
		if (zmq_send(s, "kr_eurusd_tick", topic, ZMQ_SNDMORE) < 0 ||
		    zmq_send(s, buf, size - topic, 0) < 0) {
			fprintf(stderr, "pipeline: send: %s\n", zmq_strerror(zmq_errno()));
			exit(1);
		}
	}
}

static void sub(void *s, long n, int nbpy)
{
	int64_t *lat = calloc((size_t)n + NBPY_BATCH_MAX, sizeof(int64_t)), first = 0, last = 0;
	int timeout = 10000;
	long got = 0;
	uint64_t next_seq = 1, gaps = 0;
	char topic[64];
	struct nbpy_msg *batch = malloc(NBPY_BATCH_MAX * sizeof(*batch));
	struct nbpy_error err;

	if (lat == NULL || batch == NULL || zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout, sizeof(timeout)) < 0)
		exit(1);
	while (got < n) {
		int64_t now;
		uint64_t seq;

		if (nbpy) {
			size_t k;
			int rc = nbpy_bus_recv_batch(s, batch, NBPY_BATCH_MAX, &k, topic, sizeof(topic),
						     NBPY_SCHEMA_NONE, 0, &err);

			if (rc == -1)
				break;
			if (rc != 0) {
				fprintf(stderr, "pipeline: bad message: %s\n", err.msg);
				continue;
			}
			if (batch[0].h.schema == NBPY_SCHEMA_ANNOUNCEMENT)
				continue;	/* always a frame of its own */
			now = nbpy_now_ns();
			if (first == 0)
				first = now;
			for (size_t j = 0; j + 1 < k; j++) {
				lat[got++] = now - batch[j].h.recv_ns;
				if (batch[j].h.seq > next_seq)
					gaps += batch[j].h.seq - next_seq;
				next_seq = batch[j].h.seq + 1;
			}
			lat[got] = now - batch[k - 1].h.recv_ns;
			seq = batch[k - 1].h.seq;
		} else {
			char buf[4096];
			int64_t t, sq;

			if (zmq_recv(s, topic, sizeof(topic), 0) < 0 || zmq_recv(s, buf, sizeof(buf), 0) < 16)
				break;
			now = nbpy_now_ns();
			memcpy(&t, buf, 8);
			memcpy(&sq, buf + 8, 8);
			lat[got] = now - t;
			seq = (uint64_t)sq;
		}
		if (first == 0)
			first = now;
		last = now;
		if (seq > next_seq)
			gaps += seq - next_seq;
		next_seq = seq + 1;
		got++;
	}
	qsort(lat, (size_t)got, sizeof(int64_t), cmp64);
	printf("%ld %.0f %.1f %.1f %llu\n", got,
	       got > 1 && last > first ? (double)(got - 1) * 1e9 / (double)(last - first) : 0.0,
	       got ? (double)lat[got / 2] / 1000.0 : 0.0, got ? (double)lat[got * 99 / 100] / 1000.0 : 0.0,
	       (unsigned long long)gaps);
	free(lat);
	free(batch);
}

int main(int argc, char **argv)
{
	void *ctx = zmq_ctx_new(), *s;
	long n;

	if (argc < 4 || ctx == NULL) {
		fprintf(stderr, "usage: pipeline pub-nbpy|pub-raw|sub ENDPOINT N [SIZE|nbpy|raw]\n");
		return 2;
	}
	n = atol(argv[3]);
	if (strcmp(argv[1], "gen-capture") == 0)
		return gen_capture(argv[2], n);
	if (strcmp(argv[1], "sub") == 0) {
		s = sock(ctx, ZMQ_SUB, argv[2], 0);
		sub(s, n, argc > 4 && strcmp(argv[4], "nbpy") == 0);
	} else {
		s = sock(ctx, ZMQ_PUB, argv[2], 1);
		zmq_sleep(1);	/* the subscriber connects */
		if (strcmp(argv[1], "pub-nbpy") == 0)
			pub_nbpy(s, n, argc > 4 ? atol(argv[4]) : 0, 1);
		else if (strcmp(argv[1], "pub-batch") == 0)
			pub_nbpy(s, n, 0, argc > 4 ? atol(argv[4]) : 16);
		else
			pub_raw(s, n, argc > 4 ? (size_t)atol(argv[4]) : 104, argc > 5 ? atol(argv[5]) : 0);
	}
	(void)zmq_close(s);
	(void)zmq_ctx_term(ctx);
	return 0;
}
