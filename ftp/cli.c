/* cli.c: command-line options.  Options may appear anywhere before "--". */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "cli.h"
#include "parse.h"
#include "tls.h"

#define MAX_PARALLEL 64

void
cli_free(struct cli *o)
{
	free(o->args);
	o->args = NULL;
	o->nargs = 0;
}

static int
fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int
all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* -T [get|put|all,]RATE  (tnftp: direction,maximum[,increment]) */
static int
parse_rate_opt(struct cli *o, const char *v)
{
	const char *comma = strchr(v, ',');
	char num[32];
	uint64_t rate;
	int dir = 'a';

	if (comma) {
		size_t n = (size_t)(comma - v);

		if (n == 3 && strncasecmp(v, "get", 3) == 0)
			dir = 'g';
		else if (n == 3 && strncasecmp(v, "put", 3) == 0)
			dir = 'p';
		else if (n == 3 && strncasecmp(v, "all", 3) == 0)
			dir = 'a';
		else
			return -1;
		v = comma + 1;
	}
	/* an ",increment" part (tnftp) is accepted and ignored */
	comma = strchr(v, ',');
	if ((comma ? (size_t)(comma - v) : strlen(v)) >= sizeof num)
		return -1;
	(void)snprintf(num, sizeof num, "%.*s",
		       (int)(comma ? (size_t)(comma - v) : strlen(v)), v);
	if (parse_size(num, &rate) < 0)
		return -1;
	if (dir != 'p')
		o->rate_get = rate;
	if (dir != 'g')
		o->rate_put = rate;
	return 0;
}

/* Options that take a value.  Returns 0 or -1. */
static int
take_value(struct cli *o, int opt, const char *v, char *err, size_t errlen)
{
	uint64_t n;

	switch (opt) {
	case 'N': o->netrc = v; return 0;
	case 'o': o->outfile = v; return 0;
	case 'u': o->upload_url = v; return 0;
	case 'P':
		if (parse_u64(v, 65535, &n) < 0 || n == 0)
			return fail(err, errlen, "bad port: %s", v);
		o->port = v;
		return 0;
	case 'r':
		if (parse_u64(v, 86400, &n) < 0 || n == 0)
			return fail(err, errlen, "bad retry interval: %s", v);
		o->retry_secs = (unsigned)n;
		return 0;
	case 'T':
		if (parse_rate_opt(o, v) < 0)
			return fail(err, errlen, "bad rate: %s (use "
				    "[get|put|all,]BYTES[K|M|G])", v);
		return 0;
	case 'S':	/* --script */
		o->script = v;
		return 0;
	case 'C':	/* --cacert */
		o->cacert = v;
		return 0;
	case 'F':	/* --fingerprint */
		/* SECURITY: a typo must not turn into "no pin" */
		if (!tls_fingerprint_match(v, v))
			return fail(err, errlen, "bad --fingerprint: %s (use "
				    "SHA256:<base64> or 64 hex digits)", v);
		o->fingerprint = v;
		return 0;
	case 'M':	/* --manifest */
		o->manifest = v;
		return 0;
	case 'J':	/* --results */
		o->results = v;
		return 0;
	case 'K':	/* --known-hosts */
		o->known_hosts = v;
		return 0;
	case 'j':	/* --parallel */
		if (parse_u64(v, MAX_PARALLEL, &n) < 0 || n == 0)
			return fail(err, errlen, "bad --parallel value: %s "
				    "(1 to 64)", v);
		o->parallel = (int)n;
		return 0;
	}
	return fail(err, errlen, "internal: option %c", opt);
}

static int
long_option(struct cli *o, const char *arg, int argc, char **argv, int *i,
	    char *err, size_t errlen)
{
	static const struct {
		const char *name;
		int val;	/* 0: flag, else take_value code */
	} longs[] = {
		{ "help", 0 }, { "version", 0 }, { "no-progress", 0 },
		{ "stop-on-error", 0 }, { "script", 'S' }, { "parallel", 'j' },
		{ "tls", 0 }, { "insecure", 0 }, { "cacert", 'C' },
		{ "fingerprint", 'F' }, { "known-hosts", 'K' },
		{ "verify", 0 }, { "no-verify", 0 }, { "manifest", 'M' },
		{ "results", 'J' },
	};
	const char *name = arg + 2, *eq = strchr(name, '=');
	size_t n = eq ? (size_t)(eq - name) : strlen(name);

	for (size_t k = 0; k < sizeof longs / sizeof longs[0]; k++) {
		if (strlen(longs[k].name) != n ||
		    strncmp(longs[k].name, name, n) != 0)
			continue;
		if (longs[k].val == 0) {
			if (eq)
				return fail(err, errlen, "option --%s takes no "
					    "value", longs[k].name);
			if (strcmp(longs[k].name, "help") == 0)
				o->help = 1;
			else if (strcmp(longs[k].name, "version") == 0)
				o->version = 1;
			else if (strcmp(longs[k].name, "no-progress") == 0)
				o->quiet = 1;
			else if (strcmp(longs[k].name, "stop-on-error") == 0)
				o->stop_on_error = 1;
			else if (strcmp(longs[k].name, "tls") == 0)
				o->tls = 1;
			else if (strcmp(longs[k].name, "insecure") == 0)
				o->insecure = 1;
			else if (strcmp(longs[k].name, "verify") == 0)
				o->verify = 1;
			else if (strcmp(longs[k].name, "no-verify") == 0)
				o->verify = 0;
			return 0;
		}
		if (eq)
			return take_value(o, longs[k].val, eq + 1, err, errlen);
		if (*i + 1 >= argc)
			return fail(err, errlen, "option --%s needs a value",
				    longs[k].name);
		return take_value(o, longs[k].val, argv[++*i], err, errlen);
	}
	return fail(err, errlen, "unknown option: %s", arg);
}

int
cli_parse(int argc, char **argv, struct cli *o, char *err, size_t errlen)
{
	int only_operands = 0;

	memset(o, 0, sizeof *o);
	o->passive = -1;
	o->verbose = -1;
	o->verify = -1;
	o->family = AF_UNSPEC;
	o->args = calloc((size_t)argc + 1, sizeof *o->args);
	if (!o->args)
		return fail(err, errlen, "%s", "out of memory");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (only_operands || a[0] != '-' || a[1] == '\0') {
			o->args[o->nargs++] = argv[i];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_operands = 1;
			continue;
		}
		if (a[1] == '-') {
			if (long_option(o, a, argc, argv, &i, err, errlen) < 0)
				return -1;
			continue;
		}
		for (const char *f = a + 1; *f; f++) {
			char opt[3] = { '-', *f, '\0' };

			switch (*f) {
			case 'n': o->no_autologin = 1; break;
			case 'i': o->no_prompt = 1; break;
			case 'a': o->anonymous = 1; break;
			case 'p': o->passive = 1; break;
			case 'A': o->passive = 0; break;
			case 'v': o->verbose = 1; break;
			case 'V': o->verbose = 0; break;
			case 'd': o->debug = 1; break;
			case 'g': o->noglob = 1; break;
			case 'e': o->noedit = 1; break;
			case 'R': o->resume = 1; break;
			case 't': break;	/* tnftp packet trace: no-op */
			case '4': o->family = AF_INET; break;
			case '6': o->family = AF_INET6; break;
			case 'h': o->help = 1; break;
			case 'q':
				/* -q alone: quiet.  "-q N" is tnftp's quit
				 * time, kept so its scripts keep meaning. */
				if (f[1] == '\0' && i + 1 < argc &&
				    all_digits(argv[i + 1])) {
					uint64_t n;

					if (parse_u64(argv[++i], 86400, &n) < 0 ||
					    n == 0)
						return fail(err, errlen, "bad quit "
							    "time: %s", argv[i]);
					o->stall_secs = (int)n;
				} else {
					o->quiet = 1;
				}
				break;
			case 'N': case 'o': case 'u': case 'P': case 'r':
			case 'T': {
				const char *v;

				if (f[1]) {
					v = f + 1;
				} else if (i + 1 < argc) {
					v = argv[++i];
				} else {
					return fail(err, errlen, "option %s needs "
						    "a value", opt);
				}
				if (take_value(o, *f, v, err, errlen) < 0)
					return -1;
				goto next_arg;
			}
			default:
				return fail(err, errlen, "unknown option: %s", opt);
			}
		}
next_arg:
		;
	}
	o->args[o->nargs] = NULL;
	if (o->upload_url && o->nargs == 0)
		return fail(err, errlen, "%s", "-u needs the files to upload");
	if (o->results && !o->manifest)
		return fail(err, errlen, "%s", "--results goes with --manifest");
	if (o->manifest && (o->nargs != 1 || o->upload_url || o->outfile))
		return fail(err, errlen, "%s", "--manifest FILE takes one "
			    "ftp:// URL (the remote base folder)");
	if (o->insecure && o->fingerprint)
		return fail(err, errlen, "%s", "--insecure and --fingerprint "
			    "contradict each other");
	return 0;
}

void
cli_usage(FILE *fp)
{
	fprintf(fp,
"usage: ftp [options] [host [port]]\n"
"       ftp [options] ftp://[user[:password]@]host[:port]/path ...\n"
"       ftp [options] -u ftp://[user[:password]@]host[:port]/path/ file ...\n"
"       (ftps:// for implicit TLS, port 990; ftpes:// for AUTH TLS)\n"
"\n"
"Options (as in tnftp):\n"
"  -4, -6          use IPv4 / IPv6 only\n"
"  -A              active mode (PORT/EPRT); -p passive mode (default)\n"
"  -a              log in as anonymous\n"
"  -d              debugging: show the commands sent\n"
"  -e              no command-line editing\n"
"  -g              no wildcard expansion in mget/mput/mdelete\n"
"  -i              no prompting during mget/mput/mdelete\n"
"  -n              no auto-login at connect\n"
"  -N FILE         netrc file instead of ~/.netrc\n"
"  -o FILE         auto-fetch into FILE (\"-\": standard output)\n"
"  -P PORT         port to connect to (default 21)\n"
"  -q              quiet: no progress bar (\"-q N\": stall timeout N s)\n"
"  -R              resume interrupted auto-fetches\n"
"  -r SECONDS      retry a failed connect after SECONDS (10 tries)\n"
"  -T [get|put|all,]RATE  limit transfer rate (bytes/s, K/M/G suffix)\n"
"  -u URL          upload the files to URL\n"
"  -v, -V          verbose on / off\n"
"Long options:\n"
"  --no-progress   no progress bar\n"
"  --script FILE   read commands from FILE (batch mode)\n"
"  --stop-on-error stop at the first failing command\n"
"  --parallel N    connections for mirror, mget, mput and manifests (1-64)\n"
"  --verify, --no-verify  check each binary get/put against the server's\n"
"                  HASH (SHA-256) when its FEAT offers HASH (default on);\n"
"                  a mismatch is an error (exit 6)\n"
"Manifest batches:\n"
"  --manifest FILE URL  run the transfers listed in FILE against the folder\n"
"                  URL; lines: get|put TAB remote TAB local [TAB size\n"
"                  [TAB sha256]], with \\t \\n \\\\ escapes in names; '#' comments.\n"
"                  FILE.journal records what is done: running the same\n"
"                  command again finishes only what is left\n"
"  --results FILE  JSON lines, one per item (default FILE.results)\n"
"  --help, --version\n"
"TLS (FTPS, RFC 4217):\n"
"  --tls           require TLS: AUTH TLS before login, PROT P for data;\n"
"                  a server that cannot is left (exit 5)\n"
"  --cacert FILE   trust the CA(s) in FILE (PEM) besides the system's\n"
"  --fingerprint SHA256:...  accept exactly this certificate (a pin)\n"
"  --known-hosts FILE  remembered certificates (default ~/.ftp_known_hosts)\n"
"  --insecure      do not check the certificate at all (says so)\n"
"  An unverified certificate is accepted if remembered in the known-hosts\n"
"  file; otherwise ftp asks once on a terminal, and batch mode refuses.\n"
"\n"
"Exit status:\n"
"  0 all done            1 other failure        2 login refused\n"
"  3 not found or permission denied            4 network or timeout\n"
"  5 TLS or certificate  6 verification failed  64 usage error\n"
"  130 interrupted (batch)\n"
"With several failures the status is that of the first one.\n");
}
