/* lib_main.c: CUnit runner for the lib/ unit tests.  Add each test
 * file's suite function to the list below. */
#include "unit.h"

void suite_buf(void);
void suite_parse(void);
void suite_line(void);
void suite_reply(void);
void suite_path(void);
void suite_ascii(void);
void suite_match(void);
void suite_listing(void);
void suite_conf(void);
void suite_net(void);
void suite_xfer(void);
void suite_sys(void);
void suite_tls(void);
void suite_proxy(void);

static void (*const suites[])(void) = {
	suite_buf,
	suite_parse,
	suite_line,
	suite_reply,
	suite_path,
	suite_ascii,
	suite_match,
	suite_listing,
	suite_conf,
	suite_net,
	suite_xfer,
	suite_sys,
	suite_tls,
	suite_proxy,
	NULL
};

int
main(void)
{
	return unit_run_impl(suites, (int)(sizeof suites / sizeof suites[0]) - 1);
}
