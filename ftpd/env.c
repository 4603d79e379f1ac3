/* env.c: one-time preparation in the daemon before it forks sessions
 * (accounts, the empty chroot folder, time zone, id cache, xferlog). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "env.h"
#include "idcache.h"
#include "userfile.h"
#include "sys.h"

static int
resolve_account(struct ftpd_account *a, const char *key, const char *name,
		char *err, size_t errlen)
{
	struct passwd *pw;

	memset(a, 0, sizeof *a);
	if (strlen(name) >= sizeof a->name) {
		snprintf(err, errlen, "%s: account name too long", key);
		return -1;
	}
	errno = 0;
	pw = getpwnam(name);
	if (pw == NULL) {
		snprintf(err, errlen, "%s: no such account '%s'", key, name);
		return -1;
	}
	/* SECURITY: the accounts sessions run as must not be root. */
	if (pw->pw_uid == 0 || pw->pw_gid == 0) {
		snprintf(err, errlen, "%s: account '%s' has uid or gid 0; "
			 "pick an unprivileged account", key, name);
		return -1;
	}
	snprintf(a->name, sizeof a->name, "%s", name);
	a->uid = pw->pw_uid;
	a->gid = pw->pw_gid;
	a->ok = 1;
	return 0;
}

/* The pre-login worker chroots here: a folder that root owns, nobody
 * else can write, and that holds nothing. */
static int
ensure_empty_dir(const char *path, char *err, size_t errlen)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	int fd, extra = 0;

	if (mkdir(path, 0555) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "empty_dir: cannot create %s: %s", path,
			 strerror(errno));
		return -1;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errlen, "empty_dir: cannot open %s: %s", path,
			 strerror(errno));
		if (fd >= 0)
			sys_close_failok(fd);
		return -1;
	}
	if (st.st_uid != 0 || (st.st_mode & 022) != 0) {
		sys_close_failok(fd);
		snprintf(err, errlen, "empty_dir: %s must be owned by root and "
			 "not writable by group or others", path);
		return -1;
	}
	if ((st.st_mode & 0200) != 0 && fchmod(fd, st.st_mode & 0555) < 0) {
		sys_close_failok(fd);
		snprintf(err, errlen, "empty_dir: chmod %s: %s", path,
			 strerror(errno));
		return -1;
	}
	d = fdopendir(fd);
	if (d == NULL) {
		sys_close_failok(fd);
		snprintf(err, errlen, "empty_dir: %s: %s", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			extra++;
	closedir(d);
	if (extra) {
		snprintf(err, errlen, "empty_dir: %s is not empty", path);
		return -1;
	}
	return 0;
}

int
env_prepare(struct ftpd_env *env, struct ftpd_conf *conf, char *err,
	    size_t errlen)
{
	const char *p;

	env->conf = conf;
	env->is_root = geteuid() == 0;
	env->xferlog_fd = -1;
	memset(&env->nopriv, 0, sizeof env->nopriv);
	memset(&env->anon, 0, sizeof env->anon);
	memset(&env->virt, 0, sizeof env->virt);
	if (env->is_root) {
		if (resolve_account(&env->nopriv, "nopriv_user",
				    conf->nopriv_user, err, errlen) < 0)
			return -1;
		if (conf->anon_enable &&
		    resolve_account(&env->anon, "anon_user", conf->anon_user,
				    err, errlen) < 0)
			return -1;
		if (conf->users_file[0] != '\0' &&
		    resolve_account(&env->virt, "virtual_user",
				    conf->virtual_user, err, errlen) < 0)
			return -1;
		if (ensure_empty_dir(conf->empty_dir, err, errlen) < 0)
			return -1;
	}
	/* Sessions run chrooted: load the zone and the names now. */
	tzset();
	idcache_build();
	p = conf->xferlog;
	if (p[0] != '\0') {
		env->xferlog_fd = open(p, O_WRONLY | O_APPEND | O_CREAT |
				       O_NOFOLLOW | O_CLOEXEC, 0640);
		if (env->xferlog_fd < 0) {
			snprintf(err, errlen, "xferlog: cannot open %s: %s", p,
				 strerror(errno));
			return -1;
		}
	}
	return 0;
}

int
env_check(const struct ftpd_conf *conf, char *err, size_t errlen)
{
	struct ftpd_account a;
	struct stat st;
	char uerr[256];

	/* Accounts matter only when sessions switch to them (as root). */
	if (geteuid() == 0) {
		if (resolve_account(&a, "nopriv_user", conf->nopriv_user, err,
				    errlen) < 0)
			return -1;
		if (conf->anon_enable &&
		    resolve_account(&a, "anon_user", conf->anon_user, err,
				    errlen) < 0)
			return -1;
		if (conf->users_file[0] != '\0' &&
		    resolve_account(&a, "virtual_user", conf->virtual_user,
				    err, errlen) < 0)
			return -1;
	}
	if (conf->users_file[0] != '\0' &&
	    userfile_check(conf->users_file, uerr, sizeof uerr) < 0) {
		snprintf(err, errlen, "users_file: %s", uerr);
		return -1;
	}
	/* A missing anonymous root only fails anonymous logins. */
	if (conf->anon_enable &&
	    (stat(conf->anon_root, &st) < 0 || !S_ISDIR(st.st_mode)))
		fprintf(stderr, "ftpd: warning: anon_root %s is not a folder; "
			"anonymous logins will fail\n", conf->anon_root);
	return 0;
}
