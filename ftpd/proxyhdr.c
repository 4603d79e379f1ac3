/* proxyhdr.c: the PROXY protocol in ftpd: pending control connections
 * in the daemon, the real client address for session processes, inetd
 * mode, and the passive data connection check (see proxyhdr.h). */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxyhdr.h"
#include "log.h"
#include "session.h"
#include "sys.h"

/* The real client of this process's control connection.  Set in the
 * daemon only around the admit call that forks the session, so exactly
 * the processes of that session inherit it. */
static struct {
	int set;
	struct netaddr client;
} s_client;

/* The daemon's table, and the connection being admitted.  A session
 * forked while others wait must not keep their sockets: the fork handler
 * closes them in the child (listener.c closes the listening sockets the
 * same way; fork() does not honour close-on-exec). */
static struct proxyhdr *s_table;
static int s_admitting = -1;
static int s_atfork_set;

static void
close_pending_in_child(void)
{
	if (s_table == NULL)
		return;
	for (size_t i = 0; i < s_table->n; i++)
		if (s_table->slot[i].fd >= 0 &&
		    s_table->slot[i].fd != s_admitting)
			sys_close_failok(s_table->slot[i].fd);
	s_table = NULL;		/* the session's own forks have nothing to do */
}

int
proxyhdr_conf_check(const struct ftpd_conf *c, char *err, size_t errlen)
{
	struct proxy_trust t;
	char why[160];

	if (proxy_trust_parse(c->proxy_trusted, &t, why, sizeof why) < 0) {
		snprintf(err, errlen, "proxy_trusted: %s", why);
		return -1;
	}
	if (c->proxy_protocol && t.n == 0) {
		snprintf(err, errlen, "proxy_protocol = yes needs "
			 "proxy_trusted (the load balancers' addresses)");
		return -1;
	}
	return 0;
}

struct proxyhdr *
proxyhdr_new(const struct ftpd_conf *c, int *failed)
{
	struct proxyhdr *ph;
	char why[160];

	*failed = 0;
	if (!c->proxy_protocol)
		return NULL;
	ph = calloc(1, sizeof *ph);
	if (ph == NULL || proxy_trust_parse(c->proxy_trusted, &ph->trust, why,
					    sizeof why) < 0) {
		free(ph);
		*failed = 1;
		return NULL;
	}
	if (!s_atfork_set) {
		if (pthread_atfork(NULL, NULL, close_pending_in_child) != 0) {
			free(ph);
			*failed = 1;
			return NULL;
		}
		s_atfork_set = 1;
	}
	s_table = ph;
	return ph;
}

void
proxyhdr_free(struct proxyhdr *ph)
{
	if (ph == NULL)
		return;
	for (size_t i = 0; i < ph->n; i++)
		sys_close_failok(ph->slot[i].fd);
	if (s_table == ph)
		s_table = NULL;
	free(ph);
}

void
proxyhdr_add(struct proxyhdr *ph, int fd, const struct netaddr *from)
{
	struct proxyhdr_slot *sl;
	char who[NETADDR_STRLEN];

	net_ntop(from, who, sizeof who, 0);
	/* SECURITY: only a trusted balancer may say who the client is. */
	if (!proxy_trust_match(&ph->trust, from)) {
		log_msg(LOG_NOTICE, "%s: refused: not in proxy_trusted, and "
			"proxy_protocol is on", who);
		sys_close_failok(fd);
		return;
	}
	if (ph->n == PROXYHDR_MAX_PENDING) {
		/* The listener does not accept while full; be safe anyway. */
		log_msg(LOG_NOTICE, "%s: refused: too many connections waiting "
			"for their PROXY header", who);
		sys_close_failok(fd);
		return;
	}
	sl = &ph->slot[ph->n++];
	sl->fd = fd;
	sl->from = *from;
	sl->deadline = sys_now_ms() + PROXYHDR_TIMEOUT_MS;
	proxy_reader_init(&sl->rd);
}

int
proxyhdr_full(const struct proxyhdr *ph)
{
	return ph != NULL && ph->n == PROXYHDR_MAX_PENDING;
}

size_t
proxyhdr_pollfds(const struct proxyhdr *ph, struct pollfd *p)
{
	if (ph == NULL)
		return 0;
	for (size_t i = 0; i < ph->n; i++) {
		p[i].fd = ph->slot[i].fd;
		p[i].events = POLLIN;
		p[i].revents = 0;
	}
	return ph->n;
}

struct timespec *
proxyhdr_timeout(const struct proxyhdr *ph, struct timespec *ts)
{
	long long first, left;

	if (ph == NULL || ph->n == 0)
		return NULL;
	first = ph->slot[0].deadline;
	for (size_t i = 1; i < ph->n; i++)
		if (ph->slot[i].deadline < first)
			first = ph->slot[i].deadline;
	left = first - sys_now_ms();
	if (left < 0)
		left = 0;
	ts->tv_sec = (time_t)(left / 1000);
	ts->tv_nsec = (long)(left % 1000) * 1000000L;
	return ts;
}

/* 1 when a header is the balancer talking about itself: v2 LOCAL, v1
 * UNKNOWN, or a header naming the very connection it came on (HAProxy's
 * v1 health checks send "PROXY TCP4 <its address> <our address> ...").
 * A relayed client's header names the balancer's frontend as
 * destination, never this node's own socket. */
static int
own_connection(const struct proxy_hdr *h, int fd, const struct netaddr *from)
{
	struct netaddr local;

	if (h->local)
		return 1;
	if (!net_same_host(&h->src, from) ||
	    net_port(&h->src) != net_port(from))
		return 0;
	return net_local_addr(fd, &local) == 0 &&
	       net_same_host(&h->dst, &local) &&
	       net_port(&h->dst) == net_port(&local);
}

static const char *
check_name(const struct proxy_hdr *h)
{
	if (!h->local)
		return "naming its own connection";
	return h->version == 2 ? "LOCAL" : "UNKNOWN";
}

/* A complete header: health checks end here, clients go on to admit. */
static void
finish(struct proxyhdr_slot *sl, const struct proxy_hdr *h,
       proxyhdr_admit_fn admit, void *arg)
{
	char via[NETADDR_STRLEN], who[NETADDR_STRLEN];

	net_ntop(&sl->from, via, sizeof via, 0);
	if (own_connection(h, sl->fd, &sl->from)) {
		log_msg(LOG_DEBUG, "%s: PROXY v%d %s (a health check): closing",
			via, h->version, check_name(h));
		sys_close_failok(sl->fd);
		return;
	}
	log_msg(LOG_DEBUG, "%s: PROXY v%d: client %s", via, h->version,
		net_ntop(&h->src, who, sizeof who, 1));
	s_client.client = h->src;
	s_client.set = 1;
	s_admitting = sl->fd;
	admit(sl->fd, &h->src, arg);
	s_admitting = -1;
	s_client.set = 0;
}

void
proxyhdr_service(struct proxyhdr *ph, const struct pollfd *p, size_t np,
		 proxyhdr_admit_fn admit, void *arg)
{
	long long now = sys_now_ms();
	size_t keep = 0;

	if (ph == NULL)
		return;
	for (size_t i = 0; i < ph->n; i++) {
		struct proxyhdr_slot *sl = &ph->slot[i];
		struct proxy_hdr h;
		char why[200], via[NETADDR_STRLEN];
		short rev = 0;
		int st = PROXY_AGAIN;

		/* Slots added after the poll have no entry yet. */
		if (i < np && p[i].fd == sl->fd)
			rev = p[i].revents;
		if (rev != 0)
			st = proxy_reader_step(&sl->rd, sl->fd, &h, why,
					       sizeof why);
		if (st == PROXY_AGAIN && now >= sl->deadline) {
			snprintf(why, sizeof why, "no complete PROXY header "
				 "within %d s", PROXYHDR_TIMEOUT_MS / 1000);
			st = PROXY_ERR;
		}
		if (st == PROXY_AGAIN) {
			if (keep != i) {
				ph->slot[keep] = *sl;
				sl->fd = -1;	/* one owner (fork handler) */
			}
			keep++;
			continue;
		}
		if (st == PROXY_DONE) {
			finish(sl, &h, admit, arg);
		} else {
			log_msg(LOG_NOTICE, "%s: refused: %s",
				net_ntop(&sl->from, via, sizeof via, 0), why);
			sys_close_failok(sl->fd);
		}
		sl->fd = -1;
	}
	ph->n = keep;
}

int
proxyhdr_peer_addr(int fd, struct netaddr *a)
{
	if (s_client.set) {
		*a = s_client.client;
		return 0;
	}
	return net_peer_addr(fd, a);
}

int
proxyhdr_inetd(const struct ftpd_env *env, int fd)
{
	struct proxy_trust t;
	struct proxy_hdr h;
	struct netaddr from;
	char why[200], via[NETADDR_STRLEN];

	if (!env->conf->proxy_protocol)
		return 0;
	if (net_peer_addr(fd, &from) < 0) {
		log_msg(LOG_ERR, "proxy_protocol = yes but standard input is "
			"not a network connection: %s", strerror(errno));
		return -1;
	}
	net_ntop(&from, via, sizeof via, 0);
	if (proxy_trust_parse(env->conf->proxy_trusted, &t, why,
			      sizeof why) < 0)
		t.n = 0;	/* cannot happen after ftpd_conf_check */
	if (!proxy_trust_match(&t, &from)) {
		log_msg(LOG_NOTICE, "%s: refused: not in proxy_trusted, and "
			"proxy_protocol is on", via);
		return -1;
	}
	if (proxy_read(fd, PROXYHDR_TIMEOUT_MS, &h, why, sizeof why) !=
	    PROXY_DONE) {
		log_msg(LOG_NOTICE, "%s: refused: %s", via, why);
		return -1;
	}
	if (own_connection(&h, fd, &from)) {
		log_msg(LOG_DEBUG, "%s: PROXY v%d %s (a health check): closing",
			via, h.version, check_name(&h));
		return 1;
	}
	s_client.client = h.src;
	s_client.set = 1;
	return 0;
}

int
proxyhdr_check_data(const struct session *s, int fd,
		    const struct netaddr *from, char *why, size_t whylen)
{
	struct proxy_trust t;
	struct proxy_hdr h;
	char via[NETADDR_STRLEN], got[NETADDR_STRLEN], want[NETADDR_STRLEN];
	char err[200];

	net_ntop(from, via, sizeof via, 0);
	/* SECURITY: without this, anyone reaching the node directly could
	 * claim to be the client in a header of their own. */
	if (proxy_trust_parse(s->conf->proxy_trusted, &t, err,
			      sizeof err) < 0 || !proxy_trust_match(&t, from)) {
		snprintf(why, whylen, "refused a connection to port %d from "
			 "%s: not in proxy_trusted", s->data.lport, via);
		return -1;
	}
	if (proxy_read(fd, (int)s->conf->data_timeout * 1000, &h, err,
		       sizeof err) != PROXY_DONE) {
		snprintf(why, whylen, "connection to port %d from %s: %s",
			 s->data.lport, via, err);
		return -1;
	}
	if (own_connection(&h, fd, from)) {
		snprintf(why, whylen, "connection to port %d from %s was the "
			 "balancer's own (PROXY v%d %s), not the client's",
			 s->data.lport, via, h.version, check_name(&h));
		return -1;
	}
	/* SECURITY: only the client itself may use its passive port. */
	if (!net_same_host(&h.src, &s->peer)) {
		net_ntop(&h.src, got, sizeof got, 0);
		net_ntop(&s->peer, want, sizeof want, 0);
		snprintf(why, whylen, "refused a connection to port %d from %s "
			 "(via %s): it is not the control connection's address "
			 "%s", s->data.lport, got, via, want);
		return -1;
	}
	return 0;
}
