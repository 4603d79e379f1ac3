/* tlsrecv.c: the TLS download loop (see tlsrecv.h for why it exists). */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <time.h>

#include "ascii.h"
#include "intr.h"
#include "sys.h"
#include "tlsrecv.h"

#define RECV_BUFSZ (256 * 1024)
#define RECV_MIN_CHUNK 1024
#define RECV_GO (-1)		/* internal: carry on */

ssize_t
tlsrecv_read_now(struct conn *c, void *p, size_t n)
{
	int saved = c->timeout_ms;
	ssize_t r;

	c->timeout_ms = 0;
	r = conn_read(c, p, n);
	c->timeout_ms = saved;
	return r;
}

/* Waits for data or Ctrl-C.  RECV_GO, XFER_ABORTED or XFER_TIMEOUT. */
static int
wait_data(struct conn *c, int timeout_ms)
{
	int p = intr_poll(c->fd, POLLIN, timeout_ms);

	if (p == -2)
		return XFER_ABORTED;
	if (p == 0)
		return XFER_TIMEOUT;
	return p < 0 ? XFER_NET_ERROR : RECV_GO;
}

/* Sleeps while ahead of the rate limit; Ctrl-C ends the sleep. */
static int
pace(const struct xfer_opts *o, uint64_t total, long long start)
{
	for (;;) {
		long long ahead = (long long)(total * 1000 / o->max_rate) -
			(sys_now_ms() - start);
		struct pollfd pfd;

		if (ahead <= 0)
			return RECV_GO;
		pfd.fd = intr_fd();
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, pfd.fd >= 0 ? 1 : 0, (int)(ahead > 1000 ? 1000 :
							   ahead)) > 0 &&
		    intr_pending())
			return XFER_ABORTED;
	}
}

int
tlsrecv_file(struct conn *src, int file_fd, const struct xfer_opts *o,
	     uint64_t *bytes)
{
	struct ascii_state as = { 0 };
	uint64_t total = 0;
	long long start = sys_now_ms();
	size_t chunk = RECV_BUFSZ, m;
	char *in, *out = NULL, tail[1];
	int res = XFER_OK, e = 0;

	*bytes = 0;
	if (o->max_rate > 0 && o->max_rate / 10 < chunk)
		chunk = o->max_rate / 10 < RECV_MIN_CHUNK ? RECV_MIN_CHUNK :
			(size_t)(o->max_rate / 10);
	in = malloc(RECV_BUFSZ);
	if (in == NULL || (o->ascii && (out = malloc(RECV_BUFSZ + 1)) == NULL)) {
		free(in);
		errno = ENOMEM;
		return XFER_FILE_ERROR;
	}
	for (;;) {
		ssize_t n;

		if (intr_pending()) {
			res = XFER_ABORTED;
			break;
		}
		n = tlsrecv_read_now(src, in, chunk);
		if (n < 0 && errno == ETIMEDOUT) {
			res = wait_data(src, o->timeout_ms);
			if (res != RECV_GO)
				break;
			res = XFER_OK;
			continue;
		}
		if (n < 0) {
			e = errno;
			res = XFER_NET_ERROR;
			break;
		}
		if (n == 0) {
			if (o->ascii && ascii_from_crlf_finish(&as, tail) == 1) {
				if (sys_write_full(file_fd, tail, 1) < 0) {
					e = errno;
					res = XFER_FILE_ERROR;
					break;
				}
				total++;
			}
			break;
		}
		m = (size_t)n;
		if (o->ascii)
			m = ascii_from_crlf(&as, in, (size_t)n, out);
		if (sys_write_full(file_fd, o->ascii ? out : in, m) < 0) {
			e = errno;
			res = XFER_FILE_ERROR;
			break;
		}
		total += m;
		if (o->on_progress)
			o->on_progress(o->arg, total);
		if (o->max_rate > 0 && (res = pace(o, total, start)) != RECV_GO)
			break;
		res = XFER_OK;
	}
	free(in);
	free(out);
	*bytes = total;
	errno = e;
	return res;
}
