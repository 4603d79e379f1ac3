/* test_ftpd_session.c: the dispatcher and the control-connection
 * handlers of a session in this process, over a socketpair and a
 * temporary root folder (no data connections here). */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "../../ftpd/cmdtab.h"
#include "../../ftpd/conf.h"
#include "../../ftpd/env.h"
#include "../../ftpd/session.h"
#include "../../ftpd/vfs.h"

static struct ftpd_conf s_conf;
static struct ftpd_env s_env;
static struct session s_sess;
static int s_client = -1;
static char s_dir[64];
static char s_reply[65536];

/* Runs one command line and returns the reply text it produced. */
static const char *
run_n(const char *line, size_t n)
{
	ssize_t r;

	cmd_dispatch(&s_sess, line, n);
	r = recv(s_client, s_reply, sizeof s_reply - 1, MSG_DONTWAIT);
	s_reply[r > 0 ? r : 0] = '\0';
	return s_reply;
}

static const char *
run(const char *line)
{
	return run_n(line, strlen(line));
}

#define EXPECT(line, prefix) \
	CU_ASSERT_EQUAL(strncmp(run(line), (prefix), strlen(prefix)), 0)

static void
start(int logged_in, enum auth_kind kind, const char *upload_dir)
{
	char err[256];
	int sv[2];

	CU_ASSERT_EQUAL_FATAL(ftpd_conf_init(&s_conf, err, sizeof err), 0);
	free(s_conf.anon_upload_dir);
	s_conf.anon_upload_dir = strdup(upload_dir);
	CU_ASSERT_EQUAL_FATAL(ftpd_conf_check(&s_conf, err, sizeof err), 0);
	memset(&s_env, 0, sizeof s_env);
	s_env.conf = &s_conf;
	s_env.xferlog_fd = -1;
	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	session_init(&s_sess, &s_env, sv[0], sv[0], -1, getpid());
	s_client = sv[1];
	strcpy(s_dir, "/tmp/ftpd-unit-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(s_dir));
	s_sess.rootfd = open(s_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	s_sess.logged_in = logged_in;
	s_sess.kind = kind;
	strcpy(s_sess.user, logged_in ? "tester" : "");
}

static void
stop(void)
{
	char cmdline[128];

	session_free(&s_sess);
	close(s_client);
	ftpd_conf_free(&s_conf);
	snprintf(cmdline, sizeof cmdline, "rm -rf '%s'", s_dir);
	CU_ASSERT_EQUAL(system(cmdline), 0);
}

static void
touch(const char *rel, const char *content)
{
	char p[256];
	FILE *fp;

	snprintf(p, sizeof p, "%s/%s", s_dir, rel);
	fp = fopen(p, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	fputs(content, fp);
	fclose(fp);
}

static void
test_bad_input(void)
{
	start(0, 0, "");
	EXPECT("FOO", "500 ");
	EXPECT("", "500 ");
	EXPECT("12", "500 ");
	EXPECT("VERYLONGVERB x", "500 ");
	CU_ASSERT_EQUAL(strncmp(run_n("NO\0OP", 5), "501 ", 4), 0);
	EXPECT("NOOP \xc3\x28", "501 ");
	EXPECT("noop", "200 ");
	EXPECT("LIST", "530 ");
	EXPECT("CWD /", "530 ");
	EXPECT("PASS x", "503 ");
	EXPECT("USER", "501 ");
	EXPECT("SYST", "215 ");
	EXPECT("FEAT", "211-");
	CU_ASSERT_PTR_NOT_NULL(strstr(s_reply, " UTF8\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s_reply, " EPSV\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s_reply, "\r\n211 End\r\n"));
	EXPECT("HELP", "214-");
	EXPECT("HELP retr", "214 Syntax: RETR");
	EXPECT("HELP BOGUS", "502 ");
	EXPECT("OPTS UTF8 ON", "200 ");
	stop();
}

static void
test_folders_and_quotes(void)
{
	start(1, AUTH_VIRTUAL, "");
	EXPECT("PWD", "257 \"/\" ");
	EXPECT("MKD a\"b", "257 \"/a\"\"b\" created");
	EXPECT("CWD a\"b", "250 ");
	EXPECT("XPWD", "257 \"/a\"\"b\"");
	EXPECT("CDUP", "250 ");
	EXPECT("PWD", "257 \"/\"");
	EXPECT("CWD ../../..", "250 ");
	EXPECT("PWD", "257 \"/\"");	/* ".." never climbs above the root */
	EXPECT("CWD nothere", "550 ");
	EXPECT("RMD a\"b", "250 ");
	EXPECT("RMD a\"b", "550 ");
	EXPECT("MKD /", "550 ");
	stop();
}

static void
test_message_file(void)
{
	char p[256];

	start(1, AUTH_VIRTUAL, "");
	snprintf(p, sizeof p, "%s/m", s_dir);
	CU_ASSERT_EQUAL(mkdir(p, 0755), 0);
	touch("m/.message", "Hello there\nsecond line\n");
	EXPECT("CWD m", "250-Hello there\r\n second line\r\n250 ");
	stop();
}

static void
test_rename_sequence(void)
{
	char p[256];

	start(1, AUTH_VIRTUAL, "");
	touch("f1", "data");
	EXPECT("RNTO f2", "503 ");
	EXPECT("RNFR f1", "350 ");
	EXPECT("NOOP", "200 ");
	EXPECT("RNTO f2", "503 ");	/* NOOP cancelled the RNFR */
	EXPECT("RNFR nothere", "550 ");
	EXPECT("RNFR f1", "350 ");
	EXPECT("RNTO f2", "250 ");
	snprintf(p, sizeof p, "%s/f2", s_dir);
	CU_ASSERT_EQUAL(access(p, F_OK), 0);
	EXPECT("DELE f2", "250 ");
	CU_ASSERT_NOT_EQUAL(access(p, F_OK), 0);
	EXPECT("DELE f2", "550 ");
	stop();
}

static void
test_rest_and_type(void)
{
	start(1, AUTH_VIRTUAL, "");
	EXPECT("TYPE I", "200 ");
	EXPECT("REST 100", "350 ");
	CU_ASSERT_EQUAL(s_sess.rest, 100);
	EXPECT("TYPE A", "200 ");
	CU_ASSERT_EQUAL(s_sess.rest, 0);
	EXPECT("REST 5", "504 ");
	EXPECT("TYPE L 8", "200 ");
	EXPECT("REST 5", "350 ");
	EXPECT("PWD", "257 ");
	CU_ASSERT_EQUAL(s_sess.rest, 0);	/* unrelated verb cancels REST */
	EXPECT("REST -1", "501 ");
	EXPECT("REST 99999999999999999999999", "501 ");
	EXPECT("TYPE X", "501 ");
	EXPECT("TYPE E", "504 ");
	EXPECT("MODE S", "200 ");
	EXPECT("MODE B", "504 ");
	EXPECT("STRU F", "200 ");
	EXPECT("STRU P", "504 ");
	EXPECT("ALLO 10", "202 ");
	EXPECT("ABOR", "225 ");
	stop();
}

static void
test_size_mdtm_mfmt(void)
{
	start(1, AUTH_VIRTUAL, "");
	touch("t.txt", "a\nb\r\nc\n");	/* 7 bytes, 2 bare LFs */
	EXPECT("TYPE I", "200 ");
	EXPECT("SIZE t.txt", "213 7\r\n");
	EXPECT("TYPE A", "200 ");
	EXPECT("SIZE t.txt", "213 9\r\n");
	EXPECT("MFMT 20200102030405 t.txt", "213 Modify=20200102030405; /t.txt");
	EXPECT("MDTM t.txt", "213 20200102030405\r\n");
	EXPECT("MFMT 2020 t.txt", "501 ");
	EXPECT("MFMT 20200102030405", "501 ");
	EXPECT("SIZE nothere", "550 ");
	EXPECT("SIZE /", "550 ");
	EXPECT("MLST t.txt", "250-Listing /t.txt\r\n type=file;size=7;");
	CU_ASSERT_PTR_NOT_NULL(strstr(s_reply, "; /t.txt\r\n250 End"));
	stop();
}

static void
test_confinement(void)
{
	char p[256];

	start(1, AUTH_VIRTUAL, "");
	snprintf(p, sizeof p, "%s/escape", s_dir);
	CU_ASSERT_EQUAL(symlink("/", p), 0);
	snprintf(p, sizeof p, "%s/up", s_dir);
	CU_ASSERT_EQUAL(symlink("../../../../../..", p), 0);
	/* Absolute and relative symlinks resolve inside the root. */
	EXPECT("SIZE escape/etc/passwd", "550 ");
	EXPECT("SIZE up/etc/passwd", "550 ");
	EXPECT("SIZE /../../etc/passwd", "550 ");
	EXPECT("CWD escape", "250 ");
	EXPECT("MDTM /etc/hostname", "550 ");
	/* Names reserved for uploads in progress are unreachable. */
	touch(UPLOAD_TMP_PREFIX "abc", "x");
	EXPECT("SIZE /" UPLOAD_TMP_PREFIX "abc", "550 ");
	EXPECT("DELE /" UPLOAD_TMP_PREFIX "abc", "550 ");
	stop();
}

static void
test_site_chmod(void)
{
	struct stat st;
	char p[256];

	start(1, AUTH_VIRTUAL, "");
	touch("c.txt", "x");
	snprintf(p, sizeof p, "%s/link", s_dir);
	CU_ASSERT_EQUAL(symlink("c.txt", p), 0);
	EXPECT("SITE HELP", "214-");
	EXPECT("SITE CHMOD 600 c.txt", "200 ");
	snprintf(p, sizeof p, "%s/c.txt", s_dir);
	CU_ASSERT_EQUAL(stat(p, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0600);
	EXPECT("SITE CHMOD 644 link", "550 ");	/* never through a symlink */
	CU_ASSERT_EQUAL(stat(p, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0600);
	EXPECT("SITE CHMOD 4755 c.txt", "501 ");
	EXPECT("SITE CHMOD 9 c.txt", "501 ");
	EXPECT("SITE CHMOD 644", "501 ");
	EXPECT("SITE BOGUS", "500 ");
	stop();
}

static void
test_anonymous_writes(void)
{
	char p[256];

	start(1, AUTH_ANON, "/incoming");
	snprintf(p, sizeof p, "%s/incoming", s_dir);
	CU_ASSERT_EQUAL(mkdir(p, 0777), 0);
	touch("incoming/x", "1");
	EXPECT("MKD /other", "550 ");
	EXPECT("MKD /incoming", "550 ");
	EXPECT("MKD /incoming/new", "257 ");
	EXPECT("DELE /incoming/x", "550 ");
	EXPECT("RNFR /incoming/x", "550 ");
	EXPECT("SITE CHMOD 777 /incoming/x", "550 ");
	EXPECT("MFMT 20200102030405 /incoming/x", "550 ");
	EXPECT("RMD /incoming/new", "550 ");
	stop();
}

void
suite_ftpd_session(void)
{
	UNIT_SUITE("ftpd_session");
	UNIT_TEST(test_bad_input);
	UNIT_TEST(test_folders_and_quotes);
	UNIT_TEST(test_message_file);
	UNIT_TEST(test_rename_sequence);
	UNIT_TEST(test_rest_and_type);
	UNIT_TEST(test_size_mdtm_mfmt);
	UNIT_TEST(test_confinement);
	UNIT_TEST(test_site_chmod);
	UNIT_TEST(test_anonymous_writes);
}
