/* sessmon.h: the operational side of a session's monitor: its id, the
 * JSON events (connect, login, logout, transfers, disconnect), its status
 * file for `ftpd --who`, and its signals (SIGTERM passed on to the worker,
 * SIGUSR1 reopens the logs, SIGHUP and SIGINT ignored: reloads are for
 * new sessions only, and the daemon turns a stop into SIGTERM).  monitor.c calls these at the points named. */
#ifndef FTPD_SESSMON_H
#define FTPD_SESSMON_H

#include <sys/types.h>
#include "env.h"
#include "privproto.h"

/* Start of monitor_run, once the client address is known. */
void sessmon_start(const struct ftpd_env *env, const char *client);
/* The current worker (after each fork; -1 once it is reaped). */
void sessmon_worker(pid_t pid);
/* After each message from the worker: acts on a pending SIGUSR1. */
void sessmon_poll(const struct ftpd_env *env);
/* A login attempt: user as given (failure) or as logged in. */
void sessmon_login(const char *user, int ok);
/* REIN: the user logged out, the connection stays. */
void sessmon_logout(void);
/* 1 if msg is one of ours (PRIV_STATUS any time, PRIV_XFER_EVENT after
 * login), else 0. */
int sessmon_accepts(const struct priv_msg *msg, int logged_in);
/* Handles it.  0, or -1 when malformed (the session ends). */
int sessmon_message(const struct priv_msg *msg);
/* End of monitor_run. */
void sessmon_end(void);

#endif
