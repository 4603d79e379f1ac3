/* progress.c: drawing progress bars on stderr (a terminal only). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "progress.h"
#include "session.h"
#include "sys.h"

#define REDRAW_MS 200

void
progress_fmt_bytes(char *out, size_t n, double v)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;

	while (v >= 1024.0 && u < 4) {
		v /= 1024.0;
		u++;
	}
	if (u == 0)
		(void)snprintf(out, n, "%.0f %s", v, unit[u]);
	else
		(void)snprintf(out, n, "%.2f %s", v, unit[u]);
}

void
progress_fmt_time(char *out, size_t n, double secs)
{
	unsigned long s = secs < 0 ? 0 : (unsigned long)(secs + 0.5);

	if (s >= 100UL * 3600)
		(void)snprintf(out, n, "--:--");
	else if (s >= 3600)
		(void)snprintf(out, n, "%lu:%02lu:%02lu", s / 3600,
			       (s / 60) % 60, s % 60);
	else
		(void)snprintf(out, n, "%02lu:%02lu", s / 60, s % 60);
}

static int
term_width(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
		return ws.ws_col > 200 ? 200 : ws.ws_col;
	return 80;
}

/* One bar line: "<label> NN% |****    | bytes rate ETA". */
static void
bar_line(char *out, size_t n, const char *label, uint64_t done,
	 int64_t total, double rate)
{
	char b[32], r[32], eta[32], bar[128];
	int width = term_width();
	int pct = -1, barw;
	size_t fixed;

	progress_fmt_bytes(b, sizeof b, (double)done);
	progress_fmt_bytes(r, sizeof r, rate);
	if (total > 0) {
		pct = done >= (uint64_t)total ? 100 :
			(int)((double)done * 100.0 / (double)total);
		if (rate > 0 && done < (uint64_t)total) {
			char t[24];

			progress_fmt_time(t, sizeof t,
					  (double)((uint64_t)total - done) / rate);
			(void)snprintf(eta, sizeof eta, "%s ETA", t);
		} else {
			(void)snprintf(eta, sizeof eta, "         ");
		}
	} else {
		(void)snprintf(eta, sizeof eta, "         ");
	}
	fixed = strlen(label) + 1 + 5 + 2 + 1 + 12 + 14 + 12;
	barw = width - 1 - (int)fixed;
	if (barw > (int)sizeof bar - 1)
		barw = (int)sizeof bar - 1;
	if (barw < 5)
		barw = 0;
	if (barw > 0) {
		int fill = pct < 0 ? 0 : pct * barw / 100;

		memset(bar, '*', (size_t)fill);
		memset(bar + fill, ' ', (size_t)(barw - fill));
		bar[barw] = '\0';
	} else {
		bar[0] = '\0';
	}
	if (pct >= 0)
		(void)snprintf(out, n, "%s %3d%% |%s| %11s %10s/s %s", label,
			       pct, bar, b, r, eta);
	else
		(void)snprintf(out, n, "%s      |%s| %11s %10s/s", label, bar,
			       b, r);
}

static double
rate_of(uint64_t bytes, long long t0)
{
	long long ms = sys_now_ms() - t0;

	return ms > 0 ? (double)bytes * 1000.0 / (double)ms : 0.0;
}

static void
overall_line(struct overall *ov, char *out, size_t n)
{
	char label[64];

	(void)snprintf(label, sizeof label, "[%u/%u files]",
		       ov->files_done, ov->files_total);
	bar_line(out, n, label, ov->bytes_done, (int64_t)ov->bytes_total,
		 rate_of(ov->bytes_done, ov->t0));
}

void
overall_start(struct overall *ov, unsigned files, uint64_t bytes)
{
	memset(ov, 0, sizeof *ov);
	ov->on = session_show_progress();
	ov->files_total = files;
	ov->bytes_total = bytes;
	ov->t0 = sys_now_ms();
}

void
overall_add(struct overall *ov, uint64_t delta)
{
	ov->bytes_done += delta;
}

void
overall_file_done(struct overall *ov, int ok)
{
	ov->files_done++;
	if (!ok)
		ov->files_failed++;
}

void
overall_draw(struct overall *ov, int force)
{
	char line[512];
	long long now = sys_now_ms();

	if (!ov->on || (!force && now - ov->last_draw < REDRAW_MS))
		return;
	ov->last_draw = now;
	overall_line(ov, line, sizeof line);
	fprintf(stderr, "\r\033[K%s", line);
	(void)fflush(stderr);
}

void
overall_end(struct overall *ov)
{
	char line[512];

	if (!ov->on)
		return;
	overall_line(ov, line, sizeof line);
	/* the final overall bar replaces the file bar; clear the line below */
	fprintf(stderr, "\r\033[K%s\n\033[K", line);
	(void)fflush(stderr);
	ov->on = 0;
}

static void
draw(struct progress *p, int force)
{
	char line[512], label[128];
	long long now = sys_now_ms();
	size_t w;

	if (!p->on || (!force && now - p->last_draw < REDRAW_MS))
		return;
	p->last_draw = now;
	w = (size_t)term_width() / 4;
	if (w >= sizeof label)
		w = sizeof label - 1;
	(void)snprintf(label, sizeof label, "%-*.*s", (int)w, (int)w, p->name);
	bar_line(line, sizeof line, label, p->offset + p->bytes, p->total,
		 rate_of(p->bytes, p->t0));
	if (p->ov && p->ov->on) {
		char ovl[512];

		p->ov->last_draw = now;
		overall_line(p->ov, ovl, sizeof ovl);
		/* two lines: the file, then the overall bar; cursor back up */
		fprintf(stderr, "\r\033[K%s\n\033[K%s\033[A\r", line, ovl);
	} else {
		fprintf(stderr, "\r\033[K%s", line);
	}
	(void)fflush(stderr);
}

void
progress_start(struct progress *p, const char *name, int64_t total,
	       uint64_t offset, struct overall *ov)
{
	memset(p, 0, sizeof *p);
	(void)snprintf(p->name, sizeof p->name, "%s", name);
	p->total = total;
	p->offset = offset;
	p->t0 = p->last_draw = sys_now_ms();
	p->ov = ov;
	p->ov_base = ov ? ov->bytes_done : 0;
	p->on = session_show_progress();
	p->hash_next = ses->set.hash_size;
	draw(p, 1);
}

void
progress_update(struct progress *p, uint64_t bytes)
{
	if (p->ov) {
		p->ov->bytes_done = p->ov_base + bytes;
		if (p->ov->report)
			p->ov->report(p->ov->report_arg, bytes);
	}
	p->bytes = bytes;
	if (ses->set.hash && ses->set.hash_size > 0) {
		int n = 0;

		while (bytes >= p->hash_next && n < 1000) {
			putchar('#');
			p->hash_next += ses->set.hash_size;
			n++;
		}
		if (n)
			(void)fflush(stdout);
	}
	draw(p, 0);
}

void
progress_end(struct progress *p, int ok)
{
	p->t_end = sys_now_ms();
	if (ses->set.hash && p->hash_next > ses->set.hash_size) {
		putchar('\n');
		(void)fflush(stdout);
	}
	if (p->on) {
		draw(p, 1);
		if (p->ov && p->ov->on)
			fprintf(stderr, "\n\n\033[2A");	/* keep room for both */
		else
			fprintf(stderr, "\n");
		(void)fflush(stderr);
	}
	(void)ok;
}

void
progress_summary(const struct progress *p, const char *verb)
{
	long long ms = p->t_end - p->t0;
	double secs = (double)(ms > 0 ? ms : 1) / 1000.0;
	char r[32], t[32];

	if (!ses->set.verbose || (p->ov && p->ov->on))
		return;
	progress_fmt_bytes(r, sizeof r, (double)p->bytes / secs);
	progress_fmt_time(t, sizeof t, (double)ms / 1000.0);
	printf("%llu bytes %s in %s (%s/s)\n", (unsigned long long)p->bytes,
	       verb, t, r);
	(void)fflush(stdout);
}
