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

/* Re-read the config and apply the difference: 0 with diff (a JSON object:
 * added, removed, changed, unchanged), or -1 with every problem in d
 * (nbpy_diag_free it either way) and nothing changed. */
struct json_object;
int supervisor_reload(struct supervisor *sv, struct json_object **diff, struct nbpy_diag *d);

/* Create a service of config c, stopped, with its resolved settings (the
 * service's now: set is left zeroed).  NULL with a reason in why; set is
 * then still the caller's to free. */
struct svc *supervisor_make_service(const struct nbpy_config *c, const struct nbpy_service *conf,
				    struct svc_settings *set, char *why, size_t cap);

/* Handle one control request (JSON text); returns the reply (JSON text,
 * malloc'ed). */
char *control_handle(struct supervisor *sv, const char *req, size_t len);

#define CONTROL_PROTOCOL 1
#define CONTROL_MAX_REQUEST 65536

#endif
