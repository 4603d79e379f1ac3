/* cli.h: the command line, parsed into a struct (no globals, so it can be
 * tested).  Short options mean what they mean in tnftp; what tnftp lacks
 * has long options only. */
#ifndef FTP_CLI_H
#define FTP_CLI_H

#include <stdint.h>
#include <stddef.h>
#include <stdio.h>

struct cli {
	int no_autologin;	/* -n */
	int no_prompt;		/* -i */
	int anonymous;		/* -a */
	int passive;		/* -p 1, -A 0, -1 unset */
	int verbose;		/* -v 1, -V 0, -1 unset */
	int debug;		/* -d */
	int quiet;		/* -q, --no-progress */
	int noglob;		/* -g */
	int noedit;		/* -e */
	int family;		/* -4 / -6: AF_INET / AF_INET6, else AF_UNSPEC */
	int stall_secs;		/* -q N (tnftp's quit time), 0 unset */
	unsigned retry_secs;	/* -r SECONDS, 0 unset */
	int resume;		/* -R: resume auto-fetches */
	uint64_t rate_get;	/* -T */
	uint64_t rate_put;
	const char *netrc;	/* -N FILE */
	const char *port;	/* -P PORT */
	const char *outfile;	/* -o FILE ("-" = stdout) */
	const char *upload_url;	/* -u URL */
	const char *script;	/* --script FILE */
	int stop_on_error;	/* --stop-on-error */
	int parallel;		/* --parallel N, 0 unset */
	int tls;		/* --tls */
	int insecure;		/* --insecure */
	const char *cacert;	/* --cacert FILE */
	const char *fingerprint;	/* --fingerprint SHA256:... */
	const char *known_hosts;	/* --known-hosts FILE */
	int verify;		/* --verify 1, --no-verify 0, -1 unset */
	const char *manifest;	/* --manifest FILE */
	const char *results;	/* --results FILE */
	int help;		/* --help / -h */
	int version;		/* --version */
	char **args;		/* operands (host [port] or URLs or files) */
	int nargs;
};

/* Returns 0, or -1 with a message in err (exit 64).  o->args points into
 * a malloc'd array owned by o (free with cli_free). */
int cli_parse(int argc, char **argv, struct cli *o, char *err, size_t errlen);
void cli_free(struct cli *o);
/* The --help text. */
void cli_usage(FILE *fp);

#endif
