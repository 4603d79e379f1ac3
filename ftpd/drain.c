/* drain.c: SIGTERM handling in monitors and workers (see drain.h). */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "drain.h"
#include "session.h"

#define DRAIN_TEXT "Server shutting down; closing control connection."

static volatile sig_atomic_t s_term;	/* SIGTERM came */
static volatile sig_atomic_t s_waiting;	/* worker blocked for a command */
static volatile sig_atomic_t s_wait_fd = -1;	/* where the handler may
						   write the 421 line */
static volatile pid_t s_worker;		/* monitor: pass SIGTERM on to it */
static pid_t s_monitor;			/* the process that installed it */

static void
on_term(int sig)
{
	static const char line[] = "421 " DRAIN_TEXT "\r\n";
	int saved = errno;

	(void)sig;
	s_term = 1;
	if (getpid() == s_monitor) {
		if (s_worker > 0)
			(void)kill(s_worker, SIGTERM);
	} else if (s_waiting) {
		/* Nothing is being written on the control connection while
		 * the worker waits for a command, so this line cannot land
		 * inside another reply.  The wait_fd is -1 when the
		 * connection is not plain text (TLS): then just close. */
		if (s_wait_fd >= 0 &&
		    write(s_wait_fd, line, sizeof line - 1) < 0) {
			/* the client is gone; nothing to tell it */
		}
		_exit(0);
	}
	errno = saved;
}

void
drain_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	s_monitor = getpid();
	s_worker = 0;
	(void)sigaction(SIGTERM, &sa, NULL);
}

void
drain_set_worker(pid_t pid)
{
	s_worker = pid > 0 ? pid : 0;
	if (s_term && pid > 0)
		(void)kill(pid, SIGTERM);
}

int
drain_requested(void)
{
	return s_term != 0;
}

int
drain_check(struct session *s)
{
	if (!s_term)
		return 0;
	reply(s, 421, DRAIN_TEXT);
	s->quit = 1;
	return -1;
}

int
drain_wait_begin(struct session *s)
{
	/* A plain connection only: TLS records cannot be written from a
	 * signal handler. */
	s_wait_fd = s->ctrl.tls == NULL && !s->ctrl_lost ? s->ctrl.wfd : -1;
	s_waiting = 1;
	/* Checked after arming: either the handler saw s_waiting, or this
	 * sees s_term. */
	if (s_term) {
		s_waiting = 0;
		return drain_check(s);
	}
	return 0;
}

void
drain_wait_end(void)
{
	s_waiting = 0;
}
