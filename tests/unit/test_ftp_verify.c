/* test_ftp_verify.c: the local SHA-256 used for verification, the
 * manifest escapes, and the --verify / --manifest options. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "../../ftp/cli.h"
#include "../../ftp/manifest.h"
#include "../../ftp/verify.h"

#define ARGV(...) ((char *[]){ "ftp", __VA_ARGS__, NULL })

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
test_sha256_fd(void)
{
	char path[] = "/tmp/ftp-unit-verify-XXXXXX";
	char hex[VERIFY_HEXLEN];
	int fd = mkstemp(path);
	char *big;

	CU_ASSERT_FATAL(fd >= 0);
	(void)unlink(path);
	CU_ASSERT_EQUAL(verify_sha256_fd(fd, hex), 0);
	CU_ASSERT_STRING_EQUAL(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4"
			       "649b934ca495991b7852b855");
	CU_ASSERT_EQUAL(write(fd, "abc", 3), 3);
	CU_ASSERT_EQUAL(verify_sha256_fd(fd, hex), 0);
	CU_ASSERT_STRING_EQUAL(hex, "ba7816bf8f01cfea414140de5dae2223b00361a3"
			       "96177a9cb410ff61f20015ad");
	/* the position is left alone (pread) */
	CU_ASSERT_EQUAL(lseek(fd, 0, SEEK_CUR), 3);
	/* more than one read buffer: 200000 times 'a' */
	big = malloc(200000);
	CU_ASSERT_FATAL(big != NULL);
	memset(big, 'a', 200000);
	CU_ASSERT_EQUAL(ftruncate(fd, 0), 0);
	CU_ASSERT_EQUAL(pwrite(fd, big, 200000, 0), 200000);
	CU_ASSERT_EQUAL(verify_sha256_fd(fd, hex), 0);
	CU_ASSERT_STRING_EQUAL(hex, "2287d207f24a941ff3b56c04c8a25ad56b63e302"
			       "3207b3bb5b4ac0c9869d74be");
	free(big);
	CU_ASSERT_EQUAL(close(fd), 0);
	CU_ASSERT_EQUAL(verify_sha256_fd(-1, hex), -1);
}

static void
test_unescape(void)
{
	char a[] = "plain name.bin";
	char b[] = "tab\\there\\nnew\\\\back\\rcr";
	char c[] = "bad\\x";
	char d[] = "trailing\\";
	char e[] = "\\\\t";

	CU_ASSERT_EQUAL(manifest_unescape(a), 0);
	CU_ASSERT_STRING_EQUAL(a, "plain name.bin");
	CU_ASSERT_EQUAL(manifest_unescape(b), 0);
	CU_ASSERT_STRING_EQUAL(b, "tab\there\nnew\\back\rcr");
	CU_ASSERT_EQUAL(manifest_unescape(c), -1);
	CU_ASSERT_EQUAL(manifest_unescape(d), -1);
	CU_ASSERT_EQUAL(manifest_unescape(e), 0);
	CU_ASSERT_STRING_EQUAL(e, "\\t");
}

static void
test_options(void)
{
	struct cli o;

	CU_ASSERT_EQUAL(run(ARGV("host"), &o), 0);
	CU_ASSERT_EQUAL(o.verify, -1);
	cli_free(&o);
	CU_ASSERT_EQUAL(run(ARGV("--no-verify", "host"), &o), 0);
	CU_ASSERT_EQUAL(o.verify, 0);
	cli_free(&o);
	CU_ASSERT_EQUAL(run(ARGV("--no-verify", "--verify", "host"), &o), 0);
	CU_ASSERT_EQUAL(o.verify, 1);
	cli_free(&o);
	CU_ASSERT_EQUAL(run(ARGV("--verify=yes", "host"), &o), -1);
	cli_free(&o);
	CU_ASSERT_EQUAL(run(ARGV("--manifest", "m.txt", "--results=r.json",
				 "--parallel", "8", "ftp://h/d/"), &o), 0);
	CU_ASSERT_STRING_EQUAL(o.manifest, "m.txt");
	CU_ASSERT_STRING_EQUAL(o.results, "r.json");
	CU_ASSERT_EQUAL(o.parallel, 8);
	cli_free(&o);
	/* one URL, no -u / -o; --results only with a manifest */
	CU_ASSERT_EQUAL(run(ARGV("--manifest", "m.txt"), &o), -1);
	cli_free(&o);
	CU_ASSERT_EQUAL(run(ARGV("--manifest", "m", "ftp://a/", "ftp://b/"),
			    &o), -1);
	cli_free(&o);
	CU_ASSERT_EQUAL(run(ARGV("--results", "r", "ftp://a/x"), &o), -1);
	cli_free(&o);
}

void
suite_ftp_verify(void)
{
	UNIT_SUITE("ftp_verify");
	UNIT_TEST(test_sha256_fd);
	UNIT_TEST(test_unescape);
	UNIT_TEST(test_options);
}
