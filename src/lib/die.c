/* die.c: "crm-lead: message" on stderr, and the exit statuses. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "die.h"

const char *crm_progname = "crm";
static void (*atdie_fn)(void);

void
crm_set_progname(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');

	crm_progname = slash ? slash + 1 : argv0;
}

void
crm_atdie(void (*fn)(void))
{
	atdie_fn = fn;
}

void
crm_vwarn(const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "%s: ", crm_progname);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
crm_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	crm_vwarn(fmt, ap);
	va_end(ap);
}

static void __attribute__((noreturn))
vdie(int status, const char *suffix, const char *fmt, va_list ap)
{
	static int dying;

	if (!dying++ && atdie_fn)
		atdie_fn();
	fflush(stdout);
	fprintf(stderr, "%s: ", crm_progname);
	vfprintf(stderr, fmt, ap);
	if (suffix)
		fprintf(stderr, ": %s", suffix);
	fputc('\n', stderr);
	exit(status);
}

void
crm_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdie(CRM_EXIT_FAIL, NULL, fmt, ap);
}

void
crm_die_errno(const char *fmt, ...)
{
	va_list ap;
	const char *e = strerror(errno);

	va_start(ap, fmt);
	vdie(CRM_EXIT_FAIL, e, fmt, ap);
}

void
crm_die_busy(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdie(CRM_EXIT_BUSY, NULL, fmt, ap);
}

void
crm_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fflush(stdout);
	fprintf(stderr, "%s: ", crm_progname);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", crm_progname);
	va_end(ap);
	exit(CRM_EXIT_USAGE);
}
