/* activation.c: socket activation and readiness notification, following
 * the documented protocol (sd_listen_fds(3), sd_notify(3)) directly so
 * ftpd does not depend on libsystemd. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "activation.h"
#include "log.h"
#include "net.h"
#include "parse.h"
#include "sys.h"

static int s_active;

int
activation_active(void)
{
	return s_active;
}

/* A decimal number in [1, max] with nothing around it.  0 or -1. */
static int
env_number(const char *name, uint64_t max, uint64_t *out)
{
	const char *v = getenv(name);

	if (v == NULL || v[0] == '\0')
		return -1;
	if (parse_u64(v, max, out) < 0 || *out == 0)
		return -1;
	return 0;
}

static void
forget_env(void)
{
	/* Children (monitors, workers) must not take the sockets as theirs. */
	(void)unsetenv("LISTEN_PID");
	(void)unsetenv("LISTEN_FDS");
	(void)unsetenv("LISTEN_FDNAMES");
}

/* SECURITY: only listening TCP stream sockets are taken; anything else
 * the manager passed is a configuration mistake worth stopping for. */
static int
check_socket(int fd, char *err, size_t errlen)
{
	int type = 0, listening = 0;
	socklen_t len = sizeof type;
	struct netaddr a;

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0) {
		snprintf(err, errlen, "socket activation: descriptor %d is not "
			 "a listening stream socket (%s)", fd, strerror(errno));
		return -1;
	}
	len = sizeof listening;
	if (type != SOCK_STREAM ||
	    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0 ||
	    !listening) {
		snprintf(err, errlen, "socket activation: descriptor %d is not "
			 "a listening stream socket (use ListenStream= and "
			 "Accept=no)", fd);
		return -1;
	}
	if (net_local_addr(fd, &a) < 0 ||
	    (net_family(&a) != AF_INET && net_family(&a) != AF_INET6)) {
		snprintf(err, errlen, "socket activation: descriptor %d is not "
			 "an IPv4 or IPv6 socket", fd);
		return -1;
	}
	return 0;
}

/* A dual-stack socket shows IPv4 clients as ::ffff:a.b.c.d; the address
 * checks still work (net_same_host), but say how to get plain ones. */
static void
warn_dual_stack(int fd)
{
	struct netaddr a;
	int v6only = 1;
	socklen_t len = sizeof v6only;

	if (net_local_addr(fd, &a) == 0 && net_family(&a) == AF_INET6 &&
	    getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &len) == 0 &&
	    !v6only)
		log_msg(LOG_NOTICE, "socket activation: descriptor %d is a "
			"dual-stack IPv6 socket; IPv4 clients appear as "
			"::ffff: addresses (BindIPv6Only=ipv6-only and a "
			"separate IPv4 ListenStream= avoid that)", fd);
}

int
activation_listen_fds(int *fds, size_t max, char *err, size_t errlen)
{
	uint64_t pid, n;
	char shown[NETADDR_STRLEN];
	struct netaddr a;

	if (getenv("LISTEN_FDS") == NULL) {
		forget_env();
		return 0;
	}
	/* The variables may have been inherited from a parent that was
	 * activated itself: they are ours only if LISTEN_PID says so. */
	if (env_number("LISTEN_PID", INT32_MAX, &pid) < 0 ||
	    (pid_t)pid != getpid()) {
		forget_env();
		return 0;
	}
	if (env_number("LISTEN_FDS", 1024, &n) < 0) {
		snprintf(err, errlen, "socket activation: bad LISTEN_FDS '%s'",
			 getenv("LISTEN_FDS"));
		forget_env();
		return -1;
	}
	forget_env();
	if (n > max) {
		snprintf(err, errlen, "socket activation: %llu sockets passed, "
			 "at most %zu supported", (unsigned long long)n, max);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		int fd = ACTIVATION_FD_START + (int)i;

		if (check_socket(fd, err, errlen) < 0)
			return -1;
		if (sys_set_cloexec(fd) < 0) {
			snprintf(err, errlen, "socket activation: descriptor "
				 "%d: %s", fd, strerror(errno));
			return -1;
		}
		warn_dual_stack(fd);
		fds[i] = fd;
		if (net_local_addr(fd, &a) == 0)
			fprintf(stderr, "ftpd: listening on %s (socket "
				"activation)\n", net_ntop(&a, shown, sizeof shown, 1));
	}
	(void)fflush(stderr);
	s_active = 1;
	return (int)n;
}

void
activation_notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun;
	size_t plen;
	socklen_t alen;
	int fd;

	if (path == NULL || (path[0] != '/' && path[0] != '@'))
		return;
	plen = strlen(path);
	if (plen >= sizeof sun.sun_path)
		return;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, plen);
	if (sun.sun_path[0] == '@')
		sun.sun_path[0] = '\0';	/* abstract namespace */
	alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL,
		   (const struct sockaddr *)&sun, alen) < 0)
		log_msg(LOG_DEBUG, "notify %s: %s", state, strerror(errno));
	sys_close_failok(fd);
}
