/* line_protocol.h - InfluxDB line protocol for nbpy messages: the original
 * services' measurements, tags and fields per schema (docs/sinks.md has the
 * mapping), exact escaping, and the message's event time as the point time.
 * sink.influxdb and sink.kapacitor write what this produces. */
#ifndef NBPY_SINK_LINE_PROTOCOL_H
#define NBPY_SINK_LINE_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#include "common/wire.h"

/* A growable text buffer. */
struct lp_buf {
	char *p;
	size_t len, cap;
	int oom;		/* an allocation failed: the content is incomplete */
};

enum lp_precision { LP_NS, LP_US, LP_MS, LP_S };

/* "ns" | "us" | "ms" | "s" */
enum lp_precision lp_precision_parse(const char *s);

/* Append m's points (one per message; one per order-book tier) to b, each
 * ending in '\n'.  Returns how many, 0 for a schema without a mapping. */
size_t lp_append(struct lp_buf *b, const struct nbpy_msg *m, enum lp_precision prec);

/* Kraken pair name -> base and term currency, "" when no rule matches
 * (reference 5.1, with its order bugs fixed). */
void lp_base_term(const char *pair, char base[8], char term[8]);

/* Append n bytes of s (kept NUL-terminated); on failure b->oom is set. */
void lp_buf_put(struct lp_buf *b, const char *s, size_t n);
void lp_buf_free(struct lp_buf *b);

#endif
