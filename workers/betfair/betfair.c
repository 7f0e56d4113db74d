/* betfair.c - kind betfair.stream: Betfair's Exchange Stream API, one
 * betfair_market message per runner that a market change touched.
 *
 * The runtime's raw TLS line connection (worker_stream_open, raw) does the
 * connection, the idle watchdog and the reconnect with backoff; this file
 * speaks the protocol: `connection` -> authentication -> marketSubscription
 * (with initialClk and clk once known, so a reconnect resumes with a
 * RESUB_DELTA instead of a new image), and feeds each `mc` to the market
 * cache (market_cache.c), which applies Betfair's rules.  `clk` is kept from
 * every mcm, heartbeats included.  An mcm with `status: 503` means Betfair is
 * lagging: logged and counted, the connection kept.  A FAILURE status is
 * logged with its error code; a refused login (app key or session) is a
 * configuration error: the stream is closed and tried again after
 * auth_retry, not hammered at the backoff's pace.  Lines are read with
 * common/json_scan (strict, allocates nothing).  The app key and the
 * session token are secrets: they go into the authentication line only,
 * never into a log line, the status or an error. */
#include <autoconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workers/kinds.h"
#include "common/buf.h"
#include "common/json_scan.h"
#include "common/log.h"
#include "workers/betfair/market_cache.h"

struct betfair_settings {
	const char *host;
	int64_t port;
	const char *ca_file;
	const char *app_key;
	const char *session_token;
	struct nbpy_list market_ids, event_type_ids, country_codes, market_types;
	int64_t conflate_ms, heartbeat_ms;
	int64_t auth_retry;	/* ns */
	int64_t max_markets, max_runners;
};

static const struct nbpy_key_spec betfair_keys[] = {
	NBPY_SETTING(struct betfair_settings, host, STRING, "host", "stream-api.betfair.com",
		     "stream host (`stream-api-integration.betfair.com` for Betfair's integration stream)"),
	NBPY_SETTING_INT(struct betfair_settings, port, "port", 1, 65535, "443", "stream port (TLS)"),
	NBPY_SETTING(struct betfair_settings, ca_file, STRING, "ca_file", "",
		     "CA certificates to check the host's with (PEM); empty: the system's"),
	NBPY_SETTING_SECRET_REQUIRED(struct betfair_settings, app_key, "app_key",
				     "application key (a secret, never logged): `${NBPY_BETFAIR_APP_KEY}` or app_key_file = PATH"),
	NBPY_SETTING_SECRET_REQUIRED(struct betfair_settings, session_token, "session_token",
				     "session token from Betfair's login (a secret, never logged): `${NBPY_BETFAIR_SESSION}` or session_token_file = PATH"),
	NBPY_SETTING(struct betfair_settings, market_ids, LIST, "market_ids", NULL,
		     "markets to subscribe to, e.g. `1.123456789`; this or event_type_ids is needed"),
	NBPY_SETTING(struct betfair_settings, event_type_ids, LIST, "event_type_ids", NULL,
		     "event types to subscribe to, e.g. `7` (horse racing)"),
	NBPY_SETTING(struct betfair_settings, country_codes, LIST, "country_codes", NULL,
		     "market filter: countries, e.g. `GB, IE`; empty: all"),
	NBPY_SETTING(struct betfair_settings, market_types, LIST, "market_types", NULL,
		     "market filter: market types, e.g. `WIN`; empty: all"),
	NBPY_SETTING_INT(struct betfair_settings, conflate_ms, "conflate_ms", 0, 120000, "0",
			 "ms Betfair merges changes over before sending (0: none)"),
	NBPY_SETTING_INT(struct betfair_settings, heartbeat_ms, "heartbeat_ms", 500, 30000, "5000",
			 "ms of silence after which Betfair sends a heartbeat; three of them without a byte "
			 "and the connection is dropped and made again"),
	NBPY_SETTING(struct betfair_settings, auth_retry, DURATION, "auth_retry", "60s",
		     "after Betfair refuses the app key or the session, log in again this much later"),
	NBPY_SETTING_INT(struct betfair_settings, max_markets, "max_markets", 1, 100000, "1000",
			 "markets kept in the cache; more are refused and counted (CLOSED ones make room)"),
	NBPY_SETTING_INT(struct betfair_settings, max_runners, "max_runners", 1, 10000, "200",
			 "runners kept per market; more are refused and counted"),
	NBPY_SETTINGS_END
};

#define CLK_MAX 256

struct betfair {
	struct worker *w;
	struct worker_stream *stream;
	char *auth;		/* the authentication line (secret) */
	char *subscribe;	/* the subscription line without clocks: "...}" */
	struct bf_cache cache;
	struct nbpy_json_tape tape;	/* the line being read (zeroed: NBPY_JSON_TAPE_INIT) */
	char initial_clk[CLK_MAX], clk[CLK_MAX];
	int64_t idle_ns;
	long long retry_timer;
	bool lagging;
	uint64_t connections, logins, subscriptions, resumes, mcm, heartbeats, lag_reports;
	uint64_t failures, auth_refused, runners_published;
	char last_error[40];	/* the last FAILURE's errorCode */
};

enum { OP, ID, CT, CLK, INITIAL_CLK, PT, MC, STATUS, SEGMENT, STATUS_CODE, ERROR_CODE, ERROR_MESSAGE,
       CONNECTION_CLOSED, CONNECTION_ID, FIELDS };

static int open_stream(struct worker *w, struct betfair *b);

/* Text for a JSON string without escaping: Betfair's ids, clocks and keys
 * are letters, digits and a few signs. */
static bool plain(const char *s)
{
	for (; *s; s++)
		if (*s < 0x21 || *s > 0x7e || *s == '"' || *s == '\\')
			return false;
	return true;
}

static void put_list(struct nbpy_buf *b, const char *name, const struct nbpy_list *l, bool *first)
{
	if (l->n == 0)
		return;
	nbpy_buf_printf(b, "%s\"%s\":[", *first ? "" : ",", name);
	for (size_t i = 0; i < l->n; i++)
		nbpy_buf_printf(b, "%s\"%s\"", i ? "," : "", l->items[i]);
	nbpy_buf_putc(b, ']');
	*first = false;
}

/* The subscription line, without the clocks (added per connection). */
static int build_subscription(const struct betfair_settings *set, char **out)
{
	struct nbpy_buf b = NBPY_BUF_INIT;
	bool first = true;

	nbpy_buf_printf(&b, "\"heartbeatMs\":%lld,\"conflateMs\":%lld,\"segmentationEnabled\":true,\"marketFilter\":{",
			(long long)set->heartbeat_ms, (long long)set->conflate_ms);
	put_list(&b, "marketIds", &set->market_ids, &first);
	put_list(&b, "eventTypeIds", &set->event_type_ids, &first);
	put_list(&b, "countryCodes", &set->country_codes, &first);
	put_list(&b, "marketTypes", &set->market_types, &first);
	nbpy_buf_puts(&b, "},\"marketDataFilter\":{\"fields\":[\"EX_BEST_OFFERS\",\"EX_TRADED\",\"EX_LTP\","
		      "\"EX_MARKET_DEF\"],\"ladderLevels\":3}}");
	if (b.failed) {
		nbpy_buf_free(&b);
		return -1;
	}
	*out = nbpy_buf_steal(&b);
	return *out ? 0 : -1;
}

static void send_line(struct betfair *b, const char *line, const char *what)
{
	if (worker_stream_send(b->stream, line, strlen(line)) < 0) {
		b->w->errors++;
		log_warning("betfair: cannot send the %s: %m", what);
	}
}

static void subscribe(struct betfair *b)
{
	struct nbpy_buf line = NBPY_BUF_INIT;
	bool resume = b->initial_clk[0] != '\0' && b->clk[0] != '\0';

	nbpy_buf_puts(&line, "{\"op\":\"marketSubscription\",\"id\":2,");
	if (resume)
		nbpy_buf_printf(&line, "\"initialClk\":\"%s\",\"clk\":\"%s\",", b->initial_clk, b->clk);
	nbpy_buf_puts(&line, b->subscribe);
	if (line.failed) {
		b->w->errors++;
		log_error("betfair: out of memory for the subscription");
	} else {
		send_line(b, line.data, "subscription");
		b->subscriptions++;
		b->resumes += resume;
		log_info("betfair: subscribing%s", resume ? " again from the last clk" : "");
	}
	nbpy_buf_free(&line);
}

/* The login was refused: stop, and log in again after auth_retry. */
static void retry_login(struct worker *w, void *arg)
{
	struct betfair *b = arg;

	b->retry_timer = 0;
	if (open_stream(w, b) < 0) {
		w->errors++;
		log_error("betfair: cannot reopen the stream: %s", w->error.msg);
	}
}

static bool login_refused(const char *code)
{
	static const char *const codes[] = { "NO_APP_KEY", "INVALID_APP_KEY", "NO_SESSION",
					     "INVALID_SESSION_INFORMATION", "NOT_AUTHORIZED" };

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(code, codes[i]) == 0)
			return true;
	return false;
}

static const char *on_status(struct worker *w, struct betfair *b, const struct nbpy_json_field *f)
{
	const struct betfair_settings *set = w->settings;
	char code[16], error[sizeof(b->last_error)] = "", message[256] = "";
	int64_t id = 0;

	if (nbpy_json_string(f[STATUS_CODE].value, code, sizeof(code), NULL) != NULL)
		return "status without a statusCode";
	if (f[ID].value.type != NBPY_JSON_NONE && nbpy_json_int64(f[ID].value, &id) != NULL)
		return "status with a bad id";
	if (strcmp(code, "SUCCESS") == 0) {
		if (id == 1) {
			b->logins++;
			subscribe(b);
		}
		return NULL;
	}
	if (strcmp(code, "FAILURE") != 0)
		return "status neither SUCCESS nor FAILURE";
	/* an unreadable errorCode or errorMessage stays empty: the FAILURE counts */
	(void)nbpy_json_string(f[ERROR_CODE].value, error, sizeof(error), NULL);
	(void)nbpy_json_string(f[ERROR_MESSAGE].value, message, sizeof(message), NULL);
	b->failures++;
	memcpy(b->last_error, error, sizeof(error));
	log_warning("betfair: request %lld failed: %s (%s)%s", (long long)id, error[0] ? error : "no errorCode",
		    message, f[CONNECTION_CLOSED].value.type == NBPY_JSON_TRUE ? ", connection closed" : "");
	if (strcmp(error, "INVALID_CLOCK") == 0) {	/* resume refused: the next subscription starts afresh */
		b->initial_clk[0] = '\0';
		b->clk[0] = '\0';
	}
	if (id == 1 || login_refused(error)) {
		b->auth_refused++;
		worker_stream_close(b->stream);
		b->stream = NULL;
		b->retry_timer = worker_timer_add(w, set->auth_retry, 0, retry_login, b);
		if (b->retry_timer < 0) {
			w->errors++;
			log_error("betfair: no timer to log in again");
		}
	}
	return NULL;
}

/* A clock from an mcm into dst: a plain string that fits. */
static const char *keep_clock(struct nbpy_json v, char *dst)
{
	char clk[CLK_MAX];

	if (v.type == NBPY_JSON_NONE)
		return NULL;
	if (nbpy_json_string(v, clk, sizeof(clk), NULL) != NULL || !plain(clk))
		return "clk or initialClk not a short plain string";
	memcpy(dst, clk, sizeof(clk));
	return NULL;
}

static void publish_runners(struct worker *w, struct betfair *b, const struct bf_market *m, int64_t event_ns)
{
	for (uint32_t i = 0; i < m->n_runners; i++) {
		struct nbpy_msg msg;

		if (!m->runners[i].changed)
			continue;
		bf_runner_message(m, &m->runners[i], event_ns, &msg);
		if (worker_publish(w, &msg, NULL) == 0)
			b->runners_published++;
	}
}

static const char *on_mcm(struct worker *w, struct betfair *b, const struct nbpy_json_field *f)
{
	const struct nbpy_json_tape *t = &b->tape;
	char ct[16] = "", seg[16] = "";
	int64_t pt = 0, status;
	const char *why;

	b->mcm++;
	if ((why = keep_clock(f[CLK].value, b->clk)) != NULL || (why = keep_clock(f[INITIAL_CLK].value, b->initial_clk)))
		return why;
	if (f[STATUS].value.type != NBPY_JSON_NONE) {
		if (nbpy_json_int64(f[STATUS].value, &status) != NULL)
			return "mcm with a bad status";
		if (status == 503) {
			b->lag_reports++;
			if (!b->lagging)
				log_warning("betfair: Betfair reports its stream lagging (status 503); staying connected");
			b->lagging = true;
		}
	} else if (b->lagging) {
		log_notice("betfair: Betfair's stream caught up");
		b->lagging = false;
	}
	if (f[CT].value.type != NBPY_JSON_NONE && nbpy_json_string(f[CT].value, ct, sizeof(ct), NULL) != NULL)
		return "mcm with a bad ct";
	if (strcmp(ct, "HEARTBEAT") == 0) {
		b->heartbeats++;
		return NULL;
	}
	if (f[MC].value.type == NBPY_JSON_NONE)
		return NULL;	/* a status-only mcm */
	if (f[MC].value.type != NBPY_JSON_ARRAY)
		return "mc not an array";
	if (nbpy_json_int64(f[PT].value, &pt) != NULL || pt <= 0 || pt > INT64_MAX / 1000000)
		return "mcm without a publish time pt";
	if (f[SEGMENT].value.type != NBPY_JSON_NONE &&
	    nbpy_json_string(f[SEGMENT].value, seg, sizeof(seg), NULL) != NULL)
		return "mcm with a bad segmentType";
	/* a new image replaces every market: once, on its first segment */
	if (strcmp(ct, "SUB_IMAGE") == 0 && (seg[0] == '\0' || strcmp(seg, "SEG_START") == 0))
		bf_cache_clear(&b->cache);
	for (uint32_t mc = f[MC].at + 1; mc < t->tok[f[MC].at].next; mc = t->tok[mc].next) {
		struct bf_market *m;

		if ((why = bf_cache_apply(&b->cache, t, mc, &m)) != NULL)
			return why;
		if (m != NULL)
			publish_runners(w, b, m, pt * 1000000);
	}
	return NULL;
}

static void on_record(struct worker *w, struct worker_stream *s, const char *rec, size_t len, void *arg)
{
	struct betfair *b = arg;
	struct nbpy_json_field f[FIELDS] = {
		[OP] = { .name = "op" }, [ID] = { .name = "id" }, [CT] = { .name = "ct" }, [CLK] = { .name = "clk" },
		[INITIAL_CLK] = { .name = "initialClk" }, [PT] = { .name = "pt" }, [MC] = { .name = "mc" },
		[STATUS] = { .name = "status" }, [SEGMENT] = { .name = "segmentType" },
		[STATUS_CODE] = { .name = "statusCode" }, [ERROR_CODE] = { .name = "errorCode" },
		[ERROR_MESSAGE] = { .name = "errorMessage" }, [CONNECTION_CLOSED] = { .name = "connectionClosed" },
		[CONNECTION_ID] = { .name = "connectionId" },
	};
	const char *why = NULL, *json_why;
	char op[16], conn[64] = "";
	size_t at = 0;

	(void)s;
	if ((json_why = nbpy_json_tape_scan(&b->tape, rec, len, &at)) != NULL ||
	    (json_why = nbpy_json_tape_fields(&b->tape, 0, f, FIELDS)) != NULL)
		why = "not a JSON object";
	else if (nbpy_json_string(f[OP].value, op, sizeof(op), NULL) != NULL)
		why = "no op, or an unknown one";
	else if (strcmp(op, "mcm") == 0)
		why = on_mcm(w, b, f);
	else if (strcmp(op, "status") == 0)
		why = on_status(w, b, f);
	else if (strcmp(op, "connection") == 0) {
		(void)nbpy_json_string(f[CONNECTION_ID].value, conn, sizeof(conn), NULL);
		log_info("betfair: connected, connection id %s; logging in", conn[0] ? conn : "(none)");
		b->connections++;
		send_line(b, b->auth, "authentication");
	} else
		why = "unknown op";
	if (why == NULL)
		return;
	w->bad_messages++;
	if (json_why != NULL)
		log_warning("betfair: bad line (%s): %s at byte %zu: %.200s", why, json_why, at, rec);
	else
		log_warning("betfair: bad line (%s): %.200s", why, rec);
}

static int open_stream(struct worker *w, struct betfair *b)
{
	const struct betfair_settings *set = w->settings;
	char url[300];
	struct worker_stream_spec spec = {
		.name = "betfair",
		.url = url,
		.raw = true,
		.cainfo = set->ca_file[0] ? set->ca_file : NULL,
		.max_record = 16u << 20,	/* a SUB_IMAGE segment of many markets */
		.idle_ns = b->idle_ns,
		.on_record = on_record,
		.arg = b,
	};

	if ((size_t)snprintf(url, sizeof(url), "https://%s:%lld", set->host, (long long)set->port) >= sizeof(url))
		return nbpy_error_class_set(&w->error, NBPY_ERR_CONFIG, "host too long");
	b->stream = worker_stream_open(w, &spec);
	if (b->stream == NULL)
		return nbpy_error_class_set(&w->error, NBPY_ERR_CONFIG, "betfair stream: cannot start");
	return 0;
}

static int check_list(struct worker *w, const struct nbpy_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!plain(l->items[i]) || strlen(l->items[i]) > 64)
			return worker_config_error(w, l, "%s: '%.64s' is not a plain id", name, l->items[i]);
	return 0;
}

static int init(struct worker *w)
{
	const struct betfair_settings *set = w->settings;
	struct betfair *b = w->kind_state;
	struct nbpy_buf auth = NBPY_BUF_INIT;

	b->w = w;
	if (set->host[0] == '\0' || !plain(set->host) || strchr(set->host, '/') != NULL)
		return worker_config_error(w, &set->host, "host: empty, or not a host name");
	/* the secrets are checked without showing them */
	if (set->app_key[0] == '\0' || !plain(set->app_key))
		return worker_config_error(w, &set->app_key, "app_key: empty, or not printable ASCII without quotes");
	if (set->session_token[0] == '\0' || !plain(set->session_token))
		return worker_config_error(w, &set->session_token,
					   "session_token: empty, or not printable ASCII without quotes");
	if (set->market_ids.n == 0 && set->event_type_ids.n == 0)
		return worker_config_error(w, &set->market_ids, "market_ids: none, and no event_type_ids either");
	if (check_list(w, &set->market_ids, "market_ids") || check_list(w, &set->event_type_ids, "event_type_ids") ||
	    check_list(w, &set->country_codes, "country_codes") || check_list(w, &set->market_types, "market_types"))
		return -1;
	if (set->auth_retry <= 0)
		return worker_config_error(w, &set->auth_retry, "auth_retry: must be more than 0");
	b->idle_ns = 3 * set->heartbeat_ms * 1000000;
	if (bf_cache_init(&b->cache, (uint32_t)set->max_markets, (uint32_t)set->max_runners) < 0)
		return nbpy_error_class_set(&w->error, NBPY_ERR_TRANSIENT, "out of memory");
	nbpy_buf_printf(&auth, "{\"op\":\"authentication\",\"id\":1,\"appKey\":\"%s\",\"session\":\"%s\"}",
			set->app_key, set->session_token);
	if (auth.failed || (b->auth = nbpy_buf_steal(&auth)) == NULL || build_subscription(set, &b->subscribe) < 0) {
		nbpy_buf_free(&auth);
		return nbpy_error_class_set(&w->error, NBPY_ERR_TRANSIENT, "out of memory");
	}
	return open_stream(w, b);
}

static void status(struct worker *w, char *buf, size_t cap)
{
	const struct betfair *b = w->kind_state;
	const struct bf_cache_stats *c = &b->cache.stats;
	static const struct worker_stream_stats none;
	const struct worker_stream_stats *st = b->stream ? worker_stream_stats(b->stream) : &none;
	char error[64] = "";

	if (b->stream == NULL && b->auth_refused > 0)
		(void)snprintf(error, sizeof(error), ", error login refused (%s)", b->last_error);
	(void)snprintf(buf, cap,
		       ", runners %llu, mcm %llu, heartbeats %llu, lagging %llu, markets %u, logins %llu,"
		       " resumes %llu, failures %llu, login refusals %llu, connects %llu, drops %llu, cut %llu,"
		       " markets refused %llu, runners refused %llu, levels refused %llu%s",
		       (unsigned long long)b->runners_published, (unsigned long long)b->mcm,
		       (unsigned long long)b->heartbeats, (unsigned long long)b->lag_reports, b->cache.n_markets,
		       (unsigned long long)b->logins, (unsigned long long)b->resumes,
		       (unsigned long long)b->failures, (unsigned long long)b->auth_refused,
		       (unsigned long long)st->connects, (unsigned long long)st->drops, (unsigned long long)st->cut,
		       (unsigned long long)c->refused_markets, (unsigned long long)c->refused_runners,
		       (unsigned long long)(c->refused_levels + c->refused_traded), error);
}

static void destroy(struct worker *w)
{
	struct betfair *b = w->kind_state;

	if (b->stream != NULL)
		worker_stream_close(b->stream);
	if (b->retry_timer > 0)
		worker_timer_del(w, b->retry_timer);
	if (b->auth != NULL) {
		explicit_bzero(b->auth, strlen(b->auth));
		free(b->auth);
	}
	free(b->subscribe);
	bf_cache_free(&b->cache);
	nbpy_json_tape_free(&b->tape);
}

const struct nbpy_kind_spec betfair_stream_kind = {
	.name = "betfair.stream",
	.doc = "Betfair Exchange Stream API, one message per changed runner",
	.flags = NBPY_KIND_PUBLISHES,
	.schema = NBPY_SCHEMA_BETFAIR_MC,
	.keys = betfair_keys,
	.settings_size = sizeof(struct betfair_settings),
	.state_size = sizeof(struct betfair),
	.ops = &(const struct kind_ops){
		.init = init,
		.status = status,
		.destroy = destroy,
	},
};
