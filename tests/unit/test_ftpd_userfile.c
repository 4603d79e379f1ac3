/* test_ftpd_userfile.c: users-file parsing and lookup, and the password
 * check (crypt_r) the monitor uses. */
#include "config.h"

#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "../../ftpd/auth.h"
#include "../../ftpd/userfile.h"

static void
test_parse_line(void)
{
	struct userfile_entry e;
	const char *why = NULL;

	CU_ASSERT_EQUAL(userfile_parse_line("alice:$6$s$h:/srv/alice", &e, &why), 0);
	CU_ASSERT_STRING_EQUAL(e.name, "alice");
	CU_ASSERT_STRING_EQUAL(e.hash, "$6$s$h");
	CU_ASSERT_STRING_EQUAL(e.home, "/srv/alice");
	CU_ASSERT_EQUAL(e.readonly, 0);
	CU_ASSERT_EQUAL(userfile_parse_line("bob:$y$x:/h:ro", &e, &why), 0);
	CU_ASSERT_EQUAL(e.readonly, 1);
	CU_ASSERT_STRING_EQUAL(e.options, "ro");
	CU_ASSERT_EQUAL(userfile_parse_line("bob:h:/h:", &e, &why), 0);
	CU_ASSERT_EQUAL(userfile_parse_line("", &e, &why), 1);
	CU_ASSERT_EQUAL(userfile_parse_line("   ", &e, &why), 1);
	CU_ASSERT_EQUAL(userfile_parse_line("# comment", &e, &why), 1);
	CU_ASSERT_EQUAL(userfile_parse_line("alice", &e, &why), -1);
	CU_ASSERT_EQUAL(userfile_parse_line("alice:hash", &e, &why), -1);
	CU_ASSERT_EQUAL(userfile_parse_line("alice::/h", &e, &why), -1);
	CU_ASSERT_EQUAL(userfile_parse_line("alice:h:relative", &e, &why), -1);
	CU_ASSERT_EQUAL(userfile_parse_line(":h:/h", &e, &why), -1);
	CU_ASSERT_EQUAL(userfile_parse_line("a b:h:/h", &e, &why), -1);
	CU_ASSERT_EQUAL(userfile_parse_line("-x:h:/h", &e, &why), -1);
	CU_ASSERT_EQUAL(userfile_parse_line("bob:h:/h:bogus", &e, &why), -1);
	CU_ASSERT_PTR_NOT_NULL(why);
}

static void
test_valid_name(void)
{
	char longname[100];

	CU_ASSERT(userfile_valid_name("alice"));
	CU_ASSERT(userfile_valid_name("a.b-c_d@e+f"));
	CU_ASSERT_FALSE(userfile_valid_name(""));
	CU_ASSERT_FALSE(userfile_valid_name(".hidden"));
	CU_ASSERT_FALSE(userfile_valid_name("a:b"));
	CU_ASSERT_FALSE(userfile_valid_name("a/b"));
	CU_ASSERT_FALSE(userfile_valid_name("a\nb"));
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	CU_ASSERT_FALSE(userfile_valid_name(longname));
}

static void
test_lookup(void)
{
	char path[] = "/tmp/ftpd-unit-users-XXXXXX", err[256];
	struct userfile_entry e;
	FILE *fp;
	int fd = mkstemp(path);

	CU_ASSERT_FATAL(fd >= 0);
	fp = fdopen(fd, "w");
	fputs("# users\n\ncarol:$6$a$b:/home/carol\r\nbroken line\n"
	      "dave:$6$c$d:/home/dave:ro\nerin:x:not-absolute\n", fp);
	fclose(fp);
	CU_ASSERT_EQUAL(userfile_lookup(path, "carol", &e, err, sizeof err), 0);
	CU_ASSERT_STRING_EQUAL(e.home, "/home/carol");	/* CR stripped */
	CU_ASSERT_EQUAL(userfile_lookup(path, "dave", &e, err, sizeof err), 0);
	CU_ASSERT_EQUAL(e.readonly, 1);
	CU_ASSERT_EQUAL(userfile_lookup(path, "nobody", &e, err, sizeof err), 1);
	/* A malformed line of the user asked for fails closed. */
	CU_ASSERT_EQUAL(userfile_lookup(path, "erin", &e, err, sizeof err), -1);
	CU_ASSERT_EQUAL(userfile_check(path, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, ":4: "));
	CU_ASSERT_EQUAL(userfile_lookup("/nonexistent/x", "a", &e, err, sizeof err), -1);
	unlink(path);
}

static void
test_check_hash(void)
{
	struct crypt_data cd;
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	const char *h;
	char hash[256];

	memset(&cd, 0, sizeof cd);
	CU_ASSERT_PTR_NOT_NULL_FATAL(crypt_gensalt_rn("$6$", 0, NULL, 0, salt,
						      sizeof salt));
	h = crypt_r("s3cret", salt, &cd);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	snprintf(hash, sizeof hash, "%s", h);
	CU_ASSERT_EQUAL(auth_check_hash("s3cret", hash), 1);
	CU_ASSERT_EQUAL(auth_check_hash("s3cret ", hash), 0);
	CU_ASSERT_EQUAL(auth_check_hash("", hash), 0);
	CU_ASSERT_EQUAL(auth_check_hash("s3cret", "!"), 0);
	CU_ASSERT_EQUAL(auth_check_hash("s3cret", "*"), 0);
	CU_ASSERT_EQUAL(auth_check_hash("", ""), 0);
	CU_ASSERT_EQUAL(auth_check_hash("x", "garbage"), 0);
	if (crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof salt) != NULL) {
		h = crypt_r("pw", salt, &cd);
		CU_ASSERT_PTR_NOT_NULL_FATAL(h);
		snprintf(hash, sizeof hash, "%s", h);
		CU_ASSERT_EQUAL(auth_check_hash("pw", hash), 1);
		CU_ASSERT_EQUAL(auth_check_hash("pW", hash), 0);
	}
}

static void
test_anonymous_names(void)
{
	CU_ASSERT(auth_is_anonymous("anonymous"));
	CU_ASSERT(auth_is_anonymous("FTP"));
	CU_ASSERT(auth_is_anonymous("Anonymous"));
	CU_ASSERT_FALSE(auth_is_anonymous("anon"));
	CU_ASSERT_FALSE(auth_is_anonymous("ftpuser"));
}

void
suite_ftpd_userfile(void)
{
	UNIT_SUITE("ftpd_userfile");
	UNIT_TEST(test_parse_line);
	UNIT_TEST(test_valid_name);
	UNIT_TEST(test_lookup);
	UNIT_TEST(test_check_hash);
	UNIT_TEST(test_anonymous_names);
}
