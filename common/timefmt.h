/* timefmt.h - nanosecond clocks and RFC 3339 text for message timestamps. */
#ifndef NBPY_TIMEFMT_H
#define NBPY_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#define NBPY_NS_PER_SEC 1000000000LL
/* "2018-09-27T20:19:03.817645123Z" plus NUL, with room for 5-digit years. */
#define NBPY_RFC3339_MAX 40

/* CLOCK_REALTIME in ns since the Unix epoch. */
int64_t nbpy_now_ns(void);

/* CLOCK_MONOTONIC in ns, for intervals. */
int64_t nbpy_monotonic_ns(void);

/* "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" (OANDA v20 style); returns the length or 0. */
size_t nbpy_rfc3339_format(int64_t ns, char *buf, size_t cap);

/* Parse RFC 3339 with an optional fraction (up to 9 digits) and Z or +hh:mm. */
int nbpy_rfc3339_parse(const char *s, size_t len, int64_t *ns);

#endif
