/* cmds.h: the command handlers (cmds_*.c, mirror.c).  Each takes the
 * words of the command line and returns a status from status.h. */
#ifndef FTP_CMDS_H
#define FTP_CMDS_H

/* cmds_conn.c */
int cmd_open(int argc, char **argv);
int cmd_close(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_quit(int argc, char **argv);
/* cmds_nav.c */
int cmd_cd(int argc, char **argv);
int cmd_cdup(int argc, char **argv);
int cmd_pwd(int argc, char **argv);
int cmd_lcd(int argc, char **argv);
int cmd_lpwd(int argc, char **argv);
int cmd_mkdir(int argc, char **argv);
int cmd_rmdir(int argc, char **argv);
int cmd_delete(int argc, char **argv);
int cmd_mdelete(int argc, char **argv);
int cmd_rename(int argc, char **argv);
int cmd_size(int argc, char **argv);
int cmd_modtime(int argc, char **argv);
int cmd_chmod(int argc, char **argv);
int cmd_site(int argc, char **argv);
int cmd_quote(int argc, char **argv);
int cmd_system(int argc, char **argv);
int cmd_ls(int argc, char **argv);
/* cmds_xfer.c */
int cmd_get(int argc, char **argv);
int cmd_reget(int argc, char **argv);
int cmd_newer(int argc, char **argv);
int cmd_put(int argc, char **argv);
int cmd_append(int argc, char **argv);
int cmd_reput(int argc, char **argv);
int cmd_mget(int argc, char **argv);
int cmd_mput(int argc, char **argv);
/* cmds_set.c */
int cmd_binary(int argc, char **argv);
int cmd_ascii(int argc, char **argv);
int cmd_type(int argc, char **argv);
int cmd_toggle(int argc, char **argv);	/* passive epsv prompt verbose ... */
int cmd_hash(int argc, char **argv);
int cmd_rate(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_shell(int argc, char **argv);
/* mirror.c */
int cmd_mirror(int argc, char **argv);



/* cmds_conn.c helpers shared with main.c and fetch.c */
/* Connects the main session (retrying per -r) with TLS as tls says
 * (FTPS_NONE, FTPS_EXPLICIT, FTPS_IMPLICIT) and, when autologin is set,
 * logs in with user/pass if given, else netrc, else asks.  Runs the
 * netrc "macdef init" after login.  Returns a status. */
int session_open(const char *host, const char *port, const char *user,
		 const char *pass, int autologin, int tls);
#endif
