/* sink_file.c - kind sink.file: record the subscribed topics to a capture
 * file (capture.h), for replay, demos and backtests.  Each message goes to
 * the file as one append; the file is fsynced every fsync_interval and on
 * SIGTERM, so at most that much is lost if the machine (not the worker)
 * dies, and a torn last record is detected on reading.  The payload is the
 * message's bytes as received, not encoded again. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/capture.h"
#include "workers/kinds.h"
#include "common/log.h"
#include "common/timefmt.h"

struct sink_file_settings {
	const char *path;
	int64_t fsync_interval;	/* ns */
};

static const struct nbpy_key_spec sink_file_keys[] = {
	NBPY_SETTING_REQUIRED(struct sink_file_settings, path, STRING, "path",
			      "capture file to append to (created if missing)"),
	NBPY_SETTING(struct sink_file_settings, fsync_interval, DURATION, "fsync_interval", "1s",
		     "fsync the file this often (and on stop)"),
	NBPY_SETTINGS_END
};

struct sink_file {
	struct capture_file f;
	bool open;
	const char *path;
	int64_t fsync_every;
	bool dirty;
};

static void on_message(struct worker *w, const struct worker_input *in)
{
	struct sink_file *s = w->kind_state;
	struct capture_record *r;

	if (in->raw_len > sizeof(r->payload)) {
		worker_error(w, "cannot record a message on %s: %zu bytes, at most %zu", in->topic,
			     in->raw_len, sizeof(r->payload));
		return;
	}
	if ((r = malloc(sizeof(*r))) == NULL) {
		worker_error(w, "out of memory: a message on %s not recorded", in->topic);
		return;
	}
	r->time_ns = nbpy_now_ns();
	(void)snprintf(r->topic, sizeof(r->topic), "%s", in->topic);
	memcpy(r->payload, in->raw, in->raw_len);
	r->len = in->raw_len;
	if (capture_append(&s->f, r) < 0)
		worker_error(w, "write %s: %s", s->path, strerror(errno));
	else
		s->dirty = true;
	free(r);
}

static void sync_file(struct worker *w)
{
	struct sink_file *s = w->kind_state;

	if (s->dirty && fsync(s->f.fd) < 0)
		worker_error(w, "fsync %s: %s", s->path, strerror(errno));
	s->dirty = false;
	worker_set_timer(w, nbpy_monotonic_ns() + s->fsync_every);
}

static int init(struct worker *w)
{
	const struct sink_file_settings *set = w->settings;
	struct sink_file *s = w->kind_state;

	s->path = set->path;
	s->fsync_every = set->fsync_interval;
	if (capture_open_append(s->path, &s->f) < 0)
		return nbpy_error_class_set(&w->error, NBPY_ERR_CONFIG, "%s: %s", s->path,
					    errno == EINVAL ? "exists and is not an nbpy capture file"
							    : strerror(errno));
	s->open = true;
	worker_set_timer(w, nbpy_monotonic_ns() + s->fsync_every);
	return 0;
}

static void on_stop(struct worker *w)
{
	sync_file(w);
}

static void destroy(struct worker *w)
{
	struct sink_file *s = w->kind_state;

	if (s->open && close(s->f.fd) < 0)
		log_warning("close %s: %s", s->path, strerror(errno));
}

const struct nbpy_kind_spec sink_file_kind = {
	.name = "sink.file",
	.doc = "record subscribed messages to a capture file",
	.flags = NBPY_KIND_SUBSCRIBES | NBPY_KIND_NEEDS_INPUT,
	.schema = NBPY_SCHEMA_NONE,
	.keys = sink_file_keys,
	.settings_size = sizeof(struct sink_file_settings),
	.state_size = sizeof(struct sink_file),
	.ops = &(const struct kind_ops){
		.init = init,
		.on_message = on_message,
		.on_timer = sync_file,
		.on_stop = on_stop,
		.destroy = destroy,
	},
};
