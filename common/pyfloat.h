/* pyfloat.h - Python-compatible number text for the legacy wire format.
 *
 * The original services published numbers as Python str(float): the shortest
 * text that reads back as the same double, in fixed notation for decimal
 * exponents -4..15 and scientific ("5e-05", "1e+16") outside.  Reproducing it
 * lets unmodified Python subscribers see byte-identical frames. */
#ifndef NBPY_PYFLOAT_H
#define NBPY_PYFLOAT_H

#include <float.h>
#include <math.h>
#include <stddef.h>

/* Longest output: "-1.2345678901234567e-308" plus NUL. */
#define NBPY_PYFLOAT_MAX 32

/* Write repr(x) into buf (cap >= NBPY_PYFLOAT_MAX); returns its length. */
size_t nbpy_pyfloat_format(double x, char *buf, size_t cap);

/* Python's round(x, ndigits) for 0 <= ndigits <= 17: correctly rounded from
 * the exact binary value, ties to even.  The common case is inline (every
 * decoded EURUSD message derives three spreads with it); values that may sit
 * on a decimal tie, or too large for the fast path, take
 * nbpy_pyfloat_round_exact. */
double nbpy_pyfloat_round_exact(double x, int ndigits);

/* 10^0 .. 10^17, each exact in a double */
extern const double nbpy_pow10[18];

/* Round to the nearest integer, ties to even, for |y| < 2^52: adding 2^52
 * leaves no fraction bits, so the FPU's default rounding does the work (and
 * needs no libm call). */
static inline double nbpy_round_even(double y)
{
	return y < 0 ? -((-y + 0x1p52) - 0x1p52) : (y + 0x1p52) - 0x1p52;
}

static inline double nbpy_pyfloat_round(double x, int ndigits)
{
	double y, r;

	if (!isfinite(x) || ndigits < 0 || ndigits > 17)
		return x;
	/* y = x * 10^n carries at most half an ulp of error, so unless the
	 * exact product could sit on a .5 tie, rounding y to even gives the
	 * integer Python picks, and dividing by the exact 10^n rounds as strtod
	 * of the decimal text does. */
	y = x * nbpy_pow10[ndigits];
	if (fabs(y) >= 0x1p52)
		return nbpy_pyfloat_round_exact(x, ndigits);
	r = nbpy_round_even(y);
	/* |y - r| is at most 0.5; near 0.5 it may be a tie */
	if (0.5 - fabs(y - r) > 8 * DBL_EPSILON * fabs(y) + DBL_MIN)
		return r / nbpy_pow10[ndigits];
	return nbpy_pyfloat_round_exact(x, ndigits);
}

/* Parse a whole field as a finite double (strtod syntax, no trailing junk). */
int nbpy_parse_double(const char *s, size_t len, double *out);

/* Parse a whole field as a signed 64-bit decimal integer. */
int nbpy_parse_int64(const char *s, size_t len, long long *out);

#endif
