/* transfer.h: what every data transfer shares, around lib/xfer.c:
 * opening the data connection with its 150 reply, watching the control
 * connection for ABOR/STAT while data moves, the final reply for each
 * outcome, and the log/xferlog lines. */
#ifndef FTPD_TRANSFER_H
#define FTPD_TRANSFER_H

#include <stdint.h>
#include "conn.h"
#include "xfer.h"

struct session;

/* Opens the data connection, then replies 150 with text.  On failure
 * replies 425 with the reason and returns -1. */
int transfer_open(struct session *s, struct conn *data, const char *text150);
/* Handles what arrived on the control connection while a transfer is
 * being set up or runs: ABOR (sets s->abort_requested), STAT, or other
 * commands (queued).  Returns 1 when the transfer must stop. */
int transfer_watch(struct session *s);
/* Fills o for this session: TYPE, data timeout, ABOR watch. */
void transfer_opts(struct session *s, struct xfer_opts *o);
/* Marks the start of a transfer (resets ABOR state). */
void transfer_start(struct session *s);
/* Replies for an outcome of lib/xfer (r = enum xfer_result, err = errno
 * at the failure).  ok_text is the 226 text.  Returns 1 if the transfer
 * completed. */
int transfer_finish(struct session *s, int r, int err, const char *ok_text);
/* One log line (and one xferlog line if configured) per transfer. */
void transfer_log(struct session *s, const char *verb, const char *vpath,
		  uint64_t bytes, long long ms, int incoming, int complete);

#endif
