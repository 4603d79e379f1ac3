/* userfile.h: the virtual users file, one user per line
 * "name:crypt-hash:home[:options]" ('#' comments and blank lines allowed).
 * Parsing is shared by the monitor (auth.c) and ftpasswd. */
#ifndef FTPD_USERFILE_H
#define FTPD_USERFILE_H

#include <stddef.h>

#define USERFILE_NAME_MAX 64
#define USERFILE_HASH_MAX 512
#define USERFILE_HOME_MAX 4096
#define USERFILE_OPTS_MAX 256
#define USERFILE_LINE_MAX 8192

struct userfile_entry {
	char name[USERFILE_NAME_MAX];
	char hash[USERFILE_HASH_MAX];
	char home[USERFILE_HOME_MAX];
	char options[USERFILE_OPTS_MAX];
	int readonly;		/* option "ro" */
};

/* 1 if name may be a user name: 1..63 bytes of letters, digits and
 * "._-@+", not starting with '-' or '.'. */
int userfile_valid_name(const char *name);
/* Parses one line (no newline).  0 = entry, 1 = blank or comment,
 * -1 = malformed with *why set to a static reason. */
int userfile_parse_line(const char *line, struct userfile_entry *e,
			const char **why);
/* Finds name in the file.  0 found (e filled), 1 not found, -1 when the
 * file cannot be read or the user's line is malformed (err filled). */
int userfile_lookup(const char *path, const char *name,
		    struct userfile_entry *e, char *err, size_t errlen);
/* Parses every line; -1 with "path:line: reason" on the first error. */
int userfile_check(const char *path, char *err, size_t errlen);
/* Wipes an entry (the hash) from memory. */
void userfile_wipe(struct userfile_entry *e);

#endif
