/* wire.h - the messages nbpy services exchange, and their two encodings.
 *
 * Every message is a struct nbpy_msg: a header (schema, publishing service,
 * per-publisher sequence number, event and receive times in ns) and one body
 * per schema.  Each schema is described once, in common/schemas.def: the
 * enum and structs below, the field tables of wire_fields.h that the
 * MessagePack codec (wire_msgpack.c, unrolled per schema at compile time) and
 * the legacy text codec of the original Python services (wire_legacy.c) walk,
 * the descriptors of wire_schema.c and the stores' mappings all come from it.
 * docs/wire-format.md is the contract for other languages. */
#ifndef NBPY_WIRE_H
#define NBPY_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define NBPY_WIRE_MAX 4096		/* largest MessagePack payload accepted */
#define NBPY_LEGACY_MAX 8192		/* largest legacy frame, topic included */
#define NBPY_TOPIC_MAX 63
#define NBPY_SERVICE_MAX 63
#define NBPY_INSTRUMENT_MAX 31
#define NBPY_BOOK_LEVELS_MAX 32
#define NBPY_TEXT_MAX 1120		/* 280 characters of 4-byte UTF-8 */

/* The schema ids, from common/schemas.def. */
enum nbpy_schema {
	NBPY_SCHEMA_NONE = 0,		/* not (yet) a defined schema */
	NBPY_SCHEMA_ANNOUNCEMENT = 0,	/* on the wire: a sequence announcement, below */
#define SCHEMA(id, ENUM, name, member, ctype, legacy_topic, title, sql_table, measurement, derive) \
	NBPY_SCHEMA_##ENUM = id,
#include "common/schemas.def"
	NBPY_SCHEMA_END
};

struct nbpy_book_level {
	double price;
	double volume;
	int64_t time_ns;
};

/* One struct per schema, struct nbpy_<ctype>, its members as
 * common/schemas.def lists them (the doc strings there say what they
 * hold).  Times are in the header (event_ns, recv_ns). */
#define NBPY_MEMBER_STR(field, size) char field[size];
#define NBPY_MEMBER_F64(field, size) double field;
#define NBPY_MEMBER_F64N(field, size) double field;
#define NBPY_MEMBER_I64(field, size) int64_t field;
#define NBPY_MEMBER_CHR(field, size) char field;
#define NBPY_MEMBER_LEVELS(field, size) \
	uint32_t n_##field; struct nbpy_book_level field[NBPY_BOOK_LEVELS_MAX];
#define SCHEMA(id, ENUM, name, member, ctype, legacy_topic, title, sql_table, measurement, derive) \
	struct nbpy_##ctype {
#define FIELD(member, field, TYPE, size, name, WHERE, doc, sql_column) NBPY_MEMBER_##TYPE(field, size)
#define END_SCHEMA };
#include "common/schemas.def"

struct nbpy_msg_header {
	enum nbpy_schema schema;
	char service[NBPY_SERVICE_MAX + 1];
	uint64_t seq;
	int64_t event_ns;	/* when it happened at the source */
	int64_t recv_ns;	/* when nbpy received it from the source */
};

struct nbpy_msg {
	struct nbpy_msg_header h;
	union {
#define SCHEMA(id, ENUM, name, member, ctype, legacy_topic, title, sql_table, measurement, derive) \
	struct nbpy_##ctype member;
#include "common/schemas.def"
	} u;
};

/* ---- schema descriptions (wire_schema.c) ---- */

enum nbpy_field_type {
	NBPY_F_STR,		/* char[size], UTF-8, no NUL */
	NBPY_F_F64,		/* finite double */
	NBPY_F_F64N,		/* double, NaN = undefined: nil on the wire */
	NBPY_F_I64,
	NBPY_F_U64,
	NBPY_F_CHAR,		/* one printable ASCII character */
	NBPY_F_LEVELS,		/* book side: uint32 count at offset, levels at aux */
	NBPY_F_RECV_DELTA,	/* h.recv_ns, sent as recv_ns - event_ns */
	/* legacy text only: renderings of the header times */
	NBPY_F_TIME_RFC3339,	/* h.event_ns as 2018-09-27T20:19:03.817645123Z */
	NBPY_F_RECV_RFC3339,	/* h.recv_ns likewise */
	NBPY_F_LAG_SECONDS,	/* (recv_ns - event_ns) / 1e9, Python float text */
	NBPY_F_TIME_SECONDS,	/* h.event_ns as seconds with 9 decimals */
	NBPY_F_TIME_MS,		/* h.event_ns as integer milliseconds */
	NBPY_F_TIME_ISO,	/* h.event_ns as 2018-09-27T20:19:03 (UTC) */
};

struct nbpy_field {
	const char *name;
	enum nbpy_field_type type;
	size_t offset;		/* from the start of struct nbpy_msg */
	size_t size;		/* STR: buffer size; LEVELS: offset of the levels */
	const char *unit;	/* unit or meaning, for docs and tools */
	bool derived;		/* computed by the decoder, not on the wire */
};

struct nbpy_schema_desc {
	enum nbpy_schema id;
	const char *name;		/* "eurusd_tick" */
	const char *legacy_topic;	/* the original's topic, "" if none */
	const struct nbpy_field *fields;	/* MessagePack body, in order */
	size_t n_fields;
	const struct nbpy_field *legacy;	/* legacy SOH fields, in order */
	size_t n_legacy;		/* 0: the body is Kraken Depth JSON */
	void (*derive)(struct nbpy_msg *m);
	const char *title;		/* one line, for the docs */
	unsigned version;		/* its layout on the wire (SCHEMA_VERSION) */
};

/* The MessagePack header fields after schema and version. */
extern const struct nbpy_field *const nbpy_header_fields;
extern const size_t nbpy_n_header_fields;

const struct nbpy_schema_desc *nbpy_schema_get(enum nbpy_schema id);
const struct nbpy_schema_desc *nbpy_schema_by_name(const char *name);
const struct nbpy_schema_desc *nbpy_schema_by_legacy_topic(const char *topic);

/* Compute the derived fields of m (no-op for schemas without any). */
void nbpy_wire_derive(struct nbpy_msg *m);

/* ---- JSON view of one field (wire_json.c), NULL for legacy-only types and an
 * undefined F64N (json-c adds NULL to an object as null) ---- */

struct json_object;
struct json_object *nbpy_wire_field_json(const struct nbpy_msg *m, const struct nbpy_field *f);

/* ---- MessagePack (wire_msgpack.c) ---- */

/* Encode m into buf; on success *len is the payload size.  Fails on values
 * that must not travel: non-finite numbers, invalid UTF-8, oversize. */
int nbpy_wire_encode(const struct nbpy_msg *m, void *buf, size_t cap, size_t *len,
		     struct nbpy_error *err);

/* Decode one payload.  Never trusts the input: any malformed, truncated,
 * oversized or wrongly typed payload is an error with a reason. */
int nbpy_wire_decode(const void *buf, size_t len, struct nbpy_msg *m, struct nbpy_error *err);

/* Decode the message at the start of buf (a batch frame holds several back
 * to back) and say how many bytes it took. */
int nbpy_wire_decode_next(const void *buf, size_t len, size_t *used, struct nbpy_msg *m,
			  struct nbpy_error *err);

#define NBPY_BATCH_MAX 64	/* messages in one batch frame */

/* A sequence announcement is schema id 0 with the header alone:
 *   [0, 1, service, seq, event_ns, 0]
 * Every MessagePack publisher sends one periodically on each topic it
 * publishes, seq being the last sequence number service published there, so
 * that subscribers count what they lost after the last message they received
 * (docs/wire-format.md).  nbpy_wire_encode and the decoders handle it like a
 * schema of that id without a body: h.schema is NBPY_SCHEMA_ANNOUNCEMENT. */

/* The service and sequence number of an encoded message, read from its
 * header without decoding the rest; -1 if it does not start like one. */
int nbpy_wire_peek_sequence(const void *buf, size_t len, const char **service, size_t *service_len,
			    uint64_t *seq);

/* The schema of the encoded message at the start of buf (a batch frame holds
 * several back to back) and how many bytes it takes, without decoding it:
 * its schema, version and element count are checked as nbpy_wire_decode_next
 * checks them, its fields are only stepped over (any of the MessagePack forms
 * nbpy writes, bounds-checked), not checked against the schema.  For a reader
 * that wants a few schemas out of a stream of many (bench/trading's `sub`):
 * decode the ones it wants with nbpy_wire_decode_next.  0, or -1 with the
 * reason in err. */
int nbpy_wire_peek_next(const void *buf, size_t len, enum nbpy_schema *schema, size_t *used,
			struct nbpy_error *err);

/* ---- legacy text (wire_legacy.c) ---- */

/* Encode "<topic> <f1>\x01<f2>..." (or "<topic> <Kraken Depth JSON>" for
 * the book).  topic NULL means the schema's original topic. */
int nbpy_legacy_encode(const struct nbpy_msg *m, const char *topic, char *buf, size_t cap,
		       size_t *len, struct nbpy_error *err);

/* Decode a legacy frame of the given schema the way the originals parsed it:
 * split at the first space, then at SOH.  The topic is copied to topic (may
 * be NULL).  Header fields the frame lacks are left 0. */
int nbpy_legacy_decode(const char *frame, size_t len, enum nbpy_schema schema,
		       struct nbpy_msg *m, char *topic, size_t topic_cap, struct nbpy_error *err);

#endif
