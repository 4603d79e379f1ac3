/* net.h: addresses, sockets, and descriptor passing for both programs. */
#ifndef FTPKIT_NET_H
#define FTPKIT_NET_H

#include <sys/socket.h>
#include <stddef.h>

struct netaddr {
	struct sockaddr_storage ss;
	socklen_t len;
};

#define NETADDR_STRLEN 64	/* "[v6addr]:port" fits */

/* "1.2.3.4:21", "[::1]:21", "*:21" (all v4), "[::]:21".  0 or -1. */
int net_parse_listen(const char *s, struct netaddr *a);
/* Numeric address without port, e.g. "127.0.0.1" or "::1". 0 or -1. */
int net_parse_ip(const char *s, struct netaddr *a);
int net_port(const struct netaddr *a);
void net_set_port(struct netaddr *a, int port);
int net_family(const struct netaddr *a);
/* Same IP address (ports ignored); v4-mapped v6 compares equal to v4. */
int net_same_host(const struct netaddr *a, const struct netaddr *b);
int net_is_loopback(const struct netaddr *a);
/* Formats the IP only ("::1") or with port ("[::1]:21", "1.2.3.4:21"). */
const char *net_ntop(const struct netaddr *a, char *out, size_t n, int with_port);

/* Listening socket: SO_REUSEADDR, IPV6_V6ONLY for v6, close-on-exec.
 * Returns fd or -1. */
int net_listen(const struct netaddr *a, int backlog);
/* accept4 with CLOEXEC; fills peer if non-NULL. fd or -1. */
int net_accept(int lfd, struct netaddr *peer);
/* Non-blocking connect with timeout; bind_from may be NULL (a port of 0 in
 * it means any port).  Returns a blocking fd or -1 with errno set
 * (ETIMEDOUT on timeout). */
int net_connect(const struct netaddr *to, const struct netaddr *bind_from,
		int timeout_ms);
/* Resolve host/port (getaddrinfo, family AF_UNSPEC/AF_INET/AF_INET6) and
 * connect to the first address that answers.  On failure returns -1 and
 * writes a human-readable reason into err. */
int net_connect_host(const char *host, const char *port, int family,
		     int timeout_ms, struct netaddr *peer, char *err, size_t errlen);
int net_local_addr(int fd, struct netaddr *a);
int net_peer_addr(int fd, struct netaddr *a);
/* Larger kernel buffers for bulk data; failures ignored. */
void net_tune_bulk(int fd);

/* Descriptor passing over an AF_UNIX socket, with a small payload.
 * net_recv_fd sets *fd = -1 when no descriptor came. Return bytes or -1. */
ssize_t net_send_fd(int sock, int fd, const void *data, size_t n);
ssize_t net_recv_fd(int sock, int *fd, void *data, size_t n);

#endif
