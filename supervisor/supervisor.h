/* supervisor.h - nbpyd's state: the service table and the loaded config,
 * shared by the event loop (nbpyd.c), the control commands (control.c) and
 * reload (reload.c). */
#ifndef NBPY_SUPERVISOR_H
#define NBPY_SUPERVISOR_H

#include <stdbool.h>

#include "common/config.h"
#include "supervisor/service.h"

struct supervisor {
	char *config_path;
	struct nbpy_config *config;
	struct svc **svcs;
	size_t n_svcs;
	bool shutting_down;
	int64_t shutdown_deadline;	/* monotonic ns */
	int64_t started_real;
};

struct svc *supervisor_find(struct supervisor *sv, const char *name);

/* "12 running, 1 backoff, 0 fatal" */
void supervisor_summary(const struct supervisor *sv, char *buf, size_t cap);

/* What a reload did to each service: the new file's services in its order,
 * then the removed ones.  Changed: a resolved key differs, or the service
 * was still being removed by an earlier reload. */
enum reload_change { RELOAD_ADDED, RELOAD_REMOVED, RELOAD_CHANGED, RELOAD_UNCHANGED, RELOAD_CHANGES };
struct reload_diff {
	struct reload_entry {
		char *name;
		enum reload_change change;
	} *entries;
	size_t n;
	size_t count[RELOAD_CHANGES];	/* entries by change */
};

/* Re-read the config and apply the difference: 0 with diff, or -1 with
 * every problem in d and nothing changed.  Free diff and d either way. */
int supervisor_reload(struct supervisor *sv, struct reload_diff *diff, struct nbpy_diag *d);
void reload_diff_free(struct reload_diff *diff);

/* Handle one control request (JSON text); returns the reply (JSON text,
 * malloc'ed). */
char *control_handle(struct supervisor *sv, const char *req, size_t len);

#define CONTROL_PROTOCOL 1
#define CONTROL_MAX_REQUEST 65536

#endif
