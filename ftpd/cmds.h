/* cmds.h: the verb handlers (cmd_*.c), referenced by cmdtab.c only.
 * Each gets the session and the argument (NULL when there is none);
 * the dispatcher has already checked login, argument and write rules. */
#ifndef FTPD_CMDS_H
#define FTPD_CMDS_H

#include "cmdtab.h"

/* cmd_auth.c */
cmd_handler handle_user, handle_pass, handle_acct, handle_rein, handle_quit;
/* cmd_fs.c */
cmd_handler handle_cwd, handle_cdup, handle_pwd, handle_mkd, handle_rmd,
	handle_dele, handle_rnfr, handle_rnto, handle_size, handle_mdtm,
	handle_mfmt;
/* cmd_site.c */
cmd_handler handle_site;
/* cmd_xfer.c */
cmd_handler handle_type, handle_mode, handle_stru, handle_rest, handle_allo,
	handle_retr, handle_stor, handle_stou, handle_appe, handle_abor;
/* cmd_data.c */
cmd_handler handle_port, handle_pasv, handle_eprt, handle_epsv;
/* cmd_list.c */
cmd_handler handle_list, handle_nlst, handle_mlsd, handle_mlst;
/* cmd_hash.c (helpers for other files: cmd_hash.h) */
cmd_handler handle_hash, handle_rang, handle_xcrc, handle_xmd5, handle_xsha1,
	handle_xsha256, handle_xsha512;
/* cmd_misc.c */
cmd_handler handle_syst, handle_noop, handle_feat, handle_opts, handle_help,
	handle_stat;

#endif
