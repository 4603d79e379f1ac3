/* workerfd.h: what a freshly forked worker keeps from its monitor.
 *
 * fork() copies every descriptor, close-on-exec or not, so whatever the
 * daemon or monitor holds (listening sockets, the xferlog, the ban report
 * socket, a users file being read, descriptors other parts add later)
 * would reach the process that parses client input.  workerfd_confine()
 * turns that list into an allowlist: the worker keeps only the
 * descriptors passed in, stderr (the foreground log) and the syslog
 * socket; stdin and stdout become /dev/null unless kept.  It also leaves
 * the daemon's session (setsid) so the worker has no controlling
 * terminal: no TIOCSTI into the admin's shell, no terminal signals.
 * Runs in the child right after fork, before the sandbox (it needs
 * /dev/null and /proc, which the chroot hides). */
#ifndef FTPD_WORKERFD_H
#define FTPD_WORKERFD_H

#include <stddef.h>

/* keep: descriptors the worker needs (negative entries are ignored).
 * 0, or -1 with err (the worker must not start). */
int workerfd_confine(const int *keep, size_t nkeep, char *err, size_t errlen);

#endif
