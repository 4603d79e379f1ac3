/* verify.c: HASH requests and local SHA-256 digests. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "client.h"
#include "session.h"
#include "status.h"
#include "verify.h"

int
verify_sha256_fd(int fd, char hex[VERIFY_HEXLEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	off_t at = 0;
	int ok;

	if (!ctx) {
		errno = ENOMEM;
		return -1;
	}
	ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;
	while (ok) {
		ssize_t n = pread(fd, buf, sizeof buf, at);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			EVP_MD_CTX_free(ctx);
			return -1;
		}
		if (n == 0)
			break;
		ok = EVP_DigestUpdate(ctx, buf, (size_t)n) == 1;
		at += n;
	}
	if (ok)
		ok = EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen == 32;
	EVP_MD_CTX_free(ctx);
	if (!ok) {
		errno = EIO;
		return -1;
	}
	for (unsigned i = 0; i < mdlen; i++)
		(void)snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return 0;
}

int
verify_active(struct ftp_client *c)
{
	if (!c->set || !ses->set.verify || ses->set.type != 'I' ||
	    !c->connected)
		return 0;
	client_feat(c);
	return client_has(c, "HASH");
}

/* "213 SHA-256 0-1234 <hex> <path>": 1 and the digest when the reply
 * names SHA-256, 0 for another algorithm, -1 when it is malformed. */
static int
parse_hash_reply(const char *line, char hex[VERIFY_HEXLEN])
{
	char alg[32], range[64], dig[160];
	size_t n;

	if (sscanf(line, "%31s %63s %159s", alg, range, dig) != 3)
		return -1;
	if (strcasecmp(alg, "SHA-256") != 0)
		return 0;
	n = strlen(dig);
	if (n != 64)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)dig[i]))
			return -1;
		hex[i] = (char)tolower((unsigned char)dig[i]);
	}
	hex[n] = '\0';
	return 1;
}

int
verify_remote_sha256(struct ftp_client *c, const char *path,
		     char hex[VERIFY_HEXLEN])
{
	int quiet = !c->set->debug, st = ST_OTHER;

	c->quiet += quiet;
	for (int attempt = 0; attempt < 2; attempt++) {
		int code = client_cmd(c, "HASH %s", path), r;

		if (code < 0) {
			st = ST_NET;
			break;
		}
		if (code != 213)
			break;
		r = parse_hash_reply(client_last(c), hex);
		if (r == 1) {
			st = ST_OK;
			break;
		}
		/* another algorithm selected: ask for SHA-256 once */
		if (r < 0 || attempt > 0 ||
		    client_cmd(c, "OPTS HASH SHA-256") != 200)
			break;
	}
	c->quiet -= quiet;
	return st;
}

int
verify_compare(struct ftp_client *c, const char *remote,
	       const char *local_hex, const char *what, const char *shown)
{
	char rhex[VERIFY_HEXLEN];
	int st = verify_remote_sha256(c, remote, rhex);

	if (st == ST_NET)
		return st;
	if (st != ST_OK) {
		fprintf(stderr, "ftp: %s %s: not verified: the server did not "
			"hash it (%s)\n", what, shown, client_last(c));
		return ST_OK;
	}
	if (strcmp(rhex, local_hex) != 0) {
		fprintf(stderr, "ftp: %s %s: verification failed: the server "
			"has SHA-256 %s, the local file %s\n", what, shown, rhex,
			local_hex);
		return ST_VERIFY;
	}
	if (ses->set.verbose)
		printf("Verified %s (SHA-256 %s).\n", shown, local_hex);
	return ST_OK;
}
