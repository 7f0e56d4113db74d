/* bus.c - see bus.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "common/bus.h"
#include "common/crc32c.h"

/* err says why, errno stays zmq's (callers tell EAGAIN apart). */
static int send_failed(struct nbpy_error *err)
{
	int e = errno;

	nbpy_error_set(err, "send: %s", zmq_strerror(e));
	errno = e;
	return -1;
}

int nbpy_bus_send(void *sock, const char *topic, const struct nbpy_msg *m,
		  enum nbpy_wire_mode mode, int flags, struct nbpy_error *err)
{
	char buf[NBPY_LEGACY_MAX];
	size_t len;

	if (mode == NBPY_WIRE_LEGACY) {
		if (nbpy_legacy_encode(m, topic, buf, sizeof(buf), &len, err) < 0)
			return -1;
		if (zmq_send(sock, buf, len, flags) < 0)
			return send_failed(err);
		return 0;
	}
	if (nbpy_wire_encode(m, buf, sizeof(buf), &len, err) < 0)
		return -1;
	return nbpy_bus_send_frame(sock, topic, buf, len, flags, err);
}

int nbpy_bus_send_frame(void *sock, const char *topic, const void *payload, size_t len, int flags,
			struct nbpy_error *err)
{
	size_t tlen = strlen(topic);

	if (tlen > NBPY_TOPIC_MAX)
		return nbpy_error_set(err, "topic longer than %d bytes", NBPY_TOPIC_MAX);
	if (nbpy_bus_send_raw(sock, topic, tlen, payload, len, flags) < 0)
		return send_failed(err);
	return 0;
}

int nbpy_bus_send_raw(void *sock, const void *topic, size_t tlen, const void *payload, size_t len,
		      int flags)
{
	/* ZeroMQ sends multipart messages atomically: the first frame is only
	 * queued, so a failure there leaves nothing half-sent. */
	if (zmq_send(sock, topic, tlen, flags | ZMQ_SNDMORE) < 0)
		return -1;
	if (zmq_send(sock, payload, len, flags) >= 0)
		return 0;
	/* A socket that does not drop checks its high-water mark on each frame
	 * but counts whole messages, so the payload fits where the topic did.
	 * Should it not, finish the message rather than leave it half sent. */
	if (errno == EAGAIN && (flags & ZMQ_DONTWAIT))
		return zmq_send(sock, payload, len, flags & ~ZMQ_DONTWAIT) >= 0 ? 0 : -1;
	return -1;
}

int nbpy_bus_batch_init(struct nbpy_bus_batch *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
	if (max > 1 && (b->buf = malloc(max * NBPY_WIRE_MAX)) == NULL)
		return -1;
	return 0;
}

void nbpy_bus_batch_free(struct nbpy_bus_batch *b)
{
	free(b->buf);
	memset(b, 0, sizeof(*b));
}

bool nbpy_bus_batch_fits(const struct nbpy_bus_batch *b, const char *topic)
{
	return b->n == 0 || (b->n < b->max && (b->topic == topic || strcmp(b->topic, topic) == 0));
}

int nbpy_bus_batch_add(struct nbpy_bus_batch *b, const struct nbpy_msg *m, const char *topic,
		       struct nbpy_error *err)
{
	size_t len;

	if (nbpy_wire_encode(m, b->buf + b->len, NBPY_WIRE_MAX, &len, err) < 0)
		return -1;
	b->topic = topic;
	b->len += len;
	b->n++;
	return 0;
}

void nbpy_bus_batch_add_encoded(struct nbpy_bus_batch *b, const void *payload, size_t len, const char *topic)
{
	memcpy(b->buf + b->len, payload, len);
	b->topic = topic;
	b->len += len;
	b->n++;
}

int nbpy_bus_batch_send(void *sock, struct nbpy_bus_batch *b, int flags, struct nbpy_error *err)
{
	int rc;

	if (b->n == 0)
		return 0;
	rc = nbpy_bus_send_frame(sock, b->topic, b->buf, b->len, flags, err);
	b->n = 0;
	b->len = 0;
	return rc;
}

/* Drop the rest of a multipart message. */
static void drain(void *sock)
{
	int more = 1;
	size_t sz = sizeof(more);
	zmq_msg_t part;

	while (zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &sz) == 0 && more) {
		if (zmq_msg_init(&part) < 0)
			return;
		if (zmq_msg_recv(&part, sock, 0) < 0) {
			(void)zmq_msg_close(&part);
			return;
		}
		(void)zmq_msg_close(&part);
	}
}


int nbpy_bus_recv(void *sock, struct nbpy_msg *m, char *topic, size_t topic_cap,
		  enum nbpy_schema legacy_schema, int flags, struct nbpy_error *err)
{
	size_t n;

	return nbpy_bus_recv_batch(sock, m, 1, &n, topic, topic_cap, legacy_schema, flags, err);
}

/* The messages of one payload frame, back to back. */
static int decode_all(const char *p, size_t len, struct nbpy_msg *msgs, struct nbpy_bus_slice *slices,
		      size_t max, size_t *n, struct nbpy_error *err)
{
	size_t off = 0, used;

	*n = 0;
	if (len == 0)
		return nbpy_error_set(err, "empty payload");
	while (off < len) {
		if (*n == max)
			return nbpy_error_set(err, "more than %zu messages in one frame", max);
		if (nbpy_wire_decode_next(p + off, len - off, &used, &msgs[*n], err) < 0)
			return -1;
		if (slices != NULL)
			slices[*n] = (struct nbpy_bus_slice){ off, used };
		off += used;
		(*n)++;
	}
	return 0;
}

int nbpy_bus_recv_batch(void *sock, struct nbpy_msg *msgs, size_t max, size_t *count, char *topic,
			size_t topic_cap, enum nbpy_schema legacy_schema, int flags,
			struct nbpy_error *err)
{
	return nbpy_bus_recv_frame(sock, msgs, NULL, max, count, topic, topic_cap, legacy_schema, flags, NULL,
				   err);
}

void nbpy_bus_frame_release(struct nbpy_bus_frame *frame)
{
	if (frame->held)
		(void)zmq_msg_close(&frame->msg);
	frame->held = false;
	frame->data = NULL;
}

int nbpy_bus_recv_frame(void *sock, struct nbpy_msg *msgs, struct nbpy_bus_slice *slices, size_t max,
			size_t *count, char *topic, size_t topic_cap, enum nbpy_schema legacy_schema,
			int flags, struct nbpy_bus_frame *frame, struct nbpy_error *err)
{
	struct nbpy_msg *m = msgs;
	zmq_msg_t first, second;
	const struct nbpy_schema_desc *s;
	int rc = NBPY_BUS_BAD_MESSAGE;
	size_t n;

	if (frame != NULL) {
		frame->held = false;
		frame->data = NULL;
	}
	if (zmq_msg_init(&first) < 0)
		return -1;
	if (zmq_msg_recv(&first, sock, flags) < 0) {
		int e = errno;

		(void)zmq_msg_close(&first);
		errno = e;
		return -1;
	}
	n = zmq_msg_size(&first);
	if (!zmq_msg_more(&first)) {
		/* legacy: "<topic> <payload>" */
		const char *text = zmq_msg_data(&first), *sp = memchr(text, ' ', n);
		char name[NBPY_TOPIC_MAX + 1];
		size_t tn = sp ? (size_t)(sp - text) : 0;

		if (sp == NULL || tn == 0 || tn > NBPY_TOPIC_MAX) {
			nbpy_error_set(err, "single frame without a topic");
			goto out;
		}
		memcpy(name, text, tn);
		name[tn] = '\0';
		s = nbpy_schema_by_legacy_topic(name);
		if (nbpy_legacy_decode(text, n, s ? s->id : legacy_schema, m, topic, topic_cap, err) == 0) {
			*count = 1;
			rc = 0;
		}
		goto out;
	}
	if (zmq_msg_init(&second) < 0) {
		drain(sock);
		rc = -1;
		goto out;
	}
	if (zmq_msg_recv(&second, sock, 0) < 0) {
		(void)zmq_msg_close(&second);
		rc = -1;
		goto out;
	}
	if (zmq_msg_more(&second)) {
		nbpy_error_set(err, "more than two frames");
		drain(sock);
	} else if (n == 0 || n > NBPY_TOPIC_MAX || n >= topic_cap ||
		   memchr(zmq_msg_data(&first), '\0', n) != NULL) {
		nbpy_error_set(err, "bad topic frame of %zu bytes", n);
	} else if (zmq_msg_size(&second) > (size_t)NBPY_BATCH_MAX * NBPY_WIRE_MAX) {
		nbpy_error_set(err, "payload frame of %zu bytes", zmq_msg_size(&second));
	} else if (decode_all(zmq_msg_data(&second), zmq_msg_size(&second), msgs, slices, max, count,
			      err) == 0) {
		memcpy(topic, zmq_msg_data(&first), n);
		topic[n] = '\0';
		rc = 0;
		/* the messages' bytes stay where they arrived */
		if (frame != NULL && zmq_msg_init(&frame->msg) == 0) {
			if (zmq_msg_move(&frame->msg, &second) == 0) {
				frame->held = true;
				frame->data = zmq_msg_data(&frame->msg);
			} else {
				(void)zmq_msg_close(&frame->msg);
				rc = -1;
			}
		} else if (frame != NULL) {
			rc = -1;
		}
	}
	(void)zmq_msg_close(&second);
out:
	(void)zmq_msg_close(&first);
	return rc;
}

void nbpy_bus_source(const char *endpoint, const char *topic, char out[NBPY_SERVICE_MAX + 1])
{
	size_t el = strlen(endpoint), tl = strlen(topic), keep = NBPY_SERVICE_MAX - 9;
	uint32_t crc;

	(void)snprintf(out, NBPY_SERVICE_MAX + 1, "%s %s", endpoint, topic);
	if (el + 1 + tl <= NBPY_SERVICE_MAX)
		return;
	crc = nbpy_crc32c(nbpy_crc32c(nbpy_crc32c(0, endpoint, el), " ", 1), topic, tl);
	while (keep > 0 && ((unsigned char)out[keep] & 0xc0) == 0x80)
		keep--;	/* cut before a character, not inside one */
	(void)snprintf(out + keep, NBPY_SERVICE_MAX + 1 - keep, "~%08x", (unsigned)crc);
}

void nbpy_bus_stamp(struct nbpy_bus_origin *o, struct nbpy_msg *m, const char *topic, int64_t now_ns)
{
	int64_t t = now_ns > o->last_ns ? now_ns : o->last_ns + 1;

	nbpy_bus_source(o->endpoint, topic, m->h.service);
	m->h.seq = ++o->seq;
	o->last_ns = t;
	if (m->h.recv_ns == 0)
		m->h.recv_ns = t;
	if (m->h.event_ns == 0)
		m->h.event_ns = t;
}
