/* tls.c: FTPS over OpenSSL.  Owns the server and client SSL_CTX, the BIO
 * that moves TLS records over a conn's descriptors, the handshakes that
 * set conn->tls, the rule that a data connection resumes its control
 * connection's session, and certificate fingerprints.  conn.c does the
 * reads and writes once the handshake is done; tls_known.c owns the
 * known-hosts file. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "sys.h"
#include "tls.h"

/* Sessions must outlive long FTP sessions: every data connection resumes
 * the control connection's session.  RFC 8446 caps tickets at 7 days. */
#define TLS_SESSION_TIMEOUT (24L * 60 * 60)
/* With read-ahead, one recv() can bring in several 16 KiB records. */
#define TLS_DATA_READBUF (64 * 1024)
#define TLS_SHA256_LEN 32
/* Records gathered per send() while conn_write_full runs. */
#define TLS_WBUF (64 * 1024)

static const unsigned char tls_alpn_ftp[] = { 3, 'f', 't', 'p' };

#if OPENSSL_VERSION_NUMBER < 0x30000000L
/* 1.1.1: the SSL keeps its own reference, so a borrowed pointer is safe. */
static X509 *
SSL_get0_peer_certificate(const SSL *ssl)
{
	X509 *x = SSL_get_peer_certificate(ssl);

	X509_free(x);
	return x;
}
#endif

/* ------------------------------------------------------------ helpers */

static void tls_seterr(char *err, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
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
	int coalesce;		/* gather records until a flush */
	size_t woff, wlen;	/* unsent bytes are wbuf[woff..wlen) */
	char wbuf[TLS_WBUF];
};

static BIO_METHOD *tls_bio_method;
static int tls_link_idx = -1;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;

/* One non-blocking send of p; -1 with errno (EAGAIN: try later). */
static ssize_t
tls_fd_send(struct tls_fds *f, const char *p, size_t n)
{
	ssize_t r = -1;

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
			errno = EAGAIN;
			return -1;
		}
		r = sys_write(f->wfd, p, n);
	}
	return r;
}

/* Sends what is gathered.  1 all sent, 0 not yet (retry), -1 error. */
static int
tls_bio_drain(BIO *b, struct tls_fds *f)
{
	ssize_t r;

	while (f->woff < f->wlen) {
		r = tls_fd_send(f, f->wbuf + f->woff, f->wlen - f->woff);
		if (r < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				BIO_set_retry_write(b);
				return 0;
			}
			return -1;
		}
		f->woff += (size_t)r;
	}
	f->woff = 0;
	f->wlen = 0;
	return 1;
}

static int
tls_bio_write(BIO *b, const char *p, size_t n, size_t *done)
{
	struct tls_fds *f = BIO_get_data(b);
	ssize_t r;

	BIO_clear_retry_flags(b);
	if (f->coalesce || f->wlen > 0) {
		if (f->coalesce && f->wlen + n <= sizeof f->wbuf) {
			memcpy(f->wbuf + f->wlen, p, n);
			f->wlen += n;
			*done = n;
			return 1;
		}
		if (tls_bio_drain(b, f) <= 0)
			return 0;
		if (f->coalesce && n <= sizeof f->wbuf) {
			memcpy(f->wbuf, p, n);
			f->wlen = n;
			*done = n;
			return 1;
		}
	}
	r = tls_fd_send(f, p, n);
	if (r < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			BIO_set_retry_write(b);
		return 0;
	}
	*done = (size_t)r;
	return 1;
}

static int
tls_bio_write_old(BIO *b, const char *p, size_t n, size_t *done)
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

	(void)ptr;
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		BIO_clear_retry_flags(b);
		return f == NULL ? 1 : tls_bio_drain(b, f);
	case BIO_CTRL_WPENDING:
		return f == NULL ? 0 : (long)(f->wlen - f->woff);
	case BIO_CTRL_EOF:
		return f != NULL && f->eof;
	case TLS_BIO_CTRL_COALESCE:
		if (f != NULL)
			f->coalesce = num != 0;
		return 1;
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

/* Per-SSL state we need beyond OpenSSL's (freed with the SSL). */
struct tls_link {
	int is_ctrl;
	unsigned char sid_ctx[SSL_MAX_SID_CTX_LENGTH];	/* server */
	SSL_SESSION *sess;	/* client: newest resumable session */
	char *host;		/* client: the name checked */
	unsigned char fp[TLS_SHA256_LEN];	/* client: control peer */
	int have_fp;
};

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

static int
tls_init(char *err, size_t errlen)
{
	if (pthread_once(&tls_once, tls_init_once) != 0 ||
	    tls_bio_method == NULL || tls_link_idx < 0) {
		tls_seterr(err, errlen, "TLS: cannot initialise OpenSSL");
		return -1;
	}
	return 0;
}

static struct tls_link *
tls_link_get(const SSL *ssl)
{
	if (ssl == NULL || tls_link_idx < 0)
		return NULL;
	return SSL_get_ex_data(ssl, tls_link_idx);
}

/* Frees an SSL that never made it into a conn.  Marking close_notify as
 * sent keeps OpenSSL from dropping a resumed session from the server
 * cache, which later data connections still need. */
static void
tls_ssl_discard(SSL *ssl)
{
	if (ssl == NULL)
		return;
	SSL_set_shutdown(ssl, SSL_get_shutdown(ssl) | SSL_SENT_SHUTDOWN);
	SSL_free(ssl);
	ERR_clear_error();
}

/* A new SSL bound to c's descriptors, with a tls_link attached. */
static SSL *
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
	f = malloc(sizeof *f);
	b = BIO_new(tls_bio_method);
	if (ssl == NULL || l == NULL || f == NULL || b == NULL) {
		free(l);
		free(f);
		BIO_free(b);
		SSL_free(ssl);
		tls_seterr(err, errlen, "TLS: out of memory");
		return NULL;
	}
	memset(f, 0, offsetof(struct tls_fds, wbuf));
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

/* Drives the handshake to its end within c->timeout_ms in total. */
static int
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

static int
tls_set_versions(SSL_CTX *ctx, int max_version)
{
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1)
		return -1;
	if (max_version == 12 &&
	    SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION) != 1)
		return -1;
	return 0;
}

/* SHA-256 of the peer's certificate.  0 or -1 (no certificate). */
static int
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

/* ------------------------------------------------------------ server */

struct tls_file_id {
	int missing;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
};

struct tls_server {
	SSL_CTX *ctx;		/* for sessions accepted from now on */
	char *cert, *key, *ciphers;
	int max_version;
	struct tls_file_id cert_id, key_id;	/* what ctx was built from */
	int have_bad;
	struct tls_file_id bad_cert, bad_key;	/* last broken version */
};

static void
tls_file_id_get(const char *path, struct tls_file_id *id)
{
	struct stat st;

	memset(id, 0, sizeof *id);
	if (stat(path, &st) < 0) {
		id->missing = 1;
		return;
	}
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	id->size = st.st_size;
	id->mtime = st.st_mtim;
}

static int
tls_file_id_same(const struct tls_file_id *a, const struct tls_file_id *b)
{
	if (a->missing || b->missing)
		return a->missing == b->missing;
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	    a->mtime.tv_sec == b->mtime.tv_sec &&
	    a->mtime.tv_nsec == b->mtime.tv_nsec;
}

/* Never prompt on the terminal for a key passphrase. */
static int
tls_no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return 0;
}

/* SECURITY: a client that offers ALPN must offer "ftp"; one that offers
 * only, say, http/1.1 is talking to the wrong service (ALPACA). */
static int
tls_alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
		const unsigned char *in, unsigned int inlen, void *arg)
{
	unsigned int i = 0;

	(void)ssl;
	(void)arg;
	while (i < inlen) {
		unsigned int len = in[i];

		if (len == 0 || i + 1 + len > inlen)
			break;
		if (len == tls_alpn_ftp[0] &&
		    memcmp(in + i + 1, tls_alpn_ftp + 1, len) == 0) {
			*out = in + i + 1;
			*outlen = (unsigned char)len;
			return SSL_TLSEXT_ERR_OK;
		}
		i += 1 + len;
	}
	return SSL_TLSEXT_ERR_ALERT_FATAL;
}

/* Splits "a:TLS_x:b" into the TLS 1.2 list "a:b" and TLS 1.3 "TLS_x". */
static int
tls_set_ciphers(SSL_CTX *ctx, const char *list, char *err, size_t errlen)
{
	char *copy, *tok, *save = NULL, *l12, *l13, why[256];
	size_t n, u12 = 0, u13 = 0;
	int rc = 0;

	if (list == NULL || list[0] == '\0')
		return 0;
	n = strlen(list) + 1;
	copy = strdup(list);
	l12 = calloc(1, n);
	l13 = calloc(1, n);
	if (copy == NULL || l12 == NULL || l13 == NULL) {
		tls_seterr(err, errlen, "TLS: out of memory");
		rc = -1;
		goto out;
	}
	/* Each output is at most strlen(list)+1 bytes: tokens and their
	 * separators come from list. */
	for (tok = strtok_r(copy, ":, ", &save); tok != NULL;
	     tok = strtok_r(NULL, ":, ", &save)) {
		int v13 = strncmp(tok, "TLS_", 4) == 0;
		char *dst = v13 ? l13 : l12;
		size_t *used = v13 ? &u13 : &u12, tl = strlen(tok);

		if (*used > 0)
			dst[(*used)++] = ':';
		memcpy(dst + *used, tok, tl + 1);
		*used += tl;
	}
	ERR_clear_error();
	if (l12[0] != '\0' && SSL_CTX_set_cipher_list(ctx, l12) != 1) {
		tls_seterr(err, errlen, "tls_ciphers \"%s\": %s", l12,
		    tls_error_text(why, sizeof why));
		rc = -1;
	} else if (l13[0] != '\0' && SSL_CTX_set_ciphersuites(ctx, l13) != 1) {
		tls_seterr(err, errlen, "tls_ciphers \"%s\": %s", l13,
		    tls_error_text(why, sizeof why));
		rc = -1;
	}
out:
	free(copy);
	free(l12);
	free(l13);
	return rc;
}

static SSL_CTX *
tls_server_ctx(const struct tls_server *s, char *err, size_t errlen)
{
	SSL_CTX *ctx;
	char why[256];

	ERR_clear_error();
	ctx = SSL_CTX_new(TLS_server_method());
	if (ctx == NULL || tls_set_versions(ctx, s->max_version) < 0) {
		tls_seterr(err, errlen, "TLS: cannot create context: %s",
		    tls_error_text(why, sizeof why));
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION);
	SSL_CTX_set_default_passwd_cb(ctx, tls_no_passphrase);
	SSL_CTX_set_alpn_select_cb(ctx, tls_alpn_select, NULL);
	(void)SSL_CTX_set_timeout(ctx, TLS_SESSION_TIMEOUT);
	(void)SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
	if (tls_set_ciphers(ctx, s->ciphers, err, errlen) < 0)
		goto fail;
	if (SSL_CTX_use_certificate_chain_file(ctx, s->cert) != 1) {
		tls_seterr(err, errlen, "certificate %s: %s", s->cert,
		    tls_error_text(why, sizeof why));
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, s->key, SSL_FILETYPE_PEM) != 1) {
		unsigned long e = ERR_peek_error();

		if (ERR_GET_LIB(e) == ERR_LIB_X509 &&
		    ERR_GET_REASON(e) == X509_R_KEY_VALUES_MISMATCH)
			goto mismatch;
		tls_seterr(err, errlen, "key %s: %s", s->key,
		    tls_error_text(why, sizeof why));
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
mismatch:
		ERR_clear_error();
		tls_seterr(err, errlen, "key %s does not match certificate %s",
		    s->key, s->cert);
		goto fail;
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	ERR_clear_error();
	return NULL;
}

struct tls_server *
tls_server_new(const struct tls_server_opts *o, char *err, size_t errlen)
{
	struct tls_server *s;

	if (tls_init(err, errlen) < 0)
		return NULL;
	if (o->cert == NULL || o->cert[0] == '\0') {
		tls_seterr(err, errlen, "TLS: no certificate file given");
		return NULL;
	}
	s = calloc(1, sizeof *s);
	if (s == NULL) {
		tls_seterr(err, errlen, "TLS: out of memory");
		return NULL;
	}
	s->cert = strdup(o->cert);
	s->key = strdup(o->key != NULL && o->key[0] != '\0' ? o->key : o->cert);
	s->ciphers = o->ciphers != NULL ? strdup(o->ciphers) : NULL;
	s->max_version = o->max_version;
	if (s->cert == NULL || s->key == NULL ||
	    (o->ciphers != NULL && s->ciphers == NULL)) {
		tls_seterr(err, errlen, "TLS: out of memory");
		tls_server_free(s);
		return NULL;
	}
	/* Stat before reading: a change during the load is seen next time. */
	tls_file_id_get(s->cert, &s->cert_id);
	tls_file_id_get(s->key, &s->key_id);
	s->ctx = tls_server_ctx(s, err, errlen);
	if (s->ctx == NULL) {
		tls_server_free(s);
		return NULL;
	}
	return s;
}

int
tls_server_reload(struct tls_server *s, char *err, size_t errlen)
{
	struct tls_file_id c, k;
	SSL_CTX *ctx;

	tls_file_id_get(s->cert, &c);
	tls_file_id_get(s->key, &k);
	if (tls_file_id_same(&c, &s->cert_id) && tls_file_id_same(&k, &s->key_id))
		return 0;
	if (s->have_bad && tls_file_id_same(&c, &s->bad_cert) &&
	    tls_file_id_same(&k, &s->bad_key))
		return 0;	/* reported already */
	ctx = tls_server_ctx(s, err, errlen);
	if (ctx == NULL) {
		s->have_bad = 1;
		s->bad_cert = c;
		s->bad_key = k;
		return -1;
	}
	/* Sessions already running hold their own reference. */
	SSL_CTX_free(s->ctx);
	s->ctx = ctx;
	s->cert_id = c;
	s->key_id = k;
	s->have_bad = 0;
	return 1;
}

void
tls_server_free(struct tls_server *s)
{
	if (s == NULL)
		return;
	SSL_CTX_free(s->ctx);
	free(s->cert);
	free(s->key);
	free(s->ciphers);
	free(s);
}

int
tls_accept(struct tls_server *s, struct conn *c, char *err, size_t errlen)
{
	struct tls_link *l;
	SSL *ssl;

	ssl = tls_ssl_new(s->ctx, c, 1, err, errlen);
	if (ssl == NULL)
		return -1;
	l = tls_link_get(ssl);
	/* SECURITY: a context of its own per FTP session, so sessions and
	 * tickets of other FTP sessions (same context and ticket keys,
	 * inherited across fork) cannot be resumed on our data channel. */
	if (RAND_bytes(l->sid_ctx, sizeof l->sid_ctx) != 1 ||
	    SSL_set_session_id_context(ssl, l->sid_ctx, sizeof l->sid_ctx) != 1) {
		tls_seterr(err, errlen, "TLS: cannot set session id context");
		tls_ssl_discard(ssl);
		return -1;
	}
	/* OpenSSL sends TLS 1.3 tickets right after the handshake (before
	 * SSL_do_handshake returns), so the client has one in hand by the
	 * time it reads our next reply. */
	SSL_set_accept_state(ssl);
	if (tls_handshake(ssl, c, "TLS handshake", err, errlen) < 0) {
		tls_ssl_discard(ssl);
		return -1;
	}
	c->tls = ssl;
	return 0;
}

int
tls_accept_data(const struct conn *ctrl, struct conn *data,
		int require_reuse, char *err, size_t errlen)
{
	const struct tls_link *cl = tls_link_get(ctrl->tls);
	SSL *ssl;

	if (cl == NULL || !cl->is_ctrl || SSL_is_server(ctrl->tls) != 1) {
		tls_seterr(err, errlen, "TLS: control connection is not TLS");
		return -1;
	}
	/* The control connection's context: its ticket keys and session
	 * cache, even if the parent reloaded the certificate since. */
	ssl = tls_ssl_new(SSL_get_SSL_CTX(ctrl->tls), data, 0, err, errlen);
	if (ssl == NULL)
		return -1;
	if (SSL_set_session_id_context(ssl, cl->sid_ctx, sizeof cl->sid_ctx) != 1 ||
	    SSL_set_num_tickets(ssl, 0) != 1) {
		tls_seterr(err, errlen, "TLS: cannot set up data connection");
		tls_ssl_discard(ssl);
		return -1;
	}
	SSL_set_read_ahead(ssl, 1);
	SSL_set_default_read_buffer_len(ssl, TLS_DATA_READBUF);
	SSL_set_accept_state(ssl);
	if (tls_handshake(ssl, data, "data connection TLS handshake", err,
	    errlen) < 0) {
		tls_ssl_discard(ssl);
		return -1;
	}
	/* SECURITY: only the client that holds the control connection's
	 * session can resume it (vsftpd's require_ssl_reuse). */
	if (require_reuse && SSL_session_reused(ssl) != 1) {
		tls_seterr(err, errlen, "data connection did not resume the "
		    "control connection's TLS session (session reuse required)");
		tls_ssl_discard(ssl);
		return -1;
	}
	data->tls = ssl;
	return 0;
}

/* ------------------------------------------------------------ client */

struct tls_client {
	SSL_CTX *ctx;
	int insecure;
};

/* Keeps the newest resumable session of a control connection; with TLS
 * 1.3 it arrives in a ticket after the handshake, while reading. */
static int
tls_new_session(SSL *ssl, SSL_SESSION *sess)
{
	struct tls_link *l = tls_link_get(ssl);

	if (l == NULL || !l->is_ctrl || SSL_SESSION_is_resumable(sess) != 1)
		return 0;	/* OpenSSL frees it */
	SSL_SESSION_free(l->sess);
	l->sess = sess;
	return 1;		/* we keep the reference */
}

struct tls_client *
tls_client_new(const struct tls_client_opts *o, char *err, size_t errlen)
{
	struct tls_client *cl;
	char why[256];

	if (tls_init(err, errlen) < 0)
		return NULL;
	cl = calloc(1, sizeof *cl);
	if (cl == NULL) {
		tls_seterr(err, errlen, "TLS: out of memory");
		return NULL;
	}
	cl->insecure = o->insecure;
	ERR_clear_error();
	cl->ctx = SSL_CTX_new(TLS_client_method());
	if (cl->ctx == NULL || tls_set_versions(cl->ctx, o->max_version) < 0) {
		tls_seterr(err, errlen, "TLS: cannot create context: %s",
		    tls_error_text(why, sizeof why));
		tls_client_free(cl);
		return NULL;
	}
	if (SSL_CTX_set_default_verify_paths(cl->ctx) != 1) {
		tls_seterr(err, errlen, "TLS: cannot use the system CA store: %s",
		    tls_error_text(why, sizeof why));
		tls_client_free(cl);
		return NULL;
	}
	if (o->cafile != NULL && o->cafile[0] != '\0' &&
	    SSL_CTX_load_verify_locations(cl->ctx, o->cafile, NULL) != 1) {
		tls_seterr(err, errlen, "CA file %s: %s", o->cafile,
		    tls_error_text(why, sizeof why));
		tls_client_free(cl);
		return NULL;
	}
	/* The chain and host name are still checked during the handshake;
	 * tls_connect looks at the result and lets the caller weigh a
	 * failure against a trusted fingerprint. */
	SSL_CTX_set_verify(cl->ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_options(cl->ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_NO_COMPRESSION);
	(void)SSL_CTX_set_timeout(cl->ctx, TLS_SESSION_TIMEOUT);
	(void)SSL_CTX_set_session_cache_mode(cl->ctx, SSL_SESS_CACHE_CLIENT |
	    SSL_SESS_CACHE_NO_INTERNAL_STORE);
	SSL_CTX_sess_set_new_cb(cl->ctx, tls_new_session);
	if (SSL_CTX_set_alpn_protos(cl->ctx, tls_alpn_ftp,
	    sizeof tls_alpn_ftp) != 0) {
		tls_seterr(err, errlen, "TLS: cannot set ALPN");
		tls_client_free(cl);
		return NULL;
	}
	return cl;
}

void
tls_client_free(struct tls_client *cl)
{
	if (cl == NULL)
		return;
	SSL_CTX_free(cl->ctx);
	free(cl);
	ERR_clear_error();
}

static int
tls_is_ip(const char *host)
{
	unsigned char a[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, a) == 1 ||
	    inet_pton(AF_INET6, host, a) == 1;
}

/* SNI and the name to check.  IP literals get no SNI (RFC 6066 3). */
static int
tls_set_host(SSL *ssl, const char *host)
{
	if (tls_is_ip(host))
		return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host)
		    == 1 ? 0 : -1;
	if (SSL_set_tlsext_host_name(ssl, host) != 1 ||
	    SSL_set1_host(ssl, host) != 1)
		return -1;
	SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	return 0;
}

/* Up to a few DNS names of the certificate, for the mismatch message. */
static void
tls_cert_names(X509 *x, char *out, size_t n)
{
	GENERAL_NAMES *gens;
	size_t used = 0;
	int i, cnt;

	out[0] = '\0';
	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	if (gens == NULL)
		return;
	cnt = sk_GENERAL_NAME_num(gens);
	for (i = 0; i < cnt && i < 4; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		const unsigned char *p;
		int len, w;

		if (g->type == GEN_DNS) {
			p = ASN1_STRING_get0_data(g->d.dNSName);
			len = ASN1_STRING_length(g->d.dNSName);
		} else if (g->type == GEN_IPADD) {
			char ip[INET6_ADDRSTRLEN];
			int af = g->d.iPAddress->length == 4 ? AF_INET : AF_INET6;

			if (inet_ntop(af, ASN1_STRING_get0_data(g->d.iPAddress),
			    ip, sizeof ip) == NULL)
				continue;
			w = snprintf(out + used, n - used, "%s%s",
			    used ? ", " : "", ip);
			if (w < 0 || (size_t)w >= n - used)
				break;
			used += (size_t)w;
			continue;
		} else {
			continue;
		}
		/* Printable ASCII only: it is the server's text. */
		for (int k = 0; k < len; k++)
			if (p[k] < 0x21 || p[k] > 0x7e)
				len = 0;
		w = snprintf(out + used, n - used, "%s%.*s", used ? ", " : "",
		    len, (const char *)p);
		if (w < 0 || (size_t)w >= n - used)
			break;
		used += (size_t)w;
	}
	GENERAL_NAMES_free(gens);
}

/* The verification failure as text, plus what the user can do. */
static void
tls_verify_text(SSL *ssl, long vr, const char *host, char *err,
		size_t errlen)
{
	char names[192];
	const char *what = X509_verify_cert_error_string(vr);

	switch (vr) {
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		tls_cert_names(SSL_get0_peer_certificate(ssl), names,
		    sizeof names);
		tls_seterr(err, errlen, "certificate verify failed: %s: the "
		    "certificate is for %s, not %s; connect with a name it "
		    "lists, or trust it by fingerprint (--fingerprint) or "
		    "--insecure", what, names[0] ? names : "other names", host);
		break;
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		tls_seterr(err, errlen, "certificate verify failed: %s: the "
		    "issuer is not a trusted CA; add its CA with --cacert FILE, "
		    "or check the fingerprint and trust it (--fingerprint), or "
		    "use --insecure", what);
		break;
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		tls_seterr(err, errlen, "certificate verify failed: %s: check "
		    "this computer's clock, or ask the server's admin to renew "
		    "it", what);
		break;
	default:
		tls_seterr(err, errlen, "certificate verify failed: %s; trust it "
		    "by fingerprint (--fingerprint) or use --insecure", what);
		break;
	}
}

int
tls_connect(struct tls_client *cl, struct conn *c, const char *host,
	    char *err, size_t errlen)
{
	struct tls_link *l;
	char name[256];
	size_t hl = strlen(host);
	SSL *ssl;
	long vr;

	/* "[::1]" as typed in a URL is the address ::1. */
	if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']' &&
	    hl - 2 < sizeof name) {
		memcpy(name, host + 1, hl - 2);
		name[hl - 2] = '\0';
	} else if (hl < sizeof name) {
		memcpy(name, host, hl + 1);
	} else {
		tls_seterr(err, errlen, "TLS: host name too long");
		return TLS_CONNECT_FAILED;
	}
	ssl = tls_ssl_new(cl->ctx, c, 1, err, errlen);
	if (ssl == NULL)
		return TLS_CONNECT_FAILED;
	l = tls_link_get(ssl);
	l->host = strdup(name);
	if (l->host == NULL || tls_set_host(ssl, name) < 0) {
		tls_seterr(err, errlen, "TLS: cannot set host name \"%s\"", name);
		tls_ssl_discard(ssl);
		return TLS_CONNECT_FAILED;
	}
	SSL_set_connect_state(ssl);
	if (tls_handshake(ssl, c, "TLS handshake", err, errlen) < 0) {
		tls_ssl_discard(ssl);
		return TLS_CONNECT_FAILED;
	}
	if (tls_peer_digest(ssl, l->fp) < 0) {
		tls_seterr(err, errlen, "TLS: the server sent no certificate");
		tls_ssl_discard(ssl);
		return TLS_CONNECT_FAILED;
	}
	l->have_fp = 1;
	c->tls = ssl;
	vr = SSL_get_verify_result(ssl);
	if (vr == X509_V_OK || cl->insecure)
		return TLS_CONNECT_OK;
	tls_verify_text(ssl, vr, name, err, errlen);
	return TLS_CONNECT_UNTRUSTED;
}

int
tls_connect_data(const struct conn *ctrl, struct conn *data, char *err,
		 size_t errlen)
{
	const struct tls_link *cl = tls_link_get(ctrl->tls);
	unsigned char md[TLS_SHA256_LEN];
	SSL *ssl;

	if (cl == NULL || !cl->is_ctrl || !cl->have_fp ||
	    SSL_is_server(ctrl->tls) != 0) {
		tls_seterr(err, errlen, "TLS: control connection is not TLS");
		return -1;
	}
	ssl = tls_ssl_new(SSL_get_SSL_CTX(ctrl->tls), data, 0, err, errlen);
	if (ssl == NULL)
		return -1;
	/* Same SNI as the control connection, or servers will not resume.
	 * A copy of the session: after a TLS 1.3 resumption OpenSSL marks
	 * the offered session as used up (tickets are meant for one use),
	 * but every data connection of the FTP session needs to offer it. */
	if (tls_set_host(ssl, cl->host) < 0) {
		tls_seterr(err, errlen, "TLS: cannot set up data connection");
		tls_ssl_discard(ssl);
		return -1;
	}
	if (cl->sess != NULL) {
		SSL_SESSION *copy = SSL_SESSION_dup(cl->sess);
		int ok = copy != NULL && SSL_set_session(ssl, copy) == 1;

		SSL_SESSION_free(copy);	/* the SSL holds its own reference */
		if (!ok) {
			tls_seterr(err, errlen, "TLS: cannot set up data "
			    "connection");
			tls_ssl_discard(ssl);
			return -1;
		}
	}
	SSL_set_read_ahead(ssl, 1);
	SSL_set_default_read_buffer_len(ssl, TLS_DATA_READBUF);
	SSL_set_connect_state(ssl);
	if (tls_handshake(ssl, data, "data connection TLS handshake", err,
	    errlen) < 0) {
		tls_ssl_discard(ssl);
		return -1;
	}
	/* SECURITY: the data peer must be the control peer. */
	if (tls_peer_digest(ssl, md) < 0 ||
	    CRYPTO_memcmp(md, cl->fp, sizeof md) != 0) {
		tls_seterr(err, errlen, "data connection presented a different "
		    "certificate than the control connection");
		tls_ssl_discard(ssl);
		return -1;
	}
	data->tls = ssl;
	return 0;
}

int
tls_has_session(const struct conn *ctrl)
{
	const struct tls_link *l = tls_link_get(ctrl->tls);

	return l != NULL && l->sess != NULL;
}

/* -------------------------------------------------------------- both */

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
