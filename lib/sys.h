/* sys.h: thin system-call wrappers.  EINTR loops live here; *_failok
 * marks calls whose failure the caller accepts. */
#ifndef FTPKIT_SYS_H
#define FTPKIT_SYS_H

#include <sys/types.h>
#include <stddef.h>

ssize_t sys_read(int fd, void *p, size_t n);		/* EINTR-safe read */
ssize_t sys_write(int fd, const void *p, size_t n);	/* EINTR-safe write */
int sys_write_full(int fd, const void *p, size_t n);	/* 0, or -1 with errno */
ssize_t sys_read_full(int fd, void *p, size_t n);	/* until n or EOF */
int sys_set_nonblock(int fd, int on);
int sys_set_cloexec(int fd);
void sys_close_failok(int fd);
/* poll() one fd for events with a timeout in ms (-1 = forever); EINTR is
 * retried with the remaining time.  Returns revents (>0), 0 on timeout,
 * -1 on error. */
int sys_poll_one(int fd, short events, int timeout_ms);
/* Monotonic clock in milliseconds. */
long long sys_now_ms(void);
/* Close every descriptor >= from except those listed (n entries). */
void sys_close_from(int from, const int *keep, size_t n);

#endif
