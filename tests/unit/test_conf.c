/* test_conf.c: table-driven configuration — defaults, every value type,
 * list replacement, error texts with file:line. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "conf.h"
#include "sys.h"

struct tconf {
	int anon_enable;
	unsigned max_clients;
	uint64_t max_rate;
	unsigned idle_timeout;
	char *banner;
	char *empty_str;
	struct conf_ports pasv_ports;
	struct conf_list listen;
	unsigned upload_umask;
	unsigned no_default;
};

static const struct conf_key s_tab[] = {
	{ "anon_enable", CONF_BOOL, offsetof(struct tconf, anon_enable), "yes", "h" },
	{ "max_clients", CONF_UINT, offsetof(struct tconf, max_clients), "200", "h" },
	{ "max_rate", CONF_SIZE, offsetof(struct tconf, max_rate), "0", "h" },
	{ "idle_timeout", CONF_DURATION, offsetof(struct tconf, idle_timeout), "5m", "h" },
	{ "banner", CONF_STR, offsetof(struct tconf, banner), "ftpd ready", "h" },
	{ "empty_str", CONF_STR, offsetof(struct tconf, empty_str), NULL, "h" },
	{ "pasv_ports", CONF_PORTS, offsetof(struct tconf, pasv_ports), "49152-65534", "h" },
	{ "listen", CONF_ADDRS, offsetof(struct tconf, listen), "0.0.0.0:21 [::]:21", "h" },
	{ "upload_umask", CONF_MODE, offsetof(struct tconf, upload_umask), "022", "h" },
	{ "no_default", CONF_UINT, offsetof(struct tconf, no_default), NULL, "h" },
	{ NULL, CONF_BOOL, 0, NULL, NULL }
};

static void
test_conf_defaults(void)
{
	struct tconf c;
	char err[256] = "";

	memset(&c, 0xa5, sizeof c);	/* garbage must not be freed */
	CU_ASSERT_EQUAL_FATAL(conf_defaults(s_tab, &c, err, sizeof err), 0);
	CU_ASSERT_EQUAL(c.anon_enable, 1);
	CU_ASSERT_EQUAL(c.max_clients, 200);
	CU_ASSERT_EQUAL(c.max_rate, 0);
	CU_ASSERT_EQUAL(c.idle_timeout, 300);
	CU_ASSERT_STRING_EQUAL(c.banner, "ftpd ready");
	CU_ASSERT_PTR_NOT_NULL(c.empty_str);
	CU_ASSERT_STRING_EQUAL(c.empty_str ? c.empty_str : "x", "");
	CU_ASSERT_EQUAL(c.pasv_ports.lo, 49152);
	CU_ASSERT_EQUAL(c.pasv_ports.hi, 65534);
	CU_ASSERT_EQUAL_FATAL(c.listen.n, 2);
	CU_ASSERT_STRING_EQUAL(c.listen.items[0], "0.0.0.0:21");
	CU_ASSERT_STRING_EQUAL(c.listen.items[1], "[::]:21");
	CU_ASSERT_EQUAL(c.listen.is_default, 1);
	CU_ASSERT_EQUAL(c.upload_umask, 022);
	CU_ASSERT_EQUAL(c.no_default, 0);
	CU_ASSERT_PTR_NOT_NULL(conf_find(s_tab, "banner"));
	CU_ASSERT_PTR_NULL(conf_find(s_tab, "nope"));
	conf_free(s_tab, &c);
	CU_ASSERT_PTR_NULL(c.banner);
	CU_ASSERT_EQUAL(c.listen.n, 0);
}

static void
test_conf_set_values(void)
{
	struct tconf c;
	char err[256];

	CU_ASSERT_EQUAL_FATAL(conf_defaults(s_tab, &c, err, sizeof err), 0);
	CU_ASSERT_EQUAL(conf_set(s_tab, &c, "anon_enable", "no", err, sizeof err), 0);
	CU_ASSERT_EQUAL(c.anon_enable, 0);
	CU_ASSERT_EQUAL(conf_set(s_tab, &c, "max_rate", "64K", err, sizeof err), 0);
	CU_ASSERT_EQUAL(c.max_rate, 65536);
	CU_ASSERT_EQUAL(conf_set(s_tab, &c, "idle_timeout", "1h", err, sizeof err), 0);
	CU_ASSERT_EQUAL(c.idle_timeout, 3600);
	CU_ASSERT_EQUAL(conf_set(s_tab, &c, "banner", "", err, sizeof err), 0);
	CU_ASSERT_STRING_EQUAL(c.banner, "");
	CU_ASSERT_EQUAL(conf_set(s_tab, &c, "upload_umask", "0077", err, sizeof err), 0);
	CU_ASSERT_EQUAL(c.upload_umask, 077);
	CU_ASSERT_EQUAL(conf_set_pair(s_tab, &c, "max_clients=7", err, sizeof err), 0);
	CU_ASSERT_EQUAL(c.max_clients, 7);
	CU_ASSERT_EQUAL(conf_set_pair(s_tab, &c, " banner = hello = world ", err, sizeof err), 0);
	CU_ASSERT_STRING_EQUAL(c.banner, "hello = world");
	conf_free(s_tab, &c);
}

static void
test_conf_errors(void)
{
	struct tconf c;
	char err[256];

	CU_ASSERT_EQUAL_FATAL(conf_defaults(s_tab, &c, err, sizeof err), 0);
	CU_ASSERT_EQUAL(conf_set(s_tab, &c, "foo", "1", err, sizeof err), -1);
	CU_ASSERT_STRING_EQUAL(err, "unknown key 'foo'");
	CU_ASSERT_EQUAL(conf_set(s_tab, &c, "max_clients", "x", err, sizeof err), -1);
	CU_ASSERT_STRING_EQUAL(err, "bad value 'x' for max_clients: expected a number");
	CU_ASSERT_EQUAL(c.max_clients, 200);		/* unchanged */
	CU_ASSERT_EQUAL(conf_set(s_tab, &c, "max_clients", "-1", err, sizeof err), -1);
	CU_ASSERT_EQUAL(conf_set(s_tab, &c, "max_clients", "4294967296", err, sizeof err), -1);
	CU_ASSERT_EQUAL(conf_set(s_tab, &c, "anon_enable", "maybe", err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "'maybe' for anon_enable"));
	CU_ASSERT_EQUAL(conf_set(s_tab, &c, "idle_timeout", "5x", err, sizeof err), -1);
	CU_ASSERT_EQUAL(conf_set(s_tab, &c, "max_rate", "1T", err, sizeof err), -1);
	CU_ASSERT_EQUAL(conf_set(s_tab, &c, "pasv_ports", "2000-1000", err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "for pasv_ports"));
	CU_ASSERT_EQUAL(conf_set(s_tab, &c, "upload_umask", "8", err, sizeof err), -1);
	CU_ASSERT_EQUAL(conf_set(s_tab, &c, "upload_umask", "17777", err, sizeof err), -1);
	CU_ASSERT_EQUAL(conf_set(s_tab, &c, "listen", "localhost:21", err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "bad value 'localhost:21' for listen"));
	CU_ASSERT_EQUAL(conf_set(s_tab, &c, "listen", "1.2.3.4:70000", err, sizeof err), -1);
	CU_ASSERT_EQUAL(conf_set(s_tab, &c, "listen", "::1:21", err, sizeof err), -1);
	CU_ASSERT_EQUAL(conf_set_pair(s_tab, &c, "novalue", err, sizeof err), -1);
	CU_ASSERT_EQUAL(conf_set_pair(s_tab, &c, "=5", err, sizeof err), -1);
	conf_free(s_tab, &c);
}

static void
test_conf_list_replaces_default(void)
{
	struct tconf c;
	char err[256];

	CU_ASSERT_EQUAL_FATAL(conf_defaults(s_tab, &c, err, sizeof err), 0);
	CU_ASSERT_EQUAL(conf_set(s_tab, &c, "listen", "127.0.0.1:2121", err, sizeof err), 0);
	CU_ASSERT_EQUAL_FATAL(c.listen.n, 1);
	CU_ASSERT_STRING_EQUAL(c.listen.items[0], "127.0.0.1:2121");
	CU_ASSERT_EQUAL(c.listen.is_default, 0);
	CU_ASSERT_EQUAL(conf_set(s_tab, &c, "listen", "[::1]:0", err, sizeof err), 0);
	CU_ASSERT_EQUAL_FATAL(c.listen.n, 2);
	CU_ASSERT_STRING_EQUAL(c.listen.items[1], "[::1]:0");
	CU_ASSERT_EQUAL(conf_set(s_tab, &c, "listen", "*:21", err, sizeof err), 0);
	CU_ASSERT_EQUAL(c.listen.n, 3);
	conf_free(s_tab, &c);
}

static int
write_conf(char *path, size_t n, const char *text)
{
	int fd;

	snprintf(path, n, "/tmp/ftpkit-conf-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	if (sys_write_full(fd, text, strlen(text)) < 0) {
		sys_close_failok(fd);
		return -1;
	}
	sys_close_failok(fd);
	return 0;
}

static void
test_conf_file(void)
{
	struct tconf c;
	char path[64], err[512], want[512];

	CU_ASSERT_EQUAL_FATAL(write_conf(path, sizeof path,
	    "# comment\n"
	    "\n"
	    "   # indented comment\n"
	    "anon_enable = no\n"
	    "max_clients=50   \n"
	    "\tbanner =  Welcome #1 to the server\r\n"
	    "listen = 127.0.0.1:0\n"
	    "listen = [::1]:0\n"), 0);
	CU_ASSERT_EQUAL_FATAL(conf_defaults(s_tab, &c, err, sizeof err), 0);
	CU_ASSERT_EQUAL(conf_load_file(s_tab, &c, path, err, sizeof err), 0);
	CU_ASSERT_EQUAL(c.anon_enable, 0);
	CU_ASSERT_EQUAL(c.max_clients, 50);
	CU_ASSERT_STRING_EQUAL(c.banner, "Welcome #1 to the server");
	CU_ASSERT_EQUAL_FATAL(c.listen.n, 2);
	CU_ASSERT_STRING_EQUAL(c.listen.items[0], "127.0.0.1:0");
	CU_ASSERT_STRING_EQUAL(c.listen.items[1], "[::1]:0");
	conf_free(s_tab, &c);
	unlink(path);

	CU_ASSERT_EQUAL_FATAL(write_conf(path, sizeof path,
	    "anon_enable = yes\n# two\n\nmax_clients = lots\nfoo = 1\n"), 0);
	CU_ASSERT_EQUAL_FATAL(conf_defaults(s_tab, &c, err, sizeof err), 0);
	CU_ASSERT_EQUAL(conf_load_file(s_tab, &c, path, err, sizeof err), -1);
	snprintf(want, sizeof want,
		 "%s:4: bad value 'lots' for max_clients: expected a number", path);
	CU_ASSERT_STRING_EQUAL(err, want);
	conf_free(s_tab, &c);
	unlink(path);

	CU_ASSERT_EQUAL_FATAL(write_conf(path, sizeof path, "max_clients = 1\nfoo = 1\n"), 0);
	CU_ASSERT_EQUAL_FATAL(conf_defaults(s_tab, &c, err, sizeof err), 0);
	CU_ASSERT_EQUAL(conf_load_file(s_tab, &c, path, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s:2: unknown key 'foo'", path);
	CU_ASSERT_STRING_EQUAL(err, want);
	conf_free(s_tab, &c);
	unlink(path);

	CU_ASSERT_EQUAL_FATAL(write_conf(path, sizeof path, "max_clients 5\n"), 0);
	CU_ASSERT_EQUAL_FATAL(conf_defaults(s_tab, &c, err, sizeof err), 0);
	CU_ASSERT_EQUAL(conf_load_file(s_tab, &c, path, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s:1: ", path);
	CU_ASSERT_EQUAL(strncmp(err, want, strlen(want)), 0);
	conf_free(s_tab, &c);
	unlink(path);

	CU_ASSERT_EQUAL_FATAL(conf_defaults(s_tab, &c, err, sizeof err), 0);
	CU_ASSERT_EQUAL(conf_load_file(s_tab, &c, "/nonexistent/ftpd.conf", err,
				       sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/ftpd.conf"));
	conf_free(s_tab, &c);
}

static void
test_conf_bad_default(void)
{
	static const struct conf_key bad[] = {
		{ "n", CONF_UINT, 0, "many", "h" },
		{ NULL, CONF_BOOL, 0, NULL, NULL }
	};
	unsigned v;
	char err[128] = "";

	CU_ASSERT_EQUAL(conf_defaults(bad, &v, err, sizeof err), -1);
	CU_ASSERT(err[0] != '\0');
}

void
suite_conf(void)
{
	UNIT_SUITE("conf");
	UNIT_TEST(test_conf_defaults);
	UNIT_TEST(test_conf_set_values);
	UNIT_TEST(test_conf_errors);
	UNIT_TEST(test_conf_list_replaces_default);
	UNIT_TEST(test_conf_file);
	UNIT_TEST(test_conf_bad_default);
}
