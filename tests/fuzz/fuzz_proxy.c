/* fuzz_proxy.c: the PROXY protocol parser and reader of lib/proxy.c, and
 * its trusted-source (CIDR) list.
 *
 * Input: byte 0 picks a mode.
 *   0: the rest is the start of a connection.  proxy_parse's verdict must
 *      be consistent: a complete header is at most 107 bytes (v1, ending
 *      in CRLF) or 16 + its stated length (v2, at most 1040); every
 *      shorter prefix of it asks for more; longer input ends at the same
 *      place; TCP4 and v2 addresses format back to the same bytes.
 *   1: as 0, but the bytes go through a socket in chunks (sizes from the
 *      input) to proxy_reader_step: it must agree with proxy_parse and
 *      leave every byte after the header unread in the socket.
 *   2: byte 1 is a split point; the text before it goes to
 *      proxy_trust_parse, the rest is an address (4 or 16 bytes) whose
 *      proxy_trust_match must equal a bit-by-bit model. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"
#include "proxy.h"
#include "sys.h"
#include "fuzz.h"

static const unsigned char v2_sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};

static void
ip_bytes(const struct netaddr *a, unsigned char *out, size_t *n, unsigned *port)
{
	if (a->ss.ss_family == AF_INET) {
		const struct sockaddr_in *sin =
			(const struct sockaddr_in *)&a->ss;

		memcpy(out, &sin->sin_addr, 4);
		*n = 4;
		*port = ntohs(sin->sin_port);
	} else {
		const struct sockaddr_in6 *sin6 =
			(const struct sockaddr_in6 *)&a->ss;

		FUZZ_ASSERT(a->ss.ss_family == AF_INET6);
		memcpy(out, &sin6->sin6_addr, 16);
		*n = 16;
		*port = ntohs(sin6->sin6_port);
	}
}

/* A complete header's shape, and the round trips. */
static void
check_done(const uint8_t *p, size_t n, const struct proxy_hdr *h)
{
	unsigned char a[16], b[16];
	size_t na, nb;
	unsigned pa, pb;

	FUZZ_ASSERT(h->len >= 15 && h->len <= n && h->len <= PROXY_HDR_MAX);
	if (h->version == 1) {
		FUZZ_ASSERT(h->len <= PROXY_V1_MAX);
		FUZZ_ASSERT(memcmp(p, "PROXY ", 6) == 0);
		FUZZ_ASSERT(p[h->len - 2] == '\r' && p[h->len - 1] == '\n');
		/* The first CRLF ends it. */
		for (size_t i = 0; i + 2 < h->len; i++)
			FUZZ_ASSERT(p[i] != '\r' && p[i] != '\n');
		if (!h->local && h->src.ss.ss_family == AF_INET) {
			char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];
			char line[128];
			int len;

			ip_bytes(&h->src, a, &na, &pa);
			ip_bytes(&h->dst, b, &nb, &pb);
			FUZZ_ASSERT(h->dst.ss.ss_family == AF_INET);
			FUZZ_ASSERT(inet_ntop(AF_INET, a, src, sizeof src));
			FUZZ_ASSERT(inet_ntop(AF_INET, b, dst, sizeof dst));
			len = snprintf(line, sizeof line,
				       "PROXY TCP4 %s %s %u %u\r\n",
				       src, dst, pa, pb);
			/* SECURITY: strict syntax: one header, one reading. */
			FUZZ_ASSERT((size_t)len == h->len &&
				    memcmp(line, p, h->len) == 0);
		}
		return;
	}
	FUZZ_ASSERT(h->version == 2);
	FUZZ_ASSERT(memcmp(p, v2_sig, 12) == 0 && (p[12] >> 4) == 2);
	FUZZ_ASSERT(h->len == 16 + ((size_t)p[14] << 8 | p[15]));
	FUZZ_ASSERT(h->len - 16 <= PROXY_V2_PAYLOAD_MAX);
	if (h->local) {
		FUZZ_ASSERT((p[12] & 0xf) == 0 || (p[13] >> 4) == 0 ||
			    (p[13] >> 4) == 3);
		return;
	}
	FUZZ_ASSERT((p[12] & 0xf) == 1 && (p[13] & 0xf) == 1);
	ip_bytes(&h->src, a, &na, &pa);
	ip_bytes(&h->dst, b, &nb, &pb);
	FUZZ_ASSERT(na == nb && (na == 4 ? p[13] >> 4 == 1 : p[13] >> 4 == 2));
	FUZZ_ASSERT(memcmp(p + 16, a, na) == 0);
	FUZZ_ASSERT(memcmp(p + 16 + na, b, na) == 0);
	FUZZ_ASSERT(pa == ((unsigned)p[16 + 2 * na] << 8 | p[17 + 2 * na]));
	FUZZ_ASSERT(pb == ((unsigned)p[18 + 2 * na] << 8 | p[19 + 2 * na]));
}

static int
parse(const uint8_t *p, size_t n, struct proxy_hdr *h)
{
	char why[256];
	int st;

	why[0] = '\0';
	st = proxy_parse(p, n, h, why, sizeof why);
	FUZZ_ASSERT(st == PROXY_ERR || st == PROXY_AGAIN || st == PROXY_DONE);
	if (st == PROXY_ERR)
		FUZZ_ASSERT(why[0] != '\0');
	return st;
}

static void
mode_parse(const uint8_t *p, size_t n)
{
	struct proxy_hdr h, h2;
	int st = parse(p, n, &h);

	if (st == PROXY_AGAIN) {
		/* Waiting is only right while a header may still fit. */
		FUZZ_ASSERT(n < PROXY_HDR_MAX);
		if (n > 0 && p[0] == 'P')
			FUZZ_ASSERT(n < PROXY_V1_MAX);
		return;
	}
	if (st != PROXY_DONE)
		return;
	check_done(p, n, &h);
	/* Every proper prefix asks for more (so a reader taking it never
	 * took a byte past the header); the exact header is complete. */
	for (size_t k = 0; k < h.len; k++)
		if (k < 20 || k + 20 > h.len || k % 37 == 0)
			FUZZ_ASSERT(parse(p, k, &h2) == PROXY_AGAIN);
	FUZZ_ASSERT(parse(p, h.len, &h2) == PROXY_DONE && h2.len == h.len);
	FUZZ_ASSERT(h2.local == h.local && h2.version == h.version);
}

static void
mode_reader(const uint8_t *p, size_t n)
{
	struct proxy_reader r;
	struct proxy_hdr h, ref;
	char why[256];
	uint8_t rest[PROXY_HDR_MAX + 4096];
	size_t sent = 0, chunk;
	int sv[2], st = PROXY_AGAIN, want;
	unsigned steps = 0;
	ssize_t got;

	if (n < 1 || n > PROXY_HDR_MAX + 2048)
		return;
	chunk = (size_t)p[0] % 64 + 1;
	p++;
	n--;
	want = parse(p, n, &ref);
	FUZZ_ASSERT(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	proxy_reader_init(&r);
	while (st == PROXY_AGAIN) {
		size_t k = n - sent < chunk ? n - sent : chunk;

		if (k > 0) {
			FUZZ_ASSERT(sys_write_full(sv[1], p + sent, k) == 0);
			sent += k;
		} else if (sv[1] >= 0) {
			sys_close_failok(sv[1]);	/* then EOF */
			sv[1] = -1;
		}
		st = proxy_reader_step(&r, sv[0], &h, why, sizeof why);
		FUZZ_ASSERT(++steps <= n + 2);
	}
	if (want == PROXY_DONE) {
		/* The reader may stop earlier only on an error the prefix
		 * already shows, never with a different header. */
		FUZZ_ASSERT(st == PROXY_DONE);
		FUZZ_ASSERT(h.len == ref.len && h.version == ref.version &&
			    h.local == ref.local);
		FUZZ_ASSERT(r.have == h.len && memcmp(r.buf, p, h.len) == 0);
		/* SECURITY: everything after the header is still there. */
		if (sv[1] >= 0) {
			FUZZ_ASSERT(sys_write_full(sv[1], p + sent,
						   n - sent) == 0);
			sys_close_failok(sv[1]);
			sv[1] = -1;
		}
		got = sys_read_full(sv[0], rest, sizeof rest);
		FUZZ_ASSERT(got == (ssize_t)(n - h.len));
		FUZZ_ASSERT(memcmp(rest, p + h.len, (size_t)got) == 0);
	} else {
		FUZZ_ASSERT(st == PROXY_ERR);
	}
	if (sv[1] >= 0)
		sys_close_failok(sv[1]);
	sys_close_failok(sv[0]);
}

static int
ref_match(const struct proxy_trust *t, const unsigned char *ip, size_t n)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct proxy_cidr *c = &t->net[i];
		unsigned b;

		if (c->family != (n == 4 ? AF_INET : AF_INET6))
			continue;
		for (b = 0; b < c->bits; b++) {
			unsigned bit = 0x80u >> (b % 8);

			if ((ip[b / 8] & bit) != (c->addr[b / 8] & bit))
				break;
		}
		if (b == c->bits)
			return 1;
	}
	return 0;
}

static void
mode_trust(const uint8_t *p, size_t n)
{
	struct proxy_trust t;
	struct netaddr a;
	char why[256], *text;
	size_t split, iplen;
	const uint8_t *ip;

	if (n < 1)
		return;
	split = p[0];
	p++;
	n--;
	if (split > n)
		split = n;
	text = fuzz_strndup(p, split);
	ip = p + split;
	iplen = n - split;
	if (proxy_trust_parse(text, &t, why, sizeof why) < 0) {
		FUZZ_ASSERT(why[0] != '\0');
		free(text);
		return;
	}
	FUZZ_ASSERT(t.n <= PROXY_TRUST_MAX);
	for (size_t i = 0; i < t.n; i++) {
		unsigned max = t.net[i].family == AF_INET ? 32 : 128;

		FUZZ_ASSERT(t.net[i].family == AF_INET ||
			    t.net[i].family == AF_INET6);
		FUZZ_ASSERT(t.net[i].bits <= max);
		for (unsigned b = t.net[i].bits; b < max; b++) {
			unsigned bit = 0x80u >> (b % 8);

			FUZZ_ASSERT(!(t.net[i].addr[b / 8] & bit));
		}
	}
	memset(&a, 0, sizeof a);
	if (iplen >= 16) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a.ss;

		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, ip, 16);
		a.len = sizeof *sin6;
		FUZZ_ASSERT(proxy_trust_match(&t, &a) ==
			    (ref_match(&t, ip, 16) ||
			     (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr) &&
			      ref_match(&t, ip + 12, 4))));
	} else if (iplen >= 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&a.ss;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, ip, 4);
		a.len = sizeof *sin;
		FUZZ_ASSERT(proxy_trust_match(&t, &a) == ref_match(&t, ip, 4));
	}
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data;
	size_t n = size;

	switch (fuzz_take(&p, &n) % 3) {
	case 0:
		mode_parse(p, n);
		break;
	case 1:
		mode_reader(p, n);
		break;
	default:
		mode_trust(p, n);
		break;
	}
	return 0;
}
