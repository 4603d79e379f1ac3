/* net.c: socket addresses, listening/accepting/connecting with timeouts,
 * and descriptor passing over AF_UNIX sockets. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "net.h"
#include "sys.h"

static int
net_set_v4(struct netaddr *a, const char *ip)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&a->ss;

	memset(a, 0, sizeof *a);
	sin->sin_family = AF_INET;
	if (inet_pton(AF_INET, ip, &sin->sin_addr) != 1)
		return -1;
	a->len = sizeof *sin;
	return 0;
}

static int
net_set_v6(struct netaddr *a, const char *ip)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a->ss;

	memset(a, 0, sizeof *a);
	sin6->sin6_family = AF_INET6;
	if (inet_pton(AF_INET6, ip, &sin6->sin6_addr) != 1)
		return -1;
	a->len = sizeof *sin6;
	return 0;
}

int
net_parse_ip(const char *s, struct netaddr *a)
{
	if (s == NULL || *s == '\0')
		return -1;
	if (net_set_v4(a, s) == 0)
		return 0;
	if (net_set_v6(a, s) == 0)
		return 0;
	memset(a, 0, sizeof *a);
	return -1;
}

static int
parse_port_text(const char *s, int *port)
{
	long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > 65535)
			return -1;
	}
	*port = (int)v;
	return 0;
}

int
net_parse_listen(const char *s, struct netaddr *a)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon, *end;
	size_t hl;
	int port;

	if (s == NULL)
		return -1;
	if (s[0] == '[') {
		end = strchr(s, ']');
		if (end == NULL || end[1] != ':')
			return -1;
		hl = (size_t)(end - s - 1);
		if (hl == 0 || hl >= sizeof host)
			return -1;
		memcpy(host, s + 1, hl);
		host[hl] = '\0';
		if (parse_port_text(end + 2, &port) < 0)
			return -1;
		if (net_set_v6(a, host) < 0)
			return -1;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL || strchr(s, ':') != colon)
			return -1;
		hl = (size_t)(colon - s);
		if (hl == 0 || hl >= sizeof host)
			return -1;
		memcpy(host, s, hl);
		host[hl] = '\0';
		if (parse_port_text(colon + 1, &port) < 0)
			return -1;
		if (strcmp(host, "*") == 0)
			(void)strcpy(host, "0.0.0.0");
		if (net_set_v4(a, host) < 0)
			return -1;
	}
	net_set_port(a, port);
	return 0;
}

int
net_family(const struct netaddr *a)
{
	return a->ss.ss_family;
}

int
net_port(const struct netaddr *a)
{
	if (a->ss.ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
	if (a->ss.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
	return -1;
}

void
net_set_port(struct netaddr *a, int port)
{
	if (a->ss.ss_family == AF_INET)
		((struct sockaddr_in *)&a->ss)->sin_port = htons((uint16_t)port);
	else if (a->ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&a->ss)->sin6_port = htons((uint16_t)port);
}

/* Extracts the IPv4 address if a is v4 or v4-mapped v6.  1 if so. */
static int
net_v4_of(const struct netaddr *a, struct in_addr *out)
{
	const struct sockaddr_in6 *s6;

	if (a->ss.ss_family == AF_INET) {
		*out = ((const struct sockaddr_in *)&a->ss)->sin_addr;
		return 1;
	}
	if (a->ss.ss_family == AF_INET6) {
		s6 = (const struct sockaddr_in6 *)&a->ss;
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			memcpy(&out->s_addr, &s6->sin6_addr.s6_addr[12], 4);
			return 1;
		}
	}
	return 0;
}

int
net_same_host(const struct netaddr *a, const struct netaddr *b)
{
	struct in_addr a4, b4;
	int av4 = net_v4_of(a, &a4), bv4 = net_v4_of(b, &b4);

	if (av4 || bv4)
		return av4 && bv4 && a4.s_addr == b4.s_addr;
	if (a->ss.ss_family != AF_INET6 || b->ss.ss_family != AF_INET6)
		return 0;
	return memcmp(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr,
		      &((const struct sockaddr_in6 *)&b->ss)->sin6_addr,
		      sizeof(struct in6_addr)) == 0;
}

int
net_is_loopback(const struct netaddr *a)
{
	struct in_addr a4;

	if (net_v4_of(a, &a4))
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (a->ss.ss_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(
		    &((const struct sockaddr_in6 *)&a->ss)->sin6_addr);
	return 0;
}

const char *
net_ntop(const struct netaddr *a, char *out, size_t n, int with_port)
{
	char ip[INET6_ADDRSTRLEN];
	const void *src;
	int r;

	if (n == 0)
		return out;
	if (a->ss.ss_family == AF_INET)
		src = &((const struct sockaddr_in *)&a->ss)->sin_addr;
	else if (a->ss.ss_family == AF_INET6)
		src = &((const struct sockaddr_in6 *)&a->ss)->sin6_addr;
	else {
		(void)snprintf(out, n, "?");
		return out;
	}
	if (inet_ntop(a->ss.ss_family, src, ip, sizeof ip) == NULL) {
		(void)snprintf(out, n, "?");
		return out;
	}
	if (!with_port)
		r = snprintf(out, n, "%s", ip);
	else if (a->ss.ss_family == AF_INET6)
		r = snprintf(out, n, "[%s]:%d", ip, net_port(a));
	else
		r = snprintf(out, n, "%s:%d", ip, net_port(a));
	(void)r;
	return out;
}

int
net_listen(const struct netaddr *a, int backlog)
{
	int fd, on = 1;

	fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0)
		goto fail;
	if (a->ss.ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) < 0)
		goto fail;
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0)
		goto fail;
	if (listen(fd, backlog) < 0)
		goto fail;
	return fd;
fail:
	{
		int e = errno;

		sys_close_failok(fd);
		errno = e;
	}
	return -1;
}

int
net_accept(int lfd, struct netaddr *peer)
{
	struct netaddr tmp;
	int fd;

	memset(&tmp, 0, sizeof tmp);
	tmp.len = sizeof tmp.ss;
	do
		fd = accept4(lfd, (struct sockaddr *)&tmp.ss, &tmp.len,
			     SOCK_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd >= 0 && peer != NULL)
		*peer = tmp;
	return fd;
}

int
net_connect(const struct netaddr *to, const struct netaddr *bind_from,
	    int timeout_ms)
{
	int fd, r, err = 0, on = 1;
	socklen_t elen = sizeof err;

	fd = socket(to->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (bind_from != NULL) {
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0)
			goto fail;
		if (bind(fd, (const struct sockaddr *)&bind_from->ss,
			 bind_from->len) < 0)
			goto fail;
	}
	r = connect(fd, (const struct sockaddr *)&to->ss, to->len);
	if (r < 0 && errno != EINPROGRESS && errno != EINTR)
		goto fail;
	if (r < 0) {
		r = sys_poll_one(fd, POLLOUT, timeout_ms);
		if (r == 0) {
			errno = ETIMEDOUT;
			goto fail;
		}
		if (r < 0)
			goto fail;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
			goto fail;
		if (err != 0) {
			errno = err;
			goto fail;
		}
	}
	if (sys_set_nonblock(fd, 0) < 0)
		goto fail;
	return fd;
fail:
	err = errno;
	sys_close_failok(fd);
	errno = err;
	return -1;
}

int
net_connect_host(const char *host, const char *port, int family,
		 int timeout_ms, struct netaddr *peer, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL, *ai;
	struct netaddr to;
	char ip[NETADDR_STRLEN];
	int fd = -1, r, e = 0;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_ADDRCONFIG;
	r = getaddrinfo(host, port, &hints, &res);
	if (r == EAI_NONAME || r == EAI_ADDRFAMILY) {
		/* AI_ADDRCONFIG hides loopback-only setups: retry without. */
		hints.ai_flags = 0;
		r = getaddrinfo(host, port, &hints, &res);
	}
	if (r != 0) {
		(void)snprintf(err, errlen, "%s: %s", host,
			       r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_addrlen > sizeof to.ss)
			continue;
		memset(&to, 0, sizeof to);
		memcpy(&to.ss, ai->ai_addr, ai->ai_addrlen);
		to.len = ai->ai_addrlen;
		fd = net_connect(&to, NULL, timeout_ms);
		if (fd >= 0) {
			if (peer != NULL)
				*peer = to;
			break;
		}
		e = errno;
		(void)snprintf(err, errlen, "connect to %s: %s",
			       net_ntop(&to, ip, sizeof ip, 1), strerror(e));
	}
	freeaddrinfo(res);
	if (fd < 0 && e == 0)
		(void)snprintf(err, errlen, "%s: no usable address", host);
	if (fd < 0)
		errno = e ? e : EHOSTUNREACH;
	return fd;
}

int
net_local_addr(int fd, struct netaddr *a)
{
	memset(a, 0, sizeof *a);
	a->len = sizeof a->ss;
	return getsockname(fd, (struct sockaddr *)&a->ss, &a->len) < 0 ? -1 : 0;
}

int
net_peer_addr(int fd, struct netaddr *a)
{
	memset(a, 0, sizeof *a);
	a->len = sizeof a->ss;
	return getpeername(fd, (struct sockaddr *)&a->ss, &a->len) < 0 ? -1 : 0;
}

void
net_tune_bulk(int fd)
{
	int sz = 1 << 20;

	/* A fixed send buffer: measured on loopback, sendfile() costs less
	 * CPU with 1 MiB than with the autotuned size.  The receive buffer
	 * stays autotuned: pinning it (which turns autotuning off) cost
	 * about 30% more CPU per byte received (bench/ceil, splice). */
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
}

ssize_t
net_send_fd(int sock, int fd, const void *data, size_t n)
{
	struct msghdr msg;
	struct iovec iov;
	union {
		struct cmsghdr align;
		char b[CMSG_SPACE(sizeof(int))];
	} cbuf;
	struct cmsghdr *cm;
	char dummy = 0;
	ssize_t r;

	memset(&msg, 0, sizeof msg);
	/* At least one byte must travel with the descriptor. */
	iov.iov_base = n > 0 ? (void *)(uintptr_t)data : &dummy;
	iov.iov_len = n > 0 ? n : 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (fd >= 0) {
		memset(&cbuf, 0, sizeof cbuf);
		msg.msg_control = cbuf.b;
		msg.msg_controllen = sizeof cbuf.b;
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	do
		r = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	if (r >= 0 && n == 0)
		r = 0;
	return r;
}

ssize_t
net_recv_fd(int sock, int *fd, void *data, size_t n)
{
	struct msghdr msg;
	struct iovec iov;
	union {
		struct cmsghdr align;
		char b[CMSG_SPACE(sizeof(int) * 4)];
	} cbuf;
	struct cmsghdr *cm;
	char dummy;
	ssize_t r;
	int got;

	*fd = -1;
	memset(&msg, 0, sizeof msg);
	iov.iov_base = n > 0 ? data : &dummy;
	iov.iov_len = n > 0 ? n : 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf.b;
	msg.msg_controllen = sizeof cbuf.b;
	do
		r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -1;
	for (cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		/* Keep the first descriptor; close any extras a peer sent. */
		for (size_t i = 0; (i + 1) * sizeof(int) <= cm->cmsg_len - CMSG_LEN(0); i++) {
			memcpy(&got, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			if (*fd < 0)
				*fd = got;
			else
				sys_close_failok(got);
		}
	}
	if (msg.msg_flags & MSG_CTRUNC) {
		sys_close_failok(*fd);
		*fd = -1;
		errno = EMSGSIZE;
		return -1;
	}
	if (n == 0)
		r = 0;
	return r;
}
