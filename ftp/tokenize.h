/* tokenize.h: splitting a command line into words like a small shell:
 * whitespace separates words, 'single quotes' keep everything literally,
 * "double quotes" allow \" and \\ inside, a backslash outside quotes
 * escapes the next character.  A line starting with '!' gives the words
 * "!" and the rest of the line (for the local shell). */
#ifndef FTP_TOKENIZE_H
#define FTP_TOKENIZE_H

#include <stddef.h>

#define TOK_MAX_ARGS 1024
#define TOK_MAX_LINE 65536

struct tokens {
	int argc;
	char **argv;		/* argv[argc] == NULL */
};

/* Returns 0, or -1 with a reason in err (unterminated quote, too many
 * words, line too long, out of memory). */
int tokenize(const char *line, struct tokens *t, char *err, size_t errlen);
void tokens_free(struct tokens *t);

/* For completion: the start offset of the word that ends at position
 * point in line (quotes taken into account), and the index of that word
 * (0 = the command name). */
void tokenize_word_at(const char *line, size_t point, size_t *start,
		      int *index);

#endif
