/* path.c: virtual paths (lexical normalization) and confined opens beneath
 * a root descriptor with openat2(RESOLVE_IN_ROOT). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "path.h"

/* Bounded retries: openat2 returns EAGAIN when a concurrent rename races
 * with RESOLVE_IN_ROOT resolution. */
#define OPENAT2_RETRIES 128

/* Appends the components of p to t, applying "." and ".." lexically. */
static int
path_walk(struct buf *t, const char *p)
{
	const char *c, *slash;
	size_t n;

	for (c = p; *c != '\0'; c = slash) {
		while (*c == '/')
			c++;
		if (*c == '\0')
			break;
		slash = strchr(c, '/');
		if (slash == NULL)
			slash = c + strlen(c);
		n = (size_t)(slash - c);
		if (n == 1 && c[0] == '.')
			continue;
		if (n == 2 && c[0] == '.' && c[1] == '.') {
			/* SECURITY: ".." above "/" stays at "/". */
			char *last = t->len ? memrchr(t->data, '/', t->len) : NULL;

			buf_truncate(t, last ? (size_t)(last - t->data) : 0);
			continue;
		}
		if (buf_putc(t, '/') < 0 || buf_append(t, c, n) < 0)
			return -1;
	}
	return 0;
}

int
path_resolve(const char *cwd, const char *arg, struct buf *out)
{
	struct buf t;
	size_t cl, al;
	int r = -1;

	if (cwd == NULL || *cwd != '/')
		cwd = "/";
	if (arg == NULL)
		arg = "";
	/* SECURITY: CR/LF would let a name forge protocol or log lines. */
	if (strpbrk(arg, "\r\n") != NULL || strpbrk(cwd, "\r\n") != NULL)
		return -1;
	if (arg[0] == '/') {
		cwd = "/";
	} else if (arg[0] == '~' && (arg[1] == '\0' || arg[1] == '/')) {
		cwd = "/";
		arg++;
	}
	cl = strlen(cwd);
	al = strlen(arg);
	if (cl > 4 * PATH_MAX_VIRTUAL || al > 4 * PATH_MAX_VIRTUAL)
		return -1;
	buf_init(&t, cl + al + 2);
	if (path_walk(&t, cwd) < 0 || path_walk(&t, arg) < 0)
		goto out;
	if (t.len == 0 && buf_putc(&t, '/') < 0)
		goto out;
	if (t.len >= PATH_MAX_VIRTUAL)
		goto out;
	r = buf_set(out, buf_cstr(&t));
out:
	buf_free(&t);
	return r;
}

const char *
path_basename(const char *vpath)
{
	const char *s = strrchr(vpath, '/');

	if (s == NULL)
		return vpath;
	if (s[1] == '\0')
		return s == vpath ? vpath : s + 1;
	return s + 1;
}

int
path_is_plain_name(const char *name)
{
	if (name == NULL || name[0] == '\0' || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return 0;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p == '/' || *p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

int
path_open(int rootfd, const char *vpath, int flags, mode_t mode)
{
	struct open_how how;
	const char *rel;
	long fd;

	if (vpath == NULL || vpath[0] != '/') {
		errno = EINVAL;
		return -1;
	}
	rel = vpath + 1;
	if (*rel == '\0')
		rel = ".";
	memset(&how, 0, sizeof how);
	how.flags = (unsigned long long)(unsigned)(flags | O_CLOEXEC);
	/* openat2 insists on mode 0 unless something may be created. */
	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
		how.mode = mode;
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	for (int i = 0; i < OPENAT2_RETRIES; i++) {
		fd = syscall(SYS_openat2, rootfd, rel, &how, sizeof how);
		if (fd >= 0)
			return (int)fd;
		if (errno != EAGAIN && errno != EINTR)
			return -1;
	}
	errno = EAGAIN;
	return -1;
}

int
path_open_parent(int rootfd, const char *vpath, char *name, size_t namelen)
{
	char parent[PATH_MAX_VIRTUAL];
	const char *slash;
	size_t pl, nl;

	if (vpath == NULL || vpath[0] != '/' || vpath[1] == '\0') {
		errno = EINVAL;
		return -1;
	}
	slash = strrchr(vpath, '/');
	nl = strlen(slash + 1);
	if (nl >= namelen) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(name, slash + 1, nl + 1);
	if (!path_is_plain_name(name)) {
		errno = EINVAL;
		return -1;
	}
	pl = (size_t)(slash - vpath);
	if (pl == 0)
		pl = 1;			/* parent is "/" */
	if (pl >= sizeof parent) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(parent, vpath, pl);
	parent[pl] = '\0';
	return path_open(rootfd, parent, O_RDONLY | O_DIRECTORY, 0);
}
