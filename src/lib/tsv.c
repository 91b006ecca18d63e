/* tsv.c: the TSV dialect of crm-tsv(5): \\ \t \n \r escapes; NULL is written empty, \N read as NULL. */
#include <string.h>

#include "die.h"
#include "recint.h"

void
tsv_put_field(FILE *f, const char *s)
{
	if (s == NULL)
		return;		/* no value: an empty field, as awk and cut see it */
	for (; *s; s++)
		switch (*s) {
		case '\\': fputs_unlocked("\\\\", f); break;
		case '\t': fputs_unlocked("\\t", f); break;
		case '\n': fputs_unlocked("\\n", f); break;
		case '\r': fputs_unlocked("\\r", f); break;
		default: putc_unlocked(*s, f);
		}
}

/* Unescape LINE[0..n) into fields. */
static void
split_line(struct rec_reader *r, const char *p, size_t n)
{
	const char *end = p + n;

	for (;;) {
		const char *tab = memchr(p, '\t', (size_t)(end - p));
		const char *fe = tab ? tab : end;

		if (fe - p == 2 && p[0] == '\\' && p[1] == 'N')
			rec_add_field(r, NULL, 0, 1);
		else if (memchr(p, '\\', (size_t)(fe - p)) == NULL)
			rec_add_field(r, p, (size_t)(fe - p), 0);
		else {
			sb_reset(&r->tmp);
			for (const char *q = p; q < fe; q++) {
				char c = *q;

				if (c == '\\' && q + 1 < fe) {
					switch (*++q) {
					case 't': c = '\t'; break;
					case 'n': c = '\n'; break;
					case 'r': c = '\r'; break;
					case '\\': c = '\\'; break;
					default: q--;	/* unknown escape: kept as is */
					}
				}
				sb_addc(&r->tmp, c);
			}
			rec_add_field(r, r->tmp.buf, r->tmp.len, 0);
		}
		if (tab == NULL)
			break;
		p = tab + 1;
	}
}

struct rec *
tsv_next(struct rec_reader *r)
{
	for (;;) {
		char *start = r->dec.buf + r->decpos;
		size_t avail = r->dec.len - r->decpos, n;
		char *nl = memchr(start, r->eol, avail);

		if (nl == NULL && !(r->eof && r->rawlen == 0)) {
			dec_fill(r);
			continue;
		}
		if (nl == NULL && avail == 0)
			return NULL;
		n = nl ? (size_t)(nl - start) : avail;
		r->line++;
		if (n > 0 && start[n - 1] == '\r' && r->eol == '\n')
			n--;
		r->decpos += (nl ? (size_t)(nl - start) + 1 : avail);
		if (n == 0 && r->nin != 1)
			continue;	/* blank lines carry no record */
		r->data.len = 0;
		r->noff = 0;
		split_line(r, start, n);
		return rec_build(r, 0, r->noff, r->line, r->line);
	}
}
