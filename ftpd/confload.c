/* confload.c: the configuration loader that reports every error (see
 * confload.h).  The value parsing itself stays in lib/conf.c. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "confload.h"
#include "env.h"
#include "evlog.h"
#include "tls_session.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define CONFLOAD_DEFAULT SYSCONFDIR "/ftpd.conf"
#define CONFLOAD_MAX_LINE 4096	/* as lib/conf.c */
#define CONFLOAD_MAX_ROUNDS 64	/* re-runs of one cross-key check */

/* Where a key got its value: a file line, an -o option, or neither. */
struct origin {
	unsigned line;
	const char *option;
};

struct loader {
	const char *file;
	struct origin *orig;		/* one per row of ftpd_conf_keys */
	size_t nkeys;
	conf_report_fn report;
	void *arg;
	unsigned errors;
};

static void
report(struct loader *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
report(struct loader *l, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	l->report(l->arg, msg);
	l->errors++;
}

const char *
confload_file(const struct conf_source *src)
{
	if (src->file != NULL)
		return src->file;
	return access(CONFLOAD_DEFAULT, F_OK) == 0 ? CONFLOAD_DEFAULT : NULL;
}

static size_t
key_index(const char *name, size_t len)
{
	for (size_t i = 0; ftpd_conf_keys[i].name != NULL; i++)
		if (strlen(ftpd_conf_keys[i].name) == len &&
		    strncmp(ftpd_conf_keys[i].name, name, len) == 0)
			return i;
	return (size_t)-1;
}

/* The key a "key = value" text sets, if it names one. */
static size_t
key_of_setting(const char *text)
{
	const char *eq = strchr(text, '='), *e;

	if (eq == NULL)
		return (size_t)-1;
	text += strspn(text, " \t");
	for (e = eq; e > text && (e[-1] == ' ' || e[-1] == '\t'); e--)
		;
	return key_index(text, (size_t)(e - text));
}

static void
load_file(struct loader *l, struct ftpd_conf *conf)
{
	char reason[512], *line = NULL, *s, *e;
	size_t cap = 0, k;
	unsigned lineno = 0;
	ssize_t n;
	FILE *fp;

	fp = fopen(l->file, "re");
	if (fp == NULL) {
		report(l, "%s: %s", l->file, strerror(errno));
		return;
	}
	while ((n = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		if ((size_t)n > CONFLOAD_MAX_LINE) {
			report(l, "%s:%u: line too long (more than %d bytes)",
			       l->file, lineno, CONFLOAD_MAX_LINE);
			continue;
		}
		if (memchr(line, '\0', (size_t)n) != NULL) {
			report(l, "%s:%u: NUL byte in line", l->file, lineno);
			continue;
		}
		s = line + strspn(line, " \t");
		e = s + strlen(s);
		while (e > s && (e[-1] == '\n' || e[-1] == '\r' ||
				 e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		if (*s == '\0' || *s == '#')
			continue;
		if (conf_set_pair(ftpd_conf_keys, conf, s, reason,
				  sizeof reason) < 0) {
			report(l, "%s:%u: %s", l->file, lineno, reason);
			continue;
		}
		k = key_of_setting(s);
		if (k < l->nkeys) {
			l->orig[k].line = lineno;
			l->orig[k].option = NULL;
		}
	}
	if (ferror(fp))
		report(l, "%s: read error: %s", l->file, strerror(errno));
	free(line);
	(void)fclose(fp);
}

static void
load_overrides(struct loader *l, const struct conf_source *src,
	       struct ftpd_conf *conf)
{
	char reason[512];
	size_t k;

	for (size_t i = 0; i < src->noverrides; i++) {
		const char *o = src->overrides[i];

		if (conf_set_pair(ftpd_conf_keys, conf, o, reason,
				  sizeof reason) < 0) {
			report(l, "-o %s: %s", o, reason);
			continue;
		}
		k = key_of_setting(o);
		if (k < l->nkeys) {
			l->orig[k].line = 0;
			l->orig[k].option = o;
		}
	}
}

static int
word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* The keys a message names, in the order they appear; returns how many
 * were stored in out (at most max). */
static size_t
keys_named(const char *msg, size_t *out, size_t max)
{
	size_t n = 0;

	for (const char *p = msg; *p != '\0' && n < max; ) {
		const char *e = p;
		size_t k;

		while (word_char(*e))
			e++;
		if (e == p) {
			p++;
			continue;
		}
		k = key_index(p, (size_t)(e - p));
		if (k != (size_t)-1 && (p == msg || !word_char(p[-1])))
			out[n++] = k;
		p = e;
	}
	return n;
}

/* Reports a cross-key error where the key it names was set, then puts
 * every key it names that was set back to its default.  Returns the
 * number of keys reset (0: the check cannot be re-run usefully). */
static size_t
report_and_reset(struct loader *l, struct ftpd_conf *conf, const char *msg)
{
	size_t keys[8], n = keys_named(msg, keys, 8), reset = 0;
	const struct origin *where = NULL;
	char why[256];

	for (size_t i = 0; i < n && where == NULL; i++)
		if (l->orig[keys[i]].line > 0 || l->orig[keys[i]].option != NULL)
			where = &l->orig[keys[i]];
	if (where != NULL && where->line > 0)
		report(l, "%s:%u: %s", l->file, where->line, msg);
	else if (where != NULL)
		report(l, "-o %s: %s", where->option, msg);
	else
		report(l, "%s: %s", l->file != NULL ? l->file : "ftpd", msg);
	for (size_t i = 0; i < n; i++) {
		const struct conf_key *k = &ftpd_conf_keys[keys[i]];
		struct origin *o = &l->orig[keys[i]];

		if ((o->line == 0 && o->option == NULL) || k->type == CONF_ADDRS)
			continue;
		if (conf_set(ftpd_conf_keys, conf, k->name,
			     k->def != NULL ? k->def : "", why, sizeof why) < 0)
			continue;
		o->line = 0;
		o->option = NULL;
		reset++;
	}
	return reset;
}

typedef int (*check_fn)(struct ftpd_conf *c, char *err, size_t errlen);

static int
check_ops(struct ftpd_conf *c, char *err, size_t errlen)
{
	return confload_ops_check(c, err, errlen);
}

static int
check_env(struct ftpd_conf *c, char *err, size_t errlen)
{
	return env_check(c, err, errlen);
}

static const check_fn s_conf_checks[] = { ftpd_conf_check, check_ops };
/* Checks that look at the system, so that `ftpd -t` and SIGHUP both run
 * them (ftls_check loads the TLS certificate and key). */
static const check_fn s_system_checks[] = { check_env, ftls_check };

static void
run_check(struct loader *l, struct ftpd_conf *conf, check_fn fn)
{
	char err[768];

	for (int round = 0; round < CONFLOAD_MAX_ROUNDS; round++) {
		err[0] = '\0';
		if (fn(conf, err, sizeof err) == 0)
			return;
		if (report_and_reset(l, conf, err[0] != '\0' ? err :
				     "invalid configuration") == 0)
			return;
	}
}

unsigned
confload(const struct conf_source *src, int flags, struct ftpd_conf *conf,
	 conf_report_fn fn, void *arg)
{
	struct loader l;
	char err[512];

	memset(&l, 0, sizeof l);
	l.report = fn;
	l.arg = arg;
	l.file = confload_file(src);
	if (ftpd_conf_init(conf, err, sizeof err) < 0) {
		report(&l, "built-in defaults: %s", err);
		return l.errors;
	}
	while (ftpd_conf_keys[l.nkeys].name != NULL)
		l.nkeys++;
	l.orig = calloc(l.nkeys, sizeof *l.orig);
	if (l.orig == NULL) {
		report(&l, "out of memory");
		return l.errors;
	}
	if (l.file != NULL)
		load_file(&l, conf);
	load_overrides(&l, src, conf);
	for (size_t i = 0; i < sizeof s_conf_checks / sizeof s_conf_checks[0]; i++)
		run_check(&l, conf, s_conf_checks[i]);
	/* System checks on a configuration with errors would only add
	 * noise about values that were never set. */
	if ((flags & CONFLOAD_SYSTEM) && l.errors == 0)
		for (size_t i = 0;
		     i < sizeof s_system_checks / sizeof s_system_checks[0]; i++)
			run_check(&l, conf, s_system_checks[i]);
	free(l.orig);
	return l.errors;
}

static int
bad(char *err, size_t errlen, const char *msg, const char *key)
{
	snprintf(err, errlen, "%s: %s", key, msg);
	return -1;
}

int
confload_ops_check(const struct ftpd_conf *c, char *err, size_t errlen)
{
	const char *p;

	if (evlog_facility(c->syslog_facility) < 0) {
		snprintf(err, errlen, "syslog_facility: unknown facility '%s' "
			 "(ftp, daemon, auth, authpriv, user, local0..local7)",
			 c->syslog_facility);
		return -1;
	}
	if (c->syslog_ident[0] == '\0' || strlen(c->syslog_ident) > 32)
		return bad(err, errlen, "must be 1 to 32 characters",
			   "syslog_ident");
	for (p = c->syslog_ident; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return bad(err, errlen, "may not hold blanks or control "
				   "characters", "syslog_ident");
	if (c->json_log[0] != '\0' && c->json_log[0] != '/')
		return bad(err, errlen, "must be an absolute path", "json_log");
	if (c->status_dir[0] != '\0' && c->status_dir[0] != '/')
		return bad(err, errlen, "must be an absolute path", "status_dir");
	if (strcmp(c->auth_backend, "shadow") != 0 &&
	    strcmp(c->auth_backend, "pam") != 0) {
		snprintf(err, errlen, "auth_backend: '%s' is neither shadow nor "
			 "pam", c->auth_backend);
		return -1;
	}
	if (strcmp(c->auth_backend, "pam") == 0) {
#ifndef HAVE_PAM
		return bad(err, errlen, "pam: this ftpd was built without PAM "
			   "(configure --with-pam)", "auth_backend");
#endif
		if (!c->system_users)
			return bad(err, errlen, "pam checks system accounts: set "
				   "system_users = yes", "auth_backend");
	}
	if (c->pam_service[0] == '\0' ||
	    strspn(c->pam_service, "abcdefghijklmnopqrstuvwxyz"
		   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
	    strlen(c->pam_service) || c->pam_service[0] == '.')
		return bad(err, errlen, "must be a plain service name",
			   "pam_service");
	if (c->shutdown_timeout > 24 * 3600)
		return bad(err, errlen, "at most 24h", "shutdown_timeout");
	return 0;
}
