/* datachan.h: the data connection endpoint of a session: a PORT/EPRT
 * target or a PASV/EPSV listener, and opening it when a transfer starts.
 * SECURITY: passive connections are accepted only from the control
 * connection's peer address; active ones go only to that address and to
 * ports >= 1024 (RFC 2577).  Refusals say why, in the reply and the log. */
#ifndef FTPD_DATACHAN_H
#define FTPD_DATACHAN_H

#include <stddef.h>
#include "net.h"
#include "conn.h"

enum dc_mode { DC_NONE = 0, DC_ACTIVE, DC_PASSIVE };

struct datachan {
	enum dc_mode mode;
	struct netaddr target;		/* DC_ACTIVE: where to connect */
	int lfd;			/* DC_PASSIVE: listening socket */
	int lport;			/* DC_PASSIVE: its port */
	int epsv_all;			/* EPSV ALL seen: only EPSV from now */
};

struct session;

void dc_init(struct datachan *d);
void dc_reset(struct datachan *d);	/* closes a listener, mode = NONE */

/* Checks a PORT/EPRT target against the control peer.  0 ok, else -1
 * with a reason in why. */
int dc_check_active(const struct netaddr *peer, const struct netaddr *target,
		    char *why, size_t whylen);
/* Remembers an active target (after dc_check_active).  */
void dc_set_active(struct datachan *d, const struct netaddr *target);
/* Opens a passive listener on the control connection's local address
 * (family as given) with a port from lo..hi.  Returns the port, or -1
 * with why. */
int dc_listen_passive(struct datachan *d, const struct netaddr *local,
		      unsigned lo, unsigned hi, char *why, size_t whylen);
/* Opens the data connection for a transfer: connects (active) or
 * accepts (passive, only from peer).  The endpoint is used up either
 * way.  0 with *c ready, or -1 with why (and the log line made). */
int dc_open(struct session *s, struct conn *c, char *why, size_t whylen);
/* Closes a transfer's data connection. */
void dc_close_conn(struct conn *c);

#endif
