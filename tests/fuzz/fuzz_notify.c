/* fuzz_notify.c - libFuzzer target for the sd_notify datagrams workers send
 * nbpyd (supervisor/notify.c): any bytes give a bounded, one-line STATUS and
 * READY/WATCHDOG only when the datagram holds those lines. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/notify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* line (n bytes) is a whole line of data before any NUL */
static int has_line(const uint8_t *data, size_t size, const char *line, size_t n)
{
	const uint8_t *nul = memchr(data, '\0', size);

	if (nul != NULL)
		size = (size_t)(nul - data);
	for (size_t i = 0; i + n <= size; i++)
		if ((i == 0 || data[i - 1] == '\n') && memcmp(data + i, line, n) == 0 &&
		    (i + n == size || data[i + n] == '\n'))
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct notify_msg m;
	char *copy;

	if (size > NOTIFY_MAX_DATAGRAM)
		return 0;
	/* a copy of exactly the datagram: reading past it is an error */
	if ((copy = malloc(size ? size : 1)) == NULL)
		abort();
	memcpy(copy, data, size);
	notify_parse(copy, size, &m);
	if (memchr(m.status, '\0', sizeof(m.status)) == NULL || strchr(m.status, '\n') != NULL ||
	    (!m.has_status && m.status[0] != '\0') ||
	    m.ready != has_line(data, size, "READY=1", 7) ||
	    m.watchdog != has_line(data, size, "WATCHDOG=1", 10))
		abort();
	free(copy);
	return 0;
}
