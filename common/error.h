/* error.h - a small error value that library calls fill in for their caller.
 *
 * Functions that can fail take a `struct nbpy_error *` (may be NULL), return
 * -1 and leave a one-line, human-readable reason in it.  The caller decides
 * whether to log, count or exit; the library never prints on its own. */
#ifndef NBPY_ERROR_H
#define NBPY_ERROR_H

#define NBPY_ERROR_MAX 256

struct nbpy_error {
	char msg[NBPY_ERROR_MAX];
};

/* Format the reason into err (if not NULL) and return -1. */
int nbpy_error_set(struct nbpy_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
