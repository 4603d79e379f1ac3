/* xferlog.c: transfer log lines, requested by the worker and written by
 * the monitor (see xferlog.h).  Message fields: the virtual path, and
 * "BYTES SECONDS FLAGS" where FLAGS is three letters: type (a/b),
 * direction (i/o), completion (c/i). */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "xferlog.h"
#include "log.h"
#include "parse.h"
#include "session.h"
#include "sys.h"

#define XFERLOG_NUMS_MAX 64

void
xferlog_request(struct session *s, const char *vpath, uint64_t bytes,
		long long ms, int incoming, int complete)
{
	struct priv_field f[2];
	char nums[XFERLOG_NUMS_MAX];

	if (s->conf->xferlog[0] == '\0')
		return;
	snprintf(nums, sizeof nums, "%" PRIu64 " %lld %c%c%c", bytes,
		 ms < 0 ? 0 : (ms + 999) / 1000, s->type_ascii ? 'a' : 'b',
		 incoming ? 'i' : 'o', complete ? 'c' : 'i');
	f[0].p = vpath;
	f[0].n = strlen(vpath);
	f[1].p = nums;
	f[1].n = strlen(nums);
	if (f[0].n > priv_rule(PRIV_XFERLOG)->cap[0])
		f[0].n = priv_rule(PRIV_XFERLOG)->cap[0];
	if (priv_send(s->privfd, PRIV_XFERLOG, 2, f) < 0)
		log_msg(LOG_WARNING, "%s: xferlog request failed: %s",
			s->peer_str, strerror(errno));
}

/* xferlog fields may not hold spaces; wu-ftpd wrote '_' instead. */
static void
field_text(char *out, size_t n, const char *in)
{
	size_t i;

	for (i = 0; in[i] != '\0' && i + 1 < n; i++)
		out[i] = (in[i] == ' ' || (unsigned char)in[i] < 0x20 ||
			  in[i] == 0x7f) ? '_' : in[i];
	out[i] = '\0';
}

/* "BYTES SECONDS FLAGS", strictly.  0 or -1. */
static int
parse_nums(const char *s, uint64_t *bytes, uint64_t *secs, char flags[3])
{
	char a[24], b[24], c[4];

	if (strlen(s) >= XFERLOG_NUMS_MAX ||
	    sscanf(s, "%23[0-9] %23[0-9] %3[abioc]", a, b, c) != 3 ||
	    strlen(c) != 3)
		return -1;
	if (parse_u64(a, UINT64_MAX, bytes) < 0 ||
	    parse_u64(b, UINT32_MAX, secs) < 0)
		return -1;
	if ((c[0] != 'a' && c[0] != 'b') || (c[1] != 'i' && c[1] != 'o') ||
	    (c[2] != 'c' && c[2] != 'i'))
		return -1;
	/* The format leaves no room for anything after the flags. */
	{
		char again[XFERLOG_NUMS_MAX];

		snprintf(again, sizeof again, "%s %s %s", a, b, c);
		if (strcmp(again, s) != 0)
			return -1;
	}
	memcpy(flags, c, 3);
	return 0;
}

int
xferlog_answer(const struct ftpd_env *env, const char *peer, const char *user,
	       enum auth_kind kind, const struct priv_msg *m)
{
	char line[4096 + 512], name[4096], who[AUTH_USER_MAX], when[64];
	char flags[3];
	uint64_t bytes, secs;
	struct tm tm;
	time_t now = time(NULL);
	int n;

	if (parse_nums(m->f[1].p, &bytes, &secs, flags) < 0)
		return -1;
	if (env->xferlog_fd < 0)
		return 0;
	localtime_r(&now, &tm);
	strftime(when, sizeof when, "%a %b %e %H:%M:%S %Y", &tm);
	field_text(name, sizeof name, m->f[0].p);
	field_text(who, sizeof who, user);
	n = snprintf(line, sizeof line,
		     "%s %" PRIu64 " %s %" PRIu64 " %s %c _ %c %c %s ftp 0 * %c\n",
		     when, secs, peer, bytes, name[0] != '\0' ? name : "_",
		     flags[0], flags[1],
		     kind == AUTH_ANON ? 'a' : kind == AUTH_VIRTUAL ? 'g' : 'r',
		     who, flags[2]);
	if (n > 0 && (size_t)n < sizeof line &&
	    sys_write_full(env->xferlog_fd, line, (size_t)n) < 0)
		log_msg(LOG_WARNING, "xferlog write failed: %s", strerror(errno));
	return 0;
}
