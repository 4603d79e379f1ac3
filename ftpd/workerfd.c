/* workerfd.c: the descriptor allowlist and terminal detach for a new
 * worker (see workerfd.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "workerfd.h"
#include "sys.h"

#define SYSLOG_PATH "/dev/log"

static int
is_kept(int fd, const int *keep, size_t nkeep)
{
	for (size_t i = 0; i < nkeep; i++)
		if (keep[i] == fd)
			return 1;
	return 0;
}

/* 1 if fd is libc's connection to the system logger (openlog with
 * LOG_NDELAY keeps one open; the chrooted worker could not reopen it). */
static int
is_syslog_socket(int fd, const char *logpath)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof sun;
	int dom = 0;
	socklen_t dlen = sizeof dom;

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &dlen) < 0 ||
	    dom != AF_UNIX)
		return 0;
	memset(&sun, 0, sizeof sun);
	if (getpeername(fd, (struct sockaddr *)&sun, &len) < 0 ||
	    len <= offsetof(struct sockaddr_un, sun_path) ||
	    sun.sun_path[0] == '\0')
		return 0;
	sun.sun_path[sizeof sun.sun_path - 1] = '\0';
	return strcmp(sun.sun_path, SYSLOG_PATH) == 0 ||
	       (logpath != NULL && strcmp(sun.sun_path, logpath) == 0);
}

static int
null_onto(int target, char *err, size_t errlen)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd < 0 || dup2(fd, target) < 0) {
		snprintf(err, errlen, "/dev/null as fd %d: %s", target,
			 strerror(errno));
		if (fd >= 0)
			sys_close_failok(fd);
		return -1;
	}
	if (fd != target)
		sys_close_failok(fd);
	return 0;
}

/* Without /proc: close_range() over the gaps between kept descriptors. */
static void
close_all_but(const int *keep, size_t nkeep)
{
	unsigned lo = 3;

	for (;;) {
		unsigned next = UINT_MAX;

		for (size_t i = 0; i < nkeep; i++)
			if (keep[i] >= (int)lo && (unsigned)keep[i] < next)
				next = (unsigned)keep[i];
		if (next > lo)
			(void)close_range(lo, next - 1, 0);
		if (next == UINT_MAX)
			return;
		lo = next + 1;
	}
}

int
workerfd_confine(const int *keep, size_t nkeep, char *err, size_t errlen)
{
	struct rlimit rl;
	struct dirent *de;
	char *logpath;
	int *fds = NULL, dfd;
	size_t n = 0, cap = 0;
	DIR *d;

	if (setsid() < 0) {
		snprintf(err, errlen, "setsid: %s", strerror(errno));
		return -1;
	}
	for (int fd = 0; fd <= 1; fd++)
		if (!is_kept(fd, keep, nkeep) && null_onto(fd, err, errlen) < 0)
			return -1;
	/* Descriptors at or above the soft limit belong to tools such as
	 * valgrind, not to us. */
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		rl.rlim_cur = RLIM_INFINITY;
	d = opendir("/proc/self/fd");
	if (d == NULL) {
		close_all_but(keep, nkeep);
		return 0;
	}
	dfd = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		char *end;
		long v = strtol(de->d_name, &end, 10);

		if (de->d_name[0] < '0' || de->d_name[0] > '9' || *end != '\0' ||
		    v <= 2 || v == dfd || v > INT_MAX ||
		    (rl.rlim_cur != RLIM_INFINITY && (rlim_t)v >= rl.rlim_cur) ||
		    is_kept((int)v, keep, nkeep))
			continue;
		if (n == cap) {
			int *p = realloc(fds, (cap = cap ? cap * 2 : 32) * sizeof *fds);

			if (p == NULL) {
				free(fds);
				closedir(d);
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			fds = p;
		}
		fds[n++] = (int)v;
	}
	closedir(d);
	logpath = realpath(SYSLOG_PATH, NULL);
	for (size_t i = 0; i < n; i++)
		if (!is_syslog_socket(fds[i], logpath))
			sys_close_failok(fds[i]);
	free(logpath);
	free(fds);
	return 0;
}
