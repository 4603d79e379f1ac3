/* fetch.c: URL-driven transfers without the command loop. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client.h"
#include "cmds.h"
#include "fetch.h"
#include "jobs.h"
#include "localfs.h"
#include "session.h"
#include "status.h"
#include "sys.h"
#include "transfer.h"
#include "url.h"
#include "verify.h"

static int
parse_or_complain(const char *s, struct ftp_url *u)
{
	char err[128];

	if (url_parse(s, u, err, sizeof err) < 0) {
		fprintf(stderr, "ftp: %s: %s\n", s, err);
		return -1;
	}
	return 0;
}

int
fetch_is_folder(const char *s)
{
	struct ftp_url u;
	char err[128];
	int r;

	if (url_parse(s, &u, err, sizeof err) < 0)
		r = 0;
	else
		r = u.file == NULL;
	url_free(&u);
	return r;
}

/* Connect, log in (URL user, else netrc, else anonymous), TYPE, CWDs.
 * force_tls: explicit TLS for an ftp:// URL. */
static int
url_session(const struct ftp_url *u, int force_tls)
{
	struct ftp_client *c = &ses->cl;
	int st;

	ses->set.anon_fallback = 1;
	st = session_open(u->host, u->port, u->user, u->pass, 1,
			  u->tls == URL_TLS_IMPLICIT ? FTPS_IMPLICIT :
			  u->tls == URL_TLS_EXPLICIT || force_tls ?
			  FTPS_EXPLICIT : FTPS_NONE);
	if (st != ST_OK)
		return st;
	if (u->type == 'a')
		ses->set.type = 'A';
	else if (u->type == 'i')
		ses->set.type = 'I';
	for (int i = 0; i < u->ndirs; i++) {
		int code = client_cmd(c, "CWD %s", u->dirs[i]);

		if (code != 250 && code != 200)
			return client_fail(c, code, "cd");
	}
	return ST_OK;
}

static int64_t
size_of(struct ftp_client *c, const char *name)
{
	uint64_t sz;

	if (ses->set.type != 'I' || client_type(c, 'I') != ST_OK ||
	    client_size(c, name, &sz) < 0)
		return -1;
	return (int64_t)sz;
}

/* The whole saved file (a resumed one too) against the server's HASH. */
static int
verify_saved(struct ftp_client *c, int dirfd, const char *name,
	     const char *remote)
{
	char hex[VERIFY_HEXLEN];
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), st;

	if (fd < 0 || verify_sha256_fd(fd, hex) < 0) {
		st = status_from_errno(errno);
		fprintf(stderr, "ftp: %s: %s\n", name, strerror(errno));
	} else {
		st = verify_compare(c, remote, hex, "get", remote);
	}
	if (fd >= 0)
		sys_close_failok(fd);
	return st;
}

static int
fetch_one(const char *s, const char *outfile, int resume, int *out_started)
{
	struct ftp_client *c = &ses->cl;
	struct ftp_url u;
	struct tr_req r;
	char name[1024];
	int st, fd = -1, dirfd = -1, existed = 0;
	struct stat sb;
	uint64_t got = 0;

	if (parse_or_complain(s, &u) < 0) {
		url_free(&u);
		return ST_USAGE;
	}
	if (!u.file) {
		fprintf(stderr, "ftp: %s names a folder; give a file name\n", s);
		url_free(&u);
		return ST_USAGE;
	}
	memset(&r, 0, sizeof r);
	if (outfile && strcmp(outfile, "-") == 0) {
		fd = STDOUT_FILENO;
	} else if (outfile) {
		fd = open(outfile, O_WRONLY | O_CREAT | O_CLOEXEC |
			  (*out_started ? O_APPEND : (resume ? 0 : O_TRUNC)),
			  0666);
	} else {
		/* SECURITY: the saved name is the URL's last segment; it may
		 * not point anywhere but here */
		localfs_basename(u.file, name, sizeof name);
		if (!localfs_name_ok(name, 0)) {
			fprintf(stderr, "ftp: %s: no safe local file name in "
				"this URL; use -o FILE\n", s);
			url_free(&u);
			return ST_USAGE;
		}
		dirfd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		existed = dirfd >= 0 && localfs_stat(dirfd, name, &sb) == 0;
		fd = dirfd < 0 ? -1 : localfs_create(dirfd, name, resume);
	}
	if (fd < 0) {
		int e = errno;

		fprintf(stderr, "ftp: %s: %s\n", outfile ? outfile : name,
			e == EINVAL ? "refusing to write there (a symlink or "
			"not a regular file)" : strerror(e));
		if (dirfd >= 0)
			sys_close_failok(dirfd);
		url_free(&u);
		return status_from_errno(e);
	}
	if (outfile)
		*out_started = 1;
	st = url_session(&u, ses->set.tls);
	if (st == ST_OK) {
		r.remote = u.file;
		r.fd = fd;
		r.size = size_of(c, u.file);
		r.label = u.file;
		if (resume && fd != STDOUT_FILENO) {
			off_t at = lseek(fd, 0, SEEK_END);

			if (at > 0 && r.size >= 0 && at >= r.size) {
				r.remote = NULL;	/* already complete */
			} else if (at > 0) {
				r.offset = (uint64_t)at;
			}
		}
		if (r.remote)
			st = tr_get(c, &r, &got);
		if (st == ST_OK && !outfile && verify_active(c))
			st = verify_saved(c, dirfd, name, u.file);
		if (st == ST_OK && fd != STDOUT_FILENO && !outfile &&
		    ses->set.preserve) {
			long long t;

			if (client_mdtm(c, u.file, &t) == 0)
				(void)localfs_set_mtime(fd, (time_t)t);
		}
	}
	if (fd != STDOUT_FILENO && close(fd) < 0 && st == ST_OK) {
		fprintf(stderr, "ftp: %s: %s\n", outfile ? outfile : name,
			strerror(errno));
		st = status_from_errno(errno);
	}
	if (st != ST_OK && !outfile && dirfd >= 0 &&
	    (st == ST_VERIFY || (!existed && got == 0)))
		(void)unlinkat(dirfd, name, 0);
	if (dirfd >= 0)
		sys_close_failok(dirfd);
	client_close(c, 1);
	url_free(&u);
	return st;
}

int
fetch_urls(char **urls, int n, const char *outfile, int resume)
{
	int first = ST_OK, started = 0;

	for (int i = 0; i < n; i++) {
		int st = fetch_one(urls[i], outfile, resume, &started);

		if (st != ST_OK && first == ST_OK)
			first = st;
		if (st != ST_OK && ses->set.stop_on_error)
			break;
		if (st == ST_INTR)
			break;
	}
	return first;
}

int
fetch_upload(const char *url, char **files, int n)
{
	struct ftp_client *c = &ses->cl;
	struct ftp_url u;
	struct jobset js;
	int st;

	if (parse_or_complain(url, &u) < 0) {
		url_free(&u);
		return ST_USAGE;
	}
	if (u.file && n > 1) {
		fprintf(stderr, "ftp: -u: several files need a folder URL "
			"ending in '/'\n");
		url_free(&u);
		return ST_USAGE;
	}
	st = url_session(&u, ses->set.tls);
	if (st != ST_OK) {
		client_close(c, 1);
		url_free(&u);
		return st;
	}
	jobs_init(&js, AT_FDCWD);
	for (int i = 0; i < n && st == ST_OK; i++) {
		char name[1024];
		struct stat sb;

		localfs_basename(files[i], name, sizeof name);
		if (stat(files[i], &sb) < 0) {
			fprintf(stderr, "ftp: %s: %s\n", files[i], strerror(errno));
			st = status_from_errno(errno);
			break;
		}
		if (jobs_add(&js, 1, u.file ? u.file : name, files[i],
			     (int64_t)sb.st_size, 0) < 0)
			st = ST_OTHER;
	}
	if (st == ST_OK)
		st = jobs_run(c, &js, 1, NULL, NULL);
	jobs_free(&js);
	client_close(c, 1);
	url_free(&u);
	return st;
}

int
fetch_open_folder(const char *url, int tls)
{
	struct ftp_url u;
	int st;

	if (parse_or_complain(url, &u) < 0) {
		url_free(&u);
		return ST_USAGE;
	}
	st = url_session(&u, tls);
	url_free(&u);
	return st;
}
