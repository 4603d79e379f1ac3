/* test_match.c: the bounded glob matcher, including its cost cap. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "match.h"
#include "sys.h"

static void
test_match_basic(void)
{
	CU_ASSERT_EQUAL(match_glob("*", "anything"), 1);
	CU_ASSERT_EQUAL(match_glob("*", ""), 1);
	CU_ASSERT_EQUAL(match_glob("", ""), 1);
	CU_ASSERT_EQUAL(match_glob("", "a"), 0);
	CU_ASSERT_EQUAL(match_glob("*.txt", "a.txt"), 1);
	CU_ASSERT_EQUAL(match_glob("*.txt", ".txt"), 1);
	CU_ASSERT_EQUAL(match_glob("*.txt", "a.txt.gz"), 0);
	CU_ASSERT_EQUAL(match_glob("a*b*c", "aXXbYYc"), 1);
	CU_ASSERT_EQUAL(match_glob("a*b*c", "aXXbYY"), 0);
	CU_ASSERT_EQUAL(match_glob("a*b", "abab"), 1);
	CU_ASSERT_EQUAL(match_glob("*ab", "aab"), 1);
	CU_ASSERT_EQUAL(match_glob("??", "ab"), 1);
	CU_ASSERT_EQUAL(match_glob("??", "a"), 0);
	CU_ASSERT_EQUAL(match_glob("??", "abc"), 0);
	CU_ASSERT_EQUAL(match_glob("a**b", "ab"), 1);
	CU_ASSERT_EQUAL(match_glob("exact", "exact"), 1);
	CU_ASSERT_EQUAL(match_glob("exact", "exacT"), 0);
}

static void
test_match_brackets_escape(void)
{
	CU_ASSERT_EQUAL(match_glob("[abc]x", "bx"), 1);
	CU_ASSERT_EQUAL(match_glob("[abc]x", "dx"), 0);
	CU_ASSERT_EQUAL(match_glob("[a-c]", "b"), 1);
	CU_ASSERT_EQUAL(match_glob("[a-c]", "d"), 0);
	CU_ASSERT_EQUAL(match_glob("[!a-c]", "d"), 1);
	CU_ASSERT_EQUAL(match_glob("[^a-c]", "a"), 0);
	CU_ASSERT_EQUAL(match_glob("[]]", "]"), 1);
	CU_ASSERT_EQUAL(match_glob("[a-]", "-"), 1);
	CU_ASSERT_EQUAL(match_glob("[", "["), 1);		/* unterminated */
	CU_ASSERT_EQUAL(match_glob("[ab", "[ab"), 1);
	CU_ASSERT_EQUAL(match_glob("file[0-9].txt", "file7.txt"), 1);
	CU_ASSERT_EQUAL(match_glob("\\*", "*"), 1);
	CU_ASSERT_EQUAL(match_glob("\\*", "x"), 0);
	CU_ASSERT_EQUAL(match_glob("a\\?", "a?"), 1);
	CU_ASSERT_EQUAL(match_glob("a\\?", "ab"), 0);
	CU_ASSERT_EQUAL(match_glob("*[xyz]", "aaz"), 1);
	CU_ASSERT_EQUAL(match_glob("\xc3\xa9*", "\xc3\xa9t\xc3\xa9"), 1);
	CU_ASSERT_EQUAL(match_has_glob("plain.txt"), 0);
	CU_ASSERT_EQUAL(match_has_glob("*.txt"), 1);
	CU_ASSERT_EQUAL(match_has_glob("a?"), 1);
	CU_ASSERT_EQUAL(match_has_glob("[ab]"), 1);
	CU_ASSERT_EQUAL(match_has_glob("a\\*b"), 0);
	CU_ASSERT_EQUAL(match_has_glob("a\\"), 0);
	CU_ASSERT_EQUAL(match_has_glob(""), 0);
}

static void
test_match_pathological(void)
{
	char name[256], *pat;
	long long t0;
	int r;

	/* The classic exponential case for naive backtracking. */
	memset(name, 'a', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	t0 = sys_now_ms();
	r = match_glob("*a*a*a*a*a*a*a*b", name);
	CU_ASSERT(r == 0 || r == -1);
	r = match_glob("*a*a*a*a*a*a*a*a", name);
	CU_ASSERT_EQUAL(r, 1);
	/* Long literal runs after a star against a long name: O(n*m) work
	 * that must hit the cap instead of taking long. */
	pat = malloc(8192);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pat);
	{
		char lname[1024];

		memset(lname, 'a', sizeof lname - 1);
		lname[sizeof lname - 1] = '\0';
		pat[0] = '*';
		memset(pat + 1, 'a', 511);
		memcpy(pat + 512, "b", 2);
		CU_ASSERT_EQUAL(match_glob(pat, lname), -1);
		memcpy(pat + 512, "*", 2);		/* now it matches at once */
		CU_ASSERT_EQUAL(match_glob(pat, lname), 1);
	}
	/* Many stars: still cheap with one backtrack point. */
	for (int i = 0; i < 4000; i++)
		memcpy(pat + 2 * i, "*a", 2);
	memcpy(pat + 8000, "b", 2);
	r = match_glob(pat, name);
	CU_ASSERT(r == 0 || r == -1);
	for (int i = 0; i < 4000; i++)
		memcpy(pat + 2 * i, "?*", 2);
	memcpy(pat + 8000, "b", 2);
	r = match_glob(pat, name);
	CU_ASSERT(r == 0 || r == -1);
	/* Long bracket classes count toward the cap as well. */
	{
		size_t o = 0;

		pat[o++] = '*';
		while (o + 600 < 8000) {
			pat[o++] = '[';
			memset(pat + o, 'x', 500);
			o += 500;
			pat[o++] = 'a';
			pat[o++] = ']';
		}
		memcpy(pat + o, "b", 2);
		r = match_glob(pat, name);
		CU_ASSERT_EQUAL(r, -1);
	}
	free(pat);
	CU_ASSERT(sys_now_ms() - t0 < 2000);
}

void
suite_match(void)
{
	UNIT_SUITE("match");
	UNIT_TEST(test_match_basic);
	UNIT_TEST(test_match_brackets_escape);
	UNIT_TEST(test_match_pathological);
}
