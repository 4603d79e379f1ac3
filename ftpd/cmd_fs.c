/* cmd_fs.c: folder and file verbs: CWD CDUP PWD MKD RMD DELE RNFR RNTO
 * SIZE MDTM MFMT.  Changes go through a confined parent-folder descriptor
 * and single-name *at() calls, never through a path the kernel walks. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmds.h"
#include "parse.h"
#include "path.h"
#include "reply.h"
#include "session.h"
#include "sys.h"
#include "vfs.h"

#define NAME_CAP 256

/* "257 "<path>" text" with the path quoted per RFC 959 (quotes doubled). */
static void
reply_257(struct session *s, const char *vpath, const char *text)
{
	struct buf b = BUF_INIT(2 * PATH_MAX_VIRTUAL + 128);

	if (reply_quote_path(&b, vpath) < 0 || buf_putc(&b, ' ') < 0 ||
	    buf_puts(&b, text) < 0)
		reply(s, 257, "\"?\" (path too long to show)");
	else
		reply_buf(s, 257, &b);
	buf_free(&b);
}

static void
change_dir(struct session *s, const char *arg)
{
	struct buf vp = BUF_INIT(PATH_MAX_VIRTUAL);
	struct buf msg = BUF_INIT(MESSAGE_MAX + 256);
	struct stat st;
	int fd;

	if (vfs_resolve(s, arg, &vp) < 0)
		goto out;
	fd = path_open(s->rootfd, buf_cstr(&vp), O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0) {
		vfs_reply_errno(s, 550, buf_cstr(&vp), errno);
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode)) {
		sys_close_failok(fd);
		replyf(s, 550, "%s: Not a folder.", buf_cstr(&vp));
		goto out;
	}
	sys_close_failok(fd);
	if (buf_set(&s->cwd, buf_cstr(&vp)) < 0) {
		(void)buf_set(&s->cwd, "/");
		reply(s, 550, "Path too long; back at /.");
		goto out;
	}
	vfs_message(s, buf_cstr(&vp), &msg);
	(void)buf_printf(&msg, "Folder changed to %s.", buf_cstr(&vp));
	reply_buf(s, 250, &msg);
out:
	buf_free(&vp);
	buf_free(&msg);
}

void
handle_cwd(struct session *s, const char *arg)
{
	change_dir(s, arg);
}

void
handle_cdup(struct session *s, const char *arg)
{
	change_dir(s, "..");
}

void
handle_pwd(struct session *s, const char *arg)
{
	reply_257(s, buf_cstr(&s->cwd), "is the current folder.");
}

/* Resolves arg and opens its parent.  Replies and returns -1 on error. */
static int
open_parent(struct session *s, const char *arg, struct buf *vp, char *name)
{
	int dfd;

	if (vfs_resolve(s, arg, vp) < 0)
		return -1;
	if (strcmp(buf_cstr(vp), "/") == 0) {
		reply(s, 550, "/: Not allowed on the root folder.");
		return -1;
	}
	dfd = path_open_parent(s->rootfd, buf_cstr(vp), name, NAME_CAP);
	if (dfd < 0)
		vfs_reply_errno(s, 550, buf_cstr(vp), errno);
	return dfd;
}

void
handle_mkd(struct session *s, const char *arg)
{
	struct buf vp = BUF_INIT(PATH_MAX_VIRTUAL);
	char name[NAME_CAP];
	int dfd;

	if (vfs_resolve(s, arg, &vp) < 0)
		goto out;
	if (vfs_check_write(s, buf_cstr(&vp), 550) < 0)
		goto out;
	buf_reset(&vp);
	dfd = open_parent(s, arg, &vp, name);
	if (dfd < 0)
		goto out;
	if (mkdirat(dfd, name, 0777) < 0)
		vfs_reply_errno(s, 550, buf_cstr(&vp), errno);
	else
		reply_257(s, buf_cstr(&vp), "created.");
	sys_close_failok(dfd);
out:
	buf_free(&vp);
}

void
handle_rmd(struct session *s, const char *arg)
{
	struct buf vp = BUF_INIT(PATH_MAX_VIRTUAL);
	char name[NAME_CAP];
	int dfd;

	dfd = open_parent(s, arg, &vp, name);
	if (dfd < 0)
		goto out;
	if (unlinkat(dfd, name, AT_REMOVEDIR) < 0)
		vfs_reply_errno(s, 550, buf_cstr(&vp), errno);
	else
		replyf(s, 250, "%s: Folder removed.", buf_cstr(&vp));
	sys_close_failok(dfd);
out:
	buf_free(&vp);
}

void
handle_dele(struct session *s, const char *arg)
{
	struct buf vp = BUF_INIT(PATH_MAX_VIRTUAL);
	char name[NAME_CAP];
	struct stat st;
	int dfd;

	dfd = open_parent(s, arg, &vp, name);
	if (dfd < 0)
		goto out;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISDIR(st.st_mode))
		replyf(s, 550, "%s: Is a folder (use RMD).", buf_cstr(&vp));
	else if (unlinkat(dfd, name, 0) < 0)
		vfs_reply_errno(s, 550, buf_cstr(&vp), errno);
	else
		replyf(s, 250, "%s: File deleted.", buf_cstr(&vp));
	sys_close_failok(dfd);
out:
	buf_free(&vp);
}

void
handle_rnfr(struct session *s, const char *arg)
{
	struct buf vp = BUF_INIT(PATH_MAX_VIRTUAL);
	char name[NAME_CAP];
	struct stat st;
	int dfd;

	dfd = open_parent(s, arg, &vp, name);
	if (dfd < 0)
		goto out;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		vfs_reply_errno(s, 550, buf_cstr(&vp), errno);
	} else if (buf_set(&s->rnfr, buf_cstr(&vp)) < 0) {
		reply(s, 550, "Path too long.");
	} else {
		s->rnfr_set = 1;
		reply(s, 350, "Ready for RNTO.");
	}
	sys_close_failok(dfd);
out:
	buf_free(&vp);
}

void
handle_rnto(struct session *s, const char *arg)
{
	struct buf vp = BUF_INIT(PATH_MAX_VIRTUAL);
	char from[NAME_CAP], to[NAME_CAP];
	int fdir = -1, tdir = -1;

	if (!s->rnfr_set) {
		reply(s, 503, "RNTO must follow RNFR.");
		goto out;
	}
	fdir = path_open_parent(s->rootfd, buf_cstr(&s->rnfr), from, sizeof from);
	if (fdir < 0) {
		vfs_reply_errno(s, 550, buf_cstr(&s->rnfr), errno);
		goto out;
	}
	tdir = open_parent(s, arg, &vp, to);
	if (tdir < 0)
		goto out;
	if (renameat(fdir, from, tdir, to) < 0)
		vfs_reply_errno(s, 550, buf_cstr(&vp), errno);
	else
		replyf(s, 250, "Renamed %s to %s.", buf_cstr(&s->rnfr),
		       buf_cstr(&vp));
out:
	s->rnfr_set = 0;
	buf_reset(&s->rnfr);
	if (fdir >= 0)
		sys_close_failok(fdir);
	if (tdir >= 0)
		sys_close_failok(tdir);
	buf_free(&vp);
}

/* Opens a regular file for SIZE/MDTM.  Replies and returns -1 on error. */
static int
open_regular(struct session *s, const char *arg, struct buf *vp, struct stat *st)
{
	int fd;

	if (vfs_resolve(s, arg, vp) < 0)
		return -1;
	fd = path_open(s->rootfd, buf_cstr(vp), O_RDONLY | O_NONBLOCK | O_NOCTTY, 0);
	if (fd < 0) {
		vfs_reply_errno(s, 550, buf_cstr(vp), errno);
		return -1;
	}
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		sys_close_failok(fd);
		replyf(s, 550, "%s: Not a plain file.", buf_cstr(vp));
		return -1;
	}
	return fd;
}

/* Size of the file as TYPE A sends it: each LF not preceded by CR
 * becomes CRLF.  Reads the whole file, so it is capped. */
#define ASCII_SIZE_MAX (64ULL * 1024 * 1024)
static int
ascii_size(int fd, uint64_t *out)
{
	char b[65536];
	uint64_t n = 0;
	ssize_t r;
	int prev_cr = 0;

	while ((r = sys_read(fd, b, sizeof b)) > 0) {
		for (ssize_t i = 0; i < r; i++) {
			if (b[i] == '\n' && !prev_cr)
				n++;
			prev_cr = b[i] == '\r';
		}
		n += (uint64_t)r;
	}
	*out = n;
	return r < 0 ? -1 : 0;
}

void
handle_size(struct session *s, const char *arg)
{
	struct buf vp = BUF_INIT(PATH_MAX_VIRTUAL);
	struct stat st;
	uint64_t n;
	int fd;

	fd = open_regular(s, arg, &vp, &st);
	if (fd < 0)
		goto out;
	n = (uint64_t)st.st_size;
	if (s->type_ascii) {
		if (n > ASCII_SIZE_MAX) {
			reply(s, 550, "SIZE in TYPE A is not computed for files "
			      "over 64 MiB; use TYPE I.");
			sys_close_failok(fd);
			goto out;
		}
		(void)fcntl(fd, F_SETFL, 0);
		if (ascii_size(fd, &n) < 0) {
			vfs_reply_errno(s, 550, buf_cstr(&vp), errno);
			sys_close_failok(fd);
			goto out;
		}
	}
	sys_close_failok(fd);
	replyf(s, 213, "%llu", (unsigned long long)n);
out:
	buf_free(&vp);
}

void
handle_mdtm(struct session *s, const char *arg)
{
	struct buf vp = BUF_INIT(PATH_MAX_VIRTUAL);
	struct stat st;
	char t[32];
	int fd;

	fd = open_regular(s, arg, &vp, &st);
	if (fd < 0)
		goto out;
	sys_close_failok(fd);
	format_ftp_time(st.st_mtime, t);
	reply(s, 213, t);
out:
	buf_free(&vp);
}

void
handle_mfmt(struct session *s, const char *arg)
{
	struct buf vp = BUF_INIT(PATH_MAX_VIRTUAL);
	char stamp[32], name[NAME_CAP], t[32];
	struct timespec ts[2];
	const char *sp = strchr(arg, ' ');
	time_t when;
	int dfd;

	if (sp == NULL || sp == arg || (size_t)(sp - arg) >= sizeof stamp ||
	    sp[1] == '\0') {
		reply(s, 501, "Usage: MFMT YYYYMMDDHHMMSS path");
		goto out;
	}
	memcpy(stamp, arg, (size_t)(sp - arg));
	stamp[sp - arg] = '\0';
	if (parse_ftp_time(stamp, &when) < 0) {
		reply(s, 501, "Bad time: want YYYYMMDDHHMMSS (UTC).");
		goto out;
	}
	dfd = open_parent(s, sp + 1, &vp, name);
	if (dfd < 0)
		goto out;
	ts[0].tv_sec = 0;
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_sec = when;
	ts[1].tv_nsec = 0;
	/* Never through a final symlink. */
	if (utimensat(dfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0) {
		vfs_reply_errno(s, 550, buf_cstr(&vp), errno);
	} else {
		format_ftp_time(when, t);
		replyf(s, 213, "Modify=%s; %s", t, buf_cstr(&vp));
	}
	sys_close_failok(dfd);
out:
	buf_free(&vp);
}
