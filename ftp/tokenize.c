/* tokenize.c: the quote-aware command-line splitter. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokenize.h"

void
tokens_free(struct tokens *t)
{
	if (t->argv) {
		for (int i = 0; i < t->argc; i++)
			free(t->argv[i]);
		free(t->argv);
	}
	t->argv = NULL;
	t->argc = 0;
}

static int
add_word(struct tokens *t, const char *w, size_t n)
{
	char **nv;

	if (t->argc >= TOK_MAX_ARGS)
		return -1;
	nv = realloc(t->argv, (size_t)(t->argc + 2) * sizeof *nv);
	if (!nv)
		return -1;
	t->argv = nv;
	t->argv[t->argc] = strndup(w, n);
	if (!t->argv[t->argc])
		return -1;
	t->argc++;
	t->argv[t->argc] = NULL;
	return 0;
}

static int
is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

int
tokenize(const char *line, struct tokens *t, char *err, size_t errlen)
{
	size_t len = strlen(line);
	const char *p = line;
	char *word;

	t->argc = 0;
	t->argv = calloc(1, sizeof *t->argv);
	if (!t->argv) {
		(void)snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (len > TOK_MAX_LINE) {
		(void)snprintf(err, errlen, "line too long");
		return -1;
	}
	while (is_space(*p))
		p++;
	if (*p == '!') {
		const char *rest = p + 1;
		size_t n;

		while (is_space(*rest))
			rest++;
		n = strlen(rest);
		while (n > 0 && is_space(rest[n - 1]))
			n--;
		if (add_word(t, "!", 1) < 0 || (n > 0 && add_word(t, rest, n) < 0))
			goto nomem;
		return 0;
	}
	word = malloc(len + 1);
	if (!word)
		goto nomem;
	for (;;) {
		size_t n = 0;
		int have = 0;

		while (is_space(*p))
			p++;
		if (*p == '\0')
			break;
		while (*p && !is_space(*p)) {
			have = 1;
			if (*p == '\'') {
				const char *q = strchr(p + 1, '\'');

				if (!q) {
					(void)snprintf(err, errlen,
						       "unterminated ' quote");
					goto fail;
				}
				memcpy(word + n, p + 1, (size_t)(q - p - 1));
				n += (size_t)(q - p - 1);
				p = q + 1;
			} else if (*p == '"') {
				p++;
				while (*p && *p != '"') {
					if (*p == '\\' && (p[1] == '"' ||
							   p[1] == '\\'))
						p++;
					word[n++] = *p++;
				}
				if (*p != '"') {
					(void)snprintf(err, errlen,
						       "unterminated \" quote");
					goto fail;
				}
				p++;
			} else if (*p == '\\' && p[1]) {
				word[n++] = p[1];
				p += 2;
			} else {
				word[n++] = *p++;
			}
		}
		if (have && add_word(t, word, n) < 0) {
			(void)snprintf(err, errlen, t->argc >= TOK_MAX_ARGS ?
				       "too many words" : "out of memory");
			goto fail;
		}
	}
	free(word);
	return 0;
fail:
	free(word);
	tokens_free(t);
	return -1;
nomem:
	(void)snprintf(err, errlen, "out of memory");
	tokens_free(t);
	return -1;
}

void
tokenize_word_at(const char *line, size_t point, size_t *start, int *index)
{
	size_t i = 0, ws = 0;
	int idx = -1, inword = 0;
	char quote = 0;

	while (i < point && line[i]) {
		char ch = line[i];

		if (quote) {
			if (ch == quote)
				quote = 0;
			else if (quote == '"' && ch == '\\' && i + 1 < point)
				i++;
		} else if (is_space(ch)) {
			inword = 0;
		} else {
			if (!inword) {
				inword = 1;
				ws = i;
				idx++;
			}
			if (ch == '\'' || ch == '"')
				quote = ch;
			else if (ch == '\\' && i + 1 < point)
				i++;
		}
		i++;
	}
	if (!inword) {
		ws = point;
		idx++;
	}
	*start = ws;
	*index = idx < 0 ? 0 : idx;
}
