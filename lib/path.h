/* path.h: virtual paths and confinement beneath a root directory.
 *
 * A virtual path is what the client sees: absolute, '/'-separated, no
 * "." or ".." components, no empty components, "/" for the root.
 * All opens happen relative to a root directory descriptor through
 * openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), so neither "..",
 * absolute names nor symlinks can leave the root. */
#ifndef FTPKIT_PATH_H
#define FTPKIT_PATH_H

#include <stddef.h>
#include <sys/types.h>
#include "buf.h"

#define PATH_MAX_VIRTUAL 4096

/* Joins arg to cwd (arg absolute -> cwd ignored; "~" or "~/x" -> relative to
 * "/") and normalizes lexically (".." above "/" stays at "/").  Writes the
 * virtual path into out.  Returns 0, or -1 if arg contains NUL/CR/LF or
 * the result exceeds PATH_MAX_VIRTUAL. */
int path_resolve(const char *cwd, const char *arg, struct buf *out);
/* Last component of a virtual path ("/" for the root). */
const char *path_basename(const char *vpath);
/* Returns 1 if name is usable as a single directory entry name: not
 * empty, not "." or "..", no '/', no control bytes.  Else 0. */
int path_is_plain_name(const char *name);

/* openat2 beneath rootfd.  vpath must come from path_resolve.  flags are
 * open(2) flags (O_CLOEXEC is always added); retries on EAGAIN.  Returns
 * fd or -1 with errno. */
int path_open(int rootfd, const char *vpath, int flags, mode_t mode);
/* Opens the parent folder of vpath (confined, O_DIRECTORY|O_PATH not used,
 * so *at() calls work) and copies the final component into name
 * (size namelen).  For "/" fails with EINVAL.  Returns dirfd or -1. */
int path_open_parent(int rootfd, const char *vpath, char *name, size_t namelen);

#endif
