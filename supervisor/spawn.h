/* spawn.h - fork and exec one worker with a clean process state.
 *
 * The child gets its own session and process group, default signal mask and
 * dispositions, only fds 0-2 (stdin /dev/null, stdout and stderr the log
 * pipe), PR_SET_PDEATHSIG(SIGKILL), and the optional user, group, working
 * directory, umask, nice and rlimits.  Everything that can fail in a way
 * worth reporting (user lookup, PATH search) is done before fork; between
 * fork and exec the child makes only system calls, since nbpyd has ZeroMQ
 * threads.  A failed exec is reported through a close-on-exec pipe. */
#ifndef NBPY_SPAWN_H
#define NBPY_SPAWN_H

#include <stdbool.h>
#include <sys/types.h>

struct spawn_request {
	const char *path;	/* absolute, already searched in PATH */
	char *const *argv;
	char *const *envp;
	bool set_ids;
	uid_t uid;
	gid_t gid;
	const gid_t *groups;	/* supplementary groups, with set_ids */
	size_t n_groups;
	const char *cwd;	/* NULL: inherit */
	int umask;		/* -1: inherit */
	bool set_nice;
	int nice;
	long nofile;		/* -1: the default (spawn_set_default_nofile) */
	long long core;		/* -1: inherit */
	int out_fd;		/* becomes fds 1 and 2 */
};

/* Workers whose request has nofile -1 get this soft RLIMIT_NOFILE (the one
 * nbpyd started with, before it raised its own) rather than nbpyd's. */
void spawn_set_default_nofile(long long soft);

/* Fork and exec.  Returns the child's pid (> 0) with *exec_errno 0, or the
 * pid of a child that could not exec with *exec_errno set (it has exited or
 * will; reap it as usual), or -1 if fork itself failed (errno). */
pid_t spawn_worker(const struct spawn_request *r, int *exec_errno);

/* Find prog in PATH if it is a bare name, or take it as is if it has a '/';
 * NULL if that is not an executable file, errno set.  The result is
 * malloc'ed (absolute for a path). */
char *spawn_find_program(const char *prog);

/* Split a command line at blanks; '...' and "..." group words. NULL-terminated,
 * malloc'ed; NULL with the reason in *why for an empty command, an
 * unterminated quote, a word over 4095 characters, or out of memory. */
char **spawn_split_command(const char *cmd, const char **why);
void spawn_free_argv(char **argv);

#endif
