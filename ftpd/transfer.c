/* transfer.c: transfer glue shared by RETR/STOR/APPE/STOU and the
 * listings (see transfer.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "transfer.h"
#include "datachan.h"
#include "log.h"
#include "parse.h"
#include "session.h"
#include "sys.h"
#include "tls_session.h"
#include "evlog.h"
#include "status.h"
#include "throttle.h"
#include "xferlog.h"

int
transfer_open(struct session *s, struct conn *data, const char *text150)
{
	char why[384];

	s->abort_requested = 0;
	if (dc_open(s, data, why, sizeof why) < 0) {
		replyf(s, 425, "Cannot open data connection: %s.", why);
		if (s->abort_requested)
			reply(s, 226, "ABOR successful.");
		s->abort_requested = 0;
		return -1;
	}
	reply(s, 150, text150);
	/* PROT P: the TLS handshake comes after the 150 (clients start it
	 * when they see it). */
	if (ftls_data_open(s, data) < 0)
		return -1;
	return 0;
}

void
transfer_start(struct session *s)
{
	s->in_transfer = 1;
	s->abort_requested = 0;
	s->xfer_bytes = 0;
}

/* 1 if a complete command line is already buffered in the reader (it
 * arrived together with an earlier one, so poll() will not report it). */
static int
line_buffered(const struct session *s)
{
	return s->lr.end > s->lr.start &&
	       memchr(s->lr.raw + s->lr.start, '\n', s->lr.end - s->lr.start) != NULL;
}

/* Handles one control line during a transfer.  Returns 1 to stop the
 * transfer. */
static int
watch_one(struct session *s)
{
	struct buf line = BUF_INIT(s->conf->max_line + 1);
	char verb[8];
	const char *arg;
	int st, stop = 0;

	st = line_read(&s->lr, &line);
	if (st == LINE_TOOLONG) {
		reply(s, 500, "Command line too long; discarded.");
	} else if (st != LINE_OK) {
		/* The client went away or fell silent mid-transfer. */
		s->quit = 1;
		s->ctrl_lost = st != LINE_TIMEOUT;
		stop = 1;
	} else if (parse_command(buf_cstr(&line), verb, sizeof verb, &arg) == 0 &&
		   strcmp(verb, "ABOR") == 0) {
		s->abort_requested = 1;
		stop = 1;
	} else if (strcmp(verb, "STAT") == 0 && (arg == NULL || *arg == '\0')) {
		replyf(s, 213, "Status: %llu bytes transferred so far.",
		       (unsigned long long)s->xfer_bytes);
	} else if (s->nqueued < SESSION_QUEUE_MAX) {
		/* Pipelined commands run after the transfer. */
		buf_reset(&s->queued[s->nqueued]);
		if (buf_append(&s->queued[s->nqueued], line.data, line.len) == 0)
			s->nqueued++;
	} else {
		log_msg(LOG_NOTICE, "%s: too many commands during a transfer",
			s->peer_str);
		stop = 1;
	}
	buf_free(&line);
	return stop;
}

int
transfer_watch(struct session *s)
{
	do {
		if (watch_one(s))
			return 1;
	} while (line_buffered(s));
	return 0;
}

static int
watch_control(void *arg)
{
	return transfer_watch(arg);
}

static void
on_progress(void *arg, uint64_t total)
{
	struct session *s = arg;

	s->xfer_bytes = total;
	status_progress(s, total);	/* for ftpd --who, once a second */
}

void
transfer_opts(struct session *s, struct xfer_opts *o)
{
	xfer_opts_init(o);
	o->ascii = s->type_ascii;
	o->timeout_ms = (int)throttle_stall_timeout(s->conf) * 1000;
	o->max_rate = throttle_max_rate(s->conf, s->kind);
	o->watch_fd = s->ctrl.fd;
	o->on_watch = watch_control;
	o->on_progress = on_progress;
	o->arg = s;
}

int
transfer_finish(struct session *s, int r, int err, const char *ok_text)
{
	s->in_transfer = 0;
	switch (r) {
	case XFER_OK:
		reply(s, 226, ok_text);
		return 1;
	case XFER_ABORTED:
		if (s->abort_requested) {
			reply(s, 426, "Transfer aborted by ABOR; data connection "
			      "closed.");
			reply(s, 226, "ABOR successful.");
		} else {
			reply(s, 426, "Transfer aborted.");
		}
		break;
	case XFER_TIMEOUT:
		replyf(s, 426, "Data connection stalled for %u seconds; "
		       "transfer aborted.", throttle_stall_timeout(s->conf));
		break;
	case XFER_NET_ERROR:
		replyf(s, 426, "Data connection failed (%s); transfer aborted.",
		       err ? strerror(err) : "closed early");
		break;
	case XFER_FILE_ERROR:
	default:
		if (err == ENOSPC || err == EDQUOT)
			replyf(s, 452, "Transfer aborted: %s.", strerror(err));
		else if (err == EFBIG)	/* RLIMIT_FSIZE or a file size cap */
			replyf(s, 552, "Transfer aborted: exceeded storage "
			       "allocation (%s).", strerror(err));
		else
			replyf(s, 451, "Transfer aborted: local file error (%s).",
			       err ? strerror(err) : "unknown");
		break;
	}
	return 0;
}

void
transfer_log(struct session *s, const char *verb, const char *vpath,
	     uint64_t bytes, long long ms, int incoming, int complete)
{
	char safe[1024];

	log_msg(LOG_INFO, "%s: %s %s %s: %llu bytes in %lld ms, %s",
		s->peer_str, s->user, verb, log_safe(vpath, safe, sizeof safe),
		(unsigned long long)bytes,
		ms, complete ? "complete" : "incomplete");
	if (complete) {
		if (incoming) {
			s->files_in++;
			s->bytes_in += bytes;
		} else {
			s->files_out++;
			s->bytes_out += bytes;
		}
	}
	/* The monitor writes the line: workers never hold the xferlog. */
	xferlog_request(s, vpath, bytes, ms, incoming, complete);
	evlog_xfer_request(s, vpath, bytes, ms, incoming, complete);
}
