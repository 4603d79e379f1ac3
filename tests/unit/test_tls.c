/* test_tls.c: lib/tls over socketpairs with certificates made here at
 * test time (a root CA, an intermediate, two server leaves): handshakes
 * and data both ways (also through xfer), host name and CA checks,
 * fingerprints and the known-hosts file, data-connection resumption (and
 * its refusal), certificate reload, TLS 1.1 and foreign ALPN refused,
 * timeouts, truncation, CCC, inetd-style pipes. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "unit.h"
#include "conn.h"
#include "sys.h"
#include "tls.h"
#include "xfer.h"

#define T_TIMEOUT 10000		/* ms; generous for slow machines */

/* ------------------------------------------------------- certificates */

static struct {
	int ready;
	char dir[64];
	char root[128];		/* root CA certificate */
	char cert1[128], key1[128];	/* leaf 1 + intermediate (chain) */
	char cert2[128], key2[128];	/* leaf 2, other key */
	char fp1[TLS_FP_STRLEN], fp2[TLS_FP_STRLEN];
	char hex1[128];		/* fp1 as AB:CD:.. hex */
} fx;

static EVP_PKEY *
gen_key(void)
{
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, NULL);
	EVP_PKEY *k = NULL;

	if (pc == NULL || EVP_PKEY_keygen_init(pc) != 1 ||
	    EVP_PKEY_CTX_set_ec_paramgen_curve_nid(pc,
	    NID_X9_62_prime256v1) != 1 || EVP_PKEY_keygen(pc, &k) != 1)
		k = NULL;
	EVP_PKEY_CTX_free(pc);
	return k;
}

static int
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v;
	X509_EXTENSION *e;
	int ok;

	X509V3_set_ctx_nodb(&v);
	X509V3_set_ctx(&v, issuer, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &v, nid, value);
	if (e == NULL)
		return -1;
	ok = X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	return ok == 1 ? 0 : -1;
}

/* A certificate for key, signed by ikey (self-signed when issuer is
 * NULL).  san == NULL makes a CA. */
static X509 *
make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *ikey,
	  const char *san, long serial)
{
	X509 *x = X509_new();
	X509_NAME *n;

	if (x == NULL)
		return NULL;
	n = X509_get_subject_name(x);
	if (X509_set_version(x, 2) != 1 ||
	    ASN1_INTEGER_set(X509_get_serialNumber(x), serial) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -3600) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), 30L * 86400) == NULL ||
	    X509_set_pubkey(x, key) != 1 ||
	    X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC,
	    (const unsigned char *)"ftpkit test", -1, -1, 0) != 1 ||
	    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0) != 1 ||
	    X509_set_issuer_name(x, issuer != NULL ?
	    X509_get_subject_name(issuer) : n) != 1)
		goto fail;
	if (san == NULL) {
		if (add_ext(x, issuer ? issuer : x, NID_basic_constraints,
		    "critical,CA:TRUE") < 0 ||
		    add_ext(x, issuer ? issuer : x, NID_key_usage,
		    "critical,keyCertSign,cRLSign") < 0 ||
		    add_ext(x, issuer ? issuer : x, NID_subject_key_identifier,
		    "hash") < 0)
			goto fail;
	} else {
		if (add_ext(x, issuer, NID_basic_constraints, "CA:FALSE") < 0 ||
		    add_ext(x, issuer, NID_ext_key_usage, "serverAuth") < 0 ||
		    add_ext(x, issuer, NID_subject_alt_name, san) < 0)
			goto fail;
	}
	if (X509_sign(x, ikey, EVP_sha256()) <= 0)
		goto fail;
	return x;
fail:
	X509_free(x);
	return NULL;
}

static int
write_pem(const char *path, X509 *a, X509 *b, EVP_PKEY *k)
{
	FILE *f = fopen(path, "w");
	int ok = f != NULL;

	if (!ok)
		return -1;
	if (a != NULL && PEM_write_X509(f, a) != 1)
		ok = 0;
	if (b != NULL && PEM_write_X509(f, b) != 1)
		ok = 0;
	if (k != NULL && PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL,
	    NULL) != 1)
		ok = 0;
	if (fclose(f) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

/* Independent of tls.c: SHA-256 over i2d's DER, then base64. */
static void
expected_fp(X509 *x, char *out, size_t n, char *hex, size_t hn)
{
	unsigned char *der = NULL, md[32], b64[64];
	unsigned int mdlen = 0;
	int len = i2d_X509(x, &der), bl;
	size_t used = 0;

	out[0] = '\0';
	if (len <= 0 || EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(),
	    NULL) != 1 || mdlen != 32) {
		OPENSSL_free(der);
		return;
	}
	OPENSSL_free(der);
	bl = EVP_EncodeBlock(b64, md, 32);
	while (bl > 0 && b64[bl - 1] == '=')
		bl--;
	(void)snprintf(out, n, "SHA256:%.*s", bl, (const char *)b64);
	if (hex != NULL)
		for (unsigned i = 0; i < 32 && used + 4 < hn; i++)
			used += (size_t)snprintf(hex + used, hn - used, "%s%02X",
			    i ? ":" : "", md[i]);
}

static int
rm_entry(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

static void
fixture_cleanup(void)
{
	if (fx.ready)
		(void)nftw(fx.dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* Makes the CA, intermediate and two leaves once per run. */
static int
fixture(void)
{
	EVP_PKEY *rk = NULL, *ik = NULL, *k1 = NULL, *k2 = NULL;
	X509 *root = NULL, *inter = NULL, *l1 = NULL, *l2 = NULL;
	int rc = -1;

	if (fx.ready)
		return 0;
	(void)snprintf(fx.dir, sizeof fx.dir, "/tmp/ftpkit-tls-XXXXXX");
	if (mkdtemp(fx.dir) == NULL)
		return -1;
	(void)snprintf(fx.root, sizeof fx.root, "%s/root.pem", fx.dir);
	(void)snprintf(fx.cert1, sizeof fx.cert1, "%s/cert1.pem", fx.dir);
	(void)snprintf(fx.key1, sizeof fx.key1, "%s/key1.pem", fx.dir);
	(void)snprintf(fx.cert2, sizeof fx.cert2, "%s/cert2.pem", fx.dir);
	(void)snprintf(fx.key2, sizeof fx.key2, "%s/key2.pem", fx.dir);
	rk = gen_key();
	ik = gen_key();
	k1 = gen_key();
	k2 = gen_key();
	if (rk == NULL || ik == NULL || k1 == NULL || k2 == NULL)
		goto out;
	root = make_cert(rk, "ftpkit test root", NULL, rk, NULL, 1);
	inter = make_cert(ik, "ftpkit test intermediate", root, rk, NULL, 2);
	l1 = make_cert(k1, "localhost", inter, ik,
	    "DNS:localhost,DNS:ftp.test,IP:127.0.0.1", 3);
	l2 = make_cert(k2, "localhost", inter, ik, "DNS:localhost,IP:127.0.0.1", 4);
	if (root == NULL || inter == NULL || l1 == NULL || l2 == NULL)
		goto out;
	if (write_pem(fx.root, root, NULL, NULL) < 0 ||
	    write_pem(fx.cert1, l1, inter, NULL) < 0 ||
	    write_pem(fx.key1, NULL, NULL, k1) < 0 ||
	    write_pem(fx.cert2, l2, inter, NULL) < 0 ||
	    write_pem(fx.key2, NULL, NULL, k2) < 0)
		goto out;
	expected_fp(l1, fx.fp1, sizeof fx.fp1, fx.hex1, sizeof fx.hex1);
	expected_fp(l2, fx.fp2, sizeof fx.fp2, NULL, 0);
	fx.ready = 1;
	(void)atexit(fixture_cleanup);
	rc = 0;
out:
	EVP_PKEY_free(rk);
	EVP_PKEY_free(ik);
	EVP_PKEY_free(k1);
	EVP_PKEY_free(k2);
	X509_free(root);
	X509_free(inter);
	X509_free(l1);
	X509_free(l2);
	return rc;
}

static struct tls_server *
server_new(const char *cert, const char *key, const char *ciphers)
{
	struct tls_server_opts o = { cert, key, ciphers, 0 };
	char err[256];
	struct tls_server *s = tls_server_new(&o, err, sizeof err);

	if (s == NULL)
		fprintf(stderr, "tls_server_new: %s\n", err);
	return s;
}

static struct tls_client *
client_new(const char *cafile, int insecure, int max_version)
{
	struct tls_client_opts o = { cafile, insecure, max_version };
	char err[256];
	struct tls_client *c = tls_client_new(&o, err, sizeof err);

	if (c == NULL)
		fprintf(stderr, "tls_client_new: %s\n", err);
	return c;
}

/* Reads exactly n bytes (bounded by the conn timeout). */
static int
read_exact(struct conn *c, char *p, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = conn_read(c, p + got, n - got);
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/* ------------------------------------------------- scripted server */

/* The server side runs in a thread and performs steps in order; the
 * test's main thread performs the matching client steps. */
enum { S_CTRL, S_DATA, S_ECHO };

struct step {
	int op;
	int fd;
	int ctrl;		/* S_DATA: index of the control connection */
	int require;		/* S_DATA: require reuse */
	int rc;
	int reused;
	int eof_rc;		/* S_ECHO: the final conn_read result */
	char err[256];
};

struct script {
	struct tls_server *srv;
	struct step st[8];
	int n;
	struct conn ctrl[2];
	int nctrl;
};

static void *
script_run(void *arg)
{
	struct script *s = arg;
	struct conn d;
	char buf[4096];
	ssize_t r;

	for (int i = 0; i < s->n; i++) {
		struct step *t = &s->st[i];

		switch (t->op) {
		case S_CTRL:
			conn_init(&s->ctrl[s->nctrl], t->fd, T_TIMEOUT);
			t->rc = tls_accept(s->srv, &s->ctrl[s->nctrl], t->err,
			    sizeof t->err);
			if (t->rc == 0)
				t->rc = conn_write_full(&s->ctrl[s->nctrl],
				    "220 ready\r\n", 11);
			s->nctrl++;
			break;
		case S_DATA:
			conn_init(&d, t->fd, T_TIMEOUT);
			t->rc = tls_accept_data(&s->ctrl[t->ctrl], &d, t->require,
			    t->err, sizeof t->err);
			if (t->rc == 0) {
				t->reused = tls_session_reused(&d);
				if (conn_write_full(&d, "DATA", 4) < 0)
					t->rc = -2;
				conn_shutdown(&d);
			}
			conn_close(&d);
			break;
		case S_ECHO:
			conn_init(&d, t->fd, T_TIMEOUT);
			t->rc = tls_accept(s->srv, &d, t->err, sizeof t->err);
			if (t->rc == 0) {
				while ((r = conn_read(&d, buf, sizeof buf)) > 0)
					if (conn_write_full(&d, buf, (size_t)r) < 0)
						break;
				t->eof_rc = (int)r;
			}
			conn_close(&d);
			break;
		}
	}
	for (int i = 0; i < s->nctrl; i++)
		conn_close(&s->ctrl[i]);
	return NULL;
}

/* Adds a step and returns the client's end of its socketpair. */
static int
script_add(struct script *s, int op, int ctrl, int require)
{
	int sv[2];
	struct step *t = &s->st[s->n];

	if (s->n >= 8 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
	    sv) < 0)
		return -1;
	memset(t, 0, sizeof *t);
	t->op = op;
	t->fd = sv[1];
	t->ctrl = ctrl;
	t->require = require;
	t->rc = 99;
	s->n++;
	return sv[0];
}

/* Client control connection: handshake, then read the greeting (with
 * TLS 1.3 that brings the ticket in). */
static int
client_ctrl(struct tls_client *cl, struct conn *c, int fd)
{
	char err[256], g[11];
	int r;

	conn_init(c, fd, T_TIMEOUT);
	r = tls_connect(cl, c, "localhost", err, sizeof err);
	if (r != TLS_CONNECT_OK) {
		fprintf(stderr, "tls_connect: %s\n", err);
		return -1;
	}
	if (read_exact(c, g, sizeof g) < 0 || memcmp(g, "220 ready\r\n", 11) != 0)
		return -1;
	return 0;
}

/* Client data connection: 0 when the handshake worked and "DATA" then a
 * clean EOF arrived; *reused tells whether the session was resumed. */
static int
client_data(const struct conn *ctrl, int fd, int *reused)
{
	struct conn d;
	char err[256], b[8];
	int rc = -1;

	conn_init(&d, fd, T_TIMEOUT);
	if (tls_connect_data(ctrl, &d, err, sizeof err) == 0) {
		*reused = tls_session_reused(&d);
		if (read_exact(&d, b, 4) == 0 && memcmp(b, "DATA", 4) == 0 &&
		    conn_read(&d, b, sizeof b) == 0)
			rc = 0;
	}
	conn_close(&d);
	return rc;
}

/* ------------------------------------------------------------- tests */

static void
test_tls_roundtrip(void)
{
	struct script s = { 0 };
	struct tls_client *cl;
	struct tls_info info;
	struct conn c;
	pthread_t th;
	char err[256], b[16];
	int fd;

	CU_ASSERT_FATAL(fixture() == 0);
	s.srv = server_new(fx.cert1, fx.key1, NULL);
	cl = client_new(fx.root, 0, 0);
	CU_ASSERT_FATAL(s.srv != NULL && cl != NULL);
	fd = script_add(&s, S_ECHO, 0, 0);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(pthread_create(&th, NULL, script_run, &s) == 0);

	conn_init(&c, fd, T_TIMEOUT);
	CU_ASSERT_EQUAL(tls_connect(cl, &c, "localhost", err, sizeof err),
	    TLS_CONNECT_OK);
	CU_ASSERT_PTR_NOT_NULL(c.tls);
	CU_ASSERT_EQUAL(conn_write_full(&c, "ping\r\n", 6), 0);
	CU_ASSERT_EQUAL(read_exact(&c, b, 6), 0);
	CU_ASSERT_EQUAL(memcmp(b, "ping\r\n", 6), 0);
	CU_ASSERT_EQUAL(conn_has_pending(&c), 0);

	CU_ASSERT_EQUAL(tls_get_info(&c, &info), 0);
	CU_ASSERT_STRING_EQUAL(info.version, "TLSv1.3");
	CU_ASSERT(info.cipher[0] != '\0');
	CU_ASSERT_PTR_NOT_NULL(strstr(info.subject, "CN=localhost"));
	CU_ASSERT_PTR_NOT_NULL(strstr(info.issuer, "intermediate"));
	CU_ASSERT(info.not_after[0] != '\0');
	CU_ASSERT_STRING_EQUAL(info.fingerprint, fx.fp1);
	CU_ASSERT_EQUAL(info.verified, 1);
	CU_ASSERT_EQUAL(info.resumed, 0);

	conn_shutdown(&c);		/* close_notify: the server sees 0 */
	CU_ASSERT_EQUAL(conn_read(&c, b, sizeof b), 0);	/* and answers */
	conn_close(&c);
	CU_ASSERT_EQUAL(c.fd, -1);
	CU_ASSERT_PTR_NULL(c.tls);
	CU_ASSERT_FATAL(pthread_join(th, NULL) == 0);
	CU_ASSERT_EQUAL(s.st[0].rc, 0);
	CU_ASSERT_EQUAL(s.st[0].eof_rc, 0);
	tls_client_free(cl);
	tls_server_free(s.srv);
}

static char *
pattern(size_t n)
{
	char *p = malloc(n);
	unsigned x = 777;

	for (size_t i = 0; p != NULL && i < n; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (char)(x >> 16);
	}
	return p;
}

static int
tmpfile_with(const char *data, size_t n)
{
	char path[sizeof fx.dir + 16];
	int fd;

	(void)snprintf(path, sizeof path, "%s/xfer-XXXXXX", fx.dir);
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	(void)unlink(path);
	if ((n > 0 && sys_write_full(fd, data, n) < 0) ||
	    lseek(fd, 0, SEEK_SET) < 0) {
		sys_close_failok(fd);
		return -1;
	}
	return fd;
}

struct xfer_side {
	struct tls_server *srv;
	int fd, file_fd, sending, rc, res;
	uint64_t bytes;
};

static void *
xfer_server(void *arg)
{
	struct xfer_side *x = arg;
	struct xfer_opts o;
	struct conn c;

	xfer_opts_init(&o);
	o.timeout_ms = T_TIMEOUT;
	conn_init(&c, x->fd, T_TIMEOUT);
	x->rc = tls_accept(x->srv, &c, NULL, 0);
	if (x->rc == 0) {
		if (x->sending) {
			x->res = xfer_send_file(x->file_fd, &c, &o, &x->bytes);
			conn_shutdown(&c);
		} else {
			x->res = xfer_recv_file(&c, x->file_fd, &o, &x->bytes);
		}
	}
	conn_close(&c);
	return NULL;
}

/* 3 MiB through xfer_send_file/xfer_recv_file over TLS, each way. */
static void
test_tls_xfer_both_ways(void)
{
	const size_t n = 3 * 1024 * 1024 + 12345;
	struct tls_client *cl;
	struct xfer_opts o;
	char *data = pattern(n), *back;
	int dir, sv[2];

	CU_ASSERT_FATAL(fixture() == 0 && data != NULL);
	back = malloc(n);
	CU_ASSERT_FATAL(back != NULL);
	cl = client_new(fx.root, 0, 0);
	CU_ASSERT_FATAL(cl != NULL);
	xfer_opts_init(&o);
	o.timeout_ms = T_TIMEOUT;
	for (dir = 0; dir < 2; dir++) {
		struct xfer_side x = { 0 };
		struct conn c;
		pthread_t th;
		uint64_t bytes = 0;
		int cfd, res;

		x.srv = server_new(fx.cert1, fx.key1, NULL);
		CU_ASSERT_FATAL(x.srv != NULL);
		CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
		x.fd = sv[1];
		x.sending = dir == 0;
		x.file_fd = tmpfile_with(x.sending ? data : NULL,
		    x.sending ? n : 0);
		cfd = tmpfile_with(x.sending ? NULL : data, x.sending ? 0 : n);
		CU_ASSERT_FATAL(x.file_fd >= 0 && cfd >= 0);
		CU_ASSERT_FATAL(pthread_create(&th, NULL, xfer_server, &x) == 0);
		conn_init(&c, sv[0], T_TIMEOUT);
		CU_ASSERT_EQUAL(tls_connect(cl, &c, "localhost", NULL, 0),
		    TLS_CONNECT_OK);
		if (x.sending) {
			res = xfer_recv_file(&c, cfd, &o, &bytes);
		} else {
			res = xfer_send_file(cfd, &c, &o, &bytes);
			conn_shutdown(&c);
			/* Wait for the server's close before closing. */
			(void)conn_read(&c, back, 1);
		}
		conn_close(&c);
		CU_ASSERT_FATAL(pthread_join(th, NULL) == 0);
		CU_ASSERT_EQUAL(x.rc, 0);
		CU_ASSERT_EQUAL(res, XFER_OK);
		CU_ASSERT_EQUAL(x.res, XFER_OK);
		CU_ASSERT_EQUAL(bytes, n);
		CU_ASSERT_EQUAL(x.bytes, n);
		/* Check the receiver's file. */
		{
			int rfd = x.sending ? cfd : x.file_fd;

			memset(back, 0, n);
			CU_ASSERT(lseek(rfd, 0, SEEK_SET) == 0);
			CU_ASSERT_EQUAL(sys_read_full(rfd, back, n), (ssize_t)n);
			CU_ASSERT_EQUAL(memcmp(back, data, n), 0);
		}
		sys_close_failok(cfd);
		sys_close_failok(x.file_fd);
		tls_server_free(x.srv);
	}
	tls_client_free(cl);
	free(data);
	free(back);
}

struct trunc_side {
	struct tls_server *srv;
	int fd, rc;
};

static void *
trunc_server(void *arg)
{
	struct trunc_side *t = arg;
	struct conn c;

	conn_init(&c, t->fd, T_TIMEOUT);
	t->rc = tls_accept(t->srv, &c, NULL, 0);
	if (t->rc == 0)
		t->rc = conn_write_full(&c, "partial", 7);
	conn_close_forked(&c);	/* no close_notify: looks truncated */
	return NULL;
}

/* EOF without close_notify is an error, not the end of the file. */
static void
test_tls_truncation_detected(void)
{
	struct trunc_side t = { 0 };
	struct tls_client *cl;
	struct conn c;
	pthread_t th;
	char b[16], why[128];
	int sv[2];

	CU_ASSERT_FATAL(fixture() == 0);
	t.srv = server_new(fx.cert1, fx.key1, NULL);
	cl = client_new(fx.root, 0, 0);
	CU_ASSERT_FATAL(t.srv != NULL && cl != NULL);
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	t.fd = sv[1];
	CU_ASSERT_FATAL(pthread_create(&th, NULL, trunc_server, &t) == 0);
	conn_init(&c, sv[0], T_TIMEOUT);
	CU_ASSERT_EQUAL(tls_connect(cl, &c, "localhost", NULL, 0),
	    TLS_CONNECT_OK);
	CU_ASSERT_EQUAL(read_exact(&c, b, 7), 0);
	CU_ASSERT_FATAL(pthread_join(th, NULL) == 0);
	CU_ASSERT_EQUAL(t.rc, 0);
	errno = 0;
	CU_ASSERT_EQUAL(conn_read(&c, b, sizeof b), -1);
	CU_ASSERT_EQUAL(errno, EPROTO);
	CU_ASSERT_PTR_NOT_NULL(strstr(tls_error_text(why, sizeof why), "eof"));
	conn_close(&c);
	tls_client_free(cl);
	tls_server_free(t.srv);
}

/* One client handshake against an echo server: returns the
 * tls_connect result, fills err and the peer's info. */
static int
try_connect(struct tls_server *srv, struct tls_client *cl, const char *host,
	    char *err, size_t errlen, struct tls_info *info)
{
	struct script s = { 0 };
	struct conn c;
	pthread_t th;
	int fd, r;

	s.srv = srv;
	fd = script_add(&s, S_ECHO, 0, 0);
	if (fd < 0 || pthread_create(&th, NULL, script_run, &s) != 0)
		return -99;
	conn_init(&c, fd, T_TIMEOUT);
	err[0] = '\0';
	r = tls_connect(cl, &c, host, err, errlen);
	if (info != NULL && tls_get_info(&c, info) < 0)
		memset(info, 0, sizeof *info);
	if (r == TLS_CONNECT_FAILED)
		CU_ASSERT_PTR_NULL(c.tls);
	if (r == TLS_CONNECT_UNTRUSTED)
		CU_ASSERT_PTR_NOT_NULL(c.tls);
	conn_close(&c);
	if (pthread_join(th, NULL) != 0)
		return -98;
	return r;
}

static void
test_tls_client_verification(void)
{
	struct tls_server *srv;
	struct tls_client *ca, *sys, *insecure;
	struct tls_info info;
	char err[512];

	CU_ASSERT_FATAL(fixture() == 0);
	srv = server_new(fx.cert1, fx.key1, NULL);
	ca = client_new(fx.root, 0, 0);
	sys = client_new(NULL, 0, 0);
	insecure = client_new(NULL, 1, 0);
	CU_ASSERT_FATAL(srv && ca && sys && insecure);

	/* A name the certificate lists, a DNS alias, its IP address. */
	CU_ASSERT_EQUAL(try_connect(srv, ca, "localhost", err, sizeof err,
	    NULL), TLS_CONNECT_OK);
	CU_ASSERT_EQUAL(try_connect(srv, ca, "FTP.test", err, sizeof err,
	    NULL), TLS_CONNECT_OK);
	CU_ASSERT_EQUAL(try_connect(srv, ca, "127.0.0.1", err, sizeof err,
	    NULL), TLS_CONNECT_OK);

	/* Wrong host name: untrusted, and the text says why. */
	CU_ASSERT_EQUAL(try_connect(srv, ca, "wrong.example", err, sizeof err,
	    &info), TLS_CONNECT_UNTRUSTED);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not wrong.example"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "localhost"));
	CU_ASSERT_EQUAL(info.verified, 0);
	CU_ASSERT_STRING_EQUAL(info.fingerprint, fx.fp1);
	CU_ASSERT_EQUAL(try_connect(srv, ca, "127.0.0.2", err, sizeof err,
	    NULL), TLS_CONNECT_UNTRUSTED);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "127.0.0.1"));
	/* Brackets as typed in a URL are stripped; a bare v6 address the
	 * certificate does not list is a mismatch. */
	CU_ASSERT_EQUAL(try_connect(srv, ca, "[::1]", err, sizeof err, NULL),
	    TLS_CONNECT_UNTRUSTED);

	/* Unknown CA (system store only). */
	CU_ASSERT_EQUAL(try_connect(srv, sys, "localhost", err, sizeof err,
	    NULL), TLS_CONNECT_UNTRUSTED);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "local issuer"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "--cacert"));

	/* --insecure lets both through, and says it did not verify. */
	CU_ASSERT_EQUAL(try_connect(srv, insecure, "wrong.example", err,
	    sizeof err, &info), TLS_CONNECT_OK);
	CU_ASSERT_EQUAL(info.verified, 0);

	/* An unreadable CA file is an error at once. */
	{
		struct tls_client_opts o = { "/nonexistent/ca.pem", 0, 0 };

		CU_ASSERT_PTR_NULL(tls_client_new(&o, err, sizeof err));
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/ca.pem"));
	}
	tls_client_free(ca);
	tls_client_free(sys);
	tls_client_free(insecure);
	tls_server_free(srv);
}

static void
test_tls_fingerprint_and_known_hosts(void)
{
	char path[160], k[64], stored[TLS_FP_STRLEN], err[256], lower[128];
	struct stat st;
	FILE *f;
	int lines = 0, ch;

	CU_ASSERT_FATAL(fixture() == 0);
	CU_ASSERT_EQUAL(strlen(fx.fp1), 7 + 43);
	CU_ASSERT_EQUAL(strncmp(fx.fp1, "SHA256:", 7), 0);
	CU_ASSERT(tls_fingerprint_match(fx.fp1, fx.fp1));
	CU_ASSERT(!tls_fingerprint_match(fx.fp2, fx.fp1));
	CU_ASSERT(tls_fingerprint_match(fx.fp1 + 7, fx.fp1));	/* bare */
	CU_ASSERT(tls_fingerprint_match(fx.hex1, fx.fp1));
	for (size_t i = 0; i <= strlen(fx.hex1); i++)
		lower[i] = (char)(fx.hex1[i] >= 'A' && fx.hex1[i] <= 'F' ?
		    fx.hex1[i] + 32 : fx.hex1[i]);
	CU_ASSERT(tls_fingerprint_match(lower, fx.fp1));
	(void)snprintf(stored, sizeof stored, "%s=", fx.fp1);	/* padded */
	CU_ASSERT(tls_fingerprint_match(stored, fx.fp1));
	{
		char openssl[200];

		(void)snprintf(openssl, sizeof openssl, "sha256 Fingerprint=%s",
		    fx.hex1);
		CU_ASSERT(tls_fingerprint_match(openssl, fx.fp1));
	}
	CU_ASSERT(!tls_fingerprint_match("SHA256:", fx.fp1));
	CU_ASSERT(!tls_fingerprint_match("SHA256:abc", fx.fp1));
	CU_ASSERT(!tls_fingerprint_match(fx.hex1 + 3, fx.fp1));
	CU_ASSERT(!tls_fingerprint_match("", ""));

	tls_known_key(k, sizeof k, "LocalHost", 21);
	CU_ASSERT_STRING_EQUAL(k, "localhost:21");
	tls_known_key(k, sizeof k, "::1", 990);
	CU_ASSERT_STRING_EQUAL(k, "[::1]:990");

	/* The folder does not exist yet: add creates it. */
	(void)snprintf(path, sizeof path, "%s/home/known_hosts", fx.dir);
	CU_ASSERT_EQUAL(tls_known_check(path, "localhost:21", fx.fp1, NULL, 0),
	    TLS_KNOWN_ABSENT);
	CU_ASSERT_EQUAL(tls_known_add(path, "localhost:21", fx.fp1, err,
	    sizeof err), 0);
	CU_ASSERT_EQUAL(tls_known_add(path, "[::1]:990", fx.fp2, err,
	    sizeof err), 0);
	CU_ASSERT_EQUAL(tls_known_check(path, "localhost:21", fx.fp1, NULL, 0),
	    TLS_KNOWN_MATCH);
	CU_ASSERT_EQUAL(tls_known_check(path, "LOCALHOST:21", fx.fp1, NULL, 0),
	    TLS_KNOWN_MATCH);
	CU_ASSERT_EQUAL(tls_known_check(path, "localhost:2121", fx.fp1, NULL,
	    0), TLS_KNOWN_ABSENT);
	stored[0] = '\0';
	CU_ASSERT_EQUAL(tls_known_check(path, "localhost:21", fx.fp2, stored,
	    sizeof stored), TLS_KNOWN_MISMATCH);
	CU_ASSERT_STRING_EQUAL(stored, fx.fp1);
	CU_ASSERT_EQUAL(tls_known_check(path, "[::1]:990", fx.fp2, NULL, 0),
	    TLS_KNOWN_MATCH);
	/* Replacing keeps one line per host. */
	CU_ASSERT_EQUAL(tls_known_add(path, "localhost:21", fx.fp2, err,
	    sizeof err), 0);
	CU_ASSERT_EQUAL(tls_known_check(path, "localhost:21", fx.fp2, NULL, 0),
	    TLS_KNOWN_MATCH);
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	f = fopen(path, "r");
	CU_ASSERT_FATAL(f != NULL);
	while ((ch = fgetc(f)) != EOF)
		lines += ch == '\n';
	(void)fclose(f);
	CU_ASSERT_EQUAL(lines, 2);
	/* Comments and junk lines are skipped. */
	f = fopen(path, "a");
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT(fputs("# comment\n\njunkline\n", f) >= 0);
	CU_ASSERT_EQUAL(fclose(f), 0);
	CU_ASSERT_EQUAL(tls_known_check(path, "localhost:21", fx.fp2, NULL, 0),
	    TLS_KNOWN_MATCH);
	CU_ASSERT_EQUAL(tls_known_check(path, "junkline", fx.fp2, NULL, 0),
	    TLS_KNOWN_ABSENT);
	CU_ASSERT_EQUAL(tls_known_add(path, "bad key", fx.fp2, err,
	    sizeof err), -1);
}

/* Data connections must resume their own control session. */
static void
resumption_case(int max_version)
{
	struct script s = { 0 };
	struct tls_client *cl, *other;
	struct conn ca, cb, stray;
	pthread_t th;
	char err[256];
	int fa, fb, d1, d2, d3, d4, d5, reused = -1;

	CU_ASSERT_FATAL(fixture() == 0);
	s.srv = server_new(fx.cert1, fx.key1, NULL);
	cl = client_new(fx.root, 0, max_version);
	other = client_new(fx.root, 0, max_version);
	CU_ASSERT_FATAL(s.srv && cl && other);
	fa = script_add(&s, S_CTRL, 0, 0);		/* FTP session A */
	fb = script_add(&s, S_CTRL, 0, 0);		/* FTP session B */
	d1 = script_add(&s, S_DATA, 0, 1);		/* A resumes A */
	d2 = script_add(&s, S_DATA, 0, 1);		/* and again */
	d3 = script_add(&s, S_DATA, 1, 1);		/* fresh client on B */
	d4 = script_add(&s, S_DATA, 1, 1);		/* A's session on B */
	d5 = script_add(&s, S_DATA, 1, 0);		/* fresh, not required */
	CU_ASSERT_FATAL(fa >= 0 && fb >= 0 && d1 >= 0 && d2 >= 0 && d3 >= 0 &&
	    d4 >= 0 && d5 >= 0);
	CU_ASSERT_FATAL(pthread_create(&th, NULL, script_run, &s) == 0);

	CU_ASSERT_EQUAL(client_ctrl(cl, &ca, fa), 0);
	CU_ASSERT_EQUAL(client_ctrl(cl, &cb, fb), 0);
	CU_ASSERT(tls_has_session(&ca));
	CU_ASSERT_EQUAL(client_data(&ca, d1, &reused), 0);
	CU_ASSERT_EQUAL(reused, 1);
	reused = -1;
	CU_ASSERT_EQUAL(client_data(&ca, d2, &reused), 0);
	CU_ASSERT_EQUAL(reused, 1);
	/* A fresh handshake (another client, no session to offer). */
	conn_init(&stray, d3, T_TIMEOUT);
	(void)tls_connect(other, &stray, "localhost", err, sizeof err);
	conn_close(&stray);
	/* A's session offered to B's data channel. */
	(void)client_data(&ca, d4, &reused);
	/* Not required: a fresh handshake is fine. */
	conn_init(&stray, d5, T_TIMEOUT);
	CU_ASSERT_EQUAL(tls_connect(other, &stray, "localhost", err,
	    sizeof err), TLS_CONNECT_OK);
	{
		char b[8];

		CU_ASSERT_EQUAL(read_exact(&stray, b, 4), 0);
	}
	conn_close(&stray);
	conn_close(&ca);
	conn_close(&cb);
	CU_ASSERT_FATAL(pthread_join(th, NULL) == 0);

	CU_ASSERT_EQUAL(s.st[0].rc, 0);
	CU_ASSERT_EQUAL(s.st[1].rc, 0);
	CU_ASSERT_EQUAL(s.st[2].rc, 0);
	CU_ASSERT_EQUAL(s.st[2].reused, 1);
	CU_ASSERT_EQUAL(s.st[3].rc, 0);
	CU_ASSERT_EQUAL(s.st[3].reused, 1);
	CU_ASSERT_EQUAL(s.st[4].rc, -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(s.st[4].err, "resume"));
	CU_ASSERT_EQUAL(s.st[5].rc, -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(s.st[5].err, "resume"));
	CU_ASSERT_EQUAL(s.st[6].rc, 0);
	CU_ASSERT_EQUAL(s.st[6].reused, 0);
	tls_client_free(cl);
	tls_client_free(other);
	tls_server_free(s.srv);
}

static void
test_tls_data_resumption_13(void)
{
	resumption_case(0);
}

static void
test_tls_data_resumption_12(void)
{
	resumption_case(12);
}

/* Copies src over dst by writing a new file and renaming it. */
static int
replace_file(const char *src, const char *dst)
{
	char tmp[200], buf[8192];
	ssize_t n;
	int in, out, rc = 0;

	(void)snprintf(tmp, sizeof tmp, "%s.new", dst);
	in = open(src, O_RDONLY);
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (in < 0 || out < 0)
		rc = -1;
	while (rc == 0 && (n = sys_read(in, buf, sizeof buf)) > 0)
		if (sys_write_full(out, buf, (size_t)n) < 0)
			rc = -1;
	sys_close_failok(in);
	if (out >= 0 && close(out) < 0)
		rc = -1;
	if (rc == 0 && rename(tmp, dst) < 0)
		rc = -1;
	return rc;
}

static void
test_tls_reload(void)
{
	struct tls_server *srv;
	struct tls_client *cl;
	struct tls_info info;
	char cert[160], key[160], err[512];
	struct script s = { 0 };
	struct conn ctrl;
	pthread_t th;
	int fa, fd, reused = -1;
	FILE *f;

	CU_ASSERT_FATAL(fixture() == 0);
	(void)snprintf(cert, sizeof cert, "%s/live-cert.pem", fx.dir);
	(void)snprintf(key, sizeof key, "%s/live-key.pem", fx.dir);
	CU_ASSERT_FATAL(replace_file(fx.cert1, cert) == 0);
	CU_ASSERT_FATAL(replace_file(fx.key1, key) == 0);
	srv = server_new(cert, key, NULL);
	cl = client_new(fx.root, 0, 0);
	CU_ASSERT_FATAL(srv != NULL && cl != NULL);
	CU_ASSERT_EQUAL(tls_server_reload(srv, err, sizeof err), 0);
	CU_ASSERT_EQUAL(try_connect(srv, cl, "localhost", err, sizeof err,
	    &info), TLS_CONNECT_OK);
	CU_ASSERT_STRING_EQUAL(info.fingerprint, fx.fp1);

	/* A session that starts now keeps working across the reload. */
	s.srv = srv;
	fa = script_add(&s, S_CTRL, 0, 0);
	fd = script_add(&s, S_DATA, 0, 1);
	CU_ASSERT_FATAL(fa >= 0 && fd >= 0);
	CU_ASSERT_FATAL(pthread_create(&th, NULL, script_run, &s) == 0);
	CU_ASSERT_EQUAL(client_ctrl(cl, &ctrl, fa), 0);

	/* Renewed certificate: new files renamed into place. */
	CU_ASSERT_FATAL(replace_file(fx.cert2, cert) == 0);
	CU_ASSERT_FATAL(replace_file(fx.key2, key) == 0);
	CU_ASSERT_EQUAL(tls_server_reload(srv, err, sizeof err), 1);
	CU_ASSERT_EQUAL(tls_server_reload(srv, err, sizeof err), 0);

	CU_ASSERT_EQUAL(client_data(&ctrl, fd, &reused), 0);
	CU_ASSERT_EQUAL(reused, 1);
	conn_close(&ctrl);
	CU_ASSERT_FATAL(pthread_join(th, NULL) == 0);
	CU_ASSERT_EQUAL(s.st[1].rc, 0);

	CU_ASSERT_EQUAL(try_connect(srv, cl, "localhost", err, sizeof err,
	    &info), TLS_CONNECT_OK);
	CU_ASSERT_STRING_EQUAL(info.fingerprint, fx.fp2);

	/* A broken file (rewritten in place): logged once, old one kept. */
	f = fopen(cert, "w");
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT(fputs("-----BEGIN CERTIFICATE-----\nbroken\n", f) >= 0);
	CU_ASSERT_EQUAL(fclose(f), 0);
	err[0] = '\0';
	CU_ASSERT_EQUAL(tls_server_reload(srv, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, cert));
	CU_ASSERT_EQUAL(tls_server_reload(srv, err, sizeof err), 0);
	CU_ASSERT_EQUAL(try_connect(srv, cl, "localhost", err, sizeof err,
	    &info), TLS_CONNECT_OK);
	CU_ASSERT_STRING_EQUAL(info.fingerprint, fx.fp2);

	/* A certificate without its key: refused, old one kept. */
	CU_ASSERT_FATAL(replace_file(fx.cert1, cert) == 0);
	CU_ASSERT_EQUAL(tls_server_reload(srv, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "does not match"));
	CU_ASSERT_EQUAL(try_connect(srv, cl, "localhost", err, sizeof err,
	    &info), TLS_CONNECT_OK);
	CU_ASSERT_STRING_EQUAL(info.fingerprint, fx.fp2);

	/* A missing key file. */
	CU_ASSERT_EQUAL(unlink(key), 0);
	CU_ASSERT_EQUAL(tls_server_reload(srv, err, sizeof err), -1);
	CU_ASSERT_EQUAL(tls_server_reload(srv, err, sizeof err), 0);

	/* The key arrives: the pair is good again and is picked up. */
	CU_ASSERT_FATAL(replace_file(fx.key1, key) == 0);
	CU_ASSERT_EQUAL(tls_server_reload(srv, err, sizeof err), 1);
	CU_ASSERT_EQUAL(try_connect(srv, cl, "localhost", err, sizeof err,
	    &info), TLS_CONNECT_OK);
	CU_ASSERT_STRING_EQUAL(info.fingerprint, fx.fp1);
	tls_client_free(cl);
	tls_server_free(srv);
}

struct raw_side {
	struct tls_server *srv;
	int fd, rc;
	char err[256];
};

static void *
raw_server(void *arg)
{
	struct raw_side *r = arg;
	struct conn c;

	conn_init(&c, r->fd, T_TIMEOUT);
	r->rc = tls_accept(r->srv, &c, r->err, sizeof r->err);
	conn_close(&c);
	return NULL;
}

/* A plain OpenSSL client with the given versions and ALPN list against
 * our server.  Returns SSL_connect's result; *srv_rc the server's. */
static int
raw_client(struct tls_server *srv, int minv, int maxv,
	   const unsigned char *alpn, unsigned alpnlen, int *srv_rc,
	   char *srv_err, size_t errlen)
{
	struct raw_side r = { 0 };
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl = NULL;
	pthread_t th;
	int sv[2], rc = -99;

	if (ctx == NULL || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		goto out;
	/* Level 0: the refusal must come from our server, not from here. */
	SSL_CTX_set_security_level(ctx, 0);
	if (SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0") != 1 ||
	    SSL_CTX_set_min_proto_version(ctx, minv) != 1 ||
	    SSL_CTX_set_max_proto_version(ctx, maxv) != 1 ||
	    (alpn != NULL && SSL_CTX_set_alpn_protos(ctx, alpn, alpnlen) != 0))
		goto out;
	ssl = SSL_new(ctx);
	if (ssl == NULL || SSL_set_fd(ssl, sv[0]) != 1)
		goto out;
	r.srv = srv;
	r.fd = sv[1];
	if (pthread_create(&th, NULL, raw_server, &r) != 0)
		goto out;
	rc = SSL_connect(ssl);
	if (rc == 1) {
		/* OpenSSL's own socket BIO uses write(): no SIGPIPE here. */
		void (*old)(int) = signal(SIGPIPE, SIG_IGN);

		(void)SSL_shutdown(ssl);
		(void)signal(SIGPIPE, old);
	}
	sys_close_failok(sv[0]);
	(void)pthread_join(th, NULL);
	*srv_rc = r.rc;
	(void)snprintf(srv_err, errlen, "%s", r.err);
out:
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	return rc;
}

static void
test_tls_old_protocol_and_alpn_refused(void)
{
	static const unsigned char http[] = { 8, 'h', 't', 't', 'p', '/', '1',
					      '.', '1' };
	static const unsigned char ftp[] = { 8, 'h', 't', 't', 'p', '/', '1',
					     '.', '1', 3, 'f', 't', 'p' };
	struct tls_server *srv;
	char err[256];
	int srv_rc = 99;

	CU_ASSERT_FATAL(fixture() == 0);
	srv = server_new(fx.cert1, fx.key1, NULL);
	CU_ASSERT_FATAL(srv != NULL);
	/* The same raw client can do TLS 1.2... */
	CU_ASSERT_EQUAL(raw_client(srv, TLS1_2_VERSION, TLS1_2_VERSION, NULL, 0,
	    &srv_rc, err, sizeof err), 1);
	CU_ASSERT_EQUAL(srv_rc, 0);
	/* ...but TLS 1.1 and 1.0 are refused by the server. */
	srv_rc = 99;
	CU_ASSERT(raw_client(srv, TLS1_1_VERSION, TLS1_1_VERSION, NULL, 0,
	    &srv_rc, err, sizeof err) != 1);
	CU_ASSERT_EQUAL(srv_rc, -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "protocol"));
	srv_rc = 99;
	CU_ASSERT(raw_client(srv, TLS1_VERSION, TLS1_VERSION, NULL, 0,
	    &srv_rc, err, sizeof err) != 1);
	CU_ASSERT_EQUAL(srv_rc, -1);
	/* ALPN: "ftp" among others is fine, only http/1.1 is refused. */
	srv_rc = 99;
	CU_ASSERT_EQUAL(raw_client(srv, TLS1_2_VERSION, TLS1_3_VERSION, ftp,
	    sizeof ftp, &srv_rc, err, sizeof err), 1);
	CU_ASSERT_EQUAL(srv_rc, 0);
	srv_rc = 99;
	CU_ASSERT(raw_client(srv, TLS1_2_VERSION, TLS1_3_VERSION, http,
	    sizeof http, &srv_rc, err, sizeof err) != 1);
	CU_ASSERT_EQUAL(srv_rc, -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "application protocol"));
	tls_server_free(srv);
}

static void
test_tls_server_config_errors(void)
{
	struct tls_server_opts o = { 0 };
	struct tls_server *srv;
	struct tls_client *cl;
	struct tls_info info;
	char err[256];

	CU_ASSERT_FATAL(fixture() == 0);
	o.cert = "/nonexistent/cert.pem";
	o.key = fx.key1;
	CU_ASSERT_PTR_NULL(tls_server_new(&o, err, sizeof err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/cert.pem"));
	o.cert = fx.cert1;
	o.key = fx.key2;
	CU_ASSERT_PTR_NULL(tls_server_new(&o, err, sizeof err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "does not match"));
	o.key = fx.key1;
	o.ciphers = "NO-SUCH-CIPHER";
	CU_ASSERT_PTR_NULL(tls_server_new(&o, err, sizeof err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "tls_ciphers"));
	o.ciphers = "TLS_NO_SUCH";
	CU_ASSERT_PTR_NULL(tls_server_new(&o, err, sizeof err));

	/* A tightened list takes effect for both versions. */
	srv = server_new(fx.cert1, fx.key1,
	    "ECDHE-ECDSA-CHACHA20-POLY1305:TLS_CHACHA20_POLY1305_SHA256");
	cl = client_new(fx.root, 0, 0);
	CU_ASSERT_FATAL(srv != NULL && cl != NULL);
	CU_ASSERT_EQUAL(try_connect(srv, cl, "localhost", err, sizeof err,
	    &info), TLS_CONNECT_OK);
	CU_ASSERT_STRING_EQUAL(info.cipher, "TLS_CHACHA20_POLY1305_SHA256");
	tls_client_free(cl);
	cl = client_new(fx.root, 0, 12);
	CU_ASSERT_FATAL(cl != NULL);
	CU_ASSERT_EQUAL(try_connect(srv, cl, "localhost", err, sizeof err,
	    &info), TLS_CONNECT_OK);
	CU_ASSERT_STRING_EQUAL(info.version, "TLSv1.2");
	CU_ASSERT_STRING_EQUAL(info.cipher, "ECDHE-ECDSA-CHACHA20-POLY1305");
	tls_client_free(cl);
	tls_server_free(srv);
}

/* A silent peer: the handshake gives up after timeout_ms. */
static void
test_tls_handshake_timeout(void)
{
	struct tls_client *cl;
	struct conn c;
	char err[256];
	long long t0, dt;
	int sv[2];

	CU_ASSERT_FATAL(fixture() == 0);
	cl = client_new(fx.root, 0, 0);
	CU_ASSERT_FATAL(cl != NULL);
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	conn_init(&c, sv[0], 200);
	t0 = sys_now_ms();
	CU_ASSERT_EQUAL(tls_connect(cl, &c, "localhost", err, sizeof err),
	    TLS_CONNECT_FAILED);
	dt = sys_now_ms() - t0;
	CU_ASSERT(dt >= 190 && dt < 5000);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "timed out"));
	CU_ASSERT_PTR_NULL(c.tls);
	conn_close(&c);
	sys_close_failok(sv[1]);
	tls_client_free(cl);
}

struct ccc_side {
	struct tls_server *srv;
	int fd, rc;
	char got[8];
};

static void *
ccc_server(void *arg)
{
	struct ccc_side *x = arg;
	struct conn c;

	conn_init(&c, x->fd, T_TIMEOUT);
	x->rc = tls_accept(x->srv, &c, NULL, 0);
	if (x->rc == 0)
		x->rc = tls_unwrap(&c, NULL, 0);
	if (x->rc == 0 && c.tls == NULL)
		x->rc = read_exact(&c, x->got, 5);
	conn_close(&c);
	return NULL;
}

/* CCC: both sides drop TLS and the stream goes on in plaintext. */
static void
test_tls_unwrap(void)
{
	struct ccc_side x = { 0 };
	struct tls_client *cl;
	struct conn c;
	pthread_t th;
	char err[256];
	int sv[2];

	CU_ASSERT_FATAL(fixture() == 0);
	x.srv = server_new(fx.cert1, fx.key1, NULL);
	cl = client_new(fx.root, 0, 0);
	CU_ASSERT_FATAL(x.srv != NULL && cl != NULL);
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	x.fd = sv[1];
	CU_ASSERT_FATAL(pthread_create(&th, NULL, ccc_server, &x) == 0);
	conn_init(&c, sv[0], T_TIMEOUT);
	CU_ASSERT_EQUAL(tls_connect(cl, &c, "localhost", err, sizeof err),
	    TLS_CONNECT_OK);
	CU_ASSERT_EQUAL(tls_unwrap(&c, err, sizeof err), 0);
	CU_ASSERT_PTR_NULL(c.tls);
	CU_ASSERT_EQUAL(conn_write_full(&c, "plain", 5), 0);
	CU_ASSERT_FATAL(pthread_join(th, NULL) == 0);
	CU_ASSERT_EQUAL(x.rc, 0);
	CU_ASSERT_EQUAL(memcmp(x.got, "plain", 5), 0);
	conn_close(&c);
	tls_client_free(cl);
	tls_server_free(x.srv);
}

struct pipe_side {
	struct tls_server *srv;
	int rfd, wfd, rc, eof_rc;
};

static void *
pipe_server(void *arg)
{
	struct pipe_side *x = arg;
	struct conn c;
	char buf[256];
	ssize_t r;

	conn_init(&c, x->rfd, T_TIMEOUT);
	c.wfd = x->wfd;
	x->rc = tls_accept(x->srv, &c, NULL, 0);
	if (x->rc == 0) {
		while ((r = conn_read(&c, buf, sizeof buf)) > 0)
			if (conn_write_full(&c, buf, (size_t)r) < 0)
				break;
		x->eof_rc = (int)r;
	}
	conn_close(&c);
	return NULL;
}

/* inetd style: reads from one descriptor, writes to another, and they
 * are pipes, not sockets. */
static void
test_tls_split_pipes(void)
{
	struct pipe_side x = { 0 };
	struct tls_client *cl;
	struct conn c;
	pthread_t th;
	char err[256], b[64];
	int up[2], down[2];

	CU_ASSERT_FATAL(fixture() == 0);
	x.srv = server_new(fx.cert1, fx.key1, NULL);
	cl = client_new(fx.root, 0, 0);
	CU_ASSERT_FATAL(x.srv != NULL && cl != NULL);
	CU_ASSERT_FATAL(pipe(up) == 0 && pipe(down) == 0);
	x.rfd = up[0];
	x.wfd = down[1];
	CU_ASSERT_FATAL(pthread_create(&th, NULL, pipe_server, &x) == 0);
	conn_init(&c, down[0], T_TIMEOUT);
	c.wfd = up[1];
	CU_ASSERT_EQUAL(tls_connect(cl, &c, "localhost", err, sizeof err),
	    TLS_CONNECT_OK);
	CU_ASSERT_EQUAL(conn_write_full(&c, "over pipes\r\n", 12), 0);
	CU_ASSERT_EQUAL(read_exact(&c, b, 12), 0);
	CU_ASSERT_EQUAL(memcmp(b, "over pipes\r\n", 12), 0);
	conn_shutdown(&c);	/* close_notify, then close the write pipe */
	CU_ASSERT_EQUAL(conn_read(&c, b, sizeof b), 0);
	conn_close(&c);
	CU_ASSERT_FATAL(pthread_join(th, NULL) == 0);
	CU_ASSERT_EQUAL(x.rc, 0);
	CU_ASSERT_EQUAL(x.eof_rc, 0);
	tls_client_free(cl);
	tls_server_free(x.srv);
}

void
suite_tls(void)
{
	UNIT_SUITE("tls");
	UNIT_TEST(test_tls_roundtrip);
	UNIT_TEST(test_tls_xfer_both_ways);
	UNIT_TEST(test_tls_truncation_detected);
	UNIT_TEST(test_tls_client_verification);
	UNIT_TEST(test_tls_fingerprint_and_known_hosts);
	UNIT_TEST(test_tls_data_resumption_13);
	UNIT_TEST(test_tls_data_resumption_12);
	UNIT_TEST(test_tls_reload);
	UNIT_TEST(test_tls_old_protocol_and_alpn_refused);
	UNIT_TEST(test_tls_server_config_errors);
	UNIT_TEST(test_tls_handshake_timeout);
	UNIT_TEST(test_tls_unwrap);
	UNIT_TEST(test_tls_split_pipes);
}
