/* fuzz_config.c - libFuzzer target for the config parser: any bytes as a
 * config file give a config or diagnostics, never a crash or a leak. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/nbpy-fuzz-XXXXXX";
	struct nbpy_diag d;
	struct nbpy_config *c;
	int fd = mkstemp(path);

	if (fd < 0)
		abort();
	if (write(fd, data, size) != (ssize_t)size)
		abort();
	(void)close(fd);
	c = nbpy_config_load(path, &d);
	if ((c == NULL) == (d.n == 0))
		abort();	/* failure must say why, success must say nothing */
	nbpy_config_free(c);
	nbpy_diag_free(&d);
	(void)unlink(path);
	return 0;
}
