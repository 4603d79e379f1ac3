/* idcache.h: uid/gid -> name tables for LIST, filled once by the daemon
 * before any fork.  Sessions run chrooted where /etc/passwd and
 * /etc/group are out of reach, so they only ever look names up here. */
#ifndef FTPD_IDCACHE_H
#define FTPD_IDCACHE_H

#include <stddef.h>
#include <sys/types.h>

/* Reads the user and group databases (capped at IDCACHE_MAX entries
 * each).  Safe to call again: the old tables are replaced. */
#define IDCACHE_MAX 4096
void idcache_build(void);
/* Adds one entry by hand (tests, and accounts resolved elsewhere). */
void idcache_add_user(uid_t uid, const char *name);
void idcache_add_group(gid_t gid, const char *name);
/* The name, or the number as text in tmp when unknown. */
const char *idcache_user(uid_t uid, char *tmp, size_t n);
const char *idcache_group(gid_t gid, char *tmp, size_t n);

#endif
