/* test_xfer.c: the transfer engine over socketpairs and temp files:
 * binary (sendfile and fallback), ASCII both ways with CRs at chunk
 * boundaries, offsets past 4 GiB, stall timeouts, control-connection
 * watch/abort, rate limit, progress. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "xfer.h"
#include "sys.h"

/* A temporary file with the given bytes, opened O_RDWR, offset 0. */
static int
tmp_file(const void *data, size_t n)
{
	char path[] = "/tmp/ftpkit-xfer-XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	(void)unlink(path);
	if (n > 0 && sys_write_full(fd, data, n) < 0) {
		sys_close_failok(fd);
		return -1;
	}
	if (lseek(fd, 0, SEEK_SET) < 0) {
		sys_close_failok(fd);
		return -1;
	}
	return fd;
}

static char *
pattern(size_t n)
{
	char *p = malloc(n);
	uint32_t x = 12345;

	if (p == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (char)(x >> 16);
	}
	return p;
}

/* Reader thread: drains fd into a malloc'd buffer until EOF. */
struct sink {
	int fd;
	size_t cap, len;
	char *data;
	int delay_ms;		/* wait before reading at all */
};

static void *
sink_run(void *arg)
{
	struct sink *s = arg;
	ssize_t r;

	if (s->delay_ms > 0)
		(void)poll(NULL, 0, s->delay_ms);
	for (;;) {
		char tmp[65536];

		r = sys_read(s->fd, tmp, sizeof tmp);
		if (r <= 0)
			break;
		if (s->len + (size_t)r <= s->cap)
			memcpy(s->data + s->len, tmp, (size_t)r);
		s->len += (size_t)r;
	}
	return NULL;
}

/* Writer thread: writes chunks (one write each), then closes. */
struct source {
	int fd;
	const char *const *chunks;
	size_t nchunks;
	const char *bulk;
	size_t bulk_len;
};

static void *
source_run(void *arg)
{
	struct source *s = arg;

	for (size_t i = 0; i < s->nchunks; i++)
		if (sys_write_full(s->fd, s->chunks[i], strlen(s->chunks[i])) < 0)
			break;
	if (s->bulk != NULL)
		(void)sys_write_full(s->fd, s->bulk, s->bulk_len);
	sys_close_failok(s->fd);
	return NULL;
}

static void
test_xfer_send_binary(void)
{
	const size_t n = 3 * 1024 * 1024 + 17;
	char *data = pattern(n);
	struct sink s = { -1, n, 0, NULL, 0 };
	struct xfer_opts o;
	struct conn c;
	pthread_t th;
	uint64_t bytes = 0;
	int sv[2], fd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	fd = tmp_file(data, n);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	s.fd = sv[1];
	s.data = malloc(n);
	CU_ASSERT_FATAL(pthread_create(&th, NULL, sink_run, &s) == 0);
	conn_init(&c, sv[0], 5000);
	xfer_opts_init(&o);
	o.timeout_ms = 5000;
	CU_ASSERT_EQUAL(xfer_send_file(fd, &c, &o, &bytes), XFER_OK);
	CU_ASSERT_EQUAL(bytes, n);
	CU_ASSERT_EQUAL(c.timeout_ms, 5000);			/* restored */
	CU_ASSERT_EQUAL(fcntl(sv[0], F_GETFL) & O_NONBLOCK, 0);	/* restored */
	conn_close(&c);
	pthread_join(th, NULL);
	CU_ASSERT_EQUAL(s.len, n);
	CU_ASSERT(s.len == n && memcmp(s.data, data, n) == 0);
	free(s.data);
	free(data);
	sys_close_failok(fd);
}

static void
test_xfer_send_from_offset_and_pipe_fallback(void)
{
	struct sink s = { -1, 64, 0, NULL, 0 };
	char out[64];
	struct xfer_opts o;
	struct conn c;
	pthread_t th;
	uint64_t bytes;
	int sv[2], fd, p[2];

	fd = tmp_file("0123456789abcdef", 16);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(lseek(fd, 10, SEEK_SET) == 10);
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	s.fd = sv[1];
	s.data = out;
	CU_ASSERT_FATAL(pthread_create(&th, NULL, sink_run, &s) == 0);
	conn_init(&c, sv[0], 5000);
	xfer_opts_init(&o);
	CU_ASSERT_EQUAL(xfer_send_file(fd, &c, &o, &bytes), XFER_OK);
	CU_ASSERT_EQUAL(bytes, 6);
	conn_close(&c);
	pthread_join(th, NULL);
	CU_ASSERT(s.len == 6 && memcmp(out, "abcdef", 6) == 0);
	sys_close_failok(fd);

	/* sendfile() cannot read from a pipe: the loop takes over */
	CU_ASSERT_FATAL(pipe(p) == 0);
	CU_ASSERT_FATAL(sys_write_full(p[1], "piped data", 10) == 0);
	sys_close_failok(p[1]);
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	s.fd = sv[1];
	s.len = 0;
	CU_ASSERT_FATAL(pthread_create(&th, NULL, sink_run, &s) == 0);
	conn_init(&c, sv[0], 5000);
	CU_ASSERT_EQUAL(xfer_send_file(p[0], &c, &o, &bytes), XFER_OK);
	CU_ASSERT_EQUAL(bytes, 10);
	conn_close(&c);
	pthread_join(th, NULL);
	CU_ASSERT(s.len == 10 && memcmp(out, "piped data", 10) == 0);
	sys_close_failok(p[0]);
}

static void
test_xfer_send_ascii(void)
{
	const char *src = "line1\nline2\r\n\nend";
	struct sink s = { -1, 64, 0, NULL, 0 };
	char out[64];
	struct xfer_opts o;
	struct conn c;
	pthread_t th;
	uint64_t bytes;
	int sv[2], fd;

	fd = tmp_file(src, strlen(src));
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	s.fd = sv[1];
	s.data = out;
	CU_ASSERT_FATAL(pthread_create(&th, NULL, sink_run, &s) == 0);
	conn_init(&c, sv[0], 5000);
	xfer_opts_init(&o);
	o.ascii = 1;
	CU_ASSERT_EQUAL(xfer_send_file(fd, &c, &o, &bytes), XFER_OK);
	CU_ASSERT_EQUAL(bytes, strlen(src));		/* file bytes, not wire */
	conn_close(&c);
	pthread_join(th, NULL);
	CU_ASSERT_EQUAL(s.len, 19);
	CU_ASSERT(s.len == 19 && memcmp(out, "line1\r\nline2\r\n\r\nend", 19) == 0);
	sys_close_failok(fd);
}

static int
file_equals(int fd, const char *want, size_t n)
{
	char *got = malloc(n + 1);
	struct stat st;
	int ok;

	if (got == NULL || fstat(fd, &st) < 0 || (size_t)st.st_size != n) {
		free(got);
		return 0;
	}
	ok = pread(fd, got, n + 1, 0) == (ssize_t)n && memcmp(got, want, n) == 0;
	free(got);
	return ok;
}

static void
test_xfer_recv_binary(void)
{
	const size_t n = 2 * 1024 * 1024 + 5;
	char *data = pattern(n);
	struct source src = { -1, NULL, 0, NULL, 0 };
	struct xfer_opts o;
	struct conn c;
	pthread_t th;
	uint64_t bytes = 0;
	int sv[2], fd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	fd = tmp_file(NULL, 0);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	src.fd = sv[1];
	src.bulk = data;
	src.bulk_len = n;
	CU_ASSERT_FATAL(pthread_create(&th, NULL, source_run, &src) == 0);
	conn_init(&c, sv[0], 5000);
	xfer_opts_init(&o);
	o.timeout_ms = 5000;
	CU_ASSERT_EQUAL(xfer_recv_file(&c, fd, &o, &bytes), XFER_OK);
	pthread_join(th, NULL);
	CU_ASSERT_EQUAL(bytes, n);
	CU_ASSERT(file_equals(fd, data, n));
	conn_close(&c);
	free(data);
	sys_close_failok(fd);
}

/* Receives n pattern bytes over a stream socketpair into fd; returns
 * the result of xfer_recv_file and the byte count in *bytes. */
static int
recv_into(int fd, const char *data, size_t n, uint64_t *bytes)
{
	struct source src = { -1, NULL, 0, data, n };
	struct xfer_opts o;
	struct conn c;
	pthread_t th;
	int sv[2], r;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return -1;
	src.fd = sv[1];
	if (pthread_create(&th, NULL, source_run, &src) != 0)
		return -1;
	conn_init(&c, sv[0], 5000);
	xfer_opts_init(&o);
	o.timeout_ms = 5000;
	r = xfer_recv_file(&c, fd, &o, bytes);
	pthread_join(th, NULL);
	conn_close(&c);
	return r;
}

/* The splice() path writes at the file's current offset and moves it;
 * an O_APPEND file and a pipe take the read/write fallback. */
static void
test_xfer_recv_splice_and_fallbacks(void)
{
	const size_t n = 1024 * 1024 + 3;
	char *data = pattern(n), *want = malloc(n + 4), *got = malloc(n);
	uint64_t bytes = 0;
	int fd, fl, p[2];
	size_t have = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	CU_ASSERT_PTR_NOT_NULL_FATAL(want);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	memcpy(want, "head", 4);
	memcpy(want + 4, data, n);

	/* Regular file, offset after an existing prefix. */
	fd = tmp_file("head", 4);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(lseek(fd, 4, SEEK_SET) == 4);
	CU_ASSERT_EQUAL(recv_into(fd, data, n, &bytes), XFER_OK);
	CU_ASSERT_EQUAL(bytes, n);
	CU_ASSERT_EQUAL(lseek(fd, 0, SEEK_CUR), (off_t)(n + 4));
	CU_ASSERT(file_equals(fd, want, n + 4));
	sys_close_failok(fd);

	/* O_APPEND: splice refuses it; offset 0 must not matter. */
	fd = tmp_file("head", 4);
	CU_ASSERT_FATAL(fd >= 0);
	fl = fcntl(fd, F_GETFL);
	CU_ASSERT_FATAL(fl >= 0 && fcntl(fd, F_SETFL, fl | O_APPEND) == 0);
	CU_ASSERT_EQUAL(recv_into(fd, data, n, &bytes), XFER_OK);
	CU_ASSERT_EQUAL(bytes, n);
	CU_ASSERT(file_equals(fd, want, n + 4));
	sys_close_failok(fd);

	/* A pipe as destination (the client's "get file -"): drained by a
	 * reader thread. */
	CU_ASSERT_FATAL(pipe(p) == 0);
	{
		struct sink s = { p[0], n, 0, got, 0 };
		pthread_t th;

		CU_ASSERT_FATAL(pthread_create(&th, NULL, sink_run, &s) == 0);
		CU_ASSERT_EQUAL(recv_into(p[1], data, n, &bytes), XFER_OK);
		sys_close_failok(p[1]);
		pthread_join(th, NULL);
		have = s.len;
	}
	sys_close_failok(p[0]);
	CU_ASSERT_EQUAL(bytes, n);
	CU_ASSERT_EQUAL(have, n);
	CU_ASSERT(memcmp(got, data, n) == 0);
	free(data);
	free(want);
	free(got);
}

static void
test_xfer_recv_ascii_boundaries(void)
{
	static const char *const chunks[] = { "a\r", "\nb\r", "\r", "\n", "c\rd\r" };
	struct source src = { -1, chunks, 5, NULL, 0 };
	struct xfer_opts o;
	struct conn c;
	pthread_t th;
	uint64_t bytes = 0;
	int sv[2], fd;

	fd = tmp_file(NULL, 0);
	CU_ASSERT_FATAL(fd >= 0);
	/* SEQPACKET: each chunk arrives as its own read */
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	src.fd = sv[1];
	CU_ASSERT_FATAL(pthread_create(&th, NULL, source_run, &src) == 0);
	conn_init(&c, sv[0], 5000);
	xfer_opts_init(&o);
	o.ascii = 1;
	CU_ASSERT_EQUAL(xfer_recv_file(&c, fd, &o, &bytes), XFER_OK);
	pthread_join(th, NULL);
	CU_ASSERT(file_equals(fd, "a\nb\r\nc\rd\r", 9));
	CU_ASSERT_EQUAL(bytes, 9);
	conn_close(&c);
	sys_close_failok(fd);
}

static void
test_xfer_recv_timeout(void)
{
	struct xfer_opts o;
	struct conn c;
	uint64_t bytes = 99;
	long long t0;
	int sv[2], fd;

	fd = tmp_file(NULL, 0);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CU_ASSERT_FATAL(sys_write_full(sv[1], "part", 4) == 0);
	conn_init(&c, sv[0], -1);
	xfer_opts_init(&o);
	o.timeout_ms = 150;
	t0 = sys_now_ms();
	CU_ASSERT_EQUAL(xfer_recv_file(&c, fd, &o, &bytes), XFER_TIMEOUT);
	CU_ASSERT(sys_now_ms() - t0 >= 140);
	CU_ASSERT(sys_now_ms() - t0 < 3000);
	CU_ASSERT_EQUAL(bytes, 4);
	CU_ASSERT(file_equals(fd, "part", 4));
	conn_close(&c);
	sys_close_failok(sv[1]);
	sys_close_failok(fd);
}

static void
test_xfer_send_stall_timeout(void)
{
	const size_t n = 16 * 1024 * 1024;
	struct xfer_opts o;
	struct conn c;
	uint64_t bytes = 0;
	long long t0;
	int sv[2], fd;

	/* The peer never reads: the socket fills and sending stalls. */
	fd = tmp_file(NULL, 0);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(ftruncate(fd, (off_t)n) == 0);
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	conn_init(&c, sv[0], -1);
	xfer_opts_init(&o);
	o.timeout_ms = 200;
	t0 = sys_now_ms();
	CU_ASSERT_EQUAL(xfer_send_file(fd, &c, &o, &bytes), XFER_TIMEOUT);
	CU_ASSERT(sys_now_ms() - t0 < 3000);
	CU_ASSERT(bytes < n);
	/* same through the read/write loop */
	xfer_opts_init(&o);
	o.timeout_ms = 200;
	o.ascii = 1;
	CU_ASSERT_EQUAL(xfer_send_file(fd, &c, &o, &bytes), XFER_TIMEOUT);
	conn_close(&c);
	sys_close_failok(sv[1]);
	sys_close_failok(fd);
}

static void
test_xfer_peer_closes(void)
{
	const size_t n = 8 * 1024 * 1024;
	struct xfer_opts o;
	struct conn c;
	uint64_t bytes = 0;
	int sv[2], fd, r;

	fd = tmp_file(NULL, 0);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(ftruncate(fd, (off_t)n) == 0);
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	sys_close_failok(sv[1]);
	conn_init(&c, sv[0], 1000);
	xfer_opts_init(&o);
	o.timeout_ms = 1000;
	r = xfer_send_file(fd, &c, &o, &bytes);	/* EPIPE, no SIGPIPE */
	CU_ASSERT_EQUAL(r, XFER_NET_ERROR);
	o.ascii = 1;
	CU_ASSERT(lseek(fd, 0, SEEK_SET) == 0);
	CU_ASSERT_EQUAL(xfer_send_file(fd, &c, &o, &bytes), XFER_NET_ERROR);
	conn_close(&c);
	sys_close_failok(fd);
}

struct watch_ctx {
	int calls;
	int abort_after;
};

static int
on_watch(void *arg)
{
	struct watch_ctx *w = arg;

	w->calls++;
	return w->calls >= w->abort_after;
}

static void
test_xfer_watch_abort(void)
{
	struct watch_ctx w = { 0, 1 };
	struct xfer_opts o;
	struct conn c;
	uint64_t bytes;
	long long t0;
	int sv[2], ctl[2], fd;

	fd = tmp_file(NULL, 0);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CU_ASSERT_FATAL(pipe(ctl) == 0);
	CU_ASSERT_FATAL(sys_write_full(ctl[1], "ABOR\r\n", 6) == 0);
	conn_init(&c, sv[0], -1);
	xfer_opts_init(&o);
	o.timeout_ms = 5000;
	o.watch_fd = ctl[0];
	o.on_watch = on_watch;
	o.arg = &w;
	t0 = sys_now_ms();
	/* receiving: no data ever comes, the control fd ends it */
	CU_ASSERT_EQUAL(xfer_recv_file(&c, fd, &o, &bytes), XFER_ABORTED);
	CU_ASSERT(sys_now_ms() - t0 < 1000);
	CU_ASSERT_EQUAL(w.calls, 1);
	/* sending into a full socket: same */
	{
		int big = tmp_file(NULL, 0);

		CU_ASSERT_FATAL(big >= 0);
		CU_ASSERT_FATAL(ftruncate(big, 16 << 20) == 0);
		w.calls = 0;
		t0 = sys_now_ms();
		CU_ASSERT_EQUAL(xfer_send_file(big, &c, &o, &bytes), XFER_ABORTED);
		CU_ASSERT(sys_now_ms() - t0 < 1000);
		sys_close_failok(big);
	}
	conn_close(&c);
	sys_close_failok(sv[1]);
	sys_close_failok(ctl[0]);
	sys_close_failok(ctl[1]);
	sys_close_failok(fd);
}

static void
test_xfer_watch_continue(void)
{
	const size_t n = 4 * 1024 * 1024;
	char *data = pattern(n);
	struct watch_ctx w = { 0, 1000000 };
	struct sink s = { -1, n, 0, NULL, 5 };
	struct xfer_opts o;
	struct conn c;
	pthread_t th;
	uint64_t bytes;
	int sv[2], ctl[2], fd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	fd = tmp_file(data, n);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CU_ASSERT_FATAL(pipe(ctl) == 0);
	/* readable control fd whose bytes nobody consumes (e.g. STAT):
	 * the transfer must go on, calling on_watch between chunks only */
	CU_ASSERT_FATAL(sys_write_full(ctl[1], "STAT\r\n", 6) == 0);
	s.fd = sv[1];
	s.data = malloc(n);
	CU_ASSERT_FATAL(pthread_create(&th, NULL, sink_run, &s) == 0);
	conn_init(&c, sv[0], -1);
	xfer_opts_init(&o);
	o.timeout_ms = 5000;
	o.watch_fd = ctl[0];
	o.on_watch = on_watch;
	o.arg = &w;
	CU_ASSERT_EQUAL(xfer_send_file(fd, &c, &o, &bytes), XFER_OK);
	CU_ASSERT_EQUAL(bytes, n);
	conn_close(&c);
	pthread_join(th, NULL);
	CU_ASSERT(s.len == n && memcmp(s.data, data, n) == 0);
	CU_ASSERT(w.calls >= 1);
	CU_ASSERT(w.calls < 100000);		/* no busy loop */
	free(s.data);
	free(data);
	sys_close_failok(ctl[0]);
	sys_close_failok(ctl[1]);
	sys_close_failok(fd);
}

struct prog {
	uint64_t last;
	int calls, monotonic;
	long long t0;
	uint64_t rate;
	double max_ahead;	/* most bytes sent beyond rate * elapsed */
};

static void
on_progress(void *arg, uint64_t total)
{
	struct prog *p = arg;
	double allowed, ahead;

	if (total < p->last)
		p->monotonic = 0;
	p->last = total;
	p->calls++;
	allowed = (double)p->rate * (double)(sys_now_ms() - p->t0) / 1000.0;
	ahead = (double)total - allowed;
	if (ahead > p->max_ahead)
		p->max_ahead = ahead;
}

static void
test_xfer_rate_limit(void)
{
	const size_t n = 1024 * 1024;
	char *data = pattern(n);
	struct sink s = { -1, n, 0, NULL, 0 };
	struct source src = { -1, NULL, 0, NULL, 0 };
	struct prog pr = { 0, 0, 1, 0, 0, 0.0 };
	struct xfer_opts o;
	struct conn c;
	pthread_t th;
	uint64_t bytes;
	long long t0, dt;
	int sv[2], fd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	fd = tmp_file(data, n);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	s.fd = sv[1];
	s.data = malloc(n);
	CU_ASSERT_FATAL(pthread_create(&th, NULL, sink_run, &s) == 0);
	conn_init(&c, sv[0], -1);
	xfer_opts_init(&o);
	o.max_rate = 2 * 1024 * 1024;		/* 1 MiB at 2 MiB/s: ~0.5 s */
	o.on_progress = on_progress;
	o.arg = &pr;
	t0 = sys_now_ms();
	pr.t0 = t0;
	pr.rate = o.max_rate;
	CU_ASSERT_EQUAL(xfer_send_file(fd, &c, &o, &bytes), XFER_OK);
	dt = sys_now_ms() - t0;
	conn_close(&c);
	pthread_join(th, NULL);
	CU_ASSERT(dt >= 400 && dt < 2000);
	CU_ASSERT(s.len == n && memcmp(s.data, data, n) == 0);
	/* smooth: chunks of ~1/10 s (five or more steps for 0.5 s), and
	 * never more than about one chunk ahead of the rate */
	CU_ASSERT(pr.calls >= 5);
	CU_ASSERT(pr.max_ahead <= 2.0 * (double)o.max_rate / 10);
	CU_ASSERT(pr.monotonic);
	CU_ASSERT_EQUAL(pr.last, n);
	free(s.data);
	sys_close_failok(fd);

	/* receive side */
	fd = tmp_file(NULL, 0);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	src.fd = sv[1];
	src.bulk = data;
	src.bulk_len = n;
	CU_ASSERT_FATAL(pthread_create(&th, NULL, source_run, &src) == 0);
	conn_init(&c, sv[0], -1);
	xfer_opts_init(&o);
	o.max_rate = 4 * 1024 * 1024;		/* ~0.25 s */
	t0 = sys_now_ms();
	CU_ASSERT_EQUAL(xfer_recv_file(&c, fd, &o, &bytes), XFER_OK);
	dt = sys_now_ms() - t0;
	pthread_join(th, NULL);
	CU_ASSERT(dt >= 180 && dt < 2000);
	CU_ASSERT_EQUAL(bytes, n);
	CU_ASSERT(file_equals(fd, data, n));
	conn_close(&c);
	free(data);
	sys_close_failok(fd);
}

static void
test_xfer_beyond_4g(void)
{
	const off_t big = ((off_t)1 << 32) + 12345;
	char tail[32], got[8192];
	struct sink s = { -1, sizeof got, 0, NULL, 0 };
	struct xfer_opts o;
	struct conn c;
	pthread_t th;
	uint64_t bytes = 0;
	int sv[2], fd;

	fd = tmp_file(NULL, 0);
	CU_ASSERT_FATAL(fd >= 0);
	if (ftruncate(fd, big) < 0) {
		CU_ASSERT(errno == EFBIG || errno == ENOSPC);
		sys_close_failok(fd);
		return;
	}
	memcpy(tail, "tail-marker-0123456789", 22);
	CU_ASSERT_FATAL(pwrite(fd, tail, 22, big - 22) == 22);
	/* start 5000 bytes before the end: offset needs 64 bits */
	CU_ASSERT_FATAL(lseek(fd, big - 5000, SEEK_SET) == big - 5000);
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	s.fd = sv[1];
	s.data = got;
	CU_ASSERT_FATAL(pthread_create(&th, NULL, sink_run, &s) == 0);
	conn_init(&c, sv[0], -1);
	xfer_opts_init(&o);
	CU_ASSERT_EQUAL(xfer_send_file(fd, &c, &o, &bytes), XFER_OK);
	CU_ASSERT_EQUAL(bytes, 5000);
	conn_close(&c);
	pthread_join(th, NULL);
	CU_ASSERT(s.len == 5000 && memcmp(got + 5000 - 22, tail, 22) == 0);

	/* receiving at an offset past 4 GiB appends there */
	{
		static const char *const chunks[] = { "more" };
		struct source src = { -1, chunks, 1, NULL, 0 };
		char back[4];

		CU_ASSERT_FATAL(lseek(fd, 0, SEEK_END) == big);
		CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
		src.fd = sv[1];
		CU_ASSERT_FATAL(pthread_create(&th, NULL, source_run, &src) == 0);
		conn_init(&c, sv[0], -1);
		CU_ASSERT_EQUAL(xfer_recv_file(&c, fd, &o, &bytes), XFER_OK);
		pthread_join(th, NULL);
		CU_ASSERT_EQUAL(bytes, 4);
		CU_ASSERT(pread(fd, back, 4, big) == 4 && memcmp(back, "more", 4) == 0);
		conn_close(&c);
	}
	sys_close_failok(fd);
}

static void
test_xfer_strerror(void)
{
	CU_ASSERT_PTR_NOT_NULL(xfer_strerror(XFER_OK));
	CU_ASSERT(strcmp(xfer_strerror(XFER_TIMEOUT), xfer_strerror(XFER_ABORTED)) != 0);
	CU_ASSERT_PTR_NOT_NULL(xfer_strerror(12345));
}

void
suite_xfer(void)
{
	UNIT_SUITE("xfer");
	UNIT_TEST(test_xfer_send_binary);
	UNIT_TEST(test_xfer_send_from_offset_and_pipe_fallback);
	UNIT_TEST(test_xfer_send_ascii);
	UNIT_TEST(test_xfer_recv_binary);
	UNIT_TEST(test_xfer_recv_splice_and_fallbacks);
	UNIT_TEST(test_xfer_recv_ascii_boundaries);
	UNIT_TEST(test_xfer_recv_timeout);
	UNIT_TEST(test_xfer_send_stall_timeout);
	UNIT_TEST(test_xfer_peer_closes);
	UNIT_TEST(test_xfer_watch_abort);
	UNIT_TEST(test_xfer_watch_continue);
	UNIT_TEST(test_xfer_rate_limit);
	UNIT_TEST(test_xfer_beyond_4g);
	UNIT_TEST(test_xfer_strerror);
}
