/* text.c - see text.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"

bool nbpy_utf8_valid_from(const unsigned char *p, const unsigned char *end)
{
	while (p < end) {
		unsigned c = *p++;
		unsigned need, min;
		uint32_t cp;

		if (c == 0)
			return false;
		if (c < 0x80)
			continue;
		if ((c & 0xe0) == 0xc0) {
			need = 1; min = 0x80; cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			need = 2; min = 0x800; cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			need = 3; min = 0x10000; cp = c & 0x07;
		} else {
			return false;
		}
		if ((size_t)(end - p) < need)
			return false;
		for (unsigned i = 0; i < need; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		p += need;
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
	}
	return true;
}

double nbpy_strtod(const char *s, char **end)
{
	static const double pow10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
					1e13, 1e14, 1e15 };
	const char *p = s;
	uint64_t m = 0;
	int digits = 0, frac = -1;	/* digits after the '.', -1: none seen */

	for (;; p++) {
		if (*p >= '0' && *p <= '9') {
			if (++digits > 15)
				return strtod(s, end);
			m = m * 10 + (uint64_t)(*p - '0');
			frac += frac >= 0;
		} else if (*p == '.' && frac < 0) {
			frac = 0;
		} else {
			break;
		}
	}
	/* a sign, an exponent, hex, "5.", inf, nan...: strtod's own */
	if (digits == 0 || frac == 0 || *p == 'e' || *p == 'E' || *p == 'x' || *p == 'X')
		return strtod(s, end);
	if (end != NULL)
		*end = (char *)p;
	return (double)m / pow10[frac < 0 ? 0 : frac];
}

unsigned nbpy_edit_distance(const char *a, const char *b)
{
	unsigned row[64];
	size_t la = strlen(a), lb = strlen(b);

	if (la >= 64 || lb >= 64)
		return 255;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned diag = row[0];

		row[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned up = row[j];
			unsigned best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb] > 255 ? 255 : row[lb];
}

const char *nbpy_closest(const char *word, const char *const *candidates, size_t n)
{
	const char *best = NULL;
	unsigned best_d = 255, limit = (unsigned)strlen(word) / 3;

	if (limit < 2)
		limit = 2;
	for (size_t i = 0; i < n; i++) {
		unsigned d = nbpy_edit_distance(word, candidates[i]);

		if (d < best_d) {
			best_d = d;
			best = candidates[i];
		}
	}
	return best_d <= limit ? best : NULL;
}
