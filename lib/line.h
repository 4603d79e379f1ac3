/* line.h: the bounded CRLF line reader used for every control connection
 * (server commands and client replies).
 *
 * - Accepts CRLF or bare LF as terminator; the terminator is not returned.
 * - Telnet (RFC 854): IAC IAC becomes one 0xFF byte; IAC WILL/WONT/DO/DONT x
 *   and IAC <other command> (IP, DM, ...) are removed.
 * - A line longer than max_line is discarded up to and including its
 *   newline and reported as LINE_TOOLONG (never split into two commands).
 * - NUL bytes are kept in the returned length so callers can reject them. */
#ifndef FTPKIT_LINE_H
#define FTPKIT_LINE_H

#include <stddef.h>
#include "conn.h"
#include "buf.h"

enum line_status {
	LINE_OK = 0,
	LINE_EOF,	/* connection closed (a partial last line is dropped) */
	LINE_TOOLONG,	/* line discarded; reader is ready for the next one */
	LINE_TIMEOUT,
	LINE_ERROR
};

#define LINE_BUFSZ 4096

struct line_reader {
	struct conn *c;
	size_t max_line;
	size_t start, end;		/* unread bytes are in raw[start..end) */
	int iac_state;			/* telnet parser state across reads */
	unsigned char raw[LINE_BUFSZ];
};

void line_init(struct line_reader *r, struct conn *c, size_t max_line);
/* Reads one line into out (reset first).  Returns an enum line_status. */
int line_read(struct line_reader *r, struct buf *out);
/* Bytes already read from the connection but not yet returned. */
size_t line_pending(const struct line_reader *r);
/* Drops those bytes (e.g. plaintext pipelined after AUTH TLS). */
void line_discard_pending(struct line_reader *r);

#endif
