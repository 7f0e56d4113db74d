/* wire_msgpack.c - MessagePack encoding and decoding of nbpy messages.
 *
 * Both directions work in place on the caller's buffer, with one encoder and
 * one decoder per schema, unrolled at compile time over the schema's field
 * table (wire_fields.h): no per-field table lookups and no allocation.  The
 * encoder writes the few MessagePack forms nbpy needs (array, str, float 64,
 * the smallest integer form, as msgpack-c picks it); msgpack-c's callback
 * packer, used before, cost an indirect call per write once the encoder was
 * unrolled.  The decoder reads with a small bounds-checked cursor instead of
 * msgpack_unpack: a length or element count is checked against the bytes left
 * before it is used, where msgpack-c builds a tree in a zone sized from the
 * untrusted header count (a 5-byte input claiming 2^32 elements asks it for
 * 96 GiB).  The unit tests check both directions against msgpack-c: its
 * unpacker reads what we write, re-packing that gives the same bytes, and
 * what it packs in every number width we read. */
#include <endian.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "common/text.h"
#include "common/wire.h"
#include "common/wire_fields.h"

#define AT(m, f) ((char *)(m) + (f)->offset)
#define CAT(m, f) ((const char *)(m) + (f)->offset)

/* Everything a codec function calls is inlined into it, so that the field
 * loops unroll into straight-line code.  Not in sanitizer builds: the shape
 * only matters for speed, and clang with -fsanitize=undefined takes minutes
 * over eighteen functions with every field's code forced into them. */
#if defined(__SANITIZE_ADDRESS__)
#define NBPY_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define NBPY_SANITIZED 1
#endif
#endif
#ifdef NBPY_SANITIZED
#define INLINE static inline
#define UNROLL
#else
#define INLINE static inline __attribute__((always_inline))
#define UNROLL _Pragma("GCC unroll 32")
#endif

/* ---- encoding ---- */

struct writer {
	unsigned char *p, *end;
};

/* One type byte and an n-byte big-endian value (n = 0, 1, 2, 4 or 8). */
INLINE int put(struct writer *w, unsigned type, uint64_t v, int n)
{
	if ((size_t)(w->end - w->p) < 1 + (size_t)n)
		return -1;
	w->p[0] = (unsigned char)type;
	switch (n) {
	case 1:
		w->p[1] = (unsigned char)v;
		break;
	case 2: {
		uint16_t b = htobe16((uint16_t)v);

		memcpy(w->p + 1, &b, 2);
		break;
	}
	case 4: {
		uint32_t b = htobe32((uint32_t)v);

		memcpy(w->p + 1, &b, 4);
		break;
	}
	case 8: {
		uint64_t b = htobe64(v);

		memcpy(w->p + 1, &b, 8);
		break;
	}
	}
	w->p += 1 + n;
	return 0;
}

INLINE int put_uint(struct writer *w, uint64_t v)
{
	if (v < 0x80)
		return put(w, (unsigned)v, 0, 0);	/* positive fixint */
	if (v <= UINT8_MAX)
		return put(w, 0xcc, v, 1);
	if (v <= UINT16_MAX)
		return put(w, 0xcd, v, 2);
	if (v <= UINT32_MAX)
		return put(w, 0xce, v, 4);
	return put(w, 0xcf, v, 8);
}

INLINE int put_int(struct writer *w, int64_t v)
{
	if (v >= 0)
		return put_uint(w, (uint64_t)v);
	if (v >= -32)
		return put(w, (unsigned)(v & 0xff), 0, 0);	/* negative fixint */
	if (v >= INT8_MIN)
		return put(w, 0xd0, (uint64_t)v, 1);
	if (v >= INT16_MIN)
		return put(w, 0xd1, (uint64_t)v, 2);
	if (v >= INT32_MIN)
		return put(w, 0xd2, (uint64_t)v, 4);
	return put(w, 0xd3, (uint64_t)v, 8);
}

INLINE int put_array(struct writer *w, uint32_t n)
{
	if (n <= 15)
		return put(w, 0x90 | n, 0, 0);
	return n <= UINT16_MAX ? put(w, 0xdc, n, 2) : put(w, 0xdd, n, 4);
}

INLINE int put_str(struct writer *w, const char *s, size_t n)
{
	int rc;

	if (n <= 31)
		rc = put(w, 0xa0 | (unsigned)n, 0, 0);
	else if (n <= UINT8_MAX)
		rc = put(w, 0xd9, n, 1);
	else
		rc = n <= UINT16_MAX ? put(w, 0xda, n, 2) : put(w, 0xdb, n, 4);
	if (rc < 0 || (size_t)(w->end - w->p) < n)
		return -1;
	memcpy(w->p, s, n);
	w->p += n;
	return 0;
}

INLINE int put_f64(struct writer *w, double v)
{
	uint64_t bits;

	memcpy(&bits, &v, sizeof(bits));
	return put(w, 0xcb, bits, 8);
}

/* A string field of cap bytes: its length and its UTF-8 checked in one pass
 * for the usual plain ASCII (eight bytes at a time, all within the field, as
 * nbpy_utf8_valid reads them), strnlen and the full check only from the
 * first byte that is not plain ASCII: no call and no second pass over the
 * short names most fields hold. */
INLINE int pack_str(struct writer *w, const char *s, size_t cap, const char *name,
		    struct nbpy_error *err)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + cap;
	size_t n;

	while (end - p >= 8) {
		uint64_t v;

		memcpy(&v, p, sizeof(v));
		if ((v & 0x8080808080808080ULL) || ((v - 0x0101010101010101ULL) & ~v & 0x8080808080808080ULL))
			break;
		p += 8;
	}
	while (p < end && (unsigned)(*p - 1) < 0x7f)
		p++;
	n = (size_t)(p - (const unsigned char *)s);
	if (p == end || *p != '\0') {	/* not terminated, or a byte above 0x7f */
		n += strnlen((const char *)p, (size_t)(end - p));
		if (n == cap)
			return nbpy_error_set(err, "field '%s': string not terminated", name);
		if (!nbpy_utf8_valid_from(p, (const unsigned char *)s + n))
			return nbpy_error_set(err, "field '%s': invalid UTF-8", name);
	}
	if (put_str(w, s, n) < 0)
		return nbpy_error_set(err, "message larger than the buffer");
	return 0;
}

INLINE int pack_f64(struct writer *w, double v, const char *name, struct nbpy_error *err)
{
	if (!isfinite(v))
		return nbpy_error_set(err, "field '%s': not a finite number", name);
	if (put_f64(w, v) < 0)
		return nbpy_error_set(err, "message larger than the buffer");
	return 0;
}

INLINE int pack_field(struct writer *w, const struct nbpy_msg *m, const struct nbpy_field *f,
		      struct nbpy_error *err)
{
	const char *p = CAT(m, f);
	int rc = 0;

	switch (f->type) {
	case NBPY_F_STR:
		return pack_str(w, p, f->size, f->name, err);
	case NBPY_F_F64:
		return pack_f64(w, *(const double *)p, f->name, err);
	case NBPY_F_F64N:	/* undefined (NaN) travels as nil; infinities do not */
		if (isnan(*(const double *)p))
			rc = put(w, 0xc0, 0, 0);
		else
			return pack_f64(w, *(const double *)p, f->name, err);
		break;
	case NBPY_F_I64:
		rc = put_int(w, *(const int64_t *)p);
		break;
	case NBPY_F_U64:
		rc = put_uint(w, *(const uint64_t *)p);
		break;
	case NBPY_F_RECV_DELTA:
		rc = put_int(w, (int64_t)((uint64_t)m->h.recv_ns - (uint64_t)m->h.event_ns));
		break;
	case NBPY_F_CHAR:
		if (*p < 0x21 || *p > 0x7e)
			return nbpy_error_set(err, "field '%s': not a printable character", f->name);
		rc = put_str(w, p, 1);
		break;
	case NBPY_F_LEVELS: {
		uint32_t n = *(const uint32_t *)p;
		const struct nbpy_book_level *lv = (const void *)((const char *)m + f->size);

		if (n > NBPY_BOOK_LEVELS_MAX)
			return nbpy_error_set(err, "field '%s': %u levels, at most %d", f->name,
					      n, NBPY_BOOK_LEVELS_MAX);
		if (put_array(w, n) < 0)
			return nbpy_error_set(err, "message larger than the buffer");
		for (uint32_t i = 0; i < n; i++) {
			if (put_array(w, 3) < 0 ||
			    pack_f64(w, lv[i].price, f->name, err) < 0 ||
			    pack_f64(w, lv[i].volume, f->name, err) < 0 ||
			    put_int(w, lv[i].time_ns) < 0)
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

/* A schema's fields, unrolled: f and n are compile-time constants in every
 * caller (the tables of wire_fields.h), so each field's type, offset and size
 * fold away and the loop becomes straight-line code. */
INLINE int pack_fields(struct writer *w, const struct nbpy_msg *m, const struct nbpy_field *f,
		       size_t n, struct nbpy_error *err)
{
UNROLL
	for (size_t i = 0; i < n; i++)
		if (pack_field(w, m, &f[i], err) < 0)
			return -1;
	return 0;
}

/* The whole message: array header, schema, version, header fields, body. */
INLINE int pack_message(struct writer *w, const struct nbpy_msg *m, unsigned version,
			const struct nbpy_field *body, size_t n, struct nbpy_error *err)
{
	if (put_array(w, (uint32_t)(2 + N(wire_header_fields) + n)) < 0 ||
	    put_uint(w, (uint64_t)m->h.schema) < 0 || put_uint(w, version) < 0)
		return nbpy_error_set(err, "buffer too small");
	return pack_fields(w, m, wire_header_fields, N(wire_header_fields), err) < 0 ? -1 :
	       pack_fields(w, m, body, n, err);
}

typedef int encode_fn(struct writer *w, const struct nbpy_msg *m, unsigned version, struct nbpy_error *err);

/* ---- decoding ---- */

struct reader {
	const unsigned char *start, *p, *end;
	struct nbpy_error *err;
};

enum { READ_TYPE = -2, READ_TRUNC = -1 };

INLINE int need(struct reader *r, size_t n)
{
	if ((size_t)(r->end - r->p) < n) {
		nbpy_error_set(r->err, "truncated at byte %zu", (size_t)(r->p - r->start));
		return READ_TRUNC;
	}
	return 0;
}

INLINE uint64_t big_endian(const unsigned char *p, int n)
{
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	switch (n) {
	case 1:
		return p[0];
	case 2:
		__builtin_memcpy(&v16, p, 2);
		return be16toh(v16);
	case 4:
		__builtin_memcpy(&v32, p, 4);
		return be32toh(v32);
	default:
		__builtin_memcpy(&v64, p, 8);
		return be64toh(v64);
	}
}

/* Any MessagePack integer.  *neg tells whether it is below zero. */
INLINE int read_int(struct reader *r, uint64_t *u, int *neg)
{
	unsigned c;
	int n;

	if (need(r, 1) < 0)
		return READ_TRUNC;
	c = *r->p;
	*neg = 0;
	if (c <= 0x7f) {
		*u = c;
		r->p++;
		return 0;
	}
	if (c >= 0xe0) {
		*u = (uint64_t)(int64_t)(int8_t)c;
		*neg = 1;
		r->p++;
		return 0;
	}
	if (c >= 0xcc && c <= 0xcf)
		n = 1 << (c - 0xcc);
	else if (c >= 0xd0 && c <= 0xd3)
		n = 1 << (c - 0xd0);
	else
		return READ_TYPE;
	if (need(r, 1 + (size_t)n) < 0)
		return READ_TRUNC;
	*u = big_endian(r->p + 1, n);
	if (c >= 0xd0) {	/* sign-extend */
		int shift = 64 - 8 * n;

		*u = (uint64_t)(((int64_t)(*u << shift)) >> shift);
		*neg = (int64_t)*u < 0;
	}
	r->p += 1 + n;
	return 0;
}

INLINE int read_i64(struct reader *r, int64_t *v)
{
	uint64_t u;
	int neg, rc = read_int(r, &u, &neg);

	if (rc < 0)
		return rc;
	if (!neg && u > INT64_MAX)
		return READ_TYPE;
	*v = (int64_t)u;
	return 0;
}

/* Numbers are numbers: a Python publisher may send 1 for 1.0.  The float
 * cases test finiteness on the bits (exponent all ones: inf or NaN), in a
 * register, before the value is stored. */
INLINE int read_f64(struct reader *r, double *v)
{
	unsigned c;

	if (need(r, 1) < 0)
		return READ_TRUNC;
	c = *r->p;
	if (c == 0xcb) {
		uint64_t bits;

		if (need(r, 9) < 0)
			return READ_TRUNC;
		bits = big_endian(r->p + 1, 8);
		if ((bits & 0x7ff0000000000000ULL) == 0x7ff0000000000000ULL)
			return READ_TYPE;
		memcpy(v, &bits, sizeof(*v));
		r->p += 9;
	} else if (c == 0xca) {
		uint32_t bits;
		float f;

		if (need(r, 5) < 0)
			return READ_TRUNC;
		bits = (uint32_t)big_endian(r->p + 1, 4);
		if ((bits & 0x7f800000U) == 0x7f800000U)
			return READ_TYPE;
		memcpy(&f, &bits, sizeof(f));
		*v = f;
		r->p += 5;
	} else {
		uint64_t u;
		int neg, rc = read_int(r, &u, &neg);

		if (rc < 0)
			return rc;
		*v = neg ? (double)(int64_t)u : (double)u;
	}
	return 0;
}

INLINE int read_str(struct reader *r, const char **s, size_t *len)
{
	unsigned c;
	int n;

	if (need(r, 1) < 0)
		return READ_TRUNC;
	c = *r->p;
	if (c >= 0xa0 && c <= 0xbf) {
		*len = c & 0x1f;
		n = 0;
	} else if (c >= 0xd9 && c <= 0xdb) {
		n = 1 << (c - 0xd9);
		if (need(r, 1 + (size_t)n) < 0)
			return READ_TRUNC;
		*len = big_endian(r->p + 1, n);
	} else {
		return READ_TYPE;
	}
	if (*len > (size_t)(r->end - r->p) - 1 - (size_t)n) {
		nbpy_error_set(r->err, "truncated at byte %zu", (size_t)(r->p - r->start));
		return READ_TRUNC;
	}
	*s = (const char *)r->p + 1 + n;
	r->p += 1 + n + *len;
	return 0;
}

INLINE int read_array(struct reader *r, uint32_t *count)
{
	unsigned c;

	if (need(r, 1) < 0)
		return READ_TRUNC;
	c = *r->p;
	if (c >= 0x90 && c <= 0x9f) {
		*count = c & 0x0f;
		r->p++;
	} else if (c == 0xdc || c == 0xdd) {
		int n = c == 0xdc ? 2 : 4;

		if (need(r, 1 + (size_t)n) < 0)
			return READ_TRUNC;
		*count = (uint32_t)big_endian(r->p + 1, n);
		r->p += 1 + n;
	} else {
		return READ_TYPE;
	}
	/* Every element takes at least one byte. */
	if (*count > (size_t)(r->end - r->p)) {
		nbpy_error_set(r->err, "element count larger than the payload at byte %zu",
			       (size_t)(r->p - r->start));
		return READ_TRUNC;
	}
	return 0;
}

/* Report a type error unless the reader already said "truncated". */
static int field_error(struct nbpy_error *err, int rc, const char *name, const char *expected)
{
	if (rc == READ_TYPE)
		nbpy_error_set(err, "field '%s': expected %s", name, expected);
	return -1;
}

INLINE int read_levels(struct reader *r, const struct nbpy_field *f, uint32_t *count,
		       struct nbpy_book_level *lv)
{
	uint32_t n, three;
	int rc = read_array(r, &n);

	if (rc < 0)
		return field_error(r->err, rc, f->name, "an array");
	if (n > NBPY_BOOK_LEVELS_MAX)
		return nbpy_error_set(r->err, "field '%s': %u levels, at most %d", f->name, n,
				      NBPY_BOOK_LEVELS_MAX);
	for (uint32_t i = 0; i < n; i++) {
		if ((rc = read_array(r, &three)) < 0 || three != 3 ||
		    (rc = read_f64(r, &lv[i].price)) < 0 || (rc = read_f64(r, &lv[i].volume)) < 0 ||
		    (rc = read_i64(r, &lv[i].time_ns)) < 0) {
			if (rc == READ_TRUNC)
				return -1;
			return nbpy_error_set(r->err, "field '%s': level %u is not [price, volume, time_ns]",
					      f->name, i);
		}
	}
	*count = n;
	return 0;
}

INLINE int read_field(struct reader *r, struct nbpy_msg *m, const struct nbpy_field *f)
{
	char *p = AT(m, f);
	const char *s;
	size_t len;
	uint64_t u;
	int64_t i;
	int rc, neg;

	switch (f->type) {
	case NBPY_F_STR:
		if ((rc = read_str(r, &s, &len)) < 0)
			return field_error(r->err, rc, f->name, "a string");
		if (len >= f->size)
			return nbpy_error_set(r->err, "field '%s': %zu bytes, at most %zu", f->name, len,
					      f->size - 1);
		if (!nbpy_utf8_valid(s, len))
			return nbpy_error_set(r->err, "field '%s': invalid UTF-8", f->name);
		memcpy(p, s, len);
		p[len] = '\0';
		return 0;
	case NBPY_F_F64:
		if ((rc = read_f64(r, (double *)p)) < 0)
			return field_error(r->err, rc, f->name, "a finite number");
		return 0;
	case NBPY_F_F64N:
		if (need(r, 1) == 0 && *r->p == 0xc0) {
			*(double *)p = NAN;
			r->p++;
			return 0;
		}
		if ((rc = read_f64(r, (double *)p)) < 0)
			return field_error(r->err, rc, f->name, "a finite number or nil");
		return 0;
	case NBPY_F_I64:
		if ((rc = read_i64(r, (int64_t *)p)) < 0)
			return field_error(r->err, rc, f->name, "a 64-bit integer");
		return 0;
	case NBPY_F_U64:
		if ((rc = read_int(r, &u, &neg)) < 0 || neg)
			return field_error(r->err, rc < 0 ? rc : READ_TYPE, f->name, "an unsigned integer");
		*(uint64_t *)p = u;
		return 0;
	case NBPY_F_RECV_DELTA:
		if ((rc = read_i64(r, &i)) < 0)
			return field_error(r->err, rc, f->name, "an integer");
		m->h.recv_ns = (int64_t)((uint64_t)m->h.event_ns + (uint64_t)i);
		return 0;
	case NBPY_F_CHAR:
		if ((rc = read_str(r, &s, &len)) < 0 || len != 1 || s[0] < 0x21 || s[0] > 0x7e)
			return field_error(r->err, rc == READ_TRUNC ? rc : READ_TYPE, f->name,
					   "one printable character");
		*p = s[0];
		return 0;
	case NBPY_F_LEVELS:
		return read_levels(r, f, (uint32_t *)p, (void *)((char *)m + f->size));
	default:
		return nbpy_error_set(r->err, "field '%s': type not allowed on the wire", f->name);
	}
}

INLINE int read_fields(struct reader *r, struct nbpy_msg *m, const struct nbpy_field *f, size_t n)
{
UNROLL
	for (size_t i = 0; i < n; i++)
		if (read_field(r, m, &f[i]) < 0)
			return -1;
	return 0;
}

typedef int decode_fn(struct reader *r, struct nbpy_msg *m);

/* ---- one encoder and one decoder per schema ---- */

/* Each schema of common/schemas.def with its body table (wire_fields.h). */
#define SCHEMA(id, ENUM, name, member, ctype, legacy_topic, title, sql_table, measurement, derive) \
	static int encode_##name(struct writer *w, const struct nbpy_msg *m, unsigned version, \
				 struct nbpy_error *err) \
	{ \
		return pack_message(w, m, version, name##_fields, N(name##_fields), err); \
	} \
	static int decode_##name(struct reader *r, struct nbpy_msg *m) \
	{ \
		return read_fields(r, m, wire_header_fields, N(wire_header_fields)) < 0 ? -1 : \
		       read_fields(r, m, name##_fields, N(name##_fields)); \
	}
#include "common/schemas.def"

/* The sequence announcement (wire.h): the header without a body. */
static int encode_announcement(struct writer *w, const struct nbpy_msg *m, unsigned version,
			       struct nbpy_error *err)
{
	return pack_message(w, m, version, NULL, 0, err);
}

static int decode_announcement(struct reader *r, struct nbpy_msg *m)
{
	return read_fields(r, m, wire_header_fields, N(wire_header_fields));
}

static const struct nbpy_schema_desc announcement = {
	NBPY_SCHEMA_ANNOUNCEMENT, "announcement", "", NULL, 0, NULL, 0, NULL, "sequence announcement", 1
};

static const struct {
	encode_fn *encode;
	decode_fn *decode;
} codecs[NBPY_SCHEMA_END] = {
	[NBPY_SCHEMA_ANNOUNCEMENT] = { encode_announcement, decode_announcement },
#define SCHEMA(id, ENUM, name, member, ctype, legacy_topic, title, sql_table, measurement, derive) \
	[id] = { encode_##name, decode_##name },
#include "common/schemas.def"
};

/* The start of a message: its array header, schema id and version, checked
 * (a known schema, its version, its element count); *s its schema.  -1 with
 * the reason in r->err. */
INLINE int read_head(struct reader *r, const struct nbpy_schema_desc **s)
{
	struct nbpy_error *err = r->err;
	uint32_t count;
	uint64_t schema, version;
	int neg, rc;
	size_t n;

	if ((rc = read_array(r, &count)) < 0) {
		if (rc == READ_TYPE)
			nbpy_error_set(err, "not an nbpy message (expected an array)");
		return -1;
	}
	if ((rc = read_int(r, &schema, &neg)) < 0 || neg || schema >= NBPY_SCHEMA_END ||
	    (*s = schema == NBPY_SCHEMA_ANNOUNCEMENT ? &announcement :
		  nbpy_schema_get((enum nbpy_schema)schema)) == NULL || codecs[(*s)->id].decode == NULL)
		return rc == READ_TRUNC ? -1 : nbpy_error_set(err, "unknown schema");
	if ((rc = read_int(r, &version, &neg)) < 0 || neg || version != (*s)->version)
		return rc == READ_TRUNC ? -1 : nbpy_error_set(err, "%s: unsupported version", (*s)->name);
	n = 2 + nbpy_n_header_fields + (*s)->n_fields;
	if (count != n)
		return nbpy_error_set(err, "%s: %u elements, expected %zu", (*s)->name, count, n);
	return 0;
}

int nbpy_wire_encode(const struct nbpy_msg *m, void *buf, size_t cap, size_t *len,
		     struct nbpy_error *err)
{
	struct writer w = { buf, (unsigned char *)buf + (cap < NBPY_WIRE_MAX ? cap : NBPY_WIRE_MAX) };

	if ((unsigned)m->h.schema >= NBPY_SCHEMA_END || codecs[m->h.schema].encode == NULL)
		return nbpy_error_set(err, "unknown schema %d", (int)m->h.schema);
	if (codecs[m->h.schema].encode(&w, m, m->h.schema == NBPY_SCHEMA_ANNOUNCEMENT ? announcement.version :
					   nbpy_schema_get(m->h.schema)->version, err) < 0)
		return -1;
	*len = (size_t)(w.p - (unsigned char *)buf);
	return 0;
}

int nbpy_wire_decode(const void *buf, size_t len, struct nbpy_msg *m, struct nbpy_error *err)
{
	size_t used;

	if (len > NBPY_WIRE_MAX)
		return nbpy_error_set(err, "payload of %zu bytes, at most %d", len, NBPY_WIRE_MAX);
	if (nbpy_wire_decode_next(buf, len, &used, m, err) < 0)
		return -1;
	if (used != len)
		return nbpy_error_set(err, "%zu trailing bytes", len - used);
	return 0;
}

int nbpy_wire_decode_next(const void *buf, size_t len, size_t *used, struct nbpy_msg *m,
			  struct nbpy_error *err)
{
	struct reader r = { buf, buf, (const unsigned char *)buf + (len < NBPY_WIRE_MAX ? len : NBPY_WIRE_MAX), err };
	const struct nbpy_schema_desc *s = NULL;

	if (read_head(&r, &s) < 0)
		return -1;
	m->h.schema = s->id;	/* the decoder sets every other header field */
	if (codecs[s->id].decode(&r, m) < 0)
		return -1;
	*used = (size_t)(r.p - r.start);
	nbpy_wire_derive(m);
	return 0;
}

int nbpy_wire_peek_sequence(const void *buf, size_t len, const char **service, size_t *service_len,
			    uint64_t *seq)
{
	struct nbpy_error err;
	struct reader r = { buf, buf, (const unsigned char *)buf + len, &err };
	uint32_t count;
	uint64_t schema, version;
	int neg;

	if (read_array(&r, &count) < 0 || read_int(&r, &schema, &neg) < 0 ||
	    read_int(&r, &version, &neg) < 0 || read_str(&r, service, service_len) < 0 ||
	    read_int(&r, seq, &neg) < 0 || neg)
		return -1;
	return 0;
}

/* Step over n MessagePack objects of the kinds an nbpy message holds (nil,
 * booleans, integers, floats, strings, arrays), arrays with what they hold:
 * one jump on the type byte each.  Every length is checked against the bytes
 * left before it is used; each object takes at least one byte, so this ends
 * within the buffer's length. */
static int skip_objects(struct reader *r, uint64_t n)
{
	const unsigned char *p = r->p, *end = r->end;
	int rc = 0;

	for (; n > 0; n--) {
		uint64_t size;	/* bytes after the type byte and its length bytes */
		int k = 0;	/* length bytes: strings and arrays */

		if (p == end)
			goto truncated;
		switch (*p) {
		case 0x00 ... 0x7f:	/* positive fixint */
		case 0xe0 ... 0xff:	/* negative fixint */
		case 0xc0:		/* nil */
		case 0xc2:
		case 0xc3:		/* false, true */
			size = 0;
			break;
		case 0xcb:
			size = 8;
			break;
		case 0xa0 ... 0xbf:	/* fixstr */
			size = *p & 0x1f;
			break;
		case 0x90 ... 0x9f:	/* fixarray: its elements join the count */
			n += *p & 0x0f;
			size = 0;
			break;
		case 0xca:
			size = 4;
			break;
		case 0xcc ... 0xcf:	/* uint 8..64 */
			size = 1u << (*p - 0xcc);
			break;
		case 0xd0 ... 0xd3:	/* int 8..64 */
			size = 1u << (*p - 0xd0);
			break;
		case 0xd9 ... 0xdb:	/* str 8, 16, 32 */
		case 0xdc ... 0xdd:	/* array 16, 32 */
			k = *p <= 0xdb ? 1 << (*p - 0xd9) : *p == 0xdc ? 2 : 4;
			if (end - p < 1 + k)
				goto truncated;
			size = big_endian(p + 1, k);
			if (*p >= 0xdc) {
				n += size;
				size = 0;
			}
			break;
		default:	/* bin, ext, map, float forms nbpy does not write */
			rc = READ_TYPE;
			goto out;
		}
		if ((uint64_t)(end - p) < 1 + (uint64_t)k + size)
			goto truncated;
		p += 1 + (size_t)k + (size_t)size;
	}
	goto out;
truncated:
	nbpy_error_set(r->err, "truncated at byte %zu", (size_t)(p - r->start));
	rc = READ_TRUNC;
out:
	r->p = p;
	return rc;
}

int nbpy_wire_peek_next(const void *buf, size_t len, enum nbpy_schema *schema, size_t *used,
			struct nbpy_error *err)
{
	struct reader r = { buf, buf, (const unsigned char *)buf + (len < NBPY_WIRE_MAX ? len : NBPY_WIRE_MAX), err };
	const struct nbpy_schema_desc *s = NULL;
	int rc;

	if (read_head(&r, &s) < 0)
		return -1;
	if ((rc = skip_objects(&r, nbpy_n_header_fields + s->n_fields)) < 0)
		return rc == READ_TRUNC ? -1 : nbpy_error_set(err, "%s: not a MessagePack form nbpy uses at byte %zu",
							      s->name, (size_t)(r.p - r.start));
	*schema = s->id;
	*used = (size_t)(r.p - r.start);
	return 0;
}
