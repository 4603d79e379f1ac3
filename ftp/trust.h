/* trust.h: whether the client goes on with a server's certificate.
 *
 * A certificate that verifies (system CA store plus --cacert, and the
 * host name) is trusted.  Otherwise, as ssh does with host keys: a
 * fingerprint given with --fingerprint, one remembered in the
 * known-hosts file, or the user's answer to a question asked once
 * (interactive only; batch mode never asks).  A certificate that differs
 * from the remembered or given one is refused.  --insecure skips all of
 * it.  The decision is a pure function of the facts, so it is tested on
 * its own; ftps.c gathers the facts and acts on the verdict. */
#ifndef FTP_TRUST_H
#define FTP_TRUST_H

#include <stddef.h>

enum trust_verdict {
	TRUST_CA,		/* verified chain and host name */
	TRUST_INSECURE,		/* --insecure: nothing checked */
	TRUST_PINNED,		/* equals --fingerprint */
	TRUST_SESSION,		/* equals the main connection's (workers) */
	TRUST_KNOWN,		/* equals the known-hosts entry */
	TRUST_ACCEPTED,		/* the user said yes (set by ftps.c) */
	TRUST_ASK,		/* unknown: ask the user */
	TRUST_NO_PIN,		/* differs from --fingerprint: refuse */
	TRUST_CHANGED,		/* differs from the known-hosts entry: refuse */
	TRUST_UNKNOWN,		/* unknown, nobody to ask (batch): refuse */
	TRUST_STORE_ERROR	/* known-hosts file unreadable: refuse */
};

struct trust_facts {
	int verified;		/* the CA chain and the host name passed */
	int insecure;		/* --insecure */
	int pin_given;		/* --fingerprint was given ... */
	int pin_match;		/* ... and equals the certificate's */
	int session_match;	/* equals the main connection's accepted one */
	int known;		/* enum tls_known_result for this host:port */
	int can_ask;		/* a person at a terminal can answer */
};

/* PURPOSE: the verdict for these facts.  Order: --insecure; then
 * --fingerprint, which pins (a different certificate is refused even if
 * a CA signed it); then CA verification; then the main connection's
 * certificate (parallel workers); then the known-hosts file; then ask.
 * RETURNS: enum trust_verdict. */
int trust_decide(const struct trust_facts *f);
/* 1 if the verdict lets the connection go on (TRUST_ASK is not). */
int trust_ok(int verdict);
/* Why a certificate was accepted, for verbose and `status`. */
const char *trust_label(int verdict);
/* The known-hosts file: path if set, else ~/.ftp_known_hosts.  Returns
 * out, or NULL when no home folder is known. */
const char *trust_known_path(const char *path, char *out, size_t n);

#endif
