/* buf.h - the one growable byte buffer: config text, HTTP bodies, sink
 * batches, COPY and line-protocol text, legacy frames.
 *
 * The content is always followed by a NUL (not counted in len), so text
 * can be handed to C string functions.  A failed allocation sets `failed`
 * and leaves the content as it was; later appends do nothing, so a caller
 * may build a whole message and check once at the end. */
#ifndef NBPY_BUF_H
#define NBPY_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct nbpy_buf {
	char *data;		/* NULL until the first append */
	size_t len, cap;
	bool failed;		/* an allocation failed: the content is incomplete */
};

#define NBPY_BUF_INIT { NULL, 0, 0, false }

/* Room for `more` bytes past len (and the NUL); -1 on failure. */
int nbpy_buf_reserve(struct nbpy_buf *b, size_t more);
/* Append; -1 when this or an earlier append failed. */
int nbpy_buf_append(struct nbpy_buf *b, const void *p, size_t n);
int nbpy_buf_puts(struct nbpy_buf *b, const char *s);
int nbpy_buf_putc(struct nbpy_buf *b, char c);
int nbpy_buf_printf(struct nbpy_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Empty it (and clear `failed`), keeping the memory for reuse. */
void nbpy_buf_reset(struct nbpy_buf *b);
/* The content as a malloc'ed string the caller frees (NULL if it failed,
 * or "" if empty); b is left empty. */
char *nbpy_buf_steal(struct nbpy_buf *b);
void nbpy_buf_free(struct nbpy_buf *b);

#endif
