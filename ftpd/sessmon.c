/* sessmon.c: monitor-side operations (see sessmon.h).  One session per
 * monitor process, so the state is file-static. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "sessmon.h"
#include "auth.h"
#include "drain.h"
#include "evlog.h"
#ifdef HAVE_PAM
#include "pam.h"
#endif
#include "status.h"
#include "sys.h"

static volatile sig_atomic_t s_reopen;

static struct {
	char id[17];			/* 16 hex digits */
	char client[64];
	char user[AUTH_USER_MAX];	/* logged in; "" before */
	uint64_t bytes;			/* transferred, for disconnect */
	long long start_ms;
} s_sess;

static void
on_usr1(int sig)
{
	(void)sig;
	s_reopen = 1;
}

static void
make_id(void)
{
	unsigned char r[8];

	if (getrandom(r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
		/* Unique enough for a log key: pid and start time. */
		unsigned long long v = ((unsigned long long)getpid() << 32) ^
				       (unsigned long long)sys_now_ms();

		memcpy(r, &v, sizeof r);
	}
	for (size_t i = 0; i < sizeof r; i++)
		snprintf(s_sess.id + 2 * i, 3, "%02x", r[i]);
}

static void
event(const char *what, const char *user, const char *path, uint64_t bytes,
      long long ms, const char *result)
{
	struct evlog_event e;

	e.session = s_sess.id;
	e.client = s_sess.client;
	e.user = user;
	e.event = what;
	e.path = path;
	e.bytes = bytes;
	e.ms = ms;
	e.result = result;
	evlog_write(&e);
}

void
sessmon_start(const struct ftpd_env *env, const char *client)
{
	struct sigaction sa;

	memset(&s_sess, 0, sizeof s_sess);
	s_sess.start_ms = sys_now_ms();
	snprintf(s_sess.client, sizeof s_sess.client, "%s", client);
	make_id();
#ifdef HAVE_PAM
	auth_pam_set_client(client);
#endif
	drain_install();
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = on_usr1;
	(void)sigaction(SIGUSR1, &sa, NULL);
	/* SIGHUP reloads the daemon for new sessions; this one goes on.
	 * SIGINT (Ctrl-C reaches the whole process group) stops the daemon,
	 * which then ends this session gracefully with SIGTERM. */
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGHUP, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	evlog_reopen_if_moved(env);
	status_open(env->conf, s_sess.id, client);
	event("connect", NULL, NULL, 0, 0, "ok");
}

void
sessmon_worker(pid_t pid)
{
	drain_set_worker(pid);
}

void
sessmon_poll(const struct ftpd_env *env)
{
	if (!s_reopen)
		return;
	s_reopen = 0;
	evlog_reopen(env);
}

void
sessmon_login(const char *user, int ok)
{
	if (ok) {
		snprintf(s_sess.user, sizeof s_sess.user, "%s", user);
		status_set_user(user);
	}
	event("login", user, NULL, 0, 0, ok ? "ok" : "fail");
}

void
sessmon_logout(void)
{
	event("logout", s_sess.user[0] != '\0' ? s_sess.user : NULL, NULL, 0,
	      0, "ok");
	s_sess.user[0] = '\0';
	status_set_user(NULL);
}

int
sessmon_accepts(const struct priv_msg *msg, int logged_in)
{
	return msg->type == PRIV_STATUS ||
	       (msg->type == PRIV_XFER_EVENT && logged_in);
}

int
sessmon_message(const struct priv_msg *msg)
{
	struct evlog_event e;

	if (msg->type == PRIV_STATUS)
		return status_answer(msg);
	memset(&e, 0, sizeof e);
	if (evlog_xfer_parse(msg, &e) < 0)
		return -1;
	s_sess.bytes += e.bytes;
	event(e.event, s_sess.user[0] != '\0' ? s_sess.user : NULL, e.path,
	      e.bytes, e.ms, e.result);
	return 0;
}

void
sessmon_end(void)
{
	event("disconnect", s_sess.user[0] != '\0' ? s_sess.user : NULL, NULL,
	      s_sess.bytes, sys_now_ms() - s_sess.start_ms, "ok");
	status_close();
}
