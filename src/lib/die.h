/* die.h: error messages and the exit funnel shared by every crm program. */
#ifndef CRM_DIE_H
#define CRM_DIE_H

#include <stdarg.h>

/* Exit statuses, documented once in crm(7). */
enum {
	CRM_EXIT_OK = 0,
	CRM_EXIT_FAIL = 1,	/* bad data, refused by a rule, not found */
	CRM_EXIT_USAGE = 2,	/* bad options or operands */
	CRM_EXIT_BUSY = 3	/* database busy after waiting: safe to retry */
};

extern const char *crm_progname;

void crm_set_progname(const char *argv0);
void crm_die(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));
void crm_die_errno(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));
void crm_die_busy(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));
void crm_usage_error(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));
void crm_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void crm_vwarn(const char *fmt, va_list ap);

/* Called by crm_die() before exiting; db.c uses it to roll back. */
void crm_atdie(void (*fn)(void));

/*
** For a thread besides the main one, which must neither exit (the main
** thread may be in the middle of a write) nor print out of turn: from
** now on crm_warn(), crm_die() and the rest, called in the calling
** thread, give FN the message (as it would be printed, without the
** program's name) and STATUS, 0 for a warning, else the exit status;
** for a status FN must not return (pthread_exit()).  The main thread
** then says it or dies of it.  Other threads are not affected.
*/
void crm_die_catch(void (*fn)(int status, const char *msg, void *ctx),
    void *ctx);

#endif
