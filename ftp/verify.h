/* verify.h: end-to-end checks of transferred files with the server's HASH
 * command (draft-bryan-ftpext-hash): the local SHA-256 is computed with
 * OpenSSL's EVP and compared with what the server says it stored. */
#ifndef FTP_VERIFY_H
#define FTP_VERIFY_H

#include "client.h"

#define VERIFY_HEXLEN 65	/* 64 hex digits and NUL */

/* SHA-256 of everything in fd (read with pread from offset 0, so the
 * file position is unchanged) as lowercase hex.  0, or -1 with errno. */
int verify_sha256_fd(int fd, char hex[VERIFY_HEXLEN]);
/* 1 when transfers on c are to be verified: `verify` is on, binary mode,
 * and the server's FEAT lists HASH. */
int verify_active(struct ftp_client *c);
/* Asks the server for the SHA-256 of path into hex.  ST_OK, ST_OTHER when
 * the server declined (reply printed when verbose), or a network status. */
int verify_remote_sha256(struct ftp_client *c, const char *path,
			 char hex[VERIFY_HEXLEN]);
/* Compares the server's digest of remote with local_hex.  ST_OK when they
 * match, ST_VERIFY (printed, naming `shown`) when they differ; a server
 * that declines to hash the file is reported and counts as ST_OK. */
int verify_compare(struct ftp_client *c, const char *remote,
		   const char *local_hex, const char *what, const char *shown);

#endif
