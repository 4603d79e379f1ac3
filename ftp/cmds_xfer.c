/* cmds_xfer.c: get/recv reget newer put/send append reput mget mput. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client.h"
#include "cmdloop.h"
#include "cmds.h"
#include "cmdtab.h"
#include "complete.h"
#include "jobs.h"
#include "localfs.h"
#include "rlist.h"
#include "session.h"
#include "status.h"
#include "sys.h"
#include "transfer.h"
#include "verify.h"

#define NAME_MAX_LOCAL 1024

/* Remote size for the progress bar (binary only; -1 when unknown). */
static int64_t
remote_size(struct ftp_client *c, const char *path)
{
	uint64_t sz;

	if (ses->set.type != 'I' || client_type(c, 'I') != ST_OK ||
	    client_size(c, path, &sz) < 0)
		return -1;
	return (int64_t)sz;
}

/* The local name a download gets when none is given: the remote name's
 * last part, which must be a safe single name. */
static int
derive_local(const char *remote, char *out, size_t n)
{
	localfs_basename(remote, out, n);
	if (!localfs_name_ok(out, 0)) {
		fprintf(stderr, "ftp: cannot make a safe local name from \"%s\"; "
			"give one: get REMOTE LOCAL\n", remote);
		return -1;
	}
	return 0;
}

static int
open_cwd(void)
{
	int fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		fprintf(stderr, "ftp: cannot open the local folder: %s\n",
			strerror(errno));
	return fd;
}

/* One download through the job runner (local naming rules, mtime). */
static int
get_one(const char *remote, const char *local_given, time_t mtime)
{
	struct ftp_client *c = &ses->cl;
	char name[NAME_MAX_LOCAL];
	struct jobset js;
	int dirfd = AT_FDCWD, st;

	if (local_given && strcmp(local_given, "-") == 0) {
		struct tr_req r;

		memset(&r, 0, sizeof r);
		r.remote = remote;
		r.fd = STDOUT_FILENO;
		r.size = remote_size(c, remote);
		r.no_summary = 1;
		(void)fflush(stdout);
		return tr_get(c, &r, NULL);
	}
	if (!local_given) {
		if (derive_local(remote, name, sizeof name) < 0)
			return ST_USAGE;
		if ((dirfd = open_cwd()) < 0)
			return ST_OTHER;
	}
	jobs_init(&js, dirfd);
	js.local_checked = local_given == NULL;
	if (jobs_add(&js, 0, remote, local_given ? local_given : name,
		     remote_size(c, remote), mtime) < 0) {
		st = ST_OTHER;
	} else {
		st = job_run(c, &js, &js.v[0], NULL);
	}
	jobs_free(&js);
	if (dirfd != AT_FDCWD)
		sys_close_failok(dirfd);
	return st;
}

int
cmd_get(int argc, char **argv)
{
	if (argc < 2 || argc > 3)
		return cmd_usage(argv[0]);
	return get_one(argv[1], argc > 2 ? argv[2] : NULL, 0);
}

int
cmd_newer(int argc, char **argv)
{
	struct ftp_client *c = &ses->cl;
	char name[NAME_MAX_LOCAL];
	const char *local = argc > 2 ? argv[2] : name;
	struct stat sb;
	long long rt;

	if (argc < 2 || argc > 3)
		return cmd_usage(argv[0]);
	if (argc == 2 && derive_local(argv[1], name, sizeof name) < 0)
		return ST_USAGE;
	if (client_mdtm(c, argv[1], &rt) < 0)
		return client_fail(c, c->connected ? c->reply.code : -1, "newer");
	if (stat(local, &sb) == 0 && (long long)sb.st_mtime >= rt) {
		if (ses->set.verbose)
			printf("Local file \"%s\" is newer than the remote "
			       "file \"%s\".\n", local, argv[1]);
		return ST_OK;
	}
	return get_one(argv[1], argc > 2 ? argv[2] : NULL, (time_t)rt);
}

/* 1 if local is missing and LOCAL.ftp-part, an interrupted verified
 * download, is there. */
static int
part_waits(const char *local)
{
	char part[NAME_MAX_LOCAL + 16];
	struct stat sb;

	if (lstat(local, &sb) == 0 ||
	    (size_t)snprintf(part, sizeof part, "%s.ftp-part", local) >=
	    sizeof part)
		return 0;
	return lstat(part, &sb) == 0 && S_ISREG(sb.st_mode);
}

int
cmd_reget(int argc, char **argv)
{
	struct ftp_client *c = &ses->cl;
	char name[NAME_MAX_LOCAL];
	const char *local = argc > 2 ? argv[2] : name;
	struct stat sb;
	struct tr_req r;
	int64_t rsize;
	int fd, dirfd, st;

	if (argc < 2 || argc > 3)
		return cmd_usage(argv[0]);
	if (argc == 2 && derive_local(argv[1], name, sizeof name) < 0)
		return ST_USAGE;
	if (ses->set.type != 'I') {
		fprintf(stderr, "ftp: reget needs binary mode (`binary`)\n");
		return ST_USAGE;
	}
	if (verify_active(c) && part_waits(local))
		/* a verified get was interrupted: get continues its file */
		return get_one(argv[1], argc > 2 ? argv[2] : NULL, 0);
	if (argc == 2) {
		if ((dirfd = open_cwd()) < 0)
			return ST_OTHER;
		fd = localfs_create(dirfd, local, 1);
		sys_close_failok(dirfd);
	} else {
		fd = open(local, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
	}
	if (fd < 0 || fstat(fd, &sb) < 0 || lseek(fd, 0, SEEK_END) < 0) {
		int e = errno;

		fprintf(stderr, "ftp: %s: %s\n", local, strerror(e));
		if (fd >= 0)
			sys_close_failok(fd);
		return status_from_errno(e);
	}
	rsize = remote_size(c, argv[1]);
	if (rsize >= 0 && sb.st_size == rsize) {
		sys_close_failok(fd);
		if (ses->set.verbose)
			printf("Local file \"%s\" is already complete.\n", local);
		return ST_OK;
	}
	if (rsize >= 0 && sb.st_size > rsize) {
		sys_close_failok(fd);
		fprintf(stderr, "ftp: reget: local file \"%s\" is larger than "
			"the remote file; not resuming\n", local);
		return ST_OTHER;
	}
	memset(&r, 0, sizeof r);
	r.remote = argv[1];
	r.fd = fd;
	r.offset = (uint64_t)sb.st_size;
	r.size = rsize;
	r.label = local;
	st = tr_get(c, &r, NULL);
	if (close(fd) < 0 && st == ST_OK) {
		st = status_from_errno(errno);
		fprintf(stderr, "ftp: %s: %s\n", local, strerror(errno));
	}
	if (st == ST_OK && verify_active(c)) {
		char hex[VERIFY_HEXLEN];

		fd = open(local, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || verify_sha256_fd(fd, hex) < 0) {
			st = status_from_errno(errno);
			fprintf(stderr, "ftp: %s: %s\n", local, strerror(errno));
		} else {
			st = verify_compare(c, argv[1], hex, "reget", argv[1]);
		}
		if (fd >= 0)
			sys_close_failok(fd);
	}
	return st;
}

static int
put_common(int argc, char **argv, int append, int resume)
{
	struct ftp_client *c = &ses->cl;
	char name[NAME_MAX_LOCAL];
	const char *remote = argc > 2 ? argv[2] : name;
	struct stat sb;
	struct tr_req r;
	int fd, st;

	if (argc < 2 || argc > 3)
		return cmd_usage(argv[0]);
	if (argc == 2) {
		localfs_basename(argv[1], name, sizeof name);
		if (!name[0]) {
			fprintf(stderr, "ftp: %s: give a remote name\n", argv[1]);
			return ST_USAGE;
		}
	}
	complete_invalidate();
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		int e = fd < 0 ? errno : EINVAL;

		fprintf(stderr, "ftp: %s: %s\n", argv[1],
			e == EINVAL ? "not a regular file" : strerror(e));
		if (fd >= 0)
			sys_close_failok(fd);
		return status_from_errno(e);
	}
	memset(&r, 0, sizeof r);
	r.remote = remote;
	r.fd = fd;
	r.size = (int64_t)sb.st_size;
	r.label = argv[1];
	r.append = append;
	if (resume) {
		uint64_t have;

		if (ses->set.type != 'I') {
			sys_close_failok(fd);
			fprintf(stderr, "ftp: reput needs binary mode "
				"(`binary`)\n");
			return ST_USAGE;
		}
		if ((st = client_type(c, 'I')) != ST_OK) {
			sys_close_failok(fd);
			return st;
		}
		if (client_size(c, remote, &have) < 0)
			have = 0;	/* nothing there yet */
		if (have == (uint64_t)sb.st_size) {
			sys_close_failok(fd);
			if (ses->set.verbose)
				printf("Remote file \"%s\" is already "
				       "complete.\n", remote);
			return ST_OK;
		}
		if (have > (uint64_t)sb.st_size) {
			sys_close_failok(fd);
			fprintf(stderr, "ftp: reput: remote file \"%s\" is "
				"larger than the local one; not resuming\n",
				remote);
			return ST_OTHER;
		}
		if (lseek(fd, (off_t)have, SEEK_SET) < 0) {
			st = status_from_errno(errno);
			sys_close_failok(fd);
			return st;
		}
		/* REST + STOR where the server has REST STREAM, else APPE */
		if (client_has(c, "REST"))
			r.offset = have;
		else
			r.append = 1;
	}
	st = tr_put(c, &r, NULL);
	/* APPE adds to what was there: the whole file cannot match ours */
	if (st == ST_OK && !append && verify_active(c)) {
		char hex[VERIFY_HEXLEN];

		if (verify_sha256_fd(fd, hex) < 0) {
			st = status_from_errno(errno);
			fprintf(stderr, "ftp: %s: %s\n", argv[1],
				strerror(errno));
		} else {
			st = verify_compare(c, remote, hex, "put", remote);
		}
	}
	sys_close_failok(fd);
	return st;
}

int
cmd_put(int argc, char **argv)
{
	return put_common(argc, argv, 0, 0);
}

int
cmd_append(int argc, char **argv)
{
	return put_common(argc, argv, 1, 0);
}

int
cmd_reput(int argc, char **argv)
{
	return put_common(argc, argv, 0, 1);
}

int
cmd_mget(int argc, char **argv)
{
	struct ftp_client *c = &ses->cl;
	struct jobset js;
	int first = ST_OK, all = 0, quit = 0, dirfd, st;

	if (argc < 2)
		return cmd_usage(argv[0]);
	if ((dirfd = open_cwd()) < 0)
		return ST_OTHER;
	jobs_init(&js, dirfd);
	js.local_checked = 1;
	for (int i = 1; i < argc && !quit && c->connected; i++) {
		struct rname *v;
		size_t n;

		st = rglob(c, argv[i], ses->set.glob, 1, &v, &n);
		if (st != ST_OK) {
			if (first == ST_OK)
				first = st;
			continue;
		}
		for (size_t k = 0; k < n && !quit; k++) {
			char name[NAME_MAX_LOCAL];
			int a;

			/* SECURITY: the server chose this name */
			localfs_basename(v[k].path, name, sizeof name);
			if (!localfs_name_ok(name, 0)) {
				fprintf(stderr, "ftp: mget: skipping \"%s\": "
					"not a safe local file name\n",
					v[k].path);
				if (first == ST_OK)
					first = ST_OTHER;
				continue;
			}
			a = all ? 'a' : cmdloop_confirm("mget", v[k].path);
			if (a == 'q')
				quit = 1;
			if (a == 'a')
				all = 1;
			if (a == 'y' || a == 'a')
				if (jobs_add(&js, 0, v[k].path, name, v[k].size,
					     v[k].mtime) < 0)
					quit = 1;
		}
		rglob_free(v);
	}
	if (js.n > 0) {
		st = jobs_run(c, &js, ses->set.parallel, NULL, NULL);
		if (st == ST_INTR || first == ST_OK)
			first = st;
	}
	jobs_free(&js);
	sys_close_failok(dirfd);
	return first;
}

int
cmd_mput(int argc, char **argv)
{
	struct ftp_client *c = &ses->cl;
	struct jobset js;
	int first = ST_OK, all = 0, quit = 0, st;

	if (argc < 2)
		return cmd_usage(argv[0]);
	complete_invalidate();
	jobs_init(&js, AT_FDCWD);
	for (int i = 1; i < argc && !quit; i++) {
		glob_t g;
		int rc;

		memset(&g, 0, sizeof g);
		if (ses->set.glob) {
			rc = glob(argv[i], GLOB_TILDE, NULL, &g);
		} else {
			rc = glob(argv[i], GLOB_NOCHECK | GLOB_NOESCAPE |
				  GLOB_NOMAGIC, NULL, &g);
		}
		if (rc != 0) {
			fprintf(stderr, "ftp: mput: no local files match %s\n",
				argv[i]);
			if (first == ST_OK)
				first = ST_NOTFOUND;
			globfree(&g);
			continue;
		}
		for (size_t k = 0; k < g.gl_pathc && !quit; k++) {
			const char *path = g.gl_pathv[k];
			char name[NAME_MAX_LOCAL];
			struct stat sb;
			int a;

			if (stat(path, &sb) < 0 || !S_ISREG(sb.st_mode)) {
				fprintf(stderr, "ftp: mput: skipping %s: not a "
					"regular file\n", path);
				if (first == ST_OK)
					first = ST_NOTFOUND;
				continue;
			}
			localfs_basename(path, name, sizeof name);
			a = all ? 'a' : cmdloop_confirm("mput", path);
			if (a == 'q')
				quit = 1;
			if (a == 'a')
				all = 1;
			if ((a == 'y' || a == 'a') &&
			    jobs_add(&js, 1, name, path, (int64_t)sb.st_size,
				     0) < 0)
				quit = 1;
		}
		globfree(&g);
	}
	if (js.n > 0) {
		st = jobs_run(c, &js, ses->set.parallel, NULL, NULL);
		if (st == ST_INTR || first == ST_OK)
			first = st;
	}
	jobs_free(&js);
	return first;
}
