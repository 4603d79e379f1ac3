/* test_ftp_localfs.c: names chosen by the server never leave the target
 * folder, never follow a symlink, never open a FIFO or device; and the
 * listing parser wrapper keeps only plain names. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "unit.h"
#include "../../ftp/localfs.h"
#include "../../ftp/rlist.h"

static void
test_name_ok(void)
{
	CU_ASSERT(localfs_name_ok("file.txt", 0));
	CU_ASSERT(localfs_name_ok(".hidden", 0));
	CU_ASSERT(localfs_name_ok("a b", 0));
	CU_ASSERT(localfs_name_ok("..x", 0));
	CU_ASSERT(!localfs_name_ok("", 0));
	CU_ASSERT(!localfs_name_ok(".", 0));
	CU_ASSERT(!localfs_name_ok("..", 0));
	CU_ASSERT(!localfs_name_ok("/etc/passwd", 0));
	CU_ASSERT(!localfs_name_ok("a/b", 0));
	CU_ASSERT(!localfs_name_ok("|sh", 0));
	CU_ASSERT(!localfs_name_ok("a\nb", 0));
	CU_ASSERT(!localfs_name_ok("a\rb", 0));
	CU_ASSERT(!localfs_name_ok("a\x7f", 0));
	CU_ASSERT(localfs_name_ok("a/b/c", 1));
	CU_ASSERT(!localfs_name_ok("a/../b", 1));
	CU_ASSERT(!localfs_name_ok("../b", 1));
	CU_ASSERT(!localfs_name_ok("a//b", 1));
	CU_ASSERT(!localfs_name_ok("a/./b", 1));
	CU_ASSERT(!localfs_name_ok("a/", 1));
	CU_ASSERT(!localfs_name_ok("/a", 1));
}

static void
test_basename(void)
{
	char b[16];

	localfs_basename("a/b/c.txt", b, sizeof b);
	CU_ASSERT_STRING_EQUAL(b, "c.txt");
	localfs_basename("dir/", b, sizeof b);
	CU_ASSERT_STRING_EQUAL(b, "dir");
	localfs_basename("plain", b, sizeof b);
	CU_ASSERT_STRING_EQUAL(b, "plain");
	localfs_basename("/", b, sizeof b);
	CU_ASSERT_STRING_EQUAL(b, "");
	localfs_basename("x/..", b, sizeof b);
	CU_ASSERT_STRING_EQUAL(b, "..");
	localfs_basename("a/this-name-is-too-long", b, sizeof b);
	CU_ASSERT_STRING_EQUAL(b, "");
}

static void
test_create_confined(void)
{
	char dir[] = "/tmp/unit-localfs-XXXXXX", path[256];
	int dfd, fd;
	struct stat sb;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	CU_ASSERT_FATAL(dfd >= 0);

	fd = localfs_create(dfd, "ok.txt", 0);
	CU_ASSERT(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, "12345", 5), 5);
	CU_ASSERT_EQUAL(localfs_set_mtime(fd, 1000000000), 0);
	CU_ASSERT_EQUAL(close(fd), 0);
	CU_ASSERT_EQUAL(localfs_stat(dfd, "ok.txt", &sb), 0);
	CU_ASSERT_EQUAL(sb.st_size, 5);
	CU_ASSERT_EQUAL(sb.st_mtime, 1000000000);

	/* resume appends, plain create truncates */
	fd = localfs_create(dfd, "ok.txt", 1);
	CU_ASSERT(fd >= 0);
	CU_ASSERT_EQUAL(lseek(fd, 0, SEEK_CUR), 5);
	CU_ASSERT_EQUAL(close(fd), 0);
	fd = localfs_create(dfd, "ok.txt", 0);
	CU_ASSERT(fd >= 0);
	CU_ASSERT_EQUAL(close(fd), 0);
	CU_ASSERT_EQUAL(localfs_stat(dfd, "ok.txt", &sb), 0);
	CU_ASSERT_EQUAL(sb.st_size, 0);

	/* escapes */
	errno = 0;
	CU_ASSERT_EQUAL(localfs_create(dfd, "../escape", 0), -1);
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_EQUAL(localfs_create(dfd, "/tmp/escape", 0), -1);
	CU_ASSERT_EQUAL(localfs_create(dfd, "|cmd", 0), -1);

	/* a symlink as the file or on the way is refused */
	(void)snprintf(path, sizeof path, "%s/link", dir);
	CU_ASSERT_EQUAL(symlink("/tmp", path), 0);
	errno = 0;
	CU_ASSERT_EQUAL(localfs_create(dfd, "link/x", 0), -1);
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_EQUAL(localfs_create(dfd, "link", 0), -1);
	CU_ASSERT_EQUAL(localfs_mkdirs(dfd, "link/sub"), -1);
	(void)snprintf(path, sizeof path, "%s/flink", dir);
	CU_ASSERT_EQUAL(symlink("ok.txt", path), 0);
	CU_ASSERT_EQUAL(localfs_create(dfd, "flink", 0), -1);

	/* a FIFO is refused without blocking */
	(void)snprintf(path, sizeof path, "%s/fifo", dir);
	CU_ASSERT_EQUAL(mkfifo(path, 0600), 0);
	errno = 0;
	CU_ASSERT_EQUAL(localfs_create(dfd, "fifo", 0), -1);
	CU_ASSERT_EQUAL(errno, EINVAL);

	/* folders: created inside, then usable */
	CU_ASSERT_EQUAL(localfs_mkdirs(dfd, "a/b/c"), 0);
	CU_ASSERT_EQUAL(localfs_mkdirs(dfd, "a/b/c"), 0);
	fd = localfs_create(dfd, "a/b/c/f", 0);
	CU_ASSERT(fd >= 0);
	CU_ASSERT_EQUAL(close(fd), 0);
	CU_ASSERT_EQUAL(localfs_create(dfd, "a/b", 0), -1);	/* a folder */

	/* clean up */
	CU_ASSERT_EQUAL(unlinkat(dfd, "a/b/c/f", 0), 0);
	CU_ASSERT_EQUAL(unlinkat(dfd, "a/b/c", AT_REMOVEDIR), 0);
	CU_ASSERT_EQUAL(unlinkat(dfd, "a/b", AT_REMOVEDIR), 0);
	CU_ASSERT_EQUAL(unlinkat(dfd, "a", AT_REMOVEDIR), 0);
	CU_ASSERT_EQUAL(unlinkat(dfd, "fifo", 0), 0);
	CU_ASSERT_EQUAL(unlinkat(dfd, "flink", 0), 0);
	CU_ASSERT_EQUAL(unlinkat(dfd, "link", 0), 0);
	CU_ASSERT_EQUAL(unlinkat(dfd, "ok.txt", 0), 0);
	CU_ASSERT_EQUAL(close(dfd), 0);
	CU_ASSERT_EQUAL(rmdir(dir), 0);
}

static void
test_device_refused(void)
{
	char dir[] = "/tmp/unit-localfs-XXXXXX", path[256];
	int dfd;

	/* a device node under the target folder (we may not be allowed to
	 * make one: then a symlink to /dev/null must be refused anyway) */
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	CU_ASSERT_FATAL(dfd >= 0);
	(void)snprintf(path, sizeof path, "%s/null", dir);
	if (mknod(path, S_IFCHR | 0666, makedev(1, 3)) == 0) {
		errno = 0;
		CU_ASSERT_EQUAL(localfs_create(dfd, "null", 0), -1);
		CU_ASSERT_EQUAL(errno, EINVAL);
		CU_ASSERT_EQUAL(unlink(path), 0);
	}
	CU_ASSERT_EQUAL(symlink("/dev/null", path), 0);
	CU_ASSERT_EQUAL(localfs_create(dfd, "null", 0), -1);
	CU_ASSERT_EQUAL(unlink(path), 0);
	CU_ASSERT_EQUAL(close(dfd), 0);
	CU_ASSERT_EQUAL(rmdir(dir), 0);
}

static void
test_rlist_parse(void)
{
	static const char mlsd[] =
		"type=cdir;modify=20240101000000; .\r\n"
		"type=pdir;modify=20240101000000; ..\r\n"
		"type=file;size=12;modify=20240102030405; a.txt\r\n"
		"type=dir;modify=20240101000000; sub\r\n"
		"type=file;size=1; evil/../x\r\n"
		"garbage\r\n";
	static const char nlst[] = "one\r\ndir/two\n..\n\n";
	struct rlist l;
	size_t bad;

	memset(&l, 0, sizeof l);
	bad = rlist_parse(&l, mlsd, strlen(mlsd), 'M');
	CU_ASSERT_EQUAL(bad, 1);
	CU_ASSERT_EQUAL_FATAL(l.n, 2);
	CU_ASSERT_STRING_EQUAL(l.e[0].name, "a.txt");
	CU_ASSERT_EQUAL(l.e[0].size, 12);
	CU_ASSERT_EQUAL(l.e[0].is_dir, 0);
	CU_ASSERT(l.e[0].mtime_exact);
	CU_ASSERT_STRING_EQUAL(l.e[1].name, "sub");
	CU_ASSERT_EQUAL(l.e[1].is_dir, 1);
	rlist_free(&l);

	bad = rlist_parse(&l, nlst, strlen(nlst), 'N');
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL_FATAL(l.n, 2);
	CU_ASSERT_STRING_EQUAL(l.e[0].name, "one");
	CU_ASSERT_STRING_EQUAL(l.e[1].name, "two");
	rlist_free(&l);
}

void
suite_ftp_localfs(void)
{
	UNIT_SUITE("ftp_localfs");
	UNIT_TEST(test_name_ok);
	UNIT_TEST(test_basename);
	UNIT_TEST(test_create_confined);
	UNIT_TEST(test_device_refused);
	UNIT_TEST(test_rlist_parse);
}
