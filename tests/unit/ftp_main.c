/* ftp_main.c: CUnit runner for the ftp/ unit tests.  Add each test
 * file's suite function to the list below. */
#include "unit.h"

void suite_ftp_url(void);
void suite_ftp_netrc(void);
void suite_ftp_cli(void);
void suite_ftp_tokenize(void);
void suite_ftp_localfs(void);
void suite_ftp_verify(void);

static void (*const suites[])(void) = {
	suite_ftp_url,
	suite_ftp_netrc,
	suite_ftp_cli,
	suite_ftp_tokenize,
	suite_ftp_localfs,
	suite_ftp_verify,
	NULL
};

int
main(void)
{
	return unit_run_impl(suites, (int)(sizeof suites / sizeof suites[0]) - 1);
}
