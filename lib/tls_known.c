/* tls_known.c: the client's trust-on-first-use store (one line per
 * "host:port SHA256:<base64>") and fingerprint comparison in the forms a
 * user may paste.  Plain file handling: no OpenSSL here. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys.h"
#include "tls.h"

#define FP_LEN 32			/* SHA-256 */
#define KNOWN_MAX_BYTES (1 << 20)	/* a larger file is not ours */

static void known_seterr(char *err, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
known_seterr(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || n == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, n, fmt, ap);
	va_end(ap);
}

static int
b64_value(int ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

/* Exactly 32 bytes from 43 base64 characters (one '=' allowed). */
static int
fp_from_base64(const char *s, size_t len, unsigned char out[FP_LEN])
{
	unsigned acc = 0;
	int bits = 0, v;
	size_t i, o = 0;

	if (len == 44 && s[43] == '=')
		len = 43;
	if (len != 43)
		return -1;
	for (i = 0; i < len; i++) {
		v = b64_value((unsigned char)s[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o == FP_LEN)
				return -1;
			out[o++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* 43 * 6 = 258 bits: 2 left over, and they must be zero. */
	return o == FP_LEN && acc == 0 ? 0 : -1;
}

/* 64 hex digits, optionally separated by ':'. */
static int
fp_from_hex(const char *s, size_t len, unsigned char out[FP_LEN])
{
	size_t i, o = 0;
	int hi = -1, v;

	for (i = 0; i < len; i++) {
		int ch = (unsigned char)s[i];

		if (ch == ':') {
			if (hi >= 0)
				return -1;
			continue;
		}
		if (!isxdigit(ch))
			return -1;
		v = isdigit(ch) ? ch - '0' : tolower(ch) - 'a' + 10;
		if (hi < 0) {
			hi = v;
		} else {
			if (o == FP_LEN)
				return -1;
			out[o++] = (unsigned char)(hi << 4 | v);
			hi = -1;
		}
	}
	return o == FP_LEN && hi < 0 ? 0 : -1;
}

static int
fp_parse(const char *s, unsigned char out[FP_LEN])
{
	const char *eq;
	size_t len;

	while (isspace((unsigned char)*s))
		s++;
	/* "sha256 Fingerprint=AB:CD..." as openssl x509 prints it */
	eq = strchr(s, '=');
	if (eq != NULL && eq - s >= 11 &&
	    strncasecmp(eq - 11, "Fingerprint", 11) == 0)
		s = eq + 1;
	else if (strncasecmp(s, "SHA256:", 7) == 0)
		s += 7;
	len = strlen(s);
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	if (fp_from_hex(s, len, out) == 0)
		return 0;
	return fp_from_base64(s, len, out);
}

int
tls_fingerprint_match(const char *given, const char *fp)
{
	unsigned char a[FP_LEN], b[FP_LEN];
	unsigned diff = 0;

	if (given == NULL || fp == NULL || fp_parse(given, a) < 0 ||
	    fp_parse(fp, b) < 0)
		return 0;
	for (size_t i = 0; i < FP_LEN; i++)
		diff |= (unsigned)(a[i] ^ b[i]);
	return diff == 0;
}

void
tls_known_key(char *out, size_t n, const char *host, int port)
{
	size_t i;
	int bracket = strchr(host, ':') != NULL && host[0] != '[';
	int w;

	w = snprintf(out, n, "%s%s%s:%d", bracket ? "[" : "", host,
	    bracket ? "]" : "", port);
	if (w < 0 || n == 0)
		return;
	/* Host names compare without case (the rest is digits and marks). */
	for (i = 0; i < n && out[i] != '\0'; i++)
		out[i] = (char)tolower((unsigned char)out[i]);
}

/* Splits a line "key fp" in place.  0, or -1 for blank/comment/junk. */
static int
known_split(char *line, char **key, char **fp)
{
	char *p = line, *end;

	p[strcspn(p, "\r\n")] = '\0';
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '#')
		return -1;
	*key = p;
	p += strcspn(p, " \t");
	if (*p == '\0')
		return -1;
	*p++ = '\0';
	while (*p == ' ' || *p == '\t')
		p++;
	*fp = p;
	end = p + strcspn(p, " \t");
	*end = '\0';
	return **fp != '\0' ? 0 : -1;
}

int
tls_known_check(const char *path, const char *key, const char *fp,
		char *stored, size_t storedlen)
{
	char *line = NULL, *k, *v, *last = NULL;
	size_t cap = 0, total = 0;
	ssize_t len;
	FILE *f;
	int rc;

	f = fopen(path, "re");
	if (f == NULL)
		return errno == ENOENT ? TLS_KNOWN_ABSENT : TLS_KNOWN_ERROR;
	while ((len = getline(&line, &cap, f)) > 0) {
		total += (size_t)len;
		if (total > KNOWN_MAX_BYTES)
			break;
		if (known_split(line, &k, &v) < 0 || strcasecmp(k, key) != 0)
			continue;
		free(last);
		last = strdup(v);	/* the last line for a host wins */
		if (last == NULL)
			break;
	}
	rc = ferror(f) || total > KNOWN_MAX_BYTES || (len > 0 && last == NULL);
	free(line);
	(void)fclose(f);
	if (rc) {
		free(last);
		return TLS_KNOWN_ERROR;
	}
	if (last == NULL)
		return TLS_KNOWN_ABSENT;
	if (tls_fingerprint_match(last, fp)) {
		rc = TLS_KNOWN_MATCH;
	} else {
		rc = TLS_KNOWN_MISMATCH;
		if (stored != NULL && storedlen > 0)
			(void)snprintf(stored, storedlen, "%s", last);
	}
	free(last);
	return rc;
}

/* Copies the lines of path that are not for key into out.  A missing
 * file copies nothing.  0 or -1. */
static int
known_copy_others(const char *path, const char *key, FILE *out)
{
	char *line = NULL, *copy = NULL, *k, *v;
	size_t cap = 0, total = 0;
	ssize_t len;
	FILE *f;
	int rc = 0;

	f = fopen(path, "re");
	if (f == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((len = getline(&line, &cap, f)) > 0) {
		total += (size_t)len;
		if (total > KNOWN_MAX_BYTES) {
			rc = -1;
			break;
		}
		free(copy);
		copy = strdup(line);
		if (copy == NULL) {
			rc = -1;
			break;
		}
		if (known_split(copy, &k, &v) == 0 && strcasecmp(k, key) == 0)
			continue;
		if (fputs(line, out) == EOF ||
		    (line[len - 1] != '\n' && fputc('\n', out) == EOF)) {
			rc = -1;
			break;
		}
	}
	if (ferror(f))
		rc = -1;
	free(line);
	free(copy);
	(void)fclose(f);
	return rc;
}

/* mkstemp next to path; creates the folder (0700) if it is missing. */
static int
known_tmpfile(const char *path, char *tmp, size_t n)
{
	char dir[4096];
	const char *slash;
	int fd;

	if (snprintf(tmp, n, "%s.tmpXXXXXX", path) >= (int)n) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = mkstemp(tmp);
	if (fd >= 0 || errno != ENOENT)
		return fd;
	slash = strrchr(path, '/');
	if (slash == NULL || slash == path ||
	    (size_t)(slash - path) >= sizeof dir)
		return -1;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -1;
	if (snprintf(tmp, n, "%s.tmpXXXXXX", path) >= (int)n)
		return -1;
	return mkstemp(tmp);
}

int
tls_known_add(const char *path, const char *key, const char *fp,
	      char *err, size_t errlen)
{
	char tmp[4096 + 16];
	FILE *out;
	int fd, e;

	if (strpbrk(key, " \t\r\n#") != NULL || strpbrk(fp, " \t\r\n") != NULL ||
	    key[0] == '\0' || fp[0] == '\0') {
		known_seterr(err, errlen, "%s: invalid entry", path);
		return -1;
	}
	fd = known_tmpfile(path, tmp, sizeof tmp);
	if (fd < 0) {
		known_seterr(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	out = fdopen(fd, "w");
	if (out == NULL) {
		e = errno;
		sys_close_failok(fd);
		(void)unlink(tmp);
		known_seterr(err, errlen, "%s: %s", path, strerror(e));
		return -1;
	}
	errno = 0;
	if (known_copy_others(path, key, out) < 0 ||
	    fprintf(out, "%s %s\n", key, fp) < 0 || fflush(out) != 0 ||
	    fsync(fileno(out)) != 0) {
		e = errno != 0 ? errno : EIO;
		(void)fclose(out);
		(void)unlink(tmp);
		known_seterr(err, errlen, "%s: %s", path, strerror(e));
		return -1;
	}
	if (fclose(out) != 0 || rename(tmp, path) < 0) {
		e = errno;
		(void)unlink(tmp);
		known_seterr(err, errlen, "%s: %s", path, strerror(e));
		return -1;
	}
	return 0;
}
