/* transfer.c: running one data transfer from command to final reply. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "datachan.h"
#include "intr.h"
#include "session.h"
#include "status.h"
#include "tls.h"
#include "tlsrecv.h"
#include "transfer.h"
#include "xfer.h"

struct hook {
	struct progress *p;
};

static int
on_watch(void *arg)
{
	(void)arg;
	if (intr_pending())
		return 1;
	intr_clear();
	return 0;
}

static void
on_progress(void *arg, uint64_t total)
{
	struct hook *h = arg;

	progress_update(h->p, total);
}

/* Explains a failed copy, aborts or closes as fits, returns a status. */
static int
after_failure(struct ftp_client *c, struct datachan *d, int res, int err,
	      const char *what, uint64_t moved, int download,
	      const char *part)
{
	switch (res) {
	case XFER_ABORTED:
		intr_clear();
		fprintf(stderr, "\nftp: %s interrupted after %llu bytes; "
			"sending ABOR\n", what, (unsigned long long)moved);
		data_abort(c, d);
		if (download && part)
			fprintf(stderr, "ftp: the partial file is kept as %s; "
				"`get` or `reget` continues it\n", part);
		else if (download)
			fprintf(stderr, "ftp: the partial file is kept; `reget` "
				"continues it\n");
		return ST_INTR;
	case XFER_TIMEOUT:
		fprintf(stderr, "ftp: %s: the data connection stalled for %d "
			"seconds; aborted\n", what,
			c->set->data_timeout_ms / 1000);
		data_abort(c, d);
		return ST_NET;
	case XFER_FILE_ERROR:
		fprintf(stderr, "ftp: %s: local file: %s; aborted\n", what,
			strerror(err));
		data_abort(c, d);
		return status_from_errno(err);
	default:
		if (d->conn.tls && err == EPROTO) {
			char why[256];

			if (tls_error_text(why, sizeof why)[0]) {
				fprintf(stderr, "ftp: %s: the data connection "
					"failed: TLS: %s\n", what, why);
				(void)data_end(c, d, what);
				return ST_NET;
			}
		}
		fprintf(stderr, "ftp: %s: the data connection failed: %s\n",
			what, strerror(err));
		(void)data_end(c, d, what);
		return ST_NET;
	}
}

static void
opts_for(struct xfer_opts *o, struct ftp_client *c, uint64_t rate,
	 struct hook *h)
{
	xfer_opts_init(o);
	o->ascii = c->set->type == 'A';
	o->max_rate = rate;
	o->timeout_ms = c->set->data_timeout_ms;
	o->watch_fd = intr_fd();
	o->on_watch = on_watch;
	o->on_progress = on_progress;
	o->arg = h;
}

static int
restart_at(struct ftp_client *c, uint64_t offset)
{
	int code;

	if (offset == 0)
		return ST_OK;
	if (c->set->type != 'I') {
		fprintf(stderr, "ftp: restarting a transfer needs binary mode "
			"(`binary`)\n");
		return ST_USAGE;
	}
	code = client_cmd(c, "REST %llu", (unsigned long long)offset);
	if (code != 350) {
		int st = client_fail(c, code, "REST");

		if (code >= 0)
			fprintf(stderr, "ftp: the server cannot restart "
				"transfers\n");
		return st == ST_OK ? ST_OTHER : st;
	}
	return ST_OK;
}

int
tr_get(struct ftp_client *c, const struct tr_req *r, uint64_t *moved)
{
	struct datachan d;
	struct xfer_opts o;
	struct progress p;
	struct hook h = { &p };
	uint64_t got = 0;
	int st, res, err;

	if (moved)
		*moved = 0;
	if ((st = client_type(c, c->set->type)) != ST_OK)
		return st;
	if ((st = data_setup(c, &d)) != ST_OK)
		return st;
	if ((st = restart_at(c, r->offset)) != ST_OK) {
		data_close(&d);
		return st;
	}
	if ((st = data_begin(c, &d, "get", "RETR %s", r->remote)) != ST_OK)
		return st;
	intr_clear();
	progress_start(&p, r->label ? r->label : r->remote, r->size, r->offset,
		       r->ov);
	opts_for(&o, c, c->set->rate_get, &h);
	res = d.no_data ? XFER_OK : d.conn.tls ?
		tlsrecv_file(&d.conn, r->fd, &o, &got) :
		xfer_recv_file(&d.conn, r->fd, &o, &got);
	err = errno;
	if (moved)
		*moved = got;
	progress_end(&p, res == XFER_OK);
	if (res != XFER_OK)
		return after_failure(c, &d, res, err, "get", got, 1,
				     r->part_name);
	st = data_end(c, &d, "get");
	if (st == ST_OK && !r->no_summary)
		progress_summary(&p, "received");
	return st;
}

int
tr_put(struct ftp_client *c, const struct tr_req *r, uint64_t *moved)
{
	struct datachan d;
	struct xfer_opts o;
	struct progress p;
	struct hook h = { &p };
	uint64_t sent = 0;
	int st, res, err;

	if (moved)
		*moved = 0;
	if ((st = client_type(c, c->set->type)) != ST_OK)
		return st;
	if ((st = data_setup(c, &d)) != ST_OK)
		return st;
	if (!r->append && (st = restart_at(c, r->offset)) != ST_OK) {
		data_close(&d);
		return st;
	}
	st = data_begin(c, &d, "put", "%s %s", r->append ? "APPE" : "STOR",
			r->remote);
	if (st != ST_OK)
		return st;
	intr_clear();
	progress_start(&p, r->label ? r->label : r->remote, r->size, r->offset,
		       r->ov);
	opts_for(&o, c, c->set->rate_put, &h);
	res = d.no_data ? XFER_OK : xfer_send_file(r->fd, &d.conn, &o, &sent);
	err = errno;
	if (moved)
		*moved = sent;
	progress_end(&p, res == XFER_OK);
	if (res != XFER_OK)
		return after_failure(c, &d, res, err, "put", sent, 0, NULL);
	st = data_end(c, &d, "put");
	if (st == ST_OK && !r->no_summary)
		progress_summary(&p, "sent");
	return st;
}

int
tr_list_to_fd(struct ftp_client *c, const char *verb, const char *arg,
	      int fd)
{
	struct datachan d;
	struct xfer_opts o;
	struct progress p;
	struct hook h = { &p };
	uint64_t got = 0;
	int st, res, err;

	if ((st = data_setup(c, &d)) != ST_OK)
		return st;
	if (arg)
		st = data_begin(c, &d, verb, "%s %s", verb, arg);
	else
		st = data_begin(c, &d, verb, "%s", verb);
	if (st != ST_OK)
		return st;
	intr_clear();
	memset(&p, 0, sizeof p);	/* no bar for listings */
	opts_for(&o, c, 0, &h);
	o.ascii = 1;			/* listings are text: CRLF -> LF */
	o.on_progress = NULL;
	(void)fflush(stdout);
	res = d.no_data ? XFER_OK : d.conn.tls ?
		tlsrecv_file(&d.conn, fd, &o, &got) :
		xfer_recv_file(&d.conn, fd, &o, &got);
	err = errno;
	if (res != XFER_OK)
		return after_failure(c, &d, res, err, verb, got, 0, NULL);
	return data_end(c, &d, verb);
}

int
tr_list_to_buf(struct ftp_client *c, const char *verb, const char *arg,
	       struct buf *out)
{
	struct datachan d;
	char chunk[16384];
	int st, quiet = !c->set->debug;

	c->quiet += quiet;
	if ((st = data_setup(c, &d)) != ST_OK)
		goto done;
	if (arg)
		st = data_begin(c, &d, verb, "%s %s", verb, arg);
	else
		st = data_begin(c, &d, verb, "%s", verb);
	if (st != ST_OK || d.no_data)
		goto done;
	for (;;) {
		ssize_t n = -1;
		int pr = 1, wait = 1;

		/* TLS: read before waiting (see tlsrecv.h) */
		if (d.conn.tls) {
			n = tlsrecv_read_now(&d.conn, chunk, sizeof chunk);
			wait = n < 0 && errno == ETIMEDOUT;
		}
		if (wait)
			pr = intr_poll(d.conn.fd, POLLIN,
				       c->set->data_timeout_ms);
		if (pr <= 0) {
			if (pr == -2) {
				intr_clear();
				data_abort(c, &d);
				st = ST_INTR;
			} else {
				fprintf(stderr, "ftp: %s: the data connection "
					"stalled; aborted\n", verb);
				data_abort(c, &d);
				st = ST_NET;
			}
			goto done;
		}
		if (wait)
			n = conn_read(&d.conn, chunk, sizeof chunk);
		if (n == 0)
			break;
		if (n < 0) {
			st = after_failure(c, &d, XFER_NET_ERROR, errno, verb, 0,
					   0, NULL);
			goto done;
		}
		if (buf_append(out, chunk, (size_t)n) < 0) {
			fprintf(stderr, "ftp: %s: listing too large\n", verb);
			data_abort(c, &d);
			st = ST_OTHER;
			goto done;
		}
	}
	st = data_end(c, &d, verb);
done:
	c->quiet -= quiet;
	return st;
}
