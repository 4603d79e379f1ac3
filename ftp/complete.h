/* complete.h: readline completion of command names, local paths, and
 * remote paths from a cached listing of the remote folder. */
#ifndef FTP_COMPLETE_H
#define FTP_COMPLETE_H

void complete_init(void);
/* Forgets the cached remote listing (after anything that may change the
 * remote side or the remote folder). */
void complete_invalidate(void);

#endif
