/* activation.h: the service manager's side of the daemon, without
 * libsystemd: listening sockets passed by socket activation
 * (LISTEN_PID/LISTEN_FDS, as systemd sets them with Accept=no) and state
 * notifications (READY=1, RELOADING=1, STOPPING=1) to $NOTIFY_SOCKET. */
#ifndef FTPD_ACTIVATION_H
#define FTPD_ACTIVATION_H

#include <stddef.h>

/* The first descriptor a service manager passes (SD_LISTEN_FDS_START). */
#define ACTIVATION_FD_START 3

/* Takes the sockets passed to this process: LISTEN_PID must name it and
 * LISTEN_FDS count the descriptors from 3 on.  Each must be a listening
 * stream socket; it becomes close-on-exec and gets a "ftpd: listening on
 * ADDR:PORT" line on stderr, like listener_open.  The variables are
 * removed from the environment either way.  Returns the count, 0 when
 * nothing was passed (the caller opens `listen` itself), or -1 with err. */
int activation_listen_fds(int *fds, size_t max, char *err, size_t errlen);

/* 1 once activation_listen_fds took sockets (then `listen` is unused). */
int activation_active(void);

/* Sends one state line ("READY=1", "RELOADING=1", "STOPPING=1",
 * "STATUS=...") to $NOTIFY_SOCKET when the service manager set it;
 * failures are ignored (a manager that does not listen does not care). */
void activation_notify(const char *state);

#endif
