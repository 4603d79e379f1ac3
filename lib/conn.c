/* conn.c: the byte-stream transport behind every control and data
 * connection.  Plain sockets (or inetd's fd 0 / fd 1 pair) today; the TLS
 * seam is marked where SSL_read/SSL_write will slot in. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn.h"
#include "sys.h"

void
conn_init(struct conn *c, int fd, int timeout_ms)
{
	c->fd = fd;
	c->wfd = fd;
	c->timeout_ms = timeout_ms;
	c->tls = NULL;
}

/* Waits until fd is ready for events.  0 ready, -1 with errno
 * (ETIMEDOUT when the wait expired). */
static int
conn_wait(int fd, short events, int timeout_ms)
{
	int r = sys_poll_one(fd, events, timeout_ms);

	if (r == 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	if (r < 0)
		return -1;
	/* POLLERR/POLLHUP: let the read/write report the real error. */
	return 0;
}

ssize_t
conn_read(struct conn *c, void *p, size_t n)
{
	ssize_t r;

	if (c->fd < 0) {
		errno = EBADF;
		return -1;
	}
	/* TLS seam: when c->tls is set, bytes may already be decrypted and
	 * waiting (conn_has_pending), and the read becomes SSL_read with
	 * WANT_READ/WANT_WRITE mapped onto conn_wait. */
	for (;;) {
		if (conn_wait(c->fd, POLLIN, c->timeout_ms) < 0)
			return -1;
		r = read(c->fd, p, n);
		if (r >= 0)
			return r;
		if (errno == EINTR)
			continue;
		/* A non-blocking descriptor can race with another reader. */
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			continue;
		return -1;
	}
}

/* One send on the write side.  MSG_NOSIGNAL so a vanished peer gives
 * EPIPE instead of killing us; write() when wfd is not a socket (inetd
 * stdout may be a pipe or tty). */
static ssize_t
conn_send_some(int fd, const void *p, size_t n)
{
	ssize_t r;

	r = send(fd, p, n, MSG_NOSIGNAL);
	if (r < 0 && errno == ENOTSOCK)
		r = write(fd, p, n);
	return r;
}

int
conn_write_full(struct conn *c, const void *p, size_t n)
{
	const char *s = p;
	ssize_t r;

	if (c->wfd < 0) {
		errno = EBADF;
		return -1;
	}
	/* TLS seam: SSL_write replaces conn_send_some when c->tls is set. */
	while (n > 0) {
		if (conn_wait(c->wfd, POLLOUT, c->timeout_ms) < 0)
			return -1;
		r = conn_send_some(c->wfd, s, n);
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN ||
			    errno == EWOULDBLOCK)
				continue;
			return -1;
		}
		if (r == 0) {
			errno = EPIPE;
			return -1;
		}
		s += r;
		n -= (size_t)r;
	}
	return 0;
}

int
conn_has_pending(const struct conn *c)
{
	/* TLS seam: SSL_pending(c->tls) > 0.  Plain sockets buffer nothing
	 * in user space. */
	(void)c;
	return 0;
}

void
conn_shutdown(struct conn *c)
{
	/* TLS seam: SSL_shutdown (close_notify) goes here first. */
	if (c->wfd >= 0)
		(void)shutdown(c->wfd, SHUT_WR);
}

void
conn_close(struct conn *c)
{
	/* TLS seam: SSL_free(c->tls). */
	c->tls = NULL;
	if (c->wfd >= 0 && c->wfd != c->fd)
		sys_close_failok(c->wfd);
	sys_close_failok(c->fd);
	c->fd = -1;
	c->wfd = -1;
}
