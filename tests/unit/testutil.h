/* testutil.h - helpers shared by the Check unit tests. */
#ifndef NBPY_TESTUTIL_H
#define NBPY_TESTUTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Write text to a new temporary file; the path is returned in a static
 * rotating buffer and the file removed at exit by the caller's unlink. */
static inline const char *write_temp(const char *text)
{
	static char paths[8][64];
	static int next;
	char *path = paths[next++ % 8];
	FILE *f;
	int fd;

	(void)snprintf(path, 64, "/tmp/nbpy-test-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

/* Run the suite; CK_ENV etc. are honoured.  Exit status for automake. */
static inline int run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
