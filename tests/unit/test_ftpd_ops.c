/* test_ftpd_ops.c: the operations side of ftpd: configuration loading
 * that reports every error with its place, the JSON event format, the
 * checks on worker reports (PRIV_XFER_EVENT, PRIV_STATUS), syslog
 * facility names and the socket-activation environment. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "unit.h"
#include "../../ftpd/activation.h"
#include "../../ftpd/confload.h"
#include "../../ftpd/evlog.h"
#include "../../ftpd/status.h"

/* ---- confload ---- */

struct collected {
	char text[4096];
	unsigned n;
};

static void
collect(void *arg, const char *msg)
{
	struct collected *c = arg;
	size_t len = strlen(c->text);

	snprintf(c->text + len, sizeof c->text - len, "%s\n", msg);
	c->n++;
}

static char *
write_conf(const char *text)
{
	static char path[64];
	FILE *fp;
	int fd;

	snprintf(path, sizeof path, "/tmp/unit-confload-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	fp = fdopen(fd, "w");
	if (fp == NULL) {
		close(fd);
		return NULL;
	}
	fputs(text, fp);
	fclose(fp);
	return path;
}

static void
test_confload_all_errors(void)
{
	const char *over[] = { "max_line=12", "idle_timeout=soon" };
	struct conf_source src = { NULL, over, 2 };
	struct ftpd_conf conf;
	struct collected c;
	char want[256], *path;
	unsigned n;

	path = write_conf("# comment\n"
			  "bogus_key = 1\n"		/* 2: unknown key */
			  "max_clients = many\n"	/* 3: bad number */
			  "banner = fine\n"
			  "anon_root = relative/path\n"	/* 5: cross-key */
			  "syslog_facility = kern9\n"	/* 6: ops check */
			  "no equals sign here\n");	/* 7 */
	CU_ASSERT_PTR_NOT_NULL_FATAL(path);
	src.file = path;
	memset(&c, 0, sizeof c);
	n = confload(&src, 0, &conf, collect, &c);
	CU_ASSERT_EQUAL(n, c.n);
	CU_ASSERT_EQUAL(n, 7);
	for (int line = 2; line <= 7; line++) {
		if (line == 4)
			continue;
		snprintf(want, sizeof want, "%s:%d: ", path, line);
		CU_ASSERT_PTR_NOT_NULL(strstr(c.text, want));
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(c.text, "-o idle_timeout=soon: "));
	/* max_line=12 parses; its range check places it on the option */
	CU_ASSERT_PTR_NOT_NULL(strstr(c.text, "-o max_line=12: max_line"));
	/* the good line still took effect */
	CU_ASSERT_STRING_EQUAL(conf.banner, "fine");
	ftpd_conf_free(&conf);
	unlink(path);
}

static void
test_confload_clean(void)
{
	const char *over[] = { "json_log=/var/log/ftpd.json",
			       "syslog_facility=local3" };
	struct conf_source src = { "/dev/null", over, 2 };
	struct ftpd_conf conf;
	struct collected c;

	memset(&c, 0, sizeof c);
	CU_ASSERT_EQUAL(confload(&src, 0, &conf, collect, &c), 0);
	CU_ASSERT_STRING_EQUAL(conf.json_log, "/var/log/ftpd.json");
	CU_ASSERT_STRING_EQUAL(conf.status_dir, "/run/ftpd");
	CU_ASSERT_EQUAL(conf.shutdown_timeout, 60);
	CU_ASSERT_STRING_EQUAL(conf.auth_backend, "shadow");
	ftpd_conf_free(&conf);
}

static void
test_confload_ops_checks(void)
{
	struct ftpd_conf conf;
	char err[256];

	CU_ASSERT_EQUAL_FATAL(ftpd_conf_init(&conf, err, sizeof err), 0);
	CU_ASSERT_EQUAL(confload_ops_check(&conf, err, sizeof err), 0);
	conf_set(ftpd_conf_keys, &conf, "json_log", "rel.json", err, sizeof err);
	CU_ASSERT_EQUAL(confload_ops_check(&conf, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "json_log"));
	conf_set(ftpd_conf_keys, &conf, "json_log", "", err, sizeof err);
	conf_set(ftpd_conf_keys, &conf, "auth_backend", "ldap", err, sizeof err);
	CU_ASSERT_EQUAL(confload_ops_check(&conf, err, sizeof err), -1);
	conf_set(ftpd_conf_keys, &conf, "auth_backend", "pam", err, sizeof err);
	/* pam needs system_users (or is not built in at all) */
	CU_ASSERT_EQUAL(confload_ops_check(&conf, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "auth_backend"));
	conf_set(ftpd_conf_keys, &conf, "auth_backend", "shadow", err, sizeof err);
	conf_set(ftpd_conf_keys, &conf, "pam_service", "../x", err, sizeof err);
	CU_ASSERT_EQUAL(confload_ops_check(&conf, err, sizeof err), -1);
	conf_set(ftpd_conf_keys, &conf, "pam_service", "ftpd", err, sizeof err);
	conf_set(ftpd_conf_keys, &conf, "syslog_ident", "two words", err,
		 sizeof err);
	CU_ASSERT_EQUAL(confload_ops_check(&conf, err, sizeof err), -1);
	ftpd_conf_free(&conf);
}

/* ---- JSON events ---- */

static void
test_evlog_format(void)
{
	struct evlog_event e = { "0123456789abcdef", "127.0.0.1", "alice",
				 "download", "/a \"b\"\\c\td\xff.txt", 4321,
				 1234, "ok" };
	char out[1024];

	CU_ASSERT_EQUAL_FATAL(evlog_format(&e, 1700000000123LL, out,
					   sizeof out), 0);
	CU_ASSERT_STRING_EQUAL(out,
		"{\"time\":\"2023-11-14T22:13:20.123Z\","
		"\"session\":\"0123456789abcdef\",\"client\":\"127.0.0.1\","
		"\"user\":\"alice\",\"event\":\"download\","
		"\"path\":\"/a \\\"b\\\"\\\\c\\u0009d\\ufffd.txt\","
		"\"bytes\":4321,\"duration\":1.234,\"result\":\"ok\"}");
	e.user = NULL;
	e.path = NULL;
	e.ms = 5;
	e.event = "connect";
	CU_ASSERT_EQUAL_FATAL(evlog_format(&e, 0, out, sizeof out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"user\":null,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"path\":null,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"duration\":0.005,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"time\":\"1970-01-01T00:00:00.000Z\""));
	/* valid UTF-8 passes unchanged */
	e.path = "/caf\xc3\xa9";
	CU_ASSERT_EQUAL_FATAL(evlog_format(&e, 0, out, sizeof out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"path\":\"/caf\xc3\xa9\""));
	/* too small an output buffer fails cleanly */
	CU_ASSERT_EQUAL(evlog_format(&e, 0, out, 20), -1);
}

static void
msg2(struct priv_msg *m, uint32_t type, const char *a, const char *b)
{
	memset(m, 0, sizeof *m);
	m->type = type;
	m->nfields = 2;
	m->f[0].p = a;
	m->f[0].n = strlen(a);
	m->f[1].p = b;
	m->f[1].n = strlen(b);
}

static void
test_evlog_parse(void)
{
	struct priv_msg m;
	struct evlog_event e;
	static const char *const bad[] = {
		"", "12", "12 34", "12 34 x", "12 34 oc extra", "-1 34 oc",
		"12 34 io", "12  34 oc", " 12 34 oc", "99999999999999999999999 1 oc",
		"12 34 oci",
	};

	msg2(&m, PRIV_XFER_EVENT, "/up.bin", "777 45 ic");
	memset(&e, 0, sizeof e);
	CU_ASSERT_EQUAL_FATAL(evlog_xfer_parse(&m, &e), 0);
	CU_ASSERT_STRING_EQUAL(e.event, "upload");
	CU_ASSERT_STRING_EQUAL(e.path, "/up.bin");
	CU_ASSERT_EQUAL(e.bytes, 777);
	CU_ASSERT_EQUAL(e.ms, 45);
	CU_ASSERT_STRING_EQUAL(e.result, "ok");
	msg2(&m, PRIV_XFER_EVENT, "/d", "0 0 oi");
	CU_ASSERT_EQUAL_FATAL(evlog_xfer_parse(&m, &e), 0);
	CU_ASSERT_STRING_EQUAL(e.event, "download");
	CU_ASSERT_STRING_EQUAL(e.result, "incomplete");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		msg2(&m, PRIV_XFER_EVENT, "/x", bad[i]);
		CU_ASSERT_EQUAL(evlog_xfer_parse(&m, &e), -1);
	}
}

static void
test_status_counters(void)
{
	struct priv_msg m;

	/* no status file open: only the parsing matters */
	msg2(&m, PRIV_STATUS, "RETR /x", "10 20");
	CU_ASSERT_EQUAL(status_answer(&m), 0);
	msg2(&m, PRIV_STATUS, "idle", "10");
	CU_ASSERT_EQUAL(status_answer(&m), -1);
	msg2(&m, PRIV_STATUS, "idle", "10 20 30");
	CU_ASSERT_EQUAL(status_answer(&m), -1);
	msg2(&m, PRIV_STATUS, "idle", "a b");
	CU_ASSERT_EQUAL(status_answer(&m), -1);
}

static void
test_facilities(void)
{
	CU_ASSERT_EQUAL(evlog_facility("ftp"), LOG_FTP);
	CU_ASSERT_EQUAL(evlog_facility("local7"), LOG_LOCAL7);
	CU_ASSERT_EQUAL(evlog_facility("authpriv"), LOG_AUTHPRIV);
	CU_ASSERT_EQUAL(evlog_facility("FTP"), -1);
	CU_ASSERT_EQUAL(evlog_facility("local8"), -1);
}

static void
test_activation_env(void)
{
	int fds[4];
	char err[256];

	/* nothing passed */
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_PID");
	CU_ASSERT_EQUAL(activation_listen_fds(fds, 4, err, sizeof err), 0);
	/* meant for another process: ignored, and removed */
	setenv("LISTEN_PID", "1", 1);
	setenv("LISTEN_FDS", "1", 1);
	CU_ASSERT_EQUAL(activation_listen_fds(fds, 4, err, sizeof err), 0);
	CU_ASSERT_PTR_NULL(getenv("LISTEN_FDS"));
	CU_ASSERT_PTR_NULL(getenv("LISTEN_PID"));
	/* ours, but garbage */
	snprintf(err, sizeof err, "%ld", (long)getpid());
	setenv("LISTEN_PID", err, 1);
	setenv("LISTEN_FDS", "two", 1);
	CU_ASSERT_EQUAL(activation_listen_fds(fds, 4, err, sizeof err), -1);
	/* more than the caller can take */
	snprintf(err, sizeof err, "%ld", (long)getpid());
	setenv("LISTEN_PID", err, 1);
	setenv("LISTEN_FDS", "5", 1);
	CU_ASSERT_EQUAL(activation_listen_fds(fds, 4, err, sizeof err), -1);
	/* ours, but descriptor 3 is no listening socket */
	snprintf(err, sizeof err, "%ld", (long)getpid());
	setenv("LISTEN_PID", err, 1);
	setenv("LISTEN_FDS", "1", 1);
	CU_ASSERT_EQUAL(activation_listen_fds(fds, 4, err, sizeof err), -1);
	CU_ASSERT_PTR_NULL(getenv("LISTEN_FDS"));
	CU_ASSERT_EQUAL(activation_active(), 0);
}

void
suite_ftpd_ops(void)
{
	UNIT_SUITE("ftpd_ops");
	UNIT_TEST(test_confload_all_errors);
	UNIT_TEST(test_confload_clean);
	UNIT_TEST(test_confload_ops_checks);
	UNIT_TEST(test_evlog_format);
	UNIT_TEST(test_evlog_parse);
	UNIT_TEST(test_status_counters);
	UNIT_TEST(test_facilities);
	UNIT_TEST(test_activation_env);
}
