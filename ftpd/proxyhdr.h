/* proxyhdr.h: ftpd behind a TCP load balancer (proxy_protocol = yes).
 * Every control and passive data connection then starts with a PROXY
 * protocol header (lib/proxy.h) from a source in proxy_trusted, naming
 * the real client.
 *
 * Control connections: the daemon reads the header before any limit,
 * ban or allow/deny check, so those apply to the real client.  Its
 * accept loop must never wait on one client, so a connection whose
 * header is not complete yet waits in a small table (PROXYHDR_MAX_PENDING
 * slots) that the loop polls along with the listening sockets; reads are
 * non-blocking and take only header bytes.  A slot ends when its header
 * is complete (the connection is admitted with the real address), bad,
 * or older than PROXYHDR_TIMEOUT_MS (closed, logged).  While the table is
 * full the daemon stops accepting, so new connections wait in the kernel
 * backlog instead of being dropped.  Only trusted balancers get a slot,
 * and they send the header as soon as they connect, so slots are short-
 * lived.
 *
 * Session processes are forked after that and inherit the real address;
 * proxyhdr_peer_addr() is what they use instead of getpeername().
 * Passive data connections are checked by proxyhdr_check_data(). */
#ifndef FTPD_PROXYHDR_H
#define FTPD_PROXYHDR_H

#include <poll.h>
#include <stddef.h>
#include <time.h>

#include "conf.h"
#include "env.h"
#include "net.h"
#include "proxy.h"

#define PROXYHDR_MAX_PENDING 64
/* A balancer sends the header right after connecting; a connection
 * still without one after this long is not from a working balancer. */
#define PROXYHDR_TIMEOUT_MS 5000

struct proxyhdr_slot {
	int fd;
	struct netaddr from;		/* the balancer */
	long long deadline;
	struct proxy_reader rd;
};

struct proxyhdr {
	struct proxy_trust trust;
	struct proxyhdr_slot slot[PROXYHDR_MAX_PENDING];
	size_t n;
};

/* Called with a connection whose real client address is known. */
typedef void (*proxyhdr_admit_fn)(int fd, const struct netaddr *client,
				  void *arg);

/* Cross-key check for ftpd_conf_check: proxy_trusted parses, and is not
 * empty when proxy_protocol is on.  0 or -1 with err. */
int proxyhdr_conf_check(const struct ftpd_conf *c, char *err, size_t errlen);

/* Daemon side.  proxyhdr_new returns NULL when proxy_protocol is off (or
 * on allocation failure: *failed set); every other call accepts NULL and
 * then does nothing. */
struct proxyhdr *proxyhdr_new(const struct ftpd_conf *c, int *failed);
void proxyhdr_free(struct proxyhdr *ph);	/* closes pending ones */
/* Takes a freshly accepted connection.  SECURITY: a source outside
 * proxy_trusted is logged and closed at once; nothing is read from it. */
void proxyhdr_add(struct proxyhdr *ph, int fd, const struct netaddr *from);
int proxyhdr_full(const struct proxyhdr *ph);
/* Fills one pollfd per pending connection; returns the count. */
size_t proxyhdr_pollfds(const struct proxyhdr *ph, struct pollfd *p);
/* The poll timeout up to the next deadline: NULL (none) or ts. */
struct timespec *proxyhdr_timeout(const struct proxyhdr *ph,
				  struct timespec *ts);
/* After poll (p, np from proxyhdr_pollfds): reads what arrived, closes
 * bad and expired connections with a log line (health checks, v2 LOCAL
 * and v1 UNKNOWN, quietly at debug level), and hands each complete one
 * to admit.  The real address is what proxyhdr_peer_addr() returns in a
 * process forked inside admit. */
void proxyhdr_service(struct proxyhdr *ph, const struct pollfd *p, size_t np,
		      proxyhdr_admit_fn admit, void *arg);

/* Session side: the client's address for the control connection fd:
 * the PROXY header's source when this session came through a balancer,
 * else getpeername().  0 or -1. */
int proxyhdr_peer_addr(int fd, struct netaddr *a);
/* inetd mode (-i) with proxy_protocol on: reads the header from fd
 * itself, with the same checks.  0: go on with the session; 1: a health
 * check, end quietly; -1: refused (logged). */
int proxyhdr_inetd(const struct ftpd_env *env, int fd);

struct session;
/* A passive data connection fd accepted from `from` (the balancer):
 * SECURITY: from must be in proxy_trusted, and the header (read within
 * data_timeout) must name the session's client.  0, or -1 with why. */
int proxyhdr_check_data(const struct session *s, int fd,
			const struct netaddr *from, char *why, size_t whylen);

#endif
