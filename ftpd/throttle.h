/* throttle.h: how ftpd slows a session down: the growing delay after a
 * failed login and the lockout after max_login_attempts (both applied
 * by the monitor, which the client cannot hurry), the transfer rate
 * limits and the stalled-transfer timeout (applied by the worker through
 * lib/xfer.c). */
#ifndef FTPD_THROTTLE_H
#define FTPD_THROTTLE_H

#include <stddef.h>
#include <stdint.h>
#include "auth.h"
#include "conf.h"

/* Delays are capped here whatever the base (the doubling stops). */
#define THROTTLE_DELAY_CAP_MS 60000u

/* Parses a delay: "1", "2s", "250ms", "0.5", "1m"; at most
 * THROTTLE_DELAY_CAP_MS.  0 or -1. */
int throttle_parse_delay(const char *s, unsigned *ms);
/* Checks the throttling keys (for ftpd_conf_check).  0 or -1 with err. */
int throttle_conf_check(const struct ftpd_conf *c, char *err, size_t errlen);
/* How long to wait before answering the fails-th failed login of a
 * session: login_fail_delay, doubled for each earlier failure, capped. */
unsigned throttle_fail_delay_ms(const struct ftpd_conf *c, unsigned fails);
/* 1 when fails failed logins end the session (max_login_attempts). */
int throttle_locked_out(const struct ftpd_conf *c, unsigned fails);
/* Bytes per second allowed for a session of this kind; 0 = no limit. */
uint64_t throttle_max_rate(const struct ftpd_conf *c, enum auth_kind kind);
/* Seconds a running transfer may make no progress. */
unsigned throttle_stall_timeout(const struct ftpd_conf *c);

#endif
