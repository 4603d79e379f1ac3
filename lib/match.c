/* match.c: our own bounded glob matcher ('*', '?', '[...]', '\' escape)
 * for names that come from the network.  A single star-backtrack point
 * keeps it O(pattern * name), and an iteration cap bounds even that. */
#include "config.h"

#include <stddef.h>

#include "match.h"

/* SECURITY: CVE-2011-0762-style cost attacks stop here. */
#define MATCH_MAX_ITERS 100000

/* Matches one pattern token at *pp against ch and advances *pp past the
 * token; *iters grows by the work done.  Returns 1 on match, else 0. */
static int
match_token(const char **pp, unsigned char ch, long *iters)
{
	const unsigned char *p = (const unsigned char *)*pp;
	const unsigned char *q;
	int neg = 0, hit = 0;

	if (*p == '?') {
		*pp = (const char *)(p + 1);
		return 1;
	}
	if (*p == '\\' && p[1] != '\0') {
		*pp = (const char *)(p + 2);
		return p[1] == ch;
	}
	if (*p == '[') {
		q = p + 1;
		if (*q == '!' || *q == '^') {
			neg = 1;
			q++;
		}
		/* A ']' right after the opening is a member, not the end. */
		for (int first = 1; *q != '\0' && (first || *q != ']'); first = 0) {
			unsigned char lo = *q, hi;

			if (lo == '\\' && q[1] != '\0')
				lo = *++q;
			q++;
			hi = lo;
			if (*q == '-' && q[1] != ']' && q[1] != '\0') {
				hi = q[1];
				if (hi == '\\' && q[2] != '\0') {
					hi = q[2];
					q++;
				}
				q += 2;
			}
			if (ch >= lo && ch <= hi)
				hit = 1;
			(*iters)++;	/* long classes cost too */
		}
		if (*q == ']') {
			*pp = (const char *)(q + 1);
			return hit != neg;
		}
		/* Unterminated: the '[' is an ordinary character. */
	}
	*pp = (const char *)(p + 1);
	return *p == ch;
}

int
match_glob(const char *pattern, const char *name)
{
	const char *p = pattern, *n = name, *star_p = NULL, *star_n = NULL;
	const char *next;
	long iters = 0;

	for (;;) {
		if (++iters > MATCH_MAX_ITERS)
			return -1;
		if (*p == '*') {
			while (*p == '*')
				p++;
			if (*p == '\0')
				return 1;
			star_p = p;
			star_n = n;
			continue;
		}
		if (*n == '\0')
			return *p == '\0';
		next = p;
		if (*p != '\0' && match_token(&next, (unsigned char)*n, &iters)) {
			p = next;
			n++;
			continue;
		}
		/* Mismatch: let the last star swallow one more character. */
		if (star_p == NULL || *star_n == '\0')
			return 0;
		n = ++star_n;
		p = star_p;
	}
}

int
match_has_glob(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\') {
			if (s[1] == '\0')
				break;
			s++;
			continue;
		}
		if (*s == '*' || *s == '?' || *s == '[')
			return 1;
	}
	return 0;
}
