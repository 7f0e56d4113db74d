/* error.h - a small error value that library calls fill in for their caller.
 *
 * Functions that can fail take a `struct nbpy_error *` (may be NULL), return
 * -1 and leave a one-line, human-readable reason in it, with a class that
 * says what the caller should do about it:
 *
 *   NBPY_ERR_TRANSIENT  try again later (unreachable, timeout, 5xx, a lost
 *                       connection); the default of nbpy_error_set;
 *   NBPY_ERR_CONFIG     the configuration is wrong: a worker exits 78
 *                       (NBPY_EX_CONFIG) and nbpyd does not restart it;
 *   NBPY_ERR_REFUSED    this input is refused for good (a 4xx, bad data):
 *                       count it, drop it and go on.
 *
 * The caller decides whether to log, count or exit; the library never prints
 * on its own. */
#ifndef NBPY_ERROR_H
#define NBPY_ERROR_H

#define NBPY_ERROR_MAX 256

enum nbpy_error_class { NBPY_ERR_TRANSIENT, NBPY_ERR_CONFIG, NBPY_ERR_REFUSED };

struct nbpy_error {
	enum nbpy_error_class cls;
	char msg[NBPY_ERROR_MAX];
};

/* Format the reason into err (if not NULL) and return -1. */
int nbpy_error_set(struct nbpy_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The same, with a class. */
int nbpy_error_class_set(struct nbpy_error *err, enum nbpy_error_class cls, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
