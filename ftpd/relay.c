/* relay.c: what a TLS session keeps running after login (see relay.h):
 * the control relay (the former pre-login worker), the data-TLS helper
 * it forks, and the small message protocol on their socketpairs. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "relay.h"
#include "log.h"
#include "net.h"
#include "reply.h"
#include "sys.h"
#include "tls.h"

/* Control traffic is a few lines at a time. */
#define RELAY_CTRL_BUF (16 * 1024)
/* Data: big reads and writes, so TLS sends full 16 KiB records and one
 * read takes in several records (tls_accept_data enables read-ahead). */
#define RELAY_DATA_BUF (256 * 1024)
#define RELAY_SOCKBUF (1024 * 1024)
/* The largest TLS record payload (RFC 8446 5.1). */
#define TLS_RECORD_MAX (16 * 1024)

/* ------------------------------------------------------------ messages */

static int
msg_send(int sock, uint32_t type, unsigned flags, int fd, const char *text)
{
	struct relay_msg m;

	memset(&m, 0, sizeof m);
	m.type = type;
	m.flags = flags;
	if (text != NULL)
		(void)snprintf(m.text, sizeof m.text, "%s", text);
	return net_send_fd(sock, fd, &m, sizeof m) == (ssize_t)sizeof m ? 0 : -1;
}

/* Reads one message, waiting at most timeout_ms (-1: no limit).  A
 * descriptor that came with it is in *fd (else -1).  1 = message, 0 =
 * the peer closed, -1 = error, timeout (ETIMEDOUT) or a malformed
 * message (EPROTO). */
static int
msg_recv(int sock, struct relay_msg *m, int *fd, int timeout_ms)
{
	ssize_t n;
	int r;

	*fd = -1;
	if (timeout_ms >= 0) {
		r = sys_poll_one(sock, POLLIN, timeout_ms);
		if (r == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (r < 0)
			return -1;
	}
	n = net_recv_fd(sock, fd, m, sizeof *m);
	if (n == 0 && *fd < 0)
		return 0;
	if (n != (ssize_t)sizeof *m) {
		if (*fd >= 0)
			sys_close_failok(*fd);
		*fd = -1;
		errno = EPROTO;
		return -1;
	}
	m->text[sizeof m->text - 1] = '\0';
	return 1;
}

/* ------------------------------------------------------------- monitor */

int
relay_link_new(int sv[2])
{
	return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv);
}

int
relay_link_announced(int mon_end)
{
	struct relay_msg m;
	ssize_t n;

	do
		n = recv(mon_end, &m, sizeof m, MSG_PEEK | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof m && m.type == RELAY_TLS_ON;
}

/* ----------------------------------------------------- pre-login worker */

int
relay_announce(int link)
{
	return msg_send(link, RELAY_TLS_ON, 0, -1, NULL);
}

/* Ends a data pump so the worker's next read fails (ECONNRESET) instead
 * of seeing a clean end of file: on Linux, closing an AF_UNIX stream
 * socket while unread bytes wait in its receive queue marks the peer
 * with ECONNRESET, reported after the peer has read what was sent.  The
 * byte sent from the peer's side makes sure such bytes exist.
 * SECURITY: a truncated upload (no close_notify) must not be stored as
 * complete. */
static void
pump_fail(int mine, int peer_end)
{
	(void)send(peer_end, "!", 1, MSG_DONTWAIT | MSG_NOSIGNAL);
	sys_close_failok(mine);
	sys_close_failok(peer_end);
}

/* The reason a TLS read or write on c failed, for the log. */
static const char *
tls_why(char *out, size_t n, int err)
{
	char t[200];

	if (tls_error_text(t, sizeof t)[0] != '\0')
		(void)snprintf(out, n, "%s", t);
	else
		(void)snprintf(out, n, "%s", strerror(err));
	return out;
}

/* Reads everything the client has sent so far into the worker's side.
 * Reads do not wait (timeout 0): a close_notify that came in with the
 * last data is seen at once, not when more bytes arrive (a client such
 * as Python's ssl waits for our close_notify before closing).  1 = the
 * client sent close_notify, 0 = nothing more for now, -1 = failed (fail
 * set). */
static int
pump_from_client(struct conn *data, struct conn *up, char *buf,
		 const char **fail, char *why, size_t whylen)
{
	int tmo = data->timeout_ms;
	ssize_t n;

	for (;;) {
		data->timeout_ms = 0;
		n = conn_read(data, buf, RELAY_DATA_BUF);
		data->timeout_ms = tmo;
		if (n == 0)
			return 1;
		if (n < 0 && errno == ETIMEDOUT)
			return 0;
		if (n < 0) {
			*fail = tls_why(why, whylen, errno);
			return -1;
		}
		if (conn_write_full(up, buf, (size_t)n) < 0) {
			*fail = "the worker stopped reading";
			return -1;
		}
	}
}

/* Sends what the worker wrote.  Takes all that is queued (without
 * waiting) and writes whole 16 KiB records, keeping a shorter tail in
 * buf for the next round unless the worker is done.  *have is the tail's
 * length.  1 = the worker closed its end (all sent), 0 = go on, -1 =
 * failed (fail set). */
static int
pump_to_client(struct conn *data, int mine, char *buf, size_t *have,
	       const char **fail, char *why, size_t whylen)
{
	size_t out;
	ssize_t n;
	int eof = 0;

	do {
		n = recv(mine, buf + *have, RELAY_DATA_BUF - *have, MSG_DONTWAIT);
		if (n > 0)
			*have += (size_t)n;
	} while (n > 0 && *have < RELAY_DATA_BUF);
	if (n == 0)
		eof = 1;
	else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
		 errno != EINTR) {
		*fail = "the worker's side failed";
		return -1;
	}
	out = *have;
	if (!eof && out >= TLS_RECORD_MAX)
		out -= out % TLS_RECORD_MAX;
	if (out > 0 && conn_write_full(data, buf, out) < 0) {
		*fail = tls_why(why, whylen, errno);
		return -1;
	}
	memmove(buf, buf + out, *have - out);
	*have -= out;
	return eof;
}

/* Moves bytes between the TLS data connection and the worker's
 * socketpair until the worker closes its end (done: close_notify to
 * the client) or something fails (the worker sees a reset). */
static void
helper_pump(struct conn *data, int mine, int peer_end, const char *peer)
{
	struct conn up;
	char why[256];
	char *down = malloc(RELAY_DATA_BUF), *upbuf = malloc(RELAY_DATA_BUF);
	const char *fail = NULL;
	size_t have = 0;
	int tls_eof = 0, starved = 0, r;

	conn_init(&up, mine, data->timeout_ms);
	if (down == NULL || upbuf == NULL)
		fail = "out of memory";
	while (fail == NULL) {
		struct pollfd p[2];
		/* A partial record also counts as pending: after a read found
		 * nothing complete, wait for the socket instead. */
		int pending = !tls_eof && !starved && conn_has_pending(data);

		p[0].fd = tls_eof ? -1 : data->fd;
		p[0].events = POLLIN;
		p[1].fd = mine;
		p[1].events = POLLIN;
		p[0].revents = p[1].revents = 0;
		/* No timeout of its own: the worker applies the stall
		 * timeout and closes its end. */
		r = poll(p, 2, pending ? 0 : -1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			fail = strerror(errno);
			break;
		}
		if (p[1].revents != 0) {
			r = pump_to_client(data, mine, down, &have, &fail, why,
					   sizeof why);
			if (r != 0)
				break;		/* the worker is done, or failed */
		}
		if (!tls_eof && (pending || p[0].revents != 0)) {
			r = pump_from_client(data, &up, upbuf, &fail, why,
					     sizeof why);
			starved = r == 0;
			if (r == 1) {
				/* close_notify: a complete upload. */
				tls_eof = 1;
				(void)shutdown(mine, SHUT_WR);
			}
		}
	}
	free(down);
	free(upbuf);
	if (fail == NULL) {
		conn_shutdown(data);
		conn_close(data);
		sys_close_failok(mine);
		sys_close_failok(peer_end);
		return;
	}
	log_msg(LOG_NOTICE, "%s: protected data connection failed: %s", peer,
		fail);
	conn_close(data);
	pump_fail(mine, peer_end);
}

/* One RELAY_DATA_OPEN: handshake (resuming the control session), then
 * the pump.  Exits when the worker's channel is unusable. */
static void
helper_one(const struct conn *ctrl, int chan, int fd,
	   const struct ftpd_conf *conf, const char *peer)
{
	struct tls_info info;
	struct conn data;
	char err[RELAY_TEXT_MAX];
	int xp[2], sz = RELAY_SOCKBUF;

	conn_init(&data, fd, (int)conf->data_timeout * 1000);
	if (tls_accept_data(ctrl, &data, conf->tls_require_reuse, err,
			    sizeof err) < 0) {
		log_msg(LOG_NOTICE, "%s: data connection refused: %s", peer, err);
		conn_close(&data);
		if (msg_send(chan, RELAY_DATA_FAIL, 0, -1, err) < 0)
			_exit(1);
		return;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, xp) < 0) {
		(void)snprintf(err, sizeof err, "socketpair: %s", strerror(errno));
		conn_close(&data);
		if (msg_send(chan, RELAY_DATA_FAIL, 0, -1, err) < 0)
			_exit(1);
		return;
	}
	(void)setsockopt(xp[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
	(void)setsockopt(xp[1], SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
	if (msg_send(chan, RELAY_DATA_OK, 0, xp[1], NULL) < 0)
		_exit(1);
	if (tls_get_info(&data, &info) == 0)
		log_msg(LOG_DEBUG, "%s: data connection: %s, %s%s", peer,
			info.version, info.cipher,
			info.resumed ? ", session resumed" : "");
	/* xp[1] stays open here until the pump ends (pump_fail needs it). */
	helper_pump(&data, xp[0], xp[1], peer);
}

__attribute__((noreturn))
static void
helper_run(struct conn *ctrl, int chan, pid_t relay, const struct ftpd_conf *conf,
	   const char *peer)
{
	struct relay_msg m;
	int fd, r;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != relay)
		_exit(1);
	/* Keep the session, drop the socket: only the relay speaks on the
	 * control connection, and it must close when the relay closes it.
	 * The SSL here is only read (context, session-id context). */
	if (ctrl->wfd != ctrl->fd)
		sys_close_failok(ctrl->wfd);
	sys_close_failok(ctrl->fd);
	ctrl->fd = ctrl->wfd = -1;
	for (;;) {
		r = msg_recv(chan, &m, &fd, -1);
		if (r == 0)
			_exit(0);	/* the worker is gone */
		if (r < 0 || m.type != RELAY_DATA_OPEN || fd < 0) {
			log_msg(LOG_ERR, "%s: data helper: bad request from the "
				"worker", peer);
			_exit(1);
		}
		helper_one(ctrl, chan, fd, conf, peer);
	}
}

/* CCC: what the worker wrote before asking goes out first, then our
 * 200 and at once close_notify both ways.  The relay answers CCC itself
 * so that no read of the control connection can come between the 200
 * and the shutdown (a client answers the 200 with its close_notify).
 * 0, or -1 (the session is over). */
static int
relay_do_ccc(struct conn *ctrl, int pair, int link, char *buf, size_t n,
	     const char *peer)
{
	char err[RELAY_TEXT_MAX];
	ssize_t r;

	while ((r = recv(pair, buf, n, MSG_DONTWAIT)) > 0)
		if (conn_write_full(ctrl, buf, (size_t)r) < 0)
			return -1;
	if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
		return -1;
	if (ctrl->tls == NULL) {
		(void)msg_send(link, RELAY_CCC_FAIL, 0, -1, "not TLS");
		return -1;
	}
	if (reply_send(ctrl, 200, "CCC ok: the control connection continues "
		       "in clear text; data connections keep their protection "
		       "level.") < 0)
		return -1;
	if (tls_unwrap(ctrl, err, sizeof err) < 0) {
		log_msg(LOG_NOTICE, "%s: CCC failed: %s", peer, err);
		(void)msg_send(link, RELAY_CCC_FAIL, 0, -1, err);
		return -1;
	}
	log_msg(LOG_INFO, "%s: CCC: the control connection is in clear text "
		"from now on", peer);
	return msg_send(link, RELAY_CCC_OK, 0, -1, NULL);
}

__attribute__((noreturn))
static void
relay_loop(struct conn *ctrl, int pair, int link, const char *peer)
{
	static char buf[RELAY_CTRL_BUF];
	struct relay_msg m;
	struct conn up;
	int ctrl_eof = 0, fd, r;
	ssize_t n;

	conn_init(&up, pair, ctrl->timeout_ms);
	for (;;) {
		struct pollfd p[3];
		/* SECURITY/correctness: TLS may hold decrypted bytes that
		 * poll() on the socket cannot see. */
		int pending = !ctrl_eof && conn_has_pending(ctrl);

		p[0].fd = ctrl_eof ? -1 : ctrl->fd;
		p[0].events = POLLIN;
		p[1].fd = pair;
		p[1].events = POLLIN;
		p[2].fd = link;
		p[2].events = POLLIN;
		p[0].revents = p[1].revents = p[2].revents = 0;
		r = poll(p, 3, pending ? 0 : -1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			goto lost;
		}
		if (p[1].revents != 0) {
			n = sys_read(pair, buf, sizeof buf);
			if (n <= 0)
				break;		/* the worker ended the session */
			if (conn_write_full(ctrl, buf, (size_t)n) < 0)
				goto lost;
		}
		/* Before reading the control connection: after a CCC request
		 * the next thing there is the client's close_notify, which
		 * relay_do_ccc reads. */
		if (link >= 0 && p[2].revents != 0) {
			r = msg_recv(link, &m, &fd, 0);
			if (fd >= 0)
				sys_close_failok(fd);
			if (r == 0) {
				sys_close_failok(link);
				link = -1;
			} else if (r < 0 || m.type != RELAY_CCC || fd >= 0) {
				log_msg(LOG_ERR, "%s: relay: bad request from the "
					"worker", peer);
				goto lost;
			} else if (relay_do_ccc(ctrl, pair, link, buf, sizeof buf,
						peer) < 0) {
				goto lost;
			} else {
				continue;	/* poll again, now in clear */
			}
		}
		if (!ctrl_eof && (pending || p[0].revents != 0)) {
			n = conn_read(ctrl, buf, sizeof buf);
			if (n == 0) {
				ctrl_eof = 1;
				(void)shutdown(pair, SHUT_WR);
			} else if (n < 0 || conn_write_full(&up, buf, (size_t)n) < 0) {
				goto lost;
			}
		}
	}
	/* The worker is done (QUIT, timeout): end TLS properly. */
	conn_shutdown(ctrl);
	conn_close(ctrl);
	_exit(0);
lost:
	conn_close(ctrl);
	_exit(0);
}

void
relay_start(struct conn *ctrl, int link, unsigned flags,
	    const struct ftpd_conf *conf, const char *peer)
{
	int cp[2], dp[2];
	pid_t pid, me = getpid();

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, cp) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, dp) < 0) {
		log_msg(LOG_ERR, "%s: relay: socketpair: %s", peer,
			strerror(errno));
		_exit(1);
	}
	pid = fork();
	if (pid < 0) {
		log_msg(LOG_ERR, "%s: relay: fork: %s", peer, strerror(errno));
		_exit(1);
	}
	if (pid == 0) {
		sys_close_failok(cp[0]);
		sys_close_failok(cp[1]);
		sys_close_failok(dp[1]);
		sys_close_failok(link);
		helper_run(ctrl, dp[0], me, conf, peer);
	}
	sys_close_failok(dp[0]);
	if (msg_send(link, RELAY_CTRL, flags, cp[1], NULL) < 0 ||
	    msg_send(link, RELAY_DATA, 0, dp[1], NULL) < 0) {
		log_msg(LOG_ERR, "%s: relay: cannot reach the post-login "
			"worker: %s", peer, strerror(errno));
		conn_close(ctrl);
		_exit(1);
	}
	sys_close_failok(cp[1]);
	sys_close_failok(dp[1]);
	relay_loop(ctrl, cp[0], link, peer);
}

/* ---------------------------------------------------- post-login worker */

int
relay_attach(int link, struct relay_ends *e, int timeout_ms, char *why,
	     size_t whylen)
{
	struct relay_msg m;
	int fd, r;

	e->ctrl = e->data = -1;
	e->flags = 0;
	r = msg_recv(link, &m, &fd, timeout_ms);
	if (r == 0)
		return 0;	/* the pre-login worker exited: no TLS */
	if (r < 0 || m.type != RELAY_TLS_ON || fd >= 0)
		goto bad;
	r = msg_recv(link, &m, &fd, timeout_ms);
	if (r != 1 || m.type != RELAY_CTRL || fd < 0)
		goto bad;
	e->ctrl = fd;
	e->flags = m.flags;
	r = msg_recv(link, &m, &fd, timeout_ms);
	if (r != 1 || m.type != RELAY_DATA || fd < 0)
		goto bad;
	e->data = fd;
	return 1;
bad:
	(void)snprintf(why, whylen, "the relay did not hand over the TLS "
		       "connection (%s)", r == 0 ? "it exited" :
		       r < 0 ? strerror(errno) : "unexpected message");
	if (fd >= 0)
		sys_close_failok(fd);
	if (e->ctrl >= 0)
		sys_close_failok(e->ctrl);
	e->ctrl = -1;
	return -1;
}

int
relay_ccc(int link, int timeout_ms, char *why, size_t whylen)
{
	struct relay_msg m;
	int fd, r;

	if (msg_send(link, RELAY_CCC, 0, -1, NULL) < 0) {
		(void)snprintf(why, whylen, "the relay is gone");
		return -1;
	}
	r = msg_recv(link, &m, &fd, timeout_ms);
	if (fd >= 0)
		sys_close_failok(fd);
	if (r == 1 && m.type == RELAY_CCC_OK && fd < 0)
		return 0;
	(void)snprintf(why, whylen, "%s", r == 1 && m.type == RELAY_CCC_FAIL ?
		       m.text : "no answer from the relay");
	return -1;
}

int
relay_data_open(int chan, struct conn *data, int timeout_ms, char *why,
		size_t whylen)
{
	struct relay_msg m;
	int fd, r, sent;

	sent = msg_send(chan, RELAY_DATA_OPEN, 0, data->fd, NULL);
	/* The helper has its own copy now: the TCP connection must close
	 * when the helper closes it. */
	if (data->wfd >= 0 && data->wfd != data->fd)
		sys_close_failok(data->wfd);
	sys_close_failok(data->fd);
	data->fd = data->wfd = -1;
	if (sent < 0) {
		(void)snprintf(why, whylen, "the data TLS helper is gone");
		return -2;
	}
	r = msg_recv(chan, &m, &fd, timeout_ms);
	if (r == 1 && m.type == RELAY_DATA_OK && fd >= 0) {
		data->fd = data->wfd = fd;
		return 0;
	}
	if (fd >= 0)
		sys_close_failok(fd);
	if (r == 1 && m.type == RELAY_DATA_FAIL) {
		(void)snprintf(why, whylen, "%s", m.text);
		return -1;
	}
	(void)snprintf(why, whylen, "%s", r == 0 ? "the data TLS helper is gone" :
		       r < 0 && errno == ETIMEDOUT ?
		       "the data TLS helper did not answer" :
		       "bad answer from the data TLS helper");
	return -2;
}
