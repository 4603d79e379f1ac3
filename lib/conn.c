/* conn.c: the byte-stream transport behind every control and data
 * connection: a plain socket (or inetd's fd 0 / fd 1 pair), or TLS once
 * tls.c has put an SSL into c->tls.  Both share the same poll-based
 * timeouts: every wait is bounded by timeout_ms. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "conn.h"
#include "sys.h"

/* Before closing a TLS connection, read at most this much of what the
 * peer already sent (its close_notify, say): close() with unread bytes
 * answers with a reset, which can destroy our last data in flight. */
#define CONN_DRAIN_MAX (64 * 1024)

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

/* A failed TLS call: sets errno and, for a fatal error, marks the SSL so
 * that no close_notify is attempted on it later (quiet shutdown).  The
 * OpenSSL error queue is left for tls_error_text().  Returns 1 when the
 * caller should wait and retry (after the wait done here), 0 for EOF,
 * -1 for an error. */
static int
conn_tls_retry(struct conn *c, SSL *ssl, int saved_errno)
{
	switch (SSL_get_error(ssl, 0)) {
	case SSL_ERROR_WANT_READ:
		return conn_wait(c->fd, POLLIN, c->timeout_ms) < 0 ? -1 : 1;
	case SSL_ERROR_WANT_WRITE:
		return conn_wait(c->wfd, POLLOUT, c->timeout_ms) < 0 ? -1 : 1;
	case SSL_ERROR_ZERO_RETURN:
		return 0;	/* close_notify: a clean end of stream */
	case SSL_ERROR_SYSCALL:
		SSL_set_quiet_shutdown(ssl, 1);
		errno = saved_errno != 0 ? saved_errno : ECONNRESET;
		return -1;
	default:
		/* Includes EOF without close_notify (possible truncation). */
		SSL_set_quiet_shutdown(ssl, 1);
		errno = EPROTO;
		return -1;
	}
}

/* SSL_read until n bytes are in or nothing more has arrived: the BIO
 * never blocks, so one call hands over every record at hand (up to n)
 * without waiting again.  Large reads mean fewer calls and file writes
 * per byte; a record is at most 16 KiB. */
static ssize_t
conn_tls_read(struct conn *c, SSL *ssl, char *p, size_t n)
{
	size_t got = 0, r;
	int saved, w;

	for (;;) {
		ERR_clear_error();
		errno = 0;
		if (SSL_read_ex(ssl, p + got, n - got, &r) == 1) {
			got += r;
			if (got < n)
				continue;
			return (ssize_t)got;
		}
		saved = errno;
		if (got > 0) {
			/* Nothing more yet; EOF or an error repeats on the
			 * next call. */
			ERR_clear_error();
			return (ssize_t)got;
		}
		w = conn_tls_retry(c, ssl, saved);
		if (w <= 0)
			return w;
	}
}

ssize_t
conn_read(struct conn *c, void *p, size_t n)
{
	ssize_t r;

	if (c->fd < 0) {
		errno = EBADF;
		return -1;
	}
	if (c->tls != NULL)
		return conn_tls_read(c, c->tls, p, n);
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

/* SSL_write until all is out.  A retry after WANT_* passes the same
 * buffer and length, as OpenSSL requires.  Records are full 16 KiB. */
static int
conn_tls_write(struct conn *c, SSL *ssl, const char *s, size_t n)
{
	size_t w;
	int saved, r;

	while (n > 0) {
		ERR_clear_error();
		errno = 0;
		if (SSL_write_ex(ssl, s, n, &w) == 1) {
			s += w;
			n -= w;
			continue;
		}
		saved = errno;
		r = conn_tls_retry(c, ssl, saved);
		if (r == 0) {
			errno = EPIPE;
			return -1;
		}
		if (r < 0)
			return -1;
	}
	return 0;
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
	if (c->tls != NULL)
		return conn_tls_write(c, c->tls, s, n);
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
	/* Decrypted bytes or whole records read ahead: poll() on the
	 * descriptor cannot see them.  Plain sockets buffer nothing in user
	 * space. */
	if (c->tls != NULL) {
		SSL *ssl = c->tls;

		/* Also true once the peer's close (close_notify, or the end
		 * of the transport) has been taken in along with earlier
		 * data: the next conn_read answers at once, while poll()
		 * would wait on a socket that never changes again. */
		if (SSL_has_pending(ssl) == 1 ||
		    (SSL_get_shutdown(ssl) & SSL_RECEIVED_SHUTDOWN))
			return 1;
		return BIO_eof(SSL_get_rbio(ssl)) == 1;
	}
	return 0;
}

/* Sends close_notify unless sent already or the session failed. */
static void
conn_tls_notify(struct conn *c, SSL *ssl, int wait)
{
	int r;

	if (SSL_get_shutdown(ssl) & SSL_SENT_SHUTDOWN ||
	    SSL_is_init_finished(ssl) != 1)
		return;
	for (int tries = 0; tries < 8; tries++) {
		ERR_clear_error();
		r = SSL_shutdown(ssl);
		if (r >= 0 || !wait ||
		    SSL_get_error(ssl, r) != SSL_ERROR_WANT_WRITE ||
		    conn_wait(c->wfd, POLLOUT, c->timeout_ms) < 0)
			break;
	}
	ERR_clear_error();
}

void
conn_shutdown(struct conn *c)
{
	if (c->tls != NULL)
		conn_tls_notify(c, c->tls, 1);
	if (c->wfd >= 0)
		(void)shutdown(c->wfd, SHUT_WR);
}

/* Frees the SSL.  Marking close_notify as sent keeps OpenSSL from
 * dropping the session from the server cache (a data connection reset by
 * ABOR must not stop the next one from resuming). */
static void
conn_tls_free(struct conn *c, int notify)
{
	SSL *ssl = c->tls;
	char sink[4096];
	size_t drained = 0;
	ssize_t r;

	if (notify) {
		conn_tls_notify(c, ssl, 0);
		while (drained < CONN_DRAIN_MAX) {
			r = recv(c->fd, sink, sizeof sink, MSG_DONTWAIT);
			if (r <= 0)
				break;
			drained += (size_t)r;
		}
	}
	SSL_set_shutdown(ssl, SSL_get_shutdown(ssl) | SSL_SENT_SHUTDOWN);
	SSL_free(ssl);
	ERR_clear_error();
	c->tls = NULL;
}

static void
conn_close_fds(struct conn *c)
{
	if (c->wfd >= 0 && c->wfd != c->fd)
		sys_close_failok(c->wfd);
	sys_close_failok(c->fd);
	c->fd = -1;
	c->wfd = -1;
}

void
conn_close(struct conn *c)
{
	if (c->tls != NULL)
		conn_tls_free(c, c->fd >= 0 && c->wfd >= 0);
	conn_close_fds(c);
}

void
conn_close_forked(struct conn *c)
{
	if (c->tls != NULL)
		conn_tls_free(c, 0);
	conn_close_fds(c);
}
