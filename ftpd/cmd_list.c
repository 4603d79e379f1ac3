/* cmd_list.c: LIST NLST MLSD (over a data connection) and MLST (over
 * the control connection).  The listing itself is ls.c. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmds.h"
#include "datachan.h"
#include "ls.h"
#include "match.h"
#include "path.h"
#include "session.h"
#include "transfer.h"
#include "vfs.h"
#include "sys.h"

/* Strings a listing request points into. */
struct list_bufs {
	struct buf vp;		/* folder or file, virtual */
	struct buf shown;	/* typed folder part of a glob */
	struct buf pattern;	/* glob on the last component */
};

static int
stat_vpath(struct session *s, const char *vpath, struct stat *st)
{
	int fd = path_open(s->rootfd, vpath, O_PATH, 0), r, e;

	if (fd < 0)
		return -1;
	r = fstat(fd, st);
	e = errno;
	sys_close_failok(fd);
	errno = e;
	return r;
}

/* Resolves the listing target: a path, or else a glob on its last
 * component (like "*.txt" in "sub") listing that folder filtered.  Fills
 * rq; replies and returns -1 on failure. */
static int
list_target(struct session *s, const char *path, struct ls_request *rq,
	    struct list_bufs *b, struct stat *st)
{
	const char *base, *slash;
	int e;

	if (vfs_resolve(s, path != NULL ? path : ".", &b->vp) < 0)
		return -1;
	rq->vpath = buf_cstr(&b->vp);
	rq->shown = path;
	if (stat_vpath(s, rq->vpath, st) == 0)
		return 0;
	e = errno;
	base = path_basename(rq->vpath);
	if (path == NULL || e != ENOENT || !match_has_glob(base) ||
	    strcmp(rq->vpath, "/") == 0) {
		vfs_reply_errno(s, 550, rq->vpath, e);
		return -1;
	}
	if (buf_set(&b->pattern, base) < 0) {
		reply(s, 501, "Pattern too long.");
		return -1;
	}
	rq->pattern = buf_cstr(&b->pattern);
	slash = strrchr(path, '/');
	rq->shown = NULL;
	if (slash != NULL) {
		if (buf_append(&b->shown, path, (size_t)(slash - path)) < 0 ||
		    (b->shown.len == 0 && buf_putc(&b->shown, '/') < 0)) {
			reply(s, 501, "Path too long.");
			return -1;
		}
		rq->shown = buf_cstr(&b->shown);
	}
	buf_truncate(&b->vp, (size_t)(strrchr(rq->vpath, '/') - rq->vpath));
	if (b->vp.len == 0)
		(void)buf_putc(&b->vp, '/');
	rq->vpath = buf_cstr(&b->vp);
	if (stat_vpath(s, rq->vpath, st) == 0 && S_ISDIR(st->st_mode))
		return 0;
	vfs_reply_errno(s, 550, rq->vpath, errno);
	return -1;
}

static void
do_list(struct session *s, const char *arg, enum ls_format fmt)
{
	struct ls_request rq;
	struct ls_sink sink;
	struct list_bufs b = {
		BUF_INIT(PATH_MAX_VIRTUAL), BUF_INIT(PATH_MAX_VIRTUAL),
		BUF_INIT(1024)
	};
	struct conn data;
	struct stat st;
	const char *path;

	memset(&rq, 0, sizeof rq);
	memset(&sink, 0, sizeof sink);
	buf_init(&sink.out, 256 * 1024);
	rq.fmt = fmt;
	/* MLSD takes a path only; LIST and NLST also take ls options. */
	if (fmt == LS_MLSD)
		path = arg;
	else
		path = ls_parse_args(arg, &rq.opts);
	if (list_target(s, path, &rq, &b, &st) < 0)
		goto out;
	if (fmt == LS_MLSD && !S_ISDIR(st.st_mode)) {
		replyf(s, 501, "%s: Not a folder (use MLST for one entry).",
		       rq.vpath);
		goto out;
	}
	if (transfer_open(s, &data, "Here comes the listing.") < 0)
		goto out;
	sink.conn = &data;
	if (ls_run(s, &rq, &sink) < 0)
		sink.failed = 1;
	(void)ls_flush(&sink);
	dc_close_conn(&data);
	if (sink.failed)
		reply(s, 426, "Data connection failed; listing aborted.");
	else if (sink.truncated)
		reply(s, 226, "Listing sent, but cut short (size or depth "
		      "limit).");
	else
		reply(s, 226, "Listing sent.");
out:
	buf_free(&sink.out);
	buf_free(&b.vp);
	buf_free(&b.shown);
	buf_free(&b.pattern);
}

void
handle_list(struct session *s, const char *arg)
{
	do_list(s, arg, LS_LONG);
}

void
handle_nlst(struct session *s, const char *arg)
{
	do_list(s, arg, LS_NAMES);
}

void
handle_mlsd(struct session *s, const char *arg)
{
	do_list(s, arg, LS_MLSD);
}

void
handle_mlst(struct session *s, const char *arg)
{
	struct buf vp = BUF_INIT(PATH_MAX_VIRTUAL);
	struct buf text = BUF_INIT(PATH_MAX_VIRTUAL * 2 + 512);

	if (vfs_resolve(s, arg != NULL ? arg : ".", &vp) < 0)
		goto out;
	if (buf_printf(&text, "Listing %s\n ", buf_cstr(&vp)) < 0 ||
	    ls_mlst_entry(s, buf_cstr(&vp), &text) < 0) {
		vfs_reply_errno(s, 550, buf_cstr(&vp), errno);
		goto out;
	}
	(void)buf_puts(&text, "End.");
	reply_buf(s, 250, &text);
out:
	buf_free(&vp);
	buf_free(&text);
}
