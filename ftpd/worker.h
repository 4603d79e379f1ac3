/* worker.h: the two kinds of session worker, both unprivileged and both
 * forked by the monitor: the pre-login worker (chrooted into the empty
 * folder, as nopriv_user) and the post-login worker (chrooted into the
 * user's root, with the user's credentials).  Neither returns. */
#ifndef FTPD_WORKER_H
#define FTPD_WORKER_H

#include <stddef.h>
#include <sys/types.h>
#include "auth.h"
#include "env.h"

struct worker_start {
	const struct ftpd_env *env;
	int ctrl_rfd, ctrl_wfd;		/* the control connection */
	int privfd;			/* to the monitor */
	pid_t monitor;
	const char *pipelined;		/* bytes read ahead by the last worker */
	size_t npipelined;
	int rein;			/* greeted after REIN, not at connect */
	int tls_link;			/* relay link (relay.h), -1 = none */
};

__attribute__((noreturn))
void worker_prelogin(const struct worker_start *w);
__attribute__((noreturn))
void worker_postlogin(const struct worker_start *w, const struct auth_result *res,
		      int rootfd);

#endif
