/* cmdtab.h: the table of user commands.  Each row says what the command
 * needs (a connection), how its arguments complete, and which handler
 * runs it; the dispatcher checks the row before any handler runs. */
#ifndef FTP_CMDTAB_H
#define FTP_CMDTAB_H

#include <stddef.h>

typedef int (*cmd_fn)(int argc, char **argv);

struct cmd {
	const char *name;
	const char *usage;	/* argument synopsis, "" if none */
	const char *help;	/* one line */
	int needs_conn;		/* refuse when not connected */
	/* Completion per argument: 'r' remote path, 'l' local path, 'c'
	 * command name, 'n' nothing; the last letter repeats. */
	const char *complete;
	cmd_fn fn;
};

extern const struct cmd cmdtab[];
extern const size_t cmdtab_len;

/* Exact name, else a unique prefix.  NULL when unknown or ambiguous
 * (then *ambiguous is set to 1). */
const struct cmd *cmd_lookup(const char *name, int *ambiguous);
/* Prints "usage: name synopsis" to stderr; returns ST_USAGE. */
int cmd_usage(const char *name);

#endif
