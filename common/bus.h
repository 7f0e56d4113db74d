/* bus.h - nbpy messages on ZeroMQ sockets.
 *
 * MessagePack messages travel as two frames, topic then payload, so SUB
 * filtering works on the topic alone; a batch payload holds up to
 * NBPY_BATCH_MAX messages back to back.  Legacy messages are the original
 * services' single "<topic> <fields>" frame.  A receiver accepts all three,
 * and gives a message that came without a publisher (every legacy frame) a
 * header of its own on receipt (nbpy_bus_stamp). */
#ifndef NBPY_BUS_H
#define NBPY_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zmq.h>

#include "common/wire.h"

enum nbpy_wire_mode {
	NBPY_WIRE_MSGPACK,
	NBPY_WIRE_LEGACY,
};

/* Encode m and send it on sock with zmq flags (e.g. ZMQ_DONTWAIT).
 * 0 on success; -1 if it cannot be encoded (reason in err) or sent (reason
 * in err, errno from zmq, e.g. EAGAIN at the high-water mark of a socket
 * that does not drop). */
int nbpy_bus_send(void *sock, const char *topic, const struct nbpy_msg *m,
		  enum nbpy_wire_mode mode, int flags, struct nbpy_error *err);

/* Send topic + an already encoded payload (one message or a batch). */
int nbpy_bus_send_frame(void *sock, const char *topic, const void *payload, size_t len, int flags,
			struct nbpy_error *err);

/* A batch being built: up to max encoded messages of one topic, back to
 * back, to be sent as one payload frame. */
struct nbpy_bus_batch {
	char *buf;		/* max * NBPY_WIRE_MAX bytes */
	size_t max, n, len;
	const char *topic;	/* the caller's: valid until the batch is sent */
};

/* 0, or -1 when out of memory. */
int nbpy_bus_batch_init(struct nbpy_bus_batch *b, size_t max);
void nbpy_bus_batch_free(struct nbpy_bus_batch *b);
/* Whether a message on topic can join the batch before it is sent. */
bool nbpy_bus_batch_fits(const struct nbpy_bus_batch *b, const char *topic);
/* Encode m onto the batch (which must fit it); -1 if it cannot be encoded. */
int nbpy_bus_batch_add(struct nbpy_bus_batch *b, const struct nbpy_msg *m, const char *topic,
		       struct nbpy_error *err);
/* Append an already encoded message (at most NBPY_WIRE_MAX bytes) to the
 * batch, which must fit it; topic as for nbpy_bus_batch_add. */
void nbpy_bus_batch_add_encoded(struct nbpy_bus_batch *b, const void *payload, size_t len, const char *topic);
/* Send the batch as one frame and empty it, sent or not (as
 * nbpy_bus_send_frame).  Nothing to send is 0. */
int nbpy_bus_batch_send(void *sock, struct nbpy_bus_batch *b, int flags, struct nbpy_error *err);

#define NBPY_BUS_BAD_MESSAGE (-2)

/* Send topic (tlen bytes, no NUL needed) and payload as one message.  0, or
 * -1 with zmq's errno: with ZMQ_DONTWAIT, EAGAIN when a publisher that does
 * not drop (ZMQ_XPUB_NODROP) is at its high-water mark; nothing was sent. */
int nbpy_bus_send_raw(void *sock, const void *topic, size_t tlen, const void *payload, size_t len,
		      int flags);

/* Receive one ZeroMQ message holding 1..max nbpy messages into msgs[0..*n).
 * Returns as nbpy_bus_recv; a frame with more than max messages, or any bad
 * one, is rejected whole. */
int nbpy_bus_recv_batch(void *sock, struct nbpy_msg *msgs, size_t max, size_t *n, char *topic,
			size_t topic_cap, enum nbpy_schema legacy_schema, int flags,
			struct nbpy_error *err);

/* Where each message of a received frame lies in its payload. */
struct nbpy_bus_slice {
	size_t off, len;
};

/* A received payload frame, held while its messages' bytes are in use. */
struct nbpy_bus_frame {
	zmq_msg_t msg;
	bool held;
	const unsigned char *data;	/* NULL for a legacy frame (no MessagePack) */
};

/* nbpy_bus_recv_batch that also gives each message's bytes: slices[k] in
 * frame->data, which stays valid until nbpy_bus_frame_release (call it
 * after every successful receive).  For a legacy frame data is NULL. */
int nbpy_bus_recv_frame(void *sock, struct nbpy_msg *msgs, struct nbpy_bus_slice *slices, size_t max,
			size_t *n, char *topic, size_t topic_cap, enum nbpy_schema legacy_schema, int flags,
			struct nbpy_bus_frame *frame, struct nbpy_error *err);
void nbpy_bus_frame_release(struct nbpy_bus_frame *frame);

/* Receive one message into m and its topic into topic (topic_cap bytes).
 * A single frame is decoded as legacy text, with the schema its topic names
 * (kr_eurusd_tick...) or else legacy_schema.  Returns 0; -1 on a transport
 * error (errno: EAGAIN, EINTR, ETERM...); NBPY_BUS_BAD_MESSAGE when what
 * arrived is not a valid message (consumed whole, reason in err). */
int nbpy_bus_recv(void *sock, struct nbpy_msg *m, char *topic, size_t topic_cap,
		  enum nbpy_schema legacy_schema, int flags, struct nbpy_error *err);

/* Where messages without a publisher come from: one per connect endpoint.
 * Legacy frames carry no service, sequence number or time, so without this
 * every frame of a topic would be the same row to a store. */
struct nbpy_bus_origin {
	const char *endpoint;	/* connect form, "tcp://127.0.0.1:5559" */
	uint64_t seq;		/* messages numbered so far */
	int64_t last_ns;	/* receive time given to the last one */
};

/* "ENDPOINT TOPIC" into out; when that is longer than NBPY_SERVICE_MAX, its
 * first bytes (whole UTF-8 characters), "~" and the CRC-32C of the whole in
 * hex, so long names stay distinct and the same on every run. */
void nbpy_bus_source(const char *endpoint, const char *topic, char out[NBPY_SERVICE_MAX + 1]);

/* Give m, received on topic from o at now_ns, what a publisher would have:
 * service nbpy_bus_source(), seq the next of o's (1, 2, ...), recv_ns the
 * receive time, and event_ns the same when the frame had no time (0).  The
 * receive times given out by one origin strictly increase, so no two
 * messages share one.  Call it for messages whose service is "". */
void nbpy_bus_stamp(struct nbpy_bus_origin *o, struct nbpy_msg *m, const char *topic, int64_t now_ns);

#endif
