/* parse.c: bounded parsers for numbers, config values, FTP command lines,
 * host-port arguments (PORT/EPRT/227/229), FTP times and UTF-8.  Every
 * parser consumes the whole input or fails; none trusts a length. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "parse.h"

/* Reads decimal digits at *pp (at least one, at most maxdigits) into *out
 * bounded by max; advances *pp.  0 or -1. */
static int
parse_digits(const char **pp, unsigned maxdigits, uint64_t max, uint64_t *out)
{
	const char *p = *pp;
	uint64_t v = 0;
	unsigned nd = 0;

	while (*p >= '0' && *p <= '9') {
		if (++nd > maxdigits)
			return -1;
		if ((uint64_t)(*p - '0') > max ||
		    v > (max - (uint64_t)(*p - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
		p++;
	}
	if (nd == 0)
		return -1;
	*pp = p;
	*out = v;
	return 0;
}

int
parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v;

	if (s == NULL || parse_digits(&s, 64, max, &v) < 0 || *s != '\0')
		return -1;
	*out = v;
	return 0;
}

int
parse_bool(const char *s, int *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	if (s == NULL)
		return -1;
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

/* Number with a one-letter multiplier suffix from units/mults. */
static int
parse_scaled(const char *s, const char *units, const uint64_t *mults,
	     uint64_t max, uint64_t *out)
{
	const char *u;
	uint64_t v, m = 1;

	if (s == NULL || parse_digits(&s, 64, UINT64_MAX, &v) < 0)
		return -1;
	if (*s != '\0') {
		if (s[1] != '\0' || (u = strchr(units, *s)) == NULL)
			return -1;
		m = mults[u - units];
	}
	if (v > max / m)
		return -1;
	*out = v * m;
	return 0;
}

int
parse_duration(const char *s, unsigned *secs)
{
	static const uint64_t mults[] = { 1, 60, 3600, 1, 60, 3600 };
	uint64_t v;

	if (parse_scaled(s, "smhSMH", mults, UINT32_MAX, &v) < 0)
		return -1;
	*secs = (unsigned)v;
	return 0;
}

int
parse_size(const char *s, uint64_t *out)
{
	static const uint64_t mults[] = {
		1ULL << 10, 1ULL << 20, 1ULL << 30,
		1ULL << 10, 1ULL << 20, 1ULL << 30,
	};

	return parse_scaled(s, "KMGkmg", mults, UINT64_MAX, out);
}

int
parse_port_range(const char *s, unsigned *lo, unsigned *hi)
{
	uint64_t a, b;

	if (s == NULL || parse_digits(&s, 5, 65535, &a) < 0 || *s++ != '-' ||
	    parse_digits(&s, 5, 65535, &b) < 0 || *s != '\0')
		return -1;
	if (a < 1 || a > b)
		return -1;
	*lo = (unsigned)a;
	*hi = (unsigned)b;
	return 0;
}

int
parse_command(const char *line, char *verb, size_t verb_len,
	      const char **arg)
{
	size_t i;

	if (verb_len == 0)
		return -1;
	verb[0] = '\0';
	*arg = NULL;
	for (i = 0; line[i] != '\0' && line[i] != ' '; i++) {
		unsigned char ch = (unsigned char)line[i];

		/* A letter first, then letters or digits (XSHA256, XMD5). */
		if (!(isalpha(ch) || (i > 0 && isdigit(ch))) || i + 1 >= verb_len) {
			verb[0] = '\0';
			return -1;
		}
		verb[i] = (char)toupper((unsigned char)line[i]);
	}
	verb[i] = '\0';
	if (i == 0)
		return -1;
	if (line[i] == ' ')
		*arg = line + i + 1;
	return 0;
}

static void
netaddr_v4(struct netaddr *out, const unsigned char b[4], unsigned port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&out->ss;

	memset(out, 0, sizeof *out);
	sin->sin_family = AF_INET;
	memcpy(&sin->sin_addr.s_addr, b, 4);
	sin->sin_port = htons((uint16_t)port);
	out->len = sizeof *sin;
}

/* Six comma-separated numbers 0..255 at *pp; spaces after commas allowed
 * when lax.  Advances *pp past the last number.  0 or -1. */
static int
parse_six(const char **pp, unsigned char v[6], int lax)
{
	const char *p = *pp;
	uint64_t n;

	for (int i = 0; i < 6; i++) {
		if (i > 0) {
			if (*p++ != ',')
				return -1;
			while (lax && *p == ' ')
				p++;
		}
		/* SECURITY: each byte 0..255; more digits is garbage. */
		if (parse_digits(&p, 3, 255, &n) < 0)
			return -1;
		v[i] = (unsigned char)n;
	}
	*pp = p;
	return 0;
}

int
parse_port_arg(const char *s, struct netaddr *out)
{
	unsigned char v[6];
	unsigned port;

	if (s == NULL || parse_six(&s, v, 0) < 0 || *s != '\0')
		return -1;
	port = (unsigned)v[4] * 256 + v[5];
	if (port == 0)
		return -1;
	netaddr_v4(out, v, port);
	return 0;
}

int
parse_eprt_arg(const char *s, struct netaddr *out)
{
	char d, host[INET6_ADDRSTRLEN + 1];
	const char *p, *q;
	uint64_t af, port;
	size_t hl;
	struct sockaddr_in *sin;
	struct sockaddr_in6 *sin6;

	if (s == NULL)
		return -1;
	d = s[0];
	/* The delimiter may not be something that appears in the fields. */
	if (d < 33 || d > 126 || isalnum((unsigned char)d) || d == '.' ||
	    d == ':')
		return -1;
	p = s + 1;
	if (parse_digits(&p, 1, 2, &af) < 0 || *p++ != d)
		return -1;
	q = strchr(p, d);
	if (q == NULL)
		return -1;
	hl = (size_t)(q - p);
	if (hl == 0 || hl >= sizeof host)
		return -1;
	memcpy(host, p, hl);
	host[hl] = '\0';
	p = q + 1;
	if (parse_digits(&p, 5, 65535, &port) < 0 || port == 0 ||
	    *p++ != d || *p != '\0')
		return -1;
	memset(out, 0, sizeof *out);
	if (af == 1) {
		sin = (struct sockaddr_in *)&out->ss;
		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			return -1;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		out->len = sizeof *sin;
	} else if (af == 2) {
		sin6 = (struct sockaddr_in6 *)&out->ss;
		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
			return -1;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		out->len = sizeof *sin6;
	} else {
		return -1;
	}
	return 0;
}

int
parse_epsv_arg(const char *s, int *what)
{
	if (s == NULL || *s == '\0')
		*what = 0;
	else if (strcmp(s, "1") == 0)
		*what = AF_INET;
	else if (strcmp(s, "2") == 0)
		*what = AF_INET6;
	else if (strcasecmp(s, "ALL") == 0)
		*what = -2;
	else
		return -1;
	return 0;
}

int
parse_pasv_reply(const char *text, struct netaddr *out)
{
	unsigned char v[6];
	const char *p;

	if (text == NULL)
		return -1;
	/* Servers vary ("(h,h,h,h,p,p)", "=h,h,...", bare): try each run
	 * of digits that starts a number. */
	for (const char *s = text; *s != '\0'; s++) {
		if (!isdigit((unsigned char)*s) ||
		    (s > text && isdigit((unsigned char)s[-1])))
			continue;
		p = s;
		if (parse_six(&p, v, 1) == 0 && !isdigit((unsigned char)*p)) {
			netaddr_v4(out, v, (unsigned)v[4] * 256 + v[5]);
			return 0;
		}
	}
	return -1;
}

int
parse_epsv_reply(const char *text, int *port)
{
	const char *p;
	char d;
	uint64_t v;

	if (text == NULL)
		return -1;
	for (p = strchr(text, '('); p != NULL; p = strchr(p + 1, '(')) {
		const char *q = p + 1;

		d = *q;
		if (d < 33 || d > 126 || isdigit((unsigned char)d))
			continue;
		if (q[1] != d || q[2] != d)
			continue;
		q += 3;
		if (parse_digits(&q, 5, 65535, &v) < 0 || v == 0 ||
		    q[0] != d || q[1] != ')')
			continue;
		*port = (int)v;
		return 0;
	}
	return -1;
}

/* IPv4 bytes of a (plain v4 or v4-mapped v6).  0 or -1. */
static int
v4_bytes(const struct netaddr *a, unsigned char b[4])
{
	const struct sockaddr_in6 *s6;

	if (a->ss.ss_family == AF_INET) {
		memcpy(b, &((const struct sockaddr_in *)&a->ss)->sin_addr, 4);
		return 0;
	}
	if (a->ss.ss_family == AF_INET6) {
		s6 = (const struct sockaddr_in6 *)&a->ss;
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			memcpy(b, &s6->sin6_addr.s6_addr[12], 4);
			return 0;
		}
	}
	return -1;
}

int
format_port_arg(struct buf *out, const struct netaddr *a)
{
	unsigned char b[4];
	int port = net_port(a);

	if (v4_bytes(a, b) < 0 || port < 0)
		return -1;
	return buf_printf(out, "%u,%u,%u,%u,%d,%d", b[0], b[1], b[2], b[3],
			  port >> 8, port & 0xff);
}

int
format_eprt_arg(struct buf *out, const struct netaddr *a)
{
	char ip[INET6_ADDRSTRLEN];
	unsigned char b[4];
	int port = net_port(a);

	if (port < 0)
		return -1;
	if (v4_bytes(a, b) == 0) {
		if (inet_ntop(AF_INET, b, ip, sizeof ip) == NULL)
			return -1;
		return buf_printf(out, "|1|%s|%d|", ip, port);
	}
	if (inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)&a->ss)->sin6_addr,
		      ip, sizeof ip) == NULL)
		return -1;
	return buf_printf(out, "|2|%s|%d|", ip, port);
}

int
format_pasv_reply(struct buf *out, const struct netaddr *a)
{
	unsigned char b[4];
	int port = net_port(a);

	if (v4_bytes(a, b) < 0 || port < 0)
		return -1;
	return buf_printf(out, "Entering Passive Mode (%u,%u,%u,%u,%d,%d).",
			  b[0], b[1], b[2], b[3], port >> 8, port & 0xff);
}

/* Fixed-width decimal field. */
static int
fixed_num(const char *s, int width, int *out)
{
	int v = 0;

	for (int i = 0; i < width; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int
parse_ftp_time(const char *s, time_t *out)
{
	struct tm tm, chk;
	int y, mo, d, h, mi, se;
	time_t t;

	if (s == NULL || strlen(s) < 14)
		return -1;
	if (fixed_num(s, 4, &y) < 0 || fixed_num(s + 4, 2, &mo) < 0 ||
	    fixed_num(s + 6, 2, &d) < 0 || fixed_num(s + 8, 2, &h) < 0 ||
	    fixed_num(s + 10, 2, &mi) < 0 || fixed_num(s + 12, 2, &se) < 0)
		return -1;
	s += 14;
	if (*s == '.') {
		s++;
		if (!isdigit((unsigned char)*s))
			return -1;
		for (int i = 0; isdigit((unsigned char)*s); i++, s++)
			if (i >= 9)
				return -1;
	}
	if (*s != '\0')
		return -1;
	if (y < 1900 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || se > 59)
		return -1;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	t = timegm(&tm);
	/* Reject dates that do not exist (Feb 30 normalizes elsewhere). */
	if (gmtime_r(&t, &chk) == NULL || chk.tm_mday != d ||
	    chk.tm_mon != mo - 1)
		return -1;
	*out = t;
	return 0;
}

void
format_ftp_time(time_t t, char *out)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, 15, "%Y%m%d%H%M%S", &tm) != 14)
		memcpy(out, "19700101000000", 15);
}

int
utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, need;
	uint32_t cp, min;

	while (i < n) {
		unsigned char c = p[i];

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
			cp = c & 0x1f;
			min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			need = 2;
			cp = c & 0x0f;
			min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			cp = c & 0x07;
			min = 0x10000;
		} else {
			return 0;	/* continuation byte, C0/C1, F5..FF */
		}
		if (n - i <= need)
			return 0;
		for (size_t k = 1; k <= need; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;	/* overlong, out of range, surrogate */
		i += need + 1;
	}
	return 1;
}
