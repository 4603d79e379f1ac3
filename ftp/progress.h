/* progress.h: the per-file progress bar (percent, bytes, rate, ETA), the
 * overall bar for mget/mput/mirror (files done, bytes, rate, ETA), hash
 * marks, and the "bytes received in" summary.  Bars are drawn on stderr
 * and only when session_show_progress() allows it. */
#ifndef FTP_PROGRESS_H
#define FTP_PROGRESS_H

#include <stdint.h>

struct overall {
	int on;
	unsigned files_total;
	unsigned files_done;
	unsigned files_failed;
	uint64_t bytes_total;	/* sum of known sizes */
	uint64_t bytes_done;	/* finished files plus running transfers */
	long long t0;
	long long last_draw;
	/* A parallel worker reports its running transfer here instead of
	 * drawing: bytes moved so far in the current file. */
	void (*report)(void *arg, uint64_t bytes);
	void *report_arg;
};

struct progress {
	int on;			/* drawing a bar */
	char name[128];
	int64_t total;		/* full size, -1 unknown */
	uint64_t offset;	/* resumed from here */
	uint64_t bytes;		/* moved in this transfer */
	long long t0;
	long long t_end;
	long long last_draw;
	uint64_t hash_next;	/* next hash mark at this many bytes */
	struct overall *ov;	/* NULL unless inside mget/mput/mirror */
	uint64_t ov_base;	/* ov->bytes_done when this file started */
};

/* Helpers for messages: "12.3 MiB", "1.2 MiB/s", "01:02:03". */
void progress_fmt_bytes(char *out, size_t n, double v);
void progress_fmt_time(char *out, size_t n, double secs);

void overall_start(struct overall *ov, unsigned files, uint64_t bytes);
/* Adds bytes moved by a running transfer (parallel workers report here). */
void overall_add(struct overall *ov, uint64_t delta);
void overall_file_done(struct overall *ov, int ok);
void overall_draw(struct overall *ov, int force);
void overall_end(struct overall *ov);

void progress_start(struct progress *p, const char *name, int64_t total,
		    uint64_t offset, struct overall *ov);
/* total bytes moved so far in this transfer */
void progress_update(struct progress *p, uint64_t bytes);
/* Finishes the bar (and hash marks). */
void progress_end(struct progress *p, int ok);
/* With verbose: "N bytes received in 00:01 (1.00 MiB/s)" on stdout. */
void progress_summary(const struct progress *p, const char *verb);

#endif
