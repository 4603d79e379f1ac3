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
#include "log.h"
#include "monitor.h"
#include "net.h"
#include "reply.h"
#include "sys.h"

static volatile sig_atomic_t s_got_chld, s_got_term;

static void
on_signal(int sig)
{
	if (sig == SIGCHLD)
		s_got_chld = 1;
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
		_exit(monitor_run(env, fd, fd));
	}
	kids[*nkids].pid = pid;
	kids[*nkids].peer = *peer;
	(*nkids)++;
	sys_close_failok(fd);
}

static void
accept_one(const struct ftpd_env *env, const int *lfds, size_t nl, int lfd,
	   const sigset_t *oldmask, struct child *kids, unsigned *nkids)
{
	const struct ftpd_conf *conf = env->conf;
	struct netaddr peer;
	char who[NETADDR_STRLEN];
	unsigned same = 0;
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
	net_ntop(&peer, who, sizeof who, 0);
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

int
listener_run(const struct ftpd_env *env, const int *fds, size_t n)
{
	struct pollfd pfd[LISTENER_MAX_SOCKETS];
	struct sigaction sa;
	struct child *kids;
	unsigned nkids = 0;
	sigset_t block, oldmask, waitmask;

	kids = calloc(env->conf->max_clients, sizeof *kids);
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
	(void)sigprocmask(SIG_BLOCK, &block, &oldmask);
	(void)sigaction(SIGCHLD, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGHUP, &sa, NULL);
	waitmask = oldmask;
	sigdelset(&waitmask, SIGCHLD);
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGHUP);
	for (size_t i = 0; i < n; i++) {
		pfd[i].fd = fds[i];
		pfd[i].events = POLLIN;
	}
	while (!s_got_term) {
		int r;

		if (s_got_chld) {
			s_got_chld = 0;
			reap(kids, &nkids);
		}
		r = ppoll(pfd, n, NULL, &waitmask);
		if (r < 0) {
			if (errno != EINTR) {
				log_msg(LOG_ERR, "poll: %s", strerror(errno));
				break;
			}
			continue;
		}
		for (size_t i = 0; i < n; i++)
			if (pfd[i].revents & POLLIN)
				accept_one(env, fds, n, fds[i], &oldmask, kids,
					   &nkids);
	}
	log_msg(LOG_INFO, "shutting down; ending %u session(s)", nkids);
	for (size_t i = 0; i < n; i++)
		sys_close_failok(fds[i]);
	for (unsigned i = 0; i < nkids; i++)
		(void)kill(kids[i].pid, SIGTERM);
	free(kids);
	return 0;
}
