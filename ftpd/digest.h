/* digest.h: the hash algorithms HASH and the X* commands offer (names,
 * sizes, streaming contexts over OpenSSL EVP plus our own table-driven
 * CRC32), and hashing a byte range of an open file at a bounded rate
 * with a hook that may abort between chunks. */
#ifndef FTPD_DIGEST_H
#define FTPD_DIGEST_H

#include <stddef.h>
#include <stdint.h>

/* The order is the FEAT order; 0 is the default (SHA-256). */
enum digest_alg {
	DIGEST_SHA256 = 0,
	DIGEST_SHA512,
	DIGEST_SHA1,
	DIGEST_MD5,
	DIGEST_CRC32,
	DIGEST_NALG
};

#define DIGEST_MAX_SIZE 64			/* SHA-512 */
#define DIGEST_HEX_MAX (2 * DIGEST_MAX_SIZE + 1)

/* IANA "Hash Function Textual Names" spelling ("SHA-256", "CRC32"). */
const char *digest_name(enum digest_alg a);
/* Case-insensitive; the dashless spellings ("sha256") are accepted too.
 * Returns the algorithm or -1. */
int digest_by_name(const char *name);
size_t digest_size(enum digest_alg a);

struct digest_ctx {
	enum digest_alg alg;
	void *evp;		/* EVP_MD_CTX *, NULL for CRC32 */
	uint32_t crc;
};

/* 0, or -1 when the library refuses the algorithm (e.g. MD5 in FIPS
 * mode). */
int digest_init(struct digest_ctx *c, enum digest_alg a);
int digest_update(struct digest_ctx *c, const void *p, size_t n);
/* Writes digest_size() bytes to out (CRC32 big-endian, so its hex is the
 * usual %08x) and frees the context.  0 or -1. */
int digest_final(struct digest_ctx *c, unsigned char *out);
void digest_free(struct digest_ctx *c);

/* zlib-compatible CRC-32 (IEEE 802.3, reflected): start with crc = 0. */
uint32_t digest_crc32(uint32_t crc, const void *p, size_t n);
/* n bytes as 2n hex digits plus NUL into out. */
void digest_hex(const unsigned char *d, size_t n, int upper, char *out);

/* Pacing and abort for digest_file_range. */
struct digest_pace {
	uint64_t max_rate;	/* bytes per second, 0 = unlimited */
	/* Called after every chunk with the bytes hashed so far and how
	 * long to wait (ms, 0 = none) to stay under max_rate; it may
	 * return early (it is called again until the time is spent).
	 * Nonzero aborts.  NULL: no pauses, no abort. */
	int (*wait)(void *arg, uint64_t done, int wait_ms);
	void *arg;
};

enum digest_result {
	DIGEST_OK = 0,
	DIGEST_ABORTED,		/* the wait hook asked to stop */
	DIGEST_SHORT,		/* the file ended before start + len */
	DIGEST_READ_ERROR,	/* pread failed (errno kept) */
	DIGEST_UNAVAILABLE	/* the algorithm cannot be used */
};

/* Hashes len bytes of fd from offset start (pread; the offset of fd is
 * not used).  out gets digest_size(a) bytes.  Returns enum digest_result. */
int digest_file_range(int fd, uint64_t start, uint64_t len, enum digest_alg a,
		      const struct digest_pace *p, unsigned char *out);

#endif
