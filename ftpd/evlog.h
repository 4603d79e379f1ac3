/* evlog.h: where ftpd's logs go: the syslog facility and ident, the
 * JSON-lines event log (json_log), and reopening the log files for
 * logrotate (SIGUSR1).
 *
 * The JSON log holds one object per line and per event, with always the
 * same keys (the schema is in ftpd.conf(5)):
 *   {"time":"2026-11-26T10:00:00.123Z","session":"5f0c...","client":"::1",
 *    "user":"alice","event":"download","path":"/a b.txt","bytes":12,
 *    "duration":0.004,"result":"ok"}
 * SECURITY: like the xferlog, it is opened by the daemon and held only by
 * monitors; a worker asks for a transfer event with PRIV_XFER_EVENT and
 * the monitor adds the session, client and user it knows itself. */
#ifndef FTPD_EVLOG_H
#define FTPD_EVLOG_H

#include <stdint.h>
#include "env.h"
#include "privproto.h"

struct session;

/* LOG_* facility for a syslog_facility name, or -1. */
int evlog_facility(const char *name);
/* log_init with syslog_ident and syslog_facility. */
void evlog_syslog_init(const struct ftpd_conf *conf, int use_syslog);

/* Daemon: opens json_log (if set; created 0640, appended to).  A
 * previous one is closed.  0, or -1 with err. */
int evlog_open(const struct ftpd_conf *conf, char *err, size_t errlen);
/* Reopens json_log and the xferlog by path, keeping their descriptor
 * numbers (a log renamed by logrotate is then left alone).  Failures are
 * logged and keep the old file. */
void evlog_reopen(const struct ftpd_env *env);
/* Monitor start: reopens the logs if their files were renamed since the
 * daemon opened them (a SIGUSR1 may have come before the monitor could
 * catch it). */
void evlog_reopen_if_moved(const struct ftpd_env *env);
int evlog_enabled(void);

struct evlog_event {
	const char *session;	/* session id */
	const char *client;	/* client address, no port */
	const char *user;	/* NULL before login */
	const char *event;	/* connect login logout download upload
				   disconnect */
	const char *path;	/* NULL when the event has none */
	uint64_t bytes;
	long long ms;		/* duration */
	const char *result;	/* ok fail incomplete */
};

/* Appends one line; nothing when json_log is unset. */
void evlog_write(const struct evlog_event *e);
/* Formats the object (without newline) into out; for the unit test. */
int evlog_format(const struct evlog_event *e, long long unix_ms,
		 char *out, size_t n);

/* Worker: asks the monitor to log one transfer (nothing without
 * json_log). */
void evlog_xfer_request(struct session *s, const char *vpath,
			uint64_t bytes, long long ms, int incoming,
			int complete);
/* Monitor: checks a PRIV_XFER_EVENT and fills e (path points into m).
 * 0, or -1 when malformed (the session ends). */
int evlog_xfer_parse(const struct priv_msg *m, struct evlog_event *e);

#endif
