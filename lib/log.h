/* log.h: one logger for both programs.  To stderr (foreground) or syslog.
 * Callers never pass PASS arguments here. */
#ifndef FTPKIT_LOG_H
#define FTPKIT_LOG_H

#include <syslog.h>	/* LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG */

/* ident: program name; use_syslog: 0 = stderr with timestamp and pid;
 * facility: e.g. LOG_FTP.  Safe to call again (e.g. after fork). */
void log_init(const char *ident, int use_syslog, int facility);
void log_set_level(int max_level);	/* messages above are dropped */
void log_msg(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
