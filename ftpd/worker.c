/* worker.c: starting a session worker: sandbox first, then greet and
 * run the command loop (see worker.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "worker.h"
#include "hashcache.h"
#include "log.h"
#include "reply.h"
#include "sandbox.h"
#include "session.h"
#include "tls_session.h"
#include "vfs.h"

void
worker_prelogin(const struct worker_start *w)
{
	struct session s;
	char err[256];

	if (sandbox_prelogin(w->env, w->monitor, err, sizeof err) < 0) {
		struct conn c;

		log_msg(LOG_ERR, "pre-login sandbox: %s", err);
		conn_init(&c, w->ctrl_rfd, 5000);
		c.wfd = w->ctrl_wfd;
		(void)reply_send(&c, 421, "Service not available (server error).");
		_exit(1);
	}
	session_init(&s, w->env, w->ctrl_rfd, w->ctrl_wfd, w->privfd, w->monitor);
	if (w->npipelined > 0)
		session_preload(&s, w->pipelined, w->npipelined);
	/* Implicit FTPS: the handshake comes before the greeting. */
	if (ftls_prelogin(&s, w->tls_link) < 0)
		_exit(1);
	if (w->rein)
		reply(&s, 220, "Ready for a new user.");
	else
		reply(&s, 220, s.conf->banner[0] != '\0' ? s.conf->banner :
		      "ftpd ready");
	session_loop(&s);
	session_free(&s);
	_exit(0);
}

void
worker_postlogin(const struct worker_start *w, const struct auth_result *res,
		 int rootfd)
{
	struct session s;
	struct buf msg = BUF_INIT(8192);
	char err[256];

	/* Still privileged: the cache folder is closed to the account the
	 * session will run as (hashcache.h). */
	hashcache_attach(w->env, res);
	if (sandbox_postlogin(w->env, w->monitor, rootfd, res->uid, res->gid,
			      res->initgroups ? res->user : NULL, err,
			      sizeof err) < 0) {
		struct conn c;

		log_msg(LOG_ERR, "post-login sandbox for %s: %s", res->user, err);
		conn_init(&c, w->ctrl_rfd, 5000);
		c.wfd = w->ctrl_wfd;
		(void)reply_send(&c, 421, "Login failed: the session could not "
				 "be set up (server error).");
		_exit(1);
	}
	umask((mode_t)w->env->conf->upload_umask);
	session_init(&s, w->env, w->ctrl_rfd, w->ctrl_wfd, w->privfd, w->monitor);
	s.rootfd = rootfd;
	s.logged_in = 1;
	s.kind = res->kind;
	s.readonly = res->readonly;
	snprintf(s.user, sizeof s.user, "%s", res->user);
	/* A TLS control connection continues through the relay. */
	if (ftls_postlogin(&s, w->tls_link, w->ctrl_rfd, w->ctrl_wfd) < 0)
		_exit(1);
	if (w->npipelined > 0)
		session_preload(&s, w->pipelined, w->npipelined);
	vfs_message(&s, "/", &msg);
	if (res->kind == AUTH_ANON)
		(void)buf_puts(&msg, "Anonymous access granted, restrictions "
			       "apply.");
	else
		(void)buf_printf(&msg, "User %s logged in.", res->user);
	reply_buf(&s, 230, &msg);
	buf_free(&msg);
	session_loop(&s);
	log_msg(LOG_INFO, "%s: %s: %u file(s) down (%llu bytes), %u up "
		"(%llu bytes)", s.peer_str, s.user, s.files_out,
		(unsigned long long)s.bytes_out, s.files_in,
		(unsigned long long)s.bytes_in);
	session_free(&s);
	_exit(0);
}
