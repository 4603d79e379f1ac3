/* hashcache.h: the digest cache shared by the sessions of one login
 * identity (anonymous, or one virtual or system user).
 *
 * One file per identity under hash_cache: a header page and a fixed
 * table of 256-byte records, probed open-addressing style.  A record
 * holds the key (device, inode, size, mtime and ctime in nanoseconds,
 * algorithm, byte range), the digest and a checksum over all of it.
 * The post-login worker opens its identity's file while it still has the
 * monitor's privilege, maps it MAP_SHARED and closes the descriptor, so
 * after the sandbox it can read and write records but never grow,
 * shrink or reopen the file, nor reach another identity's file.
 *
 * Correctness rests on three rules: a hit needs a record whose checksum
 * and whole key match (a torn or scribbled record is a miss); the key
 * changes whenever the file could have (any write or MFMT moves ctime,
 * which clients cannot set); and a digest is only stored for a file
 * whose ctime is older than HCACHE_SETTLE_SEC, so a change in the same
 * timestamp tick as the hashing cannot hide.  See doc/design.md. */
#ifndef FTPD_HASHCACHE_H
#define FTPD_HASHCACHE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "auth.h"
#include "env.h"

#define HCACHE_SLOTS 2048	/* records per identity file (512 KiB) */
#define HCACHE_SLOTS_MAX 65536
#define HCACHE_PROBE 8		/* slots looked at per key */
#define HCACHE_SETTLE_SEC 2	/* see above: coarser than any fs clock */
#define HCACHE_DIGEST_MAX 64

struct hcache_key {
	uint64_t dev, ino, size;
	int64_t mtime_sec, ctime_sec;
	uint32_t mtime_nsec, ctime_nsec;
	uint64_t start, len;	/* byte range hashed */
	uint32_t alg;
};

struct hcache {
	unsigned char *map;	/* NULL when no cache */
	size_t maplen;
	unsigned slots;
};

/* Fills a key from fstat() of the file and the range. */
void hcache_key_set(struct hcache_key *k, const struct stat *st, unsigned alg,
		    uint64_t start, uint64_t len);
/* 1 if a digest of the file as st describes it may be stored: its ctime
 * is at least HCACHE_SETTLE_SEC before now (wall clock). */
int hcache_settled(const struct stat *st, const struct timespec *now);

/* Maps the cache file fd (read-write, owned by the caller, closed by the
 * caller afterwards) with `slots` records, (re)initializing a file whose
 * header does not match; it never shrinks the file.  0 or -1. */
int hcache_map(struct hcache *h, int fd, unsigned slots);
void hcache_unmap(struct hcache *h);
/* 1 and the digest (*len bytes, at most cap) on a hit, else 0. */
int hcache_lookup(const struct hcache *h, const struct hcache_key *k,
		  unsigned char *digest, size_t cap, size_t *len);
/* Stores a digest (replacing an older record of the same file and range,
 * else a free slot, else the oldest of the probed slots).  now: seconds,
 * for the eviction order.  0 or -1. */
int hcache_store(const struct hcache *h, const struct hcache_key *k,
		 const unsigned char *digest, size_t len, int64_t now);

/* File name (no '/') for an identity: "anonymous.hc", "virtual-NAME.hc",
 * "system-NAME.hc"; names with other bytes than [A-Za-z0-9._-] are
 * replaced by "=" and a hash.  0 or -1 if out is too small. */
int hcache_identity_file(enum auth_kind kind, const char *user, char *out,
			 size_t n);

/* Post-login worker, before its sandbox: opens (creating the folder
 * `hash_cache` and the file as needed) and maps this identity's cache.
 * Problems are logged and leave the session without a cache. */
void hashcache_attach(const struct ftpd_env *env, const struct auth_result *res);
/* The session's cache, NULL when there is none. */
const struct hcache *hashcache_session(void);

#endif
