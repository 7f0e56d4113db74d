/* tick_source.c - see tick_source.h. */
#include <math.h>
#include <string.h>

#include "workers/stats/tick_source.h"

#define F(member, field) { offsetof(struct nbpy_msg, u.member.field), #field }
#define NONE { TICK_FIELD_NONE, NULL }

const struct tick_source tick_sources[] = {
	{ NBPY_SCHEMA_KRAKEN_TICKER, offsetof(struct nbpy_msg, u.ticker.instrument), F(ticker, bid_price),
	  F(ticker, ask_price), F(ticker, last_trade_price), F(ticker, last_trade_lot_volume), true },
	{ NBPY_SCHEMA_OANDA_PRICE, offsetof(struct nbpy_msg, u.oanda.instrument), F(oanda, bid),
	  F(oanda, ask), NONE, NONE, true },
	{ NBPY_SCHEMA_TRADE, offsetof(struct nbpy_msg, u.trade.instrument), F(trade, price),
	  F(trade, price), F(trade, price), F(trade, volume), false },
};
const size_t tick_sources_n = sizeof(tick_sources) / sizeof(tick_sources[0]);

static const struct tick_source *source_of(enum nbpy_schema s)
{
	for (size_t i = 0; i < tick_sources_n; i++)
		if (tick_sources[i].schema == s)
			return &tick_sources[i];
	return NULL;
}

static double value_of(const struct nbpy_msg *m, struct tick_field f)
{
	double v;

	if (f.offset == TICK_FIELD_NONE)
		return NAN;
	memcpy(&v, (const char *)m + f.offset, sizeof(v));
	return v;
}

const struct tick_source *tick_read(const struct nbpy_msg *m, struct tick_fields *t)
{
	const struct tick_source *src = source_of(m->h.schema);

	if (src == NULL)
		return NULL;
	t->instrument = (const char *)m + src->instrument;
	t->bid = value_of(m, src->bid);
	t->ask = value_of(m, src->ask);
	t->price = value_of(m, src->price);
	t->volume = value_of(m, src->volume);
	return src;
}
