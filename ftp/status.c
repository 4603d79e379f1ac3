/* status.c: mapping reply codes and errno values onto the exit table. */
#include "config.h"

#include <errno.h>

#include "status.h"

int
status_from_reply(int code)
{
	if (code < 0)
		return ST_NET;
	if (code < 400)
		return ST_OK;
	switch (code) {
	case 530: case 532: case 332:
		return ST_LOGIN;
	case 550: case 553: case 556:
		return ST_NOTFOUND;
	case 421: case 425: case 426:
		return ST_NET;
	default:
		return ST_OTHER;
	}
}

int
status_from_errno(int err)
{
	switch (err) {
	case ENOENT: case EACCES: case EPERM: case ENOTDIR: case EROFS:
	case EISDIR: case ELOOP: case EXDEV:
		return ST_NOTFOUND;
	case ETIMEDOUT: case ECONNREFUSED: case ECONNRESET: case EPIPE:
	case ENETUNREACH: case EHOSTUNREACH: case ECONNABORTED:
	case ENETDOWN: case EHOSTDOWN:
		return ST_NET;
	default:
		return ST_OTHER;
	}
}
