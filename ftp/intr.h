/* intr.h: Ctrl-C handling.  The SIGINT handler only sets a flag and writes
 * one byte to a self-pipe; code that waits (poll on a socket, a transfer)
 * watches the pipe's read end and acts at a safe point. */
#ifndef FTP_INTR_H
#define FTP_INTR_H

/* Installs the handler and creates the pipe.  Called again in a forked
 * worker, it makes a fresh pipe so siblings do not share interrupts. */
void intr_init(void);
int intr_fd(void);		/* read end of the self-pipe, -1 before init */
int intr_pending(void);		/* Ctrl-C seen since the last intr_clear */
void intr_clear(void);		/* forget pending interrupts, drain the pipe */
/* Waits until fd has events or Ctrl-C.  Returns revents (>0), 0 on
 * timeout, -2 when interrupted, -1 on error. */
int intr_poll(int fd, short events, int timeout_ms);

#endif
