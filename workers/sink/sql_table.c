/* sql_table.c - see sql_table.h.  The tables are data: adding a schema's
 * table is adding a column list here. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "workers/sink/sql_table.h"
#include "common/timefmt.h"

enum col_kind {
	C_STR, C_F64, C_I64, C_U64, C_CHAR, C_TIME, C_CONST,
	/* order-book rows: the level of the row */
	C_SIDE, C_TIER, C_PRICE, C_VOLUME, C_LEVEL_TIME,
};

struct sql_column {
	const char *name;
	enum col_kind kind;
	size_t offset;		/* in struct nbpy_msg; C_CONST: unused */
	const char *constant;
};

struct sql_table {
	enum nbpy_schema schema;
	const char *name;
	const struct sql_column *cols;
	size_t n_cols;
	bool levels;		/* one row per order-book level */
};

#define AT(member) offsetof(struct nbpy_msg, member)
#define COL(name, kind, member) { name, kind, AT(member), NULL }
#define HEADER \
	COL("source", C_STR, h.service), \
	COL("seq", C_U64, h.seq), \
	COL("event_time", C_TIME, h.event_ns), \
	COL("recv_time", C_TIME, h.recv_ns)
#define N(a) (sizeof(a) / sizeof((a)[0]))

#define T(f) u.ticker.f
static const struct sql_column ticker[] = {
	HEADER,
	COL("instrument", C_STR, T(instrument)),
	COL("ask_price", C_F64, T(ask_price)),
	COL("ask_whole_lot_volume", C_I64, T(ask_whole_lot_volume)),
	COL("ask_lot_volume", C_F64, T(ask_lot_volume)),
	COL("bid_price", C_F64, T(bid_price)),
	COL("bid_whole_lot_volume", C_I64, T(bid_whole_lot_volume)),
	COL("bid_lot_volume", C_F64, T(bid_lot_volume)),
	COL("last_trade_price", C_F64, T(last_trade_price)),
	COL("last_trade_lot_volume", C_F64, T(last_trade_lot_volume)),
	COL("volume_today", C_F64, T(volume_today)),
	COL("volume_last_24_hours", C_F64, T(volume_24h)),
	COL("vwap_today", C_F64, T(vwap_today)),
	COL("vwap_last_24_hours", C_F64, T(vwap_24h)),
	COL("number_of_trades_today", C_I64, T(trades_today)),
	COL("number_of_trades_last_24_hours", C_I64, T(trades_24h)),
	COL("low_today", C_F64, T(low_today)),
	COL("low_last_24_hours", C_F64, T(low_24h)),
	COL("high_today", C_F64, T(high_today)),
	COL("high_last_24_hours", C_F64, T(high_24h)),
	COL("opening_price", C_F64, T(opening_price)),
};
#undef T

static const struct sql_column book[] = {
	HEADER,
	COL("instrument", C_STR, u.book.instrument),
	COL("side", C_SIDE, u.book),
	COL("tier_id", C_TIER, u.book),
	COL("price", C_PRICE, u.book),
	COL("volume", C_VOLUME, u.book),
	COL("level_time", C_LEVEL_TIME, u.book),
};

static const struct sql_column trade[] = {
	HEADER,
	COL("instrument", C_STR, u.trade.instrument),
	COL("price", C_F64, u.trade.price),
	COL("volume", C_F64, u.trade.volume),
	COL("side", C_CHAR, u.trade.side),
	COL("order_type", C_CHAR, u.trade.order_type),
	COL("misc", C_STR, u.trade.misc),
	COL("trade_id", C_I64, u.trade.trade_id),
};

/* The original's kraken.synthetic table (reference 5.5), t1's instrument
 * renamed from "instrument" to "instrument_t1". */
#define E(f) u.eurusd.f
static const struct sql_column eurusd[] = {
	HEADER,
	{ "synthetic_instrument", C_CONST, 0, "KR_EURUSD" },
	COL("instrument_t0", C_STR, E(instrument_t0)),
	COL("kraken_eurusd_bid_5_t0", C_F64, E(bid_t0)),
	COL("kraken_eurusd_ask_5_t0", C_F64, E(ask_t0)),
	COL("instrument_t1", C_STR, E(instrument_t1)),
	COL("kraken_eurusd_bid_5_t1", C_F64, E(bid_t1)),
	COL("kraken_eurusd_ask_5_t1", C_F64, E(ask_t1)),
	COL("spread", C_F64, E(spread)),
	COL("spread_t_bid", C_F64, E(spread_t_bid)),
	COL("spread_t_ask", C_F64, E(spread_t_ask)),
};
#undef E

#define D(f) u.eurusd_depth.f
static const struct sql_column eurusd_depth[] = {
	HEADER,
	{ "synthetic_instrument", C_CONST, 0, "KR_EURUSD_DEPTH" },
	COL("instrument_t0", C_STR, D(instrument_t0)),
	COL("kraken_eurusd_depth_bid_5_t0", C_F64, D(eurusd_bid_t0)),
	COL("kraken_eurusd_depth_ask_5_t0", C_F64, D(eurusd_ask_t0)),
	COL("bid_t0", C_F64, D(bid_t0)),
	COL("bid_volume_t0", C_F64, D(bid_volume_t0)),
	COL("ask_t0", C_F64, D(ask_t0)),
	COL("ask_volume_t0", C_F64, D(ask_volume_t0)),
	COL("instrument_t1", C_STR, D(instrument_t1)),
	COL("kraken_eurusd_depth_bid_5_t1", C_F64, D(eurusd_bid_t1)),
	COL("kraken_eurusd_depth_ask_5_t1", C_F64, D(eurusd_ask_t1)),
	COL("bid_t1", C_F64, D(bid_t1)),
	COL("bid_volume_t1", C_F64, D(bid_volume_t1)),
	COL("ask_t1", C_F64, D(ask_t1)),
	COL("ask_volume_t1", C_F64, D(ask_volume_t1)),
	COL("spread_depth", C_F64, D(spread)),
	COL("spread_depth_t_bid", C_F64, D(spread_t_bid)),
	COL("spread_depth_t_ask", C_F64, D(spread_t_ask)),
};
#undef D

/* The original's oanda_tick (reference 5.13): its timestmp is event_time. */
static const struct sql_column oanda[] = {
	HEADER,
	COL("instrument", C_STR, u.oanda.instrument),
	COL("bid", C_F64, u.oanda.bid),
	COL("ask", C_F64, u.oanda.ask),
};

static const struct sql_column heartbeat[] = {
	HEADER,
	COL("heartbeat_source", C_STR, u.heartbeat.source),
};

#define B(f) u.betfair.f
static const struct sql_column betfair[] = {
	HEADER,
	COL("market_id", C_STR, B(market_id)),
	COL("selection_id", C_I64, B(selection_id)),
	COL("side", C_CHAR, B(side)),
	COL("level", C_I64, B(level)),
	COL("price", C_F64, B(price)),
	COL("size", C_F64, B(size)),
};
#undef B

/* The reconciled twitter_tweets of reference 5.15; time_timestamp is
 * event_time. */
#define S(f) u.sentiment.f
static const struct sql_column sentiment[] = {
	HEADER,
	COL("tweet_id", C_STR, S(id)),
	COL("lang", C_STR, S(lang)),
	COL("time_zone", C_STR, S(time_zone)),
	COL("geohash", C_STR, S(geohash)),
	COL("user_name", C_STR, S(user)),
	COL("followers_count", C_I64, S(followers)),
	COL("statuses_count", C_I64, S(statuses)),
	COL("retweet_count", C_I64, S(retweets)),
	COL("pos_score", C_F64, S(pos)),
	COL("neg_score", C_F64, S(neg)),
	COL("location", C_STR, S(location)),
	COL("tweet_text", C_STR, S(text)),
};
#undef S

#define TABLE(schema, name, cols, levels) [schema] = { schema, name, cols, N(cols), levels }
static const struct sql_table tables[NBPY_SCHEMA_END] = {
	TABLE(NBPY_SCHEMA_KRAKEN_TICKER, "kraken_tick", ticker, false),
	TABLE(NBPY_SCHEMA_BOOK_TOP, "kraken_depth", book, true),
	TABLE(NBPY_SCHEMA_TRADE, "kraken_trades", trade, false),
	TABLE(NBPY_SCHEMA_EURUSD_TICK, "synthetic", eurusd, false),
	TABLE(NBPY_SCHEMA_EURUSD_DEPTH, "synthetic_depth", eurusd_depth, false),
	TABLE(NBPY_SCHEMA_OANDA_PRICE, "oanda_tick", oanda, false),
	TABLE(NBPY_SCHEMA_HEARTBEAT, "heartbeat", heartbeat, false),
	TABLE(NBPY_SCHEMA_BETFAIR_MC, "betfair_market", betfair, false),
	TABLE(NBPY_SCHEMA_SENTIMENT, "twitter_tweets", sentiment, false),
};

const struct sql_table *sql_table_for(enum nbpy_schema schema)
{
	if ((unsigned)schema >= NBPY_SCHEMA_END || tables[schema].name == NULL)
		return NULL;
	return &tables[schema];
}

const char *sql_table_name(const struct sql_table *t)
{
	return t->name;
}

size_t sql_table_columns(const struct sql_table *t)
{
	return t->n_cols;
}

const char *sql_table_column(const struct sql_table *t, size_t i)
{
	return t->cols[i].name;
}

const char *sql_table_key(const struct sql_table *t)
{
	return t->levels ? "source, seq, event_time, side, tier_id" : "source, seq, event_time";
}

static enum sql_type col_type(enum col_kind k)
{
	switch (k) {
	case C_F64: case C_PRICE: case C_VOLUME:
		return SQL_FLOAT;
	case C_I64: case C_U64: case C_TIER:
		return SQL_INT;
	case C_TIME: case C_LEVEL_TIME:
		return SQL_TIME;
	default:
		return SQL_TEXT;
	}
}

int sql_table_ddl(const struct sql_table *t, enum sql_dialect d, char *buf, size_t cap)
{
	static const char *const pg[] = { "text", "double precision", "bigint", "timestamptz" };
	/* SQLite: times as RFC 3339 text, which sorts and compares as time */
	static const char *const lite[] = { "TEXT", "REAL", "INTEGER", "TEXT" };
	const char *const *types = d == SQL_POSTGRESQL ? pg : lite;
	size_t len = 0;
	int n = snprintf(buf, cap, "CREATE TABLE IF NOT EXISTS %s (", t->name);

	if (n < 0 || (size_t)n >= cap)
		return -1;
	len = (size_t)n;
	for (size_t i = 0; i < t->n_cols; i++) {
		n = snprintf(buf + len, cap - len, "%s %s NOT NULL, ", t->cols[i].name,
			     types[col_type(t->cols[i].kind)]);
		if (n < 0 || (size_t)n >= cap - len)
			return -1;
		len += (size_t)n;
	}
	n = snprintf(buf + len, cap - len, "UNIQUE (%s))", sql_table_key(t));
	return n < 0 || (size_t)n >= cap - len ? -1 : 0;
}

size_t sql_table_rows(const struct sql_table *t, const struct nbpy_msg *m)
{
	return t->levels ? m->u.book.n_bids + m->u.book.n_asks : 1;
}

void sql_table_row(const struct sql_table *t, const struct nbpy_msg *m, size_t row, struct sql_value *out)
{
	const struct nbpy_book_top *bk = &m->u.book;
	bool bid = t->levels && row < bk->n_bids;
	size_t tier = bid ? row : row - (t->levels ? bk->n_bids : 0);
	const struct nbpy_book_level *lv = t->levels ? (bid ? &bk->bids[tier] : &bk->asks[tier]) : NULL;

	for (size_t i = 0; i < t->n_cols; i++) {
		const struct sql_column *c = &t->cols[i];
		const char *p = (const char *)m + c->offset;
		struct sql_value *v = &out[i];

		v->type = col_type(c->kind);
		switch (c->kind) {
		case C_STR:
			v->s = p;
			break;
		case C_CHAR:
			v->ch[0] = *p;
			v->ch[1] = '\0';
			v->s = v->ch;
			break;
		case C_CONST:
			v->s = c->constant;
			break;
		case C_F64:
			memcpy(&v->f, p, sizeof(v->f));
			break;
		case C_I64:
		case C_TIME:
			memcpy(&v->i, p, sizeof(v->i));
			break;
		case C_U64: {
			uint64_t u;

			memcpy(&u, p, sizeof(u));
			v->i = (int64_t)u;
			break;
		}
		case C_SIDE:
			v->s = bid ? "bid" : "ask";
			break;
		case C_TIER:
			v->i = (int64_t)tier;
			break;
		case C_PRICE:
			v->f = lv->price;
			break;
		case C_VOLUME:
			v->f = lv->volume;
			break;
		case C_LEVEL_TIME:
			v->i = lv->time_ns;
			break;
		}
	}
}

static char *digits(char *p, unsigned v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

/* Without gmtime and printf: rows are formatted by the hundred thousand.
 * Days to civil date after Howard Hinnant's days_from_civil inverse. */
size_t sql_time_format(int64_t ns, char *buf, size_t cap)
{
	int64_t s = ns / NBPY_NS_PER_SEC, frac = ns % NBPY_NS_PER_SEC, days, sod, era, doe, yoe, y, doy, mp;
	unsigned d, mo;
	char *p = buf;

	if (cap < 28)
		return 0;
	if (frac < 0) {
		frac += NBPY_NS_PER_SEC;
		s--;
	}
	days = s / 86400;
	sod = s % 86400;
	if (sod < 0) {
		sod += 86400;
		days--;
	}
	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	mo = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	y += mo <= 2;
	if (y < 0 || y > 9999)
		return 0;
	p = digits(p, (unsigned)y, 4);
	*p++ = '-';
	p = digits(p, mo, 2);
	*p++ = '-';
	p = digits(p, d, 2);
	*p++ = 'T';
	p = digits(p, (unsigned)(sod / 3600), 2);
	*p++ = ':';
	p = digits(p, (unsigned)(sod / 60 % 60), 2);
	*p++ = ':';
	p = digits(p, (unsigned)(sod % 60), 2);
	*p++ = '.';
	p = digits(p, (unsigned)(frac / 1000), 6);
	*p++ = 'Z';
	*p = '\0';
	return (size_t)(p - buf);
}
