/* fuzz_control.c - libFuzzer target for nbpyd's control requests
 * (supervisor/control.c, control_handle, and reload.c behind "reload"): any
 * bytes get one JSON reply {"v": 1, "ok": ..., "result" or "error"}.
 *
 * The supervisor has no services, and its config (a fixed file in a temp
 * dir, with no services either) keeps it so across reloads.  Everything
 * that could start, stop or spawn a worker is a stub that aborts: this
 * target can neither fork nor touch anything outside its temp dir. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "log.h"
#include "supervisor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- nbpyd.c's table functions, for a table that stays empty ---- */

struct svc *supervisor_find(struct supervisor *sv, const char *name)
{
	for (size_t i = 0; i < sv->n_svcs; i++)
		if (strcmp(sv->svcs[i]->name, name) == 0)
			return sv->svcs[i];
	return NULL;
}

void supervisor_summary(const struct supervisor *sv, char *buf, size_t cap)
{
	(void)snprintf(buf, cap, "%zu services", sv->n_svcs);
}

/* ---- what must never run here ---- */

#define NEVER(decl) decl { abort(); }
NEVER(struct svc *supervisor_make_service(struct supervisor *sv, const struct nbpy_service *conf,
					  char *why, size_t cap))
NEVER(void svc_start(struct svc *s, const char *why))
NEVER(void svc_stop(struct svc *s, const char *why))
NEVER(bool svc_has_process(const struct svc *s))
NEVER(void svc_free(struct svc *s))
NEVER(const char *svc_state_name(enum svc_state s))
NEVER(int svc_settings_load(struct svc_settings *set, const struct nbpy_config *c,
			    const struct nbpy_service *conf, const char *config_path, char *why, size_t cap))
NEVER(void svc_settings_free(struct svc_settings *set))

static struct supervisor sv;

static void setup(void)
{
	static char dir[] = "/tmp/nbpy-fuzz-control-XXXXXX";
	FILE *f;

	if (mkdtemp(dir) == NULL || asprintf(&sv.config_path, "%s/nbpy.conf", dir) < 0 ||
	    (f = fopen(sv.config_path, "w")) == NULL)
		abort();
	if (fprintf(f, "[nbpyd]\ncontrol   = ipc://%s/control\nstate_dir = %s/state\nrun_dir   = %s/run\n",
		    dir, dir, dir) < 0 || fclose(f) != 0)
		abort();
	nbpy_log_init("fuzz", NBPY_LOG_ERR);	/* "reloaded: ..." on every reload is noise */
	if ((sv.config = nbpy_config_load_or_exit(sv.config_path)) == NULL)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *r, *v, *e, *code;
	char *reply;

	if (sv.config == NULL)
		setup();
	reply = control_handle(&sv, (const char *)data, size);
	if (reply == NULL || (r = json_tokener_parse(reply)) == NULL)
		abort();
	if (!json_object_object_get_ex(r, "v", &v) || json_object_get_int(v) != CONTROL_PROTOCOL ||
	    !json_object_object_get_ex(r, "ok", &v) || !json_object_is_type(v, json_type_boolean) ||
	    (json_object_get_boolean(v) ? !json_object_object_get_ex(r, "result", &e)
					: !json_object_object_get_ex(r, "error", &e) ||
					  !json_object_object_get_ex(e, "code", &code) ||
					  !json_object_is_type(code, json_type_string)))
		abort();
	if (sv.n_svcs != 0)
		abort();
	json_object_put(r);
	free(reply);
	return 0;
}
