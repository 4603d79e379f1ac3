/* manifest.h: manifest batches (ftp --manifest FILE URL): a list of
 * transfers run against one folder URL, one JSON object per item in a
 * results file, and a journal beside the manifest so that running the same
 * command again after a crash or Ctrl-C finishes only what is left.
 *
 * A line: get|put TAB remote TAB local [TAB size [TAB sha256]]; empty
 * lines and lines starting with '#' are skipped.  In names, \t \n \r and
 * \\ stand for a tab, a newline, a carriage return and a backslash. */
#ifndef FTP_MANIFEST_H
#define FTP_MANIFEST_H

/* Undoes the escapes in s in place.  0, or -1 for an unknown escape or a
 * trailing backslash. */
int manifest_unescape(char *s);
/* Checks the whole manifest, connects to url (a folder) and runs what the
 * journal does not list as done, over up to parallel connections.
 * results NULL: FILE.results.  Returns the first failure's status. */
int manifest_run(const char *file, const char *results, const char *url,
		 int parallel);

#endif
