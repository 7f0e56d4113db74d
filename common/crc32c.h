/* crc32c.h - CRC-32C (Castagnoli), the checksum of capture files and
 * spools: the SSE4.2 crc32 instruction where the CPU has it (a few cycles
 * for a whole tick record), a table otherwise. */
#ifndef NBPY_CRC32C_H
#define NBPY_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* crc of len bytes at p, continuing from crc (0 to start). */
uint32_t nbpy_crc32c(uint32_t crc, const void *p, size_t len);

/* The table version, for tests: the same results everywhere. */
uint32_t nbpy_crc32c_sw(uint32_t crc, const void *p, size_t len);

#endif
