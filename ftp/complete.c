/* complete.c: readline completion.  Which kind applies comes from the
 * command table row ('r', 'l', 'c', 'n' per argument); remote names come
 * from one cached listing per folder, refreshed after changes. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <readline/readline.h>

#include "cmdtab.h"
#include "complete.h"
#include "rlist.h"
#include "session.h"
#include "status.h"
#include "tokenize.h"

static struct {
	int valid;
	char *dir;		/* the folder listed, as typed ("" = cwd) */
	struct rlist list;
} s_cache;

/* generator state */
static size_t s_idx;
static char s_dirpart[4096];
static const char *s_base;

void
complete_invalidate(void)
{
	if (s_cache.valid) {
		rlist_free(&s_cache.list);
		free(s_cache.dir);
		s_cache.dir = NULL;
	}
	s_cache.valid = 0;
}

static char *
gen_command(const char *text, int state)
{
	size_t n = strlen(text);

	if (state == 0)
		s_idx = 0;
	while (s_idx < cmdtab_len) {
		const char *name = cmdtab[s_idx++].name;

		if (strncmp(name, text, n) == 0)
			return strdup(name);
	}
	return NULL;
}

static int
cache_load(const char *dir)
{
	struct ftp_client *c = &ses->cl;
	int st;

	if (s_cache.valid && strcmp(s_cache.dir, dir) == 0)
		return 0;
	complete_invalidate();
	if (!c->connected || !c->logged_in)
		return -1;
	c->quiet++;
	st = rlist_fetch(c, dir[0] ? dir : NULL, &s_cache.list);
	c->quiet--;
	if (st != ST_OK) {
		rlist_free(&s_cache.list);
		rl_forced_update_display();
		return -1;
	}
	s_cache.dir = strdup(dir);
	if (!s_cache.dir) {
		rlist_free(&s_cache.list);
		return -1;
	}
	s_cache.valid = 1;
	return 0;
}

static char *
gen_remote(const char *text, int state)
{
	size_t n;

	(void)text;
	if (!s_cache.valid)
		return NULL;
	if (state == 0)
		s_idx = 0;
	n = strlen(s_base);
	while (s_idx < s_cache.list.n) {
		const struct list_entry *e = &s_cache.list.e[s_idx++];

		if (strncmp(e->name, s_base, n) == 0) {
			size_t len = strlen(s_dirpart) + strlen(e->name) + 2;
			char *m = malloc(len);

			if (!m)
				return NULL;
			(void)snprintf(m, len, "%s%s%s", s_dirpart, e->name,
				       e->is_dir == 1 ? "/" : "");
			return m;
		}
	}
	return NULL;
}

static char **
complete_remote(const char *text)
{
	const char *slash = strrchr(text, '/');
	size_t dl = slash ? (size_t)(slash - text + 1) : 0;
	char **m;

	if (dl >= sizeof s_dirpart)
		return NULL;
	memcpy(s_dirpart, text, dl);
	s_dirpart[dl] = '\0';
	s_base = text + dl;
	if (cache_load(s_dirpart) < 0)
		return NULL;
	/* quoting of spaces and the "show only the last part" listing */
	rl_filename_completion_desired = 1;
	rl_filename_quoting_desired = 1;
	m = rl_completion_matches(text, gen_remote);
	if (m && m[0] && !m[1]) {
		size_t l = strlen(m[0]);

		if (l > 0 && m[0][l - 1] == '/')
			rl_completion_suppress_append = 1;
	}
	return m;
}

static char **
attempt(const char *text, int start, int end)
{
	const struct cmd *c;
	char first[64];
	size_t ws, i = 0;
	int idx, amb, kind;
	size_t klen;

	(void)end;
	tokenize_word_at(rl_line_buffer, (size_t)start, &ws, &idx);
	rl_attempted_completion_over = 1;
	if (idx == 0)
		return rl_completion_matches(text, gen_command);
	while (rl_line_buffer[i] == ' ' || rl_line_buffer[i] == '\t')
		i++;
	ws = 0;
	while (rl_line_buffer[i] && rl_line_buffer[i] != ' ' &&
	       rl_line_buffer[i] != '\t' && ws + 1 < sizeof first)
		first[ws++] = rl_line_buffer[i++];
	first[ws] = '\0';
	c = cmd_lookup(first, &amb);
	if (!c)
		return NULL;
	klen = strlen(c->complete);
	kind = klen == 0 ? 'n' : c->complete[(size_t)(idx - 1) < klen ?
					      (size_t)(idx - 1) : klen - 1];
	switch (kind) {
	case 'c':
		return rl_completion_matches(text, gen_command);
	case 'l':
		rl_attempted_completion_over = 0;	/* readline's files */
		return NULL;
	case 'r':
		return complete_remote(text);
	default:
		return NULL;
	}
}

void
complete_init(void)
{
	rl_readline_name = "ftp";
	rl_attempted_completion_function = attempt;
	rl_completer_quote_characters = "\"'";
	rl_filename_quote_characters = " \t\n\"'\\";
	rl_basic_word_break_characters = " \t\n";
}
