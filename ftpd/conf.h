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
	/* anonymous */
	int anon_enable;
	char *anon_root;
	char *anon_upload_dir;
	char *anon_user;
	/* users */
	char *users_file;
	char *virtual_user;
	int system_users;
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
	/* uploads */
	int atomic_uploads;
	unsigned upload_umask;
	/* logging */
	int syslog;
	char *xferlog;
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
