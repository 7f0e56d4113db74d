/* x_post.h - one line of the X API v2 filtered stream into a sentiment
 * message: the post, its author and place from `includes`, the tags of the
 * matching rules, and the VADER scores of its text. */
#ifndef NBPY_X_POST_H
#define NBPY_X_POST_H

#include <stdbool.h>
#include <stddef.h>

#include "common/wire.h"
#include "workers/twitter/vader.h"

enum x_post_result {
	X_POST_OK,		/* *m is a sentiment message (header: event_ns only) */
	X_POST_BAD,		/* malformed: *why says what */
	X_POST_TOO_LONG,	/* a text over NBPY_TEXT_MAX bytes: not scored */
	X_POST_STREAM_ERROR,	/* an `errors` object without `data`: X is dropping the stream */
};

/* Parse rec[0, len) (NUL-terminated at len).  The text is kept in the
 * message only with keep_text.  *why: a short static reason, and *at the
 * byte where the JSON went wrong (0 when it is not a syntax error). */
enum x_post_result x_post_parse(const char *rec, size_t len, const struct vader_lexicon *lex, bool keep_text,
				struct nbpy_msg *m, const char **why, size_t *at);

/* The geohash of (lat, lon), `chars` characters (at most 12) and a NUL. */
void x_geohash(double lat, double lon, size_t chars, char *out);

#endif
