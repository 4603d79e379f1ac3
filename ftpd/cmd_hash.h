/* cmd_hash.h: what cmd_hash.c offers besides its verb handlers (those
 * are in cmds.h): the RANG rule the dispatcher applies, OPTS HASH, the
 * FEAT and STAT text, and a verb parser that allows digits. */
#ifndef FTPD_CMD_HASH_H
#define FTPD_CMD_HASH_H

#include <stddef.h>

struct buf;
struct cmd;
struct session;

/* Dispatcher, before every handler: a RANG range lasts until the next
 * command; HASH uses it, RETR/STOR/APPE/STOU right after it are refused
 * (replied here, returns 1).  0: run the handler. */
int hash_rang_gate(struct session *s, const struct cmd *c);
/* OPTS HASH [alg]: shows or selects the algorithm (alg may be NULL). */
void hash_opts(struct session *s, const char *alg);
/* Appends "SHA-256*;SHA-512;..." (current one starred) for FEAT. */
void hash_feat_list(const struct session *s, struct buf *b);
/* Appends the STAT lines: algorithm and cache hits/misses. */
void hash_status(const struct session *s, struct buf *b);

#endif
