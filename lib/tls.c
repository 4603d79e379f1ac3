/* tls.c: the core of FTPS over OpenSSL, shared by server and client:
 * the BIO that moves TLS records over a conn's descriptors, the
 * handshake loop, per-SSL state, errors as text, what a connection
 * shows (version, cipher, certificate, fingerprint) and CCC.  The server
 * side is tls_server.c, the client side tls_client.c, the known-hosts
 * file tls_known.c; conn.c does the reads and writes after a handshake. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "sys.h"
#include "tls.h"
#include "tls_p.h"

const unsigned char tls_alpn_ftp[4] = { 3, 'f', 't', 'p' };

void
tls_seterr(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || n == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, n, fmt, ap);
	va_end(ap);
}

const char *
tls_error_text(char *out, size_t n)
{
	unsigned long e, first = 0;
	const char *r;

	/* The earliest queued error is the root cause (e.g. the system
	 * error under "cannot load certificate"). */
	while ((e = ERR_get_error()) != 0)
		if (first == 0)
			first = e;
	if (n == 0)
		return out;
	out[0] = '\0';
	if (first == 0)
		return out;
	r = ERR_reason_error_string(first);
	if (r != NULL)
		(void)snprintf(out, n, "%s", r);
	else
		ERR_error_string_n(first, out, n);
	return out;
}

/* Describes why an SSL call returned ret, using errno saved right after
 * it.  Clears the error queue. */
static void
tls_describe(SSL *ssl, int ret, int saved_errno, char *out, size_t n)
{
	int e = SSL_get_error(ssl, ret);

	if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
		(void)snprintf(out, n, "%s", saved_errno != 0 ?
		    strerror(saved_errno) : "connection closed by peer");
		return;
	}
	if (e == SSL_ERROR_ZERO_RETURN) {
		ERR_clear_error();
		(void)snprintf(out, n, "connection closed by peer");
		return;
	}
	(void)tls_error_text(out, n);
	if (out[0] == '\0')
		(void)snprintf(out, n, "TLS error %d", e);
}

/* ---------------------------------------------------- BIO over a conn */

/* The BIO reads c->fd and writes c->wfd (inetd's 0/1 pair works), never
 * blocks on a socket (MSG_DONTWAIT, so timeouts stay with the poll()
 * loops even on blocking descriptors) and never raises SIGPIPE
 * (MSG_NOSIGNAL).  Descriptors that are not sockets fall back to
 * read/write after a zero-timeout poll. */
struct tls_fds {
	int rfd, wfd;
	int rsock, wsock;	/* 1 socket, 0 not, -1 unknown */
	int eof;
};

static BIO_METHOD *tls_bio_method;
static int tls_link_idx = -1;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;

static int
tls_bio_write(BIO *b, const char *p, size_t n, size_t *done)
{
	struct tls_fds *f = BIO_get_data(b);
	ssize_t r = -1;

	BIO_clear_retry_flags(b);
	if (f->wsock != 0) {
		do
			r = send(f->wfd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		while (r < 0 && errno == EINTR);
		if (r < 0 && errno == ENOTSOCK)
			f->wsock = 0;
		else
			f->wsock = 1;
	}
	if (f->wsock == 0) {
		if (sys_poll_one(f->wfd, POLLOUT, 0) == 0) {
			BIO_set_retry_write(b);
			return 0;
		}
		r = sys_write(f->wfd, p, n);
	}
	if (r < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			BIO_set_retry_write(b);
		return 0;
	}
	*done = (size_t)r;
	return 1;
}

static int
tls_bio_read(BIO *b, char *p, size_t n, size_t *done)
{
	struct tls_fds *f = BIO_get_data(b);
	ssize_t r = -1;

	BIO_clear_retry_flags(b);
	if (f->rsock != 0) {
		do
			r = recv(f->rfd, p, n, MSG_DONTWAIT);
		while (r < 0 && errno == EINTR);
		if (r < 0 && errno == ENOTSOCK)
			f->rsock = 0;
		else
			f->rsock = 1;
	}
	if (f->rsock == 0) {
		if (sys_poll_one(f->rfd, POLLIN, 0) == 0) {
			BIO_set_retry_read(b);
			return 0;
		}
		r = sys_read(f->rfd, p, n);
	}
	if (r < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			BIO_set_retry_read(b);
		return 0;
	}
	if (r == 0) {
		f->eof = 1;	/* OpenSSL asks BIO_eof() to tell EOF apart */
		return 0;
	}
	*done = (size_t)r;
	return 1;
}

static long
tls_bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	struct tls_fds *f = BIO_get_data(b);

	(void)num;
	(void)ptr;
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1;	/* nothing is buffered here */
	case BIO_CTRL_EOF:
		return f != NULL && f->eof;
	default:
		return 0;
	}
}

static int
tls_bio_create(BIO *b)
{
	BIO_set_data(b, NULL);
	BIO_set_init(b, 0);
	return 1;
}

static int
tls_bio_destroy(BIO *b)
{
	free(BIO_get_data(b));
	BIO_set_data(b, NULL);
	return 1;
}

static void
tls_link_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx,
	      long argl, void *argp)
{
	struct tls_link *l = ptr;

	(void)parent;
	(void)ad;
	(void)idx;
	(void)argl;
	(void)argp;
	if (l == NULL)
		return;
	SSL_SESSION_free(l->sess);
	free(l->host);
	OPENSSL_cleanse(l, sizeof *l);
	free(l);
}

static void
tls_init_once(void)
{
	BIO_METHOD *m;

	tls_link_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, tls_link_free);
	m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
	    "ftpkit conn");
	if (m == NULL)
		return;
	if (BIO_meth_set_write_ex(m, tls_bio_write) != 1 ||
	    BIO_meth_set_read_ex(m, tls_bio_read) != 1 ||
	    BIO_meth_set_ctrl(m, tls_bio_ctrl) != 1 ||
	    BIO_meth_set_create(m, tls_bio_create) != 1 ||
	    BIO_meth_set_destroy(m, tls_bio_destroy) != 1) {
		BIO_meth_free(m);
		return;
	}
	tls_bio_method = m;
}

int
tls_init(char *err, size_t errlen)
{
	if (pthread_once(&tls_once, tls_init_once) != 0 ||
	    tls_bio_method == NULL || tls_link_idx < 0) {
		tls_seterr(err, errlen, "TLS: cannot initialise OpenSSL");
		return -1;
	}
	return 0;
}

struct tls_link *
tls_link_get(const SSL *ssl)
{
	if (ssl == NULL || tls_link_idx < 0)
		return NULL;
	return SSL_get_ex_data(ssl, tls_link_idx);
}

/* Frees an SSL that never made it into a conn.  Marking close_notify as
 * sent keeps OpenSSL from dropping a resumed session from the server
 * cache, which later data connections still need. */
void
tls_ssl_discard(SSL *ssl)
{
	if (ssl == NULL)
		return;
	SSL_set_shutdown(ssl, SSL_get_shutdown(ssl) | SSL_SENT_SHUTDOWN);
	SSL_free(ssl);
	ERR_clear_error();
}

SSL *
tls_ssl_new(SSL_CTX *ctx, const struct conn *c, int is_ctrl, char *err,
	    size_t errlen)
{
	struct tls_fds *f;
	struct tls_link *l;
	SSL *ssl;
	BIO *b;

	if (tls_init(err, errlen) < 0)
		return NULL;
	if (c->fd < 0 || c->wfd < 0) {
		tls_seterr(err, errlen, "TLS: connection is closed");
		return NULL;
	}
	if (c->tls != NULL) {
		tls_seterr(err, errlen, "TLS: already active on this connection");
		return NULL;
	}
	ssl = SSL_new(ctx);
	l = calloc(1, sizeof *l);
	f = calloc(1, sizeof *f);
	b = BIO_new(tls_bio_method);
	if (ssl == NULL || l == NULL || f == NULL || b == NULL) {
		free(l);
		free(f);
		BIO_free(b);
		SSL_free(ssl);
		tls_seterr(err, errlen, "TLS: out of memory");
		return NULL;
	}
	f->rfd = c->fd;
	f->wfd = c->wfd;
	f->rsock = -1;
	f->wsock = -1;
	BIO_set_data(b, f);
	BIO_set_init(b, 1);
	SSL_set_bio(ssl, b, b);
	l->is_ctrl = is_ctrl;
	if (SSL_set_ex_data(ssl, tls_link_idx, l) != 1) {
		free(l);
		SSL_free(ssl);
		tls_seterr(err, errlen, "TLS: out of memory");
		return NULL;
	}
	return ssl;
}

int
tls_handshake(SSL *ssl, const struct conn *c, const char *what, char *err,
	      size_t errlen)
{
	long long deadline = 0, left;
	char why[256];
	int r, e, saved, fd, wait;
	short ev;

	if (c->timeout_ms >= 0)
		deadline = sys_now_ms() + c->timeout_ms;
	for (;;) {
		ERR_clear_error();
		errno = 0;
		r = SSL_do_handshake(ssl);
		saved = errno;
		if (r == 1)
			return 0;
		e = SSL_get_error(ssl, r);
		if (e == SSL_ERROR_WANT_READ) {
			fd = c->fd;
			ev = POLLIN;
		} else if (e == SSL_ERROR_WANT_WRITE) {
			fd = c->wfd;
			ev = POLLOUT;
		} else {
			tls_describe(ssl, r, saved, why, sizeof why);
			tls_seterr(err, errlen, "%s failed: %s", what, why);
			errno = saved != 0 ? saved : EPROTO;
			return -1;
		}
		wait = -1;
		if (c->timeout_ms >= 0) {
			left = deadline - sys_now_ms();
			wait = left <= 0 ? 0 : left > 1 << 30 ? 1 << 30 : (int)left;
		}
		r = sys_poll_one(fd, ev, wait);
		if (r == 0) {
			tls_seterr(err, errlen, "%s timed out", what);
			errno = ETIMEDOUT;
			return -1;
		}
		if (r < 0) {
			saved = errno;
			tls_seterr(err, errlen, "%s failed: %s", what,
			    strerror(saved));
			errno = saved;
			return -1;
		}
	}
}

int
tls_set_versions(SSL_CTX *ctx, int max_version)
{
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1)
		return -1;
	if (max_version == 12 &&
	    SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION) != 1)
		return -1;
	return 0;
}

int
tls_peer_digest(const SSL *ssl, unsigned char md[TLS_SHA256_LEN])
{
	X509 *x = SSL_get0_peer_certificate(ssl);
	unsigned int len = 0;

	if (x == NULL || X509_digest(x, EVP_sha256(), md, &len) != 1 ||
	    len != TLS_SHA256_LEN)
		return -1;
	return 0;
}

static void
tls_format_fp(const unsigned char md[TLS_SHA256_LEN], char *out, size_t n)
{
	unsigned char b64[4 * ((TLS_SHA256_LEN + 2) / 3) + 1];
	int len;

	len = EVP_EncodeBlock(b64, md, TLS_SHA256_LEN);
	while (len > 0 && b64[len - 1] == '=')
		len--;
	b64[len < 0 ? 0 : len] = '\0';
	(void)snprintf(out, n, "SHA256:%s", (const char *)b64);
}

/* ------------------------------------------------- what is shown */

int
tls_session_reused(const struct conn *c)
{
	return c->tls != NULL && SSL_session_reused(c->tls) == 1;
}

static void
tls_name_text(const X509_NAME *name, char *out, size_t n)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long len;

	out[0] = '\0';
	if (b == NULL)
		return;
	/* RFC 2253 escapes control and non-ASCII bytes: safe to print. */
	if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) >= 0) {
		len = BIO_get_mem_data(b, &p);
		if (len > 0)
			(void)snprintf(out, n, "%.*s", (int)len, p);
	}
	BIO_free(b);
}

int
tls_get_info(const struct conn *c, struct tls_info *out)
{
	SSL *ssl = c->tls;
	unsigned char md[TLS_SHA256_LEN];
	X509 *x;

	memset(out, 0, sizeof *out);
	if (ssl == NULL)
		return -1;
	(void)snprintf(out->version, sizeof out->version, "%s",
	    SSL_get_version(ssl));
	(void)snprintf(out->cipher, sizeof out->cipher, "%s",
	    SSL_get_cipher_name(ssl));
	out->resumed = SSL_session_reused(ssl) == 1;
	x = SSL_get0_peer_certificate(ssl);
	if (x == NULL)
		return 0;
	out->verified = SSL_get_verify_result(ssl) == X509_V_OK;
	tls_name_text(X509_get_subject_name(x), out->subject,
	    sizeof out->subject);
	tls_name_text(X509_get_issuer_name(x), out->issuer, sizeof out->issuer);
	{
		BIO *b = BIO_new(BIO_s_mem());
		char *p;
		long len;

		if (b != NULL && ASN1_TIME_print(b, X509_get0_notAfter(x)) == 1 &&
		    (len = BIO_get_mem_data(b, &p)) > 0)
			(void)snprintf(out->not_after, sizeof out->not_after,
			    "%.*s", (int)len, p);
		BIO_free(b);
	}
	if (tls_peer_digest(ssl, md) == 0)
		tls_format_fp(md, out->fingerprint, sizeof out->fingerprint);
	ERR_clear_error();
	return 0;
}

int
tls_peer_fingerprint(const struct conn *c, char *out, size_t n)
{
	unsigned char md[TLS_SHA256_LEN];

	if (n > 0)
		out[0] = '\0';
	if (c->tls == NULL || tls_peer_digest(c->tls, md) < 0)
		return -1;
	tls_format_fp(md, out, n);
	return 0;
}

int
tls_unwrap(struct conn *c, char *err, size_t errlen)
{
	SSL *ssl = c->tls;
	long long deadline = 0, left;
	char why[256];
	int r, e, saved, wait, sent;

	if (ssl == NULL) {
		tls_seterr(err, errlen, "TLS: not active");
		return -1;
	}
	if (c->timeout_ms >= 0)
		deadline = sys_now_ms() + c->timeout_ms;
	/* First call sends our close_notify (returns 0), later calls wait
	 * for the peer's (1).  Control connections read record by record,
	 * so no plaintext after it is swallowed. */
	for (sent = 0;;) {
		ERR_clear_error();
		errno = 0;
		r = SSL_shutdown(ssl);
		saved = errno;
		if (r == 1)
			break;
		if (r == 0 && sent++ == 0)
			continue;
		e = SSL_get_error(ssl, r);
		if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
			tls_describe(ssl, r, saved, why, sizeof why);
			tls_seterr(err, errlen, "TLS shutdown failed: %s", why);
			return -1;
		}
		wait = -1;
		if (c->timeout_ms >= 0) {
			left = deadline - sys_now_ms();
			wait = left <= 0 ? 0 : left > 1 << 30 ? 1 << 30 : (int)left;
		}
		r = e == SSL_ERROR_WANT_READ ? sys_poll_one(c->fd, POLLIN, wait) :
		    sys_poll_one(c->wfd, POLLOUT, wait);
		if (r <= 0) {
			tls_seterr(err, errlen, "TLS shutdown %s",
			    r == 0 ? "timed out" : "failed");
			return -1;
		}
	}
	c->tls = NULL;
	SSL_free(ssl);
	ERR_clear_error();
	return 0;
}
