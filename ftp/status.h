/* status.h: the exit-code table shared by every part of the client.
 *
 * Each command handler returns one of these; the command loop remembers
 * the first nonzero one and the program exits with it, so a script can
 * tell what kind of failure happened without parsing text:
 *
 *   0   all done
 *   1   any other failure
 *   2   login refused
 *   3   remote or local file not found, or permission denied
 *   4   network failure or timeout (connect, lost connection, data channel)
 *   5   TLS or certificate failure (AUTH TLS/PBSZ/PROT refused, a failed
 *       handshake, a certificate not trusted)
 *   6   verification failed: HASH or a manifest digest/size differs
 *   64  usage error (bad option or command syntax)
 *   130 interrupted by Ctrl-C in batch mode
 */
#ifndef FTP_STATUS_H
#define FTP_STATUS_H

enum ftp_status {
	ST_OK = 0,
	ST_OTHER = 1,
	ST_LOGIN = 2,
	ST_NOTFOUND = 3,
	ST_NET = 4,
	ST_TLS = 5,
	ST_VERIFY = 6,
	ST_USAGE = 64,
	ST_INTR = 130
};

/* Maps a failing FTP reply code to a status (2xx/1xx/3xx give ST_OK). */
int status_from_reply(int code);
/* Maps a local errno (open, stat, mkdir) to a status. */
int status_from_errno(int err);

#endif
