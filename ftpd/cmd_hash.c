/* cmd_hash.c: HASH and RANG (draft-bryan-ftpext-hash, draft-bryan-ftp-range),
 * OPTS HASH and the HASH FEAT line, and the legacy XCRC XMD5 XSHA1
 * XSHA256 XSHA512.  Digests describe the stored bytes whatever the TYPE.
 * Hashing runs here, in the session worker: paced to hash_max_rate, with
 * the control connection watched for ABOR and STAT as during transfers,
 * and through the identity's digest cache (hashcache.h). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd_hash.h"
#include "cmds.h"
#include "digest.h"
#include "hashcache.h"
#include "log.h"
#include "parse.h"
#include "path.h"
#include "session.h"
#include "sys.h"
#include "vfs.h"

#define NUM_MAX 24		/* digits of a 64-bit offset, with room */

/* What a hash request is for: HASH or one of the X* commands, whose
 * clients expect other reply codes. */
enum hash_kind { HK_HASH, HK_LEGACY };

/* ---- the control connection while hashing */

struct hash_watch {
	struct session *s;
	const char *vpath;
	uint64_t len, done;
};

/* 1 if a complete command line waits in the reader already (poll()
 * cannot see it). */
static int
line_buffered(const struct session *s)
{
	return s->lr.end > s->lr.start &&
	       memchr(s->lr.raw + s->lr.start, '\n', s->lr.end - s->lr.start) != NULL;
}

/* One control line during hashing: ABOR stops, STAT reports, anything
 * else waits in the session queue.  Returns 1 to stop hashing. */
static int
watch_line(struct hash_watch *w)
{
	struct session *s = w->s;
	struct buf line = BUF_INIT(s->conf->max_line + 1);
	char verb[8];
	const char *arg;
	int st, stop = 0;

	st = line_read(&s->lr, &line);
	if (st == LINE_TOOLONG) {
		reply(s, 500, "Command line too long; discarded.");
	} else if (st != LINE_OK) {
		s->quit = 1;
		s->ctrl_lost = st != LINE_TIMEOUT;
		stop = 1;
	} else if (parse_command(buf_cstr(&line), verb, sizeof verb, &arg) == 0 &&
		   strcmp(verb, "ABOR") == 0) {
		s->abort_requested = 1;
		stop = 1;
	} else if (strcmp(verb, "STAT") == 0 && (arg == NULL || *arg == '\0')) {
		replyf(s, 213, "Status: hashing %s: %" PRIu64 " of %" PRIu64
		       " bytes done.", w->vpath, w->done, w->len);
	} else {
		/* The caller made sure there is room. */
		buf_reset(&s->queued[s->nqueued]);
		if (buf_append(&s->queued[s->nqueued], line.data, line.len) == 0)
			s->nqueued++;
	}
	buf_free(&line);
	return stop;
}

static void
sleep_ms(long long ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* digest_pace hook: waits up to wait_ms while watching the control
 * connection.  Returns 1 when hashing must stop (ABOR, client gone). */
static int
hash_wait(void *arg, uint64_t done, int wait_ms)
{
	struct hash_watch *w = arg;
	struct session *s = w->s;
	long long until = sys_now_ms() + wait_ms, left;
	int r;

	w->done = done;
	s->xfer_bytes = done;
	for (;;) {
		left = until - sys_now_ms();
		if (left < 0)
			left = 0;
		/* A full queue: leave further commands in the socket rather
		 * than drop one (ABOR is then seen after the hash). */
		if (s->nqueued >= SESSION_QUEUE_MAX) {
			if (left > 0)
				sleep_ms(left);
			return 0;
		}
		if (line_buffered(s) || conn_has_pending(&s->ctrl))
			r = 1;
		else
			r = sys_poll_one(s->ctrl.fd, POLLIN, (int)left);
		if (r <= 0)
			return 0;
		if (watch_line(w))
			return 1;
	}
}

/* ---- computing one digest */

/* Opens the file a client names, for hashing.  Replies and returns -1
 * when it cannot be hashed. */
static int
open_target(struct session *s, const char *arg, struct buf *vp,
	    struct stat *st, enum hash_kind kind)
{
	int fd;

	if (vfs_resolve(s, arg, vp) < 0)
		return -1;
	/* O_NONBLOCK: opening a FIFO must not hang the session. */
	fd = path_open(s->rootfd, buf_cstr(vp), O_RDONLY | O_NONBLOCK | O_NOCTTY, 0);
	if (fd < 0) {
		vfs_reply_errno(s, 550, buf_cstr(vp), errno);
		return -1;
	}
	if (fstat(fd, st) < 0) {
		vfs_reply_errno(s, 550, buf_cstr(vp), errno);
		sys_close_failok(fd);
		return -1;
	}
	if (S_ISDIR(st->st_mode)) {
		/* The draft's code for a folder: the operation is undefined. */
		replyf(s, kind == HK_HASH ? 553 : 550, "%s: Is a folder; only "
		       "files have a hash.", buf_cstr(vp));
		sys_close_failok(fd);
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		replyf(s, 550, "%s: Not a plain file.", buf_cstr(vp));
		sys_close_failok(fd);
		return -1;
	}
	return fd;
}

/* Refuses a range longer than hash_max_size.  0 when it may be hashed. */
static int
check_size(struct session *s, const char *vpath, uint64_t len,
	   enum hash_kind kind)
{
	uint64_t max = s->conf->hash_max_size;

	if (max == 0 || len <= max)
		return 0;
	replyf(s, kind == HK_HASH ? 556 : 550, "%s: too large to hash (%"
	       PRIu64 " bytes; the limit is hash_max_size = %" PRIu64
	       " bytes).", vpath, len, max);
	return -1;
}

/* The digest of len bytes at start, from the cache or computed (and then
 * cached).  0 with out filled, or -1 after replying. */
static int
compute(struct session *s, int fd, const struct stat *st, const char *vpath,
	enum digest_alg alg, uint64_t start, uint64_t len, unsigned char *out)
{
	const struct hcache *hc = hashcache_session();
	struct hcache_key key, key2;
	struct hash_watch w = { s, vpath, len, 0 };
	struct digest_pace pace = { s->conf->hash_max_rate, hash_wait, &w };
	struct timespec now;
	struct stat after;
	char safe[512];
	size_t n;
	long long t0;
	int r, err;

	hcache_key_set(&key, st, (unsigned)alg, start, len);
	if (hcache_lookup(hc, &key, out, DIGEST_MAX_SIZE, &n) &&
	    n == digest_size(alg)) {
		s->hash_hits++;
		log_msg(LOG_DEBUG, "%s: hash cache hit: %s %s bytes %" PRIu64
			"+%" PRIu64, s->peer_str, digest_name(alg),
			log_safe(vpath, safe, sizeof safe), start, len);
		return 0;
	}
	if (hc != NULL) {
		s->hash_misses++;
		log_msg(LOG_DEBUG, "%s: hash cache miss: %s %s bytes %" PRIu64
			"+%" PRIu64, s->peer_str, digest_name(alg),
			log_safe(vpath, safe, sizeof safe), start, len);
	}
	/* Wall-clock time before the first byte is read: the file must
	 * have settled by then for its digest to be cached. */
	if (clock_gettime(CLOCK_REALTIME, &now) < 0)
		memset(&now, 0, sizeof now);
	s->abort_requested = 0;
	t0 = sys_now_ms();
	r = digest_file_range(fd, start, len, alg, &pace, out);
	err = errno;
	switch (r) {
	case DIGEST_OK:
		break;
	case DIGEST_ABORTED:
		if (s->abort_requested) {
			reply(s, 426, "HASH aborted by ABOR.");
			reply(s, 226, "ABOR successful.");
		}
		s->abort_requested = 0;
		log_msg(LOG_INFO, "%s: %s: hashing %s aborted after %" PRIu64
			" bytes", s->peer_str, s->user,
			log_safe(vpath, safe, sizeof safe), w.done);
		return -1;
	case DIGEST_SHORT:
		replyf(s, 450, "%s changed while it was hashed; try again.",
		       vpath);
		return -1;
	case DIGEST_READ_ERROR:
		replyf(s, 451, "%s: read error (%s).", vpath,
		       err ? strerror(err) : "unknown");
		return -1;
	default:
		replyf(s, 504, "%s is not available on this server.",
		       digest_name(alg));
		return -1;
	}
	if (fstat(fd, &after) < 0) {
		vfs_reply_errno(s, 451, vpath, errno);
		return -1;
	}
	hcache_key_set(&key2, &after, (unsigned)alg, start, len);
	if (memcmp(&key, &key2, sizeof key) != 0) {
		replyf(s, 450, "%s changed while it was hashed; try again.",
		       vpath);
		return -1;
	}
	log_msg(LOG_INFO, "%s: %s: %s of %s (%" PRIu64 " bytes) in %lld ms",
		s->peer_str, s->user, digest_name(alg),
		log_safe(vpath, safe, sizeof safe), len, sys_now_ms() - t0);
	if (hc != NULL && hcache_settled(st, &now) &&
	    hcache_store(hc, &key, out, digest_size(alg), (int64_t)now.tv_sec) < 0)
		log_msg(LOG_DEBUG, "%s: hash cache store failed", s->peer_str);
	return 0;
}

/* ---- HASH and RANG */

void
handle_hash(struct session *s, const char *arg)
{
	struct buf vp = BUF_INIT(PATH_MAX_VIRTUAL);
	unsigned char d[DIGEST_MAX_SIZE];
	char hex[DIGEST_HEX_MAX];
	enum digest_alg alg = (enum digest_alg)s->hash_alg;
	int ranged = s->rang_set, fd;
	uint64_t size, start = 0, len, last;
	struct stat st;

	/* A range covers this one command (the dispatcher keeps it only
	 * for HASH). */
	s->rang_set = 0;
	fd = open_target(s, arg, &vp, &st, HK_HASH);
	if (fd < 0)
		goto out;
	size = (uint64_t)st.st_size;
	len = size;
	if (ranged) {
		if (s->rang_start >= size) {
			replyf(s, 554, "Range start %" PRIu64 " is beyond the "
			       "end of %s (%" PRIu64 " bytes).", s->rang_start,
			       buf_cstr(&vp), size);
			goto out;
		}
		start = s->rang_start;
		/* draft-bryan-ftp-range: an end past the file means "to
		 * the end"; the reply shows the range actually hashed. */
		last = s->rang_end < size - 1 ? s->rang_end : size - 1;
		len = last - start + 1;
	}
	if (check_size(s, buf_cstr(&vp), len, HK_HASH) < 0)
		goto out;
	if (compute(s, fd, &st, buf_cstr(&vp), alg, start, len, d) < 0)
		goto out;
	digest_hex(d, digest_size(alg), 0, hex);
	/* The end point is inclusive (as in RANG); an empty file can only
	 * be shown as 0-0. */
	replyf(s, 213, "%s %" PRIu64 "-%" PRIu64 " %s %s", digest_name(alg),
	       start, len > 0 ? start + len - 1 : start, hex, arg);
out:
	if (fd >= 0)
		sys_close_failok(fd);
	buf_free(&vp);
}

/* "N" into *v.  0 or -1. */
static int
take_number(const char *p, size_t n, uint64_t *v)
{
	char tmp[NUM_MAX];

	if (n == 0 || n >= sizeof tmp)
		return -1;
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	return parse_u64(tmp, UINT64_MAX, v);
}

void
handle_rang(struct session *s, const char *arg)
{
	const char *sp = strchr(arg, ' ');
	uint64_t a, b;

	s->rang_set = 0;
	if (sp == NULL || take_number(arg, (size_t)(sp - arg), &a) < 0 ||
	    take_number(sp + 1, strlen(sp + 1), &b) < 0) {
		reply(s, 501, "Usage: RANG <start> <end> (byte offsets, end "
		      "included); RANG 1 0 resets.");
		return;
	}
	if (a == 1 && b == 0) {
		reply(s, 350, "Range reset: the next HASH covers the whole "
		      "file.");
		return;
	}
	if (a > b) {
		reply(s, 501, "RANG start is past its end; range reset to the "
		      "whole file.");
		return;
	}
	/* Only the last of REST and RANG counts. */
	s->rest = 0;
	s->rang_set = 1;
	s->rang_start = a;
	s->rang_end = b;
	replyf(s, 350, "Range %" PRIu64 "-%" PRIu64 " saved; send HASH next "
	       "(RANG applies to HASH only).", a, b);
}

int
hash_rang_gate(struct session *s, const struct cmd *c)
{
	if (!s->rang_set || c->handler == handle_hash ||
	    c->handler == handle_rang)
		return 0;
	s->rang_set = 0;
	/* Ranged transfers are not implemented: refusing beats sending
	 * or overwriting more than the client asked for. */
	if (c->handler == handle_retr || c->handler == handle_stor ||
	    c->handler == handle_appe || c->handler == handle_stou) {
		replyf(s, 504, "%s after RANG is not supported (RANG applies "
		       "to HASH only); use REST, or RANG 1 0 first.", c->verb);
		return 1;
	}
	return 0;
}

/* ---- XCRC XMD5 XSHA1 XSHA256 XSHA512 */

/* The X* argument: a path, or a "quoted path", optionally followed by
 * " start end" (end excluded, as the servers that defined these
 * commands count it).  An unquoted path ending in two numbers is read
 * as path + range; quote such a name.  0, or -1 on a syntax error. */
static int
legacy_args(const char *arg, struct buf *path, int *ranged, uint64_t *start,
	    uint64_t *end)
{
	const char *rest = NULL, *p2, *p1;
	size_t n = strlen(arg);

	*ranged = 0;
	buf_reset(path);
	if (arg[0] == '"') {
		const char *q = strchr(arg + 1, '"');

		if (q == NULL || q == arg + 1)
			return -1;
		if (buf_append(path, arg + 1, (size_t)(q - arg - 1)) < 0)
			return -1;
		if (q[1] == '\0')
			return 0;
		if (q[1] != ' ')
			return -1;
		rest = q + 2;
	} else {
		/* Two trailing numbers? */
		p2 = arg + n;
		while (p2 > arg && isdigit((unsigned char)p2[-1]))
			p2--;
		if (p2 > arg && p2 < arg + n && p2[-1] == ' ') {
			p1 = p2 - 1;
			while (p1 > arg && isdigit((unsigned char)p1[-1]))
				p1--;
			if (p1 > arg + 1 && p1 < p2 - 1 && p1[-1] == ' ') {
				if (buf_append(path, arg, (size_t)(p1 - 1 - arg)) < 0)
					return -1;
				rest = p1;
			}
		}
		if (rest == NULL)
			return buf_puts(path, arg);
	}
	p2 = strchr(rest, ' ');
	if (p2 == NULL || take_number(rest, (size_t)(p2 - rest), start) < 0 ||
	    take_number(p2 + 1, strlen(p2 + 1), end) < 0)
		return -1;
	*ranged = 1;
	return 0;
}

static void
legacy_hash(struct session *s, const char *arg, enum digest_alg alg)
{
	struct buf path = BUF_INIT(PATH_MAX_VIRTUAL + 1);
	struct buf vp = BUF_INIT(PATH_MAX_VIRTUAL);
	unsigned char d[DIGEST_MAX_SIZE];
	char hex[DIGEST_HEX_MAX];
	uint64_t size, start = 0, end = 0, len;
	struct stat st;
	int ranged, fd = -1;

	if (legacy_args(arg, &path, &ranged, &start, &end) < 0) {
		reply(s, 501, "Usage: X<alg> <path> [<start> <end>] (end "
		      "excluded; quote a path that ends in two numbers).");
		goto out;
	}
	fd = open_target(s, buf_cstr(&path), &vp, &st, HK_LEGACY);
	if (fd < 0)
		goto out;
	size = (uint64_t)st.st_size;
	len = size;
	if (ranged) {
		if (end > size || start >= end) {
			replyf(s, 501, "Range %" PRIu64 "-%" PRIu64 " does not "
			       "fit %s (%" PRIu64 " bytes; end excluded).",
			       start, end, buf_cstr(&vp), size);
			goto out;
		}
		len = end - start;
	}
	if (check_size(s, buf_cstr(&vp), len, HK_LEGACY) < 0)
		goto out;
	if (compute(s, fd, &st, buf_cstr(&vp), alg, start, len, d) < 0)
		goto out;
	/* Upper case, as the servers that introduced these commands. */
	digest_hex(d, digest_size(alg), 1, hex);
	reply(s, 250, hex);
out:
	if (fd >= 0)
		sys_close_failok(fd);
	buf_free(&path);
	buf_free(&vp);
}

void
handle_xcrc(struct session *s, const char *arg)
{
	legacy_hash(s, arg, DIGEST_CRC32);
}

void
handle_xmd5(struct session *s, const char *arg)
{
	legacy_hash(s, arg, DIGEST_MD5);
}

void
handle_xsha1(struct session *s, const char *arg)
{
	legacy_hash(s, arg, DIGEST_SHA1);
}

void
handle_xsha256(struct session *s, const char *arg)
{
	legacy_hash(s, arg, DIGEST_SHA256);
}

void
handle_xsha512(struct session *s, const char *arg)
{
	legacy_hash(s, arg, DIGEST_SHA512);
}

/* ---- OPTS HASH, FEAT, STAT, verbs with digits */

void
hash_opts(struct session *s, const char *alg)
{
	int a;

	if (alg == NULL || alg[0] == '\0') {
		reply(s, 200, digest_name((enum digest_alg)s->hash_alg));
		return;
	}
	/* The selection belongs to the logged-in session (the worker
	 * before login is replaced at login). */
	if (!s->logged_in) {
		reply(s, 530, "Log in first: OPTS HASH selects the algorithm "
		      "for the logged-in session.");
		return;
	}
	a = digest_by_name(alg);
	if (a < 0) {
		reply(s, 501, "Unknown or unsupported algorithm; selection "
		      "unchanged.");
		return;
	}
	s->hash_alg = a;
	reply(s, 200, digest_name((enum digest_alg)a));
}

void
hash_feat_list(const struct session *s, struct buf *b)
{
	for (int i = 0; i < DIGEST_NALG; i++)
		(void)buf_printf(b, "%s%s%s", i > 0 ? ";" : "",
				 digest_name((enum digest_alg)i),
				 i == s->hash_alg ? "*" : "");
}

void
hash_status(const struct session *s, struct buf *b)
{
	(void)buf_printf(b, " HASH algorithm: %s\n",
			 digest_name((enum digest_alg)s->hash_alg));
	if (hashcache_session() == NULL)
		(void)buf_puts(b, " Hash cache: off\n");
	else
		(void)buf_printf(b, " Hash cache: %u hits, %u misses\n",
				 s->hash_hits, s->hash_misses);
}
