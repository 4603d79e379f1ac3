/* transfer.h: one RETR/STOR/APPE/LIST on an open control connection:
 * TYPE, data channel, REST, the copy through lib/xfer (rate limit, ASCII,
 * progress, Ctrl-C -> ABOR), and the final reply.  Local files are opened
 * by the caller (localfs for server-chosen names). */
#ifndef FTP_TRANSFER_H
#define FTP_TRANSFER_H

#include <stdint.h>
#include "buf.h"
#include "client.h"
#include "progress.h"

struct tr_req {
	const char *remote;	/* remote path */
	int fd;			/* local file, positioned by the caller */
	uint64_t offset;	/* REST offset, 0 = from the start */
	int64_t size;		/* full remote/local size for the bar, -1 */
	int append;		/* put: APPE instead of STOR */
	const char *label;	/* name in the bar */
	struct overall *ov;	/* overall bar or NULL */
	int no_summary;		/* no "bytes received" line */
	const char *part_name;	/* get: the file's temporary name, or NULL */
};

/* Download into r->fd.  *moved (may be NULL) gets the bytes written.
 * Returns ST_OK or a status (printed); ST_INTR after Ctrl-C (the server
 * got ABOR and the session is still usable). */
int tr_get(struct ftp_client *c, const struct tr_req *r, uint64_t *moved);
/* Upload from r->fd (from its current offset). */
int tr_put(struct ftp_client *c, const struct tr_req *r, uint64_t *moved);
/* LIST/NLST/MLSD arg (arg may be NULL) written to fd with CRLF -> LF. */
int tr_list_to_fd(struct ftp_client *c, const char *verb, const char *arg,
		  int fd);
/* The same into memory (at most max bytes), without printing replies
 * unless debugging. */
int tr_list_to_buf(struct ftp_client *c, const char *verb, const char *arg,
		   struct buf *out);

#endif
