/* ftps.h: the client side of FTPS (RFC 4217) on top of lib/tls.h.
 *
 * Explicit TLS (--tls, ftpes://): after the greeting, AUTH TLS, the
 * handshake, and after login PBSZ 0 + PROT P.  Implicit TLS (ftps://):
 * the handshake comes first, then the greeting.  Every step fails closed:
 * a server that cannot do one of them is left (exit status 5), never used
 * in plaintext.  Data connections resume the control connection's TLS
 * session and must show the same certificate.
 *
 * Each function prints its own failure (one clear line, more for a
 * refused certificate) and, where it says so, closes the connection. */
#ifndef FTP_FTPS_H
#define FTP_FTPS_H

#include <stdio.h>
#include "client.h"
#include "conn.h"

/* Implicit FTPS: the handshake on a fresh connection, before the
 * greeting.  ST_OK, or ST_TLS with the connection closed. */
int ftps_start(struct ftp_client *c);
/* Explicit FTPS: AUTH TLS and the handshake, after the greeting.  ST_OK,
 * or ST_TLS / ST_NET with the connection closed. */
int ftps_auth(struct ftp_client *c);
/* After login on a TLS connection: PBSZ 0 and PROT P.  ST_OK, or ST_TLS
 * / ST_NET with the connection closed. */
int ftps_protect(struct ftp_client *c);
/* The handshake on a data connection (after the 1xx reply, or after
 * accepting it in active mode).  ST_OK or ST_TLS. */
int ftps_data(struct ftp_client *c, struct conn *data);
/* The TLS lines of `status` (nothing for a plain connection). */
void ftps_show(const struct ftp_client *c, FILE *fp);
/* Frees the TLS context at exit. */
void ftps_cleanup(void);

#endif
