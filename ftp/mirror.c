/* mirror.c: mirror [-R] [-P N] remote [local]: copy a folder tree down
 * (or up with -R), skipping files already identical (by SHA-256 when
 * the server has HASH, else in size and modification time), uploading
 * under a temporary name renamed once complete, over N parallel
 * connections.  Local times are set from MLSD/MDTM; remote times with MFMT
 * when the server has it. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client.h"
#include "cmds.h"
#include "cmdtab.h"
#include "complete.h"
#include "jobs.h"
#include "localfs.h"
#include "parse.h"
#include "rlist.h"
#include "session.h"
#include "status.h"
#include "sys.h"
#include "verify.h"

#define MIRROR_MAX_DEPTH 64
#define MIRROR_MAX_DIRS 100000

struct mstate {
	struct ftp_client *c;
	const char *root;	/* remote root ("" = current folder) */
	struct jobset js;
	unsigned skipped;
	unsigned dirs;
	int first;		/* first failure during the walk */
	char **queue;		/* folders to visit, relative */
	int *depth;
	size_t qn, qcap, qhead;
};

static char *
join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s;

	if (la == 0)
		return strdup(b);
	if (lb == 0)
		return strdup(a);
	s = malloc(la + lb + 2);
	if (!s)
		return NULL;
	memcpy(s, a, la);
	if (a[la - 1] != '/')
		s[la++] = '/';
	memcpy(s + la, b, lb + 1);
	return s;
}

static void
note_fail(struct mstate *m, int st)
{
	if (st != ST_OK && m->first == ST_OK)
		m->first = st;
}

static int
enqueue(struct mstate *m, const char *rel, int depth)
{
	if (depth > MIRROR_MAX_DEPTH || m->qn >= MIRROR_MAX_DIRS) {
		fprintf(stderr, "ftp: mirror: %s: too deep or too many "
			"folders; skipped\n", rel);
		note_fail(m, ST_OTHER);
		return -1;
	}
	if (m->qn == m->qcap) {
		size_t nc = m->qcap ? m->qcap * 2 : 64;
		char **nq = realloc(m->queue, nc * sizeof *nq);
		int *nd = realloc(m->depth, nc * sizeof *nd);

		if (nq)
			m->queue = nq;
		if (nd)
			m->depth = nd;
		if (!nq || !nd)
			return -1;
		m->qcap = nc;
	}
	m->queue[m->qn] = strdup(rel);
	if (!m->queue[m->qn])
		return -1;
	m->depth[m->qn++] = depth;
	return 0;
}

static void
mstate_free(struct mstate *m)
{
	for (size_t i = 0; i < m->qn; i++)
		free(m->queue[i]);
	free(m->queue);
	free(m->depth);
	jobs_free(&m->js);
}

/* Same content?  With HASH offered (and `verify` on) equal sizes are
 * compared by SHA-256.  Otherwise same size and time: remote time from
 * MLSD, else MDTM; unknown time (no MDTM) compares by size alone.
 * newer_ok: the remote side cannot take times (no MFMT), so a remote copy
 * newer than the local file counts as identical. */
static int
identical(struct mstate *m, const char *rpath, const struct list_entry *e,
	  const char *lrel, const struct stat *sb, int newer_ok)
{
	long long t;

	if (!S_ISREG(sb->st_mode) || e->size < 0 || sb->st_size != e->size)
		return 0;
	if (verify_active(m->c)) {
		char lhex[VERIFY_HEXLEN], rhex[VERIFY_HEXLEN];
		int fd = openat(m->js.dirfd, lrel, O_RDONLY | O_NOFOLLOW |
				O_CLOEXEC), ok;

		if (fd < 0)
			return 0;
		ok = verify_sha256_fd(fd, lhex) == 0;
		sys_close_failok(fd);
		if (ok && verify_remote_sha256(m->c, rpath, rhex) == ST_OK)
			return strcmp(lhex, rhex) == 0;
	}
	if (e->mtime_exact)
		t = (long long)e->mtime;
	else if (client_mdtm(m->c, rpath, &t) < 0)
		return 1;
	if (t == (long long)sb->st_mtime)
		return 1;
	return newer_ok && t > (long long)sb->st_mtime;
}

/* ---- down ---- */

static void
walk_remote(struct mstate *m, const char *rel, int depth)
{
	char *rdir = join(m->root, rel);
	struct rlist l;
	int st;

	if (!rdir)
		return;
	st = rlist_fetch(m->c, rdir[0] ? rdir : NULL, &l);
	if (st != ST_OK) {
		note_fail(m, st);
		free(rdir);
		return;
	}
	for (size_t i = 0; i < l.n && m->c->connected; i++) {
		const struct list_entry *e = &l.e[i];
		char *lrel = join(rel, e->name), *rpath = join(rdir, e->name);
		struct stat sb;

		if (!lrel || !rpath) {
			free(lrel);
			free(rpath);
			break;
		}
		if (e->is_dir == 1) {
			/* SECURITY: rlist only keeps plain single names, and
			 * localfs refuses symlinks on the way */
			if (localfs_mkdirs(m->js.dirfd, lrel) < 0) {
				fprintf(stderr, "ftp: mirror: %s: %s\n", lrel,
					errno == EINVAL ? "refusing to write "
					"there (a symlink or not a folder)" :
					strerror(errno));
				note_fail(m, status_from_errno(errno));
			} else {
				m->dirs++;
				(void)enqueue(m, lrel, depth + 1);
			}
		} else if (e->is_link) {
			if (ses->set.verbose)
				printf("mirror: skipping symbolic link %s\n",
				       rpath);
		} else if (localfs_stat(m->js.dirfd, lrel, &sb) == 0 &&
			   identical(m, rpath, e, lrel, &sb, 0)) {
			m->skipped++;
		} else if (jobs_add(&m->js, 0, rpath, lrel, e->size,
				    e->mtime_exact ? e->mtime : 0) < 0) {
			note_fail(m, ST_OTHER);
		}
		free(lrel);
		free(rpath);
	}
	rlist_free(&l);
	free(rdir);
}

/* mkdir -p for a user-given local folder. */
static int
mkdir_p(const char *path)
{
	char *p = strdup(path);

	if (!p)
		return -1;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) < 0 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	free(p);
	if (mkdir(path, 0777) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* ---- up ---- */

static const struct list_entry *
find_entry(const struct rlist *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->e[i].name, name) == 0)
			return &l->e[i];
	return NULL;
}

static void
walk_local(struct mstate *m, const char *rel, int depth)
{
	char *rdir = join(m->root, rel);
	int newer_ok = !client_has(m->c, "MFMT");
	struct rlist l;
	DIR *d;
	int fd;

	if (!rdir)
		return;
	fd = rel[0] ? openat(m->js.dirfd, rel, O_RDONLY | O_DIRECTORY |
			     O_NOFOLLOW | O_CLOEXEC) :
		dup(m->js.dirfd);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		fprintf(stderr, "ftp: mirror: %s: %s\n", rel[0] ? rel : ".",
			strerror(errno));
		note_fail(m, status_from_errno(errno));
		if (fd >= 0)
			sys_close_failok(fd);
		free(rdir);
		return;
	}
	/* what is there already (a missing folder lists as empty) */
	memset(&l, 0, sizeof l);
	m->c->quiet++;
	if (rlist_fetch(m->c, rdir[0] ? rdir : NULL, &l) != ST_OK)
		memset(&l, 0, sizeof l);
	m->c->quiet--;
	for (;;) {
		struct dirent *de;
		const struct list_entry *e;
		char *lrel, *rpath;
		struct stat sb;

		errno = 0;
		de = readdir(d);
		if (!de)
			break;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		lrel = join(rel, de->d_name);
		rpath = join(rdir, de->d_name);
		if (!lrel || !rpath) {
			free(lrel);
			free(rpath);
			break;
		}
		e = find_entry(&l, de->d_name);
		if (S_ISDIR(sb.st_mode)) {
			if (!e || e->is_dir != 1) {
				int code = client_cmd(m->c, "MKD %s", rpath);

				if (code != 257 && code != 250)
					note_fail(m, client_fail(m->c, code,
								 "mirror: mkdir"));
			}
			m->dirs++;
			(void)enqueue(m, lrel, depth + 1);
		} else if (S_ISREG(sb.st_mode)) {
			if (e && e->is_dir != 1 && identical(m, rpath, e, lrel,
							     &sb, newer_ok))
				m->skipped++;
			else if (jobs_add(&m->js, 1, rpath, lrel,
					  (int64_t)sb.st_size, sb.st_mtime) < 0)
				note_fail(m, ST_OTHER);
			else	/* readers never see a half-written file */
				m->js.v[m->js.n - 1].tmp_put = 1;
		} else if (ses->set.verbose) {
			printf("mirror: skipping %s (not a file or folder)\n",
			       lrel);
		}
		free(lrel);
		free(rpath);
	}
	(void)closedir(d);
	rlist_free(&l);
	free(rdir);
}

int
cmd_mirror(int argc, char **argv)
{
	struct ftp_client *c = &ses->cl;
	struct mstate m;
	const char *remote, *local;
	char base[1024];
	int up = 0, parallel = ses->set.parallel, i = 1, st;
	unsigned done = 0, failed = 0;

	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *a = argv[i];
		uint64_t n;

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(a, "-R") == 0) {
			up = 1;
		} else if (strncmp(a, "-P", 2) == 0) {
			const char *v = a[2] ? a + 2 : (i + 1 < argc ? argv[++i] :
							 NULL);

			if (!v || parse_u64(v, 64, &n) < 0 || n == 0) {
				fprintf(stderr, "ftp: mirror: -P needs a number "
					"from 1 to 64\n");
				return ST_USAGE;
			}
			parallel = (int)n;
		} else {
			return cmd_usage(argv[0]);
		}
	}
	if (argc - i < 1 || argc - i > 2)
		return cmd_usage(argv[0]);
	remote = argv[i];
	if (argc - i == 2) {
		local = argv[i + 1];
	} else {
		localfs_basename(remote, base, sizeof base);
		local = base[0] && strcmp(base, "..") != 0 ? base : ".";
	}
	memset(&m, 0, sizeof m);
	m.c = c;
	m.root = strcmp(remote, ".") == 0 ? "" : remote;
	if (!up && mkdir_p(local) < 0) {
		fprintf(stderr, "ftp: mirror: %s: %s\n", local, strerror(errno));
		return status_from_errno(errno);
	}
	jobs_init(&m.js, open(local, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (m.js.dirfd < 0) {
		fprintf(stderr, "ftp: mirror: %s: %s\n", local, strerror(errno));
		return status_from_errno(errno);
	}
	m.js.local_checked = 1;
	complete_invalidate();
	if (up && m.root[0]) {
		/* make the top folder; an existing one answers 550: fine */
		c->quiet++;
		(void)client_cmd(c, "MKD %s", m.root);
		c->quiet--;
	}
	(void)enqueue(&m, "", 0);
	for (m.qhead = 0; m.qhead < m.qn && c->connected; m.qhead++) {
		if (up)
			walk_local(&m, m.queue[m.qhead], m.depth[m.qhead]);
		else
			walk_remote(&m, m.queue[m.qhead], m.depth[m.qhead]);
	}
	st = ST_OK;
	if (m.js.n > 0 && c->connected)
		st = jobs_run(c, &m.js, parallel, &done, &failed);
	printf("mirror: %u file%s copied, %u up to date, %u failed, %u "
	       "folder%s\n", done, done == 1 ? "" : "s", m.skipped, failed,
	       m.dirs, m.dirs == 1 ? "" : "s");
	sys_close_failok(m.js.dirfd);
	mstate_free(&m);
	if (st == ST_INTR)
		return st;
	if (m.first != ST_OK)
		return m.first;
	return st;
}
