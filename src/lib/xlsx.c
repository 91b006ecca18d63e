/* xlsx.c: streaming XLSX workbooks (libxlsxwriter, constant memory). */
#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "die.h"
#include "io.h"
#include "map.h"
#include "norm.h"
#include "str.h"
#include "xlcell.h"
#include "xlsx.h"

/*
** libxlsxwriter in constant_memory mode keeps one row per worksheet in
** memory and writes each row to the worksheet's own temporary file when
** the next row starts, so rows must come in order within a sheet (they
** do: each sheet has its own row counter) and every sheet holds one
** open file until the workbook is closed.  Strings are written inline,
** not to the shared string table.  Column widths, the autofilter and the
** frozen pane are kept in the worksheet and written at workbook_close(),
** so they can be set after the rows.
*/

struct sheet {
	lxw_worksheet *ws;
	char *name;
	char *key;		/* the --sheet-by value, for continuations */
	lxw_row_t rows;		/* rows written, the header included */
	int *width;		/* widest cell of each column so far */
	int next;		/* the sheet it continues on when full, or 0 */
};

struct xlsx {
	lxw_workbook *wb;
	lxw_format *bold, *date, *datetime;
	char *path, *tmp;	/* PATH as given; the temporary file */
	char *defname;		/* the one sheet's name */
	size_t ncol;
	char **names;
	struct sheet *sheets;
	size_t nsheet, cap;
	struct strmap bykey;	/* --sheet-by value -> sheet index */
	struct strmap taken;	/* lower-cased names in use */
	struct strbuf buf;	/* a cell's text, escaped or cut */
};

/* The temporary workbook, removed on exit or signal until it is in place. */
static char *pending;

static void
remove_pending(void)
{
	if (pending != NULL)
		unlink(pending);
}

static void
on_signal(int sig)
{
	remove_pending();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Length in bytes of the UTF-8 sequence starting with byte C (1 if invalid). */
static size_t
u8len(unsigned char c)
{
	return c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

void
xlsx_sheet_name(const char *value, char *out, size_t outsize)
{
	const char *s = value ? value : "", *e;
	size_t n = 0, units = 0, len;

	while (*s == ' ' || *s == '\'')
		s++;
	for (e = s + strlen(s); e > s && (e[-1] == ' ' || e[-1] == '\''); e--)
		;
	while (s < e && units < XLSX_SHEET_MAX) {
		unsigned char c = (unsigned char)*s;

		len = u8len(c);
		if ((size_t)(e - s) < len)
			len = 1;
		if (len == 4 && units + 2 > XLSX_SHEET_MAX)
			break;		/* a surrogate pair would not fit */
		if (n + len + 1 > outsize)
			break;
		if (c < 0x20 || c == 0x7F || strchr("[]:*?/\\", c) != NULL)
			out[n++] = '_';
		else {
			memcpy(out + n, s, len);
			n += len;
		}
		units += len == 4 ? 2 : 1;
		s += len;
	}
	/* Cutting may have left blanks or an apostrophe at the end. */
	while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\''))
		n--;
	out[n] = '\0';
	if (n == 0)
		snprintf(out, outsize, "(blank)");
}

/* NAME in ASCII lower case (Excel compares sheet names case-blind), in BUF. */
static const char *
fold(const char *name, char *buf, size_t size)
{
	size_t i;

	for (i = 0; name[i] != '\0' && i + 1 < size; i++)
		buf[i] = (name[i] >= 'A' && name[i] <= 'Z') ? name[i] + 32 :
		    name[i];
	buf[i] = '\0';
	return buf;
}

/*
** Cut NAME (valid, as from xlsx_sheet_name) so that SUFFIX fits within
** XLSX_SHEET_MAX units, and append it, in OUT.
*/
static void
with_suffix(const char *name, const char *suffix, char *out, size_t size)
{
	size_t n = 0, units = 0, max = XLSX_SHEET_MAX - strlen(suffix);

	while (name[n] != '\0') {
		size_t len = u8len((unsigned char)name[n]);
		size_t w = len == 4 ? 2 : 1;

		if (units + w > max)
			break;
		units += w;
		n += len;
	}
	snprintf(out, size, "%.*s%s", (int)n, name, suffix);
}

/* Add a sheet named after BASE (made unique) for KEY; returns its index. */
static int
add_sheet(struct xlsx *x, const char *base, const char *key)
{
	char name[4 * XLSX_SHEET_MAX + 16], suffix[24], folded[sizeof name];
	struct sheet *sh;

	snprintf(name, sizeof name, "%s", base);
	for (int k = 2; map_get(&x->taken, fold(name, folded,
	    sizeof folded)) != -1; k++) {
		snprintf(suffix, sizeof suffix, "~%d", k);
		with_suffix(base, suffix, name, sizeof name);
	}
	map_put(&x->taken, folded, 1);
	if (x->nsheet == x->cap) {
		x->cap = x->cap ? 2 * x->cap : 8;
		x->sheets = xrealloc(x->sheets, x->cap * sizeof *x->sheets);
	}
	sh = &x->sheets[x->nsheet];
	memset(sh, 0, sizeof *sh);
	if ((sh->ws = workbook_add_worksheet(x->wb, name)) == NULL)
		crm_die("cannot add sheet '%s' to '%s': too many sheets for the"
		    " open-file limit? (each sheet holds a temporary file)", name,
		    x->path);
	sh->name = xstrdup(name);
	sh->key = key ? xstrdup(key) : NULL;
	sh->width = xcalloc(x->ncol, sizeof *sh->width);
	for (size_t i = 0; i < x->ncol; i++) {
		worksheet_write_string(sh->ws, 0, (lxw_col_t)i, x->names[i],
		    x->bold);
		sh->width[i] = utf8_width(x->names[i]) + 2;	/* filter button */
	}
	worksheet_freeze_panes(sh->ws, 1, 0);
	sh->rows = 1;
	return (int)x->nsheet++;
}

struct xlsx *
xlsx_open(const char *path, const char *sheet, size_t n,
    const char *const *names)
{
	lxw_workbook_options opt = { .constant_memory = LXW_TRUE };
	struct xlsx *x = xcalloc(1, sizeof *x);
	struct stat st;
	const char *t;
	char *copy;
	int fd;

	if (n > LXW_COL_MAX)
		crm_die("%zu columns: a sheet holds at most %d", n, LXW_COL_MAX);
	x->path = xstrdup(path);
	if (strcmp(path, "-") == 0) {
		t = getenv("TMPDIR");
		x->tmp = xasprintf("%s/crm-export-XXXXXX", t && *t ? t : "/tmp");
	} else {
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			errno = EISDIR;
			crm_die_errno("cannot write '%s'", path);
		}
		copy = xstrdup(path);
		x->tmp = xasprintf("%s/.%s.XXXXXX", dirname(copy),
		    strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
		free(copy);
	}
	if ((fd = mkstemp(x->tmp)) == -1)
		crm_die_errno("cannot write '%s'", path);
	close(fd);
	pending = x->tmp;
	atexit(remove_pending);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	if ((x->wb = workbook_new_opt(x->tmp, &opt)) == NULL)
		crm_die("cannot start workbook '%s'", path);
	x->bold = workbook_add_format(x->wb);
	format_set_bold(x->bold);
	x->date = workbook_add_format(x->wb);
	format_set_num_format(x->date, "yyyy-mm-dd");
	x->datetime = workbook_add_format(x->wb);
	format_set_num_format(x->datetime, "yyyy-mm-dd hh:mm:ss");
	x->ncol = n;
	x->names = xcalloc(n + 1, sizeof *x->names);
	for (size_t i = 0; i < n; i++)
		x->names[i] = xstrdup(names[i]);
	x->defname = xstrdup(sheet);
	sb_init(&x->buf);
	map_put(&x->taken, "history", 1);	/* Excel reserves it */
	return x;
}

/*
** Each sheet of a constant-memory workbook holds a file open: with more
** than one, let the process have as many open files as it may.
*/
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int
xlsx_sheet_for(struct xlsx *x, const char *key)
{
	char name[4 * XLSX_SHEET_MAX + 8];
	long long i;

	if (key == NULL)
		key = "";
	if ((i = map_get(&x->bykey, key)) != -1)
		return (int)i;
	if (x->bykey.n == 1)
		raise_nofile();
	xlsx_sheet_name(key, name, sizeof name);
	i = add_sheet(x, name, key);
	map_put(&x->bykey, key, i);
	return (int)i;
}

/* Return 1 if S starts with _xHHHH_, which Excel reads as an escape. */
static int
is_escape(const char *s)
{
	if (s[0] != '_' || s[1] != 'x')
		return 0;
	for (int i = 2; i < 6; i++)
		if (s[i] == '\0' || strchr("0123456789abcdefABCDEF", s[i]) == NULL)
			return 0;
	return s[6] == '_';
}

/*
** The text to write for S: as is, or in X's buffer with each literal
** _xHHHH_ escaped as _x005F_xHHHH_ (libxlsxwriter escapes control
** characters itself but not this) and cut at XLSX_CELL_MAX units with a
** warning naming WHERE and column COL.
*/
static const char *
cell_text(struct xlsx *x, const char *s, const char *where, size_t col)
{
	size_t units = 0, n;
	const char *p;
	int esc = 0;

	for (p = s; *p != '\0' && units <= XLSX_CELL_MAX; p += n) {
		n = u8len((unsigned char)*p);
		units += n == 4 ? 2 : 1;
		if (*p == '_' && is_escape(p))
			esc = 1;
		for (size_t k = 1; k < n; k++)
			if (p[k] == '\0') {
				n = k;
				break;
			}
	}
	if (!esc && units <= XLSX_CELL_MAX)
		return s;
	sb_reset(&x->buf);
	units = 0;
	for (p = s; *p != '\0'; p += n) {
		n = u8len((unsigned char)*p);
		for (size_t k = 1; k < n; k++)
			if (p[k] == '\0') {
				n = k;
				break;
			}
		if (units + (n == 4 ? 2 : 1) > XLSX_CELL_MAX) {
			crm_warn("%s: %s: text longer than %d characters, cut",
			    where, x->names[col], XLSX_CELL_MAX);
			break;
		}
		units += n == 4 ? 2 : 1;
		if (*p == '_' && is_escape(p))
			sb_adds(&x->buf, "_x005F");
		sb_add(&x->buf, p, n);
	}
	return x->buf.buf;
}

/* The display width of S: its longest line, CJK characters counting double. */
static int
text_width(const char *s)
{
	const char *nl;
	int w, max = 0;
	char *line;

	if (strchr(s, '\n') == NULL)
		return utf8_width(s);
	for (;;) {
		nl = strchr(s, '\n');
		line = nl ? xstrndup(s, (size_t)(nl - s)) : xstrdup(s);
		w = utf8_width(line);
		free(line);
		if (w > max)
			max = w;
		if (nl == NULL)
			return max;
		s = nl + 1;
	}
}

/* Parse ISO date S (xl_is_date holds) into D; 1 if it has a time. */
static int
parse_date(const char *s, lxw_datetime *d)
{
	memset(d, 0, sizeof *d);
	d->year = atoi(s);
	d->month = atoi(s + 5);
	d->day = atoi(s + 8);
	if (s[10] == '\0')
		return 0;
	d->hour = atoi(s + 11);
	d->min = atoi(s + 14);
	if (s[16] == ':')
		d->sec = atoi(s + 17);
	return 1;
}

void
xlsx_row(struct xlsx *x, int sheet, const char *const *v, const int *kinds,
    const char *where)
{
	struct sheet *sh;
	lxw_datetime dt;
	lxw_error err = LXW_NO_ERROR;
	lxw_row_t r;
	int w;

	if (x->nsheet == 0) {
		char name[4 * XLSX_SHEET_MAX + 8];

		xlsx_sheet_name(x->defname, name, sizeof name);
		add_sheet(x, name, NULL);
	}
	sh = &x->sheets[sheet];
	while (sh->next != 0)
		sh = &x->sheets[sheet = sh->next];
	if (sh->rows == LXW_ROW_MAX) {
		int k = add_sheet(x, sh->name, sh->key);

		x->sheets[sheet].next = k;
		sh = &x->sheets[k];
	}
	r = sh->rows++;
	for (size_t i = 0; i < x->ncol; i++) {
		const char *s = v[i];
		lxw_col_t c = (lxw_col_t)i;

		if (s == NULL || *s == '\0')
			continue;
		switch (kinds[i]) {
		case XL_NUMBER:
			err = worksheet_write_number(sh->ws, r, c, strtod(s, NULL),
			    NULL);
			w = (int)strlen(s);
			break;
		case XL_DATE:
			if (parse_date(s, &dt)) {
				err = worksheet_write_datetime(sh->ws, r, c, &dt,
				    x->datetime);
				w = 19;
			} else {
				err = worksheet_write_datetime(sh->ws, r, c, &dt,
				    x->date);
				w = 10;
			}
			break;
		default:
			s = cell_text(x, s, where, i);
			err = worksheet_write_string(sh->ws, r, c, s, NULL);
			w = sh->width[i] >= XLSX_WIDTH_MAX ? 0 : text_width(s);
			break;
		}
		if (err != LXW_NO_ERROR)
			crm_die("%s: %s: cannot write the cell: %s", where,
			    x->names[i], lxw_strerror(err));
		if (w > sh->width[i])
			sh->width[i] = w;
	}
}

/* Copy file PATH to standard output. */
static void
copy_out(const char *path)
{
	char buf[65536];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		crm_die_errno("cannot read back '%s'", path);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		if (fwrite(buf, 1, n, stdout) != n)
			crm_flush_or_die(stdout, "standard output");
	if (ferror(f))
		crm_die_errno("cannot read back '%s'", path);
	fclose(f);
	crm_flush_or_die(stdout, "standard output");
}

void
xlsx_close(struct xlsx *x)
{
	lxw_error err;
	mode_t mask;

	if (x->nsheet == 0) {
		char name[4 * XLSX_SHEET_MAX + 8];

		xlsx_sheet_name(x->defname, name, sizeof name);
		add_sheet(x, name, NULL);
	}
	for (size_t k = 0; k < x->nsheet; k++) {
		struct sheet *sh = &x->sheets[k];

		for (size_t i = 0; i < x->ncol; i++)
			worksheet_set_column(sh->ws, (lxw_col_t)i, (lxw_col_t)i,
			    (sh->width[i] > XLSX_WIDTH_MAX ? XLSX_WIDTH_MAX :
			    sh->width[i]) + 1, NULL);
		if (x->ncol > 0)
			worksheet_autofilter(sh->ws, 0, 0, sh->rows - 1,
			    (lxw_col_t)(x->ncol - 1));
	}
	if ((err = workbook_close(x->wb)) != LXW_NO_ERROR)
		crm_die("cannot write '%s': %s", x->path, lxw_strerror(err));
	if (strcmp(x->path, "-") == 0) {
		copy_out(x->tmp);
		unlink(x->tmp);
	} else {
		mask = umask(0);
		umask(mask);
		if (chmod(x->tmp, 0666 & ~mask) == -1 ||
		    rename(x->tmp, x->path) == -1)
			crm_die_errno("cannot write '%s'", x->path);
	}
	pending = NULL;
	for (size_t k = 0; k < x->nsheet; k++) {
		free(x->sheets[k].name);
		free(x->sheets[k].key);
		free(x->sheets[k].width);
	}
	for (size_t i = 0; i < x->ncol; i++)
		free(x->names[i]);
	free(x->names);
	free(x->sheets);
	map_free(&x->bykey);
	map_free(&x->taken);
	sb_free(&x->buf);
	free(x->defname);
	free(x->tmp);
	free(x->path);
	free(x);
}
