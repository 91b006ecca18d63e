/* csv.c: RFC 4180 CSV: libcsv in strict mode to read, minimal quoting to write. */
#include <string.h>

#include "die.h"
#include "recint.h"

void
csv_put_field(FILE *f, const char *s)
{
	size_t n;

	if (s == NULL)
		return;
	n = strlen(s);
	if (n > 0 && strpbrk(s, ",\"\r\n") == NULL && s[0] != ' ' &&
	    s[n - 1] != ' ') {
		fwrite_unlocked(s, 1, n, f);
		return;
	}
	csv_put_quoted(f, s);
}

void
csv_put_quoted(FILE *f, const char *s)
{
	putc_unlocked('"', f);
	for (; *s; s++) {
		if (*s == '"')
			putc_unlocked('"', f);
		putc_unlocked(*s, f);
	}
	putc_unlocked('"', f);
}

static int
no_space(unsigned char c)
{
	(void)c;
	return 0;	/* spaces are data (RFC 4180), not padding */
}

static void
on_field(void *s, size_t n, void *ctx)
{
	rec_add_field(ctx, s, n, s == NULL);
}

static void
on_row(int c, void *ctx)
{
	struct rec_reader *r = ctx;

	if (r->nrows == r->rowcap) {
		r->rowcap = r->rowcap ? r->rowcap * 2 : 16;
		r->row_end = xrealloc(r->row_end, r->rowcap * sizeof *r->row_end);
		r->row_line = xrealloc(r->row_line, r->rowcap * sizeof *r->row_line);
		r->row_last = xrealloc(r->row_last, r->rowcap * sizeof *r->row_last);
	}
	r->row_end[r->nrows] = r->noff;
	r->row_line[r->nrows] = r->row_start;
	r->row_last[r->nrows] = r->line;
	r->nrows++;
	r->row_start = r->line + (c == '\n' || c == '\r' ? 1 : 0);
}

void
csv_reader_init(struct rec_reader *r)
{
	if (csv_init(&r->csvp, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL |
	    CSV_EMPTY_IS_NULL) != 0)
		crm_die("out of memory");
	csv_set_space_func(&r->csvp, no_space);
	r->row_start = 1;
}

void
csv_reader_free(struct rec_reader *r)
{
	csv_free(&r->csvp);
}

static void __attribute__((noreturn))
csv_fail(struct rec_reader *r, int fini)
{
	/* a quote opened lines before is where to look, not only here */
	if (csv_error(&r->csvp) == CSV_EPARSE && fini)
		crm_die("%s:%lu: unterminated \"-quoted field", r->name,
		    r->row_start);
	if (csv_error(&r->csvp) == CSV_EPARSE && r->row_start != r->line)
		crm_die("%s:%lu: malformed quoting in the record begun on line"
		    " %lu (a quote opened there and closed here?)", r->name,
		    r->line, r->row_start);
	if (csv_error(&r->csvp) == CSV_EPARSE)
		crm_die("%s:%lu: malformed quoting (a quote inside an unquoted"
		    " field, or text after a closing quote)", r->name, r->line);
	crm_die("%s:%lu: %s", r->name, r->line, csv_strerror(csv_error(&r->csvp)));
}

/* Drop rows already handed out, keeping a row still being parsed. */
static void
csv_compact(struct rec_reader *r)
{
	size_t base = r->row_end[r->nrows - 1], i;
	long dstart = (long)r->data.len;

	for (i = base; i < r->noff; i++)
		if (r->off[i] >= 0) {
			dstart = r->off[i];
			break;
		}
	memmove(r->data.buf, r->data.buf + dstart, r->data.len - (size_t)dstart);
	r->data.len -= (size_t)dstart;
	for (i = base; i < r->noff; i++)
		r->off[i - base] = r->off[i] >= 0 ? r->off[i] - dstart : -1;
	r->noff -= base;
	r->nrows = r->rowhead = 0;
}

/*
** A line that ends in a line end and has no quote, and no CR or LF but
** at its end, is split at its commas here, as libcsv splits it (an empty
** field is NULL, a blank line no row), only faster: most lines of most
** files are such lines.  0 for any other line: libcsv parses it.
*/
static int
plain_line(struct rec_reader *r, const char *p, size_t n)
{
	const char *end = p + n - 1, *comma;	/* the line end */

	if (end > p && end[-1] == '\r')
		end--;
	if (memchr(p, '"', (size_t)(end - p)) || memchr(p, '\r', (size_t)(end - p)) ||
	    memchr(p, '\n', (size_t)(end - p)))
		return 0;
	if (end == p)
		return 1;
	for (;;) {
		comma = memchr(p, ',', (size_t)(end - p));
		rec_add_field(r, p, (size_t)((comma ? comma : end) - p),
		    (comma ? comma : end) == p);
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	on_row('\n', r);
	return 1;
}

struct rec *
csv_next(struct rec_reader *r)
{
	while (r->rowhead == r->nrows) {
		char *start, *nl;
		size_t avail, n;

		if (r->nrows)
			csv_compact(r);
		if (r->csv_err)		/* csv_fini was called */
			return NULL;
		start = r->dec.buf + r->decpos;
		avail = r->dec.len - r->decpos;
		nl = memchr(start, r->eol, avail);
		if (nl == NULL && !(r->eof && r->rawlen == 0)) {
			dec_fill(r);
			continue;
		}
		n = nl ? (size_t)(nl - start) + 1 : avail;
		if (n > 0) {
			r->line++;
			if (r->csvp.pstate == 0)	/* ROW_NOT_BEGUN: blank lines */
				r->row_start = r->line;	/* carry no row */
			if (!(nl && r->csvp.pstate == 0 && plain_line(r, start, n)) &&
			    csv_parse(&r->csvp, start, n, on_field, on_row, r) != n)
				csv_fail(r, 0);
			r->decpos += n;
		}
		if (nl == NULL) {
			if (csv_fini(&r->csvp, on_field, on_row, r) != 0)
				csv_fail(r, 1);
			r->csv_err = 1;
		}
	}
	r->rowhead++;
	return rec_build(r, r->rowhead > 1 ? r->row_end[r->rowhead - 2] : 0,
	    r->row_end[r->rowhead - 1], r->row_line[r->rowhead - 1],
	    r->row_last[r->rowhead - 1]);
}
