/* testworker.c - a configurable misbehaving worker for the nbpyd tests.
 *
 *   testworker [--stamp FILE] [--notify] [--status TEXT] [--print TEXT] [--ping MS] [--ping-for MS]
 *              [--fork N] [--ignore-term] [--exit-after MS CODE] [--crash-after MS]
 *
 * Without --exit-after or --crash-after it runs until signalled.  Words not
 * starting with "--" are ignored: tests tag their workers for pgrep. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	long long exit_after = -1, crash_after = -1, ping = 0, ping_for = -1, start = now_ms();
	int exit_code = 0, forks = 0;
	const char *status = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--stamp") && i + 1 < argc) {
			/* CLOCK_REALTIME ns at start, for restart-latency benchmarks */
			struct timespec ts;
			FILE *f = fopen(argv[++i], "w");

			clock_gettime(CLOCK_REALTIME, &ts);
			if (f == NULL || fprintf(f, "%lld\n", ts.tv_sec * 1000000000LL + ts.tv_nsec) < 0 ||
			    fclose(f) != 0)
				return 91;
		} else if (!strcmp(argv[i], "--notify")) {
			if (sd_notify(0, "READY=1") < 0)
				return 90;
		} else if (!strcmp(argv[i], "--status") && i + 1 < argc) {
			status = argv[++i];
		} else if (!strcmp(argv[i], "--print") && i + 1 < argc) {
			printf("%s\n", argv[++i]);
			fflush(stdout);
		} else if (!strcmp(argv[i], "--ping") && i + 1 < argc) {
			ping = atoll(argv[++i]);
		} else if (!strcmp(argv[i], "--ping-for") && i + 1 < argc) {
			ping_for = atoll(argv[++i]);
		} else if (!strcmp(argv[i], "--fork") && i + 1 < argc) {
			forks = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--ignore-term")) {
			signal(SIGTERM, SIG_IGN);
		} else if (!strcmp(argv[i], "--exit-after") && i + 2 < argc) {
			exit_after = atoll(argv[++i]);
			exit_code = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--crash-after") && i + 1 < argc) {
			crash_after = atoll(argv[++i]);
		} else if (strncmp(argv[i], "--", 2) == 0) {
			fprintf(stderr, "testworker: bad argument %s\n", argv[i]);
			return 2;
		}
	}
	if (status != NULL) {
		char buf[256];

		snprintf(buf, sizeof(buf), "STATUS=%s", status);
		sd_notify(0, buf);
	}
	for (int i = 0; i < forks; i++) {
		pid_t pid = fork();

		if (pid == 0) {	/* a grandchild that ignores TERM and sleeps */
			signal(SIGTERM, SIG_IGN);
			for (;;)
				pause();
		}
	}
	for (;;) {
		long long t = now_ms() - start;

		if (exit_after >= 0 && t >= exit_after)
			return exit_code;
		if (crash_after >= 0 && t >= crash_after)
			abort();
		if (ping > 0 && (ping_for < 0 || t < ping_for))
			sd_notify(0, "WATCHDOG=1");
		usleep(ping > 0 ? (useconds_t)ping * 1000 : 10000);
	}
}
