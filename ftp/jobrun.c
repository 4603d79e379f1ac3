/* jobrun.c: one file transfer of a job list (job_run): opening the
 * local side, the transfer, and the checks.  A verified download goes to
 * LOCAL.ftp-part (continued with REST if an earlier run left one) and is
 * renamed once it matches; an upload is checked after STOR, and with
 * tmp_put goes to REMOTE.ftp-part, renamed with RNFR/RNTO once checked. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client.h"
#include "jobs.h"
#include "localfs.h"
#include "parse.h"
#include "session.h"
#include "status.h"
#include "sys.h"
#include "transfer.h"
#include "verify.h"

#define TMP_SUFFIX ".ftp-part"

static char *
tmp_name(const char *name)
{
	size_t n = strlen(name);
	char *t = malloc(n + sizeof TMP_SUFFIX);

	if (t) {
		memcpy(t, name, n);
		memcpy(t + n, TMP_SUFFIX, sizeof TMP_SUFFIX);
	}
	return t;
}

/* The local digest, then the manifest's digest and the server's.  A
 * status; ST_VERIFY on a mismatch (printed). */
static int
check_file(struct ftp_client *c, const struct jobset *js, struct job *j,
	   int fd, const char *remote, int verify, const char *what)
{
	if (!verify && !j->expect[0] && !j->check_size && !js->want_sha)
		return ST_OK;
	if (verify_sha256_fd(fd, j->sha) < 0) {
		int e = errno;

		fprintf(stderr, "ftp: %s: %s\n", j->local, strerror(e));
		j->sha[0] = '\0';
		return status_from_errno(e);
	}
	if (j->expect[0] && strcmp(j->expect, j->sha) != 0) {
		fprintf(stderr, "ftp: %s %s: verification failed: the manifest "
			"says SHA-256 %s, the file has %s\n", what,
			j->put ? j->local : j->remote, j->expect, j->sha);
		return ST_VERIFY;
	}
	if (j->check_size && j->size >= 0 && j->bytes != (uint64_t)j->size &&
	    !j->put) {
		fprintf(stderr, "ftp: get %s: %llu bytes arrived, %lld "
			"expected\n", j->remote, (unsigned long long)j->bytes,
			(long long)j->size);
		return ST_VERIFY;
	}
	if (verify && remote)
		return verify_compare(c, remote, j->sha, what, j->remote);
	return ST_OK;
}

/* Where a download into an existing temporary file may continue: its
 * size when the server can restart and the file is shorter, else 0. */
static uint64_t
get_resume_at(struct ftp_client *c, const struct jobset *js,
	      const struct job *j, const char *tmp)
{
	struct stat sb;
	int r = js->local_checked ? localfs_stat(js->dirfd, tmp, &sb) :
		fstatat(js->dirfd, tmp, &sb, AT_SYMLINK_NOFOLLOW);

	if (r < 0 || !S_ISREG(sb.st_mode) || sb.st_size <= 0 ||
	    c->set->type != 'I' || !client_has(c, "REST") ||
	    (j->size >= 0 && sb.st_size >= j->size))
		return 0;
	return (uint64_t)sb.st_size;
}

static int
open_get_target(const struct jobset *js, const char *target, int resume)
{
	int fd;

	if (js->local_checked)
		return localfs_create(js->dirfd, target, resume);
	fd = openat(js->dirfd, target, O_WRONLY | O_CREAT | O_CLOEXEC |
		    (resume ? 0 : O_TRUNC), 0666);
	if (fd >= 0 && resume && lseek(fd, 0, SEEK_END) < 0) {
		sys_close_failok(fd);
		return -1;
	}
	return fd;
}

/* One download attempt into target (from offset).  A status. */
static int
get_into(struct ftp_client *c, const struct jobset *js, struct job *j,
	 struct overall *ov, const char *target, uint64_t offset,
	 int verify, const char *tmp)
{
	struct tr_req r;
	int fd, st;

	fd = open_get_target(js, target, offset > 0);
	if (fd < 0) {
		int e = errno;

		if (e == EINVAL)
			fprintf(stderr, "ftp: %s: refusing to write there (an "
				"unsafe name, a symlink, or not a regular "
				"file)\n", target);
		else
			fprintf(stderr, "ftp: %s: %s\n", target, strerror(e));
		return status_from_errno(e);
	}
	memset(&r, 0, sizeof r);
	r.remote = j->remote;
	r.fd = fd;
	r.offset = offset;
	r.size = j->size;
	r.label = j->local;
	r.ov = ov;
	r.no_summary = ov != NULL;
	r.part_name = tmp;
	st = tr_get(c, &r, &j->bytes);
	j->bytes += offset;
	if (st == ST_OK && (verify || tmp || js->want_sha)) {
		/* the download fd is write-only: read the file back */
		int rfd = openat(js->dirfd, target, O_RDONLY | O_NOFOLLOW |
				 O_CLOEXEC);

		if (rfd < 0) {
			st = status_from_errno(errno);
			fprintf(stderr, "ftp: %s: %s\n", target,
				strerror(errno));
		} else {
			st = check_file(c, js, j, rfd, j->remote, verify,
					"get");
			sys_close_failok(rfd);
		}
	}
	if (st == ST_OK && ses->set.preserve) {
		long long t = (long long)j->mtime;

		if ((t > 0 || client_mdtm(c, j->remote, &t) == 0) && t > 0)
			(void)localfs_set_mtime(fd, (time_t)t);
	}
	if (close(fd) < 0 && st == ST_OK) {
		st = status_from_errno(errno);
		fprintf(stderr, "ftp: %s: %s\n", target, strerror(errno));
	}
	return st;
}

/* With verification the file is written as LOCAL.ftp-part (continued
 * from an earlier interrupted run), checked, then renamed; a continued
 * file that fails the check is fetched once more from the start. */
static int
run_get(struct ftp_client *c, const struct jobset *js, struct job *j,
	struct overall *ov)
{
	int verify = verify_active(c);
	int use_tmp = verify || j->expect[0] || j->check_size;
	char *tmp = use_tmp ? tmp_name(j->local) : NULL;
	struct stat before;
	uint64_t offset;
	int existed, st;

	if (!use_tmp) {
		existed = js->local_checked ?
			localfs_stat(js->dirfd, j->local, &before) == 0 :
			fstatat(js->dirfd, j->local, &before, 0) == 0;
		st = get_into(c, js, j, ov, j->local, 0, verify, NULL);
		/* a file we created for a download that never started goes
		 * away */
		if (st != ST_OK && j->bytes == 0 && !existed)
			(void)unlinkat(js->dirfd, j->local, 0);
		return st;
	}
	if (!tmp)
		return ST_OTHER;
	offset = get_resume_at(c, js, j, tmp);
	st = get_into(c, js, j, ov, tmp, offset, verify, tmp);
	if (st == ST_VERIFY && offset > 0) {
		fprintf(stderr, "ftp: %s: the continued file did not match; "
			"fetching it again from the start\n", j->local);
		st = get_into(c, js, j, ov, tmp, 0, verify, tmp);
	}
	/* only a checked file takes the final name */
	if (st == ST_OK && renameat(js->dirfd, tmp, js->dirfd, j->local) < 0) {
		st = status_from_errno(errno);
		fprintf(stderr, "ftp: %s: %s\n", j->local, strerror(errno));
	}
	/* an interrupted or broken-off download stays to be continued */
	if (st != ST_OK && ((st != ST_INTR && st != ST_NET) ||
			    j->bytes == 0))
		(void)unlinkat(js->dirfd, tmp, 0);
	free(tmp);
	return st;
}

/* REST offset for a temporary upload left by an earlier run. */
static uint64_t
tmp_resume_at(struct ftp_client *c, const char *tmp, uint64_t size)
{
	uint64_t have;

	if (!client_has(c, "REST") || client_size(c, tmp, &have) < 0 ||
	    have >= size)
		return 0;
	return have;
}

static int
finish_tmp_put(struct ftp_client *c, struct job *j, const char *tmp, int st)
{
	int code, quiet = !c->set->debug;

	c->quiet += quiet;
	if (st == ST_OK) {
		code = client_cmd(c, "RNFR %s", tmp);
		if (code == 350)
			code = client_cmd(c, "RNTO %s", j->remote);
		if (code != 250) {
			c->quiet -= quiet;
			return client_fail(c, code, "put: rename");
		}
	} else if (st == ST_VERIFY) {
		(void)client_cmd(c, "DELE %s", tmp);
	}
	c->quiet -= quiet;
	return st;
}

static int
run_put(struct ftp_client *c, const struct jobset *js, struct job *j,
	struct overall *ov)
{
	int verify = verify_active(c);
	char *tmp = j->tmp_put ? tmp_name(j->remote) : NULL;
	struct tr_req r;
	struct stat sb;
	int fd, st;

	if (j->tmp_put && !tmp)
		return ST_OTHER;
	fd = openat(js->dirfd, j->local, O_RDONLY | O_CLOEXEC |
		    (js->local_checked ? O_NOFOLLOW : 0));
	if (fd < 0 || fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		int e = fd < 0 ? errno : EINVAL;

		fprintf(stderr, "ftp: %s: %s\n", j->local,
			e == EINVAL ? "not a regular file" : strerror(e));
		if (fd >= 0)
			sys_close_failok(fd);
		free(tmp);
		return status_from_errno(e);
	}
	/* a local file that differs from the manifest is not sent */
	st = j->expect[0] ? check_file(c, js, j, fd, NULL, 0, "put") : ST_OK;
	memset(&r, 0, sizeof r);
	r.remote = tmp ? tmp : j->remote;
	r.fd = fd;
	r.size = (int64_t)sb.st_size;
	r.label = j->local;
	r.ov = ov;
	r.no_summary = ov != NULL;
	if (st == ST_OK && tmp && c->set->type == 'I') {
		r.offset = tmp_resume_at(c, tmp, (uint64_t)sb.st_size);
		if (r.offset && lseek(fd, (off_t)r.offset, SEEK_SET) < 0)
			r.offset = 0;
	}
	if (st == ST_OK)
		st = tr_put(c, &r, &j->bytes);
	j->bytes += r.offset;
	if (st == ST_OK)
		st = check_file(c, js, j, fd, r.remote, verify, "put");
	sys_close_failok(fd);
	if (tmp) {
		st = finish_tmp_put(c, j, tmp, st);
		free(tmp);
	}
	if (st == ST_OK && j->mtime > 0 && client_has(c, "MFMT")) {
		char t[16];

		format_ftp_time(j->mtime, t);
		c->quiet += !c->set->debug;
		(void)client_cmd(c, "MFMT %s %s", t, j->remote);
		c->quiet -= !c->set->debug;
	}
	return st;
}

int
job_run(struct ftp_client *c, const struct jobset *js, struct job *j,
	struct overall *ov)
{
	if (!c->connected) {
		j->status = ST_NET;
		return ST_NET;
	}
	j->started_ms = sys_now_ms();
	j->sha[0] = '\0';
	j->status = j->put ? run_put(c, js, j, ov) : run_get(c, js, j, ov);
	j->ms = sys_now_ms() - j->started_ms;
	return j->status;
}
