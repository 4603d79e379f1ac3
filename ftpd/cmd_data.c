/* cmd_data.c: PORT PASV EPRT EPSV (data connection set-up verbs). */
#include "config.h"

#include <sys/socket.h>

#include "cmds.h"
#include "datachan.h"
#include "log.h"
#include "parse.h"
#include "session.h"

static int
need_addrs(struct session *s)
{
	if (s->have_addrs)
		return 0;
	reply(s, 425, "No data connections: the control connection is not "
	      "a network socket.");
	return -1;
}

static void
set_active(struct session *s, const struct netaddr *target, const char *verb)
{
	char why[256];

	if (dc_check_active(&s->peer, target, why, sizeof why) < 0) {
		log_msg(LOG_NOTICE, "%s: %s refused: %s", s->peer_str, verb, why);
		replyf(s, 504, "%s refused: %s.", verb, why);
		return;
	}
	dc_set_active(&s->data, target);
	replyf(s, 200, "%s command successful.", verb);
}

void
handle_port(struct session *s, const char *arg)
{
	struct netaddr t;

	if (need_addrs(s) < 0)
		return;
	if (parse_port_arg(arg, &t) < 0) {
		reply(s, 501, "Bad PORT argument: want h1,h2,h3,h4,p1,p2.");
		return;
	}
	set_active(s, &t, "PORT");
}

void
handle_eprt(struct session *s, const char *arg)
{
	struct netaddr t;

	if (need_addrs(s) < 0)
		return;
	if (parse_eprt_arg(arg, &t) < 0) {
		/* Tell a well-formed request for another protocol apart. */
		if (arg[0] != '\0' && arg[1] != '\0' && arg[1] != '1' &&
		    arg[1] != '2' && arg[2] == arg[0])
			reply(s, 522, "Network protocol not supported, use (1,2)");
		else
			reply(s, 501, "Bad EPRT argument: want |1|addr|port| "
			      "or |2|addr|port|.");
		return;
	}
	set_active(s, &t, "EPRT");
}

/* Listens in the passive range on the control connection's address. */
static int
start_passive(struct session *s)
{
	char why[256];
	int port;

	port = dc_listen_passive(&s->data, &s->local, s->conf->pasv_ports.lo,
				 s->conf->pasv_ports.hi, why, sizeof why);
	if (port < 0) {
		log_msg(LOG_ERR, "%s: passive listen failed: %s", s->peer_str, why);
		replyf(s, 425, "Cannot open a passive connection: %s.", why);
	}
	return port;
}

void
handle_pasv(struct session *s, const char *arg)
{
	struct netaddr announce;
	struct buf b = BUF_INIT(128);
	int port;

	if (need_addrs(s) < 0)
		return;
	if (s->conf->pasv_address[0] != '\0')
		(void)net_parse_ip(s->conf->pasv_address, &announce);
	else
		announce = s->local;
	if (net_family(&announce) != AF_INET) {
		reply(s, 425, "PASV works only over IPv4; use EPSV.");
		return;
	}
	port = start_passive(s);
	if (port < 0)
		return;
	net_set_port(&announce, port);
	if (format_pasv_reply(&b, &announce) < 0) {
		dc_reset(&s->data);
		reply(s, 425, "Cannot format the PASV reply.");
	} else {
		reply_buf(s, 227, &b);
	}
	buf_free(&b);
}

void
handle_epsv(struct session *s, const char *arg)
{
	int what, fam;

	if (parse_epsv_arg(arg, &what) < 0) {
		reply(s, 501, "Bad EPSV argument: want nothing, 1, 2 or ALL.");
		return;
	}
	if (what == -2) {
		s->data.epsv_all = 1;
		dc_reset(&s->data);
		reply(s, 200, "EPSV ALL ok: from now on only EPSV sets up data "
		      "connections.");
		return;
	}
	if (need_addrs(s) < 0)
		return;
	fam = net_family(&s->local);
	if (what != 0 && what != fam) {
		reply(s, 522, fam == AF_INET ?
		      "Network protocol not supported, use (1)" :
		      "Network protocol not supported, use (2)");
		return;
	}
	if (start_passive(s) < 0)
		return;
	replyf(s, 229, "Entering Extended Passive Mode (|||%d|)",
	       s->data.lport);
}
