/* rlist.h: a parsed listing of one remote folder (MLSD when the server
 * offers it, else LIST in the ls -l shape, else NLST names only), used by
 * mget/mdelete globbing, completion and mirror. */
#ifndef FTP_RLIST_H
#define FTP_RLIST_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "client.h"
#include "listing.h"

#define RLIST_MAX_ENTRIES 200000
#define RLIST_MAX_BYTES (64u * 1024 * 1024)

struct rlist {
	struct list_entry *e;
	size_t n;
	size_t cap;
};

/* dir NULL or "" lists the current folder.  "." and ".." are left out,
 * as are names that are not a single plain component.  Returns ST_OK or
 * a status (printed). */
int rlist_fetch(struct ftp_client *c, const char *dir, struct rlist *out);
void rlist_free(struct rlist *l);
/* Splits text into lines (CRLF or LF) and parses each into l.  kind: 'M'
 * MLSD, 'L' LIST, 'N' NLST.  Returns the number of lines not understood. */
size_t rlist_parse(struct rlist *l, const char *text, size_t len, int kind);

/* One result of rglob. */
struct rname {
	char *path;		/* NULL ends the array */
	int64_t size;		/* -1 unknown */
	time_t mtime;		/* exact (MLSD) time, 0 unknown */
};

/* Expands a remote wildcard pattern ("dir/a*.txt") against the listing of
 * its folder (lib/match, never the server's globbing).  A pattern without
 * wildcards, or any pattern when glob is 0, is its own single result.
 * files_only leaves folders out.  Returns ST_OK with an array in *out
 * (rglob_free), ST_NOTFOUND when nothing matched (message printed), or
 * another status. */
int rglob(struct ftp_client *c, const char *pattern, int glob, int files_only,
	  struct rname **out, size_t *n);
void rglob_free(struct rname *v);

#endif
