/* datachan.h: opening the data connection for one transfer or listing.
 *
 * Passive (default): EPSV first, PASV when the server refuses EPSV; the
 * connection always goes to the control connection's peer address and the
 * address inside a 227 reply is ignored (SECURITY: a NAT'd server often
 * announces a wrong one, a hostile one could point anywhere).  Active:
 * listen on the control connection's local address and send PORT (IPv4)
 * or EPRT (IPv6); only a connection from the server's address is taken. */
#ifndef FTP_DATACHAN_H
#define FTP_DATACHAN_H

#include "client.h"
#include "conn.h"
#include "net.h"

struct datachan {
	struct conn conn;	/* the data stream once begun */
	int lfd;		/* active mode: listening socket, else -1 */
	int no_data;		/* server answered 2xx without a transfer */
	const char *how;	/* "EPSV", "PASV", "PORT", "EPRT" */
	struct netaddr target;	/* passive: where we connected */
	int announced_other;	/* PASV named another address (ignored) */
	struct netaddr announced;
};

/* Step 1 (before the command): EPSV/PASV + connect, or listen + PORT.
 * Returns ST_OK or a status with the reason printed. */
int data_setup(struct ftp_client *c, struct datachan *d);
/* Step 2: sends the transfer command (fmt) and waits for 1xx; in active
 * mode accepts the server's connection.  ST_OK or a status (printed). */
int data_begin(struct ftp_client *c, struct datachan *d, const char *what,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Step 3: closes the data stream and reads the final reply.  Returns
 * ST_OK (226/250) or a status (printed). */
int data_end(struct ftp_client *c, struct datachan *d, const char *what);
/* Aborts a running transfer: Telnet IP/Synch + ABOR, closes the data
 * stream, reads the replies that follow.  The session stays logged in. */
void data_abort(struct ftp_client *c, struct datachan *d);
/* Releases whatever is still open (safe to call more than once). */
void data_close(struct datachan *d);

#endif
