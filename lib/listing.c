/* listing.c: directory listing lines.  Server side formats LIST (ls -l
 * shape) and MLSD/MLST facts (RFC 3659); client side parses both back
 * into struct list_entry. */
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "listing.h"
#include "parse.h"

/* Half a Gregorian year: ls(1)'s "recent" window. */
#define SIX_MONTHS ((time_t)(365.2425 * 24 * 3600 / 2))

static const char s_months[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

static char
mode_type_char(mode_t m)
{
	if (S_ISDIR(m))
		return 'd';
	if (S_ISLNK(m))
		return 'l';
	if (S_ISCHR(m))
		return 'c';
	if (S_ISBLK(m))
		return 'b';
	if (S_ISFIFO(m))
		return 'p';
	if (S_ISSOCK(m))
		return 's';
	return '-';
}

static void
mode_string(mode_t m, char s[11])
{
	s[0] = mode_type_char(m);
	s[1] = (m & S_IRUSR) ? 'r' : '-';
	s[2] = (m & S_IWUSR) ? 'w' : '-';
	s[3] = (m & S_ISUID) ? ((m & S_IXUSR) ? 's' : 'S') :
	    ((m & S_IXUSR) ? 'x' : '-');
	s[4] = (m & S_IRGRP) ? 'r' : '-';
	s[5] = (m & S_IWGRP) ? 'w' : '-';
	s[6] = (m & S_ISGID) ? ((m & S_IXGRP) ? 's' : 'S') :
	    ((m & S_IXGRP) ? 'x' : '-');
	s[7] = (m & S_IROTH) ? 'r' : '-';
	s[8] = (m & S_IWOTH) ? 'w' : '-';
	s[9] = (m & S_ISVTX) ? ((m & S_IXOTH) ? 't' : 'T') :
	    ((m & S_IXOTH) ? 'x' : '-');
	s[10] = '\0';
}

int
listing_format_ls(struct buf *out, const char *name, const struct stat *st,
		  const char *owner, const char *group, time_t now)
{
	char mode[11];
	struct tm tm;
	time_t mt = st->st_mtime;
	size_t oldlen = out->len;
	int r;

	mode_string(st->st_mode, mode);
	/* Dates are UTC so the output does not depend on the zone files
	 * being present inside a chroot. */
	if (gmtime_r(&mt, &tm) == NULL)
		memset(&tm, 0, sizeof tm);
	r = buf_printf(out, "%s %4lu %-8s %-8s %8lld %s %02d ", mode,
		       (unsigned long)st->st_nlink, owner ? owner : "0",
		       group ? group : "0", (long long)st->st_size,
		       s_months[tm.tm_mon % 12], tm.tm_mday);
	if (r == 0) {
		if (mt <= now + 3600 && now - mt < SIX_MONTHS)
			r = buf_printf(out, "%02d:%02d ", tm.tm_hour, tm.tm_min);
		else
			r = buf_printf(out, " %04d ", tm.tm_year + 1900);
	}
	if (r == 0)
		r = buf_puts(out, name);
	if (r == 0)
		r = buf_append(out, "\r\n", 2);
	if (r < 0)
		buf_truncate(out, oldlen);
	return r;
}

static const char *
mlsx_type(const struct stat *st)
{
	if (S_ISDIR(st->st_mode))
		return "dir";
	if (S_ISREG(st->st_mode))
		return "file";
	if (S_ISLNK(st->st_mode))
		return "OS.unix=symlink";
	if (S_ISCHR(st->st_mode))
		return "OS.unix=chr";
	if (S_ISBLK(st->st_mode))
		return "OS.unix=blk";
	if (S_ISFIFO(st->st_mode))
		return "OS.unix=fifo";
	return "OS.unix=socket";
}

int
listing_format_mlsx(struct buf *out, const char *name, const struct stat *st,
		    unsigned facts, const char *type_override, const char *perm)
{
	char t[16];
	size_t oldlen = out->len;
	int r = 0;

	if (facts & MLSX_TYPE)
		r = buf_printf(out, "type=%s;",
			       type_override ? type_override : mlsx_type(st));
	if (r == 0 && (facts & MLSX_SIZE) && !S_ISDIR(st->st_mode))
		r = buf_printf(out, "size=%lld;", (long long)st->st_size);
	if (r == 0 && (facts & MLSX_MODIFY)) {
		format_ftp_time(st->st_mtime, t);
		r = buf_printf(out, "modify=%s;", t);
	}
	if (r == 0 && (facts & MLSX_PERM) && perm != NULL)
		r = buf_printf(out, "perm=%s;", perm);
	if (r == 0 && (facts & MLSX_UNIQUE))
		r = buf_printf(out, "unique=%llxg%llx;",
			       (unsigned long long)st->st_dev,
			       (unsigned long long)st->st_ino);
	if (r == 0 && (facts & MLSX_UNIX_MODE))
		r = buf_printf(out, "UNIX.mode=%04o;",
			       (unsigned)(st->st_mode & 07777));
	if (r == 0)
		r = buf_printf(out, " %s\r\n", name);
	if (r < 0)
		buf_truncate(out, oldlen);
	return r;
}

static void
entry_clear(struct list_entry *e)
{
	e->name[0] = '\0';
	e->is_dir = -1;
	e->is_link = 0;
	e->size = -1;
	e->mtime = 0;
	e->mtime_exact = 0;
}

static int
entry_set_name(struct list_entry *e, const char *s, size_t n)
{
	while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	if (n == 0 || n >= sizeof e->name || memchr(s, '\0', n) != NULL)
		return -1;
	memcpy(e->name, s, n);
	e->name[n] = '\0';
	return 0;
}

/* Decimal int64 from exactly n bytes.  0 or -1. */
static int
num_n(const char *s, size_t n, int64_t *out)
{
	char tmp[24];
	uint64_t v;

	if (n == 0 || n >= sizeof tmp)
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (parse_u64(tmp, INT64_MAX, &v) < 0)
		return -1;
	*out = (int64_t)v;
	return 0;
}

/* One "name=value" fact of an MLSD line.  Returns 1 for cdir/pdir, 0 ok,
 * -1 malformed. */
static int
mlsd_fact(struct list_entry *e, const char *f, size_t n)
{
	const char *eq = memchr(f, '=', n);
	const char *v;
	size_t kn, vn;
	char tmp[32];
	int64_t sz;

	if (eq == NULL || eq == f)
		return -1;
	kn = (size_t)(eq - f);
	v = eq + 1;
	vn = n - kn - 1;
	if (kn == 4 && strncasecmp(f, "type", 4) == 0) {
		if (vn == 4 && strncasecmp(v, "file", 4) == 0)
			e->is_dir = 0;
		else if (vn == 3 && strncasecmp(v, "dir", 3) == 0)
			e->is_dir = 1;
		else if ((vn == 4 && strncasecmp(v, "cdir", 4) == 0) ||
			 (vn == 4 && strncasecmp(v, "pdir", 4) == 0))
			return 1;
		else if (vn >= 13 && strncasecmp(v, "OS.unix=slink", 13) == 0)
			e->is_link = 1;
		else if (vn >= 15 && strncasecmp(v, "OS.unix=symlink", 15) == 0)
			e->is_link = 1;
	} else if ((kn == 4 && strncasecmp(f, "size", 4) == 0) ||
		   (kn == 4 && strncasecmp(f, "sizd", 4) == 0)) {
		if (num_n(v, vn, &sz) < 0)
			return -1;
		e->size = sz;
	} else if (kn == 6 && strncasecmp(f, "modify", 6) == 0) {
		if (vn >= sizeof tmp)
			return -1;
		memcpy(tmp, v, vn);
		tmp[vn] = '\0';
		if (parse_ftp_time(tmp, &e->mtime) < 0)
			return -1;
		e->mtime_exact = 1;
	}
	return 0;
}

int
listing_parse_mlsd(const char *line, struct list_entry *e)
{
	const char *sp, *f, *semi;
	int skip = 0, r;

	entry_clear(e);
	/* Facts contain no spaces; the name is everything after the first
	 * space (and may itself contain spaces and ';'). */
	sp = strchr(line, ' ');
	if (sp == NULL)
		return -1;
	for (f = line; f < sp; f = semi + 1) {
		semi = memchr(f, ';', (size_t)(sp - f));
		if (semi == NULL)
			return -1;	/* every fact ends with ';' */
		if (semi == f)
			continue;
		r = mlsd_fact(e, f, (size_t)(semi - f));
		if (r < 0)
			return -1;
		if (r == 1)
			skip = 1;
	}
	if (entry_set_name(e, sp + 1, strlen(sp + 1)) < 0)
		return -1;
	if (e->is_link && e->is_dir == 0)
		e->is_dir = -1;
	return skip;
}

struct tok {
	const char *s;
	size_t n;
};

static int
month_of(const struct tok *t)
{
	if (t->n != 3)
		return -1;
	for (int i = 0; i < 12; i++)
		if (strncasecmp(t->s, s_months[i], 3) == 0)
			return i;
	return -1;
}

static int
all_digits(const struct tok *t)
{
	if (t->n == 0)
		return 0;
	for (size_t i = 0; i < t->n; i++)
		if (!isdigit((unsigned char)t->s[i]))
			return 0;
	return 1;
}

/* Day, and time "HH:MM" or year "YYYY" -> UTC time (approximate: the
 * year of a recent date is guessed relative to now).  0 or -1. */
static int
ls_date(int mon, const struct tok *day, const struct tok *ty, time_t now,
	time_t *out)
{
	struct tm tm, nowtm;
	int64_t d, y, hh, mm;

	if (!all_digits(day) || num_n(day->s, day->n, &d) < 0 || d < 1 || d > 31)
		return -1;
	memset(&tm, 0, sizeof tm);
	tm.tm_mon = mon;
	tm.tm_mday = (int)d;
	if (ty->n == 5 && ty->s[2] == ':') {
		if (num_n(ty->s, 2, &hh) < 0 || num_n(ty->s + 3, 2, &mm) < 0 ||
		    hh > 23 || mm > 59)
			return -1;
		if (gmtime_r(&now, &nowtm) == NULL)
			return -1;
		tm.tm_hour = (int)hh;
		tm.tm_min = (int)mm;
		tm.tm_year = nowtm.tm_year;
		*out = timegm(&tm);
		/* "Recent" dates are never far in the future: last year. */
		if (*out > now + 24 * 3600) {
			tm.tm_year--;
			*out = timegm(&tm);
		}
		return 0;
	}
	if (ty->n == 4 && all_digits(ty) && num_n(ty->s, 4, &y) == 0 &&
	    y >= 1900) {
		tm.tm_year = (int)y - 1900;
		*out = timegm(&tm);
		return 0;
	}
	return -1;
}

#define LS_MAXTOK 10

int
listing_parse_ls(const char *line, time_t now, struct list_entry *e)
{
	struct tok t[LS_MAXTOK];
	const char *p = line, *name, *arrow = NULL;
	int nt = 0, mon = -1, i;
	int64_t sz;

	entry_clear(e);
	while (*p == ' ')
		p++;
	if (*p == '\0' || strncasecmp(p, "total ", 6) == 0 ||
	    strcasecmp(p, "total") == 0)
		return 1;
	/* Tokens up to the date; the name is taken raw afterwards. */
	while (nt < LS_MAXTOK && *p != '\0') {
		t[nt].s = p;
		while (*p != '\0' && *p != ' ')
			p++;
		t[nt].n = (size_t)(p - t[nt].s);
		nt++;
		/* Date is month, day, time/year; size comes just before. */
		if (nt >= 6 && (mon = month_of(&t[nt - 3])) >= 0 &&
		    all_digits(&t[nt - 4]) && all_digits(&t[nt - 2]) &&
		    *p == ' ')
			break;
		mon = -1;
		while (*p == ' ')
			p++;
	}
	if (mon < 0 || t[0].n < 10 || strchr("-dlcbps", t[0].s[0]) == NULL)
		return -1;
	i = nt - 3;
	if (ls_date(mon, &t[i + 1], &t[i + 2], now, &e->mtime) < 0)
		return -1;
	if (num_n(t[i - 1].s, t[i - 1].n, &sz) < 0)
		return -1;
	name = p + 1;		/* exactly one space after the date */
	e->size = sz;
	e->is_dir = t[0].s[0] == 'd';
	if (t[0].s[0] == 'l') {
		e->is_link = 1;
		e->is_dir = -1;
		arrow = strstr(name, " -> ");
	}
	/* A link named ".." is still "..": skip it like any other. */
	if (entry_set_name(e, name, arrow != NULL ? (size_t)(arrow - name) :
			   strlen(name)) < 0)
		return -1;
	if (strcmp(e->name, ".") == 0 || strcmp(e->name, "..") == 0)
		return 1;
	return 0;
}
