/* test_ftp_netrc.c: netrc parsing (machine, default, quoting, macdef
 * init) and the refusal of a password-bearing file others can read. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "../../ftp/netrc.h"

static const char *const sample =
	"# comment words are skipped\n"
	"machine alpha.example login al password \"p w\\\"x\"\n"
	"machine Beta.Example\n"
	"  login bob\n"
	"  password bobpw account acc1\n"
	"  macdef init\n"
	"cd /pub\n"
	"binary\n"
	"\n"
	"machine gamma login gam\n"
	"default login anonymous password me@\n";

static void
test_netrc_machine(void)
{
	struct netrc_entry e;
	char err[128];

	CU_ASSERT_EQUAL(netrc_parse(sample, "alpha.example", &e, err,
				    sizeof err), 0);
	CU_ASSERT(e.found);
	CU_ASSERT(!e.is_default);
	CU_ASSERT_STRING_EQUAL(e.login, "al");
	CU_ASSERT_STRING_EQUAL(e.password, "p w\"x");
	CU_ASSERT_PTR_NULL(e.init);
	netrc_free(&e);

	/* host names compare without case; macdef init is kept */
	CU_ASSERT_EQUAL(netrc_parse(sample, "beta.example", &e, err,
				    sizeof err), 0);
	CU_ASSERT(e.found);
	CU_ASSERT_STRING_EQUAL(e.login, "bob");
	CU_ASSERT_STRING_EQUAL(e.password, "bobpw");
	CU_ASSERT_STRING_EQUAL(e.account, "acc1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(e.init);
	CU_ASSERT_STRING_EQUAL(e.init, "cd /pub\nbinary\n");
	netrc_free(&e);

	/* an entry after a macro still parses */
	CU_ASSERT_EQUAL(netrc_parse(sample, "gamma", &e, err, sizeof err), 0);
	CU_ASSERT(e.found);
	CU_ASSERT_STRING_EQUAL(e.login, "gam");
	CU_ASSERT_PTR_NULL(e.password);
	netrc_free(&e);
}

static void
test_netrc_default(void)
{
	struct netrc_entry e;
	char err[128];

	CU_ASSERT_EQUAL(netrc_parse(sample, "other", &e, err, sizeof err), 0);
	CU_ASSERT(e.found);
	CU_ASSERT(e.is_default);
	CU_ASSERT_STRING_EQUAL(e.login, "anonymous");
	CU_ASSERT_STRING_EQUAL(e.password, "me@");
	netrc_free(&e);

	CU_ASSERT_EQUAL(netrc_parse("machine a login x\n", "b", &e, err,
				    sizeof err), 0);
	CU_ASSERT(!e.found);
	CU_ASSERT_PTR_NULL(e.login);
	netrc_free(&e);

	CU_ASSERT_EQUAL(netrc_parse("", "b", &e, err, sizeof err), 0);
	CU_ASSERT(!e.found);
	netrc_free(&e);
}

static void
test_netrc_errors(void)
{
	struct netrc_entry e;
	char err[128];
	char *big;

	CU_ASSERT_EQUAL(netrc_parse("machine", "a", &e, err, sizeof err), -1);
	CU_ASSERT_EQUAL(netrc_parse("machine a login", "a", &e, err,
				    sizeof err), -1);
	CU_ASSERT_EQUAL(netrc_parse("machine a macdef", "a", &e, err,
				    sizeof err), -1);
	/* a macro without an ending blank line runs to the end */
	CU_ASSERT_EQUAL(netrc_parse("machine a macdef init\nls", "a", &e, err,
				    sizeof err), 0);
	CU_ASSERT_STRING_EQUAL(e.init, "ls");
	netrc_free(&e);
	/* over-long tokens are refused, not truncated */
	big = malloc(10000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	memcpy(big, "machine a password ", 19);
	memset(big + 19, 'x', 9000);
	big[9019] = '\0';
	CU_ASSERT_EQUAL(netrc_parse(big, "a", &e, err, sizeof err), -1);
	free(big);
}

static void
test_netrc_permissions(void)
{
	char dir[] = "/tmp/unit-netrc-XXXXXX";
	char path[256];
	struct netrc_entry e;
	int fd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	(void)snprintf(path, sizeof path, "%s/netrc", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, sample, strlen(sample)),
			(ssize_t)strlen(sample));
	CU_ASSERT_EQUAL(close(fd), 0);

	CU_ASSERT_EQUAL(netrc_lookup(path, "alpha.example", &e), 0);
	CU_ASSERT(e.found);
	CU_ASSERT_STRING_EQUAL(e.password, "p w\"x");
	netrc_free(&e);

	/* readable by others while holding a password: refused */
	CU_ASSERT_EQUAL(chmod(path, 0644), 0);
	CU_ASSERT_EQUAL(netrc_lookup(path, "alpha.example", &e), -1);
	CU_ASSERT(!e.found);
	CU_ASSERT_PTR_NULL(e.password);
	netrc_free(&e);
	CU_ASSERT_EQUAL(chmod(path, 0640), 0);
	CU_ASSERT_EQUAL(netrc_lookup(path, "alpha.example", &e), -1);
	netrc_free(&e);

	/* another entry's password is enough to refuse the file */
	CU_ASSERT_EQUAL(netrc_lookup(path, "gamma", &e), -1);
	CU_ASSERT(!e.found);
	netrc_free(&e);

	/* no password anywhere: a readable file is fine */
	fd = open(path, O_WRONLY | O_TRUNC);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, "machine gamma login gam\n", 24), 24);
	CU_ASSERT_EQUAL(close(fd), 0);
	CU_ASSERT_EQUAL(chmod(path, 0644), 0);
	CU_ASSERT_EQUAL(netrc_lookup(path, "gamma", &e), 0);
	CU_ASSERT(e.found);
	CU_ASSERT_STRING_EQUAL(e.login, "gam");
	netrc_free(&e);

	/* a missing file is no error */
	CU_ASSERT_EQUAL(unlink(path), 0);
	CU_ASSERT_EQUAL(netrc_lookup(path, "gamma", &e), 0);
	CU_ASSERT(!e.found);
	CU_ASSERT_EQUAL(rmdir(dir), 0);
}

void
suite_ftp_netrc(void)
{
	UNIT_SUITE("ftp_netrc");
	UNIT_TEST(test_netrc_machine);
	UNIT_TEST(test_netrc_default);
	UNIT_TEST(test_netrc_errors);
	UNIT_TEST(test_netrc_permissions);
}
