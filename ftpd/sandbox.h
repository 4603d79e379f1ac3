/* sandbox.h: confining a worker process.  Order matters and is kept in
 * one place: supplementary groups, chroot, gid, uid, then no_new_privs,
 * and a check that the drop cannot be undone.  When ftpd was not started
 * as root nothing but no_new_privs applies (no chroot, no setuid). */
#ifndef FTPD_SANDBOX_H
#define FTPD_SANDBOX_H

#include <sys/types.h>
#include "env.h"

/* Pre-login worker: chroot into conf->empty_dir, become nopriv_user. */
int sandbox_prelogin(const struct ftpd_env *env, pid_t monitor, char *err,
		     size_t errlen);
/* Post-login worker: chroot into the folder open as rootfd and become
 * uid/gid (with the groups of `group_user` when non-NULL). */
int sandbox_postlogin(const struct ftpd_env *env, pid_t monitor, int rootfd,
		      uid_t uid, gid_t gid, const char *group_user, char *err,
		      size_t errlen);

#endif
