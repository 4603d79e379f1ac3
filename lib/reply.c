/* reply.c: FTP replies per RFC 959 section 4.2.  The server formats and
 * sends them (multi-line aware, Telnet-safe); the client parses them. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "reply.h"

/* Output cap for one formatted reply (server side). */
#define REPLY_OUT_MAX (2 * REPLY_MAX_TEXT + 64)

/* Appends one line of reply text: CR and NUL dropped, 0xFF doubled. */
static int
reply_put_text(struct buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '\r' || ch == '\0')
			continue;
		if (ch == 0xff && buf_putc(out, (char)0xff) < 0)
			return -1;
		if (buf_putc(out, (char)ch) < 0)
			return -1;
	}
	return buf_append(out, "\r\n", 2);
}

int
reply_format(struct buf *out, int code, const char *text)
{
	const char *p, *nl, *end;
	size_t oldlen = out->len;
	int first = 1;

	if (code < 100 || code > 999)
		code = 500;
	if (text == NULL)
		text = "";
	end = text + strlen(text);
	while (end > text && end[-1] == '\n')	/* no empty final line */
		end--;
	for (p = text;; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL) {
			/* Final line: "xyz text". */
			if (buf_printf(out, "%03d ", code) < 0 ||
			    reply_put_text(out, p, (size_t)(end - p)) < 0)
				goto fail;
			return 0;
		}
		if (first) {
			if (buf_printf(out, "%03d-", code) < 0)
				goto fail;
			first = 0;
		} else if (*p != ' ' && buf_putc(out, ' ') < 0) {
			/* A middle line never starts with a digit, so it cannot
			 * be mistaken for the terminating "xyz " line. */
			goto fail;
		}
		if (reply_put_text(out, p, (size_t)(nl - p)) < 0)
			goto fail;
	}
fail:
	buf_truncate(out, oldlen);
	return -1;
}

int
reply_send(struct conn *c, int code, const char *text)
{
	struct buf b = BUF_INIT(REPLY_OUT_MAX);
	int r = -1;

	if (reply_format(&b, code, text) == 0)
		r = conn_write_full(c, b.data, b.len);
	buf_free(&b);
	return r;
}

int
reply_sendf(struct conn *c, int code, const char *fmt, ...)
{
	struct buf t = BUF_INIT(REPLY_MAX_TEXT);
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = buf_vprintf(&t, fmt, ap);
	va_end(ap);
	if (r == 0)
		r = reply_send(c, code, buf_cstr(&t));
	buf_free(&t);
	return r;
}

int
reply_quote_path(struct buf *out, const char *path)
{
	size_t oldlen = out->len;

	if (buf_putc(out, '"') < 0)
		return -1;
	for (const char *p = path; *p != '\0'; p++) {
		if (*p == '"' && buf_putc(out, '"') < 0)
			goto fail;
		if (buf_putc(out, *p) < 0)
			goto fail;
	}
	if (buf_putc(out, '"') == 0)
		return 0;
fail:
	buf_truncate(out, oldlen);
	return -1;
}

int
reply_unquote_path(const char *text, struct buf *out)
{
	const char *p = strchr(text, '"');

	buf_reset(out);
	if (p == NULL)
		return -1;
	for (p++; *p != '\0'; p++) {
		if (*p == '"') {
			if (p[1] != '"')
				return 0;
			p++;
		}
		if (buf_putc(out, *p) < 0)
			break;
	}
	buf_reset(out);
	return -1;		/* no closing quote */
}

void
reply_init(struct ftp_reply *r)
{
	r->code = 0;
	buf_init(&r->text, REPLY_MAX_TEXT);
	buf_init(&r->last, REPLY_MAX_TEXT);
}

void
reply_free(struct ftp_reply *r)
{
	buf_free(&r->text);
	buf_free(&r->last);
	r->code = 0;
}

/* "xyz" with x in 1..5: returns the code, else 0. */
static int
reply_code_of(const char *line, size_t n)
{
	if (n < 3 || line[0] < '1' || line[0] > '5' ||
	    line[1] < '0' || line[1] > '9' || line[2] < '0' || line[2] > '9')
		return 0;
	return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
}

/* Stores the text of the final line (after "xyz "). */
static int
reply_finish(struct ftp_reply *r, const char *line, size_t n)
{
	buf_reset(&r->last);
	if (n > 4 && buf_append(&r->last, line + 4, n - 4) < 0)
		return -1;
	return 1;
}

/* *state encodes progress: 0 = expecting the first line, otherwise
 * lines_so_far * 1000 + code of a multi-line reply in progress. */
int
reply_feed_line(struct ftp_reply *r, int *state, const char *line, size_t n)
{
	int code, lines;

	if (*state <= 0) {
		buf_reset(&r->text);
		buf_reset(&r->last);
		r->code = 0;
		code = reply_code_of(line, n);
		if (code == 0 || (n > 3 && line[3] != ' ' && line[3] != '-'))
			return -1;
		if (buf_append(&r->text, line, n) < 0)
			return -1;
		r->code = code;
		if (n > 3 && line[3] == '-') {
			*state = 1000 + code;
			return 0;
		}
		*state = 0;
		return reply_finish(r, line, n);
	}
	code = *state % 1000;
	lines = *state / 1000;
	/* SECURITY: bounded in lines and bytes. */
	if (lines >= REPLY_MAX_LINES)
		return -1;
	if (buf_putc(&r->text, '\n') < 0 || buf_append(&r->text, line, n) < 0)
		return -1;
	*state = (lines + 1) * 1000 + code;
	/* RFC 959 4.2: the reply ends at the first line that starts with the
	 * same code followed by a space; any other line is text. */
	if (reply_code_of(line, n) == code && (n == 3 || line[3] == ' ')) {
		*state = 0;
		return reply_finish(r, line, n);
	}
	return 0;
}

int
reply_read(struct line_reader *lr, struct ftp_reply *r)
{
	struct buf line = BUF_INIT(REPLY_MAX_TEXT);
	int state = 0, st, fr;

	r->code = 0;
	buf_reset(&r->text);
	buf_reset(&r->last);
	for (;;) {
		st = line_read(lr, &line);
		if (st == LINE_TOOLONG && state > 0)
			continue;	/* skip an over-long text line */
		if (st != LINE_OK)
			break;
		fr = reply_feed_line(r, &state, line.data ? line.data : "",
				     line.len);
		if (fr == 1)
			break;
		if (fr < 0) {
			if (state == 0)
				r->code = 0;
			st = LINE_ERROR;
			break;
		}
	}
	buf_free(&line);
	return st;
}
