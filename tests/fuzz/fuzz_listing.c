/* fuzz_listing.c: the client's listing parsers (listing_parse_mlsd and
 * listing_parse_ls in lib/listing.c), which read whatever a server sends,
 * and round trips through the server's formatters.
 *
 * Input: byte 0 picks a mode, byte 1 the parser's idea of "now".
 *   0: the rest is listing text, one entry per line; every accepted entry
 *      must be well formed.
 *   1: a stat and a name built from the bytes, formatted as MLSD facts,
 *      must parse back to the same name, type, size and time.
 *   2: the same through the "ls -l" LIST format. */
#include "config.h"

#include <sys/stat.h>

#include "buf.h"
#include "listing.h"
#include "fuzz.h"

#define DAY (24 * 3600)
/* 9999-12-31T23:59:59Z: the last time MLSD's 4-digit year can carry. */
#define MAX_TIME 253402300799LL

static void
check_entry(const struct list_entry *e)
{
	size_t nl = strnlen(e->name, sizeof e->name);

	FUZZ_ASSERT(nl > 0 && nl < sizeof e->name);
	FUZZ_ASSERT(e->name[nl - 1] != '\r' && e->name[nl - 1] != '\n');
	FUZZ_ASSERT(e->is_dir >= -1 && e->is_dir <= 1);
	FUZZ_ASSERT(e->is_link == 0 || e->is_link == 1);
	FUZZ_ASSERT(e->size >= -1);
	FUZZ_ASSERT(e->mtime_exact == 0 || e->mtime_exact == 1);
}

static void
mode_parse(const uint8_t *p, size_t n, time_t now)
{
	struct list_entry e;
	char *text = fuzz_strndup(p, n), *line, *save = NULL;
	int r;

	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		r = listing_parse_mlsd(line, &e);
		FUZZ_ASSERT(r >= -1 && r <= 1);
		if (r >= 0) {
			check_entry(&e);
			/* The name is everything after the first space. */
			FUZZ_ASSERT(strncmp(strchr(line, ' ') + 1, e.name,
					    strlen(e.name)) == 0);
		}
		r = listing_parse_ls(line, now, &e);
		FUZZ_ASSERT(r >= -1 && r <= 1);
		if (r == 0) {
			check_entry(&e);
			FUZZ_ASSERT(strstr(line, e.name) != NULL);
			FUZZ_ASSERT(strcmp(e.name, ".") != 0 &&
				    strcmp(e.name, "..") != 0);
		}
	}
	free(text);
}

/* Builds a stat and a usable name (no NUL, CR or LF; 1..1023 bytes)
 * from the input.  Returns the name or NULL. */
static char *
make_entry(const uint8_t *p, size_t n, struct stat *st)
{
	static const mode_t types[] = {
		S_IFREG, S_IFDIR, S_IFLNK, S_IFREG, S_IFCHR, S_IFIFO,
	};
	uint64_t sz = 0, mt = 0;
	char *name;

	if (n < 18)
		return NULL;
	memset(st, 0, sizeof *st);
	st->st_mode = types[p[0] % 6] | ((mode_t)(p[1] << 8 | p[2]) & 07777);
	memcpy(&sz, p + 3, 7);		/* under 2^56: any real size */
	memcpy(&mt, p + 10, 8);
	st->st_size = (off_t)sz;
	st->st_mtime = (time_t)(mt % (uint64_t)(MAX_TIME + 1));
	st->st_nlink = 1 + p[17] % 50;
	st->st_ino = mt;
	name = fuzz_strndup(p + 18, n - 18);
	if (name[0] == '\0' || strlen(name) >= 1024 ||
	    strpbrk(name, "\r\n") != NULL) {
		free(name);
		return NULL;
	}
	return name;
}

static void
mode_mlsd(const uint8_t *p, size_t n)
{
	struct buf out = BUF_INIT(SIZE_MAX);
	struct list_entry e;
	struct stat st;
	char *name = make_entry(p, n, &st);

	if (name == NULL)
		return;
	FUZZ_ASSERT(listing_format_mlsx(&out, name, &st, MLSX_ALL, NULL,
					"adfrw") == 0);
	FUZZ_ASSERT(out.len >= 2 && memcmp(out.data + out.len - 2, "\r\n", 2) == 0);
	buf_truncate(&out, out.len - 2);
	FUZZ_ASSERT(listing_parse_mlsd(buf_cstr(&out), &e) == 0);
	FUZZ_ASSERT(strcmp(e.name, name) == 0);
	if (S_ISDIR(st.st_mode)) {
		FUZZ_ASSERT(e.is_dir == 1 && e.size == -1);
	} else {
		FUZZ_ASSERT(e.size == (int64_t)st.st_size);
		FUZZ_ASSERT(e.is_link == S_ISLNK(st.st_mode));
		FUZZ_ASSERT(e.is_dir == (S_ISREG(st.st_mode) ? 0 : -1));
	}
	FUZZ_ASSERT(e.mtime_exact == 1 && e.mtime == st.st_mtime);

	/* The "." and ".." entries of MLSD are reported as skips. */
	buf_reset(&out);
	FUZZ_ASSERT(listing_format_mlsx(&out, name, &st, MLSX_TYPE | MLSX_SIZE,
					"cdir", NULL) == 0);
	FUZZ_ASSERT(listing_parse_mlsd(buf_cstr(&out), &e) == 1);
	buf_free(&out);
	free(name);
}

static void
mode_ls(const uint8_t *p, size_t n, time_t now)
{
	static const char *const owners[] = { "0", "ftp", "nobody", "1000" };
	struct buf out = BUF_INIT(SIZE_MAX);
	struct list_entry e;
	struct stat st;
	char *name = make_entry(p, n, &st);
	int r;

	if (name == NULL)
		return;
	FUZZ_ASSERT(listing_format_ls(&out, name, &st, owners[p[1] % 4],
				      owners[p[2] % 4], now) == 0);
	buf_truncate(&out, out.len - 2);
	r = listing_parse_ls(buf_cstr(&out), now, &e);
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		FUZZ_ASSERT(r == 1);
		goto done;
	}
	/* A link's name stops at " -> " (where its target would start), so
	 * a name with that text in it cannot come back whole. */
	if (S_ISLNK(st.st_mode) && strstr(name, " -> ") != NULL) {
		FUZZ_ASSERT(r >= -1 && r <= 1);	/* ".. -> x" is a skip */
		goto done;
	}
	FUZZ_ASSERT(r == 0);
	FUZZ_ASSERT(e.size == (int64_t)st.st_size);
	FUZZ_ASSERT(e.is_dir == (S_ISDIR(st.st_mode) ? 1 :
				 S_ISLNK(st.st_mode) ? -1 : 0));
	FUZZ_ASSERT(e.is_link == S_ISLNK(st.st_mode));
	FUZZ_ASSERT(strcmp(e.name, name) == 0);
	/* LIST dates are minutes (recent) or days (older), and the year of
	 * a recent one is a guess: it must be within a year either way. */
	FUZZ_ASSERT(e.mtime_exact == 0);
	FUZZ_ASSERT(e.mtime <= st.st_mtime + 366 * DAY &&
		    e.mtime >= st.st_mtime - 367 * DAY);
done:
	buf_free(&out);
	free(name);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data;
	size_t n = size;
	unsigned mode = fuzz_take(&p, &n) % 3;
	/* 2023-11-14 plus up to ~2 years in 3-day steps: crosses year ends
	 * and leap days. */
	time_t now = (time_t)1700000000 + (time_t)fuzz_take(&p, &n) * 3 * DAY;

	if (mode == 0)
		mode_parse(p, n, now);
	else if (mode == 1)
		mode_mlsd(p, n);
	else
		mode_ls(p, n, now);
	return 0;
}
