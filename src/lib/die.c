/* die.c: "crm-lead: message" on stderr, and the exit statuses. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "die.h"

const char *crm_progname = "crm";
static void (*atdie_fn)(void);
static _Thread_local void (*catch_fn)(int, const char *, void *);
static _Thread_local void *catch_ctx;

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
crm_die_catch(void (*fn)(int status, const char *msg, void *ctx), void *ctx)
{
	catch_fn = fn;
	catch_ctx = ctx;
}

/* Give the message to this thread's catcher (see crm_die_catch). */
static void
caught(int status, const char *suffix, const char *fmt, va_list ap)
{
	char msg[2048];
	int n = vsnprintf(msg, sizeof msg, fmt, ap);

	if (suffix && n >= 0 && (size_t)n < sizeof msg)
		snprintf(msg + n, sizeof msg - (size_t)n, ": %s", suffix);
	catch_fn(status, msg, catch_ctx);
	if (status != 0)
		abort();	/* a catcher that returned from a death */
}

void
crm_vwarn(const char *fmt, va_list ap)
{
	if (catch_fn) {
		caught(0, NULL, fmt, ap);
		return;
	}
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

	if (catch_fn)
		caught(status, suffix, fmt, ap);
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
	if (catch_fn)
		caught(CRM_EXIT_USAGE, NULL, fmt, ap);
	fflush(stdout);
	fprintf(stderr, "%s: ", crm_progname);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", crm_progname);
	va_end(ap);
	exit(CRM_EXIT_USAGE);
}
