/* reload.c - re-read the config and apply only the difference.
 *
 * The new file is resolved completely first (resolve.c: the same checks as
 * start and --check), the difference is worked out and every added service
 * is created before anything changes; on any problem the running config
 * stays, untouched, and the reply lists the problems.  Then service.c applies
 * it: added services are started if enabled, removed ones are stopped and
 * dropped, changed ones (any resolved key differs) get the new settings and
 * are restarted if running, and unchanged ones are left alone. */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "supervisor/resolve.h"
#include "supervisor/supervisor.h"

static int add_entry(struct reload_diff *diff, const char *name, enum reload_change change)
{
	char *copy = strdup(name);

	if (copy == NULL)
		return -1;
	diff->entries[diff->n++] = (struct reload_entry){ copy, change };
	diff->count[change]++;
	return 0;
}

/* The difference: entries[i] for next's services[i], then the services that
 * next no longer has.  -1: out of memory. */
static int compare(struct supervisor *sv, const struct resolved *next, struct reload_diff *diff)
{
	const struct nbpy_config *c = next->config;

	diff->entries = calloc(c->n_services + sv->n_svcs + 1, sizeof(*diff->entries));
	if (diff->entries == NULL)
		return -1;
	for (size_t i = 0; i < c->n_services; i++) {
		const struct svc *s = supervisor_find(sv, c->services[i].name);
		enum reload_change change = RELOAD_UNCHANGED;

		/* one back before an earlier reload's removal finished is
		 * kept, and started again once stopped */
		if (s == NULL)
			change = RELOAD_ADDED;
		else if (s->remove_after_stop ||
			 strcmp(next->settings[i].fingerprint, s->set.fingerprint) != 0)
			change = RELOAD_CHANGED;
		if (add_entry(diff, c->services[i].name, change) < 0)
			return -1;
	}
	for (size_t i = 0; i < sv->n_svcs; i++)
		if (nbpy_config_service(c, sv->svcs[i]->name) == NULL &&
		    add_entry(diff, sv->svcs[i]->name, RELOAD_REMOVED) < 0)
			return -1;
	return 0;
}

/* The added services, created (stopped): fresh[i] for next->services[i].
 * -1 with the reason in d, and nothing created. */
static int create_added(const struct reload_diff *diff, struct resolved *next, struct svc **fresh,
			struct nbpy_diag *d)
{
	const struct nbpy_config *c = next->config;
	struct nbpy_error err;

	for (size_t i = 0; i < c->n_services; i++) {
		const struct nbpy_service *conf = &c->services[i];

		if (diff->entries[i].change != RELOAD_ADDED)
			continue;
		fresh[i] = svc_new(c, conf, &next->settings[i], &err);
		if (fresh[i] == NULL) {
			nbpy_diag_add(d, c->path, conf->line, "[%s] cannot be created: %s", conf->name,
				      err.msg);
			for (size_t j = 0; j < i; j++)
				svc_free(fresh[j]);
			return -1;
		}
	}
	return 0;
}

int supervisor_reload(struct supervisor *sv, struct reload_diff *diff, struct nbpy_diag *d)
{
	struct resolved next;
	struct svc **list, **fresh;
	size_t n = 0;

	*diff = (struct reload_diff){ .entries = NULL };
	*d = (struct nbpy_diag){ .msgs = NULL };
	if (resolve_config(sv->config_path, sv->config_path, &next, d) < 0)
		return -1;
	list = calloc(next.config->n_services + sv->n_svcs + 1, sizeof(*list));
	fresh = calloc(next.config->n_services + 1, sizeof(*fresh));
	if (list == NULL || fresh == NULL || compare(sv, &next, diff) < 0) {
		nbpy_diag_add(d, next.config->path, 0, "out of memory");
		goto refuse;
	}
	if (create_added(diff, &next, fresh, d) < 0)
		goto refuse;

	/* From here on nothing can fail. */
	for (size_t i = 0; i < next.config->n_services; i++) {
		const struct nbpy_service *conf = &next.config->services[i];
		struct svc *s = fresh[i] != NULL ? fresh[i] : supervisor_find(sv, conf->name);

		list[n++] = s;
		if (fresh[i] != NULL) {
			if (s->enabled)
				svc_start(s, SVC_CAUSE_START);
			continue;
		}
		svc_set_log_rate(s, next.config, conf);	/* applies at once, no restart needed */
		if (diff->entries[i].change == RELOAD_CHANGED)
			svc_apply_settings(s, &next.settings[i], conf->enabled);
	}
	/* Removed: stop now, free once the worker is gone (nbpyd.c keeps them
	 * in the table until then). */
	for (size_t i = 0; i < sv->n_svcs; i++) {
		struct svc *s = sv->svcs[i];

		if (nbpy_config_service(next.config, s->name) != NULL)
			continue;
		svc_remove(s);
		if (svc_has_process(s))
			list[n++] = s;
		else
			svc_free(s);
	}
	free(sv->svcs);
	sv->svcs = list;
	sv->n_svcs = n;
	nbpy_config_free(sv->config);
	sv->config = next.config;
	next.config = NULL;
	resolved_free(&next);
	free(fresh);
	log_notice("reloaded: %zu added, %zu removed, %zu changed", diff->count[RELOAD_ADDED],
		   diff->count[RELOAD_REMOVED], diff->count[RELOAD_CHANGED]);
	return 0;
refuse:
	free(list);
	free(fresh);
	reload_diff_free(diff);
	resolved_free(&next);
	return -1;
}

void reload_diff_free(struct reload_diff *diff)
{
	for (size_t i = 0; i < diff->n; i++)
		free(diff->entries[i].name);
	free(diff->entries);
	*diff = (struct reload_diff){ .entries = NULL };
}
