/* fs.c - see fs.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fs.h"

int nbpy_mkdir_p(const char *path, mode_t mode)
{
	char tmp[4096];

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s", path) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, mode) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(tmp, mode) < 0 && errno != EEXIST ? -1 : 0;
}

int nbpy_mkdir_parent(const char *file, mode_t mode)
{
	char dir[4096], *slash;

	if ((size_t)snprintf(dir, sizeof(dir), "%s", file) >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return 0;
	*slash = '\0';
	return nbpy_mkdir_p(dir, mode);
}

int nbpy_write_prepare(const char *path, const void *buf, size_t len)
{
	char tmp[4200];
	const char *p = buf;
	int fd, rc = 0, e;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	while (len > 0 && rc == 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			rc = -1;
		else {
			p += w;
			len -= (size_t)w;
		}
	}
	if (rc == 0 && fsync(fd) < 0)
		rc = -1;
	e = errno;
	if (close(fd) < 0 && rc == 0) {
		rc = -1;
		e = errno;
	}
	if (rc < 0) {
		(void)unlink(tmp);
		errno = e;
	}
	return rc;
}

int nbpy_write_commit(const char *path)
{
	char tmp[4200];
	int e;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (rename(tmp, path) == 0)
		return 0;
	e = errno;
	(void)unlink(tmp);
	errno = e;
	return -1;
}

int nbpy_write_atomic(const char *path, const void *buf, size_t len)
{
	return nbpy_write_prepare(path, buf, len) < 0 ? -1 : nbpy_write_commit(path);
}
