/* conf.c: the ftpd configuration table.  Every key ftpd understands is
 * one row here (name, type, field, default, help); the parser in lib/conf.c,
 * `ftpd --help`, etc/ftpd.conf and ftpd.conf(5) all follow this table. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "net.h"
#include "path.h"
#include "buf.h"

#define K(name, type, field, def, help) \
	{ name, type, offsetof(struct ftpd_conf, field), def, help }

const struct conf_key ftpd_conf_keys[] = {
	K("listen", CONF_ADDRS, listen, "0.0.0.0:21 [::]:21",
	  "address:port or [v6addr]:port to listen on; repeatable, the "
	  "first one replaces the default"),
	K("max_clients", CONF_UINT, max_clients, "200",
	  "most sessions at once; more get 421"),
	K("max_per_ip", CONF_UINT, max_per_ip, "10",
	  "most sessions from one client address; more get 421"),
	K("anon_enable", CONF_BOOL, anon_enable, "yes",
	  "allow USER anonymous / ftp with any password"),
	K("anon_root", CONF_STR, anon_root, "/srv/ftp",
	  "host folder anonymous users see as /"),
	K("anon_upload_dir", CONF_STR, anon_upload_dir, "",
	  "virtual folder (e.g. /incoming) where anonymous may STOR and MKD; "
	  "empty: no anonymous uploads"),
	K("anon_user", CONF_STR, anon_user, "ftp",
	  "account anonymous sessions run as (when started as root)"),
	K("users_file", CONF_STR, users_file, "",
	  "virtual users, lines name:crypt-hash:home[:options]; empty: none"),
	K("virtual_user", CONF_STR, virtual_user, "ftp",
	  "account virtual users' sessions run as (when started as root)"),
	K("system_users", CONF_BOOL, system_users, "no",
	  "let accounts from the system password database log in"),
	K("nopriv_user", CONF_STR, nopriv_user, "nobody",
	  "account the pre-login process runs as (when started as root)"),
	K("empty_dir", CONF_STR, empty_dir, "/run/ftpd-empty",
	  "empty root-owned folder the pre-login process is chrooted into; "
	  "created if missing"),
	K("pasv_ports", CONF_PORTS, pasv_ports, "49152-65534",
	  "port range for passive (PASV/EPSV) data connections"),
	K("pasv_address", CONF_STR, pasv_address, "",
	  "IPv4 address announced in PASV replies (for NAT); empty: the "
	  "control connection's local address"),
	K("data_timeout", CONF_DURATION, data_timeout, "120",
	  "how long a data connection may wait or stall"),
	K("idle_timeout", CONF_DURATION, idle_timeout, "300",
	  "how long the control connection may stay silent"),
	K("max_line", CONF_UINT, max_line, "4096",
	  "longest command line; longer ones get 500 and are discarded"),
	K("ls_max_depth", CONF_UINT, ls_max_depth, "4",
	  "deepest recursion of LIST -R"),
	K("banner", CONF_STR, banner, "",
	  "text of the 220 greeting; empty: \"ftpd ready\""),
	K("message_file", CONF_STR, message_file, ".message",
	  "file shown as 250- lines on CWD into a folder holding it; "
	  "empty disables"),
	K("atomic_uploads", CONF_BOOL, atomic_uploads, "yes",
	  "STOR writes to a hidden temporary file renamed into place on "
	  "success"),
	K("upload_umask", CONF_MODE, upload_umask, "022",
	  "umask (octal) for uploaded files and created folders"),
	K("syslog", CONF_BOOL, syslog, "no",
	  "log to syslog (facility ftp) even in the foreground"),
	K("xferlog", CONF_STR, xferlog, "",
	  "path of an xferlog-format transfer log; empty: none"),
	{ NULL, 0, 0, NULL, NULL }
};

int
ftpd_conf_init(struct ftpd_conf *c, char *err, size_t errlen)
{
	memset(c, 0, sizeof *c);
	return conf_defaults(ftpd_conf_keys, c, err, errlen);
}

/* Virtual paths in the config must already be normalized ("/incoming"),
 * so the upload check can compare them with resolved client paths. */
static int
check_vpath(const char *key, const char *v, char *err, size_t errlen)
{
	struct buf norm = BUF_INIT(PATH_MAX_VIRTUAL);
	int ok;

	if (v[0] != '/') {
		snprintf(err, errlen, "%s: '%s' must start with /", key, v);
		return -1;
	}
	ok = path_resolve("/", v, &norm) == 0 && strcmp(buf_cstr(&norm), v) == 0;
	buf_free(&norm);
	if (!ok) {
		snprintf(err, errlen, "%s: '%s' is not a normalized path "
			 "(no //, ., .. or trailing /)", key, v);
		return -1;
	}
	return 0;
}

static int
check_host_path(const char *key, const char *v, char *err, size_t errlen)
{
	if (v[0] != '\0' && v[0] != '/') {
		snprintf(err, errlen, "%s: '%s' must be an absolute path", key, v);
		return -1;
	}
	return 0;
}

int
ftpd_conf_check(struct ftpd_conf *c, char *err, size_t errlen)
{
	struct netaddr a;

	for (size_t i = 0; i < c->listen.n; i++)
		if (net_parse_listen(c->listen.items[i], &a) < 0) {
			snprintf(err, errlen, "listen: cannot parse '%s' "
				 "(want addr:port or [v6addr]:port)",
				 c->listen.items[i]);
			return -1;
		}
	if (c->pasv_address[0] != '\0' &&
	    (net_parse_ip(c->pasv_address, &a) < 0 || net_family(&a) != AF_INET)) {
		snprintf(err, errlen, "pasv_address: '%s' is not a numeric "
			 "IPv4 address", c->pasv_address);
		return -1;
	}
	if (c->anon_upload_dir[0] != '\0' &&
	    check_vpath("anon_upload_dir", c->anon_upload_dir, err, errlen) < 0)
		return -1;
	if (check_host_path("anon_root", c->anon_root, err, errlen) < 0 ||
	    check_host_path("users_file", c->users_file, err, errlen) < 0 ||
	    check_host_path("xferlog", c->xferlog, err, errlen) < 0)
		return -1;
	if (c->empty_dir[0] != '/') {
		snprintf(err, errlen, "empty_dir: must be an absolute path");
		return -1;
	}
	if (c->max_clients == 0 || c->max_per_ip == 0) {
		snprintf(err, errlen, "max_clients and max_per_ip must be at "
			 "least 1");
		return -1;
	}
	if (c->max_line < 64 || c->max_line > 65536) {
		snprintf(err, errlen, "max_line: %u is outside 64..65536",
			 c->max_line);
		return -1;
	}
	if (c->idle_timeout == 0 || c->data_timeout == 0) {
		snprintf(err, errlen, "idle_timeout and data_timeout must be "
			 "at least 1 second");
		return -1;
	}
	if (c->upload_umask > 0777) {
		snprintf(err, errlen, "upload_umask: %o is not a umask",
			 c->upload_umask);
		return -1;
	}
	if (c->ls_max_depth > 64) {
		snprintf(err, errlen, "ls_max_depth: %u is more than 64",
			 c->ls_max_depth);
		return -1;
	}
	if (strpbrk(c->banner, "\r\n") != NULL) {
		snprintf(err, errlen, "banner: must be one line");
		return -1;
	}
	if (c->message_file[0] != '\0' && !path_is_plain_name(c->message_file)) {
		snprintf(err, errlen, "message_file: '%s' must be a plain file "
			 "name", c->message_file);
		return -1;
	}
	return 0;
}

void
ftpd_conf_free(struct ftpd_conf *c)
{
	conf_free(ftpd_conf_keys, c);
}
