/* control_socket.h - nbpyd's ZeroMQ control socket: bind it (ipc with
 * mode and group, or tcp with CURVE and a ZAP handler), serve requests, and
 * guard the process's file descriptors against floods of connections.
 *
 * libzmq 4.3.4 aborts the whole process when accept() on an ipc listener
 * fails with EMFILE, so every control connection is counted through a socket
 * monitor; at the cap (the descriptor limit less a reserve) the endpoint is
 * unbound, which closes every connection it accepted, and bound again
 * shortly after.  Requests over CONTROL_MAX_REQUEST are dropped by libzmq
 * before they are read (ZMQ_MAXMSGSIZE). */
#ifndef NBPY_CONTROL_SOCKET_H
#define NBPY_CONTROL_SOCKET_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <zmq.h>

#include "supervisor/supervisor.h"

#define CONTROL_POLLITEMS 3	/* the most control_socket_pollitems fills */

struct control_socket {
	void *ctx;		/* its own ZeroMQ context */
	void *sock;		/* REP */
	void *zap;		/* ZAP handler for a CURVE tcp socket, else NULL */
	void *monitor;		/* PAIR receiving sock's accept/disconnect events */
	char *endpoint;
	char *ipc_path;		/* the socket file, for ipc endpoints */
	gid_t gid;		/* its group */
	uint8_t (*clients)[32];	/* allowed CURVE client public keys */
	size_t n_clients;
	/* the connection guard */
	uint8_t *open_fds;	/* bitmap: accepted connections still open, by fd */
	size_t fd_limit;	/* RLIMIT_NOFILE: the bitmap's size in bits */
	size_t n_open, cap;
	bool bound;
	int64_t rebind_at;	/* monotonic ns, 0: none pending */
	unsigned long n_resets;	/* times the cap was reached */
	unsigned long n_resets_logged;
	int64_t next_reset_log;	/* monotonic ns */
};

/* Bind the [nbpyd] control endpoint of cfg.  fd_limit: the process's
 * RLIMIT_NOFILE.  -1 with the reason logged; close c in any case (a zeroed
 * c too). */
int control_socket_open(struct control_socket *c, const struct nbpy_config *cfg, size_t fd_limit);
void control_socket_close(struct control_socket *c);

/* The items zmq_poll must watch (at most CONTROL_POLLITEMS). */
size_t control_socket_pollitems(const struct control_socket *c, zmq_pollitem_t *items);

/* After zmq_poll: handle what the items (as filled above) report, and the
 * rebind timer. */
void control_socket_serve(struct control_socket *c, struct supervisor *sv,
			  const zmq_pollitem_t *items, int64_t now);

/* The control socket's next timer (monotonic ns), 0: none. */
int64_t control_socket_timer(const struct control_socket *c);

#endif
