/* manifest.c: reading manifests, the journal (FILE.journal: one line per
 * finished item, "ok TAB line TAB key TAB bytes TAB sha256", appended and
 * synced as each item completes) and the JSON-lines results. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "buf.h"
#include "fetch.h"
#include "jobs.h"
#include "manifest.h"
#include "parse.h"
#include "session.h"
#include "status.h"
#include "sys.h"
#include "verify.h"

#define KEYLEN 17		/* 16 hex digits of the line's SHA-256 */

struct item {
	unsigned line;
	char key[KEYLEN];	/* ties a journal entry to the line's text */
	int done;		/* journal: finished in an earlier run */
	uint64_t bytes;
	char sha[VERIFY_HEXLEN];
	int put;
	char *remote, *local;
	int64_t size;
	char expect[VERIFY_HEXLEN];
};

struct manifest {
	struct item *v;
	size_t n, cap;
	size_t *job_item;	/* job index -> item index */
	int journal;		/* append fd */
	FILE *results;
	unsigned ok, failed;
};

int
manifest_unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (*s != '\\') {
			*w++ = *s;
			continue;
		}
		switch (*++s) {
		case 't': *w++ = '\t'; break;
		case 'n': *w++ = '\n'; break;
		case 'r': *w++ = '\r'; break;
		case '\\': *w++ = '\\'; break;
		default: return -1;
		}
	}
	*w = '\0';
	return 0;
}

static void
line_key(const char *text, size_t n, char key[KEYLEN])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;

	if (EVP_Digest(text, n, md, &mdlen, EVP_sha256(), NULL) != 1)
		memset(md, 0, 8);
	for (int i = 0; i < 8; i++)
		(void)snprintf(key + 2 * i, 3, "%02x", md[i]);
}

static int
hex64(char *s)
{
	if (strlen(s) != 64)
		return 0;
	for (; *s; s++) {
		if (!isxdigit((unsigned char)*s))
			return 0;
		*s = (char)tolower((unsigned char)*s);
	}
	return 1;
}

/* Splits one line into an item.  NULL, or the reason it is wrong. */
static const char *
parse_line(char *text, struct item *it)
{
	char *f[6];
	int nf = 0;
	uint64_t size;

	for (char *p = text;; ) {
		char *tab = strchr(p, '\t');

		if (nf == 6)
			return "too many fields (at most 5)";
		f[nf++] = p;
		if (!tab)
			break;
		*tab = '\0';
		p = tab + 1;
	}
	if (nf < 3)
		return "needs get|put, remote path and local path";
	if (strcmp(f[0], "get") == 0)
		it->put = 0;
	else if (strcmp(f[0], "put") == 0)
		it->put = 1;
	else
		return "the first field must be get or put";
	if (manifest_unescape(f[1]) < 0 || manifest_unescape(f[2]) < 0)
		return "bad escape (use \\t \\n \\r \\\\)";
	if (!f[1][0] || !f[2][0])
		return "empty path";
	it->size = -1;
	if (nf > 3 && f[3][0]) {
		if (parse_u64(f[3], INT64_MAX, &size) < 0)
			return "bad size";
		it->size = (int64_t)size;
	}
	if (nf > 4 && f[4][0]) {
		if (!hex64(f[4]))
			return "bad sha256 (64 hex digits)";
		memcpy(it->expect, f[4], VERIFY_HEXLEN);
	}
	it->remote = strdup(f[1]);
	it->local = strdup(f[2]);
	if (!it->remote || !it->local)
		return "out of memory";
	return NULL;
}

static int
load(struct manifest *m, const char *file)
{
	FILE *fp = fopen(file, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned no = 0;
	int st = ST_OK;

	if (!fp) {
		fprintf(stderr, "ftp: %s: %s\n", file, strerror(errno));
		return status_from_errno(errno) == ST_NOTFOUND ? ST_NOTFOUND :
			ST_OTHER;
	}
	while ((len = getline(&line, &cap, fp)) >= 0) {
		struct item *it;
		const char *why;

		no++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if (m->n == m->cap) {
			size_t nc = m->cap ? m->cap * 2 : 64;
			struct item *nv = realloc(m->v, nc * sizeof *nv);

			if (!nv) {
				st = ST_OTHER;
				break;
			}
			m->v = nv;
			m->cap = nc;
		}
		it = &m->v[m->n];
		memset(it, 0, sizeof *it);
		it->line = no;
		line_key(line, (size_t)len, it->key);
		why = parse_line(line, it);
		m->n++;
		if (why) {
			fprintf(stderr, "ftp: %s:%u: %s\n", file, no, why);
			st = ST_USAGE;
		}
	}
	free(line);
	if (ferror(fp)) {
		fprintf(stderr, "ftp: %s: read error\n", file);
		st = ST_OTHER;
	}
	(void)fclose(fp);
	return st;
}

/* Marks what an earlier run finished.  A missing journal is a first run;
 * entries whose line changed since are ignored. */
static void
read_journal(struct manifest *m, const char *path)
{
	FILE *fp = fopen(path, "re");
	char buf[512];

	if (!fp)
		return;
	while (fgets(buf, sizeof buf, fp)) {
		char key[KEYLEN + 8], sha[VERIFY_HEXLEN + 8];
		unsigned line;
		unsigned long long bytes;

		sha[0] = '\0';
		if (sscanf(buf, "ok\t%u\t%20s\t%llu\t%70s", &line, key, &bytes,
			   sha) < 3)
			continue;	/* a torn last line after a crash */
		for (size_t i = 0; i < m->n; i++) {
			struct item *it = &m->v[i];

			if (it->line != line || strcmp(it->key, key) != 0)
				continue;
			it->done = 1;
			it->bytes = bytes;
			if (strcmp(sha, "-") != 0 && strlen(sha) == 64)
				memcpy(it->sha, sha, VERIFY_HEXLEN);
			break;
		}
	}
	(void)fclose(fp);
}

static void
json_str(FILE *fp, const char *s)
{
	(void)fputc('"', fp);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(fp, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(fp, "\\u%04x", ch);
		else
			(void)fputc(ch, fp);
	}
	(void)fputc('"', fp);
}

static const char *
status_class(int st)
{
	switch (st) {
	case ST_OK: return "ok";
	case ST_LOGIN: return "login";
	case ST_NOTFOUND: return "not-found";
	case ST_NET: return "network";
	case ST_TLS: return "tls";
	case ST_VERIFY: return "verification";
	case ST_USAGE: return "usage";
	case ST_INTR: return "interrupted";
	default: return "other";
	}
}

static void
write_result(struct manifest *m, const struct item *it, int st,
	     long long ms, int resumed)
{
	FILE *fp = m->results;

	if (!fp)
		return;
	fprintf(fp, "{\"line\":%u,\"op\":\"%s\",\"remote\":", it->line,
		it->put ? "put" : "get");
	json_str(fp, it->remote);
	fprintf(fp, ",\"local\":");
	json_str(fp, it->local);
	fprintf(fp, ",\"status\":\"%s\",\"exit\":%d,\"bytes\":%llu,"
		"\"seconds\":%.3f,\"sha256\":", status_class(st), st,
		(unsigned long long)it->bytes, (double)ms / 1000.0);
	if (it->sha[0])
		json_str(fp, it->sha);
	else
		fprintf(fp, "null");
	fprintf(fp, ",\"resumed\":%s}\n", resumed ? "true" : "false");
	(void)fflush(fp);
}

static void
on_done(void *arg, struct jobset *js, size_t idx)
{
	struct manifest *m = arg;
	struct job *j = &js->v[idx];
	struct item *it = &m->v[m->job_item[idx]];
	int st = j->status < 0 ? ST_OTHER : j->status;

	it->bytes = j->bytes;
	memcpy(it->sha, j->sha, VERIFY_HEXLEN);
	if (st == ST_OK) {
		char rec[256];
		int n;

		m->ok++;
		n = snprintf(rec, sizeof rec, "ok\t%u\t%s\t%llu\t%s\n", it->line,
			     it->key, (unsigned long long)it->bytes,
			     it->sha[0] ? it->sha : "-");
		/* the journal is what a second run trusts: make it durable */
		if (m->journal >= 0 && n > 0 && (size_t)n < sizeof rec &&
		    (sys_write_full(m->journal, rec, (size_t)n) < 0 ||
		     fdatasync(m->journal) < 0)) {
			fprintf(stderr, "ftp: journal: %s\n", strerror(errno));
			sys_close_failok(m->journal);
			m->journal = -1;
		}
	} else if (st != ST_INTR) {
		m->failed++;
	}
	write_result(m, it, st, j->ms, 0);
}

static char *
beside(const char *file, const char *suffix)
{
	size_t a = strlen(file), b = strlen(suffix);
	char *p = malloc(a + b + 1);

	if (p) {
		memcpy(p, file, a);
		memcpy(p + a, suffix, b + 1);
	}
	return p;
}

static void
manifest_free(struct manifest *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].remote);
		free(m->v[i].local);
	}
	free(m->v);
	free(m->job_item);
}

static int
run_items(struct manifest *m, int parallel, unsigned *resumed)
{
	struct jobset js;
	int st = ST_OK;

	jobs_init(&js, AT_FDCWD);
	js.want_sha = 1;
	js.on_done = on_done;
	js.done_arg = m;
	m->job_item = calloc(m->n ? m->n : 1, sizeof *m->job_item);
	if (!m->job_item)
		return ST_OTHER;
	for (size_t i = 0; i < m->n; i++) {
		struct item *it = &m->v[i];
		struct job *j;

		if (it->done) {
			(*resumed)++;
			write_result(m, it, ST_OK, 0, 1);
			continue;
		}
		if (jobs_add(&js, it->put, it->remote, it->local, it->size,
			     0) < 0) {
			st = ST_OTHER;
			break;
		}
		j = &js.v[js.n - 1];
		memcpy(j->expect, it->expect, VERIFY_HEXLEN);
		j->check_size = it->size >= 0;
		j->tmp_put = it->put;
		m->job_item[js.n - 1] = i;
	}
	if (st == ST_OK && js.n > 0)
		st = jobs_run(&ses->cl, &js, parallel, NULL, NULL);
	jobs_free(&js);
	return st;
}

int
manifest_run(const char *file, const char *results, const char *url,
	     int parallel)
{
	struct manifest m;
	char *jpath = beside(file, ".journal");
	char *rdef = beside(file, ".results");
	unsigned resumed = 0;
	int st;

	memset(&m, 0, sizeof m);
	m.journal = -1;
	if (!jpath || !rdef) {
		st = ST_OTHER;
		goto out;
	}
	if ((st = load(&m, file)) != ST_OK)
		goto out;
	read_journal(&m, jpath);
	m.journal = open(jpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
			 0666);
	if (m.journal < 0) {
		fprintf(stderr, "ftp: %s: %s\n", jpath, strerror(errno));
		st = status_from_errno(errno);
		goto out;
	}
	m.results = fopen(results ? results : rdef, "we");
	if (!m.results) {
		fprintf(stderr, "ftp: %s: %s\n", results ? results : rdef,
			strerror(errno));
		st = status_from_errno(errno);
		goto out;
	}
	st = fetch_open_folder(url, ses->set.tls);
	if (st == ST_OK)
		st = run_items(&m, parallel, &resumed);
	if (ses->set.verbose || st != ST_OK)
		fprintf(st == ST_OK ? stdout : stderr, "ftp: manifest %s: %u "
			"done now, %u done before, %u failed, %u left\n", file,
			m.ok, resumed, m.failed,
			(unsigned)m.n - m.ok - resumed - m.failed);
out:
	if (m.results && fclose(m.results) != 0 && st == ST_OK) {
		fprintf(stderr, "ftp: results: %s\n", strerror(errno));
		st = ST_OTHER;
	}
	if (m.journal >= 0)
		sys_close_failok(m.journal);
	manifest_free(&m);
	free(jpath);
	free(rdef);
	return st;
}
