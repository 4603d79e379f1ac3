/* lifecycle.c: preparing, reloading and reopening (see lifecycle.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifecycle.h"
#include "activation.h"
#include "evlog.h"
#include "log.h"
#include "status.h"
#include "sys.h"
#include "tls_session.h"

static struct {
	struct conf_source src;
	const char **overrides;		/* our copy of the -o list */
	struct ftpd_env *env;
	int force_syslog;
} s_life;

int
lifecycle_prepare(struct ftpd_env *env, struct ftpd_conf *conf, char *err,
		  size_t errlen)
{
	char why[512];

	if (env_prepare(env, conf, err, errlen) < 0)
		return -1;
	if (evlog_open(conf, err, errlen) < 0) {
		if (env->xferlog_fd >= 0)
			sys_close_failok(env->xferlog_fd);
		env->xferlog_fd = -1;
		return -1;
	}
	/* --who is a convenience: sessions run without it. */
	if (status_prepare(conf, why, sizeof why) < 0)
		log_msg(LOG_WARNING, "%s; ftpd --who will not list sessions",
			why);
	return 0;
}

void
lifecycle_setup(const struct conf_source *src, struct ftpd_env *env,
		int force_syslog)
{
	s_life.src = *src;
	s_life.overrides = calloc(src->noverrides + 1, sizeof *s_life.overrides);
	if (s_life.overrides != NULL && src->noverrides > 0)
		memcpy(s_life.overrides, src->overrides,
		       src->noverrides * sizeof *s_life.overrides);
	s_life.src.overrides = s_life.overrides;
	if (s_life.overrides == NULL)
		s_life.src.noverrides = 0;
	s_life.env = env;
	s_life.force_syslog = force_syslog;
}

static void
report_log(void *arg, const char *msg)
{
	(void)arg;
	log_msg(LOG_ERR, "reload: %s", msg);
}

static int
same_listen(const struct conf_list *a, const struct conf_list *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->items[i], b->items[i]) != 0)
			return 0;
	return 1;
}

int
lifecycle_reload(void)
{
	struct ftpd_env *env = s_life.env, fresh;
	struct ftpd_conf *conf;
	const char *file = confload_file(&s_life.src);
	unsigned errors;
	char err[512];
	int old_xferlog;

	if (env == NULL)
		return -1;
	activation_notify("RELOADING=1");
	log_msg(LOG_INFO, "SIGHUP: reloading %s", file != NULL ? file :
		"the built-in defaults and -o options");
	conf = calloc(1, sizeof *conf);
	if (conf == NULL) {
		log_msg(LOG_ERR, "reload: out of memory; configuration kept");
		activation_notify("READY=1");
		return -1;
	}
	errors = confload(&s_life.src, CONFLOAD_SYSTEM, conf, report_log, NULL);
	memset(&fresh, 0, sizeof fresh);
	fresh.xferlog_fd = -1;
	if (errors == 0 && lifecycle_prepare(&fresh, conf, err, sizeof err) < 0) {
		log_msg(LOG_ERR, "reload: %s", err);
		errors = 1;
	}
	if (errors > 0) {
		log_msg(LOG_ERR, "reload failed (%u error%s); new sessions keep "
			"the running configuration", errors,
			errors == 1 ? "" : "s");
		ftpd_conf_free(conf);
		free(conf);
		activation_notify("READY=1");
		return -1;
	}
	if (!activation_active() && !same_listen(&conf->listen, &env->conf->listen))
		log_msg(LOG_WARNING, "reload: listen changed; the sockets stay "
			"as they are until ftpd is restarted");
	/* Commit: the new values move into the objects the listener and
	 * future sessions point at.  TLS: release what the old env holds
	 * (e.g. a server context) here. */
	old_xferlog = env->xferlog_fd;
	fresh.debug = env->debug;
	fresh.inetd = env->inetd;
	ftpd_conf_free(env->conf);
	*env->conf = *conf;
	free(conf);
	fresh.conf = env->conf;
	*env = fresh;
	if (old_xferlog >= 0 && old_xferlog != env->xferlog_fd)
		sys_close_failok(old_xferlog);
	evlog_syslog_init(env->conf, s_life.force_syslog || env->conf->syslog);
	ftls_reconfigure(env->conf);	/* tls_cert/tls_key/tls_ciphers */
	log_msg(LOG_INFO, "reload: new sessions use the new configuration");
	activation_notify("READY=1");
	return 0;
}

void
lifecycle_reopen(void)
{
	if (s_life.env == NULL)
		return;
	evlog_reopen(s_life.env);
	log_msg(LOG_INFO, "SIGUSR1: log files reopened");
}
