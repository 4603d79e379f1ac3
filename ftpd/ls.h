/* ls.h: directory listings produced by the server itself (never an
 * external ls, never glob(3)): LIST in the ls -l shape, NLST names,
 * MLSD/MLST facts, and STAT path over the control connection.
 * Caps: ls_max_depth for -R, LS_MAX_DIR_ENTRIES per folder and
 * LS_MAX_ENTRIES per listing. */
#ifndef FTPD_LS_H
#define FTPD_LS_H

#include <stddef.h>
#include "buf.h"
#include "conn.h"

#define LS_MAX_DIR_ENTRIES 100000
#define LS_MAX_ENTRIES 500000

struct session;

struct ls_opts {
	int all;		/* -a / -A: show dot files */
	int recursive;		/* -R */
	int dir_itself;		/* -d */
};

/* Takes the leading option words ("-la", "-R", "--") off a LIST/NLST/STAT
 * argument; returns the rest (the path) or NULL when nothing is left.
 * Unknown option letters are ignored, as clients send what ls knows. */
const char *ls_parse_args(const char *arg, struct ls_opts *o);

enum ls_format { LS_LONG, LS_NAMES, LS_MLSD };

struct ls_request {
	enum ls_format fmt;
	struct ls_opts opts;
	const char *vpath;	/* resolved folder or file */
	const char *shown;	/* the path as the client typed it, or NULL */
	const char *pattern;	/* glob on the last component, or NULL */
};

/* Where the lines go: to a data connection (streamed) or, with
 * conn == NULL, into `out` (STAT, capped). */
struct ls_sink {
	struct conn *conn;
	struct buf out;
	int failed;		/* a write to conn failed */
	int truncated;		/* hit a cap */
};

/* Produces the listing.  Returns 0, or -1 with errno when vpath cannot
 * be opened (nothing written then). */
int ls_run(struct session *s, const struct ls_request *rq, struct ls_sink *sink);
/* One MLST fact line (no leading space, CRLF-terminated) for vpath. */
int ls_mlst_entry(struct session *s, const char *vpath, struct buf *out);
/* Writes whatever the sink still buffers to its connection. */
int ls_flush(struct ls_sink *sink);

#endif
