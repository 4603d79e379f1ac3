/* pam.h: the PAM login backend for system accounts (auth_backend = pam,
 * system_users = yes), built with configure --with-pam.  Runs only in
 * the session monitor, which keeps the daemon's privilege (pam_unix
 * needs root to read /etc/shadow); the worker never sees the PAM stack. */
#ifndef FTPD_PAM_H
#define FTPD_PAM_H

#include "auth.h"

/* An auth.c backend row: AUTH_UNKNOWN unless PAM is selected or when the
 * account does not exist; else PAM's verdict (auth and account
 * management) plus ftpd's own rules: never root, a shell listed in
 * /etc/shells. */
int auth_backend_pam(const struct ftpd_env *env, const char *user,
		     const char *pass, struct auth_result *res);
/* The client address, passed to PAM as PAM_RHOST (pam_access etc.). */
void auth_pam_set_client(const char *addr);

#endif
