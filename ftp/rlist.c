/* rlist.c: fetching and parsing a remote folder listing. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "match.h"
#include "path.h"
#include "rlist.h"
#include "status.h"
#include "transfer.h"

void
rlist_free(struct rlist *l)
{
	free(l->e);
	memset(l, 0, sizeof *l);
}

static int
push(struct rlist *l, const struct list_entry *e)
{
	if (l->n >= RLIST_MAX_ENTRIES)
		return -1;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 64;
		struct list_entry *ne = realloc(l->e, nc * sizeof *ne);

		if (!ne)
			return -1;
		l->e = ne;
		l->cap = nc;
	}
	l->e[l->n++] = *e;
	return 0;
}

size_t
rlist_parse(struct rlist *l, const char *text, size_t len, int kind)
{
	const char *p = text, *end = text + len;
	time_t now = time(NULL);
	size_t bad = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char line[2048];
		struct list_entry e;
		int rc;

		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n > 0 && n < sizeof line) {
			memcpy(line, p, n);
			line[n] = '\0';
			memset(&e, 0, sizeof e);
			if (kind == 'M') {
				rc = listing_parse_mlsd(line, &e);
			} else if (kind == 'L') {
				rc = listing_parse_ls(line, now, &e);
			} else {
				/* NLST may give "dir/name": keep the last part */
				const char *b = strrchr(line, '/');

				b = b && b[1] ? b + 1 : line;
				rc = strlen(b) < sizeof e.name ? 0 : -1;
				if (rc == 0) {
					strcpy(e.name, b);
					e.is_dir = -1;
					e.size = -1;
				}
			}
			if (rc < 0)
				bad++;
			else if (rc == 0 && path_is_plain_name(e.name) &&
				 push(l, &e) < 0)
				break;
		} else if (n > 0) {
			bad++;
		}
		p = nl ? nl + 1 : end;
	}
	return bad;
}

int
rlist_fetch(struct ftp_client *c, const char *dir, struct rlist *out)
{
	struct buf text = BUF_INIT(RLIST_MAX_BYTES);
	int mlsd = client_has(c, "MLSD") || client_has(c, "MLST");
	const char *arg = dir && *dir ? dir : NULL;
	int st;

	memset(out, 0, sizeof *out);
	st = tr_list_to_buf(c, mlsd ? "MLSD" : "LIST", arg, &text);
	if (st == ST_OK) {
		size_t bad = rlist_parse(out, text.data ? text.data : "",
					 text.len, mlsd ? 'M' : 'L');

		/* A LIST we cannot read (not Unix style): names via NLST. */
		if (!mlsd && bad > 0 && out->n == 0) {
			buf_reset(&text);
			st = tr_list_to_buf(c, "NLST", arg, &text);
			if (st == ST_OK)
				(void)rlist_parse(out, text.data ? text.data : "",
						  text.len, 'N');
		}
	}
	buf_free(&text);
	return st;
}

void
rglob_free(struct rname *v)
{
	if (!v)
		return;
	for (size_t i = 0; v[i].path; i++)
		free(v[i].path);
	free(v);
}

int
rglob(struct ftp_client *c, const char *pattern, int glob, int files_only,
      struct rname **out, size_t *n)
{
	const char *slash = strrchr(pattern, '/');
	size_t dl = slash ? (size_t)(slash - pattern + 1) : 0;
	struct rname *v;
	struct rlist l;
	char *dir;
	size_t k = 0;
	int st;

	*out = NULL;
	*n = 0;
	if (!glob || !match_has_glob(pattern + dl)) {
		v = calloc(2, sizeof *v);
		if (!v || !(v[0].path = strdup(pattern))) {
			free(v);
			return ST_OTHER;
		}
		v[0].size = -1;
		*out = v;
		*n = 1;
		return ST_OK;
	}
	dir = strndup(pattern, dl);
	if (!dir)
		return ST_OTHER;
	st = rlist_fetch(c, dl ? dir : NULL, &l);
	if (st != ST_OK) {
		free(dir);
		return st;
	}
	v = calloc(l.n + 1, sizeof *v);
	for (size_t i = 0; v && i < l.n; i++) {
		size_t len;

		if (files_only && l.e[i].is_dir == 1)
			continue;
		if (match_glob(pattern + dl, l.e[i].name) != 1)
			continue;
		len = dl + strlen(l.e[i].name) + 1;
		v[k].path = malloc(len);
		if (!v[k].path)
			break;
		(void)snprintf(v[k].path, len, "%s%s", dir, l.e[i].name);
		v[k].size = l.e[i].size;
		v[k].mtime = l.e[i].mtime_exact ? l.e[i].mtime : 0;
		k++;
	}
	free(dir);
	rlist_free(&l);
	if (!v)
		return ST_OTHER;
	if (k == 0) {
		free(v);
		fprintf(stderr, "ftp: no remote files match %s\n", pattern);
		return ST_NOTFOUND;
	}
	*out = v;
	*n = k;
	return ST_OK;
}
