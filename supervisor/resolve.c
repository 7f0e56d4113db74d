/* resolve.c - see resolve.h. */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "supervisor/resolve.h"
#include "supervisor/spawn.h"

#define WORKER_NAME "nbpy-worker"

/* The worker nbpyd runs when `worker` is not set: the one in nbpyd's own
 * directory if there is one (a build tree, or an install whose sbin is its
 * bin), else the installed BINDIR/nbpy-worker.  Never a PATH search: an
 * install under a prefix that is not on PATH must work. */
static char *default_worker(const struct nbpy_config *c, struct nbpy_diag *d)
{
	char self[PATH_MAX], beside[PATH_MAX + sizeof(WORKER_NAME) + 1], *slash, *found;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash != NULL) {
			*slash = '\0';
			(void)snprintf(beside, sizeof(beside), "%s/" WORKER_NAME, self);
			if ((found = spawn_find_program(beside)) != NULL)
				return found;
		}
	} else {
		(void)snprintf(self, sizeof(self), "?");
	}
	found = spawn_find_program(BINDIR "/" WORKER_NAME);
	if (found == NULL)
		nbpy_diag_add(d, c->path, 0, "[nbpyd] worker: no " WORKER_NAME " beside nbpyd (in %s) "
			      "and default " BINDIR "/" WORKER_NAME ": %s; set worker = PROGRAM", self,
			      strerror(errno));
	return found;
}

/* The worker program, if a service of some kind (enabled or not) needs one;
 * NULL otherwise or after reporting why it cannot be run. */
static char *resolve_worker(const struct nbpy_config *c, struct nbpy_diag *d)
{
	const struct nbpy_value *v = nbpy_config_global(c, "worker");
	char *found;
	size_t i;

	for (i = 0; i < c->n_services; i++)
		if (strcmp(c->services[i].kind->name, "exec") != 0)
			break;
	if (i == c->n_services)
		return NULL;
	if (v->text == NULL)
		return default_worker(c, d);
	found = spawn_find_program(v->text);
	if (found == NULL)
		nbpy_diag_add(d, c->path, v->line, "[nbpyd] worker: '%s'%s: %s", v->text,
			      strchr(v->text, '/') ? "" : " in PATH", strerror(errno));
	return found;
}

/* The ipc control socket's group (nbpyd's own when unset). */
static void check_control_group(const struct nbpy_config *c, struct nbpy_diag *d)
{
	const struct nbpy_value *v = nbpy_config_global(c, "control_group");
	const char *ep = nbpy_config_global(c, "control")->text;

	if (v->text == NULL || strncmp(ep, "ipc://", 6) != 0)
		return;
	errno = 0;
	if (getgrnam(v->text) == NULL) {
		const char *why = svc_lookup_error(errno);

		nbpy_diag_add(d, c->path, v->line, "[nbpyd] control_group: no group '%s'%s%s", v->text,
			      why ? ": " : "", why ? why : "");
	}
}

int resolve_config(const char *path, const char *config_path, struct resolved *r,
		   struct nbpy_diag *d)
{
	struct nbpy_config *c;
	char *worker;

	r->settings = NULL;
	r->n_settings = 0;
	r->config = c = nbpy_config_load(path, d);
	if (c == NULL)
		return -1;
	check_control_group(c, d);
	worker = resolve_worker(c, d);
	r->settings = calloc(c->n_services ? c->n_services : 1, sizeof(*r->settings));
	if (r->settings == NULL)
		nbpy_diag_add(d, c->path, 0, "out of memory");
	else
		r->n_settings = c->n_services;
	/* With no worker (already reported), its name still builds the
	 * settings, so that every other problem is reported too. */
	for (size_t i = 0; r->settings != NULL && i < c->n_services; i++)
		svc_settings_load(&r->settings[i], c, &c->services[i], worker ? worker : WORKER_NAME,
				  config_path, d);
	free(worker);
	if (nbpy_diag_any(d)) {
		resolved_free(r);
		return -1;
	}
	return 0;
}

void resolved_free(struct resolved *r)
{
	for (size_t i = 0; i < r->n_settings; i++)
		svc_settings_free(&r->settings[i]);
	free(r->settings);
	r->settings = NULL;
	r->n_settings = 0;
	nbpy_config_free(r->config);
	r->config = NULL;
}
