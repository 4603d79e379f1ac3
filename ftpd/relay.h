/* relay.h: the processes that keep a TLS control connection alive after
 * login (see doc/design.md, "TLS").
 *
 * A TLS session exists only in the process that made the handshake (the
 * pre-login worker) and in processes forked from it.  The post-login
 * worker is forked by the monitor, so after a TLS login:
 *   - the pre-login worker stays as the control relay: it pumps bytes
 *     between the TLS control connection and a socketpair that is the
 *     post-login worker's control connection, and performs CCC;
 *   - it forks the data helper, which holds a copy of the control
 *     session (never speaking on the control connection) and does the
 *     TLS of each PROT P data connection for the worker: the worker
 *     hands it the TCP connection and gets back the plaintext end of a
 *     socketpair.
 * Both run as nopriv_user in the empty chroot; the worker never holds
 * TLS state or the private key.
 *
 * The relay link is a SOCK_SEQPACKET socketpair made by the monitor for
 * each pre-login worker.  The pre-login worker writes RELAY_TLS_ON into
 * it right after its handshake (the monitor peeks at it to learn that
 * the worker will stay as relay); after LOGIN_OK the relay sends
 * RELAY_CTRL and RELAY_DATA (each with a descriptor), which the
 * post-login worker, forked with the monitor's end, reads.  The link
 * then carries CCC requests.  The data channel (worker <-> helper) is a
 * second SOCK_SEQPACKET pair.  Every message is one struct relay_msg. */
#ifndef FTPD_RELAY_H
#define FTPD_RELAY_H

#include <stdint.h>
#include "conf.h"
#include "conn.h"

#define RELAY_TEXT_MAX 256

enum relay_type {
	RELAY_TLS_ON = 0x52454c01,	/* pre-login worker: handshake done */
	RELAY_CTRL,		/* relay: fd = control socketpair; flags */
	RELAY_DATA,		/* relay: fd = channel to the data helper */
	RELAY_CCC,		/* worker: answer 200 to CCC and clear */
	RELAY_CCC_OK,		/* relay: done, control is plaintext */
	RELAY_CCC_FAIL,		/* relay: failed, the session ends */
	RELAY_DATA_OPEN,	/* worker: fd = TCP data connection */
	RELAY_DATA_OK,		/* helper: fd = plaintext side */
	RELAY_DATA_FAIL		/* helper: text = why */
};

/* RELAY_CTRL flags: protocol state the pre-login worker agreed on. */
#define RELAY_F_PBSZ 1u
#define RELAY_F_PROT_P 2u
#define RELAY_F_IMPLICIT 4u

struct relay_msg {
	uint32_t type;
	uint32_t flags;
	char text[RELAY_TEXT_MAX];	/* NUL-terminated */
};

/* --- monitor */

/* The link for a new pre-login worker: sv[0] stays with the monitor
 * (and goes to the post-login worker), sv[1] to the pre-login worker.
 * 0 or -1 (errno). */
int relay_link_new(int sv[2]);
/* 1 if the pre-login worker on the other end announced TLS (so it will
 * stay as relay after LOGIN_OK), else 0.  Does not consume anything. */
int relay_link_announced(int mon_end);

/* --- pre-login worker */

/* Announces the finished control handshake.  0 or -1. */
int relay_announce(int link);
/* After LOGIN_OK on a TLS control connection: forks the data helper,
 * hands the worker its ends, and relays until either side ends.
 * peer names the client in log lines. */
__attribute__((noreturn))
void relay_start(struct conn *ctrl, int link, unsigned flags,
		 const struct ftpd_conf *conf, const char *peer);

/* --- post-login worker */

struct relay_ends {
	int ctrl;		/* plaintext control connection */
	int data;		/* channel to the data helper */
	unsigned flags;		/* RELAY_F_* */
};

/* Reads the link: 0 = no TLS (the pre-login worker is gone), 1 = TLS
 * with *e filled, -1 = broken (why set). */
int relay_attach(int link, struct relay_ends *e, int timeout_ms, char *why,
		 size_t whylen);
/* Asks the relay to clear the control connection (CCC): it sends what
 * the worker wrote so far, the 200, and shuts TLS down.  0 done, -1
 * failed (why set; the session is over). */
int relay_ccc(int link, int timeout_ms, char *why, size_t whylen);
/* Hands the TCP data connection (data->fd) to the helper, which does
 * the TLS handshake and gives back the plaintext end.  data->fd is
 * closed here in every case.  0: data is the plaintext end; -1: refused
 * (why says why); -2: the helper is gone or out of step (why set). */
int relay_data_open(int chan, struct conn *data, int timeout_ms, char *why,
		    size_t whylen);

#endif
