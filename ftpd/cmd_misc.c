/* cmd_misc.c: SYST NOOP FEAT OPTS HELP STAT.  FEAT and HELP are generated
 * from the command table. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cmds.h"
#include "cmd_hash.h"
#include "listing.h"
#include "ls.h"
#include "path.h"
#include "session.h"
#include "tls_session.h"
#include "vfs.h"

/* Features that belong to no single verb. */
static const char *const s_extra_feat[] = { "TVFS", "UTF8", NULL };

static const struct {
	const char *name;
	unsigned bit;
} s_facts[] = {
	{ "type", MLSX_TYPE }, { "size", MLSX_SIZE }, { "modify", MLSX_MODIFY },
	{ "perm", MLSX_PERM }, { "unique", MLSX_UNIQUE },
	{ "UNIX.mode", MLSX_UNIX_MODE },
};

#define NFACTS (sizeof s_facts / sizeof s_facts[0])

/* "type*;size*;..." with '*' on the facts currently enabled. */
static void
fact_list(struct buf *b, unsigned enabled, int stars)
{
	for (size_t i = 0; i < NFACTS; i++) {
		if (!stars && !(enabled & s_facts[i].bit))
			continue;
		(void)buf_puts(b, s_facts[i].name);
		if (stars && (enabled & s_facts[i].bit))
			(void)buf_putc(b, '*');
		(void)buf_putc(b, ';');
	}
}

void
handle_syst(struct session *s, const char *arg)
{
	reply(s, 215, "UNIX Type: L8");
}

void
handle_noop(struct session *s, const char *arg)
{
	reply(s, 200, "NOOP ok.");
}

void
handle_feat(struct session *s, const char *arg)
{
	struct buf b = BUF_INIT(4096);

	(void)buf_puts(&b, "Features:\n");
	for (size_t i = 0; i < cmd_table_len; i++) {
		const char *f = cmd_table[i].feat;

		if (f == NULL)
			continue;
		(void)buf_printf(&b, " %s", f);
		if (strcmp(f, "MLST") == 0) {
			(void)buf_putc(&b, ' ');
			fact_list(&b, s->mlst_facts, 1);
		}
		if (strcmp(f, "HASH") == 0) {
			(void)buf_putc(&b, ' ');
			hash_feat_list(s, &b);
		}
		(void)buf_putc(&b, '\n');
	}
	for (size_t i = 0; s_extra_feat[i] != NULL; i++)
		(void)buf_printf(&b, " %s\n", s_extra_feat[i]);
	ftls_feat(&b);		/* AUTH TLS, PBSZ, PROT when configured */
	(void)buf_puts(&b, "End");
	reply_buf(s, 211, &b);
	buf_free(&b);
}

static void
opts_mlst(struct session *s, const char *list)
{
	struct buf b = BUF_INIT(256);
	unsigned want = 0;
	const char *p = list != NULL ? list : "";

	/* RFC 3659 7.9: unknown facts are ignored; the reply lists the
	 * facts now enabled. */
	while (*p != '\0') {
		size_t n = strcspn(p, ";");

		for (size_t i = 0; i < NFACTS; i++)
			if (strlen(s_facts[i].name) == n &&
			    strncasecmp(p, s_facts[i].name, n) == 0)
				want |= s_facts[i].bit;
		p += n;
		if (*p == ';')
			p++;
	}
	s->mlst_facts = want;
	(void)buf_puts(&b, "MLST OPTS ");
	fact_list(&b, want, 0);
	reply_buf(s, 200, &b);
	buf_free(&b);
}

void
handle_opts(struct session *s, const char *arg)
{
	size_t n = strcspn(arg, " ");
	const char *rest = arg[n] == ' ' ? arg + n + 1 : NULL;

	if (n == 4 && strncasecmp(arg, "UTF8", 4) == 0) {
		if (rest == NULL || strcasecmp(rest, "ON") == 0)
			reply(s, 200, "UTF8 mode is always on.");
		else if (strcasecmp(rest, "OFF") == 0)
			reply(s, 504, "UTF8 cannot be switched off.");
		else
			reply(s, 501, "Usage: OPTS UTF8 ON");
	} else if (n == 4 && strncasecmp(arg, "MLST", 4) == 0) {
		opts_mlst(s, rest);
	} else if (n == 4 && strncasecmp(arg, "HASH", 4) == 0) {
		hash_opts(s, rest);
	} else {
		reply(s, 501, "OPTS supports UTF8, MLST and HASH only.");
	}
}

void
handle_help(struct session *s, const char *arg)
{
	struct buf b = BUF_INIT(4096);
	char verb[8];
	size_t i, col = 0;

	if (arg != NULL) {
		size_t n = strlen(arg);

		for (i = 0; i < n && i + 1 < sizeof verb; i++)
			verb[i] = (char)(arg[i] >= 'a' && arg[i] <= 'z' ?
					 arg[i] - 32 : arg[i]);
		verb[i] = '\0';
		if (n < sizeof verb) {
			const struct cmd *c = cmd_lookup(verb);

			if (c != NULL) {
				replyf(s, 214, "Syntax: %s", c->help);
				buf_free(&b);
				return;
			}
		}
		reply(s, 502, "Unknown command; HELP lists them all.");
		buf_free(&b);
		return;
	}
	(void)buf_puts(&b, "The following commands are recognized:\n");
	for (i = 0; i < cmd_table_len; i++) {
		(void)buf_printf(&b, " %-5s", cmd_table[i].verb);
		if (++col == 8 || i + 1 == cmd_table_len) {
			(void)buf_putc(&b, '\n');
			col = 0;
		}
	}
	(void)buf_puts(&b, "Help OK.");
	reply_buf(s, 214, &b);
	buf_free(&b);
}

static void
stat_server(struct session *s)
{
	struct buf b = BUF_INIT(2048);
	char addr[NETADDR_STRLEN];

	(void)buf_puts(&b, "ftpd status:\n");
	if (s->have_addrs)
		(void)buf_printf(&b, " Connected to %s\n",
				 net_ntop(&s->local, addr, sizeof addr, 1));
	(void)buf_printf(&b, " Connected from %s\n", s->peer_str);
	(void)buf_printf(&b, " Logged in as %s\n", s->user);
	(void)buf_printf(&b, " TYPE: %s; MODE: S; STRU: F\n",
			 s->type_ascii ? "ASCII" : "BINARY");
	(void)buf_printf(&b, " Data connection: %s%s\n",
			 s->data.mode == DC_PASSIVE ? "passive listener open" :
			 s->data.mode == DC_ACTIVE ? "active target set" : "none",
			 s->data.epsv_all ? " (EPSV ALL)" : "");
	(void)buf_printf(&b, " Transferred: %u down (%llu bytes), %u up "
			 "(%llu bytes)\n", s->files_out,
			 (unsigned long long)s->bytes_out, s->files_in,
			 (unsigned long long)s->bytes_in);
	hash_status(s, &b);
	(void)buf_puts(&b, "End of status");
	reply_buf(s, 211, &b);
	buf_free(&b);
}

void
handle_stat(struct session *s, const char *arg)
{
	struct ls_request rq;
	struct ls_sink sink;
	struct buf vp = BUF_INIT(PATH_MAX_VIRTUAL);
	struct buf text = BUF_INIT(1100 * 1024);
	const char *path;

	if (arg == NULL) {
		stat_server(s);
		return;
	}
	memset(&rq, 0, sizeof rq);
	memset(&sink, 0, sizeof sink);
	buf_init(&sink.out, 1024 * 1024 + 64 * 1024);
	rq.fmt = LS_LONG;
	path = ls_parse_args(arg, &rq.opts);
	if (vfs_resolve(s, path != NULL ? path : ".", &vp) < 0)
		goto out;
	rq.vpath = buf_cstr(&vp);
	rq.shown = path;
	if (ls_run(s, &rq, &sink) < 0) {
		vfs_reply_errno(s, 550, rq.vpath, errno);
		goto out;
	}
	(void)buf_printf(&text, "Status of %s:\n", rq.vpath);
	if (sink.out.len > 0)
		(void)buf_append(&text, sink.out.data, sink.out.len);
	(void)buf_puts(&text, sink.truncated ? "End of status (cut short)." :
		       "End of status.");
	reply_buf(s, 213, &text);
out:
	buf_free(&sink.out);
	buf_free(&vp);
	buf_free(&text);
}
