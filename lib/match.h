/* match.h: our own bounded '*' '?' '[...]' matcher for names from the
 * network (no fnmatch/glob(3) on client input). */
#ifndef FTPKIT_MATCH_H
#define FTPKIT_MATCH_H

/* 1 match, 0 no match, -1 pattern too costly (iteration cap hit). */
int match_glob(const char *pattern, const char *name);
/* 1 if s contains an unescaped glob metacharacter. */
int match_has_glob(const char *s);

#endif
