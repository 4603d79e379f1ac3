/* cmds_nav.c: remote and local navigation, file management, listings,
 * and raw commands: cd cdup pwd lcd lpwd mkdir rmdir delete mdelete
 * rename size modtime chmod site quote system ls/dir/nlist/mlsd. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "client.h"
#include "cmdloop.h"
#include "cmds.h"
#include "cmdtab.h"
#include "complete.h"
#include "rlist.h"
#include "session.h"
#include "status.h"
#include "sys.h"
#include "transfer.h"

/* Sends a one-shot command and expects one of two success codes. */
static int
simple(const char *what, int ok1, int ok2, const char *verb, const char *arg)
{
	struct ftp_client *c = &ses->cl;
	int code = client_cmd(c, "%s %s", verb, arg);

	if (code == ok1 || code == ok2)
		return ST_OK;
	return client_fail(c, code, what);
}

int
cmd_cd(int argc, char **argv)
{
	int st;

	if (argc != 2)
		return cmd_usage(argv[0]);
	complete_invalidate();
	st = simple("cd", 250, 200, "CWD", argv[1]);
	return st;
}

int
cmd_cdup(int argc, char **argv)
{
	struct ftp_client *c = &ses->cl;
	int code;

	if (argc != 1)
		return cmd_usage(argv[0]);
	complete_invalidate();
	code = client_cmd(c, "CDUP");
	if (code == 500 || code == 502)
		code = client_cmd(c, "CWD ..");
	if (code == 250 || code == 200)
		return ST_OK;
	return client_fail(c, code, "cdup");
}

int
cmd_pwd(int argc, char **argv)
{
	struct ftp_client *c = &ses->cl;
	struct buf path = BUF_INIT(8192);
	int code;

	if (argc != 1)
		return cmd_usage(argv[0]);
	code = client_cmd(c, "PWD");
	if (code != 257)
		return client_fail(c, code, "pwd");
	if (!c->printed) {
		if (reply_unquote_path(client_last(c), &path) == 0)
			printf("Remote directory: %s\n", buf_cstr(&path));
		else
			printf("%s\n", client_last(c));
	}
	buf_free(&path);
	return ST_OK;
}

int
cmd_lcd(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : getenv("HOME");
	char *cwd;

	if (argc > 2)
		return cmd_usage(argv[0]);
	if (!dir) {
		fprintf(stderr, "ftp: lcd: no folder given and $HOME unset\n");
		return ST_USAGE;
	}
	if (chdir(dir) < 0) {
		fprintf(stderr, "ftp: lcd %s: %s\n", dir, strerror(errno));
		return status_from_errno(errno);
	}
	cwd = getcwd(NULL, 0);
	printf("Local directory now: %s\n", cwd ? cwd : dir);
	free(cwd);
	return ST_OK;
}

int
cmd_lpwd(int argc, char **argv)
{
	char *cwd;

	if (argc != 1)
		return cmd_usage(argv[0]);
	cwd = getcwd(NULL, 0);
	if (!cwd) {
		fprintf(stderr, "ftp: lpwd: %s\n", strerror(errno));
		return ST_OTHER;
	}
	printf("Local directory: %s\n", cwd);
	free(cwd);
	return ST_OK;
}

int
cmd_mkdir(int argc, char **argv)
{
	if (argc != 2)
		return cmd_usage(argv[0]);
	complete_invalidate();
	return simple("mkdir", 257, 250, "MKD", argv[1]);
}

int
cmd_rmdir(int argc, char **argv)
{
	if (argc != 2)
		return cmd_usage(argv[0]);
	complete_invalidate();
	return simple("rmdir", 250, 200, "RMD", argv[1]);
}

int
cmd_delete(int argc, char **argv)
{
	if (argc != 2)
		return cmd_usage(argv[0]);
	complete_invalidate();
	return simple("delete", 250, 200, "DELE", argv[1]);
}

int
cmd_mdelete(int argc, char **argv)
{
	int first = ST_OK, all = 0;

	if (argc < 2)
		return cmd_usage(argv[0]);
	complete_invalidate();
	for (int i = 1; i < argc && ses->cl.connected; i++) {
		struct rname *names;
		size_t n;
		int st = rglob(&ses->cl, argv[i], ses->set.glob, 1, &names, &n);

		if (st != ST_OK) {
			if (first == ST_OK)
				first = st;
			continue;
		}
		for (size_t k = 0; k < n; k++) {
			int a = all ? 'a' : cmdloop_confirm("mdelete", names[k].path);

			if (a == 'q') {
				rglob_free(names);
				return first;
			}
			if (a == 'n')
				continue;
			if (a == 'a')
				all = 1;
			st = simple("mdelete", 250, 200, "DELE", names[k].path);
			if (st != ST_OK && first == ST_OK)
				first = st;
		}
		rglob_free(names);
	}
	return first;
}

int
cmd_rename(int argc, char **argv)
{
	struct ftp_client *c = &ses->cl;
	int code;

	if (argc != 3)
		return cmd_usage(argv[0]);
	complete_invalidate();
	code = client_cmd(c, "RNFR %s", argv[1]);
	if (code != 350)
		return client_fail(c, code, "rename");
	code = client_cmd(c, "RNTO %s", argv[2]);
	if (code != 250 && code != 200)
		return client_fail(c, code, "rename");
	return ST_OK;
}

int
cmd_size(int argc, char **argv)
{
	struct ftp_client *c = &ses->cl;
	uint64_t size;
	int st;

	if (argc != 2)
		return cmd_usage(argv[0]);
	/* SIZE is defined for the current TYPE; binary gives the file size */
	if ((st = client_type(c, ses->set.type)) != ST_OK)
		return st;
	if (client_size(c, argv[1], &size) < 0)
		return client_fail(c, c->connected ? c->reply.code : -1, "size");
	printf("%s\t%llu\n", argv[1], (unsigned long long)size);
	return ST_OK;
}

int
cmd_modtime(int argc, char **argv)
{
	struct ftp_client *c = &ses->cl;
	long long t;
	char when[64];
	time_t tt;
	struct tm tm;

	if (argc != 2)
		return cmd_usage(argv[0]);
	if (client_mdtm(c, argv[1], &t) < 0)
		return client_fail(c, c->connected ? c->reply.code : -1,
				   "modtime");
	tt = (time_t)t;
	if (!gmtime_r(&tt, &tm) ||
	    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		(void)snprintf(when, sizeof when, "%lld", t);
	printf("%s\t%s\n", argv[1], when);
	return ST_OK;
}

int
cmd_chmod(int argc, char **argv)
{
	struct ftp_client *c = &ses->cl;
	int code;

	if (argc != 3 || strspn(argv[1], "01234567") != strlen(argv[1]))
		return cmd_usage(argv[0]);
	complete_invalidate();
	code = client_cmd(c, "SITE CHMOD %s %s", argv[1], argv[2]);
	if (code == 200 || code == 250)
		return ST_OK;
	return client_fail(c, code, "chmod");
}

/* Joins argv[from..] with spaces. */
static int
join(struct buf *b, int argc, char **argv, int from)
{
	for (int i = from; i < argc; i++)
		if ((i > from && buf_putc(b, ' ') < 0) || buf_puts(b, argv[i]) < 0)
			return -1;
	return 0;
}

/* Sends a raw line and shows every reply (even with verbose off). */
static int
raw(const char *what, const char *prefix, int argc, char **argv, int from)
{
	struct ftp_client *c = &ses->cl;
	struct buf line = BUF_INIT(8192);
	int saved = ses->set.verbose, code;

	if (buf_puts(&line, prefix) < 0 || join(&line, argc, argv, from) < 0) {
		buf_free(&line);
		fprintf(stderr, "ftp: %s: command too long\n", what);
		return ST_USAGE;
	}
	complete_invalidate();
	ses->set.verbose = 1;
	code = client_cmd(c, "%s", buf_cstr(&line));
	ses->set.verbose = saved;
	buf_free(&line);
	if (code >= 100 && code < 400)
		return ST_OK;
	return client_fail(c, code, what);
}

int
cmd_site(int argc, char **argv)
{
	if (argc < 2)
		return cmd_usage(argv[0]);
	return raw("site", "SITE ", argc, argv, 1);
}

int
cmd_quote(int argc, char **argv)
{
	if (argc < 2)
		return cmd_usage(argv[0]);
	return raw(argv[0], "", argc, argv, 1);
}

int
cmd_system(int argc, char **argv)
{
	if (argc != 1)
		return cmd_usage(argv[0]);
	return raw("system", "SYST", 0, argv, 0);
}

int
cmd_ls(int argc, char **argv)
{
	const char *verb = strcmp(argv[0], "nlist") == 0 ? "NLST" :
		strcmp(argv[0], "mlsd") == 0 ? "MLSD" : "LIST";
	const char *out = argc > 2 ? argv[2] : "-";
	int fd = STDOUT_FILENO, st;

	if (argc > 3)
		return cmd_usage(argv[0]);
	if (strcmp(out, "-") != 0) {
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		if (fd < 0) {
			fprintf(stderr, "ftp: %s: %s\n", out, strerror(errno));
			return status_from_errno(errno);
		}
	}
	(void)fflush(stdout);
	st = tr_list_to_fd(&ses->cl, verb, argc > 1 ? argv[1] : NULL, fd);
	if (fd != STDOUT_FILENO && close(fd) < 0 && st == ST_OK) {
		fprintf(stderr, "ftp: %s: %s\n", out, strerror(errno));
		st = ST_OTHER;
	}
	return st;
}
