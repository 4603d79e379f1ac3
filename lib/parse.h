/* parse.h: small bounded parsers shared by both programs: numbers, config
 * value syntax, FTP host-port arguments and replies, times. */
#ifndef FTPKIT_PARSE_H
#define FTPKIT_PARSE_H

#include <stdint.h>
#include <time.h>
#include "buf.h"
#include "net.h"

/* Whole-string decimal with an upper bound.  0 or -1. */
int parse_u64(const char *s, uint64_t max, uint64_t *out);
/* "yes"/"no" (also true/false, on/off, 1/0). */
int parse_bool(const char *s, int *out);
/* Seconds with optional s/m/h suffix: "30", "5m", "1h". */
int parse_duration(const char *s, unsigned *secs);
/* Bytes with optional K/M/G suffix (powers of 1024): "64K". */
int parse_size(const char *s, uint64_t *out);
/* "lo-hi" with 1 <= lo <= hi <= 65535. */
int parse_port_range(const char *s, unsigned *lo, unsigned *hi);

/* Splits a command line into an upper-cased verb and its argument.
 * The verb is the text before the first space (max verb_len-1 chars: a letter,
 * then letters or digits), the argument is what follows one space (may be empty and may
 * contain spaces).  *arg points into line, or is NULL if there is no space.
 * Returns 0, or -1 if the verb is empty, too long, or not alphabetic. */
int parse_command(const char *line, char *verb, size_t verb_len,
		  const char **arg);

/* PORT argument "h1,h2,h3,h4,p1,p2" -> IPv4 address and port. */
int parse_port_arg(const char *s, struct netaddr *out);
/* EPRT argument "|1|132.235.1.2|6275|" or "|2|::1|6275|" (RFC 2428; any
 * delimiter in 33..126).  0 or -1. */
int parse_eprt_arg(const char *s, struct netaddr *out);
/* EPSV argument: NULL/"" -> 0, "1" -> AF_INET, "2" -> AF_INET6, "ALL" -> -2;
 * anything else -> -1.  Returns the value through *what. 0 or -1. */
int parse_epsv_arg(const char *s, int *what);
/* 227 reply text: finds "h1,h2,h3,h4,p1,p2" (with or without parentheses). */
int parse_pasv_reply(const char *text, struct netaddr *out);
/* 229 reply text: "(|||port|)". */
int parse_epsv_reply(const char *text, int *port);
/* Formatting counterparts (append to out). */
int format_port_arg(struct buf *out, const struct netaddr *a);
int format_eprt_arg(struct buf *out, const struct netaddr *a);
int format_pasv_reply(struct buf *out, const struct netaddr *a);

/* MDTM/MFMT time "YYYYMMDDHHMMSS[.sss]" in UTC.  0 or -1. */
int parse_ftp_time(const char *s, time_t *out);
/* Writes "YYYYMMDDHHMMSS" (UTC) into out (at least 15 bytes). */
void format_ftp_time(time_t t, char *out);

/* Returns 1 if the n bytes are valid UTF-8, else 0. */
int utf8_valid(const char *s, size_t n);

#endif
