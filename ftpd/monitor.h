/* monitor.h: one session's privileged side.  It keeps whatever privilege
 * the daemon had, never reads the control connection, and only answers
 * the typed requests of privproto.h in the order the state machine
 * allows: LOGIN before login, REIN after.  It reads the users file and
 * checks passwords only when asked, and starts each worker. */
#ifndef FTPD_MONITOR_H
#define FTPD_MONITOR_H

#include "env.h"

/* Runs the session on the control connection (ctrl_wfd may equal
 * ctrl_rfd) until its worker is gone.  Returns the exit status. */
int monitor_run(const struct ftpd_env *env, int ctrl_rfd, int ctrl_wfd);

#endif
