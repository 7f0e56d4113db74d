/* fs.h - the two file-system steps several modules need: create a directory
 * with its parents, and replace a file atomically. */
#ifndef NBPY_FS_H
#define NBPY_FS_H

#include <stddef.h>
#include <sys/types.h>

/* mkdir -p; existing directories are fine.  -1 with errno. */
int nbpy_mkdir_p(const char *path, mode_t mode);

/* Write buf to path.tmp, fsync, rename over path: a crash leaves the old
 * content or the new, never a mix.  -1 with errno (path.tmp removed). */
int nbpy_write_atomic(const char *path, const void *buf, size_t len);

#endif
