/* log.c: the logger for both programs: stderr with timestamp and pid in
 * the foreground, syslog otherwise. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static char s_ident[64] = "ftpkit";
static int s_syslog;
static int s_level = LOG_INFO;

void
log_init(const char *ident, int use_syslog, int facility)
{
	if (ident != NULL)
		(void)snprintf(s_ident, sizeof s_ident, "%s", ident);
	if (s_syslog)
		closelog();
	s_syslog = use_syslog;
	if (use_syslog)
		openlog(s_ident, LOG_PID | LOG_NDELAY, facility);
}

void
log_set_level(int max_level)
{
	s_level = max_level;
}

void
log_msg(int level, const char *fmt, ...)
{
	char msg[1024], line[1200], stamp[32];
	struct tm tm;
	time_t now;
	va_list ap;
	int saved = errno, n;

	if (level > s_level)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* Control bytes from the network must not forge log lines. */
	for (char *p = msg; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	if (s_syslog) {
		syslog(level, "%s", msg);
	} else {
		now = time(NULL);
		if (localtime_r(&now, &tm) == NULL ||
		    strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm) == 0)
			(void)snprintf(stamp, sizeof stamp, "%lld", (long long)now);
		n = snprintf(line, sizeof line, "%s %s[%ld]: %s\n", stamp,
			     s_ident, (long)getpid(), msg);
		if (n > 0) {
			if ((size_t)n >= sizeof line)
			{
				n = (int)sizeof line - 1;
				line[n - 1] = '\n';
			}
			/* One write so concurrent processes do not interleave. */
			if (write(STDERR_FILENO, line, (size_t)n) < 0) {
				/* nowhere left to report it */
			}
		}
	}
	errno = saved;
}
