/* session.c: the one place where the session's defaults are set. */
#include "config.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "session.h"
#include "status.h"

struct session *ses;

void
session_init(struct session *s)
{
	memset(s, 0, sizeof *s);
	s->set.verbose = 1;
	s->set.debug = 0;
	s->set.prompt = 1;
	s->set.glob = 1;
	s->set.hash = 0;
	s->set.hash_size = 1024;
	s->set.progress = 1;
	s->set.passive = 1;
	s->set.epsv = 1;
	s->set.type = 'I';
	s->set.family = AF_UNSPEC;
	s->set.connect_timeout_ms = 30 * 1000;
	s->set.ctrl_timeout_ms = 120 * 1000;
	s->set.data_timeout_ms = 120 * 1000;
	s->set.parallel = 1;
	s->set.interactive = 0;
	s->set.autologin = 1;
	s->set.preserve = 1;
	s->set.verify = 1;
	s->set.port = "21";
	client_init(&s->cl, &s->set);
	ses = s;
}

void
session_record(int st)
{
	if (st != ST_OK && ses->first_status == ST_OK)
		ses->first_status = st;
}

int
session_show_progress(void)
{
	return ses->set.progress && isatty(STDERR_FILENO);
}
