/* sys.c: system-call wrappers.  EINTR handling and partial-I/O loops live
 * here so callers see whole operations. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "sys.h"

ssize_t
sys_read(int fd, void *p, size_t n)
{
	ssize_t r;

	do
		r = read(fd, p, n);
	while (r < 0 && errno == EINTR);
	return r;
}

ssize_t
sys_write(int fd, const void *p, size_t n)
{
	ssize_t r;

	do
		r = write(fd, p, n);
	while (r < 0 && errno == EINTR);
	return r;
}

int
sys_write_full(int fd, const void *p, size_t n)
{
	const char *s = p;
	ssize_t r;

	while (n > 0) {
		r = sys_write(fd, s, n);
		if (r < 0)
			return -1;
		if (r == 0) {
			errno = EIO;
			return -1;
		}
		s += r;
		n -= (size_t)r;
	}
	return 0;
}

ssize_t
sys_read_full(int fd, void *p, size_t n)
{
	char *s = p;
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = sys_read(fd, s + got, n - got);
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int
sys_set_nonblock(int fd, int on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -1;
	fl = on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
	return fcntl(fd, F_SETFL, fl) < 0 ? -1 : 0;
}

int
sys_set_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFD);

	if (fl < 0)
		return -1;
	return fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0 ? -1 : 0;
}

void
sys_close_failok(int fd)
{
	/* Linux always releases the descriptor, even on EINTR: no retry. */
	if (fd >= 0)
		(void)close(fd);
}

long long
sys_now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		return 0;
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
sys_poll_one(int fd, short events, int timeout_ms)
{
	struct pollfd pfd;
	long long deadline = 0, left;
	int r, wait = timeout_ms;

	if (timeout_ms >= 0)
		deadline = sys_now_ms() + timeout_ms;
	for (;;) {
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		r = poll(&pfd, 1, wait);
		if (r > 0)
			return pfd.revents ? pfd.revents : events;
		if (r == 0)
			return 0;
		if (errno != EINTR)
			return -1;
		if (timeout_ms >= 0) {
			left = deadline - sys_now_ms();
			if (left <= 0)
				return 0;
			wait = (int)left;
		}
	}
}

static int
is_kept(int fd, const int *keep, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (keep[i] == fd)
			return 1;
	return 0;
}

void
sys_close_from(int from, const int *keep, size_t n)
{
	DIR *d;
	struct dirent *de;
	int dfd, fd, maxfd;
	char *end;
	long v;

	/* Collect from /proc first; closing while iterating is fine since
	 * we skip the directory's own descriptor. */
	d = opendir("/proc/self/fd");
	if (d != NULL) {
		dfd = dirfd(d);
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] < '0' || de->d_name[0] > '9')
				continue;
			v = strtol(de->d_name, &end, 10);
			if (*end != '\0' || v < from || v > 1 << 30)
				continue;
			fd = (int)v;
			if (fd == dfd || is_kept(fd, keep, n))
				continue;
			(void)close(fd);
		}
		(void)closedir(d);
		return;
	}
	maxfd = (int)sysconf(_SC_OPEN_MAX);
	if (maxfd < 0 || maxfd > 65536)
		maxfd = 65536;
	for (fd = from; fd < maxfd; fd++)
		if (!is_kept(fd, keep, n))
			(void)close(fd);
}
