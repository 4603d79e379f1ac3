/* lib_main.c: CUnit runner for the lib/ unit tests.  Add each test
 * file's suite function to the list below. */
#include "unit.h"

static void (*const suites[])(void) = {
	NULL
};

int
main(void)
{
	return unit_run_impl(suites, (int)(sizeof suites / sizeof suites[0]) - 1);
}
