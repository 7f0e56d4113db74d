/* lvc.c - kind oanda.lvc: a last-value cache of OANDA prices (the zguide's
 * pattern, on an XPUB socket).  Each oanda_price from the subscriptions is
 * republished, as this service, on its instrument's topic (EUR_USD, ...), and
 * kept as it was sent.  When a subscriber subscribes to a topic that has a
 * value, that value is sent again at once, byte for byte: a new subscriber
 * takes it as its first message, one already subscribed sees the same
 * (service, topic, seq, event_ns) again, a repeat that the runtime skips and
 * counts (docs/wire-format.md, "Last-value cache").  Legacy framing carries
 * no sequence number, so a repeat could not be told from a new tick there:
 * wire = legacy is refused. */
#include <errno.h>
#include <string.h>

#include "workers/kinds.h"
#include "workers/oanda/last_value.h"
#include "common/log.h"

struct lvc_settings {
	int64_t max_instruments;
};

static const struct nbpy_key_spec lvc_keys[] = {
	/* each instrument is a topic numbered apart: at most the runtime's streams */
	NBPY_SETTING_INT(struct lvc_settings, max_instruments, "max_instruments", 1, WORKER_MAX_STREAMS, "256",
			 "instruments kept; a price of one more is counted (`uncached`), logged and not republished"),
	NBPY_SETTINGS_END
};

struct lvc {
	struct last_values last;
	uint64_t prices, resent, uncached;
};

static void on_message(struct worker *w, const struct worker_input *in)
{
	struct lvc *c = w->kind_state;
	struct nbpy_msg m = *in->msg;
	struct last_value *e;
	struct nbpy_error err;
	unsigned char buf[NBPY_WIRE_MAX];
	size_t len;

	if (m.h.schema != NBPY_SCHEMA_OANDA_PRICE) {
		worker_error(w, "ignored a %s message on %s: expected oanda_price",
			     nbpy_schema_get(m.h.schema) ? nbpy_schema_get(m.h.schema)->name : "?", in->topic);
		return;
	}
	/* the entry's topic stays put: the runtime may hold it in a batch */
	e = last_values_entry(&c->last, m.u.oanda.instrument, strlen(m.u.oanda.instrument));
	if (e == NULL) {
		if (c->uncached++ == 0)
			worker_error(w, "instrument '%s' not republished: %s (logged once, counted in uncached)",
				     m.u.oanda.instrument, errno == ENOSPC ? "max_instruments reached" : "empty");
		return;
	}
	if (worker_publish(w, &m, e->topic) < 0)
		return;
	c->prices++;
	/* worker_publish gave m this service and its sequence number: what
	 * was sent (the encoder is deterministic) */
	if (nbpy_wire_encode(&m, buf, sizeof(buf), &len, &err) < 0 || last_value_set(e, buf, len) < 0)
		worker_error(w, "%s: last value not kept", e->topic);
}

static void on_subscribe(struct worker *w, const char *topic, size_t len)
{
	struct lvc *c = w->kind_state;
	const struct last_value *e;
	size_t i = 0;

	/* a subscription is a prefix: "" or "EUR" gets every value it matches */
	while ((e = last_values_match(&c->last, &i, topic, len)) != NULL)
		if (worker_send_now(w, e->topic, e->topic_len, e->bytes, e->len) == 0)
			c->resent++;
}

static int init(struct worker *w)
{
	const struct lvc_settings *set = w->settings;
	struct lvc *c = w->kind_state;

	if (w->wire == NBPY_WIRE_LEGACY)
		return worker_config_error(w, NULL, "wire = legacy: a resent value could not be told from a new "
					   "one (no sequence number): use msgpack");
	if (last_values_init(&c->last, (size_t)set->max_instruments) < 0)
		return nbpy_error_class_set(&w->error, NBPY_ERR_TRANSIENT, "out of memory");
	return 0;
}

static void status(struct worker *w, char *buf, size_t cap)
{
	const struct lvc *c = w->kind_state;

	(void)snprintf(buf, cap, ", prices %llu, instruments %zu, resent %llu, uncached %llu",
		       (unsigned long long)c->prices, c->last.n, (unsigned long long)c->resent,
		       (unsigned long long)c->uncached);
}

static void destroy(struct worker *w)
{
	struct lvc *c = w->kind_state;

	last_values_free(&c->last);
}

static const enum nbpy_schema accepts[] = { NBPY_SCHEMA_OANDA_PRICE, NBPY_SCHEMA_NONE };

const struct nbpy_kind_spec oanda_lvc_kind = {
	.name = "oanda.lvc",
	.doc = "last-value cache of OANDA prices, one topic per instrument",
	.flags = NBPY_KIND_PUBLISHES | NBPY_KIND_SUBSCRIBES | NBPY_KIND_NEEDS_INPUT | NBPY_KIND_XPUB,
	.schema = NBPY_SCHEMA_OANDA_PRICE,
	.accepts = accepts,
	.keys = lvc_keys,
	.settings_size = sizeof(struct lvc_settings),
	.state_size = sizeof(struct lvc),
	.ops = &(const struct kind_ops){
		.init = init,
		.on_message = on_message,
		.on_subscribe = on_subscribe,
		.status = status,
		.destroy = destroy,
	},
};
