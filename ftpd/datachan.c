/* datachan.c: PORT/EPRT targets and PASV/EPSV listeners, and opening the
 * data connection when a transfer starts (see datachan.h). */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "datachan.h"
#include "log.h"
#include "proxyhdr.h"
#include "session.h"
#include "sys.h"
#include "transfer.h"

void
dc_init(struct datachan *d)
{
	memset(d, 0, sizeof *d);
	d->mode = DC_NONE;
	d->lfd = -1;
}

void
dc_reset(struct datachan *d)
{
	if (d->lfd >= 0)
		sys_close_failok(d->lfd);
	d->lfd = -1;
	d->lport = 0;
	d->mode = DC_NONE;
}

int
dc_check_active(const struct netaddr *peer, const struct netaddr *target,
		char *why, size_t whylen)
{
	char want[NETADDR_STRLEN], got[NETADDR_STRLEN];

	/* SECURITY (RFC 2577): no bounce to third hosts or to
	 * privileged ports. */
	if (!net_same_host(peer, target)) {
		snprintf(why, whylen, "data connections go only to your own "
			 "address %s, not to %s",
			 net_ntop(peer, want, sizeof want, 0),
			 net_ntop(target, got, sizeof got, 0));
		return -1;
	}
	if (net_port(target) < 1024) {
		snprintf(why, whylen, "port %d is below 1024; use a port "
			 "from 1024 to 65535", net_port(target));
		return -1;
	}
	return 0;
}

void
dc_set_active(struct datachan *d, const struct netaddr *target)
{
	dc_reset(d);
	d->target = *target;
	d->mode = DC_ACTIVE;
}

int
dc_listen_passive(struct datachan *d, const struct netaddr *local,
		  unsigned lo, unsigned hi, char *why, size_t whylen)
{
	struct netaddr a = *local;
	unsigned span = hi - lo + 1, start = 0;
	int fd;

	dc_reset(d);
	/* A random first port, then upwards: listeners are not guessable
	 * and concurrent sessions rarely collide. */
	if (getrandom(&start, sizeof start, 0) != (ssize_t)sizeof start)
		start = (unsigned)getpid();
	for (unsigned i = 0; i < span; i++) {
		unsigned port = lo + (start + i) % span;

		net_set_port(&a, (int)port);
		fd = net_listen(&a, 1);
		if (fd >= 0) {
			d->lfd = fd;
			d->lport = (int)port;
			d->mode = DC_PASSIVE;
			return (int)port;
		}
		if (errno != EADDRINUSE && errno != EACCES)
			break;
	}
	snprintf(why, whylen, "no free port in the passive range %u-%u (%s)",
		 lo, hi, strerror(errno));
	return -1;
}

static int
open_active(struct session *s, struct conn *c, char *why, size_t whylen)
{
	struct netaddr from = s->local;
	char to[NETADDR_STRLEN];
	int fd;

	/* Connect from the control connection's local address so the
	 * client sees the same server address on both connections. */
	net_set_port(&from, 0);
	fd = net_connect(&s->data.target, &from, (int)s->conf->data_timeout * 1000);
	if (fd < 0) {
		net_ntop(&s->data.target, to, sizeof to, 1);
		if (errno == ETIMEDOUT)
			snprintf(why, whylen, "could not connect to %s within "
				 "%u seconds", to, s->conf->data_timeout);
		else
			snprintf(why, whylen, "could not connect to %s: %s", to,
				 strerror(errno));
		return -1;
	}
	conn_init(c, fd, (int)s->conf->data_timeout * 1000);
	return 0;
}

/* Waits for a connection on the passive port while watching the control
 * connection (ABOR, or the client going away).  1 = connection pending,
 * 0 = timeout, -1 = error, -2 = stopped by the control connection. */
static int
wait_passive(struct session *s)
{
	long long deadline = sys_now_ms() + (long long)s->conf->data_timeout * 1000;
	struct pollfd p[2];
	int r;

	for (;;) {
		long long left = deadline - sys_now_ms();

		if (left <= 0)
			return 0;
		p[0].fd = s->data.lfd;
		p[0].events = POLLIN;
		p[1].fd = s->ctrl.fd;
		p[1].events = POLLIN;
		p[0].revents = p[1].revents = 0;
		r = poll(p, 2, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (p[0].revents & POLLIN)
			return 1;
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (transfer_watch(s))
				return -2;
		}
	}
}

static int
open_passive(struct session *s, struct conn *c, char *why, size_t whylen)
{
	struct netaddr from;
	char got[NETADDR_STRLEN], want[NETADDR_STRLEN];
	int r, fd;

	r = wait_passive(s);
	if (r == -2) {
		snprintf(why, whylen, s->abort_requested ? "aborted by ABOR" :
			 "the control connection closed");
		return -1;
	}
	if (r == 0) {
		snprintf(why, whylen, "nothing connected to port %d within %u "
			 "seconds", s->data.lport, s->conf->data_timeout);
		return -1;
	}
	if (r < 0 || (fd = net_accept(s->data.lfd, &from)) < 0) {
		snprintf(why, whylen, "accepting on port %d failed: %s",
			 s->data.lport, strerror(errno));
		return -1;
	}
	/* SECURITY: only the client itself may use its passive port.
	 * Behind a balancer its address is in the PROXY header. */
	if (s->conf->proxy_protocol) {
		if (proxyhdr_check_data(s, fd, &from, why, whylen) < 0) {
			sys_close_failok(fd);
			return -1;
		}
	} else if (!net_same_host(&from, &s->peer)) {
		snprintf(why, whylen, "refused a connection to port %d from %s: "
			 "it is not the control connection's address %s",
			 s->data.lport, net_ntop(&from, got, sizeof got, 0),
			 net_ntop(&s->peer, want, sizeof want, 0));
		sys_close_failok(fd);
		return -1;
	}
	conn_init(c, fd, (int)s->conf->data_timeout * 1000);
	return 0;
}

int
dc_open(struct session *s, struct conn *c, char *why, size_t whylen)
{
	int r;

	switch (s->data.mode) {
	case DC_ACTIVE:
		r = open_active(s, c, why, whylen);
		break;
	case DC_PASSIVE:
		r = open_passive(s, c, why, whylen);
		break;
	default:
		snprintf(why, whylen, "no data connection set up: send PASV, "
			 "EPSV, PORT or EPRT first");
		return -1;
	}
	dc_reset(&s->data);
	if (r < 0) {
		log_msg(LOG_NOTICE, "%s: data connection failed: %s",
			s->peer_str, why);
		return -1;
	}
	net_tune_bulk(c->fd);
	return 0;
}

void
dc_close_conn(struct conn *c)
{
	if (c->fd < 0)
		return;
	conn_shutdown(c);
	conn_close(c);
}
