/* test_reply.c: reply formatting (multi-line, escaping, caps), quoted
 * paths, and the client parser (RFC 959 4.2 multi-line rules). */
#include "config.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "unit.h"
#include "reply.h"
#include "sys.h"

static void
test_reply_format_single(void)
{
	struct buf b = BUF_INIT(1024);

	CU_ASSERT_EQUAL(reply_format(&b, 200, "Command okay."), 0);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&b), "200 Command okay.\r\n");
	buf_reset(&b);
	CU_ASSERT_EQUAL(reply_format(&b, 226, "done\n"), 0);	/* trailing LF */
	CU_ASSERT_STRING_EQUAL(buf_cstr(&b), "226 done\r\n");
	buf_reset(&b);
	/* appends */
	CU_ASSERT_EQUAL(reply_format(&b, 150, "a"), 0);
	CU_ASSERT_EQUAL(reply_format(&b, 226, "b"), 0);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&b), "150 a\r\n226 b\r\n");
	buf_free(&b);
}

static void
test_reply_format_multi(void)
{
	struct buf b = BUF_INIT(1024);

	CU_ASSERT_EQUAL(reply_format(&b, 211, "Features:\n EPRT\nUTF8\nEnd"), 0);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&b),
			       "211-Features:\r\n EPRT\r\n UTF8\r\n211 End\r\n");
	buf_reset(&b);
	/* a digit-led middle line must not look like the end */
	CU_ASSERT_EQUAL(reply_format(&b, 250, "msg\n250 fake end\n123\nbye"), 0);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&b),
			       "250-msg\r\n 250 fake end\r\n 123\r\n250 bye\r\n");
	buf_reset(&b);
	CU_ASSERT_EQUAL(reply_format(&b, 214, "a\n\nb"), 0);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&b), "214-a\r\n \r\n214 b\r\n");
	buf_free(&b);
}

static void
test_reply_format_escaping(void)
{
	struct buf b = BUF_INIT(1024);

	CU_ASSERT_EQUAL(reply_format(&b, 550, "bad\rname\xff" "x"), 0);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&b), "550 badname\xff\xff" "x\r\n");
	buf_free(&b);
}

static void
test_reply_format_cap(void)
{
	struct buf b = BUF_INIT(20);

	CU_ASSERT_EQUAL(buf_puts(&b, "keep"), 0);
	CU_ASSERT_EQUAL(reply_format(&b, 200, "this text is far too long"), -1);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&b), "keep");
	CU_ASSERT_EQUAL(reply_format(&b, 200, "short\nlines\nbut many"), -1);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&b), "keep");
	buf_free(&b);
}

static void
test_reply_quote_path(void)
{
	struct buf b = BUF_INIT(256), u = BUF_INIT(256);

	CU_ASSERT_EQUAL(reply_quote_path(&b, "/a\"b c"), 0);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&b), "\"/a\"\"b c\"");
	CU_ASSERT_EQUAL(reply_unquote_path("257 \"/a\"\"b c\" is current", &u), 0);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&u), "/a\"b c");
	CU_ASSERT_EQUAL(reply_unquote_path("\"/\"", &u), 0);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&u), "/");
	CU_ASSERT_EQUAL(reply_unquote_path("\"\" empty", &u), 0);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&u), "");
	CU_ASSERT_EQUAL(reply_unquote_path("no quotes", &u), -1);
	CU_ASSERT_EQUAL(reply_unquote_path("\"/unterminated", &u), -1);
	CU_ASSERT_EQUAL(reply_unquote_path("\"/ends in doubled\"\"", &u), -1);
	buf_free(&b);
	buf_free(&u);
}

static int
feed(struct ftp_reply *r, int *st, const char *s)
{
	return reply_feed_line(r, st, s, strlen(s));
}

static void
test_reply_feed_single(void)
{
	struct ftp_reply r;
	int st = 0;

	reply_init(&r);
	CU_ASSERT_EQUAL(feed(&r, &st, "220 Service ready"), 1);
	CU_ASSERT_EQUAL(r.code, 220);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&r.last), "Service ready");
	CU_ASSERT_STRING_EQUAL(buf_cstr(&r.text), "220 Service ready");
	CU_ASSERT_EQUAL(st, 0);
	CU_ASSERT_EQUAL(feed(&r, &st, "200"), 1);	/* bare code */
	CU_ASSERT_EQUAL(r.code, 200);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&r.last), "");
	reply_free(&r);
}

static void
test_reply_feed_multi_embedded_digits(void)
{
	struct ftp_reply r;
	int st = 0;

	reply_init(&r);
	CU_ASSERT_EQUAL(feed(&r, &st, "230-Welcome"), 0);
	CU_ASSERT_EQUAL(feed(&r, &st, "230-still going"), 0);
	CU_ASSERT_EQUAL(feed(&r, &st, "123 other digits"), 0);
	CU_ASSERT_EQUAL(feed(&r, &st, "220 another code"), 0);
	CU_ASSERT_EQUAL(feed(&r, &st, "2301 longer number"), 0);
	CU_ASSERT_EQUAL(feed(&r, &st, " 230 indented"), 0);
	CU_ASSERT_EQUAL(feed(&r, &st, ""), 0);
	CU_ASSERT_EQUAL(feed(&r, &st, "230 Login ok"), 1);
	CU_ASSERT_EQUAL(r.code, 230);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&r.last), "Login ok");
	CU_ASSERT_STRING_EQUAL(buf_cstr(&r.text),
	    "230-Welcome\n230-still going\n123 other digits\n220 another code\n"
	    "2301 longer number\n 230 indented\n\n230 Login ok");
	/* next reply starts fresh */
	CU_ASSERT_EQUAL(feed(&r, &st, "331 pw"), 1);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&r.text), "331 pw");
	reply_free(&r);
}

static void
test_reply_feed_malformed(void)
{
	static const char *const bad[] = {
		"", "2", "20", "abc def", "600 no", "000 no", "099 no",
		"200x", "20 0", " 200 ok", "2a0 x",
	};
	struct ftp_reply r;
	int st;

	reply_init(&r);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		st = 0;
		CU_ASSERT_EQUAL(feed(&r, &st, bad[i]), -1);
		CU_ASSERT_EQUAL(r.code, 0);
	}
	reply_free(&r);
}

static void
test_reply_feed_caps(void)
{
	struct ftp_reply r;
	char big[4000];
	int st = 0, res = 0, i;

	reply_init(&r);
	CU_ASSERT_EQUAL(feed(&r, &st, "211-start"), 0);
	for (i = 0; i < REPLY_MAX_LINES + 5 && res == 0; i++)
		res = feed(&r, &st, "line");
	CU_ASSERT_EQUAL(res, -1);
	CU_ASSERT(i <= REPLY_MAX_LINES);

	st = 0;
	memset(big, 'y', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	CU_ASSERT_EQUAL(feed(&r, &st, "211-start"), 0);
	res = 0;
	for (i = 0; i < 200 && res == 0; i++)
		res = feed(&r, &st, big);
	CU_ASSERT_EQUAL(res, -1);		/* REPLY_MAX_TEXT reached */
	CU_ASSERT(r.text.len <= REPLY_MAX_TEXT);
	reply_free(&r);
}

static void
test_reply_format_roundtrip(void)
{
	const char *text = "first\n200 looks final\n 200 spaced\nlast";
	struct buf b = BUF_INIT(1024);
	struct ftp_reply r;
	const char *p, *nl;
	int st = 0, res = 0;

	reply_init(&r);
	CU_ASSERT_EQUAL_FATAL(reply_format(&b, 200, text), 0);
	for (p = buf_cstr(&b); (nl = strstr(p, "\r\n")) != NULL; p = nl + 2) {
		res = reply_feed_line(&r, &st, p, (size_t)(nl - p));
		if (res != 0)
			break;
	}
	CU_ASSERT_EQUAL(res, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(nl);
	CU_ASSERT_STRING_EQUAL(nl + 2, "");	/* ended at the last line */
	CU_ASSERT_STRING_EQUAL(buf_cstr(&r.last), "last");
	reply_free(&r);
	buf_free(&b);
}

static void
test_reply_read_socket(void)
{
	static const char wire[] =
	    "220-hello\r\n220-more\r\n 220 not yet\r\n220 ready\r\n"
	    "331 password\r\nxyz garbage\r\n";
	struct ftp_reply r;
	struct line_reader lr;
	struct conn c;
	int sv[2];

	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	conn_init(&c, sv[0], 2000);
	line_init(&lr, &c, 4096);
	reply_init(&r);
	CU_ASSERT_EQUAL(sys_write_full(sv[1], wire, sizeof wire - 1), 0);
	CU_ASSERT_EQUAL(reply_read(&lr, &r), LINE_OK);
	CU_ASSERT_EQUAL(r.code, 220);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&r.last), "ready");
	CU_ASSERT_EQUAL(reply_read(&lr, &r), LINE_OK);
	CU_ASSERT_EQUAL(r.code, 331);
	CU_ASSERT_EQUAL(reply_read(&lr, &r), LINE_ERROR);
	CU_ASSERT_EQUAL(r.code, 0);
	sys_close_failok(sv[1]);
	CU_ASSERT_EQUAL(reply_read(&lr, &r), LINE_EOF);
	reply_free(&r);
	conn_close(&c);
}

static void
test_reply_read_overlong_lines(void)
{
	static const char wire[] =
	    "211-start\r\n"
	    " this middle line is much longer than the reader allows\r\n"
	    "211 end\r\n"
	    "500 this first line is also far too long to accept\r\n"
	    "200 ok\r\n";
	struct ftp_reply r;
	struct line_reader lr;
	struct conn c;
	int sv[2];

	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	conn_init(&c, sv[0], 2000);
	line_init(&lr, &c, 16);
	reply_init(&r);
	CU_ASSERT_EQUAL(sys_write_full(sv[1], wire, sizeof wire - 1), 0);
	/* an over-long text line inside a reply is skipped */
	CU_ASSERT_EQUAL(reply_read(&lr, &r), LINE_OK);
	CU_ASSERT_EQUAL(r.code, 211);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&r.text), "211-start\n211 end");
	/* an over-long first line is reported; the reader stays in sync */
	CU_ASSERT_EQUAL(reply_read(&lr, &r), LINE_TOOLONG);
	CU_ASSERT_EQUAL(reply_read(&lr, &r), LINE_OK);
	CU_ASSERT_EQUAL(r.code, 200);
	reply_free(&r);
	conn_close(&c);
	sys_close_failok(sv[1]);
}

static void
test_reply_send(void)
{
	struct conn c;
	char got[256];
	ssize_t n;
	int sv[2];

	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	conn_init(&c, sv[0], 2000);
	CU_ASSERT_EQUAL(reply_send(&c, 257, "\"/x\" created"), 0);
	CU_ASSERT_EQUAL(reply_sendf(&c, 213, "%d", 12345), 0);
	CU_ASSERT_EQUAL(reply_sendf(&c, 500, "%s", "'%s' not understood"), 0);
	n = read(sv[1], got, sizeof got - 1);
	CU_ASSERT(n > 0);
	got[n > 0 ? n : 0] = '\0';
	CU_ASSERT_STRING_EQUAL(got, "257 \"/x\" created\r\n213 12345\r\n"
			       "500 '%s' not understood\r\n");
	conn_close(&c);
	sys_close_failok(sv[1]);
}

void
suite_reply(void)
{
	UNIT_SUITE("reply");
	UNIT_TEST(test_reply_format_single);
	UNIT_TEST(test_reply_format_multi);
	UNIT_TEST(test_reply_format_escaping);
	UNIT_TEST(test_reply_format_cap);
	UNIT_TEST(test_reply_quote_path);
	UNIT_TEST(test_reply_feed_single);
	UNIT_TEST(test_reply_feed_multi_embedded_digits);
	UNIT_TEST(test_reply_feed_malformed);
	UNIT_TEST(test_reply_feed_caps);
	UNIT_TEST(test_reply_format_roundtrip);
	UNIT_TEST(test_reply_read_socket);
	UNIT_TEST(test_reply_read_overlong_lines);
	UNIT_TEST(test_reply_send);
}
