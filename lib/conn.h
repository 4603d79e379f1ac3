/* conn.h: a byte stream that is either a plain socket or TLS (tls.h sets
 * conn->tls in a handshake).  Everything that talks on a control or data
 * connection goes through this, so callers do not care which. */
#ifndef FTPKIT_CONN_H
#define FTPKIT_CONN_H

#include <sys/types.h>
#include <stddef.h>

struct conn {
	int fd;			/* read side (and write side unless wfd set) */
	int wfd;		/* write side; == fd for sockets, 1 for inetd stdout */
	int timeout_ms;		/* per read/write wait; -1 = none */
	void *tls;		/* SSL * when TLS is active, else NULL */
};

void conn_init(struct conn *c, int fd, int timeout_ms);
/* Read up to n bytes, waiting at most timeout_ms.  Returns >0 bytes,
 * 0 at EOF, -1 on error (errno ETIMEDOUT on timeout).
 * TLS: 0 only for a close_notify; EOF without one (possible truncation)
 * and other TLS failures are -1 with EPROTO, a reset ECONNRESET;
 * tls_error_text() gives the OpenSSL reason.  One call may return
 * several records' worth of bytes. */
ssize_t conn_read(struct conn *c, void *p, size_t n);
/* Write all n bytes (each wait bounded by timeout_ms).  0 or -1. */
int conn_write_full(struct conn *c, const void *p, size_t n);
/* True if bytes are already buffered inside the transport (TLS): poll()
 * on fd will not show them, so read before waiting. */
int conn_has_pending(const struct conn *c);
/* Orderly shutdown of the write side (TLS close_notify + SHUT_WR). */
void conn_shutdown(struct conn *c);
/* Frees TLS (close_notify if not sent yet, without waiting), closes
 * fds, fd = -1. */
void conn_close(struct conn *c);
/* Like conn_close but sends nothing: for a copy inherited across fork
 * while another process owns the TLS session on the same socket. */
void conn_close_forked(struct conn *c);

#endif
