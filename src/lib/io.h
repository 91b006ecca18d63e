/* io.h: opening inputs, checked output, SIGPIPE, terminals and progress. */
#ifndef CRM_IO_H
#define CRM_IO_H

#include <stdio.h>

void crm_io_init(void);			/* SIGPIPE back to default */
FILE *crm_open_input(const char *path);	/* "-" is stdin; dies on failure */
/*
** Read PATH ("-": standard input) to its end into a temporary file now,
** which crm_open_input(PATH) then returns, rewound; standard input that
** is a regular file is left as it is.  Dies on a read error.
*/
void crm_spool_input(const char *path);
void crm_close_input(FILE *f);
void crm_flush_or_die(FILE *f, const char *what);
int crm_isatty(int fd);			/* true also when CRM_FORCE_TTY=1 */

/*
** Progress on stderr, only when it is a terminal and not --quiet,
** redrawn at most ten times a second.  TOTAL 0 means unknown.
*/
struct progress;
struct progress *progress_start(const char *title, unsigned long long total);
void progress_update(struct progress *p, unsigned long long done);
void progress_stop(struct progress *p);	/* NULL is fine */

#endif
