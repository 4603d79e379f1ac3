/* fuzz_session.c: the server's control-line reader and command
 * dispatcher (ftpd/session.c session_preload + session_loop,
 * ftpd/cmdtab.c and the handlers) fed a whole session's bytes.
 *
 * A struct session runs in this process over an AF_UNIX socketpair (so
 * PORT/EPRT/PASV are refused; EPSV listens, in a network namespace of
 * the harness's own when it may make one) with privfd -1 (so
 * USER/PASS and REIN get the monitor's failure path, 421, and nothing
 * forks or changes privileges) and a fresh temporary root folder holding
 * a file, a folder and a .message.  A thread writes the input to the
 * client end and reads every reply until the server end closes.
 *
 * Inputs with more than three "sv" (any case) are refused: a passive
 * data connection nobody opens waits data_timeout (1 s).
 *
 * Input: byte 0 bit 0 logged in, bit 1 anonymous (else virtual), bit 2
 * anonymous upload folder /incoming; byte 1 how many bytes go in through
 * session_preload; the rest is the client's byte stream.  Checked:
 * - the loop ends (EOF, QUIT or a 421) and every byte sent back is a
 *   sequence of complete, well-formed replies (reply_feed_line, codes
 *   100..599, CRLF line ends, nothing after the last reply);
 * - nothing appears next to the root folder (no path escapes it). */
#include "config.h"

#include <sched.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "reply.h"
#include "cmdtab.h"
#include "conf.h"
#include "env.h"
#include "session.h"
#include "fuzz.h"

static struct ftpd_conf s_conf[2];	/* [1]: with anon_upload_dir */
static struct ftpd_env s_env[2];

struct client {
	int fd;
	const uint8_t *in;
	size_t inlen;
	struct buf out;		/* everything the server sent */
};

/* Writes the input, then half-closes; reads replies until EOF. */
static void *
client_main(void *arg)
{
	struct client *c = arg;
	size_t off = 0;
	int wr_open = 1;
	char tmp[16384];

	for (;;) {
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		ssize_t r;

		if (wr_open && off == c->inlen) {
			if (shutdown(c->fd, SHUT_WR) < 0)
				abort();
			wr_open = 0;
		}
		if (wr_open)
			p.events |= POLLOUT;
		if (poll(&p, 1, 20000) <= 0)
			abort();	/* server stuck */
		if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
			r = recv(c->fd, tmp, sizeof tmp, MSG_DONTWAIT);
			if (r == 0 || (r < 0 && errno != EAGAIN))
				break;
			if (r > 0 && buf_append(&c->out, tmp, (size_t)r) < 0)
				abort();
		}
		if (wr_open && (p.revents & POLLOUT)) {
			r = send(c->fd, c->in + off, c->inlen - off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);
			if (r > 0)
				off += (size_t)r;
			else if (r < 0 && errno != EAGAIN)
				wr_open = 0;	/* server gone (QUIT) */
		}
	}
	return NULL;
}

static void
conf_setup(struct ftpd_conf *c, struct ftpd_env *e, const char *upload)
{
	char err[256];

	if (ftpd_conf_init(c, err, sizeof err) < 0)
		abort();
	free(c->anon_upload_dir);
	c->anon_upload_dir = strdup(upload);
	if (c->anon_upload_dir == NULL || ftpd_conf_check(c, err, sizeof err) < 0)
		abort();
	/* nothing may wait long: the loop only ends on EOF */
	c->idle_timeout = 5;
	c->data_timeout = 1;
	memset(e, 0, sizeof *e);
	e->conf = c;
	e->xferlog_fd = -1;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)signal(SIGPIPE, SIG_IGN);
	/* EPSV listens for real: where allowed (root), do it in a network
	 * namespace of our own so no other host or process can connect. */
	(void)unshare(CLONE_NEWNET);
	log_init("fuzz_session", 0, 0);
	log_set_level(-1);
	conf_setup(&s_conf[0], &s_env[0], "");
	conf_setup(&s_conf[1], &s_env[1], "/incoming");
	return 0;
}

static void
put_file(const char *dir, const char *rel, const char *text)
{
	char p[512];
	int fd;

	snprintf(p, sizeof p, "%s/%s", dir, rel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
	    close(fd) < 0)
		abort();
}

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	if (flag == FTW_DP ? rmdir(p) < 0 : unlink(p) < 0)
		abort();
	return 0;
}

/* The replies: complete, well-formed, CRLF-terminated. */
static void
check_replies(const char *p, size_t n)
{
	struct ftp_reply r;
	int state = 0, v;

	reply_init(&r);
	while (n > 0) {
		const char *nl = memchr(p, '\n', n);
		size_t len;

		FUZZ_ASSERT(nl != NULL);	/* no partial last line */
		len = (size_t)(nl - p);
		FUZZ_ASSERT(len >= 1 && p[len - 1] == '\r');
		FUZZ_ASSERT(memchr(p, '\r', len - 1) == NULL);
		FUZZ_ASSERT(memchr(p, '\0', len) == NULL);
		v = reply_feed_line(&r, &state, p, len - 1);
		if (v < 0)
			fprintf(stderr, "bad reply line: %.*s\n", (int)len, p);
		FUZZ_ASSERT(v >= 0);
		if (v == 1) {
			FUZZ_ASSERT(r.code >= 100 && r.code <= 599);
			reply_free(&r);
			reply_init(&r);
			state = 0;
		}
		n -= len + 1;
		p = nl + 1;
	}
	FUZZ_ASSERT(state == 0);	/* nothing left half-sent */
	reply_free(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char top[] = "/tmp/fuzz_session.XXXXXX", root[64], sub[80], up[80];
	struct session s;
	struct client c;
	pthread_t th;
	unsigned mode, pre;
	int sv[2], k = 0;
	DIR *d;
	struct dirent *de;

	/* Each passive wait (EPSV then LIST/RETR/...) may take
	 * data_timeout (1 s): keep such inputs out so no exec is slow. */
	for (size_t i = 0, nsv = 0; i + 1 < size; i++)
		if ((data[i] | 0x20) == 's' && (data[i + 1] | 0x20) == 'v' &&
		    ++nsv > 3)
			return -1;
	mode = fuzz_take(&data, &size);
	pre = fuzz_take(&data, &size);
	if (pre > size)
		pre = (unsigned)size;
	if (mkdtemp(top) == NULL)
		abort();
	snprintf(root, sizeof root, "%s/root", top);
	snprintf(sub, sizeof sub, "%s/dir", root);
	snprintf(up, sizeof up, "%s/incoming", root);
	if (mkdir(root, 0755) < 0 || mkdir(sub, 0755) < 0 ||
	    mkdir(up, 0755) < 0)
		abort();
	put_file(root, "file.txt", "hello\nworld\n");
	put_file(root, "dir/.message", "Welcome to dir.\n");

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	session_init(&s, &s_env[(mode >> 2) & 1], sv[0], sv[0], -1, getpid());
	s.rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s.rootfd < 0)
		abort();
	if (mode & 1) {
		s.logged_in = 1;
		s.kind = (mode & 2) ? AUTH_ANON : AUTH_VIRTUAL;
		strcpy(s.user, (mode & 2) ? "anonymous" : "tester");
	}
	if (pre > 0)
		session_preload(&s, data, pre);

	memset(&c, 0, sizeof c);
	c.fd = sv[1];
	c.in = data + pre;
	c.inlen = size - pre;
	buf_init(&c.out, 64u << 20);
	if (pthread_create(&th, NULL, client_main, &c) != 0)
		abort();
	session_loop(&s);
	session_free(&s);
	if (close(sv[0]) < 0)
		abort();
	if (pthread_join(th, NULL) != 0)
		abort();
	if (close(sv[1]) < 0)
		abort();
	if (getenv("FUZZ_SESSION_SHOW") != NULL)	/* for reading seeds */
		fprintf(stderr, "%.*s", (int)c.out.len,
			c.out.data != NULL ? c.out.data : "");
	check_replies(c.out.data != NULL ? c.out.data : "", c.out.len);
	buf_free(&c.out);

	/* SECURITY: nothing was made next to the root */
	d = opendir(top);
	if (d == NULL)
		abort();
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		FUZZ_ASSERT(strcmp(de->d_name, "root") == 0);
		k++;
	}
	closedir(d);
	FUZZ_ASSERT(k == 1);
	if (nftw(top, rm_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
		abort();
	return 0;
}
