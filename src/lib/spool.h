/*
** spool.h: rows parked in a temporary file and read back in the order
** they were put, so a command can decide about each row later without
** holding them in memory.  Each row carries a tag and a line number.
*/
#ifndef CRM_SPOOL_H
#define CRM_SPOOL_H

#include <stddef.h>

struct spool;

struct spool *spool_open(void);		/* dies when no temporary file */
void spool_put(struct spool *sp, long long tag, unsigned long line,
    size_t n, const char *const *v);	/* v[i] may be NULL */
/*
** After the last put, each call gives the next row, in order; 0 at the
** end.  *V points into SP until the next call.
*/
int spool_next(struct spool *sp, long long *tag, unsigned long *line,
    size_t *n, const char *const **v);
void spool_close(struct spool *sp);

#endif
