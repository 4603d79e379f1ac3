/* fuzz_url.c: the client's ftp:// URL parser (url_parse, url_decode in
 * ftp/url.c).
 *
 * Input: byte 0 even: the rest is a URL (NUL-terminated copy); odd: the
 * rest goes to url_decode.  Checked:
 * - url_decode equals a small reference decoder, and fails exactly when
 *   an escape is bad or the result would hold NUL, CR or LF;
 * - url_parse fails with the scheme error exactly when !url_is_ftp;
 * - an accepted URL has parts without CR/LF, a non-empty host without
 *   space, '/' or '@', a non-empty user, a 1-5 digit port in 1..65535,
 *   no empty folder segment, at most URL_MAX_SEGMENTS of them, a
 *   non-empty file (or none), a type of 0/a/i/d, type d without a file;
 * - re-encoding the parts (every byte but [A-Za-z0-9._~-] as %XX) and
 *   parsing again gives the same parts. */
#include "config.h"

#include <ctype.h>

#include "url.h"
#include "fuzz.h"

/* Reference decoder: -1 when bad, else the decoded length in out. */
static long
ref_decode(const uint8_t *in, size_t n, char *out)
{
	size_t j = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned ch = in[i];

		if (ch == '%') {
			if (i + 2 >= n || !isxdigit(in[i + 1]) ||
			    !isxdigit(in[i + 2]))
				return -1;
			char hex[3] = { (char)in[i + 1], (char)in[i + 2], 0 };
			ch = (unsigned)strtoul(hex, NULL, 16);
			i += 2;
		}
		if (ch == 0 || ch == '\r' || ch == '\n')
			return -1;
		out[j++] = (char)ch;
	}
	out[j] = '\0';
	return (long)j;
}

static void
check_decode(const uint8_t *d, size_t n)
{
	char *ref = malloc(n + 1), *got = NULL;
	long rn;
	int rc;

	if (ref == NULL)
		abort();
	rn = ref_decode(d, n, ref);
	rc = url_decode((const char *)d, n, &got);
	FUZZ_ASSERT((rc == 0) == (rn >= 0));
	if (rc == 0) {
		FUZZ_ASSERT(got != NULL);
		FUZZ_ASSERT(strlen(got) == (size_t)rn);
		FUZZ_ASSERT(memcmp(got, ref, (size_t)rn) == 0);
	} else {
		FUZZ_ASSERT(got == NULL);
	}
	free(got);
	free(ref);
}

/* Appends s percent-encoded to buf at *o (buf is big enough). */
static void
enc(char *buf, size_t *o, const char *s)
{
	static const char hx[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || c == '.' || c == '_' || c == '~' || c == '-') {
			buf[(*o)++] = (char)c;
		} else {
			buf[(*o)++] = '%';
			buf[(*o)++] = hx[c >> 4];
			buf[(*o)++] = hx[c & 15];
		}
	}
	buf[*o] = '\0';
}

static void
put(char *buf, size_t *o, const char *s)
{
	size_t n = strlen(s);

	memcpy(buf + *o, s, n + 1);
	*o += n;
}

static int
same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static void
check_part(const char *s)
{
	if (s != NULL)
		FUZZ_ASSERT(strpbrk(s, "\r\n") == NULL);
}

static void
check_shape(const struct ftp_url *u)
{
	unsigned long v = 0;
	size_t pl;

	check_part(u->user);
	check_part(u->pass);
	check_part(u->host);
	check_part(u->file);
	if (u->user != NULL)
		FUZZ_ASSERT(u->user[0] != '\0');
	FUZZ_ASSERT(u->pass == NULL || u->user != NULL);
	FUZZ_ASSERT(u->host != NULL && u->host[0] != '\0');
	for (const char *h = u->host; *h; h++)
		FUZZ_ASSERT(!isspace((unsigned char)*h) && *h != '/' &&
			    *h != '@');
	FUZZ_ASSERT(u->port != NULL);
	pl = strlen(u->port);
	FUZZ_ASSERT(pl >= 1 && pl <= 5);
	for (size_t i = 0; i < pl; i++) {
		FUZZ_ASSERT(isdigit((unsigned char)u->port[i]));
		v = v * 10 + (unsigned long)(u->port[i] - '0');
	}
	FUZZ_ASSERT(v >= 1 && v <= 65535);
	FUZZ_ASSERT(u->ndirs >= 0 && u->ndirs <= URL_MAX_SEGMENTS);
	for (int i = 0; i < u->ndirs; i++) {
		FUZZ_ASSERT(u->dirs[i] != NULL && u->dirs[i][0] != '\0');
		check_part(u->dirs[i]);
	}
	FUZZ_ASSERT(u->file == NULL || u->file[0] != '\0');
	FUZZ_ASSERT(u->type == 0 || u->type == 'a' || u->type == 'i' ||
		    u->type == 'd');
	FUZZ_ASSERT(u->type != 'd' || u->file == NULL);
	FUZZ_ASSERT(u->tls == URL_TLS_NONE || u->tls == URL_TLS_EXPLICIT ||
		    u->tls == URL_TLS_IMPLICIT);
}

/* Formats u back into a URL (malloc'd). */
static char *
format(const struct ftp_url *u, size_t inlen)
{
	/* every input byte becomes at most 3, plus the fixed parts */
	size_t cap = 3 * inlen + 64, o = 0;
	char *b = malloc(cap);

	if (b == NULL)
		abort();
	put(b, &o, u->tls == URL_TLS_IMPLICIT ? "ftps://" :
	    u->tls == URL_TLS_EXPLICIT ? "ftpes://" : "ftp://");
	if (u->user != NULL) {
		enc(b, &o, u->user);
		if (u->pass != NULL) {
			put(b, &o, ":");
			enc(b, &o, u->pass);
		}
		put(b, &o, "@");
	}
	enc(b, &o, u->host);
	put(b, &o, ":");
	put(b, &o, u->port);
	put(b, &o, "/");
	for (int i = 0; i < u->ndirs; i++) {
		enc(b, &o, u->dirs[i]);
		put(b, &o, "/");
	}
	if (u->file != NULL)
		enc(b, &o, u->file);
	if (u->type != 0) {
		char t[8] = ";type=x";

		t[6] = u->type;
		put(b, &o, t);
	}
	FUZZ_ASSERT(o < cap);
	return b;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ftp_url u, v;
	char err[128], *s, *f;
	int rc;

	if (size == 0)
		return 0;
	if (data[0] & 1) {
		check_decode(data + 1, size - 1);
		return 0;
	}
	s = fuzz_strndup(data + 1, size - 1);
	err[0] = '\0';
	rc = url_parse(s, &u, err, sizeof err);
	if (!url_is_ftp(s))
		FUZZ_ASSERT(rc < 0);
	if (rc < 0) {
		FUZZ_ASSERT(err[0] != '\0');
		url_free(&u);
		free(s);
		return 0;
	}
	check_shape(&u);
	f = format(&u, strlen(s));
	rc = url_parse(f, &v, err, sizeof err);
	if (rc != 0)
		fprintf(stderr, "reparse of \"%s\" failed: %s\n", f, err);
	FUZZ_ASSERT(rc == 0);
	check_shape(&v);
	FUZZ_ASSERT(same(u.user, v.user) && same(u.pass, v.pass));
	FUZZ_ASSERT(same(u.host, v.host) && same(u.port, v.port));
	FUZZ_ASSERT(u.ndirs == v.ndirs);
	for (int i = 0; i < u.ndirs; i++)
		FUZZ_ASSERT(same(u.dirs[i], v.dirs[i]));
	FUZZ_ASSERT(same(u.file, v.file));
	FUZZ_ASSERT(u.type == v.type && u.tls == v.tls);
	url_free(&v);
	url_free(&u);
	free(f);
	free(s);
	return 0;
}
