/* test_path.c: lexical virtual paths, and confinement of real opens in a
 * temporary tree whose symlinks (absolute and relative) point outside. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "path.h"
#include "sys.h"

static int
resolves_to(const char *cwd, const char *arg, const char *want)
{
	struct buf b = BUF_INIT(2 * PATH_MAX_VIRTUAL);
	int ok = path_resolve(cwd, arg, &b) == 0 &&
	    strcmp(buf_cstr(&b), want) == 0;

	if (!ok)
		fprintf(stderr, "\n  resolve(%s, %s) = %s, want %s\n", cwd, arg,
			buf_cstr(&b), want);
	buf_free(&b);
	return ok;
}

static void
test_path_resolve(void)
{
	CU_ASSERT(resolves_to("/", "", "/"));
	CU_ASSERT(resolves_to("/a/b", "", "/a/b"));
	CU_ASSERT(resolves_to("/a/b", NULL, "/a/b"));
	CU_ASSERT(resolves_to("/a/b", "c", "/a/b/c"));
	CU_ASSERT(resolves_to("/a/b", "/c", "/c"));
	CU_ASSERT(resolves_to("/a/b", "..", "/a"));
	CU_ASSERT(resolves_to("/a/b", "../..", "/"));
	CU_ASSERT(resolves_to("/a/b", "../../../../..", "/"));
	CU_ASSERT(resolves_to("/", "..", "/"));
	CU_ASSERT(resolves_to("/", "../etc/passwd", "/etc/passwd"));
	CU_ASSERT(resolves_to("/a", "/../../x/../y", "/y"));
	CU_ASSERT(resolves_to("/a", "//b//c/", "/b/c"));
	CU_ASSERT(resolves_to("/a", "./b/./c/..", "/a/b"));
	CU_ASSERT(resolves_to("/a", "...", "/a/..."));
	CU_ASSERT(resolves_to("/a", "..x", "/a/..x"));
	CU_ASSERT(resolves_to("/a/b", "~", "/"));
	CU_ASSERT(resolves_to("/a/b", "~/x", "/x"));
	CU_ASSERT(resolves_to("/a/b", "~user", "/a/b/~user"));
	CU_ASSERT(resolves_to("/a/b", "x~", "/a/b/x~"));
	CU_ASSERT(resolves_to("/a/b", "with space", "/a/b/with space"));
	CU_ASSERT(resolves_to("relative/cwd", "x", "/x"));	/* bad cwd -> "/" */
}

static void
test_path_resolve_rejects(void)
{
	struct buf b = BUF_INIT(2 * PATH_MAX_VIRTUAL), small = BUF_INIT(4);
	char *long_arg;

	CU_ASSERT_EQUAL(path_resolve("/", "a\r\nDELE x", &b), -1);
	CU_ASSERT_EQUAL(path_resolve("/", "a\n", &b), -1);
	CU_ASSERT_EQUAL(path_resolve("/", "a\rb", &b), -1);
	long_arg = malloc(PATH_MAX_VIRTUAL + 10);
	CU_ASSERT_PTR_NOT_NULL_FATAL(long_arg);
	memset(long_arg, 'a', PATH_MAX_VIRTUAL + 9);
	long_arg[PATH_MAX_VIRTUAL + 9] = '\0';
	CU_ASSERT_EQUAL(path_resolve("/", long_arg, &b), -1);
	/* long input that normalizes to something short is fine */
	memcpy(long_arg + PATH_MAX_VIRTUAL + 5, "/../", 4);
	CU_ASSERT_EQUAL(path_resolve("/", long_arg, &b), 0);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&b), "/");
	/* exactly at the limit: "/" + 4094 chars = 4095 < 4096 */
	memset(long_arg, 'b', PATH_MAX_VIRTUAL - 2);
	long_arg[PATH_MAX_VIRTUAL - 2] = '\0';
	CU_ASSERT_EQUAL(path_resolve("/", long_arg, &b), 0);
	CU_ASSERT_EQUAL(b.len, PATH_MAX_VIRTUAL - 1);
	long_arg[PATH_MAX_VIRTUAL - 2] = 'b';
	long_arg[PATH_MAX_VIRTUAL - 1] = '\0';
	CU_ASSERT_EQUAL(path_resolve("/", long_arg, &b), -1);
	free(long_arg);
	CU_ASSERT_EQUAL(path_resolve("/", "abcdef", &small), -1);
	buf_free(&b);
	buf_free(&small);
}

static void
test_path_names(void)
{
	CU_ASSERT_STRING_EQUAL(path_basename("/"), "/");
	CU_ASSERT_STRING_EQUAL(path_basename("/a"), "a");
	CU_ASSERT_STRING_EQUAL(path_basename("/a/bc"), "bc");
	CU_ASSERT_EQUAL(path_is_plain_name("file.txt"), 1);
	CU_ASSERT_EQUAL(path_is_plain_name("..."), 1);
	CU_ASSERT_EQUAL(path_is_plain_name(".hidden"), 1);
	CU_ASSERT_EQUAL(path_is_plain_name("sp ace"), 1);
	CU_ASSERT_EQUAL(path_is_plain_name(""), 0);
	CU_ASSERT_EQUAL(path_is_plain_name("."), 0);
	CU_ASSERT_EQUAL(path_is_plain_name(".."), 0);
	CU_ASSERT_EQUAL(path_is_plain_name("a/b"), 0);
	CU_ASSERT_EQUAL(path_is_plain_name("a\nb"), 0);
	CU_ASSERT_EQUAL(path_is_plain_name("a\rb"), 0);
	CU_ASSERT_EQUAL(path_is_plain_name("a\x7f"), 0);
	CU_ASSERT_EQUAL(path_is_plain_name("\x1b[31m"), 0);
}

/* The tree:  T/outside/secret ("SECRET")
 *            T/root/sub/file.txt ("inside")
 *            T/root/outside/secret ("DECOY")  -- where clamped ".." lands
 *            T/root/esc_abs  -> T/outside         (absolute, escaping)
 *            T/root/esc_rel  -> ../outside         (relative, escaping)
 *            T/root/sub/up   -> ../../../outside/secret
 *            T/root/file_abs -> T/outside/secret
 *            T/root/good     -> sub/file.txt
 *            T/root/loop     -> loop */
static char s_tmp[64];
static char s_root[128];
static int s_rootfd = -1;

static int
put_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int r;

	if (fd < 0)
		return -1;
	r = sys_write_full(fd, text, strlen(text));
	sys_close_failok(fd);
	return r;
}

static int
tree_setup(void)
{
	char p[256], q[256];

	snprintf(s_tmp, sizeof s_tmp, "/tmp/ftpkit-path-XXXXXX");
	if (mkdtemp(s_tmp) == NULL)
		return -1;
	snprintf(s_root, sizeof s_root, "%s/root", s_tmp);
#define P(...) (snprintf(p, sizeof p, __VA_ARGS__), p)
#define Q(...) (snprintf(q, sizeof q, __VA_ARGS__), q)
	if (mkdir(P("%s/outside", s_tmp), 0755) < 0 ||
	    put_file(P("%s/outside/secret", s_tmp), "SECRET") < 0 ||
	    mkdir(s_root, 0755) < 0 ||
	    mkdir(P("%s/sub", s_root), 0755) < 0 ||
	    put_file(P("%s/sub/file.txt", s_root), "inside") < 0 ||
	    mkdir(P("%s/outside", s_root), 0755) < 0 ||
	    put_file(P("%s/outside/secret", s_root), "DECOY") < 0 ||
	    symlink(Q("%s/outside", s_tmp), P("%s/esc_abs", s_root)) < 0 ||
	    symlink("../outside", P("%s/esc_rel", s_root)) < 0 ||
	    symlink("../../../outside/secret", P("%s/sub/up", s_root)) < 0 ||
	    symlink(Q("%s/outside/secret", s_tmp), P("%s/file_abs", s_root)) < 0 ||
	    symlink("sub/file.txt", P("%s/good", s_root)) < 0 ||
	    symlink("loop", P("%s/loop", s_root)) < 0)
		return -1;
#undef P
#undef Q
	s_rootfd = open(s_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return s_rootfd < 0 ? -1 : 0;
}

static void
tree_teardown(void)
{
	char cmd[128];

	sys_close_failok(s_rootfd);
	s_rootfd = -1;
	if (strncmp(s_tmp, "/tmp/ftpkit-path-", 17) == 0) {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", s_tmp);
		if (system(cmd) != 0)
			fprintf(stderr, "cleanup of %s failed\n", s_tmp);
	}
}

/* Reads the file opened at vpath; "" with errno on failure. */
static const char *
slurp(const char *vpath, char *out, size_t n)
{
	int fd = path_open(s_rootfd, vpath, O_RDONLY, 0);
	ssize_t r;

	out[0] = '\0';
	if (fd < 0)
		return out;
	r = sys_read(fd, out, n - 1);
	sys_close_failok(fd);
	out[r > 0 ? r : 0] = '\0';
	return out;
}

static void
test_path_open_confined(void)
{
	char got[64];
	struct stat a, b;
	int fd;

	CU_ASSERT_FATAL(tree_setup() == 0);
	/* "/" opens the root itself */
	fd = path_open(s_rootfd, "/", O_RDONLY | O_DIRECTORY, 0);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT(fstat(fd, &a) == 0 && fstat(s_rootfd, &b) == 0 &&
		  a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	CU_ASSERT(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	sys_close_failok(fd);

	CU_ASSERT_STRING_EQUAL(slurp("/sub/file.txt", got, sizeof got), "inside");
	CU_ASSERT_STRING_EQUAL(slurp("/good", got, sizeof got), "inside");
	/* relative escapes clamp at the root and find the decoy */
	CU_ASSERT_STRING_EQUAL(slurp("/esc_rel/secret", got, sizeof got), "DECOY");
	CU_ASSERT_STRING_EQUAL(slurp("/sub/up", got, sizeof got), "DECOY");
	CU_ASSERT_STRING_EQUAL(slurp("/../outside/secret", got, sizeof got), "DECOY");
	CU_ASSERT_STRING_EQUAL(slurp("/sub/../../../outside/secret", got, sizeof got),
			       "DECOY");
	/* absolute symlinks are taken relative to the root: no such path */
	errno = 0;
	CU_ASSERT_STRING_EQUAL(slurp("/esc_abs/secret", got, sizeof got), "");
	CU_ASSERT_EQUAL(errno, ENOENT);
	errno = 0;
	CU_ASSERT_STRING_EQUAL(slurp("/file_abs", got, sizeof got), "");
	CU_ASSERT_EQUAL(errno, ENOENT);
	errno = 0;
	CU_ASSERT_EQUAL(path_open(s_rootfd, "/loop", O_RDONLY, 0), -1);
	CU_ASSERT_EQUAL(errno, ELOOP);
	errno = 0;
	CU_ASSERT_EQUAL(path_open(s_rootfd, "/good", O_RDONLY | O_NOFOLLOW, 0), -1);
	CU_ASSERT_EQUAL(errno, ELOOP);
	errno = 0;
	CU_ASSERT_EQUAL(path_open(s_rootfd, "relative", O_RDONLY, 0), -1);
	CU_ASSERT_EQUAL(errno, EINVAL);
	/* /proc magic links are refused (and /proc is not under the root) */
	CU_ASSERT_EQUAL(path_open(s_rootfd, "/proc/self/root/etc/passwd",
				  O_RDONLY, 0), -1);
	tree_teardown();
}

static void
test_path_create_and_parent(void)
{
	char name[256], p[256], got[64];
	struct stat st;
	mode_t um = umask(022);
	int dfd, fd;

	(void)umask(um);
	CU_ASSERT_FATAL(tree_setup() == 0);
	fd = path_open(s_rootfd, "/sub/new.txt", O_WRONLY | O_CREAT | O_EXCL, 0640);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT(fstat(fd, &st) == 0 && (st.st_mode & 0777) == (0640 & ~um));
	sys_close_failok(fd);
	snprintf(p, sizeof p, "%s/sub/new.txt", s_root);
	CU_ASSERT(stat(p, &st) == 0);

	dfd = path_open_parent(s_rootfd, "/sub/file.txt", name, sizeof name);
	CU_ASSERT_FATAL(dfd >= 0);
	CU_ASSERT_STRING_EQUAL(name, "file.txt");
	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	CU_ASSERT(fd >= 0);
	sys_close_failok(fd);
	sys_close_failok(dfd);

	dfd = path_open_parent(s_rootfd, "/top", name, sizeof name);
	CU_ASSERT_FATAL(dfd >= 0);
	CU_ASSERT_STRING_EQUAL(name, "top");
	sys_close_failok(dfd);

	/* creating through an escaping parent link lands inside the root */
	dfd = path_open_parent(s_rootfd, "/esc_rel/planted", name, sizeof name);
	CU_ASSERT_FATAL(dfd >= 0);
	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	CU_ASSERT(fd >= 0);
	sys_close_failok(fd);
	sys_close_failok(dfd);
	snprintf(p, sizeof p, "%s/outside/planted", s_tmp);
	CU_ASSERT(stat(p, &st) < 0 && errno == ENOENT);
	snprintf(p, sizeof p, "%s/outside/planted", s_root);
	CU_ASSERT(stat(p, &st) == 0);
	/* and through an absolute one fails */
	CU_ASSERT_EQUAL(path_open_parent(s_rootfd, "/esc_abs/planted", name,
					 sizeof name), -1);

	errno = 0;
	CU_ASSERT_EQUAL(path_open_parent(s_rootfd, "/", name, sizeof name), -1);
	CU_ASSERT_EQUAL(errno, EINVAL);
	errno = 0;
	CU_ASSERT_EQUAL(path_open_parent(s_rootfd, "/sub/longname", name, 4), -1);
	CU_ASSERT_EQUAL(errno, ENAMETOOLONG);
	CU_ASSERT_EQUAL(path_open_parent(s_rootfd, "/sub/..", name, sizeof name), -1);
	CU_ASSERT_STRING_EQUAL(slurp("/sub/file.txt", got, sizeof got), "inside");
	tree_teardown();
}

void
suite_path(void)
{
	UNIT_SUITE("path");
	UNIT_TEST(test_path_resolve);
	UNIT_TEST(test_path_resolve_rejects);
	UNIT_TEST(test_path_names);
	UNIT_TEST(test_path_open_confined);
	UNIT_TEST(test_path_create_and_parent);
}
