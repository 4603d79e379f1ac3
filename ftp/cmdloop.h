/* cmdloop.h: reading commands (readline on a terminal, lines from a file
 * in batch mode), dispatching them through the command table, and asking
 * the user questions (login name, password, mget confirmation). */
#ifndef FTP_CMDLOOP_H
#define FTP_CMDLOOP_H

#include <stdio.h>

/* Runs one command line and returns its status; records failures and
 * honours --stop-on-error. */
int cmdloop_execute(const char *line);
/* The interactive loop (prompt "ftp> ", history in ~/.ftp_history). */
void cmdloop_interactive(void);
/* Batch: one command per line from in, no prompts. */
void cmdloop_batch(FILE *in);
/* Asks for a line: from the batch input when not interactive, else the
 * terminal (echo off for passwords).  malloc'd, or NULL at end of input. */
char *cmdloop_ask(const char *prompt, int echo);
/* mget/mput/mdelete confirmation when prompting is on and interactive:
 * 'y' yes, 'n' no, 'a' all the rest, 'q' stop. */
int cmdloop_confirm(const char *verb, const char *name);

#endif
