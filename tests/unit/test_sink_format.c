/* test_sink_format.c - what sinks write: SQL time text (against gmtime),
 * SQL rows of a message, line protocol escaping and mapping, base/term
 * currencies of Kraken pairs. */
#include <time.h>

#include "workers/sink/line_protocol.h"
#include "workers/sink/sql_table.h"
#include "tests/unit/testutil.h"

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
}
END_TEST

START_TEST(line_protocol_eurusd)
{
	struct lp_buf b = { 0 };
	struct nbpy_msg m = eurusd();

	ck_assert_uint_eq(lp_append(&b, &m, LP_NS), 1);
	ck_assert_str_eq(b.p,
		"synthetic,instrument=KR_EURUSD,instrument_t0=XZECZUSD,instrument_t1=XETHZEUR "
		"hedge_instrument_t0=\"XZECZUSD\",hedge_instrument_t1=\"XETHZEUR\","
		"kraken_EURUSD_ASK_5_t0=1.17441,kraken_EURUSD_ASK_5_t1=1.16688,"
		"kraken_EURUSD_BID_5_t0=1.15956,kraken_EURUSD_BID_5_t1=1.16386,"
		"spread=0.00302,spread_t_ask=0.00732,spread_t_bid=0.01055 1538079543817645123\n");
	b.len = 0;
	ck_assert_uint_eq(lp_append(&b, &m, LP_MS), 1);
	ck_assert_ptr_nonnull(strstr(b.p, " 1538079543817\n"));
	m.h.event_ns = -1;	/* floor, not toward zero */
	b.len = 0;
	ck_assert_uint_eq(lp_append(&b, &m, LP_S), 1);
	ck_assert_ptr_nonnull(strstr(b.p, " -1\n"));
	lp_buf_free(&b);
}
END_TEST

START_TEST(line_protocol_escaping)
{
	struct lp_buf b = { 0 };
	struct nbpy_msg m;

	memset(&m, 0, sizeof(m));
	m.h.schema = NBPY_SCHEMA_SENTIMENT;
	m.h.event_ns = 5;
	strcpy(m.u.sentiment.lang, "e n,=x");
	strcpy(m.u.sentiment.text, "say \"hi\" \\ now\nplease");
	strcpy(m.u.sentiment.user, "u");
	strcpy(m.u.sentiment.id, "1");
	m.u.sentiment.followers = 3;
	ck_assert_uint_eq(lp_append(&b, &m, LP_NS), 1);
	/* empty geohash/time_zone tags left out; ",= " escaped in tags;
	 * '"' and '\' in strings; newline to space */
	ck_assert_str_eq(b.p,
		"crypto,lang=e\\ n\\,\\=x id=\"1\",followers_count=3i,retweet_count=0i,statuses_count=0i,"
		"text=\"say \\\"hi\\\" \\\\ now please\",user=\"u\",pos_score=0.0,neg_score=0.0 5\n");
	lp_buf_free(&b);
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
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(sink_format_suite());
}
