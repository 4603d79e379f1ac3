/* test_ascii.c: TYPE A conversion, including CR/LF pairs cut by chunk
 * boundaries at every possible position. */
#include "config.h"

#include <string.h>

#include "unit.h"
#include "ascii.h"

/* Runs from_crlf over in cut into pieces of size step. */
static size_t
from_in_steps(const char *in, size_t n, size_t step, char *out)
{
	struct ascii_state st = { 0 };
	size_t o = 0;

	for (size_t i = 0; i < n; i += step)
		o += ascii_from_crlf(&st, in + i, n - i < step ? n - i : step,
				     out + o);
	o += ascii_from_crlf_finish(&st, out + o);
	return o;
}

static size_t
to_in_steps(const char *in, size_t n, size_t step, char *out)
{
	struct ascii_state st = { 0 };
	size_t o = 0;

	for (size_t i = 0; i < n; i += step)
		o += ascii_to_crlf(&st, in + i, n - i < step ? n - i : step,
				   out + o);
	return o;
}

static void
test_ascii_to_crlf(void)
{
	struct ascii_state st = { 0 };
	char out[64];
	size_t n;

	n = ascii_to_crlf(&st, "a\nb\n\n", 5, out);
	CU_ASSERT_EQUAL(n, 8);
	CU_ASSERT_EQUAL(memcmp(out, "a\r\nb\r\n\r\n", 8), 0);
	/* an existing CRLF is not doubled */
	memset(&st, 0, sizeof st);
	n = ascii_to_crlf(&st, "x\r\ny", 4, out);
	CU_ASSERT_EQUAL(n, 4);
	CU_ASSERT_EQUAL(memcmp(out, "x\r\ny", 4), 0);
	/* CR at the end of one chunk, LF at the start of the next */
	memset(&st, 0, sizeof st);
	n = ascii_to_crlf(&st, "x\r", 2, out);
	n += ascii_to_crlf(&st, "\nz\n", 3, out + n);
	CU_ASSERT_EQUAL(n, 6);
	CU_ASSERT_EQUAL(memcmp(out, "x\r\nz\r\n", 6), 0);
	/* worst case doubles */
	memset(&st, 0, sizeof st);
	CU_ASSERT_EQUAL(ascii_to_crlf(&st, "\n\n\n\n", 4, out), 8);
	CU_ASSERT_EQUAL(ascii_to_crlf(&st, "", 0, out), 0);
}

static void
test_ascii_from_crlf(void)
{
	struct ascii_state st = { 0 };
	char out[64];
	size_t n;

	n = ascii_from_crlf(&st, "a\r\nb\r\n", 6, out);
	CU_ASSERT_EQUAL(n, 4);
	CU_ASSERT_EQUAL(memcmp(out, "a\nb\n", 4), 0);
	/* lone CR kept, bare LF kept */
	n = ascii_from_crlf(&st, "a\rb\nc", 5, out);
	CU_ASSERT_EQUAL(n, 5);
	CU_ASSERT_EQUAL(memcmp(out, "a\rb\nc", 5), 0);
	/* CR at chunk end is held, then resolved */
	n = ascii_from_crlf(&st, "x\r", 2, out);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(st.pending_cr, 1);
	n = ascii_from_crlf(&st, "\n", 1, out);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(out[0], '\n');
	n = ascii_from_crlf(&st, "y\r", 2, out);
	n += ascii_from_crlf(&st, "z", 1, out + n);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_EQUAL(memcmp(out, "y\rz", 3), 0);
	/* CR at end of stream flushed by finish */
	n = ascii_from_crlf(&st, "end\r", 4, out);
	n += ascii_from_crlf_finish(&st, out + n);
	CU_ASSERT_EQUAL(n, 4);
	CU_ASSERT_EQUAL(memcmp(out, "end\r", 4), 0);
	CU_ASSERT_EQUAL(ascii_from_crlf_finish(&st, out), 0);
	/* CR CR LF -> CR LF; a one-byte chunk of just CR needs n+1 room */
	memset(&st, 0, sizeof st);
	n = ascii_from_crlf(&st, "\r", 1, out);
	CU_ASSERT_EQUAL(n, 0);
	n = ascii_from_crlf(&st, "\r", 1, out);
	CU_ASSERT_EQUAL(n, 1);
	n += ascii_from_crlf(&st, "\n", 1, out + n);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_EQUAL(memcmp(out, "\r\n", 2), 0);
}

static void
test_ascii_every_split(void)
{
	static const char net[] = "l1\r\nl2\r\r\n\rx\r\n\r\n\n\r";
	static const char local[] = "l1\nl2\r\n\rx\n\n\n\r";
	static const char src[] = "a\nb\r\nc\n\nd\re\n";
	static const char wire[] = "a\r\nb\r\nc\r\n\r\nd\re\r\n";
	char out[128];
	size_t n;
	int ok_from = 1, ok_to = 1;

	for (size_t step = 1; step <= sizeof net; step++) {
		n = from_in_steps(net, sizeof net - 1, step, out);
		if (n != sizeof local - 1 || memcmp(out, local, n) != 0)
			ok_from = 0;
	}
	for (size_t step = 1; step <= sizeof src; step++) {
		n = to_in_steps(src, sizeof src - 1, step, out);
		if (n != sizeof wire - 1 || memcmp(out, wire, n) != 0)
			ok_to = 0;
	}
	CU_ASSERT(ok_from);
	CU_ASSERT(ok_to);
}

void
suite_ascii(void)
{
	UNIT_SUITE("ascii");
	UNIT_TEST(test_ascii_to_crlf);
	UNIT_TEST(test_ascii_from_crlf);
	UNIT_TEST(test_ascii_every_split);
}
