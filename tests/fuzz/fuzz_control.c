/* fuzz_control.c - libFuzzer target for nbpyd's control requests
 * (supervisor/control.c, control_handle, and reload.c behind "reload"): any
 * bytes get one JSON reply {"v": 1, "ok": ..., "result" or "error"}.
 *
 * It links all of nbpyd (nbpyd.c's main renamed by the Makefile).  The
 * supervisor has no services, and its config (a fixed file in a temp dir,
 * with no services either) keeps it so across reloads, so no request can
 * start a worker; and should one try, fork() aborts first (pthread_atfork):
 * this target can neither fork nor touch anything outside its temp dir. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "common/log.h"
#include "supervisor/supervisor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Nothing here may start a process: any fork() aborts before it forks. */
static void no_fork(void)
{
	abort();
}

static struct supervisor sv;

static void setup(void)
{
	static char dir[] = "/tmp/nbpy-fuzz-control-XXXXXX";
	FILE *f;

	if (pthread_atfork(no_fork, NULL, NULL) != 0 || mkdtemp(dir) == NULL ||
	    asprintf(&sv.config_path, "%s/nbpy.conf", dir) < 0 || (f = fopen(sv.config_path, "w")) == NULL)
		abort();
	/* the worker must exist for the config to load; it is never run */
	if (fprintf(f, "[nbpyd]\ncontrol   = ipc://%s/control\nstate_dir = %s/state\nrun_dir   = %s/run\n"
		    "worker    = /bin/true\n", dir, dir, dir) < 0 || fclose(f) != 0)
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
