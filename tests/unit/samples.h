/* samples.h - one realistic message per schema, shared by the unit tests. */
#ifndef NBPY_SAMPLES_H
#define NBPY_SAMPLES_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/wire.h"


static inline void sample_header(struct nbpy_msg *m, enum nbpy_schema s, const char *service)
{
	memset(m, 0, sizeof(*m));
	m->h.schema = s;
	(void)snprintf(m->h.service, sizeof(m->h.service), "%s", service);
	m->h.seq = 1234567;
	m->h.event_ns = 1538079543817645123LL;
	m->h.recv_ns = m->h.event_ns + 150000;
}

static inline void sample(struct nbpy_msg *m, enum nbpy_schema s)
{
	switch (s) {
	case NBPY_SCHEMA_KRAKEN_TICKER: {
		struct nbpy_kraken_ticker *t = &m->u.ticker;

		sample_header(m, s, "kraken_tick");
		strcpy(t->instrument, "XXBTZEUR");
		t->ask_price = 5432.1;
		t->ask_whole_lot_volume = 1;
		t->ask_lot_volume = 1.0;
		t->bid_price = 5431.0;
		t->bid_whole_lot_volume = 2;
		t->bid_lot_volume = 2.0;
		t->last_trade_price = 5432.0;
		t->last_trade_lot_volume = 0.01;
		t->volume_today = 123.4;
		t->volume_24h = 234.5;
		t->vwap_today = 5400.1;
		t->vwap_24h = 5410.2;
		t->trades_today = 1234;
		t->trades_24h = 2345;
		t->low_today = 5300.0;
		t->low_24h = 5290.0;
		t->high_today = 5500.0;
		t->high_24h = 5510.0;
		t->opening_price = 5350.0;
		break;
	}
	case NBPY_SCHEMA_BOOK_TOP: {
		struct nbpy_book_top *b = &m->u.book;

		sample_header(m, s, "kraken_depth");
		strcpy(b->instrument, "XXBTZEUR");
		b->n_asks = 2;
		b->asks[0] = (struct nbpy_book_level){ 5432.1, 1.234, 1538070000LL * 1000000000 };
		b->asks[1] = (struct nbpy_book_level){ 5433.0, 0.5, 1538070002LL * 1000000000 };
		b->n_bids = 1;
		b->bids[0] = (struct nbpy_book_level){ 5431.0, 0.5, 1538070001LL * 1000000000 };
		break;
	}
	case NBPY_SCHEMA_TRADE: {
		struct nbpy_trade *t = &m->u.trade;

		sample_header(m, s, "kraken_orders");
		strcpy(t->instrument, "XXBTZUSD");
		t->price = 30300.1;
		t->volume = 0.00125;
		t->side = 'b';
		t->order_type = 'l';
		strcpy(t->misc, "");
		t->trade_id = 61283470;
		break;
	}
	case NBPY_SCHEMA_EURUSD_TICK: {
		struct nbpy_eurusd_tick *e = &m->u.eurusd;

		sample_header(m, s, "kraken_EURUSD");
		strcpy(e->instrument_t0, "XZECZUSD");
		e->bid_t0 = 1.15956;
		e->ask_t0 = 1.17441;
		strcpy(e->instrument_t1, "XETHZEUR");
		e->bid_t1 = 1.16386;
		e->ask_t1 = 1.16688;
		nbpy_wire_derive(m);
		break;
	}
	case NBPY_SCHEMA_EURUSD_DEPTH: {
		struct nbpy_eurusd_depth *d = &m->u.eurusd_depth;

		sample_header(m, s, "kraken_EURUSD_depth");
		strcpy(d->instrument_t0, "XXBTZUSD");
		d->eurusd_bid_t0 = 1.16386;
		d->eurusd_ask_t0 = 1.16688;
		d->bid_t0 = 6301.2;
		d->bid_volume_t0 = 0.5;
		d->ask_t0 = 6302.0;
		d->ask_volume_t0 = 1.2;
		strcpy(d->instrument_t1, "XXBTZEUR");
		d->eurusd_bid_t1 = 1.15999;
		d->eurusd_ask_t1 = 1.16038;
		d->bid_t1 = 5431.0;
		d->bid_volume_t1 = 0.5;
		d->ask_t1 = 5432.1;
		d->ask_volume_t1 = 1.234;
		nbpy_wire_derive(m);
		break;
	}
	case NBPY_SCHEMA_OANDA_PRICE:
		sample_header(m, s, "oandav20_tick");
		strcpy(m->u.oanda.instrument, "EUR_USD");
		m->u.oanda.bid = 1.16386;
		m->u.oanda.ask = 1.16401;
		m->u.oanda.bid_liquidity = 1000000;
		m->u.oanda.ask_liquidity = 3000000;
		m->u.oanda.closeout_bid = 1.16382;
		m->u.oanda.closeout_ask = 1.16405;
		m->u.oanda.tradeable = 1;
		break;
	case NBPY_SCHEMA_HEARTBEAT:
		sample_header(m, s, "oandav20_tick");
		strcpy(m->u.heartbeat.source, "oanda");
		break;
	case NBPY_SCHEMA_BETFAIR_MC: {
		struct nbpy_betfair_mc *b = &m->u.betfair;

		sample_header(m, s, "betfair_stream");
		m->h.event_ns = 1538079543817000000LL;	/* Betfair pt is in ms */
		strcpy(b->market_id, "1.123456789");
		b->selection_id = 47972;
		b->handicap = -0.5;
		strcpy(b->market_status, "OPEN");
		b->in_play = 1;
		b->back_price_0 = 3.45;
		b->back_size_0 = 120.5;
		b->back_price_1 = 3.4;
		b->back_size_1 = 80;
		b->back_price_2 = NAN;	/* an empty level */
		b->back_size_2 = NAN;
		b->lay_price_0 = 3.5;
		b->lay_size_0 = 60.25;
		b->lay_price_1 = 3.55;
		b->lay_size_1 = 10;
		b->lay_price_2 = 3.6;
		b->lay_size_2 = 5;
		b->traded_volume = 1234.56;
		b->last_traded = 3.45;
		break;
	}
	case NBPY_SCHEMA_SENTIMENT: {
		struct nbpy_sentiment *t = &m->u.sentiment;

		sample_header(m, s, "twitter");
		m->h.event_ns = 1538079543LL * 1000000000;	/* created_at has seconds */
		strcpy(t->id, "1045394563872804864");
		strcpy(t->lang, "en");
		strcpy(t->time_zone, "London");
		strcpy(t->geohash, "gcpvj0duq53p");
		strcpy(t->user, "satoshi");
		strcpy(t->author_id, "9876543210");
		t->followers = 1200;
		t->statuses = 34000;
		t->retweets = 3;
		t->compound = 0.8316;
		t->pos = 0.75;
		t->neu = 0.125;
		t->neg = 0.125;
		strcpy(t->location, "London, UK");
		strcpy(t->place, "City of London, London");
		t->lat = 51.5125;
		t->lon = -0.09375;
		strcpy(t->rules, "crypto,btc");
		strcpy(t->text, "BTC to the moon \xe2\x9c\x93 with spaces and \"quotes\"");
		break;
	}
	case NBPY_SCHEMA_OANDA_TRANSACTION: {
		struct nbpy_oanda_transaction *t = &m->u.oanda_txn;

		sample_header(m, s, "oanda_orders");
		t->id = 6368;
		strcpy(t->type, "ORDER_FILL");
		strcpy(t->account, "101-004-1234567-001");
		strcpy(t->batch_id, "6367");
		strcpy(t->order_id, "6367");
		strcpy(t->trade_id, "6368");
		strcpy(t->instrument, "EUR_USD");
		strcpy(t->units, "-1000");
		strcpy(t->price, "1.16386");
		strcpy(t->reason, "MARKET_ORDER");
		strcpy(t->pl, "-0.1234");
		break;		/* financing absent: empty */
	}
	case NBPY_SCHEMA_TICK_STATS: {
		struct nbpy_tick_stats *t = &m->u.tick_stats;

		sample_header(m, s, "kraken_tick_stats");
		strcpy(t->instrument, "XXBTZEUR");
		t->window = 3;
		t->window_time = 2000000000;
		t->count = 2;
		t->mid_mean = 5431.55;
		t->mid_std = 0.25;
		t->mid_min = 5431.5;
		t->mid_max = 5432.0;
		t->spread_mean = 1.1;
		t->spread_std = 0.0;
		t->spread_min = -0.5;
		t->spread_max = 1.1;
		t->vwap = NAN;	/* undefined: no volume in the window */
		break;
	}
	case NBPY_SCHEMA_EXPOSURE: {
		struct nbpy_exposure *x = &m->u.exposure;

		sample_header(m, s, "kraken_depth_exposure");
		strcpy(x->instrument, "XBTUSDT");
		strcpy(x->base_ccy, "XBT");
		strcpy(x->term_ccy, "USDT");
		x->top_bid = 95000.5;
		x->top_bid_volume = 0.25;
		x->bid_base_amount = 0.25;
		x->bid_term_amount = 23750.125;
		x->top_ask = 95001.0;
		x->top_ask_volume = 0.5;
		x->ask_base_amount = 0.5;
		x->ask_term_amount = 47500.5;
		break;		/* tier ids 0: the top */
	}
	case NBPY_SCHEMA_SIGNAL: {
		struct nbpy_signal *g = &m->u.signal;

		sample_header(m, s, "kraken_EURUSD_depth_signal");
		g->id = 1538079543817645123LL;
		strcpy(g->rule, "t_ask");
		g->side = 's';
		strcpy(g->instrument, "EUR_USD");
		g->size = 1000.0;
		g->price = 1.15999;
		g->threshold = 0.003;
		strcpy(g->instrument_t0, "XXBTZUSD");
		g->eurusd_bid_t0 = 1.16386;
		g->eurusd_ask_t0 = 1.16688;
		strcpy(g->instrument_t1, "XXBTZEUR");
		g->eurusd_bid_t1 = 1.15999;
		g->eurusd_ask_t1 = 1.16038;
		g->spread = 0.00039;
		g->spread_t_bid = 0.00689;
		g->spread_t_ask = -0.00348;
		g->oanda_bid = 1.16012;
		g->oanda_ask = NAN;	/* undefined: nil on the wire */
		break;
	}
	case NBPY_SCHEMA_BASKET: {
		struct nbpy_basket *b = &m->u.basket;

		sample_header(m, s, "kraken_EURUSD_basket");
		strcpy(b->msgtype, "BASKET");
		strcpy(b->instrument_t0, "XXBTZUSD");
		b->eurusd_bid_t0 = 1.16386;
		b->eurusd_ask_t0 = 1.16688;
		b->bid_t0 = 6301.2;
		b->bid_volume_t0 = 0.5;
		b->ask_t0 = 6302.0;
		b->ask_volume_t0 = 1.2;
		strcpy(b->instrument_t1, "XXBTZEUR");
		b->eurusd_bid_t1 = 1.15999;
		b->eurusd_ask_t1 = 1.16038;
		b->bid_t1 = 5431.0;
		b->bid_volume_t1 = 0.5;
		b->ask_t1 = 5432.1;
		b->ask_volume_t1 = 1.234;
		b->spread = 0.00039;
		b->spread_t_bid = 0.00689;
		b->spread_t_ask = -0.00348;
		strcpy(b->instrument_t0_cross, "XXBTZEUR");
		b->bid_t0_cross = 5400.25;
		b->ask_t0_cross = 5415.5;
		strcpy(b->instrument_t1_cross, "XXBTZUSD");
		b->bid_t1_cross = 6299.875;
		b->ask_t1_cross = NAN;	/* undefined: nil on the wire */
		strcpy(b->side_t0, "BUY");
		strcpy(b->side_cross_t0, "SELL");
		strcpy(b->side_t1, "SELL");
		strcpy(b->side_cross_t1, "BUY");
		break;
	}
	case NBPY_SCHEMA_ORDER: {
		struct nbpy_order *o = &m->u.order;

		sample_header(m, s, "oanda_kraken_EURUSD_depth_position_order");
		strcpy(o->client_id, "nbpy-depth-1538079543817645123-0");
		o->signal_id = 1538079543817645123LL;
		strcpy(o->mode, "practice");
		strcpy(o->instrument, "EUR_USD");
		o->side = 'b';
		o->units = 1000.0;
		o->price = 1.16401;
		o->take_profit = 1.16529;
		o->stop_loss = NAN;	/* undefined: nil on the wire */
		strcpy(o->state, "rejected");
		strcpy(o->reason, "INSUFFICIENT_MARGIN");
		strcpy(o->broker_id, "6370");
		break;
	}
	case NBPY_SCHEMA_FILL: {
		struct nbpy_fill *f = &m->u.fill;

		sample_header(m, s, "oanda_kraken_EURUSD_depth_position_order");
		strcpy(f->client_id, "nbpy-depth-1538079543817645123-0");
		f->signal_id = 1538079543817645123LL;
		strcpy(f->mode, "paper");
		strcpy(f->instrument, "EUR_USD");
		f->side = 's';
		f->units = 500.0;
		f->price = 1.16386;
		f->fee = 0.25;
		f->realised_pl = -1.5;
		strcpy(f->currency, "USD");
		break;		/* broker_id empty: paper */
	}
	case NBPY_SCHEMA_POSITION: {
		struct nbpy_position *p = &m->u.position;

		sample_header(m, s, "oanda_kraken_EURUSD_depth_position_order");
		strcpy(p->instrument, "EUR_JPY");
		strcpy(p->mode, "paper");
		p->units = -1500.0;
		p->average_price = 130.125;
		p->mark = NAN;		/* undefined: no quote yet */
		p->realised_pl = 12.5;
		p->unrealised_pl = NAN;
		p->fees = 0.75;
		strcpy(p->currency, "USD");
		break;
	}
	default:
		abort();
	}
}

#endif
