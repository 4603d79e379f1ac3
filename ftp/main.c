/* main.c: ftp(1): options, auto-fetch and upload, or a session driven by
 * the command loop (interactive on a terminal, batch otherwise).
 *
 * Exit status (also in `ftp --help` and ftp(1)):
 *   0 all done, 1 other failure, 2 login refused, 3 not found or
 *   permission denied, 4 network or timeout, 5 TLS/certificate,
 *   6 verification failed, 64 usage, 130 interrupted in batch mode;
 *   with several failures, the first one's status. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "client.h"
#include "cmdloop.h"
#include "cmds.h"
#include "fetch.h"
#include "ftps.h"
#include "intr.h"
#include "manifest.h"
#include "session.h"
#include "status.h"
#include "url.h"

static void
apply_options(const struct cli *o, struct settings *s)
{
	s->verbose = o->verbose >= 0 ? o->verbose : s->interactive;
	s->debug = o->debug;
	if (o->debug)
		s->verbose = 1;
	s->prompt = !o->no_prompt;
	s->glob = !o->noglob;
	s->noedit = o->noedit;
	if (o->passive >= 0)
		s->passive = o->passive;
	s->family = o->family;
	s->autologin = !o->no_autologin;
	s->anonymous = o->anonymous;
	s->netrc = o->netrc;
	if (o->port)
		s->port = o->port;
	s->retry_secs = o->retry_secs;
	s->rate_get = o->rate_get;
	s->rate_put = o->rate_put;
	s->stop_on_error = o->stop_on_error;
	if (o->verify >= 0)
		s->verify = o->verify;
	if (o->parallel)
		s->parallel = o->parallel;
	if (o->stall_secs)
		s->data_timeout_ms = o->stall_secs * 1000;
	s->tls = o->tls;
	s->insecure = o->insecure;
	s->cacert = o->cacert;
	s->fingerprint = o->fingerprint;
	s->known_hosts = o->known_hosts;
	/* batch mode: no bars; a terminal on stderr still gets them for
	 * auto-fetch (decided in main) */
	s->progress = !o->quiet && s->interactive;
}

static int
finish(int st)
{
	if (ses->cl.connected)
		client_close(&ses->cl, 1);
	client_free(&ses->cl);
	ftps_cleanup();
	session_record(st);
	(void)fflush(stdout);
	return ses->first_status;
}

int
main(int argc, char **argv)
{
	static struct session s;
	struct cli o;
	char err[256];
	FILE *script = NULL;
	int st = ST_OK;

	session_init(&s);
	if (cli_parse(argc, argv, &o, err, sizeof err) < 0) {
		fprintf(stderr, "ftp: %s\nTry `ftp --help' for more "
			"information.\n", err);
		cli_free(&o);
		return ST_USAGE;
	}
	if (o.help) {
		cli_usage(stdout);
		cli_free(&o);
		return ST_OK;
	}
	if (o.version) {
		printf("ftp (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
		cli_free(&o);
		return ST_OK;
	}
	intr_init();
	s.set.interactive = !o.script && isatty(STDIN_FILENO);
	apply_options(&o, &s.set);

	/* auto-fetch and upload use the same exit table */
	if (o.upload_url) {
		s.set.progress = !o.quiet;
		st = fetch_upload(o.upload_url, o.args, o.nargs);
		cli_free(&o);
		return finish(st);
	}
	if (o.manifest) {
		if (!url_is_ftp(o.args[0])) {
			fprintf(stderr, "ftp: %s: not an ftp://, ftps:// or "
				"ftpes:// URL\n", o.args[0]);
			cli_free(&o);
			return ST_USAGE;
		}
		if (o.verbose < 0)
			s.set.verbose = 0;
		st = manifest_run(o.manifest, o.results, o.args[0],
				  s.set.parallel);
		cli_free(&o);
		return finish(st);
	}
	if (o.nargs > 0 && url_is_ftp(o.args[0])) {
		for (int i = 1; i < o.nargs; i++) {
			if (!url_is_ftp(o.args[i])) {
				fprintf(stderr, "ftp: %s: not an ftp://, ftps:// "
					"or ftpes:// URL\n", o.args[i]);
				cli_free(&o);
				return ST_USAGE;
			}
		}
		if (!(o.nargs == 1 && fetch_is_folder(o.args[0]) && !o.outfile)) {
			s.set.progress = !o.quiet;
			if (o.verbose < 0)
				s.set.verbose = 0;
			st = fetch_urls(o.args, o.nargs, o.outfile, o.resume);
			cli_free(&o);
			return finish(st);
		}
	} else if (o.outfile) {
		fprintf(stderr, "ftp: -o is for auto-fetching URLs\n");
		cli_free(&o);
		return ST_USAGE;
	}

	if (o.script) {
		script = fopen(o.script, "re");
		if (!script) {
			fprintf(stderr, "ftp: %s: %s\n", o.script, strerror(errno));
			cli_free(&o);
			return status_from_errno(errno) == ST_NOTFOUND ?
				ST_NOTFOUND : ST_OTHER;
		}
	}
	if (!s.set.interactive || s.set.noedit)
		s.batch_in = script ? script : stdin;

	if (o.nargs > 0 && url_is_ftp(o.args[0])) {
		st = fetch_open_folder(o.args[0], s.set.tls);
	} else if (o.nargs > 2) {
		fprintf(stderr, "ftp: too many arguments\nTry `ftp --help' for "
			"more information.\n");
		cli_free(&o);
		if (script)
			(void)fclose(script);
		return ST_USAGE;
	} else if (o.nargs > 0) {
		st = session_open(o.args[0], o.nargs > 1 ? o.args[1] : s.set.port,
				  NULL, NULL, s.set.autologin,
				  s.set.tls ? FTPS_EXPLICIT : FTPS_NONE);
	}
	session_record(st);
	if (st != ST_OK && s.set.stop_on_error)
		s.quit = 1;

	if (!s.quit) {
		if (s.set.interactive && !s.set.noedit)
			cmdloop_interactive();
		else
			cmdloop_batch(script ? script : stdin);
	}
	if (script)
		(void)fclose(script);
	cli_free(&o);
	return finish(ST_OK);
}
