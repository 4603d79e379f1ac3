/* tls_daemon.c: the daemon's part of FTPS (see tls_session.h): the TLS
 * keys' checks, the server context built once (and reloaded for new
 * sessions when the certificate files change), and the implicit-TLS
 * listeners. */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls_session.h"
#include "listener.h"
#include "log.h"
#include "net.h"
#include "sys.h"
#include "tls.h"

static struct tls_server *s_server;	/* NULL: TLS not configured */
static int s_enabled;
static int s_implicit;			/* this session: implicit TLS */
static struct netaddr s_imp[LISTENER_MAX_SOCKETS];	/* bound addresses */
static size_t s_nimp;
static char *s_cert, *s_key, *s_ciphers;	/* what s_server is built from */

/* "no" | "users" | "all" -> enum ftls_policy, or -1. */
static int
policy_parse(const char *v)
{
	if (strcmp(v, "no") == 0)
		return FTLS_NO;
	if (strcmp(v, "users") == 0)
		return FTLS_USERS;
	if (strcmp(v, "all") == 0)
		return FTLS_ALL;
	return -1;
}

enum ftls_policy
ftls_policy(const char *v)
{
	int p = policy_parse(v);

	return p < 0 ? FTLS_NO : (enum ftls_policy)p;
}

int
ftls_conf_check(struct ftpd_conf *c, char *err, size_t errlen)
{
	static const char *const paths[] = { "tls_cert", "tls_key" };
	const char *vals[] = { c->tls_cert, c->tls_key };
	struct netaddr a;
	int req, data;

	req = policy_parse(c->tls_required);
	data = policy_parse(c->tls_require_data);
	if (req < 0 || data < 0) {
		(void)snprintf(err, errlen, "%s: '%s' is not no, users or all",
			       req < 0 ? "tls_required" : "tls_require_data",
			       req < 0 ? c->tls_required : c->tls_require_data);
		return -1;
	}
	for (size_t i = 0; i < 2; i++)
		if (vals[i][0] != '\0' && vals[i][0] != '/') {
			(void)snprintf(err, errlen, "%s: '%s' must be an "
				       "absolute path", paths[i], vals[i]);
			return -1;
		}
	for (size_t i = 0; i < c->listen_implicit_tls.n; i++)
		if (net_parse_listen(c->listen_implicit_tls.items[i], &a) < 0) {
			(void)snprintf(err, errlen, "listen_implicit_tls: cannot "
				       "parse '%s' (want addr:port or "
				       "[v6addr]:port)",
				       c->listen_implicit_tls.items[i]);
			return -1;
		}
	if (c->tls_cert[0] == '\0') {
		const char *key = c->tls_key[0] != '\0' ? "tls_key" :
			req != FTLS_NO ? "tls_required" :
			data != FTLS_NO ? "tls_require_data" :
			c->listen_implicit_tls.n > 0 ? "listen_implicit_tls" :
			NULL;

		if (key != NULL) {
			(void)snprintf(err, errlen, "%s needs tls_cert (a PEM "
				       "certificate)", key);
			return -1;
		}
	}
	return 0;
}

static struct tls_server *
load(const struct ftpd_conf *c, char *err, size_t errlen)
{
	struct tls_server_opts o;

	memset(&o, 0, sizeof o);
	o.cert = c->tls_cert;
	o.key = c->tls_key;
	o.ciphers = c->tls_ciphers;
	return tls_server_new(&o, err, errlen);
}

int
ftls_check(struct ftpd_conf *c, char *err, size_t errlen)
{
	struct tls_server *s;
	char why[512];

	if (c->tls_cert[0] == '\0')
		return 0;
	s = load(c, why, sizeof why);
	if (s == NULL) {
		/* Names the key, so the error lands on its line. */
		(void)snprintf(err, errlen, "tls_cert: %s", why);
		return -1;
	}
	tls_server_free(s);
	return 0;
}

static int
same(const char *a, const char *b)
{
	return b != NULL && strcmp(a, b) == 0;
}

/* What the context in use was built from (for ftls_reconfigure). */
static void
remember(const struct ftpd_conf *c)
{
	char **mine[] = { &s_cert, &s_key, &s_ciphers };
	const char *vals[] = { c->tls_cert, c->tls_key, c->tls_ciphers };

	for (size_t i = 0; i < 3; i++) {
		free(*mine[i]);
		*mine[i] = strdup(vals[i]);
	}
}

int
ftls_init(const struct ftpd_conf *c, char *err, size_t errlen)
{
	remember(c);
	if (c->tls_cert[0] == '\0')
		return 0;
	s_server = load(c, err, errlen);
	if (s_server == NULL)
		return -1;
	s_enabled = 1;
	return 0;
}

void
ftls_reconfigure(const struct ftpd_conf *c)
{
	struct tls_server *s = NULL;
	char err[512];

	if (same(c->tls_cert, s_cert) && same(c->tls_key, s_key) &&
	    same(c->tls_ciphers, s_ciphers))
		return;		/* file changes: ftls_before_fork */
	if (c->tls_cert[0] != '\0') {
		s = load(c, err, sizeof err);
		if (s == NULL) {
			log_msg(LOG_ERR, "reload: %s; new sessions keep the "
				"previous TLS settings", err);
			return;
		}
	}
	tls_server_free(s_server);
	s_server = s;
	s_enabled = s != NULL;
	remember(c);
	log_msg(LOG_INFO, "reload: TLS %s for new sessions", s != NULL ?
		"settings loaded" : "switched off");
}

int
ftls_listen(const struct ftpd_conf *c, int *fds, size_t max, char *err,
	    size_t errlen)
{
	struct netaddr a;
	char shown[NETADDR_STRLEN];
	size_t n = 0;

	for (size_t i = 0; i < c->listen_implicit_tls.n; i++) {
		const char *spec = c->listen_implicit_tls.items[i];
		int fd;

		if (n == max || s_nimp == LISTENER_MAX_SOCKETS) {
			(void)snprintf(err, errlen, "too many listen addresses "
				       "(max %d)", LISTENER_MAX_SOCKETS);
			goto fail;
		}
		if (net_parse_listen(spec, &a) < 0) {
			(void)snprintf(err, errlen, "listen_implicit_tls: cannot "
				       "parse '%s'", spec);
			goto fail;
		}
		fd = net_listen(&a, 64);
		if (fd < 0) {
			(void)snprintf(err, errlen, "listen_implicit_tls on %s: %s",
				       spec, strerror(errno));
			goto fail;
		}
		if (net_local_addr(fd, &s_imp[s_nimp]) < 0)
			s_imp[s_nimp] = a;
		fds[n++] = fd;
		fprintf(stderr, "ftpd: listening on %s (implicit TLS)\n",
			net_ntop(&s_imp[s_nimp], shown, sizeof shown, 1));
		s_nimp++;
	}
	(void)fflush(stderr);
	return (int)n;
fail:
	while (n > 0)
		sys_close_failok(fds[--n]);
	s_nimp = 0;
	return -1;
}

static int
is_any(const struct netaddr *a)
{
	if (net_family(a) == AF_INET)
		return ((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr ==
		       htonl(INADDR_ANY);
	if (net_family(a) == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(
			&((const struct sockaddr_in6 *)&a->ss)->sin6_addr);
	return 0;
}

/* 1 if the accepted fd came in on an implicit-TLS listener: the same
 * port and family, and the listener's address or a wildcard. */
static int
fd_is_implicit(int fd)
{
	struct netaddr l;

	if (s_nimp == 0 || net_local_addr(fd, &l) < 0)
		return 0;
	for (size_t i = 0; i < s_nimp; i++)
		if (net_family(&s_imp[i]) == net_family(&l) &&
		    net_port(&s_imp[i]) == net_port(&l) &&
		    (is_any(&s_imp[i]) || net_same_host(&s_imp[i], &l)))
			return 1;
	return 0;
}

void
ftls_before_fork(int fd)
{
	char err[512];

	if (s_server != NULL) {
		/* A stat() of two files: cheap enough for every session. */
		switch (tls_server_reload(s_server, err, sizeof err)) {
		case 1:
			log_msg(LOG_INFO, "TLS: certificate files changed; new "
				"sessions use the new certificate");
			break;
		case -1:
			log_msg(LOG_ERR, "TLS: %s; new sessions keep the previous "
				"certificate", err);
			break;
		default:
			break;
		}
	}
	s_implicit = fd_is_implicit(fd);
}

int
ftls_enabled(void)
{
	return s_enabled;
}

int
ftls_implicit_session(void)
{
	return s_implicit;
}

struct tls_server *
ftls_server(void)
{
	return s_server;
}

void
ftls_drop_server(void)
{
	tls_server_free(s_server);
	s_server = NULL;
}
