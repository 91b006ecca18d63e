/*
** A spooled row is its tag, line and field count, then each field as its
** length and bytes; UINT32_MAX is the length of NULL.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "die.h"
#include "spool.h"
#include "str.h"

struct spool {
	FILE *f;
	int reading;
	struct strbuf buf;	/* a row to write; the fields read back, each NUL-terminated */
	size_t *off;		/* where each field starts in buf, or SIZE_MAX */
	const char **v;
	size_t cap;
};

struct spool *
spool_open(void)
{
	struct spool *sp = xcalloc(1, sizeof *sp);

	if ((sp->f = tmpfile()) == NULL)
		crm_die_errno("cannot create a temporary file");
	sb_init(&sp->buf);
	return sp;
}

static void
put(struct spool *sp, const void *p, size_t n)
{
	if (fwrite(p, 1, n, sp->f) != n)
		crm_die_errno("cannot write a temporary file");
}

static void
get(struct spool *sp, void *p, size_t n)
{
	if (fread(p, 1, n, sp->f) != n)
		crm_die("cannot read back a temporary file: %s",
		    ferror(sp->f) ? "read error" : "it is truncated");
}

/* One write per row: fwrite takes a lock per call. */
void
spool_put(struct spool *sp, long long tag, unsigned long line, size_t n,
    const char *const *v)
{
	uint64_t hdr[3] = { (uint64_t)tag, line, n };

	sb_reset(&sp->buf);
	sb_add(&sp->buf, (const char *)hdr, sizeof hdr);
	for (size_t i = 0; i < n; i++) {
		uint32_t len = v[i] ? (uint32_t)strlen(v[i]) : UINT32_MAX;

		sb_add(&sp->buf, (const char *)&len, sizeof len);
		if (v[i])
			sb_add(&sp->buf, v[i], len);
	}
	put(sp, sp->buf.buf, sp->buf.len);
}

int
spool_next(struct spool *sp, long long *tag, unsigned long *line, size_t *n,
    const char *const **v)
{
	uint64_t hdr[3];
	size_t got;

	if (!sp->reading) {
		if (fflush(sp->f) == EOF || fseek(sp->f, 0, SEEK_SET) == -1)
			crm_die_errno("cannot read back a temporary file");
		sp->reading = 1;
	}
	if ((got = fread(hdr, 1, sizeof hdr, sp->f)) == 0 && feof(sp->f))
		return 0;
	if (got != sizeof hdr)
		crm_die("cannot read back a temporary file: it is truncated");
	*tag = (long long)hdr[0];
	*line = (unsigned long)hdr[1];
	*n = (size_t)hdr[2];
	if (*n > sp->cap) {
		sp->cap = *n;
		sp->off = xrealloc(sp->off, sp->cap * sizeof *sp->off);
		sp->v = xrealloc(sp->v, sp->cap * sizeof *sp->v);
	}
	sb_reset(&sp->buf);
	for (size_t i = 0; i < *n; i++) {
		uint32_t len;

		get(sp, &len, sizeof len);
		if (len == UINT32_MAX) {
			sp->off[i] = SIZE_MAX;
			continue;
		}
		sp->off[i] = sp->buf.len;
		sb_grow(&sp->buf, (size_t)len + 1);
		get(sp, sp->buf.buf + sp->buf.len, len);
		sp->buf.len += len;
		sb_addc(&sp->buf, '\0');
	}
	/* Pointers last: buf may have moved while it grew. */
	for (size_t i = 0; i < *n; i++)
		sp->v[i] = sp->off[i] == SIZE_MAX ? NULL : sp->buf.buf + sp->off[i];
	*v = sp->v;
	return 1;
}

void
spool_close(struct spool *sp)
{
	if (sp == NULL)
		return;
	fclose(sp->f);
	sb_free(&sp->buf);
	free(sp->off);
	free(sp->v);
	free(sp);
}
