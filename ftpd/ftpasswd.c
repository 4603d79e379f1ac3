/* ftpasswd.c: adds, changes or deletes a user in ftpd's virtual users
 * file (lines name:crypt-hash:home[:options]).  Passwords come from the
 * terminal without echo (twice) or as one line from stdin; the hash is
 * yescrypt, or sha512-crypt where libcrypt lacks it.  The file is
 * rewritten atomically (temporary file + rename), other lines kept. */
#include "config.h"

#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "buf.h"
#include "sys.h"
#include "userfile.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define DEFAULT_FILE SYSCONFDIR "/ftpd.users"
#define PASS_MAX 1024
#define FILE_MAX (64 * 1024 * 1024)

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: ftpasswd [-f FILE] [-d HOME] [--stdin] USER\n"
		"       ftpasswd [-f FILE] -D USER\n"
		"  -f FILE   users file (default %s)\n"
		"  -d HOME   the user's root folder (required for a new user)\n"
		"  --stdin   read the password as one line from stdin\n"
		"  -D        delete USER\n", DEFAULT_FILE);
}

/* Reads one line (without its newline) from fd.  0 or -1. */
static int
read_secret_line(int fd, char *out, size_t cap)
{
	size_t n = 0;
	char ch;
	ssize_t r;

	for (;;) {
		r = sys_read(fd, &ch, 1);
		if (r < 0)
			return -1;
		if (r == 0 || ch == '\n')
			break;
		if (n + 1 >= cap)
			return -1;
		out[n++] = ch;
	}
	if (n > 0 && out[n - 1] == '\r')
		n--;
	out[n] = '\0';
	return r == 0 && n == 0 ? -1 : 0;
}

static int
prompt_tty(int fd, const char *prompt, char *out, size_t cap)
{
	struct termios old, quiet;
	int r;

	if (sys_write_full(fd, prompt, strlen(prompt)) < 0 ||
	    tcgetattr(fd, &old) < 0)
		return -1;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	if (tcsetattr(fd, TCSAFLUSH, &quiet) < 0)
		return -1;
	r = read_secret_line(fd, out, cap);
	(void)tcsetattr(fd, TCSAFLUSH, &old);
	(void)sys_write_full(fd, "\n", 1);
	return r;
}

static int
get_password(int from_stdin, char *out, size_t cap)
{
	char again[PASS_MAX];
	int fd, r;

	if (from_stdin) {
		if (read_secret_line(0, out, cap) < 0) {
			fprintf(stderr, "ftpasswd: no password on stdin\n");
			return -1;
		}
		return 0;
	}
	fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		fprintf(stderr, "ftpasswd: no terminal (%s); use --stdin\n",
			strerror(errno));
		return -1;
	}
	r = prompt_tty(fd, "New password: ", out, cap);
	if (r == 0)
		r = prompt_tty(fd, "Retype new password: ", again, sizeof again);
	sys_close_failok(fd);
	if (r < 0) {
		fprintf(stderr, "ftpasswd: cannot read the password\n");
		return -1;
	}
	r = strcmp(out, again) == 0 ? 0 : -1;
	explicit_bzero(again, sizeof again);
	if (r < 0)
		fprintf(stderr, "ftpasswd: the passwords differ\n");
	return r;
}

static int
make_hash(const char *pass, char *out, size_t cap)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd;
	const char *h;
	int r = -1;

	if (crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof salt) == NULL &&
	    crypt_gensalt_rn("$6$", 0, NULL, 0, salt, sizeof salt) == NULL)
		return -1;
	cd = calloc(1, sizeof *cd);
	if (cd == NULL)
		return -1;
	h = crypt_r(pass, salt, cd);
	if (h != NULL && h[0] != '*' && strlen(h) < cap) {
		snprintf(out, cap, "%s", h);
		r = 0;
	}
	explicit_bzero(cd, sizeof *cd);
	free(cd);
	return r;
}

static int
valid_home(const char *home)
{
	if (home[0] != '/' || strlen(home) >= USERFILE_HOME_MAX)
		return 0;
	for (const unsigned char *p = (const unsigned char *)home; *p; p++)
		if (*p == ':' || *p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/* Reads the whole file (missing = empty).  0 or -1. */
static int
read_file(const char *path, struct buf *out, struct stat *st, int *exists)
{
	char chunk[8192];
	ssize_t n;
	int fd;

	*exists = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	*exists = 1;
	if (fstat(fd, st) < 0) {
		sys_close_failok(fd);
		return -1;
	}
	while ((n = sys_read(fd, chunk, sizeof chunk)) > 0)
		if (buf_append(out, chunk, (size_t)n) < 0) {
			n = -1;
			break;
		}
	sys_close_failok(fd);
	return n < 0 ? -1 : 0;
}

/* Writes data to a temporary file next to path and renames it over
 * path.  0 or -1. */
static int
write_atomic(const char *path, const struct buf *data, const struct stat *old,
	     int existed)
{
	struct buf tmp = BUF_INIT(8192);
	int fd, r = -1;

	if (buf_printf(&tmp, "%s.XXXXXX", path) < 0)
		return -1;
	fd = mkostemp(tmp.data, O_CLOEXEC);
	if (fd < 0)
		goto out;
	if (fchmod(fd, existed ? (old->st_mode & 07777) : 0600) < 0 ||
	    (existed && geteuid() == 0 &&
	     fchown(fd, old->st_uid, old->st_gid) < 0) ||
	    (data->len > 0 && sys_write_full(fd, data->data, data->len) < 0) ||
	    fsync(fd) < 0) {
		sys_close_failok(fd);
		(void)unlink(tmp.data);
		goto out;
	}
	if (close(fd) < 0 || rename(tmp.data, path) < 0) {
		(void)unlink(tmp.data);
		goto out;
	}
	r = 0;
out:
	buf_free(&tmp);
	return r;
}

/* Rewrites the file content: the user's line replaced (or removed), or
 * a new line appended.  Returns 1 if the user was found, 0 if not. */
static int
rewrite(const struct buf *in, struct buf *out, const char *user,
	const char *newline_text, int del, struct userfile_entry *found)
{
	const char *p = in->len ? in->data : "", *end = p + in->len;
	size_t ul = strlen(user);
	int hit = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

		if (!hit && len > ul && strncmp(p, user, ul) == 0 && p[ul] == ':') {
			char line[USERFILE_LINE_MAX];
			const char *why;

			hit = 1;
			if (len < sizeof line) {
				memcpy(line, p, len);
				line[len] = '\0';
				if (userfile_parse_line(line, found, &why) != 0)
					memset(found, 0, sizeof *found);
				explicit_bzero(line, sizeof line);
			}
			if (!del && newline_text != NULL)
				(void)buf_puts(out, newline_text);
		} else {
			(void)buf_append(out, p, len);
			(void)buf_putc(out, '\n');
		}
		p += len + (nl != NULL);
	}
	return hit;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "stdin", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *file = DEFAULT_FILE, *home = NULL, *user;
	struct buf in = BUF_INIT(FILE_MAX), out = BUF_INIT(FILE_MAX + 8192);
	struct buf line = BUF_INIT(USERFILE_LINE_MAX);
	struct userfile_entry old;
	struct stat st;
	char pass[PASS_MAX], hash[USERFILE_HASH_MAX];
	int ch, del = 0, from_stdin = 0, existed, hit, rc = 1;

	memset(&st, 0, sizeof st);
	memset(&old, 0, sizeof old);
	while ((ch = getopt_long(argc, argv, "f:d:D", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			file = optarg;
			break;
		case 'd':
			home = optarg;
			break;
		case 'D':
			del = 1;
			break;
		case 's':
			from_stdin = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return 2;
	}
	user = argv[optind];
	if (!userfile_valid_name(user)) {
		fprintf(stderr, "ftpasswd: invalid user name '%s' (letters, "
			"digits and ._-@+ only)\n", user);
		return 1;
	}
	if (home != NULL && !valid_home(home)) {
		fprintf(stderr, "ftpasswd: home must be an absolute path without "
			"':' or control characters\n");
		return 1;
	}
	if (read_file(file, &in, &st, &existed) < 0) {
		fprintf(stderr, "ftpasswd: %s: %s\n", file, strerror(errno));
		return 1;
	}
	if (del) {
		hit = rewrite(&in, &out, user, NULL, 1, &old);
		if (!hit) {
			fprintf(stderr, "ftpasswd: %s: no user '%s'\n", file, user);
			goto done;
		}
	} else {
		/* Look first, so a new user without -d fails before asking. */
		hit = rewrite(&in, &out, user, NULL, 1, &old);
		buf_reset(&out);
		if (!hit && home == NULL) {
			fprintf(stderr, "ftpasswd: new user '%s' needs -d HOME\n",
				user);
			goto done;
		}
		if (hit && home == NULL && old.home[0] == '\0') {
			fprintf(stderr, "ftpasswd: the line of '%s' is malformed; "
				"give -d HOME to rewrite it\n", user);
			goto done;
		}
		if (get_password(from_stdin, pass, sizeof pass) < 0)
			goto done;
		if (pass[0] == '\0') {
			fprintf(stderr, "ftpasswd: empty password refused\n");
			goto done;
		}
		if (make_hash(pass, hash, sizeof hash) < 0) {
			fprintf(stderr, "ftpasswd: cannot hash the password\n");
			goto done;
		}
		if (buf_printf(&line, "%s:%s:%s%s%s\n", user, hash,
			       home != NULL ? home : old.home,
			       old.options[0] ? ":" : "", old.options) < 0) {
			fprintf(stderr, "ftpasswd: line too long\n");
			goto done;
		}
		(void)rewrite(&in, &out, user, buf_cstr(&line), 0, &old);
		if (!hit)
			(void)buf_puts(&out, buf_cstr(&line));
	}
	if (write_atomic(file, &out, &st, existed) < 0) {
		fprintf(stderr, "ftpasswd: cannot write %s: %s\n", file,
			strerror(errno));
		goto done;
	}
	rc = 0;
done:
	explicit_bzero(pass, sizeof pass);
	userfile_wipe(&old);
	buf_free(&in);
	buf_free(&out);
	buf_free(&line);
	return rc;
}
