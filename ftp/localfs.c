/* localfs.c: confined creation of local files under a target folder by
 * walking the name one component at a time with O_NOFOLLOW (tnftp's
 * fileindir idea, made strict). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "localfs.h"
#include "sys.h"

#define LFS_MAXNAME 4096

int
localfs_name_ok(const char *name, int allow_dirs)
{
	const char *p = name, *comp = name;
	size_t n = strlen(name);

	if (n == 0 || n >= LFS_MAXNAME || name[0] == '/' || name[0] == '|')
		return 0;
	for (;; p++) {
		if (*p == '/' || *p == '\0') {
			size_t len = (size_t)(p - comp);

			if (len == 0 || (len == 1 && comp[0] == '.') ||
			    (len == 2 && comp[0] == '.' && comp[1] == '.'))
				return 0;
			if (*p == '\0')
				return 1;
			if (!allow_dirs)
				return 0;
			comp = p + 1;
			continue;
		}
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return 0;
	}
}

void
localfs_basename(const char *path, char *out, size_t outlen)
{
	size_t n = strlen(path);
	const char *s;

	while (n > 0 && path[n - 1] == '/')
		n--;
	s = path + n;
	while (s > path && s[-1] != '/')
		s--;
	if ((size_t)(path + n - s) >= outlen) {
		out[0] = '\0';
		return;
	}
	memcpy(out, s, (size_t)(path + n - s));
	out[path + n - s] = '\0';
}

/* Opens the folder that holds rel's last component, descending without
 * following symlinks; copies that component into last.  With make set,
 * missing folders are created.  Returns a dir fd (to close) or -1. */
static int
open_parent(int dirfd, const char *rel, char *last, size_t lastlen, int make)
{
	char comp[LFS_MAXNAME];
	const char *p = rel;
	int fd = dup(dirfd);

	if (fd < 0)
		return -1;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		int next;

		if (len >= sizeof comp) {
			sys_close_failok(fd);
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(comp, p, len);
		comp[len] = '\0';
		if (!slash) {
			if (len >= lastlen) {
				sys_close_failok(fd);
				errno = ENAMETOOLONG;
				return -1;
			}
			memcpy(last, comp, len + 1);
			return fd;
		}
		if (make && mkdirat(fd, comp, 0777) < 0 && errno != EEXIST) {
			sys_close_failok(fd);
			return -1;
		}
		next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			      O_CLOEXEC);
		sys_close_failok(fd);
		if (next < 0) {
			/* a symlink (or a file) on the way */
			if (errno == ELOOP || errno == ENOTDIR)
				errno = EINVAL;
			return -1;
		}
		fd = next;
		p = slash + 1;
	}
}

int
localfs_create(int dirfd, const char *rel, int resume)
{
	char last[LFS_MAXNAME];
	struct stat st;
	int pfd, fd, fl;

	if (!localfs_name_ok(rel, 1)) {
		errno = EINVAL;
		return -1;
	}
	pfd = open_parent(dirfd, rel, last, sizeof last, 0);
	if (pfd < 0)
		return -1;
	/* O_NONBLOCK: opening a FIFO must not hang before we can refuse it. */
	fd = openat(pfd, last, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
		    O_CLOEXEC, 0666);
	sys_close_failok(pfd);
	if (fd < 0) {
		if (errno == ELOOP || errno == ENXIO)
			errno = EINVAL;
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		sys_close_failok(fd);
		errno = EINVAL;
		return -1;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0 ||
	    (resume ? lseek(fd, 0, SEEK_END) < 0 : ftruncate(fd, 0) < 0)) {
		sys_close_failok(fd);
		return -1;
	}
	return fd;
}

int
localfs_mkdirs(int dirfd, const char *rel)
{
	char last[LFS_MAXNAME];
	int pfd, fd;

	if (!localfs_name_ok(rel, 1)) {
		errno = EINVAL;
		return -1;
	}
	pfd = open_parent(dirfd, rel, last, sizeof last, 1);
	if (pfd < 0)
		return -1;
	if (mkdirat(pfd, last, 0777) < 0 && errno != EEXIST) {
		sys_close_failok(pfd);
		return -1;
	}
	fd = openat(pfd, last, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	sys_close_failok(pfd);
	if (fd < 0) {
		if (errno == ELOOP || errno == ENOTDIR)
			errno = EINVAL;
		return -1;
	}
	sys_close_failok(fd);
	return 0;
}

int
localfs_stat(int dirfd, const char *rel, struct stat *st)
{
	char last[LFS_MAXNAME];
	int pfd, rc;

	if (!localfs_name_ok(rel, 1)) {
		errno = EINVAL;
		return -1;
	}
	pfd = open_parent(dirfd, rel, last, sizeof last, 0);
	if (pfd < 0)
		return -1;
	rc = fstatat(pfd, last, st, AT_SYMLINK_NOFOLLOW);
	sys_close_failok(pfd);
	return rc;
}

int
localfs_set_mtime(int fd, time_t mtime)
{
	struct timespec ts[2];

	ts[0].tv_sec = 0;
	ts[0].tv_nsec = UTIME_NOW;
	ts[1].tv_sec = mtime;
	ts[1].tv_nsec = 0;
	return futimens(fd, ts);
}
