/* test_sink_format.c - what sinks write: SQL time text (against gmtime),
 * SQL rows of a message, line protocol escaping and mapping, base/term
 * currencies of Kraken pairs, and every schema in every store. */
#include <time.h>

#include "tests/unit/samples.h"
#include "tests/unit/testutil.h"
#include "workers/sink/line_protocol.h"
#include "workers/sink/sql_table.h"
#include "workers/sink/typeql.h"

START_TEST(time_text_matches_gmtime)
{
	uint64_t x = 88172645463325252ULL;

	for (int i = 0; i < 200000; i++) {
		char want[64], got[64];
		int64_t ns;
		time_t t;
		struct tm tm;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		/* 1900..2150, both signs of the epoch (and within int64 ns) */
		ns = (int64_t)(x % 7889400000ULL) * 1000000000LL - 2208988800LL * 1000000000LL +
		     (int64_t)(x % 1000000000ULL);
		if (i < 4)
			ns = (int64_t[]){ 0, -1, 951782400LL * 1000000000LL, 1538079543817645123LL }[i];
		t = (time_t)(ns >= 0 || ns % 1000000000LL == 0 ? ns / 1000000000LL : ns / 1000000000LL - 1);
		ck_assert_ptr_nonnull(gmtime_r(&t, &tm));
		(void)snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
			       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
			       (int)(((ns % 1000000000LL) + 1000000000LL) % 1000000000LL / 1000));
		ck_assert_uint_eq(sql_time_format(ns, got, sizeof(got)), strlen(want));
		ck_assert_str_eq(got, want);
	}
}
END_TEST

static struct nbpy_msg eurusd(void)
{
	struct nbpy_msg m;

	memset(&m, 0, sizeof(m));
	m.h.schema = NBPY_SCHEMA_EURUSD_TICK;
	strcpy(m.h.service, "kraken_EURUSD");
	m.h.seq = 7;
	m.h.event_ns = 1538079543817645123LL;
	m.h.recv_ns = m.h.event_ns + 5000;
	strcpy(m.u.eurusd.instrument_t0, "XZECZUSD");
	strcpy(m.u.eurusd.instrument_t1, "XETHZEUR");
	m.u.eurusd.bid_t0 = 1.15956;
	m.u.eurusd.ask_t0 = 1.17441;
	m.u.eurusd.bid_t1 = 1.16386;
	m.u.eurusd.ask_t1 = 1.16688;
	nbpy_wire_derive(&m);
	return m;
}

START_TEST(sql_rows)
{
	const struct sql_table *t = sql_table_for(NBPY_SCHEMA_EURUSD_TICK);
	struct sql_value v[SQL_MAX_COLUMNS];
	struct nbpy_msg m = eurusd(), book;
	char ddl[4096];

	ck_assert_str_eq(sql_table_name(t), "synthetic");
	ck_assert_uint_eq(sql_table_rows(t, &m), 1);
	sql_table_row(t, &m, 0, v);
	ck_assert_str_eq(sql_table_column(t, 0), "source");
	ck_assert_str_eq(v[0].s, "kraken_EURUSD");
	ck_assert_int_eq(v[1].i, 7);
	ck_assert_int_eq(v[2].type, SQL_TIME);
	ck_assert_int_eq(v[2].i, m.h.event_ns);
	ck_assert_str_eq(v[4].s, "KR_EURUSD");
	ck_assert_double_eq(v[13].f, 0.00732);	/* spread_t_ask */
	ck_assert_int_eq(sql_table_ddl(t, SQL_POSTGRESQL, ddl, sizeof(ddl)), 0);
	ck_assert_ptr_nonnull(strstr(ddl, "event_time timestamptz NOT NULL"));
	ck_assert_ptr_nonnull(strstr(ddl, "UNIQUE (source, seq, event_time))"));
	ck_assert_int_eq(sql_table_ddl(t, SQL_SQLITE, ddl, sizeof(ddl)), 0);
	ck_assert_ptr_nonnull(strstr(ddl, "kraken_eurusd_bid_5_t0 REAL NOT NULL"));
	ck_assert_int_eq(sql_table_ddl(t, SQL_SQLITE, ddl, 40), -1);

	/* an order book: one row per level, bids first */
	memset(&book, 0, sizeof(book));
	book.h.schema = NBPY_SCHEMA_BOOK_TOP;
	strcpy(book.u.book.instrument, "XXBTZEUR");
	book.u.book.n_bids = 2;
	book.u.book.n_asks = 1;
	book.u.book.bids[1].price = 27699.0;
	book.u.book.asks[0].price = 27700.2;
	t = sql_table_for(NBPY_SCHEMA_BOOK_TOP);
	ck_assert_uint_eq(sql_table_rows(t, &book), 3);
	sql_table_row(t, &book, 1, v);
	ck_assert_str_eq(v[5].s, "bid");
	ck_assert_int_eq(v[6].i, 1);
	ck_assert_double_eq(v[7].f, 27699.0);
	sql_table_row(t, &book, 2, v);
	ck_assert_str_eq(v[5].s, "ask");
	ck_assert_int_eq(v[6].i, 0);
	ck_assert_str_eq(sql_table_key(t), "source, seq, event_time, side, tier_id");
	ck_assert_str_eq(sql_table_message_key(t), "source, seq, event_time");
	/* oanda_tick numbers one topic per instrument: the instrument is in both keys */
	t = sql_table_for(NBPY_SCHEMA_OANDA_PRICE);
	ck_assert_str_eq(sql_table_key(t), "source, seq, event_time, instrument");
	ck_assert_str_eq(sql_table_message_key(t), "source, seq, event_time, instrument");
}
END_TEST

START_TEST(line_protocol_eurusd)
{
	struct nbpy_buf b = NBPY_BUF_INIT;
	struct nbpy_msg m = eurusd();

	ck_assert_uint_eq(lp_append(&b, &m, LP_NS), 1);
	ck_assert_str_eq(b.data,
		"synthetic,instrument=KR_EURUSD,instrument_t0=XZECZUSD,instrument_t1=XETHZEUR "
		"hedge_instrument_t0=\"XZECZUSD\",hedge_instrument_t1=\"XETHZEUR\","
		"kraken_EURUSD_ASK_5_t0=1.17441,kraken_EURUSD_ASK_5_t1=1.16688,"
		"kraken_EURUSD_BID_5_t0=1.15956,kraken_EURUSD_BID_5_t1=1.16386,"
		"spread=0.00302,spread_t_ask=0.00732,spread_t_bid=0.01055 1538079543817645123\n");
	nbpy_buf_reset(&b);
	ck_assert_uint_eq(lp_append(&b, &m, LP_MS), 1);
	ck_assert_ptr_nonnull(strstr(b.data, " 1538079543817\n"));
	m.h.event_ns = -1;	/* floor, not toward zero */
	nbpy_buf_reset(&b);
	ck_assert_uint_eq(lp_append(&b, &m, LP_S), 1);
	ck_assert_ptr_nonnull(strstr(b.data, " -1\n"));
	nbpy_buf_free(&b);
}
END_TEST

START_TEST(line_protocol_escaping)
{
	struct nbpy_buf b = NBPY_BUF_INIT;
	struct nbpy_msg m;

	memset(&m, 0, sizeof(m));
	m.h.schema = NBPY_SCHEMA_SENTIMENT;
	m.h.event_ns = 5;
	strcpy(m.u.sentiment.lang, "e n,=x");
	strcpy(m.u.sentiment.text, "say \"hi\" \\ now\nplease");
	strcpy(m.u.sentiment.user, "u");
	strcpy(m.u.sentiment.id, "1");
	m.u.sentiment.followers = 3;
	m.u.sentiment.lat = m.u.sentiment.lon = NAN;
	ck_assert_uint_eq(lp_append(&b, &m, LP_NS), 1);
	/* empty geohash/rules/time_zone tags left out; ",= " escaped in tags;
	 * '"' and '\' in strings; newline to space; no place, no lat/lon */
	ck_assert_str_eq(b.data,
		"crypto,lang=e\\ n\\,\\=x id=\"1\",followers_count=3i,retweet_count=0i,statuses_count=0i,"
		"text=\"say \\\"hi\\\" \\\\ now please\",user=\"u\",compound_score=0.0,pos_score=0.0,"
		"neu_score=0.0,neg_score=0.0 5\n");
	nbpy_buf_free(&b);
}
END_TEST

START_TEST(base_and_term)
{
	static const char *const cases[][3] = {
		{ "XXBTZEUR", "XBT", "EUR" }, { "XETHXXBT", "ETH", "XBT" }, { "USDTZUSD", "USDT", "USD" },
		{ "DASHEUR", "DASH", "EUR" }, { "BCHEUR", "BCH", "EUR" }, { "ADAXBT", "ADA", "XBT" },
		{ "XTZ_EUR", "", "" }, { "AB", "", "" }, { "", "", "" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char base[8], term[8];

		lp_base_term(cases[i][0], base, term);
		ck_assert_str_eq(base, cases[i][1]);
		ck_assert_str_eq(term, cases[i][2]);
	}
}
END_TEST

/* ---- every schema in every store ----
 * What each store gets for the sample message of every schema (samples.h):
 * the line protocol, the SQL DDL in both dialects, and the TypeDB define and
 * put queries, whose values are the SQL row's.  Written down from the
 * stores' output before the mappings moved into common/schemas.def (they
 * are the originals' names and types, docs/sinks.md), so they are
 * independent of the definitions they check.  A schema without them fails:
 * add its expected output here when adding a schema. */
struct store_output {
	const char *lp, *ddl, *ddl_sqlite, *put, *define;
};

static const struct store_output expected[NBPY_SCHEMA_END] = {
	[1] = {
		.lp =
			"tick,base_ccy=XBT,instrument=XXBTZEUR,term_ccy=EUR ask_price=5432.1,ask_whole_lot_volume=1.0,"
			"ask_lot_volume=1.0,bid_price=5431.0,bid_whole_lot_volume=2.0,bid_lot_volume=2.0,"
			"last_trade_price=5432.0,last_trade_lot_volume=0.01,volume_today=123.4,volume_last_24_hours=234.5,"
			"vwap_today=5400.1,vwap_last_24_hours=5410.2,number_of_trades_today=1234.0,"
			"number_of_trades_last_24_hours=2345.0,low_today=5300.0,low_last_24_hours=5290.0,"
			"high_today=5500.0,high_last_24_hours=5510.0,opening_price=5350.0 1538079543817645123\n",
		.ddl =
			"CREATE TABLE IF NOT EXISTS kraken_tick (source text NOT NULL, seq bigint "
			"NOT NULL, event_time timestamptz NOT NULL, recv_time timestamptz NOT NULL,"
			" instrument text NOT NULL, ask_price double precision NOT NULL, ask_whole_lot_volume "
			"bigint NOT NULL, ask_lot_volume double precision NOT NULL, bid_price double "
			"precision NOT NULL, bid_whole_lot_volume bigint NOT NULL, bid_lot_volume "
			"double precision NOT NULL, last_trade_price double precision NOT NULL, "
			"last_trade_lot_volume double precision NOT NULL, volume_today double precision "
			"NOT NULL, volume_last_24_hours double precision NOT NULL, vwap_today double "
			"precision NOT NULL, vwap_last_24_hours double precision NOT NULL, number_of_trades_today "
			"bigint NOT NULL, number_of_trades_last_24_hours bigint NOT NULL, low_today "
			"double precision NOT NULL, low_last_24_hours double precision NOT NULL,"
			" high_today double precision NOT NULL, high_last_24_hours double precision "
			"NOT NULL, opening_price double precision NOT NULL, UNIQUE (source, seq,"
			" event_time))",
		.ddl_sqlite =
			"CREATE TABLE IF NOT EXISTS kraken_tick (source TEXT NOT NULL, seq INTEGER "
			"NOT NULL, event_time TEXT NOT NULL, recv_time TEXT NOT NULL, instrument "
			"TEXT NOT NULL, ask_price REAL NOT NULL, ask_whole_lot_volume INTEGER NOT "
			"NULL, ask_lot_volume REAL NOT NULL, bid_price REAL NOT NULL, bid_whole_lot_volume "
			"INTEGER NOT NULL, bid_lot_volume REAL NOT NULL, last_trade_price REAL NOT "
			"NULL, last_trade_lot_volume REAL NOT NULL, volume_today REAL NOT NULL, "
			"volume_last_24_hours REAL NOT NULL, vwap_today REAL NOT NULL, vwap_last_24_hours "
			"REAL NOT NULL, number_of_trades_today INTEGER NOT NULL, number_of_trades_last_24_hours "
			"INTEGER NOT NULL, low_today REAL NOT NULL, low_last_24_hours REAL NOT NULL,"
			" high_today REAL NOT NULL, high_last_24_hours REAL NOT NULL, opening_price "
			"REAL NOT NULL, UNIQUE (source, seq, event_time))",
		.put =
			"put $r0 isa kraken_tick, has source \"kraken_tick\", has seq 1234567, has "
			"event_time 2018-09-27T20:19:03.817645, has recv_time 2018-09-27T20:19:03.817795,"
			" has instrument \"XXBTZEUR\", has ask_price 5432.1, has ask_whole_lot_volume "
			"1, has ask_lot_volume 1.0, has bid_price 5431.0, has bid_whole_lot_volume "
			"2, has bid_lot_volume 2.0, has last_trade_price 5432.0, has last_trade_lot_volume "
			"0.01, has volume_today 123.4, has volume_last_24_hours 234.5, has vwap_today "
			"5400.1, has vwap_last_24_hours 5410.2, has number_of_trades_today 1234,"
			" has number_of_trades_last_24_hours 2345, has low_today 5300.0, has low_last_24_hours "
			"5290.0, has high_today 5500.0, has high_last_24_hours 5510.0, has opening_price "
			"5350.0;\n",
		.define =
			"define\n"
			"  attribute source, value string;\n"
			"  attribute seq, value integer;\n"
			"  attribute event_time, value datetime;\n"
			"  attribute recv_time, value datetime;\n"
			"  attribute instrument, value string;\n"
			"  attribute ask_price, value double;\n"
			"  attribute ask_whole_lot_volume, value integer;\n"
			"  attribute ask_lot_volume, value double;\n"
			"  attribute bid_price, value double;\n"
			"  attribute bid_whole_lot_volume, value integer;\n"
			"  attribute bid_lot_volume, value double;\n"
			"  attribute last_trade_price, value double;\n"
			"  attribute last_trade_lot_volume, value double;\n"
			"  attribute volume_today, value double;\n"
			"  attribute volume_last_24_hours, value double;\n"
			"  attribute vwap_today, value double;\n"
			"  attribute vwap_last_24_hours, value double;\n"
			"  attribute number_of_trades_today, value integer;\n"
			"  attribute number_of_trades_last_24_hours, value integer;\n"
			"  attribute low_today, value double;\n"
			"  attribute low_last_24_hours, value double;\n"
			"  attribute high_today, value double;\n"
			"  attribute high_last_24_hours, value double;\n"
			"  attribute opening_price, value double;\n"
			"  entity kraken_tick, owns source, owns seq, owns event_time, owns recv_time,"
			" owns instrument, owns ask_price, owns ask_whole_lot_volume, owns ask_lot_volume,"
			" owns bid_price, owns bid_whole_lot_volume, owns bid_lot_volume, owns last_trade_price,"
			" owns last_trade_lot_volume, owns volume_today, owns volume_last_24_hours,"
			" owns vwap_today, owns vwap_last_24_hours, owns number_of_trades_today,"
			" owns number_of_trades_last_24_hours, owns low_today, owns low_last_24_hours,"
			" owns high_today, owns high_last_24_hours, owns opening_price;\n",
	},
	[2] = {
		.lp =
			"depth,base_ccy=XBT,instrument=XXBTZEUR,term_ccy=EUR,tier=0 tier_id=0.0,top_bid=5431.0,"
			"top_bid_volume=0.5,top_ask=5432.1,top_ask_volume=1.234 1538079543817645123\n"
			"depth,base_ccy=XBT,instrument=XXBTZEUR,term_ccy=EUR,tier=1 tier_id=1.0,"
			"top_ask=5433.0,top_ask_volume=0.5 1538079543817645123\n",
		.ddl =
			"CREATE TABLE IF NOT EXISTS kraken_depth (source text NOT NULL, seq bigint "
			"NOT NULL, event_time timestamptz NOT NULL, recv_time timestamptz NOT NULL,"
			" instrument text NOT NULL, side text NOT NULL, tier_id bigint NOT NULL,"
			" price double precision NOT NULL, volume double precision NOT NULL, level_time "
			"timestamptz NOT NULL, UNIQUE (source, seq, event_time, side, tier_id))",
		.ddl_sqlite =
			"CREATE TABLE IF NOT EXISTS kraken_depth (source TEXT NOT NULL, seq INTEGER "
			"NOT NULL, event_time TEXT NOT NULL, recv_time TEXT NOT NULL, instrument "
			"TEXT NOT NULL, side TEXT NOT NULL, tier_id INTEGER NOT NULL, price REAL "
			"NOT NULL, volume REAL NOT NULL, level_time TEXT NOT NULL, UNIQUE (source,"
			" seq, event_time, side, tier_id))",
		.put =
			"put $r0 isa kraken_depth, has source \"kraken_depth\", has seq 1234567, has "
			"event_time 2018-09-27T20:19:03.817645, has recv_time 2018-09-27T20:19:03.817795,"
			" has instrument \"XXBTZEUR\", has side \"bid\", has tier_id 0, has price 5431.0,"
			" has volume 0.5, has level_time 2018-09-27T17:40:01.000000;\n"
			"put $r1 isa kraken_depth, has source \"kraken_depth\", has seq 1234567, has "
			"event_time 2018-09-27T20:19:03.817645, has recv_time 2018-09-27T20:19:03.817795,"
			" has instrument \"XXBTZEUR\", has side \"ask\", has tier_id 0, has price 5432.1,"
			" has volume 1.234, has level_time 2018-09-27T17:40:00.000000;\n"
			"put $r2 isa kraken_depth, has source \"kraken_depth\", has seq 1234567, has "
			"event_time 2018-09-27T20:19:03.817645, has recv_time 2018-09-27T20:19:03.817795,"
			" has instrument \"XXBTZEUR\", has side \"ask\", has tier_id 1, has price 5433.0,"
			" has volume 0.5, has level_time 2018-09-27T17:40:02.000000;\n",
		.define =
			"define\n"
			"  attribute source, value string;\n"
			"  attribute seq, value integer;\n"
			"  attribute event_time, value datetime;\n"
			"  attribute recv_time, value datetime;\n"
			"  attribute instrument, value string;\n"
			"  attribute side, value string;\n"
			"  attribute tier_id, value integer;\n"
			"  attribute price, value double;\n"
			"  attribute volume, value double;\n"
			"  attribute level_time, value datetime;\n"
			"  entity kraken_depth, owns source, owns seq, owns event_time, owns recv_time,"
			" owns instrument, owns side, owns tier_id, owns price, owns volume, owns "
			"level_time;\n",
	},
	[3] = {
		.lp =
			"trades,instrument=XXBTZUSD,order_type=l,side=b price=30300.1,volume=0.00125,"
			"trade_id=61283470i 1538079543817645593\n",
		.ddl =
			"CREATE TABLE IF NOT EXISTS kraken_trades (source text NOT NULL, seq bigint "
			"NOT NULL, event_time timestamptz NOT NULL, recv_time timestamptz NOT NULL,"
			" instrument text NOT NULL, price double precision NOT NULL, volume double "
			"precision NOT NULL, side text NOT NULL, order_type text NOT NULL, misc "
			"text NOT NULL, trade_id bigint NOT NULL, UNIQUE (source, seq, event_time))",
		.ddl_sqlite =
			"CREATE TABLE IF NOT EXISTS kraken_trades (source TEXT NOT NULL, seq INTEGER "
			"NOT NULL, event_time TEXT NOT NULL, recv_time TEXT NOT NULL, instrument "
			"TEXT NOT NULL, price REAL NOT NULL, volume REAL NOT NULL, side TEXT NOT "
			"NULL, order_type TEXT NOT NULL, misc TEXT NOT NULL, trade_id INTEGER NOT "
			"NULL, UNIQUE (source, seq, event_time))",
		.put =
			"put $r0 isa kraken_trades, has source \"kraken_orders\", has seq 1234567, "
			"has event_time 2018-09-27T20:19:03.817645, has recv_time 2018-09-27T20:19:03.817795,"
			" has instrument \"XXBTZUSD\", has price 30300.1, has volume 0.00125, has "
			"side \"b\", has order_type \"l\", has misc \"\", has trade_id 61283470;\n",
		.define =
			"define\n"
			"  attribute source, value string;\n"
			"  attribute seq, value integer;\n"
			"  attribute event_time, value datetime;\n"
			"  attribute recv_time, value datetime;\n"
			"  attribute instrument, value string;\n"
			"  attribute price, value double;\n"
			"  attribute volume, value double;\n"
			"  attribute side, value string;\n"
			"  attribute order_type, value string;\n"
			"  attribute misc, value string;\n"
			"  attribute trade_id, value integer;\n"
			"  entity kraken_trades, owns source, owns seq, owns event_time, owns recv_time,"
			" owns instrument, owns price, owns volume, owns side, owns order_type, "
			"owns misc, owns trade_id;\n",
	},
	[4] = {
		.lp =
			"synthetic,instrument=KR_EURUSD,instrument_t0=XZECZUSD,instrument_t1=XETHZEUR "
			"hedge_instrument_t0=\"XZECZUSD\",hedge_instrument_t1=\"XETHZEUR\",kraken_EURUSD_ASK_5_t0=1.17441,"
			"kraken_EURUSD_ASK_5_t1=1.16688,kraken_EURUSD_BID_5_t0=1.15956,kraken_EURUSD_BID_5_t1=1.16386,"
			"spread=0.00302,spread_t_ask=0.00732,spread_t_bid=0.01055 1538079543817645123\n",
		.ddl =
			"CREATE TABLE IF NOT EXISTS synthetic (source text NOT NULL, seq bigint NOT "
			"NULL, event_time timestamptz NOT NULL, recv_time timestamptz NOT NULL, "
			"synthetic_instrument text NOT NULL, instrument_t0 text NOT NULL, kraken_eurusd_bid_5_t0 "
			"double precision NOT NULL, kraken_eurusd_ask_5_t0 double precision NOT "
			"NULL, instrument_t1 text NOT NULL, kraken_eurusd_bid_5_t1 double precision "
			"NOT NULL, kraken_eurusd_ask_5_t1 double precision NOT NULL, spread double "
			"precision NOT NULL, spread_t_bid double precision NOT NULL, spread_t_ask "
			"double precision NOT NULL, UNIQUE (source, seq, event_time))",
		.ddl_sqlite =
			"CREATE TABLE IF NOT EXISTS synthetic (source TEXT NOT NULL, seq INTEGER "
			"NOT NULL, event_time TEXT NOT NULL, recv_time TEXT NOT NULL, synthetic_instrument "
			"TEXT NOT NULL, instrument_t0 TEXT NOT NULL, kraken_eurusd_bid_5_t0 REAL "
			"NOT NULL, kraken_eurusd_ask_5_t0 REAL NOT NULL, instrument_t1 TEXT NOT "
			"NULL, kraken_eurusd_bid_5_t1 REAL NOT NULL, kraken_eurusd_ask_5_t1 REAL "
			"NOT NULL, spread REAL NOT NULL, spread_t_bid REAL NOT NULL, spread_t_ask "
			"REAL NOT NULL, UNIQUE (source, seq, event_time))",
		.put =
			"put $r0 isa synthetic, has source \"kraken_EURUSD\", has seq 1234567, has "
			"event_time 2018-09-27T20:19:03.817645, has recv_time 2018-09-27T20:19:03.817795,"
			" has synthetic_instrument \"KR_EURUSD\", has instrument_t0 \"XZECZUSD\", has "
			"kraken_eurusd_bid_5_t0 1.15956, has kraken_eurusd_ask_5_t0 1.17441, has "
			"instrument_t1 \"XETHZEUR\", has kraken_eurusd_bid_5_t1 1.16386, has kraken_eurusd_ask_5_t1 "
			"1.16688, has spread 0.00302, has spread_t_bid 0.01055, has spread_t_ask "
			"0.00732;\n",
		.define =
			"define\n"
			"  attribute source, value string;\n"
			"  attribute seq, value integer;\n"
			"  attribute event_time, value datetime;\n"
			"  attribute recv_time, value datetime;\n"
			"  attribute synthetic_instrument, value string;\n"
			"  attribute instrument_t0, value string;\n"
			"  attribute kraken_eurusd_bid_5_t0, value double;\n"
			"  attribute kraken_eurusd_ask_5_t0, value double;\n"
			"  attribute instrument_t1, value string;\n"
			"  attribute kraken_eurusd_bid_5_t1, value double;\n"
			"  attribute kraken_eurusd_ask_5_t1, value double;\n"
			"  attribute spread, value double;\n"
			"  attribute spread_t_bid, value double;\n"
			"  attribute spread_t_ask, value double;\n"
			"  entity synthetic, owns source, owns seq, owns event_time, owns recv_time,"
			" owns synthetic_instrument, owns instrument_t0, owns kraken_eurusd_bid_5_t0,"
			" owns kraken_eurusd_ask_5_t0, owns instrument_t1, owns kraken_eurusd_bid_5_t1,"
			" owns kraken_eurusd_ask_5_t1, owns spread, owns spread_t_bid, owns spread_t_ask;\n",
	},
	[5] = {
		.lp =
			"depth,instrument=KR_EURUSD_DEPTH,instrument_t0=XXBTZUSD,instrument_t1=XXBTZEUR "
			"instrument_t0=\"XXBTZUSD\",instrument_t1=\"XXBTZEUR\",kraken_EURUSD_depth_BID_5_t0=1.16386,"
			"kraken_EURUSD_depth_ASK_5_t0=1.16688,kraken_EURUSD_depth_BID_5_t1=1.15999,"
			"kraken_EURUSD_depth_ASK_5_t1=1.16038,bid_t0=6301.2,bid_volume_t0=0.5,ask_t0=6302.0,"
			"ask_volume_t0=1.2,bid_t1=5431.0,bid_volume_t1=0.5,ask_t1=5432.1,ask_volume_t1=1.234,"
			"spread_depth=0.00039,spread_depth_t_bid=0.00689,spread_depth_t_ask=-0.00348 "
			"1538079543817645123\n",
		.ddl =
			"CREATE TABLE IF NOT EXISTS synthetic_depth (source text NOT NULL, seq bigint "
			"NOT NULL, event_time timestamptz NOT NULL, recv_time timestamptz NOT NULL,"
			" synthetic_instrument text NOT NULL, instrument_t0 text NOT NULL, kraken_eurusd_depth_bid_5_t0 "
			"double precision NOT NULL, kraken_eurusd_depth_ask_5_t0 double precision "
			"NOT NULL, bid_t0 double precision NOT NULL, bid_volume_t0 double precision "
			"NOT NULL, ask_t0 double precision NOT NULL, ask_volume_t0 double precision "
			"NOT NULL, instrument_t1 text NOT NULL, kraken_eurusd_depth_bid_5_t1 double "
			"precision NOT NULL, kraken_eurusd_depth_ask_5_t1 double precision NOT NULL,"
			" bid_t1 double precision NOT NULL, bid_volume_t1 double precision NOT NULL,"
			" ask_t1 double precision NOT NULL, ask_volume_t1 double precision NOT NULL,"
			" spread_depth double precision NOT NULL, spread_depth_t_bid double precision "
			"NOT NULL, spread_depth_t_ask double precision NOT NULL, UNIQUE (source,"
			" seq, event_time))",
		.ddl_sqlite =
			"CREATE TABLE IF NOT EXISTS synthetic_depth (source TEXT NOT NULL, seq INTEGER "
			"NOT NULL, event_time TEXT NOT NULL, recv_time TEXT NOT NULL, synthetic_instrument "
			"TEXT NOT NULL, instrument_t0 TEXT NOT NULL, kraken_eurusd_depth_bid_5_t0 "
			"REAL NOT NULL, kraken_eurusd_depth_ask_5_t0 REAL NOT NULL, bid_t0 REAL "
			"NOT NULL, bid_volume_t0 REAL NOT NULL, ask_t0 REAL NOT NULL, ask_volume_t0 "
			"REAL NOT NULL, instrument_t1 TEXT NOT NULL, kraken_eurusd_depth_bid_5_t1 "
			"REAL NOT NULL, kraken_eurusd_depth_ask_5_t1 REAL NOT NULL, bid_t1 REAL "
			"NOT NULL, bid_volume_t1 REAL NOT NULL, ask_t1 REAL NOT NULL, ask_volume_t1 "
			"REAL NOT NULL, spread_depth REAL NOT NULL, spread_depth_t_bid REAL NOT "
			"NULL, spread_depth_t_ask REAL NOT NULL, UNIQUE (source, seq, event_time))",
		.put =
			"put $r0 isa synthetic_depth, has source \"kraken_EURUSD_depth\", has seq 1234567,"
			" has event_time 2018-09-27T20:19:03.817645, has recv_time 2018-09-27T20:19:03.817795,"
			" has synthetic_instrument \"KR_EURUSD_DEPTH\", has instrument_t0 \"XXBTZUSD\","
			" has kraken_eurusd_depth_bid_5_t0 1.16386, has kraken_eurusd_depth_ask_5_t0 "
			"1.16688, has bid_t0 6301.2, has bid_volume_t0 0.5, has ask_t0 6302.0, has "
			"ask_volume_t0 1.2, has instrument_t1 \"XXBTZEUR\", has kraken_eurusd_depth_bid_5_t1 "
			"1.15999, has kraken_eurusd_depth_ask_5_t1 1.16038, has bid_t1 5431.0, has "
			"bid_volume_t1 0.5, has ask_t1 5432.1, has ask_volume_t1 1.234, has spread_depth "
			"0.00039, has spread_depth_t_bid 0.00689, has spread_depth_t_ask -0.00348;\n",
		.define =
			"define\n"
			"  attribute source, value string;\n"
			"  attribute seq, value integer;\n"
			"  attribute event_time, value datetime;\n"
			"  attribute recv_time, value datetime;\n"
			"  attribute synthetic_instrument, value string;\n"
			"  attribute instrument_t0, value string;\n"
			"  attribute kraken_eurusd_depth_bid_5_t0, value double;\n"
			"  attribute kraken_eurusd_depth_ask_5_t0, value double;\n"
			"  attribute bid_t0, value double;\n"
			"  attribute bid_volume_t0, value double;\n"
			"  attribute ask_t0, value double;\n"
			"  attribute ask_volume_t0, value double;\n"
			"  attribute instrument_t1, value string;\n"
			"  attribute kraken_eurusd_depth_bid_5_t1, value double;\n"
			"  attribute kraken_eurusd_depth_ask_5_t1, value double;\n"
			"  attribute bid_t1, value double;\n"
			"  attribute bid_volume_t1, value double;\n"
			"  attribute ask_t1, value double;\n"
			"  attribute ask_volume_t1, value double;\n"
			"  attribute spread_depth, value double;\n"
			"  attribute spread_depth_t_bid, value double;\n"
			"  attribute spread_depth_t_ask, value double;\n"
			"  entity synthetic_depth, owns source, owns seq, owns event_time, owns "
			"recv_time, owns synthetic_instrument, owns instrument_t0, owns kraken_eurusd_depth_bid_5_t0,"
			" owns kraken_eurusd_depth_ask_5_t0, owns bid_t0, owns bid_volume_t0, owns "
			"ask_t0, owns ask_volume_t0, owns instrument_t1, owns kraken_eurusd_depth_bid_5_t1,"
			" owns kraken_eurusd_depth_ask_5_t1, owns bid_t1, owns bid_volume_t1, owns "
			"ask_t1, owns ask_volume_t1, owns spread_depth, owns spread_depth_t_bid,"
			" owns spread_depth_t_ask;\n",
	},
	[6] = {
		.lp =
			"tick,instrument=EUR_USD ask=1.16401,bid=1.16386 1538079543817645123\n",
		.ddl =
			"CREATE TABLE IF NOT EXISTS oanda_tick (source text NOT NULL, seq bigint "
			"NOT NULL, event_time timestamptz NOT NULL, recv_time timestamptz NOT NULL,"
			" instrument text NOT NULL, bid double precision NOT NULL, ask double precision "
			"NOT NULL, bid_liquidity bigint NOT NULL, ask_liquidity bigint NOT NULL, "
			"closeout_bid double precision NOT NULL, closeout_ask double precision NOT NULL, "
			"tradeable bigint NOT NULL, UNIQUE (source, seq, event_time, instrument))",
		.ddl_sqlite =
			"CREATE TABLE IF NOT EXISTS oanda_tick (source TEXT NOT NULL, seq INTEGER "
			"NOT NULL, event_time TEXT NOT NULL, recv_time TEXT NOT NULL, instrument "
			"TEXT NOT NULL, bid REAL NOT NULL, ask REAL NOT NULL, bid_liquidity INTEGER NOT NULL, "
			"ask_liquidity INTEGER NOT NULL, closeout_bid REAL NOT NULL, closeout_ask REAL NOT NULL, "
			"tradeable INTEGER NOT NULL, UNIQUE (source, seq, event_time, instrument))",
		.put =
			"put $r0 isa oanda_tick, has source \"oandav20_tick\", has seq 1234567, has "
			"event_time 2018-09-27T20:19:03.817645, has recv_time 2018-09-27T20:19:03.817795,"
			" has instrument \"EUR_USD\", has bid 1.16386, has ask 1.16401, has bid_liquidity "
			"1000000, has ask_liquidity 3000000, has closeout_bid 1.16382, has closeout_ask "
			"1.16405, has tradeable 1;\n",
		.define =
			"define\n"
			"  attribute source, value string;\n"
			"  attribute seq, value integer;\n"
			"  attribute event_time, value datetime;\n"
			"  attribute recv_time, value datetime;\n"
			"  attribute instrument, value string;\n"
			"  attribute bid, value double;\n"
			"  attribute ask, value double;\n"
			"  attribute bid_liquidity, value integer;\n"
			"  attribute ask_liquidity, value integer;\n"
			"  attribute closeout_bid, value double;\n"
			"  attribute closeout_ask, value double;\n"
			"  attribute tradeable, value integer;\n"
			"  entity oanda_tick, owns source, owns seq, owns event_time, owns recv_time,"
			" owns instrument, owns bid, owns ask, owns bid_liquidity, owns ask_liquidity, "
			"owns closeout_bid, owns closeout_ask, owns tradeable;\n",
	},
	[7] = {
		.lp =
			"heartbeat,source=oanda lag_ns=150000i 1538079543817645123\n",
		.ddl =
			"CREATE TABLE IF NOT EXISTS heartbeat (source text NOT NULL, seq bigint NOT "
			"NULL, event_time timestamptz NOT NULL, recv_time timestamptz NOT NULL, "
			"heartbeat_source text NOT NULL, UNIQUE (source, seq, event_time))",
		.ddl_sqlite =
			"CREATE TABLE IF NOT EXISTS heartbeat (source TEXT NOT NULL, seq INTEGER "
			"NOT NULL, event_time TEXT NOT NULL, recv_time TEXT NOT NULL, heartbeat_source "
			"TEXT NOT NULL, UNIQUE (source, seq, event_time))",
		.put =
			"put $r0 isa heartbeat, has source \"oandav20_tick\", has seq 1234567, has "
			"event_time 2018-09-27T20:19:03.817645, has recv_time 2018-09-27T20:19:03.817795,"
			" has heartbeat_source \"oanda\";\n",
		.define =
			"define\n"
			"  attribute source, value string;\n"
			"  attribute seq, value integer;\n"
			"  attribute event_time, value datetime;\n"
			"  attribute recv_time, value datetime;\n"
			"  attribute heartbeat_source, value string;\n"
			"  entity heartbeat, owns source, owns seq, owns event_time, owns recv_time,"
			" owns heartbeat_source;\n",
	},
	[8] = {	/* back level 2 empty: no field, NULL, no attribute */
		.lp =
			"betfair,handicap=-0.5,market_id=1.123456789,selection_id=47972 "
			"market_status=\"OPEN\",in_play=1i,back_price_0=3.45,back_size_0=120.5,"
			"back_price_1=3.4,back_size_1=80.0,lay_price_0=3.5,lay_size_0=60.25,"
			"lay_price_1=3.55,lay_size_1=10.0,lay_price_2=3.6,lay_size_2=5.0,"
			"traded_volume=1234.56,last_traded=3.45 1538079543817000000\n",
		.ddl =
			"CREATE TABLE IF NOT EXISTS betfair_market (source text NOT NULL, seq bigint "
			"NOT NULL, event_time timestamptz NOT NULL, recv_time timestamptz NOT NULL,"
			" market_id text NOT NULL, selection_id bigint NOT NULL, handicap double precision"
			" NOT NULL, market_status text NOT NULL, in_play bigint NOT NULL,"
			" back_price_0 double precision, back_size_0 double precision,"
			" back_price_1 double precision, back_size_1 double precision,"
			" back_price_2 double precision, back_size_2 double precision,"
			" lay_price_0 double precision, lay_size_0 double precision,"
			" lay_price_1 double precision, lay_size_1 double precision,"
			" lay_price_2 double precision, lay_size_2 double precision,"
			" traded_volume double precision NOT NULL, last_traded_price double precision,"
			" UNIQUE (source, seq, event_time))",
		.ddl_sqlite =
			"CREATE TABLE IF NOT EXISTS betfair_market (source TEXT NOT NULL, seq INTEGER "
			"NOT NULL, event_time TEXT NOT NULL, recv_time TEXT NOT NULL, market_id "
			"TEXT NOT NULL, selection_id INTEGER NOT NULL, handicap REAL NOT NULL,"
			" market_status TEXT NOT NULL, in_play INTEGER NOT NULL, back_price_0 REAL,"
			" back_size_0 REAL, back_price_1 REAL, back_size_1 REAL, back_price_2 REAL,"
			" back_size_2 REAL, lay_price_0 REAL, lay_size_0 REAL, lay_price_1 REAL,"
			" lay_size_1 REAL, lay_price_2 REAL, lay_size_2 REAL, traded_volume REAL NOT NULL,"
			" last_traded_price REAL, UNIQUE (source, seq, event_time))",
		.put =
			"put $r0 isa betfair_market, has source \"betfair_stream\", has seq 1234567,"
			" has event_time 2018-09-27T20:19:03.817000, has recv_time 2018-09-27T20:19:03.817795,"
			" has market_id \"1.123456789\", has selection_id 47972, has handicap -0.5,"
			" has market_status \"OPEN\", has in_play 1, has back_price_0 3.45,"
			" has back_size_0 120.5, has back_price_1 3.4, has back_size_1 80.0,"
			" has lay_price_0 3.5, has lay_size_0 60.25, has lay_price_1 3.55,"
			" has lay_size_1 10.0, has lay_price_2 3.6, has lay_size_2 5.0,"
			" has traded_volume 1234.56, has last_traded_price 3.45;\n",
		.define =
			"define\n"
			"  attribute source, value string;\n"
			"  attribute seq, value integer;\n"
			"  attribute event_time, value datetime;\n"
			"  attribute recv_time, value datetime;\n"
			"  attribute market_id, value string;\n"
			"  attribute selection_id, value integer;\n"
			"  attribute handicap, value double;\n"
			"  attribute market_status, value string;\n"
			"  attribute in_play, value integer;\n"
			"  attribute back_price_0, value double;\n"
			"  attribute back_size_0, value double;\n"
			"  attribute back_price_1, value double;\n"
			"  attribute back_size_1, value double;\n"
			"  attribute back_price_2, value double;\n"
			"  attribute back_size_2, value double;\n"
			"  attribute lay_price_0, value double;\n"
			"  attribute lay_size_0, value double;\n"
			"  attribute lay_price_1, value double;\n"
			"  attribute lay_size_1, value double;\n"
			"  attribute lay_price_2, value double;\n"
			"  attribute lay_size_2, value double;\n"
			"  attribute traded_volume, value double;\n"
			"  attribute last_traded_price, value double;\n"
			"  entity betfair_market, owns source, owns seq, owns event_time, owns recv_time,"
			" owns market_id, owns selection_id, owns handicap, owns market_status, owns in_play,"
			" owns back_price_0, owns back_size_0, owns back_price_1, owns back_size_1,"
			" owns back_price_2, owns back_size_2, owns lay_price_0, owns lay_size_0,"
			" owns lay_price_1, owns lay_size_1, owns lay_price_2, owns lay_size_2,"
			" owns traded_volume, owns last_traded_price;\n",
	},
	[9] = {
		.lp =
			"crypto,geohash=gcpvj0duq53p,lang=en,rules=crypto\\,btc,time_zone=London "
			"id=\"1045394563872804864\",followers_count=1200i,retweet_count=3i,statuses_count=34000i,"
			"text=\"BTC to the moon ✓ with spaces and \\\"quotes\\\"\",user=\"satoshi\","
			"compound_score=0.8316,pos_score=0.75,neu_score=0.125,neg_score=0.125,"
			"location=\"London, UK\",place=\"City of London, London\",latitude=51.5125,"
			"longitude=-0.09375 1538079543000000000\n",
		.ddl =
			"CREATE TABLE IF NOT EXISTS twitter_tweets (source text NOT NULL, seq bigint "
			"NOT NULL, event_time timestamptz NOT NULL, recv_time timestamptz NOT NULL,"
			" tweet_id text NOT NULL, lang text NOT NULL, time_zone text NOT NULL, geohash "
			"text NOT NULL, user_name text NOT NULL, author_id text NOT NULL, followers_count "
			"bigint NOT NULL, statuses_count bigint NOT NULL, retweet_count bigint NOT NULL,"
			" compound_score double precision NOT NULL, pos_score double precision NOT NULL,"
			" neu_score double precision NOT NULL, neg_score double precision NOT NULL,"
			" location text NOT NULL, place text NOT NULL, latitude double precision,"
			" longitude double precision, rule_tags text NOT NULL, tweet_text text NOT NULL,"
			" UNIQUE (source, seq, event_time))",
		.ddl_sqlite =
			"CREATE TABLE IF NOT EXISTS twitter_tweets (source TEXT NOT NULL, seq INTEGER "
			"NOT NULL, event_time TEXT NOT NULL, recv_time TEXT NOT NULL, tweet_id TEXT "
			"NOT NULL, lang TEXT NOT NULL, time_zone TEXT NOT NULL, geohash TEXT NOT "
			"NULL, user_name TEXT NOT NULL, author_id TEXT NOT NULL, followers_count INTEGER"
			" NOT NULL, statuses_count INTEGER NOT NULL, retweet_count INTEGER NOT NULL,"
			" compound_score REAL NOT NULL, pos_score REAL NOT NULL, neu_score REAL NOT NULL,"
			" neg_score REAL NOT NULL, location TEXT NOT NULL, place TEXT NOT NULL, latitude"
			" REAL, longitude REAL, rule_tags TEXT NOT NULL, tweet_text TEXT NOT NULL,"
			" UNIQUE (source, seq, event_time))",
		.put =
			"put $r0 isa twitter_tweets, has source \"twitter\", has seq 1234567, has event_time "
			"2018-09-27T20:19:03.000000, has recv_time 2018-09-27T20:19:03.817795, has "
			"tweet_id \"1045394563872804864\", has lang \"en\", has time_zone \"London\", "
			"has geohash \"gcpvj0duq53p\", has user_name \"satoshi\", has author_id "
			"\"9876543210\", has followers_count 1200, has statuses_count 34000, has "
			"retweet_count 3, has compound_score 0.8316, has pos_score 0.75, has neu_score "
			"0.125, has neg_score 0.125, has location \"London, UK\", has place \"City of "
			"London, London\", has latitude 51.5125, has longitude -0.09375, has rule_tags "
			"\"crypto,btc\", has tweet_text \"BTC to the moon ✓ with spaces and "
			"\\\"quotes\\\"\";\n",
		.define =
			"define\n"
			"  attribute source, value string;\n"
			"  attribute seq, value integer;\n"
			"  attribute event_time, value datetime;\n"
			"  attribute recv_time, value datetime;\n"
			"  attribute tweet_id, value string;\n"
			"  attribute lang, value string;\n"
			"  attribute time_zone, value string;\n"
			"  attribute geohash, value string;\n"
			"  attribute user_name, value string;\n"
			"  attribute author_id, value string;\n"
			"  attribute followers_count, value integer;\n"
			"  attribute statuses_count, value integer;\n"
			"  attribute retweet_count, value integer;\n"
			"  attribute compound_score, value double;\n"
			"  attribute pos_score, value double;\n"
			"  attribute neu_score, value double;\n"
			"  attribute neg_score, value double;\n"
			"  attribute location, value string;\n"
			"  attribute place, value string;\n"
			"  attribute latitude, value double;\n"
			"  attribute longitude, value double;\n"
			"  attribute rule_tags, value string;\n"
			"  attribute tweet_text, value string;\n"
			"  entity twitter_tweets, owns source, owns seq, owns event_time, owns recv_time,"
			" owns tweet_id, owns lang, owns time_zone, owns geohash, owns user_name,"
			" owns author_id, owns followers_count, owns statuses_count, owns retweet_count,"
			" owns compound_score, owns pos_score, owns neu_score, owns neg_score, owns location,"
			" owns place, owns latitude, owns longitude, owns rule_tags, owns tweet_text;\n",
	},
	[10] = {
		.lp =
			"transactions,instrument=EUR_USD,type=ORDER_FILL id=6368i,account=\"101-004-1234567-001\","
			"batch_id=\"6367\",order_id=\"6367\",trade_id=\"6368\",units=\"-1000\",price=\"1.16386\","
			"reason=\"MARKET_ORDER\",pl=\"-0.1234\" 1538079543817645123\n",
		.ddl =
			"CREATE TABLE IF NOT EXISTS oanda_transactions (source text NOT NULL, seq bigint "
			"NOT NULL, event_time timestamptz NOT NULL, recv_time timestamptz NOT NULL,"
			" transaction_id bigint NOT NULL, transaction_type text NOT NULL, account_id text"
			" NOT NULL, batch_id text NOT NULL, order_id text NOT NULL, trade_id text NOT NULL,"
			" instrument text NOT NULL, units text NOT NULL, transaction_price text NOT NULL,"
			" reason text NOT NULL, pl text NOT NULL, financing text NOT NULL,"
			" UNIQUE (source, seq, event_time))",
		.ddl_sqlite =
			"CREATE TABLE IF NOT EXISTS oanda_transactions (source TEXT NOT NULL, seq INTEGER "
			"NOT NULL, event_time TEXT NOT NULL, recv_time TEXT NOT NULL,"
			" transaction_id INTEGER NOT NULL, transaction_type TEXT NOT NULL, account_id TEXT"
			" NOT NULL, batch_id TEXT NOT NULL, order_id TEXT NOT NULL, trade_id TEXT NOT NULL,"
			" instrument TEXT NOT NULL, units TEXT NOT NULL, transaction_price TEXT NOT NULL,"
			" reason TEXT NOT NULL, pl TEXT NOT NULL, financing TEXT NOT NULL,"
			" UNIQUE (source, seq, event_time))",
		.put =
			"put $r0 isa oanda_transactions, has source \"oanda_orders\", has seq 1234567,"
			" has event_time 2018-09-27T20:19:03.817645, has recv_time 2018-09-27T20:19:03.817795,"
			" has transaction_id 6368, has transaction_type \"ORDER_FILL\", has account_id"
			" \"101-004-1234567-001\", has batch_id \"6367\", has order_id \"6367\", has trade_id"
			" \"6368\", has instrument \"EUR_USD\", has units \"-1000\", has transaction_price"
			" \"1.16386\", has reason \"MARKET_ORDER\", has pl \"-0.1234\", has financing \"\";\n",
		.define =
			"define\n"
			"  attribute source, value string;\n"
			"  attribute seq, value integer;\n"
			"  attribute event_time, value datetime;\n"
			"  attribute recv_time, value datetime;\n"
			"  attribute transaction_id, value integer;\n"
			"  attribute transaction_type, value string;\n"
			"  attribute account_id, value string;\n"
			"  attribute batch_id, value string;\n"
			"  attribute order_id, value string;\n"
			"  attribute trade_id, value string;\n"
			"  attribute instrument, value string;\n"
			"  attribute units, value string;\n"
			"  attribute transaction_price, value string;\n"
			"  attribute reason, value string;\n"
			"  attribute pl, value string;\n"
			"  attribute financing, value string;\n"
			"  entity oanda_transactions, owns source, owns seq, owns event_time, owns recv_time,"
			" owns transaction_id, owns transaction_type, owns account_id, owns batch_id,"
			" owns order_id, owns trade_id, owns instrument, owns units, owns transaction_price,"
			" owns reason, owns pl, owns financing;\n",
	},
	[11] = {	/* vwap undefined: no field, NULL, no attribute */
		.lp =
			"tick_stats,instrument=XXBTZEUR window=3i,window_time=2000000000i,count=2i,"
			"mid_mean=5431.55,mid_std=0.25,mid_min=5431.5,mid_max=5432.0,spread_mean=1.1,"
			"spread_std=0.0,spread_min=-0.5,spread_max=1.1 1538079543817645123\n",
		.ddl =
			"CREATE TABLE IF NOT EXISTS tick_stats (source text NOT NULL, seq bigint NOT NULL,"
			" event_time timestamptz NOT NULL, recv_time timestamptz NOT NULL, instrument text"
			" NOT NULL, window_ticks bigint NOT NULL, window_ns bigint NOT NULL, nobs bigint"
			" NOT NULL, mid_mean double precision, mid_std double precision, mid_min double"
			" precision, mid_max double precision, spread_mean double precision, spread_std"
			" double precision, spread_min double precision, spread_max double precision,"
			" vwap double precision, UNIQUE (source, seq, event_time))",
		.ddl_sqlite =
			"CREATE TABLE IF NOT EXISTS tick_stats (source TEXT NOT NULL, seq INTEGER NOT NULL,"
			" event_time TEXT NOT NULL, recv_time TEXT NOT NULL, instrument TEXT NOT NULL,"
			" window_ticks INTEGER NOT NULL, window_ns INTEGER NOT NULL, nobs INTEGER NOT NULL,"
			" mid_mean REAL, mid_std REAL, mid_min REAL, mid_max REAL, spread_mean REAL,"
			" spread_std REAL, spread_min REAL, spread_max REAL, vwap REAL,"
			" UNIQUE (source, seq, event_time))",
		.put =
			"put $r0 isa tick_stats, has source \"kraken_tick_stats\", has seq 1234567,"
			" has event_time 2018-09-27T20:19:03.817645, has recv_time 2018-09-27T20:19:03.817795,"
			" has instrument \"XXBTZEUR\", has window_ticks 3, has window_ns 2000000000,"
			" has nobs 2, has mid_mean 5431.55, has mid_std 0.25, has mid_min 5431.5,"
			" has mid_max 5432.0, has spread_mean 1.1, has spread_std 0.0, has spread_min -0.5,"
			" has spread_max 1.1;\n",
		.define =
			"define\n"
			"  attribute source, value string;\n"
			"  attribute seq, value integer;\n"
			"  attribute event_time, value datetime;\n"
			"  attribute recv_time, value datetime;\n"
			"  attribute instrument, value string;\n"
			"  attribute window_ticks, value integer;\n"
			"  attribute window_ns, value integer;\n"
			"  attribute nobs, value integer;\n"
			"  attribute mid_mean, value double;\n"
			"  attribute mid_std, value double;\n"
			"  attribute mid_min, value double;\n"
			"  attribute mid_max, value double;\n"
			"  attribute spread_mean, value double;\n"
			"  attribute spread_std, value double;\n"
			"  attribute spread_min, value double;\n"
			"  attribute spread_max, value double;\n"
			"  attribute vwap, value double;\n"
			"  entity tick_stats, owns source, owns seq, owns event_time, owns recv_time,"
			" owns instrument, owns window_ticks, owns window_ns, owns nobs, owns mid_mean,"
			" owns mid_std, owns mid_min, owns mid_max, owns spread_mean, owns spread_std,"
			" owns spread_min, owns spread_max, owns vwap;\n",
	},
	[12] = {	/* a pair the original could not split: XBT / USDT */
		.lp =
			"exposure,base_ccy=XBT,instrument=XBTUSDT,term_ccy=USDT bid_tier_id=0.0,top_bid=95000.5,"
			"top_bid_volume=0.25,bid_base_amount=0.25,bid_term_amount=23750.125,ask_tier_id=0.0,"
			"top_ask=95001.0,top_ask_volume=0.5,ask_base_amount=0.5,ask_term_amount=47500.5"
			" 1538079543817645123\n",
		.ddl =
			"CREATE TABLE IF NOT EXISTS exposure (source text NOT NULL, seq bigint NOT NULL,"
			" event_time timestamptz NOT NULL, recv_time timestamptz NOT NULL, instrument text"
			" NOT NULL, base_ccy text NOT NULL, term_ccy text NOT NULL, bid_tier_id bigint NOT NULL,"
			" top_bid double precision NOT NULL, top_bid_volume double precision NOT NULL,"
			" bid_base_amount double precision NOT NULL, bid_term_amount double precision NOT NULL,"
			" ask_tier_id bigint NOT NULL, top_ask double precision NOT NULL, top_ask_volume double"
			" precision NOT NULL, ask_base_amount double precision NOT NULL, ask_term_amount double"
			" precision NOT NULL, UNIQUE (source, seq, event_time))",
		.ddl_sqlite =
			"CREATE TABLE IF NOT EXISTS exposure (source TEXT NOT NULL, seq INTEGER NOT NULL,"
			" event_time TEXT NOT NULL, recv_time TEXT NOT NULL, instrument TEXT NOT NULL,"
			" base_ccy TEXT NOT NULL, term_ccy TEXT NOT NULL, bid_tier_id INTEGER NOT NULL,"
			" top_bid REAL NOT NULL, top_bid_volume REAL NOT NULL, bid_base_amount REAL NOT NULL,"
			" bid_term_amount REAL NOT NULL, ask_tier_id INTEGER NOT NULL, top_ask REAL NOT NULL,"
			" top_ask_volume REAL NOT NULL, ask_base_amount REAL NOT NULL, ask_term_amount REAL"
			" NOT NULL, UNIQUE (source, seq, event_time))",
		.put =
			"put $r0 isa exposure, has source \"kraken_depth_exposure\", has seq 1234567,"
			" has event_time 2018-09-27T20:19:03.817645, has recv_time 2018-09-27T20:19:03.817795,"
			" has instrument \"XBTUSDT\", has base_ccy \"XBT\", has term_ccy \"USDT\","
			" has bid_tier_id 0, has top_bid 95000.5, has top_bid_volume 0.25,"
			" has bid_base_amount 0.25, has bid_term_amount 23750.125, has ask_tier_id 0,"
			" has top_ask 95001.0, has top_ask_volume 0.5, has ask_base_amount 0.5,"
			" has ask_term_amount 47500.5;\n",
		.define =
			"define\n"
			"  attribute source, value string;\n"
			"  attribute seq, value integer;\n"
			"  attribute event_time, value datetime;\n"
			"  attribute recv_time, value datetime;\n"
			"  attribute instrument, value string;\n"
			"  attribute base_ccy, value string;\n"
			"  attribute term_ccy, value string;\n"
			"  attribute bid_tier_id, value integer;\n"
			"  attribute top_bid, value double;\n"
			"  attribute top_bid_volume, value double;\n"
			"  attribute bid_base_amount, value double;\n"
			"  attribute bid_term_amount, value double;\n"
			"  attribute ask_tier_id, value integer;\n"
			"  attribute top_ask, value double;\n"
			"  attribute top_ask_volume, value double;\n"
			"  attribute ask_base_amount, value double;\n"
			"  attribute ask_term_amount, value double;\n"
			"  entity exposure, owns source, owns seq, owns event_time, owns recv_time,"
			" owns instrument, owns base_ccy, owns term_ccy, owns bid_tier_id, owns top_bid,"
			" owns top_bid_volume, owns bid_base_amount, owns bid_term_amount, owns ask_tier_id,"
			" owns top_ask, owns top_ask_volume, owns ask_base_amount, owns ask_term_amount;\n",
	},
	[13] = {	/* a signal; oanda_ask undefined */
		.lp =
			"orders,instrument=KR_EURUSD_ORDER,instrument_t0=XXBTZUSD,instrument_t1=XXBTZEUR,rule=t_ask,"
			"side=s kraken_EURUSD_depth_BID_5_t0=1.16386,kraken_EURUSD_depth_ASK_5_t0=1.16688,"
			"kraken_EURUSD_depth_BID_5_t1=1.15999,kraken_EURUSD_depth_ASK_5_t1=1.16038,"
			"spread_depth_t_bid=0.00689,spread_depth_t_ask=-0.00348,spread_depth=0.00039,"
			"signal_id=1538079543817645123i,trade_instrument=\"EUR_USD\",size=1000.0,price=1.15999,"
			"threshold=0.003,oanda_bid=1.16012 1538079543817645123\n",
		.ddl =
			"CREATE TABLE IF NOT EXISTS signals (source text NOT NULL, seq bigint NOT NULL, event_time "
			"timestamptz NOT NULL, recv_time timestamptz NOT NULL, signal_id bigint NOT NULL, rule text "
			"NOT NULL, side text NOT NULL, trade_instrument text NOT NULL, size double precision NOT "
			"NULL, price double precision NOT NULL, threshold double precision NOT NULL, instrument_t0 "
			"text NOT NULL, kraken_eurusd_depth_bid_5_t0 double precision NOT NULL, "
			"kraken_eurusd_depth_ask_5_t0 double precision NOT NULL, instrument_t1 text NOT NULL, "
			"kraken_eurusd_depth_bid_5_t1 double precision NOT NULL, kraken_eurusd_depth_ask_5_t1 double "
			"precision NOT NULL, spread_depth double precision NOT NULL, spread_depth_t_bid double "
			"precision NOT NULL, spread_depth_t_ask double precision NOT NULL, oanda_bid double "
			"precision, oanda_ask double precision, UNIQUE (source, seq, event_time))",
		.ddl_sqlite =
			"CREATE TABLE IF NOT EXISTS signals (source TEXT NOT NULL, seq INTEGER NOT NULL, event_time "
			"TEXT NOT NULL, recv_time TEXT NOT NULL, signal_id INTEGER NOT NULL, rule TEXT NOT NULL, side"
			" TEXT NOT NULL, trade_instrument TEXT NOT NULL, size REAL NOT NULL, price REAL NOT NULL, "
			"threshold REAL NOT NULL, instrument_t0 TEXT NOT NULL, kraken_eurusd_depth_bid_5_t0 REAL NOT "
			"NULL, kraken_eurusd_depth_ask_5_t0 REAL NOT NULL, instrument_t1 TEXT NOT NULL, "
			"kraken_eurusd_depth_bid_5_t1 REAL NOT NULL, kraken_eurusd_depth_ask_5_t1 REAL NOT NULL, "
			"spread_depth REAL NOT NULL, spread_depth_t_bid REAL NOT NULL, spread_depth_t_ask REAL NOT "
			"NULL, oanda_bid REAL, oanda_ask REAL, UNIQUE (source, seq, event_time))",
		.put =
			"put $r0 isa signals, has source \"kraken_EURUSD_depth_signal\", has seq 1234567, has "
			"event_time 2018-09-27T20:19:03.817645, has recv_time 2018-09-27T20:19:03.817795, has "
			"signal_id 1538079543817645123, has rule \"t_ask\", has side \"s\", has trade_instrument "
			"\"EUR_USD\", has size 1000.0, has price 1.15999, has threshold 0.003, has instrument_t0 "
			"\"XXBTZUSD\", has kraken_eurusd_depth_bid_5_t0 1.16386, has kraken_eurusd_depth_ask_5_t0 "
			"1.16688, has instrument_t1 \"XXBTZEUR\", has kraken_eurusd_depth_bid_5_t1 1.15999, has "
			"kraken_eurusd_depth_ask_5_t1 1.16038, has spread_depth 0.00039, has spread_depth_t_bid "
			"0.00689, has spread_depth_t_ask -0.00348, has oanda_bid 1.16012;\n",
		.define =
			"define\n"
			"  attribute source, value string;\n"
			"  attribute seq, value integer;\n"
			"  attribute event_time, value datetime;\n"
			"  attribute recv_time, value datetime;\n"
			"  attribute signal_id, value integer;\n"
			"  attribute rule, value string;\n"
			"  attribute side, value string;\n"
			"  attribute trade_instrument, value string;\n"
			"  attribute size, value double;\n"
			"  attribute price, value double;\n"
			"  attribute threshold, value double;\n"
			"  attribute instrument_t0, value string;\n"
			"  attribute kraken_eurusd_depth_bid_5_t0, value double;\n"
			"  attribute kraken_eurusd_depth_ask_5_t0, value double;\n"
			"  attribute instrument_t1, value string;\n"
			"  attribute kraken_eurusd_depth_bid_5_t1, value double;\n"
			"  attribute kraken_eurusd_depth_ask_5_t1, value double;\n"
			"  attribute spread_depth, value double;\n"
			"  attribute spread_depth_t_bid, value double;\n"
			"  attribute spread_depth_t_ask, value double;\n"
			"  attribute oanda_bid, value double;\n"
			"  attribute oanda_ask, value double;\n"
			"  entity signals, owns source, owns seq, owns event_time, owns recv_time, owns signal_id, "
			"owns rule, owns side, owns trade_instrument, owns size, owns price, owns threshold, owns "
			"instrument_t0, owns kraken_eurusd_depth_bid_5_t0, owns kraken_eurusd_depth_ask_5_t0, owns "
			"instrument_t1, owns kraken_eurusd_depth_bid_5_t1, owns kraken_eurusd_depth_ask_5_t1, owns "
			"spread_depth, owns spread_depth_t_bid, owns spread_depth_t_ask, owns oanda_bid, owns "
			"oanda_ask;\n",
	},
	[14] = {	/* a BASKET record; ask_t1_cross undefined */
		.lp =
			"MESSAGES,MSGTYPE=BASKET,SIDE_CROSS_T0=SELL,SIDE_CROSS_T1=BUY,SIDE_T0=BUY,SIDE_T1=SELL,"
			"instrument=KR_EURUSD_DEPTH,instrument_t0=XXBTZUSD,instrument_t0_cross=XXBTZEUR,"
			"instrument_t1=XXBTZEUR,instrument_t1_cross=XXBTZUSD instrument_t0=\"XXBTZUSD\","
			"instrument_t1=\"XXBTZEUR\",instrument_t0_cross=\"XXBTZEUR\","
			"instrument_t1_cross=\"XXBTZUSD\",kraken_EURUSD_depth_BID_5_t0=1.16386,"
			"kraken_EURUSD_depth_ASK_5_t0=1.16688,kraken_EURUSD_depth_BID_5_t1=1.15999,"
			"kraken_EURUSD_depth_ASK_5_t1=1.16038,bid_t0=6301.2,bid_volume_t0=0.5,ask_t0=6302.0,"
			"ask_volume_t0=1.2,bid_t1=5431.0,bid_volume_t1=0.5,ask_t1=5432.1,ask_volume_t1=1.234,"
			"spread_depth_t_bid=0.00689,spread_depth_t_ask=-0.00348,spread_depth=0.00039,"
			"bid_t0_cross=5400.25,ask_t0_cross=5415.5,bid_t1_cross=6299.875,SIDE_T0=\"BUY\","
			"SIDE_CROSS_T0=\"SELL\",SIDE_T1=\"SELL\",SIDE_CROSS_T1=\"BUY\" 1538079543817645123\n",
		.ddl =
			"CREATE TABLE IF NOT EXISTS basket (source text NOT NULL, seq bigint NOT NULL, event_time "
			"timestamptz NOT NULL, recv_time timestamptz NOT NULL, msgtype text NOT NULL, instrument_t0 "
			"text NOT NULL, kraken_eurusd_depth_bid_5_t0 double precision NOT NULL, "
			"kraken_eurusd_depth_ask_5_t0 double precision NOT NULL, bid_t0 double precision NOT NULL, "
			"bid_volume_t0 double precision NOT NULL, ask_t0 double precision NOT NULL, ask_volume_t0 "
			"double precision NOT NULL, instrument_t1 text NOT NULL, kraken_eurusd_depth_bid_5_t1 double "
			"precision NOT NULL, kraken_eurusd_depth_ask_5_t1 double precision NOT NULL, bid_t1 double "
			"precision NOT NULL, bid_volume_t1 double precision NOT NULL, ask_t1 double precision NOT "
			"NULL, ask_volume_t1 double precision NOT NULL, spread_depth double precision NOT NULL, "
			"spread_depth_t_bid double precision NOT NULL, spread_depth_t_ask double precision NOT NULL, "
			"instrument_t0_cross text NOT NULL, bid_t0_cross double precision, ask_t0_cross double "
			"precision, instrument_t1_cross text NOT NULL, bid_t1_cross double precision, ask_t1_cross "
			"double precision, side_t0 text NOT NULL, side_cross_t0 text NOT NULL, side_t1 text NOT NULL,"
			" side_cross_t1 text NOT NULL, UNIQUE (source, seq, event_time))",
		.ddl_sqlite =
			"CREATE TABLE IF NOT EXISTS basket (source TEXT NOT NULL, seq INTEGER NOT NULL, event_time "
			"TEXT NOT NULL, recv_time TEXT NOT NULL, msgtype TEXT NOT NULL, instrument_t0 TEXT NOT NULL, "
			"kraken_eurusd_depth_bid_5_t0 REAL NOT NULL, kraken_eurusd_depth_ask_5_t0 REAL NOT NULL, "
			"bid_t0 REAL NOT NULL, bid_volume_t0 REAL NOT NULL, ask_t0 REAL NOT NULL, ask_volume_t0 REAL "
			"NOT NULL, instrument_t1 TEXT NOT NULL, kraken_eurusd_depth_bid_5_t1 REAL NOT NULL, "
			"kraken_eurusd_depth_ask_5_t1 REAL NOT NULL, bid_t1 REAL NOT NULL, bid_volume_t1 REAL NOT "
			"NULL, ask_t1 REAL NOT NULL, ask_volume_t1 REAL NOT NULL, spread_depth REAL NOT NULL, "
			"spread_depth_t_bid REAL NOT NULL, spread_depth_t_ask REAL NOT NULL, instrument_t0_cross TEXT"
			" NOT NULL, bid_t0_cross REAL, ask_t0_cross REAL, instrument_t1_cross TEXT NOT NULL, "
			"bid_t1_cross REAL, ask_t1_cross REAL, side_t0 TEXT NOT NULL, side_cross_t0 TEXT NOT NULL, "
			"side_t1 TEXT NOT NULL, side_cross_t1 TEXT NOT NULL, UNIQUE (source, seq, event_time))",
		.put =
			"put $r0 isa basket, has source \"kraken_EURUSD_basket\", has seq 1234567, has event_time "
			"2018-09-27T20:19:03.817645, has recv_time 2018-09-27T20:19:03.817795, has msgtype "
			"\"BASKET\", has instrument_t0 \"XXBTZUSD\", has kraken_eurusd_depth_bid_5_t0 1.16386, has "
			"kraken_eurusd_depth_ask_5_t0 1.16688, has bid_t0 6301.2, has bid_volume_t0 0.5, has ask_t0 "
			"6302.0, has ask_volume_t0 1.2, has instrument_t1 \"XXBTZEUR\", has "
			"kraken_eurusd_depth_bid_5_t1 1.15999, has kraken_eurusd_depth_ask_5_t1 1.16038, has bid_t1 "
			"5431.0, has bid_volume_t1 0.5, has ask_t1 5432.1, has ask_volume_t1 1.234, has spread_depth "
			"0.00039, has spread_depth_t_bid 0.00689, has spread_depth_t_ask -0.00348, has "
			"instrument_t0_cross \"XXBTZEUR\", has bid_t0_cross 5400.25, has ask_t0_cross 5415.5, has "
			"instrument_t1_cross \"XXBTZUSD\", has bid_t1_cross 6299.875, has side_t0 \"BUY\", has "
			"side_cross_t0 \"SELL\", has side_t1 \"SELL\", has side_cross_t1 \"BUY\";\n",
		.define =
			"define\n"
			"  attribute source, value string;\n"
			"  attribute seq, value integer;\n"
			"  attribute event_time, value datetime;\n"
			"  attribute recv_time, value datetime;\n"
			"  attribute msgtype, value string;\n"
			"  attribute instrument_t0, value string;\n"
			"  attribute kraken_eurusd_depth_bid_5_t0, value double;\n"
			"  attribute kraken_eurusd_depth_ask_5_t0, value double;\n"
			"  attribute bid_t0, value double;\n"
			"  attribute bid_volume_t0, value double;\n"
			"  attribute ask_t0, value double;\n"
			"  attribute ask_volume_t0, value double;\n"
			"  attribute instrument_t1, value string;\n"
			"  attribute kraken_eurusd_depth_bid_5_t1, value double;\n"
			"  attribute kraken_eurusd_depth_ask_5_t1, value double;\n"
			"  attribute bid_t1, value double;\n"
			"  attribute bid_volume_t1, value double;\n"
			"  attribute ask_t1, value double;\n"
			"  attribute ask_volume_t1, value double;\n"
			"  attribute spread_depth, value double;\n"
			"  attribute spread_depth_t_bid, value double;\n"
			"  attribute spread_depth_t_ask, value double;\n"
			"  attribute instrument_t0_cross, value string;\n"
			"  attribute bid_t0_cross, value double;\n"
			"  attribute ask_t0_cross, value double;\n"
			"  attribute instrument_t1_cross, value string;\n"
			"  attribute bid_t1_cross, value double;\n"
			"  attribute ask_t1_cross, value double;\n"
			"  attribute side_t0, value string;\n"
			"  attribute side_cross_t0, value string;\n"
			"  attribute side_t1, value string;\n"
			"  attribute side_cross_t1, value string;\n"
			"  entity basket, owns source, owns seq, owns event_time, owns recv_time, owns msgtype, owns "
			"instrument_t0, owns kraken_eurusd_depth_bid_5_t0, owns kraken_eurusd_depth_ask_5_t0, owns "
			"bid_t0, owns bid_volume_t0, owns ask_t0, owns ask_volume_t0, owns instrument_t1, owns "
			"kraken_eurusd_depth_bid_5_t1, owns kraken_eurusd_depth_ask_5_t1, owns bid_t1, owns "
			"bid_volume_t1, owns ask_t1, owns ask_volume_t1, owns spread_depth, owns spread_depth_t_bid, "
			"owns spread_depth_t_ask, owns instrument_t0_cross, owns bid_t0_cross, owns ask_t0_cross, "
			"owns instrument_t1_cross, owns bid_t1_cross, owns ask_t1_cross, owns side_t0, owns "
			"side_cross_t0, owns side_t1, owns side_cross_t1;\n",
	},
	[15] = {	/* a rejected order; no stop loss */
		.lp =
			"trade_order,instrument=EUR_USD,mode=practice,side=b,state=rejected "
			"client_id=\"nbpy-depth-1538079543817645123-0\",signal_id=1538079543817645123i,units=1000.0,"
			"price=1.16401,take_profit=1.16529,reason=\"INSUFFICIENT_MARGIN\",broker_id=\"6370\" "
			"1538079543817645123\n",
		.ddl =
			"CREATE TABLE IF NOT EXISTS trade_orders (source text NOT NULL, seq bigint NOT NULL, "
			"event_time timestamptz NOT NULL, recv_time timestamptz NOT NULL, client_id text NOT NULL, "
			"signal_id bigint NOT NULL, mode text NOT NULL, instrument text NOT NULL, side text NOT NULL,"
			" order_units double precision NOT NULL, quote_price double precision, take_profit double "
			"precision, stop_loss double precision, order_state text NOT NULL, reason text NOT NULL, "
			"broker_id text NOT NULL, UNIQUE (source, seq, event_time))",
		.ddl_sqlite =
			"CREATE TABLE IF NOT EXISTS trade_orders (source TEXT NOT NULL, seq INTEGER NOT NULL, "
			"event_time TEXT NOT NULL, recv_time TEXT NOT NULL, client_id TEXT NOT NULL, signal_id "
			"INTEGER NOT NULL, mode TEXT NOT NULL, instrument TEXT NOT NULL, side TEXT NOT NULL, "
			"order_units REAL NOT NULL, quote_price REAL, take_profit REAL, stop_loss REAL, order_state "
			"TEXT NOT NULL, reason TEXT NOT NULL, broker_id TEXT NOT NULL, UNIQUE (source, seq, "
			"event_time))",
		.put =
			"put $r0 isa trade_orders, has source \"oanda_kraken_EURUSD_depth_position_order\", has seq "
			"1234567, has event_time 2018-09-27T20:19:03.817645, has recv_time "
			"2018-09-27T20:19:03.817795, has client_id \"nbpy-depth-1538079543817645123-0\", has "
			"signal_id 1538079543817645123, has mode \"practice\", has instrument \"EUR_USD\", has side "
			"\"b\", has order_units 1000.0, has quote_price 1.16401, has take_profit 1.16529, has "
			"order_state \"rejected\", has reason \"INSUFFICIENT_MARGIN\", has broker_id \"6370\";\n",
		.define =
			"define\n"
			"  attribute source, value string;\n"
			"  attribute seq, value integer;\n"
			"  attribute event_time, value datetime;\n"
			"  attribute recv_time, value datetime;\n"
			"  attribute client_id, value string;\n"
			"  attribute signal_id, value integer;\n"
			"  attribute mode, value string;\n"
			"  attribute instrument, value string;\n"
			"  attribute side, value string;\n"
			"  attribute order_units, value double;\n"
			"  attribute quote_price, value double;\n"
			"  attribute take_profit, value double;\n"
			"  attribute stop_loss, value double;\n"
			"  attribute order_state, value string;\n"
			"  attribute reason, value string;\n"
			"  attribute broker_id, value string;\n"
			"  entity trade_orders, owns source, owns seq, owns event_time, owns recv_time, owns "
			"client_id, owns signal_id, owns mode, owns instrument, owns side, owns order_units, owns "
			"quote_price, owns take_profit, owns stop_loss, owns order_state, owns reason, owns "
			"broker_id;\n",
	},
	[16] = {	/* a paper fill: no broker id */
		.lp =
			"trade_fill,instrument=EUR_USD,mode=paper,side=s "
			"client_id=\"nbpy-depth-1538079543817645123-0\",signal_id=1538079543817645123i,units=500.0,"
			"price=1.16386,fee=0.25,realised_pl=-1.5,currency=\"USD\" 1538079543817645123\n",
		.ddl =
			"CREATE TABLE IF NOT EXISTS trade_fills (source text NOT NULL, seq bigint NOT NULL, "
			"event_time timestamptz NOT NULL, recv_time timestamptz NOT NULL, client_id text NOT NULL, "
			"signal_id bigint NOT NULL, mode text NOT NULL, instrument text NOT NULL, side text NOT NULL,"
			" fill_units double precision NOT NULL, fill_price double precision NOT NULL, fee double "
			"precision NOT NULL, realised_pl double precision NOT NULL, currency text NOT NULL, broker_id"
			" text NOT NULL, UNIQUE (source, seq, event_time))",
		.ddl_sqlite =
			"CREATE TABLE IF NOT EXISTS trade_fills (source TEXT NOT NULL, seq INTEGER NOT NULL, "
			"event_time TEXT NOT NULL, recv_time TEXT NOT NULL, client_id TEXT NOT NULL, signal_id "
			"INTEGER NOT NULL, mode TEXT NOT NULL, instrument TEXT NOT NULL, side TEXT NOT NULL, "
			"fill_units REAL NOT NULL, fill_price REAL NOT NULL, fee REAL NOT NULL, realised_pl REAL NOT "
			"NULL, currency TEXT NOT NULL, broker_id TEXT NOT NULL, UNIQUE (source, seq, event_time))",
		.put =
			"put $r0 isa trade_fills, has source \"oanda_kraken_EURUSD_depth_position_order\", has seq "
			"1234567, has event_time 2018-09-27T20:19:03.817645, has recv_time "
			"2018-09-27T20:19:03.817795, has client_id \"nbpy-depth-1538079543817645123-0\", has "
			"signal_id 1538079543817645123, has mode \"paper\", has instrument \"EUR_USD\", has side "
			"\"s\", has fill_units 500.0, has fill_price 1.16386, has fee 0.25, has realised_pl -1.5, has"
			" currency \"USD\", has broker_id \"\";\n",
		.define =
			"define\n"
			"  attribute source, value string;\n"
			"  attribute seq, value integer;\n"
			"  attribute event_time, value datetime;\n"
			"  attribute recv_time, value datetime;\n"
			"  attribute client_id, value string;\n"
			"  attribute signal_id, value integer;\n"
			"  attribute mode, value string;\n"
			"  attribute instrument, value string;\n"
			"  attribute side, value string;\n"
			"  attribute fill_units, value double;\n"
			"  attribute fill_price, value double;\n"
			"  attribute fee, value double;\n"
			"  attribute realised_pl, value double;\n"
			"  attribute currency, value string;\n"
			"  attribute broker_id, value string;\n"
			"  entity trade_fills, owns source, owns seq, owns event_time, owns recv_time, owns "
			"client_id, owns signal_id, owns mode, owns instrument, owns side, owns fill_units, owns "
			"fill_price, owns fee, owns realised_pl, owns currency, owns broker_id;\n",
	},
	[17] = {	/* a short position, not marked yet */
		.lp =
			"position,instrument=EUR_JPY,mode=paper units=-1500.0,average_price=130.125,realised_pl=12.5,"
			"fees=0.75,currency=\"USD\" 1538079543817645123\n",
		.ddl =
			"CREATE TABLE IF NOT EXISTS positions (source text NOT NULL, seq bigint NOT NULL, event_time "
			"timestamptz NOT NULL, recv_time timestamptz NOT NULL, instrument text NOT NULL, mode text "
			"NOT NULL, position_units double precision NOT NULL, average_price double precision, mark "
			"double precision, realised_pl double precision NOT NULL, unrealised_pl double precision, "
			"fees double precision NOT NULL, currency text NOT NULL, UNIQUE (source, seq, event_time))",
		.ddl_sqlite =
			"CREATE TABLE IF NOT EXISTS positions (source TEXT NOT NULL, seq INTEGER NOT NULL, event_time"
			" TEXT NOT NULL, recv_time TEXT NOT NULL, instrument TEXT NOT NULL, mode TEXT NOT NULL, "
			"position_units REAL NOT NULL, average_price REAL, mark REAL, realised_pl REAL NOT NULL, "
			"unrealised_pl REAL, fees REAL NOT NULL, currency TEXT NOT NULL, UNIQUE (source, seq, "
			"event_time))",
		.put =
			"put $r0 isa positions, has source \"oanda_kraken_EURUSD_depth_position_order\", has seq "
			"1234567, has event_time 2018-09-27T20:19:03.817645, has recv_time "
			"2018-09-27T20:19:03.817795, has instrument \"EUR_JPY\", has mode \"paper\", has "
			"position_units -1500.0, has average_price 130.125, has realised_pl 12.5, has fees 0.75, has "
			"currency \"USD\";\n",
		.define =
			"define\n"
			"  attribute source, value string;\n"
			"  attribute seq, value integer;\n"
			"  attribute event_time, value datetime;\n"
			"  attribute recv_time, value datetime;\n"
			"  attribute instrument, value string;\n"
			"  attribute mode, value string;\n"
			"  attribute position_units, value double;\n"
			"  attribute average_price, value double;\n"
			"  attribute mark, value double;\n"
			"  attribute realised_pl, value double;\n"
			"  attribute unrealised_pl, value double;\n"
			"  attribute fees, value double;\n"
			"  attribute currency, value string;\n"
			"  entity positions, owns source, owns seq, owns event_time, owns recv_time, owns instrument,"
			" owns mode, owns position_units, owns average_price, owns mark, owns realised_pl, owns "
			"unrealised_pl, owns fees, owns currency;\n",
	},
};

START_TEST(every_schema_every_store)
{
	const struct nbpy_schema_desc *s = nbpy_schema_get(_i);
	const struct store_output *want = &expected[_i];
	const struct sql_table *t = sql_table_for(_i);
	struct nbpy_buf b = NBPY_BUF_INIT;
	struct nbpy_msg m;
	struct lp_key k;
	char ddl[8192], last_tag[64] = "";
	bool has_levels = false;
	size_t fields = 0;

	ck_assert_ptr_nonnull(s);
	ck_assert_msg(want->lp != NULL, "schema %s: no expected store output in test_sink_format.c", s->name);
	sample(&m, _i);

	/* InfluxDB: the whole point(s), tags in key order, at least one field */
	ck_assert_msg(lp_append(&b, &m, LP_NS) > 0, "%s: no line protocol", s->name);
	ck_assert_str_eq(b.data, want->lp);
	for (size_t i = 0; lp_key(_i, i, &k); i++) {
		if (k.tag) {
			ck_assert_msg(fields == 0, "%s: tag %s after a field", s->name, k.key);
			ck_assert_msg(strcmp(last_tag, k.key) < 0, "%s: tag %s not in key order", s->name, k.key);
			(void)snprintf(last_tag, sizeof(last_tag), "%s", k.key);
		} else {
			fields++;
		}
	}
	ck_assert_msg(fields > 0, "%s: a point without fields", s->name);

	/* SQL: the table in both dialects; one row per level for book sides */
	ck_assert_msg(t != NULL, "%s: no SQL table", s->name);
	ck_assert_int_eq(sql_table_ddl(t, SQL_POSTGRESQL, ddl, sizeof(ddl)), 0);
	ck_assert_str_eq(ddl, want->ddl);
	ck_assert_int_eq(sql_table_ddl(t, SQL_SQLITE, ddl, sizeof(ddl)), 0);
	ck_assert_str_eq(ddl, want->ddl_sqlite);
	for (size_t i = 0; i < s->n_fields; i++)
		has_levels |= s->fields[i].type == NBPY_F_LEVELS;
	ck_assert_msg(has_levels == (strstr(sql_table_key(t), "tier_id") != NULL),
		      "%s: book sides without one row per level (SQL_LEVELS)", s->name);
	/* every column of the unique key is a column of the table */
	{
		char key[256], *save = NULL;

		(void)snprintf(key, sizeof(key), "%s", sql_table_key(t));
		for (char *c = strtok_r(key, ", ", &save); c != NULL; c = strtok_r(NULL, ", ", &save)) {
			size_t i = 0;

			while (i < sql_table_columns(t) && strcmp(sql_table_column(t, i), c) != 0)
				i++;
			ck_assert_msg(i < sql_table_columns(t), "%s: key column %s not in the table", s->name, c);
		}
	}

	/* TypeDB: the entity and the rows, with every column's value */
	nbpy_buf_reset(&b);
	typeql_define(&b, t);
	ck_assert_str_eq(b.data, want->define);
	nbpy_buf_reset(&b);
	ck_assert_uint_eq(typeql_put(&b, t, &m, 0), sql_table_rows(t, &m));
	ck_assert_str_eq(b.data, want->put);
	ck_assert(!b.failed);
	nbpy_buf_free(&b);
}
END_TEST

/* lp_append says 0 for an id that is no schema: nothing is written. */
START_TEST(no_store_output_for_unknown_schema)
{
	struct nbpy_buf b = NBPY_BUF_INIT;
	struct nbpy_msg m;

	sample(&m, NBPY_SCHEMA_EURUSD_TICK);
	m.h.schema = NBPY_SCHEMA_END;
	ck_assert_uint_eq(lp_append(&b, &m, LP_NS), 0);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_ptr_null(sql_table_for(NBPY_SCHEMA_END));
	ck_assert_ptr_null(sql_table_for(NBPY_SCHEMA_ANNOUNCEMENT));
	nbpy_buf_free(&b);
}
END_TEST

static Suite *sink_format_suite(void)
{
	Suite *s = suite_create("sink_format");
	TCase *tc = tcase_create("format");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, time_text_matches_gmtime);
	tcase_add_test(tc, sql_rows);
	tcase_add_test(tc, line_protocol_eurusd);
	tcase_add_test(tc, line_protocol_escaping);
	tcase_add_test(tc, base_and_term);
	tcase_add_loop_test(tc, every_schema_every_store, 1, NBPY_SCHEMA_END);
	tcase_add_test(tc, no_store_output_for_unknown_schema);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(sink_format_suite());
}
