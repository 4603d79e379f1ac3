/* drain.h: SIGTERM inside a session, the graceful end of ftpd.
 *
 * The daemon sends SIGTERM to every monitor when it stops.  A monitor
 * passes it on to its current worker and keeps serving it.  A worker
 * that is waiting for a command answers 421 and exits at once; a worker
 * busy with a command (a transfer, say) finishes it and its reply, then
 * answers 421 and exits.  The daemon kills what is left after
 * shutdown_timeout.
 *
 * The handler is installed once, by the monitor, and inherited by the
 * workers it forks; it only sets a flag, calls kill(), write() of a
 * constant line and _exit(), which are async-signal-safe. */
#ifndef FTPD_DRAIN_H
#define FTPD_DRAIN_H

#include <sys/types.h>

struct session;

/* Monitor start: installs the SIGTERM handler in this process. */
void drain_install(void);
/* Monitor: the worker SIGTERM is passed on to (<= 0: none).  A worker
 * started after SIGTERM came gets it at once. */
void drain_set_worker(pid_t pid);
/* 1 once SIGTERM came. */
int drain_requested(void);

/* Worker, between commands: if SIGTERM came, answers 421 and returns -1
 * (the caller ends the session); else 0. */
int drain_check(struct session *s);
/* Worker, before waiting for the next command: from here until
 * drain_wait_end() the handler itself answers 421 and exits.  Returns -1
 * like drain_check when SIGTERM already came. */
int drain_wait_begin(struct session *s);
void drain_wait_end(void);

#endif
