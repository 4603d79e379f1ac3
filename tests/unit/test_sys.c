/* test_sys.c: syscall wrappers, the conn transport (timeouts, inetd
 * fd pair, non-socket fallback), and the stderr log format. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "unit.h"
#include "conn.h"
#include "log.h"
#include "sys.h"

static void
test_sys_rw_full(void)
{
	int p[2];
	char b[16];

	CU_ASSERT_FATAL(pipe(p) == 0);
	CU_ASSERT_EQUAL(sys_write_full(p[1], "abcdef", 6), 0);
	sys_close_failok(p[1]);
	CU_ASSERT_EQUAL(sys_read_full(p[0], b, 4), 4);
	CU_ASSERT_EQUAL(memcmp(b, "abcd", 4), 0);
	CU_ASSERT_EQUAL(sys_read_full(p[0], b, sizeof b), 2);	/* EOF */
	CU_ASSERT_EQUAL(sys_read_full(p[0], b, sizeof b), 0);
	sys_close_failok(p[0]);
	errno = 0;
	CU_ASSERT_EQUAL(sys_read(-1, b, 1), -1);
	CU_ASSERT_EQUAL(errno, EBADF);
	CU_ASSERT_EQUAL(sys_write_full(-1, b, 1), -1);
}

static void
test_sys_flags_poll_time(void)
{
	int p[2];
	long long t0, t1;

	CU_ASSERT_FATAL(pipe(p) == 0);
	CU_ASSERT_EQUAL(sys_set_nonblock(p[0], 1), 0);
	CU_ASSERT(fcntl(p[0], F_GETFL) & O_NONBLOCK);
	CU_ASSERT_EQUAL(sys_set_nonblock(p[0], 0), 0);
	CU_ASSERT_EQUAL(fcntl(p[0], F_GETFL) & O_NONBLOCK, 0);
	CU_ASSERT_EQUAL(sys_set_cloexec(p[0]), 0);
	CU_ASSERT(fcntl(p[0], F_GETFD) & FD_CLOEXEC);
	t0 = sys_now_ms();
	CU_ASSERT_EQUAL(sys_poll_one(p[0], POLLIN, 100), 0);
	t1 = sys_now_ms();
	CU_ASSERT(t1 - t0 >= 90 && t1 - t0 < 2000);
	CU_ASSERT(sys_poll_one(p[1], POLLOUT, 0) & POLLOUT);
	CU_ASSERT_EQUAL(sys_write_full(p[1], "x", 1), 0);
	CU_ASSERT(sys_poll_one(p[0], POLLIN, -1) & POLLIN);
	sys_close_failok(p[0]);
	sys_close_failok(p[1]);
	sys_close_failok(-1);		/* harmless */
}

static void
test_sys_close_from(void)
{
	int p[2], q[2], keep[1];

	CU_ASSERT_FATAL(pipe(p) == 0);
	CU_ASSERT_FATAL(pipe(q) == 0);
	/* close everything >= the lowest of these except q[1] */
	keep[0] = q[1];
	{
		int lo = p[0];

		if (p[1] < lo)
			lo = p[1];
		if (q[0] < lo)
			lo = q[0];
		if (q[1] < lo)
			lo = q[1];
		sys_close_from(lo, keep, 1);
	}
	CU_ASSERT_EQUAL(fcntl(p[0], F_GETFD), -1);
	CU_ASSERT_EQUAL(fcntl(p[1], F_GETFD), -1);
	CU_ASSERT_EQUAL(fcntl(q[0], F_GETFD), -1);
	CU_ASSERT(fcntl(q[1], F_GETFD) >= 0);
	sys_close_failok(q[1]);
}

static void
test_conn_timeout_eof(void)
{
	struct conn c;
	char b[8];
	int sv[2];
	long long t0;

	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	conn_init(&c, sv[0], 100);
	CU_ASSERT_EQUAL(c.wfd, sv[0]);
	CU_ASSERT_PTR_NULL(c.tls);
	CU_ASSERT_EQUAL(conn_has_pending(&c), 0);
	t0 = sys_now_ms();
	errno = 0;
	CU_ASSERT_EQUAL(conn_read(&c, b, sizeof b), -1);
	CU_ASSERT_EQUAL(errno, ETIMEDOUT);
	CU_ASSERT(sys_now_ms() - t0 >= 90);
	CU_ASSERT_EQUAL(conn_write_full(&c, "ping", 4), 0);
	CU_ASSERT_EQUAL(read(sv[1], b, sizeof b), 4);
	conn_shutdown(&c);
	CU_ASSERT_EQUAL(read(sv[1], b, sizeof b), 0);	/* peer sees EOF */
	sys_close_failok(sv[1]);
	CU_ASSERT_EQUAL(conn_read(&c, b, sizeof b), 0);
	conn_close(&c);
	CU_ASSERT_EQUAL(c.fd, -1);
	CU_ASSERT_EQUAL(conn_read(&c, b, sizeof b), -1);
}

static void
test_conn_write_peer_gone(void)
{
	struct conn c;
	int sv[2];
	void (*old)(int);

	/* No SIGPIPE handler installed: MSG_NOSIGNAL keeps us alive. */
	old = signal(SIGPIPE, SIG_DFL);
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	sys_close_failok(sv[1]);
	conn_init(&c, sv[0], 1000);
	errno = 0;
	CU_ASSERT_EQUAL(conn_write_full(&c, "x", 1), -1);
	CU_ASSERT_EQUAL(errno, EPIPE);
	conn_close(&c);
	(void)signal(SIGPIPE, old);
}

static void
test_conn_inetd_pair(void)
{
	struct conn c;
	int in[2], out[2];
	char b[8];

	/* inetd: read fd 0, write fd 1; here two pipes (not sockets) */
	CU_ASSERT_FATAL(pipe(in) == 0 && pipe(out) == 0);
	conn_init(&c, in[0], 1000);
	c.wfd = out[1];
	CU_ASSERT_EQUAL(conn_write_full(&c, "220 hi\r\n", 8), 0);
	CU_ASSERT_EQUAL(read(out[0], b, sizeof b), 8);
	CU_ASSERT_EQUAL(memcmp(b, "220 hi\r\n", 8), 0);
	CU_ASSERT_EQUAL(sys_write_full(in[1], "QUIT", 4), 0);
	CU_ASSERT_EQUAL(conn_read(&c, b, sizeof b), 4);
	conn_close(&c);		/* closes both */
	CU_ASSERT_EQUAL(fcntl(in[0], F_GETFD), -1);
	CU_ASSERT_EQUAL(fcntl(out[1], F_GETFD), -1);
	sys_close_failok(in[1]);
	sys_close_failok(out[0]);
}

static void
test_log_stderr_format(void)
{
	regex_t re;
	char b[4096];
	int p[2], saved;
	ssize_t n;

	CU_ASSERT_FATAL(regcomp(&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:"
				"[0-9]{2} unittest\\[[0-9]+\\]: hello 42 \\?injected\n$",
				REG_EXTENDED) == 0);
	CU_ASSERT_FATAL(pipe(p) == 0);
	fflush(stderr);
	saved = dup(2);
	CU_ASSERT_FATAL(saved >= 0);
	CU_ASSERT_FATAL(dup2(p[1], 2) == 2);
	log_init("unittest", 0, LOG_FTP);
	log_set_level(LOG_INFO);
	log_msg(LOG_INFO, "hello %d %s", 42, "\ninjected");
	log_msg(LOG_DEBUG, "dropped");
	(void)dup2(saved, 2);
	sys_close_failok(saved);
	sys_close_failok(p[1]);
	n = sys_read_full(p[0], b, sizeof b - 1);
	sys_close_failok(p[0]);
	CU_ASSERT_FATAL(n > 0);
	b[n] = '\0';
	CU_ASSERT_EQUAL(regexec(&re, b, 0, NULL, 0), 0);
	if (regexec(&re, b, 0, NULL, 0) != 0)
		fprintf(stderr, "\n  log line was: %s", b);
	regfree(&re);
	log_set_level(LOG_DEBUG);
}

void
suite_sys(void)
{
	UNIT_SUITE("sys");
	UNIT_TEST(test_sys_rw_full);
	UNIT_TEST(test_sys_flags_poll_time);
	UNIT_TEST(test_sys_close_from);
	UNIT_TEST(test_conn_timeout_eof);
	UNIT_TEST(test_conn_write_peer_gone);
	UNIT_TEST(test_conn_inetd_pair);
	UNIT_TEST(test_log_stderr_format);
}
