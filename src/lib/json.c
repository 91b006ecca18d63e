/* json.c: JSON Lines output, shared by every record writer and crm-export. */
#include <stdlib.h>
#include <string.h>

#include "die.h"
#include "export.h"
#include "io.h"
#include "json.h"
#include "norm.h"
#include "rec.h"
#include "str.h"
#include "xlcell.h"

#define PUTC(c, f)	putc_unlocked((c), (f))
#define PUTS(s, f)	fputs_unlocked((s), (f))

struct json_writer {
	FILE *f;
	char *what;
	size_t n;
	char **keys;		/* "key": with the quotes and the colon */
	int *numeric;
};

void
json_put_str(FILE *f, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;

	PUTC('"', f);
	while (*p != '\0') {
		unsigned char u = *p;
		size_t n, k;

		if (u == '"' || u == '\\') {
			PUTC('\\', f);
			PUTC(u, f);
			p++;
			continue;
		}
		if (u < 0x20) {
			PUTC('\\', f);
			switch (u) {
			case '\n': PUTC('n', f); break;
			case '\r': PUTC('r', f); break;
			case '\t': PUTC('t', f); break;
			case '\b': PUTC('b', f); break;
			case '\f': PUTC('f', f); break;
			default:
				PUTS("u00", f);
				PUTC(hex[u >> 4], f);
				PUTC(hex[u & 15], f);
			}
			p++;
			continue;
		}
		if (u < 0x80) {
			PUTC(u, f);
			p++;
			continue;
		}
		/* A UTF-8 sequence: copied if well formed, else U+FFFD. */
		n = u >= 0xF0 && u < 0xF5 ? 4 : u >= 0xE0 && u < 0xF0 ? 3 :
		    u >= 0xC2 && u < 0xE0 ? 2 : 0;
		for (k = 1; k < n; k++)
			if ((p[k] & 0xC0) != 0x80)
				break;
		if (n == 0 || k < n || !utf8_valid((const char *)p, n)) {
			PUTS("\\ufffd", f);
			p++;
			continue;
		}
		if (n == 3 && u == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 ||
		    p[2] == 0xA9))
			PUTS(p[2] == 0xA8 ? "\\u2028" : "\\u2029", f);
		else
			fwrite_unlocked(p, 1, n, f);
		p += n;
	}
	PUTC('"', f);
}

struct json_writer *
json_open(FILE *f, const char *what, size_t n, const char *const *names,
    const int *numeric)
{
	struct json_writer *j = xcalloc(1, sizeof *j);
	struct strbuf canon = STRBUF_INIT;

	j->f = f;
	j->what = xstrdup(what);
	j->n = n;
	j->keys = xcalloc(n + 1, sizeof *j->keys);
	j->numeric = xcalloc(n + 1, sizeof *j->numeric);
	sb_init(&canon);
	for (size_t i = 0; i < n; i++) {
		char *buf = NULL;
		size_t len = 0, want = strlen(names[i]) + 1;
		FILE *m = open_memstream(&buf, &len);

		if (m == NULL)
			crm_die_errno("cannot allocate memory");
		json_put_str(m, names[i]);
		PUTC(':', m);
		if (fclose(m) != 0)
			crm_die_errno("cannot allocate memory");
		j->keys[i] = buf;
		if (numeric)
			j->numeric[i] = numeric[i];
		else {
			sb_reset(&canon);
			sb_grow(&canon, want);
			j->numeric[i] = crm_export_kind(rec_canonical(names[i],
			    canon.buf, want)) == XL_NUMBER;
		}
	}
	sb_free(&canon);
	return j;
}

void
json_row(struct json_writer *j, const char *const *v, const int *as_number)
{
	FILE *f = j->f;

	PUTC('{', f);
	for (size_t i = 0; i < j->n; i++) {
		const char *s = v[i];

		if (i)
			PUTC(',', f);
		PUTS(j->keys[i], f);
		if (s == NULL)
			PUTS("null", f);
		else if (as_number ? as_number[i] : j->numeric[i] &&
		    xl_is_plain_number(s))
			PUTS(*s == '+' ? s + 1 : s, f);
		else
			json_put_str(f, s);
	}
	PUTS("}\n", f);
	if (ferror(f))
		crm_flush_or_die(f, j->what);
}

void
json_close(struct json_writer *j)
{
	if (j == NULL)
		return;
	for (size_t i = 0; i < j->n; i++)
		free(j->keys[i]);
	free(j->keys);
	free(j->numeric);
	free(j->what);
	free(j);
}
