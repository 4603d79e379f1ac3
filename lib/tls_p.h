/* tls_p.h: private to lib/tls.c, tls_server.c and tls_client.c: what the
 * server and client halves share with the core (the SSL-over-conn setup,
 * the handshake loop, per-SSL state).  Nothing outside those files
 * includes it; everyone else uses tls.h. */
#ifndef FTPKIT_TLS_P_H
#define FTPKIT_TLS_P_H

#include <stddef.h>
#include <openssl/ssl.h>
#include "conn.h"

/* Sessions must outlive long FTP sessions: every data connection resumes
 * the control connection's session.  RFC 8446 caps tickets at 7 days. */
#define TLS_SESSION_TIMEOUT (24L * 60 * 60)
/* With read-ahead, one recv() can bring in several 16 KiB records. */
#define TLS_DATA_READBUF (64 * 1024)
#define TLS_SHA256_LEN 32

/* ALPN protocol id "ftp" in wire format (length-prefixed). */
extern const unsigned char tls_alpn_ftp[4];

#if OPENSSL_VERSION_NUMBER < 0x30000000L
/* 1.1.1: the SSL keeps its own reference, so a borrowed pointer is safe. */
static inline X509 *
SSL_get0_peer_certificate(const SSL *ssl)
{
	X509 *x = SSL_get_peer_certificate(ssl);

	X509_free(x);
	return x;
}
#endif

/* Per-SSL state beyond OpenSSL's, freed with the SSL. */
struct tls_link {
	int is_ctrl;
	unsigned char sid_ctx[SSL_MAX_SID_CTX_LENGTH];	/* server */
	SSL_SESSION *sess;	/* client: newest resumable session */
	char *host;		/* client: the name checked */
	unsigned char fp[TLS_SHA256_LEN];	/* client: control peer */
	int have_fp;
};

void tls_seterr(char *err, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* 0, or -1 (err set) when OpenSSL could not be set up. */
int tls_init(char *err, size_t errlen);
/* A new SSL bound to c's descriptors with a zeroed tls_link attached,
 * or NULL (err set). */
SSL *tls_ssl_new(SSL_CTX *ctx, const struct conn *c, int is_ctrl,
		 char *err, size_t errlen);
struct tls_link *tls_link_get(const SSL *ssl);
/* Frees an SSL that never made it into a conn. */
void tls_ssl_discard(SSL *ssl);
/* SSL_do_handshake to the end within c->timeout_ms in total.  0, or -1
 * with "<what> failed: <reason>" / "<what> timed out" in err. */
int tls_handshake(SSL *ssl, const struct conn *c, const char *what,
		  char *err, size_t errlen);
/* TLS 1.2 minimum; max_version 12 caps at 1.2.  0 or -1. */
int tls_set_versions(SSL_CTX *ctx, int max_version);
/* SHA-256 of the peer certificate.  0, or -1 when there is none. */
int tls_peer_digest(const SSL *ssl, unsigned char md[TLS_SHA256_LEN]);

#endif
