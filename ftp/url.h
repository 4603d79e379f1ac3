/* url.h: ftp:// URLs (RFC 1738 section 3.2):
 * ftp://[user[:password]@]host[:port][/dir/.../name][;type=a|i|d],
 * and the same with ftps:// (implicit TLS, default port 990) or
 * ftpes:// (explicit TLS: AUTH TLS on port 21).
 * Every part is percent-decoded separately; each folder segment becomes
 * one CWD from the login folder, so "%2F" (a decoded '/') reaches the
 * root: ftp://h/%2Fetc/motd changes to "/etc" and fetches "motd". */
#ifndef FTP_URL_H
#define FTP_URL_H

#include <stddef.h>

#define URL_MAX_SEGMENTS 256

struct ftp_url {
	char *user;		/* NULL when absent */
	char *pass;		/* NULL when absent */
	char *host;		/* without [] for IPv6 literals */
	char *port;		/* "21" unless given */
	char **dirs;		/* folder segments (decoded), ndirs of them */
	int ndirs;
	char *file;		/* last segment, NULL when the URL ends in '/' */
	char type;		/* 0, or 'a', 'i', 'd' from ;type= */
	int tls;		/* URL_TLS_*: from the scheme */
};

enum { URL_TLS_NONE = 0, URL_TLS_EXPLICIT = 1, URL_TLS_IMPLICIT = 2 };

/* 1 if s starts with "ftp://", "ftps://" or "ftpes://" (any case). */
int url_is_ftp(const char *s);
/* Decodes %XX escapes of in[0..n) into a malloc'd string.  -1 on a bad
 * escape or when the result would hold NUL, CR or LF. */
int url_decode(const char *in, size_t n, char **out);
/* 0, or -1 with a reason in err.  u must be freed with url_free either way. */
int url_parse(const char *s, struct ftp_url *u, char *err, size_t errlen);
void url_free(struct ftp_url *u);

#endif
