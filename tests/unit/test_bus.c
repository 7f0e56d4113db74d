/* test_bus.c - nbpy messages over real ZeroMQ PUB/SUB sockets (inproc). */
#include <errno.h>
#include <string.h>
#include <zmq.h>

#include "common/bus.h"
#include "common/crc32c.h"
#include "tests/unit/samples.h"
#include "tests/unit/testutil.h"
#include "common/text.h"

struct pair {
	void *ctx, *pub, *sub;
};

static void pair_open(struct pair *p)
{
	int timeout = 2000;

	p->ctx = zmq_ctx_new();
	ck_assert_ptr_nonnull(p->ctx);
	p->pub = zmq_socket(p->ctx, ZMQ_PUB);
	p->sub = zmq_socket(p->ctx, ZMQ_SUB);
	ck_assert_ptr_nonnull(p->pub);
	ck_assert_ptr_nonnull(p->sub);
	ck_assert_int_eq(zmq_bind(p->pub, "inproc://bus-test"), 0);
	ck_assert_int_eq(zmq_connect(p->sub, "inproc://bus-test"), 0);
	ck_assert_int_eq(zmq_setsockopt(p->sub, ZMQ_SUBSCRIBE, "", 0), 0);
	ck_assert_int_eq(zmq_setsockopt(p->sub, ZMQ_RCVTIMEO, &timeout, sizeof(timeout)), 0);
}

static void pair_close(struct pair *p)
{
	int zero = 0;

	ck_assert_int_eq(zmq_setsockopt(p->pub, ZMQ_LINGER, &zero, sizeof(zero)), 0);
	ck_assert_int_eq(zmq_close(p->pub), 0);
	ck_assert_int_eq(zmq_close(p->sub), 0);
	ck_assert_int_eq(zmq_ctx_term(p->ctx), 0);
}

/* The subscription reaches the publisher asynchronously: send until the
 * first message arrives (bounded), then everything after it is in order. */
static void sync_pair(struct pair *p)
{
	for (int i = 0; i < 200; i++) {
		char buf[8];

		ck_assert_int_eq(zmq_send(p->pub, "sync x", 6, 0), 6);
		if (zmq_recv(p->sub, buf, sizeof(buf), ZMQ_DONTWAIT) >= 0) {
			/* drain the extra sync frames already in flight */
			while (zmq_recv(p->sub, buf, sizeof(buf), ZMQ_DONTWAIT) >= 0)
				;
			return;
		}
		(void)zmq_poll(NULL, 0, 5);
	}
	ck_abort_msg("subscription never arrived");
}

START_TEST(msgpack_and_legacy_round_trip)
{
	struct pair p;
	struct nbpy_msg m, out;
	struct nbpy_error err = { 0 };
	char topic[64];

	pair_open(&p);
	sync_pair(&p);
	sample(&m, NBPY_SCHEMA_EURUSD_TICK);
	ck_assert_int_eq(nbpy_bus_send(p.pub, "kr_eurusd_tick", &m, NBPY_WIRE_MSGPACK, 0, &err), 0);
	ck_assert_int_eq(nbpy_bus_send(p.pub, "kr_eurusd_tick", &m, NBPY_WIRE_LEGACY, 0, &err), 0);
	sample(&m, NBPY_SCHEMA_OANDA_PRICE);
	/* a per-instrument legacy topic: the schema comes from the caller */
	ck_assert_int_eq(nbpy_bus_send(p.pub, "EUR_USD", &m, NBPY_WIRE_LEGACY, 0, &err), 0);

	ck_assert_msg(nbpy_bus_recv(p.sub, &out, topic, sizeof(topic), NBPY_SCHEMA_NONE, 0, &err) == 0,
		      "%s", err.msg);
	ck_assert_str_eq(topic, "kr_eurusd_tick");
	ck_assert_str_eq(out.h.service, "kraken_EURUSD");
	ck_assert_uint_eq(out.h.seq, 1234567);
	ck_assert(out.u.eurusd.spread == 0.00302);
	ck_assert_msg(nbpy_bus_recv(p.sub, &out, topic, sizeof(topic), NBPY_SCHEMA_NONE, 0, &err) == 0,
		      "%s", err.msg);
	ck_assert_str_eq(topic, "kr_eurusd_tick");
	ck_assert_str_eq(out.h.service, "");	/* legacy frames carry no header */
	ck_assert(out.u.eurusd.spread_t_ask == 0.00732);
	ck_assert_msg(nbpy_bus_recv(p.sub, &out, topic, sizeof(topic), NBPY_SCHEMA_OANDA_PRICE, 0,
				    &err) == 0, "%s", err.msg);
	ck_assert_str_eq(topic, "EUR_USD");
	ck_assert(out.u.oanda.ask == 1.16401);
	pair_close(&p);
}
END_TEST

START_TEST(bad_messages_are_consumed_and_reported)
{
	struct pair p;
	struct nbpy_msg out;
	struct nbpy_error err = { 0 };
	char topic[64];

	pair_open(&p);
	sync_pair(&p);
	ck_assert_int_eq(zmq_send(p.pub, "t", 1, ZMQ_SNDMORE), 1);
	ck_assert_int_eq(zmq_send(p.pub, "\xc1", 1, 0), 1);
	ck_assert_int_eq(zmq_send(p.pub, "a", 1, ZMQ_SNDMORE), 1);
	ck_assert_int_eq(zmq_send(p.pub, "b", 1, ZMQ_SNDMORE), 1);
	ck_assert_int_eq(zmq_send(p.pub, "c", 1, 0), 1);
	ck_assert_int_eq(zmq_send(p.pub, "nospace", 7, 0), 7);
	ck_assert_int_eq(zmq_send(p.pub, "kr_eurusd_tick X\x01" "1", 18, 0), 18);

	ck_assert_int_eq(nbpy_bus_recv(p.sub, &out, topic, sizeof(topic), 0, 0, &err), NBPY_BUS_BAD_MESSAGE);
	ck_assert_str_eq(err.msg, "not an nbpy message (expected an array)");
	ck_assert_int_eq(nbpy_bus_recv(p.sub, &out, topic, sizeof(topic), 0, 0, &err), NBPY_BUS_BAD_MESSAGE);
	ck_assert_str_eq(err.msg, "more than two frames");
	ck_assert_int_eq(nbpy_bus_recv(p.sub, &out, topic, sizeof(topic), 0, 0, &err), NBPY_BUS_BAD_MESSAGE);
	ck_assert_str_eq(err.msg, "single frame without a topic");
	ck_assert_int_eq(nbpy_bus_recv(p.sub, &out, topic, sizeof(topic), 0, 0, &err), NBPY_BUS_BAD_MESSAGE);
	ck_assert_str_eq(err.msg, "eurusd_tick: 2 fields, expected 9");
	/* nothing left: a transport error, not a bad message */
	ck_assert_int_eq(nbpy_bus_recv(p.sub, &out, topic, sizeof(topic), 0, ZMQ_DONTWAIT, &err), -1);
	ck_assert_int_eq(errno, EAGAIN);
	pair_close(&p);
}
END_TEST

/* Several messages in one payload frame: all delivered, or none if one is bad. */
START_TEST(batch_frames)
{
	struct pair p;
	struct nbpy_msg m, out[NBPY_BATCH_MAX];
	struct nbpy_error err = { 0 };
	char buf[3 * NBPY_WIRE_MAX], topic[64];
	size_t len = 0, n, one;

	pair_open(&p);
	sync_pair(&p);
	for (int i = 0; i < 3; i++) {
		sample(&m, NBPY_SCHEMA_EURUSD_TICK);
		m.h.seq = 10 + (uint64_t)i;
		ck_assert_int_eq(nbpy_wire_encode(&m, buf + len, sizeof(buf) - len, &one, &err), 0);
		len += one;
	}
	ck_assert_int_eq(nbpy_bus_send_frame(p.pub, "kr_eurusd_tick", buf, len, 0, &err), 0);
	ck_assert_int_eq(nbpy_bus_send_frame(p.pub, "kr_eurusd_tick", buf, len, 0, &err), 0);
	buf[len++] = (char)0xc1;	/* a bad tail spoils the frame */
	ck_assert_int_eq(nbpy_bus_send_frame(p.pub, "kr_eurusd_tick", buf, len, 0, &err), 0);

	ck_assert_msg(nbpy_bus_recv_batch(p.sub, out, NBPY_BATCH_MAX, &n, topic, sizeof(topic), 0, 0, &err) == 0,
		      "%s", err.msg);
	ck_assert_uint_eq(n, 3);
	for (int i = 0; i < 3; i++)
		ck_assert_uint_eq(out[i].h.seq, 10 + (uint64_t)i);
	ck_assert(out[2].u.eurusd.spread == 0.00302);
	/* a receiver that takes one message at a time refuses a batch */
	ck_assert_int_eq(nbpy_bus_recv(p.sub, out, topic, sizeof(topic), 0, 0, &err), NBPY_BUS_BAD_MESSAGE);
	ck_assert_str_eq(err.msg, "more than 1 messages in one frame");
	ck_assert_int_eq(nbpy_bus_recv_batch(p.sub, out, NBPY_BATCH_MAX, &n, topic, sizeof(topic), 0, 0, &err),
			 NBPY_BUS_BAD_MESSAGE);
	ck_assert_str_eq(err.msg, "not an nbpy message (expected an array)");
	pair_close(&p);
}
END_TEST

/* The publisher's batch (nbpy_bus_batch_*) and the receiver's slices
 * (nbpy_bus_recv_frame): each message's bytes as received are exactly its
 * own encoding, encoded here one by one. */
START_TEST(batch_builder_and_frame_slices)
{
	struct pair p;
	struct nbpy_bus_batch b;
	struct nbpy_bus_frame frame;
	struct nbpy_bus_slice slices[NBPY_BATCH_MAX];
	struct nbpy_msg m, out[NBPY_BATCH_MAX];
	struct nbpy_error err = { 0 };
	char want[3][NBPY_WIRE_MAX], topic[64];
	size_t want_len[3], n, off = 0;

	pair_open(&p);
	sync_pair(&p);
	ck_assert_int_eq(nbpy_bus_batch_init(&b, 3), 0);
	for (int i = 0; i < 3; i++) {
		sample(&m, i == 1 ? NBPY_SCHEMA_KRAKEN_TICKER : NBPY_SCHEMA_EURUSD_TICK);
		m.h.seq = 20 + (uint64_t)i;
		ck_assert_int_eq(nbpy_wire_encode(&m, want[i], sizeof(want[i]), &want_len[i], &err), 0);
		ck_assert(nbpy_bus_batch_fits(&b, "kr_eurusd_tick"));
		ck_assert_int_eq(nbpy_bus_batch_add(&b, &m, "kr_eurusd_tick", &err), 0);
	}
	ck_assert_uint_eq(b.n, 3);
	ck_assert(!nbpy_bus_batch_fits(&b, "kr_eurusd_tick"));	/* full */
	ck_assert_int_eq(nbpy_bus_batch_send(p.pub, &b, 0, &err), 0);
	ck_assert_uint_eq(b.n, 0);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_int_eq(nbpy_bus_batch_add(&b, &m, "kr_eurusd_tick", &err), 0);
	ck_assert(!nbpy_bus_batch_fits(&b, "other_topic"));	/* one topic per frame */
	nbpy_bus_batch_free(&b);

	ck_assert_msg(nbpy_bus_recv_frame(p.sub, out, slices, NBPY_BATCH_MAX, &n, topic, sizeof(topic), 0, 0,
					  &frame, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(topic, "kr_eurusd_tick");
	ck_assert_uint_eq(n, 3);
	ck_assert_ptr_nonnull(frame.data);
	for (int i = 0; i < 3; i++) {
		ck_assert_uint_eq(out[i].h.seq, 20 + (uint64_t)i);
		ck_assert_uint_eq(slices[i].off, off);
		ck_assert_uint_eq(slices[i].len, want_len[i]);
		ck_assert(memcmp(frame.data + slices[i].off, want[i], want_len[i]) == 0);
		off += want_len[i];
	}
	nbpy_bus_frame_release(&frame);
	ck_assert_ptr_null(frame.data);

	/* a legacy frame: decoded, but no MessagePack bytes to point at */
	ck_assert_int_eq(nbpy_bus_send(p.pub, "kr_eurusd_tick", &out[0], NBPY_WIRE_LEGACY, 0, &err), 0);
	ck_assert_msg(nbpy_bus_recv_frame(p.sub, out, slices, NBPY_BATCH_MAX, &n, topic, sizeof(topic), 0, 0,
					  &frame, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(n, 1);
	ck_assert_ptr_null(frame.data);
	nbpy_bus_frame_release(&frame);
	pair_close(&p);
}
END_TEST

/* docs/wire-format.md, "Legacy frames on receipt". */
START_TEST(legacy_frames_get_a_header_on_receipt)
{
	static const char tick[] = "kr_eurusd_tick XZECZUSD\x01" "1.15956\x01" "1.17441\x01XETHZEUR\x01"
				   "1.16386\x01" "1.16688\x01" "0.00302\x01" "0.01055\x01" "0.00732";
	static const char oanda[] = "oanda_tick EUR_USD\x01" "2018-09-27T20:19:03.817645123Z\x01"
				    "1.16386\x01" "1.16401";
	struct nbpy_bus_origin o = { .endpoint = "tcp://127.0.0.1:5559" };
	struct nbpy_msg m;
	struct nbpy_error err;

	ck_assert_int_eq(nbpy_legacy_decode(tick, strlen(tick), NBPY_SCHEMA_EURUSD_TICK, &m, NULL, 0, &err), 0);
	ck_assert_str_eq(m.h.service, "");
	nbpy_bus_stamp(&o, &m, "kr_eurusd_tick", 1000);
	ck_assert_str_eq(m.h.service, "tcp://127.0.0.1:5559 kr_eurusd_tick");
	ck_assert_uint_eq(m.h.seq, 1);
	ck_assert_int_eq(m.h.event_ns, 1000);
	ck_assert_int_eq(m.h.recv_ns, 1000);
	ck_assert(m.u.eurusd.bid_t1 == 1.16386);
	/* the same clock reading twice: still a later time, the next number */
	ck_assert_int_eq(nbpy_legacy_decode(tick, strlen(tick), NBPY_SCHEMA_EURUSD_TICK, &m, NULL, 0, &err), 0);
	nbpy_bus_stamp(&o, &m, "kr_eurusd_tick", 1000);
	ck_assert_uint_eq(m.h.seq, 2);
	ck_assert_int_eq(m.h.event_ns, 1001);
	/* a frame with its own time keeps it; another topic, the same count */
	ck_assert_int_eq(nbpy_legacy_decode(oanda, strlen(oanda), NBPY_SCHEMA_OANDA_PRICE, &m, NULL, 0, &err), 0);
	nbpy_bus_stamp(&o, &m, "oanda_tick", 5000);
	ck_assert_str_eq(m.h.service, "tcp://127.0.0.1:5559 oanda_tick");
	ck_assert_uint_eq(m.h.seq, 3);
	ck_assert_int_eq(m.h.event_ns, 1538079543817645123LL);
	ck_assert_int_eq(m.h.recv_ns, 5000);
}
END_TEST

START_TEST(long_sources_stay_distinct_and_whole)
{
	char ep[128], full[256], a[NBPY_SERVICE_MAX + 1], b[NBPY_SERVICE_MAX + 1], want[16];
	const char *topic = "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9";	/* 6 x U+00E9 */

	/* 63 bytes exactly: kept as it is */
	(void)snprintf(ep, sizeof(ep), "ipc:///tmp/%047d", 0);
	nbpy_bus_source(ep, "kr_x", a);
	ck_assert_uint_eq(strlen(a), 63);
	ck_assert_int_eq(strncmp(a, ep, strlen(ep)), 0);
	ck_assert_str_eq(a + strlen(ep), " kr_x");
	/* longer (65 bytes): the head, "~" and the CRC-32C of the whole; the
	 * head's 54 bytes would end inside the first U+00E9, so it keeps 53 */
	(void)snprintf(ep, sizeof(ep), "ipc:///tmp/%041d", 0);
	nbpy_bus_source(ep, topic, a);
	(void)snprintf(full, sizeof(full), "%s %s", ep, topic);
	(void)snprintf(want, sizeof(want), "~%08x", (unsigned)nbpy_crc32c_sw(0, full, strlen(full)));
	ck_assert_uint_eq(strlen(a), 62);
	ck_assert(nbpy_utf8_valid(a, strlen(a)));
	ck_assert_str_eq(a + 53, want);
	ck_assert_int_eq(strncmp(a, full, 53), 0);
	/* two that differ only past the cut differ */
	nbpy_bus_source(ep, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa8", b);
	ck_assert_uint_eq(strlen(b), 62);
	ck_assert_str_ne(a, b);
}
END_TEST

/* A publisher that does not drop: at its high-water mark a send without
 * waiting says EAGAIN and sends nothing, and every message that went out
 * arrives whole; a sequence announcement travels like any message. */
START_TEST(no_drop_publisher_says_eagain)
{
	struct pair p;
	struct nbpy_msg m, out;
	struct nbpy_error err = { 0 };
	char topic[64];
	int hwm = 4, one = 1, sent = 0, got = 0;

	p.ctx = zmq_ctx_new();
	ck_assert_ptr_nonnull(p.ctx);
	p.pub = zmq_socket(p.ctx, ZMQ_PUB);
	p.sub = zmq_socket(p.ctx, ZMQ_SUB);
	ck_assert_int_eq(zmq_setsockopt(p.pub, ZMQ_SNDHWM, &hwm, sizeof(hwm)), 0);
	ck_assert_int_eq(zmq_setsockopt(p.sub, ZMQ_RCVHWM, &hwm, sizeof(hwm)), 0);
	ck_assert_int_eq(zmq_setsockopt(p.pub, ZMQ_XPUB_NODROP, &one, sizeof(one)), 0);
	ck_assert_int_eq(zmq_bind(p.pub, "inproc://bus-nodrop"), 0);
	ck_assert_int_eq(zmq_connect(p.sub, "inproc://bus-nodrop"), 0);
	ck_assert_int_eq(zmq_setsockopt(p.sub, ZMQ_SUBSCRIBE, "", 0), 0);
	sync_pair(&p);

	sample(&m, NBPY_SCHEMA_EURUSD_TICK);
	for (; sent < 1000; sent++) {
		m.h.seq = (uint64_t)sent + 1;
		if (nbpy_bus_send(p.pub, "kr_eurusd_tick", &m, NBPY_WIRE_MSGPACK, ZMQ_DONTWAIT, &err) < 0)
			break;
	}
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_lt(sent, 1000);
	ck_assert_int_eq(nbpy_bus_send_raw(p.pub, "x", 1, "y", 1, ZMQ_DONTWAIT), -1);
	ck_assert_int_eq(errno, EAGAIN);
	while (nbpy_bus_recv(p.sub, &out, topic, sizeof(topic), 0, ZMQ_DONTWAIT, &err) == 0) {
		ck_assert_uint_eq(out.h.seq, (uint64_t)got + 1);
		got++;
	}
	ck_assert_int_eq(got, sent);

	memset(&m.h, 0, sizeof(m.h));
	m.h.schema = NBPY_SCHEMA_ANNOUNCEMENT;
	strcpy(m.h.service, "kraken_EURUSD");
	m.h.seq = 77;
	ck_assert_msg(nbpy_bus_send(p.pub, "kr_eurusd_tick", &m, NBPY_WIRE_MSGPACK, 0, &err) == 0, "%s", err.msg);
	ck_assert_msg(nbpy_bus_recv(p.sub, &out, topic, sizeof(topic), 0, 0, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(out.h.schema, NBPY_SCHEMA_ANNOUNCEMENT);
	ck_assert_str_eq(out.h.service, "kraken_EURUSD");
	ck_assert_uint_eq(out.h.seq, 77);
	/* legacy framing has no announcement */
	ck_assert_int_eq(nbpy_bus_send(p.pub, "kr_eurusd_tick", &m, NBPY_WIRE_LEGACY, 0, &err), -1);
	pair_close(&p);
}
END_TEST

static Suite *bus_suite(void)
{
	Suite *s = suite_create("bus");
	TCase *tc = tcase_create("pubsub");

	tcase_add_test(tc, msgpack_and_legacy_round_trip);
	tcase_add_test(tc, bad_messages_are_consumed_and_reported);
	tcase_add_test(tc, batch_frames);
	tcase_add_test(tc, batch_builder_and_frame_slices);
	tcase_add_test(tc, legacy_frames_get_a_header_on_receipt);
	tcase_add_test(tc, long_sources_stay_distinct_and_whole);
	tcase_add_test(tc, no_drop_publisher_says_eagain);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(bus_suite());
}
