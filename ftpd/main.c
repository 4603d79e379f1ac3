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

#include "activation.h"
#include "conf.h"
#include "confload.h"
#include "env.h"
#include "evlog.h"
#include "lifecycle.h"
#include "listener.h"
#include "log.h"
#include "monitor.h"
#include "proxyhdr.h"
#include "status.h"
#include "sys.h"
#include "tls_session.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define DEFAULT_CONF SYSCONFDIR "/ftpd.conf"

/* GNU style: --help to stdout, exit 0; a usage error names --help. */
static void
usage(FILE *fp)
{
	fprintf(fp,
		"Usage: ftpd [OPTION]...\n"
		"FTP server: a standalone daemon (default), one inetd session "
		"(-i),\nor a service started by systemd socket activation.\n"
		"\n"
		"  -f FILE         configuration file (default %s if present)\n"
		"  -o KEY=VALUE    override a configuration key (repeatable)\n"
		"  -i              inetd mode: one session on stdin/stdout\n"
		"  -D              detach (daemonize); logs go to syslog\n"
		"  -t              check the configuration, report every error, "
		"exit\n"
		"  -d              debug logging\n"
		"      --who       list the sessions of the running ftpd\n"
		"      --help      display this help and exit\n"
		"      --version   output version information and exit\n"
		"\n"
		"Signals: SIGHUP reloads the configuration for new sessions, "
		"SIGUSR1 reopens\nthe log files, SIGTERM stops accepting and "
		"lets transfers finish.\n"
		"\nConfiguration keys (key = default):\n", DEFAULT_CONF);
	for (const struct conf_key *k = ftpd_conf_keys; k->name != NULL; k++)
		fprintf(fp, "  %-16s = %-16s %s\n", k->name,
			k->def != NULL ? k->def : "", k->help);
	fprintf(fp, "\nSee ftpd(8) and ftpd.conf(5) for the full "
		"documentation.\n");
}

static void
version(void)
{
	printf("ftpd (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
#ifdef HAVE_PAM
	printf("Built with PAM support (auth_backend = pam).\n");
#else
	printf("Built without PAM support.\n");
#endif
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
	int inetd, detach, check, debug, who;
};

static int
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "who", no_argument, NULL, 'W' },
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
			version();
			exit(0);
		case 'W':
			o->who = 1;
			break;
		default:
			fprintf(stderr, "Try 'ftpd --help' for more "
				"information.\n");
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "ftpd: unexpected argument '%s'\n"
			"Try 'ftpd --help' for more information.\n", argv[optind]);
		return -1;
	}
	return 0;
}

static void
report_stderr(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "%s\n", msg);
}

/* File, then -o overrides, then the checks (with -t also those that look
 * at the system); every error is printed (confload.h).  0 or -1. */
static int
load_config(const struct options *o, struct ftpd_conf *conf)
{
	struct conf_source src = { o->conf_file, o->overrides, o->noverrides };

	return confload(&src, o->check ? CONFLOAD_SYSTEM : 0, conf,
			report_stderr, NULL) == 0 ? 0 : -1;
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
	if (r == 0) {
		struct conf_source src = { o.conf_file, o.overrides,
					   o.noverrides };

		lifecycle_setup(&src, &env, o.detach || o.inetd);
	}
	free(o.overrides);
	if (r < 0) {
		ftpd_conf_free(&conf);
		return 1;
	}
	if (o.check) {
		/* load_config ran every check, including the system ones. */
		fprintf(stderr, "ftpd: configuration OK\n");
		ftpd_conf_free(&conf);
		return 0;
	}
	if (o.who) {
		r = status_who(&conf, stdout, stderr);
		ftpd_conf_free(&conf);
		return r;
	}
	/* inetd owns stderr too (often the socket): log to syslog there. */
	evlog_syslog_init(&conf, conf.syslog || o.detach || o.inetd);
	log_set_level(o.debug ? LOG_DEBUG : LOG_INFO);
	(void)signal(SIGPIPE, SIG_IGN);
	if (lifecycle_prepare(&env, &conf, err, sizeof err) < 0) {
		if (conf.syslog || o.detach || o.inetd)
			log_msg(LOG_ERR, "%s", err);
		if (!o.inetd)
			fprintf(stderr, "ftpd: %s\n", err);
		return 1;
	}
	env.debug = o.debug;
	env.inetd = o.inetd;
	/* TLS: certificate and key are read once, here (tls_session.h). */
	if (ftls_init(&conf, err, sizeof err) < 0) {
		if (conf.syslog || o.detach || o.inetd)
			log_msg(LOG_ERR, "%s", err);
		if (!o.inetd)
			fprintf(stderr, "ftpd: %s\n", err);
		return 1;
	}
	/* proxy_protocol: the header comes first (proxyhdr.h). */
	if (o.inetd && (r = proxyhdr_inetd(&env, 0)) != 0)
		return r < 0 ? 1 : 0;
	if (o.inetd)
		return monitor_run(&env, 0, 1);
	/* Sockets from the service manager replace `listen`. */
	n = activation_listen_fds(lfds, LISTENER_MAX_SOCKETS, err, sizeof err);
	if (n == 0)
		n = listener_open(&conf, lfds, LISTENER_MAX_SOCKETS, err,
				  sizeof err);
	if (n >= 0) {
		r = ftls_listen(&conf, lfds + n, LISTENER_MAX_SOCKETS - (size_t)n,
				err, sizeof err);
		n = r < 0 ? r : n + r;
	}
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
	activation_notify("READY=1");
	r = listener_run(&env, lfds, (size_t)n);
	ftpd_conf_free(&conf);
	return r;
}
