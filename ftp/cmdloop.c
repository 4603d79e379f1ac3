/* cmdloop.c: the command loop, interactive (GNU readline, callback
 * interface so Ctrl-C at the prompt just clears the line) and batch. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "cmdloop.h"
#include "cmdtab.h"
#include "complete.h"
#include "intr.h"
#include "session.h"
#include "status.h"
#include "sys.h"
#include "tokenize.h"

#define HISTORY_MAX 1000
#define ASK_MAX 4096

int
cmdloop_execute(const char *line)
{
	struct tokens t;
	const struct cmd *c;
	char err[128];
	int amb, st;

	if (tokenize(line, &t, err, sizeof err) < 0) {
		fprintf(stderr, "ftp: %s\n", err);
		st = ST_USAGE;
		goto out;
	}
	if (t.argc == 0) {
		tokens_free(&t);
		return ST_OK;
	}
	c = cmd_lookup(t.argv[0], &amb);
	if (!c) {
		fprintf(stderr, "?%s command: %s (type `help` for a list)\n",
			amb ? "Ambiguous" : "Invalid", t.argv[0]);
		st = ST_USAGE;
	} else if (c->needs_conn && !ses->cl.connected) {
		fprintf(stderr, "Not connected.\n");
		st = ST_OTHER;
	} else {
		/* handlers see the full name even when a prefix was typed */
		char *full = strdup(c->name);

		if (full) {
			free(t.argv[0]);
			t.argv[0] = full;
		}
		intr_clear();
		st = c->fn(t.argc, t.argv);
		(void)fflush(stdout);
	}
	tokens_free(&t);
out:
	if (st != ST_OK) {
		session_record(st);
		if (ses->set.stop_on_error)
			ses->quit = 1;
		if (st == ST_INTR && !ses->set.interactive)
			ses->quit = 1;	/* Ctrl-C stops a script */
	}
	return st;
}

/* ---- batch ---- */

void
cmdloop_batch(FILE *in)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	ses->batch_in = in;
	for (;;) {
		if (ses->quit)
			break;
		if (ses->set.interactive) {	/* -e: a prompt, no editing */
			printf("ftp> ");
			(void)fflush(stdout);
		}
		if ((n = getline(&line, &cap, in)) < 0)
			break;
		if (n > TOK_MAX_LINE) {
			fprintf(stderr, "ftp: input line too long; skipped\n");
			session_record(ST_USAGE);
			continue;
		}
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		(void)cmdloop_execute(line);
		if (intr_pending() && !ses->set.interactive)
			break;
	}
	free(line);
	ses->batch_in = NULL;
}

/* ---- questions ---- */

/* Reads one line from fd byte by byte (so nothing is buffered away from
 * readline), optionally without echo when fd is a terminal. */
static char *
read_fd_line(int fd, int echo)
{
	struct termios old, noecho;
	int restore = 0;
	char *s = malloc(ASK_MAX);
	size_t n = 0;

	if (!s)
		return NULL;
	if (!echo && isatty(fd) && tcgetattr(fd, &old) == 0) {
		noecho = old;
		noecho.c_lflag &= (tcflag_t)~ECHO;
		noecho.c_lflag |= ECHONL;
		if (tcsetattr(fd, TCSAFLUSH, &noecho) == 0)
			restore = 1;
	}
	for (;;) {
		char ch;
		ssize_t r = read(fd, &ch, 1);

		if (r < 0 && errno == EINTR) {
			if (intr_pending())
				break;
			continue;
		}
		if (r <= 0) {
			if (n == 0) {
				free(s);
				s = NULL;
			}
			break;
		}
		if (ch == '\n')
			break;
		if (n + 1 < ASK_MAX)
			s[n++] = ch;
	}
	if (restore)
		(void)tcsetattr(fd, TCSAFLUSH, &old);
	if (s) {
		if (n > 0 && s[n - 1] == '\r')
			n--;
		s[n] = '\0';
	}
	if (intr_pending()) {
		intr_clear();
		if (s)
			explicit_bzero(s, n);
		free(s);
		return NULL;
	}
	return s;
}

char *
cmdloop_ask(const char *prompt, int echo)
{
	if (ses->batch_in && (!ses->set.interactive || echo)) {
		char *line = NULL;
		size_t cap = 0;
		ssize_t n;

		if (ses->set.interactive) {
			printf("%s ", prompt);
			(void)fflush(stdout);
		}
		n = getline(&line, &cap, ses->batch_in);
		if (n < 0) {
			free(line);
			return NULL;
		}
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		return line;
	}
	if (!isatty(STDIN_FILENO)) {
		/* no terminal and no script: the controlling tty if any */
		int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
		char *s;

		if (fd < 0)
			return NULL;
		if (write(fd, prompt, strlen(prompt)) < 0 ||
		    write(fd, " ", 1) < 0) {
			sys_close_failok(fd);
			return NULL;
		}
		s = read_fd_line(fd, echo);
		sys_close_failok(fd);
		return s;
	}
	printf("%s ", prompt);
	(void)fflush(stdout);
	return read_fd_line(STDIN_FILENO, echo);
}

int
cmdloop_confirm(const char *verb, const char *name)
{
	char q[512];
	char *a;
	int r;

	if (!ses->set.prompt || !ses->set.interactive)
		return 'a';
	(void)snprintf(q, sizeof q, "%s %s? [y]es [n]o [a]ll [q]uit:", verb,
		       name);
	a = cmdloop_ask(q, 1);
	if (!a)
		return 'q';
	switch (a[0]) {
	case 'n': case 'N': r = 'n'; break;
	case 'a': case 'A': r = 'a'; break;
	case 'q': case 'Q': r = 'q'; break;
	default: r = 'y'; break;
	}
	free(a);
	return r;
}

/* ---- interactive ---- */

static char s_histfile[4096];

static void
history_setup(void)
{
	const char *home = getenv("HOME");

	if (!home || !*home) {
		struct passwd *pw = getpwuid(getuid());

		home = pw ? pw->pw_dir : NULL;
	}
	if (!home)
		return;
	if ((size_t)snprintf(s_histfile, sizeof s_histfile, "%s/.ftp_history",
			     home) >= sizeof s_histfile) {
		s_histfile[0] = '\0';
		return;
	}
	using_history();
	stifle_history(HISTORY_MAX);
	(void)read_history(s_histfile);	/* missing file is fine */
}

static void
history_save(void)
{
	int fd;

	if (!s_histfile[0])
		return;
	/* the history may name hosts and files: keep it private */
	fd = open(s_histfile, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd >= 0)
		sys_close_failok(fd);
	if (write_history(s_histfile) != 0)
		fprintf(stderr, "ftp: could not save history to %s\n",
			s_histfile);
	else
		(void)chmod(s_histfile, 0600);
}

/* Lines that carry a password are not kept in the history. */
static int
history_worthy(const char *line)
{
	struct tokens t;
	char err[64];
	int ok = 1;

	if (tokenize(line, &t, err, sizeof err) < 0)
		return 1;
	if (t.argc >= 3 && strcmp(t.argv[0], "user") == 0)
		ok = 0;
	if (t.argc >= 2 && (strcmp(t.argv[0], "quote") == 0 ||
			    strcmp(t.argv[0], "literal") == 0) &&
	    (strcasecmp(t.argv[1], "PASS") == 0 ||
	     strcasecmp(t.argv[1], "ACCT") == 0))
		ok = 0;
	tokens_free(&t);
	return ok;
}

static void
on_line(char *line)
{
	if (!line) {
		putchar('\n');
		ses->quit = 1;
		rl_callback_handler_remove();
		return;
	}
	if (line[0] && history_worthy(line)) {
		HIST_ENTRY *last = history_get(history_base + history_length - 1);

		if (!last || strcmp(last->line, line) != 0)
			add_history(line);
	}
	(void)cmdloop_execute(line);
	free(line);
	if (ses->quit)
		rl_callback_handler_remove();
}

void
cmdloop_interactive(void)
{
	struct pollfd p[2];

	history_setup();
	complete_init();
	rl_catch_signals = 0;	/* our SIGINT handler only marks it */
	rl_callback_handler_install("ftp> ", on_line);
	while (!ses->quit) {
		p[0].fd = STDIN_FILENO;
		p[0].events = POLLIN;
		p[1].fd = intr_fd();
		p[1].events = POLLIN;
		p[0].revents = p[1].revents = 0;
		if (poll(p, p[1].fd >= 0 ? 2 : 1, -1) < 0) {
			if (errno != EINTR)
				break;
		}
		if (intr_pending()) {
			/* Ctrl-C at the prompt: drop the line, new prompt */
			intr_clear();
			rl_free_line_state();
			rl_replace_line("", 0);
			rl_crlf();
			rl_on_new_line();
			rl_redisplay();
			continue;
		}
		if (p[1].revents)
			intr_clear();
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR))
			rl_callback_read_char();
	}
	if (!ses->quit)
		rl_callback_handler_remove();
	history_save();
}
