/* spawn.c - see spawn.h. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "supervisor/spawn.h"

/* The soft RLIMIT_NOFILE nbpyd started with, for workers (-1: keep nbpyd's). */
static long long default_nofile = -1;

void spawn_set_default_nofile(long long soft)
{
	default_nofile = soft;
}

/* In the child: report errno to the parent and exit. */
_Noreturn static void child_fail(int fd)
{
	int e = errno;

	if (write(fd, &e, sizeof(e)) < 0)
		_exit(126);
	_exit(127);
}

_Noreturn static void child(const struct spawn_request *r, int err_fd, pid_t parent)
{
	struct sigaction dfl;
	sigset_t none;
	int null_fd;

	/* Default dispositions and an empty mask: nbpyd blocks the signals it
	 * reads through signalfd. */
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &dfl, NULL);	/* fails only for KILL/STOP */
	if (sigemptyset(&none) < 0 || sigprocmask(SIG_SETMASK, &none, NULL) < 0)
		child_fail(err_fd);
	if (setsid() < 0)
		child_fail(err_fd);
	/* Die with nbpyd, even if it is killed with SIGKILL. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		child_fail(err_fd);
	if (getppid() != parent)
		_exit(125);	/* nbpyd died before prctl */
	null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(r->out_fd, 1) < 0 || dup2(r->out_fd, 2) < 0)
		child_fail(err_fd);
	/* Only 0-2 survive exec; err_fd is close-on-exec. */
	if (err_fd > 3 && close_range(3, (unsigned)err_fd - 1, 0) < 0)
		child_fail(err_fd);
	if (close_range((unsigned)err_fd + 1, ~0U, 0) < 0)
		child_fail(err_fd);
	if (r->umask >= 0)
		(void)umask((mode_t)r->umask);
	if (r->set_nice && setpriority(PRIO_PROCESS, 0, r->nice) < 0)
		child_fail(err_fd);
	if (r->nofile >= 0) {
		struct rlimit rl = { (rlim_t)r->nofile, (rlim_t)r->nofile };

		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			child_fail(err_fd);
	} else if (default_nofile >= 0) {
		struct rlimit rl;

		/* nbpyd raised its own soft limit for control connections; a
		 * worker gets the usual one (select() breaks above 1024). */
		if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
			child_fail(err_fd);
		if ((rlim_t)default_nofile < rl.rlim_cur) {
			rl.rlim_cur = (rlim_t)default_nofile;
			if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
				child_fail(err_fd);
		}
	}
	if (r->core >= 0) {
		struct rlimit rl = { (rlim_t)r->core, (rlim_t)r->core };

		if (setrlimit(RLIMIT_CORE, &rl) < 0)
			child_fail(err_fd);
	}
	if (r->set_ids && (setgroups(r->n_groups, r->groups) < 0 || setgid(r->gid) < 0 ||
			   setuid(r->uid) < 0))
		child_fail(err_fd);
	if (r->cwd != NULL && chdir(r->cwd) < 0)
		child_fail(err_fd);
	execve(r->path, r->argv, r->envp);
	child_fail(err_fd);
}

pid_t spawn_worker(const struct spawn_request *r, int *exec_errno)
{
	int pipefd[2], e = 0;
	pid_t parent = getpid(), pid;
	ssize_t n;

	*exec_errno = 0;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		e = errno;
		(void)close(pipefd[0]);
		(void)close(pipefd[1]);
		errno = e;
		return -1;
	}
	if (pid == 0) {
		(void)close(pipefd[0]);
		child(r, pipefd[1], parent);
	}
	(void)close(pipefd[1]);
	/* EOF: the exec succeeded (close-on-exec); an int: it failed. */
	do
		n = read(pipefd[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	(void)close(pipefd[0]);
	if (n == (ssize_t)sizeof(e))
		*exec_errno = e ? e : EIO;
	else if (n != 0)
		*exec_errno = EIO;
	return pid;
}

/* An executable regular file (access(X_OK) alone passes directories). */
static bool executable_file(const char *path)
{
	struct stat st;

	if (access(path, X_OK) < 0 || stat(path, &st) < 0)
		return false;
	if (!S_ISREG(st.st_mode)) {
		errno = EACCES;
		return false;
	}
	return true;
}

char *spawn_find_program(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (strchr(prog, '/') != NULL) {
		char *rp;

		if (!executable_file(prog))
			return NULL;
		rp = realpath(prog, NULL);
		return rp ? rp : strdup(prog);
	}
	if (path == NULL)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");

		if ((size_t)snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, n ? path : ".", prog) <
		    sizeof(buf) && executable_file(buf))
			return strdup(buf);
		path += n + (path[n] == ':');
	}
	errno = ENOENT;
	return NULL;
}

void spawn_free_argv(char **argv)
{
	if (argv == NULL)
		return;
	for (char **a = argv; *a; a++)
		free(*a);
	free(argv);
}

char **spawn_split_command(const char *cmd, const char **why)
{
	size_t n = 0, cap = 8;
	char **argv = calloc(cap, sizeof(*argv));
	const char *p = cmd;

	*why = "out of memory";
	if (argv == NULL)
		return NULL;
	while (1) {
		char word[4096];
		size_t len = 0;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		while (*p && *p != ' ' && *p != '\t') {
			if (*p == '\'' || *p == '"') {
				char q = *p++;

				while (*p && *p != q && len < sizeof(word) - 1)
					word[len++] = *p++;
				if (*p == '\0') {
					*why = "unterminated quote";
					goto fail;
				}
				if (*p != q)
					goto too_long;
				p++;
			} else if (len < sizeof(word) - 1) {
				word[len++] = *p++;
			} else {
				goto too_long;
			}
		}
		word[len] = '\0';
		if (n + 2 > cap) {
			char **bigger = realloc(argv, 2 * cap * sizeof(*argv));

			if (bigger == NULL)
				goto fail;
			argv = bigger;
			cap *= 2;
		}
		if ((argv[n] = strdup(word)) == NULL)
			goto fail;
		argv[++n] = NULL;
	}
	if (n == 0) {
		*why = "empty";
		goto fail;
	}
	return argv;
too_long:
	*why = "a word longer than 4095 characters";
fail:
	spawn_free_argv(argv);
	return NULL;
}
