/* io.c: inputs by name, write errors, terminal detection and progress. */
#include <errno.h>
#include <sys/stat.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "die.h"
#include "io.h"
#include "opt.h"
#include "str.h"

void
crm_io_init(void)
{
	signal(SIGPIPE, SIG_DFL);
}

/* Inputs read ahead by crm_spool_input(), by name. */
static struct spooled {
	char *path;
	FILE *f;
} *spooled;
static size_t nspooled;

void
crm_spool_input(const char *path)
{
	char buf[65536];
	struct stat st;
	FILE *in, *tmp;
	size_t n;
	int is_stdin = strcmp(path, "-") == 0;

	if (is_stdin && fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode))
		return;
	for (size_t i = 0; i < nspooled; i++)
		if (strcmp(spooled[i].path, path) == 0)
			return;
	if ((tmp = tmpfile()) == NULL)
		crm_die_errno("cannot create a temporary file");
	in = is_stdin ? stdin : fopen(path, "rb");
	if (in == NULL)
		crm_die_errno("cannot open '%s'", path);
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		if (fwrite(buf, 1, n, tmp) != n)
			crm_die_errno("cannot write a temporary file");
	if (ferror(in))
		crm_die_errno("cannot read '%s'", is_stdin ? "stdin" : path);
	if (!is_stdin)
		fclose(in);
	if (fflush(tmp) != 0)
		crm_die_errno("cannot write a temporary file");
	rewind(tmp);
	spooled = xrealloc(spooled, (nspooled + 1) * sizeof *spooled);
	spooled[nspooled].path = xstrdup(path);
	spooled[nspooled++].f = tmp;
}

FILE *
crm_open_input(const char *path)
{
	FILE *f;

	for (size_t i = 0; i < nspooled; i++)
		if (strcmp(spooled[i].path, path) == 0)
			return spooled[i].f;
	if (strcmp(path, "-") == 0)
		return stdin;
	if ((f = fopen(path, "rb")) == NULL)
		crm_die_errno("cannot open '%s'", path);
	return f;
}

void
crm_close_input(FILE *f)
{
	if (f == NULL || f == stdin)
		return;
	for (size_t i = 0; i < nspooled; i++)
		if (spooled[i].f == f) {
			/* read once more only if named twice: rewound, kept */
			rewind(f);
			return;
		}
	fclose(f);
}

void
crm_flush_or_die(FILE *f, const char *what)
{
	if (fflush(f) == 0 && !ferror(f))
		return;
	if (errno == EPIPE) {
		signal(SIGPIPE, SIG_DFL);
		raise(SIGPIPE);
	}
	crm_die_errno("write error on %s", what);
}

int
crm_isatty(int fd)
{
	const char *e = getenv("CRM_FORCE_TTY");

	if (e && strcmp(e, "1") == 0)
		return 1;
	return isatty(fd);
}

struct progress {
	char *title;
	unsigned long long total, done;
	struct timespec last;
	int drawn;
};

struct progress *
progress_start(const char *title, unsigned long long total)
{
	struct progress *p;

	if (crm_g.quiet || !crm_isatty(STDERR_FILENO))
		return NULL;
	p = xcalloc(1, sizeof *p);
	p->title = xstrdup(title);
	p->total = total;
	return p;
}

static void
draw(struct progress *p)
{
	if (p->total) {
		unsigned pct = (unsigned)(p->done * 100 / p->total);
		int bar = (int)(pct / 5);

		fprintf(stderr, "\r%s [%.*s%*s] %3u%%", p->title, bar,
		    "####################", 20 - bar, "", pct);
	} else
		fprintf(stderr, "\r%s %llu", p->title, p->done);
	p->drawn = 1;
}

void
progress_update(struct progress *p, unsigned long long done)
{
	struct timespec now;

	if (p == NULL)
		return;
	p->done = done;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if ((now.tv_sec - p->last.tv_sec) * 1000000000L +
	    (now.tv_nsec - p->last.tv_nsec) < 100000000L)
		return;
	p->last = now;
	draw(p);
}

void
progress_stop(struct progress *p)
{
	if (p == NULL)
		return;
	if (p->drawn) {
		if (p->total)
			p->done = p->total;
		draw(p);
		fputs(", done.\n", stderr);
	}
	free(p->title);
	free(p);
}
