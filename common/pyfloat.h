/* pyfloat.h - Python-compatible number text for the legacy wire format.
 *
 * The original services published numbers as Python str(float): the shortest
 * text that reads back as the same double, in fixed notation for decimal
 * exponents -4..15 and scientific ("5e-05", "1e+16") outside.  Reproducing it
 * lets unmodified Python subscribers see byte-identical frames. */
#ifndef NBPY_PYFLOAT_H
#define NBPY_PYFLOAT_H

#include <stddef.h>

/* Longest output: "-1.2345678901234567e-308" plus NUL. */
#define NBPY_PYFLOAT_MAX 32

/* Write repr(x) into buf (cap >= NBPY_PYFLOAT_MAX); returns its length. */
size_t nbpy_pyfloat_format(double x, char *buf, size_t cap);

/* Python's round(x, ndigits) for 0 <= ndigits <= 17: correctly rounded from
 * the exact binary value, ties to even. */
double nbpy_pyfloat_round(double x, int ndigits);

/* Parse a whole field as a finite double (strtod syntax, no trailing junk). */
int nbpy_parse_double(const char *s, size_t len, double *out);

/* Parse a whole field as a signed 64-bit decimal integer. */
int nbpy_parse_int64(const char *s, size_t len, long long *out);

#endif
