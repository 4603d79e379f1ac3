/* cmds_set.c: settings and local helpers: binary ascii type, the on/off
 * toggles, hash rate status help and the local shell (!). */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client.h"
#include "cmds.h"
#include "cmdtab.h"
#include "ftps.h"
#include "parse.h"
#include "progress.h"
#include "session.h"
#include "status.h"

static int
set_type(char t)
{
	ses->set.type = t;
	if (ses->cl.connected && ses->cl.logged_in)
		return client_type(&ses->cl, t);
	return ST_OK;
}

int
cmd_binary(int argc, char **argv)
{
	if (argc != 1)
		return cmd_usage(argv[0]);
	return set_type('I');
}

int
cmd_ascii(int argc, char **argv)
{
	if (argc != 1)
		return cmd_usage(argv[0]);
	return set_type('A');
}

int
cmd_type(int argc, char **argv)
{
	if (argc == 1) {
		printf("Using %s mode to transfer files.\n",
		       ses->set.type == 'A' ? "ascii" : "binary");
		return ST_OK;
	}
	if (argc != 2)
		return cmd_usage(argv[0]);
	if (strcasecmp(argv[1], "ascii") == 0 || strcasecmp(argv[1], "a") == 0)
		return set_type('A');
	if (strcasecmp(argv[1], "binary") == 0 ||
	    strcasecmp(argv[1], "image") == 0 || strcasecmp(argv[1], "i") == 0)
		return set_type('I');
	fprintf(stderr, "ftp: type: unknown type \"%s\" (ascii, binary or "
		"image)\n", argv[1]);
	return ST_USAGE;
}

/* The on/off settings, by command name. */
static int *
toggle_var(const char *name, const char **label)
{
	static const struct {
		const char *name;
		const char *label;
		size_t off;
	} tab[] = {
		{ "passive", "Passive mode", offsetof(struct settings, passive) },
		{ "epsv", "EPSV before PASV", offsetof(struct settings, epsv) },
		{ "prompt", "Interactive prompting", offsetof(struct settings, prompt) },
		{ "verbose", "Verbose mode", offsetof(struct settings, verbose) },
		{ "debug", "Debugging", offsetof(struct settings, debug) },
		{ "progress", "Progress bar", offsetof(struct settings, progress) },
		{ "verify", "Verification with HASH", offsetof(struct settings, verify) },
	};

	for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++) {
		if (strcmp(tab[i].name, name) == 0) {
			*label = tab[i].label;
			return (int *)((char *)&ses->set + tab[i].off);
		}
	}
	return NULL;
}

int
cmd_toggle(int argc, char **argv)
{
	const char *label = "";
	int *v = toggle_var(argv[0], &label);
	int on;

	if (!v || argc > 2)
		return cmd_usage(argv[0]);
	if (argc == 1) {
		on = !*v;
	} else if (parse_bool(argv[1], &on) < 0) {
		fprintf(stderr, "ftp: %s: say on or off\n", argv[0]);
		return ST_USAGE;
	}
	*v = on;
	if (strcmp(argv[0], "epsv") == 0 && on)
		ses->cl.epsv_broken = 0;	/* try it again */
	printf("%s %s.\n", label, on ? "on" : "off");
	return ST_OK;
}

int
cmd_hash(int argc, char **argv)
{
	uint64_t size;
	int on;

	if (argc > 2)
		return cmd_usage(argv[0]);
	if (argc == 1) {
		ses->set.hash = !ses->set.hash;
	} else if (parse_bool(argv[1], &on) == 0) {
		ses->set.hash = on;
	} else if (parse_size(argv[1], &size) == 0 && size > 0 &&
		   size <= 1024 * 1024 * 1024) {
		ses->set.hash = 1;
		ses->set.hash_size = (unsigned)size;
	} else {
		return cmd_usage(argv[0]);
	}
	printf("Hash mark printing %s", ses->set.hash ? "on" : "off");
	if (ses->set.hash)
		printf(" (%u bytes/hash mark)", ses->set.hash_size);
	printf(".\n");
	return ST_OK;
}

static void
show_rate(const char *dir, uint64_t r)
{
	char b[32];

	if (r == 0) {
		printf("%s rate: unlimited\n", dir);
		return;
	}
	progress_fmt_bytes(b, sizeof b, (double)r);
	printf("%s rate: %s/s\n", dir, b);
}

int
cmd_rate(int argc, char **argv)
{
	int g = 1, p = 1, i = 1;
	uint64_t r;

	if (argc > 3)
		return cmd_usage(argv[0]);
	if (argc > 1 && (strcmp(argv[1], "get") == 0 ||
			 strcmp(argv[1], "put") == 0 ||
			 strcmp(argv[1], "all") == 0)) {
		g = argv[1][0] != 'p';
		p = argv[1][0] != 'g';
		i = 2;
	}
	if (i < argc) {
		if (strcmp(argv[i], "off") == 0 || strcmp(argv[i], "0") == 0) {
			r = 0;
		} else if (parse_size(argv[i], &r) < 0) {
			fprintf(stderr, "ftp: rate: bad rate \"%s\" (bytes per "
				"second, K/M/G suffix, or off)\n", argv[i]);
			return ST_USAGE;
		}
		if (g)
			ses->set.rate_get = r;
		if (p)
			ses->set.rate_put = r;
	}
	if (g)
		show_rate("get", ses->set.rate_get);
	if (p)
		show_rate("put", ses->set.rate_put);
	return ST_OK;
}

static const char *
onoff(int v)
{
	return v ? "on" : "off";
}

int
cmd_status(int argc, char **argv)
{
	const struct settings *s = &ses->set;
	struct ftp_client *c = &ses->cl;

	if (argc != 1)
		return cmd_usage(argv[0]);
	if (c->connected) {
		char a[NETADDR_STRLEN];

		printf("Connected to %s (%s)%s.\n", c->host,
		       net_ntop(&c->peer, a, sizeof a, 1),
		       c->logged_in ? ", logged in" : ", not logged in");
		if (c->feat_known)
			printf("Server features: %d listed%s%s%s%s\n", c->nfeat,
			       client_has(c, "MLSD") ? ", MLSD" : "",
			       client_has(c, "MFMT") ? ", MFMT" : "",
			       client_has(c, "REST") ? ", REST STREAM" : "",
			       client_has(c, "UTF8") ? ", UTF8" : "");
		ftps_show(c, stdout);
	} else {
		printf("Not connected.\n");
	}
	printf("Transfer type: %s.\n", s->type == 'A' ? "ascii" : "binary");
	printf("Passive mode: %s; EPSV: %s%s.\n", onoff(s->passive),
	       onoff(s->epsv), c->epsv_broken ? " (refused by server)" : "");
	printf("Verbose: %s; debugging: %s; prompting: %s; globbing: %s.\n",
	       onoff(s->verbose), onoff(s->debug), onoff(s->prompt),
	       onoff(s->glob));
	printf("Hash marks: %s; progress bar: %s.\n", onoff(s->hash),
	       onoff(s->progress));
	show_rate("get", s->rate_get);
	show_rate("put", s->rate_put);
	printf("Parallel connections: %d.\n", s->parallel);
	printf("Verification: %s%s.\n", onoff(s->verify),
	       !s->verify || !c->feat_known ? "" :
	       client_has(c, "HASH") ? " (the server has HASH)" :
	       " (the server has no HASH: not checked)");
	return ST_OK;
}

int
cmd_help(int argc, char **argv)
{
	if (argc == 1) {
		int col = 0;

		printf("Commands (unique prefixes work; `help COMMAND` for "
		       "details):\n");
		for (size_t i = 0; i < cmdtab_len; i++) {
			printf("%-12s", cmdtab[i].name);
			if (++col == 6) {
				putchar('\n');
				col = 0;
			}
		}
		if (col)
			putchar('\n');
		return ST_OK;
	}
	for (int i = 1; i < argc; i++) {
		int amb;
		const struct cmd *c = cmd_lookup(argv[i], &amb);

		if (!c) {
			fprintf(stderr, "?%s help command: %s\n",
				amb ? "Ambiguous" : "Invalid", argv[i]);
			return ST_USAGE;
		}
		printf("%-12s%s\n", c->name, c->help);
		printf("usage: %s%s%s\n", c->name, c->usage[0] ? " " : "",
		       c->usage);
	}
	return ST_OK;
}

int
cmd_shell(int argc, char **argv)
{
	const char *sh = getenv("SHELL");
	pid_t pid;
	int wst;

	if (!sh || !*sh)
		sh = "/bin/sh";
	(void)fflush(stdout);
	(void)fflush(stderr);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "ftp: !: %s\n", strerror(errno));
		return ST_OTHER;
	}
	if (pid == 0) {
		if (argc > 1)
			execl(sh, sh, "-c", argv[1], (char *)NULL);
		else
			execl(sh, sh, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &wst, 0) < 0)
		if (errno != EINTR)
			return ST_OTHER;
	return WIFEXITED(wst) && WEXITSTATUS(wst) == 0 ? ST_OK : ST_OTHER;
}
