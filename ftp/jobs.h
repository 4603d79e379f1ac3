/* jobs.h: a list of file transfers (mget, mput, mirror) run one after
 * another on the main connection, or spread over N parallel connections
 * (forked workers, each logged in separately), with one overall bar. */
#ifndef FTP_JOBS_H
#define FTP_JOBS_H

#include <stdint.h>
#include <time.h>
#include "client.h"
#include "progress.h"
#include "verify.h"

struct job {
	char *remote;		/* remote path (relative to the remote cwd) */
	char *local;		/* local path, relative to the set's dirfd */
	int64_t size;		/* -1 unknown */
	time_t mtime;		/* exact source mtime, 0 unknown */
	int put;		/* upload instead of download */
	int status;		/* result; -1 while not run */
	uint64_t bytes;
	int check_size;		/* size is a promise: a short download fails */
	int tmp_put;		/* upload as REMOTE.ftp-part, RNTO once verified */
	char expect[VERIFY_HEXLEN];	/* wanted SHA-256 or "" */
	char sha[VERIFY_HEXLEN];	/* SHA-256 of the local file, or "" */
	long long started_ms;	/* when it was handed out */
	long long ms;		/* how long it took */
};

struct jobset;
/* Called in the main process as each job finishes (any order). */
typedef void (*jobs_done_fn)(void *arg, struct jobset *js, size_t idx);

struct jobset {
	struct job *v;
	size_t n;
	size_t cap;
	int dirfd;		/* local base folder (AT_FDCWD allowed) */
	int local_checked;	/* local names come from the server: confine */
	int want_sha;		/* compute job->sha even when not verifying */
	jobs_done_fn on_done;	/* may be NULL */
	void *done_arg;
};

void jobs_init(struct jobset *js, int dirfd);
int jobs_add(struct jobset *js, int put, const char *remote,
	     const char *local, int64_t size, time_t mtime);
void jobs_free(struct jobset *js);
/* Runs one job on c.  Returns a status.  With verification active (see
 * verify.h) or an expected digest, a download is written as
 * LOCAL.ftp-part, checked, and only then renamed to LOCAL; an upload is
 * checked after STOR and reported under its remote name. */
int job_run(struct ftp_client *c, const struct jobset *js, struct job *j,
	    struct overall *ov);
/* Runs all jobs with up to parallel connections.  Returns the status of
 * the first failure (in list order), ST_OK if none.  *done / *failed get
 * the counts when not NULL. */
int jobs_run(struct ftp_client *c, struct jobset *js, int parallel,
	     unsigned *done, unsigned *failed);

#endif
