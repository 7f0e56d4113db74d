/* reload.c - re-read the config and apply only the difference.
 *
 * The new file is resolved completely first (resolve.c: the same checks as
 * start and --check), and every added service is created before anything
 * changes; on any problem the running config stays, untouched, and the
 * reply lists the problems.  Then: added services are started if enabled,
 * removed ones are stopped and dropped, changed ones (any resolved key
 * differs) get the new settings and are restarted if running, and
 * unchanged ones are left alone. */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "supervisor/resolve.h"
#include "supervisor/supervisor.h"

static int add_name(struct json_object *a, const char *name)
{
	return json_object_array_add(a, json_object_new_string(name));
}

/* The services of next that nbpyd does not have yet, created (stopped):
 * fresh[i] for next->services[i], NULL for a service that exists.  -1 with
 * the reason in d, and nothing created. */
static int create_added(struct supervisor *sv, struct resolved *next, struct svc **fresh,
			struct nbpy_diag *d)
{
	const struct nbpy_config *c = next->config;
	char why[512];

	for (size_t i = 0; i < c->n_services; i++) {
		const struct nbpy_service *conf = &c->services[i];

		if (supervisor_find(sv, conf->name) != NULL)
			continue;
		fresh[i] = supervisor_make_service(c, conf, &next->settings[i], why, sizeof(why));
		if (fresh[i] == NULL) {
			nbpy_diag_add(d, c->path, conf->line, "[%s] cannot be created: %s", conf->name, why);
			for (size_t j = 0; j < i; j++)
				svc_free(fresh[j]);
			return -1;
		}
	}
	return 0;
}

/* Give s its new settings; restart it if it runs. */
static void apply_changed(struct svc *s, const struct nbpy_service *conf, struct svc_settings *set)
{
	svc_settings_free(&s->set);
	s->set = *set;
	memset(set, 0, sizeof(*set));
	restart_state_init(&s->rs, s->set.backoff_min_ns, s->set.backoff_max_ns, 0);
	s->enabled = conf->enabled;
	if (!s->enabled) {
		svc_stop(s, "disabled by reload");
	} else if (svc_has_process(s)) {
		svc_stop(s, "changed by reload");
		s->start_after_stop = true;
	} else {
		svc_start(s, "start");
	}
}

int supervisor_reload(struct supervisor *sv, struct json_object **diff, struct nbpy_diag *d)
{
	struct resolved next;
	struct json_object *result, *added, *removed, *changed, *same;
	struct svc **list, **fresh;
	size_t n = 0;

	*diff = NULL;
	*d = (struct nbpy_diag){ .msgs = NULL };
	if (resolve_config(sv->config_path, sv->config_path, &next, d) < 0)
		return -1;
	list = calloc(next.config->n_services + sv->n_svcs + 1, sizeof(*list));
	fresh = calloc(next.config->n_services + 1, sizeof(*fresh));
	result = json_object_new_object();
	added = json_object_new_array();
	removed = json_object_new_array();
	changed = json_object_new_array();
	same = json_object_new_array();
	if (list == NULL || fresh == NULL || result == NULL || added == NULL || removed == NULL ||
	    changed == NULL || same == NULL) {
		nbpy_diag_add(d, next.config->path, 0, "out of memory");
		goto refuse;
	}
	if (create_added(sv, &next, fresh, d) < 0)
		goto refuse;

	/* From here on nothing can fail. */
	for (size_t i = 0; i < next.config->n_services; i++) {
		const struct nbpy_service *conf = &next.config->services[i];
		struct svc *s = fresh[i];
		bool revived;

		if (s != NULL) {
			list[n++] = s;
			add_name(added, conf->name);
			if (s->enabled)
				svc_start(s, "start");
			continue;
		}
		s = supervisor_find(sv, conf->name);
		list[n++] = s;
		svc_set_log_rate(s, next.config, conf);	/* applies at once, no restart needed */
		/* back before an earlier reload's removal finished: keep it,
		 * and start it again once stopped */
		revived = s->remove_after_stop;
		s->remove_after_stop = false;
		if (!revived && strcmp(next.settings[i].fingerprint, s->set.fingerprint) == 0) {
			add_name(same, conf->name);
			continue;
		}
		add_name(changed, conf->name);
		apply_changed(s, conf, &next.settings[i]);
	}
	/* Removed: stop now, free once the worker is gone (nbpyd.c keeps them
	 * in the table until then). */
	for (size_t i = 0; i < sv->n_svcs; i++) {
		struct svc *s = sv->svcs[i];
		bool kept = false;

		for (size_t j = 0; j < n && !kept; j++)
			kept = list[j] == s;
		if (kept)
			continue;
		add_name(removed, s->name);
		svc_stop(s, "removed by reload");
		if (svc_has_process(s)) {
			s->remove_after_stop = true;
			list[n++] = s;
		} else {
			svc_free(s);
		}
	}
	free(sv->svcs);
	sv->svcs = list;
	sv->n_svcs = n;
	nbpy_config_free(sv->config);
	sv->config = next.config;
	next.config = NULL;
	resolved_free(&next);
	free(fresh);
	json_object_object_add(result, "added", added);
	json_object_object_add(result, "removed", removed);
	json_object_object_add(result, "changed", changed);
	json_object_object_add(result, "unchanged", same);
	*diff = result;
	log_notice("reloaded: %zu added, %zu removed, %zu changed",
		   json_object_array_length(added), json_object_array_length(removed),
		   json_object_array_length(changed));
	return 0;
refuse:
	free(list);
	free(fresh);
	json_object_put(result);
	json_object_put(added);
	json_object_put(removed);
	json_object_put(changed);
	json_object_put(same);
	resolved_free(&next);
	return -1;
}
