/* ban.h: temporary bans of client addresses after repeated failed
 * logins (ban_after failures within ban_window ban for ban_time).
 *
 * Failures happen in session monitors, bans are enforced by the daemon
 * before it forks.  The daemon owns one SOCK_DGRAM socketpair: monitors
 * inherit the sending end and report each failed login as one fixed-size
 * datagram; the daemon keeps the receiving end and the table.  A socket
 * rather than shared memory, so the table has one writer and no process
 * below the daemon can read or change it; workers never hold the
 * sending end (monitor.c closes every descriptor a worker does not need),
 * so the process that parses client input cannot forge a report.
 * In inetd mode there is no daemon and nothing is banned. */
#ifndef FTPD_BAN_H
#define FTPD_BAN_H

#include "conf.h"
#include "net.h"

#define BAN_TABLE_MAX 4096	/* addresses tracked at once */

/* Daemon: creates the socketpair.  0 or -1 (bans then stay off). */
int ban_open(void);
/* Daemon: the descriptor to poll for reports, or -1. */
int ban_fd(void);
/* Daemon: reads every queued report and updates the table (logs each
 * new ban). */
void ban_drain(const struct ftpd_conf *c);
/* Daemon: 1 if peer is banned now (*left = seconds to go, *log = 1 when
 * this refusal should be logged: at most one line per address per
 * 10 s, so a banned client cannot flood the log). */
int ban_check(const struct ftpd_conf *c, const struct netaddr *peer,
	      unsigned *left, int *log);
/* Daemon: closes both ends. */
void ban_close(void);
/* Forked session (monitor): drops the receiving end. */
void ban_child(void);
/* Monitor: reports one failed login from peer (never blocks; a report
 * that does not fit the queue is dropped). */
void ban_report_failure(const struct netaddr *peer);

#endif
