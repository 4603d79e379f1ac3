/* ftps.c: FTPS for the client: the TLS context made from the options,
 * the implicit and AUTH TLS handshakes, acting on the trust verdict
 * (warnings, the one question, the known-hosts file), PBSZ/PROT, and the
 * data-connection handshakes. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client.h"
#include "cmdloop.h"
#include "ftps.h"
#include "session.h"
#include "status.h"
#include "tls.h"
#include "trust.h"

#define KNOWN_PATH_MAX 4096

static struct tls_client *s_ctx;	/* one per process, from the options */

static struct tls_client *
context(const struct settings *set)
{
	struct tls_client_opts o;
	char err[512];

	if (s_ctx)
		return s_ctx;
	memset(&o, 0, sizeof o);
	o.cafile = set->cacert;
	o.insecure = set->insecure;
	err[0] = '\0';
	s_ctx = tls_client_new(&o, err, sizeof err);
	if (!s_ctx)
		fprintf(stderr, "ftp: %s\n", err);
	return s_ctx;
}

void
ftps_cleanup(void)
{
	tls_client_free(s_ctx);
	s_ctx = NULL;
}

/* Certificate text comes from the server: nothing unprintable reaches
 * the terminal. */
static const char *
safe(char *out, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i + 1 < n && s[i]; i++)
		out[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	out[i] = '\0';
	return out;
}

static void
describe(FILE *fp, const struct tls_info *in, const char *trust)
{
	char a[sizeof in->subject], b[sizeof in->issuer];

	fprintf(fp, "Certificate: %s\n", in->subject[0] ?
		safe(a, sizeof a, in->subject) : "(no subject)");
	fprintf(fp, "  issuer:      %s\n", safe(b, sizeof b, in->issuer));
	fprintf(fp, "  valid until: %s\n", safe(a, sizeof a, in->not_after));
	fprintf(fp, "  fingerprint: %s\n", in->fingerprint);
	if (trust)
		fprintf(fp, "  trust:       %s\n", trust);
}

/* Asks once; a yes (or the fingerprint pasted back) is remembered.
 * Returns 1 for yes. */
static int
ask_user(const struct tls_info *in, const char *why, const char *key,
	 const char *path)
{
	char err[512], prompt[KNOWN_PATH_MAX + 64];
	int yes = 0;

	fprintf(stderr, "The certificate of %s is not trusted: %s\n", key, why);
	describe(stderr, in, NULL);
	fprintf(stderr, "Say yes only if this is the server's fingerprint "
		"(ask its admin).\n");
	(void)fflush(stderr);
	(void)snprintf(prompt, sizeof prompt, "Trust this certificate and "
		       "remember it in %s? (yes/no)", path);
	for (int tries = 0; tries < 3; tries++) {
		char *a = cmdloop_ask(prompt, 1);
		size_t n;

		if (!a)
			break;
		n = strlen(a);
		while (n > 0 && (a[n - 1] == ' ' || a[n - 1] == '\t'))
			a[--n] = '\0';
		if (strcasecmp(a, "yes") == 0 || strcasecmp(a, "y") == 0 ||
		    tls_fingerprint_match(a, in->fingerprint)) {
			yes = 1;
		} else if (strcasecmp(a, "no") != 0 && strcasecmp(a, "n") != 0 &&
			   a[0] != '\0') {
			free(a);
			fprintf(stderr, "Please answer yes or no.\n");
			continue;
		}
		free(a);
		break;
	}
	if (!yes)
		return 0;
	if (tls_known_add(path, key, in->fingerprint, err, sizeof err) < 0)
		fprintf(stderr, "ftp: warning: could not remember the "
			"certificate: %s\n", err);
	else
		fprintf(stderr, "Added %s %s to %s.\n", key, in->fingerprint,
			path);
	return 1;
}

/* Acts on the verdict for the certificate just received.  why is the
 * verification error from tls_connect (empty when it verified). */
static int
check_trust(struct ftp_client *c, int res, const char *why)
{
	const struct settings *set = c->set;
	struct tls_info in;
	struct trust_facts f;
	char key[CLIENT_HOSTLEN + 16], pathbuf[KNOWN_PATH_MAX];
	char stored[TLS_FP_STRLEN * 2];
	const char *path;
	int v;

	if (tls_get_info(&c->ctrl, &in) < 0 || !in.fingerprint[0]) {
		fprintf(stderr, "ftp: %s: the server sent no certificate\n",
			c->host);
		return ST_TLS;
	}
	memset(&f, 0, sizeof f);
	f.verified = res == TLS_CONNECT_OK && in.verified;
	f.insecure = set->insecure;
	f.pin_given = set->fingerprint != NULL;
	f.pin_match = f.pin_given &&
		tls_fingerprint_match(set->fingerprint, in.fingerprint);
	f.session_match = c->tls_pin[0] &&
		tls_fingerprint_match(c->tls_pin, in.fingerprint);
	tls_known_key(key, sizeof key, c->host, net_port(&c->peer));
	path = trust_known_path(set->known_hosts, pathbuf, sizeof pathbuf);
	stored[0] = '\0';
	f.known = path ? tls_known_check(path, key, in.fingerprint, stored,
					 sizeof stored) : TLS_KNOWN_ERROR;
	/* workers (tls_pin set) run in the background: never ask there */
	f.can_ask = set->interactive && !c->tls_pin[0];
	v = trust_decide(&f);
	if (!why[0])
		why = "certificate verify failed";

	switch (v) {
	case TRUST_CA:
		if (f.known == TLS_KNOWN_MISMATCH && !c->tls_pin[0])
			fprintf(stderr, "ftp: note: the certificate of %s is not "
				"the one remembered in %s, but it verifies "
				"against a trusted CA\n", key, path);
		break;
	case TRUST_INSECURE:
		if (!c->tls_pin[0])
			fprintf(stderr, "ftp: WARNING: --insecure: the "
				"certificate of %s is not checked (%s); the "
				"connection could be intercepted\n", key,
				in.fingerprint);
		break;
	case TRUST_ASK:
		if (!ask_user(&in, why, key, path)) {
			fprintf(stderr, "ftp: certificate of %s not trusted; "
				"disconnected\n", key);
			return ST_TLS;
		}
		v = TRUST_ACCEPTED;
		break;
	case TRUST_NO_PIN:
		fprintf(stderr, "ftp: the certificate of %s does not match "
			"--fingerprint:\n"
			"ftp:   expected  %s\n"
			"ftp:   presented %s\n"
			"ftp: refusing to continue\n", key, set->fingerprint,
			in.fingerprint);
		return ST_TLS;
	case TRUST_CHANGED:
		fprintf(stderr,
			"ftp: @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
			"ftp: @  WARNING: THE SERVER'S CERTIFICATE HAS CHANGED!  @\n"
			"ftp: @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
			"ftp: %s presents a certificate that is not the one you "
			"trusted, and no trusted CA vouches for it.\n"
			"ftp: Someone could be intercepting the connection, or "
			"the server got a new certificate.\n"
			"ftp:   remembered %s\n"
			"ftp:   presented  %s\n"
			"ftp: If the change is expected, delete the line for %s "
			"from %s (or use --fingerprint).\n"
			"ftp: Refusing to connect.\n", key, stored,
			in.fingerprint, key, path);
		return ST_TLS;
	case TRUST_UNKNOWN:
		fprintf(stderr, "ftp: %s: %s\n"
			"ftp: the server's fingerprint is %s; if that is right, "
			"use --fingerprint %s, or connect once interactively "
			"to remember it (batch mode never asks)\n", key, why,
			in.fingerprint, in.fingerprint);
		return ST_TLS;
	case TRUST_STORE_ERROR:
		fprintf(stderr, "ftp: %s: %s\n"
			"ftp: cannot read the known-hosts file %s; refusing the "
			"unverified certificate\n", key, why,
			path ? path : "(no home folder)");
		return ST_TLS;
	default:		/* pinned, known, same as the main connection */
		break;
	}
	c->tls_trust = trust_label(v);
	(void)snprintf(c->tls_fp, sizeof c->tls_fp, "%s", in.fingerprint);
	if (set->verbose) {
		printf("TLS: %s, cipher %s\n", in.version, in.cipher);
		describe(stdout, &in, c->tls_trust);
		(void)fflush(stdout);
	}
	return ST_OK;
}

static int
handshake(struct ftp_client *c)
{
	struct tls_client *ctx = context(c->set);
	char err[1024];
	int res, st;

	if (!ctx) {
		client_close(c, 0);
		return ST_TLS;
	}
	err[0] = '\0';
	res = tls_connect(ctx, &c->ctrl, c->host, err, sizeof err);
	if (res == TLS_CONNECT_FAILED) {
		fprintf(stderr, "ftp: %s: %s\n", c->host, err);
		if (c->tls_mode == FTPS_IMPLICIT)
			fprintf(stderr, "ftp: ftps:// means TLS from the first "
				"byte (implicit, usually port 990); for AUTH "
				"TLS on the FTP port use ftpes:// or --tls\n");
		client_close(c, 0);
		return ST_TLS;
	}
	c->tls_on = 1;
	st = check_trust(c, res, res == TLS_CONNECT_OK ? "" : err);
	if (st != ST_OK) {
		/* SECURITY: nothing was sent over the untrusted session */
		client_close(c, 0);
		return st;
	}
	return ST_OK;
}

int
ftps_start(struct ftp_client *c)
{
	return handshake(c);
}

int
ftps_auth(struct ftp_client *c)
{
	int code;

	/* a bad --cacert is reported before the server expects TLS */
	if (!context(c->set)) {
		client_close(c, 1);
		return ST_TLS;
	}
	code = client_cmd(c, "AUTH TLS");
	if (code < 0)
		return ST_NET;
	if (code != 234) {
		if (!c->printed)
			fprintf(stderr, "ftp: AUTH TLS: %d %s\n", code,
				client_last(c));
		fprintf(stderr, "ftp: %s does not offer TLS (AUTH TLS "
			"refused); not continuing without it\n", c->host);
		client_close(c, 1);
		return ST_TLS;
	}
	/* SECURITY: bytes that came after the 234 were sent in plaintext;
	 * read later, they would pass for protected replies. */
	if (line_pending(c->lr) > 0) {
		fprintf(stderr, "ftp: %s sent more text after accepting AUTH "
			"TLS; disconnecting (possible injection)\n", c->host);
		client_close(c, 0);
		return ST_TLS;
	}
	return handshake(c);
}

int
ftps_protect(struct ftp_client *c)
{
	const char *what = "PBSZ 0";
	int code;

	c->quiet += !c->set->debug;
	code = client_cmd(c, "PBSZ 0");
	if (code / 100 == 2) {
		what = "PROT P";
		code = client_cmd(c, "PROT P");
	}
	c->quiet -= !c->set->debug;
	if (code < 0)
		return ST_NET;
	if (code / 100 != 2) {
		fprintf(stderr, "ftp: %s: %d %s\n", what, code, client_last(c));
		fprintf(stderr, "ftp: %s cannot protect data connections "
			"(PROT P refused); disconnecting rather than sending "
			"files in the clear\n", c->host);
		client_close(c, 1);
		return ST_TLS;
	}
	c->prot_p = 1;
	return ST_OK;
}

int
ftps_data(struct ftp_client *c, struct conn *data)
{
	char err[512];

	err[0] = '\0';
	if (tls_connect_data(&c->ctrl, data, err, sizeof err) < 0) {
		fprintf(stderr, "ftp: %s\n", err);
		return ST_TLS;
	}
	if (c->set->debug) {
		struct tls_info in;

		if (tls_get_info(data, &in) == 0)
			printf("Data connection: %s, %s\n", in.version,
			       in.resumed ? "TLS session resumed" :
			       "new TLS session (not resumed)");
	}
	return ST_OK;
}

void
ftps_show(const struct ftp_client *c, FILE *fp)
{
	struct tls_info in;
	char a[sizeof in.subject];

	if (!c->connected || !c->tls_on || tls_get_info(&c->ctrl, &in) < 0)
		return;
	fprintf(fp, "TLS: %s, cipher %s; data connections %s.\n", in.version,
		in.cipher, c->prot_p ? "protected (PROT P)" :
		"not protected yet (no PROT P before login)");
	fprintf(fp, "Certificate: %s, %s; %s.\n",
		safe(a, sizeof a, in.subject), in.fingerprint,
		c->tls_trust ? c->tls_trust : "?");
}
