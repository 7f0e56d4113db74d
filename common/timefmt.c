/* timefmt.c - see timefmt.h. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/timefmt.h"

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) < 0)
		return 0;
	return (int64_t)ts.tv_sec * NBPY_NS_PER_SEC + ts.tv_nsec;
}

int64_t nbpy_now_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

int64_t nbpy_monotonic_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

size_t nbpy_rfc3339_format(int64_t ns, char *buf, size_t cap)
{
	time_t sec = (time_t)(ns / NBPY_NS_PER_SEC);
	long frac = (long)(ns % NBPY_NS_PER_SEC);
	struct tm tm;
	int n;

	if (frac < 0) {
		frac += NBPY_NS_PER_SEC;
		sec--;
	}
	if (gmtime_r(&sec, &tm) == NULL)
		return 0;
	n = snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900,
		     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

/* Read exactly n digits at *p. */
static int digits(const char **p, const char *end, int n, int *out)
{
	int v = 0;

	if (end - *p < n)
		return -1;
	for (int i = 0; i < n; i++, (*p)++) {
		if (**p < '0' || **p > '9')
			return -1;
		v = v * 10 + (**p - '0');
	}
	*out = v;
	return 0;
}

static int expect(const char **p, const char *end, const char *chars)
{
	if (*p >= end || strchr(chars, **p) == NULL || **p == '\0')
		return -1;
	(*p)++;
	return 0;
}

/* Days from 1970-01-01 to year-mon-day (proleptic Gregorian; a day past the
 * month's end counts on, as timegm's does): timegm's arithmetic without its
 * time zone work, which cost more than the rest of a parse. */
static int64_t days_from_civil(int64_t year, int mon, int day)
{
	int64_t era, yoe, doy;

	year -= mon <= 2;
	era = (year >= 0 ? year : year - 399) / 400;
	yoe = year - era * 400;
	doy = (153 * (mon > 2 ? mon - 3 : mon + 9) + 2) / 5 + day - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

int nbpy_rfc3339_parse(const char *s, size_t len, int64_t *ns)
{
	const char *p = s, *end = s + len;
	int year, mon, day, hour, min, sec, oh = 0, om = 0, sign = 0;
	long frac = 0;
	time_t t;

	if (digits(&p, end, 4, &year) || expect(&p, end, "-") || digits(&p, end, 2, &mon) ||
	    expect(&p, end, "-") || digits(&p, end, 2, &day) || expect(&p, end, "Tt ") ||
	    digits(&p, end, 2, &hour) || expect(&p, end, ":") || digits(&p, end, 2, &min) ||
	    expect(&p, end, ":") || digits(&p, end, 2, &sec))
		return -1;
	if (p < end && *p == '.') {
		int nd = 0;

		for (p++; p < end && *p >= '0' && *p <= '9'; p++, nd++)
			if (nd < 9)
				frac = frac * 10 + (*p - '0');
		if (nd == 0)
			return -1;
		for (; nd < 9; nd++)
			frac *= 10;
	}
	if (p < end && (*p == 'Z' || *p == 'z')) {
		p++;
	} else if (p < end && (*p == '+' || *p == '-')) {
		sign = *p++ == '-' ? -1 : 1;
		if (digits(&p, end, 2, &oh) || expect(&p, end, ":") || digits(&p, end, 2, &om))
			return -1;
	} else {
		return -1;
	}
	if (p != end || mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 ||
	    sec > 60 || oh > 23 || om > 59)
		return -1;
	t = (time_t)days_from_civil(year, mon, day) * 86400 + hour * 3600 + min * 60 + sec;
	t -= (time_t)sign * (oh * 3600 + om * 60);
	/* int64 ns reach the years 1677..2262. */
	if (t <= INT64_MIN / NBPY_NS_PER_SEC || t >= INT64_MAX / NBPY_NS_PER_SEC)
		return -1;
	*ns = (int64_t)t * NBPY_NS_PER_SEC + frac;
	return 0;
}
