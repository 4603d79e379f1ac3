/* vfs.h: the session's view of its file tree: resolving client paths
 * (lib/path.h does the confinement), names reserved for in-progress
 * uploads, the anonymous upload area, error replies and .message files. */
#ifndef FTPD_VFS_H
#define FTPD_VFS_H

#include "buf.h"

struct session;

/* Hidden names of uploads in progress; never listed, never addressable. */
#define UPLOAD_TMP_PREFIX ".ftpd-upload."
#define MESSAGE_MAX 4096	/* bytes of a .message file shown */

/* Resolves a client path against the cwd into out.  On failure replies
 * (501 bad path, 550 reserved name) and returns -1. */
int vfs_resolve(struct session *s, const char *arg, struct buf *out);
/* 1 if name starts with UPLOAD_TMP_PREFIX. */
int vfs_is_temp_name(const char *name);
/* 1 if any component of vpath is a temporary upload name. */
int vfs_has_temp_component(const char *vpath);
/* 1 if vpath lies strictly inside the folder up ("/incoming/x" is inside
 * "/incoming"; "/incoming" is not).  up "/" contains everything but "/". */
int vfs_path_inside(const char *up, const char *vpath);
/* Anonymous writes are allowed only inside anon_upload_dir: replies
 * `code` and returns -1 otherwise.  Other users pass (the dispatcher
 * already handled read-only accounts). */
int vfs_check_write(struct session *s, const char *vpath, int code);
/* Replies "<code> <vpath>: <strerror(err)>". */
void vfs_reply_errno(struct session *s, int code, const char *vpath, int err);
/* Appends the message file of folder dir_vpath (if any) to out, one
 * '\n'-terminated line per line, control bytes removed. */
void vfs_message(struct session *s, const char *dir_vpath, struct buf *out);

#endif
