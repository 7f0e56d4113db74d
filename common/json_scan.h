/* json_scan.h - a strict JSON scanner for one record that allocates nothing.
 *
 * For hot paths that read a few fields of every line of a stream (OANDA's
 * pricing stream): nbpy_json_scan checks the whole record against RFC 8259
 * in one pass and hands back its value as a span of the record; the other
 * calls read what the caller needs from spans, in place, without building a
 * tree.  Where a tree is handier and speed does not matter (control
 * requests, REST answers), json-c is fine.
 *
 *	struct nbpy_json_field f[] = { { .name = "instrument" }, { .name = "bids" } };
 *	struct nbpy_json root, first;
 *	struct nbpy_json_iter it;
 *	char instrument[16];
 *
 *	if ((why = nbpy_json_scan_object(line, len, &root, f, 2, &at)) != NULL)
 *		... malformed: count, and log why and where (at)
 *	if (nbpy_json_string(f[0].value, instrument, sizeof(instrument), NULL) != NULL)
 *		... missing (type NBPY_JSON_NONE), not a string, or too long
 *	it = nbpy_json_iter(f[1].value);
 *	if (!nbpy_json_next(&it, NULL, &first))
 *		... not an array, or empty
 *
 * Strict: RFC 8259's grammar exactly, any value at the top (the caller
 * checks the type), whitespace (space, tab, CR, LF) around it and nothing
 * else after it; strings of well-formed UTF-8 (no overlongs, no encoded
 * surrogates) without raw control characters, escapes from the RFC's list
 * only, \uD800-\uDFFF only as a high-low pair; numbers without leading
 * zeros, '+', a bare '.' or NaN/Infinity; no byte order mark, no comments,
 * no trailing commas; objects and arrays nested at most NBPY_JSON_DEPTH_MAX
 * deep.  Duplicate names are valid syntax (the RFC says names SHOULD be
 * unique) and pass the scan, but the lookups refuse a name that occurs twice
 * rather than pick one (parsers differ: json-c keeps the last).  Time is
 * linear in the record's length; the record's length is the caller's bound
 * (a stream's max_record).  Where json-c 0.16 differs, see
 * tests/unit/test_json_scan.c (json_c_differences).
 *
 * The accessors take spans that nbpy_json_scan returned or that came from
 * them (they rely on the record having been checked) and are valid while the
 * record is.  Errors are short static reasons, for a log line. */
#ifndef NBPY_JSON_SCAN_H
#define NBPY_JSON_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NBPY_JSON_DEPTH_MAX 32	/* objects and arrays, one inside the other */

enum nbpy_json_type {
	NBPY_JSON_NONE,		/* not found (nbpy_json_fields) */
	NBPY_JSON_OBJECT,
	NBPY_JSON_ARRAY,
	NBPY_JSON_STRING,
	NBPY_JSON_NUMBER,
	NBPY_JSON_TRUE,
	NBPY_JSON_FALSE,
	NBPY_JSON_NULL,
};

/* A value: its text in the record (a string's with its quotes, an object's
 * with its braces) and its type. */
struct nbpy_json {
	const char *text;
	size_t len;
	enum nbpy_json_type type;
};

/* Check rec[0, len) (need not be NUL-terminated) and set *root to its value.
 * NULL, or why it is not JSON; then *where (if not NULL) is the offset of the
 * offending byte (len: it ended too soon). */
const char *nbpy_json_scan(const char *rec, size_t len, struct nbpy_json *root, size_t *where);

/* nbpy_json_scan for a record that must be an object ("not an object"),
 * with nbpy_json_fields(*root, fields, n) done in the same pass: what a
 * stream's reader wants, read at no more than the cost of checking.  The
 * first fault found is the one reported: a wanted name met twice may come
 * before a syntax error further on. */
struct nbpy_json_field;
const char *nbpy_json_scan_object(const char *rec, size_t len, struct nbpy_json *root,
				  struct nbpy_json_field *fields, size_t n, size_t *where);

/* The members of an object or the elements of an array, in order. */
struct nbpy_json_iter {
	const char *p, *end;
	bool object;
};
/* Anything else iterates over nothing. */
struct nbpy_json_iter nbpy_json_iter(struct nbpy_json container);
/* The next element (name untouched) or member (its name, a string, into
 * *name if not NULL); false after the last. */
bool nbpy_json_next(struct nbpy_json_iter *it, struct nbpy_json *name, struct nbpy_json *value);

/* Several members of an object in one pass: each field's value, type
 * NBPY_JSON_NONE if its name does not occur.  NULL, or why not (not an
 * object, a wanted name occurs twice).  Names compare after unescaping. */
struct nbpy_json_field {
	const char *name;
	struct nbpy_json value;
	uint32_t at;		/* nbpy_json_tape_fields: the value's token, 0 if absent */
};
const char *nbpy_json_fields(struct nbpy_json object, struct nbpy_json_field *fields, size_t n);

/* One member of an object: NULL, or why not (not an object, no such name,
 * the name occurs twice). */
const char *nbpy_json_get(struct nbpy_json object, const char *name, struct nbpy_json *value);

/* A string's text, unescaped, NUL-terminated, into buf[cap]; its length
 * into *len if not NULL.  NULL, or why not (not a string, too long for buf,
 * holds U+0000, which a C string cannot). */
const char *nbpy_json_string(struct nbpy_json s, char *buf, size_t cap, size_t *len);

/* An integer (a number without fraction or exponent) in int64_t range.
 * NULL, or why not. */
const char *nbpy_json_int64(struct nbpy_json n, int64_t *out);

/* ---- the tape: every value of a record, for a reader that wants most of it ----
 *
 * nbpy_json_tape_scan checks a record as nbpy_json_scan does and, in the
 * same pass, records each value as a token, in the record's order: a
 * container's token is followed by those of what it holds (an object's as
 * name, value, name, value...), and each token says where the one after it
 * and all it holds is; a number's token holds its value.  A reader then
 * walks a record of any depth once, skips a value in one step and reads no
 * text twice (the iterators above walk a nested value's text once per
 * level).  Betfair's market changes, ladders in runners in markets in the
 * line, are read so.
 *
 *	struct nbpy_json_tape t = NBPY_JSON_TAPE_INIT;	// reused, line after line
 *
 *	if ((why = nbpy_json_tape_scan(&t, line, len, &at)) != NULL)
 *		... malformed
 *	for (uint32_t i = 1; i < t.tok[0].next; i = t.tok[i].next)
 *		... each element i of a root array
 *	nbpy_json_tape_free(&t);
 */
struct nbpy_json_tok {
	uint32_t off, len;	/* the value's text: rec + off, len bytes */
	uint32_t next;		/* the token after this value and all it holds */
	uint8_t type;		/* enum nbpy_json_type */
	bool escaped;		/* a string holding a backslash */
	double num;		/* a number's value, NaN: read it with nbpy_json_tape_number */
};

struct nbpy_json_tape {
	const char *rec;	/* the record scanned last */
	struct nbpy_json_tok *tok;	/* tok[0] is its value */
	uint32_t n, cap;
};
#define NBPY_JSON_TAPE_INIT { NULL, NULL, 0, 0 }

/* Check rec[0, len) as nbpy_json_scan does ("record too long" past 4 GiB,
 * "out of memory" too) and record it into t, which grows as needed and
 * keeps its memory for the next record.  The tokens are valid while rec is
 * and until the next scan into t. */
const char *nbpy_json_tape_scan(struct nbpy_json_tape *t, const char *rec, size_t len, size_t *where);
void nbpy_json_tape_free(struct nbpy_json_tape *t);

/* Token i as a span, for the accessors above. */
struct nbpy_json nbpy_json_tape_value(const struct nbpy_json_tape *t, uint32_t i);

/* nbpy_json_fields for the object at token i (the fields' names differ),
 * with each field's at (its value's token; 0 with type NBPY_JSON_NONE when
 * the name does not occur: a member is never token 0). */
const char *nbpy_json_tape_fields(const struct nbpy_json_tape *t, uint32_t i, struct nbpy_json_field *fields,
				  size_t n);

/* Token i as a finite double, correctly rounded.  NULL, or why not (not a
 * number, out of a double's range, more than 63 characters). */
const char *nbpy_json_tape_number(const struct nbpy_json_tape *t, uint32_t i, double *out);

#endif
