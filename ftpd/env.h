/* env.h: what the daemon prepares once, before any session is forked:
 * the loaded configuration, the resolved service accounts, the empty
 * chroot folder, the uid/gid name cache and the xferlog descriptor.
 * Sessions only read it. */
#ifndef FTPD_ENV_H
#define FTPD_ENV_H

#include <sys/types.h>
#include "conf.h"

#define ACCOUNT_NAME_MAX 64

struct ftpd_account {
	char name[ACCOUNT_NAME_MAX];
	uid_t uid;
	gid_t gid;
	int ok;			/* resolved */
};

struct ftpd_env {
	struct ftpd_conf *conf;
	int is_root;		/* started as root: chroot + setuid apply */
	int debug;
	int inetd;
	struct ftpd_account nopriv;	/* pre-login worker */
	struct ftpd_account anon;	/* anonymous sessions */
	struct ftpd_account virt;	/* virtual users' sessions */
	int xferlog_fd;		/* -1 when none */
};

/* Resolves accounts, makes sure the empty folder exists (as root), runs
 * tzset(), builds the id cache and opens the xferlog.  On error returns
 * -1 with a reason in err. */
int env_prepare(struct ftpd_env *env, struct ftpd_conf *conf, char *err,
		size_t errlen);
/* Checks for `ftpd -t` that need the system but change nothing: accounts
 * exist, anon_root and users_file are usable.  0 or -1 with err. */
int env_check(const struct ftpd_conf *conf, char *err, size_t errlen);

#endif
