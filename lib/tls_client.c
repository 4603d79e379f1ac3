/* tls_client.c: the client side of FTPS: the context (system CA store
 * plus --cacert), the control handshake with host name checks and
 * readable verification errors, the capture of the session (a TLS 1.3
 * ticket arrives after the handshake) and its reuse on data
 * connections, which must show the control connection's certificate. */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "tls.h"
#include "tls_p.h"

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
