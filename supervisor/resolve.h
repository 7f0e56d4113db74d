/* resolve.h - the configuration as nbpyd runs it.
 *
 * One function loads and validates the file, then does every lookup nbpyd
 * needs before it can apply it: each service's command line, the worker
 * program, users and groups, working directories, the control socket's
 * group.  Start, --check and reload all call it, so they report the same
 * problems as the same FILE:LINE messages, and a reload with any applies
 * nothing. */
#ifndef NBPY_RESOLVE_H
#define NBPY_RESOLVE_H

#include "common/config.h"
#include "supervisor/service.h"

struct resolved {
	struct nbpy_config *config;
	struct svc_settings *settings;	/* one per config->services[i] */
	size_t n_settings;
};

/* Load path (diagnostics name it as given); workers will be told
 * config_path.  0, or -1 with every problem in d (r is then empty). */
int resolve_config(const char *path, const char *config_path, struct resolved *r,
		   struct nbpy_diag *d);

/* Free what is left: a caller that takes the config sets r->config to NULL;
 * one that takes a service's settings leaves them zeroed (svc_new does). */
void resolved_free(struct resolved *r);

#endif
