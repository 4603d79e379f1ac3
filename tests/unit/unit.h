/* unit.h: shared helpers for the CUnit runners.  Each test file defines
 * one `void suite_<name>(void)` that adds its suite and tests; the
 * runner (lib_main.c, ftpd_main.c, ftp_main.c) calls each of them. */
#ifndef FTPKIT_UNIT_H
#define FTPKIT_UNIT_H

#include <CUnit/Basic.h>

#define UNIT_SUITE(name) CU_pSuite s__ = CU_add_suite((name), NULL, NULL)
#define UNIT_TEST(fn) CU_add_test(s__, #fn, (fn))


static inline int
unit_run_impl(void (*const *suites)(void), int n)
{
	unsigned failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	for (int i = 0; i < n; i++)
		suites[i]();
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}

#endif
