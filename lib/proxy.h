/* proxy.h: the receiving side of the PROXY protocol (HAProxy's
 * proxy-protocol.txt: version 1, one text line, and version 2, binary),
 * which a TCP load balancer puts in front of each connection to say who
 * the real client is; and the list of trusted sources (CIDR) that may
 * send it.
 *
 * SECURITY: the reader consumes the header and never a byte past it, so
 * what the client sends first (a TLS ClientHello, an FTP command) stays
 * in the socket for the code that reads next.  Everything it accepts is
 * bounded: v1 at most PROXY_V1_MAX bytes, v2 at most PROXY_V2_PAYLOAD_MAX
 * bytes after the 16-byte fixed part. */
#ifndef FTPKIT_PROXY_H
#define FTPKIT_PROXY_H

#include <stddef.h>
#include "net.h"

#define PROXY_V1_MAX 107	/* longest v1 line, CRLF included (spec) */
#define PROXY_V2_FIXED 16	/* signature, ver/cmd, family, length */
/* Addresses (at most 216 bytes, AF_UNIX) plus TLVs; a balancer sending
 * more is misconfigured or hostile. */
#define PROXY_V2_PAYLOAD_MAX 1024
#define PROXY_HDR_MAX (PROXY_V2_FIXED + PROXY_V2_PAYLOAD_MAX)

enum proxy_status {
	PROXY_ERR = -1,		/* malformed, closed, timed out: why says */
	PROXY_AGAIN = 0,	/* every byte so far is header; need more */
	PROXY_DONE = 1		/* complete header parsed */
};

struct proxy_hdr {
	int version;		/* 1 or 2 */
	/* 1: the balancer's own connection, not a relayed client: v2 LOCAL,
	 * v1 UNKNOWN, or v2 PROXY with an unspecified or AF_UNIX address.
	 * Balancers use these for health checks; src and dst are unset. */
	int local;
	struct netaddr src;	/* the client (address and port) */
	struct netaddr dst;	/* where the client connected to */
	size_t len;		/* header length in bytes */
};

/* Parses the first n bytes of a connection.  PROXY_DONE: *h is filled
 * and h->len <= n bytes are the header.  PROXY_AGAIN: all n bytes are a
 * valid beginning of a header (so reading them consumed nothing else).
 * PROXY_ERR: not a valid header; a reason in why. */
int proxy_parse(const void *p, size_t n, struct proxy_hdr *h, char *why,
		size_t whylen);

/* An incremental reader for one connection, usable without blocking. */
struct proxy_reader {
	unsigned char buf[PROXY_HDR_MAX];
	size_t have;
};

void proxy_reader_init(struct proxy_reader *r);
/* Takes whatever header bytes fd has queued, never more than the header
 * (MSG_PEEK, then a read of exactly the bytes that belong to it), and
 * never blocks (MSG_DONTWAIT).  PROXY_AGAIN: wait for POLLIN and call
 * again.  End of file and socket errors are PROXY_ERR. */
int proxy_reader_step(struct proxy_reader *r, int fd, struct proxy_hdr *h,
		      char *why, size_t whylen);
/* Reads a whole header from fd, waiting at most timeout_ms in total. */
int proxy_read(int fd, int timeout_ms, struct proxy_hdr *h, char *why,
	       size_t whylen);

/* Trusted sources: up to PROXY_TRUST_MAX networks. */
#define PROXY_TRUST_MAX 32

struct proxy_cidr {
	int family;		/* AF_INET or AF_INET6 */
	unsigned char addr[16];	/* network address, host bits zero */
	unsigned bits;		/* prefix length */
};

struct proxy_trust {
	struct proxy_cidr net[PROXY_TRUST_MAX];
	size_t n;
};

/* "192.0.2.0/24, 10.1.2.3 2001:db8::/32": items separated by commas
 * and/or blanks; an address without /bits is one host.  Host bits set
 * after the prefix are refused (a likely typo).  "" gives an empty list.
 * 0, or -1 with why. */
int proxy_trust_parse(const char *s, struct proxy_trust *t, char *why,
		      size_t whylen);
/* 1 when a lies in one of the networks (a v4-mapped IPv6 address
 * matches IPv4 networks), else 0. */
int proxy_trust_match(const struct proxy_trust *t, const struct netaddr *a);

#endif
