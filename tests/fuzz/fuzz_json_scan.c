/* fuzz_json_scan.c - libFuzzer target for common/json_scan.c: the input is
 * one record, not NUL-terminated.  A refusal points inside the record; an
 * accepted record's every value, walked with every accessor, lies inside it
 * and scans alone to the same value; nbpy_json_scan_object agrees with the
 * scan and nbpy_json_fields; the tape gives the same verdict and holds what
 * the iterators find; and json-c 0.16 (strict) gives the same verdict and
 * the same values, except where it is known to be laxer
 * (tests/unit/json_vs_json_c.h). */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/json_scan.h"
#include "tests/unit/json_vs_json_c.h"

/* nbpy_json_scan_object is nbpy_json_scan, an object check and
 * nbpy_json_fields in one: same verdict, same values. */
static void check_scan_object(const char *rec, size_t size, const char *why, struct nbpy_json root)
{
	struct nbpy_json_field f[] = { { .name = "a" }, { .name = "type" }, { .name = "" }, { .name = "b" } },
			       g[] = { { .name = "a" }, { .name = "type" }, { .name = "" }, { .name = "b" } };
	struct nbpy_json r;
	const char *w = nbpy_json_scan_object(rec, size, &r, f, 4, NULL);

	if (why != NULL || root.type != NBPY_JSON_OBJECT) {	/* a duplicate may be met first */
		if (w == NULL || (why != NULL && strcmp(why, w) != 0 && strcmp(w, "not an object") != 0 &&
				  strcmp(w, "a name occurs twice") != 0))
			abort();
		return;
	}
	why = nbpy_json_fields(root, g, 4);
	if ((w == NULL) != (why == NULL) || (w != NULL && strcmp(w, why) != 0))
		abort();
	if (w != NULL)
		return;
	if (r.text != root.text || r.len != root.len)
		abort();
	for (int i = 0; i < 4; i++)
		if (f[i].value.type != g[i].value.type || f[i].value.text != g[i].value.text ||
		    f[i].value.len != g[i].value.len)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *rec_start, *rec_end;

/* v lies in the record and is, alone, a record with the same value. */
static void check_alone(struct nbpy_json v)
{
	struct nbpy_json again;

	if (v.text < rec_start || v.len == 0 || v.len > (size_t)(rec_end - v.text))
		abort();
	if (nbpy_json_scan(v.text, v.len, &again, NULL) != NULL || again.text != v.text || again.len != v.len ||
	    again.type != v.type)
		abort();
}

static void walk(struct nbpy_json v, int depth)
{
	static char buf[8], big[65536];
	struct nbpy_json_iter it = nbpy_json_iter(v);
	struct nbpy_json name, x, y;
	size_t len, n = 0;
	int64_t i;
	const char *why;

	if (depth > NBPY_JSON_DEPTH_MAX)
		abort();
	check_alone(v);
	/* a string fits a buffer exactly when its length and NUL do */
	why = nbpy_json_string(v, big, sizeof(big), &len);
	if (why == NULL &&
	    (len != strlen(big) || (nbpy_json_string(v, buf, sizeof(buf), NULL) == NULL) != (len < sizeof(buf))))
		abort();
	if ((why == NULL || strcmp(why, "not a string") != 0) != (v.type == NBPY_JSON_STRING))
		abort();
	if (nbpy_json_int64(v, &i) == NULL && v.type != NBPY_JSON_NUMBER)
		abort();
	while (nbpy_json_next(&it, &name, &x)) {
		if (++n > v.len)
			abort();
		walk(x, depth + 1);
		if (v.type != NBPY_JSON_OBJECT)
			continue;
		check_alone(name);
		if (name.type != NBPY_JSON_STRING || name.text < v.text || x.text <= name.text)
			abort();
		/* a lookup by this name finds this member, or says it occurs twice */
		if (nbpy_json_string(name, big, sizeof(big), NULL) == NULL) {
			why = nbpy_json_get(v, big, &y);
			if (why == NULL ? y.text != x.text : strcmp(why, "a name occurs twice") != 0)
				abort();
		}
	}
	if (v.type != NBPY_JSON_OBJECT && v.type != NBPY_JSON_ARRAY && n != 0)
		abort();
}

static struct nbpy_json_tape tape = NBPY_JSON_TAPE_INIT;

/* Token i of the tape and all it holds are the span v and what the
 * iterators find in it; a number reads as libc's strtod reads it.  The
 * index after. */
static uint32_t tape_is(uint32_t i, struct nbpy_json v)
{
	struct nbpy_json t, name, x;
	struct nbpy_json_iter it = nbpy_json_iter(v);
	uint32_t k = i + 1;

	if (i >= tape.n)
		abort();
	t = nbpy_json_tape_value(&tape, i);
	if (t.text != v.text || t.len != v.len || t.type != v.type)
		abort();
	if (v.type == NBPY_JSON_NUMBER && v.len < 64) {
		char text[64];
		double got, want;
		const char *why = nbpy_json_tape_number(&tape, i, &got);

		memcpy(text, v.text, v.len);
		text[v.len] = '\0';
		want = strtod(text, NULL);
		if (isfinite(want) ? why != NULL || got != want || signbit(got) != signbit(want) : why == NULL)
			abort();
	}
	while (nbpy_json_next(&it, &name, &x)) {
		if (v.type == NBPY_JSON_OBJECT)
			k = tape_is(k, name);
		k = tape_is(k, x);
	}
	if (tape.tok[i].next != k)
		abort();
	return k;
}

/* The tape's scan gives the scan's verdict and where; its tokens, what the
 * iterators find. */
static void check_tape(const char *rec, size_t size, const char *why, size_t where, struct nbpy_json root)
{
	size_t at = SIZE_MAX;
	const char *w = nbpy_json_tape_scan(&tape, rec, size, &at);

	if ((w == NULL) != (why == NULL) || (w != NULL && (strcmp(w, why) != 0 || at != where)))
		abort();
	if (w == NULL && tape_is(0, root) != tape.n)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *rec = (const char *)data;
	struct nbpy_json root = { NULL, 0, NBPY_JSON_NONE };
	struct json_object *o;
	enum json_tokener_error err;
	size_t where = SIZE_MAX;
	const char *why;
	bool ok;

	if (size > INT_MAX / 2)
		return 0;
	rec_start = rec;
	rec_end = rec + size;
	why = nbpy_json_scan(rec, size, &root, &where);
	/* cut short exactly when the scan ran off the end of something */
	if (why != NULL && (where > size || (strcmp(why, "truncated") == 0) !=
						(where == size && strcmp(why, "empty record") != 0)))
		abort();
	if (why == NULL)
		walk(root, 0);
	check_scan_object(rec, size, why, root);
	check_tape(rec, size, why, where, root);
	o = json_c_parse(rec, size, &ok, &err);
	if (json_c_comparable(rec, size, why, where, err) &&
	    (ok != (why == NULL) || (ok && !json_c_same(root, o))))
		abort();
	json_object_put(o);
	return 0;
}
