/* line_protocol.h - InfluxDB line protocol for nbpy messages: the original
 * services' measurements, tags and fields per schema (common/schemas.def;
 * docs/sinks.md has the mapping), exact escaping, and the message's event
 * time as the point time.  sink.influxdb and sink.kapacitor write what
 * this produces. */
#ifndef NBPY_SINK_LINE_PROTOCOL_H
#define NBPY_SINK_LINE_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/wire.h"

enum lp_precision { LP_NS, LP_US, LP_MS, LP_S };

/* Append m's points (one per message; one per order-book tier) to b, each
 * ending in '\n'.  Returns how many: 0 for an empty book, or for an id that
 * is no schema (every schema has a measurement: test_sink_format checks). */
size_t lp_append(struct nbpy_buf *b, const struct nbpy_msg *m, enum lp_precision prec);

/* The measurement of a schema's points; NULL for an id that is no schema. */
const char *lp_measurement(enum nbpy_schema schema);

/* The i-th tag or field of a schema's points, in the order written, for
 * docs and tests: its key, whether it is a tag, how it is written ("" for
 * a plain tag or float field) and its constant value (NULL if none).  0 past
 * the last one. */
struct lp_key {
	const char *key;
	bool tag;
	const char *note;
	const char *value;
};
int lp_key(enum nbpy_schema schema, size_t i, struct lp_key *out);

/* Kraken pair name -> base and term currency, "" when no rule matches
 * (reference 5.1, with its order bugs fixed). */
void lp_base_term(const char *pair, char base[8], char term[8]);

#endif
