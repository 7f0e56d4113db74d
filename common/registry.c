/* registry.c - see registry.h.  Ports are the seed's; topics keep the
 * original services' names so legacy and MessagePack subscribers agree.
 * NBPY_SCHEMA_NONE marks outputs of more than one schema (the traders'). */
#include <string.h>

#include "common/registry.h"

const struct nbpy_registry_entry nbpy_registry[] = {
	{ "oanda", 5556, "oanda_tick", NBPY_SCHEMA_OANDA_PRICE, "OANDA main pricing stream" },
	{ "kraken_tick", 5558, "kraken_tick", NBPY_SCHEMA_KRAKEN_TICKER, "Kraken tickers, all pairs" },
	{ "kraken_EURUSD", 5559, "kr_eurusd_tick", NBPY_SCHEMA_EURUSD_TICK,
	  "synthetic EURUSD from Kraken legs" },
	{ "kraken_depth", 5560, "kr_depth", NBPY_SCHEMA_BOOK_TOP, "Kraken order book depth" },
	{ "kraken_orders", 5561, "kr_trade", NBPY_SCHEMA_TRADE, "Kraken trade executions" },
	{ "oanda_tick", 5562, "", NBPY_SCHEMA_OANDA_PRICE, "OANDA tickers, one topic per instrument" },
	{ "oanda_orders", 5563, "oanda_orders", NBPY_SCHEMA_OANDA_TRANSACTION,
	  "OANDA orders / transactions" },
	{ "betfair_stream", 5564, "betfair_market", NBPY_SCHEMA_BETFAIR_MC, "Betfair exchange stream" },
	{ "twitter", 5565, "twitter_sentiment", NBPY_SCHEMA_SENTIMENT, "sentiment by location" },
	{ "kraken_EURUSD_depth", 5566, "kr_eurusd_depth", NBPY_SCHEMA_EURUSD_DEPTH,
	  "synthetic EURUSD from depth" },
	{ "oandav20_tick", 5567, "oanda_tick", NBPY_SCHEMA_OANDA_PRICE, "OANDA v20 pricing stream" },
	/* 5578-5585: services that consume and republish. */
	{ "kraken_EURUSD_tick", 5578, "kr_eurusd_tick", NBPY_SCHEMA_EURUSD_TICK,
	  "synthetic EURUSD, variant B (every pair)" },
	{ "oandav20_tick_topic", 5579, "", NBPY_SCHEMA_OANDA_PRICE,
	  "OANDA last-value cache, one topic per instrument" },
	{ "kraken_tick_stats", 5580, "kraken_tick_stats", NBPY_SCHEMA_TICK_STATS,
	  "rolling statistics of Kraken tickers (CPU)" },
	{ "kraken_tick_stats_cuda", 5581, "kraken_tick_stats", NBPY_SCHEMA_TICK_STATS,
	  "rolling statistics of Kraken tickers (CUDA)" },
	{ "kraken_EURUSD_basket", 5582, "kr_eurusd_basket", NBPY_SCHEMA_BASKET,
	  "EURUSD basket: DEPTH, SNAPSHOT and BASKET records" },
	/* the traders publish three schemas (order, fill, position) on one topic */
	{ "oanda_kraken_EURUSD_tick_position_order", 5583, "trader", NBPY_SCHEMA_NONE,
	  "trader acting on tick signals: orders, fills, positions" },
	{ "oanda_kraken_EURUSD_depth_position_order", 5584, "trader", NBPY_SCHEMA_NONE,
	  "trader acting on depth signals: orders, fills, positions" },
	{ "kraken_depth_exposure", 5585, "kr_exposure", NBPY_SCHEMA_EXPOSURE,
	  "base and term currency exposure of Kraken books" },
	/* 5586-: services the seed had no port for */
	{ "kraken_EURUSD_depth_signal", 5586, "kr_eurusd_signal", NBPY_SCHEMA_SIGNAL,
	  "trading signals from the synthetic EURUSD (depth)" },
	{ "kraken_EURUSD_tick_signal", 5587, "kr_eurusd_signal", NBPY_SCHEMA_SIGNAL,
	  "trading signals from the synthetic EURUSD (tick)" },
};
const size_t nbpy_registry_size = sizeof(nbpy_registry) / sizeof(nbpy_registry[0]);

const struct nbpy_registry_entry *nbpy_registry_find(const char *service)
{
	for (size_t i = 0; i < nbpy_registry_size; i++)
		if (strcmp(nbpy_registry[i].service, service) == 0)
			return &nbpy_registry[i];
	return NULL;
}
