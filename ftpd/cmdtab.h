/* cmdtab.h: the command table.  One row per verb: handler, argument rule,
 * what the verb requires, help and FEAT text.  cmd_dispatch() checks the
 * row before any handler runs, so handlers never repeat those checks;
 * unknown verbs never reach code. */
#ifndef FTPD_CMDTAB_H
#define FTPD_CMDTAB_H

#include <stddef.h>

struct session;

typedef void cmd_handler(struct session *s, const char *arg);

enum cmd_arg {
	ARG_NONE,	/* no argument allowed */
	ARG_REQ,	/* argument required */
	ARG_OPT		/* either */
};

enum {
	CMD_LOGIN = 1 << 0,	/* needs a logged-in user */
	CMD_WRITE = 1 << 1,	/* changes the file system */
	CMD_ANON_UPLOAD = 1 << 2, /* with CMD_WRITE: anonymous may, inside
				     anon_upload_dir (handler checks path) */
	CMD_KEEP_REST = 1 << 3,	/* does not cancel a pending REST */
	CMD_DATA_SETUP = 1 << 4, /* PORT/PASV/EPRT: refused after EPSV ALL */
	CMD_SECRET = 1 << 5	/* argument never logged */
};

struct cmd {
	const char *verb;
	cmd_handler *handler;
	enum cmd_arg arg;
	unsigned flags;
	const char *help;	/* syntax for HELP verb */
	const char *feat;	/* FEAT line, NULL if none */
};

extern const struct cmd cmd_table[];
extern const size_t cmd_table_len;

/* Case-sensitive lookup of an upper-case verb.  NULL if unknown. */
const struct cmd *cmd_lookup(const char *verb);
/* The checks of a row against the session.  Returns 0 when the handler
 * may run, else the reply code with *why set to the reply text. */
int cmd_gate(const struct session *s, const struct cmd *c, const char *arg,
	     const char **why);
/* Handles one command line (len bytes, may hold NUL): validation, lookup,
 * gate, clearing of RNFR/REST, handler. */
void cmd_dispatch(struct session *s, const char *line, size_t len);

#endif
