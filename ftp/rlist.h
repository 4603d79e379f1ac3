/* rlist.h: a parsed listing of one remote folder (MLSD when the server
 * offers it, else LIST in the ls -l shape, else NLST names only), used by
 * mget/mdelete globbing, completion and mirror. */
#ifndef FTP_RLIST_H
#define FTP_RLIST_H

#include <stddef.h>
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

#endif
