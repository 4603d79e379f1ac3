/* cmdtab.c: the verb table and the dispatcher that enforces it (login,
 * argument rule, EPSV ALL, write permission) and clears RNFR/REST state
 * when an unrelated verb arrives. */
#include "config.h"

#include <string.h>

#include "cmdtab.h"
#include "cmds.h"
#include "cmd_hash.h"
#include "log.h"
#include "parse.h"
#include "session.h"
#include "tls_session.h"

#define L CMD_LOGIN
#define W CMD_WRITE
#define AU CMD_ANON_UPLOAD
#define KR CMD_KEEP_REST
#define DS CMD_DATA_SETUP

/* Sorted by verb (cmd_lookup relies on it; a unit test checks). */
const struct cmd cmd_table[] = {
	{ "ABOR", handle_abor, ARG_NONE, 0, "ABOR (abort transfer)", NULL },
	{ "ACCT", handle_acct, ARG_REQ, 0, "ACCT <sp> account", NULL },
	{ "ALLO", handle_allo, ARG_REQ, L | KR, "ALLO <sp> size", NULL },
	{ "APPE", handle_appe, ARG_REQ, L | W | KR, "APPE <sp> pathname", NULL },
	{ "AUTH", handle_auth, ARG_REQ, KR, "AUTH <sp> TLS", NULL },
	{ "CCC", handle_ccc, ARG_NONE, L | KR,
	  "CCC (clear the control connection)", NULL },
	{ "CDUP", handle_cdup, ARG_NONE, L, "CDUP (up one folder)", NULL },
	{ "CWD", handle_cwd, ARG_REQ, L, "CWD <sp> pathname", NULL },
	{ "DELE", handle_dele, ARG_REQ, L | W, "DELE <sp> pathname", NULL },
	{ "EPRT", handle_eprt, ARG_REQ, L | KR | DS,
	  "EPRT <sp> |af|addr|port|", "EPRT" },
	{ "EPSV", handle_epsv, ARG_OPT, L | KR, "EPSV [<sp> 1|2|ALL]", "EPSV" },
	{ "FEAT", handle_feat, ARG_NONE, KR, "FEAT (list features)", NULL },
	{ "HASH", handle_hash, ARG_REQ, L, "HASH <sp> pathname (after "
	  "RANG: that range)", "HASH" },
	{ "HELP", handle_help, ARG_OPT, KR, "HELP [<sp> command]", NULL },
	{ "LIST", handle_list, ARG_OPT, L, "LIST [<sp> [-alR] pathname]", NULL },
	{ "MDTM", handle_mdtm, ARG_REQ, L, "MDTM <sp> pathname", "MDTM" },
	{ "MFMT", handle_mfmt, ARG_REQ, L | W,
	  "MFMT <sp> YYYYMMDDHHMMSS <sp> pathname", "MFMT" },
	{ "MKD", handle_mkd, ARG_REQ, L | W | AU, "MKD <sp> pathname", NULL },
	{ "MLSD", handle_mlsd, ARG_OPT, L, "MLSD [<sp> pathname]", NULL },
	{ "MLST", handle_mlst, ARG_OPT, L, "MLST [<sp> pathname]", "MLST" },
	{ "MODE", handle_mode, ARG_REQ, L | KR, "MODE <sp> S", NULL },
	{ "NLST", handle_nlst, ARG_OPT, L, "NLST [<sp> [-a] pathname]", NULL },
	{ "NOOP", handle_noop, ARG_NONE, KR, "NOOP", NULL },
	{ "OPTS", handle_opts, ARG_REQ, KR,
	  "OPTS <sp> UTF8 ON | MLST facts", NULL },
	{ "PASS", handle_pass, ARG_OPT, CMD_SECRET, "PASS <sp> password", NULL },
	{ "PASV", handle_pasv, ARG_NONE, L | KR | DS, "PASV", "PASV" },
	{ "PBSZ", handle_pbsz, ARG_REQ, KR, "PBSZ <sp> 0", NULL },
	{ "PORT", handle_port, ARG_REQ, L | KR | DS,
	  "PORT <sp> h1,h2,h3,h4,p1,p2", NULL },
	{ "PROT", handle_prot, ARG_REQ, KR, "PROT <sp> P | C", NULL },
	{ "PWD", handle_pwd, ARG_NONE, L, "PWD (print folder)", NULL },
	{ "QUIT", handle_quit, ARG_NONE, 0, "QUIT (end session)", NULL },
	{ "RANG", handle_rang, ARG_REQ, L, "RANG <sp> start <sp> end (for "
	  "HASH; RANG 1 0 resets)", NULL },
	{ "REIN", handle_rein, ARG_NONE, 0, "REIN (log out, keep connection)",
	  NULL },
	{ "REST", handle_rest, ARG_REQ, L | KR, "REST <sp> offset",
	  "REST STREAM" },
	{ "RETR", handle_retr, ARG_REQ, L | KR, "RETR <sp> pathname", NULL },
	{ "RMD", handle_rmd, ARG_REQ, L | W, "RMD <sp> pathname", NULL },
	{ "RNFR", handle_rnfr, ARG_REQ, L | W, "RNFR <sp> pathname", NULL },
	{ "RNTO", handle_rnto, ARG_REQ, L | W, "RNTO <sp> pathname", NULL },
	{ "SITE", handle_site, ARG_REQ, L, "SITE <sp> HELP | CHMOD mode path",
	  NULL },
	{ "SIZE", handle_size, ARG_REQ, L, "SIZE <sp> pathname", "SIZE" },
	{ "STAT", handle_stat, ARG_OPT, L | KR, "STAT [<sp> pathname]", NULL },
	{ "STOR", handle_stor, ARG_REQ, L | W | AU | KR, "STOR <sp> pathname",
	  NULL },
	{ "STOU", handle_stou, ARG_OPT, L | W | AU, "STOU [<sp> name]", NULL },
	{ "STRU", handle_stru, ARG_REQ, L | KR, "STRU <sp> F", NULL },
	{ "SYST", handle_syst, ARG_NONE, KR, "SYST", NULL },
	{ "TYPE", handle_type, ARG_REQ, L | KR, "TYPE <sp> A | I | L 8", NULL },
	{ "USER", handle_user, ARG_REQ, 0, "USER <sp> username", NULL },
	{ "XCRC", handle_xcrc, ARG_REQ, L,
	  "XCRC <sp> pathname [<sp> start <sp> end]", "XCRC" },
	{ "XCUP", handle_cdup, ARG_NONE, L, "XCUP (same as CDUP)", NULL },
	{ "XCWD", handle_cwd, ARG_REQ, L, "XCWD <sp> pathname", NULL },
	{ "XMD5", handle_xmd5, ARG_REQ, L,
	  "XMD5 <sp> pathname [<sp> start <sp> end]", "XMD5" },
	{ "XMKD", handle_mkd, ARG_REQ, L | W | AU, "XMKD <sp> pathname", NULL },
	{ "XPWD", handle_pwd, ARG_NONE, L, "XPWD (same as PWD)", NULL },
	{ "XRMD", handle_rmd, ARG_REQ, L | W, "XRMD <sp> pathname", NULL },
	{ "XSHA1", handle_xsha1, ARG_REQ, L,
	  "XSHA1 <sp> pathname [<sp> start <sp> end]", "XSHA1" },
	{ "XSHA256", handle_xsha256, ARG_REQ, L,
	  "XSHA256 <sp> pathname [<sp> start <sp> end]", "XSHA256" },
	{ "XSHA512", handle_xsha512, ARG_REQ, L,
	  "XSHA512 <sp> pathname [<sp> start <sp> end]", "XSHA512" },
};

const size_t cmd_table_len = sizeof cmd_table / sizeof cmd_table[0];

const struct cmd *
cmd_lookup(const char *verb)
{
	size_t lo = 0, hi = cmd_table_len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(verb, cmd_table[mid].verb);

		if (c == 0)
			return &cmd_table[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

int
cmd_gate(const struct session *s, const struct cmd *c, const char *arg,
	 const char **why)
{
	int has_arg = arg != NULL && arg[0] != '\0';
	int code;

	if ((c->flags & CMD_LOGIN) && !s->logged_in) {
		*why = "Please log in with USER and PASS first.";
		return 530;
	}
	code = ftls_gate(s, c, arg, why);	/* TLS policy */
	if (code != 0)
		return code;
	if (c->arg == ARG_NONE && has_arg) {
		*why = "This command takes no argument.";
		return 501;
	}
	if (c->arg == ARG_REQ && !has_arg) {
		*why = "This command needs an argument.";
		return 501;
	}
	if ((c->flags & CMD_DATA_SETUP) && s->data.epsv_all) {
		*why = "EPSV ALL is in effect: only EPSV may set up data "
		       "connections.";
		return 503;
	}
	if (c->flags & CMD_WRITE) {
		if (s->readonly) {
			*why = "Permission denied: this account is read-only.";
			return 550;
		}
		if (s->kind == AUTH_ANON) {
			if (!(c->flags & CMD_ANON_UPLOAD)) {
				*why = "Permission denied: anonymous users may "
				       "not change or remove files.";
				return 550;
			}
			if (s->conf->anon_upload_dir[0] == '\0') {
				*why = "Permission denied: anonymous access is "
				       "read-only (no upload folder).";
				return 550;
			}
		}
	}
	return 0;
}

/* Logs the command in debug mode, never a password. */
static void
log_command(const struct session *s, const struct cmd *c, const char *verb,
	    const char *arg)
{
	char safe[512];

	if (c != NULL && (c->flags & CMD_SECRET))
		arg = "<hidden>";
	log_msg(LOG_DEBUG, "%s: %s%s%s", s->peer_str, verb,
		arg != NULL ? " " : "",
		arg != NULL ? log_safe(arg, safe, sizeof safe) : "");
}

void
cmd_dispatch(struct session *s, const char *line, size_t len)
{
	char verb[8];
	const char *arg, *why;
	const struct cmd *c;
	int code;

	/* Reject what no verb may carry before looking at the words. */
	if (memchr(line, '\0', len) != NULL) {
		reply(s, 501, "NUL bytes are not allowed in commands.");
		return;
	}
	if (!utf8_valid(line, len)) {
		reply(s, 501, "Command is not valid UTF-8.");
		return;
	}
	if (parse_command(line, verb, sizeof verb, &arg) < 0) {
		reply(s, 500, "Syntax error, command unrecognized.");
		return;
	}
	c = cmd_lookup(verb);
	log_command(s, c, verb, arg);
	if (c == NULL) {
		replyf(s, 500, "Unknown command %s.", verb);
		return;
	}
	if (arg != NULL && arg[0] == '\0')
		arg = NULL;
	code = cmd_gate(s, c, arg, &why);
	if (code != 0) {
		reply(s, code, why);
		return;
	}
	/* Multi-step state survives only into the verb it prepares. */
	if (c->handler != handle_rnto) {
		s->rnfr_set = 0;
		buf_reset(&s->rnfr);
	}
	if (!(c->flags & CMD_KEEP_REST))
		s->rest = 0;
	if (hash_rang_gate(s, c))
		return;
	c->handler(s, arg);
}
