/* xfer.h: the data-transfer engine shared by server and client:
 * file -> connection and connection -> file, with the sendfile() fast path
 * for plain binary, ASCII conversion, a smooth rate limit, byte counters,
 * and a hook to watch the control connection (ABOR) while data moves. */
#ifndef FTPKIT_XFER_H
#define FTPKIT_XFER_H

#include <stdint.h>
#include <sys/types.h>
#include "conn.h"

enum xfer_result {
	XFER_OK = 0,
	XFER_ABORTED,		/* hook asked to stop */
	XFER_TIMEOUT,		/* no progress within timeout_ms */
	XFER_NET_ERROR,		/* data connection failed (errno kept) */
	XFER_FILE_ERROR		/* local read/write failed (errno kept) */
};

struct xfer_opts {
	int ascii;			/* TYPE A conversion */
	uint64_t max_rate;		/* bytes/s, 0 = unlimited */
	int timeout_ms;			/* stall timeout, -1 = none */
	/* Optional: a descriptor to watch while transferring (the control
	 * connection).  When it becomes readable, on_watch is called; a
	 * nonzero return aborts the transfer with XFER_ABORTED. */
	int watch_fd;			/* -1 = none */
	int (*on_watch)(void *arg);
	/* Optional: called after each chunk with the running total. */
	void (*on_progress)(void *arg, uint64_t total);
	void *arg;
};

void xfer_opts_init(struct xfer_opts *o);	/* defaults: binary, no limits */
/* Sends file_fd from its current offset to the end.  *bytes gets the count
 * of bytes read from the file (before ASCII conversion). */
int xfer_send_file(int file_fd, struct conn *dst, const struct xfer_opts *o,
		   uint64_t *bytes);
/* Receives until EOF from src into file_fd (written at its current
 * offset).  *bytes gets the count of bytes written to the file. */
int xfer_recv_file(struct conn *src, int file_fd, const struct xfer_opts *o,
		   uint64_t *bytes);
const char *xfer_strerror(int result);

#endif
