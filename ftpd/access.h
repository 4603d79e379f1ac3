/* access.h: who may talk to ftpd at all.  Client addresses are checked
 * against allow_from / deny_from (CIDR lists, IPv4 and IPv6) by the
 * daemon before it forks a session; login names against the ftpusers-
 * style deny_users_file by the monitor before any password is checked. */
#ifndef FTPD_ACCESS_H
#define FTPD_ACCESS_H

#include <stddef.h>
#include "conf.h"
#include "net.h"

/* Checks the syntax of allow_from and deny_from (for ftpd_conf_check).
 * 0, or -1 with a reason naming the key and the bad item. */
int access_conf_check(const struct ftpd_conf *c, char *err, size_t errlen);

/* 1 if list (a CIDR list as in allow_from) contains addr, 0 if not,
 * -1 if the list does not parse.  v4-mapped IPv6 addresses match IPv4
 * entries. */
int access_list_match(const char *list, const struct netaddr *addr);

/* SECURITY: 1 if a connection from peer may be served; 0 if allow_from
 * is set and does not hold it, or deny_from holds it (why says which). */
int access_addr_allowed(const struct ftpd_conf *c, const struct netaddr *peer,
			char *why, size_t whylen);

/* SECURITY: 1 if user may never log in: deny_users_file names it, or the
 * file exists but cannot be read (fail closed); why says which.  0 if
 * the name is not listed, the key is empty or the file does not exist. */
int access_user_denied(const struct ftpd_conf *c, const char *user,
		       char *why, size_t whylen);

#endif
