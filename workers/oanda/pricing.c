/* pricing.c - kind oanda.pricing: the OANDA v20 pricing stream
 * (GET {url}/v3/accounts/{account}/pricing/stream), one oanda_price message
 * per PRICE line, OANDA's time as the event time, on the service's topic or
 * (topic_per_instrument) under the instrument's name; one heartbeat message
 * per HEARTBEAT line on topic oanda_heartbeat.
 *
 * The runtime's stream (worker_stream_open) does the connection, the idle
 * watchdog, the reconnect with backoff, the slow retry after a refused token
 * and the records cut by a disconnect; this file only parses records.  A
 * malformed line (a PRICE without one of the fields every ClientPrice has)
 * is counted (bad) and logged, never published.  Lines are read with
 * common/json_scan (strict, allocates nothing): json-c's tree cost more than
 * everything else the worker does per price.  The token is a secret: it
 * goes into the Authorization header only, never into a log line, the
 * status or an error. */
#include <autoconfig.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workers/kinds.h"
#include "common/buf.h"
#include "common/json_scan.h"
#include "common/log.h"
#include "common/text.h"
#include "common/timefmt.h"
#include "workers/oanda/v20.h"

struct pricing_settings {
	const char *url;
	const char *account;
	struct nbpy_list instruments;
	const char *token;
	int64_t idle_timeout;	/* ns */
	int64_t auth_retry;	/* ns */
	bool topic_per_instrument;
};

static const struct nbpy_key_spec pricing_keys[] = {
	NBPY_SETTING(struct pricing_settings, url, STRING, "url", "https://stream-fxpractice.oanda.com",
		     "stream host (the practice host by default; the live one is `https://stream-fxtrade.oanda.com`)"),
	NBPY_SETTING_REQUIRED(struct pricing_settings, account, STRING, "account", "OANDA account id"),
	NBPY_SETTING_REQUIRED(struct pricing_settings, instruments, LIST, "instruments",
			      "instruments to stream, e.g. `EUR_USD, USD_JPY`"),
	NBPY_SETTING_SECRET_REQUIRED(struct pricing_settings, token, "token",
				     "API token (a secret, never logged): `${NBPY_OANDA_TOKEN}` or token_file = PATH"),
	NBPY_SETTING(struct pricing_settings, idle_timeout, DURATION, "idle_timeout", "10s",
		     "reconnect after this long without a byte (OANDA sends a heartbeat every 5 s)"),
	NBPY_SETTING(struct pricing_settings, auth_retry, DURATION, "auth_retry", "60s",
		     "after OANDA refuses the token (HTTP 401 or 403), try again this much later"),
	NBPY_SETTING(struct pricing_settings, topic_per_instrument, BOOL, "topic_per_instrument", "no",
		     "publish each price under its instrument's name (`EUR_USD`) as the topic, not `topic`"),
	NBPY_SETTINGS_END
};

struct pricing {
	struct worker_stream *stream;
	char *auth;		/* "Authorization: Bearer TOKEN" (secret) */
	bool per_instrument;	/* topic_per_instrument */
	uint64_t prices, heartbeats;	/* malformed lines: w->bad_messages */
};

#define HEARTBEAT_TOPIC "oanda_heartbeat"

/* The members of a record that are read, found as it is checked. */
enum { TYPE, TIME, INSTRUMENT, BIDS, ASKS, CLOSEOUT_BID, CLOSEOUT_ASK, TRADEABLE, FIELDS };

/* A decimal string of OANDA's, e.g. "1.16386": more than 0.  0, or -1. */
static int decimal(struct nbpy_json v, double *out)
{
	char text[64], *end;

	if (nbpy_json_string(v, text, sizeof(text), NULL) != NULL)
		return -1;
	*out = nbpy_strtod(text, &end);
	return end == text || *end != '\0' || !(*out > 0) || *out == HUGE_VAL ? -1 : 0;
}

/* The first (best) entry of a bids/asks array: its price and liquidity. */
static int best(struct nbpy_json side, double *price, int64_t *liquidity)
{
	struct nbpy_json_iter it = nbpy_json_iter(side);
	struct nbpy_json first;
	struct nbpy_json_field f[] = { { .name = "price" }, { .name = "liquidity" } };

	if (side.type != NBPY_JSON_ARRAY || !nbpy_json_next(&it, NULL, &first) || nbpy_json_fields(first, f, 2) != NULL ||
	    decimal(f[0].value, price) < 0 || nbpy_json_int64(f[1].value, liquidity) != NULL || *liquidity < 0)
		return -1;
	return 0;
}

/* A record's "time" as the event time; 0, or -1. */
static int event_time(struct nbpy_json time, struct nbpy_msg *m)
{
	char text[NBPY_RFC3339_MAX];
	size_t len;

	if (nbpy_json_string(time, text, sizeof(text), &len) != NULL)
		return -1;
	return nbpy_rfc3339_parse(text, len, &m->h.event_ns);
}

/* One PRICE line into m; NULL, or what is wrong with it.  Every ClientPrice
 * carries these fields (OANDA v20's schema); one missing is malformed. */
static const char *parse_price(const struct nbpy_json_field *f, struct nbpy_msg *m)
{
	struct nbpy_oanda_price *p = &m->u.oanda;
	size_t len;

	if (f[INSTRUMENT].value.type != NBPY_JSON_STRING)
		return "no instrument";
	if (nbpy_json_string(f[INSTRUMENT].value, p->instrument, sizeof(p->instrument), &len) != NULL || len == 0)
		return "instrument empty or too long";
	if (event_time(f[TIME].value, m) < 0)
		return "no time or a bad one";
	if (best(f[BIDS].value, &p->bid, &p->bid_liquidity) < 0)
		return "no bid or its liquidity";
	if (best(f[ASKS].value, &p->ask, &p->ask_liquidity) < 0)
		return "no ask or its liquidity";
	if (decimal(f[CLOSEOUT_BID].value, &p->closeout_bid) < 0)
		return "no closeoutBid";
	if (decimal(f[CLOSEOUT_ASK].value, &p->closeout_ask) < 0)
		return "no closeoutAsk";
	if (f[TRADEABLE].value.type != NBPY_JSON_TRUE && f[TRADEABLE].value.type != NBPY_JSON_FALSE)
		return "no tradeable";
	p->tradeable = f[TRADEABLE].value.type == NBPY_JSON_TRUE;
	return NULL;
}

/* A HEARTBEAT line: a heartbeat message on its own topic. */
static const char *heartbeat(struct worker *w, struct pricing *p, const struct nbpy_json_field *f)
{
	struct nbpy_msg m = { .h.schema = NBPY_SCHEMA_HEARTBEAT };

	if (event_time(f[TIME].value, &m) < 0)
		return "heartbeat without a time or with a bad one";
	strcpy(m.u.heartbeat.source, "oanda");
	if (worker_publish(w, &m, HEARTBEAT_TOPIC) == 0)
		p->heartbeats++;
	return NULL;
}

static void on_record(struct worker *w, struct worker_stream *s, const char *rec, size_t len, void *arg)
{
	struct pricing *p = arg;
	struct nbpy_json root;
	struct nbpy_json_field f[FIELDS] = {
		[TYPE] = { .name = "type" }, [TIME] = { .name = "time" }, [INSTRUMENT] = { .name = "instrument" },
		[BIDS] = { .name = "bids" }, [ASKS] = { .name = "asks" }, [CLOSEOUT_BID] = { .name = "closeoutBid" },
		[CLOSEOUT_ASK] = { .name = "closeoutAsk" }, [TRADEABLE] = { .name = "tradeable" },
	};
	struct nbpy_msg m = { .h.schema = NBPY_SCHEMA_OANDA_PRICE };
	const char *why = NULL, *json_why;
	char type[16];
	size_t at = 0;

	(void)s;
	if ((json_why = nbpy_json_scan_object(rec, len, &root, f, FIELDS, &at)) != NULL)
		why = "not a JSON object";
	else if (f[TYPE].value.type != NBPY_JSON_STRING)
		why = "no type";
	else if (nbpy_json_string(f[TYPE].value, type, sizeof(type), NULL) != NULL)
		why = "unknown type";	/* too long to be one */
	else if (strcmp(type, "HEARTBEAT") == 0)
		why = heartbeat(w, p, f);
	else if (strcmp(type, "PRICE") != 0)
		why = "unknown type";
	else if ((why = parse_price(f, &m)) == NULL &&
		 worker_publish(w, &m, p->per_instrument ? m.u.oanda.instrument : NULL) == 0)
		p->prices++;
	if (why == NULL)
		return;
	w->bad_messages++;
	if (json_why != NULL)
		log_warning("pricing: bad line (%s): %s at byte %zu: %.200s", why, json_why, at, rec);
	else
		log_warning("pricing: bad line (%s): %.200s", why, rec);
}

static int init(struct worker *w)
{
	const struct pricing_settings *set = w->settings;
	struct pricing *p = w->kind_state;
	struct nbpy_buf url = NBPY_BUF_INIT;
	const char *headers[2];
	struct worker_stream_spec spec = {
		.name = "pricing",
		.idle_ns = set->idle_timeout,
		.refused_retry_ns = set->auth_retry,
		.on_record = on_record,
		.arg = p,
		.headers = headers,
	};

	if (set->idle_timeout <= 0)
		return worker_config_error(w, &set->idle_timeout, "idle_timeout: must be more than 0");
	if (set->auth_retry <= 0)
		return worker_config_error(w, &set->auth_retry, "auth_retry: must be more than 0");
	if (set->token[0] == '\0')
		return worker_config_error(w, &set->token, "token: empty");
	if (!oanda_url_safe(set->account))
		return worker_config_error(w, &set->account, "account: empty, or not letters, digits, _ - .");
	if (set->instruments.n == 0)
		return worker_config_error(w, &set->instruments, "instruments: none given");
	for (size_t i = 0; i < set->instruments.n; i++)
		if (!oanda_url_safe(set->instruments.items[i]))
			return worker_config_error(w, &set->instruments, "instruments: '%s' is not letters, digits, _ - .",
						   set->instruments.items[i]);
	p->per_instrument = set->topic_per_instrument;
	nbpy_buf_printf(&url, "%s/v3/accounts/%s/pricing/stream?snapshot=true&instruments=", set->url,
			set->account);
	for (size_t i = 0; i < set->instruments.n; i++)
		nbpy_buf_printf(&url, "%s%s", i ? "%2C" : "", set->instruments.items[i]);
	if (url.failed || oanda_auth_header(set->token, &p->auth) < 0) {
		nbpy_buf_free(&url);
		return nbpy_error_class_set(&w->error, NBPY_ERR_TRANSIENT, "out of memory");
	}
	headers[0] = p->auth;
	headers[1] = NULL;
	spec.url = url.data;
	p->stream = worker_stream_open(w, &spec);
	nbpy_buf_free(&url);
	if (p->stream == NULL)
		return nbpy_error_class_set(&w->error, NBPY_ERR_CONFIG, "pricing stream: cannot start");
	return 0;
}

static void status(struct worker *w, char *buf, size_t cap)
{
	const struct pricing *p = w->kind_state;
	static const struct worker_stream_stats none;
	const struct worker_stream_stats *st = p->stream ? worker_stream_stats(p->stream) : &none;
	char error[48] = "";

	if (st->refused_status != 0)
		(void)snprintf(error, sizeof(error), ", error HTTP %ld: token refused", st->refused_status);
	(void)snprintf(buf, cap, ", prices %llu, heartbeats %llu, connects %llu, drops %llu, cut %llu%s",
		       (unsigned long long)p->prices, (unsigned long long)p->heartbeats,
		       (unsigned long long)st->connects, (unsigned long long)st->drops,
		       (unsigned long long)st->cut, error);
}

static void destroy(struct worker *w)
{
	struct pricing *p = w->kind_state;

	if (p->stream != NULL)
		worker_stream_close(p->stream);
	oanda_auth_free(&p->auth);
}

const struct nbpy_kind_spec oanda_pricing_kind = {
	.name = "oanda.pricing",
	.doc = "OANDA v20 pricing stream, one message per PRICE",
	.flags = NBPY_KIND_PUBLISHES,
	.schema = NBPY_SCHEMA_OANDA_PRICE,
	.keys = pricing_keys,
	.settings_size = sizeof(struct pricing_settings),
	.state_size = sizeof(struct pricing),
	.ops = &(const struct kind_ops){
		.init = init,
		.status = status,
		.destroy = destroy,
	},
};
