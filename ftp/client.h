/* client.h: one FTP control connection and what we know about it.
 *
 * The client sends commands (never with CR/LF inside an argument), reads
 * replies through lib/reply.h, logs in, and caches the server's FEAT list.
 * The main session and every parallel mirror worker own one each. */
#ifndef FTP_CLIENT_H
#define FTP_CLIENT_H

#include <stdint.h>
#include "conn.h"
#include "line.h"
#include "net.h"
#include "reply.h"
#include "tls.h"

struct settings;

/* TLS on a connection (ftps.c does the work) */
enum { FTPS_NONE = 0, FTPS_EXPLICIT = 1, FTPS_IMPLICIT = 2 };

#define CLIENT_HOSTLEN 256
#define CLIENT_MAXFEAT 64

struct ftp_client {
	const struct settings *set;	/* verbose/debug/timeouts (not owned) */

	/* control connection */
	struct conn ctrl;
	struct line_reader *lr;		/* heap: the reader is 4 KiB */
	struct ftp_reply reply;		/* last reply read */
	int connected;
	int logged_in;
	struct netaddr peer;		/* control peer: data always goes here */
	struct netaddr local;		/* our end, for active mode */
	char host[CLIENT_HOSTLEN];
	char port[16];

	/* login, kept in memory so parallel workers can log in again */
	char *user;
	char *pass;
	char *acct;

	/* protocol state */
	char type;			/* 'A' or 'I' as last sent, 0 unknown */
	int epsv_broken;		/* EPSV refused once: use PASV */
	int quiet;			/* >0: do not print replies (completion) */
	int printed;			/* last reply was shown to the user */

	/* TLS: tls_mode is what client_connect sets up; the rest describes
	 * the connection made */
	int tls_mode;			/* FTPS_* */
	int tls_on;			/* the control connection is TLS */
	int prot_p;			/* PROT P accepted: data is TLS too */
	char tls_fp[TLS_FP_STRLEN];	/* fingerprint of the accepted cert */
	char tls_pin[TLS_FP_STRLEN];	/* workers: the main connection's */
	const char *tls_trust;		/* why it was accepted */

	/* FEAT cache */
	int feat_known;
	int nfeat;
	char *feat[CLIENT_MAXFEAT];	/* upper-cased first word of each line */
	char *mlst_facts;		/* the MLST line's argument, or NULL */
};

void client_init(struct ftp_client *c, const struct settings *set);
/* Connects to host:port and reads the greeting; with c->tls_mode set,
 * TLS first (implicit) or AUTH TLS after the greeting (explicit).
 * Returns ST_OK or a status with the reason already printed (ST_TLS
 * when TLS was asked for and could not be had). */
int client_connect(struct ftp_client *c, const char *host, const char *port,
		   int family);
/* Closes the control connection (sends QUIT first if send_quit). */
void client_close(struct ftp_client *c, int send_quit);
void client_free(struct ftp_client *c);

/* Sends one command line.  The formatted text must not contain CR, LF or
 * NUL (refused with a message: it could smuggle a second command).
 * Returns 0, or a status on failure (printed). */
int client_send(struct ftp_client *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Reads one reply into c->reply and prints it when verbose.  Returns the
 * reply code, or -1 when the connection failed (closed, timeout, garbage):
 * then the client is disconnected and the reason printed. */
int client_reply(struct ftp_client *c);
/* client_send + client_reply (reads more replies while they are 1xx
 * unless the caller expects a preliminary one: use client_send then). */
int client_cmd(struct ftp_client *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Last line of the last reply, for messages. */
const char *client_last(const struct ftp_client *c);
/* Prints "what: <reply>" to stderr unless the reply was already shown,
 * and returns the status for the last reply (or ST_NET if code < 0). */
int client_fail(struct ftp_client *c, int code, const char *what);

/* USER/PASS/ACCT.  pass/acct may be NULL: then they are asked for through
 * ask_pass (may be NULL: fail).  On success also sends PBSZ/PROT on a TLS
 * connection (ST_TLS and disconnected if refused), FEAT and TYPE I.
 * Returns ST_OK, ST_LOGIN, ST_NET ... */
typedef char *(*client_ask_fn)(const char *prompt, int echo);
int client_login(struct ftp_client *c, const char *user, const char *pass,
		 const char *acct, client_ask_fn ask);
/* Sends TYPE if the wanted type differs from the last one sent. */
int client_type(struct ftp_client *c, char type);
/* Fetches FEAT once per connection. */
void client_feat(struct ftp_client *c);
/* 1 if FEAT listed the feature (case-insensitive first word). */
int client_has(const struct ftp_client *c, const char *feature);
/* SIZE; returns 0 and *size, or -1 (reply in c->reply). */
int client_size(struct ftp_client *c, const char *path, uint64_t *size);
/* MDTM; returns 0 and *t (UTC), or -1. */
int client_mdtm(struct ftp_client *c, const char *path, long long *t);
/* PWD into a malloc'd string, or NULL. */
char *client_pwd(struct ftp_client *c);
/* Sends Telnet IP + Synch + ABOR (RFC 959 4.1.3).  0 or -1. */
int client_send_abort(struct ftp_client *c);

#endif
