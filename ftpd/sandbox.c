/* sandbox.c: chroot and the privilege drop for session workers (see
 * sandbox.h).  Every step is checked; any failure ends the worker. */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "sandbox.h"

static int
fail(char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: %s", what, strerror(errno));
	return -1;
}

/* SECURITY: after this the process can neither regain root nor gain
 * privilege through exec, and other processes of the same uid cannot
 * ptrace it. */
static int
harden(pid_t monitor, char *err, size_t errlen)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return fail(err, errlen, "PR_SET_NO_NEW_PRIVS");
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return fail(err, errlen, "PR_SET_DUMPABLE");
	/* Set after the uid change, which clears it.  A worker outliving
	 * its monitor would serve without a privileged side. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		return fail(err, errlen, "PR_SET_PDEATHSIG");
	if (getppid() != monitor) {
		snprintf(err, errlen, "monitor exited");
		return -1;
	}
	return 0;
}

static int
drop_to(uid_t uid, gid_t gid, char *err, size_t errlen)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (setresgid(gid, gid, gid) < 0)
		return fail(err, errlen, "setresgid");
	if (setresuid(uid, uid, uid) < 0)
		return fail(err, errlen, "setresuid");
	/* SECURITY: verify the drop instead of trusting the return codes. */
	if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0)
		return fail(err, errlen, "getresuid");
	if (ru != uid || eu != uid || su != uid || rg != gid || eg != gid ||
	    sg != gid) {
		snprintf(err, errlen, "credentials did not change as asked");
		return -1;
	}
	if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		snprintf(err, errlen, "could regain root after the drop");
		return -1;
	}
	return 0;
}

int
sandbox_prelogin(const struct ftpd_env *env, pid_t monitor, char *err,
		 size_t errlen)
{
	if (env->is_root) {
		if (setgroups(0, NULL) < 0)
			return fail(err, errlen, "setgroups");
		if (chroot(env->conf->empty_dir) < 0)
			return fail(err, errlen, "chroot");
		if (chdir("/") < 0)
			return fail(err, errlen, "chdir");
		if (drop_to(env->nopriv.uid, env->nopriv.gid, err, errlen) < 0)
			return -1;
		if (getgroups(0, NULL) != 0) {
			snprintf(err, errlen, "supplementary groups remain");
			return -1;
		}
	}
	return harden(monitor, err, errlen);
}

int
sandbox_postlogin(const struct ftpd_env *env, pid_t monitor, int rootfd,
		  uid_t uid, gid_t gid, const char *group_user, char *err,
		  size_t errlen)
{
	if (env->is_root) {
		/* Groups first: initgroups reads /etc/group, gone after
		 * the chroot. */
		if (group_user != NULL) {
			if (initgroups(group_user, gid) < 0)
				return fail(err, errlen, "initgroups");
		} else if (setgroups(0, NULL) < 0) {
			return fail(err, errlen, "setgroups");
		}
		if (fchdir(rootfd) < 0)
			return fail(err, errlen, "fchdir to the session root");
		if (chroot(".") < 0)
			return fail(err, errlen, "chroot");
		if (drop_to(uid, gid, err, errlen) < 0)
			return -1;
	}
	return harden(monitor, err, errlen);
}
