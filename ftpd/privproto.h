/* privproto.h: the messages between a session's monitor (privileged) and
 * its worker (unprivileged), over a SOCK_SEQPACKET socketpair: one packet
 * per message, a type, and at most PRIV_MAX_FIELDS length-capped fields.
 * Each type has one row in priv_rules (who may send it, field count, caps);
 * priv_recv rejects anything that does not match its row. */
#ifndef FTPD_PRIVPROTO_H
#define FTPD_PRIVPROTO_H

#include <stddef.h>
#include <stdint.h>

enum priv_type {
	PRIV_LOGIN = 1,		/* worker: user, password, pipelined bytes */
	PRIV_LOGIN_FAIL,	/* monitor: (none); the worker answers 530 */
	PRIV_LOGIN_OK,		/* monitor: (none); the pre-login worker exits */
	PRIV_REIN,		/* post-login worker: pipelined bytes */
	PRIV_LOGIN_LOCKOUT,	/* monitor: (none); too many failed logins:
				   the worker answers 530, 421 and exits */
	PRIV_XFERLOG,		/* post-login worker: path, "bytes secs
				   flags" (xferlog.c writes the line) */
	PRIV_STATUS,		/* worker, one-way (status.c): what it does
				   ("RETR /x", "idle"), "xfer_bytes total" */
	PRIV_XFER_EVENT,	/* post-login worker, one-way (evlog.c): path,
				   "bytes ms flags" for the JSON log */
	PRIV_TYPE_END
};

#define PRIV_MAX_FIELDS 3
#define PRIV_WIRE_MAX (16 * 1024)

enum priv_side { PRIV_FROM_WORKER = 1, PRIV_FROM_MONITOR = 2 };

struct priv_rule {
	uint32_t type;
	enum priv_side from;
	unsigned nfields;
	size_t cap[PRIV_MAX_FIELDS];	/* max bytes per field */
	int text[PRIV_MAX_FIELDS];	/* field may not contain NUL */
};

struct priv_field {
	const void *p;
	size_t n;
};

struct priv_msg {
	uint32_t type;
	unsigned nfields;
	struct priv_field f[PRIV_MAX_FIELDS];	/* point into store, each
						   NUL-terminated */
	char store[PRIV_WIRE_MAX + PRIV_MAX_FIELDS];
};

const struct priv_rule *priv_rule(uint32_t type);

/* Sends one message; the fields must fit the type's rule.  0 or -1. */
int priv_send(int fd, uint32_t type, unsigned nfields,
	      const struct priv_field *f);
/* Receives one message that `expect_from` may send.  1 = message,
 * 0 = peer closed, -1 = error or a message that breaks its rule. */
int priv_recv(int fd, enum priv_side expect_from, struct priv_msg *m);
/* Decodes a wire packet (used by priv_recv and the unit tests). */
int priv_decode(const unsigned char *wire, size_t n, enum priv_side from,
		struct priv_msg *m);

#endif
