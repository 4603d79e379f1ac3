/* session.h: struct session, every piece of per-connection state of a
 * worker process in one place, and the command loop around it.
 * Initialized only by session_init(); REIN resets through session_rein(). */
#ifndef FTPD_SESSION_H
#define FTPD_SESSION_H

#include <stdint.h>
#include <sys/types.h>

#include "buf.h"
#include "conn.h"
#include "line.h"
#include "net.h"
#include "auth.h"
#include "datachan.h"
#include "env.h"

#define SESSION_QUEUE_MAX 8	/* commands read while a transfer runs */
#define SESSION_USER_MAX 256

struct session {
	const struct ftpd_env *env;
	const struct ftpd_conf *conf;

	/* control connection */
	struct conn ctrl;
	struct line_reader lr;
	struct buf line;		/* the command being handled */
	struct netaddr peer;		/* client address */
	struct netaddr local;		/* our end of the control connection */
	int have_addrs;			/* 0 in inetd mode on pipes */
	char peer_str[NETADDR_STRLEN];
	int quit;			/* leave the loop after this command */
	int ctrl_lost;			/* a write failed: send nothing more */

	/* privilege separation */
	int privfd;			/* socketpair end to the monitor */
	pid_t monitor;

	/* login */
	int logged_in;
	int user_given;			/* USER seen, PASS expected */
	char user[SESSION_USER_MAX];
	enum auth_kind kind;		/* when logged in */
	int readonly;			/* no writes at all */

	/* file system */
	int rootfd;			/* the session's root folder, -1 before login */
	struct buf cwd;			/* virtual path, "/" at login */

	/* representation and options */
	int type_ascii;			/* TYPE A (else I / L 8) */
	char mode;			/* 'S' only */
	char stru;			/* 'F' only */
	unsigned mlst_facts;		/* OPTS MLST */

	/* multi-step commands; the dispatcher clears them */
	uint64_t rest;			/* REST offset, 0 = none */
	int rnfr_set;
	struct buf rnfr;		/* RNFR path, virtual */

	/* HASH and RANG (cmd_hash.c); zero = SHA-256, no range */
	int hash_alg;			/* OPTS HASH, enum digest_alg */
	int rang_set;			/* RANG given for the next command */
	uint64_t rang_start, rang_end;	/* inclusive byte offsets */
	unsigned hash_hits, hash_misses;	/* digest cache, for STAT */

	/* data connection */
	struct datachan data;

	/* a transfer in progress (for ABOR/STAT on the control connection) */
	int in_transfer;
	int abort_requested;
	uint64_t xfer_bytes;
	struct buf queued[SESSION_QUEUE_MAX];
	unsigned nqueued;

	/* TLS (RFC 4217), reserved: the control connection's TLS state
	 * lives in ctrl.tls; these follow PBSZ/PROT. */
	int pbsz_done;
	int prot_private;
	struct ftls *tls;		/* the rest (tls_session.h); NULL = none */

	/* statistics for the log */
	long long started_ms;
	uint64_t bytes_in, bytes_out;
	unsigned files_in, files_out;
};

/* Sets every field; ctrl_wfd may equal ctrl_rfd. */
void session_init(struct session *s, const struct ftpd_env *env,
		  int ctrl_rfd, int ctrl_wfd, int privfd, pid_t monitor);
/* Puts bytes read ahead by a previous worker back in front of the
 * control stream. */
void session_preload(struct session *s, const void *p, size_t n);
/* Copies the unread bytes of the control stream into out (cap LINE_BUFSZ). */
size_t session_pending(const struct session *s, char *out, size_t cap);
/* Forgets login, user and protocol state (REIN, failed login). */
void session_reset_user(struct session *s);
void session_free(struct session *s);
/* Reads and dispatches commands until QUIT, EOF, timeout or s->quit. */
void session_loop(struct session *s);

/* Replies on the control connection.  A failed write ends the session. */
void reply(struct session *s, int code, const char *text);
void replyf(struct session *s, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Copies client text for a log line: control bytes become '?', long
 * text is cut.  Returns out. */
const char *log_safe(const char *in, char *out, size_t n);

/* Multi-line reply from a buffer of '\n'-separated lines. */
void reply_buf(struct session *s, int code, const struct buf *text);

#endif
