/* intr.c: SIGINT -> flag + self-pipe byte (async-signal-safe work only). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "intr.h"
#include "sys.h"

static volatile sig_atomic_t s_pending;
static int s_pipe[2] = { -1, -1 };

static void
on_sigint(int signo)
{
	int saved = errno;
	char b = 1;

	(void)signo;
	s_pending = 1;
	if (s_pipe[1] >= 0 && write(s_pipe[1], &b, 1) < 0) {
		/* pipe full: the flag is enough */
	}
	errno = saved;
}

void
intr_init(void)
{
	struct sigaction sa;

	if (s_pipe[0] >= 0) {
		sys_close_failok(s_pipe[0]);
		sys_close_failok(s_pipe[1]);
		s_pipe[0] = s_pipe[1] = -1;
	}
	if (pipe2(s_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		s_pipe[0] = s_pipe[1] = -1;
	s_pending = 0;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: blocking reads see EINTR */
	(void)sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);
}

int
intr_fd(void)
{
	return s_pipe[0];
}

int
intr_pending(void)
{
	return s_pending != 0;
}

void
intr_clear(void)
{
	char b[64];

	s_pending = 0;
	if (s_pipe[0] < 0)
		return;
	while (read(s_pipe[0], b, sizeof b) > 0)
		continue;
}

int
intr_poll(int fd, short events, int timeout_ms)
{
	struct pollfd p[2];
	long long deadline = timeout_ms < 0 ? -1 : sys_now_ms() + timeout_ms;

	for (;;) {
		int wait = -1, n;

		if (s_pending)
			return -2;
		if (deadline >= 0) {
			long long left = deadline - sys_now_ms();

			if (left <= 0)
				return 0;
			wait = (int)left;
		}
		p[0].fd = fd;
		p[0].events = events;
		p[0].revents = 0;
		p[1].fd = s_pipe[0];
		p[1].events = POLLIN;
		p[1].revents = 0;
		n = poll(p, s_pipe[0] >= 0 ? 2 : 1, wait);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			return 0;
		if (p[0].revents)
			return p[0].revents;
		if (s_pending)
			return -2;
		intr_clear();	/* stale byte without the flag */
	}
}
