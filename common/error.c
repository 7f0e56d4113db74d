/* error.c - see error.h. */
#include <stdarg.h>
#include <stdio.h>

#include "error.h"

int nbpy_error_set(struct nbpy_error *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	/* Truncation is fine: the message is for humans. */
	(void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}
