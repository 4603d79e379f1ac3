/* test_ftpd_misc.c: LIST option parsing, monitor message decoding,
 * the config table, upload-area and temporary-name checks, and the
 * PORT/EPRT target check. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "unit.h"
#include "net.h"
#include "../../ftpd/conf.h"
#include "../../ftpd/datachan.h"
#include "../../ftpd/ls.h"
#include "../../ftpd/privproto.h"
#include "../../ftpd/vfs.h"

static void
test_ls_args(void)
{
	struct ls_opts o;

	CU_ASSERT_PTR_NULL(ls_parse_args(NULL, &o));
	CU_ASSERT_PTR_NULL(ls_parse_args("-la", &o));
	CU_ASSERT(o.all);
	CU_ASSERT_FALSE(o.recursive);
	CU_ASSERT_STRING_EQUAL(ls_parse_args("-l sub dir", &o), "sub dir");
	CU_ASSERT_FALSE(o.all);
	CU_ASSERT_STRING_EQUAL(ls_parse_args("-a -R x", &o), "x");
	CU_ASSERT(o.all && o.recursive);
	CU_ASSERT_STRING_EQUAL(ls_parse_args("-lR x", &o), "x");
	CU_ASSERT(o.recursive);
	CU_ASSERT_STRING_EQUAL(ls_parse_args("-- -la", &o), "-la");
	CU_ASSERT_FALSE(o.all);
	CU_ASSERT_STRING_EQUAL(ls_parse_args("-file.txt", &o), "-file.txt");
	CU_ASSERT_STRING_EQUAL(ls_parse_args("-", &o), "-");
	CU_ASSERT_STRING_EQUAL(ls_parse_args("name", &o), "name");
	CU_ASSERT_PTR_NULL(ls_parse_args("-lt", &o));	/* unknown letters ignored */
	CU_ASSERT_STRING_EQUAL(ls_parse_args("-d x", &o), "x");
	CU_ASSERT(o.dir_itself);
}

static void
test_privproto_roundtrip(void)
{
	struct priv_field f[3] = {
		{ "alice", 5 }, { "pw", 2 }, { "NOOP\r\n", 6 }
	};
	static struct priv_msg m;
	int sv[2];

	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	CU_ASSERT_EQUAL(priv_send(sv[0], PRIV_LOGIN, 3, f), 0);
	CU_ASSERT_EQUAL(priv_recv(sv[1], PRIV_FROM_WORKER, &m), 1);
	CU_ASSERT_EQUAL(m.type, PRIV_LOGIN);
	CU_ASSERT_STRING_EQUAL(m.f[0].p, "alice");
	CU_ASSERT_STRING_EQUAL(m.f[1].p, "pw");
	CU_ASSERT_EQUAL(m.f[2].n, 6);
	/* A monitor-only message from the worker side is refused. */
	CU_ASSERT_EQUAL(priv_send(sv[0], PRIV_LOGIN_OK, 0, NULL), 0);
	CU_ASSERT_EQUAL(priv_recv(sv[1], PRIV_FROM_WORKER, &m), -1);
	/* Wrong field count is refused by the sender. */
	CU_ASSERT_EQUAL(priv_send(sv[0], PRIV_LOGIN, 2, f), -1);
	close(sv[0]);
	CU_ASSERT_EQUAL(priv_recv(sv[1], PRIV_FROM_WORKER, &m), 0);
	close(sv[1]);
}

static void
put32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void
test_privproto_decode_rejects(void)
{
	static struct priv_msg m;
	unsigned char w[64];

	memset(w, 0, sizeof w);
	CU_ASSERT_EQUAL(priv_decode(w, 4, PRIV_FROM_WORKER, &m), -1);
	put32(w, 99);
	CU_ASSERT_EQUAL(priv_decode(w, 8, PRIV_FROM_WORKER, &m), -1);
	/* REIN with a field longer than the packet. */
	put32(w, PRIV_REIN);
	put32(w + 4, 1);
	put32(w + 8, 100);
	CU_ASSERT_EQUAL(priv_decode(w, 20, PRIV_FROM_WORKER, &m), -1);
	/* REIN over its cap. */
	put32(w + 8, 0x7fffffff);
	CU_ASSERT_EQUAL(priv_decode(w, 20, PRIV_FROM_WORKER, &m), -1);
	/* Trailing bytes. */
	put32(w + 8, 2);
	CU_ASSERT_EQUAL(priv_decode(w, 16, PRIV_FROM_WORKER, &m), -1);
	CU_ASSERT_EQUAL(priv_decode(w, 13, PRIV_FROM_WORKER, &m), -1);
	CU_ASSERT_EQUAL(priv_decode(w, 14, PRIV_FROM_WORKER, &m), 0);
	/* A user name with a NUL inside. */
	put32(w, PRIV_LOGIN);
	put32(w + 4, 3);
	put32(w + 8, 3);
	memcpy(w + 12, "a\0b", 3);
	put32(w + 15, 0);
	put32(w + 19, 0);
	CU_ASSERT_EQUAL(priv_decode(w, 23, PRIV_FROM_WORKER, &m), -1);
	memcpy(w + 12, "abc", 3);
	CU_ASSERT_EQUAL(priv_decode(w, 23, PRIV_FROM_WORKER, &m), 0);
}

static void
test_conf_table(void)
{
	struct ftpd_conf c;
	char err[256];

	CU_ASSERT_EQUAL_FATAL(ftpd_conf_init(&c, err, sizeof err), 0);
	CU_ASSERT_EQUAL(c.max_clients, 200);
	CU_ASSERT_EQUAL(c.max_per_ip, 10);
	CU_ASSERT_EQUAL(c.idle_timeout, 300);
	CU_ASSERT_EQUAL(c.data_timeout, 120);
	CU_ASSERT_EQUAL(c.pasv_ports.lo, 49152);
	CU_ASSERT_EQUAL(c.pasv_ports.hi, 65534);
	CU_ASSERT_EQUAL(c.upload_umask, 022);
	CU_ASSERT(c.anon_enable);
	CU_ASSERT(c.atomic_uploads);
	CU_ASSERT_STRING_EQUAL(c.anon_root, "/srv/ftp");
	CU_ASSERT_STRING_EQUAL(c.message_file, ".message");
	CU_ASSERT_EQUAL(ftpd_conf_check(&c, err, sizeof err), 0);
	CU_ASSERT_EQUAL(c.listen.n, 2);	/* 0.0.0.0:21 and [::]:21 */
	CU_ASSERT_EQUAL(conf_set_pair(ftpd_conf_keys, &c, "idle_timeout=5m",
				      err, sizeof err), 0);
	CU_ASSERT_EQUAL(c.idle_timeout, 300);
	CU_ASSERT_EQUAL(conf_set_pair(ftpd_conf_keys, &c, "bogus=1", err,
				      sizeof err), -1);
	CU_ASSERT_EQUAL(conf_set_pair(ftpd_conf_keys, &c, "max_clients=x", err,
				      sizeof err), -1);
	ftpd_conf_free(&c);

	/* Cross-key checks. */
	CU_ASSERT_EQUAL_FATAL(ftpd_conf_init(&c, err, sizeof err), 0);
	CU_ASSERT_EQUAL(conf_set_pair(ftpd_conf_keys, &c, "anon_upload_dir=incoming",
				      err, sizeof err), 0);
	CU_ASSERT_EQUAL(ftpd_conf_check(&c, err, sizeof err), -1);
	CU_ASSERT_EQUAL(conf_set_pair(ftpd_conf_keys, &c, "anon_upload_dir=/a/../b",
				      err, sizeof err), 0);
	CU_ASSERT_EQUAL(ftpd_conf_check(&c, err, sizeof err), -1);
	CU_ASSERT_EQUAL(conf_set_pair(ftpd_conf_keys, &c, "anon_upload_dir=/in",
				      err, sizeof err), 0);
	CU_ASSERT_EQUAL(ftpd_conf_check(&c, err, sizeof err), 0);
	CU_ASSERT_EQUAL(conf_set_pair(ftpd_conf_keys, &c, "pasv_address=::1",
				      err, sizeof err), 0);
	CU_ASSERT_EQUAL(ftpd_conf_check(&c, err, sizeof err), -1);
	CU_ASSERT_EQUAL(conf_set_pair(ftpd_conf_keys, &c, "pasv_address=203.0.113.7",
				      err, sizeof err), 0);
	CU_ASSERT_EQUAL(ftpd_conf_check(&c, err, sizeof err), 0);
	CU_ASSERT_EQUAL(conf_set_pair(ftpd_conf_keys, &c, "message_file=a/b",
				      err, sizeof err), 0);
	CU_ASSERT_EQUAL(ftpd_conf_check(&c, err, sizeof err), -1);
	ftpd_conf_free(&c);

	/* Every row has help text for --help and the sample file. */
	for (const struct conf_key *k = ftpd_conf_keys; k->name != NULL; k++)
		CU_ASSERT(k->help != NULL && k->help[0] != '\0');
}

/* etc/ftpd.conf follows the table: every key appears as "#key = default"
 * (and the file itself parses). */
static void
test_sample_follows_table(void)
{
	char path[4096], want[256], *text;
	const char *dir = __FILE__, *slash = strrchr(dir, '/');
	struct ftpd_conf c;
	char err[256];
	FILE *fp;
	long n;

	snprintf(path, sizeof path, "%.*s/../../etc/ftpd.conf",
		 slash != NULL ? (int)(slash - dir) : 1,
		 slash != NULL ? dir : ".");
	fp = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	text = calloc(1, 65536);
	n = (long)fread(text, 1, 65535, fp);
	fclose(fp);
	CU_ASSERT(n > 0);
	for (const struct conf_key *k = ftpd_conf_keys; k->name != NULL; k++) {
		const char *def = k->def != NULL ? k->def : "";

		if (k->type == CONF_ADDRS && def[0] != '\0')
			def = "0.0.0.0:21";
		snprintf(want, sizeof want, "\n#%s =%s%s\n", k->name,
			 def[0] != '\0' ? " " : "", def);
		if (strstr(text, want) == NULL)
			fprintf(stderr, "etc/ftpd.conf lacks: %s", want + 1);
		CU_ASSERT_PTR_NOT_NULL(strstr(text, want));
	}
	free(text);
	CU_ASSERT_EQUAL_FATAL(ftpd_conf_init(&c, err, sizeof err), 0);
	CU_ASSERT_EQUAL(conf_load_file(ftpd_conf_keys, &c, path, err, sizeof err), 0);
	ftpd_conf_free(&c);
}

static void
test_vfs_rules(void)
{
	CU_ASSERT(vfs_path_inside("/incoming", "/incoming/a"));
	CU_ASSERT(vfs_path_inside("/incoming", "/incoming/a/b"));
	CU_ASSERT_FALSE(vfs_path_inside("/incoming", "/incoming"));
	CU_ASSERT_FALSE(vfs_path_inside("/incoming", "/incomingx/a"));
	CU_ASSERT_FALSE(vfs_path_inside("/incoming", "/"));
	CU_ASSERT(vfs_path_inside("/", "/a"));
	CU_ASSERT_FALSE(vfs_path_inside("/", "/"));
	CU_ASSERT(vfs_is_temp_name(UPLOAD_TMP_PREFIX "x"));
	CU_ASSERT_FALSE(vfs_is_temp_name(".ftpd"));
	CU_ASSERT(vfs_has_temp_component("/a/" UPLOAD_TMP_PREFIX "x/b"));
	CU_ASSERT(vfs_has_temp_component("/" UPLOAD_TMP_PREFIX "1"));
	CU_ASSERT_FALSE(vfs_has_temp_component("/a/b.ftpd-upload.x"));
	CU_ASSERT_FALSE(vfs_has_temp_component("/"));
}

static void
test_active_target(void)
{
	struct netaddr peer, t;
	char why[256];

	CU_ASSERT_EQUAL_FATAL(net_parse_listen("127.0.0.1:40000", &peer), 0);
	CU_ASSERT_EQUAL_FATAL(net_parse_listen("127.0.0.1:2000", &t), 0);
	CU_ASSERT_EQUAL(dc_check_active(&peer, &t, why, sizeof why), 0);
	CU_ASSERT_EQUAL_FATAL(net_parse_listen("127.0.0.1:1023", &t), 0);
	CU_ASSERT_EQUAL(dc_check_active(&peer, &t, why, sizeof why), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "1023"));
	CU_ASSERT_EQUAL_FATAL(net_parse_listen("10.1.2.3:2000", &t), 0);
	CU_ASSERT_EQUAL(dc_check_active(&peer, &t, why, sizeof why), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "10.1.2.3"));
	CU_ASSERT_EQUAL_FATAL(net_parse_listen("[::1]:2000", &t), 0);
	CU_ASSERT_EQUAL(dc_check_active(&peer, &t, why, sizeof why), -1);
}

void
suite_ftpd_misc(void)
{
	UNIT_SUITE("ftpd_misc");
	UNIT_TEST(test_ls_args);
	UNIT_TEST(test_privproto_roundtrip);
	UNIT_TEST(test_privproto_decode_rejects);
	UNIT_TEST(test_conf_table);
	UNIT_TEST(test_sample_follows_table);
	UNIT_TEST(test_vfs_rules);
	UNIT_TEST(test_active_target);
}
