/* buf.h: the one bounded, growable byte/string type for protocol text,
 * paths and IPC.  All length arithmetic lives in buf.c.
 *
 * Invariant: data[len] == '\0' whenever data != NULL, so buf_cstr() is
 * always a valid C string (it may contain earlier NULs if binary data was
 * appended).  An append that would make len exceed max fails with -1 and
 * errno = ENOBUFS and leaves the buffer unchanged. */
#ifndef FTPKIT_BUF_H
#define FTPKIT_BUF_H

#include <stddef.h>
#include <stdarg.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;	/* hard cap on len for this instance */
};

#define BUF_INIT(maxlen) { NULL, 0, 0, (maxlen) }

void buf_init(struct buf *b, size_t max);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);		/* len = 0, keeps memory */
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
int buf_set(struct buf *b, const char *s);	/* reset + puts */
const char *buf_cstr(const struct buf *b);	/* "" when empty */
void buf_consume(struct buf *b, size_t n);	/* drop n bytes from the front */
void buf_truncate(struct buf *b, size_t len);	/* shrink len if larger */
/* Takes ownership of the memory: returns a malloc'd NUL-terminated string
 * (never NULL on success) and leaves b empty. NULL on allocation failure. */
char *buf_steal(struct buf *b);

#endif
