/* test_ftp_url.c: ftp:// URL parsing (RFC 1738): user/password, IPv6
 * hosts, ports, percent-decoding per segment, %2F to the root, ;type=;
 * the TLS schemes ftps:// (implicit, port 990) and ftpes:// (explicit). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "../../ftp/url.h"

static int
parse(const char *s, struct ftp_url *u)
{
	char err[128];

	return url_parse(s, u, err, sizeof err);
}

static void
test_url_simple(void)
{
	struct ftp_url u;

	CU_ASSERT_EQUAL(parse("ftp://example.org/pub/file.txt", &u), 0);
	CU_ASSERT_PTR_NULL(u.user);
	CU_ASSERT_PTR_NULL(u.pass);
	CU_ASSERT_STRING_EQUAL(u.host, "example.org");
	CU_ASSERT_STRING_EQUAL(u.port, "21");
	CU_ASSERT_EQUAL(u.ndirs, 1);
	CU_ASSERT_STRING_EQUAL(u.dirs[0], "pub");
	CU_ASSERT_STRING_EQUAL(u.file, "file.txt");
	CU_ASSERT_EQUAL(u.type, 0);
	url_free(&u);

	CU_ASSERT_EQUAL(parse("FTP://h", &u), 0);
	CU_ASSERT_STRING_EQUAL(u.host, "h");
	CU_ASSERT_EQUAL(u.ndirs, 0);
	CU_ASSERT_PTR_NULL(u.file);
	url_free(&u);

	CU_ASSERT_EQUAL(parse("ftp://h/", &u), 0);
	CU_ASSERT_EQUAL(u.ndirs, 0);
	CU_ASSERT_PTR_NULL(u.file);
	url_free(&u);

	CU_ASSERT_EQUAL(parse("ftp://h/a/b/", &u), 0);
	CU_ASSERT_EQUAL(u.ndirs, 2);
	CU_ASSERT_STRING_EQUAL(u.dirs[1], "b");
	CU_ASSERT_PTR_NULL(u.file);
	url_free(&u);
}

static void
test_url_userinfo(void)
{
	struct ftp_url u;

	CU_ASSERT_EQUAL(parse("ftp://bob:s%40cret@h:2121/x", &u), 0);
	CU_ASSERT_STRING_EQUAL(u.user, "bob");
	CU_ASSERT_STRING_EQUAL(u.pass, "s@cret");
	CU_ASSERT_STRING_EQUAL(u.port, "2121");
	CU_ASSERT_STRING_EQUAL(u.file, "x");
	url_free(&u);

	/* an unescaped '@' in the password: the last '@' ends it */
	CU_ASSERT_EQUAL(parse("ftp://bob:a@b@h/x", &u), 0);
	CU_ASSERT_STRING_EQUAL(u.pass, "a@b");
	CU_ASSERT_STRING_EQUAL(u.host, "h");
	url_free(&u);

	CU_ASSERT_EQUAL(parse("ftp://al%20ice@h/", &u), 0);
	CU_ASSERT_STRING_EQUAL(u.user, "al ice");
	CU_ASSERT_PTR_NULL(u.pass);
	url_free(&u);

	CU_ASSERT_EQUAL(parse("ftp://bob:@h/", &u), 0);
	CU_ASSERT_STRING_EQUAL(u.pass, "");
	url_free(&u);

	CU_ASSERT_EQUAL(parse("ftp://@h/", &u), -1);
	url_free(&u);
}

static void
test_url_hosts_ports(void)
{
	struct ftp_url u;

	CU_ASSERT_EQUAL(parse("ftp://[::1]:2121/f", &u), 0);
	CU_ASSERT_STRING_EQUAL(u.host, "::1");
	CU_ASSERT_STRING_EQUAL(u.port, "2121");
	url_free(&u);
	CU_ASSERT_EQUAL(parse("ftp://[::1]/f", &u), 0);
	CU_ASSERT_STRING_EQUAL(u.port, "21");
	url_free(&u);
	CU_ASSERT_EQUAL(parse("ftp://[::1/f", &u), -1);
	url_free(&u);
	CU_ASSERT_EQUAL(parse("ftp://[]/f", &u), -1);
	url_free(&u);
	CU_ASSERT_EQUAL(parse("ftp://h:0/f", &u), -1);
	url_free(&u);
	CU_ASSERT_EQUAL(parse("ftp://h:65536/f", &u), -1);
	url_free(&u);
	CU_ASSERT_EQUAL(parse("ftp://h:65535/f", &u), 0);
	url_free(&u);
	CU_ASSERT_EQUAL(parse("ftp://h:/f", &u), -1);
	url_free(&u);
	CU_ASSERT_EQUAL(parse("ftp://h:21x/f", &u), -1);
	url_free(&u);
	CU_ASSERT_EQUAL(parse("ftp:///f", &u), -1);
	url_free(&u);
	CU_ASSERT_EQUAL(parse("http://h/f", &u), -1);
	url_free(&u);
	CU_ASSERT_EQUAL(parse("ftp://h%20x/f", &u), -1);
	url_free(&u);
}

static void
test_url_decoding(void)
{
	struct ftp_url u;
	char *s;

	/* %2F inside a segment: CWD "/etc" reaches the root */
	CU_ASSERT_EQUAL(parse("ftp://h/%2Fetc/motd", &u), 0);
	CU_ASSERT_EQUAL(u.ndirs, 1);
	CU_ASSERT_STRING_EQUAL(u.dirs[0], "/etc");
	CU_ASSERT_STRING_EQUAL(u.file, "motd");
	url_free(&u);

	CU_ASSERT_EQUAL(parse("ftp://h/%2F/pub/a%20b.txt", &u), 0);
	CU_ASSERT_EQUAL(u.ndirs, 2);
	CU_ASSERT_STRING_EQUAL(u.dirs[0], "/");
	CU_ASSERT_STRING_EQUAL(u.dirs[1], "pub");
	CU_ASSERT_STRING_EQUAL(u.file, "a b.txt");
	url_free(&u);

	/* a %2F in the file segment stays inside the name */
	CU_ASSERT_EQUAL(parse("ftp://h/a%2fb", &u), 0);
	CU_ASSERT_EQUAL(u.ndirs, 0);
	CU_ASSERT_STRING_EQUAL(u.file, "a/b");
	url_free(&u);

	/* CR, LF, NUL and broken escapes are refused */
	CU_ASSERT_EQUAL(parse("ftp://h/a%0d%0aDELE%20x", &u), -1);
	url_free(&u);
	CU_ASSERT_EQUAL(parse("ftp://h/a%00b", &u), -1);
	url_free(&u);
	CU_ASSERT_EQUAL(parse("ftp://h/a%zz", &u), -1);
	url_free(&u);
	CU_ASSERT_EQUAL(parse("ftp://h/a%4", &u), -1);
	url_free(&u);
	CU_ASSERT_EQUAL(parse("ftp://h/a%", &u), -1);
	url_free(&u);

	CU_ASSERT_EQUAL(url_decode("%41%62c", 7, &s), 0);
	CU_ASSERT_STRING_EQUAL(s, "Abc");
	free(s);
	CU_ASSERT_EQUAL(url_decode("%41", 2, &s), -1);	/* cut short */
	CU_ASSERT_EQUAL(url_decode("x%0A", 4, &s), -1);
}

static void
test_url_type(void)
{
	struct ftp_url u;

	CU_ASSERT_EQUAL(parse("ftp://h/f.txt;type=a", &u), 0);
	CU_ASSERT_EQUAL(u.type, 'a');
	CU_ASSERT_STRING_EQUAL(u.file, "f.txt");
	url_free(&u);
	CU_ASSERT_EQUAL(parse("ftp://h/f;type=I", &u), 0);
	CU_ASSERT_EQUAL(u.type, 'i');
	url_free(&u);
	CU_ASSERT_EQUAL(parse("ftp://h/dir;type=d", &u), 0);
	CU_ASSERT_EQUAL(u.type, 'd');
	CU_ASSERT_PTR_NULL(u.file);
	CU_ASSERT_EQUAL(u.ndirs, 1);
	CU_ASSERT_STRING_EQUAL(u.dirs[0], "dir");
	url_free(&u);
	CU_ASSERT_EQUAL(parse("ftp://h/f;type=x", &u), -1);
	url_free(&u);
	CU_ASSERT_EQUAL(parse("ftp://h/f;mode=a", &u), -1);
	url_free(&u);
	/* a ';' in a folder name is just a character */
	CU_ASSERT_EQUAL(parse("ftp://h/a;b/f", &u), 0);
	CU_ASSERT_STRING_EQUAL(u.dirs[0], "a;b");
	url_free(&u);
	CU_ASSERT(url_is_ftp("ftp://x"));
	CU_ASSERT(url_is_ftp("Ftp://x"));
	CU_ASSERT(!url_is_ftp("host"));
}

static void
test_url_tls_schemes(void)
{
	struct ftp_url u;

	CU_ASSERT(url_is_ftp("ftps://x"));
	CU_ASSERT(url_is_ftp("FTPES://x"));
	CU_ASSERT(!url_is_ftp("ftpx://x"));
	CU_ASSERT(!url_is_ftp("sftp://x"));
	CU_ASSERT(!url_is_ftp("ftps:/x"));

	CU_ASSERT_EQUAL(parse("ftp://h/f", &u), 0);
	CU_ASSERT_EQUAL(u.tls, URL_TLS_NONE);
	url_free(&u);

	/* implicit: port 990 unless given */
	CU_ASSERT_EQUAL(parse("ftps://bob:pw@h/pub/f.txt", &u), 0);
	CU_ASSERT_EQUAL(u.tls, URL_TLS_IMPLICIT);
	CU_ASSERT_STRING_EQUAL(u.port, "990");
	CU_ASSERT_STRING_EQUAL(u.user, "bob");
	CU_ASSERT_STRING_EQUAL(u.host, "h");
	CU_ASSERT_STRING_EQUAL(u.dirs[0], "pub");
	CU_ASSERT_STRING_EQUAL(u.file, "f.txt");
	url_free(&u);
	CU_ASSERT_EQUAL(parse("FTPS://[::1]:2990/", &u), 0);
	CU_ASSERT_EQUAL(u.tls, URL_TLS_IMPLICIT);
	CU_ASSERT_STRING_EQUAL(u.host, "::1");
	CU_ASSERT_STRING_EQUAL(u.port, "2990");
	url_free(&u);

	/* explicit: the FTP port */
	CU_ASSERT_EQUAL(parse("ftpes://h/d/", &u), 0);
	CU_ASSERT_EQUAL(u.tls, URL_TLS_EXPLICIT);
	CU_ASSERT_STRING_EQUAL(u.port, "21");
	CU_ASSERT_EQUAL(u.ndirs, 1);
	CU_ASSERT_PTR_NULL(u.file);
	url_free(&u);

	CU_ASSERT_EQUAL(parse("ftps://", &u), -1);
	url_free(&u);
	CU_ASSERT_EQUAL(parse("http://h/f", &u), -1);
	url_free(&u);
}

void
suite_ftp_url(void)
{
	UNIT_SUITE("ftp_url");
	UNIT_TEST(test_url_simple);
	UNIT_TEST(test_url_userinfo);
	UNIT_TEST(test_url_hosts_ports);
	UNIT_TEST(test_url_decoding);
	UNIT_TEST(test_url_type);
	UNIT_TEST(test_url_tls_schemes);
}
