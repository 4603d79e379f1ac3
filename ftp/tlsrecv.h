/* tlsrecv.h: receiving a TLS data stream into a file.
 *
 * WORKAROUND for lib/conn.c: when conn_read takes in a close_notify
 * together with the last bytes, conn_has_pending() does not report it,
 * so a poll() before the next read waits for the server, and a server
 * that waits for our close_notify in turn (vsftpd) never closes: both
 * sides stall.  This loop reads with a zero wait first and polls only
 * when that would block.  Once conn_has_pending() reports a received
 * close_notify, lib/xfer.c's xfer_recv_file can take over again. */
#ifndef FTP_TLSRECV_H
#define FTP_TLSRECV_H

#include <stdint.h>
#include <sys/types.h>
#include "conn.h"
#include "xfer.h"

/* conn_read without waiting: >0 bytes, 0 at the end of the stream, -1
 * with errno ETIMEDOUT when nothing is there yet, else -1 (an error). */
ssize_t tlsrecv_read_now(struct conn *c, void *p, size_t n);
/* xfer_recv_file for a TLS conn: the same options (ASCII, rate limit,
 * stall timeout, progress) and results; Ctrl-C (intr.h) aborts with
 * XFER_ABORTED. */
int tlsrecv_file(struct conn *src, int file_fd, const struct xfer_opts *o,
		 uint64_t *bytes);

#endif
