/* localfs.h: creating local files from names the server chose (mget,
 * mirror, auto-fetch).  SECURITY: such a name never leaves the target
 * folder (no absolute path, no "..", no symlink followed on the way) and
 * never writes into a pipe, FIFO or device: only regular files. */
#ifndef FTP_LOCALFS_H
#define FTP_LOCALFS_H

#include <sys/stat.h>
#include <time.h>

/* 1 if name may be created under a target folder: not empty, relative, no
 * "." / ".." / empty components, no control bytes, no leading '|'.
 * With allow_dirs == 0 it must also be a single component. */
int localfs_name_ok(const char *name, int allow_dirs);
/* Last component of a remote path ("a/b/c" -> "c", "dir/" -> "dir"),
 * copied into out; "" if none fits. */
void localfs_basename(const char *path, char *out, size_t outlen);

/* Opens rel (relative, checked with localfs_name_ok) under dirfd for
 * writing: created with mode 0666 & ~umask, truncated unless resume
 * (then positioned at its end).  Refuses symlinks anywhere in rel and
 * anything but a regular file (errno EINVAL when the name is unsafe,
 * EISDIR/ENXIO-like cases become EINVAL too).  Returns fd or -1. */
int localfs_create(int dirfd, const char *rel, int resume);
/* Creates each folder of rel (itself included) under dirfd, refusing
 * symlinks.  0 or -1. */
int localfs_mkdirs(int dirfd, const char *rel);
/* lstat-like for rel under dirfd without following symlinks.  0 or -1. */
int localfs_stat(int dirfd, const char *rel, struct stat *st);
/* Sets the modification time of an open file (access time = now). */
int localfs_set_mtime(int fd, time_t mtime);

#endif
