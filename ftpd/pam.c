/* pam.c: system-account logins through PAM (see pam.h).  Monitor side
 * only; nothing here is ever reached from a worker. */
#include "config.h"

#include <pwd.h>
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pam.h"

struct conv_data {
	const char *user;
	const char *pass;
};

static char s_rhost[64];

void
auth_pam_set_client(const char *addr)
{
	snprintf(s_rhost, sizeof s_rhost, "%s", addr);
}

static void
free_replies(struct pam_response *r, int n)
{
	for (int i = 0; i < n; i++)
		if (r[i].resp != NULL) {
			explicit_bzero(r[i].resp, strlen(r[i].resp));
			free(r[i].resp);
		}
	free(r);
}

/* FTP has one password and no dialogue: every hidden prompt gets the
 * PASS argument, a visible one the user name; messages are dropped. */
static int
conv(int n, const struct pam_message **msg, struct pam_response **resp,
     void *arg)
{
	const struct conv_data *d = arg;
	struct pam_response *r;

	if (n <= 0 || n > PAM_MAX_NUM_MSG)
		return PAM_CONV_ERR;
	r = calloc((size_t)n, sizeof *r);
	if (r == NULL)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		const char *answer;

		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
			answer = d->pass;
			break;
		case PAM_PROMPT_ECHO_ON:
			answer = d->user;
			break;
		case PAM_ERROR_MSG:
		case PAM_TEXT_INFO:
			continue;
		default:
			free_replies(r, n);
			return PAM_CONV_ERR;
		}
		r[i].resp = strdup(answer);
		if (r[i].resp == NULL) {
			free_replies(r, n);
			return PAM_BUF_ERR;
		}
	}
	*resp = r;
	return PAM_SUCCESS;
}

static int
shell_listed(const char *shell)
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
deny(struct auth_result *res, const char *why)
{
	snprintf(res->reason, sizeof res->reason, "%s", why);
	return AUTH_DENIED;
}

/* Runs the PAM stack.  0, or -1 with res->reason. */
static int
run_pam(const char *service, const char *user, const char *pass,
	char *final_user, size_t final_len, struct auth_result *res)
{
	struct conv_data d = { user, pass };
	struct pam_conv pc = { conv, &d };
	pam_handle_t *ph = NULL;
	const void *item = NULL;
	int r;

	r = pam_start(service, user, &pc, &ph);
	if (r != PAM_SUCCESS) {
		snprintf(res->reason, sizeof res->reason, "PAM: cannot start "
			 "service %s", service);
		return -1;
	}
	if (s_rhost[0] != '\0')
		(void)pam_set_item(ph, PAM_RHOST, s_rhost);
	(void)pam_set_item(ph, PAM_TTY, "ftp");
	r = pam_authenticate(ph, PAM_DISALLOW_NULL_AUTHTOK);
	if (r == PAM_SUCCESS)
		r = pam_acct_mgmt(ph, PAM_DISALLOW_NULL_AUTHTOK);
	if (r == PAM_SUCCESS &&
	    (pam_get_item(ph, PAM_USER, &item) != PAM_SUCCESS || item == NULL ||
	     strlen((const char *)item) >= final_len))
		r = PAM_USER_UNKNOWN;
	if (r == PAM_SUCCESS)
		snprintf(final_user, final_len, "%s", (const char *)item);
	else
		snprintf(res->reason, sizeof res->reason, "PAM: %s",
			 r == PAM_NEW_AUTHTOK_REQD ? "password expired" :
			 pam_strerror(ph, r));
	(void)pam_end(ph, r);
	return r == PAM_SUCCESS ? 0 : -1;
}

int
auth_backend_pam(const struct ftpd_env *env, const char *user,
		 const char *pass, struct auth_result *res)
{
	char name[AUTH_USER_MAX];
	struct passwd *pw;

	if (!env->conf->system_users ||
	    strcmp(env->conf->auth_backend, "pam") != 0)
		return AUTH_UNKNOWN;
	pw = getpwnam(user);
	if (pw == NULL)
		return AUTH_UNKNOWN;
	/* SECURITY: the same rules as the shadow backend, checked before
	 * PAM so a refused account costs no password check. */
	if (pw->pw_uid == 0)
		return deny(res, "root may not log in");
	if (!shell_listed(pw->pw_shell != NULL ? pw->pw_shell : ""))
		return deny(res, "shell is not in /etc/shells");
	if (run_pam(env->conf->pam_service, user, pass, name, sizeof name,
		    res) < 0)
		return AUTH_DENIED;
	/* A module may map the name to another account. */
	pw = getpwnam(name);
	if (pw == NULL)
		return deny(res, "PAM user has no account");
	if (pw->pw_uid == 0)
		return deny(res, "root may not log in");
	if (!env->is_root && pw->pw_uid != getuid())
		return deny(res, "not root: can only serve the invoking account");
	if (pw->pw_dir == NULL || pw->pw_dir[0] != '/' ||
	    strlen(pw->pw_dir) >= sizeof res->root)
		return deny(res, "bad home folder");
	res->kind = AUTH_SYSTEM;
	snprintf(res->user, sizeof res->user, "%s", pw->pw_name);
	snprintf(res->root, sizeof res->root, "%s", pw->pw_dir);
	res->uid = pw->pw_uid;
	res->gid = pw->pw_gid;
	res->initgroups = env->is_root;
	res->readonly = 0;
	return AUTH_OK;
}
