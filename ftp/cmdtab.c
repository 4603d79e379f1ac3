/* cmdtab.c: the command table and name lookup (unique prefixes). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "cmdtab.h"
#include "status.h"

const struct cmd cmdtab[] = {
	{ "!", "[command]", "run a local shell or command", 0, "l", cmd_shell },
	{ "?", "[command]", "print help", 0, "c", cmd_help },
	{ "append", "local-file [remote-file]", "append a local file to a remote file", 1, "lr", cmd_append },
	{ "ascii", "", "set ASCII transfer type (line endings converted)", 0, "n", cmd_ascii },
	{ "binary", "", "set binary transfer type (the default)", 0, "n", cmd_binary },
	{ "bye", "", "close the connection and exit", 0, "n", cmd_quit },
	{ "cd", "remote-folder", "change the remote folder", 1, "r", cmd_cd },
	{ "cdup", "", "change to the remote parent folder", 1, "n", cmd_cdup },
	{ "chmod", "mode remote-file", "change remote file permissions (SITE CHMOD)", 1, "nr", cmd_chmod },
	{ "close", "", "close the connection, stay in ftp", 1, "n", cmd_close },
	{ "debug", "[on|off]", "show commands sent to the server", 0, "n", cmd_toggle },
	{ "delete", "remote-file", "delete a remote file", 1, "r", cmd_delete },
	{ "dir", "[remote-path [local-file]]", "long listing of a remote folder", 1, "rl", cmd_ls },
	{ "disconnect", "", "close the connection, stay in ftp", 1, "n", cmd_close },
	{ "epsv", "[on|off]", "try EPSV before PASV in passive mode", 0, "n", cmd_toggle },
	{ "exit", "", "close the connection and exit", 0, "n", cmd_quit },
	{ "get", "remote-file [local-file]", "download a file", 1, "rl", cmd_get },
	{ "hash", "[on|off|size]", "print # for each block transferred", 0, "n", cmd_hash },
	{ "help", "[command]", "print help", 0, "c", cmd_help },
	{ "lcd", "[local-folder]", "change the local folder", 0, "l", cmd_lcd },
	{ "literal", "command [args]", "send a raw command to the server", 1, "n", cmd_quote },
	{ "lpwd", "", "print the local folder", 0, "n", cmd_lpwd },
	{ "ls", "[remote-path [local-file]]", "list a remote folder", 1, "rl", cmd_ls },
	{ "mdelete", "remote-files...", "delete remote files (wildcards allowed)", 1, "r", cmd_mdelete },
	{ "mget", "remote-files...", "download files (wildcards allowed)", 1, "r", cmd_mget },
	{ "mirror", "[-R] [-P N] remote-folder [local-folder]", "copy a folder tree down (or up with -R)", 1, "rl", cmd_mirror },
	{ "mkdir", "remote-folder", "make a remote folder", 1, "r", cmd_mkdir },
	{ "mlsd", "[remote-folder [local-file]]", "machine-readable listing (RFC 3659)", 1, "rl", cmd_ls },
	{ "modtime", "remote-file", "show the modification time of a remote file", 1, "r", cmd_modtime },
	{ "mput", "local-files...", "upload files (wildcards allowed)", 1, "l", cmd_mput },
	{ "newer", "remote-file [local-file]", "download if the remote file is newer", 1, "rl", cmd_newer },
	{ "nlist", "[remote-path [local-file]]", "list names only", 1, "rl", cmd_ls },
	{ "open", "[--tls] host [port] | URL", "connect to a server (--tls, ftps://, ftpes:// for TLS)", 0, "n", cmd_open },
	{ "passive", "[on|off]", "passive mode (default on; off = active PORT/EPRT)", 0, "n", cmd_toggle },
	{ "progress", "[on|off]", "show progress bars on a terminal", 0, "n", cmd_toggle },
	{ "prompt", "[on|off]", "ask before each file in mget/mput/mdelete", 0, "n", cmd_toggle },
	{ "put", "local-file [remote-file]", "upload a file", 1, "lr", cmd_put },
	{ "pwd", "", "print the remote folder", 1, "n", cmd_pwd },
	{ "quit", "", "close the connection and exit", 0, "n", cmd_quit },
	{ "quote", "command [args]", "send a raw command to the server", 1, "n", cmd_quote },
	{ "rate", "[get|put|all] [bytes-per-second|off]", "limit the transfer rate (K, M suffixes)", 0, "n", cmd_rate },
	{ "recv", "remote-file [local-file]", "download a file", 1, "rl", cmd_get },
	{ "reget", "remote-file [local-file]", "resume a download", 1, "rl", cmd_reget },
	{ "rename", "from to", "rename a remote file", 1, "r", cmd_rename },
	{ "reput", "local-file [remote-file]", "resume an upload", 1, "lr", cmd_reput },
	{ "rmdir", "remote-folder", "remove a remote folder", 1, "r", cmd_rmdir },
	{ "send", "local-file [remote-file]", "upload a file", 1, "lr", cmd_put },
	{ "site", "command [args]", "send a SITE command", 1, "n", cmd_site },
	{ "size", "remote-file", "show the size of a remote file", 1, "r", cmd_size },
	{ "status", "", "show the connection and settings", 0, "n", cmd_status },
	{ "system", "", "show the server's system type", 1, "n", cmd_system },
	{ "type", "[ascii|binary|image]", "show or set the transfer type", 0, "n", cmd_type },
	{ "user", "name [password [account]]", "log in", 1, "n", cmd_user },
	{ "verbose", "[on|off]", "show server replies", 0, "n", cmd_toggle },
	{ "verify", "[on|off]", "check each binary transfer with the server's HASH (default on)", 0, "n", cmd_toggle },
};

const size_t cmdtab_len = sizeof cmdtab / sizeof cmdtab[0];

const struct cmd *
cmd_lookup(const char *name, int *ambiguous)
{
	const struct cmd *found = NULL;
	size_t n = strlen(name);
	int hits = 0;

	*ambiguous = 0;
	if (n == 0)
		return NULL;
	for (size_t i = 0; i < cmdtab_len; i++) {
		if (strcmp(cmdtab[i].name, name) == 0)
			return &cmdtab[i];
		if (strncmp(cmdtab[i].name, name, n) == 0) {
			/* aliases of one handler do not make a prefix
			 * ambiguous ("qu" -> quit/quote are different) */
			if (found == NULL || found->fn != cmdtab[i].fn ||
			    found->fn == cmd_toggle)
				hits++;
			if (!found)
				found = &cmdtab[i];
		}
	}
	if (hits > 1) {
		*ambiguous = 1;
		return NULL;
	}
	return found;
}

int
cmd_usage(const char *name)
{
	int amb;
	const struct cmd *c = cmd_lookup(name, &amb);

	if (c)
		fprintf(stderr, "usage: %s%s%s\n", c->name,
			c->usage[0] ? " " : "", c->usage);
	return ST_USAGE;
}
