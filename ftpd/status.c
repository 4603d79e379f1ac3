/* status.c: per-session status files and `ftpd --who` (see status.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "status.h"
#include "log.h"
#include "parse.h"
#include "session.h"
#include "sys.h"

#define STATUS_PREFIX "session."
#define STATUS_DOING_MAX 512		/* PRIV_STATUS field 0 cap */
#define STATUS_NUMS_MAX 64		/* PRIV_STATUS field 1 cap */
#define STATUS_PROGRESS_MS 1000
#define STATUS_WHO_MAX 4096		/* sessions listed at most */

/* status_dir is usable: set by status_prepare in the daemon, inherited
 * by the monitors it forks (no warning per session when it is not). */
static int s_dir_ok;

/* ---- monitor side: this session's record ---- */

static struct {
	int on;
	char path[4096];
	char tmp[4096];
	char session[40];
	char client[64];
	char user[256];
	char doing[STATUS_DOING_MAX + 1];
	uint64_t total, xfer;
	time_t since;
} s_rec;

/* Values are single lines of printable text. */
static void
put_value(FILE *fp, const char *key, const char *v)
{
	fprintf(fp, "%s ", key);
	for (; *v != '\0'; v++)
		fputc((unsigned char)*v < 0x20 || *v == 0x7f ? '?' : *v, fp);
	fputc('\n', fp);
}

static void
rec_write(void)
{
	FILE *fp;
	int fd, ok;

	if (!s_rec.on)
		return;
	fd = open(s_rec.tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
		  O_CLOEXEC, 0600);
	if (fd < 0 || (fp = fdopen(fd, "w")) == NULL) {
		log_msg(LOG_WARNING, "status file %s: %s; --who will not show "
			"this session", s_rec.tmp, strerror(errno));
		if (fd >= 0)
			sys_close_failok(fd);
		s_rec.on = 0;
		return;
	}
	fprintf(fp, "pid %ld\n", (long)getpid());
	put_value(fp, "session", s_rec.session);
	fprintf(fp, "since %lld\n", (long long)s_rec.since);
	put_value(fp, "client", s_rec.client);
	put_value(fp, "user", s_rec.user[0] != '\0' ? s_rec.user : "-");
	fprintf(fp, "total %" PRIu64 "\nxfer %" PRIu64 "\n", s_rec.total,
		s_rec.xfer);
	put_value(fp, "doing", s_rec.doing);
	ok = fflush(fp) == 0 && !ferror(fp);
	if (fclose(fp) != 0)
		ok = 0;
	if (!ok || rename(s_rec.tmp, s_rec.path) < 0) {
		log_msg(LOG_WARNING, "status file %s: %s", s_rec.path,
			strerror(errno));
		(void)unlink(s_rec.tmp);
	}
}

void
status_open(const struct ftpd_conf *conf, const char *session,
	    const char *client)
{
	memset(&s_rec, 0, sizeof s_rec);
	if (conf->status_dir[0] == '\0' || !s_dir_ok)
		return;
	if ((size_t)snprintf(s_rec.path, sizeof s_rec.path, "%s/" STATUS_PREFIX
			     "%ld", conf->status_dir, (long)getpid()) >=
	    sizeof s_rec.path ||
	    (size_t)snprintf(s_rec.tmp, sizeof s_rec.tmp, "%s/.tmp."
			     STATUS_PREFIX "%ld", conf->status_dir,
			     (long)getpid()) >= sizeof s_rec.tmp)
		return;
	snprintf(s_rec.session, sizeof s_rec.session, "%s", session);
	snprintf(s_rec.client, sizeof s_rec.client, "%s", client);
	snprintf(s_rec.doing, sizeof s_rec.doing, "connected");
	s_rec.since = time(NULL);
	s_rec.on = 1;
	rec_write();
}

void
status_set_user(const char *user)
{
	snprintf(s_rec.user, sizeof s_rec.user, "%s", user != NULL ? user : "");
	rec_write();
}

/* "XFER TOTAL", strictly. */
static int
parse_counters(const char *s, uint64_t *xfer, uint64_t *total)
{
	char a[24], b[24], again[STATUS_NUMS_MAX];

	if (strlen(s) >= STATUS_NUMS_MAX ||
	    sscanf(s, "%23[0-9] %23[0-9]", a, b) != 2)
		return -1;
	snprintf(again, sizeof again, "%s %s", a, b);
	if (strcmp(again, s) != 0 || parse_u64(a, UINT64_MAX, xfer) < 0 ||
	    parse_u64(b, UINT64_MAX, total) < 0)
		return -1;
	return 0;
}

int
status_answer(const struct priv_msg *m)
{
	uint64_t xfer, total;

	if (parse_counters(m->f[1].p, &xfer, &total) < 0)
		return -1;
	snprintf(s_rec.doing, sizeof s_rec.doing, "%s", (const char *)m->f[0].p);
	s_rec.xfer = xfer;
	s_rec.total = total;
	rec_write();
	return 0;
}

void
status_close(void)
{
	if (s_rec.path[0] != '\0')
		(void)unlink(s_rec.path);
	s_rec.on = 0;
}

/* ---- daemon side ---- */

/* 1 if the file name is a status file of a process that is gone. */
static int
stale(const char *name)
{
	uint64_t pid;

	if (strncmp(name, STATUS_PREFIX, strlen(STATUS_PREFIX)) != 0 ||
	    parse_u64(name + strlen(STATUS_PREFIX), INT32_MAX, &pid) < 0)
		return 0;
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

int
status_prepare(const struct ftpd_conf *conf, char *err, size_t errlen)
{
	const char *dir = conf->status_dir;
	struct stat st;
	struct dirent *de;
	DIR *d;
	int fd;

	s_dir_ok = 0;
	if (dir[0] == '\0')
		return 0;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "status_dir: cannot create %s: %s", dir,
			 strerror(errno));
		return -1;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errlen, "status_dir: %s: %s", dir, strerror(errno));
		if (fd >= 0)
			sys_close_failok(fd);
		return -1;
	}
	/* SECURITY: a folder someone else controls could swap our files. */
	if (st.st_uid != geteuid()) {
		sys_close_failok(fd);
		snprintf(err, errlen, "status_dir: %s is not owned by uid %ld",
			 dir, (long)geteuid());
		return -1;
	}
	if ((st.st_mode & 077) != 0 && fchmod(fd, 0700) < 0) {
		sys_close_failok(fd);
		snprintf(err, errlen, "status_dir: chmod %s: %s", dir,
			 strerror(errno));
		return -1;
	}
	d = fdopendir(fd);
	if (d == NULL) {
		sys_close_failok(fd);
		snprintf(err, errlen, "status_dir: %s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL)
		if (stale(de->d_name))
			(void)unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
	s_dir_ok = 1;
	return 0;
}

/* ---- worker side ---- */

static int s_idle_sent;
static long long s_progress_ms;

static void
send_status(struct session *s, const char *doing, uint64_t xfer)
{
	struct priv_field f[2];
	char nums[STATUS_NUMS_MAX];

	snprintf(nums, sizeof nums, "%" PRIu64 " %" PRIu64, xfer,
		 s->bytes_in + s->bytes_out + xfer);
	f[0].p = doing;
	f[0].n = strlen(doing);
	if (f[0].n > STATUS_DOING_MAX)
		f[0].n = STATUS_DOING_MAX;
	f[1].p = nums;
	f[1].n = strlen(nums);
	/* Status is best effort: a monitor that is gone ends the session
	 * elsewhere. */
	(void)priv_send(s->privfd, PRIV_STATUS, 2, f);
}

void
status_command(struct session *s, const char *line)
{
	char doing[STATUS_DOING_MAX + 1], verb[8];
	const char *arg;
	size_t n;

	s_idle_sent = 0;
	s_progress_ms = sys_now_ms();
	/* SECURITY: the password (or account secret) never leaves the
	 * worker. */
	if (parse_command(line, verb, sizeof verb, &arg) == 0 &&
	    (strcasecmp(verb, "PASS") == 0 || strcasecmp(verb, "ACCT") == 0))
		line = strcasecmp(verb, "PASS") == 0 ? "PASS <hidden>" :
		       "ACCT <hidden>";
	n = strlen(line);
	if (n > STATUS_DOING_MAX)
		n = STATUS_DOING_MAX;
	memcpy(doing, line, n);
	doing[n] = '\0';
	/* The status file is line based: no control bytes. */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)doing[i] < 0x20)
			doing[i] = '?';
	send_status(s, doing, 0);
}

void
status_idle(struct session *s)
{
	if (s_idle_sent)
		return;
	s_idle_sent = 1;
	send_status(s, "idle", 0);
}

void
status_progress(struct session *s, uint64_t xfer_bytes)
{
	char doing[STATUS_DOING_MAX + 1];
	long long now = sys_now_ms();

	if (now - s_progress_ms < STATUS_PROGRESS_MS)
		return;
	s_progress_ms = now;
	snprintf(doing, sizeof doing, "%s", buf_cstr(&s->line));
	for (char *p = doing; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20)
			*p = '?';
	send_status(s, doing, xfer_bytes);
}

/* ---- ftpd --who ---- */

struct who_row {
	long pid;
	long long since;
	uint64_t total, xfer;
	char user[64], client[64], doing[STATUS_DOING_MAX + 1];
};

static int
read_row(int dfd, const char *name, struct who_row *r)
{
	char line[STATUS_DOING_MAX + 64];
	FILE *fp;
	int fd, seen = 0;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || (fp = fdopen(fd, "r")) == NULL) {
		if (fd >= 0)
			sys_close_failok(fd);
		return -1;
	}
	memset(r, 0, sizeof *r);
	while (fgets(line, sizeof line, fp) != NULL) {
		char *v = strchr(line, ' ');

		if (v == NULL)
			continue;
		*v++ = '\0';
		v[strcspn(v, "\n")] = '\0';
		if (strcmp(line, "pid") == 0) {
			r->pid = strtol(v, NULL, 10);
			seen = 1;
		} else if (strcmp(line, "since") == 0)
			r->since = strtoll(v, NULL, 10);
		else if (strcmp(line, "total") == 0)
			r->total = strtoull(v, NULL, 10);
		else if (strcmp(line, "xfer") == 0)
			r->xfer = strtoull(v, NULL, 10);
		else if (strcmp(line, "user") == 0)
			snprintf(r->user, sizeof r->user, "%s", v);
		else if (strcmp(line, "client") == 0)
			snprintf(r->client, sizeof r->client, "%s", v);
		else if (strcmp(line, "doing") == 0)
			snprintf(r->doing, sizeof r->doing, "%s", v);
	}
	(void)fclose(fp);
	return seen ? 0 : -1;
}

static int
by_since(const void *a, const void *b)
{
	const struct who_row *x = a, *y = b;

	if (x->since != y->since)
		return x->since < y->since ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

int
status_who(const struct ftpd_conf *conf, FILE *out, FILE *err)
{
	struct who_row *rows;
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	if (conf->status_dir[0] == '\0') {
		fprintf(err, "ftpd: --who: status_dir is empty, so sessions "
			"are not recorded\n");
		return 1;
	}
	d = opendir(conf->status_dir);
	if (d == NULL) {
		fprintf(err, "ftpd: --who: %s: %s (is ftpd running with this "
			"configuration?)\n", conf->status_dir, strerror(errno));
		return 1;
	}
	rows = calloc(STATUS_WHO_MAX, sizeof *rows);
	if (rows == NULL) {
		closedir(d);
		fprintf(err, "ftpd: --who: out of memory\n");
		return 1;
	}
	while ((de = readdir(d)) != NULL && n < STATUS_WHO_MAX) {
		if (strncmp(de->d_name, STATUS_PREFIX,
			    strlen(STATUS_PREFIX)) != 0 || stale(de->d_name))
			continue;
		if (read_row(dirfd(d), de->d_name, &rows[n]) == 0)
			n++;
	}
	closedir(d);
	qsort(rows, n, sizeof *rows, by_since);
	fprintf(out, "%-7s %-16s %-24s %-8s %12s  %s\n", "PID", "USER",
		"CLIENT", "SINCE", "BYTES", "DOING");
	for (size_t i = 0; i < n; i++) {
		const struct who_row *r = &rows[i];
		char since[16] = "?";
		time_t t = (time_t)r->since;
		struct tm tm;

		if (localtime_r(&t, &tm) != NULL)
			strftime(since, sizeof since, "%H:%M:%S", &tm);
		fprintf(out, "%-7ld %-16s %-24s %-8s %12" PRIu64 "  %s", r->pid,
			r->user, r->client, since, r->total, r->doing);
		if (r->xfer > 0)
			fprintf(out, " (%" PRIu64 " bytes so far)", r->xfer);
		fputc('\n', out);
	}
	free(rows);
	return fflush(out) == 0 ? 0 : 1;
}
