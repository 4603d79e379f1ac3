/* cmd_auth.c: USER PASS ACCT REIN QUIT.  PASS is a round trip to the
 * monitor (privproto.h): this process never sees a hash and never
 * decides a login itself. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "auth.h"
#include "log.h"
#include "privproto.h"
#include "session.h"
#include "tls_session.h"

void
handle_user(struct session *s, const char *arg)
{
	if (s->logged_in) {
		reply(s, 503, "Already logged in; use REIN to change user.");
		return;
	}
	if (strlen(arg) >= sizeof s->user) {
		reply(s, 501, "User name too long.");
		return;
	}
	snprintf(s->user, sizeof s->user, "%s", arg);
	s->user_given = 1;
	if (auth_is_anonymous(arg)) {
		if (!s->conf->anon_enable) {
			s->user_given = 0;
			reply(s, 530, "Anonymous access is disabled.");
			return;
		}
		reply(s, 331, "Anonymous login ok, send your e-mail address "
		      "as password.");
	} else {
		reply(s, 331, "Password required.");
	}
}

void
handle_pass(struct session *s, const char *arg)
{
	struct priv_field f[3];
	struct priv_msg *m;
	char pending[LINE_BUFSZ];
	const char *pass = arg != NULL ? arg : "";
	int r;

	if (s->logged_in) {
		reply(s, 503, "Already logged in.");
		return;
	}
	if (!s->user_given) {
		reply(s, 503, "Send USER first.");
		return;
	}
	s->user_given = 0;
	f[0].p = s->user;
	f[0].n = strlen(s->user);
	f[1].p = pass;
	f[1].n = strlen(pass);
	/* Commands pipelined behind PASS belong to the next worker. */
	f[2].p = pending;
	f[2].n = session_pending(s, pending, sizeof pending);
	if (f[0].n > priv_rule(PRIV_LOGIN)->cap[0] ||
	    f[1].n > priv_rule(PRIV_LOGIN)->cap[1]) {
		log_msg(LOG_NOTICE, "%s: login failed: user or password too "
			"long", s->peer_str);
		reply(s, 530, "Login incorrect.");
		return;
	}
	if (priv_send(s->privfd, PRIV_LOGIN, 3, f) < 0) {
		reply(s, 421, "Service not available (login failed).");
		s->quit = 1;
		return;
	}
	m = malloc(sizeof *m);
	r = m != NULL ? priv_recv(s->privfd, PRIV_FROM_MONITOR, m) : -1;
	if (r == 1 && m->type == PRIV_LOGIN_OK) {
		/* The monitor now starts the post-login worker, which
		 * answers 230; this process is done, unless the control
		 * connection is TLS: then it stays as relay (relay.h). */
		free(m);
		ftls_login_ok(s);
		_exit(0);
	}
	if (r == 1 && m->type == PRIV_LOGIN_FAIL) {
		free(m);
		session_reset_user(s);
		reply(s, 530, "Login incorrect.");
		return;
	}
	if (r == 1 && m->type == PRIV_LOGIN_LOCKOUT) {
		/* The monitor ends the session either way. */
		free(m);
		reply(s, 530, "Login incorrect.");
		reply(s, 421, "Too many failed logins; closing the control "
		      "connection.");
		s->quit = 1;
		return;
	}
	free(m);
	reply(s, 421, "Service not available (login failed).");
	s->quit = 1;
}

void
handle_acct(struct session *s, const char *arg)
{
	reply(s, 202, "ACCT not needed.");
}

void
handle_rein(struct session *s, const char *arg)
{
	struct priv_field f;
	char pending[LINE_BUFSZ];

	if (!s->logged_in) {
		session_reset_user(s);
		reply(s, 220, "Ready for a new user.");
		return;
	}
	/* Logged in: this worker has the user's credentials and cannot
	 * give them back.  The monitor replaces it by a fresh pre-login
	 * worker, which sends the 220. */
	f.p = pending;
	f.n = session_pending(s, pending, sizeof pending);
	if (priv_send(s->privfd, PRIV_REIN, 1, &f) < 0) {
		reply(s, 421, "Service not available (REIN failed).");
		s->quit = 1;
		return;
	}
	_exit(0);
}

void
handle_quit(struct session *s, const char *arg)
{
	reply(s, 221, "Goodbye.");
	s->quit = 1;
}
