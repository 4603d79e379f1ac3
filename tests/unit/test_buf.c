/* test_buf.c: struct buf — caps, NUL invariant, printf growth, steal. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "buf.h"

static void
test_buf_empty(void)
{
	struct buf b = BUF_INIT(16);

	CU_ASSERT_STRING_EQUAL(buf_cstr(&b), "");
	CU_ASSERT_EQUAL(b.len, 0);
	buf_reset(&b);
	buf_consume(&b, 5);
	buf_truncate(&b, 3);
	CU_ASSERT_EQUAL(b.len, 0);
	buf_free(&b);
}

static void
test_buf_cap_exact(void)
{
	struct buf b;

	buf_init(&b, 5);
	CU_ASSERT_EQUAL(buf_puts(&b, "abcde"), 0);
	CU_ASSERT_EQUAL(b.len, 5);
	errno = 0;
	CU_ASSERT_EQUAL(buf_putc(&b, 'f'), -1);
	CU_ASSERT_EQUAL(errno, ENOBUFS);
	/* unchanged on failure */
	CU_ASSERT_STRING_EQUAL(buf_cstr(&b), "abcde");
	CU_ASSERT_EQUAL(b.len, 5);
	buf_free(&b);
}

static void
test_buf_cap_partial_append_refused(void)
{
	struct buf b = BUF_INIT(8);

	CU_ASSERT_EQUAL(buf_puts(&b, "1234"), 0);
	CU_ASSERT_EQUAL(buf_puts(&b, "56789"), -1);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&b), "1234");
	CU_ASSERT_EQUAL(buf_printf(&b, "%s", "toolong"), -1);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&b), "1234");
	CU_ASSERT_EQUAL(buf_printf(&b, "%d", 5678), 0);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&b), "12345678");
	buf_free(&b);
}

static void
test_buf_huge_append_overflow(void)
{
	struct buf b = BUF_INIT((size_t)-1);
	char c = 'x';

	CU_ASSERT_EQUAL(buf_putc(&b, c), 0);
	/* len + n would wrap: must fail, not corrupt */
	CU_ASSERT_EQUAL(buf_append(&b, &c, (size_t)-1), -1);
	CU_ASSERT_EQUAL(b.len, 1);
	buf_free(&b);
}

static void
test_buf_printf_large(void)
{
	struct buf b = BUF_INIT(100000);
	char big[5000];

	memset(big, 'q', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	CU_ASSERT_EQUAL(buf_puts(&b, "<"), 0);
	CU_ASSERT_EQUAL(buf_printf(&b, "%s|%d", big, 42), 0);
	CU_ASSERT_EQUAL(b.len, 1 + 4999 + 3);
	CU_ASSERT_EQUAL(b.data[b.len], '\0');
	CU_ASSERT_STRING_EQUAL(b.data + b.len - 3, "|42");
	buf_free(&b);
}

static void
test_buf_binary_and_nul(void)
{
	struct buf b = BUF_INIT(64);

	CU_ASSERT_EQUAL(buf_append(&b, "a\0b", 3), 0);
	CU_ASSERT_EQUAL(b.len, 3);
	CU_ASSERT_EQUAL(b.data[3], '\0');
	CU_ASSERT_EQUAL(memcmp(b.data, "a\0b", 3), 0);
	buf_free(&b);
}

static void
test_buf_consume_truncate(void)
{
	struct buf b = BUF_INIT(64);

	CU_ASSERT_EQUAL(buf_set(&b, "hello world"), 0);
	buf_consume(&b, 6);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&b), "world");
	buf_truncate(&b, 3);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&b), "wor");
	buf_truncate(&b, 10);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&b), "wor");
	buf_consume(&b, 99);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&b), "");
	CU_ASSERT_EQUAL(buf_set(&b, "again"), 0);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&b), "again");
	buf_free(&b);
}

static void
test_buf_steal(void)
{
	struct buf b = BUF_INIT(64);
	char *s;

	s = buf_steal(&b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s, "");
	free(s);
	CU_ASSERT_EQUAL(buf_puts(&b, "abc"), 0);
	s = buf_steal(&b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s, "abc");
	CU_ASSERT_EQUAL(b.len, 0);
	CU_ASSERT_PTR_NULL(b.data);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&b), "");
	free(s);
	/* still usable after steal */
	CU_ASSERT_EQUAL(buf_puts(&b, "x"), 0);
	CU_ASSERT_STRING_EQUAL(buf_cstr(&b), "x");
	buf_free(&b);
}

static void
test_buf_growth_many(void)
{
	struct buf b = BUF_INIT(1 << 20);
	int ok = 1;

	for (int i = 0; i < 100000; i++)
		if (buf_putc(&b, (char)('a' + i % 26)) < 0)
			ok = 0;
	CU_ASSERT(ok);
	CU_ASSERT_EQUAL(b.len, 100000);
	CU_ASSERT_EQUAL(b.data[26], 'a');
	CU_ASSERT_EQUAL(b.data[99999], 'a' + 99999 % 26);
	CU_ASSERT(b.cap <= (1 << 20) + 1);
	buf_free(&b);
}

void
suite_buf(void)
{
	UNIT_SUITE("buf");
	UNIT_TEST(test_buf_empty);
	UNIT_TEST(test_buf_cap_exact);
	UNIT_TEST(test_buf_cap_partial_append_refused);
	UNIT_TEST(test_buf_huge_append_overflow);
	UNIT_TEST(test_buf_printf_large);
	UNIT_TEST(test_buf_binary_and_nul);
	UNIT_TEST(test_buf_consume_truncate);
	UNIT_TEST(test_buf_steal);
	UNIT_TEST(test_buf_growth_many);
}
