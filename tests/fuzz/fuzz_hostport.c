/* fuzz_hostport.c: the host-port parsers of lib/parse.c (PORT, EPRT, EPSV
 * arguments; 227 and 229 reply texts) with format/parse round trips, plus
 * the other small parse.c parsers that read network bytes: FTP times,
 * UTF-8 validation and the command splitter.
 *
 * Input: byte 0 picks a mode.
 *   0: the rest (to the first NUL) goes through every host-port parser;
 *      anything accepted must format and parse back to the same value.
 *   1: the rest is raw address bytes (v4 or v6) and a port; formatting
 *      then parsing must give the same address and port.
 *   2: times: the rest is parsed as "YYYYMMDDHHMMSS[.sss]" and, as eight
 *      bytes, used as a time_t for a format/parse round trip.
 *   3: UTF-8: utf8_valid must agree with Unicode's table of well-formed
 *      byte sequences (Unicode 15, table 3-7).
 *   4: command lines and the number/duration/size/range parsers. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <strings.h>
#include <sys/socket.h>

#include "buf.h"
#include "net.h"
#include "parse.h"
#include "fuzz.h"

static void
same_addr(const struct netaddr *a, const struct netaddr *b)
{
	FUZZ_ASSERT(net_same_host(a, b));
	FUZZ_ASSERT(net_port(a) == net_port(b));
}

/* format_* then parse back; each must agree with a. */
static void
round_trip(const struct netaddr *a, int v4)
{
	struct buf b = BUF_INIT(256);
	struct netaddr back;
	int port = net_port(a), r;

	FUZZ_ASSERT(port >= 0 && port <= 65535);
	r = format_port_arg(&b, a);
	FUZZ_ASSERT(r == (v4 ? 0 : -1));
	if (r == 0) {
		/* PORT refuses port 0, so the round trip holds from 1. */
		FUZZ_ASSERT((parse_port_arg(buf_cstr(&b), &back) == 0) ==
			    (port != 0));
		if (port != 0)
			same_addr(a, &back);
	}
	buf_reset(&b);
	FUZZ_ASSERT(format_eprt_arg(&b, a) == 0);
	FUZZ_ASSERT((parse_eprt_arg(buf_cstr(&b), &back) == 0) == (port != 0));
	if (port != 0)
		same_addr(a, &back);
	buf_reset(&b);
	r = format_pasv_reply(&b, a);
	FUZZ_ASSERT(r == (v4 ? 0 : -1));
	if (r == 0) {
		FUZZ_ASSERT(parse_pasv_reply(buf_cstr(&b), &back) == 0);
		same_addr(a, &back);
	}
	buf_free(&b);
}

static void
mode_parse(const char *s)
{
	struct netaddr a;
	int what, port;
	size_t commas = 0;

	if (parse_port_arg(s, &a) == 0) {
		FUZZ_ASSERT(net_family(&a) == AF_INET);
		FUZZ_ASSERT(a.len == sizeof(struct sockaddr_in));
		FUZZ_ASSERT(net_port(&a) >= 1);
		/* SECURITY: nothing but six numbers and five commas. */
		for (const char *p = s; *p != '\0'; p++) {
			FUZZ_ASSERT(isdigit((unsigned char)*p) || *p == ',');
			commas += *p == ',';
		}
		FUZZ_ASSERT(commas == 5 && strlen(s) <= 23);
		round_trip(&a, 1);
	}
	if (parse_eprt_arg(s, &a) == 0) {
		size_t n = strlen(s), delims = 0;

		FUZZ_ASSERT(net_family(&a) == AF_INET ||
			    net_family(&a) == AF_INET6);
		FUZZ_ASSERT(net_port(&a) >= 1);
		FUZZ_ASSERT(n >= 7 && s[n - 1] == s[0]);
		for (size_t i = 0; i < n; i++)
			delims += s[i] == s[0];
		FUZZ_ASSERT(delims == 4);
		round_trip(&a, net_family(&a) == AF_INET ||
			   IN6_IS_ADDR_V4MAPPED(
				&((struct sockaddr_in6 *)&a.ss)->sin6_addr));
	}
	if (parse_epsv_arg(s, &what) == 0)
		FUZZ_ASSERT(what == 0 || what == AF_INET || what == AF_INET6 ||
			    what == -2);
	if (parse_pasv_reply(s, &a) == 0) {
		FUZZ_ASSERT(net_family(&a) == AF_INET);
		round_trip(&a, 1);
	}
	if (parse_epsv_reply(s, &port) == 0)
		FUZZ_ASSERT(port >= 1 && port <= 65535);
}

static void
mode_addr(const uint8_t *p, size_t n)
{
	struct netaddr a;
	struct sockaddr_in *sin = (struct sockaddr_in *)&a.ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a.ss;
	struct buf b = BUF_INIT(256);
	unsigned port;
	int v6, back;

	if (n < 3)
		return;
	v6 = p[0] & 1;
	port = (unsigned)p[1] << 8 | p[2];
	p += 3;
	n -= 3;
	memset(&a, 0, sizeof a);
	if (v6) {
		if (n < 16)
			return;
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, p, 16);
		sin6->sin6_port = htons((uint16_t)port);
		a.len = sizeof *sin6;
		round_trip(&a, IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr));
	} else {
		if (n < 4)
			return;
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, p, 4);
		sin->sin_port = htons((uint16_t)port);
		a.len = sizeof *sin;
		round_trip(&a, 1);
	}
	/* The 229 reply the server sends for this port. */
	FUZZ_ASSERT(buf_printf(&b, "Entering Extended Passive Mode (|||%u|)",
			       port) == 0);
	FUZZ_ASSERT((parse_epsv_reply(buf_cstr(&b), &back) == 0) == (port != 0));
	if (port != 0)
		FUZZ_ASSERT(back == (int)port);
	buf_free(&b);
}

static void
mode_time(const uint8_t *p, size_t n)
{
	/* 1900-01-01T00:00:00 .. 9999-12-31T23:59:59 UTC. */
	const int64_t lo = -2208988800LL, hi = 253402300799LL;
	char *s = fuzz_strndup(p, n), out[15];
	time_t t, back;
	uint64_t raw = 0;

	if (parse_ftp_time(s, &t) == 0) {
		format_ftp_time(t, out);
		FUZZ_ASSERT(memcmp(out, s, 14) == 0);
	}
	memcpy(&raw, p, n < sizeof raw ? n : sizeof raw);
	t = (time_t)(lo + (int64_t)(raw % (uint64_t)(hi - lo + 1)));
	format_ftp_time(t, out);
	FUZZ_ASSERT(strlen(out) == 14);
	FUZZ_ASSERT(parse_ftp_time(out, &back) == 0 && back == t);
	free(s);
}

/* Unicode table 3-7: well-formed UTF-8, written as byte ranges. */
static int
ref_utf8(const uint8_t *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t c = s[i];
		uint8_t lo = 0x80, hi = 0xbf;
		size_t need;

		if (c <= 0x7f) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			if (c == 0xe0)
				lo = 0xa0;
			if (c == 0xed)
				hi = 0x9f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			if (c == 0xf0)
				lo = 0x90;
			if (c == 0xf4)
				hi = 0x8f;
		} else {
			return 0;
		}
		if (n - i - 1 < need)
			return 0;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return 0;
		for (size_t k = 2; k <= need; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xbf)
				return 0;
		i += need + 1;
	}
	return 1;
}

static void
mode_misc(const uint8_t *p, size_t n)
{
	char verb[8], *s;
	const char *arg;
	unsigned lo, hi, secs;
	uint64_t v, max;
	int b;

	max = n > 0 ? (uint64_t)p[0] << 24 : 0;
	s = fuzz_strndup(p + (n > 0), n - (n > 0));
	if (parse_command(s, verb, sizeof verb, &arg) == 0) {
		size_t vl = strlen(verb);

		FUZZ_ASSERT(vl >= 1 && vl < sizeof verb);
		/* A letter first, then letters or digits (XSHA256). */
		FUZZ_ASSERT(isupper((unsigned char)verb[0]));
		for (size_t i = 1; i < vl; i++)
			FUZZ_ASSERT(isupper((unsigned char)verb[i]) ||
				    isdigit((unsigned char)verb[i]));
		FUZZ_ASSERT(strncasecmp(s, verb, vl) == 0);
		if (arg != NULL)
			FUZZ_ASSERT(arg == s + vl + 1 && s[vl] == ' ');
		else
			FUZZ_ASSERT(s[vl] == '\0');
	}
	if (parse_u64(s, max, &v) == 0) {
		FUZZ_ASSERT(v <= max);
		FUZZ_ASSERT(strtoull(s, NULL, 10) == v);
	}
	if (parse_bool(s, &b) == 0)
		FUZZ_ASSERT(b == 0 || b == 1);
	(void)parse_duration(s, &secs);
	(void)parse_size(s, &v);
	if (parse_port_range(s, &lo, &hi) == 0)
		FUZZ_ASSERT(lo >= 1 && lo <= hi && hi <= 65535);
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data;
	size_t n = size;
	char *s;

	switch (fuzz_take(&p, &n) % 5) {
	case 0:
		s = fuzz_strndup(p, n);
		mode_parse(s);
		free(s);
		break;
	case 1:
		mode_addr(p, n);
		break;
	case 2:
		mode_time(p, n);
		break;
	case 3:
		FUZZ_ASSERT(utf8_valid((const char *)p, n) == ref_utf8(p, n));
		break;
	default:
		mode_misc(p, n);
		break;
	}
	return 0;
}
