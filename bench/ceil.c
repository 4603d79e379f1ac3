/* ceil.c: raw loopback copy ceilings for the benchmark, no FTP at all.
 * One process sends FILE over a fresh 127.0.0.1 TCP connection, the other
 * receives it; the receiver times connect-to-EOF and prints
 * "bytes=N secs=S".  Modes (sender / receiver):
 *   sendfile  sendfile() / recv() into a buffer, discarded
 *   readwrite read() + write() / recv() into a buffer, discarded
 *   recvfile  sendfile() / recv() + write() to OUT
 *   splice    sendfile() / splice() socket -> pipe -> OUT
 * sendfile() and splice() run on non-blocking sockets with poll(), the
 * way a server that also watches its control connection does.
 *   tls       read() + SSL_write() / SSL_read(), discarded; TLS 1.3
 *             TLS_AES_256_GCM_SHA384 with CERT and KEY
 * Usage: ceil MODE FILE [OUT | CERT KEY]
 * Built by bench/run with cc; not part of the project build. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
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
#define PIPESZ (1024 * 1024)

static void
die(const char *what)
{
	fprintf(stderr, "ceil: %s: %s\n", what, strerror(errno));
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

static void
write_full(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die("write");
		p += w;
		n -= (size_t)w;
	}
}

static void
wait_for(int fd, short events)
{
	struct pollfd p = { fd, events, 0 };

	if (poll(&p, 1, 60000) != 1)
		die("poll");
}

static SSL_CTX *
tls_ctx(int server, const char *cert, const char *key)
{
	SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() :
	    TLS_client_method());

	if (ctx == NULL ||
	    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_set_ciphersuites(ctx, "TLS_AES_256_GCM_SHA384") != 1)
		die("SSL_CTX");
	if (server && (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1))
		die("certificate");
	return ctx;
}

/* CEIL_SNDBUF / CEIL_RCVBUF (bytes) pin a socket buffer size; 0 leaves
 * the kernel's autotuning alone.  Defaults: a 1 MiB send buffer (cheaper
 * per byte for sendfile on loopback than autotuning, as ftpkit's
 * net_tune_bulk does), an autotuned receive buffer. */
static void
sockbuf(int s, int opt, const char *env, int dflt)
{
	const char *v = getenv(env);
	int sz = v != NULL ? atoi(v) : dflt;

	if (sz > 0)
		(void)setsockopt(s, SOL_SOCKET, opt, &sz, sizeof sz);
}

static void
sender(int lfd, const char *mode, const char *file, const char *cert,
       const char *key)
{
	int s = accept(lfd, NULL, NULL), fd = open(file, O_RDONLY);
	struct stat st;

	if (s < 0 || fd < 0 || fstat(fd, &st) < 0)
		die("sender setup");
	sockbuf(s, SO_SNDBUF, "CEIL_SNDBUF", 1 << 20);
	if (strcmp(mode, "tls") == 0) {
		SSL_CTX *ctx = tls_ctx(1, cert, key);
		SSL *ssl = SSL_new(ctx);
		char *buf = malloc(BUFSZ);
		ssize_t n;
		size_t w;

		if (ssl == NULL || buf == NULL || SSL_set_fd(ssl, s) != 1 ||
		    SSL_accept(ssl) != 1)
			die("SSL_accept");
		while ((n = read(fd, buf, BUFSZ)) > 0)
			if (SSL_write_ex(ssl, buf, (size_t)n, &w) != 1)
				die("SSL_write");
		if (n < 0)
			die("read");
		(void)SSL_shutdown(ssl);
	} else if (strcmp(mode, "readwrite") == 0) {
		char *buf = malloc(BUFSZ);
		ssize_t n;

		if (buf == NULL)
			die("malloc");
		while ((n = read(fd, buf, BUFSZ)) > 0)
			write_full(s, buf, (size_t)n);
		if (n < 0)
			die("read");
	} else {
		off_t left = st.st_size;

		/* Non-blocking with poll(), as a server watching its control
		 * connection must do too. */
		if (fcntl(s, F_SETFL, O_NONBLOCK) < 0)
			die("fcntl");
		while (left > 0) {
			ssize_t r;

			wait_for(s, POLLOUT);
			r = sendfile(s, fd, NULL, (size_t)left);
			if (r < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (r <= 0)
				die("sendfile");
			left -= r;
		}
	}
	(void)shutdown(s, SHUT_WR);
	exit(0);
}

static long long
recv_plain(int s, int out)
{
	char *buf = malloc(BUFSZ);
	long long total = 0;
	ssize_t n;

	if (buf == NULL)
		die("malloc");
	for (;;) {
		n = recv(s, buf, BUFSZ, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("recv");
		if (n == 0)
			break;
		if (out >= 0)
			write_full(out, buf, (size_t)n);
		total += n;
	}
	free(buf);
	return total;
}

static long long
recv_splice(int s, int out)
{
	long long total = 0;
	int p[2];
	ssize_t n, m;

	if (pipe2(p, O_CLOEXEC) < 0 || fcntl(s, F_SETFL, O_NONBLOCK) < 0)
		die("pipe");
	(void)fcntl(p[1], F_SETPIPE_SZ, PIPESZ);
	for (;;) {
		wait_for(s, POLLIN);
		n = splice(s, NULL, p[1], NULL, PIPESZ,
		    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			die("splice in");
		if (n == 0)
			break;
		total += n;
		while (n > 0) {
			m = splice(p[0], NULL, out, NULL, (size_t)n,
			    SPLICE_F_MOVE);
			if (m < 0 && errno == EINTR)
				continue;
			if (m <= 0)
				die("splice out");
			n -= m;
		}
	}
	return total;
}

static long long
recv_tls(int s)
{
	SSL_CTX *ctx = tls_ctx(0, NULL, NULL);
	SSL *ssl = SSL_new(ctx);
	char *buf = malloc(BUFSZ);
	long long total = 0;
	size_t n;

	if (ssl == NULL || buf == NULL || SSL_set_fd(ssl, s) != 1 ||
	    SSL_connect(ssl) != 1)
		die("SSL_connect");
	if (strcmp(SSL_get_cipher_name(ssl), "TLS_AES_256_GCM_SHA384") != 0) {
		fprintf(stderr, "ceil: unexpected cipher %s\n",
		    SSL_get_cipher_name(ssl));
		exit(1);
	}
	while (SSL_read_ex(ssl, buf, BUFSZ, &n) == 1)
		total += (long long)n;
	if (SSL_get_error(ssl, 0) != SSL_ERROR_ZERO_RETURN)
		die("SSL_read");
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	free(buf);
	return total;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof a;
	const char *mode, *out = NULL, *cert = NULL, *key = NULL;
	int lfd, s, ofd = -1, status;
	long long total;
	double t0, t1;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: ceil MODE FILE [OUT | CERT KEY]\n");
		return 64;
	}
	mode = argv[1];
	if (strcmp(mode, "tls") == 0 && argc == 5) {
		cert = argv[3];
		key = argv[4];
	} else if ((strcmp(mode, "recvfile") == 0 ||
		    strcmp(mode, "splice") == 0) && argc == 4) {
		out = argv[3];
	} else if ((strcmp(mode, "sendfile") != 0 &&
		    strcmp(mode, "readwrite") != 0) || argc != 3) {
		fprintf(stderr, "ceil: bad mode or arguments\n");
		return 64;
	}
	signal(SIGPIPE, SIG_IGN);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    listen(lfd, 1) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&a, &alen) < 0)
		die("listen");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0)
		sender(lfd, mode, argv[2], cert, key);
	if (out != NULL && (ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC, 0644)) < 0)
		die(out);
	t0 = now();
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s >= 0)
		sockbuf(s, SO_RCVBUF, "CEIL_RCVBUF", 0);
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a) < 0)
		die("connect");
	if (strcmp(mode, "tls") == 0)
		total = recv_tls(s);
	else if (strcmp(mode, "splice") == 0)
		total = recv_splice(s, ofd);
	else
		total = recv_plain(s, ofd);
	t1 = now();
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "ceil: sender failed\n");
		return 1;
	}
	if (ofd >= 0 && close(ofd) < 0)
		die("close");
	printf("bytes=%lld secs=%.6f\n", total, t1 - t0);
	return 0;
}
