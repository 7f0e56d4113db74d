/* test_json_scan.c - common/json_scan: records it accepts and their values,
 * every kind of malformed record with its reason and offset (written by
 * hand), the accessors, json-c's verdict on the same records, and the
 * tape: what the iterators find, the same verdicts, numbers read. */
#include <math.h>
#include <stdint.h>

#include "common/json_scan.h"
#include "tests/unit/json_vs_json_c.h"
#include "tests/unit/testutil.h"

/* An OANDA v20 PRICE line as tests/fakes/fake_oanda.py writes it. */
static const char PRICE[] =
	"{\"type\": \"PRICE\", \"time\": \"2026-11-30T04:00:01.123456790Z\", \"instrument\": \"EUR_USD\", "
	"\"bids\": [{\"price\": \"1.08013\", \"liquidity\": 1000001}, {\"price\": \"1.08003\", \"liquidity\": 5000000}], "
	"\"asks\": [{\"price\": \"1.08034\", \"liquidity\": 1000002}, {\"price\": \"1.08044\", \"liquidity\": 5000000}], "
	"\"closeoutBid\": \"1.08008\", \"closeoutAsk\": \"1.08039\", \"status\": \"tradeable\", \"tradeable\": true}";

struct valid {
	const char *rec;
	enum nbpy_json_type type;
	const char *root;	/* the root's text */
};

static const struct valid valid[] = {
	{ "{}", NBPY_JSON_OBJECT, "{}" },
	{ " \t\r\n{\"a\": 1} \n", NBPY_JSON_OBJECT, "{\"a\": 1}" },
	{ "[]", NBPY_JSON_ARRAY, "[]" },
	{ "[ ]", NBPY_JSON_ARRAY, "[ ]" },
	{ "[1,-2.5e+3,0,-0,0.0,1E9,2e-0,true,false,null,\"x\",{},[]]", NBPY_JSON_ARRAY,
	  "[1,-2.5e+3,0,-0,0.0,1E9,2e-0,true,false,null,\"x\",{},[]]" },
	{ "\"abc\"", NBPY_JSON_STRING, "\"abc\"" },
	{ "0", NBPY_JSON_NUMBER, "0" },
	{ "-0.5e-7 ", NBPY_JSON_NUMBER, "-0.5e-7" },
	{ "123456789012345678901234567890", NBPY_JSON_NUMBER, "123456789012345678901234567890" },
	{ "true", NBPY_JSON_TRUE, "true" },
	{ "false", NBPY_JSON_FALSE, "false" },
	{ "null", NBPY_JSON_NULL, "null" },
	{ "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD834\\uDD1E\"", NBPY_JSON_STRING,
	  "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD834\\uDD1E\"" },
	{ "\"\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e\xf4\x8f\xbf\xbf\"", NBPY_JSON_STRING,	/* é € 𝄞 U+10FFFF */
	  "\"\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e\xf4\x8f\xbf\xbf\"" },
	{ "\"\\u0000\"", NBPY_JSON_STRING, "\"\\u0000\"" },
	{ "\"\x7f\"", NBPY_JSON_STRING, "\"\x7f\"" },	/* DEL is not a control character to JSON */
	{ "{\"a\":{\"b\":[{\"c\":[]}]}}", NBPY_JSON_OBJECT, "{\"a\":{\"b\":[{\"c\":[]}]}}" },
	{ "{\"a\":1,\"a\":2}", NBPY_JSON_OBJECT, "{\"a\":1,\"a\":2}" },	/* duplicates: valid syntax */
	{ "{\"\":0}", NBPY_JSON_OBJECT, "{\"\":0}" },
	{ "{\"]}\":\"[{\\\"\"}", NBPY_JSON_OBJECT, "{\"]}\":\"[{\\\"\"}" },
	{ PRICE, NBPY_JSON_OBJECT, PRICE },
};

struct malformed {
	const char *rec;
	size_t len;		/* 0: strlen(rec) */
	const char *why;
	size_t where;
};

static const struct malformed malformed[] = {
	{ "", 0, "empty record", 0 },
	{ "  \n", 0, "empty record", 3 },
	/* cut short */
	{ "{", 0, "truncated", 1 },
	{ "[", 0, "truncated", 1 },
	{ "{\"a\":1", 0, "truncated", 6 },
	{ "[\"a\"", 0, "truncated", 4 },
	{ "\"abc", 0, "truncated", 4 },
	{ "tru", 0, "truncated", 3 },
	{ "\"\\u12", 0, "truncated", 5 },
	{ "\"\\ud800", 0, "truncated", 7 },
	{ "\"\\ud800\\", 0, "truncated", 8 },
	{ "\"\\", 0, "truncated", 2 },
	{ "\"\xe2\x82", 0, "truncated", 3 },
	/* after the value */
	{ "{\"a\":1}x", 0, "characters after the value", 7 },
	{ "{} {}", 0, "characters after the value", 3 },
	{ "1 2", 0, "characters after the value", 2 },
	{ "{}//", 0, "characters after the value", 2 },
	{ "{}\v", 0, "characters after the value", 2 },
	{ "[1]\0", 4, "characters after the value", 3 },
	/* structure */
	{ "[1,]", 0, "trailing comma", 3 },
	{ "{\"a\":1,}", 0, "trailing comma", 7 },
	{ "[1,\n]", 0, "trailing comma", 4 },
	{ "[,1]", 0, "unexpected character", 1 },
	{ "{,}", 0, "expected a name", 1 },
	{ "{a:1}", 0, "expected a name", 1 },
	{ "{'a':1}", 0, "expected a name", 1 },
	{ "{1:1}", 0, "expected a name", 1 },
	{ "{\"a\" 1}", 0, "expected ':'", 5 },
	{ "{\"a\"}", 0, "expected ':'", 4 },
	{ "{\"a\":}", 0, "unexpected character", 5 },
	{ "{\"a\":1 \"b\":2}", 0, "expected ',' or '}'", 7 },
	{ "{\"a\":1]", 0, "expected ',' or '}'", 6 },
	{ "[1 2]", 0, "expected ',' or ']'", 3 },
	{ "[1}", 0, "expected ',' or ']'", 2 },
	{ "]", 0, "unexpected character", 0 },
	{ "\0", 1, "unexpected character", 0 },
	{ "\xef\xbb\xbf{}", 0, "unexpected character", 0 },	/* a byte order mark */
	{ "/**/{}", 0, "unexpected character", 0 },
	{ "\f{}", 0, "unexpected character", 0 },
	{ "'a'", 0, "unexpected character", 0 },
	/* numbers */
	{ "01", 0, "leading zero in a number", 1 },
	{ "-01", 0, "leading zero in a number", 2 },
	{ "[00]", 0, "leading zero in a number", 2 },
	{ "[1.]", 0, "bad number", 3 },
	{ "[1.e5]", 0, "bad number", 3 },
	{ "[.5]", 0, "unexpected character", 1 },
	{ "[+1]", 0, "unexpected character", 1 },
	{ "[-]", 0, "bad number", 2 },
	{ "[--1]", 0, "bad number", 2 },
	{ "[1e]", 0, "bad number", 3 },
	{ "[1e+]", 0, "bad number", 4 },
	{ "[1e-+1]", 0, "bad number", 4 },
	{ "[0x1]", 0, "expected ',' or ']'", 2 },
	{ "[1.2.3]", 0, "expected ',' or ']'", 4 },
	{ "[NaN]", 0, "unexpected character", 1 },
	{ "[Infinity]", 0, "unexpected character", 1 },
	{ "[-Infinity]", 0, "bad number", 2 },
	/* bare words */
	{ "[tru]", 0, "bad literal (true, false or null)", 4 },
	{ "[nul]", 0, "bad literal (true, false or null)", 4 },
	{ "[fals]", 0, "bad literal (true, false or null)", 5 },
	{ "[True]", 0, "unexpected character", 1 },
	{ "[truex]", 0, "expected ',' or ']'", 5 },
	{ "{\"a\":nullx}", 0, "expected ',' or '}'", 9 },
	{ "[undefined]", 0, "unexpected character", 1 },
	/* escapes and surrogates */
	{ "[\"\\x\"]", 0, "bad escape", 2 },
	{ "\"\\U0041\"", 0, "bad escape", 1 },
	{ "\"\\'\"", 0, "bad escape", 1 },
	{ "\"\\u12\"", 0, "bad \\u escape", 1 },
	{ "\"\\u00g0\"", 0, "bad \\u escape", 1 },
	{ "\"\\ud800\"", 0, "lone surrogate", 1 },
	{ "\"\\udc00\"", 0, "lone surrogate", 1 },
	{ "\"\\udfff\\ud800\"", 0, "lone surrogate", 1 },
	{ "\"\\ud800\\u0041\"", 0, "lone surrogate", 1 },
	{ "\"\\ud800\\n\"", 0, "lone surrogate", 1 },
	{ "\"\\ud800x\"", 0, "lone surrogate", 1 },
	{ "\"\\ud800\\ud800\"", 0, "lone surrogate", 1 },
	{ "\"\\ud800\\uzzzz\"", 0, "bad \\u escape", 7 },
	/* control bytes and UTF-8 */
	{ "\"a\tb\"", 0, "control character in a string", 2 },
	{ "\"a\nb\"", 0, "control character in a string", 2 },
	{ "\"a\0b\"", 5, "control character in a string", 2 },
	{ "{\"a\0\":1}", 8, "control character in a string", 3 },
	{ "\"\x1f\"", 0, "control character in a string", 1 },
	{ "\"\xff\"", 0, "invalid UTF-8", 1 },
	{ "\"\x80\"", 0, "invalid UTF-8", 1 },
	{ "\"\xc0\x80\"", 0, "invalid UTF-8", 1 },	/* overlong NUL */
	{ "\"\xe0\x80\xaf\"", 0, "invalid UTF-8", 1 },	/* overlong '/' */
	{ "\"\xed\xa0\x80\"", 0, "invalid UTF-8", 1 },	/* an encoded surrogate */
	{ "\"\xf4\x90\x80\x80\"", 0, "invalid UTF-8", 1 },	/* above U+10FFFF */
	{ "\"\xe2\x82\"", 0, "invalid UTF-8", 1 },	/* a sequence cut by the quote */
	{ "\"a\xc3\xa9\xa9\"", 0, "invalid UTF-8", 2 },	/* a continuation byte too many */
};

static size_t len_of(const struct malformed *m)
{
	return m->len ? m->len : strlen(m->rec);
}

START_TEST(accepts_valid_records)
{
	const struct valid *v = &valid[_i];
	struct nbpy_json root;
	size_t where = 99;

	ck_assert_msg(nbpy_json_scan(v->rec, strlen(v->rec), &root, &where) == NULL, "refused %s", v->rec);
	ck_assert_uint_eq(where, 99);	/* untouched */
	ck_assert_int_eq(root.type, v->type);
	ck_assert_uint_eq(root.len, strlen(v->root));
	ck_assert(memcmp(root.text, v->root, root.len) == 0);
}
END_TEST

START_TEST(refuses_malformed_records)
{
	const struct malformed *m = &malformed[_i];
	struct nbpy_json root = { NULL, 0, NBPY_JSON_NONE };
	size_t where = 99;
	const char *why = nbpy_json_scan(m->rec, len_of(m), &root, &where);

	ck_assert_msg(why != NULL, "accepted %s", m->rec);
	ck_assert_msg(strcmp(why, m->why) == 0, "%s: '%s', not '%s'", m->rec, why, m->why);
	ck_assert_msg(where == m->where, "%s: at %zu, not %zu", m->rec, where, m->where);
	ck_assert_ptr_null(root.text);	/* untouched */
	ck_assert_str_eq(nbpy_json_scan(m->rec, len_of(m), &root, NULL), why);	/* where not wanted */
}
END_TEST

/* Every proper prefix of a PRICE line is cut short (the empty one empty),
 * and so is one whose every value is a string, number or literal. */
START_TEST(every_prefix_is_truncated)
{
	static const char *const recs[] = { PRICE, "{\"a\":[1,-2.5e+3,true,false,null,\"\\u00e9\\uD834\\uDD1E\"]}" };

	for (size_t r = 0; r < 2; r++)
		for (size_t n = 0; n < strlen(recs[r]); n++) {
			struct nbpy_json root;
			size_t where;
			const char *why = nbpy_json_scan(recs[r], n, &root, &where);

			ck_assert_msg(why != NULL && strcmp(why, n ? "truncated" : "empty record") == 0,
				      "prefix %zu: %s", n, why ? why : "accepted");
			ck_assert_uint_eq(where, n);
		}
}
END_TEST

/* depth objects or arrays, one inside the other, around "1" or nothing */
static const char *nested(size_t depth, bool objects)
{
	static char buf[1024];
	char *p = buf;

	for (size_t i = 0; i < depth; i++)
		p += sprintf(p, objects ? "{\"a\":" : "[");
	if (objects)
		*p++ = '1';
	for (size_t i = 0; i < depth; i++)
		*p++ = objects ? '}' : ']';
	*p = '\0';
	return buf;
}

START_TEST(nesting_is_bounded)
{
	struct nbpy_json root;
	size_t where;
	const char *rec;

	ck_assert_int_eq(NBPY_JSON_DEPTH_MAX, 32);
	rec = nested(32, false);
	ck_assert_ptr_null(nbpy_json_scan(rec, strlen(rec), &root, NULL));
	rec = nested(32, true);
	ck_assert_ptr_null(nbpy_json_scan(rec, strlen(rec), &root, NULL));
	rec = nested(33, false);
	ck_assert_str_eq(nbpy_json_scan(rec, strlen(rec), &root, &where), "nested too deep");
	ck_assert_uint_eq(where, 32);
	rec = nested(33, true);
	ck_assert_str_eq(nbpy_json_scan(rec, strlen(rec), &root, &where), "nested too deep");
	ck_assert_uint_eq(where, 5 * 32);
	/* far deeper: refused at the limit, not a deep recursion */
	rec = nested(200, false);
	ck_assert_str_eq(nbpy_json_scan(rec, strlen(rec), &root, &where), "nested too deep");
	ck_assert_uint_eq(where, 32);
}
END_TEST

static struct nbpy_json scan_ok(const char *rec)
{
	struct nbpy_json root;

	ck_assert_msg(nbpy_json_scan(rec, strlen(rec), &root, NULL) == NULL, "refused %s", rec);
	return root;
}

static void assert_text(struct nbpy_json v, enum nbpy_json_type type, const char *text)
{
	ck_assert_int_eq(v.type, type);
	ck_assert_msg(v.len == strlen(text) && memcmp(v.text, text, v.len) == 0, "'%.*s', not '%s'", (int)v.len,
		      v.text, text);
}

START_TEST(fields_of_a_price)
{
	struct nbpy_json root = scan_ok(PRICE), first, price;
	struct nbpy_json_field f[] = {
		{ .name = "type" }, { .name = "time" }, { .name = "instrument" }, { .name = "bids" },
		{ .name = "asks" }, { .name = "closeoutBid" }, { .name = "tradeable" }, { .name = "units" },
	};
	struct nbpy_json_iter it;
	int64_t liquidity;
	char s[16];

	ck_assert_ptr_null(nbpy_json_fields(root, f, 8));
	assert_text(f[0].value, NBPY_JSON_STRING, "\"PRICE\"");
	assert_text(f[1].value, NBPY_JSON_STRING, "\"2026-11-30T04:00:01.123456790Z\"");
	assert_text(f[2].value, NBPY_JSON_STRING, "\"EUR_USD\"");
	assert_text(f[3].value, NBPY_JSON_ARRAY, "[{\"price\": \"1.08013\", \"liquidity\": 1000001}, "
						 "{\"price\": \"1.08003\", \"liquidity\": 5000000}]");
	ck_assert_int_eq(f[4].value.type, NBPY_JSON_ARRAY);
	assert_text(f[5].value, NBPY_JSON_STRING, "\"1.08008\"");
	assert_text(f[6].value, NBPY_JSON_TRUE, "true");
	ck_assert_int_eq(f[7].value.type, NBPY_JSON_NONE);

	it = nbpy_json_iter(f[4].value);
	ck_assert(nbpy_json_next(&it, NULL, &first));
	assert_text(first, NBPY_JSON_OBJECT, "{\"price\": \"1.08034\", \"liquidity\": 1000002}");
	ck_assert_ptr_null(nbpy_json_get(first, "price", &price));
	ck_assert_ptr_null(nbpy_json_string(price, s, sizeof(s), NULL));
	ck_assert_str_eq(s, "1.08034");
	ck_assert(nbpy_json_next(&it, NULL, &first));
	ck_assert_ptr_null(nbpy_json_get(first, "liquidity", &first));
	ck_assert_ptr_null(nbpy_json_int64(first, &liquidity));
	ck_assert_int_eq(liquidity, 5000000);
	ck_assert(!nbpy_json_next(&it, NULL, &first));
	ck_assert(!nbpy_json_next(&it, NULL, &first));	/* and stays at the end */
}
END_TEST

START_TEST(lookups_by_name)
{
	struct nbpy_json v, root = scan_ok("{\"a\":1,\"a\":2,\"b\":3,\"typ\\u0065\":4,\"t\\u0000\":5,"
					   "\"\\ud834\\udd1e\":6,\"a\\\\b\":7,\"ab\":8,\"\":9}");
	struct nbpy_json_field f[] = { { .name = "b" }, { .name = "ab" } }, dup[] = { { .name = "b" }, { .name = "a" } };

	ck_assert_str_eq(nbpy_json_get(root, "a", &v), "a name occurs twice");
	ck_assert_ptr_null(nbpy_json_get(root, "b", &v));
	assert_text(v, NBPY_JSON_NUMBER, "3");
	ck_assert_ptr_null(nbpy_json_get(root, "type", &v));	/* names compare unescaped */
	assert_text(v, NBPY_JSON_NUMBER, "4");
	ck_assert_str_eq(nbpy_json_get(root, "t", &v), "no such name");	/* "t\u0000" is not "t" */
	ck_assert_ptr_null(nbpy_json_get(root, "\xf0\x9d\x84\x9e", &v));
	assert_text(v, NBPY_JSON_NUMBER, "6");
	ck_assert_ptr_null(nbpy_json_get(root, "a\\b", &v));
	assert_text(v, NBPY_JSON_NUMBER, "7");
	ck_assert_ptr_null(nbpy_json_get(root, "ab", &v));
	assert_text(v, NBPY_JSON_NUMBER, "8");
	ck_assert_ptr_null(nbpy_json_get(root, "", &v));
	assert_text(v, NBPY_JSON_NUMBER, "9");
	ck_assert_str_eq(nbpy_json_get(root, "abc", &v), "no such name");
	ck_assert_str_eq(nbpy_json_get(root, "typ", &v), "no such name");
	/* a duplicate matters only when it is wanted */
	ck_assert_ptr_null(nbpy_json_fields(root, f, 2));
	assert_text(f[0].value, NBPY_JSON_NUMBER, "3");
	assert_text(f[1].value, NBPY_JSON_NUMBER, "8");
	ck_assert_str_eq(nbpy_json_fields(root, dup, 2), "a name occurs twice");
	/* not an object */
	root = scan_ok("[{\"a\":1}]");
	ck_assert_str_eq(nbpy_json_get(root, "a", &v), "not an object");
	ck_assert_str_eq(nbpy_json_fields(root, f, 2), "not an object");
}
END_TEST

/* nbpy_json_scan_object: the scan and the lookups in one pass, with the
 * verdicts of both; what is not an object is refused as such. */
START_TEST(scan_object_is_scan_and_fields)
{
	struct nbpy_json root, v;
	struct nbpy_json_field f[] = {
		{ .name = "type" }, { .name = "time" }, { .name = "instrument" }, { .name = "bids" },
		{ .name = "asks" }, { .name = "closeoutBid" }, { .name = "tradeable" }, { .name = "units" },
	};
	struct nbpy_json_field g[] = { { .name = "a" }, { .name = "b" } };
	size_t where = 99;

	ck_assert_ptr_null(nbpy_json_scan_object(PRICE, strlen(PRICE), &root, f, 8, &where));
	ck_assert_uint_eq(where, 99);
	assert_text(root, NBPY_JSON_OBJECT, PRICE);
	assert_text(f[0].value, NBPY_JSON_STRING, "\"PRICE\"");
	assert_text(f[1].value, NBPY_JSON_STRING, "\"2026-11-30T04:00:01.123456790Z\"");
	assert_text(f[2].value, NBPY_JSON_STRING, "\"EUR_USD\"");
	ck_assert_ptr_null(nbpy_json_get(root, "bids", &v));
	ck_assert(f[3].value.text == v.text && f[3].value.len == v.len && f[3].value.type == NBPY_JSON_ARRAY);
	ck_assert_int_eq(f[4].value.type, NBPY_JSON_ARRAY);
	assert_text(f[5].value, NBPY_JSON_STRING, "\"1.08008\"");
	assert_text(f[6].value, NBPY_JSON_TRUE, "true");
	ck_assert_int_eq(f[7].value.type, NBPY_JSON_NONE);
	/* nested members are not the root's; escaped names are found */
	ck_assert_ptr_null(nbpy_json_scan_object("{\"x\":{\"a\":1},\"\\u0062\":[2]} ", 27, &root, g, 2, NULL));
	ck_assert_int_eq(g[0].value.type, NBPY_JSON_NONE);
	assert_text(g[1].value, NBPY_JSON_ARRAY, "[2]");
	/* the empty name, and names that share a first byte */
	g[0].name = "";
	g[1].name = "ab";
	ck_assert_ptr_null(nbpy_json_scan_object("{\"a\":1,\"\":2,\"ab\":3}", 19, &root, g, 2, NULL));
	assert_text(g[0].value, NBPY_JSON_NUMBER, "2");
	assert_text(g[1].value, NBPY_JSON_NUMBER, "3");
	g[0].name = "a";
	g[1].name = "b";
	/* a wanted name twice is refused where the second one starts; others may repeat */
	ck_assert_str_eq(nbpy_json_scan_object("{\"a\":1, \"a\":2}", 15, &root, g, 2, &where), "a name occurs twice");
	ck_assert_uint_eq(where, 8);
	ck_assert_ptr_null(nbpy_json_scan_object("{\"c\":1,\"c\":2,\"a\":3}", 19, &root, g, 2, NULL));
	assert_text(g[0].value, NBPY_JSON_NUMBER, "3");
	ck_assert_ptr_null(nbpy_json_scan_object("{}", 2, &root, NULL, 0, NULL));
	/* not an object, or not JSON: the scan's own reasons otherwise */
	ck_assert_str_eq(nbpy_json_scan_object(" [1]", 4, &root, g, 2, &where), "not an object");
	ck_assert_uint_eq(where, 1);
	ck_assert_str_eq(nbpy_json_scan_object("<html>502</html>", 16, &root, g, 2, &where), "not an object");
	ck_assert_uint_eq(where, 0);
	ck_assert_str_eq(nbpy_json_scan_object("\"a\"", 3, &root, NULL, 0, NULL), "not an object");
	ck_assert_str_eq(nbpy_json_scan_object(" ", 1, &root, g, 2, NULL), "empty record");
	ck_assert_str_eq(nbpy_json_scan_object("{\"a\":1", 6, &root, g, 2, &where), "truncated");
	ck_assert_uint_eq(where, 6);
	ck_assert_str_eq(nbpy_json_scan_object("{\"a\":1} x", 9, &root, g, 2, &where), "characters after the value");
	ck_assert_uint_eq(where, 8);
	for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		const struct malformed *m = &malformed[i];

		if (m->rec[strspn(m->rec, " \t\r\n")] == '{')
			ck_assert_str_eq(nbpy_json_scan_object(m->rec, len_of(m), &root, g, 2, NULL), m->why);
	}
}
END_TEST

START_TEST(iterating)
{
	struct nbpy_json name, v, root = scan_ok("[ 1 , \"a]\" ,{\"b\":[2,\"}\"]} ,[], true,null,-0.5e3 ]");
	struct nbpy_json_iter it = nbpy_json_iter(root);
	static const struct {
		enum nbpy_json_type type;
		const char *text;
	} want[] = {
		{ NBPY_JSON_NUMBER, "1" }, { NBPY_JSON_STRING, "\"a]\"" },
		{ NBPY_JSON_OBJECT, "{\"b\":[2,\"}\"]}" }, { NBPY_JSON_ARRAY, "[]" },
		{ NBPY_JSON_TRUE, "true" }, { NBPY_JSON_NULL, "null" }, { NBPY_JSON_NUMBER, "-0.5e3" },
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		ck_assert(nbpy_json_next(&it, NULL, &v));
		assert_text(v, want[i].type, want[i].text);
	}
	ck_assert(!nbpy_json_next(&it, NULL, &v));

	root = scan_ok("{ \"x\" : \"\\\"}\" , \"y\":{} ,\"z\":false}");
	it = nbpy_json_iter(root);
	ck_assert(nbpy_json_next(&it, &name, &v));
	assert_text(name, NBPY_JSON_STRING, "\"x\"");
	assert_text(v, NBPY_JSON_STRING, "\"\\\"}\"");
	ck_assert(nbpy_json_next(&it, NULL, &v));	/* the name not wanted */
	assert_text(v, NBPY_JSON_OBJECT, "{}");
	ck_assert(nbpy_json_next(&it, &name, &v));
	assert_text(name, NBPY_JSON_STRING, "\"z\"");
	assert_text(v, NBPY_JSON_FALSE, "false");
	ck_assert(!nbpy_json_next(&it, &name, &v));

	/* a string ending in an escaped backslash ends at its quote */
	root = scan_ok("[\"a\\\\\",{\"b\\\\\":\"\\\\\"},2]");
	it = nbpy_json_iter(root);
	ck_assert(nbpy_json_next(&it, NULL, &v));
	assert_text(v, NBPY_JSON_STRING, "\"a\\\\\"");
	ck_assert(nbpy_json_next(&it, NULL, &v));
	assert_text(v, NBPY_JSON_OBJECT, "{\"b\\\\\":\"\\\\\"}");
	ck_assert_ptr_null(nbpy_json_get(v, "b\\", &name));
	assert_text(name, NBPY_JSON_STRING, "\"\\\\\"");
	ck_assert(nbpy_json_next(&it, NULL, &v));
	assert_text(v, NBPY_JSON_NUMBER, "2");
	ck_assert(!nbpy_json_next(&it, NULL, &v));

	/* empty containers and scalars hold nothing */
	it = nbpy_json_iter(scan_ok(" [ ] "));
	ck_assert(!nbpy_json_next(&it, NULL, &v));
	it = nbpy_json_iter(scan_ok("{\n}"));
	ck_assert(!nbpy_json_next(&it, &name, &v));
	it = nbpy_json_iter(scan_ok("\"[1]\""));
	ck_assert(!nbpy_json_next(&it, NULL, &v));
	it = nbpy_json_iter(scan_ok("42"));
	ck_assert(!nbpy_json_next(&it, NULL, &v));
}
END_TEST

START_TEST(strings_unescaped)
{
	struct nbpy_json v = scan_ok("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u20AC\\uD834\\uDD1E\\u0041\"");
	static const char want[] = "\"\\/\b\f\n\r\t\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e" "A";
	char buf[64];
	size_t len = 0;

	ck_assert_ptr_null(nbpy_json_string(v, buf, sizeof(buf), &len));
	ck_assert_uint_eq(len, sizeof(want) - 1);
	ck_assert(memcmp(buf, want, sizeof(want)) == 0);	/* NUL included */
	/* the room for the NUL counts, with and without escapes */
	ck_assert_ptr_null(nbpy_json_string(v, buf, sizeof(want), NULL));
	ck_assert_str_eq(nbpy_json_string(v, buf, sizeof(want) - 1, NULL), "too long");
	v = scan_ok("\"abc\"");
	ck_assert_ptr_null(nbpy_json_string(v, buf, 4, &len));
	ck_assert_str_eq(buf, "abc");
	ck_assert_uint_eq(len, 3);
	ck_assert_str_eq(nbpy_json_string(v, buf, 3, NULL), "too long");
	ck_assert_str_eq(nbpy_json_string(v, buf, 0, NULL), "too long");
	v = scan_ok("\"\"");
	ck_assert_ptr_null(nbpy_json_string(v, buf, 1, &len));
	ck_assert_str_eq(buf, "");
	ck_assert_uint_eq(len, 0);
	v = scan_ok("\"a\\u0000b\"");
	ck_assert_str_eq(nbpy_json_string(v, buf, sizeof(buf), NULL), "holds U+0000");
	v = scan_ok("\"\xc3\xa9\"");	/* raw UTF-8 is copied as it is */
	ck_assert_ptr_null(nbpy_json_string(v, buf, sizeof(buf), NULL));
	ck_assert_str_eq(buf, "\xc3\xa9");
	ck_assert_str_eq(nbpy_json_string(scan_ok("12"), buf, sizeof(buf), NULL), "not a string");
	ck_assert_str_eq(nbpy_json_string(scan_ok("null"), buf, sizeof(buf), NULL), "not a string");
}
END_TEST

START_TEST(integers)
{
	static const struct {
		const char *rec;
		const char *why;
		int64_t value;
	} cases[] = {
		{ "0", NULL, 0 },
		{ "-0", NULL, 0 },
		{ "1000001", NULL, 1000001 },
		{ "-42", NULL, -42 },
		{ "9223372036854775807", NULL, INT64_MAX },
		{ "-9223372036854775808", NULL, INT64_MIN },
		{ "9223372036854775808", "out of range", 0 },
		{ "-9223372036854775809", "out of range", 0 },
		{ "92233720368547758070", "out of range", 0 },
		{ "123456789012345678901234567890", "out of range", 0 },
		{ "1.0", "not an integer", 0 },
		{ "1e3", "not an integer", 0 },
		{ "1E3", "not an integer", 0 },
		{ "\"1\"", "not a number", 0 },
		{ "true", "not a number", 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t v = 7;
		const char *why = nbpy_json_int64(scan_ok(cases[i].rec), &v);

		if (cases[i].why == NULL) {
			ck_assert_msg(why == NULL, "%s: %s", cases[i].rec, why);
			ck_assert_int_eq(v, cases[i].value);
		} else {
			ck_assert_msg(why != NULL && strcmp(why, cases[i].why) == 0, "%s: %s", cases[i].rec,
				      why ? why : "accepted");
			ck_assert_int_eq(v, 7);	/* untouched */
		}
	}
}
END_TEST

/* json-c agrees on every valid record, value for value, and refuses every
 * malformed one but those it is known to accept (json_c_differences). */
/* A member that was not there (type NONE, text NULL): every accessor says
 * so, without touching the pointer (UBSan: no arithmetic on NULL). */
START_TEST(missing_values)
{
	const struct nbpy_json none = { NULL, 0, NBPY_JSON_NONE };
	struct nbpy_json_iter it = nbpy_json_iter(none);
	struct nbpy_json name, value;
	char buf[8];
	int64_t i;

	ck_assert_str_eq(nbpy_json_string(none, buf, sizeof(buf), NULL), "not a string");
	ck_assert_str_eq(nbpy_json_int64(none, &i), "not a number");
	ck_assert(!nbpy_json_next(&it, &name, &value));
}
END_TEST

START_TEST(json_c_agrees)
{
	bool ok;
	enum json_tokener_error err;
	struct json_object *o;

	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		struct nbpy_json root = scan_ok(valid[i].rec);

		o = json_c_parse(valid[i].rec, strlen(valid[i].rec), &ok, &err);
		ck_assert_msg(ok, "json-c refused %s", valid[i].rec);
		ck_assert_msg(json_c_same(root, o), "json-c reads %s otherwise", valid[i].rec);
		json_object_put(o);
	}
	for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		const struct malformed *m = &malformed[i];

		o = json_c_parse(m->rec, len_of(m), &ok, &err);
		json_object_put(o);
		if (json_c_comparable(m->rec, len_of(m), m->why, m->where, err))
			ck_assert_msg(!ok, "json-c accepted %s", m->rec);
	}
}
END_TEST

/* What json-c 0.16, strict, accepts and RFC 8259 (and json_scan) does not.
 * Should json-c change, this says so. */
START_TEST(json_c_differences)
{
	static const char *const lax[] = {
		"\"a\tb\"", "\"\x1f\"",				/* raw control characters */
		"\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"",	/* lone surrogates, read as U+FFFD */
		"\"\xc0\x80\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"",	/* overlong, surrogate, > U+10FFFF */
		"[00]", "[-01]", "[1.]", "1.",			/* numbers */
		"[NaN]", "[Infinity]", "[-Infinity]",
		"{'a':1}", "{'a\\\"':1}",					/* names in single quotes */
	};
	struct nbpy_json root;
	struct json_object *o;
	bool ok;
	enum json_tokener_error err;

	for (size_t i = 0; i < sizeof(lax) / sizeof(lax[0]); i++) {
		size_t where;
		const char *why = nbpy_json_scan(lax[i], strlen(lax[i]), &root, &where);

		json_object_put(json_c_parse(lax[i], strlen(lax[i]), &ok, &err));
		ck_assert_msg(ok, "json-c now refuses %s", lax[i]);
		ck_assert_msg(why != NULL, "json_scan accepts %s", lax[i]);
		ck_assert_msg(!json_c_comparable(lax[i], strlen(lax[i]), why, where, err), "%s: %s", lax[i], why);
	}
	/* json-c reads "\uD836\uDC00" (U+1D800) as U+FFFD */
	ck_assert(json_c_misreads("\xf0\x9d\xa0\x80", 4));
	ck_assert(!json_c_misreads("\xf0\x9d\x84\x9e", 4));
	o = json_c_parse("\"\\uD836\\uDC00\"", 14, &ok, &err);
	ck_assert(ok);
	ck_assert_str_eq(json_object_get_string(o), "\xef\xbf\xbd");
	json_object_put(o);
	/* json-c keeps a duplicate's last value; the lookups refuse it */
	json_object_put(json_c_parse("{\"a\":1,\"a\":2}", 13, &ok, &err));
	ck_assert(ok);
	/* json-c's depth counts an object's scalar member: 32 objects around a 1 are too deep */
	json_object_put(json_c_parse(nested(32, true), strlen(nested(32, true)), &ok, &err));
	ck_assert(!ok);
	ck_assert_int_eq(err, json_tokener_error_depth);
}
END_TEST

/* ---- the tape ---- */

static struct nbpy_json_tape tape = NBPY_JSON_TAPE_INIT;	/* one, reused as the kinds do */

/* Token i of the tape and all it holds against the span v and what the
 * iterators find in it; numbers against libc's strtod.  The index after. */
static uint32_t tape_is(uint32_t i, struct nbpy_json v)
{
	struct nbpy_json t = nbpy_json_tape_value(&tape, i), name, member;
	struct nbpy_json_iter it = nbpy_json_iter(v);
	uint32_t k = i + 1;

	ck_assert_msg(t.text == v.text && t.len == v.len && t.type == v.type, "token %u: '%.*s' (%d), not '%.*s' (%d)",
		      i, (int)t.len, t.text, t.type, (int)v.len, v.text, v.type);
	if (v.type == NBPY_JSON_NUMBER && v.len < 64) {
		char text[64];
		double got, want;

		memcpy(text, v.text, v.len);
		text[v.len] = '\0';
		want = strtod(text, NULL);
		if (isfinite(want)) {
			ck_assert_ptr_null(nbpy_json_tape_number(&tape, i, &got));
			ck_assert_msg(got == want && signbit(got) == signbit(want), "%s: %.17g, not %.17g", text, got, want);
		} else {
			ck_assert_str_eq(nbpy_json_tape_number(&tape, i, &got), "out of range");
		}
	}
	while (nbpy_json_next(&it, &name, &member)) {
		if (v.type == NBPY_JSON_OBJECT)
			k = tape_is(k, name);
		k = tape_is(k, member);
	}
	ck_assert_uint_eq(tape.tok[i].next, k);
	return k;
}

START_TEST(tape_holds_what_the_iterators_find)
{
	const struct valid *v = &valid[_i];
	struct nbpy_json root;
	size_t where = 99;

	ck_assert_ptr_null(nbpy_json_scan(v->rec, strlen(v->rec), &root, NULL));
	ck_assert_msg(nbpy_json_tape_scan(&tape, v->rec, strlen(v->rec), &where) == NULL, "refused %s", v->rec);
	ck_assert_uint_eq(where, 99);	/* untouched */
	ck_assert_ptr_eq(tape.rec, v->rec);
	ck_assert_uint_eq(tape_is(0, root), tape.n);
}
END_TEST

START_TEST(tape_refuses_as_the_scan)
{
	const struct malformed *m = &malformed[_i];
	size_t where = 99;
	const char *why = nbpy_json_tape_scan(&tape, m->rec, len_of(m), &where);

	ck_assert_msg(why != NULL && strcmp(why, m->why) == 0, "%s: '%s', not '%s'", m->rec, why ? why : "accepted", m->why);
	ck_assert_msg(where == m->where, "%s: at %zu, not %zu", m->rec, where, m->where);
}
END_TEST

/* Numbers: the scan's own reading (no exponent, 15 digits at most) and
 * strtod's (the rest), each against the value written by hand. */
START_TEST(tape_numbers)
{
	static const char rec[] = "[0, -0, 1, -7, 15.95, 498.72, 0.001, 123456789012345, 1234567890123456789, "
				  "0.1, 2.5e3, -1E-2, 1.7976931348623157e308, 1e400, -1e400, 4.9e-324, 549968344652.8355980, \"1\", "
				  "0.00000000000000000000000000000000000000000000000000000000000000000001]";
	static const double want[] = { 0, -0.0, 1, -7, 15.95, 498.72, 0.001, 123456789012345.0, 1234567890123456789.0,
				       0.1, 2500, -0.01, 1.7976931348623157e308, 0, 0, 4.9e-324,
				       549968344652.8355980 };	/* 5499683446528355980 / 1e7 would round twice */
	double v;
	uint32_t i = 1;

	ck_assert_ptr_null(nbpy_json_tape_scan(&tape, rec, strlen(rec), NULL));
	ck_assert_uint_eq(tape.n, 20);
	for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++, i = tape.tok[i].next) {
		if (k == 13 || k == 14) {
			ck_assert_str_eq(nbpy_json_tape_number(&tape, i, &v), "out of range");
			continue;
		}
		ck_assert_msg(nbpy_json_tape_number(&tape, i, &v) == NULL, "number %zu refused", k);
		ck_assert_msg(v == want[k] && signbit(v) == signbit(want[k]), "number %zu: %.17g", k, v);
	}
	ck_assert_str_eq(nbpy_json_tape_number(&tape, i, &v), "not a number");
	ck_assert_str_eq(nbpy_json_tape_number(&tape, tape.tok[i].next, &v), "number too long");
	ck_assert_str_eq(nbpy_json_tape_number(&tape, 0, &v), "not a number");
}
END_TEST

START_TEST(tape_fields)
{
	static const char rec[] = "{\"id\": 1, \"b\\u0061tb\": [[0, 1.5, 2]], \"x\": {\"id\": 2, \"hc\": 3}, \"\": null}";
	struct nbpy_json_field f[] = { { .name = "id" }, { .name = "batb" }, { .name = "hc" }, { .name = "x" },
				       { .name = "" } };
	struct nbpy_json_field dup[] = { { .name = "a" } };
	double v;

	ck_assert_ptr_null(nbpy_json_tape_scan(&tape, rec, strlen(rec), NULL));
	ck_assert_ptr_null(nbpy_json_tape_fields(&tape, 0, f, 5));
	/* tokens by hand: 0 {, 1 "id", 2 1, 3 "b\u0061tb", 4 [, 5 [, 6 0, 7 1.5, 8 2, 9 "x", 10 {, ... 15 "", 16 null */
	ck_assert_uint_eq(f[0].at, 2);
	assert_text(f[0].value, NBPY_JSON_NUMBER, "1");
	ck_assert_uint_eq(f[1].at, 4);	/* an escaped name, found */
	assert_text(f[1].value, NBPY_JSON_ARRAY, "[[0, 1.5, 2]]");
	ck_assert_uint_eq(tape.tok[4].next, 9);
	ck_assert_uint_eq(f[2].at, 0);	/* only in the nested object */
	ck_assert_int_eq(f[2].value.type, NBPY_JSON_NONE);
	ck_assert_uint_eq(f[3].at, 10);
	ck_assert_uint_eq(f[4].at, 16);
	ck_assert_int_eq(f[4].value.type, NBPY_JSON_NULL);
	ck_assert_ptr_null(nbpy_json_tape_number(&tape, 7, &v));
	ck_assert(v == 1.5);
	/* the nested object's own */
	ck_assert_ptr_null(nbpy_json_tape_fields(&tape, 10, f, 3));
	ck_assert_uint_eq(f[0].at, 12);
	ck_assert_uint_eq(f[2].at, 14);
	ck_assert_uint_eq(f[1].at, 0);
	ck_assert_str_eq(nbpy_json_tape_fields(&tape, 4, f, 3), "not an object");
	ck_assert_ptr_null(nbpy_json_tape_scan(&tape, "{\"a\":1,\"\\u0061\":2}", 18, NULL));
	ck_assert_str_eq(nbpy_json_tape_fields(&tape, 0, dup, 1), "a name occurs twice");
}
END_TEST

/* A record of many values grows the tape; the next, smaller one reuses it. */
START_TEST(tape_grows_and_is_reused)
{
	char *rec = malloc(5 * 10000 + 2), *p = rec;
	uint32_t i, k;
	double v;

	ck_assert_ptr_nonnull(rec);
	*p++ = '[';
	for (k = 0; k < 10000; k++)
		p += sprintf(p, "%u%s", k, k + 1 < 10000 ? "," : "]");
	ck_assert_ptr_null(nbpy_json_tape_scan(&tape, rec, strlen(rec), NULL));
	ck_assert_uint_eq(tape.n, 10001);
	ck_assert_uint_ge(tape.cap, 10001);
	for (i = 1, k = 0; i < tape.tok[0].next; i = tape.tok[i].next, k++) {
		ck_assert_ptr_null(nbpy_json_tape_number(&tape, i, &v));
		ck_assert(v == k);
	}
	ck_assert_uint_eq(k, 10000);
	free(rec);
	ck_assert_ptr_null(nbpy_json_tape_scan(&tape, "[true]", 6, NULL));
	ck_assert_uint_eq(tape.n, 2);
	ck_assert_int_eq(tape.tok[1].type, NBPY_JSON_TRUE);
	nbpy_json_tape_free(&tape);
	ck_assert_ptr_null(tape.tok);
	ck_assert_uint_eq(tape.cap, 0);
}
END_TEST

/* A token's offset is 32 bits: a longer record is refused before a byte
 * of it is read (so a short buffer stands for it here). */
START_TEST(tape_refuses_a_record_past_4_gib)
{
	size_t where = 99;

	ck_assert_str_eq(nbpy_json_tape_scan(&tape, "[]", (size_t)UINT32_MAX + 1, &where), "record too long");
	ck_assert_uint_eq(where, 0);
	ck_assert_uint_eq(tape.n, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("json_scan");
	TCase *tc = tcase_create("json_scan");

	tcase_add_loop_test(tc, accepts_valid_records, 0, sizeof(valid) / sizeof(valid[0]));
	tcase_add_loop_test(tc, refuses_malformed_records, 0, sizeof(malformed) / sizeof(malformed[0]));
	tcase_add_test(tc, every_prefix_is_truncated);
	tcase_add_test(tc, nesting_is_bounded);
	tcase_add_test(tc, fields_of_a_price);
	tcase_add_test(tc, lookups_by_name);
	tcase_add_test(tc, scan_object_is_scan_and_fields);
	tcase_add_test(tc, iterating);
	tcase_add_test(tc, strings_unescaped);
	tcase_add_test(tc, integers);
	tcase_add_test(tc, missing_values);
	tcase_add_test(tc, json_c_agrees);
	tcase_add_test(tc, json_c_differences);
	tcase_add_loop_test(tc, tape_holds_what_the_iterators_find, 0, sizeof(valid) / sizeof(valid[0]));
	tcase_add_loop_test(tc, tape_refuses_as_the_scan, 0, sizeof(malformed) / sizeof(malformed[0]));
	tcase_add_test(tc, tape_numbers);
	tcase_add_test(tc, tape_fields);
	tcase_add_test(tc, tape_grows_and_is_reused);
	tcase_add_test(tc, tape_refuses_a_record_past_4_gib);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
