/* wire_legacy.c - the original Python services' text framing.
 *
 * One ZeroMQ frame "<topic> <f1>\x01<f2>...": numbers as Python str(float),
 * so unmodified Python subscribers keep working next to C publishers.  The
 * order book travels as the Kraken Depth response JSON, as the original
 * kr_depth/kr_order_book publishers sent it.  Receivers split at the FIRST
 * space only (the originals' split() crashed on payloads with spaces). */
#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/pyfloat.h"
#include "common/text.h"
#include "common/timefmt.h"
#include "common/wire.h"

#define SOH '\x01'
#define AT(m, f) ((char *)(m) + (f)->offset)
#define CAT(m, f) ((const char *)(m) + (f)->offset)

struct text_buf {
	char *p;
	size_t len, cap;
	int overflow;
};

static void put(struct text_buf *b, const char *s, size_t n)
{
	if (b->overflow || n >= b->cap - b->len) {
		b->overflow = 1;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void putf(struct text_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct text_buf *b, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		b->overflow = 1;
	else
		put(b, tmp, (size_t)n);
}

static void put_int(struct text_buf *b, int64_t v)
{
	char tmp[24];
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	int n = (int)sizeof(tmp);

	do {
		tmp[--n] = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (v < 0)
		tmp[--n] = '-';
	put(b, tmp + n, sizeof(tmp) - (size_t)n);
}

static int put_double(struct text_buf *b, double v, const char *name, struct nbpy_error *err)
{
	char tmp[NBPY_PYFLOAT_MAX];

	if (!isfinite(v))
		return nbpy_error_set(err, "field '%s': not a finite number", name);
	put(b, tmp, nbpy_pyfloat_format(v, tmp, sizeof(tmp)));
	return 0;
}

static int put_field(struct text_buf *b, const struct nbpy_msg *m, const struct nbpy_field *f,
		     struct nbpy_error *err)
{
	const char *p = CAT(m, f);
	char tmp[NBPY_RFC3339_MAX];
	int64_t ns = m->h.event_ns;
	size_t n;

	switch (f->type) {
	case NBPY_F_STR:
		n = strnlen(p, f->size);
		if (n == f->size || !nbpy_utf8_valid(p, n))
			return nbpy_error_set(err, "field '%s': invalid string", f->name);
		if (memchr(p, SOH, n) != NULL)
			return nbpy_error_set(err, "field '%s': contains the SOH separator", f->name);
		put(b, p, n);
		return 0;
	case NBPY_F_F64:
		return put_double(b, *(const double *)p, f->name, err);
	case NBPY_F_F64N:	/* undefined: an empty field */
		return isnan(*(const double *)p) ? 0 : put_double(b, *(const double *)p, f->name, err);
	case NBPY_F_I64:
		put_int(b, *(const int64_t *)p);
		return 0;
	case NBPY_F_CHAR:
		if (*p < 0x21 || *p > 0x7e)
			return nbpy_error_set(err, "field '%s': not a printable character", f->name);
		put(b, p, 1);
		return 0;
	case NBPY_F_RECV_RFC3339:
		ns = m->h.recv_ns;
		/* fall through */
	case NBPY_F_TIME_RFC3339:
		n = nbpy_rfc3339_format(ns, tmp, sizeof(tmp));
		if (n == 0)
			return nbpy_error_set(err, "field '%s': time out of range", f->name);
		put(b, tmp, n);
		return 0;
	case NBPY_F_LAG_SECONDS:
		/* subtract exactly first: doubles of ~1.5e18 ns are 256 ns apart */
		return put_double(b, (double)(int64_t)((uint64_t)m->h.recv_ns - (uint64_t)m->h.event_ns) / 1e9,
				  f->name, err);
	case NBPY_F_TIME_SECONDS:
		if (ns < 0)
			return nbpy_error_set(err, "field '%s': time before 1970", f->name);
		putf(b, "%lld.%09lld", (long long)(ns / NBPY_NS_PER_SEC),
		     (long long)(ns % NBPY_NS_PER_SEC));
		return 0;
	case NBPY_F_TIME_MS:
		putf(b, "%lld", (long long)(ns / 1000000));
		return 0;
	case NBPY_F_TIME_ISO: {
		time_t t = (time_t)(ns / NBPY_NS_PER_SEC);
		struct tm tm;

		if (gmtime_r(&t, &tm) == NULL || strftime(tmp, sizeof(tmp), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
			return nbpy_error_set(err, "field '%s': time out of range", f->name);
		put(b, tmp, strlen(tmp));
		return 0;
	}
	default:
		return nbpy_error_set(err, "field '%s': not a legacy field", f->name);
	}
}

static void put_json_string(struct text_buf *b, const char *s)
{
	put(b, "\"", 1);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putf(b, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			putf(b, "\\u%04x", (unsigned)*s);
		else
			put(b, s, 1);
	}
	put(b, "\"", 1);
}

static int put_levels(struct text_buf *b, const struct nbpy_book_level *lv, uint32_t n,
		      struct nbpy_error *err)
{
	if (n > NBPY_BOOK_LEVELS_MAX)
		return nbpy_error_set(err, "%u levels, at most %d", n, NBPY_BOOK_LEVELS_MAX);
	put(b, "[", 1);
	for (uint32_t i = 0; i < n; i++) {
		put(b, i ? ",[\"" : "[\"", i ? 3 : 2);
		if (put_double(b, lv[i].price, "price", err) < 0)
			return -1;
		put(b, "\",\"", 3);
		if (put_double(b, lv[i].volume, "volume", err) < 0)
			return -1;
		putf(b, "\",%lld]", (long long)(lv[i].time_ns / NBPY_NS_PER_SEC));
	}
	put(b, "]", 1);
	return 0;
}

/* {"error":[],"result":{"PAIR":{"asks":[["p","v",ts],...],"bids":[...]}}} */
static int put_book_json(struct text_buf *b, const struct nbpy_book_top *bk, struct nbpy_error *err)
{
	size_t n = strnlen(bk->instrument, sizeof(bk->instrument));

	if (n == sizeof(bk->instrument) || !nbpy_utf8_valid(bk->instrument, n))
		return nbpy_error_set(err, "field 'instrument': invalid string");
	put(b, "{\"error\":[],\"result\":{", 22);
	put_json_string(b, bk->instrument);
	put(b, ":{\"asks\":", 9);
	if (put_levels(b, bk->asks, bk->n_asks, err) < 0)
		return -1;
	put(b, ",\"bids\":", 8);
	if (put_levels(b, bk->bids, bk->n_bids, err) < 0)
		return -1;
	put(b, "}}}", 3);
	return 0;
}

int nbpy_legacy_encode(const struct nbpy_msg *m, const char *topic, char *buf, size_t cap,
		       size_t *len, struct nbpy_error *err)
{
	const struct nbpy_schema_desc *s = nbpy_schema_get(m->h.schema);
	struct text_buf b = { buf, 0, cap, 0 };
	size_t tn;

	if (s == NULL)
		return nbpy_error_set(err, "unknown schema %d", (int)m->h.schema);
	if (cap == 0)
		return nbpy_error_set(err, "buffer too small");
	buf[0] = '\0';
	if (topic == NULL)
		topic = s->legacy_topic;
	tn = strlen(topic);
	if (tn == 0 || tn > NBPY_TOPIC_MAX || strpbrk(topic, " \x01") != NULL)
		return nbpy_error_set(err, "topic '%s' is empty, too long or has a space", topic);
	put(&b, topic, tn);
	put(&b, " ", 1);
	if (s->n_legacy == 0) {
		if (put_book_json(&b, &m->u.book, err) < 0)
			return -1;
	} else {
		for (size_t i = 0; i < s->n_legacy; i++) {
			if (i > 0)
				put(&b, "\x01", 1);
			if (put_field(&b, m, &s->legacy[i], err) < 0)
				return -1;
		}
	}
	if (b.overflow || b.len > NBPY_LEGACY_MAX)
		return nbpy_error_set(err, "frame larger than %zu bytes", cap < NBPY_LEGACY_MAX ? cap : NBPY_LEGACY_MAX);
	*len = b.len;
	return 0;
}

/* ---- decoding ---- */

/* "1538070000.123456789": whole seconds and up to 9 decimals, to ns. */
static int parse_seconds(const char *s, size_t n, int64_t *ns)
{
	const char *dot = memchr(s, '.', n);
	long long sec, frac = 0;
	size_t fd = 0;

	if (nbpy_parse_int64(s, dot ? (size_t)(dot - s) : n, &sec) < 0 || sec < 0 ||
	    sec > INT64_MAX / NBPY_NS_PER_SEC - 1)
		return -1;
	if (dot != NULL) {
		for (const char *p = dot + 1; p < s + n; p++, fd++) {
			if (*p < '0' || *p > '9' || fd >= 9)
				return -1;
			frac = frac * 10 + (*p - '0');
		}
		if (fd == 0)
			return -1;
		for (; fd < 9; fd++)
			frac *= 10;
	}
	*ns = sec * NBPY_NS_PER_SEC + frac;
	return 0;
}

static int get_field(const char *s, size_t n, struct nbpy_msg *m, const struct nbpy_field *f,
		     struct nbpy_error *err)
{
	char *p = AT(m, f);
	char iso[NBPY_RFC3339_MAX];
	long long v;
	double d;

	switch (f->type) {
	case NBPY_F_STR:
		if (n >= f->size)
			return nbpy_error_set(err, "field '%s': %zu bytes, at most %zu", f->name, n, f->size - 1);
		if (!nbpy_utf8_valid(s, n))
			return nbpy_error_set(err, "field '%s': invalid UTF-8", f->name);
		memcpy(p, s, n);
		p[n] = '\0';
		return 0;
	case NBPY_F_F64N:
		if (n == 0) {
			*(double *)p = NAN;
			return 0;
		}
		/* fall through */
	case NBPY_F_F64:
		if (nbpy_parse_double(s, n, (double *)p) < 0)
			return nbpy_error_set(err, "field '%s': '%.*s' is not a finite number", f->name,
					      (int)(n < 40 ? n : 40), s);
		return 0;
	case NBPY_F_I64:
		if (nbpy_parse_int64(s, n, &v) < 0)
			return nbpy_error_set(err, "field '%s': '%.*s' is not an integer", f->name,
					      (int)(n < 40 ? n : 40), s);
		*(int64_t *)p = v;
		return 0;
	case NBPY_F_CHAR:
		if (n != 1 || *s < 0x21 || *s > 0x7e)
			return nbpy_error_set(err, "field '%s': expected one printable character", f->name);
		*p = *s;
		return 0;
	case NBPY_F_TIME_RFC3339:
	case NBPY_F_RECV_RFC3339:
		if (nbpy_rfc3339_parse(s, n, f->type == NBPY_F_TIME_RFC3339 ? &m->h.event_ns : &m->h.recv_ns) < 0)
			return nbpy_error_set(err, "field '%s': not an RFC 3339 time", f->name);
		return 0;
	case NBPY_F_LAG_SECONDS:	/* derived from the two times */
		if (nbpy_parse_double(s, n, &d) < 0)
			return nbpy_error_set(err, "field '%s': not a number", f->name);
		return 0;
	case NBPY_F_TIME_SECONDS:
		if (parse_seconds(s, n, &m->h.event_ns) < 0)
			return nbpy_error_set(err, "field '%s': not a time in seconds", f->name);
		return 0;
	case NBPY_F_TIME_MS:
		if (nbpy_parse_int64(s, n, &v) < 0 || v < -INT64_MAX / 1000000 || v > INT64_MAX / 1000000)
			return nbpy_error_set(err, "field '%s': not a time in ms", f->name);
		m->h.event_ns = (int64_t)v * 1000000;
		return 0;
	case NBPY_F_TIME_ISO:
		if (n != 19)
			return nbpy_error_set(err, "field '%s': expected YYYY-MM-DDTHH:MM:SS", f->name);
		memcpy(iso, s, n);
		iso[n] = 'Z';
		if (nbpy_rfc3339_parse(iso, n + 1, &m->h.event_ns) < 0)
			return nbpy_error_set(err, "field '%s': expected YYYY-MM-DDTHH:MM:SS", f->name);
		return 0;
	default:
		return nbpy_error_set(err, "field '%s': not a legacy field", f->name);
	}
}

static int json_number(struct json_object *o, double *v)
{
	if (json_object_is_type(o, json_type_string))
		return nbpy_parse_double(json_object_get_string(o),
					 (size_t)json_object_get_string_len(o), v);
	if (!json_object_is_type(o, json_type_double) && !json_object_is_type(o, json_type_int))
		return -1;
	*v = json_object_get_double(o);
	return isfinite(*v) ? 0 : -1;
}

static int get_json_levels(struct json_object *side, const char *name, struct nbpy_book_level *lv,
			   uint32_t *count, struct nbpy_error *err)
{
	size_t n;

	if (side == NULL || !json_object_is_type(side, json_type_array))
		return nbpy_error_set(err, "'%s' is missing or not an array", name);
	n = json_object_array_length(side);
	if (n > NBPY_BOOK_LEVELS_MAX)
		return nbpy_error_set(err, "'%s': %zu levels, at most %d", name, n, NBPY_BOOK_LEVELS_MAX);
	for (size_t i = 0; i < n; i++) {
		struct json_object *l = json_object_array_get_idx(side, i);
		double t;

		if (!json_object_is_type(l, json_type_array) || json_object_array_length(l) < 3 ||
		    json_number(json_object_array_get_idx(l, 0), &lv[i].price) < 0 ||
		    json_number(json_object_array_get_idx(l, 1), &lv[i].volume) < 0 ||
		    json_number(json_object_array_get_idx(l, 2), &t) < 0 || t < 0 || t > 9e9)
			return nbpy_error_set(err, "'%s' level %zu is not [price, volume, time]", name, i);
		lv[i].time_ns = (int64_t)(t * 1e9 + 0.5);
	}
	*count = (uint32_t)n;
	return 0;
}

static int get_book_json(const char *s, size_t n, struct nbpy_book_top *bk, struct nbpy_error *err)
{
	struct json_tokener *tok = json_tokener_new_ex(8);
	struct json_object *root, *errors, *result, *book = NULL;
	int rc = -1;

	if (tok == NULL)
		return nbpy_error_set(err, "out of memory");
	root = json_tokener_parse_ex(tok, s, (int)n);
	if (root == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != n) {
		nbpy_error_set(err, "invalid JSON near byte %zu", json_tokener_get_parse_end(tok));
		goto out;
	}
	if (!json_object_object_get_ex(root, "error", &errors) ||
	    !json_object_is_type(errors, json_type_array)) {
		nbpy_error_set(err, "no Kraken 'error' array");
		goto out;
	}
	if (json_object_array_length(errors) > 0) {
		nbpy_error_set(err, "Kraken error: %.100s",
			       json_object_get_string(json_object_array_get_idx(errors, 0)));
		goto out;
	}
	if (!json_object_object_get_ex(root, "result", &result) ||
	    !json_object_is_type(result, json_type_object) || json_object_object_length(result) != 1) {
		nbpy_error_set(err, "'result' must hold exactly one pair");
		goto out;
	}
	json_object_object_foreach(result, pair, value) {
		if (strlen(pair) >= sizeof(bk->instrument) || !nbpy_utf8_valid(pair, strlen(pair))) {
			nbpy_error_set(err, "pair name too long or not UTF-8");
			goto out;
		}
		strcpy(bk->instrument, pair);
		book = value;
	}
	if (!json_object_is_type(book, json_type_object)) {
		nbpy_error_set(err, "the pair's book is not an object");
		goto out;
	}
	{
		struct json_object *asks = NULL, *bids = NULL;

		(void)json_object_object_get_ex(book, "asks", &asks);
		(void)json_object_object_get_ex(book, "bids", &bids);
		if (get_json_levels(asks, "asks", bk->asks, &bk->n_asks, err) < 0 ||
		    get_json_levels(bids, "bids", bk->bids, &bk->n_bids, err) < 0)
			goto out;
	}
	rc = 0;
out:
	if (root != NULL)
		json_object_put(root);
	json_tokener_free(tok);
	return rc;
}

int nbpy_legacy_decode(const char *frame, size_t len, enum nbpy_schema schema,
		       struct nbpy_msg *m, char *topic, size_t topic_cap, struct nbpy_error *err)
{
	const struct nbpy_schema_desc *s = nbpy_schema_get(schema);
	const char *sp, *p, *end = frame + len;
	size_t tn;

	if (s == NULL)
		return nbpy_error_set(err, "unknown schema %d", (int)schema);
	if (len > NBPY_LEGACY_MAX)
		return nbpy_error_set(err, "frame of %zu bytes, at most %d", len, NBPY_LEGACY_MAX);
	sp = memchr(frame, ' ', len);
	if (sp == NULL)
		return nbpy_error_set(err, "no space after the topic");
	tn = (size_t)(sp - frame);
	if (tn == 0 || tn > NBPY_TOPIC_MAX)
		return nbpy_error_set(err, "topic of %zu bytes", tn);
	if (topic != NULL) {
		if (tn >= topic_cap)
			return nbpy_error_set(err, "topic longer than the caller's buffer");
		memcpy(topic, frame, tn);
		topic[tn] = '\0';
	}
	/* Body fields the frame lacks (the heartbeat's source) read as empty. */
	memset(m, 0, sizeof(*m));
	m->h.schema = schema;
	p = sp + 1;
	if (s->n_legacy == 0)
		return get_book_json(p, (size_t)(end - p), &m->u.book, err);
	for (size_t i = 0; i < s->n_legacy; i++) {
		const char *q = memchr(p, SOH, (size_t)(end - p));
		const char *fe = q ? q : end;

		if (q != NULL && i + 1 == s->n_legacy)
			return nbpy_error_set(err, "%s: more than %zu fields", s->name, s->n_legacy);
		if (q == NULL && i + 1 < s->n_legacy)
			return nbpy_error_set(err, "%s: %zu fields, expected %zu", s->name, i + 1, s->n_legacy);
		if (get_field(p, (size_t)(fe - p), m, &s->legacy[i], err) < 0)
			return -1;
		p = fe + 1;
	}
	return 0;
}
