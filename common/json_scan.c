/* json_scan.c - see json_scan.h.  One pass without recursion checks the
 * record (a stack of the open containers, NBPY_JSON_DEPTH_MAX deep) and,
 * when asked, records it into a tape; the accessors walk the checked text
 * or tape again, so they can skip values without re-checking. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/json_scan.h"
#include "common/text.h"

struct scan {
	const unsigned char *rec, *p, *end;
	const char *why;
	bool object;		/* the root must be an object */
	struct nbpy_json_field *fields;	/* its members wanted */
	size_t n;
	struct nbpy_json_tape *tape;	/* every value recorded, when not NULL */
	bool escaped;		/* the last string held a backslash */
};

static bool name_is(struct nbpy_json s, const char *name);
static enum nbpy_json_type type_of(char c);

static bool fail(struct scan *s, const char *why)
{
	s->why = s->p == s->end ? "truncated" : why;
	return false;
}

static bool truncated(struct scan *s)
{
	s->p = s->end;
	s->why = "truncated";
	return false;
}

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

static void skip_space(struct scan *s)
{
	while (s->p < s->end && is_space(*s->p))
		s->p++;
}

/* Bytes that stand for themselves in a string: printable ASCII but '"' and '\'. */
static const bool plain[256] = {
	[0x20 ... '"' - 1] = true,
	['"' + 1 ... '\\' - 1] = true,
	['\\' + 1 ... 0x7f] = true,
};

static int hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The code unit of "\uXXXX" at s->p, which it passes; -1 if bad or cut short. */
static long code_unit(struct scan *s)
{
	long v = 0;

	for (int i = 2; i < 6; i++) {
		int d;

		if (s->end - s->p <= i)
			return truncated(s), -1;
		if ((d = hex(s->p[i])) < 0)
			return fail(s, "bad \\u escape"), -1;
		v = v << 4 | d;
	}
	s->p += 6;
	return v;
}

/* "\uXXXX" at s->p; a high surrogate's low half must follow. */
static bool unicode_escape(struct scan *s)
{
	const unsigned char *start = s->p;
	long u = code_unit(s);

	if (u < 0)
		return false;
	if (u < 0xd800 || u > 0xdfff)
		return true;
	if (u <= 0xdbff) {	/* "\u" and a low surrogate must follow */
		if (s->p < s->end && *s->p == '\\' && s->end - s->p < 2)
			return truncated(s);
		if (s->p < s->end && *s->p == '\\' && s->p[1] == 'u') {
			if ((u = code_unit(s)) < 0)
				return false;
			if (u >= 0xdc00 && u <= 0xdfff)
				return true;
		} else if (s->p == s->end) {
			return truncated(s);
		}
	}
	s->p = start;
	return fail(s, "lone surrogate");
}

/* A string at s->p (its opening quote). */
static bool string(struct scan *s)
{
	s->p++;
	for (;;) {
		const unsigned char *run;

		while (s->p < s->end && plain[*s->p])
			s->p++;
		if (s->p == s->end)
			return truncated(s);
		switch (*s->p) {
		case '"':
			s->p++;
			return true;
		case '\\':
			s->escaped = true;
			if (s->end - s->p < 2)
				return truncated(s);
			switch (s->p[1]) {
			case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
				s->p += 2;
				break;
			case 'u':
				if (!unicode_escape(s))
					return false;
				break;
			default:
				return fail(s, "bad escape");
			}
			break;
		default:
			if (*s->p < 0x20)
				return fail(s, "control character in a string");
			/* a run of non-ASCII bytes holds whole UTF-8 sequences or is bad */
			for (run = s->p; s->p < s->end && *s->p >= 0x80; s->p++)
				;
			if (s->p == s->end)
				return truncated(s);
			if (!nbpy_utf8_valid_from(run, s->p)) {
				s->p = run;
				return fail(s, "invalid UTF-8");
			}
		}
	}
}

static bool digits(struct scan *s)
{
	const unsigned char *start = s->p;

	while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
		s->p++;
	return s->p > start || fail(s, "bad number");
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool number(struct scan *s)
{
	if (*s->p == '-')
		s->p++;
	if (s->p < s->end && *s->p == '0') {
		s->p++;
		if (s->p < s->end && *s->p >= '0' && *s->p <= '9')
			return fail(s, "leading zero in a number");
	} else if (!digits(s)) {
		return false;
	}
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		if (!digits(s))
			return false;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (!digits(s))
			return false;
	}
	return true;
}

static bool literal(struct scan *s, const char *word, size_t n)
{
	for (size_t i = 0; i < n; i++, s->p++)
		if (s->p == s->end || *s->p != (unsigned char)word[i])
			return fail(s, "bad literal (true, false or null)");
	return true;
}

/* The wanted field named by the (checked) string at name, if any. */
static struct nbpy_json_field *wanted(struct scan *s, const unsigned char *name)
{
	struct nbpy_json str = { (const char *)name, (size_t)(s->p - name), NBPY_JSON_STRING };
	char first = name[1] == '"' ? '\0' : (char)name[1];	/* the empty name's: its NUL */

	for (size_t i = 0; i < s->n; i++)	/* most names differ at the first byte */
		if ((first == s->fields[i].name[0] || first == '\\') && name_is(str, s->fields[i].name))
			return &s->fields[i];
	return NULL;
}

/* The tape is full: twice the room. */
static bool grow(struct scan *s, const unsigned char *p)
{
	struct nbpy_json_tape *t = s->tape;
	uint32_t cap = t->cap ? 2 * t->cap : 64;
	struct nbpy_json_tok *more = NULL;

	if (cap > t->cap)	/* not past 2^32 tokens; reallocarray checks the bytes */
		more = reallocarray(t->tok, cap, sizeof(*more));
	if (more == NULL) {
		s->p = p;
		return fail(s, "out of memory");
	}
	t->tok = more;
	t->cap = cap;
	return true;
}

/* A value begins at p: its token, with its offset and type; the rest is
 * filled when it ends. */
static inline bool record(struct scan *s, const unsigned char *p, uint32_t *tok)
{
	struct nbpy_json_tape *t = s->tape;

	if (t->n == t->cap && !grow(s, p))
		return false;
	t->tok[t->n] = (struct nbpy_json_tok){ .off = (uint32_t)(p - s->rec), .type = (uint8_t)type_of((char)*p) };
	*tok = t->n++;
	return true;
}

/* Token tok's value ended at p: its length, and the index after all it holds. */
static void recorded(struct scan *s, uint32_t tok, const unsigned char *p)
{
	struct nbpy_json_tok *k = &s->tape->tok[tok];

	k->len = (uint32_t)(p - s->rec) - k->off;
	k->next = s->tape->n;
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* The fast paths of check(): most strings are printable ASCII without
 * escapes, most numbers have no exponent.  Past such a value at p, or NULL
 * to let string() or number() read it (and say what is wrong). */
static const unsigned char *plain_string(const unsigned char *p, const unsigned char *end)
{
	for (p++; p < end && plain[*p]; p++)
		;
	return p < end && *p == '"' ? p + 1 : NULL;
}

/* A number -?(0|[1-9][0-9]*)(\.[0-9]+)?, its value into *v when it has at
 * most 15 digits (then m / 10^k is exact, as strtod's), NaN when more. */
static const unsigned char *plain_number(const unsigned char *p, const unsigned char *end, double *v)
{
	bool negative = *p == '-';
	uint64_t m = 0;
	int digits = 0, frac = 0;

	p += negative;
	if (p < end && *p == '0')
		p++;
	else if (p < end && *p >= '1' && *p <= '9')
		for (; p < end && is_digit(*p); p++, digits++)
			m = m * 10 + (uint64_t)(*p - '0');
	else
		return NULL;
	if (p < end && *p == '.') {
		for (p++; p < end && is_digit(*p); p++, frac++)
			m = m * 10 + (uint64_t)(*p - '0');
		if (frac == 0)
			return NULL;
	}
	if (p < end && (is_digit(*p) || *p == '.' || *p == 'e' || *p == 'E'))
		return NULL;
	if (v == NULL)
		return p;
	if (digits + frac > 15)
		*v = NAN;
	else
		*v = negative ? -nbpy_decimal15(m, frac) : nbpy_decimal15(m, frac);
	return p;
}

/* The whole grammar without recursion: a stack of the open objects and
 * arrays (its height is the depth) and four states (a value, after a value,
 * a member's name, a container's close).  The position is kept in p and
 * handed over in s->p to the helpers and errors. */
static bool check(struct scan *s)
{
	struct {
		uint32_t tok;
		unsigned char close;	/* '}' or ']' */
	} open[NBPY_JSON_DEPTH_MAX];
	int depth = 0;
	struct nbpy_json_field *want = NULL;	/* the root's member being read, if wanted */
	const unsigned char *p = s->p, *end = s->end, *want_at = NULL, *start, *q;
	uint32_t tok = 0;
	double num;

#define FAIL(why) return (s->p = p, fail(s, why))
#define SKIP_SPACE() while (p < end && is_space(*p)) p++
value:	/* at a value's first byte */
	if (p == end)
		FAIL("truncated");
	start = p;
	if (s->tape != NULL && !record(s, p, &tok))
		return false;
	switch (*p) {
	case '{':
	case '[':
		if (depth == NBPY_JSON_DEPTH_MAX)
			FAIL("nested too deep");
		open[depth].tok = tok;
		open[depth].close = (unsigned char)(*p + 2);	/* '{' + 2 is '}', '[' + 2 is ']' */
		depth++;
		p++;
		SKIP_SPACE();
		if (p < end && *p == open[depth - 1].close)
			goto close;
		if (open[depth - 1].close == '}')
			goto name;
		goto value;
	case '"':
		if ((q = plain_string(p, end)) != NULL) {
			p = q;
			break;
		}
		s->p = p;
		if (!string(s))
			return false;
		p = s->p;
		break;
	case '-':
	case '0' ... '9':
		if ((q = plain_number(p, end, s->tape != NULL ? &num : NULL)) != NULL) {
			p = q;
		} else {
			s->p = p;
			if (!number(s))
				return false;
			p = s->p;
			num = NAN;
		}
		if (s->tape != NULL)
			s->tape->tok[tok].num = num;
		break;
	case 't':
	case 'f':
	case 'n':
		s->p = p;
		if (!(*p == 't' ? literal(s, "true", 4) : *p == 'f' ? literal(s, "false", 5) : literal(s, "null", 4)))
			return false;
		p = s->p;
		break;
	default:
		FAIL("unexpected character");
	}
	if (s->tape != NULL)
		recorded(s, tok, p);
after:	/* a value ended at p */
	if (depth == 0) {
		s->p = p;
		return true;
	}
	if (want != NULL && depth == 1) {
		want->value = (struct nbpy_json){ (const char *)want_at, (size_t)(p - want_at), type_of((char)*want_at) };
		want = NULL;
	}
	SKIP_SPACE();
	if (p == end)
		FAIL("truncated");
	if (*p == open[depth - 1].close)
		goto close;
	if (*p != ',')
		FAIL(open[depth - 1].close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
	p++;
	SKIP_SPACE();
	if (p < end && (*p == '}' || *p == ']'))
		FAIL("trailing comma");
	if (open[depth - 1].close == ']')
		goto value;
name:	/* a member's name is due */
	if (p == end || *p != '"')
		FAIL("expected a name");
	start = p;
	if (s->tape != NULL && !record(s, p, &tok))
		return false;
	s->escaped = false;
	if ((q = plain_string(p, end)) != NULL) {
		p = q;
	} else {
		s->p = p;
		if (!string(s))
			return false;
		p = s->p;
	}
	if (s->tape != NULL) {
		recorded(s, tok, p);
		s->tape->tok[tok].escaped = s->escaped;
	}
	if (depth == 1 && s->n > 0) {
		s->p = p;
		if ((want = wanted(s, start)) != NULL && want->value.type != NBPY_JSON_NONE) {
			p = start;
			FAIL("a name occurs twice");
		}
	}
	SKIP_SPACE();
	if (p == end || *p != ':')
		FAIL("expected ':'");
	p++;
	SKIP_SPACE();
	if (depth == 1)
		want_at = p;
	goto value;
close:	/* at the close of the innermost open container */
	p++;
	depth--;
	if (s->tape != NULL)
		recorded(s, open[depth].tok, p);
	goto after;
#undef SKIP_SPACE
#undef FAIL
}

static enum nbpy_json_type type_of(char c)
{
	switch (c) {
	case '{':
		return NBPY_JSON_OBJECT;
	case '[':
		return NBPY_JSON_ARRAY;
	case '"':
		return NBPY_JSON_STRING;
	case 't':
		return NBPY_JSON_TRUE;
	case 'f':
		return NBPY_JSON_FALSE;
	case 'n':
		return NBPY_JSON_NULL;
	default:
		return NBPY_JSON_NUMBER;
	}
}

static const char *scan(struct scan *s, const char *rec, struct nbpy_json *root, size_t *where)
{
	const unsigned char *start;

	skip_space(s);
	start = s->p;
	if (s->p == s->end) {
		s->why = "empty record";
	} else if (s->object && *s->p != '{') {
		s->why = "not an object";
	} else if (check(s)) {
		const unsigned char *value_end = s->p;

		skip_space(s);
		if (s->p == s->end) {
			*root = (struct nbpy_json){ (const char *)start, (size_t)(value_end - start), type_of((char)*start) };
			return NULL;
		}
		s->why = "characters after the value";
	}
	if (where != NULL)
		*where = (size_t)(s->p - (const unsigned char *)rec);
	return s->why;
}

const char *nbpy_json_scan(const char *rec, size_t len, struct nbpy_json *root, size_t *where)
{
	const unsigned char *r = (const unsigned char *)rec;
	struct scan s = { .rec = r, .p = r, .end = r + len };

	return scan(&s, rec, root, where);
}

const char *nbpy_json_scan_object(const char *rec, size_t len, struct nbpy_json *root, struct nbpy_json_field *fields,
				  size_t n, size_t *where)
{
	const unsigned char *r = (const unsigned char *)rec;
	struct scan s = { .rec = r, .p = r, .end = r + len, .object = true, .fields = fields, .n = n };

	for (size_t i = 0; i < n; i++)
		fields[i].value.type = NBPY_JSON_NONE;
	return scan(&s, rec, root, where);
}

const char *nbpy_json_tape_scan(struct nbpy_json_tape *t, const char *rec, size_t len, size_t *where)
{
	const unsigned char *r = (const unsigned char *)rec;
	struct scan s = { .rec = r, .p = r, .end = r + len, .tape = t };
	struct nbpy_json root;

	t->rec = rec;
	t->n = 0;
	if (len > UINT32_MAX) {
		if (where != NULL)
			*where = 0;
		return "record too long";
	}
	return scan(&s, rec, &root, where);
}

void nbpy_json_tape_free(struct nbpy_json_tape *t)
{
	free(t->tok);
	*t = (struct nbpy_json_tape)NBPY_JSON_TAPE_INIT;
}

/* ---- accessors: on checked text only ---- */

/* The code unit of the four hex digits at p. */
static unsigned long hex4(const char *p)
{
	unsigned long v = 0;

	for (int i = 0; i < 4; i++)
		v = v << 4 | (unsigned long)hex((unsigned char)p[i]);
	return v;
}

/* Past the string whose opening quote is at p: the first '"' after it
 * that an odd run of backslashes does not escape. */
static const char *string_end(const char *p, const char *end)
{
	for (;;) {
		const char *q = memchr(p + 1, '"', (size_t)(end - p - 1)), *b = q;

		while (b[-1] == '\\')
			b--;
		if ((q - b) % 2 == 0)
			return q + 1;
		p = q;
	}
}

/* Where a value ends: brackets and strings, inside an array or object. */
static const bool structural[256] = { ['"'] = true, ['['] = true, [']'] = true, ['{'] = true, ['}'] = true };

/* Past the value at p (inside [p, end)). */
static const char *value_end(const char *p, const char *end)
{
	int depth = 0;

	if (*p == '"')
		return string_end(p, end);
	if (*p != '{' && *p != '[') {	/* a number or a literal */
		while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n' &&
		       *p != '\r' && *p != '\t')
			p++;
		return p;
	}
	for (;;) {
		while (!structural[(unsigned char)*p])
			p++;
		if (*p == '"') {
			p = string_end(p, end);
			continue;
		}
		depth += *p == '{' || *p == '[' ? 1 : -1;
		p++;
		if (depth == 0)
			return p;
	}
}

static const char *skip_space_in(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	return p;
}

struct nbpy_json_iter nbpy_json_iter(struct nbpy_json c)
{
	struct nbpy_json_iter it = { NULL, NULL, false };

	if (c.type == NBPY_JSON_OBJECT || c.type == NBPY_JSON_ARRAY) {
		it.p = c.text + 1;
		it.end = c.text + c.len - 1;
		it.object = c.type == NBPY_JSON_OBJECT;
	}
	return it;
}

bool nbpy_json_next(struct nbpy_json_iter *it, struct nbpy_json *name, struct nbpy_json *value)
{
	const char *p = skip_space_in(it->p, it->end), *q;

	if (p < it->end && *p == ',')
		p = skip_space_in(p + 1, it->end);
	if (p >= it->end)
		return false;
	if (it->object) {
		q = string_end(p, it->end);
		if (name != NULL)
			*name = (struct nbpy_json){ p, (size_t)(q - p), NBPY_JSON_STRING };
		p = skip_space_in(skip_space_in(q, it->end) + 1, it->end);	/* past the ':' */
	}
	q = value_end(p, it->end);
	*value = (struct nbpy_json){ p, (size_t)(q - p), type_of(*p) };
	it->p = q;
	return true;
}

/* One character of a checked string's text at *pp (an escape, a surrogate
 * pair's two included, or a byte) as UTF-8 into out; its length. */
static size_t unescape_one(const char **pp, char out[4])
{
	const char *p = *pp;
	unsigned long cp;

	if (*p != '\\') {
		*pp = p + 1;
		out[0] = *p;
		return 1;
	}
	*pp = p + 2;
	switch (p[1]) {
	case 'b':
		out[0] = '\b';
		return 1;
	case 'f':
		out[0] = '\f';
		return 1;
	case 'n':
		out[0] = '\n';
		return 1;
	case 'r':
		out[0] = '\r';
		return 1;
	case 't':
		out[0] = '\t';
		return 1;
	case 'u':
		break;
	default:	/* " \ / */
		out[0] = p[1];
		return 1;
	}
	cp = hex4(p + 2);
	*pp = p + 6;
	if (cp >= 0xd800 && cp <= 0xdbff) {	/* the scan checked the low half follows */
		cp = 0x10000 + ((cp - 0xd800) << 10) + (hex4(p + 8) - 0xdc00);
		*pp = p + 12;
	}
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Whether the string s (a member's name) is name, once unescaped. */
static bool name_is(struct nbpy_json s, const char *name)
{
	const char *p = s.text + 1, *end = s.text + s.len - 1;

	while (p < end && *p != '\\' && *p == *name)	/* the usual case: no escapes */
		p++, name++;
	if (p < end && *p != '\\')
		return false;
	while (p < end) {
		char c[4];
		size_t n = unescape_one(&p, c);

		if (strncmp(name, c, n) != 0 || memchr(c, '\0', n) != NULL)
			return false;
		name += n;
	}
	return *name == '\0';
}

const char *nbpy_json_fields(struct nbpy_json object, struct nbpy_json_field *fields, size_t n)
{
	struct nbpy_json_iter it = nbpy_json_iter(object);
	struct nbpy_json name, value;

	if (object.type != NBPY_JSON_OBJECT)
		return "not an object";
	for (size_t i = 0; i < n; i++)
		fields[i].value.type = NBPY_JSON_NONE;
	while (nbpy_json_next(&it, &name, &value))
		for (size_t i = 0; i < n; i++)
			if (name_is(name, fields[i].name)) {
				if (fields[i].value.type != NBPY_JSON_NONE)
					return "a name occurs twice";
				fields[i].value = value;
			}
	return NULL;
}

const char *nbpy_json_get(struct nbpy_json object, const char *name, struct nbpy_json *value)
{
	struct nbpy_json_field f = { name, { NULL, 0, NBPY_JSON_NONE }, 0 };
	const char *why = nbpy_json_fields(object, &f, 1);

	if (why != NULL)
		return why;
	if (f.value.type == NBPY_JSON_NONE)
		return "no such name";
	*value = f.value;
	return NULL;
}

const char *nbpy_json_string(struct nbpy_json s, char *buf, size_t cap, size_t *len)
{
	const char *p, *end;
	size_t n = 0;

	if (s.type != NBPY_JSON_STRING)
		return "not a string";	/* before any arithmetic: a missing value's text is NULL */
	p = s.text + 1;
	end = s.text + s.len - 1;
	if (memchr(p, '\\', (size_t)(end - p)) == NULL) {	/* the usual case: copy it */
		n = (size_t)(end - p);
		if (n >= cap)
			return "too long";
		memcpy(buf, p, n);
		p = end;
	}
	while (p < end) {
		char c[4];
		size_t k = unescape_one(&p, c);

		if (memchr(c, '\0', k) != NULL)
			return "holds U+0000";
		if (cap - n <= k)
			return "too long";
		memcpy(buf + n, c, k);
		n += k;
	}
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return NULL;
}

const char *nbpy_json_int64(struct nbpy_json num, int64_t *out)
{
	const char *p, *end;
	bool negative;
	uint64_t v = 0, limit;

	if (num.type != NBPY_JSON_NUMBER)
		return "not a number";
	p = num.text;
	end = num.text + num.len;
	negative = *p == '-';
	p += negative;
	limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; p < end; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (d > 9)
			return "not an integer";
		if (v > (limit - d) / 10)
			return "out of range";
		v = v * 10 + d;
	}
	if (!negative)
		*out = (int64_t)v;
	else
		*out = v == limit ? INT64_MIN : -(int64_t)v;
	return NULL;
}

/* Whether a name without escapes, text[0, len), is name. */
static bool same_name(const char *text, size_t len, const char *name)
{
	for (size_t i = 0; i < len; i++)
		if (text[i] != name[i])	/* stops at name's end too: text holds no NUL */
			return false;
	return name[len] == '\0';
}

struct nbpy_json nbpy_json_tape_value(const struct nbpy_json_tape *t, uint32_t i)
{
	const struct nbpy_json_tok *k = &t->tok[i];

	return (struct nbpy_json){ t->rec + k->off, k->len, (enum nbpy_json_type)k->type };
}

const char *nbpy_json_tape_fields(const struct nbpy_json_tape *t, uint32_t i, struct nbpy_json_field *fields,
				  size_t n)
{
	if (t->tok[i].type != NBPY_JSON_OBJECT)
		return "not an object";
	for (size_t f = 0; f < n; f++) {
		fields[f].value.type = NBPY_JSON_NONE;
		fields[f].at = 0;
	}
	for (uint32_t name = i + 1; name < t->tok[i].next; name = t->tok[name + 1].next) {
		const struct nbpy_json_tok *k = &t->tok[name];
		const char *text = t->rec + k->off + 1;	/* past the quote */
		size_t len = k->len - 2;

		for (size_t f = 0; f < n; f++) {
			if (k->escaped ? !name_is(nbpy_json_tape_value(t, name), fields[f].name)
				       : (len ? text[0] : '\0') != fields[f].name[0] || !same_name(text, len, fields[f].name))
				continue;
			if (fields[f].at != 0)
				return "a name occurs twice";
			fields[f].at = name + 1;
			fields[f].value = nbpy_json_tape_value(t, name + 1);
			break;	/* the fields' names differ */
		}
	}
	return NULL;
}

const char *nbpy_json_tape_number(const struct nbpy_json_tape *t, uint32_t i, double *out)
{
	const struct nbpy_json_tok *k = &t->tok[i];
	char text[64], *end;

	if (k->type != NBPY_JSON_NUMBER)
		return "not a number";
	if (!isnan(k->num)) {	/* read by the scan */
		*out = k->num;
		return NULL;
	}
	if (k->len >= sizeof(text))
		return "number too long";
	memcpy(text, t->rec + k->off, k->len);
	text[k->len] = '\0';
	*out = nbpy_strtod(text, &end);
	return *end != '\0' || !isfinite(*out) ? "out of range" : NULL;
}
