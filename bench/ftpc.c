/* ftpc.c: the benchmark's FTP client driver: a minimal, fast client on
 * 127.0.0.1 that times one kind of work and prints "key=value" numbers.
 * It logs in as anonymous (every server is measured that way), uses EPSV
 * (PASV if refused) and, with -t, explicit TLS (AUTH TLS, PBSZ 0, PROT P,
 * TLS 1.3 TLS_AES_256_GCM_SHA384, data sessions resumed from the control
 * one).  Every socket has a 60 s send/receive timeout, so nothing waits
 * forever.
 *   ftpc [-t] get PORT PATH             RETR, data discarded
 *   ftpc [-t] put PORT LOCAL REMOTE     STOR from a local file
 *   ftpc sessions PORT NPAR SECS        connect/USER/PASS/PWD/QUIT loop
 *   ftpc hold PORT N                    hold N idle sessions (see below)
 *   ftpc list PORT DIR VERB             time LIST or MLSD of DIR
 *   ftpc pget PORT PATH N               N parallel RETR, aggregate rate
 * Built by bench/run with cc; not part of the project build. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#define BUFSZ (256 * 1024)
#define IO_TIMEOUT_S 60
#define MAX_PAR 64
#define MAX_HOLD 5000

struct ctl {
	int fd;
	SSL *ssl;
	char buf[16384];
	size_t len;
	char last[512];		/* last reply line, for messages */
};

static int s_tls;
static SSL_CTX *s_ctx;
static int s_port;

static void
fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "ftpc: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	ERR_print_errors_fp(stderr);
	exit(1);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A connected TCP socket to 127.0.0.1:port with I/O timeouts, or -1. */
static int
tcp_connect(int port)
{
	struct timeval tv = { IO_TIMEOUT_S, 0 };
	struct sockaddr_in a;
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return -1;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((unsigned short)port);
	(void)setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	(void)setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(s, (struct sockaddr *)&a, sizeof a) < 0) {
		close(s);
		return -1;
	}
	return s;
}

static ssize_t
io_read(int fd, SSL *ssl, void *p, size_t n)
{
	size_t got;

	if (ssl == NULL) {
		ssize_t r;

		do
			r = recv(fd, p, n, 0);
		while (r < 0 && errno == EINTR);
		return r;
	}
	if (SSL_read_ex(ssl, p, n, &got) == 1)
		return (ssize_t)got;
	return SSL_get_error(ssl, 0) == SSL_ERROR_ZERO_RETURN ? 0 : -1;
}

static int
io_write(int fd, SSL *ssl, const void *p, size_t n)
{
	const char *c = p;
	size_t w;

	if (ssl != NULL)
		return SSL_write_ex(ssl, p, n, &w) == 1 ? 0 : -1;
	while (n > 0) {
		ssize_t r = send(fd, c, n, MSG_NOSIGNAL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		c += r;
		n -= (size_t)r;
	}
	return 0;
}

/* One reply (multi-line aware); returns the code, or -1 on EOF/error. */
static int
ctl_reply(struct ctl *c)
{
	int code = -1, lines = 0;

	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);
		ssize_t r;

		if (nl != NULL) {
			size_t ll = (size_t)(nl - c->buf) + 1;
			int first = lines++ == 0;

			snprintf(c->last, sizeof c->last, "%.*s", (int)ll,
			    c->buf);
			if (first && ll >= 4)
				code = atoi(c->buf);
			if (ll >= 4 && c->buf[3] == ' ' &&
			    atoi(c->buf) == code && code >= 100) {
				memmove(c->buf, nl + 1, c->len - ll);
				c->len -= ll;
				return code;
			}
			memmove(c->buf, nl + 1, c->len - ll);
			c->len -= ll;
			if (lines > 100000)
				return -1;
			continue;
		}
		if (c->len == sizeof c->buf)
			return -1;
		r = io_read(c->fd, c->ssl, c->buf + c->len,
		    sizeof c->buf - c->len);
		if (r <= 0)
			return -1;
		c->len += (size_t)r;
	}
}

/* Sends a command and returns the reply code (-1 on failure). */
static int ctl_cmd(struct ctl *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
ctl_cmd(struct ctl *c, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line - 2, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof line - 2)
		return -1;
	memcpy(line + n, "\r\n", 2);
	if (io_write(c->fd, c->ssl, line, (size_t)n + 2) < 0)
		return -1;
	return ctl_reply(c);
}

static SSL *
tls_start(int fd, SSL_SESSION *reuse)
{
	SSL *ssl = SSL_new(s_ctx);

	if (ssl == NULL || SSL_set_fd(ssl, fd) != 1)
		return NULL;
	if (reuse != NULL)
		(void)SSL_set_session(ssl, reuse);
	if (SSL_connect(ssl) != 1) {
		SSL_free(ssl);
		return NULL;
	}
	return ssl;
}

/* Connects and logs in as anonymous.  0, or -1 with c->last telling. */
static int
ctl_login(struct ctl *c)
{
	int r;

	memset(c, 0, sizeof *c);
	c->fd = tcp_connect(s_port);
	if (c->fd < 0) {
		snprintf(c->last, sizeof c->last, "connect: %s",
		    strerror(errno));
		return -1;
	}
	if (ctl_reply(c) != 220)
		return -1;
	if (s_tls) {
		if (ctl_cmd(c, "AUTH TLS") != 234)
			return -1;
		c->ssl = tls_start(c->fd, NULL);
		if (c->ssl == NULL) {
			snprintf(c->last, sizeof c->last, "TLS handshake");
			return -1;
		}
	}
	r = ctl_cmd(c, "USER anonymous");
	if (r == 331)
		r = ctl_cmd(c, "PASS bench@example.org");
	if (r != 230)
		return -1;
	if (s_tls && (ctl_cmd(c, "PBSZ 0") != 200 ||
	    ctl_cmd(c, "PROT P") != 200))
		return -1;
	return 0;
}

static void
ctl_close(struct ctl *c)
{
	if (c->ssl != NULL)
		SSL_free(c->ssl);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->ssl = NULL;
}

/* Opens a passive data connection; returns the socket or -1. */
static int
data_open(struct ctl *c)
{
	char *p;
	int port, h[6];

	if (ctl_cmd(c, "EPSV") == 229 && (p = strstr(c->last, "(|||")) &&
	    sscanf(p, "(|||%d|)", &port) == 1)
		return tcp_connect(port);
	if (ctl_cmd(c, "PASV") == 227 && (p = strchr(c->last, '(')) &&
	    sscanf(p, "(%d,%d,%d,%d,%d,%d)", &h[0], &h[1], &h[2], &h[3],
		   &h[4], &h[5]) == 6)
		return tcp_connect(h[4] * 256 + h[5]);
	return -1;
}

/* Issues CMD on a fresh data connection; on a 125/150 reply returns the
 * data socket (TLS-wrapped into *dssl when -t), else -1. */
static int
data_cmd(struct ctl *c, const char *cmd, SSL **dssl)
{
	int d = data_open(c), r;

	*dssl = NULL;
	if (d < 0)
		fail("data connection: %s", c->last);
	r = ctl_cmd(c, "%s", cmd);
	if (r != 150 && r != 125)
		fail("%s: %s", cmd, c->last);
	if (s_tls) {
		SSL_SESSION *sess = SSL_get1_session(c->ssl);

		*dssl = tls_start(d, sess);
		SSL_SESSION_free(sess);
		if (*dssl == NULL)
			fail("data TLS handshake");
	}
	return d;
}

static void
data_close(int d, SSL *dssl, int sent)
{
	char tmp[4096];
	int i;

	if (dssl != NULL) {
		if (sent)
			(void)SSL_shutdown(dssl);
		SSL_free(dssl);
	}
	if (sent) {
		/* Drain the peer's close (and close_notify) before closing,
		 * so our last bytes are not lost to a reset. */
		(void)shutdown(d, SHUT_WR);
		for (i = 0; i < 1000 && recv(d, tmp, sizeof tmp, 0) > 0; i++)
			;
	}
	close(d);
}

/* RETR path, data discarded; returns bytes. */
static long long
do_retr(struct ctl *c, const char *path, char *buf)
{
	long long total = 0;
	SSL *dssl;
	char cmd[1100];
	int d;
	ssize_t n;

	snprintf(cmd, sizeof cmd, "RETR %s", path);
	d = data_cmd(c, cmd, &dssl);
	while ((n = io_read(d, dssl, buf, BUFSZ)) > 0)
		total += n;
	if (n < 0)
		fail("RETR %s: data read failed", path);
	data_close(d, dssl, 0);
	if (ctl_reply(c) != 226)
		fail("RETR %s: %s", path, c->last);
	return total;
}

static int
cmd_get(char **argv)
{
	char *buf = malloc(BUFSZ);
	struct ctl c;
	long long n;
	double t0;

	if (buf == NULL || ctl_login(&c) < 0 || ctl_cmd(&c, "TYPE I") != 200)
		fail("login: %s", c.last);
	t0 = now();
	n = do_retr(&c, argv[0], buf);
	printf("bytes=%lld secs=%.6f\n", n, now() - t0);
	(void)ctl_cmd(&c, "QUIT");
	ctl_close(&c);
	return 0;
}

static int
cmd_put(char **argv)
{
	int fd = open(argv[0], O_RDONLY), d;
	long long total = 0;
	char cmd[1100], *buf = malloc(BUFSZ);
	struct ctl c;
	struct stat st;
	SSL *dssl;
	ssize_t n;
	double t0;

	if (fd < 0 || fstat(fd, &st) < 0 || buf == NULL)
		fail("%s: %s", argv[0], strerror(errno));
	if (ctl_login(&c) < 0 || ctl_cmd(&c, "TYPE I") != 200)
		fail("login: %s", c.last);
	snprintf(cmd, sizeof cmd, "STOR %s", argv[1]);
	t0 = now();
	d = data_cmd(&c, cmd, &dssl);
	/* The same sender as bench/ceil's: a 1 MiB send buffer. */
	(void)setsockopt(d, SOL_SOCKET, SO_SNDBUF, &(int){ 1 << 20 },
	    sizeof(int));
	if (dssl == NULL) {
		while (total < st.st_size) {
			n = sendfile(d, fd, NULL, (size_t)(st.st_size - total));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				fail("sendfile: %s", strerror(errno));
			total += n;
		}
	} else {
		while ((n = read(fd, buf, BUFSZ)) > 0) {
			if (io_write(d, dssl, buf, (size_t)n) < 0)
				fail("TLS write");
			total += n;
		}
	}
	data_close(d, dssl, 1);
	if (ctl_reply(&c) != 226)
		fail("STOR: %s", c.last);
	printf("bytes=%lld secs=%.6f\n", total, now() - t0);
	(void)ctl_cmd(&c, "QUIT");
	ctl_close(&c);
	return 0;
}

/* One full short session; 0 when every reply was as expected. */
static int
one_session(void)
{
	struct ctl c;
	char tmp[256];
	int ok, i;

	ok = ctl_login(&c) == 0 && ctl_cmd(&c, "PWD") == 257 &&
	    ctl_cmd(&c, "QUIT") == 221;
	/* Let the server close first (its TIME_WAIT, not ours). */
	for (i = 0; ok && i < 100 && recv(c.fd, tmp, sizeof tmp, 0) > 0; i++)
		;
	ctl_close(&c);
	return ok ? 0 : -1;
}

static int
cmd_sessions(char **argv)
{
	int npar = atoi(argv[0]), i, p[2];
	double secs = atof(argv[1]), t0, end;
	long long ok = 0, bad = 0, v[2];
	pid_t pids[MAX_PAR];

	if (npar < 1 || npar > MAX_PAR || secs <= 0 || secs > 600 ||
	    pipe(p) < 0)
		fail("sessions: bad arguments");
	t0 = now();
	end = t0 + secs;
	for (i = 0; i < npar; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			fail("fork");
		if (pids[i] == 0) {
			long long mine[2] = { 0, 0 };

			close(p[0]);
			while (now() < end) {
				if (one_session() == 0)
					mine[0]++;
				else
					mine[1]++;
			}
			if (write(p[1], mine, sizeof mine) != sizeof mine)
				_exit(1);
			_exit(0);
		}
	}
	close(p[1]);
	for (i = 0; i < npar; i++) {
		if (read(p[0], v, sizeof v) != sizeof v)
			fail("sessions: lost a worker");
		ok += v[0];
		bad += v[1];
	}
	for (i = 0; i < npar; i++)
		(void)waitpid(pids[i], NULL, 0);
	printf("sessions=%lld failed=%lld secs=%.6f\n", ok, bad, now() - t0);
	return 0;
}

/* One hold worker: logs in n sessions, reports {held, failed} on up,
 * sends NOOP on each at the first byte on go and reports {ok, 0}, and
 * closes them all at EOF on go. */
static void
hold_worker(int n, int up, int go)
{
	struct ctl *cs = calloc((size_t)n, sizeof *cs);
	int i, r[2] = { 0, 0 };
	char b;

	if (cs == NULL)
		_exit(1);
	for (i = 0; i < n; i++) {
		if (ctl_login(&cs[i]) < 0) {
			if (r[1]++ == 0)
				fprintf(stderr, "ftpc: hold: %s\n", cs[i].last);
			ctl_close(&cs[i]);
			continue;
		}
		r[0]++;
	}
	if (write(up, r, sizeof r) != sizeof r || read(go, &b, 1) != 1)
		_exit(1);
	r[0] = r[1] = 0;
	for (i = 0; i < n; i++)
		if (cs[i].fd >= 0 && ctl_cmd(&cs[i], "NOOP") == 200)
			r[0]++;
	if (write(up, r, sizeof r) != sizeof r)
		_exit(1);
	while (read(go, &b, 1) > 0)
		;
	for (i = 0; i < n; i++)
		ctl_close(&cs[i]);
	_exit(0);
}

/* Holds N logged-in sessions (opened by HOLD_WORKERS processes at once):
 * prints "held=K failed=F" when they are up, waits for a line on stdin,
 * sends NOOP on each, prints "noop_ok=K", and closes them all at the
 * next line or EOF. */
#define HOLD_WORKERS 4
static int
cmd_hold(char **argv)
{
	int n = atoi(argv[0]), nw, i, up[HOLD_WORKERS][2], go[HOLD_WORKERS][2];
	int held = 0, bad = 0, nok = 0, r[2];
	pid_t pids[HOLD_WORKERS];
	char line[64];

	if (n < 1 || n > MAX_HOLD)
		fail("hold: bad count");
	nw = n < HOLD_WORKERS ? n : HOLD_WORKERS;
	for (i = 0; i < nw; i++) {
		if (pipe(up[i]) < 0 || pipe(go[i]) < 0)
			fail("pipe");
		pids[i] = fork();
		if (pids[i] < 0)
			fail("fork");
		if (pids[i] == 0) {
			close(up[i][0]);
			close(go[i][1]);
			hold_worker(n / nw + (i < n % nw), up[i][1], go[i][0]);
		}
		close(up[i][1]);
		close(go[i][0]);
	}
	for (i = 0; i < nw; i++) {
		if (read(up[i][0], r, sizeof r) != sizeof r)
			fail("hold: a worker failed");
		held += r[0];
		bad += r[1];
	}
	printf("held=%d failed=%d\n", held, bad);
	fflush(stdout);
	if (fgets(line, sizeof line, stdin) != NULL) {
		for (i = 0; i < nw; i++)
			if (write(go[i][1], "x", 1) != 1)
				fail("hold: a worker is gone");
		for (i = 0; i < nw; i++) {
			if (read(up[i][0], r, sizeof r) != sizeof r)
				fail("hold: a worker failed");
			nok += r[0];
		}
		printf("noop_ok=%d\n", nok);
		fflush(stdout);
		(void)fgets(line, sizeof line, stdin);
	}
	for (i = 0; i < nw; i++)
		close(go[i][1]);
	for (i = 0; i < nw; i++)
		(void)waitpid(pids[i], NULL, 0);
	return 0;
}

static int
cmd_list(char **argv)
{
	char *buf = malloc(BUFSZ), cmd[64];
	long long bytes = 0, lines = 0;
	struct ctl c;
	SSL *dssl;
	ssize_t n;
	double t0;
	int d;

	if (buf == NULL || ctl_login(&c) < 0)
		fail("login: %s", c.last);
	if (ctl_cmd(&c, "CWD %s", argv[0]) != 250)
		fail("CWD: %s", c.last);
	snprintf(cmd, sizeof cmd, "%s", argv[1]);
	t0 = now();
	d = data_cmd(&c, cmd, &dssl);
	while ((n = io_read(d, dssl, buf, BUFSZ)) > 0) {
		bytes += n;
		for (char *q = buf; (q = memchr(q, '\n', (size_t)(buf + n - q)));
		     q++)
			lines++;
	}
	data_close(d, dssl, 0);
	if (n < 0 || ctl_reply(&c) != 226)
		fail("%s: %s", cmd, c.last);
	printf("bytes=%lld lines=%lld secs=%.6f\n", bytes, lines, now() - t0);
	(void)ctl_cmd(&c, "QUIT");
	ctl_close(&c);
	return 0;
}

/* N clients log in, wait at a barrier, then RETR at once. */
static int
cmd_pget(char **argv)
{
	int n = atoi(argv[1]), i, ready[2], go[2], status, bad = 0;
	pid_t pids[MAX_PAR];
	long long v, total = 0;
	double t0;
	char b;

	if (n < 1 || n > MAX_PAR || pipe(ready) < 0 || pipe(go) < 0)
		fail("pget: bad arguments");
	for (i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			fail("fork");
		if (pids[i] == 0) {
			char *buf = malloc(BUFSZ);
			struct ctl c;

			close(ready[0]);
			close(go[1]);
			if (buf == NULL || ctl_login(&c) < 0 ||
			    ctl_cmd(&c, "TYPE I") != 200)
				fail("login: %s", c.last);
			v = 0;
			if (write(ready[1], &v, sizeof v) != sizeof v ||
			    read(go[0], &b, 1) != 0)
				_exit(1);
			v = do_retr(&c, argv[0], buf);
			if (write(ready[1], &v, sizeof v) != sizeof v)
				_exit(1);
			_exit(0);
		}
	}
	close(ready[1]);
	close(go[0]);
	for (i = 0; i < n; i++)
		if (read(ready[0], &v, sizeof v) != sizeof v)
			fail("pget: a client failed to log in");
	t0 = now();
	close(go[1]);
	for (i = 0; i < n; i++) {
		if (read(ready[0], &v, sizeof v) != sizeof v)
			fail("pget: a client failed");
		total += v;
	}
	printf("bytes=%lld secs=%.6f\n", total, now() - t0);
	for (i = 0; i < n; i++)
		if (waitpid(pids[i], &status, 0) < 0 || status != 0)
			bad++;
	return bad ? 1 : 0;
}

int
main(int argc, char **argv)
{
	int i = 1;

	signal(SIGPIPE, SIG_IGN);
	if (argc > 1 && strcmp(argv[1], "-t") == 0) {
		s_tls = 1;
		i++;
	}
	if (argc - i < 3) {
		fprintf(stderr, "usage: ftpc [-t] get|put|sessions|hold|list|"
		    "pget PORT ARGS...\n");
		return 64;
	}
	s_port = atoi(argv[i + 1]);
	if (s_tls) {
		s_ctx = SSL_CTX_new(TLS_client_method());
		if (s_ctx == NULL ||
		    SSL_CTX_set_min_proto_version(s_ctx, TLS1_3_VERSION) != 1 ||
		    SSL_CTX_set_ciphersuites(s_ctx,
		    "TLS_AES_256_GCM_SHA384") != 1)
			fail("TLS setup");
		SSL_CTX_set_session_cache_mode(s_ctx, SSL_SESS_CACHE_CLIENT);
	}
	if (strcmp(argv[i], "get") == 0 && argc - i == 3)
		return cmd_get(argv + i + 2);
	if (strcmp(argv[i], "put") == 0 && argc - i == 4)
		return cmd_put(argv + i + 2);
	if (strcmp(argv[i], "sessions") == 0 && argc - i == 4)
		return cmd_sessions(argv + i + 2);
	if (strcmp(argv[i], "hold") == 0 && argc - i == 3)
		return cmd_hold(argv + i + 2);
	if (strcmp(argv[i], "list") == 0 && argc - i == 4)
		return cmd_list(argv + i + 2);
	if (strcmp(argv[i], "pget") == 0 && argc - i == 4)
		return cmd_pget(argv + i + 2);
	fprintf(stderr, "ftpc: unknown command or wrong argument count\n");
	return 64;
}
