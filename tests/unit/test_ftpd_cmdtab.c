/* test_ftpd_cmdtab.c: the command table (order, lookup, flags) and the
 * gate that checks a row before any handler runs. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "../../ftpd/cmdtab.h"
#include "../../ftpd/conf.h"
#include "../../ftpd/session.h"

static struct ftpd_conf s_conf;

static void
fake_session(struct session *s, int logged_in, enum auth_kind kind)
{
	char err[256];

	memset(s, 0, sizeof *s);
	CU_ASSERT_EQUAL_FATAL(ftpd_conf_init(&s_conf, err, sizeof err), 0);
	s->conf = &s_conf;
	s->logged_in = logged_in;
	s->kind = kind;
	s->data.lfd = -1;
}

static void
test_table_sorted_and_unique(void)
{
	for (size_t i = 1; i < cmd_table_len; i++)
		CU_ASSERT(strcmp(cmd_table[i - 1].verb, cmd_table[i].verb) < 0);
}

static void
test_lookup(void)
{
	/* Every verb the issue lists is in the table. */
	static const char *const verbs[] = {
		"USER", "PASS", "ACCT", "CWD", "CDUP", "XCWD", "XCUP", "PWD",
		"XPWD", "MKD", "XMKD", "RMD", "XRMD", "DELE", "RNFR", "RNTO",
		"RETR", "STOR", "STOU", "APPE", "REST", "ALLO", "TYPE", "MODE",
		"STRU", "PORT", "PASV", "EPRT", "EPSV", "LIST", "NLST", "MLSD",
		"MLST", "SIZE", "MDTM", "FEAT", "OPTS", "SYST", "STAT", "HELP",
		"NOOP", "ABOR", "QUIT", "REIN", "SITE", "MFMT", NULL
	};

	for (size_t i = 0; verbs[i] != NULL; i++) {
		const struct cmd *c = cmd_lookup(verbs[i]);

		CU_ASSERT_PTR_NOT_NULL(c);
		if (c != NULL)
			CU_ASSERT_STRING_EQUAL(c->verb, verbs[i]);
	}
	CU_ASSERT_PTR_NULL(cmd_lookup("FOO"));
	CU_ASSERT_PTR_NULL(cmd_lookup("user"));	/* dispatcher upper-cases */
	CU_ASSERT_PTR_NULL(cmd_lookup(""));
	CU_ASSERT_PTR_NULL(cmd_lookup("ADAT"));	/* RFC 2228, not for TLS */
	/* Aliases share handlers. */
	CU_ASSERT_PTR_EQUAL(cmd_lookup("XCWD")->handler, cmd_lookup("CWD")->handler);
	CU_ASSERT_PTR_EQUAL(cmd_lookup("XMKD")->handler, cmd_lookup("MKD")->handler);
}

static void
test_prelogin_allowlist(void)
{
	/* SECURITY: only these may run before login. */
	static const char *const open_verbs[] = {
		"ABOR", "ACCT", "FEAT", "HELP", "NOOP", "OPTS", "PASS", "QUIT",
		"REIN", "SYST", "USER", "AUTH", "PBSZ", "PROT", NULL
	};

	for (size_t i = 0; i < cmd_table_len; i++) {
		int open = 0;

		for (size_t j = 0; open_verbs[j] != NULL; j++)
			if (strcmp(open_verbs[j], cmd_table[i].verb) == 0)
				open = 1;
		CU_ASSERT_EQUAL(!(cmd_table[i].flags & CMD_LOGIN), open);
	}
}

static void
test_write_flags(void)
{
	static const char *const writers[] = {
		"APPE", "DELE", "MFMT", "MKD", "RMD", "RNFR", "RNTO", "STOR",
		"STOU", "XMKD", "XRMD", NULL
	};

	for (size_t i = 0; writers[i] != NULL; i++)
		CU_ASSERT(cmd_lookup(writers[i])->flags & CMD_WRITE);
	CU_ASSERT_FALSE(cmd_lookup("RETR")->flags & CMD_WRITE);
	CU_ASSERT_FALSE(cmd_lookup("LIST")->flags & CMD_WRITE);
	/* Anonymous may upload and make folders, nothing else. */
	CU_ASSERT(cmd_lookup("STOR")->flags & CMD_ANON_UPLOAD);
	CU_ASSERT(cmd_lookup("MKD")->flags & CMD_ANON_UPLOAD);
	CU_ASSERT_FALSE(cmd_lookup("DELE")->flags & CMD_ANON_UPLOAD);
	CU_ASSERT_FALSE(cmd_lookup("APPE")->flags & CMD_ANON_UPLOAD);
	CU_ASSERT_FALSE(cmd_lookup("RNFR")->flags & CMD_ANON_UPLOAD);
	CU_ASSERT(cmd_lookup("PASS")->flags & CMD_SECRET);
}

static void
test_gate_login_and_args(void)
{
	struct session s;
	const char *why = NULL;

	fake_session(&s, 0, 0);
	CU_ASSERT_EQUAL(cmd_gate(&s, cmd_lookup("LIST"), NULL, &why), 530);
	CU_ASSERT_EQUAL(cmd_gate(&s, cmd_lookup("RETR"), "x", &why), 530);
	CU_ASSERT_EQUAL(cmd_gate(&s, cmd_lookup("USER"), "bob", &why), 0);
	CU_ASSERT_EQUAL(cmd_gate(&s, cmd_lookup("USER"), NULL, &why), 501);
	CU_ASSERT_EQUAL(cmd_gate(&s, cmd_lookup("NOOP"), "x", &why), 501);
	CU_ASSERT_EQUAL(cmd_gate(&s, cmd_lookup("PASS"), NULL, &why), 0);
	ftpd_conf_free(&s_conf);
	fake_session(&s, 1, AUTH_VIRTUAL);
	CU_ASSERT_EQUAL(cmd_gate(&s, cmd_lookup("LIST"), NULL, &why), 0);
	CU_ASSERT_EQUAL(cmd_gate(&s, cmd_lookup("LIST"), "-la", &why), 0);
	CU_ASSERT_EQUAL(cmd_gate(&s, cmd_lookup("CWD"), NULL, &why), 501);
	CU_ASSERT_EQUAL(cmd_gate(&s, cmd_lookup("PWD"), "x", &why), 501);
	CU_ASSERT_EQUAL(cmd_gate(&s, cmd_lookup("DELE"), "x", &why), 0);
	ftpd_conf_free(&s_conf);
}

static void
test_gate_write(void)
{
	struct session s;
	const char *why = NULL;

	fake_session(&s, 1, AUTH_VIRTUAL);
	s.readonly = 1;
	CU_ASSERT_EQUAL(cmd_gate(&s, cmd_lookup("STOR"), "x", &why), 550);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "read-only"));
	CU_ASSERT_EQUAL(cmd_gate(&s, cmd_lookup("RETR"), "x", &why), 0);
	ftpd_conf_free(&s_conf);

	fake_session(&s, 1, AUTH_ANON);
	/* No upload folder: every write refused with a reason. */
	CU_ASSERT_EQUAL(cmd_gate(&s, cmd_lookup("STOR"), "x", &why), 550);
	CU_ASSERT_EQUAL(cmd_gate(&s, cmd_lookup("MKD"), "x", &why), 550);
	CU_ASSERT_EQUAL(cmd_gate(&s, cmd_lookup("DELE"), "x", &why), 550);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "anonymous"));
	free(s_conf.anon_upload_dir);
	s_conf.anon_upload_dir = strdup("/incoming");
	CU_ASSERT_EQUAL(cmd_gate(&s, cmd_lookup("STOR"), "x", &why), 0);
	CU_ASSERT_EQUAL(cmd_gate(&s, cmd_lookup("MKD"), "x", &why), 0);
	CU_ASSERT_EQUAL(cmd_gate(&s, cmd_lookup("DELE"), "x", &why), 550);
	CU_ASSERT_EQUAL(cmd_gate(&s, cmd_lookup("RNFR"), "x", &why), 550);
	CU_ASSERT_EQUAL(cmd_gate(&s, cmd_lookup("APPE"), "x", &why), 550);
	ftpd_conf_free(&s_conf);
}

static void
test_gate_epsv_all(void)
{
	struct session s;
	const char *why = NULL;

	fake_session(&s, 1, AUTH_VIRTUAL);
	s.data.epsv_all = 1;
	CU_ASSERT_EQUAL(cmd_gate(&s, cmd_lookup("PASV"), NULL, &why), 503);
	CU_ASSERT_EQUAL(cmd_gate(&s, cmd_lookup("PORT"), "1,2,3,4,5,6", &why), 503);
	CU_ASSERT_EQUAL(cmd_gate(&s, cmd_lookup("EPRT"), "|1|1.2.3.4|5|", &why), 503);
	CU_ASSERT_EQUAL(cmd_gate(&s, cmd_lookup("EPSV"), NULL, &why), 0);
	ftpd_conf_free(&s_conf);
}

static void
test_feat_rows(void)
{
	int mlst = 0, rest = 0;

	for (size_t i = 0; i < cmd_table_len; i++) {
		CU_ASSERT_PTR_NOT_NULL(cmd_table[i].help);
		CU_ASSERT_PTR_NOT_NULL(cmd_table[i].handler);
		if (cmd_table[i].feat != NULL) {
			mlst |= strcmp(cmd_table[i].feat, "MLST") == 0;
			rest |= strcmp(cmd_table[i].feat, "REST STREAM") == 0;
		}
	}
	CU_ASSERT(mlst);
	CU_ASSERT(rest);
}

void
suite_ftpd_cmdtab(void)
{
	UNIT_SUITE("ftpd_cmdtab");
	UNIT_TEST(test_table_sorted_and_unique);
	UNIT_TEST(test_lookup);
	UNIT_TEST(test_prelogin_allowlist);
	UNIT_TEST(test_write_flags);
	UNIT_TEST(test_gate_login_and_args);
	UNIT_TEST(test_gate_write);
	UNIT_TEST(test_gate_epsv_all);
	UNIT_TEST(test_feat_rows);
}
