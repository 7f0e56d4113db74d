/* wire_fields.h - the field tables of every schema, from common/schemas.def:
 * the MessagePack header and body fields, and the legacy SOH field orders.
 *
 * The MessagePack layout is a positional array:
 *   [schema, version, service, seq, event_ns, recv_ns - event_ns, body...]
 * with the body fields (schemas.def's W and WL fields) in the order listed.
 * The legacy lists give the original Python services' SOH-separated field
 * order (reference section 3): the WL and derived (D) fields with the
 * header-time renderings (LTIME) where schemas.def places them.  Adding a
 * field means a new version.
 *
 * A header of static tables rather than a .c file, so that wire_msgpack.c
 * sees them as compile-time constants and unrolls its encoder and decoder
 * per schema; wire_schema.c builds the descriptors that everything else
 * reads.  Include it from those two files only. */
#ifndef NBPY_WIRE_FIELDS_H
#define NBPY_WIRE_FIELDS_H

#include <stddef.h>

#include "common/wire.h"

#define WF_ENTRY(name, type, member, size, unit, derived) \
	{ name, type, offsetof(struct nbpy_msg, member), size, unit, derived },
#define WF_SIZE(member) sizeof(((struct nbpy_msg *)0)->member)
#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct nbpy_field wire_header_fields[] = {
	WF_ENTRY("service", NBPY_F_STR, h.service, WF_SIZE(h.service), "UTF-8", false)
	WF_ENTRY("seq", NBPY_F_U64, h.seq, 0, "count", false)
	WF_ENTRY("event_ns", NBPY_F_I64, h.event_ns, 0, "ns since epoch", false)
	WF_ENTRY("recv_delta_ns", NBPY_F_RECV_DELTA, h.recv_ns, 0, "ns, recv - event", false)
};

/* One schemas.def field as a table entry, by type. */
#define WF_STR(m, f, name, doc, d) WF_ENTRY(name, NBPY_F_STR, u.m.f, WF_SIZE(u.m.f), doc, d)
#define WF_F64(m, f, name, doc, d) WF_ENTRY(name, NBPY_F_F64, u.m.f, 0, doc, d)
#define WF_F64N(m, f, name, doc, d) WF_ENTRY(name, NBPY_F_F64N, u.m.f, 0, doc, d)
#define WF_I64(m, f, name, doc, d) WF_ENTRY(name, NBPY_F_I64, u.m.f, 0, doc, d)
#define WF_CHR(m, f, name, doc, d) WF_ENTRY(name, NBPY_F_CHAR, u.m.f, 0, doc, d)
#define WF_LEVELS(m, f, name, doc, d) \
	WF_ENTRY(name, NBPY_F_LEVELS, u.m.n_##f, offsetof(struct nbpy_msg, u.m.f), doc, d)
/* Which fields each encoding carries, by WHERE. */
#define WF_WIRE_WL(TYPE, m, f, name, doc) WF_##TYPE(m, f, name, doc, false)
#define WF_WIRE_W(TYPE, m, f, name, doc) WF_##TYPE(m, f, name, doc, false)
#define WF_WIRE_D(TYPE, m, f, name, doc)
#define WF_LEGACY_WL(TYPE, m, f, name, doc) WF_##TYPE(m, f, name, doc, false)
#define WF_LEGACY_W(TYPE, m, f, name, doc)
#define WF_LEGACY_D(TYPE, m, f, name, doc) WF_##TYPE(m, f, name, doc, true)
/* The header time each legacy rendering shows. */
#define WF_TIME_RFC3339 h.event_ns
#define WF_RECV_RFC3339 h.recv_ns
#define WF_LAG_SECONDS h.recv_ns
#define WF_TIME_SECONDS h.event_ns
#define WF_TIME_MS h.event_ns
#define WF_TIME_ISO h.event_ns

/* <name>_fields: the MessagePack body of each schema. */
#define SCHEMA(id, ENUM, name, member, ctype, legacy_topic, title, sql_table, measurement, derive) \
	static const struct nbpy_field name##_fields[] = {
#define FIELD(m, f, TYPE, size, name, WHERE, doc, sql_column) WF_WIRE_##WHERE(TYPE, m, f, name, doc)
#define END_SCHEMA };
#include "common/schemas.def"

/* <name>_legacy: the legacy SOH fields of each schema. */
#define SCHEMA(id, ENUM, name, member, ctype, legacy_topic, title, sql_table, measurement, derive) \
	static const struct nbpy_field name##_legacy[] = {
#define FIELD(m, f, TYPE, size, name, WHERE, doc, sql_column) WF_LEGACY_##WHERE(TYPE, m, f, name, doc)
#define LTIME(TYPE, name, doc) WF_ENTRY(name, NBPY_F_##TYPE, WF_##TYPE, 0, doc, false)
#define END_SCHEMA };
#include "common/schemas.def"

/* <name>_n_levels: how many book sides a schema has; a schema with any
 * travels in legacy text as the Kraken Depth JSON. */
#define WF_IS_LEVELS_STR 0
#define WF_IS_LEVELS_F64 0
#define WF_IS_LEVELS_F64N 0
#define WF_IS_LEVELS_I64 0
#define WF_IS_LEVELS_CHR 0
#define WF_IS_LEVELS_LEVELS 1
#define SCHEMA(id, ENUM, name, member, ctype, legacy_topic, title, sql_table, measurement, derive) \
	enum { name##_n_levels = 0
#define FIELD(m, f, TYPE, size, name, WHERE, doc, sql_column) + WF_IS_LEVELS_##TYPE
#define END_SCHEMA };
#include "common/schemas.def"

#endif
