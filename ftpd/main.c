/* main.c: ftpd's command line (options, config loading, -t), then either
 * one inetd session on stdin/stdout or the listening daemon. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "env.h"
#include "listener.h"
#include "log.h"
#include "monitor.h"
#include "sys.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define DEFAULT_CONF SYSCONFDIR "/ftpd.conf"

static void
usage(FILE *fp)
{
	fprintf(fp,
		"usage: ftpd [-f FILE] [-o key=value]... [-i] [-D] [-t] [-d]\n"
		"  -f FILE       configuration file (default %s if present)\n"
		"  -o key=value  override a configuration key (repeatable)\n"
		"  -i            inetd mode: one session on stdin/stdout\n"
		"  -D            detach (daemonize); logs go to syslog\n"
		"  -t            check the configuration and exit\n"
		"  -d            debug logging\n"
		"  --help, --version\n"
		"\nconfiguration keys (key = default):\n", DEFAULT_CONF);
	for (const struct conf_key *k = ftpd_conf_keys; k->name != NULL; k++)
		fprintf(fp, "  %-16s = %-16s %s\n", k->name,
			k->def != NULL ? k->def : "", k->help);
}

static int
daemonize(void)
{
	pid_t pid;
	int fd;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (chdir("/") < 0)
		return -1;
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		return -1;
	if (fd > 2)
		sys_close_failok(fd);
	return 0;
}

struct options {
	const char *conf_file;
	int conf_explicit;
	const char **overrides;
	size_t noverrides;
	int inetd, detach, check, debug;
};

static int
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	memset(o, 0, sizeof *o);
	o->overrides = calloc((size_t)argc + 1, sizeof *o->overrides);
	if (o->overrides == NULL)
		return -1;
	while ((ch = getopt_long(argc, argv, "f:o:iDtd", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			o->conf_file = optarg;
			o->conf_explicit = 1;
			break;
		case 'o':
			o->overrides[o->noverrides++] = optarg;
			break;
		case 'i':
			o->inetd = 1;
			break;
		case 'D':
			o->detach = 1;
			break;
		case 't':
			o->check = 1;
			break;
		case 'd':
			o->debug = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("ftpd (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "ftpd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return -1;
	}
	return 0;
}

/* File, then -o overrides, then the cross-key checks.  0 or -1 (printed). */
static int
load_config(const struct options *o, struct ftpd_conf *conf)
{
	const char *file = o->conf_file;
	char err[512];

	if (ftpd_conf_init(conf, err, sizeof err) < 0) {
		fprintf(stderr, "ftpd: built-in defaults: %s\n", err);
		return -1;
	}
	if (file == NULL && access(DEFAULT_CONF, F_OK) == 0)
		file = DEFAULT_CONF;
	if (file != NULL &&
	    conf_load_file(ftpd_conf_keys, conf, file, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	for (size_t i = 0; i < o->noverrides; i++)
		if (conf_set_pair(ftpd_conf_keys, conf, o->overrides[i], err,
				  sizeof err) < 0) {
			fprintf(stderr, "-o %s: %s\n", o->overrides[i], err);
			return -1;
		}
	if (ftpd_conf_check(conf, err, sizeof err) < 0) {
		fprintf(stderr, "%s: %s\n", file != NULL ? file : "ftpd", err);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static struct ftpd_conf conf;
	static struct ftpd_env env;
	struct options o;
	int lfds[LISTENER_MAX_SOCKETS], n, r;
	char err[512];

	if (parse_options(argc, argv, &o) < 0) {
		free(o.overrides);
		return 2;
	}
	r = load_config(&o, &conf);
	free(o.overrides);
	if (r < 0) {
		ftpd_conf_free(&conf);
		return 1;
	}
	if (o.check) {
		r = env_check(&conf, err, sizeof err);
		if (r < 0)
			fprintf(stderr, "%s: %s\n", o.conf_file != NULL ?
				o.conf_file : "ftpd", err);
		else
			fprintf(stderr, "ftpd: configuration OK\n");
		ftpd_conf_free(&conf);
		return r < 0 ? 1 : 0;
	}
	/* inetd owns stderr too (often the socket): log to syslog there. */
	log_init("ftpd", conf.syslog || o.detach || o.inetd, LOG_FTP);
	log_set_level(o.debug ? LOG_DEBUG : LOG_INFO);
	(void)signal(SIGPIPE, SIG_IGN);
	if (env_prepare(&env, &conf, err, sizeof err) < 0) {
		if (conf.syslog || o.detach || o.inetd)
			log_msg(LOG_ERR, "%s", err);
		if (!o.inetd)
			fprintf(stderr, "ftpd: %s\n", err);
		return 1;
	}
	env.debug = o.debug;
	env.inetd = o.inetd;
	if (o.inetd)
		return monitor_run(&env, 0, 1);
	n = listener_open(&conf, lfds, LISTENER_MAX_SOCKETS, err, sizeof err);
	if (n < 0) {
		fprintf(stderr, "ftpd: %s\n", err);
		return 1;
	}
	if (o.detach && daemonize() < 0) {
		fprintf(stderr, "ftpd: cannot detach: %s\n", strerror(errno));
		return 1;
	}
	log_msg(LOG_INFO, "started (%s, pid %d)", env.is_root ?
		"as root: sessions are chrooted and drop privileges" :
		"unprivileged: no chroot, sessions run as this user",
		(int)getpid());
	r = listener_run(&env, lfds, (size_t)n);
	ftpd_conf_free(&conf);
	return r;
}
