/* xferlog.h: the xferlog-format transfer log, written by the session
 * monitor on its worker's behalf.
 *
 * SECURITY: the log is opened by the daemon and only monitors hold it; a
 * worker (which parses client input and may be subverted) never has the
 * descriptor, so it can neither rewrite nor read the log.  It sends one
 * PRIV_XFERLOG message per transfer (path, byte count, seconds, flags;
 * each field capped by privproto.c); the monitor checks every field and
 * formats the line itself with the peer and user it knows, so a worker can
 * at most misstate its own transfers, never forge another session's. */
#ifndef FTPD_XFERLOG_H
#define FTPD_XFERLOG_H

#include <stdint.h>
#include "auth.h"
#include "env.h"
#include "privproto.h"

struct session;

/* Worker: asks the monitor for one line (nothing when no xferlog is set). */
void xferlog_request(struct session *s, const char *vpath, uint64_t bytes,
		     long long ms, int incoming, int complete);
/* Monitor: writes the line a PRIV_XFERLOG message asks for.  0, or -1
 * when the message is malformed (the session ends). */
int xferlog_answer(const struct ftpd_env *env, const char *peer,
		   const char *user, enum auth_kind kind,
		   const struct priv_msg *m);

#endif
