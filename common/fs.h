/* fs.h - the file-system steps several modules need: create a directory
 * with its parents (or a file's), and replace a file atomically. */
#ifndef NBPY_FS_H
#define NBPY_FS_H

#include <stddef.h>
#include <sys/types.h>

/* mkdir -p; existing directories are fine.  -1 with errno. */
int nbpy_mkdir_p(const char *path, mode_t mode);

/* mkdir -p of the directory a file path is in (nothing for "name" or
 * "/name").  -1 with errno. */
int nbpy_mkdir_parent(const char *file, mode_t mode);

/* Write buf to path.tmp, fsync, rename over path: a crash leaves the old
 * content or the new, never a mix.  -1 with errno (path.tmp removed). */
int nbpy_write_atomic(const char *path, const void *buf, size_t len);

/* Its two halves, for a caller with a step between them: write buf to
 * path.tmp and fsync it (-1 with errno, path.tmp removed); then rename
 * path.tmp over path (-1 with errno, path.tmp removed). */
int nbpy_write_prepare(const char *path, const void *buf, size_t len);
int nbpy_write_commit(const char *path);

#endif
