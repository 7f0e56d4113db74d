/* buf.c - see buf.h. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"

int nbpy_buf_reserve(struct nbpy_buf *b, size_t more)
{
	size_t cap;
	char *bigger;

	if (b->failed)
		return -1;
	if (b->cap > 0 && more < b->cap - b->len)	/* cap > len always holds */
		return 0;
	if (more > SIZE_MAX / 2 - b->len - 1) {
		b->failed = true;
		return -1;
	}
	cap = 2 * (b->len + more + 1);
	if (cap < 64)
		cap = 64;
	if ((bigger = realloc(b->data, cap)) == NULL) {
		b->failed = true;
		return -1;
	}
	b->data = bigger;
	b->cap = cap;
	return 0;
}

int nbpy_buf_append(struct nbpy_buf *b, const void *p, size_t n)
{
	if (nbpy_buf_reserve(b, n) < 0)
		return -1;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int nbpy_buf_puts(struct nbpy_buf *b, const char *s)
{
	return nbpy_buf_append(b, s, strlen(s));
}

int nbpy_buf_putc(struct nbpy_buf *b, char c)
{
	return nbpy_buf_append(b, &c, 1);
}

int nbpy_buf_printf(struct nbpy_buf *b, const char *fmt, ...)
{
	size_t room = 64;
	va_list ap;
	int n;

	/* at most twice: a piece that did not fit is formatted again with room
	 * for exactly what vsnprintf said it needs */
	for (int pass = 0; pass < 2; pass++) {
		if (nbpy_buf_reserve(b, room) < 0)
			break;
		va_start(ap, fmt);
		n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->failed = true;
			break;
		}
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return 0;
		}
		room = (size_t)n;
	}
	b->failed = true;
	if (b->data != NULL)
		b->data[b->len] = '\0';	/* what a cut attempt wrote is not content */
	return -1;
}

void nbpy_buf_reset(struct nbpy_buf *b)
{
	b->len = 0;
	b->failed = false;
	if (b->data != NULL)
		b->data[0] = '\0';
}

char *nbpy_buf_steal(struct nbpy_buf *b)
{
	char *s;

	if (b->failed) {
		nbpy_buf_free(b);
		return NULL;
	}
	s = b->data != NULL ? b->data : strdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return s;
}

void nbpy_buf_free(struct nbpy_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = false;
}
