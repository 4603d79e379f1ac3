/* ascii.c: TYPE A line-ending conversion for streams cut into arbitrary
 * chunks; a CR at a chunk boundary is carried in struct ascii_state. */
#include "config.h"

#include "ascii.h"

size_t
ascii_to_crlf(struct ascii_state *st, const char *in, size_t n, char *out)
{
	size_t o = 0;

	/* pending_cr here means: the previous byte sent was a CR. */
	for (size_t i = 0; i < n; i++) {
		if (in[i] == '\n' && !st->pending_cr)
			out[o++] = '\r';
		out[o++] = in[i];
		st->pending_cr = in[i] == '\r';
	}
	return o;
}

size_t
ascii_from_crlf(struct ascii_state *st, const char *in, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (st->pending_cr) {
			st->pending_cr = 0;
			if (in[i] != '\n')
				out[o++] = '\r';	/* lone CR is kept */
		}
		if (in[i] == '\r')
			st->pending_cr = 1;
		else
			out[o++] = in[i];
	}
	return o;
}

size_t
ascii_from_crlf_finish(struct ascii_state *st, char *out)
{
	if (!st->pending_cr)
		return 0;
	st->pending_cr = 0;
	out[0] = '\r';
	return 1;
}
