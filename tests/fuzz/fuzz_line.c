/* fuzz_line.c: the control-line reader (lib/line.c) fed through a real
 * conn.  Bytes travel over an AF_UNIX SOCK_SEQPACKET pair so each chunk
 * arrives as its own read(2): Telnet sequences, CRLF pairs and over-long
 * lines get split across reads the way a slow or hostile peer splits them.
 * Every line returned is checked against a small reference model of the
 * contract in line.h.
 *
 * Input: byte 0 picks max_line, byte 1 the chunk size, the rest is the
 * stream. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "conn.h"
#include "line.h"
#include "fuzz.h"

#define TEL_IAC 255
#define MAX_CHUNKS 128

/* Reference model: the Telnet filter of line.h applied to the whole
 * stream at once.  Returns the filtered length (written into out). */
static size_t
model_filter(const uint8_t *in, size_t n, uint8_t *out)
{
	size_t o = 0;
	int state = 0;	/* 0 data, 1 after IAC, 2 option byte follows */

	for (size_t i = 0; i < n; i++) {
		uint8_t ch = in[i];

		if (state == 1) {
			if (ch == TEL_IAC)
				out[o++] = TEL_IAC;
			state = (ch >= 251 && ch <= 254) ? 2 : 0;
			continue;
		}
		if (state == 2) {
			state = 0;
			continue;
		}
		if (ch == TEL_IAC) {
			state = 1;
			continue;
		}
		out[o++] = ch;
	}
	return o;
}

/* Sends stream in chunks of csz bytes (one packet each).  Stops early if
 * the socket buffer is full; returns how many bytes were sent. */
static size_t
send_chunks(int fd, const uint8_t *p, size_t n, size_t csz)
{
	size_t sent = 0, k;
	ssize_t r;

	while (sent < n) {
		k = n - sent < csz ? n - sent : csz;
		r = send(fd, p + sent, k, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;		/* EAGAIN: the model uses what went */
		FUZZ_ASSERT((size_t)r == k);
		sent += k;
	}
	return sent;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data;
	size_t n = size, max_line, csz, sent, flen, pos, end, clen;
	unsigned b0, b1;
	struct conn c;
	struct line_reader *lr;
	struct buf out;
	uint8_t *filtered;
	int fds[2], st;

	b0 = fuzz_take(&p, &n);
	b1 = fuzz_take(&p, &n);
	/* Small caps exercise TOOLONG constantly; large ones exceed the
	 * 4 KiB read buffer so a line spans several refills. */
	max_line = (b0 & 0x80) ? 4096 + (size_t)(b0 & 0x7f) * 64 : b0;
	csz = 1 + (size_t)b1 * 16;
	if (n / csz >= MAX_CHUNKS)
		csz = n / MAX_CHUNKS + 1;
	if (csz > LINE_BUFSZ)
		csz = LINE_BUFSZ;	/* a bigger packet would be truncated */

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
		abort();
	sent = send_chunks(fds[1], p, n, csz);
	if (shutdown(fds[1], SHUT_WR) < 0)
		abort();

	filtered = malloc(sent + 1);
	if (filtered == NULL)
		abort();
	flen = model_filter(p, sent, filtered);

	lr = malloc(sizeof *lr);
	if (lr == NULL)
		abort();
	conn_init(&c, fds[0], 2000);
	line_init(lr, &c, max_line);
	buf_init(&out, max_line);

	pos = 0;
	for (;;) {
		st = line_read(lr, &out);
		/* Where the model says the next line ends (or none). */
		for (end = pos; end < flen && filtered[end] != '\n'; end++)
			;
		if (end >= flen) {
			FUZZ_ASSERT(st == LINE_EOF);
			FUZZ_ASSERT(out.len == 0);
			break;
		}
		clen = end - pos;
		if (clen > 0 && filtered[end - 1] == '\r')
			clen--;		/* the CR of CRLF is not content */
		if (clen > max_line) {
			FUZZ_ASSERT(st == LINE_TOOLONG);
			FUZZ_ASSERT(out.len == 0);
		} else {
			FUZZ_ASSERT(st == LINE_OK);
			FUZZ_ASSERT(out.len == clen);
			FUZZ_ASSERT(clen == 0 ||
				    memcmp(out.data, filtered + pos, clen) == 0);
			FUZZ_ASSERT(out.data == NULL || out.data[out.len] == '\0');
		}
		pos = end + 1;
	}
	/* The reader stays at EOF. */
	FUZZ_ASSERT(line_read(lr, &out) == LINE_EOF);
	FUZZ_ASSERT(line_pending(lr) == 0);

	buf_free(&out);
	free(lr);
	free(filtered);
	conn_close(&c);
	close(fds[1]);
	return 0;
}
