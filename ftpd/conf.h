/* conf.h: ftpd's configuration: struct ftpd_conf and the one key table
 * (ftpd_conf_keys) that the parser, --help, etc/ftpd.conf and
 * ftpd.conf(5) follow.  Values are parsed by lib/conf.c; the checks that
 * span keys (accounts, paths, addresses) live in ftpd_conf_check(). */
#ifndef FTPD_CONF_H
#define FTPD_CONF_H

#include <stddef.h>
#include "../lib/conf.h"

struct ftpd_conf {
	/* network */
	struct conf_list listen;
	unsigned max_clients;
	unsigned max_per_ip;
	int proxy_protocol;		/* PROXY header on every connection */
	char *proxy_trusted;		/* CIDR list of balancers */
	/* anonymous */
	int anon_enable;
	char *anon_root;
	char *anon_upload_dir;
	char *anon_user;
	/* users */
	char *users_file;
	char *virtual_user;
	int system_users;
	char *auth_backend;		/* "shadow" or "pam" (pam.c) */
	char *pam_service;
	char *nopriv_user;
	char *empty_dir;
	/* data connections */
	struct conf_ports pasv_ports;
	char *pasv_address;
	unsigned data_timeout;
	unsigned idle_timeout;
	/* protocol */
	unsigned max_line;
	unsigned ls_max_depth;
	char *banner;
	char *message_file;
	/* HASH (cmd_hash.c, hashcache.c) */
	char *hash_cache;		/* folder of per-identity caches */
	uint64_t hash_max_size;		/* bytes; 0: no limit */
	uint64_t hash_max_rate;		/* bytes/s; 0: no limit */
	/* uploads */
	int atomic_uploads;
	unsigned upload_umask;
	/* logging */
	int syslog;
	char *xferlog;
	char *syslog_facility;		/* evlog.c */
	char *syslog_ident;
	char *json_log;			/* evlog.c */
	char *status_dir;		/* status.c, ftpd --who */
	unsigned shutdown_timeout;	/* SIGTERM: transfers' grace */
	/* access control and throttling (access.c, ban.c, throttle.c) */
	char *allow_from;		/* CIDR list; empty: everyone */
	char *deny_from;		/* CIDR list */
	char *deny_users_file;		/* ftpusers-style names */
	unsigned max_login_attempts;	/* per session; 0: no limit */
	char *login_fail_delay;		/* throttle_parse_delay() syntax */
	unsigned ban_after;		/* failures that ban; 0: off */
	unsigned ban_window;
	unsigned ban_time;
	unsigned stall_timeout;		/* 0: data_timeout */
	uint64_t anon_max_rate;		/* bytes/s; 0: no limit */
	uint64_t user_max_rate;
	/* TLS (tls_daemon.c, cmd_tls.c) */
	char *tls_cert;
	char *tls_key;			/* "": in tls_cert */
	char *tls_ciphers;
	char *tls_required;		/* no | users | all */
	char *tls_require_data;		/* no | users | all */
	int tls_require_reuse;
	int tls_allow_ccc;
	struct conf_list listen_implicit_tls;
};

extern const struct conf_key ftpd_conf_keys[];

/* Sets defaults.  0 or -1 with err. */
int ftpd_conf_init(struct ftpd_conf *c, char *err, size_t errlen);
/* Cross-key checks after the file and -o overrides are applied (values
 * that parse but make no sense: pasv_address, virtual paths, limits).
 * 0 or -1 with err. */
int ftpd_conf_check(struct ftpd_conf *c, char *err, size_t errlen);
void ftpd_conf_free(struct ftpd_conf *c);

#endif
