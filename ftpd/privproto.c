/* privproto.c: encoding and checked decoding of monitor <-> worker
 * messages (see privproto.h).  Wire format per packet: u32 type,
 * u32 field count, then per field u32 length and the bytes. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "privproto.h"
#include "line.h"

/* SECURITY: every field is capped; text fields may not hold NUL. */
static const struct priv_rule s_rules[] = {
	{ PRIV_LOGIN, PRIV_FROM_WORKER, 3, { 256, 1024, LINE_BUFSZ }, { 1, 1, 0 } },
	{ PRIV_LOGIN_FAIL, PRIV_FROM_MONITOR, 0, { 0 }, { 0 } },
	{ PRIV_LOGIN_OK, PRIV_FROM_MONITOR, 0, { 0 }, { 0 } },
	{ PRIV_REIN, PRIV_FROM_WORKER, 1, { LINE_BUFSZ }, { 0 } },
	{ PRIV_LOGIN_LOCKOUT, PRIV_FROM_MONITOR, 0, { 0 }, { 0 } },
	{ PRIV_XFERLOG, PRIV_FROM_WORKER, 2, { 4096, 64 }, { 1, 1 } },
	{ PRIV_STATUS, PRIV_FROM_WORKER, 2, { 512, 64 }, { 1, 1 } },
	{ PRIV_XFER_EVENT, PRIV_FROM_WORKER, 2, { 4096, 64 }, { 1, 1 } },
};

const struct priv_rule *
priv_rule(uint32_t type)
{
	for (size_t i = 0; i < sizeof s_rules / sizeof s_rules[0]; i++)
		if (s_rules[i].type == type)
			return &s_rules[i];
	return NULL;
}

static void
put_u32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static uint32_t
get_u32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

int
priv_send(int fd, uint32_t type, unsigned nfields, const struct priv_field *f)
{
	unsigned char wire[PRIV_WIRE_MAX];
	const struct priv_rule *r = priv_rule(type);
	size_t off = 8;
	ssize_t n;

	if (r == NULL || nfields != r->nfields) {
		errno = EINVAL;
		return -1;
	}
	put_u32(wire, type);
	put_u32(wire + 4, nfields);
	for (unsigned i = 0; i < nfields; i++) {
		if (f[i].n > r->cap[i] || f[i].n > sizeof wire - off - 4) {
			errno = EMSGSIZE;
			return -1;
		}
		put_u32(wire + off, (uint32_t)f[i].n);
		off += 4;
		if (f[i].n > 0)
			memcpy(wire + off, f[i].p, f[i].n);
		off += f[i].n;
	}
	do
		n = send(fd, wire, off, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if ((size_t)n != off) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

int
priv_decode(const unsigned char *wire, size_t n, enum priv_side from,
	    struct priv_msg *m)
{
	const struct priv_rule *r;
	size_t off = 8, soff = 0;

	if (n < 8)
		return -1;
	m->type = get_u32(wire);
	m->nfields = get_u32(wire + 4);
	r = priv_rule(m->type);
	if (r == NULL || r->from != from || m->nfields != r->nfields)
		return -1;
	for (unsigned i = 0; i < m->nfields; i++) {
		uint32_t len;

		if (n - off < 4)
			return -1;
		len = get_u32(wire + off);
		off += 4;
		if (len > r->cap[i] || len > n - off)
			return -1;
		if (r->text[i] && memchr(wire + off, '\0', len) != NULL)
			return -1;
		memcpy(m->store + soff, wire + off, len);
		m->store[soff + len] = '\0';
		m->f[i].p = m->store + soff;
		m->f[i].n = len;
		soff += len + 1;
		off += len;
	}
	if (off != n)
		return -1;	/* trailing bytes */
	return 0;
}

int
priv_recv(int fd, enum priv_side expect_from, struct priv_msg *m)
{
	unsigned char wire[PRIV_WIRE_MAX];
	ssize_t n;

	do
		n = recv(fd, wire, sizeof wire, MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if (n == 0)
		return 0;
	if ((size_t)n > sizeof wire) {
		errno = EMSGSIZE;
		return -1;
	}
	if (priv_decode(wire, (size_t)n, expect_from, m) < 0) {
		errno = EPROTO;
		return -1;
	}
	return 1;
}
