/* hashcache.c: the per-identity digest cache file (see hashcache.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hashcache.h"
#include "digest.h"
#include "log.h"
#include "sys.h"

#define HC_MAGIC "FTPDHC1\n"
#define HC_VERSION 1
#define HC_ORDER 0x01020304u	/* catches a file from another byte order */
#define HC_DATA_OFF 4096	/* records start on their own page */
#define HC_RECSIZE 256

struct hc_header {
	char magic[8];
	uint32_t version;
	uint32_t slots;
	uint32_t recsize;
	uint32_t order;
};

/* One record.  check == 0 marks a slot never written; otherwise it is
 * the checksum of every byte after it, so a torn or scribbled record
 * never validates. */
struct hc_rec {
	uint64_t check;
	uint64_t dev, ino, size;
	int64_t mtime_sec, ctime_sec;
	uint32_t mtime_nsec, ctime_nsec;
	uint64_t start, len;
	int64_t stored;			/* wall-clock seconds, for eviction */
	uint32_t alg, dlen;
	unsigned char digest[HCACHE_DIGEST_MAX];
	unsigned char spare[HC_RECSIZE - 152];
};

_Static_assert(sizeof(struct hc_rec) == HC_RECSIZE, "record layout");
_Static_assert(HC_DATA_OFF % HC_RECSIZE == 0, "records stay inside pages");

static uint64_t
fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n-- > 0) {
		h ^= *b++;
		h *= 0x100000001b3ull;
	}
	return h;
}

#define FNV_BASIS 0xcbf29ce484222325ull

static uint64_t
rec_check(const struct hc_rec *r)
{
	uint64_t h = fnv1a(FNV_BASIS, (const unsigned char *)r + sizeof r->check,
			   sizeof *r - sizeof r->check);

	return h != 0 ? h : 1;
}

void
hcache_key_set(struct hcache_key *k, const struct stat *st, unsigned alg,
	       uint64_t start, uint64_t len)
{
	memset(k, 0, sizeof *k);
	k->dev = (uint64_t)st->st_dev;
	k->ino = (uint64_t)st->st_ino;
	k->size = (uint64_t)st->st_size;
	k->mtime_sec = (int64_t)st->st_mtim.tv_sec;
	k->mtime_nsec = (uint32_t)st->st_mtim.tv_nsec;
	k->ctime_sec = (int64_t)st->st_ctim.tv_sec;
	k->ctime_nsec = (uint32_t)st->st_ctim.tv_nsec;
	k->start = start;
	k->len = len;
	k->alg = alg;
}

int
hcache_settled(const struct stat *st, const struct timespec *now)
{
	return (int64_t)st->st_ctim.tv_sec + HCACHE_SETTLE_SEC <
	       (int64_t)now->tv_sec ||
	       ((int64_t)st->st_ctim.tv_sec + HCACHE_SETTLE_SEC ==
		(int64_t)now->tv_sec && st->st_ctim.tv_nsec <= now->tv_nsec);
}

static int
header_ok(const struct hc_header *hd, unsigned slots)
{
	return memcmp(hd->magic, HC_MAGIC, sizeof hd->magic) == 0 &&
	       hd->version == HC_VERSION && hd->slots == slots &&
	       hd->recsize == HC_RECSIZE && hd->order == HC_ORDER;
}

int
hcache_map(struct hcache *h, int fd, unsigned slots)
{
	struct hc_header hd;
	struct stat st;
	size_t need;
	void *m;

	memset(h, 0, sizeof *h);
	if (slots == 0 || slots > HCACHE_SLOTS_MAX) {
		errno = EINVAL;
		return -1;
	}
	need = HC_DATA_OFF + (size_t)slots * HC_RECSIZE;
	if (fstat(fd, &st) < 0)
		return -1;
	/* Only ever grow: another session may have the file mapped, and
	 * pages cut off under a mapping fault (SIGBUS) when touched. */
	if ((uint64_t)st.st_size < need && ftruncate(fd, (off_t)need) < 0)
		return -1;
	m = mmap(NULL, need, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return -1;
	memcpy(&hd, m, sizeof hd);
	if (!header_ok(&hd, slots)) {
		/* New file, or another layout: start empty.  A fresh file
		 * is all zeros already (and stays sparse). */
		if (st.st_size > 0)
			memset((unsigned char *)m + HC_DATA_OFF, 0,
			       (size_t)slots * HC_RECSIZE);
		memset(&hd, 0, sizeof hd);
		memcpy(hd.magic, HC_MAGIC, sizeof hd.magic);
		hd.version = HC_VERSION;
		hd.slots = slots;
		hd.recsize = HC_RECSIZE;
		hd.order = HC_ORDER;
		memcpy(m, &hd, sizeof hd);
	}
	h->map = m;
	h->maplen = need;
	h->slots = slots;
	return 0;
}

void
hcache_unmap(struct hcache *h)
{
	if (h->map != NULL)
		(void)munmap(h->map, h->maplen);
	memset(h, 0, sizeof *h);
}

/* First slot of a key's probe run: the file and range, not the times, so
 * a changed file's new record replaces its stale one. */
static unsigned
home_slot(const struct hcache *h, const struct hcache_key *k)
{
	uint64_t x = FNV_BASIS;

	x = fnv1a(x, &k->dev, sizeof k->dev);
	x = fnv1a(x, &k->ino, sizeof k->ino);
	x = fnv1a(x, &k->start, sizeof k->start);
	x = fnv1a(x, &k->len, sizeof k->len);
	x = fnv1a(x, &k->alg, sizeof k->alg);
	return (unsigned)(x % h->slots);
}

static unsigned char *
slot_at(const struct hcache *h, unsigned i)
{
	return h->map + HC_DATA_OFF + (size_t)(i % h->slots) * HC_RECSIZE;
}

/* Copies a slot out (other sessions may be writing it) and validates the
 * copy.  1 if it holds a complete record. */
static int
read_slot(const struct hcache *h, unsigned i, struct hc_rec *r)
{
	memcpy(r, slot_at(h, i), sizeof *r);
	return r->check != 0 && r->check == rec_check(r) &&
	       r->dlen <= sizeof r->digest;
}

static int
same_file(const struct hc_rec *r, const struct hcache_key *k)
{
	return r->dev == k->dev && r->ino == k->ino && r->start == k->start &&
	       r->len == k->len && r->alg == k->alg;
}

static int
same_version(const struct hc_rec *r, const struct hcache_key *k)
{
	return same_file(r, k) && r->size == k->size &&
	       r->mtime_sec == k->mtime_sec && r->mtime_nsec == k->mtime_nsec &&
	       r->ctime_sec == k->ctime_sec && r->ctime_nsec == k->ctime_nsec;
}

int
hcache_lookup(const struct hcache *h, const struct hcache_key *k,
	      unsigned char *digest, size_t cap, size_t *len)
{
	struct hc_rec r;
	unsigned home;

	if (h == NULL || h->map == NULL)
		return 0;
	home = home_slot(h, k);
	for (unsigned i = 0; i < HCACHE_PROBE && i < h->slots; i++) {
		if (!read_slot(h, home + i, &r) || !same_version(&r, k))
			continue;
		if (r.dlen > cap)
			return 0;
		memcpy(digest, r.digest, r.dlen);
		*len = r.dlen;
		return 1;
	}
	return 0;
}

int
hcache_store(const struct hcache *h, const struct hcache_key *k,
	     const unsigned char *digest, size_t len, int64_t now)
{
	struct hc_rec r, old;
	unsigned home, pick = 0, have_free = 0, have_old = 0;
	int64_t oldest = 0;

	if (h == NULL || h->map == NULL || len > sizeof r.digest) {
		errno = EINVAL;
		return -1;
	}
	home = home_slot(h, k);
	for (unsigned i = 0; i < HCACHE_PROBE && i < h->slots; i++) {
		if (!read_slot(h, home + i, &old)) {
			if (!have_free)
				pick = home + i;
			have_free = 1;
			continue;
		}
		if (same_file(&old, k)) {
			pick = home + i;	/* the stale version goes */
			have_free = 1;
			break;
		}
		if (!have_free && (!have_old || old.stored < oldest)) {
			pick = home + i;
			oldest = old.stored;
			have_old = 1;
		}
	}
	memset(&r, 0, sizeof r);
	r.dev = k->dev;
	r.ino = k->ino;
	r.size = k->size;
	r.mtime_sec = k->mtime_sec;
	r.mtime_nsec = k->mtime_nsec;
	r.ctime_sec = k->ctime_sec;
	r.ctime_nsec = k->ctime_nsec;
	r.start = k->start;
	r.len = k->len;
	r.stored = now;
	r.alg = k->alg;
	r.dlen = (uint32_t)len;
	memcpy(r.digest, digest, len);
	r.check = rec_check(&r);
	memcpy(slot_at(h, pick), &r, sizeof r);
	return 0;
}

/* Bytes allowed as-is in a file name made from a user name. */
static int
plain_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64 || s[0] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

int
hcache_identity_file(enum auth_kind kind, const char *user, char *out, size_t n)
{
	unsigned char d[DIGEST_MAX_SIZE];
	char hex[DIGEST_HEX_MAX];
	struct digest_ctx c;
	const char *prefix;
	int r;

	if (kind == AUTH_ANON) {
		r = snprintf(out, n, "anonymous.hc");
		return r > 0 && (size_t)r < n ? 0 : -1;
	}
	prefix = kind == AUTH_VIRTUAL ? "virtual" : "system";
	if (plain_name(user)) {
		r = snprintf(out, n, "%s-%s.hc", prefix, user);
		return r > 0 && (size_t)r < n ? 0 : -1;
	}
	/* '=' never occurs in a plain name, so the two forms cannot meet. */
	if (digest_init(&c, DIGEST_SHA256) < 0 ||
	    digest_update(&c, user, strlen(user)) < 0 ||
	    digest_final(&c, d) < 0)
		return -1;
	digest_hex(d, 16, 0, hex);
	r = snprintf(out, n, "%s=%s.hc", prefix, hex);
	return r > 0 && (size_t)r < n ? 0 : -1;
}

static struct hcache s_session;

const struct hcache *
hashcache_session(void)
{
	return s_session.map != NULL ? &s_session : NULL;
}

/* Opens <dir>/<name> for the cache: the folder and the file must belong
 * to the account ftpd runs as and be closed to everyone else.  Returns
 * the file descriptor or -1 with a reason in why. */
static int
open_cache_file(const char *dir, const char *name, char *why, size_t whylen)
{
	struct stat st;
	int dfd, fd;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(why, whylen, "cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0 || fstat(dfd, &st) < 0) {
		snprintf(why, whylen, "cannot open %s: %s", dir, strerror(errno));
		if (dfd >= 0)
			sys_close_failok(dfd);
		return -1;
	}
	/* SECURITY: a folder others can write would let them plant
	 * digests; one they can read would show who hashed what. */
	if (st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		snprintf(why, whylen, "%s must be owned by uid %u and closed to "
			 "group and others", dir, (unsigned)geteuid());
		sys_close_failok(dfd);
		return -1;
	}
	fd = openat(dfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
		    O_CLOEXEC, 0600);
	sys_close_failok(dfd);
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(why, whylen, "cannot open %s/%s: %s", dir, name,
			 strerror(errno));
		if (fd >= 0)
			sys_close_failok(fd);
		return -1;
	}
	/* A hard link would make two identities share one table. */
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    st.st_nlink != 1 || (st.st_mode & 077) != 0) {
		snprintf(why, whylen, "%s/%s is not a private regular file",
			 dir, name);
		sys_close_failok(fd);
		return -1;
	}
	return fd;
}

void
hashcache_attach(const struct ftpd_env *env, const struct auth_result *res)
{
	const char *dir = env->conf->hash_cache;
	char name[128], why[600];
	int fd;

	hcache_unmap(&s_session);
	if (dir == NULL || dir[0] == '\0')
		return;
	if (hcache_identity_file(res->kind, res->user, name, sizeof name) < 0)
		return;
	fd = open_cache_file(dir, name, why, sizeof why);
	if (fd < 0) {
		log_msg(LOG_WARNING, "hash_cache: %s; HASH works without a "
			"cache", why);
		return;
	}
	if (hcache_map(&s_session, fd, HCACHE_SLOTS) < 0)
		log_msg(LOG_WARNING, "hash_cache: cannot map %s/%s: %s; HASH "
			"works without a cache", dir, name, strerror(errno));
	/* The mapping stays; the descriptor, which could grow the file,
	 * does not reach the sandbox. */
	sys_close_failok(fd);
}
