/* test_line.c: the control-line reader — CRLF/LF, pipelining, lines split
 * over reads, Telnet IAC (also split), over-long lines, EOF, timeout.
 * SOCK_SEQPACKET pairs make each write arrive as exactly one read. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "unit.h"
#include "line.h"
#include "sys.h"

struct lpair {
	int wfd;
	struct conn c;
	struct line_reader r;
	struct buf out;
};

static int
lp_open(struct lpair *p, int type, size_t max_line, int timeout_ms)
{
	int sv[2];

	if (socketpair(AF_UNIX, type, 0, sv) < 0)
		return -1;
	p->wfd = sv[1];
	conn_init(&p->c, sv[0], timeout_ms);
	line_init(&p->r, &p->c, max_line);
	buf_init(&p->out, 1 << 20);
	return 0;
}

static void
lp_close(struct lpair *p)
{
	sys_close_failok(p->wfd);
	conn_close(&p->c);
	buf_free(&p->out);
}

/* One write = one read on the reader side (SEQPACKET). */
static void
lp_send(struct lpair *p, const char *s, size_t n)
{
	CU_ASSERT_EQUAL(sys_write_full(p->wfd, s, n), 0);
}

#define SEND(p, lit) lp_send((p), (lit), sizeof(lit) - 1)

static int
lp_line_is(struct lpair *p, const char *s, size_t n)
{
	return line_read(&p->r, &p->out) == LINE_OK && p->out.len == n &&
	    memcmp(p->out.data ? p->out.data : "", s, n) == 0;
}

#define LINE_IS(p, lit) lp_line_is((p), (lit), sizeof(lit) - 1)

static void
test_line_crlf_lf_pipelined(void)
{
	struct lpair p;

	CU_ASSERT_FATAL(lp_open(&p, SOCK_SEQPACKET, 100, 2000) == 0);
	SEND(&p, "USER a\r\nPASS b\nQUIT\r\n");
	CU_ASSERT(LINE_IS(&p, "USER a"));
	CU_ASSERT_EQUAL(line_pending(&p.r), 13);
	CU_ASSERT(LINE_IS(&p, "PASS b"));
	CU_ASSERT(LINE_IS(&p, "QUIT"));
	CU_ASSERT_EQUAL(line_pending(&p.r), 0);
	SEND(&p, "\r\n");
	CU_ASSERT(LINE_IS(&p, ""));
	lp_close(&p);
}

static void
test_line_split_over_reads(void)
{
	struct lpair p;

	CU_ASSERT_FATAL(lp_open(&p, SOCK_SEQPACKET, 100, 2000) == 0);
	SEND(&p, "US");
	SEND(&p, "ER a");
	SEND(&p, "\r");
	SEND(&p, "\nNO");
	SEND(&p, "OP\r\n");
	CU_ASSERT(LINE_IS(&p, "USER a"));
	CU_ASSERT(LINE_IS(&p, "NOOP"));
	lp_close(&p);
}

static void
test_line_cr_and_nul_kept(void)
{
	struct lpair p;

	CU_ASSERT_FATAL(lp_open(&p, SOCK_SEQPACKET, 100, 2000) == 0);
	SEND(&p, "A\rB\r\nC\0D\r\nE\r\r\n");
	CU_ASSERT(LINE_IS(&p, "A\rB"));
	CU_ASSERT(LINE_IS(&p, "C\0D"));
	CU_ASSERT(LINE_IS(&p, "E\r"));
	lp_close(&p);
}

static void
test_line_iac(void)
{
	struct lpair p;

	CU_ASSERT_FATAL(lp_open(&p, SOCK_SEQPACKET, 100, 2000) == 0);
	/* IAC IAC -> 0xFF; IAC IP, IAC DM dropped (ABOR urgent sequence) */
	SEND(&p, "AB\xff\xff" "C\r\n");
	CU_ASSERT(LINE_IS(&p, "AB\xff" "C"));
	SEND(&p, "\xff\xf4\xff\xf2" "ABOR\r\n");
	CU_ASSERT(LINE_IS(&p, "ABOR"));
	/* IAC WILL/WONT/DO/DONT take an option byte, even a newline */
	SEND(&p, "X\xff\xfb\x01Y\xff\xfc\nZ\xff\xfd\x03\xff\xfe\x18\r\n");
	CU_ASSERT(LINE_IS(&p, "XYZ"));
	lp_close(&p);
}

static void
test_line_iac_split(void)
{
	struct lpair p;

	CU_ASSERT_FATAL(lp_open(&p, SOCK_SEQPACKET, 100, 2000) == 0);
	SEND(&p, "A\xff");
	SEND(&p, "\xff");
	SEND(&p, "B\xff");
	SEND(&p, "\xfd");
	SEND(&p, "\x01");
	SEND(&p, "C\r\n");
	CU_ASSERT(LINE_IS(&p, "A\xff" "BC"));
	SEND(&p, "\xff");
	SEND(&p, "\xf4" "D\r\n");
	CU_ASSERT(LINE_IS(&p, "D"));
	/* The escaped 0xFF counts as one byte of the line. */
	lp_close(&p);
}

static void
test_line_toolong_boundary(void)
{
	struct lpair p;

	CU_ASSERT_FATAL(lp_open(&p, SOCK_SEQPACKET, 10, 2000) == 0);
	SEND(&p, "0123456789\r\n");			/* exactly max */
	CU_ASSERT(LINE_IS(&p, "0123456789"));
	SEND(&p, "0123456789");
	SEND(&p, "\r");
	SEND(&p, "\n");
	CU_ASSERT(LINE_IS(&p, "0123456789"));
	SEND(&p, "01234567890\r\nNEXT\r\n");		/* max + 1 */
	CU_ASSERT_EQUAL(line_read(&p.r, &p.out), LINE_TOOLONG);
	CU_ASSERT_EQUAL(p.out.len, 0);
	CU_ASSERT(LINE_IS(&p, "NEXT"));
	/* over-long line split over reads: tail must not become a command */
	SEND(&p, "0123456789AB");
	SEND(&p, "DELE x\r\n");
	SEND(&p, "PWD\r\n");
	CU_ASSERT_EQUAL(line_read(&p.r, &p.out), LINE_TOOLONG);
	CU_ASSERT(LINE_IS(&p, "PWD"));
	lp_close(&p);
}

struct bigw {
	int fd;
	size_t n;
	int ok;
};

static void *
big_writer(void *arg)
{
	struct bigw *w = arg;
	char *s = malloc(w->n + 32);

	if (s == NULL)
		return NULL;
	memset(s, 'x', w->n);
	memcpy(s + w->n, "\r\nNOOP\r\n", 8);
	w->ok = sys_write_full(w->fd, s, w->n + 8) == 0;
	free(s);
	return NULL;
}

static void
test_line_100k(void)
{
	struct lpair p;
	struct bigw w;
	pthread_t th;

	CU_ASSERT_FATAL(lp_open(&p, SOCK_STREAM, 4096, 5000) == 0);
	w.fd = p.wfd;
	w.n = 100 * 1024;
	w.ok = 0;
	CU_ASSERT_FATAL(pthread_create(&th, NULL, big_writer, &w) == 0);
	CU_ASSERT_EQUAL(line_read(&p.r, &p.out), LINE_TOOLONG);
	CU_ASSERT(p.out.cap <= 8192);		/* never buffered the whole line */
	CU_ASSERT(LINE_IS(&p, "NOOP"));
	pthread_join(th, NULL);
	CU_ASSERT(w.ok);
	lp_close(&p);
}

static void
test_line_small_out_cap(void)
{
	struct lpair p;
	struct buf small = BUF_INIT(4);

	CU_ASSERT_FATAL(lp_open(&p, SOCK_SEQPACKET, 100, 2000) == 0);
	SEND(&p, "123456\r\nabc\r\n");
	/* the buffer's own cap also counts as too long */
	CU_ASSERT_EQUAL(line_read(&p.r, &small), LINE_TOOLONG);
	CU_ASSERT_EQUAL(line_read(&p.r, &small), LINE_OK);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&small), "abc");
	buf_free(&small);
	lp_close(&p);
}

static void
test_line_eof_and_timeout(void)
{
	struct lpair p;
	long long t0;

	CU_ASSERT_FATAL(lp_open(&p, SOCK_SEQPACKET, 100, 100) == 0);
	t0 = sys_now_ms();
	CU_ASSERT_EQUAL(line_read(&p.r, &p.out), LINE_TIMEOUT);
	CU_ASSERT(sys_now_ms() - t0 >= 90);
	CU_ASSERT(sys_now_ms() - t0 < 2000);
	SEND(&p, "OK\r\npartial");
	CU_ASSERT(LINE_IS(&p, "OK"));
	sys_close_failok(p.wfd);
	p.wfd = -1;
	CU_ASSERT_EQUAL(line_read(&p.r, &p.out), LINE_EOF);
	CU_ASSERT_EQUAL(p.out.len, 0);
	CU_ASSERT_EQUAL(line_read(&p.r, &p.out), LINE_EOF);
	lp_close(&p);
}

static void
test_line_discard_pending(void)
{
	struct lpair p;

	CU_ASSERT_FATAL(lp_open(&p, SOCK_SEQPACKET, 100, 2000) == 0);
	SEND(&p, "AUTH TLS\r\nUSER evil\r\n");
	CU_ASSERT(LINE_IS(&p, "AUTH TLS"));
	CU_ASSERT_EQUAL(line_pending(&p.r), 11);
	line_discard_pending(&p.r);
	CU_ASSERT_EQUAL(line_pending(&p.r), 0);
	SEND(&p, "USER good\r\n");
	CU_ASSERT(LINE_IS(&p, "USER good"));
	lp_close(&p);
}

void
suite_line(void)
{
	UNIT_SUITE("line");
	UNIT_TEST(test_line_crlf_lf_pipelined);
	UNIT_TEST(test_line_split_over_reads);
	UNIT_TEST(test_line_cr_and_nul_kept);
	UNIT_TEST(test_line_iac);
	UNIT_TEST(test_line_iac_split);
	UNIT_TEST(test_line_toolong_boundary);
	UNIT_TEST(test_line_100k);
	UNIT_TEST(test_line_small_out_cap);
	UNIT_TEST(test_line_eof_and_timeout);
	UNIT_TEST(test_line_discard_pending);
}
