/* fuzz_conf.c: the table-driven configuration parser (lib/conf.c) over a
 * file, as `ftpd -f` and `ftpd -t` read it, and over "key=value" pairs as
 * `-o` gives them.  A small test table has one key of every type.
 *
 * Input: byte 0 picks a mode.
 *   0: the rest is the contents of a config file (a memfd, read back
 *      through /proc/self/fd so the real fopen/getline path runs).
 *   1: the rest is a list of -o pairs, one per line.
 * Checked: every stored value is within its type's range, errors carry a
 * reason (and "file:line:" for files), and conf_free releases everything
 * (LeakSanitizer runs at exit and on -detect_leaks). */
#include "config.h"

#include <stddef.h>
#include <sys/mman.h>
#include <unistd.h>

#include "conf.h"
#include "net.h"
#include "fuzz.h"

struct tconf {
	int flag;
	unsigned count;
	uint64_t size;
	unsigned timeout;
	char *banner;
	struct conf_ports ports;
	struct conf_list listen;
	unsigned umask;
	char *root;
};

static const struct conf_key s_tab[] = {
	{ "flag", CONF_BOOL, offsetof(struct tconf, flag), "yes", "a bool" },
	{ "count", CONF_UINT, offsetof(struct tconf, count), "10", "a number" },
	{ "size", CONF_SIZE, offsetof(struct tconf, size), "64K", "a size" },
	{ "timeout", CONF_DURATION, offsetof(struct tconf, timeout), "5m",
	  "a duration" },
	{ "banner", CONF_STR, offsetof(struct tconf, banner), NULL, "text" },
	{ "ports", CONF_PORTS, offsetof(struct tconf, ports), "49152-65534",
	  "a port range" },
	{ "listen", CONF_ADDRS, offsetof(struct tconf, listen),
	  "0.0.0.0:21 [::]:21", "addresses" },
	{ "umask", CONF_MODE, offsetof(struct tconf, umask), "022", "a mode" },
	{ "root", CONF_STR, offsetof(struct tconf, root), "/srv/ftp", "a path" },
	{ NULL, 0, 0, NULL, NULL },
};

static void
check_values(const struct tconf *c)
{
	struct netaddr a;

	FUZZ_ASSERT(c->flag == 0 || c->flag == 1);
	FUZZ_ASSERT(c->ports.lo >= 1 && c->ports.lo <= c->ports.hi &&
		    c->ports.hi <= 65535);
	FUZZ_ASSERT(c->umask <= 07777);
	FUZZ_ASSERT(c->banner != NULL && c->root != NULL);
	FUZZ_ASSERT(c->listen.n <= 64);
	FUZZ_ASSERT(c->listen.n == 0 || c->listen.items != NULL);
	for (size_t i = 0; i < c->listen.n; i++)
		FUZZ_ASSERT(net_parse_listen(c->listen.items[i], &a) == 0);
}

static void
mode_file(const uint8_t *p, size_t n, struct tconf *c)
{
	char path[64], err[1024];
	const uint8_t *w = p;
	size_t left = n;
	ssize_t r;
	int fd, rc;

	fd = memfd_create("fuzz_conf", MFD_CLOEXEC);
	if (fd < 0)
		abort();
	while (left > 0) {
		r = write(fd, w, left);
		if (r <= 0)
			abort();
		w += r;
		left -= (size_t)r;
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	err[0] = '\0';
	rc = conf_load_file(s_tab, c, path, err, sizeof err);
	if (rc == 0) {
		check_values(c);
	} else {
		FUZZ_ASSERT(rc == -1);
		/* "file:line: reason" or "file: reason". */
		FUZZ_ASSERT(strncmp(err, path, strlen(path)) == 0);
		FUZZ_ASSERT(err[strlen(path)] == ':' &&
			    strlen(err) > strlen(path) + 2);
		check_values(c);	/* earlier lines stay applied */
	}
	close(fd);
}

static void
mode_pairs(const uint8_t *p, size_t n, struct tconf *c)
{
	char *text = fuzz_strndup(p, n), *line, *save = NULL, err[1024];

	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		err[0] = '\0';
		if (conf_set_pair(s_tab, c, line, err, sizeof err) < 0)
			FUZZ_ASSERT(err[0] != '\0');
		check_values(c);
	}
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data;
	size_t n = size;
	struct tconf c;
	char err[256];

	memset(&c, 0xa5, sizeof c);	/* conf_defaults treats it as garbage */
	FUZZ_ASSERT(conf_defaults(s_tab, &c, err, sizeof err) == 0);
	check_values(&c);
	FUZZ_ASSERT(c.listen.n == 2 && c.listen.is_default);
	if (fuzz_take(&p, &n) & 1)
		mode_pairs(p, n, &c);
	else
		mode_file(p, n, &c);
	conf_free(s_tab, &c);
	return 0;
}
