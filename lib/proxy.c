/* proxy.c: PROXY protocol v1/v2 header parser and reader, and the
 * trusted-source (CIDR) list (see proxy.h). */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "proxy.h"
#include "sys.h"

static const char v1_sig[] = "PROXY ";
static const unsigned char v2_sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};

#define V1_SIGLEN (sizeof v1_sig - 1)

/* v2 family byte: address family (high nibble), transport (low). */
#define V2_AF_UNSPEC 0x0
#define V2_AF_INET 0x1
#define V2_AF_INET6 0x2
#define V2_AF_UNIX 0x3
#define V2_TP_STREAM 0x1
#define V2_CMD_LOCAL 0x0
#define V2_CMD_PROXY 0x1

static int
fail(char *why, size_t whylen, const char *text)
{
	snprintf(why, whylen, "%s", text);
	return PROXY_ERR;
}

static void
set_addr(struct netaddr *a, int family, const unsigned char *ip, unsigned port)
{
	memset(a, 0, sizeof *a);
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&a->ss;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, ip, 4);
		sin->sin_port = htons((uint16_t)port);
		a->len = sizeof *sin;
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a->ss;

		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, ip, 16);
		sin6->sin6_port = htons((uint16_t)port);
		a->len = sizeof *sin6;
	}
}

/* One v1 field of at most max characters from *pp up to the next space
 * or the end; *pp moves past it and one separating space. */
static int
v1_field(const char **pp, const char *end, char *out, size_t max)
{
	const char *p = *pp;
	size_t n = 0;

	while (p < end && *p != ' ') {
		if (n + 1 >= max)
			return -1;
		out[n++] = *p++;
	}
	out[n] = '\0';
	if (n == 0)
		return -1;
	if (p < end)
		p++;		/* the single space */
	*pp = p;
	return 0;
}

/* Decimal 0..65535, no sign, no leading zero (the spec's form). */
static int
v1_port(const char *s, unsigned *port)
{
	unsigned v = 0;
	size_t n = strlen(s);

	if (n == 0 || n > 5 || (s[0] == '0' && n > 1))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > 65535)
		return -1;
	*port = v;
	return 0;
}

/* The v1 line without its CRLF: "PROXY TCP4 src dst sport dport",
 * "PROXY TCP6 ..." or "PROXY UNKNOWN[ anything]". */
static int
v1_line(const char *line, size_t n, struct proxy_hdr *h, char *why,
	size_t whylen)
{
	const char *p = line + V1_SIGLEN, *end = line + n;
	char proto[8], ip[2][INET6_ADDRSTRLEN + 1], port[2][8];
	unsigned char bin[2][16];
	unsigned pnum[2];
	int family;

	if (v1_field(&p, end, proto, sizeof proto) < 0)
		return fail(why, whylen, "PROXY v1: missing protocol");
	if (strcmp(proto, "UNKNOWN") == 0) {
		/* The rest of the line must be ignored (spec). */
		h->local = 1;
		return PROXY_DONE;
	}
	if (strcmp(proto, "TCP4") == 0)
		family = AF_INET;
	else if (strcmp(proto, "TCP6") == 0)
		family = AF_INET6;
	else
		return fail(why, whylen, "PROXY v1: protocol is not TCP4, TCP6 "
			    "or UNKNOWN");
	if (p[-1] != ' ' ||
	    v1_field(&p, end, ip[0], sizeof ip[0]) < 0 ||
	    v1_field(&p, end, ip[1], sizeof ip[1]) < 0 ||
	    v1_field(&p, end, port[0], sizeof port[0]) < 0 ||
	    p[-1] != ' ' ||
	    v1_field(&p, end, port[1], sizeof port[1]) < 0 || p != end ||
	    end[-1] == ' ')
		return fail(why, whylen, "PROXY v1: want 'PROXY TCP4|TCP6 "
			    "src dst sport dport' with single spaces");
	for (int i = 0; i < 2; i++) {
		if (inet_pton(family, ip[i], bin[i]) != 1)
			return fail(why, whylen, family == AF_INET ?
				    "PROXY v1: bad IPv4 address" :
				    "PROXY v1: bad IPv6 address");
		if (v1_port(port[i], &pnum[i]) < 0)
			return fail(why, whylen, "PROXY v1: bad port");
	}
	set_addr(&h->src, family, bin[0], pnum[0]);
	set_addr(&h->dst, family, bin[1], pnum[1]);
	return PROXY_DONE;
}

static int
parse_v1(const unsigned char *p, size_t n, struct proxy_hdr *h, char *why,
	 size_t whylen)
{
	size_t lim = n < PROXY_V1_MAX ? n : PROXY_V1_MAX;

	for (size_t i = 0; i < lim; i++) {
		if (i < V1_SIGLEN) {
			if (p[i] != (unsigned char)v1_sig[i])
				return fail(why, whylen, "not a PROXY protocol "
					    "header");
			continue;
		}
		if (p[i] == '\r') {
			if (i + 1 < n && p[i + 1] != '\n')
				return fail(why, whylen, "PROXY v1: CR without "
					    "LF");
			continue;
		}
		if (p[i] == '\n') {
			if (p[i - 1] != '\r')
				return fail(why, whylen, "PROXY v1: LF without "
					    "CR");
			h->version = 1;
			h->len = i + 1;
			return v1_line((const char *)p, i - 1, h, why, whylen);
		}
		if (p[i] < 0x20 || p[i] > 0x7e)
			return fail(why, whylen, "PROXY v1: control or "
				    "non-ASCII byte");
	}
	if (n >= PROXY_V1_MAX)
		return fail(why, whylen, "PROXY v1: no CRLF within 107 bytes");
	return PROXY_AGAIN;
}

static int
parse_v2(const unsigned char *p, size_t n, struct proxy_hdr *h, char *why,
	 size_t whylen)
{
	unsigned cmd, af, tp;
	size_t len, need;

	for (size_t i = 0; i < n && i < sizeof v2_sig; i++)
		if (p[i] != v2_sig[i])
			return fail(why, whylen, "not a PROXY protocol header");
	if (n < PROXY_V2_FIXED)
		return PROXY_AGAIN;
	if ((p[12] >> 4) != 2)
		return fail(why, whylen, "PROXY v2: unsupported version");
	cmd = p[12] & 0xf;
	if (cmd != V2_CMD_LOCAL && cmd != V2_CMD_PROXY)
		return fail(why, whylen, "PROXY v2: unknown command");
	len = (size_t)p[14] << 8 | p[15];
	if (len > PROXY_V2_PAYLOAD_MAX)
		return fail(why, whylen, "PROXY v2: header longer than 1024 "
			    "bytes");
	if (n < PROXY_V2_FIXED + len)
		return PROXY_AGAIN;
	h->version = 2;
	h->len = PROXY_V2_FIXED + len;
	if (cmd == V2_CMD_LOCAL) {
		/* The address block, if any, must be ignored (spec). */
		h->local = 1;
		return PROXY_DONE;
	}
	af = p[13] >> 4;
	tp = p[13] & 0xf;
	switch (af) {
	case V2_AF_UNSPEC:
		h->local = 1;
		return PROXY_DONE;
	case V2_AF_INET:
		need = 12;
		break;
	case V2_AF_INET6:
		need = 36;
		break;
	case V2_AF_UNIX:
		need = 216;
		break;
	default:
		return fail(why, whylen, "PROXY v2: unknown address family");
	}
	if (tp != V2_TP_STREAM)
		return fail(why, whylen, "PROXY v2: not a stream (TCP) "
			    "connection");
	if (len < need)
		return fail(why, whylen, "PROXY v2: address block too short");
	p += PROXY_V2_FIXED;
	if (af == V2_AF_INET) {
		set_addr(&h->src, AF_INET, p, (unsigned)p[8] << 8 | p[9]);
		set_addr(&h->dst, AF_INET, p + 4, (unsigned)p[10] << 8 | p[11]);
	} else if (af == V2_AF_INET6) {
		set_addr(&h->src, AF_INET6, p, (unsigned)p[32] << 8 | p[33]);
		set_addr(&h->dst, AF_INET6, p + 16,
			 (unsigned)p[34] << 8 | p[35]);
	} else {
		h->local = 1;	/* no IP address to take */
	}
	/* TLVs after the address block are not used. */
	return PROXY_DONE;
}

int
proxy_parse(const void *buf, size_t n, struct proxy_hdr *h, char *why,
	    size_t whylen)
{
	const unsigned char *p = buf;

	memset(h, 0, sizeof *h);
	if (n == 0)
		return PROXY_AGAIN;
	if (p[0] == (unsigned char)v1_sig[0])
		return parse_v1(p, n, h, why, whylen);
	if (p[0] == v2_sig[0])
		return parse_v2(p, n, h, why, whylen);
	return fail(why, whylen, "not a PROXY protocol header");
}

void
proxy_reader_init(struct proxy_reader *r)
{
	r->have = 0;
}

int
proxy_reader_step(struct proxy_reader *r, int fd, struct proxy_hdr *h,
		  char *why, size_t whylen)
{
	ssize_t n, got;
	size_t take;
	int st;

	if (r->have >= sizeof r->buf)
		return fail(why, whylen, "PROXY header too long");
	/* Look first, then take exactly the bytes that are header. */
	n = recv(fd, r->buf + r->have, sizeof r->buf - r->have,
		 MSG_PEEK | MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return PROXY_AGAIN;
		snprintf(why, whylen, "reading the PROXY header: %s",
			 strerror(errno));
		return PROXY_ERR;
	}
	if (n == 0)
		return fail(why, whylen, r->have == 0 ?
			    "closed without sending a PROXY header" :
			    "closed in the middle of the PROXY header");
	st = proxy_parse(r->buf, r->have + (size_t)n, h, why, whylen);
	if (st == PROXY_ERR)
		return PROXY_ERR;
	take = st == PROXY_DONE ? h->len - r->have : (size_t)n;
	got = recv(fd, r->buf + r->have, take, MSG_DONTWAIT);
	if (got < 0) {
		snprintf(why, whylen, "reading the PROXY header: %s",
			 strerror(errno));
		return PROXY_ERR;
	}
	r->have += (size_t)got;
	if (st == PROXY_DONE && (size_t)got == take)
		return PROXY_DONE;
	return PROXY_AGAIN;
}

int
proxy_read(int fd, int timeout_ms, struct proxy_hdr *h, char *why,
	   size_t whylen)
{
	struct proxy_reader r;
	long long deadline = sys_now_ms() + timeout_ms;
	int st, ev;

	proxy_reader_init(&r);
	for (;;) {
		long long left;

		st = proxy_reader_step(&r, fd, h, why, whylen);
		if (st != PROXY_AGAIN)
			return st;
		left = deadline - sys_now_ms();
		if (left <= 0)
			break;
		ev = sys_poll_one(fd, POLLIN, (int)left);
		if (ev < 0) {
			snprintf(why, whylen, "waiting for the PROXY header: "
				 "%s", strerror(errno));
			return PROXY_ERR;
		}
		if (ev == 0)
			break;
	}
	snprintf(why, whylen, "no complete PROXY header within %d ms",
		 timeout_ms);
	return PROXY_ERR;
}

/* ---- trusted sources ---- */

static int
cidr_parse(const char *s, size_t n, struct proxy_cidr *c)
{
	char text[INET6_ADDRSTRLEN + 8];
	char *slash;
	unsigned max, bits;

	if (n >= sizeof text)
		return -1;
	memcpy(text, s, n);
	text[n] = '\0';
	slash = strchr(text, '/');
	if (slash != NULL)
		*slash = '\0';
	memset(c, 0, sizeof *c);
	if (inet_pton(AF_INET, text, c->addr) == 1) {
		c->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, text, c->addr) == 1) {
		c->family = AF_INET6;
		max = 128;
	} else {
		return -1;
	}
	bits = max;
	if (slash != NULL) {
		const char *b = slash + 1;
		size_t len = strlen(b);

		if (len == 0 || len > 3 || (b[0] == '0' && len > 1))
			return -1;
		bits = 0;
		for (size_t i = 0; i < len; i++) {
			if (b[i] < '0' || b[i] > '9')
				return -1;
			bits = bits * 10 + (unsigned)(b[i] - '0');
		}
		if (bits > max)
			return -1;
	}
	c->bits = bits;
	/* Host bits after the prefix must be zero. */
	for (unsigned i = bits; i < max; i++)
		if (c->addr[i / 8] & (0x80 >> (i % 8)))
			return -2;
	return 0;
}

int
proxy_trust_parse(const char *s, struct proxy_trust *t, char *why,
		  size_t whylen)
{
	const char *sep = ", \t";

	memset(t, 0, sizeof *t);
	while (*s != '\0') {
		size_t n;
		int r;

		s += strspn(s, sep);
		n = strcspn(s, sep);
		if (n == 0)
			break;
		if (t->n == PROXY_TRUST_MAX) {
			snprintf(why, whylen, "more than %d networks",
				 PROXY_TRUST_MAX);
			return -1;
		}
		r = cidr_parse(s, n, &t->net[t->n]);
		if (r == -2) {
			snprintf(why, whylen, "'%.*s' has bits set after the "
				 "prefix (did you mean the network address?)",
				 (int)(n > 60 ? 60 : n), s);
			return -1;
		}
		if (r < 0) {
			snprintf(why, whylen, "'%.*s' is not an address or "
				 "address/bits", (int)(n > 60 ? 60 : n), s);
			return -1;
		}
		t->n++;
		s += n;
	}
	return 0;
}

static int
prefix_match(const unsigned char *a, const unsigned char *net, unsigned bits)
{
	unsigned full = bits / 8, rest = bits % 8;

	if (memcmp(a, net, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((a[full] ^ net[full]) & (0xff << (8 - rest)) & 0xff) == 0;
}

int
proxy_trust_match(const struct proxy_trust *t, const struct netaddr *a)
{
	const unsigned char *v4 = NULL, *v6 = NULL;

	if (a->ss.ss_family == AF_INET) {
		v4 = (const unsigned char *)
			&((const struct sockaddr_in *)&a->ss)->sin_addr;
	} else if (a->ss.ss_family == AF_INET6) {
		const struct in6_addr *in6 =
			&((const struct sockaddr_in6 *)&a->ss)->sin6_addr;

		v6 = in6->s6_addr;
		if (IN6_IS_ADDR_V4MAPPED(in6))
			v4 = in6->s6_addr + 12;
	}
	for (size_t i = 0; i < t->n; i++) {
		const struct proxy_cidr *c = &t->net[i];

		if (c->family == AF_INET && v4 != NULL &&
		    prefix_match(v4, c->addr, c->bits))
			return 1;
		if (c->family == AF_INET6 && v6 != NULL &&
		    prefix_match(v6, c->addr, c->bits))
			return 1;
	}
	return 0;
}
