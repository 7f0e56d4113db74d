/* pyfloat.c - see pyfloat.h. */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/pyfloat.h"

const double nbpy_pow10[18] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
	1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
};

/* Shortest round-tripping digits of |x| > 0: fills digits (no dot) and the
 * decimal exponent of the first digit. */
static int shortest_digits(double x, char *digits, int *exp10)
{
	char tmp[40];
	int n = 0;

	for (int prec = 1; prec <= 17; prec++) {
		(void)snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, x);
		if (strtod(tmp, NULL) == x)
			break;
	}
	/* tmp is "d.ddde[+-]XX" or "de[+-]XX". */
	for (const char *p = tmp; *p != 'e'; p++)
		if (*p != '.')
			digits[n++] = *p;
	while (n > 1 && digits[n - 1] == '0')
		n--;
	digits[n] = '\0';
	*exp10 = atoi(strchr(tmp, 'e') + 1);
	return n;
}

/* Fast path for 1e-4 <= |x| < 1e15, where Python uses fixed notation: the
 * fewest decimals d whose nearest integer r = x * 10^d reads back as x.
 * Any d-decimal text that reads back as x lies within half an ulp of it, so
 * it is that nearest integer; a candidate is exact when r / 10^d == x
 * (both operands exact, one correctly rounded division, as strtod does).
 * Returns 0 when the slow path must decide. */
static size_t fast_fixed(double ax, char *out)
{
	for (int d = 0; d <= 17; d++) {
		double y = ax * nbpy_pow10[d], r;
		unsigned long long ir;
		char digits[24];
		int n, len = 0;

		if (y >= 0x1p49)
			return 0;
		r = nbpy_round_even(y);
		if (fabs(y - r) > 4 * DBL_EPSILON * y || r / nbpy_pow10[d] != ax)
			continue;
		/* at least d + 1 digits, so there is an integer part */
		ir = (unsigned long long)r;
		n = 0;
		do {
			digits[n++] = (char)('0' + ir % 10);
			ir /= 10;
		} while (ir > 0 || n <= d);
		for (int i = 0; i < n / 2; i++) {
			char t = digits[i];

			digits[i] = digits[n - 1 - i];
			digits[n - 1 - i] = t;
		}
		memcpy(out, digits, (size_t)(n - d));
		len = n - d;
		out[len++] = '.';
		if (d == 0) {
			out[len++] = '0';
		} else {
			memcpy(out + len, digits + n - d, (size_t)d);
			len += d;
		}
		out[len] = '\0';
		return (size_t)len;
	}
	return 0;
}

static size_t copy_out(char *buf, size_t cap, const char *out, int len)
{
	if (cap == 0)
		return 0;
	if ((size_t)len >= cap)
		len = (int)cap - 1;
	memcpy(buf, out, (size_t)len);
	buf[len] = '\0';
	return (size_t)len;
}

size_t nbpy_pyfloat_format(double x, char *buf, size_t cap)
{
	char digits[24], out[NBPY_PYFLOAT_MAX];
	int nd, e, len = 0;

	if (isnan(x))
		return (size_t)snprintf(buf, cap, "nan");
	if (isinf(x))
		return (size_t)snprintf(buf, cap, x < 0 ? "-inf" : "inf");
	if (signbit(x))
		out[len++] = '-';
	x = fabs(x);
	if (x == 0.0)
		return (size_t)snprintf(buf, cap, "%s0.0", len ? "-" : "");

	if (x >= 1e-4 && x < 1e15) {
		size_t n = fast_fixed(x, out + len);

		if (n > 0) {
			len += (int)n;
			return copy_out(buf, cap, out, len);
		}
	}
	nd = shortest_digits(x, digits, &e);
	if (e < -4 || e >= 16) {
		/* d[.ddd]e±XX, at least two exponent digits, like Python. */
		out[len++] = digits[0];
		if (nd > 1) {
			out[len++] = '.';
			memcpy(out + len, digits + 1, (size_t)nd - 1);
			len += nd - 1;
		}
		len += snprintf(out + len, sizeof(out) - (size_t)len, "e%c%02d",
				e < 0 ? '-' : '+', e < 0 ? -e : e);
	} else if (e < 0) {
		/* 0.000ddd */
		out[len++] = '0';
		out[len++] = '.';
		for (int i = -1; i > e; i--)
			out[len++] = '0';
		memcpy(out + len, digits, (size_t)nd);
		len += nd;
	} else {
		/* ddd.ddd, always with a fractional part ("5.0"). */
		for (int i = 0; i <= e; i++)
			out[len++] = i < nd ? digits[i] : '0';
		out[len++] = '.';
		if (nd > e + 1) {
			memcpy(out + len, digits + e + 1, (size_t)(nd - e - 1));
			len += nd - e - 1;
		} else {
			out[len++] = '0';
		}
	}
	out[len] = '\0';
	return copy_out(buf, cap, out, len);
}

double nbpy_pyfloat_round_exact(double x, int ndigits)
{
	char tmp[400];

	if (!isfinite(x) || ndigits < 0 || ndigits > 17)
		return x;
	/* glibc printf is exact and rounds half to even in the default mode,
	 * which is what CPython's round() does through dtoa. */
	(void)snprintf(tmp, sizeof(tmp), "%.*f", ndigits, x);
	return strtod(tmp, NULL);
}

int nbpy_parse_double(const char *s, size_t len, double *out)
{
	char tmp[64], *end;
	double v;

	if (len == 0 || len >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (tmp[0] == ' ' || tmp[0] == '\t')
		return -1;
	errno = 0;
	v = strtod(tmp, &end);
	if (*end != '\0' || !isfinite(v) || (errno == ERANGE && v != 0.0))
		return -1;
	*out = v;
	return 0;
}

int nbpy_parse_int64(const char *s, size_t len, long long *out)
{
	char tmp[32], *end;
	long long v;

	if (len == 0 || len >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (!(tmp[0] == '-' || (tmp[0] >= '0' && tmp[0] <= '9')))
		return -1;
	errno = 0;
	v = strtoll(tmp, &end, 10);
	if (*end != '\0' || errno == ERANGE)
		return -1;
	*out = v;
	return 0;
}
