/* listener.h: the daemon's parent process.  It opens the listening
 * sockets, accepts, enforces max_clients and max_per_ip (421 and close),
 * forks one session monitor per connection and reaps them.  It never
 * reads a byte from a client (but the PROXY header with proxy_protocol,
 * see proxyhdr.h) and never reads the users file. */
#ifndef FTPD_LISTENER_H
#define FTPD_LISTENER_H

#include <stddef.h>
#include "env.h"

#define LISTENER_MAX_SOCKETS 16

/* Opens one socket per listen key (IPv6 ones with IPV6_V6ONLY) and
 * prints "ftpd: listening on ADDR:PORT" for each to stderr.  Returns the
 * count, or -1 with err. */
int listener_open(const struct ftpd_conf *conf, int *fds, size_t max,
		  char *err, size_t errlen);
/* Serves until SIGTERM/SIGINT, then stops accepting and lets sessions
 * finish for up to shutdown_timeout.  SIGHUP reloads the configuration
 * for new sessions, SIGUSR1 reopens the logs.  Returns the exit status. */
int listener_run(const struct ftpd_env *env, const int *fds, size_t n);

#endif
