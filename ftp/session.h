/* session.h: the process-wide state of the ftp program: user settings,
 * the main control connection, and the exit status so far.  Initialized in
 * one place (session_init); command handlers reach it through `ses`. */
#ifndef FTP_SESSION_H
#define FTP_SESSION_H

#include <stdint.h>
#include "client.h"

struct settings {
	int verbose;		/* show server replies */
	int debug;		/* show commands sent ("---> ...") */
	int prompt;		/* ask before each file in mget/mput/mdelete */
	int glob;		/* expand wildcards in mget/mput/mdelete */
	int hash;		/* print '#' per hash_size bytes */
	unsigned hash_size;
	int progress;		/* progress bars wanted (only on a terminal) */
	int passive;		/* 1 passive (default), 0 active (PORT/EPRT) */
	int epsv;		/* try EPSV before PASV */
	char type;		/* 'I' (default) or 'A' */
	uint64_t rate_get;	/* bytes/s, 0 = unlimited */
	uint64_t rate_put;
	int family;		/* AF_UNSPEC, AF_INET, AF_INET6 */
	int connect_timeout_ms;
	int ctrl_timeout_ms;	/* waiting for a reply */
	int data_timeout_ms;	/* a stalled data connection */
	int parallel;		/* default connections for mirror/mget/mput */
	int interactive;	/* commands come from a terminal */
	int autologin;		/* log in after open (netrc or prompt) */
	const char *netrc;	/* NULL: ~/.netrc */
	unsigned retry_secs;	/* -r: pause between connect attempts */
	int stop_on_error;
	int preserve;		/* set local mtimes from the server */
	int verify;		/* check transfers with HASH when offered */
	int anonymous;		/* -a: log in as anonymous */
	const char *port;	/* default port for open (-P) */
	int anon_fallback;	/* no user and no netrc entry: anonymous */
	int noedit;		/* -e: plain line input, no readline */
	/* TLS (ftps.c, trust.c) */
	int tls;		/* --tls: AUTH TLS on every connection */
	int insecure;		/* --insecure: no certificate checks */
	const char *cacert;	/* --cacert FILE: another trusted CA */
	const char *fingerprint;	/* --fingerprint: the one accepted */
	const char *known_hosts;	/* --known-hosts; NULL: default */
};

struct session {
	struct settings set;
	struct ftp_client cl;	/* the main connection */
	int first_status;	/* status of the first failure, 0 if none */
	int quit;		/* the command loop ends after this command */
	/* The command input when not interactive (stdin or --script), so that
	 * a login prompt reads the next line like tnftp does. */
	void *batch_in;
};

extern struct session *ses;

void session_init(struct session *s);
/* Remembers st if it is the first failure. */
void session_record(int st);
/* 1 if a progress bar may be drawn now (setting on, stderr a terminal). */
int session_show_progress(void);

#endif
