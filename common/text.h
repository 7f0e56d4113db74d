/* text.h - small string checks shared by the codec and the config parser. */
#ifndef NBPY_TEXT_H
#define NBPY_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Well-formed UTF-8 (no overlongs, no surrogates) without NUL bytes. */
bool nbpy_utf8_valid(const char *s, size_t len);

/* Levenshtein distance, capped at 255 (enough to rank suggestions). */
unsigned nbpy_edit_distance(const char *a, const char *b);

/* The candidate closest to word, or NULL when none is close enough to be a
 * plausible typo (distance <= max(2, strlen(word) / 3)). */
const char *nbpy_closest(const char *word, const char *const *candidates, size_t n);

#endif
