/* text.h - small string checks shared by the codec and the config parser. */
#ifndef NBPY_TEXT_H
#define NBPY_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Whether s (n bytes) is a service's name as nbpy.conf(5) allows it in a
 * section header: 1 to NBPY_SERVICE_MAX (wire.h) letters, digits, '_', '.'
 * or '-'. */
bool nbpy_service_name_valid(const char *s, size_t n);

/* v in decimal at p (at most NBPY_I64_MAX characters, no NUL), its
 * length: what "%" PRId64 writes, without printf's cost per call. */
#define NBPY_I64_MAX 20
size_t nbpy_put_i64(char *p, int64_t v);

/* Copy src into dst (cap bytes), cut to fit and always terminated, as
 * snprintf(dst, cap, "%s", src) does without the format's cost; false if
 * it was cut. */
static inline bool nbpy_copy(char *dst, size_t cap, const char *src)
{
	size_t n = strnlen(src, cap);

	if (cap == 0)
		return false;
	if (n == cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return src[n] == '\0';
}

/* The rest of nbpy_utf8_valid: [p, end) from the first byte that is not
 * plain ASCII, fully checked. */
bool nbpy_utf8_valid_from(const unsigned char *p, const unsigned char *end);

/* Well-formed UTF-8 (no overlongs, no surrogates) without NUL bytes.
 * Inline for the common case, names that are ASCII: eight bytes at a time,
 * no byte with the high bit set and no zero byte. */
static inline bool nbpy_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (end - p >= 8) {
		uint64_t v;

		memcpy(&v, p, sizeof(v));
		if ((v & 0x8080808080808080ULL) ||
		    ((v - 0x0101010101010101ULL) & ~v & 0x8080808080808080ULL))
			break;
		p += 8;
	}
	while (p < end && (unsigned)(*p - 1) < 0x7f)
		p++;
	return p == end || nbpy_utf8_valid_from(p, end);
}

/* The decimal m / 10^frac of at most 15 digits (m < 10^15, frac 0 to 15):
 * both are exact doubles and one IEEE division rounds correctly, as glibc's
 * strtod does.  The fast path of nbpy_strtod and of json_scan's numbers. */
static inline double nbpy_decimal15(uint64_t m, int frac)
{
	static const double pow10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
					1e13, 1e14, 1e15 };

	return (double)m / pow10[frac];
}

/* strtod, the same to the bit and the end, with a fast path for plain
 * decimals ("1.08013": at most 15 digits, no sign or exponent,
 * nbpy_decimal15).  The C locale's '.'. */
double nbpy_strtod(const char *s, char **end);

/* The text snprintf's "%.17g" gives for x (at most 24 characters and a NUL
 * into buf, which has NBPY_DTOA17_MAX bytes), its length; exact integer
 * arithmetic for 1e-6 <= |x| < 2^53 (and 0), snprintf itself otherwise.
 * Many times faster than snprintf for the numbers it computes. */
#define NBPY_DTOA17_MAX 32
size_t nbpy_dtoa17(double x, char *buf);

/* Levenshtein distance, capped at 255 (enough to rank suggestions). */
unsigned nbpy_edit_distance(const char *a, const char *b);

/* The candidate closest to word, or NULL when none is close enough to be a
 * plausible typo (distance <= max(2, strlen(word) / 3)). */
const char *nbpy_closest(const char *word, const char *const *candidates, size_t n);

#endif
