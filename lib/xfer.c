/* xfer.c: the data-transfer engine.  file -> conn uses sendfile() for plain
 * binary and a read/write loop otherwise (ASCII, TLS); conn -> file uses
 * splice() through a pipe for plain binary into a regular file (not
 * O_APPEND) and a read/write loop otherwise.  Every wait polls the data
 * descriptor together with the control connection (watch_fd), bounded by
 * the stall timeout, and a rate limit paces chunks of about a tenth of a
 * second each. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ascii.h"
#include "sys.h"
#include "xfer.h"

#define XFER_BUFSZ (256 * 1024)
#define XFER_SENDFILE_MAX (16 * 1024 * 1024)
#define XFER_MIN_CHUNK 1024
#define XFER_PIPESZ (1024 * 1024)	/* splice pipe; the default max */
#define XFER_PIPE_MIN (64 * 1024)	/* smaller: not worth splicing */

/* Internal outcome of a wait, beyond the public results. */
#define XFER_READY (-1)

struct xfer_run {
	const struct xfer_opts *o;
	long long start_ms;
	uint64_t total;
	int watch_done;		/* on_watch said "continue" for this wait */
};

void
xfer_opts_init(struct xfer_opts *o)
{
	o->ascii = 0;
	o->max_rate = 0;
	o->timeout_ms = -1;
	o->watch_fd = -1;
	o->on_watch = NULL;
	o->on_progress = NULL;
	o->arg = NULL;
}

const char *
xfer_strerror(int result)
{
	switch (result) {
	case XFER_OK:
		return "transfer complete";
	case XFER_ABORTED:
		return "transfer aborted";
	case XFER_TIMEOUT:
		return "data connection timed out";
	case XFER_NET_ERROR:
		return "data connection failed";
	case XFER_FILE_ERROR:
		return "local file error";
	default:
		return "unknown transfer result";
	}
}

/* Bytes per chunk: everything the buffer holds, or ~1/10 s at the rate. */
static size_t
xfer_chunk(const struct xfer_opts *o, size_t bufmax)
{
	uint64_t c;

	if (o->max_rate == 0)
		return bufmax;
	c = o->max_rate / 10;
	if (c < XFER_MIN_CHUNK)
		c = XFER_MIN_CHUNK;
	return c < bufmax ? (size_t)c : bufmax;
}

/* Waits until fd has events, watching the control connection as well.
 * Returns XFER_READY, XFER_ABORTED or XFER_TIMEOUT; XFER_NET_ERROR when
 * poll itself fails. */
static int
xfer_wait(struct xfer_run *x, int fd, short events)
{
	const struct xfer_opts *o = x->o;
	struct pollfd pfd[2];
	long long deadline = 0, left;
	int n, wait = o->timeout_ms, r;

	if (o->timeout_ms >= 0)
		deadline = sys_now_ms() + o->timeout_ms;
	x->watch_done = 0;
	for (;;) {
		pfd[0].fd = fd;
		pfd[0].events = events;
		pfd[0].revents = 0;
		n = 1;
		if (o->watch_fd >= 0 && o->on_watch != NULL && !x->watch_done) {
			pfd[1].fd = o->watch_fd;
			pfd[1].events = POLLIN;
			pfd[1].revents = 0;
			n = 2;
		}
		r = poll(pfd, (nfds_t)n, wait);
		if (r < 0 && errno != EINTR)
			return XFER_NET_ERROR;
		if (r > 0 && n == 2 && pfd[1].revents != 0) {
			if (o->on_watch(o->arg) != 0)
				return XFER_ABORTED;
			/* Not an abort: stop watching until the next chunk so
			 * unread control bytes cannot spin this loop. */
			x->watch_done = 1;
		}
		if (r > 0 && pfd[0].revents != 0)
			return XFER_READY;
		if (o->timeout_ms >= 0) {
			left = deadline - sys_now_ms();
			if (left <= 0)
				return XFER_TIMEOUT;
			wait = left > 1 << 30 ? 1 << 30 : (int)left;
		}
	}
}

/* After a chunk: report progress and sleep as long as the rate says we
 * are ahead.  The control connection is watched while sleeping. */
static int
xfer_pace(struct xfer_run *x)
{
	const struct xfer_opts *o = x->o;
	long long ahead;
	struct pollfd pfd;
	int r;

	if (o->on_progress != NULL)
		o->on_progress(o->arg, x->total);
	if (o->max_rate == 0)
		return XFER_READY;
	for (;;) {
		ahead = (long long)(x->total * 1000 / o->max_rate) -
		    (sys_now_ms() - x->start_ms);
		if (ahead <= 0)
			return XFER_READY;
		if (o->watch_fd >= 0 && o->on_watch != NULL && !x->watch_done) {
			pfd.fd = o->watch_fd;
			pfd.events = POLLIN;
			pfd.revents = 0;
			r = poll(&pfd, 1, (int)(ahead > 1000 ? 1000 : ahead));
			if (r > 0) {
				if (o->on_watch(o->arg) != 0)
					return XFER_ABORTED;
				x->watch_done = 1;
			}
		} else {
			struct timespec ts;

			if (ahead > 1000)
				ahead = 1000;
			ts.tv_sec = (time_t)(ahead / 1000);
			ts.tv_nsec = (long)(ahead % 1000) * 1000000L;
			(void)nanosleep(&ts, NULL);
		}
	}
}

static int
xfer_net_result(void)
{
	return errno == ETIMEDOUT ? XFER_TIMEOUT : XFER_NET_ERROR;
}

/* The sendfile() fast path.  Returns a result, or XFER_READY when
 * sendfile is not usable here and nothing has been sent yet or the
 * read/write loop can carry on from the current file offset. */
static int
xfer_sendfile(struct xfer_run *x, int file_fd, struct conn *dst)
{
	size_t chunk = x->o->max_rate ? xfer_chunk(x->o, XFER_SENDFILE_MAX) :
	    XFER_SENDFILE_MAX;
	ssize_t r;
	int w;

	for (;;) {
		w = xfer_wait(x, dst->wfd, POLLOUT);
		if (w != XFER_READY)
			return w;
		r = sendfile(dst->wfd, file_fd, NULL, chunk);
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			if (errno == EINVAL || errno == ENOSYS)
				return XFER_READY;	/* fall back */
			if (errno == EPIPE || errno == ECONNRESET ||
			    errno == ENOTCONN || errno == ETIMEDOUT)
				return XFER_NET_ERROR;
			return XFER_FILE_ERROR;
		}
		if (r == 0)
			return XFER_OK;
		x->total += (uint64_t)r;
		w = xfer_pace(x);
		if (w != XFER_READY)
			return w;
	}
}

/* The read/write loop for file -> conn. */
static int
xfer_send_loop(struct xfer_run *x, int file_fd, struct conn *dst)
{
	const struct xfer_opts *o = x->o;
	struct ascii_state as = { 0 };
	size_t chunk = xfer_chunk(o, XFER_BUFSZ), m;
	char *in, *out = NULL;
	ssize_t n;
	int w, res = XFER_OK;

	in = malloc(XFER_BUFSZ);
	if (in == NULL)
		return XFER_FILE_ERROR;
	if (o->ascii && (out = malloc(2 * XFER_BUFSZ)) == NULL) {
		free(in);
		return XFER_FILE_ERROR;
	}
	for (;;) {
		n = sys_read(file_fd, in, chunk);
		if (n < 0) {
			res = XFER_FILE_ERROR;
			break;
		}
		if (n == 0)
			break;
		m = (size_t)n;
		if (o->ascii)
			m = ascii_to_crlf(&as, in, (size_t)n, out);
		w = xfer_wait(x, dst->wfd, POLLOUT);
		if (w != XFER_READY) {
			res = w;
			break;
		}
		if (conn_write_full(dst, o->ascii ? out : in, m) < 0) {
			res = xfer_net_result();
			break;
		}
		x->total += (uint64_t)n;
		w = xfer_pace(x);
		if (w != XFER_READY) {
			res = w;
			break;
		}
	}
	free(in);
	free(out);
	return res;
}

/* sendfile() has no MSG_NOSIGNAL: keep SIGPIPE blocked around it and
 * swallow one raised by us, so a vanished peer is XFER_NET_ERROR rather
 * than a dead process, whatever the caller's SIGPIPE disposition. */
static void
sigpipe_block(sigset_t *old, int *was_pending)
{
	sigset_t set, pend;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	*was_pending = sigpending(&pend) == 0 && sigismember(&pend, SIGPIPE) == 1;
	(void)pthread_sigmask(SIG_BLOCK, &set, old);
}

static void
sigpipe_restore(const sigset_t *old, int was_pending)
{
	static const struct timespec zero = { 0, 0 };
	sigset_t set, pend;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	if (!was_pending && sigpending(&pend) == 0 &&
	    sigismember(&pend, SIGPIPE) == 1)
		while (sigtimedwait(&set, NULL, &zero) < 0 && errno == EINTR)
			;
	(void)pthread_sigmask(SIG_SETMASK, old, NULL);
}

int
xfer_send_file(int file_fd, struct conn *dst, const struct xfer_opts *o,
	       uint64_t *bytes)
{
	struct xfer_run x = { o, sys_now_ms(), 0, 0 };
	int saved_timeout = dst->timeout_ms, fl, res, e, pending;
	sigset_t oldmask;

	/* Non-blocking while we own it, so no single call can outlast the
	 * stall timeout; conn_* already poll before each operation. */
	fl = fcntl(dst->wfd, F_GETFL);
	if (fl >= 0)
		(void)fcntl(dst->wfd, F_SETFL, fl | O_NONBLOCK);
	dst->timeout_ms = o->timeout_ms;
	res = XFER_READY;
	if (!o->ascii && dst->tls == NULL) {
		sigpipe_block(&oldmask, &pending);
		res = xfer_sendfile(&x, file_fd, dst);
		e = errno;
		sigpipe_restore(&oldmask, pending);
		errno = e;
	}
	if (res == XFER_READY)
		res = xfer_send_loop(&x, file_fd, dst);
	e = errno;
	dst->timeout_ms = saved_timeout;
	if (fl >= 0)
		(void)fcntl(dst->wfd, F_SETFL, fl);
	*bytes = x.total;
	errno = e;
	return res;
}

/* Moves whatever sits in the pipe into the file (after a failed splice
 * out, or to leave the pipe empty before falling back).  0 or -1. */
static int
xfer_pipe_drain(int pfd, int file_fd, char *buf, size_t bufsz)
{
	ssize_t n;

	for (;;) {
		n = read(pfd, buf, bufsz);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0)
			return n == 0 ? 0 : -1;
		if (sys_write_full(file_fd, buf, (size_t)n) < 0)
			return -1;
	}
}

/* Empties the pipe into the file with splice().  0 when all n bytes
 * are in the file, 1 when the file refused splice (bytes already moved
 * stay written; the rest is still in the pipe), -1 on a write error. */
static int
xfer_splice_out(int pfd, int file_fd, size_t n, int first)
{
	ssize_t m;

	while (n > 0) {
		m = splice(pfd, NULL, file_fd, NULL, n, SPLICE_F_MOVE);
		if (m < 0 && errno == EINTR)
			continue;
		if (m < 0 && first && (errno == EINVAL || errno == ENOSYS))
			return 1;
		if (m <= 0)
			return -1;
		n -= (size_t)m;
		first = 0;
	}
	return 0;
}

/* True when conn -> file can go through a pipe with splice(): plain,
 * binary, and a regular file not opened O_APPEND (splice refuses that). */
static int
xfer_can_splice(const struct conn *src, int file_fd, const struct xfer_opts *o)
{
	struct stat st;
	int fl;

	if (o->ascii || src->tls != NULL || conn_has_pending(src))
		return 0;
	fl = fcntl(file_fd, F_GETFL);
	if (fl < 0 || (fl & O_APPEND) || fstat(file_fd, &st) < 0)
		return 0;
	return S_ISREG(st.st_mode);
}

/* The zero-copy receive path: socket -> pipe -> file.  Returns a result,
 * or XFER_READY when splice is not usable; then every byte received so
 * far is in the file and the read/write loop carries on. */
static int
xfer_splice_in(struct xfer_run *x, struct conn *src, int file_fd)
{
	size_t chunk;
	int p[2], w, res = XFER_OK, out, first_in = 1, first_out = 1;
	ssize_t n;
	char tmp[4096];

	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
		return XFER_READY;
	(void)fcntl(p[1], F_SETPIPE_SZ, XFER_PIPESZ);
	n = fcntl(p[1], F_GETPIPE_SZ);
	if (n < XFER_PIPE_MIN) {
		/* Over the per-user pipe allowance (fs.pipe-user-pages-soft)
		 * the kernel hands out 8 KiB pipes: the read/write loop with
		 * its larger buffer costs fewer calls. */
		sys_close_failok(p[0]);
		sys_close_failok(p[1]);
		return XFER_READY;
	}
	chunk = xfer_chunk(x->o, (size_t)n);
	for (;;) {
		w = xfer_wait(x, src->fd, POLLIN);
		if (w != XFER_READY) {
			res = w;
			break;
		}
		n = splice(src->fd, NULL, p[1], NULL, chunk,
		    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			if (first_in && (errno == EINVAL || errno == ENOSYS)) {
				res = XFER_READY;	/* fall back */
				break;
			}
			res = xfer_net_result();
			break;
		}
		first_in = 0;
		if (n == 0)
			break;
		out = xfer_splice_out(p[0], file_fd, (size_t)n, first_out);
		first_out = 0;
		if (out == 1) {
			/* The file takes no splice: copy what the pipe holds
			 * and let the read/write loop go on. */
			res = xfer_pipe_drain(p[0], file_fd, tmp, sizeof tmp) < 0 ?
			    XFER_FILE_ERROR : XFER_READY;
			if (res == XFER_READY)
				x->total += (uint64_t)n;
			break;
		}
		if (out < 0) {
			res = XFER_FILE_ERROR;
			break;
		}
		x->total += (uint64_t)n;
		w = xfer_pace(x);
		if (w != XFER_READY) {
			res = w;
			break;
		}
	}
	w = errno;
	sys_close_failok(p[0]);
	sys_close_failok(p[1]);
	errno = w;
	return res;
}

/* The read/write loop for conn -> file (ASCII, TLS, or no splice). */
static int
xfer_recv_loop(struct xfer_run *x, struct conn *src, int file_fd)
{
	const struct xfer_opts *o = x->o;
	struct ascii_state as = { 0 };
	size_t chunk = xfer_chunk(o, XFER_BUFSZ), m;
	int res = XFER_OK, w;
	char *in, *out = NULL, tail[1];
	ssize_t n;

	in = malloc(XFER_BUFSZ);
	if (in == NULL)
		return XFER_FILE_ERROR;
	if (o->ascii && (out = malloc(XFER_BUFSZ + 1)) == NULL) {
		free(in);
		return XFER_FILE_ERROR;
	}
	for (;;) {
		if (!conn_has_pending(src)) {
			w = xfer_wait(x, src->fd, POLLIN);
			if (w != XFER_READY) {
				res = w;
				break;
			}
		}
		n = conn_read(src, in, chunk);
		if (n < 0) {
			res = xfer_net_result();
			break;
		}
		if (n == 0) {
			if (o->ascii && ascii_from_crlf_finish(&as, tail) == 1) {
				if (sys_write_full(file_fd, tail, 1) < 0) {
					res = XFER_FILE_ERROR;
					break;
				}
				x->total++;
			}
			break;
		}
		m = (size_t)n;
		if (o->ascii)
			m = ascii_from_crlf(&as, in, (size_t)n, out);
		if (sys_write_full(file_fd, o->ascii ? out : in, m) < 0) {
			res = XFER_FILE_ERROR;
			break;
		}
		x->total += m;
		w = xfer_pace(x);
		if (w != XFER_READY) {
			res = w;
			break;
		}
	}
	w = errno;
	free(in);
	free(out);
	errno = w;
	return res;
}

int
xfer_recv_file(struct conn *src, int file_fd, const struct xfer_opts *o,
	       uint64_t *bytes)
{
	struct xfer_run x = { o, sys_now_ms(), 0, 0 };
	int saved_timeout = src->timeout_ms, fl, res = XFER_READY, e;

	fl = fcntl(src->fd, F_GETFL);
	if (fl >= 0)
		(void)fcntl(src->fd, F_SETFL, fl | O_NONBLOCK);
	src->timeout_ms = o->timeout_ms;
	if (xfer_can_splice(src, file_fd, o))
		res = xfer_splice_in(&x, src, file_fd);
	if (res == XFER_READY)
		res = xfer_recv_loop(&x, src, file_fd);
	e = errno;
	src->timeout_ms = saved_timeout;
	if (fl >= 0)
		(void)fcntl(src->fd, F_SETFL, fl);
	*bytes = x.total;
	errno = e;
	return res;
}
