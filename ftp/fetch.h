/* fetch.h: auto-fetch (ftp ftp://host/path ...) and upload (ftp -u URL
 * file ...), using the same exit-code table as the command loop.
 * ftps:// URLs use implicit TLS, ftpes:// URLs (and ftp:// ones under
 * --tls) explicit TLS. */
#ifndef FTP_FETCH_H
#define FTP_FETCH_H

/* Downloads each URL into the current folder, or into outfile ("-" for
 * standard output; several URLs are concatenated).  resume continues
 * partial files.  Returns the first failure's status. */
int fetch_urls(char **urls, int n, const char *outfile, int resume);
/* Uploads files to url (a folder URL ending in '/', or one file name). */
int fetch_upload(const char *url, char **files, int n);
/* For a single URL that names a folder: connect, log in, change into it,
 * so the command loop can go on from there.  tls: an ftp:// URL gets
 * explicit TLS too.  Returns a status. */
int fetch_open_folder(const char *url, int tls);
/* 1 if the URL has no file part (ends with '/' or has no path). */
int fetch_is_folder(const char *url);

#endif
