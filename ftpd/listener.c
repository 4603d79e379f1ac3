/* listener.c: the accept loop of the daemon (see listener.h).  Signal
 * handlers only set flags; ppoll() with the signals unblocked only while
 * waiting makes sure no flag is missed. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "listener.h"
#include "access.h"
#include "activation.h"
#include "ban.h"
#include "lifecycle.h"
#include "log.h"
#include "monitor.h"
#include "net.h"
#include "proxyhdr.h"
#include "reply.h"
#include "sys.h"
#include "tls_session.h"

static volatile sig_atomic_t s_got_chld, s_got_term, s_got_hup, s_got_usr1;
/* proxy_protocol = yes: connections waiting for their header. */
static struct proxyhdr *s_proxy;

static void
on_signal(int sig)
{
	if (sig == SIGCHLD)
		s_got_chld = 1;
	else if (sig == SIGHUP)
		s_got_hup = 1;		/* reload (lifecycle.h) */
	else if (sig == SIGUSR1)
		s_got_usr1 = 1;		/* reopen the logs */
	else
		s_got_term = 1;
}

struct child {
	pid_t pid;
	struct netaddr peer;
};

int
listener_open(const struct ftpd_conf *conf, int *fds, size_t max, char *err,
	      size_t errlen)
{
	struct netaddr a, bound;
	char shown[NETADDR_STRLEN];
	size_t n = 0;

	for (size_t i = 0; i < conf->listen.n; i++) {
		const char *spec = conf->listen.items[i];
		int fd;

		if (n == max) {
			snprintf(err, errlen, "too many listen addresses (max %zu)",
				 max);
			goto fail;
		}
		if (net_parse_listen(spec, &a) < 0) {
			snprintf(err, errlen, "listen: cannot parse '%s'", spec);
			goto fail;
		}
		fd = net_listen(&a, 64);
		if (fd < 0) {
			/* The built-in [::] default is optional on hosts
			 * without IPv6. */
			if (conf->listen.is_default && net_family(&a) == AF_INET6 &&
			    (errno == EAFNOSUPPORT || errno == EADDRNOTAVAIL))
				continue;
			snprintf(err, errlen, "listen on %s: %s", spec,
				 strerror(errno));
			goto fail;
		}
		fds[n++] = fd;
		if (net_local_addr(fd, &bound) < 0)
			bound = a;
		fprintf(stderr, "ftpd: listening on %s\n",
			net_ntop(&bound, shown, sizeof shown, 1));
	}
	(void)fflush(stderr);
	if (n == 0) {
		snprintf(err, errlen, "no address to listen on");
		return -1;
	}
	return (int)n;
fail:
	while (n > 0)
		sys_close_failok(fds[--n]);
	return -1;
}

static void
refuse(int fd, const char *text)
{
	struct conn c;

	/* A fresh socket's send buffer is empty: this cannot block long. */
	conn_init(&c, fd, 1000);
	(void)reply_send(&c, 421, text);
	sys_close_failok(fd);
}

static void
reap(struct child *kids, unsigned *nkids)
{
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (unsigned i = 0; i < *nkids; i++)
			if (kids[i].pid == pid) {
				kids[i] = kids[--*nkids];
				break;
			}
		if (WIFSIGNALED(status))
			log_msg(LOG_ERR, "session process %d died of signal %d",
				(int)pid, WTERMSIG(status));
	}
}

static void
start_session(const struct ftpd_env *env, const int *lfds, size_t nl,
	      const sigset_t *oldmask, int fd, const struct netaddr *peer,
	      struct child *kids, unsigned *nkids)
{
	struct sigaction sa;
	pid_t pid;

	/* TLS: a renewed certificate for this session; implicit or not. */
	ftls_before_fork(fd);
	pid = fork();
	if (pid < 0) {
		log_msg(LOG_ERR, "fork: %s", strerror(errno));
		refuse(fd, "Service temporarily unavailable, try again later.");
		return;
	}
	if (pid == 0) {
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = SIG_DFL;
		(void)sigaction(SIGCHLD, &sa, NULL);
		(void)sigaction(SIGTERM, &sa, NULL);
		(void)sigaction(SIGINT, &sa, NULL);
		(void)sigaction(SIGHUP, &sa, NULL);
		(void)sigprocmask(SIG_SETMASK, oldmask, NULL);
		for (size_t i = 0; i < nl; i++)
			sys_close_failok(lfds[i]);
		ban_child();
		_exit(monitor_run(env, fd, fd));
	}
	kids[*nkids].pid = pid;
	kids[*nkids].peer = *peer;
	(*nkids)++;
	sys_close_failok(fd);
}

/* SECURITY: allow_from/deny_from and bans, before anything is forked.
 * 1 to go on; 0 when the connection was refused (421) and closed. */
static int
listener_admit(const struct ftpd_conf *conf, int fd, const struct netaddr *peer,
	       const char *who)
{
	char why[128];
	unsigned left;
	int log;

	if (!access_addr_allowed(conf, peer, why, sizeof why)) {
		log_msg(LOG_NOTICE, "%s: refused: %s", who, why);
		refuse(fd, "Service not available for your address.");
		return 0;
	}
	ban_drain(conf);
	if (ban_check(conf, peer, &left, &log)) {
		if (log)
			log_msg(LOG_NOTICE, "%s: refused: banned for %u more "
				"s after failed logins", who, left);
		refuse(fd, "Too many failed logins from your address; try "
		       "again later.");
		return 0;
	}
	return 1;
}

/* Applies access rules, bans and limits to a connection whose client
 * address is known (the TCP peer, or with proxy_protocol the header's
 * source) and starts its session.  Takes fd in every case. */
static void
admit_one(const struct ftpd_env *env, const int *lfds, size_t nl,
	  const sigset_t *oldmask, struct child *kids, unsigned *nkids, int fd,
	  const struct netaddr *client)
{
	const struct ftpd_conf *conf = env->conf;
	struct netaddr peer = *client;
	char who[NETADDR_STRLEN];
	unsigned same = 0;

	net_ntop(&peer, who, sizeof who, 0);
	if (!listener_admit(conf, fd, &peer, who))
		return;
	for (unsigned i = 0; i < *nkids; i++)
		if (net_same_host(&kids[i].peer, &peer))
			same++;
	if (*nkids >= conf->max_clients) {
		log_msg(LOG_NOTICE, "%s: refused: %u sessions (max_clients)",
			who, *nkids);
		refuse(fd, "Too many users connected, try again later.");
		return;
	}
	if (same >= conf->max_per_ip) {
		log_msg(LOG_NOTICE, "%s: refused: %u sessions from this "
			"address (max_per_ip)", who, same);
		refuse(fd, "Too many connections from your address, try "
		       "again later.");
		return;
	}
	start_session(env, lfds, nl, oldmask, fd, &peer, kids, nkids);
}

/* What proxyhdr_service needs to call admit_one. */
struct admit_ctx {
	const struct ftpd_env *env;
	const int *lfds;
	size_t nl;
	const sigset_t *oldmask;
	struct child *kids;
	unsigned *nkids;
};

static void
admit_proxied(int fd, const struct netaddr *client, void *arg)
{
	const struct admit_ctx *a = arg;

	admit_one(a->env, a->lfds, a->nl, a->oldmask, a->kids, a->nkids, fd,
		  client);
}

static void
accept_one(const struct ftpd_env *env, const int *lfds, size_t nl, int lfd,
	   const sigset_t *oldmask, struct child *kids, unsigned *nkids)
{
	struct netaddr peer;
	int fd;

	fd = net_accept(lfd, &peer);
	if (fd < 0) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM) {
			struct timespec ts = { 0, 100 * 1000000L };

			log_msg(LOG_ERR, "accept: %s", strerror(errno));
			(void)nanosleep(&ts, NULL);	/* no busy loop */
		}
		return;
	}
	if (s_proxy != NULL) {
		/* Every check waits for the real client address. */
		proxyhdr_add(s_proxy, fd, &peer);
		return;
	}
	admit_one(env, lfds, nl, oldmask, kids, nkids, fd, &peer);
}

/* SIGHUP: new sessions get the reloaded configuration (the table of
 * children grows with max_clients).  SIGUSR1: the daemon reopens its log
 * descriptors and tells every monitor to reopen its own.  Returns kids,
 * possibly moved. */
static struct child *
on_hup_usr1(const struct ftpd_env *env, struct child *kids, unsigned *cap,
	    unsigned nkids)
{
	struct child *more;

	if (s_got_hup) {
		s_got_hup = 0;
		if (lifecycle_reload() == 0 && env->conf->max_clients > *cap) {
			more = realloc(kids, env->conf->max_clients * sizeof *kids);
			if (more != NULL) {
				kids = more;
				*cap = env->conf->max_clients;
			}
		}
	}
	if (s_got_usr1) {
		s_got_usr1 = 0;
		/* Monitors first: once the daemon logs the reopen, every
		 * running session has been told. */
		for (unsigned i = 0; i < nkids; i++)
			(void)kill(kids[i].pid, SIGUSR1);
		lifecycle_reopen();
	}
	return kids;
}

/* SIGTERM: each monitor passes it to its worker, which ends at once when
 * idle or after the command it runs (drain.h).  What still runs after
 * shutdown_timeout, or after a second SIGTERM/SIGINT, is killed. */
static void
drain_sessions(const struct ftpd_env *env, struct child *kids,
	       unsigned *nkids, const sigset_t *waitmask)
{
	long long deadline = sys_now_ms() +
			     (long long)env->conf->shutdown_timeout * 1000;
	struct timespec ts;

	for (unsigned i = 0; i < *nkids; i++)
		(void)kill(kids[i].pid, SIGTERM);
	s_got_term = 0;
	for (;;) {
		long long left = deadline - sys_now_ms();

		s_got_chld = 0;
		reap(kids, nkids);
		if (*nkids == 0 || left <= 0 || s_got_term)
			break;
		ts.tv_sec = (time_t)(left / 1000);
		ts.tv_nsec = (long)(left % 1000) * 1000000L;
		(void)ppoll(NULL, 0, &ts, waitmask);
	}
	if (*nkids == 0)
		return;
	log_msg(LOG_NOTICE, "%s: killing %u session(s)", s_got_term ?
		"second stop signal" : "shutdown_timeout reached", *nkids);
	for (unsigned i = 0; i < *nkids; i++)
		(void)kill(kids[i].pid, SIGKILL);
	/* Their workers die with them (PR_SET_PDEATHSIG). */
	deadline = sys_now_ms() + 2000;
	while (*nkids > 0 && sys_now_ms() < deadline) {
		ts.tv_sec = 0;
		ts.tv_nsec = 20 * 1000000L;
		(void)nanosleep(&ts, NULL);
		reap(kids, nkids);
	}
}

int
listener_run(const struct ftpd_env *env, const int *fds, size_t n)
{
	/* + ban reports + connections waiting for a PROXY header */
	struct pollfd pfd[LISTENER_MAX_SOCKETS + 1 + PROXYHDR_MAX_PENDING];
	struct admit_ctx actx;
	int pfailed;
	struct sigaction sa;
	struct child *kids;
	unsigned nkids = 0, cap = env->conf->max_clients;
	size_t np;
	sigset_t block, oldmask, waitmask;

	kids = calloc(cap, sizeof *kids);
	if (kids == NULL) {
		log_msg(LOG_ERR, "out of memory");
		return 1;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGUSR1);
	(void)sigprocmask(SIG_BLOCK, &block, &oldmask);
	(void)sigaction(SIGCHLD, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGHUP, &sa, NULL);
	(void)sigaction(SIGUSR1, &sa, NULL);
	waitmask = oldmask;
	sigdelset(&waitmask, SIGCHLD);
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGHUP);
	sigdelset(&waitmask, SIGUSR1);
	for (size_t i = 0; i < n; i++) {
		pfd[i].fd = fds[i];
		pfd[i].events = POLLIN;
	}
	np = n;
	if (ban_open() == 0) {
		pfd[np].fd = ban_fd();
		pfd[np++].events = POLLIN;
	} else {
		log_msg(LOG_WARNING, "ban reports: %s; no bans", strerror(errno));
	}
	s_proxy = proxyhdr_new(env->conf, &pfailed);
	if (pfailed) {
		log_msg(LOG_ERR, "out of memory");
		free(kids);
		return 1;
	}
	actx = (struct admit_ctx){ env, fds, n, &oldmask, kids, &nkids };
	while (!s_got_term) {
		struct timespec pts;
		size_t npx;
		int r;

		if (s_got_chld) {
			s_got_chld = 0;
			reap(kids, &nkids);
		}
		if (s_got_hup || s_got_usr1) {
			kids = on_hup_usr1(env, kids, &cap, nkids);
			actx.kids = kids;
		}
		/* A full PROXY table pauses accepting (proxyhdr.h). */
		for (size_t i = 0; i < n; i++)
			pfd[i].events = proxyhdr_full(s_proxy) ? 0 : POLLIN;
		npx = proxyhdr_pollfds(s_proxy, pfd + np);
		r = ppoll(pfd, np + npx, proxyhdr_timeout(s_proxy, &pts),
			  &waitmask);
		if (r < 0) {
			if (errno != EINTR) {
				log_msg(LOG_ERR, "poll: %s", strerror(errno));
				break;
			}
			continue;
		}
		proxyhdr_service(s_proxy, pfd + np, npx, admit_proxied, &actx);
		for (size_t i = 0; i < n; i++)
			if (pfd[i].revents & POLLIN)
				accept_one(env, fds, n, fds[i], &oldmask, kids,
					   &nkids);
		if (np > n && (pfd[n].revents & POLLIN))
			ban_drain(env->conf);
	}
	activation_notify("STOPPING=1");
	log_msg(LOG_INFO, "shutting down: no new connections; %u session(s) "
		"may finish their transfers (shutdown_timeout %u s)", nkids,
		env->conf->shutdown_timeout);
	for (size_t i = 0; i < n; i++)
		sys_close_failok(fds[i]);
	ban_close();
	proxyhdr_free(s_proxy);
	s_proxy = NULL;
	drain_sessions(env, kids, &nkids, &waitmask);
	free(kids);
	return 0;
}
