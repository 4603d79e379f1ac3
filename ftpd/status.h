/* status.h: the live session list behind `ftpd --who`.
 *
 * Each session's monitor keeps one file, status_dir/session.PID (PID is
 * the monitor's), with "key value" lines: pid, session, since, client,
 * user, total, xfer, doing.  It is rewritten (temporary file + rename)
 * when the worker reports a new command, every second of a transfer, at
 * login and logout, and removed when the session ends.
 *
 * SECURITY: workers never touch these files.  They report what they do
 * with a capped PRIV_STATUS message to their own monitor, which writes
 * only its own session's file, with the client address and user it knows
 * itself.  The daemon makes status_dir mode 0700, so only its account
 * (root) can read who is connected from where. */
#ifndef FTPD_STATUS_H
#define FTPD_STATUS_H

#include <stdint.h>
#include <stdio.h>
#include "conf.h"
#include "privproto.h"

struct session;

/* Daemon (start and SIGHUP): creates status_dir (mode 0700) if missing
 * and removes files of sessions that no longer run.  Nothing to do when
 * status_dir is empty.  0, or -1 with err. */
int status_prepare(const struct ftpd_conf *conf, char *err, size_t errlen);

/* Monitor: starts this session's file (nothing if status_dir is empty
 * or unusable). */
void status_open(const struct ftpd_conf *conf, const char *session,
		 const char *client);
void status_set_user(const char *user);		/* NULL: logged out */
/* Monitor: a PRIV_STATUS from the worker.  0, or -1 when malformed. */
int status_answer(const struct priv_msg *m);
void status_close(void);			/* removes the file */

/* Worker: reports the command it starts (a PASS argument is hidden). */
void status_command(struct session *s, const char *line);
/* Worker: reports that it waits for a command (sent once per wait). */
void status_idle(struct session *s);
/* Worker: transfer progress (sent at most once a second). */
void status_progress(struct session *s, uint64_t xfer_bytes);

/* `ftpd --who`: prints one line per running session to out.  Returns the
 * exit status (0, or 1 with a message on err when status_dir cannot be
 * read). */
int status_who(const struct ftpd_conf *conf, FILE *out, FILE *err);

#endif
