/* tls.h: FTPS (RFC 4217) over OpenSSL for both programs.  Server and
 * client contexts, handshakes that put an SSL into conn->tls, the
 * data-connection rule (resume the control connection's session),
 * certificate fingerprints and the client's known-hosts file.
 *
 * No OpenSSL type appears here: callers include only this header and
 * conn.h.  Once a handshake has succeeded, conn_read/conn_write_full/
 * conn_has_pending/conn_shutdown/conn_close speak TLS on that conn.
 *
 * Conventions: functions that can fail take (char *err, size_t errlen)
 * and write one readable line there (no trailing newline); err may be
 * NULL.  TLS 1.2 is the minimum on both sides, 1.3 is preferred; ALPN
 * "ftp" is offered by the client and, when a client offers ALPN, required
 * by the server (cross-protocol attacks, ALPACA). */
#ifndef FTPKIT_TLS_H
#define FTPKIT_TLS_H

#include <stddef.h>
#include "conn.h"

/* "SHA256:" + unpadded base64 of the SHA-256 of the certificate's DER,
 * the form ssh-keygen -l uses, e.g.
 * SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU
 * In Python: base64.b64encode(hashlib.sha256(der).digest()).rstrip(b"=")
 * Buffers for it are TLS_FP_STRLEN bytes (51 used). */
#define TLS_FP_STRLEN 64

/* ---------------------------------------------------------------- server */

struct tls_server;		/* SSL_CTX plus what reload needs */

struct tls_server_opts {
	const char *cert;	/* PEM: leaf first, then intermediates */
	const char *key;	/* PEM private key (unencrypted); may be
				 * the same file as cert */
	const char *ciphers;	/* NULL/"" = OpenSSL defaults; else a
				 * ':'-list: TLS_* names set the TLS 1.3
				 * suites, the rest the TLS 1.2 list */
	int max_version;	/* 0 = newest; 12 = TLS 1.2 only */
};

/* PURPOSE: builds the server context once (in the parent), reading the
 * certificate chain and key and checking that they match.  Key files
 * with a passphrase are refused, never prompted for.
 * RETURNS: the context, or NULL with the reason in err. */
struct tls_server *tls_server_new(const struct tls_server_opts *o,
				  char *err, size_t errlen);

/* PURPOSE: renewed certificates without a restart.  Stats tls_cert and
 * tls_key; when device, inode, size or mtime changed since the last
 * load, loads them into a fresh context used by sessions accepted from
 * now on (running sessions keep the context they started with).
 * RETURNS: 0 unchanged, 1 reloaded, -1 the changed files are broken: the
 * old context stays in use and err says why.  A broken version is
 * reported once; the next change of the files is tried again. */
int tls_server_reload(struct tls_server *s, char *err, size_t errlen);

void tls_server_free(struct tls_server *s);

/* PURPOSE: server handshake on a control connection (after "234" for
 * AUTH TLS, or at once for implicit FTPS).  Gives this FTP session its
 * own random session-id context, so that only this control connection's
 * session can be resumed on the session's data connections, and issues
 * TLS 1.3 tickets as part of the handshake, so one exists before the
 * first transfer.  The whole handshake is bounded by c->timeout_ms.
 * RETURNS: 0 with c->tls set, or -1 (c->tls NULL, err set); the caller
 * closes the connection. */
int tls_accept(struct tls_server *s, struct conn *c, char *err,
	       size_t errlen);

/* PURPOSE: server handshake on a data connection (PROT P).  Uses the
 * control connection's context and session-id context and sends no
 * tickets.  With require_reuse, the client must resume the control
 * connection's session (SECURITY: this is what ties the data connection
 * to the authenticated client); a fresh handshake, or a session or
 * ticket from another FTP session, is refused.
 * RETURNS: 0 with data->tls set, or -1 (data->tls NULL, err set). */
int tls_accept_data(const struct conn *ctrl, struct conn *data,
		    int require_reuse, char *err, size_t errlen);

/* ---------------------------------------------------------------- client */

struct tls_client;		/* SSL_CTX with trust settings */

struct tls_client_opts {
	const char *cafile;	/* extra trusted CA(s), PEM; NULL = none */
	int insecure;		/* 1: accept any certificate (--insecure) */
	int max_version;	/* 0 = newest; 12 = TLS 1.2 only */
};

/* PURPOSE: client context: the system CA store plus cafile, TLS >= 1.2.
 * RETURNS: the context, or NULL with the reason in err (e.g. an
 * unreadable cafile). */
struct tls_client *tls_client_new(const struct tls_client_opts *o,
				  char *err, size_t errlen);
void tls_client_free(struct tls_client *cl);

enum tls_connect_result {
	TLS_CONNECT_FAILED = -1,	/* no TLS; c->tls NULL; err set */
	TLS_CONNECT_OK = 0,		/* verified (or insecure mode) */
	TLS_CONNECT_UNTRUSTED = 1	/* handshake done, c->tls set, but the
					 * certificate did not verify */
};

/* PURPOSE: client handshake on a control connection.  host is the name
 * the user typed: sent as SNI (unless an IP literal) and checked against
 * the certificate (DNS name or IP address).  The session, including a
 * TLS 1.3 ticket that arrives after the handshake, is captured for
 * tls_connect_data without further calls.
 * RETURNS: enum tls_connect_result.  SECURITY: on TLS_CONNECT_UNTRUSTED
 * nothing has been sent yet and err holds the verification error and
 * what the user can do; the caller may go on only if the fingerprint is
 * trusted (tls_fingerprint_match with --fingerprint, tls_known_check,
 * or an interactive yes), else it must conn_close(c). */
int tls_connect(struct tls_client *cl, struct conn *c, const char *host,
		char *err, size_t errlen);

/* PURPOSE: client handshake on a data connection.  Offers the control
 * connection's latest session (so servers that require reuse accept it)
 * and checks that the data peer presents the same certificate as the
 * control peer (SECURITY: a third party cannot take the data connection
 * even with a certificate of its own).
 * RETURNS: 0 with data->tls set, or -1 (data->tls NULL, err set). */
int tls_connect_data(const struct conn *ctrl, struct conn *data,
		     char *err, size_t errlen);

/* 1 if the control connection holds a resumable session to offer on
 * data connections (with TLS 1.3, after the first reply was read). */
int tls_has_session(const struct conn *ctrl);

/* --------------------------------------------------------------- both */

/* 1 if the connection's handshake resumed a session, else 0. */
int tls_session_reused(const struct conn *c);

struct tls_info {
	char version[16];		/* "TLSv1.3" */
	char cipher[64];		/* "TLS_AES_256_GCM_SHA384" */
	char subject[256];		/* peer certificate, RFC 2253 */
	char issuer[256];
	char not_after[32];		/* "Nov 26 00:00:00 2026 GMT" */
	char fingerprint[TLS_FP_STRLEN];
	int verified;			/* chain and host name verified */
	int resumed;
};

/* PURPOSE: what verbose mode and logs show.  The certificate fields are
 * empty when the peer sent none (a server looking at its client).
 * RETURNS: 0, or -1 if c has no TLS. */
int tls_get_info(const struct conn *c, struct tls_info *out);

/* PURPOSE: the peer certificate's fingerprint (format above).
 * RETURNS: 0, or -1 when there is no TLS or no certificate. */
int tls_peer_fingerprint(const struct conn *c, char *out, size_t n);

/* PURPOSE: compare a user-given fingerprint with ours.  given may be
 * "SHA256:<base64>" (padding optional) or hex with or without ':'
 * separators (as `openssl x509 -fingerprint -sha256` prints), with or
 * without a "SHA256:"/"sha256 Fingerprint=" prefix.
 * RETURNS: 1 same digest, 0 different or unparsable. */
int tls_fingerprint_match(const char *given, const char *fp);

/* PURPOSE: CCC: close_notify both ways on the control connection, then
 * drop the SSL so the connection goes on in plaintext.
 * RETURNS: 0, or -1 (the connection is unusable; err set). */
int tls_unwrap(struct conn *c, char *err, size_t errlen);

/* PURPOSE: after conn_read/conn_write_full failed on a TLS connection,
 * the OpenSSL reason (e.g. "unexpected eof while reading" for a peer
 * that closed without close_notify).  Clears the thread's error queue.
 * RETURNS: out (an empty string when there is nothing to say). */
const char *tls_error_text(char *out, size_t n);

/* --------------------------------------------------------- known hosts */

/* The client's trust-on-first-use store: a text file, one line per
 * server, "<host>:<port> SHA256:<base64>", host lower-cased and an IPv6
 * literal in brackets ("[::1]:21").  Lines starting with '#' and blank
 * lines are ignored; the last line for a host wins. */

/* Formats the key of a line into out: "example.org:21", "[::1]:990". */
void tls_known_key(char *out, size_t n, const char *host, int port);

enum tls_known_result {
	TLS_KNOWN_ERROR = -1,		/* file unreadable (not: missing) */
	TLS_KNOWN_MATCH = 0,		/* stored and equal */
	TLS_KNOWN_ABSENT = 1,		/* no line for this host */
	TLS_KNOWN_MISMATCH = 2		/* stored and different: refuse loudly */
};

/* PURPOSE: looks key up in the file at path.  On TLS_KNOWN_MISMATCH the
 * stored fingerprint is copied into stored (may be NULL).
 * RETURNS: enum tls_known_result; a missing file is TLS_KNOWN_ABSENT. */
int tls_known_check(const char *path, const char *key, const char *fp,
		    char *stored, size_t storedlen);

/* PURPOSE: records key -> fp, replacing an existing line for key, by
 * writing a temporary file (mode 0600) and renaming it over path.
 * Creates the file's folder (mode 0700) if only that is missing.
 * RETURNS: 0, or -1 with err set. */
int tls_known_add(const char *path, const char *key, const char *fp,
		  char *err, size_t errlen);

#endif
