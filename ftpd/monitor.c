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
#include "access.h"
#include "auth.h"
#include "ban.h"
#include "log.h"
#include "net.h"
#include "privproto.h"
#include "proxyhdr.h"
#include "relay.h"
#include "reply.h"
#include "session.h"
#include "sessmon.h"
#include "sys.h"
#include "throttle.h"
#include "tls_session.h"
#include "worker.h"
#include "workerfd.h"
#include "xferlog.h"

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
	enum auth_kind kind;		/* and its kind (xferlog) */
	struct netaddr peer_addr;	/* for ban reports */
	int have_peer;
	unsigned fails;			/* failed logins (max_login_attempts) */
	int tls_link;			/* our end of the relay link (relay.h) */
	pid_t relay;			/* TLS: the pre-login worker, kept as
					   the control relay after login */
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
	sessmon_worker(-1);
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
	int sv[2], lk[2] = { -1, -1 }, link;
	pid_t pid, me = getpid();

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		log_msg(LOG_ERR, "socketpair: %s", strerror(errno));
		return -1;
	}
	/* TLS: each pre-login worker gets a fresh relay link; the
	 * post-login worker gets our end of it. */
	if (res == NULL && ftls_enabled() && relay_link_new(lk) == 0) {
		if (m->tls_link >= 0)
			sys_close_failok(m->tls_link);
		m->tls_link = lk[0];
	}
	link = res == NULL ? lk[1] : m->tls_link;
	pid = fork();
	if (pid < 0) {
		log_msg(LOG_ERR, "fork: %s", strerror(errno));
		sys_close_failok(sv[0]);
		sys_close_failok(sv[1]);
		if (lk[1] >= 0)
			sys_close_failok(lk[1]);
		return -1;
	}
	if (pid == 0) {
		/* SECURITY: the worker keeps only these descriptors (anything
		 * else the daemon or monitor holds is closed; add new worker
		 * descriptors here). */
		int keep[] = { m->ctrl_rfd, m->ctrl_wfd, sv[1], rootfd, link };
		char err[256];

		sys_close_failok(sv[0]);
		if (workerfd_confine(keep, sizeof keep / sizeof keep[0], err,
				     sizeof err) < 0) {
			log_msg(LOG_ERR, "%s: worker setup: %s", m->peer, err);
			_exit(1);
		}
		w.env = m->env;
		w.ctrl_rfd = m->ctrl_rfd;
		w.ctrl_wfd = m->ctrl_wfd;
		w.privfd = sv[1];
		w.monitor = me;
		w.pipelined = pipelined;
		w.npipelined = npipelined;
		w.rein = rein;
		w.tls_link = link;
		if (res == NULL)
			worker_prelogin(&w);
		worker_postlogin(&w, res, rootfd);
	}
	sys_close_failok(sv[1]);
	if (lk[1] >= 0)
		sys_close_failok(lk[1]);
	if (res != NULL && m->tls_link >= 0) {
		sys_close_failok(m->tls_link);
		m->tls_link = -1;
	}
	m->privfd = sv[0];
	m->worker = pid;
	sessmon_worker(pid);
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
		sessmon_login(user, 0);
		m->fails++;
		if (m->have_peer)
			ban_report_failure(&m->peer_addr);
		/* SECURITY: the delay runs here, where the client cannot
		 * shorten it; it grows with each failure of the session. */
		sleep_ms(throttle_fail_delay_ms(m->env->conf, m->fails));
		if (throttle_locked_out(m->env->conf, m->fails)) {
			log_msg(LOG_NOTICE, "%s: %u failed logins: closing "
				"(max_login_attempts)", m->peer, m->fails);
			(void)priv_send(m->privfd, PRIV_LOGIN_LOCKOUT, 0, NULL);
			return -1;
		}
		return priv_send(m->privfd, PRIV_LOGIN_FAIL, 0, NULL);
	}
	log_msg(LOG_INFO, "%s: login ok: user=%s (%s) root=%s", m->peer,
		res.user, kind_name(res.kind), res.root);
	sessmon_login(res.user, 1);
	snprintf(m->user, sizeof m->user, "%s", res.user);
	m->kind = res.kind;
	if (priv_send(m->privfd, PRIV_LOGIN_OK, 0, NULL) < 0) {
		sys_close_failok(rootfd);
		return -1;
	}
	if (m->tls_link >= 0 && relay_link_announced(m->tls_link)) {
		/* TLS: the pre-login worker stays as the control relay. */
		m->relay = m->worker;
		m->worker = -1;
		sys_close_failok(m->privfd);
		m->privfd = -1;
	} else {
		reap_worker(m, WORKER_EXIT_GRACE_MS);
	}
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
	/* SECURITY: a TLS session refuses REIN (cmd_tls.c); a new worker
	 * on the raw socket would talk past the relay. */
	if (m->relay > 0) {
		log_msg(LOG_ERR, "%s: REIN on a TLS session", m->peer);
		return -1;
	}
	reap_worker(m, WORKER_EXIT_GRACE_MS);
	log_msg(LOG_INFO, "%s: REIN: user %s logged out", m->peer, m->user);
	sessmon_logout();
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
	m.tls_link = -1;
	m.relay = -1;
	m.state = MON_PRELOGIN;
	if (proxyhdr_peer_addr(ctrl_rfd, &peer) == 0) {
		int one = 1;

		net_ntop(&peer, m.peer, sizeof m.peer, 0);
		m.peer_addr = peer;
		m.have_peer = 1;
		/* ABOR may come with the urgent flag (Telnet Synch): keep
		 * those bytes in the normal stream. */
		(void)setsockopt(ctrl_rfd, SOL_SOCKET, SO_OOBINLINE, &one,
				 sizeof one);
	}
	else
		snprintf(m.peer, sizeof m.peer, "stdin");
	/* inetd mode has no daemon to apply allow_from/deny_from. */
	if (env->inetd && m.have_peer) {
		char why[128];

		if (!access_addr_allowed(env->conf, &peer, why, sizeof why)) {
			struct conn c;

			log_msg(LOG_NOTICE, "%s: refused: %s", m.peer, why);
			conn_init(&c, ctrl_rfd, 1000);
			c.wfd = ctrl_wfd;
			(void)reply_send(&c, 421, "Service not available for "
					 "your address.");
			return 0;
		}
	}
	sessmon_start(env, m.peer);
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
		sessmon_poll(env);
		/* SECURITY: each request only in the state that expects it. */
		if (m.state == MON_PRELOGIN && msg.type == PRIV_LOGIN)
			r = answer_login(&m, &msg);
		else if (m.state == MON_POSTLOGIN && msg.type == PRIV_REIN)
			r = answer_rein(&m, &msg);
		else if (m.state == MON_POSTLOGIN && msg.type == PRIV_XFERLOG)
			r = xferlog_answer(env, m.peer, m.user, m.kind, &msg);
		else if (sessmon_accepts(&msg, m.state == MON_POSTLOGIN))
			r = sessmon_message(&msg);
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
	if (m.relay > 0) {	/* the TLS relay follows its worker */
		m.worker = m.relay;
		m.relay = -1;
		reap_worker(&m, WORKER_EXIT_GRACE_MS);
	}
	sessmon_end();
	log_msg(LOG_INFO, "%s: session end%s%s (%lld s)", m.peer,
		m.user[0] ? ": user=" : "", m.user,
		(sys_now_ms() - start) / 1000);
	return 0;
}
