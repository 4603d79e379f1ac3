/* monitor.c: the session monitor (see monitor.h).  State machine:
 *   PRELOGIN  worker = pre-login worker; accepts LOGIN
 *   POSTLOGIN worker = post-login worker; accepts REIN
 * Anything else from a worker ends the session. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "monitor.h"
#include "auth.h"
#include "log.h"
#include "net.h"
#include "privproto.h"
#include "session.h"
#include "sys.h"
#include "worker.h"

/* Failed logins cost the client this long (slows password guessing). */
#define LOGIN_FAIL_DELAY_MS 1000
/* How long a worker gets to exit on its own before it is killed. */
#define WORKER_EXIT_GRACE_MS 2000

enum mon_state { MON_PRELOGIN, MON_POSTLOGIN };

struct monitor {
	const struct ftpd_env *env;
	int ctrl_rfd, ctrl_wfd;
	char peer[NETADDR_STRLEN];
	enum mon_state state;
	pid_t worker;
	int privfd;
	char user[AUTH_USER_MAX];	/* logged-in user, for the log */
};

static const char *
kind_name(enum auth_kind k)
{
	switch (k) {
	case AUTH_ANON:
		return "anonymous";
	case AUTH_VIRTUAL:
		return "virtual";
	case AUTH_SYSTEM:
		return "system";
	}
	return "?";
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Waits for the worker to exit, killing it after the grace period. */
static void
reap_worker(struct monitor *m, int grace_ms)
{
	long long deadline = sys_now_ms() + grace_ms;
	int status;
	pid_t r;

	if (m->worker <= 0)
		return;
	for (;;) {
		r = waitpid(m->worker, &status, WNOHANG);
		if (r == m->worker || (r < 0 && errno != EINTR))
			break;
		if (r == 0 && sys_now_ms() >= deadline) {
			(void)kill(m->worker, SIGKILL);
			while (waitpid(m->worker, &status, 0) < 0 && errno == EINTR)
				;
			break;
		}
		sleep_ms(10);
	}
	if (r == m->worker && WIFSIGNALED(status) &&
	    WTERMSIG(status) != SIGKILL)
		log_msg(LOG_ERR, "%s: session worker died of signal %d",
			m->peer, WTERMSIG(status));
	m->worker = -1;
	if (m->privfd >= 0)
		sys_close_failok(m->privfd);
	m->privfd = -1;
}

/* Forks a worker with a fresh socketpair.  res == NULL: pre-login. */
static int
spawn_worker(struct monitor *m, const struct auth_result *res, int rootfd,
	     const char *pipelined, size_t npipelined, int rein)
{
	struct worker_start w;
	int sv[2];
	pid_t pid, me = getpid();

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		log_msg(LOG_ERR, "socketpair: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		log_msg(LOG_ERR, "fork: %s", strerror(errno));
		sys_close_failok(sv[0]);
		sys_close_failok(sv[1]);
		return -1;
	}
	if (pid == 0) {
		sys_close_failok(sv[0]);
		w.env = m->env;
		w.ctrl_rfd = m->ctrl_rfd;
		w.ctrl_wfd = m->ctrl_wfd;
		w.privfd = sv[1];
		w.monitor = me;
		w.pipelined = pipelined;
		w.npipelined = npipelined;
		w.rein = rein;
		if (res == NULL) {
			/* Nothing before login needs the transfer log. */
			if (m->env->xferlog_fd >= 0)
				sys_close_failok(m->env->xferlog_fd);
			worker_prelogin(&w);
		}
		worker_postlogin(&w, res, rootfd);
	}
	sys_close_failok(sv[1]);
	m->privfd = sv[0];
	m->worker = pid;
	return 0;
}

static int
open_root(const char *path, char *why, size_t whylen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(why, whylen, "root folder %.300s: %s", path,
			 strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(why, whylen, "root folder %.300s is not a folder", path);
		sys_close_failok(fd);
		return -1;
	}
	return fd;
}

/* PRIV_LOGIN: check, then either answer FAIL or replace the pre-login
 * worker by a post-login one.  0 to go on, -1 to end the session. */
static int
answer_login(struct monitor *m, struct priv_msg *msg)
{
	struct auth_result res;
	const char *user = msg->f[0].p;
	char why[400], safe[AUTH_USER_MAX * 2];
	int rootfd = -1, ok;

	ok = auth_login(m->env, user, msg->f[1].p, &res) == 0;
	explicit_bzero((void *)msg->f[1].p, msg->f[1].n);
	if (ok) {
		rootfd = open_root(res.root, why, sizeof why);
		if (rootfd < 0) {
			ok = 0;
			snprintf(res.reason, sizeof res.reason, "%s", why);
		}
	}
	if (!ok) {
		log_msg(LOG_NOTICE, "%s: login failed: user=%s: %s", m->peer,
			log_safe(user, safe, sizeof safe), res.reason);
		sleep_ms(LOGIN_FAIL_DELAY_MS);
		return priv_send(m->privfd, PRIV_LOGIN_FAIL, 0, NULL);
	}
	log_msg(LOG_INFO, "%s: login ok: user=%s (%s) root=%s", m->peer,
		res.user, kind_name(res.kind), res.root);
	snprintf(m->user, sizeof m->user, "%s", res.user);
	if (priv_send(m->privfd, PRIV_LOGIN_OK, 0, NULL) < 0) {
		sys_close_failok(rootfd);
		return -1;
	}
	reap_worker(m, WORKER_EXIT_GRACE_MS);
	if (spawn_worker(m, &res, rootfd, msg->f[2].p, msg->f[2].n, 0) < 0) {
		sys_close_failok(rootfd);
		return -1;
	}
	sys_close_failok(rootfd);
	explicit_bzero(&res, sizeof res);
	m->state = MON_POSTLOGIN;
	return 0;
}

static int
answer_rein(struct monitor *m, struct priv_msg *msg)
{
	reap_worker(m, WORKER_EXIT_GRACE_MS);
	log_msg(LOG_INFO, "%s: REIN: user %s logged out", m->peer, m->user);
	m->user[0] = '\0';
	if (spawn_worker(m, NULL, -1, msg->f[0].p, msg->f[0].n, 1) < 0)
		return -1;
	m->state = MON_PRELOGIN;
	return 0;
}

int
monitor_run(const struct ftpd_env *env, int ctrl_rfd, int ctrl_wfd)
{
	static struct priv_msg msg;	/* large; one per process */
	struct monitor m;
	struct netaddr peer;
	long long start = sys_now_ms();
	int r;

	memset(&m, 0, sizeof m);
	m.env = env;
	m.ctrl_rfd = ctrl_rfd;
	m.ctrl_wfd = ctrl_wfd;
	m.worker = -1;
	m.privfd = -1;
	m.state = MON_PRELOGIN;
	if (net_peer_addr(ctrl_rfd, &peer) == 0) {
		int one = 1;

		net_ntop(&peer, m.peer, sizeof m.peer, 0);
		/* ABOR may come with the urgent flag (Telnet Synch): keep
		 * those bytes in the normal stream. */
		(void)setsockopt(ctrl_rfd, SOL_SOCKET, SO_OOBINLINE, &one,
				 sizeof one);
	}
	else
		snprintf(m.peer, sizeof m.peer, "stdin");
	log_msg(LOG_INFO, "%s: session start", m.peer);
	if (spawn_worker(&m, NULL, -1, NULL, 0, 0) < 0)
		return 1;
	for (;;) {
		r = priv_recv(m.privfd, PRIV_FROM_WORKER, &msg);
		if (r == 0)
			break;
		if (r < 0) {
			log_msg(LOG_ERR, "%s: bad request from worker: %s",
				m.peer, strerror(errno));
			break;
		}
		/* SECURITY: each request only in the state that expects it. */
		if (m.state == MON_PRELOGIN && msg.type == PRIV_LOGIN)
			r = answer_login(&m, &msg);
		else if (m.state == MON_POSTLOGIN && msg.type == PRIV_REIN)
			r = answer_rein(&m, &msg);
		else {
			log_msg(LOG_ERR, "%s: out-of-sequence request %u from "
				"worker", m.peer, (unsigned)msg.type);
			r = -1;
		}
		explicit_bzero(&msg, sizeof msg);
		if (r < 0)
			break;
	}
	reap_worker(&m, WORKER_EXIT_GRACE_MS);
	log_msg(LOG_INFO, "%s: session end%s%s (%lld s)", m.peer,
		m.user[0] ? ": user=" : "", m.user,
		(sys_now_ms() - start) / 1000);
	return 0;
}
