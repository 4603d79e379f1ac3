/* fuzz.h: helpers shared by the libFuzzer harnesses in tests/fuzz/.
 * A harness states its invariants with FUZZ_ASSERT; a failed one aborts,
 * which libFuzzer reports as a crash and saves the input. */
#ifndef FTPKIT_FUZZ_H
#define FTPKIT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant failed: %s\n",	\
			__FILE__, __LINE__, #cond);			\
		abort();						\
	}								\
} while (0)

/* A NUL-terminated heap copy of n bytes (embedded NULs stay, so C-string
 * callers see the text up to the first one).  Never NULL. */
static inline char *
fuzz_strndup(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	if (n > 0)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* Takes the next byte of control input (0 when exhausted). */
static inline unsigned
fuzz_take(const uint8_t **p, size_t *n)
{
	unsigned v;

	if (*n == 0)
		return 0;
	v = **p;
	(*p)++;
	(*n)--;
	return v;
}

#endif
