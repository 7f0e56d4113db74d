/* bench/trading.c - the ends of the trading benchmark (bench/trading.sh).
 *
 *   trading gen-capture FILE N [K]
 *                                 a capture for `replay`: one OANDA EUR_USD quote, then N
 *                                 synthetic EURUSD ticks (S4) 1 us apart, K to a frame (a
 *                                 batch, as a publisher with batch = K sends them; default 1)
 *   trading pub ENDPOINT N RATE   the same, live: the quote, then the N ticks paced at RATE
 *                                 a second, each stamped with the time it is sent
 *   trading sub ENDPOINT N        receive fills (schema 16) until N, or 10 s without one;
 *                                 prints: fills fills_per_s p50_us p99_us; exits 1 after
 *                                 any bad message (each said on stderr)
 *
 * The ticks alternate between two synthetic levels 0.0048 apart, so that
 * each fires exactly one signal at a threshold of 0.003 (t_bid up, t_ask
 * down) and each signal one paper fill, alternately buying and selling: the
 * position never grows.  A fill's signal id is its tick's event time, so its
 * latency is the time it arrives here minus its signal id (the sender and
 * this program share the clock). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "common/bus.h"
#include "common/capture.h"
#include "common/timefmt.h"

#define HWM 2000000
#define TICK_TOPIC "kr_eurusd_depth"
#define QUOTE_TOPIC "EUR_USD"

static void *sock(void *ctx, int type, const char *ep)
{
	void *s = zmq_socket(ctx, type);
	int hwm = HWM, linger = type == ZMQ_PUB ? 5000 : 0;

	if (s == NULL || zmq_setsockopt(s, type == ZMQ_PUB ? ZMQ_SNDHWM : ZMQ_RCVHWM, &hwm, sizeof(hwm)) < 0 ||
	    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger)) < 0 ||
	    (type == ZMQ_SUB && zmq_setsockopt(s, ZMQ_SUBSCRIBE, "", 0) < 0) ||
	    (type == ZMQ_PUB ? zmq_bind(s, ep) : zmq_connect(s, ep)) < 0) {
		fprintf(stderr, "trading: %s: %s\n", ep, zmq_strerror(zmq_errno()));
		exit(1);
	}
	return s;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static void quote(struct nbpy_msg *m, int64_t t)
{
	memset(m, 0, sizeof(*m));
	m->h.schema = NBPY_SCHEMA_OANDA_PRICE;
	strcpy(m->h.service, "oandav20_tick_topic");
	m->h.seq = 1;
	m->h.event_ns = m->h.recv_ns = t;
	strcpy(m->u.oanda.instrument, "EUR_USD");
	m->u.oanda.bid = m->u.oanda.closeout_bid = 1.1025;
	m->u.oanda.ask = m->u.oanda.closeout_ask = 1.1027;
	m->u.oanda.bid_liquidity = m->u.oanda.ask_liquidity = 10000000;
	m->u.oanda.tradeable = 1;
}

/* Tick i: from one level to the other (i even: up, odd: down). */
static void tick(struct nbpy_msg *m, long i, int64_t t)
{
	static const double level[2][2] = { { 1.1000, 1.1002 }, { 1.1050, 1.1052 } };
	struct nbpy_eurusd_depth *d = &m->u.eurusd_depth;
	int from = (int)(i % 2), to = 1 - from;

	memset(m, 0, sizeof(*m));
	m->h.schema = NBPY_SCHEMA_EURUSD_DEPTH;
	strcpy(m->h.service, "kraken_EURUSD_depth");
	m->h.seq = (uint64_t)i + 1;
	m->h.event_ns = m->h.recv_ns = t;
	strcpy(d->instrument_t0, from ? "XXBTZUSD" : "XXBTZEUR");
	strcpy(d->instrument_t1, to ? "XXBTZUSD" : "XXBTZEUR");
	d->eurusd_bid_t0 = level[from][0];
	d->eurusd_ask_t0 = level[from][1];
	d->eurusd_bid_t1 = level[to][0];
	d->eurusd_ask_t1 = level[to][1];
	d->bid_t0 = d->bid_t1 = 55000.0;
	d->ask_t0 = d->ask_t1 = 55010.0;
	d->bid_volume_t0 = d->ask_volume_t0 = d->bid_volume_t1 = d->ask_volume_t1 = 1.5;
	nbpy_wire_derive(m);
}

static int gen_capture(const char *path, long n, long per_frame)
{
	struct capture_record *r = malloc(sizeof(*r));
	struct nbpy_msg m;
	struct capture_file f;
	struct nbpy_error err;
	int64_t t0 = 1700000000000000000LL;
	size_t len;

	if (per_frame < 1 || per_frame > NBPY_BATCH_MAX || r == NULL || capture_open_append(path, &f) < 0)
		return 1;
	for (long i = -1; i < n; i++) {
		if (i < 0)
			quote(&m, t0);
		else
			tick(&m, i, t0 + (i + 1) * 1000);
		if (i <= 0 || i % per_frame == 0) {	/* a new frame: the quote, then each K ticks */
			strcpy(r->topic, i < 0 ? QUOTE_TOPIC : TICK_TOPIC);
			r->time_ns = m.h.recv_ns;
			r->len = 0;
		}
		if (nbpy_wire_encode(&m, (char *)r->payload + r->len, sizeof(r->payload) - r->len, &len, &err) < 0) {
			fprintf(stderr, "trading: %ld ticks to a frame do not fit a capture record\n", per_frame);
			return 1;
		}
		r->len += len;
		if ((i < 0 || (i + 1) % per_frame == 0 || i + 1 == n) && capture_append(&f, r) < 0) {
			fprintf(stderr, "trading: %s: cannot write\n", path);
			return 1;
		}
	}
	free(r);
	return close(f.fd) < 0;
}

/* A second for the subscribers to connect, the quote, a pause for it to
 * arrive ahead of the ticks, then the ticks. */
static void pub(void *s, long n, long rate)
{
	struct nbpy_msg m;
	struct nbpy_error err;
	int64_t start;

	if (nanosleep(&(struct timespec){ .tv_sec = 1 }, NULL) < 0)
		exit(1);
	quote(&m, nbpy_now_ns());
	if (nbpy_bus_send(s, QUOTE_TOPIC, &m, NBPY_WIRE_MSGPACK, 0, &err) < 0)
		goto fail;
	if (nanosleep(&(struct timespec){ .tv_nsec = 200000000 }, NULL) < 0)
		exit(1);
	start = nbpy_monotonic_ns();
	for (long i = 0; i < n; i++) {
		/* paced by sleeping, not spinning: on a small machine a spinning
		 * sender would take a core from the chain it measures */
		int64_t due = start + (int64_t)((double)i * 1e9 / (double)(rate > 0 ? rate : 1));

		if (rate > 0 && due > nbpy_monotonic_ns() &&
		    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME,
				    &(struct timespec){ .tv_sec = due / NBPY_NS_PER_SEC, .tv_nsec = due % NBPY_NS_PER_SEC },
				    NULL) != 0)
			exit(1);
		tick(&m, i, nbpy_now_ns());
		if (nbpy_bus_send(s, TICK_TOPIC, &m, NBPY_WIRE_MSGPACK, 0, &err) < 0)
			goto fail;
	}
	return;
fail:
	fprintf(stderr, "trading: %s\n", err.msg);
	exit(1);
}

/* Receive one two-frame message (topic, payload) into payload: 1, 0 on a
 * timeout, -1 (reason printed) when it is not one. */
static int recv_payload(void *s, zmq_msg_t *payload)
{
	zmq_msg_t topic;
	int ok;

	if (zmq_msg_init(&topic) < 0 || zmq_msg_init(payload) < 0)
		exit(1);
	if (zmq_msg_recv(&topic, s, 0) < 0) {
		(void)zmq_msg_close(&topic);
		return 0;
	}
	ok = zmq_msg_more(&topic) && zmq_msg_recv(payload, s, 0) >= 0 && !zmq_msg_more(payload);
	(void)zmq_msg_close(&topic);
	if (ok)
		return 1;
	fprintf(stderr, "trading: bad message: not a topic and a payload frame\n");
	while (zmq_msg_more(payload) && zmq_msg_recv(payload, s, 0) >= 0)
		;	/* the rest of it */
	return -1;
}

/* Only the fills are decoded (their signal id gives the latency); the
 * orders, positions and announcements around them in a frame are stepped
 * over by their schema id (nbpy_wire_peek_next), so the measuring end takes
 * little of the machine it shares with what it measures. */
static int sub(void *s, long n)
{
	int64_t *lat = calloc((size_t)n + NBPY_BATCH_MAX, sizeof(int64_t)), first = 0, last = 0;
	int timeout = 1000;
	int64_t idle_since = nbpy_monotonic_ns();
	long got = 0, bad = 0;
	struct nbpy_msg m;
	struct nbpy_error err;

	if (lat == NULL || zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout, sizeof(timeout)) < 0)
		exit(1);
	while (got < n) {
		zmq_msg_t payload;
		int rc = recv_payload(s, &payload);
		int64_t now = nbpy_now_ns(), mono = nbpy_monotonic_ns();
		const char *p = zmq_msg_data(&payload);
		size_t len = zmq_msg_size(&payload), used;
		enum nbpy_schema schema;

		if (rc < 0)
			bad++;
		for (size_t off = 0; rc > 0 && got < n && (off < len || len == 0); off += used) {
			if (len == 0 || nbpy_wire_peek_next(p + off, len - off, &schema, &used, &err) < 0 ||
			    (schema == NBPY_SCHEMA_FILL &&
			     nbpy_wire_decode_next(p + off, len - off, &used, &m, &err) < 0)) {
				fprintf(stderr, "trading: bad message: %s\n", len == 0 ? "empty payload" : err.msg);
				bad++;
				break;	/* the rest of the frame cannot be found */
			}
			if (schema != NBPY_SCHEMA_FILL)
				continue;	/* orders, positions, announcements */
			if (first == 0)
				first = now;
			last = now;
			idle_since = mono;
			lat[got++] = now - m.u.fill.signal_id;
		}
		(void)zmq_msg_close(&payload);
		if (mono - idle_since > 10 * NBPY_NS_PER_SEC)
			break;	/* 10 s without a fill (the trader announces its sequences every second) */
	}
	qsort(lat, (size_t)got, sizeof(int64_t), cmp64);
	printf("%ld %.0f %.1f %.1f\n", got,
	       got > 1 && last > first ? (double)(got - 1) * 1e9 / (double)(last - first) : 0.0,
	       got ? (double)lat[got / 2] / 1000.0 : 0.0, got ? (double)lat[got * 99 / 100] / 1000.0 : 0.0);
	free(lat);
	if (bad > 0)
		fprintf(stderr, "trading: %ld bad messages\n", bad);
	return bad > 0;
}

int main(int argc, char **argv)
{
	void *ctx;
	long n;

	if (argc >= 4 && strcmp(argv[1], "gen-capture") == 0)
		return gen_capture(argv[2], atol(argv[3]), argc >= 5 ? atol(argv[4]) : 1);
	if (argc < 4 || (ctx = zmq_ctx_new()) == NULL) {
		fprintf(stderr, "usage: trading gen-capture FILE N [K] | pub ENDPOINT N RATE | sub ENDPOINT N\n");
		return 2;
	}
	n = atol(argv[3]);
	if (strcmp(argv[1], "pub") == 0 && argc >= 5)
		pub(sock(ctx, ZMQ_PUB, argv[2]), n, atol(argv[4]));
	else if (strcmp(argv[1], "sub") == 0)
		return sub(sock(ctx, ZMQ_SUB, argv[2]), n);
	else
		return 2;
	return 0;
}
