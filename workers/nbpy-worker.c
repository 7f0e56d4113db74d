/* nbpy-worker.c - the multi-call worker binary: one kind per service.
 *
 *   nbpy-worker [-c FILE] SERVICE     run one service in the foreground
 *   nbpy-worker [-c FILE] --once SERVICE   the kind's one-shot (kind_ops.once)
 *   nbpy-worker --list-kinds          every kind with its keys
 *   nbpy-worker --kinds-c             the kind table as C data (for the build)
 *
 * Installed under the seed's names too (nbpy-pub-kraken-tick, ...): then the
 * service comes from the program name, or from `renamed` for the seed's
 * entry points whose service has another name. */
#include <autoconfig.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "workers/kinds.h"

static void list_kinds(void)
{
	for (const struct nbpy_kind_spec *const *kp = nbpy_kinds; *kp != NULL; kp++) {
		const struct nbpy_kind_spec *k = *kp;

		if (k == &nbpy_exec_kind)
			continue;
		printf("%s%s\n  %s\n", k->name, k->ops ? "" : "  (not implemented yet)", k->doc);
		for (const struct nbpy_key_spec *key = k->keys; key->name != NULL; key++)
			printf("  %-12s = %-24s %s\n", key->name, key->def ? key->def : "(none)", key->doc);
	}
}

/* The seed's entry points named otherwise than their service. */
static const struct {
	const char *prog, *service;
} renamed[] = {
	{ "nbpy-sub-kraken-basic-stat-tick-pd", "kraken_tick_stats" },
	{ "nbpy-sub-kraken-basic-stat-tick-cuda", "kraken_tick_stats_cuda" },
	{ "nbpy-sub-kraken-basic-stat-influxdb-tick", "kraken_tick_stats_influx" },
};

/* nbpy-pub-kraken-EURUSD-tick -> kraken_EURUSD_tick */
static char *service_from_name(const char *prog)
{
	static const char *const prefixes[] = { "nbpy-pub-", "nbpy-sub-" };

	for (size_t i = 0; i < sizeof(renamed) / sizeof(renamed[0]); i++)
		if (strcmp(prog, renamed[i].prog) == 0)
			return strdup(renamed[i].service);

	for (size_t i = 0; i < 2; i++) {
		size_t n = strlen(prefixes[i]);
		char *s;

		if (strncmp(prog, prefixes[i], n) != 0 || prog[n] == '\0')
			continue;
		s = strdup(prog + n);
		for (char *p = s; s && *p; p++)
			if (*p == '-')
				*p = '_';
		return s;
	}
	return NULL;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: nbpy-worker [-c FILE] [--once] SERVICE\n"
		   "       nbpy-worker --list-kinds\n"
		   "  -c FILE   configuration (default %s/nbpy/nbpy.conf)\n"
		   "  --once    the kind's one-shot instead of the service (oanda.transactions:\n"
		   "            the open trades as JSON)\n", SYSCONFDIR);
}

int main(int argc, char **argv)
{
	const char *path = SYSCONFDIR "/nbpy/nbpy.conf";
	char *prog = strdup(argv[0]), *from_name, *service = NULL;
	const struct nbpy_service *svc;
	const struct kind_ops *ops;
	struct nbpy_config *c;
	bool once = false;
	int rc;

	from_name = prog ? service_from_name(basename(prog)) : NULL;
	free(prog);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--list-kinds") == 0) {
			list_kinds();
			free(from_name);
			return 0;
		} else if (strcmp(argv[i], "--kinds-c") == 0) {
			free(from_name);
			return kinds_print_c(stdout) == 0 ? 0 : 1;
		} else if (strcmp(argv[i], "--once") == 0) {
			once = true;
		} else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
			path = argv[++i];
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			free(from_name);
			return 0;
		} else if (argv[i][0] != '-' && service == NULL) {
			service = argv[i];
		} else {
			usage(stderr);
			free(from_name);
			return 2;
		}
	}
	if (service == NULL)
		service = from_name;
	if (service == NULL) {
		usage(stderr);
		return 2;
	}
	c = nbpy_config_load_or_exit(path);
	svc = nbpy_config_service(c, service);
	if (svc == NULL) {
		fprintf(stderr, "nbpy-worker: %s has no service [%s]\n", path, service);
		rc = NBPY_EX_CONFIG;
	} else if (svc->unresolved != NULL) {
		fprintf(stderr, "nbpy-worker: %s\n", svc->unresolved);
		rc = NBPY_EX_CONFIG;
	} else if ((ops = svc->kind->ops) == NULL) {
		fprintf(stderr, "nbpy-worker: %s:%d: [%s] kind %s is not implemented by this nbpy-worker\n",
			path, svc->line, service, svc->kind->name);
		rc = NBPY_EX_CONFIG;
	} else if (once && ops->once == NULL) {
		fprintf(stderr, "nbpy-worker: %s:%d: [%s] kind %s has no --once\n", path, svc->line, service,
			svc->kind->name);
		rc = NBPY_EX_CONFIG;
	} else {
		rc = once ? ops->once(svc) : worker_run(c, service, ops);
	}
	nbpy_config_free(c);
	free(from_name);
	return rc;
}
