/* test_wire.c - the wire codec: MessagePack and legacy text round trips,
 * the JSON view, byte-exact legacy frames from the reference, and hostile
 * input.  Every schema of common/schemas.def goes through each encoding, and
 * through the hand-written known bytes below (tests/unit/test_sink_format.c
 * walks the stores). */
#include <json-c/json.h>
#include <math.h>
#include <msgpack.h>
#include <stdint.h>

#include "common/pyfloat.h"
#include "tests/unit/samples.h"
#include "tests/unit/testutil.h"
#include "common/wire.h"

#define SOH "\x01"

/* Compare the fields one encoding carries, as listed in its table. */
static void assert_fields_equal(const struct nbpy_msg *a, const struct nbpy_msg *b,
				const struct nbpy_field *f, size_t n)
{
	for (size_t i = 0; i < n; i++, f++) {
		const char *pa = (const char *)a + f->offset, *pb = (const char *)b + f->offset;

		switch (f->type) {
		case NBPY_F_STR:
			ck_assert_msg(strcmp(pa, pb) == 0, "%s: '%s' != '%s'", f->name, pa, pb);
			break;
		case NBPY_F_F64:
			ck_assert_msg(*(const double *)pa == *(const double *)pb, "%s: %.17g != %.17g",
				      f->name, *(const double *)pa, *(const double *)pb);
			break;
		case NBPY_F_F64N:	/* undefined stays undefined */
			ck_assert_msg(*(const double *)pa == *(const double *)pb ||
				      (isnan(*(const double *)pa) && isnan(*(const double *)pb)),
				      "%s: %.17g != %.17g", f->name, *(const double *)pa, *(const double *)pb);
			break;
		case NBPY_F_I64:
		case NBPY_F_U64:
		case NBPY_F_RECV_DELTA:
		case NBPY_F_TIME_RFC3339:
		case NBPY_F_RECV_RFC3339:
		case NBPY_F_LAG_SECONDS:
		case NBPY_F_TIME_SECONDS:
		case NBPY_F_TIME_MS:
		case NBPY_F_TIME_ISO:
			ck_assert_msg(*(const int64_t *)pa == *(const int64_t *)pb, "%s: %lld != %lld",
				      f->name, (long long)*(const int64_t *)pa, (long long)*(const int64_t *)pb);
			break;
		case NBPY_F_CHAR:
			ck_assert_int_eq(*pa, *pb);
			break;
		case NBPY_F_LEVELS: {
			uint32_t na = *(const uint32_t *)pa;
			const struct nbpy_book_level *la = (const void *)((const char *)a + f->size);
			const struct nbpy_book_level *lb = (const void *)((const char *)b + f->size);

			ck_assert_uint_eq(na, *(const uint32_t *)pb);
			for (uint32_t j = 0; j < na; j++) {
				ck_assert(la[j].price == lb[j].price);
				ck_assert(la[j].volume == lb[j].volume);
				ck_assert_int_eq(la[j].time_ns, lb[j].time_ns);
			}
			break;
		}
		}
	}
}

static void assert_msgpack_round_trip(const struct nbpy_msg *m)
{
	const struct nbpy_schema_desc *s = nbpy_schema_get(m->h.schema);
	char buf[NBPY_WIRE_MAX], again[NBPY_WIRE_MAX];
	struct nbpy_error err = { 0 };
	struct nbpy_msg out;
	size_t len, len2;

	ck_assert_msg(nbpy_wire_encode(m, buf, sizeof(buf), &len, &err) == 0, "%s: %s", s->name, err.msg);
	memset(&out, 0xa5, sizeof(out));
	ck_assert_msg(nbpy_wire_decode(buf, len, &out, &err) == 0, "%s: %s", s->name, err.msg);
	ck_assert_int_eq(out.h.schema, m->h.schema);
	assert_fields_equal(m, &out, nbpy_header_fields, nbpy_n_header_fields);
	assert_fields_equal(m, &out, s->fields, s->n_fields);
	if (s->n_legacy > 0)	/* derived fields come back too */
		assert_fields_equal(m, &out, s->legacy, s->n_legacy);
	ck_assert_int_eq(nbpy_wire_encode(&out, again, sizeof(again), &len2, &err), 0);
	ck_assert_uint_eq(len, len2);
	ck_assert(memcmp(buf, again, len) == 0);
}

static void assert_legacy_round_trip(const struct nbpy_msg *m)
{
	const struct nbpy_schema_desc *s = nbpy_schema_get(m->h.schema);
	char buf[NBPY_LEGACY_MAX], topic[64];
	struct nbpy_error err = { 0 };
	struct nbpy_msg out;
	size_t len;

	ck_assert_msg(nbpy_legacy_encode(m, NULL, buf, sizeof(buf), &len, &err) == 0, "%s: %s",
		      s->name, err.msg);
	ck_assert_uint_eq(strlen(buf), len);
	ck_assert_msg(nbpy_legacy_decode(buf, len, s->id, &out, topic, sizeof(topic), &err) == 0,
		      "%s: %s (%s)", s->name, err.msg, buf);
	ck_assert_str_eq(topic, s->legacy_topic);
	if (s->n_legacy > 0)
		assert_fields_equal(m, &out, s->legacy, s->n_legacy);
	else
		assert_fields_equal(m, &out, s->fields, s->n_fields);
}

START_TEST(msgpack_round_trip_every_schema)
{
	struct nbpy_msg m;

	sample(&m, (enum nbpy_schema)_i);
	assert_msgpack_round_trip(&m);
}
END_TEST

START_TEST(legacy_round_trip_every_schema)
{
	struct nbpy_msg m;

	sample(&m, (enum nbpy_schema)_i);
	assert_legacy_round_trip(&m);
}
END_TEST

/* Every schema at its limits: empty strings, longest strings, extreme
 * integers, a negative receive delta, the most book levels. */
START_TEST(round_trip_edge_values)
{
	const struct nbpy_schema_desc *s = nbpy_schema_get((enum nbpy_schema)_i);
	struct nbpy_msg m;

	for (int variant = 0; variant < 2; variant++) {
		sample(&m, s->id);
		m.h.seq = variant ? UINT64_MAX : 0;
		m.h.recv_ns = m.h.event_ns - (variant ? 5 : 0);
		for (size_t i = 0; i < s->n_fields; i++) {
			const struct nbpy_field *f = &s->fields[i];
			char *p = (char *)&m + f->offset;

			if (f->type == NBPY_F_STR) {
				memset(p, 'x', f->size - 1);
				p[variant ? f->size - 1 : 0] = '\0';
			} else if (f->type == NBPY_F_I64) {
				*(int64_t *)p = variant ? INT64_MIN : INT64_MAX;
			} else if (f->type == NBPY_F_F64) {
				*(double *)p = variant ? -1.7976931348623157e308 : 4.9e-324;
			} else if (f->type == NBPY_F_F64N) {
				*(double *)p = variant ? NAN : -1.7976931348623157e308;
			} else if (f->type == NBPY_F_LEVELS) {
				struct nbpy_book_level *lv = (void *)((char *)&m + f->size);

				*(uint32_t *)p = variant ? NBPY_BOOK_LEVELS_MAX : 0;
				for (int j = 0; j < NBPY_BOOK_LEVELS_MAX; j++)
					lv[j] = (struct nbpy_book_level){ 1e9 + j, 1e-8 * j, (int64_t)j << 40 };
			}
		}
		memset(m.h.service, 's', variant ? NBPY_SERVICE_MAX : 0);
		m.h.service[variant ? NBPY_SERVICE_MAX : 0] = '\0';
		nbpy_wire_derive(&m);
		assert_msgpack_round_trip(&m);
	}
}
END_TEST

START_TEST(encode_rejects_bad_values)
{
	char buf[NBPY_WIRE_MAX], text[NBPY_LEGACY_MAX];
	struct nbpy_error err;
	struct nbpy_msg m;
	size_t len;

	sample(&m, NBPY_SCHEMA_EURUSD_TICK);
	m.u.eurusd.bid_t1 = NAN;
	ck_assert_int_eq(nbpy_wire_encode(&m, buf, sizeof(buf), &len, &err), -1);
	ck_assert_str_eq(err.msg, "field 'bid_t1': not a finite number");
	ck_assert_int_eq(nbpy_legacy_encode(&m, NULL, text, sizeof(text), &len, &err), -1);

	sample(&m, NBPY_SCHEMA_OANDA_PRICE);
	m.u.oanda.ask = -INFINITY;
	ck_assert_int_eq(nbpy_wire_encode(&m, buf, sizeof(buf), &len, &err), -1);

	/* F64N: NaN is "undefined" and travels; an infinity does not */
	sample(&m, NBPY_SCHEMA_TICK_STATS);
	m.u.tick_stats.mid_std = INFINITY;
	ck_assert_int_eq(nbpy_wire_encode(&m, buf, sizeof(buf), &len, &err), -1);
	ck_assert_str_eq(err.msg, "field 'mid_std': not a finite number");
	ck_assert_int_eq(nbpy_legacy_encode(&m, NULL, text, sizeof(text), &len, &err), -1);

	sample(&m, NBPY_SCHEMA_OANDA_PRICE);
	strcpy(m.u.oanda.instrument, "EUR\xff");
	ck_assert_int_eq(nbpy_wire_encode(&m, buf, sizeof(buf), &len, &err), -1);
	ck_assert_str_eq(err.msg, "field 'instrument': invalid UTF-8");

	/* the length and the UTF-8 found in one pass (pack_str): not
	 * terminated, before or after a byte above 0x7f; invalid UTF-8 past the
	 * first eight bytes; valid UTF-8 there travels */
	sample(&m, NBPY_SCHEMA_OANDA_PRICE);
	memset(m.u.oanda.instrument, 'x', sizeof(m.u.oanda.instrument));
	ck_assert_int_eq(nbpy_wire_encode(&m, buf, sizeof(buf), &len, &err), -1);
	ck_assert_str_eq(err.msg, "field 'instrument': string not terminated");
	m.u.oanda.instrument[9] = (char)0xff;
	ck_assert_int_eq(nbpy_wire_encode(&m, buf, sizeof(buf), &len, &err), -1);
	ck_assert_str_eq(err.msg, "field 'instrument': string not terminated");
	strcpy(m.u.oanda.instrument, "EUR_USD_\xc3\xa9\xe2\x82");
	ck_assert_int_eq(nbpy_wire_encode(&m, buf, sizeof(buf), &len, &err), -1);
	ck_assert_str_eq(err.msg, "field 'instrument': invalid UTF-8");
	strcpy(m.u.oanda.instrument, "EUR_USD_\xc3\xa9\xe2\x82\xac_x");
	assert_msgpack_round_trip(&m);

	sample(&m, NBPY_SCHEMA_OANDA_PRICE);
	strcpy(m.u.oanda.instrument, "EUR" SOH "USD");
	ck_assert_int_eq(nbpy_legacy_encode(&m, NULL, text, sizeof(text), &len, &err), -1);
	ck_assert_str_eq(err.msg, "field 'instrument': contains the SOH separator");

	sample(&m, NBPY_SCHEMA_OANDA_PRICE);
	ck_assert_int_eq(nbpy_legacy_encode(&m, "two words", text, sizeof(text), &len, &err), -1);

	sample(&m, NBPY_SCHEMA_BOOK_TOP);
	m.u.book.n_bids = NBPY_BOOK_LEVELS_MAX + 1;
	ck_assert_int_eq(nbpy_wire_encode(&m, buf, sizeof(buf), &len, &err), -1);
	ck_assert_str_eq(err.msg, "field 'bids': 33 levels, at most 32");

	sample(&m, NBPY_SCHEMA_TRADE);
	m.u.trade.side = ' ';
	ck_assert_int_eq(nbpy_wire_encode(&m, buf, sizeof(buf), &len, &err), -1);

	sample(&m, NBPY_SCHEMA_KRAKEN_TICKER);
	ck_assert_int_eq(nbpy_wire_encode(&m, buf, 20, &len, &err), -1);	/* buffer too small */
	m.h.schema = (enum nbpy_schema)99;
	ck_assert_int_eq(nbpy_wire_encode(&m, buf, sizeof(buf), &len, &err), -1);
}
END_TEST

/* The seed's "Kraken EURUSD tick": 92 bytes in MessagePack was the claim. */
START_TEST(eurusd_tick_fits_92_bytes)
{
	char buf[NBPY_WIRE_MAX];
	struct nbpy_msg m;
	size_t len;

	sample(&m, NBPY_SCHEMA_EURUSD_TICK);
	ck_assert_int_eq(nbpy_wire_encode(&m, buf, sizeof(buf), &len, NULL), 0);
	ck_assert_uint_le(len, 92);
	/* It starts [schema 4, version 1, "kraken_EURUSD", ...]. */
	ck_assert_int_eq((unsigned char)buf[0], 0x9c);	/* fixarray of 12 */
	ck_assert_int_eq(buf[1], 4);
	ck_assert_int_eq(buf[2], 1);
	ck_assert(memcmp(buf + 3, "\xad" "kraken_EURUSD", 14) == 0);
}
END_TEST

/* The example bytes printed in docs/wire-format.md. */
START_TEST(eurusd_tick_documented_bytes)
{
	static const char *const doc_hex =
		"9c0401ad6b72616b656e5f455552555344ce0012d687cf15585b322d8bac43ce"
		"000249f0a8585a45435a555344cb3ff28d8ec95bff04cb3ff2ca6223e18698a8"
		"584554485a455552cb3ff29f2ba9d1f601cb3ff2ab8a5ce5b424";
	char buf[NBPY_WIRE_MAX], hex[2 * NBPY_WIRE_MAX + 1];
	struct nbpy_msg m;
	size_t len;

	sample(&m, NBPY_SCHEMA_EURUSD_TICK);
	ck_assert_int_eq(nbpy_wire_encode(&m, buf, sizeof(buf), &len, NULL), 0);
	for (size_t i = 0; i < len; i++)
		(void)snprintf(hex + 2 * i, 3, "%02x", (unsigned char)buf[i]);
	ck_assert_uint_eq(len, 90);
	ck_assert_str_eq(hex, doc_hex);
}
END_TEST

/* The sequence announcement of docs/wire-format.md, byte for byte (hand
 * encoded from the documented layout), and the header peek. */
START_TEST(announcement_documented_bytes)
{
	static const char *const doc_hex =
		"960001ad6b72616b656e5f455552555344ce0012d687cf15585b322d8bac4300";
	char buf[NBPY_WIRE_MAX], hex[2 * NBPY_WIRE_MAX + 1];
	struct nbpy_msg m, out;
	struct nbpy_error err = { 0 };
	const char *service;
	size_t len, service_len;
	uint64_t seq;

	memset(&m, 0, sizeof(m));
	m.h.schema = NBPY_SCHEMA_ANNOUNCEMENT;
	strcpy(m.h.service, "kraken_EURUSD");
	m.h.seq = 1234567;
	m.h.event_ns = m.h.recv_ns = 1538079543817645123LL;
	ck_assert_msg(nbpy_wire_encode(&m, buf, sizeof(buf), &len, &err) == 0, "%s", err.msg);
	for (size_t i = 0; i < len; i++)
		(void)snprintf(hex + 2 * i, 3, "%02x", (unsigned char)buf[i]);
	ck_assert_str_eq(hex, doc_hex);
	ck_assert_msg(nbpy_wire_decode(buf, len, &out, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(out.h.schema, NBPY_SCHEMA_ANNOUNCEMENT);
	ck_assert_str_eq(out.h.service, "kraken_EURUSD");
	ck_assert_uint_eq(out.h.seq, 1234567);
	ck_assert_int_eq(out.h.event_ns, 1538079543817645123LL);
	/* a body on an announcement is a wrong element count */
	buf[0] = (char)0x97;
	buf[len] = 0x01;
	ck_assert_int_eq(nbpy_wire_decode(buf, len + 1, &out, &err), -1);

	sample(&m, NBPY_SCHEMA_EURUSD_TICK);
	ck_assert_int_eq(nbpy_wire_encode(&m, buf, sizeof(buf), &len, NULL), 0);
	ck_assert_int_eq(nbpy_wire_peek_sequence(buf, len, &service, &service_len, &seq), 0);
	ck_assert_uint_eq(service_len, 13);
	ck_assert(memcmp(service, "kraken_EURUSD", 13) == 0);
	ck_assert_uint_eq(seq, 1234567);
	for (size_t cut = 0; cut < 22; cut++)	/* the header ends at byte 22 */
		ck_assert_int_eq(nbpy_wire_peek_sequence(buf, cut, &service, &service_len, &seq), -1);
	ck_assert_int_eq(nbpy_wire_peek_sequence("\x93\x01\x01\x05", 4, &service, &service_len, &seq), -1);
}
END_TEST

/* ---- known bytes for every schema, independent of the codec's tables ----
 * doc_pack() writes a message with msgpack-c in the order docs/wire-format.md
 * lists, member by member, spelled out here by hand (schema ids too), so a
 * field table that swaps, drops or misplaces a field disagrees with it. */

static void pack_text(msgpack_packer *pk, const char *s, size_t n)
{
	ck_assert_int_eq(msgpack_pack_str(pk, n), 0);
	ck_assert_int_eq(msgpack_pack_str_body(pk, s, n), 0);
}

#define P_STR(s) pack_text(pk, (s), strlen(s))
#define P_CHR(c) pack_text(pk, &(c), 1)
#define P_F64(x) ck_assert_int_eq(msgpack_pack_double(pk, (x)), 0)
#define P_INT(x) ck_assert_int_eq(msgpack_pack_int64(pk, (x)), 0)
#define P_F64N(x) ck_assert_int_eq(isnan(x) ? msgpack_pack_nil(pk) : msgpack_pack_double(pk, (x)), 0)

/* The layout version docs/wire-format.md gives a schema: 1, but for those
 * listed here. */
static int doc_version(int schema)
{
	switch (schema) {
	case 8: return 2;	/* betfair_market: one runner per message */
	case 9: return 2;	/* sentiment: VADER's four scores, author, place, rule tags */
	default: return 1;
	}
}

static void pack_doc_header(msgpack_packer *pk, int schema, const struct nbpy_msg *m, size_t n_body)
{
	ck_assert_int_eq(msgpack_pack_array(pk, 6 + n_body), 0);
	P_INT(schema);
	P_INT(doc_version(schema));
	P_STR(m->h.service);
	ck_assert_int_eq(msgpack_pack_uint64(pk, m->h.seq), 0);
	P_INT(m->h.event_ns);
	P_INT(m->h.recv_ns - m->h.event_ns);
}

static void pack_doc_levels(msgpack_packer *pk, const struct nbpy_book_level *lv, uint32_t n)
{
	ck_assert_int_eq(msgpack_pack_array(pk, n), 0);
	for (uint32_t i = 0; i < n; i++) {
		ck_assert_int_eq(msgpack_pack_array(pk, 3), 0);
		P_F64(lv[i].price);
		P_F64(lv[i].volume);
		P_INT(lv[i].time_ns);
	}
}

static void pack_doc_body(msgpack_packer *pk, int schema, const struct nbpy_msg *m)
{
	switch (schema) {
	case 1: {
		const struct nbpy_kraken_ticker *t = &m->u.ticker;

		pack_doc_header(pk, 1, m, 20);
		P_STR(t->instrument);
		P_F64(t->ask_price);
		P_INT(t->ask_whole_lot_volume);
		P_F64(t->ask_lot_volume);
		P_F64(t->bid_price);
		P_INT(t->bid_whole_lot_volume);
		P_F64(t->bid_lot_volume);
		P_F64(t->last_trade_price);
		P_F64(t->last_trade_lot_volume);
		P_F64(t->volume_today);
		P_F64(t->volume_24h);
		P_F64(t->vwap_today);
		P_F64(t->vwap_24h);
		P_INT(t->trades_today);
		P_INT(t->trades_24h);
		P_F64(t->low_today);
		P_F64(t->low_24h);
		P_F64(t->high_today);
		P_F64(t->high_24h);
		P_F64(t->opening_price);
		break;
	}
	case 2:
		pack_doc_header(pk, 2, m, 3);
		P_STR(m->u.book.instrument);
		pack_doc_levels(pk, m->u.book.bids, m->u.book.n_bids);
		pack_doc_levels(pk, m->u.book.asks, m->u.book.n_asks);
		break;
	case 3:
		pack_doc_header(pk, 3, m, 7);
		P_STR(m->u.trade.instrument);
		P_F64(m->u.trade.price);
		P_F64(m->u.trade.volume);
		P_CHR(m->u.trade.side);
		P_CHR(m->u.trade.order_type);
		P_STR(m->u.trade.misc);
		P_INT(m->u.trade.trade_id);
		break;
	case 4:
		pack_doc_header(pk, 4, m, 6);
		P_STR(m->u.eurusd.instrument_t0);
		P_F64(m->u.eurusd.bid_t0);
		P_F64(m->u.eurusd.ask_t0);
		P_STR(m->u.eurusd.instrument_t1);
		P_F64(m->u.eurusd.bid_t1);
		P_F64(m->u.eurusd.ask_t1);
		break;
	case 5: {
		const struct nbpy_eurusd_depth *d = &m->u.eurusd_depth;

		pack_doc_header(pk, 5, m, 14);
		P_STR(d->instrument_t0);
		P_F64(d->eurusd_bid_t0);
		P_F64(d->eurusd_ask_t0);
		P_F64(d->bid_t0);
		P_F64(d->bid_volume_t0);
		P_F64(d->ask_t0);
		P_F64(d->ask_volume_t0);
		P_STR(d->instrument_t1);
		P_F64(d->eurusd_bid_t1);
		P_F64(d->eurusd_ask_t1);
		P_F64(d->bid_t1);
		P_F64(d->bid_volume_t1);
		P_F64(d->ask_t1);
		P_F64(d->ask_volume_t1);
		break;
	}
	case 6:
		pack_doc_header(pk, 6, m, 8);
		P_STR(m->u.oanda.instrument);
		P_F64(m->u.oanda.bid);
		P_F64(m->u.oanda.ask);
		P_INT(m->u.oanda.bid_liquidity);
		P_INT(m->u.oanda.ask_liquidity);
		P_F64(m->u.oanda.closeout_bid);
		P_F64(m->u.oanda.closeout_ask);
		P_INT(m->u.oanda.tradeable);
		break;
	case 7:
		pack_doc_header(pk, 7, m, 1);
		P_STR(m->u.heartbeat.source);
		break;
	case 8: {
		const struct nbpy_betfair_mc *b = &m->u.betfair;

		pack_doc_header(pk, 8, m, 19);
		P_STR(b->market_id);
		P_INT(b->selection_id);
		P_F64(b->handicap);
		P_STR(b->market_status);
		P_INT(b->in_play);
		P_F64N(b->back_price_0);
		P_F64N(b->back_size_0);
		P_F64N(b->back_price_1);
		P_F64N(b->back_size_1);
		P_F64N(b->back_price_2);
		P_F64N(b->back_size_2);
		P_F64N(b->lay_price_0);
		P_F64N(b->lay_size_0);
		P_F64N(b->lay_price_1);
		P_F64N(b->lay_size_1);
		P_F64N(b->lay_price_2);
		P_F64N(b->lay_size_2);
		P_F64(b->traded_volume);
		P_F64N(b->last_traded);
		break;
	}
	case 9: {
		const struct nbpy_sentiment *t = &m->u.sentiment;

		pack_doc_header(pk, 9, m, 19);
		P_STR(t->id);
		P_STR(t->lang);
		P_STR(t->time_zone);
		P_STR(t->geohash);
		P_STR(t->user);
		P_STR(t->author_id);
		P_INT(t->followers);
		P_INT(t->statuses);
		P_INT(t->retweets);
		P_F64(t->compound);
		P_F64(t->pos);
		P_F64(t->neu);
		P_F64(t->neg);
		P_STR(t->location);
		P_STR(t->place);
		P_F64N(t->lat);
		P_F64N(t->lon);
		P_STR(t->rules);
		P_STR(t->text);
		break;
	}
	case 10: {
		const struct nbpy_oanda_transaction *t = &m->u.oanda_txn;

		pack_doc_header(pk, 10, m, 12);
		P_INT(t->id);
		P_STR(t->type);
		P_STR(t->account);
		P_STR(t->batch_id);
		P_STR(t->order_id);
		P_STR(t->trade_id);
		P_STR(t->instrument);
		P_STR(t->units);
		P_STR(t->price);
		P_STR(t->reason);
		P_STR(t->pl);
		P_STR(t->financing);
		break;
	}
	case 11: {
		const struct nbpy_tick_stats *t = &m->u.tick_stats;

		pack_doc_header(pk, 11, m, 13);
		P_STR(t->instrument);
		P_INT(t->window);
		P_INT(t->window_time);
		P_INT(t->count);
		P_F64N(t->mid_mean);
		P_F64N(t->mid_std);
		P_F64N(t->mid_min);
		P_F64N(t->mid_max);
		P_F64N(t->spread_mean);
		P_F64N(t->spread_std);
		P_F64N(t->spread_min);
		P_F64N(t->spread_max);
		P_F64N(t->vwap);
		break;
	}
	case 12: {
		const struct nbpy_exposure *t = &m->u.exposure;

		pack_doc_header(pk, 12, m, 13);
		P_STR(t->instrument);
		P_STR(t->base_ccy);
		P_STR(t->term_ccy);
		P_INT(t->bid_tier_id);
		P_F64(t->top_bid);
		P_F64(t->top_bid_volume);
		P_F64(t->bid_base_amount);
		P_F64(t->bid_term_amount);
		P_INT(t->ask_tier_id);
		P_F64(t->top_ask);
		P_F64(t->top_ask_volume);
		P_F64(t->ask_base_amount);
		P_F64(t->ask_term_amount);
		break;
	}
	case 13: {
		const struct nbpy_signal *t = &m->u.signal;

		pack_doc_header(pk, 13, m, 18);
		P_INT(t->id);
		P_STR(t->rule);
		P_CHR(t->side);
		P_STR(t->instrument);
		P_F64(t->size);
		P_F64(t->price);
		P_F64(t->threshold);
		P_STR(t->instrument_t0);
		P_F64(t->eurusd_bid_t0);
		P_F64(t->eurusd_ask_t0);
		P_STR(t->instrument_t1);
		P_F64(t->eurusd_bid_t1);
		P_F64(t->eurusd_ask_t1);
		P_F64(t->spread);
		P_F64(t->spread_t_bid);
		P_F64(t->spread_t_ask);
		P_F64N(t->oanda_bid);
		P_F64N(t->oanda_ask);
		break;
	}
	case 14: {
		const struct nbpy_basket *t = &m->u.basket;

		pack_doc_header(pk, 14, m, 28);
		P_STR(t->msgtype);
		P_STR(t->instrument_t0);
		P_F64(t->eurusd_bid_t0);
		P_F64(t->eurusd_ask_t0);
		P_F64(t->bid_t0);
		P_F64(t->bid_volume_t0);
		P_F64(t->ask_t0);
		P_F64(t->ask_volume_t0);
		P_STR(t->instrument_t1);
		P_F64(t->eurusd_bid_t1);
		P_F64(t->eurusd_ask_t1);
		P_F64(t->bid_t1);
		P_F64(t->bid_volume_t1);
		P_F64(t->ask_t1);
		P_F64(t->ask_volume_t1);
		P_F64(t->spread);
		P_F64(t->spread_t_bid);
		P_F64(t->spread_t_ask);
		P_STR(t->instrument_t0_cross);
		P_F64N(t->bid_t0_cross);
		P_F64N(t->ask_t0_cross);
		P_STR(t->instrument_t1_cross);
		P_F64N(t->bid_t1_cross);
		P_F64N(t->ask_t1_cross);
		P_STR(t->side_t0);
		P_STR(t->side_cross_t0);
		P_STR(t->side_t1);
		P_STR(t->side_cross_t1);
		break;
	}
	case 15: {
		const struct nbpy_order *t = &m->u.order;

		pack_doc_header(pk, 15, m, 12);
		P_STR(t->client_id);
		P_INT(t->signal_id);
		P_STR(t->mode);
		P_STR(t->instrument);
		P_CHR(t->side);
		P_F64(t->units);
		P_F64N(t->price);
		P_F64N(t->take_profit);
		P_F64N(t->stop_loss);
		P_STR(t->state);
		P_STR(t->reason);
		P_STR(t->broker_id);
		break;
	}
	case 16: {
		const struct nbpy_fill *t = &m->u.fill;

		pack_doc_header(pk, 16, m, 11);
		P_STR(t->client_id);
		P_INT(t->signal_id);
		P_STR(t->mode);
		P_STR(t->instrument);
		P_CHR(t->side);
		P_F64(t->units);
		P_F64(t->price);
		P_F64(t->fee);
		P_F64(t->realised_pl);
		P_STR(t->currency);
		P_STR(t->broker_id);
		break;
	}
	case 17: {
		const struct nbpy_position *t = &m->u.position;

		pack_doc_header(pk, 17, m, 9);
		P_STR(t->instrument);
		P_STR(t->mode);
		P_F64(t->units);
		P_F64N(t->average_price);
		P_F64N(t->mark);
		P_F64(t->realised_pl);
		P_F64N(t->unrealised_pl);
		P_F64(t->fees);
		P_STR(t->currency);
		break;
	}
	default:
		ck_abort_msg("schema %d: not in docs/wire-format.md", schema);
	}
}

#undef P_STR
#undef P_CHR
#undef P_F64
#undef P_INT
#undef P_F64N

/* m packed as the doc says, into out (at most cap bytes); returns its size. */
static size_t doc_pack(int schema, const struct nbpy_msg *m, char *out, size_t cap)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	size_t len;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	pack_doc_body(&pk, schema, m);
	len = sb.size;
	ck_assert_uint_le(len, cap);
	memcpy(out, sb.data, len);
	msgpack_sbuffer_destroy(&sb);
	return len;
}

static void hex_of(const char *buf, size_t len, char *hex)
{
	for (size_t i = 0; i < len; i++)
		(void)snprintf(hex + 2 * i, 3, "%02x", (unsigned char)buf[i]);
	hex[2 * len] = '\0';
}

/* Per schema: nbpy encodes the hand-written sample to exactly the doc's
 * bytes, and decodes the doc's bytes back to the same members. */
START_TEST(every_schema_documented_layout)
{
	char want[NBPY_WIRE_MAX], got[NBPY_WIRE_MAX], again[NBPY_WIRE_MAX];
	char want_hex[2 * NBPY_WIRE_MAX + 1], got_hex[2 * NBPY_WIRE_MAX + 1];
	struct nbpy_error err = { 0 };
	struct nbpy_msg m, out;
	size_t want_len, got_len, again_len;

	sample(&m, (enum nbpy_schema)_i);
	if (_i == 5)	/* the sample's two bid volumes are equal: distinct ones show a swap */
		m.u.eurusd_depth.bid_volume_t1 = 0.75;
	want_len = doc_pack(_i, &m, want, sizeof(want));
	ck_assert_msg(nbpy_wire_encode(&m, got, sizeof(got), &got_len, &err) == 0, "%s", err.msg);
	hex_of(want, want_len, want_hex);
	hex_of(got, got_len, got_hex);
	ck_assert_str_eq(got_hex, want_hex);

	memset(&out, 0x5a, sizeof(out));
	ck_assert_msg(nbpy_wire_decode(want, want_len, &out, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(out.h.schema, _i);
	ck_assert_int_eq(out.h.recv_ns, m.h.recv_ns);
	again_len = doc_pack(_i, &out, again, sizeof(again));
	hex_of(again, again_len, got_hex);
	ck_assert_str_eq(got_hex, want_hex);
}
END_TEST

/* The JSON view of every field of every schema: the value's type follows
 * the field's, and scalars read back as the member. */
START_TEST(json_view_every_schema)
{
	const struct nbpy_schema_desc *s = nbpy_schema_get(_i);
	struct nbpy_msg m;

	sample(&m, (enum nbpy_schema)_i);
	for (size_t i = 0; i < s->n_fields; i++) {
		const struct nbpy_field *f = &s->fields[i];
		const char *p = (const char *)&m + f->offset;
		struct json_object *o = nbpy_wire_field_json(&m, f);

		if (f->type == NBPY_F_F64N && isnan(*(const double *)p)) {
			ck_assert_msg(o == NULL, "%s.%s: undefined is not JSON null", s->name, f->name);
			continue;
		}
		ck_assert_msg(o != NULL, "%s.%s: no JSON", s->name, f->name);
		switch (f->type) {
		case NBPY_F_STR:
			ck_assert_str_eq(json_object_get_string(o), p);
			break;
		case NBPY_F_CHAR:
			ck_assert_int_eq(json_object_get_string_len(o), 1);
			ck_assert_int_eq(json_object_get_string(o)[0], *p);
			break;
		case NBPY_F_F64:
		case NBPY_F_F64N:
			ck_assert(json_object_is_type(o, json_type_double));
			ck_assert(json_object_get_double(o) == *(const double *)p);
			break;
		case NBPY_F_I64:
			ck_assert(json_object_is_type(o, json_type_int));
			ck_assert_int_eq(json_object_get_int64(o), *(const int64_t *)p);
			break;
		case NBPY_F_LEVELS:
			ck_assert(json_object_is_type(o, json_type_array));
			ck_assert_uint_eq(json_object_array_length(o), *(const uint32_t *)p);
			break;
		default:
			ck_abort_msg("%s.%s: type %d not expected in a body", s->name, f->name, f->type);
		}
		json_object_put(o);
	}
}
END_TEST

/* The derived spreads of the decoded reference tick, as the doc's legacy
 * example frame shows them. */
START_TEST(eurusd_tick_documented_spreads)
{
	static const char *const doc_hex =
		"9c0401ad6b72616b656e5f455552555344ce0012d687cf15585b322d8bac43ce"
		"000249f0a8585a45435a555344cb3ff28d8ec95bff04cb3ff2ca6223e18698a8"
		"584554485a455552cb3ff29f2ba9d1f601cb3ff2ab8a5ce5b424";
	char buf[NBPY_WIRE_MAX];
	struct nbpy_error err = { 0 };
	struct nbpy_msg m;
	size_t len = strlen(doc_hex) / 2;

	for (size_t i = 0; i < len; i++)
		ck_assert_int_eq(sscanf(doc_hex + 2 * i, "%2hhx", (unsigned char *)&buf[i]), 1);
	ck_assert_msg(nbpy_wire_decode(buf, len, &m, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(m.h.service, "kraken_EURUSD");
	ck_assert_uint_eq(m.h.seq, 1234567);
	ck_assert_int_eq(m.h.event_ns, 1538079543817645123LL);
	ck_assert_int_eq(m.h.recv_ns, 1538079543817645123LL + 150000);
	ck_assert_str_eq(m.u.eurusd.instrument_t0, "XZECZUSD");
	ck_assert(m.u.eurusd.bid_t0 == 1.15956);
	ck_assert(m.u.eurusd.ask_t0 == 1.17441);
	ck_assert_str_eq(m.u.eurusd.instrument_t1, "XETHZEUR");
	ck_assert(m.u.eurusd.bid_t1 == 1.16386);
	ck_assert(m.u.eurusd.ask_t1 == 1.16688);
	ck_assert(m.u.eurusd.spread == 0.00302);
	ck_assert(m.u.eurusd.spread_t_bid == 0.01055);
	ck_assert(m.u.eurusd.spread_t_ask == 0.00732);
}
END_TEST

/* ---- legacy frames from the reference, byte for byte ---- */

static void assert_legacy_bytes(const struct nbpy_msg *m, const char *expected)
{
	char buf[NBPY_LEGACY_MAX];
	struct nbpy_error err = { 0 };
	size_t len;

	ck_assert_msg(nbpy_legacy_encode(m, NULL, buf, sizeof(buf), &len, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(buf, expected);
}

/* The lag is the exact difference of the two times: subtracting them as
 * doubles (256 ns apart at 2018's epoch ns) wrote 0.000150016 here. */
START_TEST(legacy_heartbeat_lag_is_exact)
{
	struct nbpy_msg m;

	sample(&m, NBPY_SCHEMA_HEARTBEAT);
	assert_legacy_bytes(&m, "oanda_heartbeat 2018-09-27T20:19:03.817645123Z" SOH
			    "2018-09-27T20:19:03.817795123Z" SOH "0.00015");
	m.h.recv_ns = m.h.event_ns + 4332119041LL;
	assert_legacy_bytes(&m, "oanda_heartbeat 2018-09-27T20:19:03.817645123Z" SOH
			    "2018-09-27T20:19:08.149764164Z" SOH "4.332119041");
}
END_TEST

START_TEST(legacy_matches_reference_frames)
{
	struct nbpy_msg m;

	sample(&m, NBPY_SCHEMA_EURUSD_TICK);
	assert_legacy_bytes(&m, "kr_eurusd_tick XZECZUSD" SOH "1.15956" SOH "1.17441" SOH "XETHZEUR"
			    SOH "1.16386" SOH "1.16688" SOH "0.00302" SOH "0.01055" SOH "0.00732");
	sample(&m, NBPY_SCHEMA_EURUSD_DEPTH);
	assert_legacy_bytes(&m, "kr_eurusd_depth XXBTZUSD" SOH "1.16386" SOH "1.16688" SOH "6301.2"
			    SOH "0.5" SOH "6302.0" SOH "1.2" SOH "XXBTZEUR" SOH "1.15999" SOH "1.16038"
			    SOH "5431.0" SOH "0.5" SOH "5432.1" SOH "1.234" SOH "0.00039" SOH "0.00689"
			    SOH "-0.00348");
	sample(&m, NBPY_SCHEMA_OANDA_PRICE);
	m.h.event_ns = 1538079543817645123LL;
	assert_legacy_bytes(&m, "oanda_tick EUR_USD" SOH "2018-09-27T20:19:03.817645123Z" SOH "1.16386"
			    SOH "1.16401");
	/* Kraken sent "5432.10000"; a float carries 5432.1, as Python's str() would. */
	sample(&m, NBPY_SCHEMA_KRAKEN_TICKER);
	assert_legacy_bytes(&m, "kraken_tick XXBTZEUR" SOH "5432.1" SOH "1" SOH "1.0" SOH "5431.0" SOH "2"
			    SOH "2.0" SOH "5432.0" SOH "0.01" SOH "123.4" SOH "234.5" SOH "5400.1" SOH
			    "5410.2" SOH "1234" SOH "2345" SOH "5300.0" SOH "5290.0" SOH "5500.0" SOH
			    "5510.0" SOH "5350.0");
	sample(&m, NBPY_SCHEMA_BOOK_TOP);
	assert_legacy_bytes(&m, "kr_depth {\"error\":[],\"result\":{\"XXBTZEUR\":{\"asks\":"
			    "[[\"5432.1\",\"1.234\",1538070000],[\"5433.0\",\"0.5\",1538070002]],"
			    "\"bids\":[[\"5431.0\",\"0.5\",1538070001]]}}}");
}
END_TEST

/* Parse like the Python originals: split at the first space, then SOH. */
static int python_split(const char *frame, char fields[][64], int max)
{
	const char *p = strchr(frame, ' ') + 1;
	int n = 0;

	while (n < max) {
		size_t len = strcspn(p, SOH);

		(void)snprintf(fields[n++], 64, "%.*s", (int)len, p);
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	return n;
}

START_TEST(legacy_parses_like_the_originals)
{
	static const struct { enum nbpy_schema s; int fields; } cases[] = {
		{ NBPY_SCHEMA_KRAKEN_TICKER, 20 }, { NBPY_SCHEMA_EURUSD_TICK, 9 },
		{ NBPY_SCHEMA_EURUSD_DEPTH, 17 }, { NBPY_SCHEMA_OANDA_PRICE, 4 },
	};
	char buf[NBPY_LEGACY_MAX], fields[32][64];
	struct nbpy_msg m;
	size_t len;

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		const struct nbpy_schema_desc *s = nbpy_schema_get(cases[c].s);

		sample(&m, cases[c].s);
		ck_assert_int_eq(nbpy_legacy_encode(&m, NULL, buf, sizeof(buf), &len, NULL), 0);
		ck_assert_int_eq(python_split(buf, fields, 32), cases[c].fields);
		/* float(field) gives back every number exactly. */
		for (size_t i = 0; i < s->n_legacy; i++)
			if (s->legacy[i].type == NBPY_F_F64)
				ck_assert(strtod(fields[i], NULL) ==
					  *(const double *)((const char *)&m + s->legacy[i].offset));
	}
	/* The reference's S1 example decodes to the documented values. */
	{
		const char *s1 = "kraken_tick XXBTZEUR" SOH "5432.10000" SOH "1" SOH "1.000" SOH "5431.00000"
				 SOH "2" SOH "2.000" SOH "5432.00000" SOH "0.01000000" SOH "123.4" SOH "234.5"
				 SOH "5400.1" SOH "5410.2" SOH "1234" SOH "2345" SOH "5300.0" SOH "5290.0"
				 SOH "5500.0" SOH "5510.0" SOH "5350.00000";
		struct nbpy_error err = { 0 };

		ck_assert_msg(nbpy_legacy_decode(s1, strlen(s1), NBPY_SCHEMA_KRAKEN_TICKER, &m, NULL, 0,
						 &err) == 0, "%s", err.msg);
		ck_assert_str_eq(m.u.ticker.instrument, "XXBTZEUR");
		ck_assert(m.u.ticker.ask_price == 5432.1);
		ck_assert_int_eq(m.u.ticker.trades_24h, 2345);
		ck_assert(m.u.ticker.opening_price == 5350.0);
	}
}
END_TEST

START_TEST(legacy_decode_rejects_bad_frames)
{
	static const struct { enum nbpy_schema s; const char *frame; const char *why; } cases[] = {
		{ NBPY_SCHEMA_OANDA_PRICE, "oanda_tick", "no space after the topic" },
		{ NBPY_SCHEMA_OANDA_PRICE, " EUR_USD", "topic of 0 bytes" },
		{ NBPY_SCHEMA_OANDA_PRICE, "oanda_tick EUR_USD" SOH "2018-09-27T20:19:03Z" SOH "1.1",
		  "oanda_price: 3 fields, expected 4" },
		{ NBPY_SCHEMA_OANDA_PRICE, "oanda_tick EUR_USD" SOH "2018-09-27T20:19:03Z" SOH "1.1" SOH
		  "1.2" SOH "x", "oanda_price: more than 4 fields" },
		{ NBPY_SCHEMA_OANDA_PRICE, "oanda_tick EUR_USD" SOH "2018-09-27T20:19:03Z" SOH "nan" SOH "1.2",
		  "field 'bid': 'nan' is not a finite number" },
		{ NBPY_SCHEMA_OANDA_PRICE, "oanda_tick EUR_USD" SOH "2018-09-27T20:19:03Z" SOH "1.1x" SOH "1.2",
		  "field 'bid': '1.1x' is not a finite number" },
		{ NBPY_SCHEMA_OANDA_PRICE, "oanda_tick EUR_USD" SOH "yesterday" SOH "1.1" SOH "1.2",
		  "field 'time': not an RFC 3339 time" },
		{ NBPY_SCHEMA_OANDA_PRICE, "oanda_tick EUR_USD_EUR_USD_EUR_USD_EUR_USD_X" SOH
		  "2018-09-27T20:19:03Z" SOH "1.1" SOH "1.2", "field 'instrument': 33 bytes, at most 31" },
		{ NBPY_SCHEMA_KRAKEN_TICKER, "kraken_tick X" SOH "1" SOH "1.5", "kraken_ticker: 3 fields, expected 20" },
		{ NBPY_SCHEMA_BOOK_TOP, "kr_depth {\"error\":[\"EGeneral:Invalid arguments\"]}",
		  "Kraken error: EGeneral:Invalid arguments" },
		{ NBPY_SCHEMA_BOOK_TOP, "kr_depth {\"error\":[],\"result\":{\"XXBTZEUR\":{\"asks\":[[\"1\",",
		  "invalid JSON near byte 47" },
		{ NBPY_SCHEMA_BOOK_TOP, "kr_depth {\"error\":[],\"result\":{}}", "'result' must hold exactly one pair" },
		{ NBPY_SCHEMA_BOOK_TOP, "kr_depth {\"error\":[],\"result\":{\"X\":{\"asks\":[[\"a\",\"1\",1]],\"bids\":[]}}}",
		  "'asks' level 0 is not [price, volume, time]" },
		{ NBPY_SCHEMA_TRADE, "kr_trade X" SOH "1.0" SOH "1.0" SOH "12.5.5" SOH "b" SOH "l" SOH "" SOH "7",
		  "field 'time': not a time in seconds" },
		{ NBPY_SCHEMA_TRADE, "kr_trade X" SOH "1.0" SOH "1.0" SOH "12.5" SOH "buy" SOH "l" SOH "" SOH "7",
		  "field 'side': expected one printable character" },
		{ NBPY_SCHEMA_TRADE, "kr_trade X" SOH "1.0" SOH "1.0" SOH "12.5" SOH "b" SOH "l" SOH "" SOH
		  "99999999999999999999", "field 'trade_id': '99999999999999999999' is not an integer" },
	};
	struct nbpy_error err;
	struct nbpy_msg m;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&err, 0, sizeof(err));
		ck_assert_msg(nbpy_legacy_decode(cases[i].frame, strlen(cases[i].frame), cases[i].s, &m,
						 NULL, 0, &err) == -1, "case %zu accepted", i);
		ck_assert_msg(strcmp(err.msg, cases[i].why) == 0, "case %zu: '%s'", i, err.msg);
	}
}
END_TEST

/* ---- hostile MessagePack ---- */

static void assert_decode_fails(const void *buf, size_t len, const char *why)
{
	struct nbpy_error err = { 0 };
	struct nbpy_msg m;

	ck_assert_int_eq(nbpy_wire_decode(buf, len, &m, &err), -1);
	if (why != NULL)
		ck_assert_str_eq(err.msg, why);
}

START_TEST(decode_rejects_every_truncation)
{
	char buf[NBPY_WIRE_MAX];
	struct nbpy_msg m;
	size_t len;

	sample(&m, (enum nbpy_schema)_i);
	ck_assert_int_eq(nbpy_wire_encode(&m, buf, sizeof(buf), &len, NULL), 0);
	for (size_t n = 0; n < len; n++)
		assert_decode_fails(buf, n, NULL);
	/* and a trailing byte */
	buf[len] = 0;
	assert_decode_fails(buf, len + 1, "1 trailing bytes");
}
END_TEST

/* Pack a message by hand so individual elements can be wrong. */
static size_t pack_eurusd(char *out, int bad_element)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	size_t len;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, bad_element == 100 ? 11 : 12);
	for (int i = 0; i < 12 && !(bad_element == 100 && i == 11); i++) {
		if (i == bad_element) {
			msgpack_pack_map(&pk, 0);
			continue;
		}
		switch (i) {
		case 0: msgpack_pack_uint8(&pk, NBPY_SCHEMA_EURUSD_TICK); break;
		case 1: msgpack_pack_uint8(&pk, 1); break;
		case 2: case 6: case 9:
			msgpack_pack_str(&pk, 3);
			msgpack_pack_str_body(&pk, "abc", 3);
			break;
		case 3: case 4: case 5: msgpack_pack_uint32(&pk, 7); break;
		default: msgpack_pack_double(&pk, 1.5); break;
		}
	}
	len = sb.size;
	memcpy(out, sb.data, len);
	msgpack_sbuffer_destroy(&sb);
	return len;
}

START_TEST(decode_rejects_wrong_types)
{
	static const char *const why[12] = {
		"unknown schema", "eurusd_tick: unsupported version",
		"field 'service': expected a string", "field 'seq': expected an unsigned integer",
		"field 'event_ns': expected a 64-bit integer", "field 'recv_delta_ns': expected an integer",
		"field 'instrument_t0': expected a string", "field 'bid_t0': expected a finite number",
		"field 'ask_t0': expected a finite number", "field 'instrument_t1': expected a string",
		"field 'bid_t1': expected a finite number", "field 'ask_t1': expected a finite number",
	};
	char buf[256];
	struct nbpy_msg m;
	size_t len;

	len = pack_eurusd(buf, -1);
	ck_assert_int_eq(nbpy_wire_decode(buf, len, &m, NULL), 0);
	ck_assert(m.u.eurusd.spread == 0.0);
	for (int i = 0; i < 12; i++) {
		len = pack_eurusd(buf, i);
		assert_decode_fails(buf, len, why[i]);
	}
	len = pack_eurusd(buf, 100);
	assert_decode_fails(buf, len, "eurusd_tick: 11 elements, expected 12");
}
END_TEST

/* A tick_stats payload whose mid_mean is packed by put (nil, a NaN...). */
static size_t pack_tick_stats_mid_mean(char *buf, size_t cap, void (*put)(msgpack_packer *pk))
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	size_t len;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 19);
	msgpack_pack_uint8(&pk, 11);
	msgpack_pack_uint8(&pk, 1);
	msgpack_pack_str(&pk, 1);
	msgpack_pack_str_body(&pk, "s", 1);
	msgpack_pack_uint64(&pk, 5);
	msgpack_pack_int64(&pk, 1000);
	msgpack_pack_int64(&pk, 0);
	msgpack_pack_str(&pk, 3);
	msgpack_pack_str_body(&pk, "ABC", 3);
	msgpack_pack_int64(&pk, 20);	/* window */
	msgpack_pack_int64(&pk, 0);	/* window_time */
	msgpack_pack_int64(&pk, 1);	/* count */
	put(&pk);			/* mid_mean */
	for (int i = 0; i < 7; i++)	/* mid_std .. spread_max */
		msgpack_pack_nil(&pk);
	msgpack_pack_double(&pk, 2.5);	/* vwap */
	len = sb.size;
	ck_assert_uint_le(len, cap);
	memcpy(buf, sb.data, len);
	msgpack_sbuffer_destroy(&sb);
	return len;
}

static void put_nil(msgpack_packer *pk) { msgpack_pack_nil(pk); }
static void put_nan(msgpack_packer *pk) { msgpack_pack_double(pk, NAN); }
static void put_inf(msgpack_packer *pk) { msgpack_pack_float(pk, -INFINITY); }
static void put_str(msgpack_packer *pk) { msgpack_pack_str(pk, 1); msgpack_pack_str_body(pk, "1", 1); }

/* F64N: nil decodes as NaN (undefined); a NaN or infinite float is still
 * refused, as in any float field, and nil is refused in an F64 field. */
START_TEST(decode_f64n_nil_is_undefined)
{
	static const unsigned char nil_in_f64[] = {
		0x9c, 0x04, 0x01, 0xa1, 's', 0x01, 0x01, 0x00, 0xa1, 'a',
		0xc0,	/* bid_t0 = nil */
		0x01, 0xa1, 'b', 0x01, 0x01,
	};
	char buf[256];
	struct nbpy_error err = { 0 };
	struct nbpy_msg m;
	size_t len;

	len = pack_tick_stats_mid_mean(buf, sizeof(buf), put_nil);
	ck_assert_msg(nbpy_wire_decode(buf, len, &m, &err) == 0, "%s", err.msg);
	ck_assert(isnan(m.u.tick_stats.mid_mean));
	ck_assert(isnan(m.u.tick_stats.spread_max));
	ck_assert(m.u.tick_stats.vwap == 2.5);
	ck_assert_int_eq(m.u.tick_stats.count, 1);
	len = pack_tick_stats_mid_mean(buf, sizeof(buf), put_nan);
	assert_decode_fails(buf, len, "field 'mid_mean': expected a finite number or nil");
	len = pack_tick_stats_mid_mean(buf, sizeof(buf), put_inf);
	assert_decode_fails(buf, len, "field 'mid_mean': expected a finite number or nil");
	len = pack_tick_stats_mid_mean(buf, sizeof(buf), put_str);
	assert_decode_fails(buf, len, "field 'mid_mean': expected a finite number or nil");
	assert_decode_fails(nil_in_f64, sizeof(nil_in_f64), "field 'bid_t0': expected a finite number");
}
END_TEST

START_TEST(decode_rejects_oversized_and_lying_headers)
{
	static char big[NBPY_WIRE_MAX + 1];
	/* array32 claiming 2^32-1 elements: must not allocate 96 GiB */
	static const unsigned char huge_array[] = { 0xdd, 0xff, 0xff, 0xff, 0xff, 0x01 };
	/* service as a str32 claiming 2 GiB */
	static const unsigned char huge_str[] = { 0x9c, 0x04, 0x01, 0xdb, 0x7f, 0xff, 0xff, 0xff,
						  'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a' };
	static const unsigned char huge_map[] = { 0xdf, 0x00, 0x01, 0x00, 0x00, 0x01, 0x01 };
	static const unsigned char never_used[] = { 0xc1 };
	static const unsigned char not_array[] = { 0x04 };
	static const unsigned char nan_price[] = {
		0x9c, 0x04, 0x01, 0xa1, 's', 0x01, 0x01, 0x00, 0xa1, 'a',
		0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0,	/* bid_t0 = NaN */
		0x01, 0xa1, 'b', 0x01, 0x01,
	};
	static const unsigned char bad_utf8[] = {
		0x9c, 0x04, 0x01, 0xa2, 0xc3, 0x28, 0x01, 0x01, 0x00, 0xa1, 'a',
		0x01, 0x01, 0xa1, 'b', 0x01, 0x01,
	};

	assert_decode_fails(big, sizeof(big), "payload of 4097 bytes, at most 4096");
	assert_decode_fails(huge_array, sizeof(huge_array), "element count larger than the payload at byte 5");
	assert_decode_fails(huge_str, sizeof(huge_str), "truncated at byte 3");
	assert_decode_fails(huge_map, sizeof(huge_map), "not an nbpy message (expected an array)");
	assert_decode_fails(never_used, sizeof(never_used), "not an nbpy message (expected an array)");
	assert_decode_fails(not_array, sizeof(not_array), "not an nbpy message (expected an array)");
	assert_decode_fails(nan_price, sizeof(nan_price), "field 'bid_t0': expected a finite number");
	assert_decode_fails(bad_utf8, sizeof(bad_utf8), "field 'service': invalid UTF-8");
	assert_decode_fails("", 0, "truncated at byte 0");
}
END_TEST

/* Random bytes and random mutations of valid payloads: never a crash, and
 * whatever decodes is a valid message (it encodes again). */
START_TEST(decode_survives_random_input)
{
	uint64_t x = 0x243f6a8885a308d3ULL;
	char buf[NBPY_WIRE_MAX], out[NBPY_WIRE_MAX];
	struct nbpy_msg m;
	size_t len, olen;
	int accepted = 0;

	for (int round = 0; round < 20000; round++) {
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		if (round % 2) {
			len = x % 200;
			for (size_t i = 0; i < len; i++) {
				x ^= x << 13; x ^= x >> 7; x ^= x << 17;
				buf[i] = (char)x;
			}
		} else {
			sample(&m, (enum nbpy_schema)(1 + x % (NBPY_SCHEMA_END - 1)));
			ck_assert_int_eq(nbpy_wire_encode(&m, buf, sizeof(buf), &len, NULL), 0);
			for (int k = 0; k < 3; k++) {
				x ^= x << 13; x ^= x >> 7; x ^= x << 17;
				buf[x % len] = (char)(x >> 32);
			}
		}
		if (nbpy_wire_decode(buf, len, &m, NULL) == 0) {
			accepted++;
			ck_assert_int_eq(nbpy_wire_encode(&m, out, sizeof(out), &olen, NULL), 0);
		}
	}
	/* Mutations that only touch values still decode: the check above ran. */
	ck_assert_int_gt(accepted, 0);
}
END_TEST

/* nbpy_wire_peek_next steps over a message as decoding it would: the same
 * schema and length for each of a batch's messages (every schema, the
 * announcement, numbers in every width msgpack-c writes), nothing for any
 * truncation, a map where a field should be, or a wrong element count, and
 * the same verdict as the decoder wherever the decoder accepts. */
START_TEST(peek_next_steps_over_every_schema)
{
	char buf[2 * NBPY_WIRE_MAX + 16];
	struct nbpy_msg m, out;
	struct nbpy_error err = { 0 };
	enum nbpy_schema schema;
	size_t len, len2, used;

	sample(&m, (enum nbpy_schema)_i);
	ck_assert_int_eq(nbpy_wire_encode(&m, buf, NBPY_WIRE_MAX, &len, NULL), 0);
	memset(&out, 0, sizeof(out));
	out.h.schema = NBPY_SCHEMA_ANNOUNCEMENT;
	strcpy(out.h.service, "x");
	out.h.seq = 70000;
	out.h.event_ns = out.h.recv_ns = -5;
	ck_assert_int_eq(nbpy_wire_encode(&out, buf + len, NBPY_WIRE_MAX, &len2, NULL), 0);
	ck_assert_msg(nbpy_wire_peek_next(buf, len + len2, &schema, &used, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(schema, _i);
	ck_assert_uint_eq(used, len);
	ck_assert_msg(nbpy_wire_peek_next(buf + len, len2, &schema, &used, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(schema, NBPY_SCHEMA_ANNOUNCEMENT);
	ck_assert_uint_eq(used, len2);
	for (size_t n = 0; n < len; n++)
		ck_assert_int_eq(nbpy_wire_peek_next(buf, n, &schema, &used, &err), -1);
	buf[(unsigned char)buf[0] == 0xdc ? 2 : 0]--;	/* one element too few (array 16 or fixarray) */
	ck_assert_int_eq(nbpy_wire_peek_next(buf, len + len2, &schema, &used, &err), -1);
	ck_assert(strstr(err.msg, "elements") != NULL);
	buf[0] = 0x01;
	ck_assert_int_eq(nbpy_wire_peek_next(buf, len, &schema, &used, &err), -1);
	ck_assert_str_eq(err.msg, "not an nbpy message (expected an array)");
}
END_TEST

START_TEST(peek_next_agrees_with_decode)
{
	char buf[NBPY_WIRE_MAX];
	struct nbpy_msg m;
	struct nbpy_error err = { 0 };
	enum nbpy_schema schema;
	size_t len, used, used2;
	uint64_t x = 0x13198a2e03707344ULL;
	int accepted = 0;

	/* msgpack-c's number widths (pack_eurusd), and a map in each place */
	len = pack_eurusd(buf, -1);
	ck_assert_msg(nbpy_wire_peek_next(buf, len, &schema, &used, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(schema, NBPY_SCHEMA_EURUSD_TICK);
	ck_assert_uint_eq(used, len);
	for (int bad = 2; bad < 12; bad++) {
		len = pack_eurusd(buf, bad);
		ck_assert_int_eq(nbpy_wire_peek_next(buf, len, &schema, &used, &err), -1);
		ck_assert(strstr(err.msg, "not a MessagePack form nbpy uses") != NULL);
	}
	for (int round = 0; round < 20000; round++) {
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		sample(&m, (enum nbpy_schema)(1 + x % (NBPY_SCHEMA_END - 1)));
		ck_assert_int_eq(nbpy_wire_encode(&m, buf, sizeof(buf), &len, NULL), 0);
		for (int k = 0; k < 3; k++) {
			x ^= x << 13; x ^= x >> 7; x ^= x << 17;
			buf[x % len] = (char)(x >> 32);
		}
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		len -= x % 2 ? x % len : 0;	/* and cut, half the time */
		if (nbpy_wire_decode_next(buf, len, &used, &m, NULL) == 0) {
			accepted++;
			ck_assert_int_eq(nbpy_wire_peek_next(buf, len, &schema, &used2, NULL), 0);
			ck_assert_int_eq(schema, m.h.schema);
			ck_assert_uint_eq(used2, used);
		} else if (nbpy_wire_peek_next(buf, len, &schema, &used2, NULL) == 0) {
			ck_assert_uint_le(used2, len);	/* a value the decoder refuses */
		}
	}
	ck_assert_int_gt(accepted, 0);
}
END_TEST

/* Standard MessagePack both ways: msgpack-c reads what we write, field by
 * field, and we read what msgpack-c writes (pack_eurusd below). */
static void assert_object_matches(const msgpack_object *o, const struct nbpy_msg *m,
				  const struct nbpy_field *f)
{
	const char *p = (const char *)m + f->offset;

	switch (f->type) {
	case NBPY_F_STR:
		ck_assert_int_eq(o->type, MSGPACK_OBJECT_STR);
		ck_assert_uint_eq(o->via.str.size, strlen(p));
		ck_assert(memcmp(o->via.str.ptr, p, o->via.str.size) == 0);
		break;
	case NBPY_F_F64:
		ck_assert_int_eq(o->type, MSGPACK_OBJECT_FLOAT64);
		ck_assert(o->via.f64 == *(const double *)p);
		break;
	case NBPY_F_F64N:
		if (isnan(*(const double *)p)) {
			ck_assert_int_eq(o->type, MSGPACK_OBJECT_NIL);
			break;
		}
		ck_assert_int_eq(o->type, MSGPACK_OBJECT_FLOAT64);
		ck_assert(o->via.f64 == *(const double *)p);
		break;
	case NBPY_F_I64:
		ck_assert(o->type == MSGPACK_OBJECT_POSITIVE_INTEGER || o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER);
		ck_assert_int_eq(o->via.i64, *(const int64_t *)p);
		break;
	case NBPY_F_U64:
		ck_assert_int_eq(o->type, MSGPACK_OBJECT_POSITIVE_INTEGER);
		ck_assert_uint_eq(o->via.u64, *(const uint64_t *)p);
		break;
	case NBPY_F_RECV_DELTA:
		ck_assert_int_eq(o->via.i64, m->h.recv_ns - m->h.event_ns);
		break;
	case NBPY_F_CHAR:
		ck_assert_int_eq(o->type, MSGPACK_OBJECT_STR);
		ck_assert_uint_eq(o->via.str.size, 1);
		ck_assert_int_eq(o->via.str.ptr[0], *p);
		break;
	case NBPY_F_LEVELS: {
		const struct nbpy_book_level *lv = (const void *)((const char *)m + f->size);

		ck_assert_int_eq(o->type, MSGPACK_OBJECT_ARRAY);
		ck_assert_uint_eq(o->via.array.size, *(const uint32_t *)p);
		for (uint32_t i = 0; i < o->via.array.size; i++) {
			const msgpack_object *l = o->via.array.ptr[i].via.array.ptr;

			ck_assert(l[0].via.f64 == lv[i].price);
			ck_assert(l[1].via.f64 == lv[i].volume);
			ck_assert_int_eq(l[2].via.i64, lv[i].time_ns);
		}
		break;
	}
	default:
		ck_abort_msg("%s: not a wire field", f->name);
	}
}

START_TEST(msgpack_c_reads_our_payloads)
{
	const struct nbpy_schema_desc *s = nbpy_schema_get((enum nbpy_schema)_i);
	char buf[NBPY_WIRE_MAX];
	msgpack_unpacked up;
	const msgpack_object *a;
	struct nbpy_msg m;
	size_t len, off = 0;

	sample(&m, s->id);
	ck_assert_int_eq(nbpy_wire_encode(&m, buf, sizeof(buf), &len, NULL), 0);
	msgpack_unpacked_init(&up);
	ck_assert_int_eq(msgpack_unpack_next(&up, buf, len, &off), MSGPACK_UNPACK_SUCCESS);
	ck_assert_uint_eq(off, len);
	ck_assert_int_eq(up.data.type, MSGPACK_OBJECT_ARRAY);
	ck_assert_uint_eq(up.data.via.array.size, 2 + nbpy_n_header_fields + s->n_fields);
	a = up.data.via.array.ptr;
	ck_assert_uint_eq(a[0].via.u64, s->id);
	ck_assert_uint_eq(a[1].via.u64, doc_version(s->id));
	for (size_t i = 0; i < nbpy_n_header_fields; i++)
		assert_object_matches(&a[2 + i], &m, &nbpy_header_fields[i]);
	for (size_t i = 0; i < s->n_fields; i++)
		assert_object_matches(&a[2 + nbpy_n_header_fields + i], &m, &s->fields[i]);
	msgpack_unpacked_destroy(&up);
}
END_TEST

/* Integers take the smallest form, strings the smallest header: msgpack-c,
 * re-packing what it read from our payload, writes the very same bytes.  One
 * pass per integer width boundary, in every integer field of every schema. */
START_TEST(msgpack_c_packs_the_same_bytes)
{
	static const int64_t ints[] = { 0, 127, 128, 255, 256, 65535, 65536, 4294967295LL,
					4294967296LL, INT64_MAX, -1, -32, -33, -128, -129, -32768,
					-32769, -2147483648LL, -2147483649LL, INT64_MIN };
	const struct nbpy_schema_desc *s = nbpy_schema_get((enum nbpy_schema)_i);
	char buf[NBPY_WIRE_MAX];
	struct nbpy_msg m;
	size_t len, off;

	for (size_t k = 0; k < sizeof(ints) / sizeof(ints[0]); k++) {
		msgpack_unpacked up;
		msgpack_sbuffer sb;
		msgpack_packer pk;

		sample(&m, s->id);
		m.h.seq = (uint64_t)ints[k];
		m.h.event_ns = ints[k];
		m.h.recv_ns = ints[k] < 0 ? 0 : ints[k] / 2;
		for (size_t i = 0; i < s->n_fields; i++) {
			const struct nbpy_field *f = &s->fields[i];
			char *p = (char *)&m + f->offset;

			if (f->type == NBPY_F_I64) {
				*(int64_t *)p = ints[k];
			} else if (f->type == NBPY_F_STR) {	/* 0, 31, 32, ... bytes */
				size_t n = k * 16 < f->size - 1 ? k * 16 : f->size - 1;

				memset(p, 'y', n);
				p[n] = '\0';
			} else if (f->type == NBPY_F_LEVELS) {
				struct nbpy_book_level *lv = (void *)((char *)&m + f->size);

				*(uint32_t *)p = (uint32_t)k;
				for (size_t j = 0; j < k; j++)
					lv[j].time_ns = ints[j];
			}
		}
		ck_assert_int_eq(nbpy_wire_encode(&m, buf, sizeof(buf), &len, NULL), 0);
		msgpack_unpacked_init(&up);
		off = 0;
		ck_assert_int_eq(msgpack_unpack_next(&up, buf, len, &off), MSGPACK_UNPACK_SUCCESS);
		msgpack_sbuffer_init(&sb);
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		ck_assert_int_eq(msgpack_pack_object(&pk, up.data), 0);
		ck_assert_uint_eq(sb.size, len);
		ck_assert_msg(memcmp(sb.data, buf, len) == 0, "%s, %lld: bytes differ", s->name,
			      (long long)ints[k]);
		msgpack_sbuffer_destroy(&sb);
		msgpack_unpacked_destroy(&up);
	}
}
END_TEST

/* Every MessagePack integer and float width decodes, as other encoders
 * (Python's msgpack) pick the smallest. */
START_TEST(decode_accepts_every_number_width)
{
	static const int64_t ints[] = { 0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295LL,
					4294967296LL, INT64_MAX, -1, -32, -33, -128, -129, -32768,
					-32769, -2147483648LL, -2147483649LL, INT64_MIN };
	char buf[256];
	struct nbpy_msg m;

	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		for (int as_float = 0; as_float < 3; as_float++) {
			msgpack_sbuffer sb;
			msgpack_packer pk;
			struct nbpy_error err = { 0 };

			msgpack_sbuffer_init(&sb);
			msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
			msgpack_pack_array(&pk, 14);
			msgpack_pack_uint8(&pk, NBPY_SCHEMA_OANDA_PRICE);
			msgpack_pack_uint8(&pk, 1);
			msgpack_pack_str(&pk, 1);
			msgpack_pack_str_body(&pk, "s", 1);
			msgpack_pack_uint64(&pk, 5);
			msgpack_pack_int64(&pk, ints[i]);	/* event_ns */
			msgpack_pack_int64(&pk, 0);
			msgpack_pack_str(&pk, 7);
			msgpack_pack_str_body(&pk, "EUR_USD", 7);
			if (as_float == 0)
				msgpack_pack_int64(&pk, ints[i]);
			else if (as_float == 1)
				msgpack_pack_float(&pk, 1.25f);
			else
				msgpack_pack_double(&pk, (double)ints[i]);
			msgpack_pack_double(&pk, 2.5);
			msgpack_pack_int64(&pk, ints[i]);	/* bid_liquidity */
			msgpack_pack_int64(&pk, 1);
			msgpack_pack_double(&pk, 1.0);
			msgpack_pack_double(&pk, 3.0);
			msgpack_pack_int64(&pk, 1);
			ck_assert_uint_lt(sb.size, sizeof(buf));
			memcpy(buf, sb.data, sb.size);
			ck_assert_msg(nbpy_wire_decode(buf, sb.size, &m, &err) == 0, "%lld/%d: %s",
				      (long long)ints[i], as_float, err.msg);
			ck_assert_int_eq(m.h.event_ns, ints[i]);
			ck_assert(m.u.oanda.bid == (as_float == 1 ? 1.25 : (double)ints[i]));
			ck_assert_int_eq(m.u.oanda.bid_liquidity, ints[i]);
			msgpack_sbuffer_destroy(&sb);
		}
	}
}
END_TEST

/* ---- Python float text ---- */

START_TEST(pyfloat_matches_python_repr)
{
	static const struct { double x; const char *repr; } cases[] = {
		{ 1.16386, "1.16386" }, { 0.0001, "0.0001" }, { 0.00005, "5e-05" }, { -0.00002, "-2e-05" },
		{ 1e16, "1e+16" }, { 1234567890123456.0, "1234567890123456.0" }, { 5.0, "5.0" },
		{ 0.1 + 0.2, "0.30000000000000004" }, { -0.0, "-0.0" }, { 0.0, "0.0" }, { 1e-310, "1e-310" },
		{ 123456789012345680000.0, "1.2345678901234568e+20" }, { 1.5e300, "1.5e+300" },
		{ 5432.1, "5432.1" }, { 100.0, "100.0" }, { 0.00123, "0.00123" }, { -6301.25, "-6301.25" },
	};
	char buf[NBPY_PYFLOAT_MAX];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		nbpy_pyfloat_format(cases[i].x, buf, sizeof(buf));
		ck_assert_str_eq(buf, cases[i].repr);
	}
	nbpy_pyfloat_format(NAN, buf, sizeof(buf));
	ck_assert_str_eq(buf, "nan");
	/* round(x, n) as Python: exact binary value, ties to even */
	ck_assert(nbpy_pyfloat_round(2.675, 2) == 2.67);
	ck_assert(nbpy_pyfloat_round(0.125, 2) == 0.12);
	ck_assert(nbpy_pyfloat_round(0.375, 2) == 0.38);
	ck_assert(nbpy_pyfloat_round(1.17441 - 1.16386, 5) == 0.01055);
}
END_TEST

/* Against an independent reference on many values: the text reads back
 * exactly, has the fewest significant digits that do, and uses exponent
 * notation exactly where Python does; round() agrees with exact decimal
 * rounding. */
START_TEST(pyfloat_property_check)
{
	uint64_t r = 0x9e3779b97f4a7c15ULL;
	char buf[NBPY_PYFLOAT_MAX], ref[64];

	for (int i = 0; i < 200000; i++) {
		double x;
		int minimal = 17, sig = 0, exp10;
		const char *e;

		r ^= r << 13; r ^= r >> 7; r ^= r << 17;
		if (i % 2) {
			/* decimals like prices: k / 10^d */
			(void)snprintf(ref, sizeof(ref), "%llue-%d", (unsigned long long)(r % 1000000000ULL),
				       (int)((r >> 40) % 14));
			x = strtod(ref, NULL);
		} else {
			memcpy(&x, &r, sizeof(x));
			if (!isfinite(x))
				continue;
		}
		if (r & (1ULL << 63))
			x = -x;
		nbpy_pyfloat_format(x, buf, sizeof(buf));
		ck_assert_msg(strtod(buf, NULL) == x, "%s does not read back as %.17g", buf, x);
		if (x == 0)
			continue;
		for (int p = 1; p <= 17; p++) {
			(void)snprintf(ref, sizeof(ref), "%.*e", p - 1, x);
			if (strtod(ref, NULL) == x) {
				minimal = p;
				break;
			}
		}
		exp10 = atoi(strchr(ref, 'e') + 1);
		e = strchr(buf, 'e');
		ck_assert_msg((e != NULL) == (exp10 < -4 || exp10 >= 16), "%s: notation", buf);
		{
			char digits[64];
			size_t n = 0, a = 0;

			for (const char *c = buf; *c && c != e; c++)
				if (*c >= '0' && *c <= '9')
					digits[n++] = *c;
			while (a < n && digits[a] == '0')
				a++;
			while (n > a && digits[n - 1] == '0')
				n--;
			sig = (int)(n - a);
		}
		ck_assert_msg(sig == minimal, "%s: %d digits, shortest is %d", buf, sig, minimal);
		{
			int nd = (int)(r % 9);

			(void)snprintf(ref, sizeof(ref), "%.*f", nd, x < 1e15 && x > -1e15 ? x : 0.0);
			if (x < 1e15 && x > -1e15)
				ck_assert_msg(nbpy_pyfloat_round(x, nd) == strtod(ref, NULL), "round(%.17g, %d)", x, nd);
		}
	}
}
END_TEST

START_TEST(schema_lookup)
{
	ck_assert_ptr_eq(nbpy_schema_by_legacy_topic("kr_order_book"), nbpy_schema_get(NBPY_SCHEMA_BOOK_TOP));
	ck_assert_ptr_eq(nbpy_schema_by_legacy_topic("kr_eurusd_tick"), nbpy_schema_get(NBPY_SCHEMA_EURUSD_TICK));
	ck_assert_ptr_null(nbpy_schema_by_legacy_topic("nope"));
	ck_assert_ptr_eq(nbpy_schema_by_name("sentiment"), nbpy_schema_get(NBPY_SCHEMA_SENTIMENT));
	ck_assert_ptr_null(nbpy_schema_get((enum nbpy_schema)0));
	ck_assert_ptr_null(nbpy_schema_get(NBPY_SCHEMA_END));
}
END_TEST

static Suite *wire_suite(void)
{
	Suite *s = suite_create("wire");
	TCase *tc = tcase_create("codec");

	tcase_add_loop_test(tc, msgpack_round_trip_every_schema, 1, NBPY_SCHEMA_END);
	tcase_add_loop_test(tc, legacy_round_trip_every_schema, 1, NBPY_SCHEMA_END);
	tcase_add_loop_test(tc, round_trip_edge_values, 1, NBPY_SCHEMA_END);
	tcase_add_test(tc, encode_rejects_bad_values);
	tcase_add_test(tc, eurusd_tick_fits_92_bytes);
	tcase_add_test(tc, eurusd_tick_documented_bytes);
	tcase_add_test(tc, announcement_documented_bytes);
	tcase_add_loop_test(tc, every_schema_documented_layout, 1, NBPY_SCHEMA_END);
	tcase_add_loop_test(tc, json_view_every_schema, 1, NBPY_SCHEMA_END);
	tcase_add_test(tc, eurusd_tick_documented_spreads);
	tcase_add_test(tc, legacy_matches_reference_frames);
	tcase_add_test(tc, legacy_heartbeat_lag_is_exact);
	tcase_add_test(tc, legacy_parses_like_the_originals);
	tcase_add_test(tc, legacy_decode_rejects_bad_frames);
	tcase_add_loop_test(tc, decode_rejects_every_truncation, 1, NBPY_SCHEMA_END);
	tcase_add_test(tc, decode_rejects_wrong_types);
	tcase_add_loop_test(tc, msgpack_c_reads_our_payloads, 1, NBPY_SCHEMA_END);
	tcase_add_loop_test(tc, msgpack_c_packs_the_same_bytes, 1, NBPY_SCHEMA_END);
	tcase_add_test(tc, decode_accepts_every_number_width);
	tcase_add_test(tc, decode_rejects_oversized_and_lying_headers);
	tcase_add_test(tc, decode_f64n_nil_is_undefined);
	tcase_add_test(tc, decode_survives_random_input);
	tcase_add_loop_test(tc, peek_next_steps_over_every_schema, 1, NBPY_SCHEMA_END);
	tcase_add_test(tc, peek_next_agrees_with_decode);
	tcase_add_test(tc, pyfloat_matches_python_repr);
	tcase_add_test(tc, pyfloat_property_check);
	tcase_add_test(tc, schema_lookup);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(wire_suite());
}
