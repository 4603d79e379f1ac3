/* cmd_xfer.c: TYPE MODE STRU REST ALLO ABOR, RETR, and the uploads STOR
 * STOU APPE (atomic temporary file + rename for a plain STOR; in place
 * for REST+STOR and APPE). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmds.h"
#include "log.h"
#include "parse.h"
#include "path.h"
#include "session.h"
#include "sys.h"
#include "transfer.h"
#include "vfs.h"

#define NAME_MAX_BYTES 256

void
handle_type(struct session *s, const char *arg)
{
	if (strcasecmp(arg, "I") == 0 || strcasecmp(arg, "L 8") == 0) {
		s->type_ascii = 0;
		reply(s, 200, "Type set to I (binary).");
	} else if (strcasecmp(arg, "A") == 0 || strcasecmp(arg, "A N") == 0) {
		s->type_ascii = 1;
		if (s->rest != 0) {
			s->rest = 0;
			reply(s, 200, "Type set to A (ASCII); pending REST "
			      "cancelled.");
		} else {
			reply(s, 200, "Type set to A (ASCII).");
		}
	} else if (strchr("AaEeLl", arg[0]) != NULL) {
		reply(s, 504, "Only TYPE A, TYPE I and TYPE L 8 are supported.");
	} else {
		reply(s, 501, "Unknown TYPE; use A or I.");
	}
}

void
handle_mode(struct session *s, const char *arg)
{
	if (strcasecmp(arg, "S") == 0)
		reply(s, 200, "Mode set to S (stream).");
	else if (strcasecmp(arg, "B") == 0 || strcasecmp(arg, "C") == 0)
		reply(s, 504, "Only MODE S (stream) is supported.");
	else
		reply(s, 501, "Unknown MODE; use S.");
}

void
handle_stru(struct session *s, const char *arg)
{
	if (strcasecmp(arg, "F") == 0)
		reply(s, 200, "Structure set to F (file).");
	else if (strcasecmp(arg, "R") == 0 || strcasecmp(arg, "P") == 0)
		reply(s, 504, "Only STRU F (file) is supported.");
	else
		reply(s, 501, "Unknown STRU; use F.");
}

void
handle_rest(struct session *s, const char *arg)
{
	uint64_t off;

	if (parse_u64(arg, (uint64_t)INT64_MAX, &off) < 0) {
		reply(s, 501, "REST needs a byte offset (a decimal number).");
		return;
	}
	/* The stored file and the converted stream have different
	 * offsets, so a restart point means nothing in TYPE A. */
	if (s->type_ascii) {
		reply(s, 504, "REST is not available in TYPE A; switch to "
		      "TYPE I.");
		return;
	}
	s->rest = off;
	replyf(s, 350, "Restarting at %" PRIu64 ". Send RETR, STOR or APPE "
	       "to start the transfer.", off);
}

void
handle_allo(struct session *s, const char *arg)
{
	reply(s, 202, "ALLO not needed; space is not reserved in advance.");
}

void
handle_abor(struct session *s, const char *arg)
{
	/* A transfer in progress is aborted by transfer.c; here there is
	 * none, only maybe a listener or target to forget. */
	dc_reset(&s->data);
	reply(s, 225, "No transfer to abort.");
}

static const char *
type_word(const struct session *s)
{
	return s->type_ascii ? "ASCII" : "BINARY";
}

void
handle_retr(struct session *s, const char *arg)
{
	struct buf vp = BUF_INIT(PATH_MAX_VIRTUAL);
	struct buf msg = BUF_INIT(PATH_MAX_VIRTUAL + 128);
	struct xfer_opts o;
	struct conn data;
	struct stat st;
	uint64_t rest = s->rest, bytes = 0;
	long long t0;
	int fd = -1, r, err;

	s->rest = 0;
	if (vfs_resolve(s, arg, &vp) < 0)
		goto out;
	/* O_NONBLOCK: opening a FIFO must not hang the session. */
	fd = path_open(s->rootfd, buf_cstr(&vp), O_RDONLY | O_NONBLOCK | O_NOCTTY, 0);
	if (fd < 0) {
		vfs_reply_errno(s, 550, buf_cstr(&vp), errno);
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		replyf(s, 550, "%s: Not a plain file.", buf_cstr(&vp));
		goto out;
	}
	(void)fcntl(fd, F_SETFL, 0);
	if (rest > 0 && s->type_ascii) {
		reply(s, 504, "REST is not available in TYPE A.");
		goto out;
	}
	if (rest > (uint64_t)st.st_size) {
		replyf(s, 554, "Restart offset %" PRIu64 " is beyond the end "
		       "of the file (%lld bytes).", rest, (long long)st.st_size);
		goto out;
	}
	if (rest > 0 && lseek(fd, (off_t)rest, SEEK_SET) < 0) {
		vfs_reply_errno(s, 451, buf_cstr(&vp), errno);
		goto out;
	}
	(void)buf_printf(&msg, "Opening %s mode data connection for %s "
			 "(%lld bytes).", type_word(s), buf_cstr(&vp),
			 (long long)st.st_size - (long long)rest);
	if (transfer_open(s, &data, buf_cstr(&msg)) < 0)
		goto out;
	transfer_start(s);
	transfer_opts(s, &o);
	t0 = sys_now_ms();
	r = xfer_send_file(fd, &data, &o, &bytes);
	err = errno;
	dc_close_conn(&data);
	transfer_log(s, "RETR", buf_cstr(&vp), bytes, sys_now_ms() - t0, 0,
		     r == XFER_OK);
	transfer_finish(s, r, err, "Transfer complete.");
out:
	if (fd >= 0)
		sys_close_failok(fd);
	buf_free(&vp);
	buf_free(&msg);
}

/* How an upload reaches its file. */
enum store_how {
	STORE_ATOMIC,		/* temp name, renamed on success */
	STORE_TRUNC,		/* plain STOR with atomic_uploads = no */
	STORE_AT_OFFSET,	/* REST n + STOR/APPE: truncate at n, write */
	STORE_APPEND,		/* APPE */
	STORE_UNIQUE		/* STOU: a new name, created exclusively */
};

struct upload {
	enum store_how how;
	int dirfd;			/* confined parent folder */
	char name[NAME_MAX_BYTES];	/* final name in dirfd */
	char tmp[NAME_MAX_BYTES];	/* temporary name (STORE_ATOMIC) */
	int fd;
	int existed;
	mode_t old_mode;
	const char *verb;
	struct buf vpath;		/* final virtual path */
};

/* Opens a new file exclusively, refusing special files. */
static int
create_excl(int dirfd, const char *name)
{
	return openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		      O_CLOEXEC, 0666);
}

static int
make_temp(struct upload *u)
{
	unsigned char rnd[8];

	for (int tries = 0; tries < 16; tries++) {
		if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
			return -1;
		snprintf(u->tmp, sizeof u->tmp, UPLOAD_TMP_PREFIX
			 "%02x%02x%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1],
			 rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
		u->fd = create_excl(u->dirfd, u->tmp);
		if (u->fd >= 0 || errno != EEXIST)
			return u->fd;
	}
	return -1;
}

/* Opens an existing-or-new regular file for writing in place. */
static int
open_in_place(struct upload *u, int extra)
{
	struct stat st;

	u->fd = openat(u->dirfd, u->name, O_WRONLY | O_CREAT | O_NOFOLLOW |
		       O_NONBLOCK | O_NOCTTY | O_CLOEXEC | extra, 0666);
	if (u->fd < 0)
		return -1;
	if (fstat(u->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		sys_close_failok(u->fd);
		u->fd = -1;
		errno = EINVAL;
		return -1;
	}
	(void)fcntl(u->fd, F_SETFL, extra & O_APPEND);
	return 0;
}

/* STOU: "name", "name.1", ... "name.99" (or "ftpd.upload" without an
 * argument), created exclusively so no existing file is touched. */
static int
open_unique(struct session *s, struct upload *u, const char *base)
{
	char cand[NAME_MAX_BYTES];
	size_t cwdlen;

	for (int i = 0; i < 100; i++) {
		if (i == 0)
			snprintf(cand, sizeof cand, "%s", base);
		else if (snprintf(cand, sizeof cand, "%s.%d", base, i) >=
			 (int)sizeof cand)
			break;
		u->fd = create_excl(u->dirfd, cand);
		if (u->fd >= 0) {
			snprintf(u->name, sizeof u->name, "%s", cand);
			/* Rebuild the virtual path with the chosen name. */
			cwdlen = (size_t)(strrchr(buf_cstr(&u->vpath), '/') -
					  buf_cstr(&u->vpath));
			buf_truncate(&u->vpath, cwdlen);
			if (buf_putc(&u->vpath, '/') < 0 ||
			    buf_puts(&u->vpath, cand) < 0)
				return -1;
			return 0;
		}
		if (errno != EEXIST)
			return -1;
	}
	errno = EEXIST;
	return -1;
}

/* Resolves the target, checks permission, opens the file to write.
 * On failure replies and returns -1. */
static int
upload_prepare(struct session *s, struct upload *u, const char *arg,
	       uint64_t rest)
{
	struct stat st;
	const char *vp;
	int anon = s->kind == AUTH_ANON;

	if (vfs_resolve(s, arg, &u->vpath) < 0)
		return -1;
	vp = buf_cstr(&u->vpath);
	if (vfs_check_write(s, vp, 553) < 0)
		return -1;
	u->dirfd = path_open_parent(s->rootfd, vp, u->name, sizeof u->name);
	if (u->dirfd < 0) {
		vfs_reply_errno(s, 553, vp, errno);
		return -1;
	}
	if (u->how != STORE_UNIQUE &&
	    fstatat(u->dirfd, u->name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		u->existed = 1;
		u->old_mode = st.st_mode;
		if (S_ISDIR(st.st_mode)) {
			replyf(s, 553, "%s: Is a folder.", vp);
			return -1;
		}
		/* SECURITY: anonymous uploads never replace or extend. */
		if (anon) {
			replyf(s, 553, "%s: File exists; anonymous users may "
			       "not overwrite or resume.", vp);
			return -1;
		}
	} else if (u->how != STORE_UNIQUE && errno != ENOENT) {
		vfs_reply_errno(s, 553, vp, errno);
		return -1;
	}
	switch (u->how) {
	case STORE_ATOMIC:
		if (make_temp(u) < 0)
			break;
		return 0;
	case STORE_TRUNC:
		if (open_in_place(u, anon ? O_EXCL : 0) < 0)
			break;
		if (ftruncate(u->fd, 0) < 0)
			break;
		return 0;
	case STORE_APPEND:
		if (open_in_place(u, O_APPEND) < 0)
			break;
		return 0;
	case STORE_AT_OFFSET:
		if (open_in_place(u, 0) < 0)
			break;
		if (fstat(u->fd, &st) < 0)
			break;
		if (rest > (uint64_t)st.st_size) {
			replyf(s, 554, "Restart offset %" PRIu64 " is beyond "
			       "the end of the file (%lld bytes).", rest,
			       (long long)st.st_size);
			return -1;
		}
		if (ftruncate(u->fd, (off_t)rest) < 0 ||
		    lseek(u->fd, (off_t)rest, SEEK_SET) < 0)
			break;
		return 0;
	case STORE_UNIQUE:
		if (open_unique(s, u, u->name) < 0)
			break;
		return 0;
	}
	vfs_reply_errno(s, 553, vp, errno == EINVAL ? EISDIR : errno);
	return -1;
}

/* Puts a completed atomic upload in place.  0 or -1 (errno). */
static int
upload_commit(struct session *s, struct upload *u)
{
	unsigned flags = s->kind == AUTH_ANON ? RENAME_NOREPLACE : 0;

	/* A replaced file keeps its permission bits (not set-id bits). */
	if (u->existed && S_ISREG(u->old_mode))
		(void)fchmod(u->fd, u->old_mode & 0777);
	return renameat2(u->dirfd, u->tmp, u->dirfd, u->name, flags);
}

static void
do_upload(struct session *s, const char *arg, enum store_how how,
	  const char *verb)
{
	struct upload u;
	struct buf msg = BUF_INIT(PATH_MAX_VIRTUAL + 128);
	struct xfer_opts o;
	struct conn data;
	uint64_t rest = s->rest, bytes = 0;
	long long t0;
	int r, err;

	s->rest = 0;
	memset(&u, 0, sizeof u);
	u.dirfd = -1;
	u.fd = -1;
	u.verb = verb;
	buf_init(&u.vpath, PATH_MAX_VIRTUAL);
	if (rest > 0 && s->type_ascii) {
		reply(s, 504, "REST is not available in TYPE A.");
		goto out;
	}
	if (rest > 0 && s->kind == AUTH_ANON) {
		reply(s, 553, "Permission denied: anonymous users may not "
		      "resume uploads.");
		goto out;
	}
	if (rest > 0 && how != STORE_UNIQUE)
		how = STORE_AT_OFFSET;
	u.how = how;
	if (upload_prepare(s, &u, arg, rest) < 0)
		goto out;
	if (how == STORE_UNIQUE)
		(void)buf_printf(&msg, "FILE: %s", u.name);
	else
		(void)buf_printf(&msg, "Opening %s mode data connection for %s.",
				 type_word(s), buf_cstr(&u.vpath));
	if (transfer_open(s, &data, buf_cstr(&msg)) < 0) {
		if (how == STORE_ATOMIC)
			(void)unlinkat(u.dirfd, u.tmp, 0);
		else if (how == STORE_UNIQUE)
			(void)unlinkat(u.dirfd, u.name, 0);
		goto out;
	}
	transfer_start(s);
	transfer_opts(s, &o);
	t0 = sys_now_ms();
	r = xfer_recv_file(&data, u.fd, &o, &bytes);
	err = errno;
	dc_close_conn(&data);
	if (r == XFER_OK && how == STORE_ATOMIC && upload_commit(s, &u) < 0) {
		r = XFER_FILE_ERROR;
		err = errno;
	}
	/* An interrupted upload leaves the old file (or none), never a
	 * truncated one: remove what this upload created. */
	if (r != XFER_OK && how == STORE_ATOMIC)
		(void)unlinkat(u.dirfd, u.tmp, 0);
	if (r != XFER_OK && how == STORE_UNIQUE)
		(void)unlinkat(u.dirfd, u.name, 0);
	transfer_log(s, verb, buf_cstr(&u.vpath), bytes, sys_now_ms() - t0, 1,
		     r == XFER_OK);
	buf_reset(&msg);
	if (how == STORE_UNIQUE)
		(void)buf_printf(&msg, "Transfer complete; stored as %s.",
				 u.name);
	else
		(void)buf_puts(&msg, "Transfer complete.");
	if (r == XFER_FILE_ERROR && err == EEXIST) {
		/* Lost a race with another anonymous upload of that name. */
		s->in_transfer = 0;
		replyf(s, 553, "%s: File exists; not replaced.",
		       buf_cstr(&u.vpath));
	} else {
		(void)transfer_finish(s, r, err, buf_cstr(&msg));
	}
out:
	if (u.fd >= 0)
		sys_close_failok(u.fd);
	if (u.dirfd >= 0)
		sys_close_failok(u.dirfd);
	buf_free(&u.vpath);
	buf_free(&msg);
}

void
handle_stor(struct session *s, const char *arg)
{
	do_upload(s, arg, s->conf->atomic_uploads ? STORE_ATOMIC : STORE_TRUNC,
		  "STOR");
}

void
handle_appe(struct session *s, const char *arg)
{
	do_upload(s, arg, STORE_APPEND, "APPE");
}

void
handle_stou(struct session *s, const char *arg)
{
	const char *base = arg;

	/* STOU's argument, if any, is only a name suggestion. */
	if (base == NULL || !path_is_plain_name(base) ||
	    vfs_is_temp_name(base) || strlen(base) > 200)
		base = "ftpd.upload";
	do_upload(s, base, STORE_UNIQUE, "STOU");
}
