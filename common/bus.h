/* bus.h - nbpy messages on ZeroMQ sockets.
 *
 * MessagePack messages travel as two frames, topic then payload, so SUB
 * filtering works on the topic alone.  Legacy messages are the original
 * services' single "<topic> <fields>" frame.  A receiver accepts both. */
#ifndef NBPY_BUS_H
#define NBPY_BUS_H

#include "wire.h"

enum nbpy_wire_mode {
	NBPY_WIRE_MSGPACK,
	NBPY_WIRE_LEGACY,
};

/* Encode m and send it on sock with zmq flags (e.g. ZMQ_DONTWAIT).
 * 0 on success; -1 if it cannot be encoded (reason in err) or sent (errno
 * from zmq, e.g. EAGAIN at the high-water mark). */
int nbpy_bus_send(void *sock, const char *topic, const struct nbpy_msg *m,
		  enum nbpy_wire_mode mode, int flags, struct nbpy_error *err);

#define NBPY_BUS_BAD_MESSAGE (-2)

/* Receive one message into m and its topic into topic (topic_cap bytes).
 * A single frame is decoded as legacy text, with the schema its topic names
 * (kr_eurusd_tick...) or else legacy_schema.  Returns 0; -1 on a transport
 * error (errno: EAGAIN, EINTR, ETERM...); NBPY_BUS_BAD_MESSAGE when what
 * arrived is not a valid message (consumed whole, reason in err). */
int nbpy_bus_recv(void *sock, struct nbpy_msg *m, char *topic, size_t topic_cap,
		  enum nbpy_schema legacy_schema, int flags, struct nbpy_error *err);

#endif
