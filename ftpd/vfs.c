/* vfs.c: client path handling on top of lib/path.c (see vfs.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vfs.h"
#include "path.h"
#include "session.h"
#include "sys.h"

int
vfs_is_temp_name(const char *name)
{
	return strncmp(name, UPLOAD_TMP_PREFIX, sizeof UPLOAD_TMP_PREFIX - 1) == 0;
}

int
vfs_has_temp_component(const char *vpath)
{
	for (const char *p = vpath; p != NULL; p = strchr(p, '/')) {
		if (*p == '/')
			p++;
		if (vfs_is_temp_name(p))
			return 1;
	}
	return 0;
}

int
vfs_resolve(struct session *s, const char *arg, struct buf *out)
{
	if (path_resolve(buf_cstr(&s->cwd), arg, out) < 0) {
		reply(s, 501, "Invalid path name (too long or control "
		      "characters).");
		return -1;
	}
	if (vfs_has_temp_component(buf_cstr(out))) {
		reply(s, 550, "That name is reserved for uploads in progress.");
		return -1;
	}
	return 0;
}

int
vfs_path_inside(const char *up, const char *vpath)
{
	size_t n = strlen(up);

	if (strcmp(up, "/") == 0)
		return strcmp(vpath, "/") != 0;
	return strncmp(vpath, up, n) == 0 && vpath[n] == '/' &&
	       vpath[n + 1] != '\0';
}

int
vfs_check_write(struct session *s, const char *vpath, int code)
{
	const char *up = s->conf->anon_upload_dir;

	if (s->kind != AUTH_ANON)
		return 0;
	if (up[0] != '\0' && vfs_path_inside(up, vpath))
		return 0;
	if (up[0] == '\0')
		reply(s, code, "Permission denied: anonymous access is "
		      "read-only.");
	else
		replyf(s, code, "Permission denied: anonymous users may only "
		       "upload into %s.", up);
	return -1;
}

void
vfs_reply_errno(struct session *s, int code, const char *vpath, int err)
{
	const char *what;

	switch (err) {
	case ELOOP:
		what = "Is a symbolic link (not followed)";
		break;
	case EXDEV:
		what = "Outside the session's root";
		break;
	default:
		what = strerror(err);
	}
	replyf(s, code, "%s: %s.", vpath, what);
}

void
vfs_message(struct session *s, const char *dir_vpath, struct buf *out)
{
	struct buf p = BUF_INIT(PATH_MAX_VIRTUAL + 256);
	char data[MESSAGE_MAX];
	struct stat st;
	ssize_t n;
	int fd;

	if (s->conf->message_file[0] == '\0' || s->rootfd < 0)
		return;
	if (buf_puts(&p, dir_vpath) < 0 ||
	    (strcmp(dir_vpath, "/") != 0 && buf_putc(&p, '/') < 0) ||
	    buf_puts(&p, s->conf->message_file) < 0) {
		buf_free(&p);
		return;
	}
	fd = path_open(s->rootfd, buf_cstr(&p), O_RDONLY | O_NONBLOCK | O_NOCTTY, 0);
	buf_free(&p);
	if (fd < 0)
		return;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		sys_close_failok(fd);
		return;
	}
	n = sys_read_full(fd, data, sizeof data);
	sys_close_failok(fd);
	if (n <= 0)
		return;
	for (ssize_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)data[i];

		if (ch == '\n' || ch == '\t' || ch >= 0x20)
			(void)buf_putc(out, (char)(ch == '\t' ? ' ' : ch));
	}
	if (out->len > 0 && out->data[out->len - 1] != '\n')
		(void)buf_putc(out, '\n');
}
