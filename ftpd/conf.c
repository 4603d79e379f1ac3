/* conf.c: the ftpd configuration table.  Every key ftpd understands is
 * one row here (name, type, field, default, help); the parser in lib/conf.c,
 * `ftpd --help`, etc/ftpd.conf and ftpd.conf(5) all follow this table. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "access.h"
#include "net.h"
#include "path.h"
#include "proxyhdr.h"
#include "buf.h"
#include "throttle.h"
#include "tls_session.h"

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
	K("allow_from", CONF_STR, allow_from, "",
	  "client addresses served, e.g. 192.0.2.0/24 2001:db8::/32 "
	  "(space or comma separated); others get 421; empty: all"),
	K("deny_from", CONF_STR, deny_from, "",
	  "client addresses refused with 421 even if allow_from holds them"),
	K("deny_users_file", CONF_STR, deny_users_file, "/etc/ftpusers",
	  "login names (one per line) that may never log in; a missing "
	  "file denies no one; empty: no list"),
	K("max_login_attempts", CONF_UINT, max_login_attempts, "3",
	  "failed logins per session, then 421 and close; 0: no limit"),
	K("login_fail_delay", CONF_STR, login_fail_delay, "1",
	  "wait before answering a failed login (1, 2s, 250ms); doubles "
	  "with each failure in the session, at most 60 s; 0: none"),
	K("ban_after", CONF_UINT, ban_after, "0",
	  "failed logins from one address within ban_window that ban it "
	  "for ban_time (421 on connect); 0: never ban"),
	K("ban_window", CONF_DURATION, ban_window, "10m",
	  "window in which ban_after failures count"),
	K("ban_time", CONF_DURATION, ban_time, "1h",
	  "how long a banned address is refused"),
	K("proxy_protocol", CONF_BOOL, proxy_protocol, "no",
	  "every control and passive data connection starts with a PROXY "
	  "protocol v1/v2 header from a load balancer (proxy_trusted)"),
	K("proxy_trusted", CONF_STR, proxy_trusted, "",
	  "load balancers allowed to send the PROXY header: addresses or "
	  "networks, e.g. 10.0.0.5 192.0.2.0/28 (space or comma separated)"),
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
	K("auth_backend", CONF_STR, auth_backend, "shadow",
	  "how system accounts' passwords are checked: shadow (crypt) or "
	  "pam"),
	K("pam_service", CONF_STR, pam_service, "ftpd",
	  "PAM service name (file in /etc/pam.d) for auth_backend = pam"),
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
	  "how long a data connection may take to open, and (unless "
	  "stall_timeout is set) a transfer may stall"),
	K("idle_timeout", CONF_DURATION, idle_timeout, "300",
	  "how long the control connection may stay silent"),
	K("stall_timeout", CONF_DURATION, stall_timeout, "0",
	  "how long a running transfer may move no data; 0: data_timeout"),
	K("anon_max_rate", CONF_SIZE, anon_max_rate, "0",
	  "bytes per second (K/M/G suffixes) for each anonymous transfer; "
	  "0: no limit"),
	K("user_max_rate", CONF_SIZE, user_max_rate, "0",
	  "bytes per second (K/M/G suffixes) for each transfer of a logged-"
	  "in user; 0: no limit"),
	K("max_line", CONF_UINT, max_line, "4096",
	  "longest command line; longer ones get 500 and are discarded"),
	K("ls_max_depth", CONF_UINT, ls_max_depth, "4",
	  "deepest recursion of LIST -R"),
	K("banner", CONF_STR, banner, "",
	  "text of the 220 greeting; empty: \"ftpd ready\""),
	K("message_file", CONF_STR, message_file, ".message",
	  "file shown as 250- lines on CWD into a folder holding it; "
	  "empty disables"),
	K("hash_cache", CONF_STR, hash_cache, "/var/cache/ftpd",
	  "folder (owned by root, mode 0700) of the HASH digest caches, one "
	  "file per login identity; empty: no cache"),
	K("hash_max_size", CONF_SIZE, hash_max_size, "16G",
	  "largest file (or RANG range) HASH and X* will hash; 0: no limit"),
	K("hash_max_rate", CONF_SIZE, hash_max_rate, "64M",
	  "bytes per second a session may hash (K/M/G suffixes); 0: no "
	  "limit"),
	K("atomic_uploads", CONF_BOOL, atomic_uploads, "yes",
	  "STOR writes to a hidden temporary file renamed into place on "
	  "success"),
	K("upload_umask", CONF_MODE, upload_umask, "022",
	  "umask (octal) for uploaded files and created folders"),
	K("syslog", CONF_BOOL, syslog, "no",
	  "log to syslog (facility ftp) even in the foreground"),
	K("xferlog", CONF_STR, xferlog, "",
	  "path of an xferlog-format transfer log; empty: none"),
	K("syslog_facility", CONF_STR, syslog_facility, "ftp",
	  "syslog facility: ftp, daemon, auth, authpriv, user or "
	  "local0..local7"),
	K("syslog_ident", CONF_STR, syslog_ident, "ftpd",
	  "name syslog lines carry"),
	K("json_log", CONF_STR, json_log, "",
	  "path of a JSON-lines event log (connect, login, transfers, "
	  "disconnect); empty: none"),
	K("status_dir", CONF_STR, status_dir, "/run/ftpd",
	  "folder of per-session status files read by ftpd --who; empty: "
	  "none"),
	K("shutdown_timeout", CONF_DURATION, shutdown_timeout, "60",
	  "on SIGTERM, how long running transfers may go on before the "
	  "sessions are killed"),
	/* TLS (tls_daemon.c, cmd_tls.c) */
	K("tls_cert", CONF_STR, tls_cert, "",
	  "PEM certificate chain (leaf first) for AUTH TLS and implicit "
	  "FTPS; reloaded for new sessions when it changes; empty: no TLS"),
	K("tls_key", CONF_STR, tls_key, "",
	  "PEM private key without passphrase; empty: the key is in "
	  "tls_cert"),
	K("tls_ciphers", CONF_STR, tls_ciphers, "",
	  "':'-list to tighten OpenSSL's defaults (TLS_* names are TLS 1.3 "
	  "suites); empty: defaults (TLS 1.2 and 1.3 only)"),
	K("tls_required", CONF_STR, tls_required, "no",
	  "no, users (non-anonymous logins need AUTH TLS first) or all "
	  "(every login)"),
	K("tls_require_data", CONF_STR, tls_require_data, "no",
	  "no, users (non-anonymous sessions) or all: transfers need "
	  "PROT P (TLS on data connections)"),
	K("tls_require_reuse", CONF_BOOL, tls_require_reuse, "yes",
	  "PROT P data connections must resume the control connection's "
	  "TLS session; no: also accept fresh handshakes (old clients)"),
	K("tls_allow_ccc", CONF_BOOL, tls_allow_ccc, "no",
	  "accept CCC after login (control back to clear text; data "
	  "protection unchanged)"),
	K("listen_implicit_tls", CONF_ADDRS, listen_implicit_tls, "",
	  "address:port for implicit FTPS (TLS from the first byte, port 990 "
	  "style); repeatable; empty: none"),
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
	if (check_host_path("hash_cache", c->hash_cache, err, errlen) < 0)
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
	if (proxyhdr_conf_check(c, err, errlen) < 0)
		return -1;
	if (access_conf_check(c, err, errlen) < 0 ||
	    throttle_conf_check(c, err, errlen) < 0)
		return -1;
	if (ftls_conf_check(c, err, errlen) < 0)
		return -1;
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
