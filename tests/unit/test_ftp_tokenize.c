/* test_ftp_tokenize.c: the quote-aware command-line splitter and the
 * word locator used by completion. */
#include "config.h"

#include <string.h>

#include "unit.h"
#include "../../ftp/tokenize.h"

static int
tok(const char *line, struct tokens *t)
{
	char err[64];

	return tokenize(line, t, err, sizeof err);
}

static void
test_tok_plain(void)
{
	struct tokens t;

	CU_ASSERT_EQUAL(tok("  get   a.txt\tb.txt  ", &t), 0);
	CU_ASSERT_EQUAL(t.argc, 3);
	CU_ASSERT_STRING_EQUAL(t.argv[0], "get");
	CU_ASSERT_STRING_EQUAL(t.argv[1], "a.txt");
	CU_ASSERT_STRING_EQUAL(t.argv[2], "b.txt");
	CU_ASSERT_PTR_NULL(t.argv[3]);
	tokens_free(&t);

	CU_ASSERT_EQUAL(tok("", &t), 0);
	CU_ASSERT_EQUAL(t.argc, 0);
	tokens_free(&t);
	CU_ASSERT_EQUAL(tok("   \t ", &t), 0);
	CU_ASSERT_EQUAL(t.argc, 0);
	tokens_free(&t);
}

static void
test_tok_quotes(void)
{
	struct tokens t;

	CU_ASSERT_EQUAL(tok("get \"my file.txt\" 'a \"b\" c' x\\ y", &t), 0);
	CU_ASSERT_EQUAL(t.argc, 4);
	CU_ASSERT_STRING_EQUAL(t.argv[1], "my file.txt");
	CU_ASSERT_STRING_EQUAL(t.argv[2], "a \"b\" c");
	CU_ASSERT_STRING_EQUAL(t.argv[3], "x y");
	tokens_free(&t);

	/* quotes join with neighbours; escapes inside double quotes */
	CU_ASSERT_EQUAL(tok("put a\"b c\"d \"q\\\"t\\\\\" ''", &t), 0);
	CU_ASSERT_EQUAL(t.argc, 4);
	CU_ASSERT_STRING_EQUAL(t.argv[1], "ab cd");
	CU_ASSERT_STRING_EQUAL(t.argv[2], "q\"t\\");
	CU_ASSERT_STRING_EQUAL(t.argv[3], "");
	tokens_free(&t);

	/* single quotes keep backslashes */
	CU_ASSERT_EQUAL(tok("cd 'a\\b'", &t), 0);
	CU_ASSERT_STRING_EQUAL(t.argv[1], "a\\b");
	tokens_free(&t);

	CU_ASSERT_EQUAL(tok("get \"open", &t), -1);
	CU_ASSERT_EQUAL(tok("get 'open", &t), -1);
}

static void
test_tok_shell(void)
{
	struct tokens t;

	CU_ASSERT_EQUAL(tok("!ls -l 'x y' | wc", &t), 0);
	CU_ASSERT_EQUAL(t.argc, 2);
	CU_ASSERT_STRING_EQUAL(t.argv[0], "!");
	CU_ASSERT_STRING_EQUAL(t.argv[1], "ls -l 'x y' | wc");
	tokens_free(&t);
	CU_ASSERT_EQUAL(tok("  !  ", &t), 0);
	CU_ASSERT_EQUAL(t.argc, 1);
	tokens_free(&t);
}

static void
test_tok_limits(void)
{
	static char line[TOK_MAX_ARGS * 2 + 8];
	struct tokens t;
	size_t n = 0;

	for (int i = 0; i < TOK_MAX_ARGS + 1; i++) {
		line[n++] = 'a';
		line[n++] = ' ';
	}
	line[n] = '\0';
	CU_ASSERT_EQUAL(tok(line, &t), -1);
	line[(TOK_MAX_ARGS) * 2] = '\0';
	CU_ASSERT_EQUAL(tok(line, &t), 0);
	CU_ASSERT_EQUAL(t.argc, TOK_MAX_ARGS);
	tokens_free(&t);
}

static void
test_tok_word_at(void)
{
	size_t start;
	int idx;

	tokenize_word_at("ge", 2, &start, &idx);
	CU_ASSERT_EQUAL(start, 0);
	CU_ASSERT_EQUAL(idx, 0);
	tokenize_word_at("get fi", 6, &start, &idx);
	CU_ASSERT_EQUAL(start, 4);
	CU_ASSERT_EQUAL(idx, 1);
	tokenize_word_at("get ", 4, &start, &idx);
	CU_ASSERT_EQUAL(start, 4);
	CU_ASSERT_EQUAL(idx, 1);
	tokenize_word_at("get \"a b\" lo", 12, &start, &idx);
	CU_ASSERT_EQUAL(start, 10);
	CU_ASSERT_EQUAL(idx, 2);
	tokenize_word_at("get \"a b", 8, &start, &idx);
	CU_ASSERT_EQUAL(start, 4);
	CU_ASSERT_EQUAL(idx, 1);
	tokenize_word_at("", 0, &start, &idx);
	CU_ASSERT_EQUAL(idx, 0);
}

void
suite_ftp_tokenize(void)
{
	UNIT_SUITE("ftp_tokenize");
	UNIT_TEST(test_tok_plain);
	UNIT_TEST(test_tok_quotes);
	UNIT_TEST(test_tok_shell);
	UNIT_TEST(test_tok_limits);
	UNIT_TEST(test_tok_word_at);
}
