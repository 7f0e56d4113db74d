/* crc32c.c - see crc32c.h. */
#include <string.h>

#include "common/crc32c.h"

#define POLY 0x82f63b78u	/* Castagnoli, reflected */

uint32_t nbpy_crc32c_sw(uint32_t crc, const void *p, size_t len)
{
	static uint32_t table[256];
	const unsigned char *b = p;

	if (table[1] == 0) {	/* racy only in a harmless way: same values */
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;

			for (int k = 0; k < 8; k++)
				c = c & 1 ? (c >> 1) ^ POLY : c >> 1;
			table[i] = c;
		}
	}
	crc = ~crc;
	while (len--)
		crc = (crc >> 8) ^ table[(crc ^ *b++) & 0xff];
	return ~crc;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target("sse4.2"))) static uint32_t crc32c_hw(uint32_t crc, const void *p, size_t len)
{
	const unsigned char *b = p;
	uint64_t c = ~crc;
	uint32_t c32;

	for (; len >= 8; b += 8, len -= 8) {
		uint64_t v;

		memcpy(&v, b, sizeof(v));
		c = __builtin_ia32_crc32di(c, v);
	}
	c32 = (uint32_t)c;
	while (len--)
		c32 = __builtin_ia32_crc32qi(c32, *b++);
	return ~c32;
}

uint32_t nbpy_crc32c(uint32_t crc, const void *p, size_t len)
{
	static int hw = -1;

	if (hw < 0)
		hw = __builtin_cpu_supports("sse4.2") ? 1 : 0;
	return hw ? crc32c_hw(crc, p, len) : nbpy_crc32c_sw(crc, p, len);
}
#else
uint32_t nbpy_crc32c(uint32_t crc, const void *p, size_t len)
{
	return nbpy_crc32c_sw(crc, p, len);
}
#endif
