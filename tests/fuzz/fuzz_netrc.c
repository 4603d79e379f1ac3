/* fuzz_netrc.c: the client's .netrc reader (netrc_parse and netrc_lookup
 * in ftp/netrc.c).
 *
 * Input: byte 0 picks the host looked up (low bits) and whether the text
 * also goes through a temporary file and netrc_lookup (bit 0x80); the
 * rest is the netrc text (up to the first NUL, as a file read would be
 * cut by netrc_parse's C-string view).  Checked:
 * - a failed parse leaves the entry empty, with a reason;
 * - an entry found that is not `default` names the host in a `machine`
 *   line (any case); no field is set without an entry;
 * - login/password/account have no whitespace unless the text quotes or
 *   escapes; every value and the init macro are shorter than the text;
 * - any_password only when the text says password or passwd (keywords
 *   and host names written with \ escapes are not modelled);
 * - parsing again gives the same entry; netrc_free leaves it empty (and
 *   LeakSanitizer checks it freed everything);
 * - netrc_lookup on a 0600 file with the same text gives the same entry. */
#include "config.h"

#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netrc.h"
#include "fuzz.h"

static const char *const hosts[] = {
	"example.com", "EXAMPLE.COM", "ftp.example.org", "h", "default",
	"machine", "login", "x y",
};

static int
same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static int
same_entry(const struct netrc_entry *a, const struct netrc_entry *b)
{
	return a->found == b->found && a->is_default == b->is_default &&
		a->any_password == b->any_password &&
		same(a->login, b->login) && same(a->password, b->password) &&
		same(a->account, b->account) && same(a->init, b->init);
}

static int
is_empty(const struct netrc_entry *e)
{
	return !e->found && !e->is_default && !e->any_password &&
		e->login == NULL && e->password == NULL &&
		e->account == NULL && e->init == NULL;
}

/* 1 if "machine" followed by host (any case) appears as two tokens. */
static int
names_host(const char *text, const char *host)
{
	size_t hl = strlen(host);

	for (const char *p = text; (p = strstr(p, "machine")) != NULL; p++) {
		const char *q = p + 7;

		while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r' ||
		       *q == ',')
			q++;
		if (*q == '"')
			return 1;	/* quoted names: not modelled */
		if (strncasecmp(q, host, hl) == 0)
			return 1;
	}
	return 0;
}

static void
check_value(const char *v, const char *text, size_t tlen)
{
	if (v == NULL)
		return;
	FUZZ_ASSERT(strlen(v) <= tlen);
	if (strpbrk(v, " \t\r\n,") != NULL)
		FUZZ_ASSERT(strpbrk(text, "\"\\") != NULL);
}

static void
via_file(const char *text, size_t tlen, const char *host,
	 const struct netrc_entry *want)
{
	char path[] = "/tmp/fuzz_netrc.XXXXXX";
	struct netrc_entry e;
	int fd, rc;

	fd = mkstemp(path);
	if (fd < 0)
		abort();
	if (fchmod(fd, 0600) < 0 || write(fd, text, tlen) != (ssize_t)tlen)
		abort();
	if (close(fd) < 0)
		abort();
	rc = netrc_lookup(path, host, &e);
	if (unlink(path) < 0)
		abort();
	if (want == NULL) {
		FUZZ_ASSERT(rc < 0);
		FUZZ_ASSERT(is_empty(&e));
	} else {
		FUZZ_ASSERT(rc == 0);
		FUZZ_ASSERT(same_entry(&e, want));
	}
	netrc_free(&e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct netrc_entry e, again;
	const char *host;
	char err[128], *text;
	size_t tlen;
	int rc, rc2, esc;

	if (size == 0)
		return 0;
	host = hosts[data[0] % (sizeof hosts / sizeof hosts[0])];
	text = fuzz_strndup(data + 1, size - 1);
	tlen = strlen(text);
	esc = strchr(text, '\\') != NULL;
	err[0] = '\0';
	rc = netrc_parse(text, host, &e, err, sizeof err);
	if (rc < 0) {
		FUZZ_ASSERT(rc == -1);
		FUZZ_ASSERT(err[0] != '\0');
		FUZZ_ASSERT(is_empty(&e));
	} else {
		FUZZ_ASSERT(rc == 0);
		if (!e.found)
			FUZZ_ASSERT(!e.is_default && e.login == NULL &&
				    e.password == NULL && e.account == NULL &&
				    e.init == NULL);
		if (e.found && !e.is_default && !esc)
			FUZZ_ASSERT(names_host(text, host));
		/* keywords may be spelt with \ escapes ("d\efault") */
		if (e.is_default && !esc)
			FUZZ_ASSERT(strstr(text, "default") != NULL);
		if (e.any_password && !esc)
			FUZZ_ASSERT(strstr(text, "passw") != NULL);
		if (e.password != NULL)
			FUZZ_ASSERT(e.any_password);
		check_value(e.login, text, tlen);
		check_value(e.password, text, tlen);
		check_value(e.account, text, tlen);
		if (e.init != NULL) {
			FUZZ_ASSERT(esc || strstr(text, "macdef") != NULL);
			FUZZ_ASSERT(strstr(text, e.init) != NULL);
		}
	}
	rc2 = netrc_parse(text, host, &again, err, sizeof err);
	FUZZ_ASSERT(rc2 == rc);
	FUZZ_ASSERT(same_entry(&e, &again));
	netrc_free(&again);
	FUZZ_ASSERT(is_empty(&again));
	if (data[0] & 0x80)
		via_file(text, tlen, host, rc == 0 ? &e : NULL);
	netrc_free(&e);
	FUZZ_ASSERT(is_empty(&e));
	free(text);
	return 0;
}
