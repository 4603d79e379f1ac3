/* test_ftpd_security.c: unit tests for access.c (CIDR lists, the login
 * deny list), throttle.c (delays, lockout, rates), ban.c (the daemon's
 * failure table) and xferlog.c (the monitor's check of PRIV_XFERLOG). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "access.h"
#include "ban.h"
#include "conf.h"
#include "env.h"
#include "net.h"
#include "throttle.h"
#include "xferlog.h"

static struct ftpd_conf *
conf_with(const char *const *pairs)
{
	static struct ftpd_conf c;
	char err[256];

	ftpd_conf_free(&c);
	CU_ASSERT_FATAL(ftpd_conf_init(&c, err, sizeof err) == 0);
	for (; pairs != NULL && *pairs != NULL; pairs++)
		CU_ASSERT_FATAL(conf_set_pair(ftpd_conf_keys, &c, *pairs, err,
					      sizeof err) == 0);
	return &c;
}

static struct netaddr
ip(const char *s)
{
	struct netaddr a;

	CU_ASSERT_FATAL(net_parse_ip(s, &a) == 0);
	return a;
}

static int
in_list(const char *list, const char *addr)
{
	struct netaddr a = ip(addr);

	return access_list_match(list, &a);
}

static void
test_cidr_match(void)
{
	CU_ASSERT_EQUAL(in_list("192.0.2.0/24", "192.0.2.77"), 1);
	CU_ASSERT_EQUAL(in_list("192.0.2.0/24", "192.0.3.1"), 0);
	CU_ASSERT_EQUAL(in_list("192.0.2.128/25", "192.0.2.127"), 0);
	CU_ASSERT_EQUAL(in_list("192.0.2.128/25", "192.0.2.200"), 1);
	CU_ASSERT_EQUAL(in_list("10.0.0.1", "10.0.0.1"), 1);
	CU_ASSERT_EQUAL(in_list("10.0.0.1", "10.0.0.2"), 0);
	CU_ASSERT_EQUAL(in_list("0.0.0.0/0", "203.0.113.9"), 1);
	CU_ASSERT_EQUAL(in_list("10.0.0.0/31", "10.0.0.1"), 1);
	CU_ASSERT_EQUAL(in_list("10.0.0.0/31", "10.0.0.2"), 0);
	/* separators, several items */
	CU_ASSERT_EQUAL(in_list(" 1.2.3.4 ,\t5.6.7.0/24,, ", "5.6.7.8"), 1);
	/* IPv6, prefixes that end inside a byte */
	CU_ASSERT_EQUAL(in_list("2001:db8::/32", "2001:db8:1::5"), 1);
	CU_ASSERT_EQUAL(in_list("2001:db8::/32", "2001:db9::5"), 0);
	CU_ASSERT_EQUAL(in_list("2001:db8::/33", "2001:db8:8000::1"), 0);
	CU_ASSERT_EQUAL(in_list("::1", "::1"), 1);
	CU_ASSERT_EQUAL(in_list("::/0", "2001:db8::1"), 1);
	/* families never mix, except v4-mapped addresses */
	CU_ASSERT_EQUAL(in_list("::/0", "127.0.0.1"), 0);
	CU_ASSERT_EQUAL(in_list("0.0.0.0/0", "::1"), 0);
	CU_ASSERT_EQUAL(in_list("127.0.0.0/8", "::ffff:127.0.0.5"), 1);
	CU_ASSERT_EQUAL(in_list("::ffff:10.0.0.0/104", "10.1.2.3"), 1);
	CU_ASSERT_EQUAL(in_list("::ffff:10.0.0.0/104", "11.1.2.3"), 0);
	CU_ASSERT_EQUAL(in_list("::ffff:0.0.0.0/95", "11.1.2.3"), -1);
	/* bad lists */
	CU_ASSERT_EQUAL(in_list("1.2.3.4/33", "1.2.3.4"), -1);
	CU_ASSERT_EQUAL(in_list("bogus", "1.2.3.4"), -1);
	CU_ASSERT_EQUAL(in_list("", "1.2.3.4"), 0);
}

static void
test_addr_allowed(void)
{
	static const char *const both[] = { "allow_from=127.0.0.0/8",
		"deny_from=127.0.0.2", NULL };
	struct ftpd_conf *c;
	struct netaddr a;
	char why[128];

	c = conf_with(NULL);
	a = ip("198.51.100.1");
	CU_ASSERT_EQUAL(access_addr_allowed(c, &a, why, sizeof why), 1);
	c = conf_with(both);
	a = ip("127.0.0.1");
	CU_ASSERT_EQUAL(access_addr_allowed(c, &a, why, sizeof why), 1);
	a = ip("127.0.0.2");
	CU_ASSERT_EQUAL(access_addr_allowed(c, &a, why, sizeof why), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "deny_from"));
	a = ip("10.0.0.1");
	CU_ASSERT_EQUAL(access_addr_allowed(c, &a, why, sizeof why), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "allow_from"));
}

static void
test_access_conf_check(void)
{
	static const char *const bad[] = { "deny_from=1.2.3.4/", NULL };
	static const char *const bad2[] = { "allow_from=1.2.3.4 ::1/200", NULL };
	static const char *const rel[] = { "deny_users_file=etc/ftpusers", NULL };
	char err[256];

	CU_ASSERT_EQUAL(access_conf_check(conf_with(NULL), err, sizeof err), 0);
	CU_ASSERT_EQUAL(access_conf_check(conf_with(bad), err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "deny_from"));
	CU_ASSERT_EQUAL(access_conf_check(conf_with(bad2), err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "::1/200"));
	CU_ASSERT_EQUAL(access_conf_check(conf_with(rel), err, sizeof err), -1);
}

static void
test_user_denied(void)
{
	char path[] = "/tmp/unit-ftpusers-XXXXXX", pair[128], why[512];
	const char *pairs[2] = { pair, NULL };
	struct ftpd_conf *c;
	FILE *fp;
	int fd = mkstemp(path);

	CU_ASSERT_FATAL(fd >= 0);
	fp = fdopen(fd, "w");
	CU_ASSERT_FATAL(fp != NULL);
	fprintf(fp, "# comment\n\n  root  \nbin # trailing\nAnonymous\n");
	for (int i = 0; i < 600; i++)
		fputc('x', fp);		/* over-long line: its tail is no name */
	fprintf(fp, "alice\nbob");
	CU_ASSERT_FATAL(fclose(fp) == 0);
	snprintf(pair, sizeof pair, "deny_users_file=%s", path);
	c = conf_with(pairs);
	CU_ASSERT_EQUAL(access_user_denied(c, "root", why, sizeof why), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, path));
	CU_ASSERT_EQUAL(access_user_denied(c, "bin", why, sizeof why), 1);
	CU_ASSERT_EQUAL(access_user_denied(c, "alice", why, sizeof why), 0);
	CU_ASSERT_EQUAL(access_user_denied(c, "bob", why, sizeof why), 1);
	CU_ASSERT_EQUAL(access_user_denied(c, "ftp", why, sizeof why), 1);
	CU_ASSERT_EQUAL(access_user_denied(c, "Root", why, sizeof why), 0);
	CU_ASSERT_EQUAL(access_user_denied(c, "comment", why, sizeof why), 0);
	CU_ASSERT_EQUAL(access_user_denied(c, "carol", why, sizeof why), 0);
	CU_ASSERT_EQUAL(unlink(path), 0);
	CU_ASSERT_EQUAL(access_user_denied(c, "root", why, sizeof why), 0);
	/* a folder cannot be read as a list: everyone is denied */
	snprintf(pair, sizeof pair, "deny_users_file=/tmp");
	c = conf_with(pairs);
	CU_ASSERT_EQUAL(access_user_denied(c, "carol", why, sizeof why), 1);
	snprintf(pair, sizeof pair, "deny_users_file=");
	c = conf_with(pairs);
	CU_ASSERT_EQUAL(access_user_denied(c, "root", why, sizeof why), 0);
}

static void
test_delay_parse(void)
{
	static const struct { const char *in; int ok; unsigned ms; } cases[] = {
		{ "0", 1, 0 }, { "1", 1, 1000 }, { "2s", 1, 2000 },
		{ "250ms", 1, 250 }, { "0.5", 1, 500 }, { "0.025", 1, 25 },
		{ "1m", 1, 60000 }, { "0.5m", 1, 30000 }, { "60", 1, 60000 },
		{ "61", 0, 0 }, { "1h", 0, 0 }, { "0.0001", 0, 0 },
		{ "1.5ms", 0, 0 }, { "", 0, 0 }, { "-1", 0, 0 }, { "1x", 0, 0 },
		{ ".5", 0, 0 }, { "5.", 0, 0 }, { "99999999999999999999", 0, 0 },
	};
	unsigned ms;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ms = 12345;
		CU_ASSERT_EQUAL(throttle_parse_delay(cases[i].in, &ms) == 0,
				cases[i].ok);
		if (cases[i].ok)
			CU_ASSERT_EQUAL(ms, cases[i].ms);
	}
}

static void
test_delay_growth_and_lockout(void)
{
	static const char *const p[] = { "login_fail_delay=250ms",
		"max_login_attempts=4", "anon_max_rate=1K", "user_max_rate=2M",
		"data_timeout=30", NULL };
	static const char *const big[] = { "login_fail_delay=40",
		"max_login_attempts=0", "stall_timeout=7", NULL };
	struct ftpd_conf *c = conf_with(p);

	CU_ASSERT_EQUAL(throttle_fail_delay_ms(c, 0), 0);
	CU_ASSERT_EQUAL(throttle_fail_delay_ms(c, 1), 250);
	CU_ASSERT_EQUAL(throttle_fail_delay_ms(c, 2), 500);
	CU_ASSERT_EQUAL(throttle_fail_delay_ms(c, 3), 1000);
	CU_ASSERT_EQUAL(throttle_fail_delay_ms(c, 30), THROTTLE_DELAY_CAP_MS);
	CU_ASSERT_EQUAL(throttle_fail_delay_ms(c, 100000), THROTTLE_DELAY_CAP_MS);
	CU_ASSERT_FALSE(throttle_locked_out(c, 3));
	CU_ASSERT_TRUE(throttle_locked_out(c, 4));
	CU_ASSERT_EQUAL(throttle_max_rate(c, AUTH_ANON), 1024);
	CU_ASSERT_EQUAL(throttle_max_rate(c, AUTH_VIRTUAL), 2 * 1024 * 1024);
	CU_ASSERT_EQUAL(throttle_max_rate(c, AUTH_SYSTEM), 2 * 1024 * 1024);
	CU_ASSERT_EQUAL(throttle_stall_timeout(c), 30);
	c = conf_with(big);
	CU_ASSERT_EQUAL(throttle_fail_delay_ms(c, 1), 40000);
	CU_ASSERT_EQUAL(throttle_fail_delay_ms(c, 2), THROTTLE_DELAY_CAP_MS);
	CU_ASSERT_FALSE(throttle_locked_out(c, 1000000));
	CU_ASSERT_EQUAL(throttle_stall_timeout(c), 7);
}

static void
test_throttle_conf_check(void)
{
	static const char *const nowin[] = { "ban_after=5", "ban_window=0", NULL };
	static const char *const ok[] = { "ban_after=5", "ban_window=1",
		"ban_time=1", NULL };
	char err[256];

	CU_ASSERT_EQUAL(throttle_conf_check(conf_with(NULL), err, sizeof err), 0);
	CU_ASSERT_EQUAL(throttle_conf_check(conf_with(ok), err, sizeof err), 0);
	CU_ASSERT_EQUAL(throttle_conf_check(conf_with(nowin), err, sizeof err), -1);
}

static void
test_ban_table(void)
{
	static const char *const p[] = { "ban_after=3", "ban_window=60",
		"ban_time=60", NULL };
	static const char *const off[] = { "ban_after=0", NULL };
	struct ftpd_conf *c = conf_with(p);
	struct netaddr a = ip("192.0.2.1"), b = ip("192.0.2.2"),
		       m = ip("::ffff:192.0.2.1");
	unsigned left;
	int log;

	CU_ASSERT_FATAL(ban_open() == 0);
	CU_ASSERT(ban_fd() >= 0);
	ban_report_failure(&a);
	ban_report_failure(&a);
	ban_report_failure(&b);
	ban_drain(c);
	CU_ASSERT_EQUAL(ban_check(c, &a, &left, &log), 0);
	ban_report_failure(&m);		/* the same host, v4-mapped */
	ban_drain(c);
	CU_ASSERT_EQUAL(ban_check(c, &a, &left, &log), 1);
	CU_ASSERT(left >= 59 && left <= 60);
	CU_ASSERT_EQUAL(log, 1);
	CU_ASSERT_EQUAL(ban_check(c, &a, &left, &log), 1);
	CU_ASSERT_EQUAL(log, 0);	/* logged once per 10 s */
	CU_ASSERT_EQUAL(ban_check(c, &b, &left, &log), 0);
	/* bans off: nothing is refused */
	CU_ASSERT_EQUAL(ban_check(conf_with(off), &a, &left, &log), 0);
	/* many addresses: the table stays bounded and keeps working */
	c = conf_with(p);
	for (unsigned i = 0; i < BAN_TABLE_MAX + 100; i++) {
		char s[64];
		struct netaddr x;

		snprintf(s, sizeof s, "10.%u.%u.%u", (i >> 16) & 255,
			 (i >> 8) & 255, i & 255);
		x = ip(s);
		ban_report_failure(&x);
		if (i % 64 == 0)
			ban_drain(c);
	}
	ban_drain(c);
	CU_ASSERT_EQUAL(ban_check(c, &a, &left, &log), 1);
	ban_close();
	CU_ASSERT_EQUAL(ban_fd(), -1);
	ban_report_failure(&a);		/* closed: a no-op */
}

static int
xl(const struct ftpd_env *env, const char *path, const char *nums)
{
	struct priv_msg m;

	memset(&m, 0, sizeof m);
	m.type = PRIV_XFERLOG;
	m.nfields = 2;
	m.f[0].p = path;
	m.f[0].n = strlen(path);
	m.f[1].p = nums;
	m.f[1].n = strlen(nums);
	return xferlog_answer(env, "192.0.2.9", "alice", AUTH_VIRTUAL, &m);
}

static void
test_xferlog_answer(void)
{
	char path[] = "/tmp/unit-xferlog-XXXXXX", buf[1024];
	struct ftpd_env env;
	ssize_t n;
	int fd = mkstemp(path);

	CU_ASSERT_FATAL(fd >= 0);
	memset(&env, 0, sizeof env);
	env.xferlog_fd = fd;
	CU_ASSERT_EQUAL(xl(&env, "/pub/a b\tc", "1234 3 bic"), 0);
	CU_ASSERT_EQUAL(xl(&env, "/x", "12 3 bxc"), -1);
	CU_ASSERT_EQUAL(xl(&env, "/x", "12 3 bic extra"), -1);
	CU_ASSERT_EQUAL(xl(&env, "/x", "12 3 bi"), -1);
	CU_ASSERT_EQUAL(xl(&env, "/x", "-1 3 bic"), -1);
	CU_ASSERT_EQUAL(xl(&env, "/x", "12  3 bic"), -1);
	CU_ASSERT_EQUAL(xl(&env, "/x", ""), -1);
	CU_ASSERT_EQUAL(xl(&env, "/x", "99999999999999999999999 1 boc"), -1);
	CU_ASSERT_EQUAL(lseek(fd, 0, SEEK_SET), 0);
	n = read(fd, buf, sizeof buf - 1);
	CU_ASSERT_FATAL(n > 0);
	buf[n] = '\0';
	/* one line: spaces and control bytes of the name became '_', the
	 * peer and user are the monitor's */
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, " 3 192.0.2.9 1234 /pub/a_b_c b _ i g alice "
				      "ftp 0 * c\n"));
	CU_ASSERT_PTR_EQUAL(strchr(buf, '\n') + 1, buf + n);
	/* no log configured: checked, nothing written */
	env.xferlog_fd = -1;
	CU_ASSERT_EQUAL(xl(&env, "/y", "1 1 aoc"), 0);
	CU_ASSERT_EQUAL(xl(&env, "/y", "1 1 zzz"), -1);
	(void)close(fd);
	(void)unlink(path);
}

void
suite_ftpd_security(void)
{
	UNIT_SUITE("ftpd_security");
	UNIT_TEST(test_cidr_match);
	UNIT_TEST(test_addr_allowed);
	UNIT_TEST(test_access_conf_check);
	UNIT_TEST(test_user_denied);
	UNIT_TEST(test_delay_parse);
	UNIT_TEST(test_delay_growth_and_lockout);
	UNIT_TEST(test_throttle_conf_check);
	UNIT_TEST(test_ban_table);
	UNIT_TEST(test_xferlog_answer);
}
