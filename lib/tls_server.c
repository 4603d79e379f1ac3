/* tls_server.c: the server side of FTPS: the context built once from
 * tls_cert/tls_key (reloaded for new sessions when the files change),
 * the control handshake that gives each FTP session its own session-id
 * context, and the data handshake that must resume that session. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "tls.h"
#include "tls_p.h"

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
