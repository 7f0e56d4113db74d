/* error.c - see error.h. */
#include <stdarg.h>
#include <stdio.h>

#include "common/error.h"

static void set(struct nbpy_error *err, enum nbpy_error_class cls, const char *fmt, va_list ap)
{
	err->cls = cls;
	/* Truncation is fine: the message is for humans. */
	(void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

int nbpy_error_set(struct nbpy_error *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	set(err, NBPY_ERR_TRANSIENT, fmt, ap);
	va_end(ap);
	return -1;
}

int nbpy_error_class_set(struct nbpy_error *err, enum nbpy_error_class cls, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	set(err, cls, fmt, ap);
	va_end(ap);
	return -1;
}
