/* cmd_tls.c: the session side of FTPS (RFC 4217; see tls_session.h):
 * AUTH PBSZ PROT CCC, the control handshake in the pre-login worker,
 * the TLS policy gate, FEAT lines, and the worker's ends of the relay
 * (relay.h): taking over the relayed control connection after login and
 * protecting PROT P data connections through the data helper. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "tls_session.h"
#include "auth.h"
#include "cmds.h"
#include "log.h"
#include "parse.h"
#include "relay.h"
#include "session.h"
#include "sys.h"
#include "tls.h"

/* How long the post-login worker waits for the relay's descriptors. */
#define ATTACH_TIMEOUT_MS 10000

static struct ftls *
ftls_new(struct session *s, int link)
{
	struct ftls *t = calloc(1, sizeof *t);

	if (t == NULL)
		return NULL;
	t->link = link;
	t->datafd = -1;
	s->tls = t;
	return t;
}

static int
tls_on(const struct session *s)
{
	return s->tls != NULL && s->tls->active;
}

/* The control handshake (after 234, or at once for implicit TLS).  On
 * failure the session ends: the connection is in an unknown state. */
static int
handshake(struct session *s)
{
	struct tls_info info;
	char err[256];

	if (tls_accept(ftls_server(), &s->ctrl, err, sizeof err) < 0) {
		log_msg(LOG_NOTICE, "%s: TLS handshake failed: %s", s->peer_str,
			err);
		s->quit = 1;
		s->ctrl_lost = 1;
		return -1;
	}
	s->tls->active = 1;
	/* The monitor learns from this that we stay as relay after login. */
	if (relay_announce(s->tls->link) < 0) {
		log_msg(LOG_ERR, "%s: TLS: cannot tell the monitor", s->peer_str);
		s->quit = 1;
		return -1;
	}
	if (tls_get_info(&s->ctrl, &info) == 0)
		log_msg(LOG_INFO, "%s: TLS: %s, %s", s->peer_str, info.version,
			info.cipher);
	return 0;
}

int
ftls_prelogin(struct session *s, int link)
{
	if (ftls_new(s, link) == NULL)
		return -1;
	if (!ftls_implicit_session())
		return 0;
	s->tls->implicit = 1;
	if (ftls_server() == NULL || link < 0 || handshake(s) < 0)
		return -1;
	/* Implicit FTPS protects data unless the client says PROT C. */
	s->pbsz_done = 1;
	s->prot_private = 1;
	return 0;
}

void
ftls_login_ok(struct session *s)
{
	unsigned flags = 0;

	if (!tls_on(s))
		return;
	if (s->pbsz_done)
		flags |= RELAY_F_PBSZ;
	if (s->prot_private)
		flags |= RELAY_F_PROT_P;
	if (s->tls->implicit)
		flags |= RELAY_F_IMPLICIT;
	/* Nothing more to ask the monitor. */
	if (s->privfd >= 0)
		sys_close_failok(s->privfd);
	s->privfd = -1;
	relay_start(&s->ctrl, s->tls->link, flags, s->conf, s->peer_str);
}

int
ftls_postlogin(struct session *s, int link, int raw_rfd, int raw_wfd)
{
	struct relay_ends e;
	struct ftls *t;
	char why[256];
	int r;

	/* SECURITY: this process never handshakes; the private key goes. */
	ftls_drop_server();
	t = ftls_new(s, link);
	if (t == NULL)
		return -1;
	if (link < 0)
		return 0;
	r = relay_attach(link, &e, ATTACH_TIMEOUT_MS, why, sizeof why);
	if (r < 0) {
		log_msg(LOG_ERR, "%s: TLS: %s", s->peer_str, why);
		return -1;
	}
	if (r == 0) {
		sys_close_failok(link);
		t->link = -1;
		return 0;
	}
	/* SECURITY: from here on this process sees the client only through
	 * the relay; its copies of the encrypted socket go. */
	if (raw_wfd != raw_rfd)
		sys_close_failok(raw_wfd);
	sys_close_failok(raw_rfd);
	s->ctrl.fd = s->ctrl.wfd = e.ctrl;
	t->datafd = e.data;
	t->active = 1;
	t->relayed = 1;
	t->implicit = (e.flags & RELAY_F_IMPLICIT) != 0;
	s->pbsz_done = (e.flags & RELAY_F_PBSZ) != 0;
	s->prot_private = (e.flags & RELAY_F_PROT_P) != 0;
	return 0;
}

/* 1 if this session's transfers need PROT P (tls_require_data). */
static int
data_needs_tls(const struct session *s)
{
	switch (ftls_policy(s->conf->tls_require_data)) {
	case FTLS_ALL:
		return 1;
	case FTLS_USERS:
		return s->logged_in && s->kind != AUTH_ANON;
	default:
		return 0;
	}
}

static int
is_transfer(cmd_handler *h)
{
	return h == handle_retr || h == handle_stor || h == handle_stou ||
	       h == handle_appe || h == handle_list || h == handle_nlst ||
	       h == handle_mlsd;
}

int
ftls_gate(const struct session *s, const struct cmd *c, const char *arg,
	  const char **why)
{
	enum ftls_policy p;

	if (c->handler == handle_user && !tls_on(s) && arg != NULL) {
		p = ftls_policy(s->conf->tls_required);
		/* SECURITY: no password in clear where policy forbids it
		 * (the check is on USER, before any password is sent). */
		if (p == FTLS_ALL) {
			*why = "TLS required: send AUTH TLS before logging in.";
			return 530;
		}
		if (p == FTLS_USERS && !auth_is_anonymous(arg)) {
			*why = "TLS required for non-anonymous logins: send AUTH "
			       "TLS before USER.";
			return 530;
		}
	}
	if (is_transfer(c->handler) && !s->prot_private && data_needs_tls(s)) {
		*why = "Data connections must be protected here "
		       "(tls_require_data): send AUTH TLS, PBSZ 0 and PROT P "
		       "first. Data connection cannot be opened with this PROT "
		       "setting.";
		return 521;
	}
	if (c->handler == handle_rein && s->logged_in && tls_on(s)) {
		*why = "REIN is not available on a TLS session; reconnect to log "
		       "in as another user.";
		return 502;
	}
	return 0;
}

void
ftls_feat(struct buf *b)
{
	if (!ftls_enabled())
		return;
	(void)buf_puts(b, " AUTH TLS\n PBSZ\n PROT\n");
}

int
ftls_data_open(struct session *s, struct conn *data)
{
	char why[RELAY_TEXT_MAX], safe[RELAY_TEXT_MAX];
	int r;

	if (!s->prot_private)
		return 0;
	if (s->tls == NULL || s->tls->datafd < 0) {
		conn_close(data);
		reply(s, 522, "Data connection protection is not available in "
		      "this session.");
		return -1;
	}
	r = relay_data_open(s->tls->datafd, data,
			    (int)s->conf->data_timeout * 1000 + 5000, why,
			    sizeof why);
	if (r == 0)
		return 0;
	(void)log_safe(why, safe, sizeof safe);
	if (r == -1) {
		replyf(s, 522, "Data connection refused: %s.", safe);
		return -1;
	}
	log_msg(LOG_ERR, "%s: %s", s->peer_str, safe);
	replyf(s, 421, "Data connection protection failed (%s); closing the "
	       "session.", safe);
	s->quit = 1;
	return -1;
}

void
handle_auth(struct session *s, const char *arg)
{
	int prot_p;
	size_t n;

	if (tls_on(s)) {
		reply(s, 503, "TLS is already active on the control connection.");
		return;
	}
	if (s->logged_in) {
		reply(s, 503, "AUTH must come before login (USER and PASS).");
		return;
	}
	if (!ftls_enabled() || ftls_server() == NULL || s->tls == NULL ||
	    s->tls->link < 0) {
		reply(s, 504, "AUTH TLS is not available: this server has no "
		      "certificate configured.");
		return;
	}
	/* AUTH SSL and TLS-P (draft-murray, before RFC 4217) also meant
	 * protected data connections; the protocol is TLS >= 1.2 anyway. */
	if (strcasecmp(arg, "TLS") == 0 || strcasecmp(arg, "TLS-C") == 0)
		prot_p = 0;
	else if (strcasecmp(arg, "SSL") == 0 || strcasecmp(arg, "TLS-P") == 0)
		prot_p = 1;
	else {
		reply(s, 504, "Unknown security mechanism; use AUTH TLS.");
		return;
	}
	/* RFC 4217 4: a USER before AUTH does not carry over. */
	session_reset_user(s);
	reply(s, 234, "AUTH TLS ok; starting the TLS handshake.");
	if (s->ctrl_lost)
		return;
	/* SECURITY: bytes sent in clear after AUTH must never be read as if
	 * they came through TLS (command injection into the session). */
	n = line_pending(&s->lr);
	if (n > 0)
		log_msg(LOG_NOTICE, "%s: discarded %zu plaintext byte(s) sent "
			"after AUTH", s->peer_str, n);
	line_discard_pending(&s->lr);
	if (handshake(s) < 0)
		return;
	if (prot_p) {
		s->pbsz_done = 1;
		s->prot_private = 1;
	}
}

void
handle_pbsz(struct session *s, const char *arg)
{
	uint64_t v;

	if (!tls_on(s)) {
		reply(s, 503, "PBSZ needs a TLS-protected control connection: "
		      "send AUTH TLS first.");
		return;
	}
	if (s->tls->cleared) {
		reply(s, 503, "PBSZ is not accepted after CCC.");
		return;
	}
	if (parse_u64(arg, UINT32_MAX, &v) < 0) {
		reply(s, 501, "PBSZ needs a decimal number (PBSZ 0).");
		return;
	}
	/* RFC 4217 8: TLS needs no buffer size; the answer is always 0. */
	s->pbsz_done = 1;
	reply(s, 200, "PBSZ=0");
}

void
handle_prot(struct session *s, const char *arg)
{
	char level = (char)toupper((unsigned char)arg[0]);

	if (!tls_on(s)) {
		reply(s, 503, "PROT needs a TLS-protected control connection: "
		      "send AUTH TLS first.");
		return;
	}
	/* SECURITY: after CCC a PROT C could be injected by anyone on the
	 * path; the level stays what it was. */
	if (s->tls->cleared) {
		reply(s, 503, "PROT is not accepted after CCC.");
		return;
	}
	if (!s->pbsz_done) {
		reply(s, 503, "Send PBSZ 0 before PROT.");
		return;
	}
	if (arg[1] != '\0')
		level = '?';
	switch (level) {
	case 'P':
		s->prot_private = 1;
		reply(s, 200, "PROT P ok: data connections will be protected.");
		break;
	case 'C':
		if (data_needs_tls(s)) {
			reply(s, 534, "PROT C refused by server policy "
			      "(tls_require_data): data connections must be "
			      "protected.");
			break;
		}
		s->prot_private = 0;
		reply(s, 200, "PROT C ok: data connections will be in clear "
		      "text.");
		break;
	case 'S':
	case 'E':
		reply(s, 536, "PROT S and PROT E are not supported with TLS; use "
		      "PROT P or PROT C.");
		break;
	default:
		reply(s, 504, "Unknown protection level; use PROT P or PROT C.");
		break;
	}
}

void
handle_ccc(struct session *s, const char *arg)
{
	char why[RELAY_TEXT_MAX];

	if (!tls_on(s) || s->tls->cleared) {
		reply(s, 533, "The control connection is not protected; there is "
		      "nothing to clear.");
		return;
	}
	if (!s->conf->tls_allow_ccc) {
		reply(s, 534, "CCC refused by server policy (tls_allow_ccc = no): "
		      "the control connection stays encrypted.");
		return;
	}
	if (!s->tls->relayed) {
		reply(s, 534, "CCC is only available after login.");
		return;
	}
	/* The relay answers 200 itself, right before the TLS shutdown. */
	if (relay_ccc(s->tls->link, s->ctrl.timeout_ms, why, sizeof why) < 0) {
		log_msg(LOG_NOTICE, "%s: CCC failed: %s", s->peer_str, why);
		s->quit = 1;
		s->ctrl_lost = 1;
		return;
	}
	s->tls->cleared = 1;
}
