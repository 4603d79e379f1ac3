/* userfile.c: reading and parsing the virtual users file (format in
 * userfile.h).  Lines are bounded; hashes are wiped after use. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "userfile.h"

int
userfile_valid_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= USERFILE_NAME_MAX || name[0] == '-' || name[0] == '.')
		return 0;
	for (const char *p = name; *p; p++) {
		char ch = *p;

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || strchr("._-@+", ch) != NULL))
			return 0;
	}
	return 1;
}

/* Copies [s, s+n) into dst (size cap) as a C string.  0 or -1. */
static int
copy_field(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		return -1;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

static int
parse_options(struct userfile_entry *e, const char **why)
{
	char tmp[USERFILE_OPTS_MAX];
	char *tok, *save = NULL;

	e->readonly = 0;
	snprintf(tmp, sizeof tmp, "%s", e->options);
	for (tok = strtok_r(tmp, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "ro") == 0)
			e->readonly = 1;
		else if (strcmp(tok, "rw") == 0)
			e->readonly = 0;
		else {
			*why = "unknown option (known: ro, rw)";
			return -1;
		}
	}
	return 0;
}

int
userfile_parse_line(const char *line, struct userfile_entry *e,
		    const char **why)
{
	const char *f[4];
	size_t len[4];
	const char *p = line, *c;
	int nf = 0;

	memset(e, 0, sizeof *e);
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '#')
		return 1;
	p = line;
	/* Three ':'-separated fields, then options (the rest). */
	while (nf < 3) {
		c = strchr(p, ':');
		if (c == NULL)
			break;
		f[nf] = p;
		len[nf] = (size_t)(c - p);
		nf++;
		p = c + 1;
	}
	f[nf] = p;
	len[nf] = strlen(p);
	nf++;
	if (nf < 3) {
		*why = "want name:crypt-hash:home[:options]";
		return -1;
	}
	if (copy_field(e->name, sizeof e->name, f[0], len[0]) < 0 ||
	    !userfile_valid_name(e->name)) {
		*why = "bad user name";
		return -1;
	}
	if (len[1] == 0 || copy_field(e->hash, sizeof e->hash, f[1], len[1]) < 0) {
		*why = "missing or overlong password hash";
		return -1;
	}
	if (copy_field(e->home, sizeof e->home, f[2], len[2]) < 0 ||
	    e->home[0] != '/') {
		*why = "home must be an absolute path";
		return -1;
	}
	if (nf == 4 &&
	    copy_field(e->options, sizeof e->options, f[3], len[3]) < 0) {
		*why = "options too long";
		return -1;
	}
	if (parse_options(e, why) < 0)
		return -1;
	return 0;
}

/* Reads the next line into buf (cap USERFILE_LINE_MAX).  1 = line,
 * 0 = EOF, -1 = line too long (skipped to its end). */
static int
read_line(FILE *fp, char *buf)
{
	size_t n = 0;
	int ch, toolong = 0;

	for (;;) {
		ch = getc(fp);
		if (ch == EOF) {
			if (n == 0 && !toolong)
				return 0;
			break;
		}
		if (ch == '\n')
			break;
		if (n + 1 < USERFILE_LINE_MAX)
			buf[n++] = (char)ch;
		else
			toolong = 1;
	}
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	return toolong ? -1 : 1;
}

/* The file holds every user's hash.  Its stdio buffer is ours, so it
 * can be wiped: workers forked later by the monitor must not find
 * other users' hashes in freed memory. */
#define USERFILE_IOBUF 8192

struct ufile {
	FILE *fp;
	char *iobuf;
	char *line;
};

static int
ufile_open(struct ufile *u, const char *path, char *err, size_t errlen)
{
	memset(u, 0, sizeof *u);
	u->fp = fopen(path, "re");
	if (u->fp == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	u->iobuf = malloc(USERFILE_IOBUF);
	u->line = malloc(USERFILE_LINE_MAX);
	if (u->iobuf == NULL || u->line == NULL ||
	    setvbuf(u->fp, u->iobuf, _IOFBF, USERFILE_IOBUF) != 0) {
		fclose(u->fp);
		free(u->iobuf);
		free(u->line);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* Returns 1 if a read error happened. */
static int
ufile_close(struct ufile *u)
{
	int bad = ferror(u->fp) != 0;

	fclose(u->fp);
	explicit_bzero(u->iobuf, USERFILE_IOBUF);
	explicit_bzero(u->line, USERFILE_LINE_MAX);
	free(u->iobuf);
	free(u->line);
	return bad;
}

int
userfile_lookup(const char *path, const char *name, struct userfile_entry *e,
		char *err, size_t errlen)
{
	struct ufile u;
	const char *why;
	struct userfile_entry tmp;
	int r, lineno = 0, result = 1;

	if (ufile_open(&u, path, err, errlen) < 0)
		return -1;
	while ((r = read_line(u.fp, u.line)) != 0) {
		lineno++;
		if (r < 0)
			continue;
		r = userfile_parse_line(u.line, &tmp, &why);
		if (r == 1)
			continue;
		if (r < 0) {
			/* A malformed line naming this user fails closed. */
			size_t nl = strlen(name);

			if (strncmp(u.line, name, nl) == 0 && u.line[nl] == ':') {
				snprintf(err, errlen, "%s:%d: %s", path,
					 lineno, why);
				result = -1;
				break;
			}
			continue;
		}
		if (strcmp(tmp.name, name) == 0) {
			*e = tmp;
			result = 0;
			break;
		}
	}
	userfile_wipe(&tmp);
	if (ufile_close(&u) && result == 1) {
		snprintf(err, errlen, "%s: read error", path);
		result = -1;
	}
	return result;
}

int
userfile_check(const char *path, char *err, size_t errlen)
{
	struct ufile u;
	const char *why;
	struct userfile_entry tmp;
	int r, lineno = 0, result = 0;

	if (ufile_open(&u, path, err, errlen) < 0)
		return -1;
	while ((r = read_line(u.fp, u.line)) != 0) {
		lineno++;
		if (r < 0) {
			snprintf(err, errlen, "%s:%d: line too long", path, lineno);
			result = -1;
			break;
		}
		if (userfile_parse_line(u.line, &tmp, &why) < 0) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
			result = -1;
			break;
		}
	}
	userfile_wipe(&tmp);
	if (ufile_close(&u) && result == 0) {
		snprintf(err, errlen, "%s: read error", path);
		result = -1;
	}
	return result;
}

void
userfile_wipe(struct userfile_entry *e)
{
	explicit_bzero(e, sizeof *e);
}
