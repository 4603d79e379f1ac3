/* test_listing.c: ls -l and MLSx formatting (6-month rule, facts) and the
 * client-side parsers for both shapes. */
#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include "unit.h"
#include "listing.h"
#include "parse.h"

/* 2024-06-15 12:00:00 UTC */
#define NOW ((time_t)1718452800)

static struct stat
mkstat(mode_t mode, off_t size, time_t mtime)
{
	struct stat st;

	memset(&st, 0, sizeof st);
	st.st_mode = mode;
	st.st_size = size;
	st.st_mtime = mtime;
	st.st_nlink = S_ISDIR(mode) ? 2 : 1;
	st.st_dev = 0x803;
	st.st_ino = 0x1f2e;
	return st;
}

static void
test_listing_format_ls(void)
{
	struct buf b = BUF_INIT(4096);
	struct stat st;

	/* 2024-01-02 15:04 UTC: within six months -> time */
	st = mkstat(S_IFDIR | 0755, 4096, 1704207840);
	CU_ASSERT_EQUAL(listing_format_ls(&b, "pub", &st, "owner", "group", NOW), 0);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&b),
	    "drwxr-xr-x    2 owner    group        4096 Jan 02 15:04 pub\r\n");
	buf_reset(&b);
	/* 2023-11-01: more than six months old -> year */
	st = mkstat(S_IFREG | 0644, 123, 1698796800);
	CU_ASSERT_EQUAL(listing_format_ls(&b, "old.txt", &st, "ftp", "ftp", NOW), 0);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&b),
	    "-rw-r--r--    1 ftp      ftp           123 Nov 01  2023 old.txt\r\n");
	buf_reset(&b);
	/* far future -> year too */
	st = mkstat(S_IFREG | 0600, 5000000000LL, NOW + 90 * 86400);
	CU_ASSERT_EQUAL(listing_format_ls(&b, "big file", &st, "1000", "1000", NOW), 0);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&b),
	    "-rw-------    1 1000     1000     5000000000 Sep 13  2024 big file\r\n");
	buf_reset(&b);
	/* special bits and types */
	st = mkstat(S_IFLNK | 0777, 11, NOW - 60);
	CU_ASSERT_EQUAL(listing_format_ls(&b, "ln -> target", &st, "a", "b", NOW), 0);
	CU_ASSERT_EQUAL(strncmp(buf_cstr(&b), "lrwxrwxrwx", 10), 0);
	buf_reset(&b);
	st = mkstat(S_IFDIR | 01777, 0, NOW);
	CU_ASSERT_EQUAL(listing_format_ls(&b, "tmp", &st, "a", "b", NOW), 0);
	CU_ASSERT_EQUAL(strncmp(buf_cstr(&b), "drwxrwxrwt", 10), 0);
	buf_reset(&b);
	st = mkstat(S_IFREG | 06644, 0, NOW);
	CU_ASSERT_EQUAL(listing_format_ls(&b, "x", &st, "a", "b", NOW), 0);
	CU_ASSERT_EQUAL(strncmp(buf_cstr(&b), "-rwSr-Sr--", 10), 0);
	buf_free(&b);
}

static void
test_listing_format_mlsx(void)
{
	struct buf b = BUF_INIT(4096);
	struct stat st;

	st = mkstat(S_IFREG | 0644, 1234, 1704207845);
	CU_ASSERT_EQUAL(listing_format_mlsx(&b, "a file;x", &st, MLSX_ALL, NULL,
					    "adfrw"), 0);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&b),
	    "type=file;size=1234;modify=20240102150405;perm=adfrw;"
	    "unique=803g1f2e;UNIX.mode=0644; a file;x\r\n");
	buf_reset(&b);
	st = mkstat(S_IFDIR | 0755, 4096, 0);
	CU_ASSERT_EQUAL(listing_format_mlsx(&b, ".", &st, MLSX_TYPE | MLSX_SIZE |
					    MLSX_PERM, "cdir", NULL), 0);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&b), "type=cdir; .\r\n");
	buf_reset(&b);
	st = mkstat(S_IFLNK | 0777, 3, 0);
	CU_ASSERT_EQUAL(listing_format_mlsx(&b, "l", &st, MLSX_TYPE, NULL, NULL), 0);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&b), "type=OS.unix=symlink; l\r\n");
	buf_reset(&b);
	st = mkstat(S_IFDIR | 0700, 4096, 0);
	CU_ASSERT_EQUAL(listing_format_mlsx(&b, "d", &st, MLSX_TYPE | MLSX_UNIX_MODE,
					    NULL, NULL), 0);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&b), "type=dir;UNIX.mode=0700; d\r\n");
	buf_free(&b);
}

static void
test_listing_parse_mlsd(void)
{
	struct list_entry e;

	CU_ASSERT_EQUAL(listing_parse_mlsd("type=file;size=1234;modify=20240102150405;"
					   "perm=r; a file; with semi", &e), 0);
	CU_ASSERT_STRING_EQUAL(e.name, "a file; with semi");
	CU_ASSERT_EQUAL(e.is_dir, 0);
	CU_ASSERT_EQUAL(e.size, 1234);
	CU_ASSERT_EQUAL(e.mtime, 1704207845);
	CU_ASSERT_EQUAL(e.mtime_exact, 1);
	CU_ASSERT_EQUAL(listing_parse_mlsd("Type=DIR;Modify=20240102150405; sub", &e), 0);
	CU_ASSERT_EQUAL(e.is_dir, 1);
	CU_ASSERT_EQUAL(e.size, -1);
	CU_ASSERT_EQUAL(listing_parse_mlsd("type=cdir; /pub", &e), 1);
	CU_ASSERT_EQUAL(listing_parse_mlsd("type=pdir; ..", &e), 1);
	CU_ASSERT_EQUAL(listing_parse_mlsd("type=OS.unix=symlink; ln", &e), 0);
	CU_ASSERT_EQUAL(e.is_link, 1);
	CU_ASSERT_EQUAL(listing_parse_mlsd("type=OS.unix=slink:/x; ln", &e), 0);
	CU_ASSERT_EQUAL(e.is_link, 1);
	CU_ASSERT_EQUAL(listing_parse_mlsd("size=5000000000; big", &e), 0);
	CU_ASSERT_EQUAL(e.size, 5000000000LL);
	CU_ASSERT_EQUAL(e.is_dir, -1);
	CU_ASSERT_EQUAL(listing_parse_mlsd(" nofacts", &e), 0);
	CU_ASSERT_STRING_EQUAL(e.name, "nofacts");
	CU_ASSERT_EQUAL(listing_parse_mlsd("x.unknown=1;type=file; n", &e), 0);
	/* malformed */
	CU_ASSERT_EQUAL(listing_parse_mlsd("type=file;size=12", &e), -1);	/* no name */
	CU_ASSERT_EQUAL(listing_parse_mlsd("type=file;size=12; ", &e), -1);
	CU_ASSERT_EQUAL(listing_parse_mlsd("type=file;size=x; n", &e), -1);
	CU_ASSERT_EQUAL(listing_parse_mlsd("type=file;modify=2024; n", &e), -1);
	CU_ASSERT_EQUAL(listing_parse_mlsd("type=file size=1; n", &e), -1);
	CU_ASSERT_EQUAL(listing_parse_mlsd("typefile; n", &e), -1);
	CU_ASSERT_EQUAL(listing_parse_mlsd("", &e), -1);
}

static void
test_listing_parse_mlsd_long_name(void)
{
	char line[1200];
	struct list_entry e;

	memcpy(line, "type=file; ", 11);
	memset(line + 11, 'n', 1100);
	line[1111] = '\0';
	CU_ASSERT_EQUAL(listing_parse_mlsd(line, &e), -1);
	line[11 + 1023] = '\0';
	CU_ASSERT_EQUAL(listing_parse_mlsd(line, &e), 0);
	CU_ASSERT_EQUAL(strlen(e.name), 1023);
}

static void
test_listing_parse_ls(void)
{
	struct list_entry e;

	CU_ASSERT_EQUAL(listing_parse_ls("total 12", NOW, &e), 1);
	CU_ASSERT_EQUAL(listing_parse_ls("", NOW, &e), 1);
	CU_ASSERT_EQUAL(listing_parse_ls("drwxr-xr-x    2 owner    group        4096 Jan 02 15:04 pub",
					 NOW, &e), 0);
	CU_ASSERT_STRING_EQUAL(e.name, "pub");
	CU_ASSERT_EQUAL(e.is_dir, 1);
	CU_ASSERT_EQUAL(e.size, 4096);
	CU_ASSERT_EQUAL(e.mtime, 1704207840);
	CU_ASSERT_EQUAL(e.mtime_exact, 0);
	/* names with spaces, double spaces kept */
	CU_ASSERT_EQUAL(listing_parse_ls("-rw-r--r--    1 ftp      ftp       123 Nov 01  2023 my  file .txt",
					 NOW, &e), 0);
	CU_ASSERT_STRING_EQUAL(e.name, "my  file .txt");
	CU_ASSERT_EQUAL(e.is_dir, 0);
	CU_ASSERT_EQUAL(e.size, 123);
	CU_ASSERT_EQUAL(e.mtime, 1698796800);
	/* a recent-looking date in the future belongs to last year */
	CU_ASSERT_EQUAL(listing_parse_ls("-rw-r--r-- 1 u g 5 Dec 24 10:00 xmas", NOW, &e), 0);
	CU_ASSERT_EQUAL(e.mtime, 1703412000);		/* 2023-12-24 10:00 */
	/* symlink */
	CU_ASSERT_EQUAL(listing_parse_ls("lrwxrwxrwx 1 root root 7 Mar  5  2020 link name -> /etc/x y",
					 NOW, &e), 0);
	CU_ASSERT_STRING_EQUAL(e.name, "link name");
	CU_ASSERT_EQUAL(e.is_link, 1);
	/* no group column, big size */
	CU_ASSERT_EQUAL(listing_parse_ls("-rw-r--r-- 1 user 5000000000 Jun 10 09:30 iso", NOW, &e), 0);
	CU_ASSERT_STRING_EQUAL(e.name, "iso");
	CU_ASSERT_EQUAL(e.size, 5000000000LL);
	/* owner named like a month */
	CU_ASSERT_EQUAL(listing_parse_ls("-rw-r--r-- 1 May staff 10 Jun 10 09:30 f", NOW, &e), 0);
	CU_ASSERT_STRING_EQUAL(e.name, "f");
	CU_ASSERT_EQUAL(e.size, 10);
	/* ACL marker after permissions */
	CU_ASSERT_EQUAL(listing_parse_ls("drwxr-xr-x+ 3 a b 0 Jun 10 09:30 acl dir", NOW, &e), 0);
	CU_ASSERT_STRING_EQUAL(e.name, "acl dir");
	CU_ASSERT_EQUAL(listing_parse_ls("drwxr-xr-x 3 a b 0 Jun 10 09:30 .", NOW, &e), 1);
	CU_ASSERT_EQUAL(listing_parse_ls("drwxr-xr-x 3 a b 0 Jun 10 09:30 ..", NOW, &e), 1);
	/* unparsable */
	CU_ASSERT_EQUAL(listing_parse_ls("garbage line", NOW, &e), -1);
	CU_ASSERT_EQUAL(listing_parse_ls("-rw-r--r-- 1 a b 10 Foo 10 09:30 f", NOW, &e), -1);
	CU_ASSERT_EQUAL(listing_parse_ls("-rw-r--r-- 1 a b 10 Jun 32 09:30 f", NOW, &e), -1);
	CU_ASSERT_EQUAL(listing_parse_ls("-rw-r--r-- 1 a b 10 Jun 10 25:30 f", NOW, &e), -1);
	CU_ASSERT_EQUAL(listing_parse_ls("-rw-r--r-- 1 a b 10 Jun 10 09:30", NOW, &e), -1);
	CU_ASSERT_EQUAL(listing_parse_ls("01-02-24  03:04PM       <DIR>  dos", NOW, &e), -1);
}

static void
test_listing_roundtrip(void)
{
	struct buf b = BUF_INIT(4096);
	struct list_entry e;
	struct stat st;

	st = mkstat(S_IFREG | 0644, 77, NOW - 3600);
	CU_ASSERT_EQUAL_FATAL(listing_format_ls(&b, "name with  spaces", &st, "o", "g", NOW), 0);
	buf_truncate(&b, b.len - 2);	/* CRLF */
	CU_ASSERT_EQUAL(listing_parse_ls(buf_cstr(&b), NOW, &e), 0);
	CU_ASSERT_STRING_EQUAL(e.name, "name with  spaces");
	CU_ASSERT_EQUAL(e.size, 77);
	CU_ASSERT_EQUAL(e.mtime, NOW - 3600);
	buf_reset(&b);
	CU_ASSERT_EQUAL_FATAL(listing_format_mlsx(&b, "m name", &st, MLSX_ALL, NULL, "r"), 0);
	buf_truncate(&b, b.len - 2);
	CU_ASSERT_EQUAL(listing_parse_mlsd(buf_cstr(&b), &e), 0);
	CU_ASSERT_STRING_EQUAL(e.name, "m name");
	CU_ASSERT_EQUAL(e.mtime, NOW - 3600);
	CU_ASSERT_EQUAL(e.size, 77);
	buf_free(&b);
}

void
suite_listing(void)
{
	UNIT_SUITE("listing");
	UNIT_TEST(test_listing_format_ls);
	UNIT_TEST(test_listing_format_mlsx);
	UNIT_TEST(test_listing_parse_mlsd);
	UNIT_TEST(test_listing_parse_mlsd_long_name);
	UNIT_TEST(test_listing_parse_ls);
	UNIT_TEST(test_listing_roundtrip);
}
