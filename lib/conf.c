/* conf.c: the table-driven "key = value" configuration parser shared by
 * both programs.  One row per key gives its type, storage and default;
 * everything here works from those rows. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "net.h"
#include "parse.h"

#define CONF_MAX_LINE 4096
#define CONF_MAX_LIST 64

static void
conf_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
conf_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

const struct conf_key *
conf_find(const struct conf_key *tab, const char *name)
{
	for (; tab->name != NULL; tab++)
		if (strcmp(tab->name, name) == 0)
			return tab;
	return NULL;
}

static void *
field(const struct conf_key *k, void *obj)
{
	return (char *)obj + k->offset;
}

static void
list_clear(struct conf_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

static int
list_add(struct conf_list *l, const char *s)
{
	char **items, *dup;

	if (l->n >= CONF_MAX_LIST)
		return -1;
	dup = strdup(s);
	if (dup == NULL)
		return -1;
	items = realloc(l->items, (l->n + 1) * sizeof *items);
	if (items == NULL) {
		free(dup);
		return -1;
	}
	items[l->n++] = dup;
	l->items = items;
	return 0;
}

/* Adds each address in value (separated by spaces or commas). */
static int
set_addrs(const struct conf_key *k, struct conf_list *l, const char *value,
	  char *err, size_t errlen)
{
	char tok[NETADDR_STRLEN + 1];
	struct netaddr a;
	const char *p = value, *e;
	size_t n;

	for (;;) {
		p += strspn(p, " \t,");
		if (*p == '\0')
			return 0;
		e = p + strcspn(p, " \t,");
		n = (size_t)(e - p);
		if (n >= sizeof tok)
			goto bad;
		memcpy(tok, p, n);
		tok[n] = '\0';
		if (net_parse_listen(tok, &a) < 0)
			goto bad;
		if (list_add(l, tok) < 0) {
			conf_err(err, errlen, "too many values for %s", k->name);
			return -1;
		}
		p = e;
	}
bad:
	conf_err(err, errlen,
		 "bad value '%s' for %s: expected addr:port or [v6addr]:port",
		 value, k->name);
	return -1;
}

static int
parse_mode(const char *s, unsigned *out)
{
	unsigned v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '7')
			return -1;
		v = v * 8 + (unsigned)(*s - '0');
		if (v > 07777)
			return -1;
	}
	*out = v;
	return 0;
}

/* Applies value to k.  is_default: the value is the table default. */
static int
conf_apply(const struct conf_key *k, void *obj, const char *value,
	   int is_default, char *err, size_t errlen)
{
	void *f = field(k, obj);
	const char *expect = NULL;
	struct conf_list *l;
	uint64_t u;
	unsigned lo, hi, d;
	int b;
	char *s;

	switch (k->type) {
	case CONF_BOOL:
		if (parse_bool(value, &b) < 0)
			expect = "yes or no";
		else
			*(int *)f = b;
		break;
	case CONF_UINT:
		if (parse_u64(value, UINT_MAX, &u) < 0)
			expect = "a number";
		else
			*(unsigned *)f = (unsigned)u;
		break;
	case CONF_SIZE:
		if (parse_size(value, &u) < 0)
			expect = "a size like 512, 64K, 10M or 1G";
		else
			*(uint64_t *)f = u;
		break;
	case CONF_DURATION:
		if (parse_duration(value, &d) < 0)
			expect = "a duration like 30, 5m or 1h";
		else
			*(unsigned *)f = d;
		break;
	case CONF_STR:
		s = strdup(value);
		if (s == NULL) {
			conf_err(err, errlen, "out of memory");
			return -1;
		}
		free(*(char **)f);
		*(char **)f = s;
		break;
	case CONF_PORTS:
		if (parse_port_range(value, &lo, &hi) < 0) {
			expect = "a port range lo-hi within 1-65535";
		} else {
			((struct conf_ports *)f)->lo = lo;
			((struct conf_ports *)f)->hi = hi;
		}
		break;
	case CONF_ADDRS:
		l = f;
		/* The first explicit value replaces the default list. */
		if (!is_default && l->is_default) {
			list_clear(l);
			l->is_default = 0;
		}
		return set_addrs(k, l, value, err, errlen);
	case CONF_MODE:
		if (parse_mode(value, &d) < 0)
			expect = "an octal mode like 022";
		else
			*(unsigned *)f = d;
		break;
	}
	if (expect != NULL) {
		conf_err(err, errlen, "bad value '%s' for %s: expected %s",
			 value, k->name, expect);
		return -1;
	}
	return 0;
}

int
conf_defaults(const struct conf_key *tab, void *obj, char *err, size_t errlen)
{
	const struct conf_key *k;
	struct conf_list *l;

	for (k = tab; k->name != NULL; k++) {
		if (k->type == CONF_ADDRS) {
			/* obj may be uninitialized: reset, do not free. */
			l = field(k, obj);
			l->items = NULL;
			l->n = 0;
			l->is_default = 1;
		}
		if (k->type == CONF_STR)
			*(char **)field(k, obj) = NULL;
		if (conf_apply(k, obj, k->def ? k->def : "", 1, err, errlen) == 0)
			continue;
		/* An empty default means zero for the numeric types. */
		if (k->def == NULL || *k->def == '\0') {
			switch (k->type) {
			case CONF_BOOL:
				*(int *)field(k, obj) = 0;
				continue;
			case CONF_UINT:
			case CONF_DURATION:
			case CONF_MODE:
				*(unsigned *)field(k, obj) = 0;
				continue;
			case CONF_SIZE:
				*(uint64_t *)field(k, obj) = 0;
				continue;
			case CONF_PORTS:
				((struct conf_ports *)field(k, obj))->lo = 0;
				((struct conf_ports *)field(k, obj))->hi = 0;
				continue;
			default:
				break;
			}
		}
		return -1;
	}
	return 0;
}

int
conf_set(const struct conf_key *tab, void *obj, const char *key,
	 const char *value, char *err, size_t errlen)
{
	const struct conf_key *k = conf_find(tab, key);

	if (k == NULL) {
		conf_err(err, errlen, "unknown key '%s'", key);
		return -1;
	}
	return conf_apply(k, obj, value, 0, err, errlen);
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
			 e[-1] == '\n'))
		*--e = '\0';
	return s;
}

/* "key = value" in place.  0 or -1 (err filled). */
static int
conf_set_text(const struct conf_key *tab, void *obj, char *text, char *err,
	      size_t errlen)
{
	char *eq = strchr(text, '='), *key;

	if (eq == NULL) {
		conf_err(err, errlen, "expected key = value");
		return -1;
	}
	*eq = '\0';
	key = trim(text);
	if (*key == '\0') {
		conf_err(err, errlen, "missing key before '='");
		return -1;
	}
	return conf_set(tab, obj, key, trim(eq + 1), err, errlen);
}

int
conf_set_pair(const struct conf_key *tab, void *obj, const char *pair,
	      char *err, size_t errlen)
{
	char *copy = strdup(pair);
	int r;

	if (copy == NULL) {
		conf_err(err, errlen, "out of memory");
		return -1;
	}
	r = conf_set_text(tab, obj, copy, err, errlen);
	free(copy);
	return r;
}

int
conf_load_file(const struct conf_key *tab, void *obj, const char *path,
	       char *err, size_t errlen)
{
	char reason[512], *line = NULL, *s;
	size_t cap = 0;
	unsigned lineno = 0;
	ssize_t n;
	FILE *fp;
	int r = 0;

	fp = fopen(path, "re");
	if (fp == NULL) {
		conf_err(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		if ((size_t)n > CONF_MAX_LINE) {
			conf_err(err, errlen, "%s:%u: line too long", path, lineno);
			r = -1;
			break;
		}
		if (memchr(line, '\0', (size_t)n) != NULL) {
			conf_err(err, errlen, "%s:%u: NUL byte in line", path, lineno);
			r = -1;
			break;
		}
		s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		if (conf_set_text(tab, obj, s, reason, sizeof reason) < 0) {
			conf_err(err, errlen, "%s:%u: %s", path, lineno, reason);
			r = -1;
			break;
		}
	}
	if (r == 0 && ferror(fp)) {
		conf_err(err, errlen, "%s: read error: %s", path, strerror(errno));
		r = -1;
	}
	free(line);
	(void)fclose(fp);
	return r;
}

void
conf_free(const struct conf_key *tab, void *obj)
{
	for (const struct conf_key *k = tab; k->name != NULL; k++) {
		if (k->type == CONF_STR) {
			free(*(char **)field(k, obj));
			*(char **)field(k, obj) = NULL;
		} else if (k->type == CONF_ADDRS) {
			list_clear(field(k, obj));
		}
	}
}
