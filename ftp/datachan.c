/* datachan.c: EPSV/PASV/PORT/EPRT and the data connection's life cycle,
 * with failures explained in words a person can act on. */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "datachan.h"
#include "ftps.h"
#include "intr.h"
#include "parse.h"
#include "session.h"
#include "status.h"
#include "sys.h"
#include "tlsrecv.h"

static void
dc_init(struct datachan *d)
{
	memset(d, 0, sizeof *d);
	d->conn.fd = d->conn.wfd = -1;
	d->lfd = -1;
}

void
data_close(struct datachan *d)
{
	if (d->conn.fd >= 0)
		conn_close(&d->conn);
	d->conn.fd = d->conn.wfd = -1;
	if (d->lfd >= 0)
		sys_close_failok(d->lfd);
	d->lfd = -1;
}

/* RFC 1918 / loopback / link-local: an address that is wrong to hand to
 * a client outside the server's network. */
static int
is_private(const struct netaddr *a)
{
	if (net_family(a) == AF_INET) {
		const struct sockaddr_in *s = (const void *)&a->ss;
		unsigned long ip = ntohl(s->sin_addr.s_addr);

		return (ip >> 24) == 10 || (ip >> 20) == 0xac1 ||
			(ip >> 16) == 0xc0a8 || (ip >> 24) == 127 ||
			(ip >> 16) == 0xa9fe || ip == 0;
	}
	return 0;
}

static void
explain_connect(struct ftp_client *c, struct datachan *d, int err)
{
	char a[NETADDR_STRLEN], b[NETADDR_STRLEN];

	(void)net_ntop(&d->target, a, sizeof a, 1);
	if (err == ETIMEDOUT)
		fprintf(stderr, "ftp: %s data connection to %s timed out: a "
			"firewall may be dropping the server's passive ports; "
			"try `%s` or `passive off`\n", d->how, a,
			strcmp(d->how, "EPSV") == 0 ? "epsv off" : "passive off");
	else if (err == ECONNREFUSED)
		fprintf(stderr, "ftp: data connection refused by %s (after %s): "
			"the server or a firewall in front of it is not "
			"accepting its passive port; try `passive off`\n", a,
			d->how);
	else
		fprintf(stderr, "ftp: cannot open the data connection to %s "
			"(after %s): %s\n", a, d->how, strerror(err));
	if (d->announced_other)
		fprintf(stderr, "ftp: note: the server announced %s%s in its "
			"227 reply; ftp connects to the control connection's "
			"address instead\n",
			net_ntop(&d->announced, b, sizeof b, 0),
			is_private(&d->announced) ? ", a private address," : "");
	(void)c;
}

static int
setup_passive(struct ftp_client *c, struct datachan *d)
{
	const struct settings *set = c->set;
	int v6 = net_family(&c->peer) == AF_INET6;
	int code, port = -1, fd;

	if (v6 || (set->epsv && !c->epsv_broken)) {
		code = client_cmd(c, "EPSV");
		if (code < 0)
			return code == -2 ? ST_USAGE : ST_NET;
		if (code == 229 && parse_epsv_reply(client_last(c), &port) == 0) {
			d->how = "EPSV";
		} else if (v6 || (code != 500 && code != 501 && code != 502 &&
				  code != 504 && code != 229)) {
			int st = client_fail(c, code, "EPSV");

			if (!v6 || (code != 500 && code != 501 && code != 502 &&
				    code != 504))
				return st == ST_OK ? ST_OTHER : st;
			fprintf(stderr, "ftp: the server refused EPSV, which IPv6 "
				"needs for passive mode; try `passive off`\n");
			return ST_NET;
		} else {
			c->epsv_broken = 1;	/* fall back to PASV from now on */
			if (set->debug)
				printf("EPSV refused; using PASV\n");
		}
	}
	if (port < 0) {
		struct netaddr ann;

		code = client_cmd(c, "PASV");
		if (code < 0)
			return ST_NET;
		if (code != 227 || parse_pasv_reply(client_last(c), &ann) < 0) {
			int st = client_fail(c, code, "PASV");

			if (code == 227)
				fprintf(stderr, "ftp: could not read the address "
					"in the server's 227 reply\n");
			fprintf(stderr, "ftp: passive mode failed; try "
				"`passive off`\n");
			return st == ST_OK ? ST_OTHER : st;
		}
		port = net_port(&ann);
		d->how = "PASV";
		if (!net_same_host(&ann, &c->peer)) {
			d->announced_other = 1;
			d->announced = ann;
		}
	}
	d->target = c->peer;
	net_set_port(&d->target, port);
	if (set->debug && d->announced_other) {
		char b[NETADDR_STRLEN];

		printf("PASV announced %s; using the control connection's "
		       "address\n", net_ntop(&d->announced, b, sizeof b, 0));
	}
	fd = net_connect(&d->target, NULL, set->connect_timeout_ms);
	if (fd < 0) {
		explain_connect(c, d, errno);
		return ST_NET;
	}
	net_tune_bulk(fd);
	conn_init(&d->conn, fd, set->data_timeout_ms);
	return ST_OK;
}

static int
setup_active(struct ftp_client *c, struct datachan *d)
{
	struct netaddr la = c->local;
	struct buf arg = BUF_INIT(256);
	int v6 = net_family(&c->local) == AF_INET6;
	int code, rc;

	net_set_port(&la, 0);
	d->lfd = net_listen(&la, 1);
	if (d->lfd < 0 || net_local_addr(d->lfd, &la) < 0) {
		fprintf(stderr, "ftp: cannot listen for an active data "
			"connection: %s\n", strerror(errno));
		data_close(d);
		return ST_NET;
	}
	d->how = v6 ? "EPRT" : "PORT";
	rc = v6 ? format_eprt_arg(&arg, &la) : format_port_arg(&arg, &la);
	if (rc < 0) {
		buf_free(&arg);
		data_close(d);
		return ST_OTHER;
	}
	code = client_cmd(c, "%s %s", d->how, buf_cstr(&arg));
	buf_free(&arg);
	if (code != 200) {
		int st = client_fail(c, code, d->how);

		data_close(d);
		if (code >= 0)
			fprintf(stderr, "ftp: the server refused active mode; "
				"try `passive on`\n");
		return st == ST_OK ? ST_OTHER : st;
	}
	return ST_OK;
}

int
data_setup(struct ftp_client *c, struct datachan *d)
{
	dc_init(d);
	if (!c->connected)
		return ST_NET;
	/* SECURITY: under TLS, data never goes in the clear */
	if (c->tls_on && !c->prot_p) {
		fprintf(stderr, "ftp: the data connection would not be "
			"protected (no PROT P before login); log in first\n");
		return ST_TLS;
	}
	return c->set->passive ? setup_passive(c, d) : setup_active(c, d);
}

static int
accept_active(struct ftp_client *c, struct datachan *d)
{
	struct netaddr from;
	int p, fd;

	p = intr_poll(d->lfd, POLLIN, c->set->data_timeout_ms);
	if (p <= 0) {
		if (p == 0)
			fprintf(stderr, "ftp: the server did not connect back "
				"for the active data connection (a firewall or "
				"NAT on this side may block it); try "
				"`passive on`\n");
		return p == -2 ? ST_INTR : ST_NET;
	}
	fd = net_accept(d->lfd, &from);
	if (fd < 0) {
		fprintf(stderr, "ftp: accepting the data connection failed: "
			"%s\n", strerror(errno));
		return ST_NET;
	}
	/* SECURITY: only the server we talk to may feed our data port. */
	if (!net_same_host(&from, &c->peer)) {
		char a[NETADDR_STRLEN];

		fprintf(stderr, "ftp: refused a data connection from %s (not "
			"the server)\n", net_ntop(&from, a, sizeof a, 0));
		sys_close_failok(fd);
		return ST_NET;
	}
	sys_close_failok(d->lfd);
	d->lfd = -1;
	net_tune_bulk(fd);
	conn_init(&d->conn, fd, c->set->data_timeout_ms);
	return ST_OK;
}

int
data_begin(struct ftp_client *c, struct datachan *d, const char *what,
	   const char *fmt, ...)
{
	struct buf cmd = BUF_INIT(8192);
	va_list ap;
	int code, st;

	va_start(ap, fmt);
	st = buf_vprintf(&cmd, fmt, ap);
	va_end(ap);
	if (st < 0) {
		buf_free(&cmd);
		data_close(d);
		fprintf(stderr, "ftp: %s: name too long\n", what);
		return ST_USAGE;
	}
	st = client_send(c, "%s", buf_cstr(&cmd));
	buf_free(&cmd);
	if (st != ST_OK) {
		data_close(d);
		return st;
	}
	code = client_reply(c);
	if (code >= 100 && code < 200) {
		if (d->lfd >= 0 && (st = accept_active(c, d)) != ST_OK) {
			if (st == ST_INTR)
				data_abort(c, d);
			data_close(d);
			return st;
		}
		/* RFC 4217: the client is the TLS client on data connections,
		 * in either mode; servers start after their 1xx. */
		if (c->prot_p && (st = ftps_data(c, &d->conn)) != ST_OK) {
			data_close(d);
			/* the server fails the transfer: take its reply */
			do
				code = client_reply(c);
			while (code >= 100 && code < 200);
			return st;
		}
		return ST_OK;
	}
	data_close(d);
	if (code >= 200 && code < 300) {
		d->no_data = 1;		/* e.g. an empty listing */
		return ST_OK;
	}
	st = client_fail(c, code, what);
	if (code == 425)
		fprintf(stderr, "ftp: the server could not open the data "
			"connection; try `passive %s`%s\n",
			c->set->passive ? "off" : "on",
			c->set->passive && c->set->epsv ? " or `epsv off`" : "");
	return st == ST_OK ? ST_OTHER : st;
}

/* TLS, after our close_notify: takes what the server still sends until
 * it closes, or until its reply shows it is done.  Closing a socket with
 * unread bytes makes the kernel send a reset, and a reset throws away
 * the end of an upload still queued at the server (vsftpd: "426 Failure
 * reading network stream"). */
static void
tls_linger(struct ftp_client *c, struct datachan *d)
{
	long long end = sys_now_ms() + c->set->data_timeout_ms;
	char sink[4096];

	for (int rounds = 0; rounds < 10000; rounds++) {
		struct pollfd p[3];
		ssize_t n = tlsrecv_read_now(&d->conn, sink, sizeof sink);
		long long left = end - sys_now_ms();

		if (n > 0)
			continue;
		if (n == 0 || errno != ETIMEDOUT || left <= 0 ||
		    line_pending(c->lr) > 0 || conn_has_pending(&c->ctrl))
			return;
		p[0].fd = d->conn.fd;
		p[1].fd = c->ctrl.fd;
		p[2].fd = intr_fd();
		for (int i = 0; i < 3; i++) {
			p[i].events = POLLIN;
			p[i].revents = 0;
		}
		if (poll(p, p[2].fd >= 0 ? 3 : 2,
			 left > 1 << 30 ? 1 << 30 : (int)left) <= 0 ||
		    p[0].revents == 0)
			return;		/* a reply, Ctrl-C or the time */
	}
}

int
data_end(struct ftp_client *c, struct datachan *d, const char *what)
{
	int code;

	if (d->no_data)
		return ST_OK;
	if (d->conn.fd >= 0) {
		conn_shutdown(&d->conn);
		if (d->conn.tls)
			tls_linger(c, d);
	}
	data_close(d);
	do
		code = client_reply(c);
	while (code >= 100 && code < 200);
	if (code == 226 || code == 250)
		return ST_OK;
	{
		int st = client_fail(c, code, what);

		return st == ST_OK ? ST_OTHER : st;
	}
}

void
data_abort(struct ftp_client *c, struct datachan *d)
{
	int sent = client_send_abort(c);

	data_close(d);
	if (sent < 0) {
		if (c->connected)
			fprintf(stderr, "ftp: could not send ABOR\n");
		return;
	}
	/* Expect the transfer's reply (426 or 226) and ABOR's (225/226), in
	 * either order, or only one of them; stop after a quiet moment. */
	for (int i = 0; i < 4 && c->connected; i++) {
		if (i > 0 && line_pending(c->lr) == 0 &&
		    !conn_has_pending(&c->ctrl) &&
		    sys_poll_one(c->ctrl.fd, POLLIN, 1500) <= 0)
			break;
		if (client_reply(c) < 0)
			break;
	}
}
