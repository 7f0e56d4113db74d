/* config_value.c - typed config values: durations, sizes, booleans, lists,
 * enums and ZeroMQ endpoints.  Pure functions of their text. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/config.h"

static const struct { const char *name; int64_t ns; } duration_units[] = {
	{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000LL },
	{ "m", 60000000000LL }, { "h", 3600000000000LL }, { "d", 86400000000000LL },
};

int nbpy_parse_duration(const char *s, int64_t *ns)
{
	int64_t total = 0;

	if (strcmp(s, "0") == 0) {
		*ns = 0;
		return 0;
	}
	if (*s == '\0')
		return -1;
	while (*s) {
		char *end;
		unsigned long long n;
		size_t ulen = 0;
		int64_t unit = 0;

		if (!isdigit((unsigned char)*s))
			return -1;
		errno = 0;
		n = strtoull(s, &end, 10);
		if (errno == ERANGE)
			return -1;
		while (isalpha((unsigned char)end[ulen]))
			ulen++;
		for (size_t i = 0; i < sizeof(duration_units) / sizeof(duration_units[0]); i++)
			if (strlen(duration_units[i].name) == ulen &&
			    strncmp(end, duration_units[i].name, ulen) == 0)
				unit = duration_units[i].ns;
		if (unit == 0 || n > (unsigned long long)(INT64_MAX - total) / (unsigned long long)unit)
			return -1;
		total += (int64_t)n * unit;
		s = end + ulen;
	}
	*ns = total;
	return 0;
}

int nbpy_parse_size(const char *s, uint64_t *bytes)
{
	static const struct { const char *name; uint64_t mult; } units[] = {
		{ "", 1 }, { "B", 1 }, { "KiB", 1ULL << 10 }, { "MiB", 1ULL << 20 },
		{ "GiB", 1ULL << 30 }, { "TiB", 1ULL << 40 }, { "kB", 1000 }, { "MB", 1000000 },
		{ "GB", 1000000000ULL }, { "TB", 1000000000000ULL },
	};
	unsigned long long n;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -1;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].name) != 0)
			continue;
		if (n > UINT64_MAX / units[i].mult)
			return -1;
		*bytes = n * units[i].mult;
		return 0;
	}
	return -1;
}

int nbpy_parse_bool(const char *s, bool *b)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*b = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*b = false;
			return 0;
		}
	}
	return -1;
}

/* s's index in choices "a|b|c", or -1. */
static int choice_index(const char *choices, const char *s)
{
	size_t n = strlen(s);
	int i = 0;

	for (const char *p = choices; p != NULL; p = strchr(p, '|'), i++) {
		if (*p == '|')
			p++;
		if (strncmp(p, s, n) == 0 && (p[n] == '|' || p[n] == '\0'))
			return i;
	}
	return -1;
}

/* Split at commas and newlines, trimming blanks; empty items are errors. */
static int parse_list(const char *s, struct nbpy_value *v)
{
	size_t cap = 4;
	char **items = calloc(cap, sizeof(*items));

	if (items == NULL)
		return -1;
	v->n_items = 0;
	v->items = items;
	while (1) {
		size_t n = strcspn(s, ",\n");
		const char *a = s, *b = s + n;

		while (a < b && isspace((unsigned char)*a))
			a++;
		while (b > a && isspace((unsigned char)b[-1]))
			b--;
		if (a == b)
			return -1;
		if (v->n_items == cap) {
			char **bigger = realloc(v->items, 2 * cap * sizeof(*items));

			if (bigger == NULL)
				return -1;
			v->items = bigger;
			cap *= 2;
		}
		v->items[v->n_items] = strndup(a, (size_t)(b - a));
		if (v->items[v->n_items] == NULL)
			return -1;
		v->n_items++;
		if (s[n] == '\0')
			return 0;
		s += n + 1;
	}
}

int nbpy_endpoint_check(const char *ep, char *why, size_t why_cap)
{
	const char *host, *colon;
	char *end;
	long port;

	if (strncmp(ep, "ipc://", 6) == 0) {
		/* sun_path holds 107 bytes plus NUL. */
		if (ep[6] == '\0' || strlen(ep + 6) > 107)
			goto bad;
		return 0;
	}
	if (strncmp(ep, "inproc://", 9) == 0)
		return ep[9] ? 0 : (snprintf(why, why_cap, "empty inproc name"), -1);
	if (strncmp(ep, "tcp://", 6) != 0)
		goto bad;
	host = ep + 6;
	colon = strrchr(host, ':');
	if (colon == NULL || colon == host)
		goto bad;
	if (host[0] == '[' && colon[-1] != ']')
		goto bad;
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || colon[1] == '\0' || port < 1 || port > 65535) {
		(void)snprintf(why, why_cap, "port must be 1..65535");
		return -1;
	}
	return 0;
bad:
	(void)snprintf(why, why_cap, "expected tcp://HOST:PORT, ipc://PATH or inproc://NAME");
	return -1;
}

static bool host_is_wildcard(const char *h, size_t n)
{
	return (n == 1 && h[0] == '*') || (n == 7 && strncmp(h, "0.0.0.0", 7) == 0) ||
	       (n == 4 && strncmp(h, "[::]", 4) == 0);
}

bool nbpy_endpoints_clash(const char *a, const char *b)
{
	const char *ca, *cb;

	if (strncmp(a, "tcp://", 6) != 0 || strncmp(b, "tcp://", 6) != 0)
		return strcmp(a, b) == 0;
	ca = strrchr(a, ':');
	cb = strrchr(b, ':');
	if (strcmp(ca, cb) != 0)
		return false;
	a += 6;
	b += 6;
	if ((size_t)(ca - a) == (size_t)(cb - b) && strncmp(a, b, (size_t)(ca - a)) == 0)
		return true;
	return host_is_wildcard(a, (size_t)(ca - a)) || host_is_wildcard(b, (size_t)(cb - b));
}

char *nbpy_endpoint_connect_form(const char *bind)
{
	const char *colon = strrchr(bind, ':');
	char buf[256];

	if (strncmp(bind, "tcp://", 6) == 0 && colon != NULL &&
	    host_is_wildcard(bind + 6, (size_t)(colon - bind - 6))) {
		(void)snprintf(buf, sizeof(buf), "tcp://%s%s",
			       bind[6] == '[' ? "[::1]" : "127.0.0.1", colon);
		return strdup(buf);
	}
	return strdup(bind);
}

void nbpy_value_clear(struct nbpy_value *v)
{
	for (size_t i = 0; i < v->n_items; i++)
		free(v->items[i]);
	free(v->items);
	v->items = NULL;
	v->n_items = 0;
}

int nbpy_value_parse(const struct nbpy_key_spec *spec, const char *s, struct nbpy_value *v,
		     char *why, size_t cap)
{
	char *end;

	if (spec->type != NBPY_KEY_LIST && spec->type != NBPY_KEY_INT_LIST &&
	    spec->type != NBPY_KEY_ENV_LIST && strchr(s, '\n') != NULL) {
		(void)snprintf(why, cap, "continuation lines are only for lists");
		return -1;
	}
	switch (spec->type) {
	case NBPY_KEY_STRING:
		for (const char *p = s; *p; p++)
			if ((unsigned char)*p < 0x20 && *p != '\t') {
				(void)snprintf(why, cap, "control character in value");
				return -1;
			}
		return 0;
	case NBPY_KEY_BOOL:
		if (nbpy_parse_bool(s, &v->v.b) == 0)
			return 0;
		(void)snprintf(why, cap, "bad boolean '%s': expected yes or no", s);
		return -1;
	case NBPY_KEY_INT: {
		long long n;

		errno = 0;
		n = strtoll(s, &end, 10);
		if (*s == '\0' || *end != '\0' || errno == ERANGE) {
			(void)snprintf(why, cap, "bad integer '%s'", s);
			return -1;
		}
		if (n < spec->min || n > spec->max) {
			(void)snprintf(why, cap, "%lld is out of range %lld..%lld", n,
				       (long long)spec->min, (long long)spec->max);
			return -1;
		}
		v->v.i = n;
		return 0;
	}
	case NBPY_KEY_DOUBLE:
		errno = 0;
		v->v.d = strtod(s, &end);
		if (*s == '\0' || *end != '\0' || errno == ERANGE || !isfinite(v->v.d)) {
			(void)snprintf(why, cap, "bad number '%s'", s);
			return -1;
		}
		return 0;
	case NBPY_KEY_DURATION:
		if (nbpy_parse_duration(s, &v->v.ns) == 0)
			return 0;
		(void)snprintf(why, cap, "bad duration '%s': expected a number and a unit "
			       "(ns, us, ms, s, m, h, d), e.g. 250ms or 1m30s", s);
		return -1;
	case NBPY_KEY_DURATION_RANGE: {
		const char *dots = strstr(s, "..");
		char lo[64];

		if (dots == NULL || (size_t)(dots - s) >= sizeof(lo))
			goto bad_range;
		memcpy(lo, s, (size_t)(dots - s));
		lo[dots - s] = '\0';
		if (nbpy_parse_duration(lo, &v->v.range.lo_ns) < 0 ||
		    nbpy_parse_duration(dots + 2, &v->v.range.hi_ns) < 0 ||
		    v->v.range.lo_ns <= 0 || v->v.range.hi_ns < v->v.range.lo_ns)
			goto bad_range;
		return 0;
bad_range:
		(void)snprintf(why, cap, "bad range '%s': expected MIN..MAX durations with "
			       "0 < MIN <= MAX, e.g. 1s..60s", s);
		return -1;
	}
	case NBPY_KEY_SIZE:
		if (nbpy_parse_size(s, &v->v.bytes) == 0)
			return 0;
		(void)snprintf(why, cap, "bad size '%s': expected a number and a unit "
			       "(B, KiB, MiB, GiB, kB, MB, GB), e.g. 64MiB", s);
		return -1;
	case NBPY_KEY_LIST:
		if (parse_list(s, v) == 0)
			return 0;
bad_list:
		nbpy_value_clear(v);
		(void)snprintf(why, cap, "bad list '%s': expected comma-separated items, none empty", s);
		return -1;
	case NBPY_KEY_ENUM:
		if ((v->v.i = choice_index(spec->choices, s)) >= 0)
			return 0;
		(void)snprintf(why, cap, "bad value '%s': expected one of %s", s, spec->choices);
		return -1;
	case NBPY_KEY_INT_LIST:
		if (parse_list(s, v) < 0)
			goto bad_list;
		for (size_t i = 0; i < v->n_items; i++) {
			long long n;

			errno = 0;
			n = strtoll(v->items[i], &end, 10);
			if (*end != '\0' || errno == ERANGE || n < spec->min || n > spec->max) {
				(void)snprintf(why, cap, "bad item '%s': expected integers %lld..%lld",
					       v->items[i], (long long)spec->min, (long long)spec->max);
				nbpy_value_clear(v);
				return -1;
			}
		}
		return 0;
	case NBPY_KEY_ENV_LIST:
		if (parse_list(s, v) < 0)
			goto bad_list;
		for (size_t i = 0; i < v->n_items; i++) {
			const char *eq = strchr(v->items[i], '=');

			if (eq == NULL || eq == v->items[i] ||
			    strspn(v->items[i], "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				   "0123456789_") != (size_t)(eq - v->items[i])) {
				(void)snprintf(why, cap, "bad item '%s': expected NAME=VALUE", v->items[i]);
				nbpy_value_clear(v);
				return -1;
			}
		}
		return 0;
	case NBPY_KEY_OCTAL:
		errno = 0;
		v->v.i = strtoll(s, &end, 8);
		if (*s == '\0' || *end != '\0' || v->v.i < 0 || v->v.i > 0777) {
			(void)snprintf(why, cap, "bad octal mode '%s': expected 000..777, e.g. 027", s);
			return -1;
		}
		return 0;
	case NBPY_KEY_ENDPOINT: {
		char reason[96];

		if (nbpy_endpoint_check(s, reason, sizeof(reason)) == 0)
			return 0;
		(void)snprintf(why, cap, "bad endpoint '%s': %s", s, reason);
		return -1;
	}
	}
	(void)snprintf(why, cap, "unknown key type");
	return -1;
}
