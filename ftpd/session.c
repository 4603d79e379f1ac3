/* session.c: the session struct's life cycle, the reply helpers and the
 * read -> dispatch loop of a worker (idle timeout, overlong lines, the
 * queue of commands that arrived during a transfer). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "session.h"
#include "cmdtab.h"
#include "drain.h"
#include "listing.h"
#include "log.h"
#include "path.h"
#include "proxyhdr.h"
#include "reply.h"
#include "status.h"
#include "sys.h"

void
session_init(struct session *s, const struct ftpd_env *env, int ctrl_rfd,
	     int ctrl_wfd, int privfd, pid_t monitor)
{
	const struct ftpd_conf *conf = env->conf;

	memset(s, 0, sizeof *s);
	s->env = env;
	s->conf = conf;
	conn_init(&s->ctrl, ctrl_rfd, (int)conf->idle_timeout * 1000);
	s->ctrl.wfd = ctrl_wfd;
	line_init(&s->lr, &s->ctrl, conf->max_line);
	buf_init(&s->line, conf->max_line + 1);
	if (proxyhdr_peer_addr(ctrl_rfd, &s->peer) == 0 &&
	    net_local_addr(ctrl_rfd, &s->local) == 0) {
		s->have_addrs = 1;
		net_ntop(&s->peer, s->peer_str, sizeof s->peer_str, 0);
	} else {
		snprintf(s->peer_str, sizeof s->peer_str, "stdin");
	}
	s->privfd = privfd;
	s->monitor = monitor;
	s->rootfd = -1;
	buf_init(&s->cwd, PATH_MAX_VIRTUAL);
	(void)buf_set(&s->cwd, "/");
	s->mode = 'S';
	s->stru = 'F';
	s->mlst_facts = MLSX_ALL;
	buf_init(&s->rnfr, PATH_MAX_VIRTUAL);
	dc_init(&s->data);
	for (unsigned i = 0; i < SESSION_QUEUE_MAX; i++)
		buf_init(&s->queued[i], conf->max_line + 1);
	s->started_ms = sys_now_ms();
}

/* The line reader's buffer is reached directly: lib/line.h has no call
 * to push bytes back or take them out (noted for lib). */
void
session_preload(struct session *s, const void *p, size_t n)
{
	if (n > sizeof s->lr.raw)
		n = sizeof s->lr.raw;
	memcpy(s->lr.raw, p, n);
	s->lr.start = 0;
	s->lr.end = n;
}

size_t
session_pending(const struct session *s, char *out, size_t cap)
{
	size_t n = s->lr.end - s->lr.start;

	if (n > cap)
		n = cap;
	memcpy(out, s->lr.raw + s->lr.start, n);
	return n;
}

void
session_reset_user(struct session *s)
{
	s->user_given = 0;
	explicit_bzero(s->user, sizeof s->user);
	s->rest = 0;
	s->rnfr_set = 0;
	buf_reset(&s->rnfr);
	s->type_ascii = 0;
	s->mode = 'S';
	s->stru = 'F';
	s->mlst_facts = MLSX_ALL;
	dc_reset(&s->data);
	s->data.epsv_all = 0;
}

void
session_free(struct session *s)
{
	dc_reset(&s->data);
	buf_free(&s->line);
	buf_free(&s->cwd);
	buf_free(&s->rnfr);
	for (unsigned i = 0; i < SESSION_QUEUE_MAX; i++)
		buf_free(&s->queued[i]);
	if (s->rootfd >= 0)
		sys_close_failok(s->rootfd);
	s->rootfd = -1;
}

void
reply(struct session *s, int code, const char *text)
{
	if (s->ctrl_lost)
		return;
	if (reply_send(&s->ctrl, code, text) < 0) {
		log_msg(LOG_INFO, "%s: control connection lost while replying",
			s->peer_str);
		s->ctrl_lost = 1;
		s->quit = 1;
	}
}

void
replyf(struct session *s, int code, const char *fmt, ...)
{
	struct buf b = BUF_INIT(64 * 1024);
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (r < 0)
		reply(s, code, "(reply too long)");
	else
		reply(s, code, buf_cstr(&b));
	buf_free(&b);
}

const char *
log_safe(const char *in, char *out, size_t n)
{
	size_t i;

	if (n == 0)
		return "";
	for (i = 0; in[i] != '\0' && i + 1 < n; i++)
		out[i] = ((unsigned char)in[i] < 0x20 || in[i] == 0x7f) ? '?' : in[i];
	out[i] = '\0';
	return out;
}

void
reply_buf(struct session *s, int code, const struct buf *text)
{
	reply(s, code, buf_cstr(text));
}

/* Takes the oldest queued command into s->line.  1 if there was one. */
static int
take_queued(struct session *s)
{
	struct buf tmp;

	if (s->nqueued == 0)
		return 0;
	buf_reset(&s->line);
	if (buf_append(&s->line, s->queued[0].data, s->queued[0].len) < 0)
		buf_reset(&s->line);
	/* Rotate the buffers instead of copying the rest. */
	tmp = s->queued[0];
	for (unsigned i = 1; i < s->nqueued; i++)
		s->queued[i - 1] = s->queued[i];
	buf_reset(&tmp);
	s->queued[--s->nqueued] = tmp;
	return 1;
}

void
session_loop(struct session *s)
{
	int st;

	while (!s->quit) {
		if (drain_check(s) < 0)		/* SIGTERM: 421 sent */
			return;
		if (!take_queued(s)) {
			status_idle(s);
			if (drain_wait_begin(s) < 0)
				return;
			st = line_read(&s->lr, &s->line);
			drain_wait_end();
			switch (st) {
			case LINE_OK:
				break;
			case LINE_TOOLONG:
				replyf(s, 500, "Command line too long (limit %u "
				       "bytes); discarded.", s->conf->max_line);
				continue;
			case LINE_TIMEOUT:
				replyf(s, 421, "Timeout: no command for %u "
				       "seconds; closing control connection.",
				       s->conf->idle_timeout);
				log_msg(LOG_INFO, "%s: idle timeout", s->peer_str);
				return;
			default:	/* EOF or error */
				return;
			}
		}
		status_command(s, buf_cstr(&s->line));
		cmd_dispatch(s, s->line.data != NULL ? s->line.data : "",
			     s->line.len);
	}
}
