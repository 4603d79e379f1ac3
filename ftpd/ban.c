/* ban.c: the daemon's table of failed logins per address and the
 * report channel from the session monitors (see ban.h). */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "ban.h"
#include "log.h"
#include "sys.h"

#define BAN_MAGIC 0x46424e31u		/* "FBN1" */
#define BAN_LOG_EVERY_MS 10000

struct ban_wire {
	uint32_t magic;
	struct netaddr addr;
};

struct ban_entry {
	int used;
	struct netaddr addr;
	unsigned count;			/* failures since first_ms */
	long long first_ms;		/* start of the current window */
	long long last_ms;		/* latest failure (for eviction) */
	long long until_ms;		/* banned until, 0 = not banned */
	long long logged_ms;		/* last refusal logged */
};

static int s_fd[2] = { -1, -1 };	/* [0] daemon reads, [1] monitors send */
static struct ban_entry s_table[BAN_TABLE_MAX];

int
ban_open(void)
{
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0,
		       s_fd) < 0) {
		s_fd[0] = s_fd[1] = -1;
		return -1;
	}
	/* Monitors only send, the daemon only receives. */
	(void)shutdown(s_fd[0], SHUT_WR);
	(void)shutdown(s_fd[1], SHUT_RD);
	return 0;
}

int
ban_fd(void)
{
	return s_fd[0];
}

void
ban_close(void)
{
	sys_close_failok(s_fd[0]);
	sys_close_failok(s_fd[1]);
	s_fd[0] = s_fd[1] = -1;
}

void
ban_child(void)
{
	sys_close_failok(s_fd[0]);
	s_fd[0] = -1;
}

void
ban_report_failure(const struct netaddr *peer)
{
	struct ban_wire w;

	if (s_fd[1] < 0)
		return;
	memset(&w, 0, sizeof w);
	w.magic = BAN_MAGIC;
	w.addr = *peer;
	if (send(s_fd[1], &w, sizeof w, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		log_msg(LOG_WARNING, "failed-login report to the daemon lost: "
			"%s", strerror(errno));
}

static struct ban_entry *
find(const struct netaddr *a)
{
	for (size_t i = 0; i < BAN_TABLE_MAX; i++)
		if (s_table[i].used && net_same_host(&s_table[i].addr, a))
			return &s_table[i];
	return NULL;
}

/* A free slot, else the least recently failing unbanned address, else
 * the ban that ends first. */
static struct ban_entry *
slot_for(const struct netaddr *a)
{
	struct ban_entry *e, *old = NULL, *soon = NULL;

	for (size_t i = 0; i < BAN_TABLE_MAX; i++) {
		e = &s_table[i];
		if (!e->used)
			goto take;
		if (e->until_ms == 0) {
			if (old == NULL || e->last_ms < old->last_ms)
				old = e;
		} else if (soon == NULL || e->until_ms < soon->until_ms) {
			soon = e;
		}
	}
	e = old != NULL ? old : soon;
take:
	memset(e, 0, sizeof *e);
	e->used = 1;
	e->addr = *a;
	return e;
}

static void
record(const struct ftpd_conf *c, const struct netaddr *a, long long now)
{
	struct ban_entry *e = find(a);
	char who[NETADDR_STRLEN];

	if (e == NULL)
		e = slot_for(a);
	if (e->until_ms > now)
		return;		/* a session opened before the ban */
	e->until_ms = 0;
	if (e->count == 0 || now - e->first_ms > (long long)c->ban_window * 1000) {
		e->count = 0;
		e->first_ms = now;
	}
	e->count++;
	e->last_ms = now;
	if (e->count < c->ban_after)
		return;
	e->until_ms = now + (long long)c->ban_time * 1000;
	e->logged_ms = 0;
	log_msg(LOG_NOTICE, "%s: banned for %u s: %u failed logins within "
		"%u s (ban_after)", net_ntop(a, who, sizeof who, 0),
		c->ban_time, e->count, c->ban_window);
	e->count = 0;
}

void
ban_drain(const struct ftpd_conf *c)
{
	struct ban_wire w;
	ssize_t n;

	if (s_fd[0] < 0)
		return;
	for (;;) {
		n = recv(s_fd[0], &w, sizeof w, MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return;
		/* SECURITY: only well-formed reports count. */
		if ((size_t)n != sizeof w || w.magic != BAN_MAGIC ||
		    (w.addr.ss.ss_family != AF_INET &&
		     w.addr.ss.ss_family != AF_INET6) ||
		    w.addr.len > sizeof w.addr.ss)
			continue;
		if (c->ban_after > 0)
			record(c, &w.addr, sys_now_ms());
	}
}

int
ban_check(const struct ftpd_conf *c, const struct netaddr *peer,
	  unsigned *left, int *log)
{
	struct ban_entry *e;
	long long now = sys_now_ms();

	*left = 0;
	*log = 0;
	if (c->ban_after == 0)
		return 0;
	e = find(peer);
	if (e == NULL || e->until_ms <= now)
		return 0;
	*left = (unsigned)((e->until_ms - now + 999) / 1000);
	if (e->logged_ms == 0 || now - e->logged_ms >= BAN_LOG_EVERY_MS) {
		e->logged_ms = now;
		*log = 1;
	}
	return 1;
}
