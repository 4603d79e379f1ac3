/* digest.c: hash algorithms for HASH/X* (see digest.h).  SHA-2, SHA-1
 * and MD5 come from OpenSSL EVP; CRC32 is a small table-driven version
 * (zlib is not a build dependency). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "digest.h"
#include "sys.h"

#define DIGEST_CHUNK_MAX (256 * 1024)
#define DIGEST_CHUNK_MIN 4096

static const struct {
	const char *name;
	const char *alias;	/* accepted by OPTS HASH too */
	size_t size;
} s_algs[DIGEST_NALG] = {
	[DIGEST_SHA256] = { "SHA-256", "SHA256", 32 },
	[DIGEST_SHA512] = { "SHA-512", "SHA512", 64 },
	[DIGEST_SHA1] = { "SHA-1", "SHA1", 20 },
	[DIGEST_MD5] = { "MD5", "MD-5", 16 },
	[DIGEST_CRC32] = { "CRC32", "CRC-32", 4 },
};

const char *
digest_name(enum digest_alg a)
{
	return (unsigned)a < DIGEST_NALG ? s_algs[a].name : "?";
}

int
digest_by_name(const char *name)
{
	for (int i = 0; i < DIGEST_NALG; i++)
		if (strcasecmp(name, s_algs[i].name) == 0 ||
		    strcasecmp(name, s_algs[i].alias) == 0)
			return i;
	return -1;
}

size_t
digest_size(enum digest_alg a)
{
	return (unsigned)a < DIGEST_NALG ? s_algs[a].size : 0;
}

/* The reflected CRC-32 table, built on first use. */
static uint32_t s_crc_table[256];
static int s_crc_ready;

static void
crc_table_build(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		s_crc_table[i] = c;
	}
	s_crc_ready = 1;
}

uint32_t
digest_crc32(uint32_t crc, const void *p, size_t n)
{
	const unsigned char *b = p;

	if (!s_crc_ready)
		crc_table_build();
	crc = ~crc;
	while (n-- > 0)
		crc = s_crc_table[(crc ^ *b++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static const EVP_MD *
evp_of(enum digest_alg a)
{
	switch (a) {
	case DIGEST_SHA256:
		return EVP_sha256();
	case DIGEST_SHA512:
		return EVP_sha512();
	case DIGEST_SHA1:
		return EVP_sha1();
	case DIGEST_MD5:
		return EVP_md5();
	default:
		return NULL;
	}
}

int
digest_init(struct digest_ctx *c, enum digest_alg a)
{
	const EVP_MD *md;
	EVP_MD_CTX *x;

	memset(c, 0, sizeof *c);
	if ((unsigned)a >= DIGEST_NALG)
		return -1;
	c->alg = a;
	if (a == DIGEST_CRC32)
		return 0;
	md = evp_of(a);
	x = EVP_MD_CTX_new();
	if (md == NULL || x == NULL)
		goto fail;
	if (EVP_DigestInit_ex(x, md, NULL) != 1)
		goto fail;
	c->evp = x;
	return 0;
fail:
	EVP_MD_CTX_free(x);
	return -1;
}

int
digest_update(struct digest_ctx *c, const void *p, size_t n)
{
	if (c->alg == DIGEST_CRC32) {
		c->crc = digest_crc32(c->crc, p, n);
		return 0;
	}
	if (c->evp == NULL || EVP_DigestUpdate(c->evp, p, n) != 1)
		return -1;
	return 0;
}

int
digest_final(struct digest_ctx *c, unsigned char *out)
{
	unsigned len = 0;
	int r = 0;

	if (c->alg == DIGEST_CRC32) {
		out[0] = (unsigned char)(c->crc >> 24);
		out[1] = (unsigned char)(c->crc >> 16);
		out[2] = (unsigned char)(c->crc >> 8);
		out[3] = (unsigned char)c->crc;
	} else if (c->evp == NULL ||
		   EVP_DigestFinal_ex(c->evp, out, &len) != 1 ||
		   len != digest_size(c->alg)) {
		r = -1;
	}
	digest_free(c);
	return r;
}

void
digest_free(struct digest_ctx *c)
{
	EVP_MD_CTX_free(c->evp);
	c->evp = NULL;
}

void
digest_hex(const unsigned char *d, size_t n, int upper, char *out)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[2 * n] = '\0';
}

/* Bytes per read: about a tenth of a second at the rate. */
static size_t
chunk_size(uint64_t rate)
{
	uint64_t c;

	if (rate == 0)
		return DIGEST_CHUNK_MAX;
	c = rate / 10;
	if (c < DIGEST_CHUNK_MIN)
		c = DIGEST_CHUNK_MIN;
	return c > DIGEST_CHUNK_MAX ? DIGEST_CHUNK_MAX : (size_t)c;
}

/* After a chunk: give the hook its chance to abort, and wait as long as
 * the rate says we are ahead.  Returns nonzero to abort. */
static int
pace(const struct digest_pace *p, uint64_t done, long long t0)
{
	long long ahead;

	if (p == NULL || p->wait == NULL)
		return 0;
	for (;;) {
		ahead = p->max_rate == 0 ? 0 :
		    (long long)(done * 1000 / p->max_rate) - (sys_now_ms() - t0);
		if (ahead < 0)
			ahead = 0;
		if (p->wait(p->arg, done, (int)(ahead > 1000 ? 1000 : ahead)))
			return 1;
		if (ahead == 0)
			return 0;
	}
}

int
digest_file_range(int fd, uint64_t start, uint64_t len, enum digest_alg a,
		  const struct digest_pace *p, unsigned char *out)
{
	struct digest_ctx c;
	unsigned char *buf;
	size_t chunk = chunk_size(p != NULL ? p->max_rate : 0);
	uint64_t done = 0;
	long long t0 = sys_now_ms();
	int r = DIGEST_OK, err = 0;

	if (digest_init(&c, a) < 0)
		return DIGEST_UNAVAILABLE;
	buf = malloc(chunk);
	if (buf == NULL) {
		digest_free(&c);
		return DIGEST_READ_ERROR;
	}
	while (done < len) {
		size_t want = len - done < chunk ? (size_t)(len - done) : chunk;
		ssize_t n = pread(fd, buf, want, (off_t)(start + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = errno;
			r = DIGEST_READ_ERROR;
			break;
		}
		if (n == 0) {
			r = DIGEST_SHORT;
			break;
		}
		if (digest_update(&c, buf, (size_t)n) < 0) {
			r = DIGEST_UNAVAILABLE;
			break;
		}
		done += (uint64_t)n;
		if (pace(p, done, t0)) {
			r = DIGEST_ABORTED;
			break;
		}
	}
	free(buf);
	if (r != DIGEST_OK) {
		digest_free(&c);
		errno = err;
		return r;
	}
	return digest_final(&c, out) == 0 ? DIGEST_OK : DIGEST_UNAVAILABLE;
}
