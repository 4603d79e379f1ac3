/* client.c: the control connection: connect, send a command (CR/LF in an
 * argument refused, IAC doubled), read replies through lib/reply, log in,
 * FEAT cache, and the Telnet abort sequence. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <poll.h>
#include <sys/socket.h>

#include "buf.h"
#include "client.h"
#include "ftps.h"
#include "intr.h"
#include "parse.h"
#include "session.h"
#include "status.h"
#include "sys.h"

#define CMD_MAX 8192		/* longest command line we send */
#define REPLY_LINE_MAX 8192	/* longest reply line we accept */

#define TELNET_IAC 255
#define TELNET_IP 244
#define TELNET_DM 242

void
client_init(struct ftp_client *c, const struct settings *set)
{
	memset(c, 0, sizeof *c);
	c->set = set;
	c->ctrl.fd = c->ctrl.wfd = -1;
	reply_init(&c->reply);
}

static void
feat_clear(struct ftp_client *c)
{
	for (int i = 0; i < c->nfeat; i++)
		free(c->feat[i]);
	c->nfeat = 0;
	free(c->mlst_facts);
	c->mlst_facts = NULL;
	c->feat_known = 0;
}

static void
secret_free(char **p)
{
	if (*p) {
		explicit_bzero(*p, strlen(*p));
		free(*p);
		*p = NULL;
	}
}

static void
drop(struct ftp_client *c)
{
	if (c->ctrl.fd >= 0)
		conn_close(&c->ctrl);
	c->ctrl.fd = c->ctrl.wfd = -1;
	c->connected = 0;
	c->logged_in = 0;
	c->type = 0;
	c->epsv_broken = 0;
	c->tls_on = 0;
	c->prot_p = 0;
	c->tls_fp[0] = '\0';
	c->tls_trust = NULL;
	feat_clear(c);
	free(c->lr);
	c->lr = NULL;
}

void
client_free(struct ftp_client *c)
{
	drop(c);
	secret_free(&c->user);
	secret_free(&c->pass);
	secret_free(&c->acct);
	reply_free(&c->reply);
}

int
client_connect(struct ftp_client *c, const char *host, const char *port,
	       int family)
{
	char err[256];
	int fd, code;

	if (c->connected)
		client_close(c, 1);
	err[0] = '\0';
	fd = net_connect_host(host, port, family, c->set->connect_timeout_ms,
			      &c->peer, err, sizeof err);
	if (fd < 0) {
		int e = errno;

		fprintf(stderr, "ftp: cannot connect to %s port %s: %s\n", host,
			port, err[0] ? err : strerror(e));
		return ST_NET;
	}
	c->lr = malloc(sizeof *c->lr);
	if (!c->lr) {
		sys_close_failok(fd);
		fprintf(stderr, "ftp: out of memory\n");
		return ST_OTHER;
	}
	conn_init(&c->ctrl, fd, c->set->ctrl_timeout_ms);
	line_init(c->lr, &c->ctrl, REPLY_LINE_MAX);
	if (net_local_addr(fd, &c->local) < 0 || net_peer_addr(fd, &c->peer) < 0) {
		fprintf(stderr, "ftp: %s: %s\n", host, strerror(errno));
		drop(c);
		return ST_NET;
	}
	(void)snprintf(c->host, sizeof c->host, "%s", host);
	(void)snprintf(c->port, sizeof c->port, "%s", port);
	c->connected = 1;
	if (c->set->verbose) {
		char a[NETADDR_STRLEN];

		printf("Connected to %s (%s).\n", host,
		       net_ntop(&c->peer, a, sizeof a, 1));
	}
	if (c->tls_mode == FTPS_IMPLICIT && (code = ftps_start(c)) != ST_OK)
		return code;
	do
		code = client_reply(c);
	while (code >= 100 && code < 200);
	if (code < 0)
		return ST_NET;
	if (code != 220) {
		int st = client_fail(c, code, "connect");

		drop(c);
		return st == ST_OK ? ST_OTHER : (code == 421 ? ST_NET : st);
	}
	if (c->tls_mode == FTPS_EXPLICIT)
		return ftps_auth(c);
	return ST_OK;
}

void
client_close(struct ftp_client *c, int send_quit)
{
	if (c->connected && send_quit) {
		c->quiet += !c->set->verbose;
		(void)client_cmd(c, "QUIT");
		c->quiet -= !c->set->verbose;
	}
	drop(c);
}

/* Writes a command with Telnet IAC doubled.  0 or -1. */
static int
send_line(struct ftp_client *c, const char *line, size_t n)
{
	struct buf out = BUF_INIT(2 * CMD_MAX + 4);
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		rc = buf_putc(&out, line[i]);
		if (rc == 0 && (unsigned char)line[i] == TELNET_IAC)
			rc = buf_putc(&out, line[i]);
	}
	if (rc == 0)
		rc = buf_append(&out, "\r\n", 2);
	if (rc == 0)
		rc = conn_write_full(&c->ctrl, out.data, out.len);
	buf_free(&out);
	return rc;
}

static int
client_vsend(struct ftp_client *c, const char *fmt, va_list ap)
{
	struct buf line = BUF_INIT(CMD_MAX);
	int rc;

	if (!c->connected) {
		fprintf(stderr, "ftp: not connected\n");
		return ST_OTHER;
	}
	if (buf_vprintf(&line, fmt, ap) < 0) {
		buf_free(&line);
		fprintf(stderr, "ftp: command too long (more than %d bytes)\n",
			CMD_MAX);
		return ST_USAGE;
	}
	/* SECURITY: a CR or LF inside an argument would end this command and
	 * start another one on the server. */
	if (strpbrk(buf_cstr(&line), "\r\n") != NULL ||
	    strlen(buf_cstr(&line)) != line.len) {
		buf_free(&line);
		fprintf(stderr, "ftp: refusing to send a command with a line "
			"break or NUL in its argument\n");
		return ST_USAGE;
	}
	if (c->set->debug) {
		const char *s = buf_cstr(&line);

		if (strncasecmp(s, "PASS ", 5) == 0)
			printf("---> PASS XXXX\n");
		else if (strncasecmp(s, "ACCT ", 5) == 0)
			printf("---> ACCT XXXX\n");
		else
			printf("---> %s\n", s);
		(void)fflush(stdout);
	}
	rc = send_line(c, line.data, line.len);
	buf_free(&line);
	if (rc < 0) {
		fprintf(stderr, "ftp: lost connection to %s: %s\n", c->host,
			strerror(errno));
		drop(c);
		return ST_NET;
	}
	return ST_OK;
}

int
client_send(struct ftp_client *c, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = client_vsend(c, fmt, ap);
	va_end(ap);
	return rc;
}

int
client_reply(struct ftp_client *c)
{
	int rc, asked = 0;

	c->printed = 0;
	if (!c->connected)
		return -1;
	/* Wait here rather than inside reply_read so Ctrl-C is noticed.
	 * TLS may hold decrypted bytes that poll() cannot see. */
	while (line_pending(c->lr) == 0 && !conn_has_pending(&c->ctrl)) {
		int p = intr_poll(c->ctrl.fd, POLLIN, c->set->ctrl_timeout_ms);

		if (p > 0)
			break;
		if (p == -2) {
			intr_clear();
			if (asked++ == 0) {
				fprintf(stderr, "\nftp: waiting for the server's "
					"reply; press Ctrl-C again to "
					"disconnect\n");
				continue;
			}
			fprintf(stderr, "ftp: disconnected from %s\n", c->host);
			drop(c);
			return -1;
		}
		fprintf(stderr, "ftp: %s while waiting for a reply from %s; "
			"disconnected\n", p == 0 ? "timed out" : strerror(errno),
			c->host);
		drop(c);
		return -1;
	}
	rc = reply_read(c->lr, &c->reply);
	if (rc != LINE_OK) {
		const char *why =
			rc == LINE_EOF ? "the server closed the connection" :
			rc == LINE_TIMEOUT ? "timed out waiting for a reply" :
			rc == LINE_TOOLONG ? "a reply line was too long" :
			"the server sent a malformed reply";

		fprintf(stderr, "ftp: %s (%s); disconnected\n", why, c->host);
		drop(c);
		return -1;
	}
	if (c->set->verbose && c->quiet <= 0) {
		printf("%s\n", buf_cstr(&c->reply.text));
		(void)fflush(stdout);
		c->printed = 1;
	} else if (c->set->debug && c->quiet <= 0) {
		printf("%s\n", buf_cstr(&c->reply.text));
		(void)fflush(stdout);
		c->printed = 1;
	}
	if (c->reply.code == 421) {
		if (!c->printed)
			fprintf(stderr, "ftp: %s\n", buf_cstr(&c->reply.text));
		c->printed = 1;
		drop(c);
	}
	return c->reply.code;
}

int
client_cmd(struct ftp_client *c, const char *fmt, ...)
{
	va_list ap;
	int rc, code;

	va_start(ap, fmt);
	rc = client_vsend(c, fmt, ap);
	va_end(ap);
	if (rc != ST_OK)
		return rc == ST_NET ? -1 : -2;
	do
		code = client_reply(c);
	while (code >= 100 && code < 200);
	return code;
}

const char *
client_last(const struct ftp_client *c)
{
	return buf_cstr(&c->reply.last);
}

int
client_fail(struct ftp_client *c, int code, const char *what)
{
	if (code == -2)
		return ST_USAGE;	/* refused locally, already said */
	if (code < 0)
		return ST_NET;		/* already explained by client_reply */
	if (!c->printed)
		fprintf(stderr, "ftp: %s: %d %s\n", what, code, client_last(c));
	c->printed = 1;
	return code < 400 ? ST_OTHER : status_from_reply(code);
}

static char *
dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

int
client_login(struct ftp_client *c, const char *user, const char *pass,
	     const char *acct, client_ask_fn ask)
{
	char *asked_pass = NULL, *asked_acct = NULL;
	int code, st = ST_OK;

	code = client_cmd(c, "USER %s", user);
	if (code == 331) {
		if (!pass && ask)
			pass = asked_pass = ask("Password:", 0);
		if (!pass) {
			fprintf(stderr, "ftp: login: no password given\n");
			return ST_LOGIN;
		}
		code = client_cmd(c, "PASS %s", pass);
	}
	if (code == 332) {
		if (!acct && ask)
			acct = asked_acct = ask("Account:", 0);
		if (acct)
			code = client_cmd(c, "ACCT %s", acct);
	}
	if (code == 230 || code == 202) {
		secret_free(&c->user);
		secret_free(&c->pass);
		secret_free(&c->acct);
		c->user = dup_or_null(user);
		c->pass = dup_or_null(pass);
		c->acct = dup_or_null(acct);
		if (c->tls_on && (st = ftps_protect(c)) != ST_OK)
			goto out;
		c->logged_in = 1;
		client_feat(c);
		c->type = 0;
		if (c->connected)
			st = client_type(c, c->set->type);
	} else if (code < 0) {
		st = code == -2 ? ST_USAGE : ST_NET;
	} else {
		(void)client_fail(c, code, "login failed");
		st = code == 421 ? ST_NET : ST_LOGIN;
	}
out:
	secret_free(&asked_pass);
	secret_free(&asked_acct);
	return st;
}

int
client_type(struct ftp_client *c, char type)
{
	int code;

	if (c->type == type)
		return ST_OK;
	c->quiet += !c->set->debug;
	code = client_cmd(c, "TYPE %c", type);
	c->quiet -= !c->set->debug;
	if (code != 200)
		return client_fail(c, code, "TYPE");
	c->type = type;
	return ST_OK;
}

void
client_feat(struct ftp_client *c)
{
	const char *p;
	int code;

	if (c->feat_known || !c->connected)
		return;
	c->quiet += !c->set->debug;
	code = client_cmd(c, "FEAT");
	c->quiet -= !c->set->debug;
	c->feat_known = 1;
	if (code != 211)
		return;
	/* Feature lines start with a space (RFC 2389); the first and last
	 * lines carry the code. */
	p = buf_cstr(&c->reply.text);
	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);

		if (n > 1 && p[0] == ' ' && c->nfeat < CLIENT_MAXFEAT) {
			const char *w = p + 1, *e;
			char *name;

			while (w < p + n && *w == ' ')
				w++;
			e = w;
			while (e < p + n && *e != ' ')
				e++;
			name = strndup(w, (size_t)(e - w));
			if (name) {
				for (char *q = name; *q; q++)
					*q = (char)toupper((unsigned char)*q);
				c->feat[c->nfeat++] = name;
				if (strcmp(name, "MLST") == 0 && e < p + n) {
					free(c->mlst_facts);
					c->mlst_facts = strndup(e + 1,
						(size_t)(p + n - e - 1));
				}
			}
		}
		p = eol ? eol + 1 : NULL;
	}
}

int
client_has(const struct ftp_client *c, const char *feature)
{
	for (int i = 0; i < c->nfeat; i++)
		if (strcasecmp(c->feat[i], feature) == 0)
			return 1;
	return 0;
}

int
client_size(struct ftp_client *c, const char *path, uint64_t *size)
{
	int code;

	c->quiet += !c->set->debug;
	code = client_cmd(c, "SIZE %s", path);
	c->quiet -= !c->set->debug;
	if (code != 213 || parse_u64(client_last(c), UINT64_MAX, size) < 0)
		return -1;
	return 0;
}

int
client_mdtm(struct ftp_client *c, const char *path, long long *t)
{
	time_t tt;
	int code;

	c->quiet += !c->set->debug;
	code = client_cmd(c, "MDTM %s", path);
	c->quiet -= !c->set->debug;
	if (code != 213 || parse_ftp_time(client_last(c), &tt) < 0)
		return -1;
	*t = (long long)tt;
	return 0;
}

char *
client_pwd(struct ftp_client *c)
{
	struct buf out = BUF_INIT(8192);
	char *s;
	int code;

	c->quiet += !c->set->debug;
	code = client_cmd(c, "PWD");
	c->quiet -= !c->set->debug;
	if (code != 257 || reply_unquote_path(client_last(c), &out) < 0) {
		buf_free(&out);
		return NULL;
	}
	s = buf_steal(&out);
	buf_free(&out);
	return s;
}

int
client_send_abort(struct ftp_client *c)
{
	static const unsigned char ipsynch[3] = { TELNET_IAC, TELNET_IP,
						  TELNET_IAC };
	static const char dm_abor[] = "\xf2" "ABOR\r\n";

	if (!c->connected)
		return -1;
	if (c->set->debug) {
		printf("---> ABOR\n");
		(void)fflush(stdout);
	}
	/* RFC 959 4.1.3: Telnet IP, then Synch (the IAC sent urgent so the
	 * server's TCP marks it; DM follows in band), then ABOR.  TLS cannot
	 * carry urgent data: then only ABOR is sent. */
	if (c->ctrl.tls == NULL) {
		ssize_t n = send(c->ctrl.fd, ipsynch, sizeof ipsynch, MSG_OOB);

		if (n != (ssize_t)sizeof ipsynch)
			return -1;
		return conn_write_full(&c->ctrl, dm_abor, sizeof dm_abor - 1);
	}
	return conn_write_full(&c->ctrl, dm_abor + 1, sizeof dm_abor - 2);
}
