/* confload.h: loading ftpd's configuration for start-up, `ftpd -t` and
 * SIGHUP, reporting every error instead of stopping at the first.
 *
 * A file error names its line ("FILE:LINE: reason"), an -o error its
 * option ("-o key=value: reason").  An error found by a check across keys
 * (ftpd_conf_check, env_check, the checks here) is placed on the line or
 * option that last set the first key its message names; that key is then
 * put back to its default and the check runs again, so every independent
 * problem is reported once. */
#ifndef FTPD_CONFLOAD_H
#define FTPD_CONFLOAD_H

#include <stddef.h>
#include "conf.h"

struct conf_source {
	const char *file;		/* -f FILE; NULL: the default if present */
	const char *const *overrides;	/* -o key=value, in command-line order */
	size_t noverrides;
};

/* Receives one error message (no trailing newline). */
typedef void (*conf_report_fn)(void *arg, const char *msg);

/* Also run the checks that look at the system (accounts exist, the users
 * file parses, certificates load): `ftpd -t` and SIGHUP. */
#define CONFLOAD_SYSTEM 1

/* Defaults, then the file, then the overrides, then the checks.  Returns
 * the number of errors reported; 0 means conf is ready to use.  conf is
 * always initialized: free it with ftpd_conf_free whatever the result. */
unsigned confload(const struct conf_source *src, int flags,
		  struct ftpd_conf *conf, conf_report_fn report, void *arg);

/* The file confload reads for src: src->file, the default file when it
 * exists, or NULL. */
const char *confload_file(const struct conf_source *src);

/* Checks of the keys added for operations (syslog_facility, json_log,
 * status_dir, auth_backend, ...).  0, or -1 with the first error. */
int confload_ops_check(const struct ftpd_conf *c, char *err, size_t errlen);

#endif
