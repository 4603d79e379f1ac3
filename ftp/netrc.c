/* netrc.c: the .netrc reader. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netrc.h"
#include "sys.h"

#define TOKEN_MAX 4096

static void
zfree(char **p)
{
	if (*p) {
		explicit_bzero(*p, strlen(*p));
		free(*p);
		*p = NULL;
	}
}

void
netrc_free(struct netrc_entry *e)
{
	zfree(&e->login);
	zfree(&e->password);
	zfree(&e->account);
	zfree(&e->init);
	e->found = e->is_default = e->any_password = 0;
}

/* Next token: whitespace separated, "quoted" with \ escapes allowed.
 * Returns 1 with tok filled, 0 at end, -1 when a token is too long. */
static int
next_token(const char **pp, char *tok, size_t toklen)
{
	const char *p = *pp;
	size_t n = 0;

	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == ',')
		p++;
	if (*p == '\0') {
		*pp = p;
		return 0;
	}
	if (*p == '"') {
		p++;
		while (*p && *p != '"') {
			if (*p == '\\' && p[1])
				p++;
			if (n + 1 >= toklen)
				return -1;
			tok[n++] = *p++;
		}
		if (*p == '"')
			p++;
	} else {
		while (*p && *p != ' ' && *p != '\t' && *p != '\n' &&
		       *p != '\r' && *p != ',') {
			if (*p == '\\' && p[1])
				p++;
			if (n + 1 >= toklen)
				return -1;
			tok[n++] = *p++;
		}
	}
	tok[n] = '\0';
	*pp = p;
	return 1;
}

/* A macdef body runs from the next line to the first empty line (or
 * the end).  Returns where parsing continues. */
static const char *
macro_body(const char *p, const char **body, size_t *len)
{
	const char *start;

	while (*p && *p != '\n')
		p++;
	if (*p == '\n')
		p++;
	start = p;
	while (*p) {
		const char *nl;

		if (*p == '\n' || (p[0] == '\r' && p[1] == '\n')) {
			*body = start;
			*len = (size_t)(p - start);
			nl = strchr(p, '\n');
			return nl + 1;
		}
		nl = strchr(p, '\n');
		if (!nl) {
			p += strlen(p);
			break;
		}
		p = nl + 1;
	}
	*body = start;
	*len = (size_t)(p - start);
	return p;
}

int
netrc_parse(const char *text, const char *host, struct netrc_entry *e,
	    char *err, size_t errlen)
{
	char tok[TOKEN_MAX];
	const char *p = text;
	int in_ours = 0, rc;

	memset(e, 0, sizeof *e);
	while ((rc = next_token(&p, tok, sizeof tok)) > 0) {
		if (strcmp(tok, "machine") == 0 || strcmp(tok, "default") == 0) {
			int is_default = tok[0] == 'd';

			if (e->found) {
				in_ours = 0;	/* ours ended; keep scanning for
						   passwords elsewhere */
				if (!is_default && next_token(&p, tok,
							      sizeof tok) <= 0)
					break;
				continue;
			}
			if (!is_default) {
				if (next_token(&p, tok, sizeof tok) <= 0) {
					(void)snprintf(err, errlen, "machine "
						       "without a name");
					netrc_free(e);
					return -1;
				}
				in_ours = strcasecmp(tok, host) == 0;
			} else {
				in_ours = 1;	/* default: last, matches all */
			}
			if (in_ours) {
				e->found = 1;
				e->is_default = is_default;
			}
		} else if (strcmp(tok, "login") == 0 ||
			   strcmp(tok, "password") == 0 ||
			   strcmp(tok, "passwd") == 0 ||
			   strcmp(tok, "account") == 0) {
			char **dst = tok[0] == 'l' ? &e->login :
				tok[0] == 'a' ? &e->account : &e->password;
			const char *kw = tok[0] == 'l' ? "login" :
				tok[0] == 'a' ? "account" : "password";

			if (next_token(&p, tok, sizeof tok) <= 0) {
				(void)snprintf(err, errlen, "%s without a value",
					       kw);
				netrc_free(e);
				return -1;
			}
			if (dst == &e->password)
				e->any_password = 1;
			if (in_ours) {
				zfree(dst);
				*dst = strdup(tok);
			}
		} else if (strcmp(tok, "macdef") == 0) {
			const char *body;
			size_t len;
			int is_init;

			if (next_token(&p, tok, sizeof tok) <= 0) {
				(void)snprintf(err, errlen, "macdef without a "
					       "name");
				netrc_free(e);
				return -1;
			}
			is_init = strcmp(tok, "init") == 0;
			p = macro_body(p, &body, &len);
			if (in_ours && is_init) {
				zfree(&e->init);
				e->init = strndup(body, len);
			}
		} else {
			/* unknown words are skipped like other clients do */
		}
	}
	if (rc < 0) {
		(void)snprintf(err, errlen, "token too long");
		netrc_free(e);
		return -1;
	}
	return 0;
}

int
netrc_lookup(const char *path, const char *host, struct netrc_entry *e)
{
	char defpath[4096], err[128];
	struct stat st;
	char *text;
	ssize_t n;
	int fd;

	memset(e, 0, sizeof *e);
	if (!path)
		path = getenv("NETRC");
	if (!path || !*path) {
		const char *home = getenv("HOME");

		if (!home || !*home) {
			struct passwd *pw = getpwuid(getuid());

			home = pw ? pw->pw_dir : NULL;
		}
		if (!home)
			return 0;
		if ((size_t)snprintf(defpath, sizeof defpath, "%s/.netrc",
				     home) >= sizeof defpath)
			return 0;
		path = defpath;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		fprintf(stderr, "ftp: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > NETRC_MAX_SIZE) {
		fprintf(stderr, "ftp: %s: not a regular file of sane size; "
			"ignored\n", path);
		sys_close_failok(fd);
		return -1;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		sys_close_failok(fd);
		return -1;
	}
	n = sys_read_full(fd, text, (size_t)st.st_size);
	sys_close_failok(fd);
	if (n < 0) {
		fprintf(stderr, "ftp: %s: %s\n", path, strerror(errno));
		free(text);
		return -1;
	}
	text[n] = '\0';
	if (netrc_parse(text, host, e, err, sizeof err) < 0) {
		fprintf(stderr, "ftp: %s: %s; ignored\n", path, err);
		explicit_bzero(text, (size_t)n);
		free(text);
		return -1;
	}
	explicit_bzero(text, (size_t)n);
	free(text);
	/* SECURITY: a file with passwords that others can read (or write)
	 * is refused outright, whichever entry holds them. */
	if (e->any_password && (st.st_mode & (S_IRWXG | S_IRWXO))) {
		fprintf(stderr, "ftp: warning: %s holds a password but is "
			"readable by others (mode %03o); ignored.  Fix it with "
			"`chmod 600 %s`\n", path, (unsigned)(st.st_mode & 0777),
			path);
		netrc_free(e);
		return -1;
	}
	return 0;
}
