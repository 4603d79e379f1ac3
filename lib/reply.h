/* reply.h: FTP replies (RFC 959 section 4.2).
 * Server side: the formatter/writer.  Client side: the parser. */
#ifndef FTPKIT_REPLY_H
#define FTPKIT_REPLY_H

#include "buf.h"
#include "conn.h"
#include "line.h"

/* Formats a reply into out (appends).  text may hold several lines
 * separated by '\n'; a single line gives "code text\r\n", several give
 * "code-first\r\n", " middle\r\n" ..., "code last\r\n".  A middle line that
 * starts with a digit is prefixed by a space so it cannot be mistaken for
 * the end.  CR and NUL in text are dropped; 0xFF is doubled (Telnet IAC).
 * Returns 0 or -1 (buffer cap). */
int reply_format(struct buf *out, int code, const char *text);
/* reply_format + write to the connection.  0 or -1. */
int reply_send(struct conn *c, int code, const char *text);
int reply_sendf(struct conn *c, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Appends path to out as an RFC 959 quoted pathname: surrounding quotes,
 * embedded '"' doubled (for 257 replies). */
int reply_quote_path(struct buf *out, const char *path);
/* Reverse of reply_quote_path: parses the first quoted name in a 257
 * reply text into out.  0 or -1. */
int reply_unquote_path(const char *text, struct buf *out);

/* Client side. */
#define REPLY_MAX_LINES 16384	/* above what REPLY_MAX_TEXT of listing lines needs */
#define REPLY_MAX_TEXT (256 * 1024)

struct ftp_reply {
	int code;		/* 100..599, or 0 when unparsable */
	struct buf text;	/* all lines as received, joined with '\n',
				   codes included ("230-Welcome\n230 ok") */
	struct buf last;	/* text of the final line after "xyz " */
};

void reply_init(struct ftp_reply *r);
void reply_free(struct ftp_reply *r);
/* Reads one complete reply, multi-line aware: a "xyz-" first line runs
 * until a line starting with the same "xyz ".  Returns LINE_OK, or a
 * line_status error; a malformed first line gives LINE_ERROR with code 0. */
int reply_read(struct line_reader *lr, struct ftp_reply *r);
/* Feeds one already-read line to a reply being parsed (used by reply_read
 * and by fuzzers).  Returns 1 when the reply is complete, 0 if more lines
 * are needed, -1 if malformed or too large. state must start at 0. */
int reply_feed_line(struct ftp_reply *r, int *state, const char *line, size_t n);

#endif
