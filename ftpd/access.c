/* access.c: address allow/deny lists and the login-name deny list (see
 * access.h).  Lists are parsed on every use: they are short, the daemon
 * checks them once per connection, and a reloaded configuration can
 * never meet a stale parsed copy. */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "access.h"
#include "auth.h"
#include "parse.h"

#define CIDR_TEXT_MAX 80
#define DENY_LINE_MAX 512

struct cidr {
	int v4;				/* 4-byte address, else 16 */
	unsigned char addr[16];
	unsigned bits;
};

/* The address as bytes; v4-mapped IPv6 becomes IPv4.  0 or -1. */
static int
addr_bytes(const struct netaddr *a, unsigned char out[16], int *v4)
{
	if (a->ss.ss_family == AF_INET) {
		memcpy(out, &((const struct sockaddr_in *)&a->ss)->sin_addr, 4);
		*v4 = 1;
		return 0;
	}
	if (a->ss.ss_family == AF_INET6) {
		const struct in6_addr *p =
		    &((const struct sockaddr_in6 *)&a->ss)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(p)) {
			memcpy(out, p->s6_addr + 12, 4);
			*v4 = 1;
		} else {
			memcpy(out, p->s6_addr, 16);
			*v4 = 0;
		}
		return 0;
	}
	return -1;
}

/* "addr" or "addr/bits".  0 or -1. */
static int
cidr_parse(const char *text, struct cidr *c)
{
	char ip[CIDR_TEXT_MAX];
	const char *slash = strchr(text, '/');
	struct netaddr a;
	uint64_t bits;
	size_t n = slash != NULL ? (size_t)(slash - text) : strlen(text);

	if (n == 0 || n >= sizeof ip)
		return -1;
	memcpy(ip, text, n);
	ip[n] = '\0';
	if (net_parse_ip(ip, &a) < 0 || addr_bytes(&a, c->addr, &c->v4) < 0)
		return -1;
	c->bits = c->v4 ? 32 : 128;
	if (slash != NULL) {
		int mapped = c->v4 && net_family(&a) == AF_INET6;

		if (parse_u64(slash + 1, mapped ? 128 : c->bits, &bits) < 0)
			return -1;
		/* ::ffff:a.b.c.d/n is the IPv4 prefix n - 96. */
		if (mapped && bits < 96)
			return -1;
		c->bits = (unsigned)(mapped ? bits - 96 : bits);
	}
	return 0;
}

static int
cidr_contains(const struct cidr *c, const unsigned char addr[16], int v4)
{
	unsigned full = c->bits / 8, rest = c->bits % 8;
	unsigned char mask;

	if (c->v4 != v4)
		return 0;
	if (memcmp(c->addr, addr, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (unsigned char)(0xff << (8 - rest));
	return (c->addr[full] & mask) == (addr[full] & mask);
}

/* Calls fn for each item of a list separated by spaces, tabs or commas.
 * Stops at the first nonzero return and returns it; -1 for an item too
 * long to be an address. */
static int
list_each(const char *list, int (*fn)(const char *item, void *arg), void *arg)
{
	char item[CIDR_TEXT_MAX];
	const char *p = list;
	int r;

	for (;;) {
		size_t n;

		p += strspn(p, " \t,");
		if (*p == '\0')
			return 0;
		n = strcspn(p, " \t,");
		if (n >= sizeof item)
			return -1;
		memcpy(item, p, n);
		item[n] = '\0';
		p += n;
		r = fn(item, arg);
		if (r != 0)
			return r;
	}
}

struct match_arg {
	unsigned char addr[16];
	int v4;
};

static int
match_one(const char *item, void *arg)
{
	struct match_arg *m = arg;
	struct cidr c;

	if (cidr_parse(item, &c) < 0)
		return -1;
	return cidr_contains(&c, m->addr, m->v4);
}

int
access_list_match(const char *list, const struct netaddr *addr)
{
	struct match_arg m;

	if (addr_bytes(addr, m.addr, &m.v4) < 0)
		return 0;
	return list_each(list, match_one, &m);
}

struct check_arg {
	const char *bad;
	char copy[CIDR_TEXT_MAX];
};

static int
check_one(const char *item, void *arg)
{
	struct check_arg *a = arg;
	struct cidr c;

	if (cidr_parse(item, &c) == 0)
		return 0;
	snprintf(a->copy, sizeof a->copy, "%s", item);
	return -1;
}

static int
check_list(const char *key, const char *list, char *err, size_t errlen)
{
	struct check_arg a = { NULL, "" };

	if (list_each(list, check_one, &a) == 0)
		return 0;
	snprintf(err, errlen, "%s: '%s' is not an address or address/prefix "
		 "(e.g. 192.0.2.0/24, 2001:db8::/32)",
		 key, a.copy[0] != '\0' ? a.copy : "(item too long)");
	return -1;
}

int
access_conf_check(const struct ftpd_conf *c, char *err, size_t errlen)
{
	if (check_list("allow_from", c->allow_from, err, errlen) < 0 ||
	    check_list("deny_from", c->deny_from, err, errlen) < 0)
		return -1;
	if (c->deny_users_file[0] != '\0' && c->deny_users_file[0] != '/') {
		snprintf(err, errlen, "deny_users_file: '%s' must be an "
			 "absolute path", c->deny_users_file);
		return -1;
	}
	return 0;
}

int
access_addr_allowed(const struct ftpd_conf *c, const struct netaddr *peer,
		    char *why, size_t whylen)
{
	/* A list that fails to parse (checked at startup) matches
	 * nothing in allow_from and everything in deny_from. */
	if (c->allow_from[0] != '\0' &&
	    access_list_match(c->allow_from, peer) != 1) {
		snprintf(why, whylen, "address not in allow_from");
		return 0;
	}
	if (c->deny_from[0] != '\0' &&
	    access_list_match(c->deny_from, peer) != 0) {
		snprintf(why, whylen, "address in deny_from");
		return 0;
	}
	return 1;
}

/* One line of the deny file: trims blanks, skips comments.  1 if it
 * names user. */
static int
deny_line_matches(char *line, const char *user)
{
	char *end;

	line += strspn(line, " \t");
	end = line + strcspn(line, " \t\r\n#");
	if (line[0] == '#' || end == line)
		return 0;
	*end = '\0';
	if (strcmp(line, user) == 0)
		return 1;
	/* "ftp" and "anonymous" are one account in any case. */
	return auth_is_anonymous(line) && auth_is_anonymous(user);
}

int
access_user_denied(const struct ftpd_conf *c, const char *user, char *why,
		   size_t whylen)
{
	const char *path = c->deny_users_file;
	char line[DENY_LINE_MAX];
	int denied = 0, skipping = 0;
	FILE *fp;

	if (path[0] == '\0')
		return 0;
	fp = fopen(path, "re");
	if (fp == NULL) {
		if (errno == ENOENT)
			return 0;
		/* SECURITY: a list we cannot read denies everyone. */
		snprintf(why, whylen, "deny_users_file %.300s: %s", path,
			 strerror(errno));
		return 1;
	}
	while (!denied && fgets(line, sizeof line, fp) != NULL) {
		int whole = strchr(line, '\n') != NULL;

		/* The tail of an over-long line is not a name of its own. */
		if (!skipping)
			denied = deny_line_matches(line, user);
		skipping = !whole;
	}
	if (!denied && ferror(fp)) {
		snprintf(why, whylen, "deny_users_file %.300s: read error",
			 path);
		denied = 1;
	} else if (denied) {
		snprintf(why, whylen, "listed in %.300s", path);
	}
	(void)fclose(fp);
	return denied;
}
