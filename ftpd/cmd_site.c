/* cmd_site.c: SITE and its own small table (HELP, CHMOD).  CHMOD changes
 * the mode through a descriptor of the file itself, opened with
 * O_NOFOLLOW beneath a confined parent, and refuses symlinks. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmds.h"
#include "path.h"
#include "session.h"
#include "vfs.h"
#include "sys.h"

struct site_cmd {
	const char *name;
	void (*handler)(struct session *s, const char *arg);
	int write;		/* changes the file system */
	const char *help;
};

static void site_help(struct session *s, const char *arg);
static void site_chmod(struct session *s, const char *arg);

static const struct site_cmd s_site[] = {
	{ "CHMOD", site_chmod, 1, "CHMOD <sp> mode <sp> path (octal, e.g. 644)" },
	{ "HELP", site_help, 0, "HELP (this list)" },
};

static void
site_help(struct session *s, const char *arg)
{
	struct buf b = BUF_INIT(1024);

	(void)buf_puts(&b, "SITE commands:\n");
	for (size_t i = 0; i < sizeof s_site / sizeof s_site[0]; i++)
		(void)buf_printf(&b, " %s\n", s_site[i].help);
	(void)buf_puts(&b, "End of SITE help.");
	reply_buf(s, 214, &b);
	buf_free(&b);
}

/* Opens the entry itself (not a symlink, not a device or FIFO) for
 * fchmod.  Returns fd, or -1 with errno. */
static int
open_for_chmod(int dfd, const char *name)
{
	struct stat st, st2;
	int fd;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	if (S_ISLNK(st.st_mode)) {
		errno = ELOOP;
		return -1;
	}
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		errno = EPERM;
		return -1;
	}
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
		    O_CLOEXEC);
	if (fd < 0 && errno == EACCES && S_ISREG(st.st_mode))
		fd = openat(dfd, name, O_WRONLY | O_NOFOLLOW | O_NONBLOCK |
			    O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* It must still be the entry we checked. */
	if (fstat(fd, &st2) < 0 || st2.st_ino != st.st_ino ||
	    st2.st_dev != st.st_dev) {
		sys_close_failok(fd);
		errno = EAGAIN;
		return -1;
	}
	return fd;
}

static void
site_chmod(struct session *s, const char *arg)
{
	struct buf vp = BUF_INIT(PATH_MAX_VIRTUAL);
	char name[256];
	const char *sp = arg != NULL ? strchr(arg, ' ') : NULL;
	unsigned mode = 0;
	int dfd = -1, fd;

	if (sp == NULL || sp == arg || sp[1] == '\0' || sp - arg > 4) {
		reply(s, 501, "Usage: SITE CHMOD mode path");
		goto out;
	}
	for (const char *p = arg; p < sp; p++) {
		if (*p < '0' || *p > '7') {
			reply(s, 501, "Mode must be octal, e.g. 644.");
			goto out;
		}
		mode = mode * 8 + (unsigned)(*p - '0');
	}
	/* SECURITY: no set-id or sticky bits from clients. */
	if (mode > 0777) {
		reply(s, 501, "Only permission bits (up to 777) may be set.");
		goto out;
	}
	if (vfs_resolve(s, sp + 1, &vp) < 0)
		goto out;
	if (strcmp(buf_cstr(&vp), "/") == 0) {
		reply(s, 550, "/: Not allowed on the root folder.");
		goto out;
	}
	dfd = path_open_parent(s->rootfd, buf_cstr(&vp), name, sizeof name);
	if (dfd < 0) {
		vfs_reply_errno(s, 550, buf_cstr(&vp), errno);
		goto out;
	}
	fd = open_for_chmod(dfd, name);
	if (fd < 0) {
		vfs_reply_errno(s, 550, buf_cstr(&vp), errno);
		goto out;
	}
	if (fchmod(fd, (mode_t)mode) < 0)
		vfs_reply_errno(s, 550, buf_cstr(&vp), errno);
	else
		replyf(s, 200, "Mode of %s set to %03o.", buf_cstr(&vp), mode);
	sys_close_failok(fd);
out:
	if (dfd >= 0)
		sys_close_failok(dfd);
	buf_free(&vp);
}

void
handle_site(struct session *s, const char *arg)
{
	char word[16];
	const char *rest;
	size_t n = strcspn(arg, " ");

	if (n >= sizeof word) {
		reply(s, 500, "Unknown SITE command; try SITE HELP.");
		return;
	}
	memcpy(word, arg, n);
	word[n] = '\0';
	rest = arg[n] == ' ' ? arg + n + 1 : NULL;
	for (size_t i = 0; i < sizeof s_site / sizeof s_site[0]; i++) {
		if (strcasecmp(word, s_site[i].name) != 0)
			continue;
		if (s_site[i].write) {
			if (s->readonly) {
				reply(s, 550, "Permission denied: this account "
				      "is read-only.");
				return;
			}
			if (s->kind == AUTH_ANON) {
				reply(s, 550, "Permission denied: anonymous "
				      "users may not change modes.");
				return;
			}
		}
		s_site[i].handler(s, rest);
		return;
	}
	reply(s, 500, "Unknown SITE command; try SITE HELP.");
}
