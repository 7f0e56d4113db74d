/* wire_msgpack.c - MessagePack encoding of nbpy messages, via msgpack-c.
 *
 * Encoding packs straight into the caller's buffer.  Decoding first walks the
 * raw bytes to prove every length and element count fits in the payload:
 * msgpack-c allocates an array's elements from its header count before
 * reading them, so a 5-byte input claiming 2^32 elements would otherwise ask
 * for 96 GiB.  Only then does msgpack_unpack build the object tree. */
#include <math.h>
#include <msgpack.h>
#include <string.h>

#include "text.h"
#include "wire.h"

#define AT(m, f) ((char *)(m) + (f)->offset)
#define CAT(m, f) ((const char *)(m) + (f)->offset)

/* ---- encoding ---- */

struct out_buf {
	char *p;
	size_t len, cap;
};

static int out_write(void *data, const char *buf, size_t len)
{
	struct out_buf *o = data;

	if (len > o->cap - o->len)
		return -1;
	memcpy(o->p + o->len, buf, len);
	o->len += len;
	return 0;
}

static int pack_str(msgpack_packer *pk, const char *s, size_t cap, const char *name,
		    struct nbpy_error *err)
{
	size_t n = strnlen(s, cap);

	if (n == cap)
		return nbpy_error_set(err, "field '%s': string not terminated", name);
	if (!nbpy_utf8_valid(s, n))
		return nbpy_error_set(err, "field '%s': invalid UTF-8", name);
	if (msgpack_pack_str(pk, n) < 0 || msgpack_pack_str_body(pk, s, n) < 0)
		return nbpy_error_set(err, "message larger than the buffer");
	return 0;
}

static int pack_f64(msgpack_packer *pk, double v, const char *name, struct nbpy_error *err)
{
	if (!isfinite(v))
		return nbpy_error_set(err, "field '%s': not a finite number", name);
	if (msgpack_pack_double(pk, v) < 0)
		return nbpy_error_set(err, "message larger than the buffer");
	return 0;
}

static int pack_field(msgpack_packer *pk, const struct nbpy_msg *m, const struct nbpy_field *f,
		      struct nbpy_error *err)
{
	const char *p = CAT(m, f);
	int rc = 0;

	switch (f->type) {
	case NBPY_F_STR:
		return pack_str(pk, p, f->size, f->name, err);
	case NBPY_F_F64:
		return pack_f64(pk, *(const double *)p, f->name, err);
	case NBPY_F_I64:
		rc = msgpack_pack_int64(pk, *(const int64_t *)p);
		break;
	case NBPY_F_U64:
		rc = msgpack_pack_uint64(pk, *(const uint64_t *)p);
		break;
	case NBPY_F_RECV_DELTA:
		rc = msgpack_pack_int64(pk, (int64_t)((uint64_t)m->h.recv_ns - (uint64_t)m->h.event_ns));
		break;
	case NBPY_F_CHAR:
		if (*p < 0x21 || *p > 0x7e)
			return nbpy_error_set(err, "field '%s': not a printable character", f->name);
		rc = msgpack_pack_str(pk, 1) < 0 || msgpack_pack_str_body(pk, p, 1) < 0 ? -1 : 0;
		break;
	case NBPY_F_LEVELS: {
		uint32_t n = *(const uint32_t *)p;
		const struct nbpy_book_level *lv = (const void *)((const char *)m + f->size);

		if (n > NBPY_BOOK_LEVELS_MAX)
			return nbpy_error_set(err, "field '%s': %u levels, at most %d", f->name,
					      n, NBPY_BOOK_LEVELS_MAX);
		if (msgpack_pack_array(pk, n) < 0)
			return nbpy_error_set(err, "message larger than the buffer");
		for (uint32_t i = 0; i < n; i++) {
			if (msgpack_pack_array(pk, 3) < 0 ||
			    pack_f64(pk, lv[i].price, f->name, err) < 0 ||
			    pack_f64(pk, lv[i].volume, f->name, err) < 0 ||
			    msgpack_pack_int64(pk, lv[i].time_ns) < 0)
				return nbpy_error_set(err, "field '%s': level %u: bad value or too large",
						      f->name, i);
		}
		break;
	}
	default:
		return nbpy_error_set(err, "field '%s': type not allowed on the wire", f->name);
	}
	return rc < 0 ? nbpy_error_set(err, "message larger than the buffer") : 0;
}

int nbpy_wire_encode(const struct nbpy_msg *m, void *buf, size_t cap, size_t *len,
		     struct nbpy_error *err)
{
	const struct nbpy_schema_desc *s = nbpy_schema_get(m->h.schema);
	struct out_buf out = { buf, 0, cap < NBPY_WIRE_MAX ? cap : NBPY_WIRE_MAX };
	msgpack_packer pk;

	if (s == NULL)
		return nbpy_error_set(err, "unknown schema %d", (int)m->h.schema);
	msgpack_packer_init(&pk, &out, out_write);
	if (msgpack_pack_array(&pk, 2 + nbpy_n_header_fields + s->n_fields) < 0 ||
	    msgpack_pack_uint8(&pk, (uint8_t)s->id) < 0 ||
	    msgpack_pack_uint8(&pk, NBPY_WIRE_VERSION) < 0)
		return nbpy_error_set(err, "buffer too small");
	for (size_t i = 0; i < nbpy_n_header_fields; i++)
		if (pack_field(&pk, m, &nbpy_header_fields[i], err) < 0)
			return -1;
	for (size_t i = 0; i < s->n_fields; i++)
		if (pack_field(&pk, m, &s->fields[i], err) < 0)
			return -1;
	*len = out.len;
	return 0;
}

/* ---- bounds check of untrusted bytes ---- */

static uint64_t be(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

/* Walk one complete MessagePack value covering exactly len bytes, checking
 * that every length and element count fits in what is left. */
static int msgpack_bounds_ok(const unsigned char *p, size_t len, struct nbpy_error *err)
{
	size_t pos = 0;
	uint64_t pending = 1;	/* values still to read */

	while (pending > 0) {
		unsigned c;
		uint64_t skip = 0, items = 0;
		int hdr = 1;

		if (pos >= len)
			return nbpy_error_set(err, "truncated at byte %zu", pos);
		c = p[pos];
		pending--;
		if (c <= 0x7f || c >= 0xe0 || c == 0xc0 || c == 0xc2 || c == 0xc3) {
			/* fixint, nil, bool */
		} else if (c <= 0x8f) {
			items = 2 * (uint64_t)(c & 0x0f);
		} else if (c <= 0x9f) {
			items = c & 0x0f;
		} else if (c <= 0xbf) {
			skip = c & 0x1f;
		} else {
			static const signed char len_bytes[0x20] = {
				/* c0 */ 0, -1, 0, 0, 1, 2, 4, 1, 2, 4, 0, 0, 0, 0, 0, 0,
				/* d0 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 4, 2, 4, 2, 4,
			};
			static const unsigned char fixed[0x20] = {
				[0x0a] = 4, [0x0b] = 8, [0x0c] = 1, [0x0d] = 2, [0x0e] = 4, [0x0f] = 8,
				[0x10] = 1, [0x11] = 2, [0x12] = 4, [0x13] = 8,
				[0x14] = 2, [0x15] = 3, [0x16] = 5, [0x17] = 9, [0x18] = 17,
			};
			int lb = len_bytes[c - 0xc0];
			uint64_t n;

			if (lb < 0)
				return nbpy_error_set(err, "invalid byte 0x%02x at %zu", c, pos);
			if (len - pos - 1 < (size_t)lb)
				return nbpy_error_set(err, "truncated at byte %zu", pos);
			n = be(p + pos + 1, lb);
			hdr += lb;
			if (c >= 0xc4 && c <= 0xc6)		/* bin */
				skip = n;
			else if (c >= 0xc7 && c <= 0xc9)	/* ext: type byte + data */
				skip = n + 1;
			else if (c >= 0xd9 && c <= 0xdb)	/* str */
				skip = n;
			else if (c == 0xdc || c == 0xdd)	/* array */
				items = n;
			else if (c == 0xde || c == 0xdf)	/* map */
				items = 2 * n;
			else
				skip = fixed[c - 0xc0];
		}
		if ((uint64_t)(len - pos) < hdr + skip)
			return nbpy_error_set(err, "truncated at byte %zu", pos);
		pos += hdr + skip;
		/* Every value takes at least one byte. */
		if (items > len - pos || pending + items > len - pos + 1)
			return nbpy_error_set(err, "element count larger than the payload at byte %zu", pos);
		pending += items;
	}
	if (pos != len)
		return nbpy_error_set(err, "%zu trailing bytes", len - pos);
	return 0;
}

/* ---- decoding ---- */

static int get_i64(const msgpack_object *o, int64_t *v)
{
	if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER && o->via.u64 <= INT64_MAX)
		*v = (int64_t)o->via.u64;
	else if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
		*v = o->via.i64;
	else
		return -1;
	return 0;
}

/* Numbers are numbers: a Python publisher may send 1 for 1.0. */
static int get_f64(const msgpack_object *o, double *v)
{
	int64_t i;

	if (o->type == MSGPACK_OBJECT_FLOAT64 || o->type == MSGPACK_OBJECT_FLOAT32)
		*v = o->via.f64;
	else if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
		*v = (double)o->via.u64;
	else if (get_i64(o, &i) == 0)
		*v = (double)i;
	else
		return -1;
	return isfinite(*v) ? 0 : -1;
}

static int get_levels(const msgpack_object *o, uint32_t *count, struct nbpy_book_level *lv,
		      const char *name, struct nbpy_error *err)
{
	if (o->type != MSGPACK_OBJECT_ARRAY)
		return nbpy_error_set(err, "field '%s': expected an array", name);
	if (o->via.array.size > NBPY_BOOK_LEVELS_MAX)
		return nbpy_error_set(err, "field '%s': %u levels, at most %d", name,
				      o->via.array.size, NBPY_BOOK_LEVELS_MAX);
	for (uint32_t i = 0; i < o->via.array.size; i++) {
		const msgpack_object *e = &o->via.array.ptr[i];

		if (e->type != MSGPACK_OBJECT_ARRAY || e->via.array.size != 3 ||
		    get_f64(&e->via.array.ptr[0], &lv[i].price) < 0 ||
		    get_f64(&e->via.array.ptr[1], &lv[i].volume) < 0 ||
		    get_i64(&e->via.array.ptr[2], &lv[i].time_ns) < 0)
			return nbpy_error_set(err, "field '%s': level %u is not [price, volume, time_ns]",
					      name, i);
	}
	*count = o->via.array.size;
	return 0;
}

static int unpack_field(const msgpack_object *o, struct nbpy_msg *m, const struct nbpy_field *f,
			struct nbpy_error *err)
{
	char *p = AT(m, f);
	int64_t i;

	switch (f->type) {
	case NBPY_F_STR:
		if (o->type != MSGPACK_OBJECT_STR)
			return nbpy_error_set(err, "field '%s': expected a string", f->name);
		if (o->via.str.size >= f->size)
			return nbpy_error_set(err, "field '%s': %u bytes, at most %zu", f->name,
					      o->via.str.size, f->size - 1);
		if (!nbpy_utf8_valid(o->via.str.ptr, o->via.str.size))
			return nbpy_error_set(err, "field '%s': invalid UTF-8", f->name);
		memcpy(p, o->via.str.ptr, o->via.str.size);
		p[o->via.str.size] = '\0';
		return 0;
	case NBPY_F_F64:
		if (get_f64(o, (double *)p) < 0)
			return nbpy_error_set(err, "field '%s': expected a finite number", f->name);
		return 0;
	case NBPY_F_I64:
		if (get_i64(o, (int64_t *)p) < 0)
			return nbpy_error_set(err, "field '%s': expected a 64-bit integer", f->name);
		return 0;
	case NBPY_F_U64:
		if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
			return nbpy_error_set(err, "field '%s': expected an unsigned integer", f->name);
		*(uint64_t *)p = o->via.u64;
		return 0;
	case NBPY_F_RECV_DELTA:
		if (get_i64(o, &i) < 0)
			return nbpy_error_set(err, "field '%s': expected an integer", f->name);
		m->h.recv_ns = (int64_t)((uint64_t)m->h.event_ns + (uint64_t)i);
		return 0;
	case NBPY_F_CHAR:
		if (o->type != MSGPACK_OBJECT_STR || o->via.str.size != 1 ||
		    o->via.str.ptr[0] < 0x21 || o->via.str.ptr[0] > 0x7e)
			return nbpy_error_set(err, "field '%s': expected one printable character", f->name);
		*p = o->via.str.ptr[0];
		return 0;
	case NBPY_F_LEVELS:
		return get_levels(o, (uint32_t *)p, (void *)((char *)m + f->size), f->name, err);
	default:
		return nbpy_error_set(err, "field '%s': type not allowed on the wire", f->name);
	}
}

/* One zone per thread, cleared after each decode, so decoding does not
 * malloc per message.  It lives as long as the thread. */
static __thread msgpack_zone decode_zone;
static __thread int decode_zone_ready;

int nbpy_wire_decode(const void *buf, size_t len, struct nbpy_msg *m, struct nbpy_error *err)
{
	const struct nbpy_schema_desc *s;
	const msgpack_object *a;
	msgpack_object obj;
	size_t off = 0, n;
	int rc = -1;

	if (len > NBPY_WIRE_MAX)
		return nbpy_error_set(err, "payload of %zu bytes, at most %d", len, NBPY_WIRE_MAX);
	if (msgpack_bounds_ok(buf, len, err) < 0)
		return -1;
	if (!decode_zone_ready) {
		if (!msgpack_zone_init(&decode_zone, 4 * NBPY_WIRE_MAX))
			return nbpy_error_set(err, "out of memory");
		decode_zone_ready = 1;
	}
	if (msgpack_unpack(buf, len, &off, &decode_zone, &obj) != MSGPACK_UNPACK_SUCCESS) {
		nbpy_error_set(err, "not MessagePack");
		goto out;
	}
	if (obj.type != MSGPACK_OBJECT_ARRAY || obj.via.array.size < 2) {
		nbpy_error_set(err, "not an nbpy message (expected an array)");
		goto out;
	}
	a = obj.via.array.ptr;
	if (a[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER || a[0].via.u64 >= NBPY_SCHEMA_END ||
	    (s = nbpy_schema_get((enum nbpy_schema)a[0].via.u64)) == NULL) {
		nbpy_error_set(err, "unknown schema");
		goto out;
	}
	if (a[1].type != MSGPACK_OBJECT_POSITIVE_INTEGER || a[1].via.u64 != NBPY_WIRE_VERSION) {
		nbpy_error_set(err, "%s: unsupported version", s->name);
		goto out;
	}
	n = 2 + nbpy_n_header_fields + s->n_fields;
	if (obj.via.array.size != n) {
		nbpy_error_set(err, "%s: %u elements, expected %zu", s->name, obj.via.array.size, n);
		goto out;
	}
	memset(&m->h, 0, sizeof(m->h));
	m->h.schema = s->id;
	for (size_t i = 0; i < nbpy_n_header_fields; i++)
		if (unpack_field(&a[2 + i], m, &nbpy_header_fields[i], err) < 0)
			goto out;
	for (size_t i = 0; i < s->n_fields; i++)
		if (unpack_field(&a[2 + nbpy_n_header_fields + i], m, &s->fields[i], err) < 0)
			goto out;
	nbpy_wire_derive(m);
	rc = 0;
out:
	msgpack_zone_clear(&decode_zone);
	return rc;
}
