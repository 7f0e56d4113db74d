/* pyfloat.c - see pyfloat.h. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyfloat.h"

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
	return (size_t)snprintf(buf, cap, "%s", out);
}

double nbpy_pyfloat_round(double x, int ndigits)
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
