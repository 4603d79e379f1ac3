/* url.c: the ftp:// URL parser. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "url.h"

/* Length of the scheme part ("ftp://" ...) and its TLS mode, or 0. */
static size_t
url_scheme(const char *s, int *tls)
{
	static const struct {
		const char *prefix;
		int tls;
	} schemes[] = {
		{ "ftp://", URL_TLS_NONE },
		{ "ftps://", URL_TLS_IMPLICIT },
		{ "ftpes://", URL_TLS_EXPLICIT },
	};

	for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
		size_t n = strlen(schemes[i].prefix);

		if (strncasecmp(s, schemes[i].prefix, n) == 0) {
			*tls = schemes[i].tls;
			return n;
		}
	}
	return 0;
}

int
url_is_ftp(const char *s)
{
	int tls;

	return url_scheme(s, &tls) > 0;
}

static int
hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = tolower(ch);
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

int
url_decode(const char *in, size_t n, char **out)
{
	char *s = malloc(n + 1);
	size_t j = 0;

	*out = NULL;
	if (!s)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int ch = (unsigned char)in[i];

		if (ch == '%') {
			int hi, lo;

			if (i + 2 >= n) {
				free(s);
				return -1;
			}
			hi = hexval((unsigned char)in[i + 1]);
			lo = hexval((unsigned char)in[i + 2]);
			if (hi < 0 || lo < 0) {
				free(s);
				return -1;
			}
			ch = hi * 16 + lo;
			i += 2;
		}
		/* SECURITY: these would break the command line they land in */
		if (ch == 0 || ch == '\r' || ch == '\n') {
			free(s);
			return -1;
		}
		s[j++] = (char)ch;
	}
	s[j] = '\0';
	*out = s;
	return 0;
}

void
url_free(struct ftp_url *u)
{
	free(u->user);
	free(u->pass);
	free(u->host);
	free(u->port);
	for (int i = 0; i < u->ndirs; i++)
		free(u->dirs[i]);
	free(u->dirs);
	free(u->file);
	memset(u, 0, sizeof *u);
}

static int
fail(char *err, size_t errlen, const char *why)
{
	(void)snprintf(err, errlen, "%s", why);
	return -1;
}

/* host[:port] or [v6][:port] from auth[0..n) */
static int
parse_hostport(struct ftp_url *u, const char *a, size_t n, const char *dport,
	       char *err, size_t errlen)
{
	const char *hend, *colon = NULL;

	if (n == 0)
		return fail(err, errlen, "no host name in URL");
	if (a[0] == '[') {
		const char *rb = memchr(a, ']', n);

		if (!rb || rb == a + 1)
			return fail(err, errlen, "bad IPv6 address in URL");
		u->host = strndup(a + 1, (size_t)(rb - a - 1));
		hend = rb + 1;
		if (hend < a + n) {
			if (*hend != ':')
				return fail(err, errlen, "bad host in URL");
			colon = hend;
		}
	} else {
		colon = memchr(a, ':', n);
		hend = colon ? colon : a + n;
		if (hend == a)
			return fail(err, errlen, "no host name in URL");
		if (url_decode(a, (size_t)(hend - a), &u->host) < 0)
			return fail(err, errlen, "bad host in URL");
	}
	if (!u->host)
		return fail(err, errlen, "out of memory");
	for (const char *h = u->host; *h; h++)
		if (isspace((unsigned char)*h) || *h == '/' || *h == '@')
			return fail(err, errlen, "bad host in URL");
	if (colon) {
		const char *p = colon + 1;
		size_t plen = (size_t)(a + n - p);
		unsigned long v = 0;

		if (plen == 0 || plen > 5)
			return fail(err, errlen, "bad port in URL");
		for (size_t i = 0; i < plen; i++) {
			if (!isdigit((unsigned char)p[i]))
				return fail(err, errlen, "bad port in URL");
			v = v * 10 + (unsigned long)(p[i] - '0');
		}
		if (v == 0 || v > 65535)
			return fail(err, errlen, "bad port in URL");
		u->port = strndup(p, plen);
	} else {
		u->port = strdup(dport);
	}
	return u->port ? 0 : fail(err, errlen, "out of memory");
}

int
url_parse(const char *s, struct ftp_url *u, char *err, size_t errlen)
{
	const char *auth, *aend, *at, *path;
	const char *semi;
	size_t plen, slen;

	memset(u, 0, sizeof *u);
	slen = url_scheme(s, &u->tls);
	if (slen == 0)
		return fail(err, errlen, "not an ftp://, ftps:// or ftpes:// URL");
	auth = s + slen;
	aend = auth + strcspn(auth, "/");
	/* the last '@' ends the user part (lenient about unescaped '@') */
	at = NULL;
	for (const char *p = auth; p < aend; p++)
		if (*p == '@')
			at = p;
	if (at) {
		const char *colon = memchr(auth, ':', (size_t)(at - auth));
		const char *uend = colon ? colon : at;

		if (url_decode(auth, (size_t)(uend - auth), &u->user) < 0)
			return fail(err, errlen, "bad user name in URL");
		if (colon && url_decode(colon + 1, (size_t)(at - colon - 1),
					&u->pass) < 0)
			return fail(err, errlen, "bad password in URL");
		if (u->user[0] == '\0')
			return fail(err, errlen, "empty user name in URL");
		auth = at + 1;
	}
	if (parse_hostport(u, auth, (size_t)(aend - auth),
			   u->tls == URL_TLS_IMPLICIT ? "990" : "21", err,
			   errlen) < 0)
		return -1;
	if (*aend == '\0')
		return 0;
	path = aend + 1;
	plen = strlen(path);
	/* ";type=X" belongs to the last segment */
	semi = strrchr(path, ';');
	if (semi && strchr(semi, '/') == NULL) {
		if (strncasecmp(semi, ";type=", 6) != 0 || strlen(semi) != 7 ||
		    !strchr("aAiIdD", semi[6]))
			return fail(err, errlen, "bad ;type= in URL");
		u->type = (char)tolower((unsigned char)semi[6]);
		plen = (size_t)(semi - path);
	}
	u->dirs = calloc(URL_MAX_SEGMENTS, sizeof *u->dirs);
	if (!u->dirs)
		return fail(err, errlen, "out of memory");
	for (;;) {
		const char *slash = memchr(path, '/', plen);
		size_t n = slash ? (size_t)(slash - path) : plen;
		char *seg;

		if (url_decode(path, n, &seg) < 0)
			return fail(err, errlen, "bad %-escape in URL path");
		if (!slash) {
			if (seg[0])
				u->file = seg;
			else
				free(seg);
			break;
		}
		if (seg[0] == '\0') {
			free(seg);	/* "//": nothing to change into */
		} else if (u->ndirs >= URL_MAX_SEGMENTS) {
			free(seg);
			return fail(err, errlen, "too many folders in URL");
		} else {
			u->dirs[u->ndirs++] = seg;
		}
		plen -= n + 1;
		path = slash + 1;
	}
	if (u->type == 'd' && u->file) {
		/* ;type=d names a folder to list, not a file */
		if (u->ndirs >= URL_MAX_SEGMENTS)
			return fail(err, errlen, "too many folders in URL");
		u->dirs[u->ndirs++] = u->file;
		u->file = NULL;
	}
	return 0;
}
