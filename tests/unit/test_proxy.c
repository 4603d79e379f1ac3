/* test_proxy.c: PROXY protocol v1/v2 parsing (valid forms, every
 * rejection, the 107-byte v1 limit, the v2 length cap), the prefix
 * property the reader relies on, the socket reader taking exactly the
 * header and nothing after it, and the trusted-source CIDR list. */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "unit.h"
#include "net.h"
#include "proxy.h"
#include "sys.h"

static int
parse_str(const char *s, struct proxy_hdr *h)
{
	char why[200];

	return proxy_parse(s, strlen(s), h, why, sizeof why);
}

static const char *
addr_str(const struct netaddr *a, char *out, size_t n)
{
	return net_ntop(a, out, n, 1);
}

/* Every proper prefix of a valid header must ask for more, and the
 * header followed by other bytes must end exactly where it ends. */
static void
check_prefixes(const unsigned char *p, size_t len)
{
	unsigned char buf[PROXY_HDR_MAX + 32];
	struct proxy_hdr h;
	char why[200];

	for (size_t k = 0; k < len; k++)
		CU_ASSERT_EQUAL(proxy_parse(p, k, &h, why, sizeof why),
				PROXY_AGAIN);
	memcpy(buf, p, len);
	memcpy(buf + len, "USER x\r\n", 8);
	CU_ASSERT_EQUAL_FATAL(proxy_parse(buf, len + 8, &h, why, sizeof why),
			      PROXY_DONE);
	CU_ASSERT_EQUAL(h.len, len);
}

static void
test_proxy_v1_valid(void)
{
	static const char *good[] = {
		"PROXY TCP4 192.0.2.1 198.51.100.2 56324 21\r\n",
		"PROXY TCP6 2001:db8::1 2001:db8::2 0 65535\r\n",
		"PROXY UNKNOWN\r\n",
		"PROXY UNKNOWN 1.2.3.4 whatever follows\r\n",
	};
	struct proxy_hdr h;
	char s[NETADDR_STRLEN];

	CU_ASSERT_EQUAL_FATAL(parse_str(good[0], &h), PROXY_DONE);
	CU_ASSERT_EQUAL(h.version, 1);
	CU_ASSERT_EQUAL(h.local, 0);
	CU_ASSERT_EQUAL(h.len, strlen(good[0]));
	CU_ASSERT_STRING_EQUAL(addr_str(&h.src, s, sizeof s),
			       "192.0.2.1:56324");
	CU_ASSERT_STRING_EQUAL(addr_str(&h.dst, s, sizeof s),
			       "198.51.100.2:21");
	CU_ASSERT_EQUAL_FATAL(parse_str(good[1], &h), PROXY_DONE);
	CU_ASSERT_EQUAL(net_family(&h.src), AF_INET6);
	CU_ASSERT_STRING_EQUAL(addr_str(&h.src, s, sizeof s),
			       "[2001:db8::1]:0");
	CU_ASSERT_STRING_EQUAL(addr_str(&h.dst, s, sizeof s),
			       "[2001:db8::2]:65535");
	CU_ASSERT_EQUAL_FATAL(parse_str(good[2], &h), PROXY_DONE);
	CU_ASSERT_EQUAL(h.local, 1);
	CU_ASSERT_EQUAL(h.len, 15);
	CU_ASSERT_EQUAL_FATAL(parse_str(good[3], &h), PROXY_DONE);
	CU_ASSERT_EQUAL(h.local, 1);
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		check_prefixes((const unsigned char *)good[i], strlen(good[i]));
}

static void
test_proxy_v1_limit(void)
{
	/* The spec's worst case: exactly 107 bytes. */
	const char *max = "PROXY UNKNOWN "
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
	char longer[200], nocrlf[200];
	struct proxy_hdr h;
	char why[200];

	CU_ASSERT_EQUAL_FATAL(strlen(max), PROXY_V1_MAX);
	CU_ASSERT_EQUAL(parse_str(max, &h), PROXY_DONE);
	CU_ASSERT_EQUAL(h.len, 107);
	/* One byte more: the CRLF would end at byte 108. */
	snprintf(longer, sizeof longer, "PROXY UNKNOWN x%s", max + 14);
	CU_ASSERT_EQUAL(strlen(longer), 108);
	CU_ASSERT_EQUAL(parse_str(longer, &h), PROXY_ERR);
	/* 107 bytes without CRLF fail at once, 106 still wait. */
	memset(nocrlf, 'a', sizeof nocrlf);
	memcpy(nocrlf, "PROXY UNKNOWN ", 14);
	CU_ASSERT_EQUAL(proxy_parse(nocrlf, 106, &h, why, sizeof why),
			PROXY_AGAIN);
	CU_ASSERT_EQUAL(proxy_parse(nocrlf, 107, &h, why, sizeof why),
			PROXY_ERR);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "107"));
	CU_ASSERT_EQUAL(proxy_parse(nocrlf, 150, &h, why, sizeof why),
			PROXY_ERR);
}

static void
test_proxy_v1_bad(void)
{
	static const char *bad[] = {
		"USER anonymous\r\n",
		"proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n",
		"PROXY  TCP4 1.2.3.4 5.6.7.8 1 2\r\n",
		"PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 021 2\r\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 +1 2\r\n",
		"PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n",
		"PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n",
		"PROXY TCP4 ::1 ::1 1 2\r\n",
		"PROXY TCP6 1.2.3.4 5.6.7.8 1 2\r\n",
		"PROXY TCP4\r\n",
		"PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n",
		"PROXY UNKNOWNX\r\n",
		"PROXY \r\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\r\n",
		"PROXY TCP4 1.2.3.4\t5.6.7.8 1 2\r\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\xff\r\n",
	};
	struct proxy_hdr h;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int r = parse_str(bad[i], &h);

		if (r != PROXY_ERR)
			fprintf(stderr, "accepted bad v1 header #%zu\n", i);
		CU_ASSERT_EQUAL(r, PROXY_ERR);
	}
	/* A NUL inside the line. */
	CU_ASSERT_EQUAL(proxy_parse("PROXY UNKNOWN\0\r\n", 16, &h,
				    (char[64]){0}, 64), PROXY_ERR);
}

/* Builds a v2 header: ver_cmd, fam, then len bytes of payload. */
static size_t
v2(unsigned char *out, unsigned ver_cmd, unsigned fam, const void *payload,
   size_t len)
{
	static const unsigned char sig[12] = {
		0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49,
		0x54, 0x0a
	};

	memcpy(out, sig, 12);
	out[12] = (unsigned char)ver_cmd;
	out[13] = (unsigned char)fam;
	out[14] = (unsigned char)(len >> 8);
	out[15] = (unsigned char)len;
	if (len > 0)
		memcpy(out + 16, payload, len);
	return 16 + len;
}

static void
test_proxy_v2_valid(void)
{
	static const unsigned char in4[12] = {
		192, 0, 2, 9, 198, 51, 100, 1, 0xc3, 0x50, 0, 21
	};
	unsigned char in6[36 + 7];
	unsigned char buf[PROXY_HDR_MAX + 16], zero[216];
	struct proxy_hdr h;
	char why[200], s[NETADDR_STRLEN];
	size_t n;

	n = v2(buf, 0x21, 0x11, in4, sizeof in4);
	CU_ASSERT_EQUAL_FATAL(proxy_parse(buf, n, &h, why, sizeof why),
			      PROXY_DONE);
	CU_ASSERT_EQUAL(h.version, 2);
	CU_ASSERT_EQUAL(h.local, 0);
	CU_ASSERT_EQUAL(h.len, 28);
	CU_ASSERT_STRING_EQUAL(addr_str(&h.src, s, sizeof s),
			       "192.0.2.9:50000");
	CU_ASSERT_STRING_EQUAL(addr_str(&h.dst, s, sizeof s),
			       "198.51.100.1:21");
	check_prefixes(buf, n);

	memset(in6, 0, sizeof in6);
	CU_ASSERT_EQUAL(inet_pton(AF_INET6, "2001:db8::7", in6), 1);
	CU_ASSERT_EQUAL(inet_pton(AF_INET6, "2001:db8::1", in6 + 16), 1);
	in6[32] = 0x12;
	in6[33] = 0x34;
	in6[35] = 21;
	/* Seven bytes of TLV after the addresses are skipped. */
	n = v2(buf, 0x21, 0x21, in6, sizeof in6);
	CU_ASSERT_EQUAL_FATAL(proxy_parse(buf, n, &h, why, sizeof why),
			      PROXY_DONE);
	CU_ASSERT_EQUAL(h.len, 16 + 43);
	CU_ASSERT_STRING_EQUAL(addr_str(&h.src, s, sizeof s),
			       "[2001:db8::7]:4660");
	check_prefixes(buf, n);

	/* LOCAL (health check), with and without an address block. */
	n = v2(buf, 0x20, 0x00, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(proxy_parse(buf, n, &h, why, sizeof why),
			      PROXY_DONE);
	CU_ASSERT_EQUAL(h.local, 1);
	CU_ASSERT_EQUAL(h.len, 16);
	check_prefixes(buf, n);
	n = v2(buf, 0x20, 0x11, in4, sizeof in4);
	CU_ASSERT_EQUAL(proxy_parse(buf, n, &h, why, sizeof why), PROXY_DONE);
	CU_ASSERT_EQUAL(h.local, 1);
	/* PROXY with an unspecified or AF_UNIX address: nothing to use. */
	n = v2(buf, 0x21, 0x00, NULL, 0);
	CU_ASSERT_EQUAL(proxy_parse(buf, n, &h, why, sizeof why), PROXY_DONE);
	CU_ASSERT_EQUAL(h.local, 1);
	memset(zero, 0, sizeof zero);
	n = v2(buf, 0x21, 0x31, zero, sizeof zero);
	CU_ASSERT_EQUAL(proxy_parse(buf, n, &h, why, sizeof why), PROXY_DONE);
	CU_ASSERT_EQUAL(h.local, 1);
	/* The largest payload accepted (addresses, then zero padding). */
	memset(buf, 0, sizeof buf);
	(void)v2(buf, 0x21, 0x11, in4, sizeof in4);
	buf[14] = PROXY_V2_PAYLOAD_MAX >> 8;
	buf[15] = PROXY_V2_PAYLOAD_MAX & 0xff;
	n = 16 + PROXY_V2_PAYLOAD_MAX;
	CU_ASSERT_EQUAL(proxy_parse(buf, n, &h, why, sizeof why), PROXY_DONE);
	CU_ASSERT_EQUAL(h.len, n);
	CU_ASSERT_EQUAL(proxy_parse(buf, n - 1, &h, why, sizeof why),
			PROXY_AGAIN);
}

static void
test_proxy_v2_bad(void)
{
	static const unsigned char in4[12] = {
		1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 0, 2
	};
	unsigned char buf[PROXY_HDR_MAX + 16];
	struct proxy_hdr h;
	char why[200];
	size_t n;

	/* Version 1 in the binary form, version 3, command 2. */
	n = v2(buf, 0x11, 0x11, in4, 12);
	CU_ASSERT_EQUAL(proxy_parse(buf, n, &h, why, sizeof why), PROXY_ERR);
	n = v2(buf, 0x31, 0x11, in4, 12);
	CU_ASSERT_EQUAL(proxy_parse(buf, n, &h, why, sizeof why), PROXY_ERR);
	n = v2(buf, 0x22, 0x11, in4, 12);
	CU_ASSERT_EQUAL(proxy_parse(buf, n, &h, why, sizeof why), PROXY_ERR);
	/* UDP, unknown family, short address block. */
	n = v2(buf, 0x21, 0x12, in4, 12);
	CU_ASSERT_EQUAL(proxy_parse(buf, n, &h, why, sizeof why), PROXY_ERR);
	n = v2(buf, 0x21, 0x41, in4, 12);
	CU_ASSERT_EQUAL(proxy_parse(buf, n, &h, why, sizeof why), PROXY_ERR);
	n = v2(buf, 0x21, 0x11, in4, 11);
	CU_ASSERT_EQUAL(proxy_parse(buf, n, &h, why, sizeof why), PROXY_ERR);
	n = v2(buf, 0x21, 0x21, in4, 12);
	CU_ASSERT_EQUAL(proxy_parse(buf, n, &h, why, sizeof why), PROXY_ERR);
	/* A stated length over the cap fails as soon as it is seen. */
	n = v2(buf, 0x21, 0x11, in4, 12);
	buf[14] = (PROXY_V2_PAYLOAD_MAX + 1) >> 8;
	buf[15] = (PROXY_V2_PAYLOAD_MAX + 1) & 0xff;
	CU_ASSERT_EQUAL(proxy_parse(buf, 16, &h, why, sizeof why), PROXY_ERR);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "1024"));
	buf[14] = buf[15] = 0xff;
	CU_ASSERT_EQUAL(proxy_parse(buf, 16, &h, why, sizeof why), PROXY_ERR);
	/* A wrong signature byte fails before the header is complete. */
	n = v2(buf, 0x21, 0x11, in4, 12);
	buf[7] = 'q';
	CU_ASSERT_EQUAL(proxy_parse(buf, 8, &h, why, sizeof why), PROXY_ERR);
	/* A TLS ClientHello or a plain FTP command is no header. */
	CU_ASSERT_EQUAL(proxy_parse("\x16\x03\x01\x02\x00", 5, &h, why,
				    sizeof why), PROXY_ERR);
	CU_ASSERT_EQUAL(proxy_parse("\r\nUSER", 6, &h, why, sizeof why),
			PROXY_ERR);
}

/* The reader over a socket: the bytes behind the header stay unread. */
static void
reader_case(const void *hdr, size_t hlen, int split)
{
	static const char after[] = "\x16\x03\x01 ClientHello-or-USER\r\n";
	unsigned char all[PROXY_HDR_MAX + 64];
	struct proxy_reader r;
	struct proxy_hdr h;
	char why[200], rest[128];
	int sv[2], st = PROXY_AGAIN;
	ssize_t n;

	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	memcpy(all, hdr, hlen);
	memcpy(all + hlen, after, sizeof after - 1);
	if (split) {
		/* One byte at a time: every step must take only that byte. */
		proxy_reader_init(&r);
		for (size_t i = 0; i < hlen; i++) {
			size_t more = i + 1 == hlen ? sizeof after - 1 : 0;

			CU_ASSERT_EQUAL_FATAL(sys_write_full(sv[1], all + i,
							     1 + more), 0);
			st = proxy_reader_step(&r, sv[0], &h, why, sizeof why);
			CU_ASSERT_EQUAL(st, i + 1 == hlen ? PROXY_DONE :
					PROXY_AGAIN);
			/* Nothing queued: a step must not block. */
			if (i + 1 < hlen)
				CU_ASSERT_EQUAL(proxy_reader_step(&r, sv[0], &h,
					why, sizeof why), PROXY_AGAIN);
		}
	} else {
		CU_ASSERT_EQUAL_FATAL(sys_write_full(sv[1], all,
				      hlen + sizeof after - 1), 0);
		st = proxy_read(sv[0], 2000, &h, why, sizeof why);
	}
	CU_ASSERT_EQUAL(st, PROXY_DONE);
	CU_ASSERT_EQUAL(h.len, hlen);
	sys_close_failok(sv[1]);
	n = sys_read_full(sv[0], rest, sizeof rest);
	CU_ASSERT_EQUAL(n, (ssize_t)(sizeof after - 1));
	CU_ASSERT(n > 0 && memcmp(rest, after, (size_t)n) == 0);
	sys_close_failok(sv[0]);
}

static void
test_proxy_reader_exact(void)
{
	static const char v1[] =
		"PROXY TCP4 127.0.0.9 127.0.0.1 40000 2121\r\n";
	static const char v1u[] = "PROXY UNKNOWN\r\n";
	static const unsigned char in4[12] = {
		127, 0, 0, 9, 127, 0, 0, 1, 0x9c, 0x40, 0x08, 0x49
	};
	unsigned char buf[64];
	size_t n = v2(buf, 0x21, 0x11, in4, sizeof in4);

	reader_case(v1, sizeof v1 - 1, 0);
	reader_case(v1, sizeof v1 - 1, 1);
	reader_case(v1u, sizeof v1u - 1, 1);
	reader_case(buf, n, 0);
	reader_case(buf, n, 1);
}

static void
test_proxy_reader_errors(void)
{
	struct proxy_hdr h;
	char why[200];
	int sv[2];
	long long t0;

	/* Silence: the deadline ends the wait. */
	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	t0 = sys_now_ms();
	CU_ASSERT_EQUAL(proxy_read(sv[0], 150, &h, why, sizeof why), PROXY_ERR);
	CU_ASSERT(sys_now_ms() - t0 >= 140);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "within"));
	/* A partial header, then the peer goes away. */
	CU_ASSERT_EQUAL(sys_write_full(sv[1], "PROXY TCP4 1.2", 14), 0);
	sys_close_failok(sv[1]);
	CU_ASSERT_EQUAL(proxy_read(sv[0], 1000, &h, why, sizeof why),
			PROXY_ERR);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "middle"));
	sys_close_failok(sv[0]);
	/* No header at all: refused at the first byte, nothing consumed
	 * beyond what was peeked. */
	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	CU_ASSERT_EQUAL(sys_write_full(sv[1], "USER x\r\n", 8), 0);
	CU_ASSERT_EQUAL(proxy_read(sv[0], 1000, &h, why, sizeof why),
			PROXY_ERR);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "not a PROXY"));
	sys_close_failok(sv[1]);
	sys_close_failok(sv[0]);
}

/* 1 when s is refused. */
static int
trust_bad(const char *s, char *why, size_t whylen)
{
	struct proxy_trust t;

	return proxy_trust_parse(s, &t, why, whylen) == -1;
}

static int
match_str(const struct proxy_trust *t, const char *ip)
{
	struct netaddr a;

	if (net_parse_ip(ip, &a) < 0)
		return -1;
	return proxy_trust_match(t, &a);
}

static void
test_proxy_trust(void)
{
	struct proxy_trust t;
	struct netaddr a;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a.ss;
	char why[200], many[40 * 20];

	CU_ASSERT_EQUAL_FATAL(proxy_trust_parse("10.0.0.0/8, 192.0.2.7 "
		"2001:db8::/32,\t::1  172.16.0.0/12", &t, why, sizeof why), 0);
	CU_ASSERT_EQUAL(t.n, 5);
	CU_ASSERT_EQUAL(match_str(&t, "10.255.1.2"), 1);
	CU_ASSERT_EQUAL(match_str(&t, "11.0.0.1"), 0);
	CU_ASSERT_EQUAL(match_str(&t, "192.0.2.7"), 1);
	CU_ASSERT_EQUAL(match_str(&t, "192.0.2.8"), 0);
	CU_ASSERT_EQUAL(match_str(&t, "172.31.255.255"), 1);
	CU_ASSERT_EQUAL(match_str(&t, "172.32.0.0"), 0);
	CU_ASSERT_EQUAL(match_str(&t, "2001:db8:ffff::1"), 1);
	CU_ASSERT_EQUAL(match_str(&t, "2001:db9::1"), 0);
	CU_ASSERT_EQUAL(match_str(&t, "::1"), 1);
	CU_ASSERT_EQUAL(match_str(&t, "::2"), 0);
	/* A v4-mapped v6 peer matches the IPv4 networks. */
	memset(&a, 0, sizeof a);
	sin6->sin6_family = AF_INET6;
	CU_ASSERT_EQUAL(inet_pton(AF_INET6, "::ffff:10.1.1.1",
				  &sin6->sin6_addr), 1);
	a.len = sizeof *sin6;
	CU_ASSERT_EQUAL(proxy_trust_match(&t, &a), 1);
	/* An IPv4 network never matches an IPv6 peer and vice versa. */
	CU_ASSERT_EQUAL(proxy_trust_parse("0.0.0.0/0", &t, why, sizeof why), 0);
	CU_ASSERT_EQUAL(match_str(&t, "203.0.113.1"), 1);
	CU_ASSERT_EQUAL(match_str(&t, "2001:db8::1"), 0);
	CU_ASSERT_EQUAL(proxy_trust_parse("127.0.0.1/31", &t, why, sizeof why),
			-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "after the prefix"));
	CU_ASSERT_EQUAL(proxy_trust_parse("127.0.0.0/25 127.0.0.128/25", &t,
					  why, sizeof why), 0);
	CU_ASSERT_EQUAL(match_str(&t, "127.0.0.200"), 1);
	/* Empty list; junk; bad prefix lengths. */
	CU_ASSERT_EQUAL(proxy_trust_parse("  ,, ", &t, why, sizeof why), 0);
	CU_ASSERT_EQUAL(t.n, 0);
	CU_ASSERT_EQUAL(match_str(&t, "127.0.0.1"), 0);
	CU_ASSERT_EQUAL(trust_bad("lb.example", why, sizeof why), 1);
	CU_ASSERT_EQUAL(trust_bad("10.0.0.0/33", why, sizeof why), 1);
	CU_ASSERT_EQUAL(trust_bad("::/129", why, sizeof why), 1);
	CU_ASSERT_EQUAL(trust_bad("10.0.0.0/", why, sizeof why), 1);
	CU_ASSERT_EQUAL(trust_bad("10.0.0.0/08", why, sizeof why), 1);
	CU_ASSERT_EQUAL(trust_bad("10.0.0.0/8x", why, sizeof why), 1);
	CU_ASSERT_EQUAL(trust_bad("10.0.0.0/-8", why, sizeof why), 1);
	CU_ASSERT_EQUAL(trust_bad("10.0.0.0:21", why, sizeof why), 1);
	/* The cap on entries. */
	many[0] = '\0';
	for (int i = 0; i < PROXY_TRUST_MAX + 1; i++) {
		char one[24];

		snprintf(one, sizeof one, "10.0.%d.0/24 ", i);
		strncat(many, one, sizeof many - strlen(many) - 1);
	}
	CU_ASSERT_EQUAL(proxy_trust_parse(many, &t, why, sizeof why), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "more than"));
}

void
suite_proxy(void)
{
	UNIT_SUITE("proxy");
	UNIT_TEST(test_proxy_v1_valid);
	UNIT_TEST(test_proxy_v1_limit);
	UNIT_TEST(test_proxy_v1_bad);
	UNIT_TEST(test_proxy_v2_valid);
	UNIT_TEST(test_proxy_v2_bad);
	UNIT_TEST(test_proxy_reader_exact);
	UNIT_TEST(test_proxy_reader_errors);
	UNIT_TEST(test_proxy_trust);
}
