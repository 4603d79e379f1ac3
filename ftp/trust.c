/* trust.c: the certificate trust decision and where the known-hosts
 * file lives.  No I/O on the network here; see trust.h. */
#include "config.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tls.h"
#include "trust.h"

int
trust_decide(const struct trust_facts *f)
{
	if (f->insecure)
		return TRUST_INSECURE;
	/* SECURITY: a pin is exact; a CA-signed certificate other than the
	 * one the user named is not what was asked for. */
	if (f->pin_given)
		return f->pin_match ? TRUST_PINNED : TRUST_NO_PIN;
	if (f->verified)
		return TRUST_CA;
	if (f->session_match)
		return TRUST_SESSION;
	switch (f->known) {
	case TLS_KNOWN_MATCH:
		return TRUST_KNOWN;
	case TLS_KNOWN_MISMATCH:
		return TRUST_CHANGED;	/* never asked: ssh refuses too */
	case TLS_KNOWN_ABSENT:
		return f->can_ask ? TRUST_ASK : TRUST_UNKNOWN;
	default:
		return TRUST_STORE_ERROR;
	}
}

int
trust_ok(int verdict)
{
	switch (verdict) {
	case TRUST_CA: case TRUST_INSECURE: case TRUST_PINNED:
	case TRUST_SESSION: case TRUST_KNOWN: case TRUST_ACCEPTED:
		return 1;
	default:
		return 0;
	}
}

const char *
trust_label(int verdict)
{
	switch (verdict) {
	case TRUST_CA:
		return "verified (trusted CA, host name matches)";
	case TRUST_INSECURE:
		return "NOT CHECKED (--insecure)";
	case TRUST_PINNED:
		return "matches --fingerprint";
	case TRUST_SESSION:
		return "same as the main connection's";
	case TRUST_KNOWN:
		return "matches the known-hosts file";
	case TRUST_ACCEPTED:
		return "accepted by you";
	default:
		return "not trusted";
	}
}

const char *
trust_known_path(const char *path, char *out, size_t n)
{
	const char *home;

	if (path && *path) {
		if ((size_t)snprintf(out, n, "%s", path) >= n)
			return NULL;
		return out;
	}
	home = getenv("HOME");
	if (!home || !*home) {
		struct passwd *pw = getpwuid(getuid());

		home = pw ? pw->pw_dir : NULL;
	}
	if (!home || (size_t)snprintf(out, n, "%s/.ftp_known_hosts", home) >= n)
		return NULL;
	return out;
}
