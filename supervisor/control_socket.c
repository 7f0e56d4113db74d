/* control_socket.c - see control_socket.h. */
#include <autoconfig.h>
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "supervisor/control_socket.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/timefmt.h"

#define MONITOR_ENDPOINT "inproc://nbpyd-control-monitor"
/* Connections that never finish the ZMTP handshake are closed after this. */
#define HANDSHAKE_MS 5000
/* After the cap closed every connection: a pause, so that a flood cannot
 * keep nbpyd's loop busy binding, and clients reconnect in the meantime. */
#define REBIND_DELAY_NS (NBPY_NS_PER_SEC / 10)
#define RESET_LOG_EVERY_NS (10 * NBPY_NS_PER_SEC)
/* Descriptors kept for everything but control connections (services' notify
 * sockets and log pipes, spawn pipes, history files, libzmq's own) and for
 * the connections libzmq accepts past the cap before the unbind reaches it
 * (measured: up to 5% of the cap). */
#define RESERVE_MIN 512
/* However high the descriptor limit: a connection costs about 4 KiB, and a
 * supervisor's clients are a few operators and scripts. */
#define MAX_CONNECTIONS 4096

/* A tcp control socket: CURVE encryption, and a ZAP handler that admits only
 * the configured client keys (config validation guarantees the keys). */
static int setup_curve(struct control_socket *c, const struct nbpy_config *cfg)
{
	const struct nbpy_value *clients = nbpy_config_global(cfg, "control_curve_clients");
	const char *secret = nbpy_config_global(cfg, "control_curve_secret")->text;
	int one = 1, zero = 0;

	c->clients = calloc(clients->n_items ? clients->n_items : 1, sizeof(*c->clients));
	if (c->clients == NULL)
		return -1;
	for (size_t i = 0; i < clients->n_items; i++)
		if (zmq_z85_decode(c->clients[c->n_clients++], clients->items[i]) == NULL)
			return -1;
	/* The ZAP endpoint must exist before the socket it guards binds. */
	c->zap = zmq_socket(c->ctx, ZMQ_REP);
	if (c->zap == NULL || zmq_setsockopt(c->zap, ZMQ_LINGER, &zero, sizeof(zero)) < 0 ||
	    zmq_bind(c->zap, "inproc://zeromq.zap.01") < 0 ||
	    zmq_setsockopt(c->sock, ZMQ_CURVE_SERVER, &one, sizeof(one)) < 0 ||
	    zmq_setsockopt(c->sock, ZMQ_CURVE_SECRETKEY, secret, strlen(secret)) < 0 ||
	    zmq_setsockopt(c->sock, ZMQ_ZAP_DOMAIN, "nbpyd", 5) < 0) {
		log_error("CURVE setup: %s", zmq_strerror(errno));
		return -1;
	}
	return 0;
}

/* The monitor reports accepted and closed connections; it must be in place
 * before the first bind so that no accept goes uncounted.  Its queue is
 * unbounded (RCVHWM 0): a full queue would block libzmq's I/O thread. */
static int setup_monitor(struct control_socket *c)
{
	int zero = 0;

	c->open_fds = calloc((c->fd_limit + 7) / 8, 1);
	if (c->open_fds == NULL)
		return -1;
	if (zmq_socket_monitor(c->sock, MONITOR_ENDPOINT,
			       ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_CLOSED) < 0 ||
	    (c->monitor = zmq_socket(c->ctx, ZMQ_PAIR)) == NULL ||
	    zmq_setsockopt(c->monitor, ZMQ_RCVHWM, &zero, sizeof(zero)) < 0 ||
	    zmq_setsockopt(c->monitor, ZMQ_LINGER, &zero, sizeof(zero)) < 0 ||
	    zmq_connect(c->monitor, MONITOR_ENDPOINT) < 0) {
		log_error("control socket monitor: %s", zmq_strerror(errno));
		return -1;
	}
	return 0;
}

static int bind_endpoint(struct control_socket *c)
{
	if (zmq_bind(c->sock, c->endpoint) < 0) {
		log_error("control socket %s: %s", c->endpoint, zmq_strerror(errno));
		return -1;
	}
	if (c->ipc_path != NULL && (chown(c->ipc_path, (uid_t)-1, c->gid) < 0 ||
				    chmod(c->ipc_path, 0660) < 0)) {
		log_error("control socket %s: %s", c->ipc_path, strerror(errno));
		(void)zmq_unbind(c->sock, c->endpoint);
		return -1;
	}
	c->bound = true;
	return 0;
}

static int prepare_ipc_path(struct control_socket *c, const char *group)
{
	c->ipc_path = strdup(c->endpoint + 6);
	if (c->ipc_path == NULL)
		return -1;
	if (nbpy_mkdir_parent(c->ipc_path, 0755) < 0) {
		log_error("control socket directory of %s: %s", c->ipc_path, strerror(errno));
		return -1;
	}
	c->gid = getgid();
	if (group != NULL) {
		const struct group *gr = getgrnam(group);

		if (gr == NULL) {
			log_error("control_group: no group '%s'", group);
			return -1;
		}
		c->gid = gr->gr_gid;
	}
	return 0;
}

int control_socket_open(struct control_socket *c, const struct nbpy_config *cfg, size_t fd_limit)
{
	size_t reserve = fd_limit / 4 > RESERVE_MIN ? fd_limit / 4 : RESERVE_MIN;
	int linger = 0, handshake = HANDSHAKE_MS;
	int64_t max_request = CONTROL_MAX_REQUEST;

	c->endpoint = strdup(nbpy_config_global(cfg, "control")->text);
	if (c->endpoint == NULL)
		return -1;
	c->fd_limit = fd_limit;
	c->cap = fd_limit > reserve + 16 ? fd_limit - reserve : 16;
	if (c->cap > MAX_CONNECTIONS)
		c->cap = MAX_CONNECTIONS;
	if (strncmp(c->endpoint, "ipc://", 6) == 0 &&
	    prepare_ipc_path(c, nbpy_config_global(cfg, "control_group")->text) < 0)
		return -1;
	if ((c->ctx = zmq_ctx_new()) == NULL) {
		log_error("control socket: %s", zmq_strerror(errno));
		return -1;
	}
	c->sock = zmq_socket(c->ctx, ZMQ_REP);
	if (c->sock == NULL || zmq_setsockopt(c->sock, ZMQ_LINGER, &linger, sizeof(linger)) < 0 ||
	    zmq_setsockopt(c->sock, ZMQ_MAXMSGSIZE, &max_request, sizeof(max_request)) < 0 ||
	    zmq_setsockopt(c->sock, ZMQ_HANDSHAKE_IVL, &handshake, sizeof(handshake)) < 0) {
		log_error("control socket: %s", zmq_strerror(errno));
		return -1;
	}
	if (strncmp(c->endpoint, "tcp://", 6) == 0 && setup_curve(c, cfg) < 0)
		return -1;
	if (setup_monitor(c) < 0)
		return -1;
	log_info("control: at most %zu connections (descriptor limit %zu)", c->cap, fd_limit);
	return bind_endpoint(c);
}

void control_socket_close(struct control_socket *c)
{
	/* Stop the monitor and read what it still holds before closing either
	 * end: libzmq 4.3 leaks an event (its endpoint string) left queued
	 * towards a monitor socket that is already closed. */
	if (c->sock != NULL && c->monitor != NULL) {
		zmq_msg_t m;

		(void)zmq_socket_monitor(c->sock, NULL, 0);
		if (zmq_msg_init(&m) == 0) {
			while (zmq_msg_recv(&m, c->monitor, ZMQ_DONTWAIT) >= 0)
				;
			(void)zmq_msg_close(&m);
		}
	}
	if (c->monitor != NULL)
		(void)zmq_close(c->monitor);
	if (c->sock != NULL)
		(void)zmq_close(c->sock);
	if (c->zap != NULL)
		(void)zmq_close(c->zap);
	if (c->ctx != NULL)
		(void)zmq_ctx_term(c->ctx);
	free(c->clients);
	free(c->open_fds);
	free(c->endpoint);
	free(c->ipc_path);
}

size_t control_socket_pollitems(const struct control_socket *c, zmq_pollitem_t *items)
{
	size_t n = 0;

	items[n++] = (zmq_pollitem_t){ .socket = c->monitor, .events = ZMQ_POLLIN };
	items[n++] = (zmq_pollitem_t){ .socket = c->sock, .events = ZMQ_POLLIN };
	if (c->zap != NULL)
		items[n++] = (zmq_pollitem_t){ .socket = c->zap, .events = ZMQ_POLLIN };
	return n;
}

int64_t control_socket_timer(const struct control_socket *c)
{
	return c->rebind_at;
}

/* The cap is reached: unbinding closes every connection the listener
 * accepted (libzmq's sessions are its children); the monitor's CLOSED event
 * then clears the count, and the timer binds again. */
static void close_all_connections(struct control_socket *c, int64_t now)
{
	if (zmq_unbind(c->sock, c->endpoint) < 0) {
		log_error("control socket %s: unbind: %s", c->endpoint, zmq_strerror(errno));
		return;
	}
	c->bound = false;
	c->rebind_at = 0;	/* set by the CLOSED event */
	c->n_resets++;
	if (now >= c->next_reset_log) {
		log_warning("control: %zu connections, the most allowed under a descriptor limit of %zu: "
			    "closed them all (%lu times so far)", c->n_open, c->fd_limit, c->n_resets);
		c->next_reset_log = now + RESET_LOG_EVERY_NS;
	}
}

/* One monitor event (two frames: event id and value, then the endpoint).
 * 0: handled, -1: none left. */
static int read_monitor_event(struct control_socket *c, int64_t now)
{
	uint8_t head[6];
	uint16_t event;
	uint32_t fd;
	char rest[8];
	int more = 0;
	size_t sz = sizeof(more);

	if (zmq_recv(c->monitor, head, sizeof(head), ZMQ_DONTWAIT) != (int)sizeof(head))
		return -1;
	while (zmq_getsockopt(c->monitor, ZMQ_RCVMORE, &more, &sz) == 0 && more)
		if (zmq_recv(c->monitor, rest, sizeof(rest), ZMQ_DONTWAIT) < 0)
			break;
	memcpy(&event, head, sizeof(event));
	memcpy(&fd, head + sizeof(event), sizeof(fd));
	switch (event) {
	case ZMQ_EVENT_ACCEPTED:
		if (fd < c->fd_limit && !(c->open_fds[fd / 8] & (1u << (fd % 8)))) {
			c->open_fds[fd / 8] |= (uint8_t)(1u << (fd % 8));
			c->n_open++;
		}
		if (c->bound && c->n_open >= c->cap)
			close_all_connections(c, now);
		break;
	case ZMQ_EVENT_DISCONNECTED:
		if (fd < c->fd_limit && (c->open_fds[fd / 8] & (1u << (fd % 8)))) {
			c->open_fds[fd / 8] &= (uint8_t)~(1u << (fd % 8));
			c->n_open--;
		}
		break;
	case ZMQ_EVENT_CLOSED:	/* the listener, and with it its connections */
		if (!c->bound) {
			log_debug("control: closed %zu connections (cap %zu)", c->n_open, c->cap);
			memset(c->open_fds, 0, (c->fd_limit + 7) / 8);
			c->n_open = 0;
			c->rebind_at = now + REBIND_DELAY_NS;
		}
		break;
	}
	return 0;
}

/* One ZAP request (RFC 27): admit a CURVE client whose key is listed. */
static void serve_zap(struct control_socket *c)
{
	zmq_msg_t part[8];
	int n = 0, more = 1;
	size_t sz = sizeof(more);
	bool ok = false;
	static const char *const reply_ok[] = { "200", "OK" }, *const reply_no[] = { "400", "unknown key" };
	const char *const *r;

	while (more && n < 8) {
		if (zmq_msg_init(&part[n]) < 0 || zmq_msg_recv(&part[n], c->zap, ZMQ_DONTWAIT) < 0)
			break;
		n++;
		if (zmq_getsockopt(c->zap, ZMQ_RCVMORE, &more, &sz) < 0)
			more = 0;
	}
	if (n < 2)
		goto out;
	if (n == 7 && zmq_msg_size(&part[5]) == 5 && memcmp(zmq_msg_data(&part[5]), "CURVE", 5) == 0 &&
	    zmq_msg_size(&part[6]) == 32)
		for (size_t i = 0; i < c->n_clients && !ok; i++)
			ok = memcmp(zmq_msg_data(&part[6]), c->clients[i], 32) == 0;
	if (!ok)
		log_warning("control: refused a client with an unknown CURVE key");
	r = ok ? reply_ok : reply_no;
	if (zmq_send(c->zap, "1.0", 3, ZMQ_SNDMORE) < 0 ||
	    zmq_send(c->zap, zmq_msg_data(&part[1]), zmq_msg_size(&part[1]), ZMQ_SNDMORE) < 0 ||
	    zmq_send(c->zap, r[0], 3, ZMQ_SNDMORE) < 0 ||
	    zmq_send(c->zap, r[1], strlen(r[1]), ZMQ_SNDMORE) < 0 ||
	    zmq_send(c->zap, "", 0, ZMQ_SNDMORE) < 0 || zmq_send(c->zap, "", 0, 0) < 0)
		log_warning("ZAP reply: %s", zmq_strerror(errno));
out:
	for (int i = 0; i < n; i++)
		(void)zmq_msg_close(&part[i]);
}

static void serve_request(struct supervisor *sv, void *sock)
{
	zmq_msg_t msg;
	char *answer;
	int more = 0;
	size_t sz = sizeof(more);

	/* REP: one request, one reply, never blocking (zmq_poll said readable). */
	if (zmq_msg_init(&msg) < 0)
		return;
	if (zmq_msg_recv(&msg, sock, ZMQ_DONTWAIT) < 0) {
		(void)zmq_msg_close(&msg);
		return;
	}
	while (zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &sz) == 0 && more) {
		zmq_msg_t part;

		if (zmq_msg_init(&part) < 0 || zmq_msg_recv(&part, sock, ZMQ_DONTWAIT) < 0)
			break;
		(void)zmq_msg_close(&part);
	}
	answer = control_handle(sv, zmq_msg_data(&msg), zmq_msg_size(&msg));
	(void)zmq_msg_close(&msg);
	if (answer == NULL)
		answer = strdup("{\"v\":1,\"ok\":false,\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}");
	if (answer == NULL || zmq_send(sock, answer, strlen(answer), ZMQ_DONTWAIT) < 0)
		log_warning("control reply not sent: %s", zmq_strerror(errno));
	free(answer);
}

void control_socket_serve(struct control_socket *c, struct supervisor *sv,
			  const zmq_pollitem_t *items, int64_t now)
{
	/* Connection counts first: they decide whether the listener stays. */
	/* (bounded, for fairness: zmq_poll wakes again for the rest) */
	for (int i = 0; (items[0].revents & ZMQ_POLLIN) && i < 10000; i++)
		if (read_monitor_event(c, now) < 0)
			break;
	if (c->zap != NULL && (items[2].revents & ZMQ_POLLIN))
		serve_zap(c);
	if (items[1].revents & ZMQ_POLLIN)
		serve_request(sv, c->sock);
	if (c->rebind_at != 0 && now >= c->rebind_at) {
		c->rebind_at = 0;
		if (bind_endpoint(c) < 0)
			c->rebind_at = now + NBPY_NS_PER_SEC;	/* logged; try again */
	}
}
