/* bus.h - nbpy messages on ZeroMQ sockets.
 *
 * MessagePack messages travel as two frames, topic then payload, so SUB
 * filtering works on the topic alone; a batch payload holds up to
 * NBPY_BATCH_MAX messages back to back.  Legacy messages are the original
 * services' single "<topic> <fields>" frame.  A receiver accepts all three. */
#ifndef NBPY_BUS_H
#define NBPY_BUS_H

#include "wire.h"

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

/* Receive one message into m and its topic into topic (topic_cap bytes).
 * A single frame is decoded as legacy text, with the schema its topic names
 * (kr_eurusd_tick...) or else legacy_schema.  Returns 0; -1 on a transport
 * error (errno: EAGAIN, EINTR, ETERM...); NBPY_BUS_BAD_MESSAGE when what
 * arrived is not a valid message (consumed whole, reason in err). */
int nbpy_bus_recv(void *sock, struct nbpy_msg *m, char *topic, size_t topic_cap,
		  enum nbpy_schema legacy_schema, int flags, struct nbpy_error *err);

#endif
