/* replay.c - kind replay: publish a capture file (capture.h) again, at the
 * recorded pace (speed = 1), a multiple of it (speed = 10), or as fast as
 * possible (speed = 0).  Messages go out as recorded, topic and payload byte
 * for byte (original service and sequence numbers included), or re-encoded
 * as legacy text with wire = legacy.  The file is mapped and read in place.  A torn or corrupt record ends the file with a warning; with
 * loop = yes it starts over (mapping the file again, so it sees what was
 * appended).
 *
 * A replay does not drop (unless drop = yes): at the send high-water mark
 * it waits for its slowest subscriber, so that a capture arrives whole.
 * ZMQ_POLLOUT cannot tell when a PUB socket has room (libzmq 4.3 always
 * reports it), so it retries every WAIT_NS from the event loop, which keeps
 * serving SIGTERM.  With no subscriber connected, PUB sends into nothing:
 * start_delay gives subscribers time to connect. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "common/capture.h"
#include "workers/kinds.h"
#include "common/log.h"
#include "common/timefmt.h"

#define BURST 20000	/* as fast as possible, in slices: the loop stays responsive */
#define WAIT_NS 1000000	/* retry a full send queue after 1 ms */

struct replay_settings {
	const char *path;
	double speed;
	int64_t start_delay;	/* ns */
	bool loop, drop;
};

static const struct nbpy_key_spec replay_keys[] = {
	NBPY_SETTING_REQUIRED(struct replay_settings, path, STRING, "path", "capture file written by sink.file"),
	NBPY_SETTING(struct replay_settings, speed, DOUBLE, "speed", "1",
		     "1: recorded pace, 10: ten times faster, 0: as fast as possible"),
	NBPY_SETTING(struct replay_settings, start_delay, DURATION, "start_delay", "1s",
		     "wait before the first message (subscribers connect)"),
	NBPY_SETTING(struct replay_settings, loop, BOOL, "loop", "no", "start over at the end of the file"),
	NBPY_SETTING(struct replay_settings, drop, BOOL, "drop", "no",
		     "no: at the send high-water mark wait for the slowest subscriber; yes: drop, "
		     "as live publishers do"),
	NBPY_SETTINGS_END
};

struct replay {
	const char *path;
	struct capture_map map;
	double speed;
	bool loop, have_next;
	int64_t start_mono, first_ns;
	struct capture_view next;
	uint64_t sent, files, waits;
};

static int rewind_file(struct worker *w, struct replay *r)
{
	capture_map_close(&r->map);
	if (capture_map_open(r->path, &r->map) < 0)
		return nbpy_error_class_set(&w->error, NBPY_ERR_CONFIG, "%s: %s", r->path,
					    errno == EINVAL ? "not an nbpy capture file" : strerror(errno));
	r->have_next = false;
	r->first_ns = 0;
	r->start_mono = nbpy_monotonic_ns();
	return 0;
}

/* For the announcements: the recorded service and sequence number. */
static void note_sent(struct worker *w, const struct capture_view *c)
{
	const char *service;
	size_t service_len;
	uint64_t seq;

	if (nbpy_wire_peek_sequence(c->payload, c->len, &service, &service_len, &seq) == 0)
		worker_note_sent(w, c->topic, c->topic_len, service, service_len, seq);
}

/* 0: sent; 1: the send queue is full, try again later; -1: failed (counted). */
static int send_record(struct worker *w, const struct capture_view *c)
{
	char topic[NBPY_TOPIC_MAX + 1];
	struct nbpy_msg m;
	struct nbpy_error err;

	if (w->wire == NBPY_WIRE_MSGPACK) {
		if (nbpy_bus_send_raw(w->pub, c->topic, c->topic_len, c->payload, c->len, ZMQ_DONTWAIT) < 0) {
			if (errno == EAGAIN)
				return 1;
			worker_error(w, "replay: send: %s", zmq_strerror(errno));
			return -1;
		}
		note_sent(w, c);
		return 0;
	}
	memcpy(topic, c->topic, c->topic_len);
	topic[c->topic_len] = '\0';
	if (nbpy_wire_decode(c->payload, c->len, &m, &err) < 0) {
		worker_error(w, "replay: %s", err.msg);
		return -1;
	}
	if (nbpy_bus_send(w->pub, topic, &m, NBPY_WIRE_LEGACY, ZMQ_DONTWAIT, &err) < 0) {
		if (errno == EAGAIN)
			return 1;
		worker_error(w, "replay: %s", err.msg);
		return -1;
	}
	return 0;
}

static void play(struct worker *w)
{
	struct replay *r = w->kind_state;
	int64_t now = nbpy_monotonic_ns();

	for (int n = 0; n < BURST; n++) {
		int rc;

		if (!r->have_next) {
			rc = capture_map_next(&r->map, &r->next);
			if (rc <= 0) {
				if (rc < 0)
					log_warning("%s: torn or corrupt record after %llu messages: "
						    "stopped there", r->path, (unsigned long long)r->sent);
				r->files++;
				log_notice("replayed %s: %llu messages in all", r->path,
					   (unsigned long long)r->sent);
				if (r->loop && rewind_file(w, r) == 0)
					worker_set_timer(w, nbpy_monotonic_ns());
				else if (r->loop)
					log_error("%s", w->error.msg);
				return;
			}
			r->have_next = true;
			if (r->first_ns == 0)
				r->first_ns = r->next.time_ns;
		}
		if (r->speed > 0) {
			int64_t due = r->start_mono + (int64_t)((double)(r->next.time_ns - r->first_ns) / r->speed);

			if (due > now) {
				worker_set_timer(w, due);
				return;
			}
		}
		rc = send_record(w, &r->next);
		if (rc == 1) {	/* the slowest subscriber sets the pace */
			r->waits++;
			worker_set_timer(w, nbpy_monotonic_ns() + WAIT_NS);
			return;
		}
		if (rc == 0) {
			r->sent++;
			w->published++;
		}
		r->have_next = false;
	}
	worker_set_timer(w, nbpy_monotonic_ns());
}

static int init(struct worker *w)
{
	const struct replay_settings *set = w->settings;
	struct replay *r = w->kind_state;

	r->path = set->path;
	r->speed = set->speed;
	r->loop = set->loop;
	if (r->speed < 0)
		return worker_config_error(w, &set->speed, "speed: must be 0 (as fast as possible) or more");
	if (!set->drop && zmq_setsockopt(w->pub, ZMQ_XPUB_NODROP, &(int){ 1 }, sizeof(int)) < 0)
		return nbpy_error_set(&w->error, "[%s] no-drop publishing: %s", w->svc->name,
				      zmq_strerror(errno));
	if (rewind_file(w, r) < 0)
		return -1;
	/* let subscribers connect before the first message */
	r->start_mono = nbpy_monotonic_ns() + set->start_delay;
	worker_set_timer(w, r->start_mono);
	return 0;
}

static void status(struct worker *w, char *buf, size_t cap)
{
	struct replay *r = w->kind_state;

	(void)snprintf(buf, cap, ", waits %llu", (unsigned long long)r->waits);
}

static void destroy(struct worker *w)
{
	struct replay *r = w->kind_state;

	capture_map_close(&r->map);
}

const struct nbpy_kind_spec replay_kind = {
	.name = "replay",
	.doc = "publish a capture file again, at its pace, faster, or at once",
	.flags = NBPY_KIND_PUBLISHES,
	.schema = NBPY_SCHEMA_NONE,
	.keys = replay_keys,
	.settings_size = sizeof(struct replay_settings),
	.state_size = sizeof(struct replay),
	.ops = &(const struct kind_ops){
		.init = init,
		.on_timer = play,
		.destroy = destroy,
		.status = status,
	},
};
