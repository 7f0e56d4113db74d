/* vader.h - VADER sentiment scores (Hutto & Gilbert 2014) in plain C.
 *
 * The lexicon-and-rules method of vaderSentiment 3.3.2 (docs/sentiment.md):
 * a lexicon of word valences read from a file (vader_lexicon.txt: word TAB
 * mean TAB ...), boosters, the 3-word negation window, "but", ALL-CAPS
 * emphasis, "!" and "?" amplification, the idioms, compound normalisation
 * and the pos/neu/neg proportions.  No I/O but loading the lexicon, no
 * allocation per text; texts are bounded and must be valid UTF-8. */
#ifndef NBPY_VADER_H
#define NBPY_VADER_H

#include <stddef.h>

#include "common/error.h"

/* Bounds on what is scored: an X post is at most 280 characters (some 1,120
 * bytes of UTF-8); anything over these is refused, never cut. */
#define VADER_TEXT_MAX 8192	/* bytes */
#define VADER_TOKENS_MAX 1024
#define VADER_WORD_MAX 64	/* bytes of a lexicon word */

struct vader_lexicon;

/* The scores, rounded as the reference rounds them: compound to 4 decimals,
 * pos/neu/neg to 3 (all 0 for a text without tokens). */
struct vader_scores {
	double compound, pos, neu, neg;
};

enum vader_result {
	VADER_OK = 0,
	VADER_BAD_UTF8,		/* the text is not valid UTF-8, or holds a NUL */
	VADER_TOO_LONG,		/* over VADER_TEXT_MAX bytes or VADER_TOKENS_MAX tokens */
};

/* Read the lexicon at path.  NULL with err set ("PATH:LINE: what") when the
 * file is missing, unreadable or malformed. */
struct vader_lexicon *vader_lexicon_load(const char *path, struct nbpy_error *err);
void vader_lexicon_free(struct vader_lexicon *lex);
size_t vader_lexicon_size(const struct vader_lexicon *lex);
/* The valence of a (lower-case) word; 0 when it is not there (found = 0). */
double vader_lexicon_get(const struct vader_lexicon *lex, const char *word, size_t len, int *found);

/* Score len bytes of text.  On anything but VADER_OK, *out is all 0. */
enum vader_result vader_score(const struct vader_lexicon *lex, const char *text, size_t len,
			      struct vader_scores *out);

#endif
