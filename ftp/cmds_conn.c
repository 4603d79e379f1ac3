/* cmds_conn.c: open, close, user, quit, and auto-login (netrc). */
#include "config.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "cmdloop.h"
#include "cmds.h"
#include "cmdtab.h"
#include "complete.h"
#include "fetch.h"
#include "netrc.h"
#include "session.h"
#include "status.h"
#include "url.h"

#define RETRY_TRIES 10

static void
run_macro(const char *body)
{
	const char *p = body;

	while (p && *p && !ses->quit) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *line = strndup(p, n);

		if (!line)
			return;
		if (ses->set.verbose)
			printf("%s\n", line);
		(void)cmdloop_execute(line);
		free(line);
		p = nl ? nl + 1 : NULL;
	}
}

static char *
local_user(void)
{
	const char *u = getenv("USER");
	struct passwd *pw;

	if (u && *u)
		return strdup(u);
	pw = getpwuid(getuid());
	return pw ? strdup(pw->pw_name) : NULL;
}

static int
autologin(const char *host, const char *user, const char *pass)
{
	struct netrc_entry ne;
	char *asked = NULL;
	int st;

	memset(&ne, 0, sizeof ne);
	if (!user && !ses->set.anonymous)
		(void)netrc_lookup(ses->set.netrc, host, &ne);
	if (!user && ne.found && ne.login) {
		user = ne.login;
		if (!pass)
			pass = ne.password;
	}
	if (!user && (ses->set.anonymous || ses->set.anon_fallback))
		user = "anonymous";
	if (!user) {
		char prompt[512], *me = local_user();

		(void)snprintf(prompt, sizeof prompt, "Name (%s:%s):", host,
			       me ? me : "");
		asked = cmdloop_ask(prompt, 1);
		if (asked && !asked[0] && me) {
			free(asked);
			asked = strdup(me);
		}
		free(me);
		if (!asked) {
			fprintf(stderr, "ftp: login: no user name given\n");
			netrc_free(&ne);
			return ST_LOGIN;
		}
		user = asked;
	}
	if (!pass && (strcmp(user, "anonymous") == 0 ||
		      strcmp(user, "ftp") == 0)) {
		const char *ap = getenv("FTPANONPASS");

		pass = ap && *ap ? ap : "anonymous@";
	}
	st = client_login(&ses->cl, user, pass, ne.found ? ne.account : NULL,
			  cmdloop_ask);
	if (st == ST_OK && ne.found && ne.init)
		run_macro(ne.init);
	free(asked);
	netrc_free(&ne);
	return st;
}

int
session_open(const char *host, const char *port, const char *user,
	     const char *pass, int autolog, int tls)
{
	int st = ST_NET, tries = ses->set.retry_secs ? RETRY_TRIES : 1;

	complete_invalidate();
	ses->cl.tls_mode = tls;
	ses->cl.tls_pin[0] = '\0';
	for (int i = 0; i < tries; i++) {
		if (i > 0) {
			fprintf(stderr, "ftp: retrying in %u seconds\n",
				ses->set.retry_secs);
			(void)sleep(ses->set.retry_secs);
		}
		st = client_connect(&ses->cl, host, port, ses->set.family);
		if (st != ST_NET)
			break;
	}
	if (st != ST_OK || !autolog)
		return st;
	return autologin(host, user, pass);
}

/* open [--tls] host [port] | open [--tls] ftp[e]s://host[:port][/dir] */
int
cmd_open(int argc, char **argv)
{
	const char *port = ses->set.port;
	int tls = ses->set.tls, i = 1;

	if (argc > 1 && strcmp(argv[1], "--tls") == 0) {
		tls = 1;
		i++;
	}
	if (argc - i < 1 || argc - i > 2)
		return cmd_usage(argv[0]);
	if (ses->cl.connected) {
		fprintf(stderr, "ftp: already connected to %s; use `close` "
			"first\n", ses->cl.host);
		return ST_OTHER;
	}
	if (url_is_ftp(argv[i])) {
		if (argc - i != 1)
			return cmd_usage(argv[0]);
		return fetch_open_folder(argv[i], tls);
	}
	if (argc - i == 2)
		port = argv[i + 1];
	return session_open(argv[i], port, NULL, NULL, ses->set.autologin,
			    tls ? FTPS_EXPLICIT : FTPS_NONE);
}

int
cmd_close(int argc, char **argv)
{
	if (argc != 1)
		return cmd_usage(argv[0]);
	client_close(&ses->cl, 1);
	complete_invalidate();
	return ST_OK;
}

int
cmd_user(int argc, char **argv)
{
	if (argc < 2 || argc > 4)
		return cmd_usage(argv[0]);
	complete_invalidate();
	return client_login(&ses->cl, argv[1], argc > 2 ? argv[2] : NULL,
			    argc > 3 ? argv[3] : NULL, cmdloop_ask);
}

int
cmd_quit(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (ses->cl.connected)
		client_close(&ses->cl, 1);
	ses->quit = 1;
	return ST_OK;
}
