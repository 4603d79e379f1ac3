/* conf.h: table-driven "key = value" configuration.  Each program keeps
 * one table of struct conf_key rows (name, type, where it is stored,
 * default, help); the parser, the man page and the sample file follow it.
 *
 * Value syntax (fixed once): booleans yes/no; durations in seconds with
 * optional s/m/h; sizes and rates with optional K/M/G; port ranges lo-hi;
 * addresses addr:port or [v6addr]:port.  '#' starts a comment line. */
#ifndef FTPKIT_CONF_H
#define FTPKIT_CONF_H

#include <stddef.h>
#include <stdint.h>

enum conf_type {
	CONF_BOOL,	/* int */
	CONF_UINT,	/* unsigned */
	CONF_SIZE,	/* uint64_t, K/M/G */
	CONF_DURATION,	/* unsigned seconds, s/m/h */
	CONF_STR,	/* char * (malloc'd; "" allowed) */
	CONF_PORTS,	/* struct conf_ports */
	CONF_ADDRS,	/* struct conf_list of "addr:port"; repeatable key */
	CONF_MODE	/* unsigned, octal (e.g. umask 022) */
};

struct conf_ports { unsigned lo, hi; };
struct conf_list { char **items; size_t n; int is_default; };

struct conf_key {
	const char *name;
	enum conf_type type;
	size_t offset;		/* offsetof(struct ..., field) */
	const char *def;	/* default as text, NULL = empty/unset */
	const char *help;	/* one line for --help / the sample */
};

/* Sets every key to its default (lists emptied).  obj is treated as
 * uninitialized (nothing is freed): call conf_free first to reuse one.
 * 0 or -1 (err filled). */
int conf_defaults(const struct conf_key *tab, void *obj, char *err, size_t errlen);
/* Sets one key from text.  A repeated CONF_ADDRS key appends; the first
 * explicit value replaces the default list.  0 or -1 with a reason. */
int conf_set(const struct conf_key *tab, void *obj, const char *key,
	     const char *value, char *err, size_t errlen);
/* "key=value" (from -o). */
int conf_set_pair(const struct conf_key *tab, void *obj, const char *pair,
		  char *err, size_t errlen);
/* Reads a file; on the first error writes "file:line: reason" to err. */
int conf_load_file(const struct conf_key *tab, void *obj, const char *path,
		   char *err, size_t errlen);
const struct conf_key *conf_find(const struct conf_key *tab, const char *name);
void conf_free(const struct conf_key *tab, void *obj);

#endif
