/* auth.h: deciding who may log in.  Runs only in the session monitor
 * (the process that keeps the daemon's privilege); the worker that
 * parses client input never sees a hash.
 *
 * Backends are tried in order (anonymous, users file, PAM when
 * auth_backend = pam (pam.c), system accounts); the first one that knows
 * the name decides. */
#ifndef FTPD_AUTH_H
#define FTPD_AUTH_H

#include <sys/types.h>
#include "env.h"

enum auth_kind { AUTH_ANON = 1, AUTH_VIRTUAL, AUTH_SYSTEM };

#define AUTH_USER_MAX 64
#define AUTH_ROOT_MAX 4096

struct auth_result {
	enum auth_kind kind;
	char user[AUTH_USER_MAX];	/* name for logs ("anonymous" for ftp) */
	char root[AUTH_ROOT_MAX];	/* host folder the session sees as / */
	uid_t uid;			/* credentials to run as (as root) */
	gid_t gid;
	int initgroups;			/* system user: load its groups */
	int readonly;
	char reason[512];		/* why it failed, for the log only */
};

/* Backend verdicts. */
enum { AUTH_OK = 0, AUTH_DENIED = 1, AUTH_UNKNOWN = 2 };

struct auth_backend {
	const char *name;
	/* AUTH_OK (res filled), AUTH_DENIED (res->reason), or AUTH_UNKNOWN
	 * when this backend does not know the user. */
	int (*check)(const struct ftpd_env *env, const char *user,
		     const char *pass, struct auth_result *res);
};

/* 1 if user names the anonymous account ("anonymous" or "ftp", any case). */
int auth_is_anonymous(const char *user);
/* Runs the backends.  0 = logged in (res filled), -1 = refused
 * (res->reason says why, for the log). */
int auth_login(const struct ftpd_env *env, const char *user, const char *pass,
	       struct auth_result *res);
/* crypt_r check with a constant-time compare.  1 match, 0 no. */
int auth_check_hash(const char *pass, const char *hash);

#endif
