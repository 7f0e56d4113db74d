/* fuzz_wire.c - libFuzzer target for both wire decoders.  Anything that
 * decodes must encode again: garbage never passes as a message. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "common/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct nbpy_msg m;
	static char out[NBPY_LEGACY_MAX];
	size_t len;

	if (nbpy_wire_decode(data, size, &m, NULL) == 0 &&
	    nbpy_wire_encode(&m, out, sizeof(out), &len, NULL) != 0)
		abort();
	if (size > 0) {
		/* First byte picks the legacy schema. */
		enum nbpy_schema s = (enum nbpy_schema)(1 + data[0] % (NBPY_SCHEMA_END - 1));

		if (nbpy_legacy_decode((const char *)data + 1, size - 1, s, &m, NULL, 0, NULL) == 0 &&
		    nbpy_legacy_encode(&m, "t", out, sizeof(out), &len, NULL) != 0)
			abort();
	}
	return 0;
}
