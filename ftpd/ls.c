/* ls.c: the listing engine behind LIST, NLST, MLSD, MLST and STAT path
 * (see ls.h).  Folders are read through descriptors confined by
 * lib/path.c; entries are stat'ed with single-name fstatat(NOFOLLOW)
 * and recursion opens subfolders with O_NOFOLLOW, so symlinks are shown,
 * never followed. */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ls.h"
#include "idcache.h"
#include "listing.h"
#include "log.h"
#include "match.h"
#include "path.h"
#include "session.h"
#include "vfs.h"
#include "sys.h"

#define LS_FLUSH_AT (32 * 1024)
#define LS_STAT_MAX (1024 * 1024)	/* STAT output over control */

const char *
ls_parse_args(const char *arg, struct ls_opts *o)
{
	const char *p = arg, *e;

	memset(o, 0, sizeof *o);
	if (p == NULL)
		return NULL;
	while (*p == ' ')
		p++;
	while (*p == '-') {
		if (p[1] == '-' && (p[2] == ' ' || p[2] == '\0')) {
			p += 2;		/* "--": the rest is a path */
			while (*p == ' ')
				p++;
			break;
		}
		for (e = p + 1; *e != '\0' && *e != ' '; e++)
			if (!isalnum((unsigned char)*e))
				return p;	/* "-foo.txt" is a name */
		if (e == p + 1)
			return p;		/* a lone "-" is a name */
		for (const char *c = p + 1; c < e; c++) {
			if (*c == 'a' || *c == 'A')
				o->all = 1;
			else if (*c == 'R')
				o->recursive = 1;
			else if (*c == 'd')
				o->dir_itself = 1;
		}
		p = e;
		while (*p == ' ')
			p++;
	}
	return *p != '\0' ? p : NULL;
}

int
ls_flush(struct ls_sink *sink)
{
	if (sink->conn == NULL || sink->out.len == 0 || sink->failed)
		return sink->failed ? -1 : 0;
	if (conn_write_full(sink->conn, sink->out.data, sink->out.len) < 0)
		sink->failed = 1;
	buf_reset(&sink->out);
	return sink->failed ? -1 : 0;
}

struct ls_ctx {
	struct session *s;
	const struct ls_request *rq;
	struct ls_sink *sink;
	time_t now;
	unsigned long entries;
	unsigned depth_cap;
};

/* Hands a finished line to the sink (flushing on the way). */
static int
sink_done(struct ls_ctx *c)
{
	struct ls_sink *k = c->sink;

	if (k->conn != NULL) {
		if (k->out.len >= LS_FLUSH_AT)
			return ls_flush(k);
		return k->failed ? -1 : 0;
	}
	if (k->out.len >= LS_STAT_MAX) {
		k->truncated = 1;
		return -1;
	}
	return 0;
}

/* r: may read, w: may write, x: may search, for the session's uid. */
static void
access_bits(const struct stat *st, int *r, int *w, int *x)
{
	mode_t m = st->st_mode;
	int sh;

	if (st->st_uid == geteuid())
		sh = 6;
	else if (st->st_gid == getegid())
		sh = 3;
	else
		sh = 0;
	*r = (m >> (sh + 2)) & 1;
	*w = (m >> (sh + 1)) & 1;
	*x = (m >> sh) & 1;
}

/* The MLSx perm fact (RFC 3659 7.5.5) for the entry at vpath. */
static void
perm_fact(struct session *s, const char *vpath, const struct stat *st,
	  char *out, size_t n)
{
	const char *up = s->conf->anon_upload_dir;
	int r, w, x, writer, upload;
	size_t i = 0;

	access_bits(st, &r, &w, &x);
	writer = !s->readonly && s->kind != AUTH_ANON;
	/* Anonymous may create inside the upload folder and below. */
	upload = s->kind == AUTH_ANON && up[0] != '\0' &&
		 (strcmp(vpath, up) == 0 || vfs_path_inside(up, vpath));
#define ADD(ch) do { if (i + 1 < n) out[i++] = (ch); } while (0)
	if (S_ISDIR(st->st_mode)) {
		if (x)
			ADD('e');
		if (r)
			ADD('l');
		if ((writer || (upload && x)) && w) {
			ADD('c');
			ADD('m');
		}
		if (writer && w)
			ADD('p');
		if (writer) {
			ADD('d');
			ADD('f');
		}
	} else {
		if (r)
			ADD('r');
		if (writer && w) {
			ADD('a');
			ADD('w');
		}
		if (writer) {
			ADD('d');
			ADD('f');
		}
	}
#undef ADD
	out[i] = '\0';
}

static int join(struct buf *out, const char *dir, const char *name);

/* Formats one entry of folder dirfd (dir_vpath) into the sink. */
static int
emit_entry(struct ls_ctx *c, int dirfd, const char *dir_vpath,
	   const char *name, const char *shown, const struct stat *st)
{
	struct buf *out = &c->sink->out;
	char ubuf[16], gbuf[16], perm[16], target[1024];
	struct buf disp = BUF_INIT(8192);
	ssize_t tl;
	int r = 0;

	switch (c->rq->fmt) {
	case LS_NAMES:
		r = buf_puts(out, shown) < 0 || buf_puts(out, "\r\n") < 0 ? -1 : 0;
		break;
	case LS_MLSD:
		if (join(&disp, dir_vpath, name) < 0)
			r = -1;
		else
			perm_fact(c->s, buf_cstr(&disp), st, perm, sizeof perm);
		if (r == 0)
			r = listing_format_mlsx(out, name, st, c->s->mlst_facts,
						NULL, perm);
		break;
	case LS_LONG:
		r = buf_puts(&disp, shown);
		if (r == 0 && S_ISLNK(st->st_mode) && dirfd >= 0) {
			tl = readlinkat(dirfd, name, target, sizeof target - 1);
			if (tl > 0) {
				target[tl] = '\0';
				if (strpbrk(target, "\r\n") == NULL)
					r = buf_printf(&disp, " -> %s", target);
			}
		}
		if (r == 0)
			r = listing_format_ls(out, buf_cstr(&disp), st,
					      idcache_user(st->st_uid, ubuf, sizeof ubuf),
					      idcache_group(st->st_gid, gbuf, sizeof gbuf),
					      c->now);
		break;
	}
	buf_free(&disp);
	if (r < 0) {
		c->sink->truncated = 1;
		return -1;
	}
	return sink_done(c);
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Reads, filters and sorts the names of a folder.  Takes dirfd. */
static char **
read_names(struct ls_ctx *c, int dirfd, size_t *count)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL, **nn;
	size_t n = 0, cap = 0;
	int dfd = dup(dirfd);	/* closedir() closes its own copy */

	*count = 0;
	if (dfd < 0)
		return NULL;
	d = fdopendir(dfd);
	if (d == NULL) {
		sys_close_failok(dfd);
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		const char *nm = de->d_name;

		if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0)
			continue;
		/* Uploads in progress are never shown, even with -a. */
		if (vfs_is_temp_name(nm))
			continue;
		if (nm[0] == '.' && !c->rq->opts.all)
			continue;
		/* A name with CR/LF would break the listing's lines. */
		if (strpbrk(nm, "\r\n") != NULL)
			continue;
		if (c->rq->pattern != NULL && match_glob(c->rq->pattern, nm) != 1)
			continue;
		if (n >= LS_MAX_DIR_ENTRIES || c->entries >= LS_MAX_ENTRIES) {
			c->sink->truncated = 1;
			break;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			nn = realloc(names, cap * sizeof *names);
			if (nn == NULL)
				break;
			names = nn;
		}
		names[n] = strdup(nm);
		if (names[n] == NULL)
			break;
		n++;
		c->entries++;
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof *names, cmp_names);
	*count = n;
	return names;
}

static int
join(struct buf *out, const char *dir, const char *name)
{
	buf_reset(out);
	if (buf_puts(out, dir) < 0)
		return -1;
	if ((out->len == 0 || out->data[out->len - 1] != '/') &&
	    buf_putc(out, '/') < 0)
		return -1;
	return buf_puts(out, name);
}

/* Lists the folder open as dirfd; shown is its name in -R headers and
 * the NLST prefix. */
static int
list_dir(struct ls_ctx *c, int dirfd, const char *dir_vpath,
	 const char *shown, unsigned depth)
{
	struct buf sub_v = BUF_INIT(PATH_MAX_VIRTUAL);
	struct buf sub_s = BUF_INIT(PATH_MAX_VIRTUAL + 256);
	struct buf entry = BUF_INIT(PATH_MAX_VIRTUAL + 256);
	struct stat st;
	size_t n = 0;
	char **names;
	int r = 0, recursive = c->rq->opts.recursive && c->rq->fmt == LS_LONG;

	names = read_names(c, dirfd, &n);
	if (recursive) {
		if (depth > 0 && buf_puts(&c->sink->out, "\r\n") < 0)
			r = -1;
		if (r == 0 && buf_printf(&c->sink->out, "%s:\r\n", shown) < 0)
			r = -1;
	}
	for (size_t i = 0; r == 0 && i < n; i++) {
		if (fstatat(dirfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;	/* vanished meanwhile */
		/* NLST of a folder named by the client prints bare names,
		 * as ls does; a glob keeps the typed folder in front. */
		if (c->rq->fmt == LS_NAMES && c->rq->pattern != NULL &&
		    strcmp(shown, ".") != 0)
			r = join(&entry, shown, names[i]);
		else
			r = buf_set(&entry, names[i]);
		if (r == 0)
			r = emit_entry(c, dirfd, dir_vpath, names[i],
				       buf_cstr(&entry), &st);
	}
	for (size_t i = 0; recursive && r == 0 && i < n; i++) {
		int fd;

		if (fstatat(dirfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		if (depth + 1 > c->depth_cap) {
			c->sink->truncated = 1;
			continue;
		}
		fd = openat(dirfd, names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			    O_CLOEXEC);
		if (fd < 0)
			continue;
		if (join(&sub_v, dir_vpath, names[i]) == 0 &&
		    join(&sub_s, shown, names[i]) == 0)
			r = list_dir(c, fd, buf_cstr(&sub_v), buf_cstr(&sub_s),
				     depth + 1);
		sys_close_failok(fd);
	}
	free_names(names, n);
	buf_free(&sub_v);
	buf_free(&sub_s);
	buf_free(&entry);
	return r;
}

int
ls_run(struct session *s, const struct ls_request *rq, struct ls_sink *sink)
{
	struct ls_ctx c;
	struct stat st;
	char name[1024];
	const char *shown;
	int fd, pfd, r;

	memset(&c, 0, sizeof c);
	c.s = s;
	c.rq = rq;
	c.sink = sink;
	c.now = time(NULL);
	c.depth_cap = s->conf->ls_max_depth;
	/* O_PATH first: listing a file needs no permission to read it. */
	fd = path_open(s->rootfd, rq->vpath, O_PATH, 0);
	if (fd < 0)
		return -1;
	r = fstat(fd, &st);
	sys_close_failok(fd);
	if (r < 0)
		return -1;
	if (S_ISDIR(st.st_mode) && !rq->opts.dir_itself) {
		fd = path_open(s->rootfd, rq->vpath, O_RDONLY | O_DIRECTORY, 0);
		if (fd < 0)
			return -1;
		shown = rq->shown != NULL ? rq->shown : ".";
		(void)list_dir(&c, fd, rq->vpath, shown, 0);
		sys_close_failok(fd);
		return 0;
	}
	/* One entry: stat it through its parent without following a
	 * final symlink, so it is shown as what it is. */
	shown = rq->shown != NULL ? rq->shown : path_basename(rq->vpath);
	if (strcmp(rq->vpath, "/") == 0) {
		pfd = path_open(s->rootfd, "/", O_RDONLY | O_DIRECTORY, 0);
		if (pfd < 0)
			return -1;
		r = fstat(pfd, &st);
		snprintf(name, sizeof name, ".");
	} else {
		pfd = path_open_parent(s->rootfd, rq->vpath, name, sizeof name);
		if (pfd < 0)
			return -1;
		r = fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW);
	}
	if (r == 0) {
		struct buf dir = BUF_INIT(PATH_MAX_VIRTUAL);

		(void)buf_set(&dir, rq->vpath);
		buf_truncate(&dir, (size_t)(strrchr(buf_cstr(&dir), '/') -
					    buf_cstr(&dir)));
		(void)emit_entry(&c, pfd, dir.len ? buf_cstr(&dir) : "/", name,
				 shown, &st);
		buf_free(&dir);
	}
	sys_close_failok(pfd);
	return r;
}

int
ls_mlst_entry(struct session *s, const char *vpath, struct buf *out)
{
	struct stat st;
	char name[1024], perm[16];
	int pfd, r;

	if (strcmp(vpath, "/") == 0) {
		pfd = path_open(s->rootfd, "/", O_RDONLY | O_DIRECTORY, 0);
		if (pfd < 0)
			return -1;
		r = fstat(pfd, &st);
	} else {
		pfd = path_open_parent(s->rootfd, vpath, name, sizeof name);
		if (pfd < 0)
			return -1;
		r = fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW);
	}
	sys_close_failok(pfd);
	if (r < 0)
		return -1;
	perm_fact(s, vpath, &st, perm, sizeof perm);
	return listing_format_mlsx(out, vpath, &st, s->mlst_facts, NULL, perm);
}
