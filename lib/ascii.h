/* ascii.h: TYPE A line-ending conversion, streaming and stateless about
 * buffer boundaries (the state struct carries what is needed). */
#ifndef FTPKIT_ASCII_H
#define FTPKIT_ASCII_H

#include <stddef.h>

struct ascii_state {
	int pending_cr;		/* from_crlf: a CR ended the previous chunk */
};

/* Local -> network: every LF becomes CRLF (an LF already preceded by CR in
 * the same chunk or the previous one is not doubled).  out must have room
 * for 2*n bytes.  Returns bytes written. */
size_t ascii_to_crlf(struct ascii_state *st, const char *in, size_t n, char *out);
/* Network -> local: CRLF becomes LF; a CR not followed by LF is kept.  out
 * must have room for n+1 bytes.  Returns bytes written. */
size_t ascii_from_crlf(struct ascii_state *st, const char *in, size_t n, char *out);
/* Flushes a CR held back at end of stream (from_crlf).  Returns 0 or 1
 * bytes written to out. */
size_t ascii_from_crlf_finish(struct ascii_state *st, char *out);

#endif
