/* xfer.c: the data-transfer engine.  file -> conn uses sendfile() for plain
 * binary and a read/write loop otherwise (ASCII, TLS); conn -> file is a
 * read/write loop.  Every wait polls the data descriptor together with the
 * control connection (watch_fd), bounded by the stall timeout, and a rate
 * limit paces chunks of about a tenth of a second each. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/sendfile.h>
#include <time.h>
#include <unistd.h>

#include "ascii.h"
#include "sys.h"
#include "xfer.h"

#define XFER_BUFSZ (256 * 1024)
#define XFER_SENDFILE_MAX (16 * 1024 * 1024)
#define XFER_MIN_CHUNK 1024

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

int
xfer_recv_file(struct conn *src, int file_fd, const struct xfer_opts *o,
	       uint64_t *bytes)
{
	struct xfer_run x = { o, sys_now_ms(), 0, 0 };
	struct ascii_state as = { 0 };
	size_t chunk = xfer_chunk(o, XFER_BUFSZ), m;
	int saved_timeout = src->timeout_ms, fl, res = XFER_OK, w, e;
	char *in, *out = NULL, tail[1];
	ssize_t n;

	in = malloc(XFER_BUFSZ);
	if (in == NULL)
		return XFER_FILE_ERROR;
	if (o->ascii && (out = malloc(XFER_BUFSZ + 1)) == NULL) {
		free(in);
		return XFER_FILE_ERROR;
	}
	fl = fcntl(src->fd, F_GETFL);
	if (fl >= 0)
		(void)fcntl(src->fd, F_SETFL, fl | O_NONBLOCK);
	src->timeout_ms = o->timeout_ms;
	for (;;) {
		if (!conn_has_pending(src)) {
			w = xfer_wait(&x, src->fd, POLLIN);
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
				x.total++;
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
		x.total += m;
		w = xfer_pace(&x);
		if (w != XFER_READY) {
			res = w;
			break;
		}
	}
	e = errno;
	src->timeout_ms = saved_timeout;
	if (fl >= 0)
		(void)fcntl(src->fd, F_SETFL, fl);
	free(in);
	free(out);
	*bytes = x.total;
	errno = e;
	return res;
}
