/* test_net.c: address parsing/formatting/comparison, loopback
 * listen/connect/accept, connect timeout, descriptor passing. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "unit.h"
#include "net.h"
#include "sys.h"

static void
test_net_parse(void)
{
	struct netaddr a;
	char s[NETADDR_STRLEN];

	CU_ASSERT_EQUAL_FATAL(net_parse_listen("127.0.0.1:2121", &a), 0);
	CU_ASSERT_EQUAL(net_family(&a), AF_INET);
	CU_ASSERT_EQUAL(net_port(&a), 2121);
	CU_ASSERT_STRING_EQUAL(net_ntop(&a, s, sizeof s, 1), "127.0.0.1:2121");
	CU_ASSERT_STRING_EQUAL(net_ntop(&a, s, sizeof s, 0), "127.0.0.1");
	CU_ASSERT_EQUAL_FATAL(net_parse_listen("[::1]:21", &a), 0);
	CU_ASSERT_EQUAL(net_family(&a), AF_INET6);
	CU_ASSERT_STRING_EQUAL(net_ntop(&a, s, sizeof s, 1), "[::1]:21");
	CU_ASSERT_STRING_EQUAL(net_ntop(&a, s, sizeof s, 0), "::1");
	CU_ASSERT_EQUAL_FATAL(net_parse_listen("*:21", &a), 0);
	CU_ASSERT_STRING_EQUAL(net_ntop(&a, s, sizeof s, 1), "0.0.0.0:21");
	CU_ASSERT_EQUAL_FATAL(net_parse_listen("[::]:0", &a), 0);
	CU_ASSERT_EQUAL(net_port(&a), 0);
	CU_ASSERT_EQUAL(net_parse_listen("0.0.0.0:65535", &a), 0);
	CU_ASSERT_EQUAL(net_parse_listen("0.0.0.0:65536", &a), -1);
	CU_ASSERT_EQUAL(net_parse_listen("0.0.0.0:", &a), -1);
	CU_ASSERT_EQUAL(net_parse_listen("0.0.0.0", &a), -1);
	CU_ASSERT_EQUAL(net_parse_listen(":21", &a), -1);
	CU_ASSERT_EQUAL(net_parse_listen("::1:21", &a), -1);
	CU_ASSERT_EQUAL(net_parse_listen("[::1]21", &a), -1);
	CU_ASSERT_EQUAL(net_parse_listen("[::1:21", &a), -1);
	CU_ASSERT_EQUAL(net_parse_listen("[1.2.3.4]:21", &a), -1);
	CU_ASSERT_EQUAL(net_parse_listen("host.example:21", &a), -1);
	CU_ASSERT_EQUAL(net_parse_listen("1.2.3.4:-1", &a), -1);
	CU_ASSERT_EQUAL(net_parse_listen("1.2.3.4:2x", &a), -1);
	CU_ASSERT_EQUAL(net_parse_listen("", &a), -1);
	CU_ASSERT_EQUAL(net_parse_ip("10.1.2.3", &a), 0);
	CU_ASSERT_EQUAL(net_family(&a), AF_INET);
	CU_ASSERT_EQUAL(net_parse_ip("fe80::1", &a), 0);
	CU_ASSERT_EQUAL(net_family(&a), AF_INET6);
	CU_ASSERT_EQUAL(net_parse_ip("10.1.2.3:21", &a), -1);
	CU_ASSERT_EQUAL(net_parse_ip("", &a), -1);
	CU_ASSERT_EQUAL(net_parse_ip("256.1.1.1", &a), -1);
}

static void
test_net_compare(void)
{
	struct netaddr a, b;

	CU_ASSERT_FATAL(net_parse_listen("127.0.0.1:21", &a) == 0);
	CU_ASSERT_FATAL(net_parse_listen("127.0.0.1:5000", &b) == 0);
	CU_ASSERT(net_same_host(&a, &b));
	CU_ASSERT_FATAL(net_parse_listen("[::ffff:127.0.0.1]:5000", &b) == 0);
	CU_ASSERT(net_same_host(&a, &b));
	CU_ASSERT(net_same_host(&b, &a));
	CU_ASSERT_FATAL(net_parse_listen("127.0.0.2:21", &b) == 0);
	CU_ASSERT(!net_same_host(&a, &b));
	CU_ASSERT_FATAL(net_parse_listen("[::1]:21", &b) == 0);
	CU_ASSERT(!net_same_host(&a, &b));
	CU_ASSERT_FATAL(net_parse_listen("[::1]:22", &a) == 0);
	CU_ASSERT(net_same_host(&a, &b));
	CU_ASSERT(net_is_loopback(&a));
	CU_ASSERT_FATAL(net_parse_listen("127.9.9.9:1", &a) == 0);
	CU_ASSERT(net_is_loopback(&a));
	CU_ASSERT_FATAL(net_parse_listen("[::ffff:127.0.0.1]:1", &a) == 0);
	CU_ASSERT(net_is_loopback(&a));
	CU_ASSERT_FATAL(net_parse_listen("10.0.0.1:1", &a) == 0);
	CU_ASSERT(!net_is_loopback(&a));
	CU_ASSERT_FATAL(net_parse_listen("[::2]:1", &a) == 0);
	CU_ASSERT(!net_is_loopback(&a));
	net_set_port(&a, 4242);
	CU_ASSERT_EQUAL(net_port(&a), 4242);
}

static void
test_net_loopback_connect(void)
{
	struct netaddr la, peer, local, got;
	char err[256];
	char port[16];
	int lfd, cfd, afd;

	CU_ASSERT_FATAL(net_parse_listen("127.0.0.1:0", &la) == 0);
	lfd = net_listen(&la, 8);
	CU_ASSERT_FATAL(lfd >= 0);
	CU_ASSERT(fcntl(lfd, F_GETFD) & FD_CLOEXEC);
	CU_ASSERT_FATAL(net_local_addr(lfd, &la) == 0);
	CU_ASSERT(net_port(&la) > 0);
	cfd = net_connect(&la, NULL, 2000);
	CU_ASSERT_FATAL(cfd >= 0);
	CU_ASSERT_EQUAL(fcntl(cfd, F_GETFL) & O_NONBLOCK, 0);	/* blocking */
	afd = net_accept(lfd, &peer);
	CU_ASSERT_FATAL(afd >= 0);
	CU_ASSERT(net_local_addr(cfd, &local) == 0);
	CU_ASSERT(net_same_host(&peer, &local) && net_port(&peer) == net_port(&local));
	CU_ASSERT(net_peer_addr(cfd, &got) == 0 && net_port(&got) == net_port(&la));
	CU_ASSERT_EQUAL(write(cfd, "hi", 2), 2);
	{
		char b[4] = "";
		CU_ASSERT_EQUAL(read(afd, b, sizeof b), 2);
		CU_ASSERT_EQUAL(memcmp(b, "hi", 2), 0);
	}
	net_tune_bulk(afd);
	sys_close_failok(cfd);
	sys_close_failok(afd);

	/* by name */
	snprintf(port, sizeof port, "%d", net_port(&la));
	cfd = net_connect_host("127.0.0.1", port, AF_UNSPEC, 2000, &got, err, sizeof err);
	CU_ASSERT(cfd >= 0);
	CU_ASSERT(net_port(&got) == net_port(&la));
	sys_close_failok(cfd);
	afd = net_accept(lfd, NULL);
	CU_ASSERT(afd >= 0);
	sys_close_failok(afd);
	sys_close_failok(lfd);

	/* now nobody listens there */
	errno = 0;
	cfd = net_connect(&la, NULL, 2000);
	CU_ASSERT_EQUAL(cfd, -1);
	CU_ASSERT_EQUAL(errno, ECONNREFUSED);
	err[0] = '\0';
	cfd = net_connect_host("127.0.0.1", port, AF_UNSPEC, 2000, NULL, err, sizeof err);
	CU_ASSERT_EQUAL(cfd, -1);
	CU_ASSERT(err[0] != '\0');
	err[0] = '\0';
	cfd = net_connect_host("127.0.0.1", "not-a-port-name", AF_INET, 2000, NULL,
			       err, sizeof err);
	CU_ASSERT_EQUAL(cfd, -1);
	CU_ASSERT(err[0] != '\0');
}

static void
test_net_bind_from(void)
{
	struct netaddr la, from, local;
	int lfd, cfd;

	CU_ASSERT_FATAL(net_parse_listen("127.0.0.1:0", &la) == 0);
	lfd = net_listen(&la, 8);
	CU_ASSERT_FATAL(lfd >= 0);
	CU_ASSERT_FATAL(net_local_addr(lfd, &la) == 0);
	CU_ASSERT_FATAL(net_parse_listen("127.0.0.2:0", &from) == 0);
	cfd = net_connect(&la, &from, 2000);
	CU_ASSERT_FATAL(cfd >= 0);
	CU_ASSERT(net_local_addr(cfd, &local) == 0);
	CU_ASSERT(net_same_host(&local, &from));
	sys_close_failok(cfd);
	sys_close_failok(lfd);
}

static void
test_net_connect_timeout(void)
{
	struct netaddr la;
	int lfd, fds[8], nfd = 0, fd = 0;
	long long t0;

	/* A listener that never accepts: once its queue is full, the kernel
	 * drops further SYNs and connect can only time out. */
	CU_ASSERT_FATAL(net_parse_listen("127.0.0.1:0", &la) == 0);
	lfd = net_listen(&la, 0);
	CU_ASSERT_FATAL(lfd >= 0);
	CU_ASSERT_FATAL(net_local_addr(lfd, &la) == 0);
	t0 = sys_now_ms();
	while (nfd < 8) {
		errno = 0;
		fd = net_connect(&la, NULL, 200);
		if (fd < 0)
			break;
		fds[nfd++] = fd;
	}
	CU_ASSERT_EQUAL(fd, -1);
	CU_ASSERT_EQUAL(errno, ETIMEDOUT);
	CU_ASSERT(sys_now_ms() - t0 < 3000);
	for (int i = 0; i < nfd; i++)
		sys_close_failok(fds[i]);
	sys_close_failok(lfd);
}

static void
test_net_ipv6_loopback(void)
{
	struct netaddr la;
	int lfd, cfd, afd;

	CU_ASSERT_FATAL(net_parse_listen("[::1]:0", &la) == 0);
	lfd = net_listen(&la, 4);
	if (lfd < 0) {
		CU_ASSERT(errno == EADDRNOTAVAIL || errno == EAFNOSUPPORT);
		return;		/* no IPv6 on this host */
	}
	CU_ASSERT_FATAL(net_local_addr(lfd, &la) == 0);
	cfd = net_connect(&la, NULL, 2000);
	CU_ASSERT(cfd >= 0);
	afd = net_accept(lfd, NULL);
	CU_ASSERT(afd >= 0);
	sys_close_failok(afd);
	sys_close_failok(cfd);
	sys_close_failok(lfd);
}

static void
test_net_fd_passing(void)
{
	int sv[2], p[2], got = -2;
	char msg[16] = "";
	char b[8] = "";
	ssize_t n;

	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CU_ASSERT_FATAL(pipe(p) == 0);
	CU_ASSERT_EQUAL(net_send_fd(sv[0], p[1], "hello", 5), 5);
	n = net_recv_fd(sv[1], &got, msg, sizeof msg);
	CU_ASSERT_EQUAL(n, 5);
	CU_ASSERT_EQUAL(memcmp(msg, "hello", 5), 0);
	CU_ASSERT_FATAL(got >= 0);
	CU_ASSERT(got != p[1]);
	CU_ASSERT(fcntl(got, F_GETFD) & FD_CLOEXEC);
	CU_ASSERT_EQUAL(write(got, "abc", 3), 3);
	CU_ASSERT_EQUAL(read(p[0], b, sizeof b), 3);
	CU_ASSERT_EQUAL(memcmp(b, "abc", 3), 0);
	sys_close_failok(got);
	/* a message without a descriptor */
	CU_ASSERT_EQUAL(net_send_fd(sv[0], -1, "x", 1), 1);
	got = 5;
	CU_ASSERT_EQUAL(net_recv_fd(sv[1], &got, msg, sizeof msg), 1);
	CU_ASSERT_EQUAL(got, -1);
	/* peer gone */
	sys_close_failok(sv[0]);
	CU_ASSERT_EQUAL(net_recv_fd(sv[1], &got, msg, sizeof msg), 0);
	CU_ASSERT_EQUAL(got, -1);
	sys_close_failok(sv[1]);
	sys_close_failok(p[0]);
	sys_close_failok(p[1]);
}

void
suite_net(void)
{
	UNIT_SUITE("net");
	UNIT_TEST(test_net_parse);
	UNIT_TEST(test_net_compare);
	UNIT_TEST(test_net_loopback_connect);
	UNIT_TEST(test_net_bind_from);
	UNIT_TEST(test_net_connect_timeout);
	UNIT_TEST(test_net_ipv6_loopback);
	UNIT_TEST(test_net_fd_passing);
}
