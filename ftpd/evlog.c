/* evlog.c: syslog settings, the JSON-lines event log and log reopening
 * (see evlog.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "evlog.h"
#include "buf.h"
#include "log.h"
#include "parse.h"
#include "session.h"
#include "sys.h"

#define EVLOG_NUMS_MAX 64
#define EVLOG_LINE_MAX (3 * 4096 + 1024)	/* a path may triple when escaped */

static int s_json_fd = -1;
static char *s_json_path;

static const struct {
	const char *name;
	int facility;
} s_facilities[] = {
	{ "ftp", LOG_FTP }, { "daemon", LOG_DAEMON }, { "auth", LOG_AUTH },
	{ "authpriv", LOG_AUTHPRIV }, { "user", LOG_USER },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

int
evlog_facility(const char *name)
{
	for (size_t i = 0; i < sizeof s_facilities / sizeof s_facilities[0]; i++)
		if (strcmp(s_facilities[i].name, name) == 0)
			return s_facilities[i].facility;
	return -1;
}

void
evlog_syslog_init(const struct ftpd_conf *conf, int use_syslog)
{
	int f = evlog_facility(conf->syslog_facility);

	log_init(conf->syslog_ident[0] != '\0' ? conf->syslog_ident : "ftpd",
		 use_syslog, f >= 0 ? f : LOG_FTP);
}

static int
open_log(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW |
		    O_CLOEXEC, 0640);
}

int
evlog_open(const struct ftpd_conf *conf, char *err, size_t errlen)
{
	char *path;
	int fd = -1;

	if (conf->json_log[0] != '\0') {
		fd = open_log(conf->json_log);
		if (fd < 0) {
			snprintf(err, errlen, "json_log: cannot open %s: %s",
				 conf->json_log, strerror(errno));
			return -1;
		}
	}
	path = fd >= 0 ? strdup(conf->json_log) : NULL;
	if (fd >= 0 && path == NULL) {
		sys_close_failok(fd);
		snprintf(err, errlen, "json_log: out of memory");
		return -1;
	}
	if (s_json_fd >= 0)
		sys_close_failok(s_json_fd);
	free(s_json_path);
	s_json_fd = fd;
	s_json_path = path;
	return 0;
}

int
evlog_enabled(void)
{
	return s_json_fd >= 0;
}

/* Opens path again and puts it at descriptor fd. */
static void
reopen_at(int fd, const char *path, const char *what)
{
	int nfd;

	if (fd < 0 || path == NULL || path[0] == '\0')
		return;
	nfd = open_log(path);
	if (nfd < 0 || dup3(nfd, fd, O_CLOEXEC) < 0) {
		log_msg(LOG_ERR, "%s: cannot reopen %s: %s; still writing to "
			"the old file", what, path, strerror(errno));
		if (nfd >= 0)
			sys_close_failok(nfd);
		return;
	}
	sys_close_failok(nfd);
}

void
evlog_reopen(const struct ftpd_env *env)
{
	reopen_at(env->xferlog_fd, env->conf->xferlog, "xferlog");
	reopen_at(s_json_fd, s_json_path, "json_log");
}

static int
moved(int fd, const char *path)
{
	struct stat a, b;

	if (fd < 0 || path == NULL || path[0] == '\0' || fstat(fd, &a) < 0)
		return 0;
	return stat(path, &b) < 0 || a.st_dev != b.st_dev || a.st_ino != b.st_ino;
}

void
evlog_reopen_if_moved(const struct ftpd_env *env)
{
	if (moved(env->xferlog_fd, env->conf->xferlog))
		reopen_at(env->xferlog_fd, env->conf->xferlog, "xferlog");
	if (moved(s_json_fd, s_json_path))
		reopen_at(s_json_fd, s_json_path, "json_log");
}

/* Length of the valid UTF-8 sequence at p (at most n bytes), or 0. */
static size_t
utf8_seq(const unsigned char *p, size_t n)
{
	size_t len = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc0 ? 2 : 0;

	if (len == 0 || len > n || !utf8_valid((const char *)p, len))
		return 0;
	return len;
}

/* A JSON string (RFC 8259): quotes, backslashes and control characters
 * escaped, invalid UTF-8 replaced by U+FFFD; NULL becomes null. */
static int
json_string(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;
	int r;

	if (s == NULL)
		return buf_puts(b, "null");
	r = buf_putc(b, '"');
	n = strlen(s);
	while (r == 0 && n > 0) {
		size_t k;

		if (*p == '"' || *p == '\\') {
			r = buf_putc(b, '\\') | buf_putc(b, (char)*p);
			k = 1;
		} else if (*p < 0x20 || *p == 0x7f) {
			r = buf_printf(b, "\\u%04x", *p);
			k = 1;
		} else if (*p < 0x80) {
			r = buf_putc(b, (char)*p);
			k = 1;
		} else if ((k = utf8_seq(p, n)) > 0) {
			r = buf_append(b, p, k);
		} else {
			r = buf_puts(b, "\\ufffd");
			k = 1;
		}
		p += k;
		n -= k;
	}
	return r == 0 ? buf_putc(b, '"') : -1;
}

int
evlog_format(const struct evlog_event *e, long long unix_ms, char *out,
	     size_t n)
{
	struct buf b = BUF_INIT(EVLOG_LINE_MAX);
	time_t secs = (time_t)(unix_ms / 1000);
	char when[32];
	struct tm tm;
	long long ms = e->ms < 0 ? 0 : e->ms;
	int r;

	if (gmtime_r(&secs, &tm) == NULL ||
	    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		return -1;
	r = buf_printf(&b, "{\"time\":\"%s.%03lldZ\",\"session\":", when,
		       unix_ms % 1000);
	r |= json_string(&b, e->session);
	r |= buf_puts(&b, ",\"client\":");
	r |= json_string(&b, e->client);
	r |= buf_puts(&b, ",\"user\":");
	r |= json_string(&b, e->user);
	r |= buf_puts(&b, ",\"event\":");
	r |= json_string(&b, e->event);
	r |= buf_puts(&b, ",\"path\":");
	r |= json_string(&b, e->path);
	r |= buf_printf(&b, ",\"bytes\":%" PRIu64 ",\"duration\":%lld.%03lld,"
			"\"result\":", e->bytes, ms / 1000, ms % 1000);
	r |= json_string(&b, e->result);
	r |= buf_putc(&b, '}');
	if (r != 0 || b.len >= n) {
		buf_free(&b);
		return -1;
	}
	memcpy(out, buf_cstr(&b), b.len + 1);
	buf_free(&b);
	return 0;
}

void
evlog_write(const struct evlog_event *e)
{
	static char line[EVLOG_LINE_MAX + 2];
	struct timespec ts;
	size_t n;

	if (s_json_fd < 0)
		return;
	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		return;
	if (evlog_format(e, (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000,
			 line, sizeof line - 1) < 0) {
		log_msg(LOG_WARNING, "json_log: event %s too long; not logged",
			e->event);
		return;
	}
	n = strlen(line);
	line[n++] = '\n';
	/* One write per line: with O_APPEND, monitors never interleave. */
	if (sys_write_full(s_json_fd, line, n) < 0)
		log_msg(LOG_WARNING, "json_log write failed: %s", strerror(errno));
}

void
evlog_xfer_request(struct session *s, const char *vpath, uint64_t bytes,
		   long long ms, int incoming, int complete)
{
	struct priv_field f[2];
	char nums[EVLOG_NUMS_MAX];
	const struct priv_rule *rule = priv_rule(PRIV_XFER_EVENT);

	if (s->conf->json_log[0] == '\0')
		return;
	snprintf(nums, sizeof nums, "%" PRIu64 " %lld %c%c", bytes,
		 ms < 0 ? 0 : ms, incoming ? 'i' : 'o', complete ? 'c' : 'i');
	f[0].p = vpath;
	f[0].n = strlen(vpath);
	f[1].p = nums;
	f[1].n = strlen(nums);
	if (f[0].n > rule->cap[0])
		f[0].n = rule->cap[0];
	if (priv_send(s->privfd, PRIV_XFER_EVENT, 2, f) < 0)
		log_msg(LOG_WARNING, "%s: event log request failed: %s",
			s->peer_str, strerror(errno));
}

int
evlog_xfer_parse(const struct priv_msg *m, struct evlog_event *e)
{
	char a[24], b[24], c[3], again[EVLOG_NUMS_MAX];
	uint64_t bytes, ms;

	if (m->f[1].n >= EVLOG_NUMS_MAX ||
	    sscanf(m->f[1].p, "%23[0-9] %23[0-9] %2[ioc]", a, b, c) != 3 ||
	    strlen(c) != 2 || (c[0] != 'i' && c[0] != 'o') ||
	    (c[1] != 'c' && c[1] != 'i'))
		return -1;
	if (parse_u64(a, UINT64_MAX, &bytes) < 0 ||
	    parse_u64(b, INT64_MAX, &ms) < 0)
		return -1;
	/* Nothing may follow the flags. */
	snprintf(again, sizeof again, "%s %s %s", a, b, c);
	if (strcmp(again, m->f[1].p) != 0)
		return -1;
	e->event = c[0] == 'i' ? "upload" : "download";
	e->path = m->f[0].p;
	e->bytes = bytes;
	e->ms = (long long)ms;
	e->result = c[1] == 'c' ? "ok" : "incomplete";
	return 0;
}
