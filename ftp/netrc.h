/* netrc.h: ~/.netrc for auto-login: machine, default, login, password,
 * account, and "macdef init" (commands run after login).  A netrc that
 * holds a password and can be read or written by group or others is
 * refused with a warning, as other clients do. */
#ifndef FTP_NETRC_H
#define FTP_NETRC_H

#include <stddef.h>

#define NETRC_MAX_SIZE (1024 * 1024)

struct netrc_entry {
	int found;		/* a machine or default entry applied */
	int is_default;
	int any_password;	/* some entry of the file holds a password */
	char *login;
	char *password;
	char *account;
	char *init;		/* body of "macdef init", lines joined by '\n' */
};

/* Parses netrc text and fills e for host.  Returns 0 (e->found tells
 * whether an entry applied) or -1 with a reason in err. */
int netrc_parse(const char *text, const char *host, struct netrc_entry *e,
		char *err, size_t errlen);
/* Reads path (NULL: $NETRC, else ~/.netrc).  A missing file is not an
 * error.  Returns 0, or -1 after printing a warning (unreadable, syntax,
 * or refused for its permissions: then e is left empty). */
int netrc_lookup(const char *path, const char *host, struct netrc_entry *e);
void netrc_free(struct netrc_entry *e);

#endif
