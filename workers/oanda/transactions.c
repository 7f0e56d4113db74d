/* transactions.c - kind oanda.transactions: the OANDA v20 transactions
 * stream (GET {url}/v3/accounts/{account}/transactions/stream), one
 * oanda_transaction message per transaction, with no gap and no duplicate
 * across reconnects and restarts.
 *
 * The id of the last transaction published is kept in
 * STATE_DIR/cursors/SERVICE/ACCOUNT: written and fsynced before each
 * publish, renamed into place right after it.  On every connect of the stream with a cursor, the transactions
 * since it are fetched (GET {api_url}/v3/accounts/{account}/transactions/
 * sinceid?id=CURSOR, again from the highest id received while OANDA has
 * more) and published in id order; what the stream brings meanwhile is held
 * and published after them.  Anything at or below the cursor is a
 * duplicate: skipped and counted.  Without a cursor (a first run) the
 * stream is the start: the first heartbeat's lastTransactionID, or the
 * first transaction, sets the cursor.
 *
 * HEARTBEAT lines are counted and published as `heartbeat` messages on
 * topic oanda_heartbeat.  A malformed line is counted (bad) and logged,
 * never published.  The token goes into the Authorization header only. */
#include <autoconfig.h>
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workers/kinds.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/timefmt.h"
#include "workers/oanda/transactions.h"
#include "workers/oanda/v20.h"

#define HOLD_MAX 4096		/* stream transactions held during a catch-up, at most */
#define HEARTBEAT_TOPIC "oanda_heartbeat"

static const struct nbpy_key_spec transactions_keys[] = {
	NBPY_SETTING(struct transactions_settings, url, STRING, "url", "https://stream-fxpractice.oanda.com",
		     "stream host (the practice host by default; the live one is `https://stream-fxtrade.oanda.com`)"),
	NBPY_SETTING(struct transactions_settings, api_url, STRING, "api_url", "https://api-fxpractice.oanda.com",
		     "REST host for sinceid and the trades listing (live: `https://api-fxtrade.oanda.com`)"),
	NBPY_SETTING_REQUIRED(struct transactions_settings, account, STRING, "account", "OANDA account id"),
	NBPY_SETTING_SECRET_REQUIRED(struct transactions_settings, token, "token",
				     "API token (a secret, never logged): `${NBPY_OANDA_TOKEN}` or token_file = PATH"),
	NBPY_SETTING(struct transactions_settings, idle_timeout, DURATION, "idle_timeout", "10s",
		     "reconnect after this long without a byte (OANDA sends a heartbeat every 5 s)"),
	NBPY_SETTING(struct transactions_settings, request_timeout, DURATION, "request_timeout", "30s",
		     "limit of one REST request (sinceid, the trades listing)"),
	NBPY_SETTING(struct transactions_settings, start_delay, DURATION, "start_delay", "1s",
		     "wait before connecting, so that subscribers of a restarted worker are back for the catch-up"),
	NBPY_SETTINGS_END
};

struct txn {
	struct worker_stream *stream;
	struct json_tokener *tok;	/* reused for every stream record */
	char *auth;			/* "Authorization: Bearer TOKEN" (secret) */
	const char *headers[2];
	char *cursor_path;		/* STATE_DIR/cursors/SERVICE/ACCOUNT */
	char *since_url;		/* ...?id= (the id is appended) */
	char *stream_url;
	uint64_t last_id;		/* the cursor: last transaction published */
	bool have_cursor;
	/* catch-up: held stream transactions, and the sinceid requests */
	bool catching_up, in_flight;
	unsigned connects_seen, fetched_for;	/* a connect during a fetch asks again */
	uint64_t fetch_from;
	struct nbpy_msg *held;		/* grows to HOLD_MAX */
	size_t n_held, cap_held;
	struct nbpy_backoff backoff;
	long long retry_timer;
	/* counters */
	uint64_t transactions, heartbeats, duplicates, catchups, api_errors, auth_errors;
	bool refused;			/* sinceid's last answer was 401/403 */
};

/* ---- the cursor ---- */

static void load_cursor(struct worker *w, struct txn *t)
{
	char buf[32];
	FILE *f = fopen(t->cursor_path, "r");
	char *end;

	if (f == NULL) {
		if (errno != ENOENT)
			worker_error(w, "cursor %s: %s: starting from the stream", t->cursor_path, strerror(errno));
		return;
	}
	if (fgets(buf, sizeof(buf), f) != NULL && buf[0] >= '0' && buf[0] <= '9') {
		errno = 0;
		t->last_id = strtoull(buf, &end, 10);
		t->have_cursor = errno == 0 && (*end == '\n' || *end == '\0');
	}
	if (ferror(f) || !t->have_cursor) {
		t->have_cursor = false;
		t->last_id = 0;
		worker_error(w, "cursor %s unreadable: starting from the stream", t->cursor_path);
	}
	(void)fclose(f);
}

static void save_cursor(struct worker *w, struct txn *t)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%" PRIu64 "\n", t->last_id);

	if (nbpy_write_atomic(t->cursor_path, buf, (size_t)n) < 0)
		worker_error(w, "cannot save the cursor %s: %s", t->cursor_path, strerror(errno));
}

/* ---- parsing ---- */

enum text_kind { TEXT_NAME, TEXT_ID, TEXT_DECIMAL };

/* OANDA's decimal numbers are strings: -?digits(.digits)? */
static bool decimal_ok(const char *s)
{
	s += *s == '-';
	if (*s < '0' || *s > '9')
		return false;
	s += strspn(s, "0123456789");
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return false;
		s += strspn(s, "0123456789");
	}
	return *s == '\0';
}

/* The string member key of o into dst[cap]; "" when absent.  NULL, or what
 * is wrong with it. */
static const char *copy_text(struct json_object *o, const char *key, char *dst, size_t cap, enum text_kind k)
{
	struct json_object *v;
	const char *s;
	size_t n;

	dst[0] = '\0';
	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	if (!json_object_is_type(v, json_type_string))
		return "not a string";
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (n == 0 || n >= cap)
		return "empty or too long";
	if (k == TEXT_DECIMAL ? !decimal_ok(s) :
	    k == TEXT_ID ? s[strspn(s, "0123456789")] != '\0' : !oanda_url_safe(s))
		return k == TEXT_DECIMAL ? "not a decimal number" : k == TEXT_ID ? "not digits" :
		       "not letters, digits, _ - .";
	memcpy(dst, s, n + 1);
	return NULL;
}

#define TXN_TEXT(key, field, kind) \
	{ key, offsetof(struct nbpy_oanda_transaction, field), \
	  sizeof(((struct nbpy_oanda_transaction *)0)->field), kind }

static const struct {
	const char *key;
	size_t offset, cap;
	enum text_kind kind;
} txn_texts[] = {
	TXN_TEXT("type", type, TEXT_NAME),
	TXN_TEXT("accountID", account, TEXT_NAME),
	TXN_TEXT("batchID", batch_id, TEXT_ID),
	TXN_TEXT("orderID", order_id, TEXT_ID),
	TXN_TEXT("tradeID", trade_id, TEXT_ID),
	TXN_TEXT("instrument", instrument, TEXT_NAME),
	TXN_TEXT("units", units, TEXT_DECIMAL),
	TXN_TEXT("price", price, TEXT_DECIMAL),
	TXN_TEXT("reason", reason, TEXT_NAME),
	TXN_TEXT("pl", pl, TEXT_DECIMAL),
	TXN_TEXT("financing", financing, TEXT_DECIMAL),
};

/* OANDA ids: digits, no more than an int64 holds. */
static bool parse_id(struct json_object *o, const char *key, uint64_t *id)
{
	struct json_object *v;
	const char *s;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return false;
	s = json_object_get_string(v);
	if (s[0] == '\0' || s[strspn(s, "0123456789")] != '\0' || strlen(s) > 18)
		return false;
	*id = strtoull(s, NULL, 10);
	return true;
}

/* One transaction object into m; NULL, or what is wrong with it (valid
 * until the next call: the loop runs one callback at a time). */
static const char *parse_transaction(struct json_object *o, struct nbpy_msg *m)
{
	static char field_why[96];
	struct nbpy_oanda_transaction *x = &m->u.oanda_txn;
	struct json_object *time, *opened;
	uint64_t id;
	const char *why;

	memset(m, 0, sizeof(*m));
	m->h.schema = NBPY_SCHEMA_OANDA_TRANSACTION;
	if (!parse_id(o, "id", &id))
		return "no id, or not digits";
	x->id = (int64_t)id;
	if (!json_object_object_get_ex(o, "time", &time) || !json_object_is_type(time, json_type_string) ||
	    nbpy_rfc3339_parse(json_object_get_string(time), (size_t)json_object_get_string_len(time),
			       &m->h.event_ns) < 0)
		return "no time or a bad one";
	for (size_t i = 0; i < sizeof(txn_texts) / sizeof(txn_texts[0]); i++)
		if ((why = copy_text(o, txn_texts[i].key, (char *)x + txn_texts[i].offset, txn_texts[i].cap,
				     txn_texts[i].kind)) != NULL) {
			(void)snprintf(field_why, sizeof(field_why), "%s: %s", txn_texts[i].key, why);
			return field_why;
		}
	if (x->type[0] == '\0')
		return "no type";
	/* a fill names the trade it opened inside tradeOpened */
	if (x->trade_id[0] == '\0' && json_object_object_get_ex(o, "tradeOpened", &opened) &&
	    (why = copy_text(opened, "tradeID", x->trade_id, sizeof(x->trade_id), TEXT_ID)) != NULL) {
		(void)snprintf(field_why, sizeof(field_why), "tradeOpened.tradeID: %s", why);
		return field_why;
	}
	return NULL;
}

static void bad(struct worker *w, const char *where, const char *why, const char *text)
{
	w->bad_messages++;
	log_warning("transactions: bad %s (%s): %.200s", where, why, text);
}

/* ---- publishing, in id order, each once ---- */

static void deliver(struct worker *w, struct txn *t, struct nbpy_msg *m)
{
	uint64_t id = (uint64_t)m->u.oanda_txn.id;
	char buf[32];
	bool prepared;
	int n;

	if (t->have_cursor && id <= t->last_id) {
		t->duplicates++;
		return;
	}
	/* The new cursor is on disk before the message leaves and takes its
	 * name right after: a SIGKILL between the two (microseconds, the fsync
	 * is before) can repeat this one transaction, never skip it. */
	n = snprintf(buf, sizeof(buf), "%" PRIu64 "\n", id);
	prepared = nbpy_write_prepare(t->cursor_path, buf, (size_t)n) == 0;
	if (!prepared)
		worker_error(w, "cannot write the cursor %s: %s", t->cursor_path, strerror(errno));
	if (worker_publish(w, m, NULL) < 0)
		return;
	t->transactions++;
	t->last_id = id;
	t->have_cursor = true;
	if (prepared && nbpy_write_commit(t->cursor_path) < 0)
		worker_error(w, "cannot save the cursor %s: %s", t->cursor_path, strerror(errno));
}

static int by_id(const void *a, const void *b)
{
	int64_t x = ((const struct nbpy_msg *)a)->u.oanda_txn.id, y = ((const struct nbpy_msg *)b)->u.oanda_txn.id;

	return (x > y) - (x < y);
}

static void deliver_all(struct worker *w, struct txn *t, struct nbpy_msg *msgs, size_t n)
{
	if (n == 0)
		return;	/* msgs may be NULL */
	qsort(msgs, n, sizeof(*msgs), by_id);
	for (size_t i = 0; i < n; i++)
		deliver(w, t, &msgs[i]);
}

/* ---- catching up through sinceid ---- */

static void fetch(struct worker *w, struct txn *t);

static void retry_fetch(struct worker *w, void *arg)
{
	struct txn *t = arg;

	t->retry_timer = 0;
	fetch(w, t);
}

static void fetch_later(struct worker *w, struct txn *t)
{
	int64_t delay = nbpy_backoff_next(&t->backoff);

	t->api_errors++;
	worker_timer_del(w, t->retry_timer);
	t->retry_timer = worker_timer_add(w, delay, 0, retry_fetch, t);
	if (t->retry_timer < 0) {
		t->retry_timer = 0;
		worker_error(w, "sinceid: no timer for the retry");
	}
}

/* The held stream transactions go out after the fetched ones. */
static void catch_up_done(struct worker *w, struct txn *t)
{
	nbpy_backoff_reset(&t->backoff);
	t->catching_up = false;
	deliver_all(w, t, t->held, t->n_held);
	t->n_held = 0;
	log_info("transactions: caught up at %" PRIu64 ", live (%" PRIu64 " duplicates skipped so far)", t->last_id,
		 t->duplicates);
}

/* Publish a sinceid answer, {"transactions": [...], "lastTransactionID":
 * "N"}, and say in *more whether OANDA has more than it sent (then
 * t->fetch_from is where to ask again).  0, or -1 with why. */
static int since_answer(struct worker *w, struct txn *t, const struct http_result *r, bool *more,
			const char **why)
{
	struct json_object *root = json_tokener_parse(r->body), *list;
	uint64_t last, page_max = t->fetch_from;
	struct nbpy_msg *msgs = NULL;
	size_t n = 0, len;

	if (root == NULL || !json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "transactions", &list) || !json_object_is_type(list, json_type_array) ||
	    !parse_id(root, "lastTransactionID", &last)) {
		json_object_put(root);
		*why = "not a sinceid answer (transactions, lastTransactionID)";
		return -1;
	}
	len = json_object_array_length(list);
	if (len > 0 && (msgs = calloc(len, sizeof(*msgs))) == NULL) {
		json_object_put(root);
		*why = "out of memory";
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		struct json_object *o = json_object_array_get_idx(list, i);
		const char *bad_why;
		uint64_t id;

		if (o != NULL && parse_id(o, "id", &id) && id > page_max)
			page_max = id;	/* even a malformed one moves the next page on */
		if (o == NULL || !json_object_is_type(o, json_type_object))
			bad(w, "sinceid transaction", "not an object", "");
		else if ((bad_why = parse_transaction(o, &msgs[n])) != NULL)
			bad(w, "sinceid transaction", bad_why, json_object_to_json_string(o));
		else
			n++;
	}
	deliver_all(w, t, msgs, n);
	free(msgs);
	json_object_put(root);
	if (last < t->last_id) {
		worker_error(w, "sinceid: the account's last transaction %" PRIu64 " is before the cursor %" PRIu64
			     ": cursor moved back to it", last, t->last_id);
		t->last_id = last;
		save_cursor(w, t);
	}
	*more = page_max > t->fetch_from && page_max < last;
	t->fetch_from = *more ? page_max : t->last_id;
	return 0;
}

static void on_since(struct worker *w, const struct http_result *r, void *arg)
{
	struct txn *t = arg;
	const char *why = NULL;
	bool more = false;

	t->in_flight = false;
	if (r->status == 0) {
		worker_error(w, "sinceid: %s", r->error);
	} else if (r->status == 401 || r->status == 403) {
		t->auth_errors++;
		t->refused = true;
		worker_error(w, "sinceid: HTTP %ld: the token was refused (a configuration error; retrying)",
			     r->status);
	} else if (r->status != 200) {
		worker_error(w, "sinceid: HTTP %ld: %.200s", r->status, r->body);
	} else if (since_answer(w, t, r, &more, &why) < 0) {
		worker_error(w, "sinceid: %s: %.200s", why, r->body);
	} else {
		t->refused = false;
		if (more || t->fetched_for != t->connects_seen)
			fetch(w, t);
		else
			catch_up_done(w, t);
		return;
	}
	fetch_later(w, t);
}

static void fetch(struct worker *w, struct txn *t)
{
	const struct transactions_settings *set = w->settings;
	char url[4200];
	struct http_request req = {
		.url = url,
		.headers = t->headers,
		.timeout_ms = (long)(set->request_timeout / 1000000),
	};

	if (t->in_flight || t->retry_timer > 0)
		return;	/* the answer, or the retry, asks again */
	t->fetched_for = t->connects_seen;
	(void)snprintf(url, sizeof(url), "%s%" PRIu64, t->since_url, t->fetch_from);
	if (worker_http(w, &req, on_since, t) < 0) {
		worker_error(w, "sinceid: cannot start the request");
		fetch_later(w, t);
		return;
	}
	t->in_flight = true;
}

/* Every connect may have missed what happened while the stream was down. */
static void on_connect(struct worker *w, struct worker_stream *s, void *arg)
{
	struct txn *t = arg;

	(void)s;
	t->connects_seen++;
	if (!t->have_cursor)
		return;	/* a first run starts from the stream */
	if (!t->catching_up) {
		t->catching_up = true;
		t->catchups++;
		t->fetch_from = t->last_id;
	}
	fetch(w, t);
}

/* ---- the stream ---- */

static void hold(struct worker *w, struct txn *t, const struct nbpy_msg *m)
{
	if (t->n_held == t->cap_held) {
		size_t cap = t->cap_held ? 2 * t->cap_held : 64;
		struct nbpy_msg *more = cap <= HOLD_MAX ? realloc(t->held, cap * sizeof(*t->held)) : NULL;

		if (more == NULL) {
			/* the fetch that follows finds them again */
			worker_error(w, "transactions: %zu held during a catch-up, no room for more: fetching them "
				     "instead", t->n_held);
			t->n_held = 0;
			t->connects_seen++;
			if (t->cap_held == 0)
				return;
		} else {
			t->held = more;
			t->cap_held = cap;
		}
	}
	t->held[t->n_held++] = *m;
}

static void on_heartbeat(struct worker *w, struct txn *t, struct json_object *o, const char *rec)
{
	struct nbpy_msg m = { .h.schema = NBPY_SCHEMA_HEARTBEAT };
	struct json_object *time;
	uint64_t last;

	if (!json_object_object_get_ex(o, "time", &time) || !json_object_is_type(time, json_type_string) ||
	    nbpy_rfc3339_parse(json_object_get_string(time), (size_t)json_object_get_string_len(time),
			       &m.h.event_ns) < 0) {
		bad(w, "heartbeat", "no time or a bad one", rec);
		return;
	}
	t->heartbeats++;
	memcpy(m.u.heartbeat.source, "oanda", sizeof("oanda"));
	(void)worker_publish(w, &m, HEARTBEAT_TOPIC);
	/* a first run: from here on nothing is missed */
	if (!t->have_cursor && parse_id(o, "lastTransactionID", &last)) {
		t->last_id = last;
		t->have_cursor = true;
		save_cursor(w, t);
	}
}

static void on_record(struct worker *w, struct worker_stream *s, const char *rec, size_t len, void *arg)
{
	struct txn *t = arg;
	struct json_tokener *tok = t->tok;
	struct json_object *o, *type;
	struct nbpy_msg m;
	const char *why = NULL;

	(void)s;
	json_tokener_reset(tok);
	o = json_tokener_parse_ex(tok, rec, (int)len);
	if (o == NULL || json_tokener_get_parse_end(tok) != len || !json_object_is_type(o, json_type_object))
		why = "not a JSON object";
	else if (!json_object_object_get_ex(o, "type", &type) || !json_object_is_type(type, json_type_string))
		why = "no type";
	else if (strcmp(json_object_get_string(type), "HEARTBEAT") == 0)
		on_heartbeat(w, t, o, rec);
	else if ((why = parse_transaction(o, &m)) == NULL) {
		if (t->catching_up)
			hold(w, t, &m);
		else
			deliver(w, t, &m);
	}
	json_object_put(o);
	if (why != NULL)
		bad(w, "line", why, rec);
}

/* ---- the kind ---- */

/* After start_delay: connect. */
static void open_stream(struct worker *w, void *arg)
{
	const struct transactions_settings *set = w->settings;
	struct txn *t = arg;
	struct worker_stream_spec spec = {
		.name = "transactions",
		.url = t->stream_url,
		.idle_ns = set->idle_timeout,
		.on_record = on_record,
		.on_connect = on_connect,
		.arg = t,
		.headers = t->headers,
	};

	t->stream = worker_stream_open(w, &spec);
	if (t->stream != NULL)
		return;
	worker_error(w, "transactions stream: cannot start: %s; again in 1 s", strerror(errno));
	if (worker_timer_add(w, NBPY_NS_PER_SEC, 0, open_stream, t) < 0)
		worker_error(w, "transactions stream: no timer: it stays down");
}

static int init(struct worker *w)
{
	const struct transactions_settings *set = w->settings;
	struct txn *t = w->kind_state;
	const char *state_dir = nbpy_config_global(w->config, "state_dir")->text;
	char dir[4096];

	if (set->idle_timeout <= 0)
		return worker_config_error(w, &set->idle_timeout, "idle_timeout: must be more than 0");
	if (set->request_timeout <= 0)
		return worker_config_error(w, &set->request_timeout, "request_timeout: must be more than 0");
	if (set->start_delay < 0)
		return worker_config_error(w, &set->start_delay, "start_delay: must not be negative");
	if (set->token[0] == '\0')
		return worker_config_error(w, &set->token, "token: empty");
	if (!oanda_url_safe(set->account))
		return worker_config_error(w, &set->account, "account: empty, or not letters, digits, _ - .");
	/* the cursor follows what left the worker: no batch may wait */
	if (nbpy_service_value(w->svc, "batch")->v.i > 1)
		return worker_config_error(w, NULL, "batch: must be 1 for oanda.transactions "
					   "(each transaction leaves before its cursor is saved)");
	if ((size_t)snprintf(dir, sizeof(dir), "%s/cursors/%s", state_dir, w->svc->name) >= sizeof(dir))
		return worker_config_error(w, NULL, "state_dir: too long");
	if (nbpy_mkdir_p(dir, 0755) < 0)
		return nbpy_error_class_set(&w->error, NBPY_ERR_CONFIG, "cannot create %s: %s", dir,
					    strerror(errno));
	nbpy_backoff_init(&t->backoff, NBPY_NS_PER_SEC, 60 * NBPY_NS_PER_SEC, 0);
	if (asprintf(&t->cursor_path, "%s/%s", dir, set->account) < 0)
		t->cursor_path = NULL;
	if (asprintf(&t->since_url, "%s/v3/accounts/%s/transactions/sinceid?id=", set->api_url, set->account) < 0)
		t->since_url = NULL;
	if (asprintf(&t->stream_url, "%s/v3/accounts/%s/transactions/stream", set->url, set->account) < 0)
		t->stream_url = NULL;
	if (t->cursor_path == NULL || t->since_url == NULL || t->stream_url == NULL ||
	    (t->tok = json_tokener_new()) == NULL || oanda_auth_header(set->token, &t->auth) < 0)
		return nbpy_error_class_set(&w->error, NBPY_ERR_TRANSIENT, "out of memory");
	t->headers[0] = t->auth;
	t->headers[1] = NULL;
	load_cursor(w, t);
	if (t->have_cursor)
		log_info("transactions: cursor %" PRIu64 ": fetching what came since, then the stream", t->last_id);
	else
		log_info("transactions: no cursor: starting from the stream");
	if (worker_timer_add(w, set->start_delay, 0, open_stream, t) < 0)
		return nbpy_error_class_set(&w->error, NBPY_ERR_TRANSIENT, "out of memory");
	return 0;
}

static void status(struct worker *w, char *buf, size_t cap)
{
	const struct txn *t = w->kind_state;
	const struct worker_stream_stats *st = t->stream ? worker_stream_stats(t->stream) : NULL;

	(void)snprintf(buf, cap, ", transactions %llu, heartbeats %llu, duplicates %llu, catchups %llu, "
		       "api_errors %llu, auth_errors %llu, connects %llu, drops %llu, cursor %llu%s",
		       (unsigned long long)t->transactions, (unsigned long long)t->heartbeats,
		       (unsigned long long)t->duplicates, (unsigned long long)t->catchups,
		       (unsigned long long)t->api_errors,
		       (unsigned long long)(t->auth_errors + (st ? st->refused : 0)),
		       (unsigned long long)(st ? st->connects : 0), (unsigned long long)(st ? st->drops : 0),
		       (unsigned long long)t->last_id,
		       t->refused || (st && st->refused_status) ? ", token refused (a configuration error: check token)"
								: "");
}

static void destroy(struct worker *w)
{
	struct txn *t = w->kind_state;

	if (t->stream != NULL)
		worker_stream_close(t->stream);
	if (t->tok != NULL)
		json_tokener_free(t->tok);
	oanda_auth_free(&t->auth);
	free(t->held);
	free(t->cursor_path);
	free(t->since_url);
	free(t->stream_url);
}

const struct nbpy_kind_spec oanda_transactions_kind = {
	.name = "oanda.transactions",
	.doc = "OANDA v20 transactions stream, no gap and no duplicate across restarts",
	.flags = NBPY_KIND_PUBLISHES,
	.schema = NBPY_SCHEMA_OANDA_TRANSACTION,
	.keys = transactions_keys,
	.settings_size = sizeof(struct transactions_settings),
	.state_size = sizeof(struct txn),
	.ops = &(const struct kind_ops){
		.init = init,
		.status = status,
		.destroy = destroy,
		.once = oanda_trades_list,
	},
};
