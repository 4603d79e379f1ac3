/* test_ftp_cli.c: the command-line parser (tnftp short options, long
 * options, "-q" vs "-q N", values attached or separate, errors, the TLS
 * options), the command table's prefix lookup, and what the TLS options
 * decide about a certificate (trust.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "unit.h"
#include "../../ftp/cli.h"
#include "../../ftp/cmdtab.h"
#include "../../ftp/status.h"
#include "../../ftp/trust.h"
#include "tls.h"

#define ARGV(...) ((char *[]){ "ftp", __VA_ARGS__, NULL })

/* argc is counted from the NULL-terminated vector */
static int
run(char **argv, struct cli *o)
{
	char err[256];
	int argc = 0;

	while (argv[argc])
		argc++;
	return cli_parse(argc, argv, o, err, sizeof err);
}

static void
test_cli_flags(void)
{
	char **v = ARGV("-nivd", "-p", "-4", "host.example", "2121");
	struct cli o;

	CU_ASSERT_EQUAL(run(v, &o), 0);
	CU_ASSERT(o.no_autologin);
	CU_ASSERT(o.no_prompt);
	CU_ASSERT_EQUAL(o.verbose, 1);
	CU_ASSERT(o.debug);
	CU_ASSERT_EQUAL(o.passive, 1);
	CU_ASSERT_EQUAL(o.family, AF_INET);
	CU_ASSERT_EQUAL(o.nargs, 2);
	CU_ASSERT_STRING_EQUAL(o.args[0], "host.example");
	CU_ASSERT_STRING_EQUAL(o.args[1], "2121");
	CU_ASSERT_PTR_NULL(o.args[2]);
	cli_free(&o);

	v = ARGV("-A", "-V", "-6", "-a", "-g", "-e", "-t");
	CU_ASSERT_EQUAL(run(v, &o), 0);
	CU_ASSERT_EQUAL(o.passive, 0);
	CU_ASSERT_EQUAL(o.verbose, 0);
	CU_ASSERT_EQUAL(o.family, AF_INET6);
	CU_ASSERT(o.anonymous && o.noglob && o.noedit);
	CU_ASSERT_EQUAL(o.nargs, 0);
	cli_free(&o);

	/* unset stays unset */
	v = ARGV("h");
	CU_ASSERT_EQUAL(run(v, &o), 0);
	CU_ASSERT_EQUAL(o.passive, -1);
	CU_ASSERT_EQUAL(o.verbose, -1);
	CU_ASSERT_EQUAL(o.family, AF_UNSPEC);
	cli_free(&o);
}

static void
test_cli_values(void)
{
	char **v = ARGV("-N", "/tmp/n", "-P2121", "-o", "-", "-r", "5",
			"-T", "get,64K", "-Tput,1M", "ftp://h/f");
	struct cli o;

	CU_ASSERT_EQUAL(run(v, &o), 0);
	CU_ASSERT_STRING_EQUAL(o.netrc, "/tmp/n");
	CU_ASSERT_STRING_EQUAL(o.port, "2121");
	CU_ASSERT_STRING_EQUAL(o.outfile, "-");
	CU_ASSERT_EQUAL(o.retry_secs, 5);
	CU_ASSERT_EQUAL(o.rate_get, 64 * 1024);
	CU_ASSERT_EQUAL(o.rate_put, 1024 * 1024);
	CU_ASSERT_EQUAL(o.nargs, 1);
	cli_free(&o);

	v = ARGV("-T", "100K", "-u", "ftp://h/d/", "a", "b");
	CU_ASSERT_EQUAL(run(v, &o), 0);
	CU_ASSERT_EQUAL(o.rate_get, 100 * 1024);
	CU_ASSERT_EQUAL(o.rate_put, 100 * 1024);
	CU_ASSERT_STRING_EQUAL(o.upload_url, "ftp://h/d/");
	CU_ASSERT_EQUAL(o.nargs, 2);
	cli_free(&o);

	/* -T all,RATE,INCREMENT (tnftp) */
	v = ARGV("-T", "all,2K,1K");
	CU_ASSERT_EQUAL(run(v, &o), 0);
	CU_ASSERT_EQUAL(o.rate_get, 2048);
	cli_free(&o);
}

static void
test_cli_quiet(void)
{
	char **v = ARGV("-q", "host");
	struct cli o;

	CU_ASSERT_EQUAL(run(v, &o), 0);
	CU_ASSERT(o.quiet);
	CU_ASSERT_EQUAL(o.stall_secs, 0);
	CU_ASSERT_EQUAL(o.nargs, 1);
	cli_free(&o);

	/* tnftp's "-q quittime" keeps its meaning */
	v = ARGV("-q", "30", "host");
	CU_ASSERT_EQUAL(run(v, &o), 0);
	CU_ASSERT(!o.quiet);
	CU_ASSERT_EQUAL(o.stall_secs, 30);
	CU_ASSERT_EQUAL(o.nargs, 1);
	CU_ASSERT_STRING_EQUAL(o.args[0], "host");
	cli_free(&o);

	v = ARGV("--no-progress", "host");
	CU_ASSERT_EQUAL(run(v, &o), 0);
	CU_ASSERT(o.quiet);
	cli_free(&o);
}

static void
test_cli_long(void)
{
	char **v = ARGV("--script", "s.txt", "--stop-on-error",
			"--parallel=4", "host");
	struct cli o;

	CU_ASSERT_EQUAL(run(v, &o), 0);
	CU_ASSERT_STRING_EQUAL(o.script, "s.txt");
	CU_ASSERT(o.stop_on_error);
	CU_ASSERT_EQUAL(o.parallel, 4);
	CU_ASSERT_EQUAL(o.nargs, 1);
	cli_free(&o);

	v = ARGV("--help");
	CU_ASSERT_EQUAL(run(v, &o), 0);
	CU_ASSERT(o.help);
	cli_free(&o);
	v = ARGV("--version");
	CU_ASSERT_EQUAL(run(v, &o), 0);
	CU_ASSERT(o.version);
	cli_free(&o);

	/* "--" ends options: a file named -x */
	v = ARGV("-u", "ftp://h/", "--", "-x");
	CU_ASSERT_EQUAL(run(v, &o), 0);
	CU_ASSERT_EQUAL(o.nargs, 1);
	CU_ASSERT_STRING_EQUAL(o.args[0], "-x");
	cli_free(&o);
}

static void
test_cli_errors(void)
{
	struct cli o;

	CU_ASSERT_EQUAL(run(ARGV("-Z"), &o), -1);
	cli_free(&o);
	CU_ASSERT_EQUAL(run(ARGV("--bogus"), &o), -1);
	cli_free(&o);
	CU_ASSERT_EQUAL(run(ARGV("-P"), &o), -1);
	cli_free(&o);
	CU_ASSERT_EQUAL(run(ARGV("-P", "0"), &o), -1);
	cli_free(&o);
	CU_ASSERT_EQUAL(run(ARGV("-P", "70000"), &o), -1);
	cli_free(&o);
	CU_ASSERT_EQUAL(run(ARGV("-r", "x"), &o), -1);
	cli_free(&o);
	CU_ASSERT_EQUAL(run(ARGV("-T", "sideways,5"), &o), -1);
	cli_free(&o);
	CU_ASSERT_EQUAL(run(ARGV("-T", "get,lots"), &o), -1);
	cli_free(&o);
	CU_ASSERT_EQUAL(run(ARGV("--parallel", "0"), &o), -1);
	cli_free(&o);
	CU_ASSERT_EQUAL(run(ARGV("--parallel", "65"), &o), -1);
	cli_free(&o);
	CU_ASSERT_EQUAL(run(ARGV("--script"), &o), -1);
	cli_free(&o);
	CU_ASSERT_EQUAL(run(ARGV("--help=yes"), &o), -1);
	cli_free(&o);
	CU_ASSERT_EQUAL(run(ARGV("-u", "ftp://h/"), &o), -1);
	cli_free(&o);
}

static void
test_cmdtab_lookup(void)
{
	int amb;
	const struct cmd *c;

	c = cmd_lookup("get", &amb);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(c->name, "get");
	c = cmd_lookup("mir", &amb);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(c->name, "mirror");
	/* exact names win over longer ones */
	c = cmd_lookup("ls", &amb);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(c->name, "ls");
	CU_ASSERT_PTR_NULL(cmd_lookup("q", &amb));	/* quit, quote */
	CU_ASSERT_EQUAL(amb, 1);
	CU_ASSERT_PTR_NULL(cmd_lookup("nosuch", &amb));
	CU_ASSERT_EQUAL(amb, 0);
	CU_ASSERT_PTR_NULL(cmd_lookup("", &amb));
	c = cmd_lookup("?", &amb);
	CU_ASSERT_PTR_NOT_NULL(c);
	/* the table is sorted so help lists it in order */
	for (size_t i = 1; i < cmdtab_len; i++)
		CU_ASSERT(strcmp(cmdtab[i - 1].name, cmdtab[i].name) < 0);
}

static void
test_status_map(void)
{
	CU_ASSERT_EQUAL(status_from_reply(226), ST_OK);
	CU_ASSERT_EQUAL(status_from_reply(530), ST_LOGIN);
	CU_ASSERT_EQUAL(status_from_reply(550), ST_NOTFOUND);
	CU_ASSERT_EQUAL(status_from_reply(553), ST_NOTFOUND);
	CU_ASSERT_EQUAL(status_from_reply(421), ST_NET);
	CU_ASSERT_EQUAL(status_from_reply(425), ST_NET);
	CU_ASSERT_EQUAL(status_from_reply(-1), ST_NET);
	CU_ASSERT_EQUAL(status_from_reply(502), ST_OTHER);
}

#define FP_A "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"

static void
test_cli_tls(void)
{
	char **v = ARGV("--tls", "--cacert", "ca.pem", "--known-hosts=kh",
			"--fingerprint", FP_A, "h");
	char err[256];
	struct cli o;

	CU_ASSERT_EQUAL(run(v, &o), 0);
	CU_ASSERT(o.tls);
	CU_ASSERT(!o.insecure);
	CU_ASSERT_STRING_EQUAL(o.cacert, "ca.pem");
	CU_ASSERT_STRING_EQUAL(o.known_hosts, "kh");
	CU_ASSERT_STRING_EQUAL(o.fingerprint, FP_A);
	CU_ASSERT_EQUAL(o.nargs, 1);
	cli_free(&o);

	v = ARGV("--insecure", "ftps://h/");
	CU_ASSERT_EQUAL(run(v, &o), 0);
	CU_ASSERT(o.insecure);
	CU_ASSERT(!o.tls);
	cli_free(&o);

	/* the hex form openssl prints is accepted too */
	v = ARGV("--fingerprint=E3:B0:C4:42:98:FC:1C:14:9A:FB:F4:C8:99:6F:B9:"
		 "24:27:AE:41:E4:64:9B:93:4C:A4:95:99:1B:78:52:B8:55");
	CU_ASSERT_EQUAL(run(v, &o), 0);
	cli_free(&o);

	/* SECURITY: a mangled pin is an error, never "no pin" */
	v = ARGV("--fingerprint", "SHA256:abc", "h");
	CU_ASSERT_EQUAL(cli_parse(4, v, &o, err, sizeof err), -1);
	CU_ASSERT(strstr(err, "fingerprint") != NULL);
	cli_free(&o);
	v = ARGV("--fingerprint");
	CU_ASSERT_EQUAL(run(v, &o), -1);
	cli_free(&o);
	v = ARGV("--tls=yes");
	CU_ASSERT_EQUAL(run(v, &o), -1);
	cli_free(&o);
	v = ARGV("--insecure", "--fingerprint", FP_A);
	CU_ASSERT_EQUAL(run(v, &o), -1);
	cli_free(&o);
}

/* One row per case: the facts and the verdict they must give. */
static void
test_trust_decide(void)
{
	static const struct {
		struct trust_facts f;
		int want;
	} rows[] = {
		/* verified, insecure, pin_given, pin_match, session, known, ask */
		{ { 1, 0, 0, 0, 0, TLS_KNOWN_ABSENT, 0 }, TRUST_CA },
		{ { 1, 0, 0, 0, 0, TLS_KNOWN_MISMATCH, 1 }, TRUST_CA },
		{ { 1, 0, 0, 0, 0, TLS_KNOWN_ERROR, 0 }, TRUST_CA },
		{ { 0, 1, 0, 0, 0, TLS_KNOWN_MISMATCH, 0 }, TRUST_INSECURE },
		{ { 0, 0, 1, 1, 0, TLS_KNOWN_MISMATCH, 0 }, TRUST_PINNED },
		/* a pin is exact: a CA does not overrule it */
		{ { 1, 0, 1, 0, 0, TLS_KNOWN_MATCH, 1 }, TRUST_NO_PIN },
		{ { 0, 0, 1, 0, 1, TLS_KNOWN_MATCH, 1 }, TRUST_NO_PIN },
		{ { 0, 0, 0, 0, 1, TLS_KNOWN_ABSENT, 0 }, TRUST_SESSION },
		{ { 0, 0, 0, 0, 0, TLS_KNOWN_MATCH, 0 }, TRUST_KNOWN },
		/* a changed certificate is refused, asking or not */
		{ { 0, 0, 0, 0, 0, TLS_KNOWN_MISMATCH, 1 }, TRUST_CHANGED },
		{ { 0, 0, 0, 0, 0, TLS_KNOWN_MISMATCH, 0 }, TRUST_CHANGED },
		{ { 0, 0, 0, 0, 0, TLS_KNOWN_ABSENT, 1 }, TRUST_ASK },
		/* batch mode never asks */
		{ { 0, 0, 0, 0, 0, TLS_KNOWN_ABSENT, 0 }, TRUST_UNKNOWN },
		{ { 0, 0, 0, 0, 0, TLS_KNOWN_ERROR, 1 }, TRUST_STORE_ERROR },
	};

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		int v = trust_decide(&rows[i].f);

		CU_ASSERT_EQUAL(v, rows[i].want);
		if (v != rows[i].want)
			fprintf(stderr, "row %zu: got %d, want %d\n", i, v,
				rows[i].want);
	}
	CU_ASSERT(trust_ok(TRUST_CA) && trust_ok(TRUST_KNOWN) &&
		  trust_ok(TRUST_ACCEPTED) && trust_ok(TRUST_PINNED));
	CU_ASSERT(!trust_ok(TRUST_ASK) && !trust_ok(TRUST_CHANGED) &&
		  !trust_ok(TRUST_UNKNOWN) && !trust_ok(TRUST_NO_PIN) &&
		  !trust_ok(TRUST_STORE_ERROR));
}

static void
test_trust_known_path(void)
{
	char buf[64];
	const char *home = getenv("HOME");
	char *saved = home ? strdup(home) : NULL;

	CU_ASSERT_STRING_EQUAL(trust_known_path("/x/kh", buf, sizeof buf), "/x/kh");
	CU_ASSERT(setenv("HOME", "/home/u", 1) == 0);
	CU_ASSERT_STRING_EQUAL(trust_known_path(NULL, buf, sizeof buf),
			       "/home/u/.ftp_known_hosts");
	CU_ASSERT_STRING_EQUAL(trust_known_path("", buf, sizeof buf),
			       "/home/u/.ftp_known_hosts");
	/* too long for the buffer: no truncated path */
	CU_ASSERT_PTR_NULL(trust_known_path(NULL, buf, 10));
	if (saved) {
		(void)setenv("HOME", saved, 1);
		free(saved);
	} else {
		(void)unsetenv("HOME");
	}
}

void
suite_ftp_cli(void)
{
	UNIT_SUITE("ftp_cli");
	UNIT_TEST(test_cli_flags);
	UNIT_TEST(test_cli_values);
	UNIT_TEST(test_cli_quiet);
	UNIT_TEST(test_cli_long);
	UNIT_TEST(test_cli_errors);
	UNIT_TEST(test_cmdtab_lookup);
	UNIT_TEST(test_status_map);
	UNIT_TEST(test_cli_tls);
	UNIT_TEST(test_trust_decide);
	UNIT_TEST(test_trust_known_path);
}
