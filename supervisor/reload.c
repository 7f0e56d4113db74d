/* reload.c - re-read the config and apply only the difference.
 *
 * The new file is validated completely first; on any error the running
 * config stays and the reply says why.  Then: added services are created
 * (and started if enabled), removed ones are stopped and dropped, changed
 * ones (any resolved key differs) get the new settings and are restarted if
 * running, and unchanged ones are left alone. */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "supervisor.h"

static struct json_object *names(void)
{
	return json_object_new_array();
}

static int add_name(struct json_object *a, const char *name)
{
	return json_object_array_add(a, json_object_new_string(name));
}

int supervisor_reload(struct supervisor *sv, struct json_object **diff, struct json_object **errors)
{
	struct nbpy_diag d;
	struct nbpy_config *next = nbpy_config_load(sv->config_path, &d), *prev;
	struct json_object *added = names(), *removed = names(), *changed = names(), *same = names();
	struct svc **list;
	size_t n = 0;
	char why[512];

	*diff = NULL;
	*errors = NULL;
	if (next == NULL) {
		*errors = json_object_new_array();
		for (size_t i = 0; i < d.n; i++)
			json_object_array_add(*errors, json_object_new_string(d.msgs[i]));
		nbpy_diag_free(&d);
		json_object_put(added);
		json_object_put(removed);
		json_object_put(changed);
		json_object_put(same);
		return -1;
	}
	prev = sv->config;
	sv->config = next;
	list = calloc(next->n_services + sv->n_svcs + 1, sizeof(*list));
	if (list == NULL) {
		sv->config = prev;
		nbpy_config_free(next);
		*errors = json_object_new_array();
		json_object_array_add(*errors, json_object_new_string("out of memory"));
		return -1;
	}
	for (size_t i = 0; i < next->n_services; i++) {
		const struct nbpy_service *conf = &next->services[i];
		struct svc *s = supervisor_find(sv, conf->name);
		struct svc_settings set;

		if (s == NULL) {
			s = supervisor_make_service(sv, conf, why, sizeof(why));
			if (s == NULL) {
				log_error("reload: %s: %s", conf->name, why);
				continue;
			}
			list[n++] = s;
			add_name(added, conf->name);
			if (s->enabled)
				svc_start(s, "start");
			continue;
		}
		list[n++] = s;
		svc_set_log_rate(s, next, conf);	/* applies at once, no restart needed */
		if (svc_settings_load(&set, next, conf, sv->config_path, why, sizeof(why)) < 0) {
			log_error("reload: %s: %s (kept its settings)", conf->name, why);
			svc_settings_free(&set);
			continue;
		}
		if (strcmp(set.fingerprint, s->set.fingerprint) == 0) {
			svc_settings_free(&set);
			add_name(same, conf->name);
			continue;
		}
		add_name(changed, conf->name);
		svc_settings_free(&s->set);
		s->set = set;
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
	nbpy_config_free(prev);
	*diff = json_object_new_object();
	json_object_object_add(*diff, "added", added);
	json_object_object_add(*diff, "removed", removed);
	json_object_object_add(*diff, "changed", changed);
	json_object_object_add(*diff, "unchanged", same);
	log_notice("reloaded: %zu added, %zu removed, %zu changed",
		   json_object_array_length(added), json_object_array_length(removed),
		   json_object_array_length(changed));
	return 0;
}
