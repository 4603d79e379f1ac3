/* lifecycle.h: the daemon between start and stop: preparing what
 * sessions are forked with, SIGHUP (reload the configuration for new
 * sessions; running ones keep theirs, being separate processes) and
 * SIGUSR1 (reopen the log files, for logrotate).  SIGTERM's graceful stop
 * is in listener.c and drain.c. */
#ifndef FTPD_LIFECYCLE_H
#define FTPD_LIFECYCLE_H

#include <stddef.h>
#include "confload.h"
#include "env.h"

/* env_prepare, then the JSON log and the status folder (a status folder
 * that cannot be made only draws a warning).  0, or -1 with err. */
int lifecycle_prepare(struct ftpd_env *env, struct ftpd_conf *conf,
		      char *err, size_t errlen);

/* main, once the configuration loaded: what SIGHUP loads again and where
 * the result goes (env->conf is replaced in place).  force_syslog: -D or
 * -i (syslog whatever the `syslog` key says).  src is copied. */
void lifecycle_setup(const struct conf_source *src, struct ftpd_env *env,
		     int force_syslog);

/* SIGHUP.  Loads, checks and prepares the configuration again; only when
 * all of it succeeds do new sessions get it.  Errors are logged and the
 * running configuration stays.  0 reloaded, -1 kept. */
int lifecycle_reload(void);

/* SIGUSR1: the daemon's own log descriptors (monitors are told by the
 * listener and reopen theirs). */
void lifecycle_reopen(void);

#endif
