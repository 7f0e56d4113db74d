/* fuzz_history.c - libFuzzer target for reading a service's restart history
 * (supervisor/history.c, history_read): any file content gives an array of
 * at most `max` objects, never a crash or a leak.  The file is a memfd, so
 * nothing is written to disk; the first byte picks max. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <json-c/json.h>

#include "supervisor/history.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct history h = { .path = path, .size = 4 };
	struct json_object *a;
	size_t max;

	if (fd < 0) {
		if ((fd = memfd_create("history", 0)) < 0)
			abort();
		(void)snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (size < 1)
		return 0;
	max = 1 + data[0] % 16;
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data + 1, size - 1, 0) != (ssize_t)(size - 1))
		abort();
	a = history_read(&h, max);
	if (a == NULL || !json_object_is_type(a, json_type_array) || json_object_array_length(a) > max)
		abort();
	for (size_t i = 0; i < json_object_array_length(a); i++)
		if (!json_object_is_type(json_object_array_get_idx(a, i), json_type_object))
			abort();
	json_object_put(a);
	return 0;
}
