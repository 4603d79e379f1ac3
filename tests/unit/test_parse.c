/* test_parse.c: numbers, config values, command split, PORT/EPRT/EPSV,
 * 227/229 replies, FTP times, UTF-8. */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "unit.h"
#include "parse.h"

static void
test_parse_u64(void)
{
	uint64_t v = 7;

	CU_ASSERT_EQUAL(parse_u64("0", 10, &v), 0);
	CU_ASSERT_EQUAL(v, 0);
	CU_ASSERT_EQUAL(parse_u64("10", 10, &v), 0);
	CU_ASSERT_EQUAL(v, 10);
	CU_ASSERT_EQUAL(parse_u64("11", 10, &v), -1);
	CU_ASSERT_EQUAL(parse_u64("18446744073709551615", UINT64_MAX, &v), 0);
	CU_ASSERT_EQUAL(v, UINT64_MAX);
	CU_ASSERT_EQUAL(parse_u64("18446744073709551616", UINT64_MAX, &v), -1);
	CU_ASSERT_EQUAL(parse_u64("99999999999999999999999", UINT64_MAX, &v), -1);
	CU_ASSERT_EQUAL(parse_u64("", 10, &v), -1);
	CU_ASSERT_EQUAL(parse_u64("-1", 10, &v), -1);
	CU_ASSERT_EQUAL(parse_u64("+1", 10, &v), -1);
	CU_ASSERT_EQUAL(parse_u64(" 1", 10, &v), -1);
	CU_ASSERT_EQUAL(parse_u64("1 ", 10, &v), -1);
	CU_ASSERT_EQUAL(parse_u64("0x1", 10, &v), -1);
	CU_ASSERT_EQUAL(parse_u64("5", 2, &v), -1);
	CU_ASSERT_EQUAL(parse_u64(NULL, 2, &v), -1);
}

static void
test_parse_bool(void)
{
	int b = -1;

	CU_ASSERT(parse_bool("yes", &b) == 0 && b == 1);
	CU_ASSERT(parse_bool("NO", &b) == 0 && b == 0);
	CU_ASSERT(parse_bool("true", &b) == 0 && b == 1);
	CU_ASSERT(parse_bool("off", &b) == 0 && b == 0);
	CU_ASSERT(parse_bool("1", &b) == 0 && b == 1);
	CU_ASSERT(parse_bool("0", &b) == 0 && b == 0);
	CU_ASSERT_EQUAL(parse_bool("yess", &b), -1);
	CU_ASSERT_EQUAL(parse_bool("", &b), -1);
	CU_ASSERT_EQUAL(parse_bool("2", &b), -1);
}

static void
test_parse_duration_size(void)
{
	unsigned s;
	uint64_t z;

	CU_ASSERT(parse_duration("30", &s) == 0 && s == 30);
	CU_ASSERT(parse_duration("30s", &s) == 0 && s == 30);
	CU_ASSERT(parse_duration("5m", &s) == 0 && s == 300);
	CU_ASSERT(parse_duration("1h", &s) == 0 && s == 3600);
	CU_ASSERT_EQUAL(parse_duration("1d", &s), -1);
	CU_ASSERT_EQUAL(parse_duration("m", &s), -1);
	CU_ASSERT_EQUAL(parse_duration("5mm", &s), -1);
	CU_ASSERT_EQUAL(parse_duration("-5", &s), -1);
	CU_ASSERT_EQUAL(parse_duration("99999999h", &s), -1);	/* overflow */
	CU_ASSERT(parse_size("512", &z) == 0 && z == 512);
	CU_ASSERT(parse_size("64K", &z) == 0 && z == 65536);
	CU_ASSERT(parse_size("10M", &z) == 0 && z == 10485760);
	CU_ASSERT(parse_size("2G", &z) == 0 && z == 2147483648ULL);
	CU_ASSERT_EQUAL(parse_size("1T", &z), -1);
	CU_ASSERT_EQUAL(parse_size("17179869184G", &z), -1);	/* 2^64 */
	CU_ASSERT_EQUAL(parse_size("", &z), -1);
	CU_ASSERT_EQUAL(parse_size("K", &z), -1);
}

static void
test_parse_port_range(void)
{
	unsigned lo, hi;

	CU_ASSERT(parse_port_range("49152-65534", &lo, &hi) == 0 &&
		  lo == 49152 && hi == 65534);
	CU_ASSERT(parse_port_range("1-1", &lo, &hi) == 0 && lo == 1 && hi == 1);
	CU_ASSERT_EQUAL(parse_port_range("0-10", &lo, &hi), -1);
	CU_ASSERT_EQUAL(parse_port_range("10-9", &lo, &hi), -1);
	CU_ASSERT_EQUAL(parse_port_range("1-65536", &lo, &hi), -1);
	CU_ASSERT_EQUAL(parse_port_range("100", &lo, &hi), -1);
	CU_ASSERT_EQUAL(parse_port_range("100-", &lo, &hi), -1);
	CU_ASSERT_EQUAL(parse_port_range("-100", &lo, &hi), -1);
	CU_ASSERT_EQUAL(parse_port_range("1-2-3", &lo, &hi), -1);
	CU_ASSERT_EQUAL(parse_port_range("1 - 2", &lo, &hi), -1);
}

static void
test_parse_command(void)
{
	char verb[8];
	const char *arg;

	CU_ASSERT_EQUAL(parse_command("user anonymous", verb, sizeof verb, &arg), 0);
	CU_ASSERT_STRING_EQUAL(verb, "USER");
	CU_ASSERT_STRING_EQUAL(arg, "anonymous");
	CU_ASSERT_EQUAL(parse_command("NOOP", verb, sizeof verb, &arg), 0);
	CU_ASSERT_STRING_EQUAL(verb, "NOOP");
	CU_ASSERT_PTR_NULL(arg);
	CU_ASSERT_EQUAL(parse_command("STOR my file.txt", verb, sizeof verb, &arg), 0);
	CU_ASSERT_STRING_EQUAL(arg, "my file.txt");
	CU_ASSERT_EQUAL(parse_command("RETR  lead", verb, sizeof verb, &arg), 0);
	CU_ASSERT_STRING_EQUAL(arg, " lead");	/* only one space is eaten */
	CU_ASSERT_EQUAL(parse_command("PASS ", verb, sizeof verb, &arg), 0);
	CU_ASSERT_STRING_EQUAL(arg, "");
	CU_ASSERT_EQUAL(parse_command("", verb, sizeof verb, &arg), -1);
	CU_ASSERT_EQUAL(parse_command(" USER x", verb, sizeof verb, &arg), -1);
	CU_ASSERT_EQUAL(parse_command("3USR x", verb, sizeof verb, &arg), -1);
	CU_ASSERT_EQUAL(parse_command("US-R x", verb, sizeof verb, &arg), -1);
	CU_ASSERT_EQUAL(parse_command("xmd5 f", verb, sizeof verb, &arg), 0);
	CU_ASSERT_STRING_EQUAL(verb, "XMD5");
	CU_ASSERT_EQUAL(parse_command("ABCDEFG", verb, sizeof verb, &arg), 0);
	CU_ASSERT_EQUAL(parse_command("ABCDEFGH", verb, sizeof verb, &arg), -1);
	CU_ASSERT_EQUAL(parse_command("\xffUSER", verb, sizeof verb, &arg), -1);
}

static void
test_parse_port_arg(void)
{
	struct netaddr a;
	char s[NETADDR_STRLEN];

	CU_ASSERT_EQUAL_FATAL(parse_port_arg("127,0,0,1,4,5", &a), 0);
	CU_ASSERT_EQUAL(net_family(&a), AF_INET);
	CU_ASSERT_EQUAL(net_port(&a), 4 * 256 + 5);
	CU_ASSERT_STRING_EQUAL(net_ntop(&a, s, sizeof s, 1), "127.0.0.1:1029");
	CU_ASSERT_EQUAL(parse_port_arg("255,255,255,255,255,255", &a), 0);
	CU_ASSERT_EQUAL(net_port(&a), 65535);
	/* values > 255 */
	CU_ASSERT_EQUAL(parse_port_arg("256,0,0,1,4,5", &a), -1);
	CU_ASSERT_EQUAL(parse_port_arg("127,0,0,1,256,5", &a), -1);
	CU_ASSERT_EQUAL(parse_port_arg("127,0,0,1,4,1000", &a), -1);
	CU_ASSERT_EQUAL(parse_port_arg("127,0,0,1,4,0005", &a), -1);
	/* wrong count */
	CU_ASSERT_EQUAL(parse_port_arg("127,0,0,1,4", &a), -1);
	CU_ASSERT_EQUAL(parse_port_arg("127,0,0,1,4,5,6", &a), -1);
	CU_ASSERT_EQUAL(parse_port_arg("", &a), -1);
	/* garbage */
	CU_ASSERT_EQUAL(parse_port_arg("127,0,0,1,4,5x", &a), -1);
	CU_ASSERT_EQUAL(parse_port_arg("127,0,0,1,4,-5", &a), -1);
	CU_ASSERT_EQUAL(parse_port_arg("127,0,,1,4,5", &a), -1);
	CU_ASSERT_EQUAL(parse_port_arg("127.0.0.1,4,5", &a), -1);
	CU_ASSERT_EQUAL(parse_port_arg(" 127,0,0,1,4,5", &a), -1);
	CU_ASSERT_EQUAL(parse_port_arg("127,0,0,1,4,5 ", &a), -1);
	CU_ASSERT_EQUAL(parse_port_arg("a,b,c,d,e,f", &a), -1);
	/* port 0 is not a usable destination */
	CU_ASSERT_EQUAL(parse_port_arg("127,0,0,1,0,0", &a), -1);
}

static void
test_parse_eprt_arg(void)
{
	struct netaddr a;
	char s[NETADDR_STRLEN];

	CU_ASSERT_EQUAL_FATAL(parse_eprt_arg("|1|132.235.1.2|6275|", &a), 0);
	CU_ASSERT_EQUAL(net_family(&a), AF_INET);
	CU_ASSERT_STRING_EQUAL(net_ntop(&a, s, sizeof s, 1), "132.235.1.2:6275");
	CU_ASSERT_EQUAL_FATAL(parse_eprt_arg("|2|::1|65535|", &a), 0);
	CU_ASSERT_EQUAL(net_family(&a), AF_INET6);
	CU_ASSERT_STRING_EQUAL(net_ntop(&a, s, sizeof s, 1), "[::1]:65535");
	CU_ASSERT_EQUAL(parse_eprt_arg("!2!1080::8:800:200C:417A!5282!", &a), 0);
	/* family mismatch */
	CU_ASSERT_EQUAL(parse_eprt_arg("|1|::1|6275|", &a), -1);
	CU_ASSERT_EQUAL(parse_eprt_arg("|2|127.0.0.1|6275|", &a), -1);
	CU_ASSERT_EQUAL(parse_eprt_arg("|3|127.0.0.1|6275|", &a), -1);
	CU_ASSERT_EQUAL(parse_eprt_arg("|0|127.0.0.1|6275|", &a), -1);
	/* ports */
	CU_ASSERT_EQUAL(parse_eprt_arg("|1|127.0.0.1|0|", &a), -1);
	CU_ASSERT_EQUAL(parse_eprt_arg("|1|127.0.0.1|65536|", &a), -1);
	CU_ASSERT_EQUAL(parse_eprt_arg("|1|127.0.0.1||", &a), -1);
	CU_ASSERT_EQUAL(parse_eprt_arg("|1|127.0.0.1|-1|", &a), -1);
	/* shape */
	CU_ASSERT_EQUAL(parse_eprt_arg("|1|127.0.0.1|6275", &a), -1);
	CU_ASSERT_EQUAL(parse_eprt_arg("|1|127.0.0.1|6275|x", &a), -1);
	CU_ASSERT_EQUAL(parse_eprt_arg("|1||6275|", &a), -1);
	CU_ASSERT_EQUAL(parse_eprt_arg("|1|127.0.0.1!6275!", &a), -1);
	CU_ASSERT_EQUAL(parse_eprt_arg(" 1 127.0.0.1 6275 ", &a), -1);
	CU_ASSERT_EQUAL(parse_eprt_arg("\x7f" "1\x7f" "127.0.0.1\x7f" "6275\x7f", &a), -1);
	CU_ASSERT_EQUAL(parse_eprt_arg("", &a), -1);
	CU_ASSERT_EQUAL(parse_eprt_arg("|1|localhost|21|", &a), -1);
	CU_ASSERT_EQUAL(parse_eprt_arg("|1|1.2.3.4.5|21|", &a), -1);
}

static void
test_parse_epsv_arg(void)
{
	int w = 99;

	CU_ASSERT(parse_epsv_arg(NULL, &w) == 0 && w == 0);
	CU_ASSERT(parse_epsv_arg("", &w) == 0 && w == 0);
	CU_ASSERT(parse_epsv_arg("1", &w) == 0 && w == AF_INET);
	CU_ASSERT(parse_epsv_arg("2", &w) == 0 && w == AF_INET6);
	CU_ASSERT(parse_epsv_arg("ALL", &w) == 0 && w == -2);
	CU_ASSERT(parse_epsv_arg("all", &w) == 0 && w == -2);
	CU_ASSERT_EQUAL(parse_epsv_arg("3", &w), -1);
	CU_ASSERT_EQUAL(parse_epsv_arg("12", &w), -1);
	CU_ASSERT_EQUAL(parse_epsv_arg("ALLX", &w), -1);
}

static void
test_parse_pasv_reply(void)
{
	struct netaddr a;
	char s[NETADDR_STRLEN];

	CU_ASSERT_EQUAL_FATAL(parse_pasv_reply("Entering Passive Mode (127,0,0,1,4,5)", &a), 0);
	CU_ASSERT_STRING_EQUAL(net_ntop(&a, s, sizeof s, 1), "127.0.0.1:1029");
	CU_ASSERT_EQUAL_FATAL(parse_pasv_reply("227 Entering Passive Mode (10,1,2,3,200,1).", &a), 0);
	CU_ASSERT_STRING_EQUAL(net_ntop(&a, s, sizeof s, 1), "10.1.2.3:51201");
	CU_ASSERT_EQUAL_FATAL(parse_pasv_reply("Entering Passive Mode =127,0,0,1,4,5", &a), 0);
	CU_ASSERT_EQUAL(net_port(&a), 1029);
	CU_ASSERT_EQUAL_FATAL(parse_pasv_reply("127,0,0,1,0,21", &a), 0);
	CU_ASSERT_EQUAL(net_port(&a), 21);
	CU_ASSERT_EQUAL_FATAL(parse_pasv_reply("Passive 1, 2, 3, 4, 5, 6 ok", &a), 0);
	CU_ASSERT_STRING_EQUAL(net_ntop(&a, s, sizeof s, 1), "1.2.3.4:1286");
	CU_ASSERT_EQUAL(parse_pasv_reply("Entering Passive Mode (127,0,0,1,4)", &a), -1);
	CU_ASSERT_EQUAL(parse_pasv_reply("Entering Passive Mode (127,0,0,1,4,256)", &a), -1);
	CU_ASSERT_EQUAL(parse_pasv_reply("Entering Passive Mode (1270,0,0,1,4,5)", &a), -1);
	CU_ASSERT_EQUAL(parse_pasv_reply("no numbers here", &a), -1);
	CU_ASSERT_EQUAL(parse_pasv_reply("", &a), -1);
}

static void
test_parse_epsv_reply(void)
{
	int port = 0;

	CU_ASSERT(parse_epsv_reply("Entering Extended Passive Mode (|||6446|)", &port) == 0 &&
		  port == 6446);
	CU_ASSERT(parse_epsv_reply("229 ok (!!!1!) x", &port) == 0 && port == 1);
	CU_ASSERT_EQUAL(parse_epsv_reply("(|||0|)", &port), -1);
	CU_ASSERT_EQUAL(parse_epsv_reply("(|||65536|)", &port), -1);
	CU_ASSERT_EQUAL(parse_epsv_reply("(||6446|)", &port), -1);
	CU_ASSERT_EQUAL(parse_epsv_reply("(|||6446)", &port), -1);
	CU_ASSERT_EQUAL(parse_epsv_reply("|||6446|", &port), -1);
	CU_ASSERT_EQUAL(parse_epsv_reply("(|||abc|)", &port), -1);
}

static void
test_format_hostport(void)
{
	struct buf b = BUF_INIT(256);
	struct netaddr a, back;

	CU_ASSERT_EQUAL_FATAL(net_parse_listen("192.168.1.20:49153", &a), 0);
	CU_ASSERT_EQUAL(format_port_arg(&b, &a), 0);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&b), "192,168,1,20,192,1");
	CU_ASSERT_EQUAL(parse_port_arg(buf_cstr(&b), &back), 0);
	CU_ASSERT(net_same_host(&a, &back) && net_port(&back) == 49153);
	buf_reset(&b);
	CU_ASSERT_EQUAL(format_eprt_arg(&b, &a), 0);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&b), "|1|192.168.1.20|49153|");
	buf_reset(&b);
	CU_ASSERT_EQUAL(format_pasv_reply(&b, &a), 0);
	CU_ASSERT_EQUAL(parse_pasv_reply(buf_cstr(&b), &back), 0);
	CU_ASSERT(net_same_host(&a, &back) && net_port(&back) == 49153);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf_cstr(&b), "(192,168,1,20,192,1)"));

	CU_ASSERT_EQUAL_FATAL(net_parse_listen("[::1]:2121", &a), 0);
	buf_reset(&b);
	CU_ASSERT_EQUAL(format_eprt_arg(&b, &a), 0);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&b), "|2|::1|2121|");
	CU_ASSERT_EQUAL(parse_eprt_arg(buf_cstr(&b), &back), 0);
	CU_ASSERT(net_same_host(&a, &back));
	buf_reset(&b);
	CU_ASSERT_EQUAL(format_port_arg(&b, &a), -1);	/* PORT is v4 only */
	CU_ASSERT_EQUAL(format_pasv_reply(&b, &a), -1);

	/* v4-mapped v6 formats as plain v4 */
	CU_ASSERT_EQUAL_FATAL(net_parse_listen("[::ffff:10.0.0.7]:1025", &a), 0);
	buf_reset(&b);
	CU_ASSERT_EQUAL(format_port_arg(&b, &a), 0);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&b), "10,0,0,7,4,1");
	buf_free(&b);
}

static void
test_parse_ftp_time(void)
{
	time_t t;
	char out[15];

	CU_ASSERT(parse_ftp_time("19700101000000", &t) == 0 && t == 0);
	CU_ASSERT(parse_ftp_time("20240229123456", &t) == 0 && t == 1709210096);
	CU_ASSERT(parse_ftp_time("20240229123456.789", &t) == 0 && t == 1709210096);
	format_ftp_time(1709210096, out);
	CU_ASSERT_STRING_EQUAL(out, "20240229123456");
	/* beyond 2038: time_t is 64-bit */
	CU_ASSERT_EQUAL(parse_ftp_time("21000101000000", &t), 0);
	CU_ASSERT(t == (time_t)4102444800LL);
	format_ftp_time(t, out);
	CU_ASSERT_STRING_EQUAL(out, "21000101000000");
	CU_ASSERT_EQUAL(parse_ftp_time("20230229000000", &t), -1);	/* not leap */
	CU_ASSERT_EQUAL(parse_ftp_time("20240431000000", &t), -1);
	CU_ASSERT_EQUAL(parse_ftp_time("20241301000000", &t), -1);
	CU_ASSERT_EQUAL(parse_ftp_time("20240101240000", &t), -1);
	CU_ASSERT_EQUAL(parse_ftp_time("20240101006000", &t), -1);
	CU_ASSERT_EQUAL(parse_ftp_time("2024010100000", &t), -1);
	CU_ASSERT_EQUAL(parse_ftp_time("202401010000000", &t), -1);
	CU_ASSERT_EQUAL(parse_ftp_time("20240101000000.", &t), -1);
	CU_ASSERT_EQUAL(parse_ftp_time("2024-01-01 00:0", &t), -1);
	CU_ASSERT_EQUAL(parse_ftp_time("", &t), -1);
}

static void
test_utf8_valid(void)
{
	CU_ASSERT_EQUAL(utf8_valid("", 0), 1);
	CU_ASSERT_EQUAL(utf8_valid("plain ascii", 11), 1);
	CU_ASSERT_EQUAL(utf8_valid("caf\xc3\xa9", 5), 1);
	CU_ASSERT_EQUAL(utf8_valid("\xe2\x82\xac", 3), 1);		/* euro */
	CU_ASSERT_EQUAL(utf8_valid("\xf0\x9f\x98\x80", 4), 1);		/* emoji */
	CU_ASSERT_EQUAL(utf8_valid("\xf4\x8f\xbf\xbf", 4), 1);		/* U+10FFFF */
	CU_ASSERT_EQUAL(utf8_valid("\xc0\xaf", 2), 0);			/* overlong / */
	CU_ASSERT_EQUAL(utf8_valid("\xc1\xbf", 2), 0);
	CU_ASSERT_EQUAL(utf8_valid("\xe0\x80\xaf", 3), 0);		/* overlong */
	CU_ASSERT_EQUAL(utf8_valid("\xf0\x80\x80\xaf", 4), 0);		/* overlong */
	CU_ASSERT_EQUAL(utf8_valid("\xed\xa0\x80", 3), 0);		/* surrogate */
	CU_ASSERT_EQUAL(utf8_valid("\xed\xbf\xbf", 3), 0);
	CU_ASSERT_EQUAL(utf8_valid("\xf4\x90\x80\x80", 4), 0);		/* > 10FFFF */
	CU_ASSERT_EQUAL(utf8_valid("\xf5\x80\x80\x80", 4), 0);
	CU_ASSERT_EQUAL(utf8_valid("\xff", 1), 0);
	CU_ASSERT_EQUAL(utf8_valid("\x80", 1), 0);			/* lone cont. */
	CU_ASSERT_EQUAL(utf8_valid("\xc3", 1), 0);			/* truncated */
	CU_ASSERT_EQUAL(utf8_valid("\xe2\x82", 2), 0);
	CU_ASSERT_EQUAL(utf8_valid("\xe2\x82\xac", 2), 0);		/* n cuts it */
	CU_ASSERT_EQUAL(utf8_valid("\xc3\x28", 2), 0);			/* bad cont. */
	CU_ASSERT_EQUAL(utf8_valid("a\0b", 3), 1);			/* NUL is ASCII */
}

void
suite_parse(void)
{
	UNIT_SUITE("parse");
	UNIT_TEST(test_parse_u64);
	UNIT_TEST(test_parse_bool);
	UNIT_TEST(test_parse_duration_size);
	UNIT_TEST(test_parse_port_range);
	UNIT_TEST(test_parse_command);
	UNIT_TEST(test_parse_port_arg);
	UNIT_TEST(test_parse_eprt_arg);
	UNIT_TEST(test_parse_epsv_arg);
	UNIT_TEST(test_parse_pasv_reply);
	UNIT_TEST(test_parse_epsv_reply);
	UNIT_TEST(test_format_hostport);
	UNIT_TEST(test_parse_ftp_time);
	UNIT_TEST(test_utf8_valid);
}
