/* fuzz_reply.c: the client's reply parser (reply_feed_line) and the
 * server's reply formatter (reply_format) from lib/reply.c.
 *
 * Input: byte 0 picks a mode.
 *   0: the rest is a stream of reply lines split on '\n' (as line_read
 *      delivers them); every verdict is checked against RFC 959 4.2.
 *   1: bytes 1-2 pick a code, the rest (to the first NUL) is reply text;
 *      the formatted reply is compared with an independent rendering and
 *      must parse back as exactly one reply with that code.
 *   2: the rest is a pathname; a 257 reply quoting it must unquote to it. */
#include "config.h"

#include "buf.h"
#include "reply.h"
#include "fuzz.h"

/* "xyz" with x in 1..5, else 0. */
static int
code_of(const char *l, size_t n)
{
	if (n < 3 || l[0] < '1' || l[0] > '5' || l[1] < '0' || l[1] > '9' ||
	    l[2] < '0' || l[2] > '9')
		return 0;
	return (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
}

static void
check_complete(const struct ftp_reply *r, const char *l, size_t n, int code)
{
	FUZZ_ASSERT(r->code == code);
	FUZZ_ASSERT(r->code >= 100 && r->code <= 599);
	FUZZ_ASSERT(r->text.len >= 3 && code_of(r->text.data, 3) == code);
	FUZZ_ASSERT(r->text.len <= REPLY_MAX_TEXT);
	if (n > 4) {
		FUZZ_ASSERT(r->last.len == n - 4);
		FUZZ_ASSERT(memcmp(r->last.data, l + 4, n - 4) == 0);
	} else {
		FUZZ_ASSERT(r->last.len == 0);
	}
}

static void
mode_parse(const uint8_t *p, size_t n)
{
	struct ftp_reply r;
	const char *l = (const char *)p, *nl;
	size_t ln;
	int state = 0, code = 0, lines = 0, fr, want;

	reply_init(&r);
	while (n > 0) {
		nl = memchr(l, '\n', n);
		ln = nl ? (size_t)(nl - l) : n;
		fr = reply_feed_line(&r, &state, l, ln);
		if (code == 0) {
			/* First line of a reply. */
			code = code_of(l, ln);
			if (code == 0 || (ln > 3 && l[3] != ' ' && l[3] != '-'))
				want = -1;
			else
				want = (ln > 3 && l[3] == '-') ? 0 : 1;
			FUZZ_ASSERT(fr == want);
			lines = 1;
		} else {
			lines++;
			if (lines > REPLY_MAX_LINES)
				want = -1;
			else if (code_of(l, ln) == code &&
				 (ln == 3 || l[3] == ' '))
				want = 1;
			else
				want = 0;
			/* Only the byte cap may fail a text line early. */
			FUZZ_ASSERT(fr == want || (fr == -1 && want == 0));
		}
		if (fr == 1) {
			check_complete(&r, l, ln, code);
			FUZZ_ASSERT(state == 0);
		}
		if (fr != 0) {
			code = 0;
			state = 0;
		}
		/* Whatever came, the unquoting helper must cope. */
		if (fr == 1 && r.code == 257) {
			struct buf q = BUF_INIT(REPLY_MAX_TEXT);

			(void)reply_unquote_path(buf_cstr(&r.last), &q);
			buf_free(&q);
		}
		if (nl == NULL)
			break;
		n -= ln + 1;
		l = nl + 1;
	}
	reply_free(&r);
}

/* One line of text as reply_format must write it: CR and NUL dropped,
 * 0xFF doubled, CRLF appended. */
static void
expect_text(struct buf *e, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '\r')
			continue;
		if (ch == 0xff)
			FUZZ_ASSERT(buf_putc(e, (char)0xff) == 0);
		FUZZ_ASSERT(buf_putc(e, (char)ch) == 0);
	}
	FUZZ_ASSERT(buf_append(e, "\r\n", 2) == 0);
}

static void
mode_format(const uint8_t *p, size_t n)
{
	struct buf out = BUF_INIT(SIZE_MAX), exp = BUF_INIT(SIZE_MAX);
	struct ftp_reply r;
	char *text;
	const char *s, *end, *nl, *l, *crlf;
	size_t nlines = 0, seen = 0;
	int code, state = 0, fr = 0;

	code = (int)fuzz_take(&p, &n) << 8;
	code = 100 + (code | (int)fuzz_take(&p, &n)) % 500;
	text = fuzz_strndup(p, n);
	FUZZ_ASSERT(reply_format(&out, code, text) == 0);

	/* Independent rendering of the same reply. */
	end = text + strlen(text);
	while (end > text && end[-1] == '\n')
		end--;
	for (s = text; (nl = memchr(s, '\n', (size_t)(end - s))) != NULL;
	     s = nl + 1) {
		if (nlines == 0)
			FUZZ_ASSERT(buf_printf(&exp, "%03d-", code) == 0);
		else if (*s != ' ')
			FUZZ_ASSERT(buf_putc(&exp, ' ') == 0);
		expect_text(&exp, s, (size_t)(nl - s));
		nlines++;
	}
	FUZZ_ASSERT(buf_printf(&exp, "%03d ", code) == 0);
	expect_text(&exp, s, (size_t)(end - s));
	nlines++;
	FUZZ_ASSERT(out.len == exp.len);
	FUZZ_ASSERT(memcmp(out.data, exp.data, out.len) == 0);

	/* The client must see one reply that ends on the last line. */
	reply_init(&r);
	for (l = out.data; l < out.data + out.len; l = crlf + 2) {
		crlf = memmem(l, (size_t)(out.data + out.len - l), "\r\n", 2);
		FUZZ_ASSERT(crlf != NULL);
		seen++;
		fr = reply_feed_line(&r, &state, l, (size_t)(crlf - l));
		if (nlines > REPLY_MAX_LINES)
			break;		/* more than the client accepts */
		FUZZ_ASSERT(fr == (seen == nlines ? 1 : 0));
	}
	if (seen == nlines && fr == 1)
		FUZZ_ASSERT(r.code == code);
	reply_free(&r);
	buf_free(&out);
	buf_free(&exp);
	free(text);
}

static void
mode_quote(const uint8_t *p, size_t n)
{
	struct buf t = BUF_INIT(SIZE_MAX), back = BUF_INIT(SIZE_MAX);
	char *path = fuzz_strndup(p, n);

	FUZZ_ASSERT(buf_puts(&t, "257 ") == 0);
	FUZZ_ASSERT(reply_quote_path(&t, path) == 0);
	FUZZ_ASSERT(buf_puts(&t, " is the current directory") == 0);
	/* Parse from the text after the code, as the client does. */
	FUZZ_ASSERT(reply_unquote_path(buf_cstr(&t) + 4, &back) == 0);
	FUZZ_ASSERT(strcmp(buf_cstr(&back), path) == 0);
	buf_free(&t);
	buf_free(&back);
	free(path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data;
	size_t n = size;

	switch (fuzz_take(&p, &n) % 3) {
	case 0:
		mode_parse(p, n);
		break;
	case 1:
		mode_format(p, n);
		break;
	default:
		mode_quote(p, n);
		break;
	}
	return 0;
}
