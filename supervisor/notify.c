/* notify.c - see notify.h. */
#include <stdio.h>
#include <string.h>

#include "supervisor/notify.h"

void notify_parse(const char *data, size_t len, struct notify_msg *out)
{
	const char *end;

	memset(out, 0, sizeof(*out));
	end = memchr(data, '\0', len);
	if (end != NULL)
		len = (size_t)(end - data);
	for (const char *line = data; line < data + len; line = end + 1) {
		size_t n;

		end = memchr(line, '\n', (size_t)(data + len - line));
		if (end == NULL)
			end = data + len;
		n = (size_t)(end - line);
		if (n == 7 && memcmp(line, "READY=1", 7) == 0) {
			out->ready = true;
		} else if (n == 10 && memcmp(line, "WATCHDOG=1", 10) == 0) {
			out->watchdog = true;
		} else if (n >= 7 && memcmp(line, "STATUS=", 7) == 0) {
			out->has_status = true;
			(void)snprintf(out->status, sizeof(out->status), "%.*s", (int)(n - 7), line + 7);
		}
	}
}
