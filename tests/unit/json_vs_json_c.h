/* json_vs_json_c.h - common/json_scan against json-c 0.16 on the same
 * record, for tests/unit/test_json_scan.c and tests/fuzz/fuzz_json_scan.c.
 *
 * json-c parses strictly here (JSON_TOKENER_STRICT | VALIDATE_UTF8), yet it
 * still accepts what RFC 8259 forbids and json_scan refuses (the list in
 * test_json_scan.c's json_c_differences): raw control characters in strings,
 * lone surrogates (as U+FFFD), overlong and surrogate UTF-8, leading zeros
 * inside arrays and objects ([00]), "1.", NaN, Infinity and -Infinity, and
 * names in single quotes ({'a':1}, though not such values).  It reads some
 * escaped surrogate pairs as U+FFFD (json_c_misreads).  Its
 * depth limit counts differently (an object's scalar member takes a level).
 * json_c_comparable says when a verdict can be compared at all. */
#ifndef NBPY_JSON_VS_JSON_C_H
#define NBPY_JSON_VS_JSON_C_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/json_scan.h"

/* json-c's verdict on rec[0, len): its tree (NULL is also JSON null) and
 * whether it parsed.  A number at the very end waits for more input, so a
 * space follows the record (whitespace after a value changes nothing). */
static inline struct json_object *json_c_parse(const char *rec, size_t len, bool *ok,
					       enum json_tokener_error *err)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o;

	if (tok == NULL)
		abort();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, rec, (int)len);
	if (o == NULL && json_tokener_get_error(tok) == json_tokener_continue)
		o = json_tokener_parse_ex(tok, " ", 1);
	*err = json_tokener_get_error(tok);
	*ok = *err == json_tokener_success && json_tokener_get_parse_end(tok) <= len + 1;
	/* a NUL ends json-c's input: what follows it is never looked at */
	if (*ok && memchr(rec, '\0', len) != NULL)
		*ok = false;
	json_tokener_free(tok);
	if (!*ok && o != NULL) {
		json_object_put(o);
		o = NULL;
	}
	return o;
}

/* Whether the two verdicts may be compared: false where json-c is known to
 * be laxer (why and where: json_scan's reason for refusing and the offset)
 * or counts depth apart. */
static inline bool json_c_comparable(const char *rec, size_t len, const char *why, size_t where,
				     enum json_tokener_error err)
{
	static const char *const lax[] = {
		"control character in a string", "lone surrogate", "invalid UTF-8",
		"leading zero in a number", "bad number", "nested too deep",
	};
	char at = where < len ? rec[where] : '\0';

	if (err == json_tokener_error_depth)
		return false;
	if (why == NULL)
		return true;
	for (size_t i = 0; i < sizeof(lax) / sizeof(lax[0]); i++)
		if (strcmp(why, lax[i]) == 0)
			return false;
	if (strcmp(why, "unexpected character") == 0 && (at == 'N' || at == 'I'))	/* NaN, Infinity */
		return false;
	if (strcmp(why, "expected a name") == 0 && at == '\'')	/* {'a':1} */
		return false;
	if (strcmp(why, "truncated") == 0 && len > 0 && rec[len - 1] == '.')	/* 1. */
		return false;
	return true;
}

/* Whether json-c 0.16 reads the unescaped text s[0, n) otherwise: it turns
 * an escaped surrogate pair for a code point whose low 16 bits fall in
 * D800-DFFF (U+1D800-1DFFF, U+2D800-2DFFF...) into U+FFFD. */
static inline bool json_c_misreads(const char *s, size_t n)
{
	for (size_t i = 0; i + 3 < n; i++)
		if (((unsigned char)s[i] & 0xf8) == 0xf0) {
			unsigned long cp = ((unsigned long)(s[i] & 0x07) << 18) | ((unsigned long)(s[i + 1] & 0x3f) << 12) |
					   ((unsigned long)(s[i + 2] & 0x3f) << 6) | (unsigned long)(s[i + 3] & 0x3f);

			if ((cp & 0xf800) == 0xd800)
				return true;
		}
	return false;
}

#define JSON_C_NAME_MAX 256

/* A name, unescaped; false if it cannot be (holds U+0000, too long, or
 * json-c misreads it). */
static inline bool json_c_name(struct nbpy_json name, char buf[JSON_C_NAME_MAX])
{
	size_t len;

	return nbpy_json_string(name, buf, JSON_C_NAME_MAX, &len) == NULL && !json_c_misreads(buf, len);
}

/* Whether json_scan's value v and json-c's o say the same: types, numbers,
 * strings byte for byte, array elements in order, and an object's names
 * (json-c keeps a duplicate's last value, json_scan's lookups refuse it). */
static inline bool json_c_same(struct nbpy_json v, struct json_object *o)
{
	static char text[65536];	/* strings: not kept across the recursion */
	char a[JSON_C_NAME_MAX], b[JSON_C_NAME_MAX];
	struct nbpy_json_iter it = nbpy_json_iter(v);
	struct nbpy_json name, x;
	size_t n = 0, len;
	int64_t i;

	switch (v.type) {
	case NBPY_JSON_NULL:
		return o == NULL;
	case NBPY_JSON_TRUE:
	case NBPY_JSON_FALSE:
		return json_object_is_type(o, json_type_boolean) &&
		       json_object_get_boolean(o) == (v.type == NBPY_JSON_TRUE);
	case NBPY_JSON_NUMBER:
		if (nbpy_json_int64(v, &i) == NULL)
			return json_object_is_type(o, json_type_int) && json_object_get_int64(o) == i;
		return json_object_is_type(o, json_type_double) || json_object_is_type(o, json_type_int);
	case NBPY_JSON_STRING:
		if (!json_object_is_type(o, json_type_string))
			return false;
		if (nbpy_json_string(v, text, sizeof(text), &len) != NULL || json_c_misreads(text, len))
			return true;	/* U+0000, long, or json-c's bug */
		return (size_t)json_object_get_string_len(o) == len && memcmp(json_object_get_string(o), text, len) == 0;
	case NBPY_JSON_ARRAY:
		if (!json_object_is_type(o, json_type_array))
			return false;
		while (nbpy_json_next(&it, NULL, &x))
			if (n >= json_object_array_length(o) || !json_c_same(x, json_object_array_get_idx(o, n++)))
				return false;
		return n == json_object_array_length(o);
	case NBPY_JSON_OBJECT:
		if (!json_object_is_type(o, json_type_object))
			return false;
		while (nbpy_json_next(&it, &name, &x))
			if (!json_c_name(name, a))
				return true;	/* json-c cuts a name at U+0000 */
		it = nbpy_json_iter(v);
		while (nbpy_json_next(&it, &name, &x)) {
			struct json_object *c;
			struct nbpy_json_iter before = nbpy_json_iter(v);
			struct nbpy_json earlier, y;
			bool first = true;
			const char *why;

			(void)json_c_name(name, a);
			if (!json_object_object_get_ex(o, a, &c))
				return false;
			while (nbpy_json_next(&before, &earlier, &y) && earlier.text != name.text)
				if (json_c_name(earlier, b) && strcmp(a, b) == 0)
					first = false;
			n += first;
			why = nbpy_json_get(v, a, &y);
			if (why != NULL && strcmp(why, "a name occurs twice") != 0)
				return false;
			if (why == NULL && !json_c_same(y, c))
				return false;
		}
		return n == (size_t)json_object_object_length(o);
	default:
		return false;
	}
}

#endif
