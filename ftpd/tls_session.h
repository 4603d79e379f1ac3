/* tls_session.h: FTPS (RFC 4217) in ftpd, on top of lib/tls.h.
 *
 * - The daemon (tls_daemon.c) builds the server context once from
 *   tls_cert/tls_key, reloads it for new sessions when the files change
 *   (checked before each fork), and opens the implicit-TLS listeners.
 * - The session side (cmd_tls.c) answers AUTH, PBSZ, PROT and CCC, runs
 *   the control handshake in the pre-login worker, gates USER/PASS and
 *   transfers by the tls_required/tls_require_data policy, and wraps
 *   PROT P data connections.
 * - After a TLS login the pre-login worker becomes the control relay and
 *   forks the data-TLS helper (relay.c, relay.h); doc/design.md explains
 *   why.  The post-login worker never holds TLS state or the key. */
#ifndef FTPD_TLS_SESSION_H
#define FTPD_TLS_SESSION_H

#include <stddef.h>
#include "buf.h"
#include "cmdtab.h"
#include "conf.h"
#include "conn.h"

struct session;

/* Per-session TLS state (session->tls; NULL when never set up). */
struct ftls {
	int link;		/* relay link (relay.h); -1 = none */
	int datafd;		/* post-login: channel to the data helper */
	int active;		/* the control connection is (or was) TLS */
	int implicit;		/* started on a listen_implicit_tls socket */
	int cleared;		/* CCC done: control in clear from now on */
	int relayed;		/* post-login: control goes through the relay */
};

enum ftls_policy { FTLS_NO = 0, FTLS_USERS, FTLS_ALL };

/* ------------------------------------------------ daemon (tls_daemon.c) */

/* Part of ftpd_conf_check: the TLS keys' values and what they need.
 * Stores the parsed tls_required/tls_require_data in c.  0 or -1. */
int ftls_conf_check(struct ftpd_conf *c, char *err, size_t errlen);
/* The value of tls_required or tls_require_data (checked already). */
enum ftls_policy ftls_policy(const char *v);
/* `ftpd -t`: loads certificate and key once.  0 or -1 with err. */
int ftls_check(struct ftpd_conf *c, char *err, size_t errlen);
/* Daemon or inetd start: builds the server context if tls_cert is set
 * (no-op otherwise).  0 or -1 with err. */
int ftls_init(const struct ftpd_conf *c, char *err, size_t errlen);
/* SIGHUP, after the new configuration is in place: a changed
 * tls_cert/tls_key/tls_ciphers builds a new context for new sessions (a
 * failure is logged and the old one stays); an empty tls_cert turns TLS
 * off for new sessions. */
void ftls_reconfigure(const struct ftpd_conf *c);
/* Opens the listen_implicit_tls sockets into fds (at most max) and
 * prints "ftpd: listening on ADDR:PORT (implicit TLS)" for each.
 * Returns the count, or -1 with err. */
int ftls_listen(const struct ftpd_conf *c, int *fds, size_t max, char *err,
		size_t errlen);
/* In the daemon right before forking a session for the accepted fd:
 * reloads changed certificate files (a broken file is logged, the old
 * certificate stays) and notes whether fd came in on an implicit-TLS
 * listener, for the session about to be forked. */
void ftls_before_fork(int fd);
/* 1 if TLS is configured (AUTH TLS can be offered). */
int ftls_enabled(void);
/* 1 in a session forked for an implicit-TLS listener. */
int ftls_implicit_session(void);
/* The context for new control handshakes, or NULL. */
struct tls_server *ftls_server(void);
/* Frees this process's copy of the context (and so of the private key):
 * for processes that never handshake (post-login workers). */
void ftls_drop_server(void);

/* ------------------------------------------------ sessions (cmd_tls.c) */

/* Pre-login worker, before the greeting: takes the relay link and, for
 * an implicit-TLS session, runs the handshake.  -1: end the session. */
int ftls_prelogin(struct session *s, int link);
/* Pre-login worker after the monitor said LOGIN_OK: on a TLS control
 * connection this process becomes the relay and does not return. */
void ftls_login_ok(struct session *s);
/* Post-login worker, before the 230: learns from the link whether the
 * control connection is relayed; if so it switches s->ctrl to the relay
 * and closes its copies of the raw control socket (raw_rfd/raw_wfd).
 * -1: end the session. */
int ftls_postlogin(struct session *s, int link, int raw_rfd, int raw_wfd);
/* Called by cmd_gate after the login check: TLS policy for USER/PASS,
 * transfers (PROT P) and REIN.  0, or a reply code with *why. */
int ftls_gate(const struct session *s, const struct cmd *c, const char *arg,
	      const char **why);
/* FEAT lines " AUTH TLS", " PBSZ", " PROT" when TLS is configured. */
void ftls_feat(struct buf *b);
/* After the 150 of a transfer: under PROT P, has the data connection's
 * TLS handshake done (by the data helper) and replaces data by the
 * plaintext side.  0 ok (or PROT C); -1: replied (522/421) and data is
 * closed. */
int ftls_data_open(struct session *s, struct conn *data);

cmd_handler handle_auth, handle_pbsz, handle_prot, handle_ccc;

#endif
