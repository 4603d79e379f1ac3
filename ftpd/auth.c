/* auth.c: the login backends (anonymous, virtual users file, system
 * accounts) and the crypt_r password check.  Monitor side only. */
#include "config.h"

#include <crypt.h>
#include <pwd.h>
#include <shadow.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "auth.h"
#ifdef HAVE_PAM
#include "pam.h"
#endif
#include "access.h"
#include "userfile.h"

int
auth_is_anonymous(const char *user)
{
	return strcasecmp(user, "anonymous") == 0 || strcasecmp(user, "ftp") == 0;
}

int
auth_check_hash(const char *pass, const char *hash)
{
	struct crypt_data *cd;
	const char *out;
	size_t n;
	unsigned char diff = 0;
	int ok = 0;

	/* Locked or empty hashes ("!", "*", "") never match. */
	if (hash[0] == '\0' || hash[0] == '!' || hash[0] == '*')
		return 0;
	cd = calloc(1, sizeof *cd);
	if (cd == NULL)
		return 0;
	out = crypt_r(pass, hash, cd);
	if (out != NULL && out[0] != '*') {
		n = strlen(hash);
		if (strlen(out) == n) {
			for (size_t i = 0; i < n; i++)
				diff |= (unsigned char)(out[i] ^ hash[i]);
			ok = diff == 0;
		}
	}
	explicit_bzero(cd, sizeof *cd);
	free(cd);
	return ok;
}

static void
set_creds(const struct ftpd_env *env, const struct ftpd_account *acct,
	  struct auth_result *res)
{
	if (env->is_root) {
		res->uid = acct->uid;
		res->gid = acct->gid;
	} else {
		res->uid = getuid();
		res->gid = getgid();
	}
}

static int
copy_root(struct auth_result *res, const char *root)
{
	if (strlen(root) >= sizeof res->root || root[0] != '/') {
		snprintf(res->reason, sizeof res->reason, "bad root folder");
		return AUTH_DENIED;
	}
	snprintf(res->root, sizeof res->root, "%s", root);
	return AUTH_OK;
}

static int
backend_anon(const struct ftpd_env *env, const char *user, const char *pass,
	     struct auth_result *res)
{
	if (!auth_is_anonymous(user))
		return AUTH_UNKNOWN;
	if (!env->conf->anon_enable) {
		snprintf(res->reason, sizeof res->reason,
			 "anonymous access is disabled");
		return AUTH_DENIED;
	}
	res->kind = AUTH_ANON;
	snprintf(res->user, sizeof res->user, "anonymous");
	res->readonly = 0;	/* writes are gated per path (anon_upload_dir) */
	set_creds(env, &env->anon, res);
	return copy_root(res, env->conf->anon_root);
}

static int
backend_virtual(const struct ftpd_env *env, const char *user, const char *pass,
		struct auth_result *res)
{
	struct userfile_entry e;
	char err[256];
	int r;

	if (env->conf->users_file[0] == '\0')
		return AUTH_UNKNOWN;
	r = userfile_lookup(env->conf->users_file, user, &e, err, sizeof err);
	if (r == 1)
		return AUTH_UNKNOWN;
	if (r < 0) {
		snprintf(res->reason, sizeof res->reason, "users file: %.300s", err);
		return AUTH_DENIED;
	}
	if (!auth_check_hash(pass, e.hash)) {
		userfile_wipe(&e);
		snprintf(res->reason, sizeof res->reason, "wrong password");
		return AUTH_DENIED;
	}
	res->kind = AUTH_VIRTUAL;
	snprintf(res->user, sizeof res->user, "%s", e.name);
	res->readonly = e.readonly;
	set_creds(env, &env->virt, res);
	r = copy_root(res, e.home);
	userfile_wipe(&e);
	return r;
}

static int
shell_allowed(const char *shell)
{
	const char *s;
	int ok = 0;

	setusershell();
	while ((s = getusershell()) != NULL)
		if (strcmp(s, shell) == 0) {
			ok = 1;
			break;
		}
	endusershell();
	return ok;
}

static int
backend_system(const struct ftpd_env *env, const char *user, const char *pass,
	       struct auth_result *res)
{
	struct passwd *pw;
	struct spwd *sp;
	const char *hash;
	int ok;

	if (!env->conf->system_users)
		return AUTH_UNKNOWN;
	pw = getpwnam(user);
	if (pw == NULL)
		return AUTH_UNKNOWN;
	/* SECURITY: never root, never accounts without a login shell. */
	if (pw->pw_uid == 0) {
		snprintf(res->reason, sizeof res->reason, "root may not log in");
		return AUTH_DENIED;
	}
	if (!shell_allowed(pw->pw_shell != NULL ? pw->pw_shell : "")) {
		snprintf(res->reason, sizeof res->reason,
			 "shell %s is not in /etc/shells", pw->pw_shell);
		return AUTH_DENIED;
	}
	hash = pw->pw_passwd;
	sp = getspnam(user);
	if (sp != NULL)
		hash = sp->sp_pwdp;
	ok = hash != NULL && auth_check_hash(pass, hash);
	/* Workers forked later must not inherit the hash in libc's
	 * static shadow buffer. */
	if (sp != NULL && sp->sp_pwdp != NULL)
		explicit_bzero(sp->sp_pwdp, strlen(sp->sp_pwdp));
	if (!ok) {
		snprintf(res->reason, sizeof res->reason, "wrong password");
		return AUTH_DENIED;
	}
	if (!env->is_root && pw->pw_uid != getuid()) {
		snprintf(res->reason, sizeof res->reason,
			 "not root: can only serve the invoking account");
		return AUTH_DENIED;
	}
	res->kind = AUTH_SYSTEM;
	snprintf(res->user, sizeof res->user, "%s", pw->pw_name);
	res->uid = pw->pw_uid;
	res->gid = pw->pw_gid;
	res->initgroups = env->is_root;
	return copy_root(res, pw->pw_dir);
}

static const struct auth_backend s_backends[] = {
	{ "anonymous", backend_anon },
	{ "users_file", backend_virtual },
#ifdef HAVE_PAM
	{ "pam", auth_backend_pam },	/* auth_backend = pam (pam.c) */
#endif
	{ "system", backend_system },
};

int
auth_login(const struct ftpd_env *env, const char *user, const char *pass,
	   struct auth_result *res)
{
	memset(res, 0, sizeof *res);
	/* SECURITY: listed names are refused whatever the password. */
	if (access_user_denied(env->conf, user, res->reason, sizeof res->reason))
		return -1;
	for (size_t i = 0; i < sizeof s_backends / sizeof s_backends[0]; i++) {
		int r = s_backends[i].check(env, user, pass, res);

		if (r == AUTH_OK)
			return 0;
		if (r == AUTH_DENIED)
			return -1;
	}
	snprintf(res->reason, sizeof res->reason, "no such user");
	return -1;
}
