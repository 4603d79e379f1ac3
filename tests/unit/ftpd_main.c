/* ftpd_main.c: CUnit runner for the ftpd/ unit tests.  Add each test
 * file's suite function to the list below. */
#include "unit.h"

void suite_ftpd_cmdtab(void);
void suite_ftpd_session(void);
void suite_ftpd_userfile(void);
void suite_ftpd_misc(void);
void suite_ftpd_ops(void);
void suite_ftpd_hash(void);
void suite_ftpd_security(void);

static void (*const suites[])(void) = {
	suite_ftpd_cmdtab,
	suite_ftpd_session,
	suite_ftpd_userfile,
	suite_ftpd_misc,
	suite_ftpd_ops,
	suite_ftpd_hash,
	suite_ftpd_security,
	NULL
};

int
main(void)
{
	return unit_run_impl(suites, (int)(sizeof suites / sizeof suites[0]) - 1);
}
