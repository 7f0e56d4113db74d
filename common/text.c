/* text.c - see text.h. */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "common/wire.h"

size_t nbpy_put_i64(char *p, int64_t v)
{
	char d[20];
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
	size_t n = 0, len = 0;

	do
		d[n++] = (char)('0' + u % 10);
	while ((u /= 10) > 0);
	if (v < 0)
		p[len++] = '-';
	while (n > 0)
		p[len++] = d[--n];
	return len;
}

bool nbpy_service_name_valid(const char *s, size_t n)
{
	if (n == 0 || n > NBPY_SERVICE_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("_.-", s[i]) == NULL)
			return false;
	return true;
}

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
	return nbpy_decimal15(m, frac < 0 ? 0 : frac);
}

#ifdef __SIZEOF_INT128__
/* x = m 2^e (2^52 <= m < 2^53, -127 <= e <= 0) to 17 significant digits:
 * q in [1e16, 1e17) and x ~ q 10^(exp10 - 16), q the exact m 10^k / 2^-e
 * rounded half to even as printf does (m 10^k < 2^53 10^22 < 2^127: no
 * overflow).  -1 when k would leave 0..22. */
static int digits17(uint64_t m, int e, uint64_t *q, int *exp10)
{
	static const uint64_t P10[20] = { 1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
		10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL,
		1000000000000ULL, 10000000000000ULL, 100000000000000ULL, 1000000000000000ULL,
		10000000000000000ULL, 100000000000000000ULL, 1000000000000000000ULL,
		10000000000000000000ULL };
	unsigned __int128 v, rem, half;
	/* log10(x) is within one of (e + 52) log10(2): adjusted below */
	int k = 16 - (int)floor((e + 52) * 0.30102999566398120);

	for (int tries = 0; tries < 3; tries++) {
		if (k < 0 || k > 22)
			return -1;
		v = (unsigned __int128)m * P10[k < 19 ? k : 19] * (k < 19 ? 1 : P10[k - 19]);
		if ((v >> -e) >= P10[17]) {
			k--;
			continue;
		}
		*q = (uint64_t)(v >> -e);
		if (*q < P10[16]) {
			k++;
			continue;
		}
		rem = v - ((v >> -e) << -e);
		half = e == 0 ? 1 : (unsigned __int128)1 << (-e - 1);
		if (e != 0 && (rem > half || (rem == half && (*q & 1))))
			++*q;
		if (*q == P10[17]) {	/* 99999999999999999.5 up: one digit more */
			*q = P10[16];
			k--;
		}
		*exp10 = 16 - k;
		return 0;
	}
	return -1;
}
#endif

size_t nbpy_dtoa17(double x, char *buf)
{
#ifdef __SIZEOF_INT128__
	double a = fabs(x);
	char d[17];
	uint64_t bits, q, hi, lo;
	int exp10, nd, i;
	size_t n = 0;

	memcpy(&bits, &a, sizeof(bits));
	/* a normal double: m the 53-bit significand, x = m 2^(biased - 1075) */
	if (a >= 1e-6 && a < 9007199254740992.0 &&
	    digits17((bits & 0xfffffffffffffULL) | (1ULL << 52), (int)(bits >> 52) - 1075, &q, &exp10) == 0) {
		hi = q / 100000000;	/* two independent chains of digits */
		lo = q % 100000000;
		for (i = 8; i >= 0; i--, hi /= 10)
			d[i] = (char)('0' + hi % 10);
		for (i = 16; i >= 9; i--, lo /= 10)
			d[i] = (char)('0' + lo % 10);
		for (nd = 17; nd > 1 && d[nd - 1] == '0'; nd--)
			;	/* %g drops trailing zeros */
		if (x < 0)
			buf[n++] = '-';
		if (exp10 < -4) {	/* 1.2345e-05; 1e-6 <= a: exp10 >= -6 */
			buf[n++] = d[0];
			if (nd > 1)
				buf[n++] = '.';
			for (i = 1; i < nd; i++)
				buf[n++] = d[i];
			buf[n++] = 'e';
			buf[n++] = '-';
			buf[n++] = '0';
			buf[n++] = (char)('0' - exp10);
		} else if (exp10 < 0) {	/* 0.000123 */
			buf[n++] = '0';
			buf[n++] = '.';
			for (i = exp10 + 1; i < 0; i++)
				buf[n++] = '0';
			for (i = 0; i < nd; i++)
				buf[n++] = d[i];
		} else {		/* 123.45; a < 2^53: exp10 <= 15 */
			for (i = 0; i <= exp10; i++)
				buf[n++] = d[i];
			if (nd > exp10 + 1)
				buf[n++] = '.';
			for (i = exp10 + 1; i < nd; i++)
				buf[n++] = d[i];
		}
		buf[n] = '\0';
		return n;
	}
	if (x == 0) {
		n = signbit(x) ? 2 : 1;
		memcpy(buf, signbit(x) ? "-0" : "0", n + 1);
		return n;
	}
#endif
	return (size_t)snprintf(buf, NBPY_DTOA17_MAX, "%.17g", x);
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
