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

#endif
