/* test_ftp_cli.c: the command-line parser (tnftp short options, long
 * options, "-q" vs "-q N", values attached or separate, errors) and the
 * command table's prefix lookup. */
#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "unit.h"
#include "../../ftp/cli.h"
#include "../../ftp/cmdtab.h"
#include "../../ftp/status.h"

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
}
