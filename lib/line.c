/* line.c: the bounded CRLF line reader for control connections.  Telnet
 * IAC sequences are stripped here, over-long lines are discarded whole,
 * and bytes after a line stay buffered for the next call (pipelining). */
#include "config.h"

#include <errno.h>

#include "line.h"

#define TEL_IAC 255
#define TEL_WILL 251
#define TEL_DONT 254

enum { IAC_NONE = 0, IAC_SEEN, IAC_OPTION };

void
line_init(struct line_reader *r, struct conn *c, size_t max_line)
{
	r->c = c;
	r->max_line = max_line;
	r->start = 0;
	r->end = 0;
	r->iac_state = IAC_NONE;
}

size_t
line_pending(const struct line_reader *r)
{
	return r->end - r->start;
}

void
line_discard_pending(struct line_reader *r)
{
	r->start = 0;
	r->end = 0;
	r->iac_state = IAC_NONE;
}

/* Runs one raw byte through the telnet filter.  Returns the data byte, or
 * -1 when the byte was part of a telnet command. */
static int
telnet_filter(struct line_reader *r, unsigned char ch)
{
	switch (r->iac_state) {
	case IAC_SEEN:
		if (ch == TEL_IAC) {
			r->iac_state = IAC_NONE;
			return TEL_IAC;		/* IAC IAC: a literal 0xFF */
		}
		/* WILL/WONT/DO/DONT carry one option byte. */
		r->iac_state = (ch >= TEL_WILL && ch <= TEL_DONT) ?
		    IAC_OPTION : IAC_NONE;
		return -1;
	case IAC_OPTION:
		r->iac_state = IAC_NONE;
		return -1;
	default:
		if (ch == TEL_IAC) {
			r->iac_state = IAC_SEEN;
			return -1;
		}
		return ch;
	}
}

/* Appends one content byte unless the line is already too long. */
static void
line_put(struct line_reader *r, struct buf *out, char ch, int *toolong)
{
	if (*toolong)
		return;
	if (out->len >= r->max_line || buf_putc(out, ch) < 0) {
		/* SECURITY: never split; drop what we have and skip to EOL. */
		*toolong = 1;
		buf_reset(out);
	}
}

int
line_read(struct line_reader *r, struct buf *out)
{
	int toolong = 0, cr = 0, ch;
	ssize_t n;

	buf_reset(out);
	for (;;) {
		while (r->start < r->end) {
			ch = telnet_filter(r, r->raw[r->start++]);
			if (ch < 0)
				continue;
			if (ch == '\n')
				return toolong ? LINE_TOOLONG : LINE_OK;
			/* A CR counts only if it is not the CR of CRLF. */
			if (cr) {
				line_put(r, out, '\r', &toolong);
				cr = 0;
			}
			if (ch == '\r') {
				cr = 1;
				continue;
			}
			line_put(r, out, (char)ch, &toolong);
		}
		r->start = 0;
		r->end = 0;
		n = conn_read(r->c, r->raw, sizeof r->raw);
		if (n == 0) {
			buf_reset(out);
			return LINE_EOF;
		}
		if (n < 0) {
			buf_reset(out);
			return errno == ETIMEDOUT ? LINE_TIMEOUT : LINE_ERROR;
		}
		r->end = (size_t)n;
	}
}
