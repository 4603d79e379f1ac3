/* jobs.c: running transfer lists, sequentially or with forked workers
 * that each hold their own logged-in connection.  Workers take one job at
 * a time from their own pipe and report on a shared pipe with fixed-size
 * messages (smaller than PIPE_BUF, so each write is atomic). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client.h"
#include "intr.h"
#include "jobs.h"
#include "session.h"
#include "status.h"
#include "sys.h"
#include "verify.h"

#define MAX_WORKERS 64

void
jobs_init(struct jobset *js, int dirfd)
{
	memset(js, 0, sizeof *js);
	js->dirfd = dirfd;
}

int
jobs_add(struct jobset *js, int put, const char *remote, const char *local,
	 int64_t size, time_t mtime)
{
	struct job *j;

	if (js->n == js->cap) {
		size_t nc = js->cap ? js->cap * 2 : 32;
		struct job *nv = realloc(js->v, nc * sizeof *nv);

		if (!nv)
			return -1;
		js->v = nv;
		js->cap = nc;
	}
	j = &js->v[js->n];
	memset(j, 0, sizeof *j);
	j->remote = strdup(remote);
	j->local = strdup(local);
	if (!j->remote || !j->local) {
		free(j->remote);
		free(j->local);
		return -1;
	}
	j->put = put;
	j->size = size;
	j->mtime = mtime;
	j->status = -1;
	js->n++;
	return 0;
}

void
jobs_free(struct jobset *js)
{
	for (size_t i = 0; i < js->n; i++) {
		free(js->v[i].remote);
		free(js->v[i].local);
	}
	free(js->v);
	js->v = NULL;
	js->n = js->cap = 0;
}

static int
first_failure(const struct jobset *js, unsigned *done, unsigned *failed)
{
	int first = ST_OK;
	unsigned d = 0, f = 0;

	for (size_t i = 0; i < js->n; i++) {
		if (js->v[i].status == ST_OK) {
			d++;
		} else {
			f++;
			if (first == ST_OK)
				first = js->v[i].status < 0 ? ST_OTHER :
					js->v[i].status;
		}
	}
	if (done)
		*done = d;
	if (failed)
		*failed = f;
	return first;
}

static void
run_sequential(struct ftp_client *c, struct jobset *js, struct overall *ov)
{
	for (size_t i = 0; i < js->n; i++) {
		struct job *j = &js->v[i];
		int st;

		if (j->status >= 0)
			continue;
		if (!c->connected)
			break;
		st = job_run(c, js, j, ov);
		overall_file_done(ov, st == ST_OK);
		if (js->on_done)
			js->on_done(js->done_arg, js, i);
		if (st == ST_INTR)
			break;
	}
}

/* ---- parallel ---- */

enum { W_READY = 1, W_PROGRESS, W_DONE, W_FAIL };

struct wmsg {
	uint32_t worker;
	uint32_t idx;
	int32_t kind;
	int32_t status;
	uint64_t bytes;
	int64_t ms;
	char sha[VERIFY_HEXLEN];
};

struct worker {
	pid_t pid;
	int jobw;		/* parent writes job indices here */
	long busy;		/* job index or -1 */
	uint64_t shown;		/* bytes of the running job counted in ov */
	int alive;
};

struct wctx {
	int resw;
	uint32_t id;
	uint32_t idx;
	long long last;
};

static void
wsend_job(int fd, uint32_t id, uint32_t idx, int kind, int status,
	  uint64_t bytes, const struct job *j)
{
	struct wmsg m;

	memset(&m, 0, sizeof m);
	if (j) {
		m.ms = j->ms;
		memcpy(m.sha, j->sha, sizeof m.sha);
	}
	m.worker = id;
	m.idx = idx;
	m.kind = kind;
	m.status = status;
	m.bytes = bytes;
	if (sys_write_full(fd, &m, sizeof m) < 0)
		_exit(1);	/* parent gone */
}

static void
wsend(int fd, uint32_t id, uint32_t idx, int kind, int status, uint64_t bytes)
{
	wsend_job(fd, id, idx, kind, status, bytes, NULL);
}

static void
worker_report(void *arg, uint64_t bytes)
{
	struct wctx *w = arg;
	long long now = sys_now_ms();

	if (now - w->last < 200)
		return;
	w->last = now;
	wsend(w->resw, w->id, w->idx, W_PROGRESS, 0, bytes);
}

static void
worker_main(struct ftp_client *main_c, struct jobset *js, uint32_t id,
	    int jobr, int resw, const char *cwd)
{
	struct ftp_client wc;
	struct overall wov;
	struct wctx ctx;
	int st;

	intr_init();
	ses->set.verbose = 0;
	ses->set.progress = 0;
	ses->set.hash = 0;
	client_init(&wc, &ses->set);
	/* the same TLS as the main connection; its certificate (however it
	 * was accepted) is accepted again without asking */
	wc.tls_mode = main_c->tls_on ? main_c->tls_mode : FTPS_NONE;
	(void)snprintf(wc.tls_pin, sizeof wc.tls_pin, "%s", main_c->tls_fp);
	st = client_connect(&wc, main_c->host, main_c->port,
			    net_family(&main_c->peer));
	if (st == ST_OK)
		st = client_login(&wc, main_c->user ? main_c->user : "anonymous",
				  main_c->pass, main_c->acct, NULL);
	if (st == ST_OK && cwd) {
		int code = client_cmd(&wc, "CWD %s", cwd);

		if (code != 250 && code != 200)
			st = client_fail(&wc, code, "cd");
	}
	if (st != ST_OK) {
		wsend(resw, id, 0, W_FAIL, st, 0);
		_exit(1);
	}
	wsend(resw, id, 0, W_READY, 0, 0);
	memset(&ctx, 0, sizeof ctx);
	ctx.resw = resw;
	ctx.id = id;
	for (;;) {
		uint32_t idx;
		ssize_t n = sys_read_full(jobr, &idx, sizeof idx);

		if (n != (ssize_t)sizeof idx || idx >= js->n || intr_pending())
			break;
		memset(&wov, 0, sizeof wov);
		wov.report = worker_report;
		wov.report_arg = &ctx;
		ctx.idx = idx;
		ctx.last = 0;
		st = job_run(&wc, js, &js->v[idx], &wov);
		wsend_job(resw, id, idx, W_DONE, st, js->v[idx].bytes,
			  &js->v[idx]);
		if (st == ST_INTR || !wc.connected)
			break;
	}
	client_close(&wc, 1);
	client_free(&wc);
	(void)fflush(stdout);
	(void)fflush(stderr);
	_exit(0);
}

static void
give_next(struct worker *w, struct jobset *js, size_t *next, int stop)
{
	uint32_t idx;

	if (w->jobw < 0)
		return;
	if (stop || *next >= js->n) {
		sys_close_failok(w->jobw);
		w->jobw = -1;
		return;
	}
	idx = (uint32_t)(*next)++;
	if (sys_write_full(w->jobw, &idx, sizeof idx) < 0) {
		(*next)--;
		sys_close_failok(w->jobw);
		w->jobw = -1;
		return;
	}
	w->busy = (long)idx;
	w->shown = 0;
}

static void
handle_msg(const struct wmsg *m, struct worker *ws, int nw, struct jobset *js,
	   struct overall *ov, size_t *next, int stop)
{
	struct worker *w;

	if (m->worker >= (uint32_t)nw)
		return;
	w = &ws[m->worker];
	switch (m->kind) {
	case W_READY:
		give_next(w, js, next, stop);
		break;
	case W_PROGRESS:
		if (w->busy == (long)m->idx && m->bytes > w->shown) {
			overall_add(ov, m->bytes - w->shown);
			w->shown = m->bytes;
		}
		break;
	case W_DONE:
		if (m->idx < js->n && w->busy == (long)m->idx) {
			js->v[m->idx].status = m->status;
			js->v[m->idx].bytes = m->bytes;
			js->v[m->idx].ms = m->ms;
			memcpy(js->v[m->idx].sha, m->sha, sizeof m->sha);
			js->v[m->idx].sha[VERIFY_HEXLEN - 1] = '\0';
			if (m->bytes > w->shown)
				overall_add(ov, m->bytes - w->shown);
			overall_file_done(ov, m->status == ST_OK);
			if (js->on_done)
				js->on_done(js->done_arg, js, m->idx);
			w->busy = -1;
			w->shown = 0;
		}
		give_next(w, js, next, stop);
		break;
	case W_FAIL:
		if (w->jobw >= 0) {
			sys_close_failok(w->jobw);
			w->jobw = -1;
		}
		break;
	}
}

/* Returns 1 when Ctrl-C stopped the run. */
static int
run_parallel(struct ftp_client *c, struct jobset *js, int nw,
	     struct overall *ov)
{
	struct worker ws[MAX_WORKERS];
	char *cwd = client_pwd(c);
	int res[2], alive = 0, stop = 0;
	size_t next = 0;
	unsigned char carry[sizeof(struct wmsg) * 64];
	size_t have = 0;

	if (pipe2(res, O_CLOEXEC) < 0) {
		free(cwd);
		run_sequential(c, js, ov);
		return 0;
	}
	(void)fflush(stdout);
	(void)fflush(stderr);
	for (int i = 0; i < nw; i++) {
		int jp[2];

		ws[i].pid = -1;
		ws[i].jobw = -1;
		ws[i].busy = -1;
		ws[i].shown = 0;
		ws[i].alive = 0;
		if (pipe2(jp, O_CLOEXEC) < 0)
			continue;
		ws[i].pid = fork();
		if (ws[i].pid == 0) {
			sys_close_failok(res[0]);
			sys_close_failok(jp[1]);
			for (int k = 0; k < i; k++)
				if (ws[k].jobw >= 0)
					sys_close_failok(ws[k].jobw);
			worker_main(c, js, (uint32_t)i, jp[0], res[1], cwd);
		}
		sys_close_failok(jp[0]);
		if (ws[i].pid < 0) {
			sys_close_failok(jp[1]);
			continue;
		}
		ws[i].jobw = jp[1];
		ws[i].alive = 1;
		alive++;
	}
	sys_close_failok(res[1]);
	free(cwd);
	while (alive > 0) {
		int p = intr_poll(res[0], POLLIN, 200);

		if (p == -2 && !stop) {
			/* Ctrl-C: workers abort their transfers (a terminal
			 * already signalled them; a script's kill did not) */
			intr_clear();
			stop = 1;
			for (int i = 0; i < nw; i++) {
				if (ws[i].alive && ws[i].pid > 0)
					(void)kill(ws[i].pid, SIGINT);
				if (ws[i].jobw >= 0) {
					sys_close_failok(ws[i].jobw);
					ws[i].jobw = -1;
				}
			}
		} else if (p == -2) {
			intr_clear();
		}
		if (p > 0) {
			ssize_t n = read(res[0], carry + have, sizeof carry - have);

			if (n > 0) {
				size_t off = 0;

				have += (size_t)n;
				while (have - off >= sizeof(struct wmsg)) {
					struct wmsg m;

					memcpy(&m, carry + off, sizeof m);
					handle_msg(&m, ws, nw, js, ov, &next, stop);
					off += sizeof m;
				}
				memmove(carry, carry + off, have - off);
				have -= off;
			}
		}
		for (int i = 0; i < nw; i++) {
			int wst;

			if (!ws[i].alive || waitpid(ws[i].pid, &wst, WNOHANG) <= 0)
				continue;
			ws[i].alive = 0;
			alive--;
			if (ws[i].jobw >= 0) {
				sys_close_failok(ws[i].jobw);
				ws[i].jobw = -1;
			}
		}
		overall_draw(ov, 0);
	}
	/* drain what the last workers wrote before exiting */
	for (;;) {
		ssize_t n = read(res[0], carry + have, sizeof carry - have);
		size_t off = 0;

		if (n <= 0)
			break;
		have += (size_t)n;
		while (have - off >= sizeof(struct wmsg)) {
			struct wmsg m;

			memcpy(&m, carry + off, sizeof m);
			handle_msg(&m, ws, nw, js, ov, &next, 1);
			off += sizeof m;
		}
		memmove(carry, carry + off, have - off);
		have -= off;
	}
	sys_close_failok(res[0]);
	/* whatever no worker finished runs here, unless interrupted */
	if (!stop)
		run_sequential(c, js, ov);
	return stop;
}

int
jobs_run(struct ftp_client *c, struct jobset *js, int parallel,
	 unsigned *done, unsigned *failed)
{
	struct overall ov;
	uint64_t total = 0;
	int interrupted = 0, st;

	for (size_t i = 0; i < js->n; i++)
		if (js->v[i].size > 0)
			total += (uint64_t)js->v[i].size;
	overall_start(&ov, (unsigned)js->n, total);
	if (parallel > MAX_WORKERS)
		parallel = MAX_WORKERS;
	if ((size_t)parallel > js->n)
		parallel = (int)js->n;
	intr_clear();
	if (parallel > 1 && c->user)
		interrupted = run_parallel(c, js, parallel, &ov);
	else
		run_sequential(c, js, &ov);
	overall_end(&ov);
	for (size_t i = 0; i < js->n; i++)
		if (js->v[i].status == ST_INTR)
			interrupted = 1;
	st = first_failure(js, done, failed);
	return interrupted ? ST_INTR : st;
}
