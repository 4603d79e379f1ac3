/* test_ftpd_hash.c: the digest algorithms (known vectors, CRC32, ranges
 * of files, pacing and abort), the digest cache file (hits, every key
 * field, replacement, eviction, torn records, sharing between mappings,
 * re-initialization) and the verb parser that allows digits. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"
#include "parse.h"
#include "sys.h"
#include "../../ftpd/cmd_hash.h"
#include "../../ftpd/digest.h"
#include "../../ftpd/hashcache.h"

static void
hex_of(enum digest_alg a, const void *p, size_t n, char *out)
{
	struct digest_ctx c;
	unsigned char d[DIGEST_MAX_SIZE];

	CU_ASSERT_EQUAL_FATAL(digest_init(&c, a), 0);
	CU_ASSERT_EQUAL(digest_update(&c, p, n), 0);
	CU_ASSERT_EQUAL_FATAL(digest_final(&c, d), 0);
	digest_hex(d, digest_size(a), 0, out);
}

static void
test_digest_names(void)
{
	CU_ASSERT_STRING_EQUAL(digest_name(DIGEST_SHA256), "SHA-256");
	CU_ASSERT_STRING_EQUAL(digest_name(DIGEST_CRC32), "CRC32");
	CU_ASSERT_EQUAL(digest_by_name("sha-512"), DIGEST_SHA512);
	CU_ASSERT_EQUAL(digest_by_name("SHA1"), DIGEST_SHA1);
	CU_ASSERT_EQUAL(digest_by_name("Md5"), DIGEST_MD5);
	CU_ASSERT_EQUAL(digest_by_name("crc32"), DIGEST_CRC32);
	CU_ASSERT_EQUAL(digest_by_name("CRC-37"), -1);
	CU_ASSERT_EQUAL(digest_by_name(""), -1);
	CU_ASSERT_EQUAL(digest_size(DIGEST_SHA512), 64);
	CU_ASSERT_EQUAL(digest_size(DIGEST_SHA1), 20);
	CU_ASSERT_EQUAL(digest_size(DIGEST_CRC32), 4);
	CU_ASSERT_EQUAL(DIGEST_SHA256, 0);	/* the zeroed session's default */
}

static void
test_digest_vectors(void)
{
	char hex[DIGEST_HEX_MAX];
	unsigned char d[4] = { 0xde, 0xad, 0xbe, 0xef };

	hex_of(DIGEST_SHA256, "abc", 3, hex);
	CU_ASSERT_STRING_EQUAL(hex, "ba7816bf8f01cfea414140de5dae2223"
			       "b00361a396177a9cb410ff61f20015ad");
	hex_of(DIGEST_SHA1, "abc", 3, hex);
	CU_ASSERT_STRING_EQUAL(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
	hex_of(DIGEST_MD5, "abc", 3, hex);
	CU_ASSERT_STRING_EQUAL(hex, "900150983cd24fb0d6963f7d28e17f72");
	hex_of(DIGEST_SHA512, "abc", 3, hex);
	CU_ASSERT_STRING_EQUAL(hex, "ddaf35a193617abacc417349ae204131"
			       "12e6fa4e89a97ea20a9eeee64b55d39a"
			       "2192992a274fc1a836ba3c23a3feebbd"
			       "454d4423643ce80e2a9ac94fa54ca49f");
	hex_of(DIGEST_SHA256, "", 0, hex);
	CU_ASSERT_STRING_EQUAL(hex, "e3b0c44298fc1c149afbf4c8996fb924"
			       "27ae41e4649b934ca495991b7852b855");
	/* CRC-32 check value, and its big-endian byte order in hex. */
	hex_of(DIGEST_CRC32, "123456789", 9, hex);
	CU_ASSERT_STRING_EQUAL(hex, "cbf43926");
	hex_of(DIGEST_CRC32, "", 0, hex);
	CU_ASSERT_STRING_EQUAL(hex, "00000000");
	digest_hex(d, 4, 1, hex);
	CU_ASSERT_STRING_EQUAL(hex, "DEADBEEF");
}

static void
test_crc32_incremental(void)
{
	unsigned char buf[1000];
	uint32_t one, parts;

	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (unsigned char)(i * 7 + 3);
	one = digest_crc32(0, buf, sizeof buf);
	parts = digest_crc32(0, buf, 1);
	parts = digest_crc32(parts, buf + 1, 500);
	parts = digest_crc32(parts, buf + 501, sizeof buf - 501);
	CU_ASSERT_EQUAL(one, parts);
	CU_ASSERT_EQUAL(digest_crc32(0, "a", 1), 0xe8b7be43u);
	CU_ASSERT_NOT_EQUAL(one, digest_crc32(0, buf, sizeof buf - 1));
}

/* A temporary file with n pattern bytes; returns an open descriptor. */
static int
temp_file(unsigned char *data, size_t n, char *path, size_t pathlen)
{
	int fd;

	snprintf(path, pathlen, "/tmp/ftpd-unit-hash-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		data[i] = (unsigned char)((i * 131) ^ (i >> 8));
	if (sys_write_full(fd, data, n) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

struct hook_state {
	int calls;
	int stop_after;		/* abort on this call, 0 = never */
	uint64_t last_done;
	int sleep;		/* really wait */
};

static int
hook(void *arg, uint64_t done, int wait_ms)
{
	struct hook_state *h = arg;

	h->calls++;
	h->last_done = done;
	if (h->sleep && wait_ms > 0) {
		struct timespec ts = { wait_ms / 1000, (wait_ms % 1000) * 1000000L };

		nanosleep(&ts, NULL);
	}
	return h->stop_after != 0 && h->calls >= h->stop_after;
}

static void
test_digest_file_range(void)
{
	static unsigned char data[700 * 1024];
	unsigned char d[DIGEST_MAX_SIZE];
	char path[64], a[DIGEST_HEX_MAX], b[DIGEST_HEX_MAX];
	struct hook_state hs;
	struct digest_pace p = { 0, hook, &hs };
	int fd = temp_file(data, sizeof data, path, sizeof path);

	CU_ASSERT_FATAL(fd >= 0);
	unlink(path);
	/* Whole file, across several chunks, with the hook called. */
	memset(&hs, 0, sizeof hs);
	CU_ASSERT_EQUAL(digest_file_range(fd, 0, sizeof data, DIGEST_SHA256,
					  &p, d), DIGEST_OK);
	digest_hex(d, 32, 0, a);
	hex_of(DIGEST_SHA256, data, sizeof data, b);
	CU_ASSERT_STRING_EQUAL(a, b);
	CU_ASSERT(hs.calls >= 3);
	CU_ASSERT_EQUAL(hs.last_done, sizeof data);
	/* A middle range, every algorithm. */
	for (int alg = 0; alg < DIGEST_NALG; alg++) {
		CU_ASSERT_EQUAL(digest_file_range(fd, 12345, 300001,
						  (enum digest_alg)alg, NULL, d),
				DIGEST_OK);
		digest_hex(d, digest_size((enum digest_alg)alg), 0, a);
		hex_of((enum digest_alg)alg, data + 12345, 300001, b);
		CU_ASSERT_STRING_EQUAL(a, b);
	}
	/* Empty range. */
	CU_ASSERT_EQUAL(digest_file_range(fd, 5, 0, DIGEST_MD5, NULL, d),
			DIGEST_OK);
	digest_hex(d, 16, 0, a);
	CU_ASSERT_STRING_EQUAL(a, "d41d8cd98f00b204e9800998ecf8427e");
	/* Past the end: the file is shorter than asked. */
	CU_ASSERT_EQUAL(digest_file_range(fd, sizeof data - 10, 11,
					  DIGEST_SHA1, NULL, d), DIGEST_SHORT);
	/* The hook aborts on its second call. */
	memset(&hs, 0, sizeof hs);
	hs.stop_after = 2;
	CU_ASSERT_EQUAL(digest_file_range(fd, 0, sizeof data, DIGEST_SHA512,
					  &p, d), DIGEST_ABORTED);
	CU_ASSERT_EQUAL(hs.calls, 2);
	CU_ASSERT(hs.last_done < sizeof data);
	close(fd);
	/* A descriptor that cannot be read. */
	CU_ASSERT_EQUAL(digest_file_range(-1, 0, 10, DIGEST_SHA256, NULL, d),
			DIGEST_READ_ERROR);
}

static void
test_digest_rate(void)
{
	static unsigned char data[96 * 1024];
	unsigned char d[DIGEST_MAX_SIZE];
	char path[64];
	struct hook_state hs;
	struct digest_pace p = { 256 * 1024, hook, &hs };
	long long t0;
	int fd = temp_file(data, sizeof data, path, sizeof path);

	CU_ASSERT_FATAL(fd >= 0);
	unlink(path);
	memset(&hs, 0, sizeof hs);
	hs.sleep = 1;
	t0 = sys_now_ms();
	CU_ASSERT_EQUAL(digest_file_range(fd, 0, sizeof data, DIGEST_SHA256,
					  &p, d), DIGEST_OK);
	/* 96 KiB at 256 KiB/s: about 375 ms; chunks of a tenth of a
	 * second, so at least 4 calls. */
	CU_ASSERT(sys_now_ms() - t0 >= 300);
	CU_ASSERT(hs.calls >= 4);
	close(fd);
}

/* ---- the cache */

static int
cache_file(char *path, size_t n)
{
	snprintf(path, n, "/tmp/ftpd-unit-hc-XXXXXX");
	return mkstemp(path);
}

static void
fake_stat(struct stat *st, uint64_t ino)
{
	memset(st, 0, sizeof *st);
	st->st_dev = 2049;
	st->st_ino = (ino_t)ino;
	st->st_size = 1000;
	st->st_mtim.tv_sec = 1700000000;
	st->st_mtim.tv_nsec = 111;
	st->st_ctim.tv_sec = 1700000100;
	st->st_ctim.tv_nsec = 222;
}

static void
test_cache_hit_and_key(void)
{
	struct hcache h;
	struct hcache_key k, k2;
	struct stat st, st2;
	unsigned char d[32], out[64];
	size_t n = 0;
	char path[64];
	int fd = cache_file(path, sizeof path);

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL_FATAL(hcache_map(&h, fd, 64), 0);
	for (int i = 0; i < 32; i++)
		d[i] = (unsigned char)(i + 1);
	fake_stat(&st, 77);
	hcache_key_set(&k, &st, DIGEST_SHA256, 0, 1000);
	CU_ASSERT_EQUAL(hcache_lookup(&h, &k, out, sizeof out, &n), 0);
	CU_ASSERT_EQUAL(hcache_store(&h, &k, d, 32, 100), 0);
	CU_ASSERT_EQUAL(hcache_lookup(&h, &k, out, sizeof out, &n), 1);
	CU_ASSERT_EQUAL(n, 32);
	CU_ASSERT_EQUAL(memcmp(out, d, 32), 0);
	/* Too small an output buffer is a miss, not an overflow. */
	CU_ASSERT_EQUAL(hcache_lookup(&h, &k, out, 16, &n), 0);
	/* Every key field matters. */
#define MISS_WITH(change) do { \
		st2 = st; change; \
		hcache_key_set(&k2, &st2, DIGEST_SHA256, 0, 1000); \
		CU_ASSERT_EQUAL(hcache_lookup(&h, &k2, out, sizeof out, &n), 0); \
	} while (0)
	MISS_WITH(st2.st_dev = 2050);
	MISS_WITH(st2.st_ino = 78);
	MISS_WITH(st2.st_size = 1001);
	MISS_WITH(st2.st_mtim.tv_sec++);
	MISS_WITH(st2.st_mtim.tv_nsec++);	/* MFMT cannot fake ns */
	MISS_WITH(st2.st_ctim.tv_sec++);
	MISS_WITH(st2.st_ctim.tv_nsec++);
#undef MISS_WITH
	hcache_key_set(&k2, &st, DIGEST_SHA1, 0, 1000);
	CU_ASSERT_EQUAL(hcache_lookup(&h, &k2, out, sizeof out, &n), 0);
	hcache_key_set(&k2, &st, DIGEST_SHA256, 1, 999);
	CU_ASSERT_EQUAL(hcache_lookup(&h, &k2, out, sizeof out, &n), 0);
	hcache_key_set(&k2, &st, DIGEST_SHA256, 0, 999);
	CU_ASSERT_EQUAL(hcache_lookup(&h, &k2, out, sizeof out, &n), 0);
	/* A new version of the same file replaces the stale record. */
	st2 = st;
	st2.st_ctim.tv_nsec = 999;
	hcache_key_set(&k2, &st2, DIGEST_SHA256, 0, 1000);
	d[0] = 0xAA;
	CU_ASSERT_EQUAL(hcache_store(&h, &k2, d, 32, 101), 0);
	CU_ASSERT_EQUAL(hcache_lookup(&h, &k2, out, sizeof out, &n), 1);
	CU_ASSERT_EQUAL(out[0], 0xAA);
	CU_ASSERT_EQUAL(hcache_lookup(&h, &k, out, sizeof out, &n), 0);
	hcache_unmap(&h);
	close(fd);
	unlink(path);
}

static void
test_cache_shared_and_reinit(void)
{
	struct hcache a, b;
	struct hcache_key k;
	struct stat st;
	unsigned char d[20] = { 9, 8, 7 }, out[64];
	size_t n;
	char path[64];
	int fd = cache_file(path, sizeof path), fd2;

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL_FATAL(hcache_map(&a, fd, 32), 0);
	close(fd);			/* the mapping outlives the descriptor */
	fake_stat(&st, 5);
	hcache_key_set(&k, &st, DIGEST_SHA1, 10, 20);
	CU_ASSERT_EQUAL(hcache_store(&a, &k, d, 20, 1), 0);
	/* Another session maps the same file and sees the record. */
	fd2 = open(path, O_RDWR);
	CU_ASSERT_FATAL(fd2 >= 0);
	CU_ASSERT_EQUAL_FATAL(hcache_map(&b, fd2, 32), 0);
	CU_ASSERT_EQUAL(hcache_lookup(&b, &k, out, sizeof out, &n), 1);
	CU_ASSERT_EQUAL(n, 20);
	CU_ASSERT_EQUAL(out[2], 7);
	hcache_unmap(&b);
	/* A mapping with another layout starts empty (and the file keeps
	 * its size, so the first mapping stays valid). */
	CU_ASSERT_EQUAL_FATAL(hcache_map(&b, fd2, 16), 0);
	CU_ASSERT_EQUAL(hcache_lookup(&b, &k, out, sizeof out, &n), 0);
	hcache_unmap(&b);
	hcache_unmap(&a);
	/* No cache at all: lookups miss, stores fail. */
	CU_ASSERT_EQUAL(hcache_lookup(NULL, &k, out, sizeof out, &n), 0);
	CU_ASSERT_EQUAL(hcache_store(NULL, &k, d, 20, 1), -1);
	CU_ASSERT_EQUAL(hcache_map(&a, fd2, 0), -1);
	CU_ASSERT_EQUAL(hcache_map(&a, fd2, HCACHE_SLOTS_MAX + 1), -1);
	close(fd2);
	unlink(path);
}

static void
test_cache_torn_and_evict(void)
{
	struct hcache h;
	struct hcache_key k[HCACHE_PROBE + 1];
	struct stat st;
	unsigned char d[16], out[64];
	size_t n;
	char path[64];
	int fd = cache_file(path, sizeof path), hits;

	CU_ASSERT_FATAL(fd >= 0);
	/* As many slots as probes: every key probes the whole table. */
	CU_ASSERT_EQUAL_FATAL(hcache_map(&h, fd, HCACHE_PROBE), 0);
	memset(d, 0x5c, sizeof d);
	for (unsigned i = 0; i <= HCACHE_PROBE; i++) {
		fake_stat(&st, 1000 + i);
		hcache_key_set(&k[i], &st, DIGEST_MD5, 0, 1000);
		CU_ASSERT_EQUAL(hcache_store(&h, &k[i], d, 16, 10 + i), 0);
	}
	/* The oldest (first) record made room for the last. */
	CU_ASSERT_EQUAL(hcache_lookup(&h, &k[0], out, sizeof out, &n), 0);
	hits = 0;
	for (unsigned i = 1; i <= HCACHE_PROBE; i++)
		hits += hcache_lookup(&h, &k[i], out, sizeof out, &n);
	CU_ASSERT_EQUAL(hits, HCACHE_PROBE);
	/* A flipped byte anywhere in a record makes it a miss. */
	for (unsigned i = 0; i < HCACHE_PROBE; i++)
		h.map[4096 + i * 256 + 100 + i] ^= 0x01;
	hits = 0;
	for (unsigned i = 1; i <= HCACHE_PROBE; i++)
		hits += hcache_lookup(&h, &k[i], out, sizeof out, &n);
	CU_ASSERT_EQUAL(hits, 0);
	/* ... and its slot is reused. */
	CU_ASSERT_EQUAL(hcache_store(&h, &k[0], d, 16, 50), 0);
	CU_ASSERT_EQUAL(hcache_lookup(&h, &k[0], out, sizeof out, &n), 1);
	hcache_unmap(&h);
	close(fd);
	unlink(path);
}

static void
test_cache_settled(void)
{
	struct stat st;
	struct timespec now = { 1000, 500 };

	memset(&st, 0, sizeof st);
	st.st_ctim.tv_sec = 1000 - HCACHE_SETTLE_SEC;
	st.st_ctim.tv_nsec = 500;
	CU_ASSERT(hcache_settled(&st, &now));
	st.st_ctim.tv_nsec = 501;
	CU_ASSERT_FALSE(hcache_settled(&st, &now));
	st.st_ctim.tv_sec = 990;
	CU_ASSERT(hcache_settled(&st, &now));
	st.st_ctim.tv_sec = 1000;
	CU_ASSERT_FALSE(hcache_settled(&st, &now));
	st.st_ctim.tv_sec = 2000;	/* in the future */
	CU_ASSERT_FALSE(hcache_settled(&st, &now));
}

static void
test_cache_identity(void)
{
	char a[128], b[128];

	CU_ASSERT_EQUAL(hcache_identity_file(AUTH_ANON, "anonymous", a, sizeof a), 0);
	CU_ASSERT_STRING_EQUAL(a, "anonymous.hc");
	CU_ASSERT_EQUAL(hcache_identity_file(AUTH_VIRTUAL, "alice", a, sizeof a), 0);
	CU_ASSERT_STRING_EQUAL(a, "virtual-alice.hc");
	CU_ASSERT_EQUAL(hcache_identity_file(AUTH_SYSTEM, "alice", b, sizeof b), 0);
	CU_ASSERT_STRING_EQUAL(b, "system-alice.hc");
	/* Names that are not plain become a hash: never a '/' or "..". */
	CU_ASSERT_EQUAL(hcache_identity_file(AUTH_VIRTUAL, "../x", a, sizeof a), 0);
	CU_ASSERT_PTR_NULL(strchr(a, '/'));
	CU_ASSERT_EQUAL(strncmp(a, "virtual=", 8), 0);
	CU_ASSERT_EQUAL(hcache_identity_file(AUTH_VIRTUAL, "../y", b, sizeof b), 0);
	CU_ASSERT_STRING_NOT_EQUAL(a, b);
	CU_ASSERT_EQUAL(hcache_identity_file(AUTH_VIRTUAL, ".hidden", a, sizeof a), 0);
	CU_ASSERT_EQUAL(strncmp(a, "virtual=", 8), 0);
	CU_ASSERT_EQUAL(hcache_identity_file(AUTH_VIRTUAL, "alice", a, 8), -1);
}

static void
test_verb_digits(void)
{
	char verb[8];
	const char *arg;

	CU_ASSERT_EQUAL(parse_command("xsha256 a b", verb, sizeof verb, &arg), 0);
	CU_ASSERT_STRING_EQUAL(verb, "XSHA256");
	CU_ASSERT_STRING_EQUAL(arg, "a b");
	CU_ASSERT_EQUAL(parse_command("XMD5", verb, sizeof verb, &arg), 0);
	CU_ASSERT_PTR_NULL(arg);
	CU_ASSERT_EQUAL(parse_command("5XMD x", verb, sizeof verb, &arg), -1);
	CU_ASSERT_EQUAL(parse_command("XSHA2567", verb, sizeof verb, &arg), -1);
	CU_ASSERT_EQUAL(parse_command("X-SHA", verb, sizeof verb, &arg), -1);
	CU_ASSERT_EQUAL(parse_command("", verb, sizeof verb, &arg), -1);
}

void
suite_ftpd_hash(void)
{
	UNIT_SUITE("ftpd_hash");
	UNIT_TEST(test_digest_names);
	UNIT_TEST(test_digest_vectors);
	UNIT_TEST(test_crc32_incremental);
	UNIT_TEST(test_digest_file_range);
	UNIT_TEST(test_digest_rate);
	UNIT_TEST(test_cache_hit_and_key);
	UNIT_TEST(test_cache_shared_and_reinit);
	UNIT_TEST(test_cache_torn_and_evict);
	UNIT_TEST(test_cache_settled);
	UNIT_TEST(test_cache_identity);
	UNIT_TEST(test_verb_digits);
}
