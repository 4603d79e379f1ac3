/* fuzz_match.c: the bounded glob matcher (lib/match.c) that runs on
 * patterns from the network (NLST/LIST/MLSD arguments, mget).
 *
 * Input: pattern, NUL, name (no NUL: the whole input is the pattern and
 * the name is derived from it).  Checked:
 * - the answer is 1, 0 or -1, and -1 (cost cap) only when the work could
 *   really be large;
 * - it equals an independent dynamic-programming matcher over the same
 *   token syntax ('*', '?', '\x', '[...]' with '!'/'^', ranges, a ']'
 *   first in a set is a member, an unterminated '[' is literal);
 * - it equals fnmatch(3) (flags 0) for patterns without '[';
 * - match_has_glob is false only for patterns that match one name. */
#include "config.h"

#include <fnmatch.h>

#include "match.h"
#include "fuzz.h"

/* Mirrors lib/match.c's MATCH_MAX_ITERS: the cap must not trip below it. */
#define CAP 100000

enum { T_STAR, T_ANY, T_SET };

struct tok {
	int type;
	unsigned char set[32];	/* bitmap for T_SET (literals are sets) */
};

static void
set_add(struct tok *t, unsigned lo, unsigned hi)
{
	for (unsigned c = lo; c <= hi; c++)
		t->set[c >> 3] |= (unsigned char)(1u << (c & 7));
}

static int
set_has(const struct tok *t, unsigned char c)
{
	return (t->set[c >> 3] >> (c & 7)) & 1;
}

/* Parses one bracket expression at p (pointing at '['); fills t and
 * returns the length consumed, or 0 if it is not terminated. */
static size_t
parse_set(const unsigned char *p, struct tok *t)
{
	size_t j = 1;
	int neg = 0;

	memset(t, 0, sizeof *t);
	t->type = T_SET;
	if (p[j] == '!' || p[j] == '^') {
		neg = 1;
		j++;
	}
	for (int first = 1; p[j] != '\0' && (first || p[j] != ']'); first = 0) {
		unsigned lo, hi;

		if (p[j] == '\\' && p[j + 1] != '\0')
			j++;
		lo = hi = p[j++];
		if (p[j] == '-' && p[j + 1] != ']' && p[j + 1] != '\0') {
			j++;
			if (p[j] == '\\' && p[j + 1] != '\0')
				j++;
			hi = p[j++];
		}
		if (lo <= hi)
			set_add(t, lo, hi);
	}
	if (p[j] != ']')
		return 0;
	if (neg)
		for (size_t i = 0; i < sizeof t->set; i++)
			t->set[i] = (unsigned char)~t->set[i];
	return j + 1;
}

static size_t
tokenize(const char *pat, struct tok *toks)
{
	const unsigned char *p = (const unsigned char *)pat;
	size_t nt = 0, k;

	while (*p != '\0') {
		struct tok *t = &toks[nt++];

		memset(t, 0, sizeof *t);
		if (*p == '*') {
			t->type = T_STAR;
			p++;
		} else if (*p == '?') {
			t->type = T_ANY;
			p++;
		} else if (*p == '[' && (k = parse_set(p, t)) > 0) {
			p += k;
		} else {
			memset(t, 0, sizeof *t);	/* parse_set may have filled it */
			t->type = T_SET;
			if (*p == '\\' && p[1] != '\0')
				p++;
			set_add(t, *p, *p);
			p++;
		}
	}
	return nt;
}

/* dp[i][j]: tokens i.. match name j.. ; computed backwards in one row
 * pair.  Returns 1 or 0. */
static int
ref_match(const struct tok *t, size_t nt, const unsigned char *s, size_t ns)
{
	unsigned char *cur = calloc(ns + 1, 1), *next = calloc(ns + 1, 1);
	int r;

	if (cur == NULL || next == NULL)
		abort();
	next[ns] = 1;			/* no tokens: only the empty rest */
	for (size_t i = nt; i-- > 0;) {
		for (size_t j = ns + 1; j-- > 0;) {
			if (t[i].type == T_STAR)
				cur[j] = next[j] || (j < ns && cur[j + 1]);
			else if (j == ns)
				cur[j] = 0;
			else if (t[i].type == T_ANY)
				cur[j] = next[j + 1];
			else
				cur[j] = set_has(&t[i], s[j]) && next[j + 1];
		}
		memcpy(next, cur, ns + 1);
	}
	r = next[0];
	free(cur);
	free(next);
	return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	char *pat, *name;
	struct tok *toks;
	size_t pl, nl, nt;
	int r, want;

	if (nul != NULL) {
		pat = fuzz_strndup(data, (size_t)(nul - data));
		name = fuzz_strndup(nul + 1, size - (size_t)(nul - data) - 1);
	} else {
		/* Without a separator: match the pattern against its own
		 * text with the metacharacters replaced, which often hits. */
		pat = fuzz_strndup(data, size);
		name = fuzz_strndup(data, size);
		for (char *c = name; *c != '\0'; c++)
			if (*c == '*' || *c == '?' || *c == '[' || *c == '\\')
				*c = 'a';
	}
	pl = strlen(pat);
	nl = strlen(name);

	r = match_glob(pat, name);
	FUZZ_ASSERT(r == 1 || r == 0 || r == -1);
	/* SECURITY: the cap bounds work, but must not refuse cheap cases. */
	if ((nl + 1) * (2 * pl + 2) < CAP)
		FUZZ_ASSERT(r != -1);

	toks = malloc((pl + 1) * sizeof *toks);
	if (toks == NULL)
		abort();
	nt = tokenize(pat, toks);
	want = ref_match(toks, nt, (const unsigned char *)name, nl);
	if (r != -1)
		FUZZ_ASSERT(r == want);
	if (r != -1 && strchr(pat, '[') == NULL &&
	    (pl == 0 || pat[pl - 1] != '\\'))
		FUZZ_ASSERT(r == (fnmatch(pat, name, 0) == 0));
	/* No metacharacter: the pattern is one literal name. */
	if (!match_has_glob(pat) && r != -1) {
		int lit = 1;

		for (size_t i = 0; i < nt; i++)
			lit &= toks[i].type == T_SET;
		FUZZ_ASSERT(lit);
	}
	free(toks);
	free(pat);
	free(name);
	return 0;
}
