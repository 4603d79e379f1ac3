/* listing.h: directory listing lines.  The server formats them (LIST in the
 * ls -l shape, MLSD/MLST facts per RFC 3659); the client parses them (mget,
 * mirror, completion). */
#ifndef FTPKIT_LISTING_H
#define FTPKIT_LISTING_H

#include <stdint.h>
#include <sys/stat.h>
#include <time.h>
#include "buf.h"

/* "drwxr-xr-x    2 owner    group        4096 Jan 02 15:04 name\r\n".
 * The date shows "Mon DD HH:MM" when mtime is within ~6 months of now,
 * otherwise "Mon DD  YYYY".  owner/group are names or numbers as text. */
int listing_format_ls(struct buf *out, const char *name, const struct stat *st,
		      const char *owner, const char *group, time_t now);

/* MLSx facts (RFC 3659 section 7). */
enum {
	MLSX_TYPE = 1 << 0, MLSX_SIZE = 1 << 1, MLSX_MODIFY = 1 << 2,
	MLSX_PERM = 1 << 3, MLSX_UNIQUE = 1 << 4, MLSX_UNIX_MODE = 1 << 5,
	MLSX_ALL = (1 << 6) - 1
};
/* type_override: NULL for "file"/"dir"/"OS.unix=..." from st, or "cdir" /
 * "pdir".  perm: the perm fact value (e.g. "adfrw", "elcmp"); may be NULL.
 * Appends "fact=val;fact=val; name\r\n" (no leading space: callers add it
 * for MLST). */
int listing_format_mlsx(struct buf *out, const char *name, const struct stat *st,
			unsigned facts, const char *type_override, const char *perm);

/* Client side: a parsed entry. */
struct list_entry {
	char name[1024];
	int is_dir;		/* 1 dir, 0 file, -1 unknown */
	int is_link;
	int64_t size;		/* -1 unknown */
	time_t mtime;		/* 0 unknown; UTC for MLSD, approximate for LIST */
	int mtime_exact;	/* 1 if from MLSD modify= */
};
/* Parses one MLSD line ("facts; name").  0, or -1 if malformed.  Entries
 * of type cdir/pdir return 1 (caller skips them). */
int listing_parse_mlsd(const char *line, struct list_entry *e);
/* Parses one LIST line in the Unix ls -l shape (also "total N" -> 1 skip).
 * 0 ok, 1 skip, -1 unparsable. */
int listing_parse_ls(const char *line, time_t now, struct list_entry *e);

#endif
