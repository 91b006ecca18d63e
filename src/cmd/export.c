/* crm-export: records or tables to Excel-safe CSV, XLSX or JSON Lines. */
#include <errno.h>
#include <iconv.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "../crm.h"
#include "../lib/json.h"
#include "../lib/xlsx.h"

enum {
	OPT_FIRST_ = 0,
#define OPT(id, s, l, a, m, c, h) OPT_##id,
#include "export.opts"
#undef OPT
};

static const struct crm_opt export_options[] = {
#define OPT(id, s, l, a, m, c, h) { OPT_##id, s, l, a, m, c, h },
#include "export.opts"
#include "../lib/common.opts"
#undef OPT
	{ 0, 0, NULL, ARG_NONE, NULL, NULL, NULL }
};

static const char *const export_usage[] = {
	"[-q] [--csv] [--raw | --plain] [--encoding ENC] [--number COL] [--date COL] [--text COL] [--query NAME | INPUT]",
	"--xlsx FILE [--sheet-by FIELD] [-q] [--csv] [--number COL] [--date COL] [--text COL] [--query NAME | INPUT]",
	"--json [-q] [--csv] [--number COL] [--text COL] [--query NAME | INPUT]",
	NULL
};

const struct crm_prog crm_prog = {
	"crm-export", "export records for Excel: safe CSV, XLSX, JSON Lines",
	export_usage, export_options
};

enum out_mode { OUT_EXCEL, OUT_PLAIN, OUT_XLSX, OUT_JSON };

#define PUTC(c, f)	putc_unlocked((c), (f))
#define PUTS(s, f)	fputs_unlocked((s), (f))

struct args {
	const char *query, *xlsx, *sheet_by, *encoding;
	struct strvec number, date, text;
	int plain, raw;
};

/* The state of one export: the columns, the writer, the counts. */
struct export {
	struct args *a;
	enum out_mode mode;
	const char *source;	/* "stdin", a file name, or "query customers" */
	int from_query;
	unsigned long line;	/* input line of the current record */

	size_t ncol;
	char **names;		/* header cells as they are written */
	int *kind;		/* declared: XL_TEXT, XL_NUMBER or XL_DATE */
	int *eff;		/* this row's, after checking the values */
	unsigned char *warned;	/* a kind warning was given for the column */
	int sheet_col;		/* --sheet-by column, or -1 */

	FILE *out;		/* stdout, or mem when re-encoding */
	FILE *mem;
	char *membuf;
	size_t memsize;
	iconv_t cd;		/* (iconv_t)-1 for UTF-8 */
	const char *enc;

	struct rec_writer *w;	/* --plain, which applies -o itself */
	struct xlsx *xl;	/* --xlsx */
	struct json_writer *jw;	/* --json */
	size_t *pick, npick;	/* -o: the input columns written, by index */
	const char **picked;	/* a row's values in -o order */

	unsigned long long nrow;
	struct progress *prog;
	struct rec_reader *r;
};

static void
on_opt(int id, const char *arg, void *ctx)
{
	struct args *a = ctx;

	switch (id) {
	case OPT_QUERY: a->query = arg; break;
	case OPT_XLSX: a->xlsx = arg; break;
	case OPT_SHEET_BY: a->sheet_by = arg; break;
	case OPT_PLAIN: a->plain = 1; break;
	case OPT_RAW: a->raw = 1; break;
	case OPT_ENCODING: a->encoding = arg; break;
	case OPT_NUMBER: sv_push(&a->number, arg); break;
	case OPT_DATE: sv_push(&a->date, arg); break;
	case OPT_TEXT: sv_push(&a->text, arg); break;
	}
}

/* "stdin:12" or "query customers, row 12": where the current record is. */
static const char *
where(struct export *x)
{
	static char buf[300];

	if (x->from_query)
		snprintf(buf, sizeof buf, "%s, row %llu", x->source, x->nrow);
	else
		snprintf(buf, sizeof buf, "%s:%lu", x->source, x->line);
	return buf;
}

/*
** The index of the column COL names: its header cell as written, or the
** same canonical name (rec_canonical: "手机" is "phone").  CANON holds
** the canonical names.  A column that is not there is a usage error.
*/
static size_t
find_col(struct export *x, const char *const *canon, const char *opt,
    const char *col)
{
	char buf[256];
	const char *want;

	for (size_t i = 0; i < x->ncol; i++)
		if (strcmp(x->names[i], col) == 0)
			return i;
	want = rec_canonical(col, buf, sizeof buf);
	for (size_t i = 0; i < x->ncol; i++)
		if (strcmp(canon[i], want) == 0)
			return i;
	crm_usage_error("--%s: no column '%s'", opt, col);
}

/*
** Set the kind of the columns named in SV (by option OPT) to KIND.  SET
** marks the columns declared so far: one given two kinds is an error.
*/
static void
declare(struct export *x, const char *const *canon, const char *opt,
    const struct strvec *sv, int kind, unsigned char *set)
{
	static const char *const optname[] = { "text", "number", "date" };

	for (size_t k = 0; k < sv->n; k++) {
		size_t i = find_col(x, canon, opt, sv->v[k]);

		if (set[i] && x->kind[i] != kind)
			crm_usage_error("column '%s' given as --%s and --%s",
			    x->names[i], optname[x->kind[i]], opt);
		set[i] = 1;
		x->kind[i] = kind;
	}
}

/* Start the output once the columns are known; the header row for CSV. */
static void
start_output(struct export *x)
{
	struct rlimit rl;

	switch (x->mode) {
	case OUT_EXCEL:
		if (x->cd == (iconv_t)-1)
			PUTS(XL_BOM, x->out);
		for (size_t i = 0; i < x->ncol; i++) {
			if (i)
				PUTC(',', x->out);
			if (x->a->raw && i == 0 && strncmp(x->names[0], "ID", 2) == 0)
				xl_csv_put_cell(x->out, x->names[0], XL_TEXT);
			else
				xl_csv_put_cell(x->out, x->names[i],
				    x->a->raw ? XL_RAW : XL_TEXT);
		}
		PUTS(XL_EOL, x->out);
		break;
	case OUT_PLAIN:
		x->w = recw_open_via(x->out, 1);
		recw_header(x->w, x->ncol, (const char *const *)x->names);
		break;
	case OUT_JSON:
		x->jw = json_open(x->out, "standard output", x->ncol,
		    (const char *const *)x->names, NULL);
		break;
	case OUT_XLSX:
		/* Each sheet of a constant-memory workbook holds a file open. */
		if (x->a->sheet_by && getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
		    rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
		x->xl = xlsx_open(x->a->xlsx, x->from_query ? x->a->query :
		    "Sheet1", x->ncol, (const char *const *)x->names);
		break;
	}
}

/*
** The columns: NAMES as written, CANON their canonical names (for
** known kinds and for finding --number and the like).  Sets the kinds,
** finds --sheet-by and starts the output.
*/
static void
setup(struct export *x, size_t n, const char *const *names,
    const char *const *canon)
{
	const char **pnames = NULL, **pcanon = NULL;
	unsigned char *set;

	if (crm_g.columns != NULL && x->mode != OUT_PLAIN) {
		x->npick = rec_pick_columns(n, names, &x->pick);
		x->picked = xcalloc(x->npick + 1, sizeof *x->picked);
		pnames = xcalloc(x->npick + 1, sizeof *pnames);
		pcanon = xcalloc(x->npick + 1, sizeof *pcanon);
		for (size_t k = 0; k < x->npick; k++) {
			pnames[k] = names[x->pick[k]];
			pcanon[k] = canon[x->pick[k]];
		}
		n = x->npick;
		names = pnames;
		canon = pcanon;
	}
	x->ncol = n;
	x->names = xcalloc(n + 1, sizeof *x->names);
	x->kind = xcalloc(n + 1, sizeof *x->kind);
	x->eff = xcalloc(n + 1, sizeof *x->eff);
	x->warned = xcalloc(n + 1, 1);
	set = xcalloc(n + 1, 1);
	for (size_t i = 0; i < n; i++) {
		x->names[i] = xstrdup(names[i]);
		x->kind[i] = crm_export_kind(canon[i]);
	}
	declare(x, canon, "text", &x->a->text, XL_TEXT, set);
	declare(x, canon, "number", &x->a->number, XL_NUMBER, set);
	declare(x, canon, "date", &x->a->date, XL_DATE, set);
	free(set);
	x->sheet_col = x->a->sheet_by ? (int)find_col(x, canon, "sheet-by",
	    x->a->sheet_by) : -1;
	start_output(x);
	free(pnames);
	free(pcanon);
}

/* on_header for crm_export_query(): the query's names are canonical. */
static void
on_query_header(size_t n, const char *const *names, void *ctx)
{
	setup(ctx, n, names, names);
}

/*
** How to write value S of column I: its declared kind when S is such a
** value, else text, with a warning the first time in the column.
*/
static int
cell_kind(struct export *x, size_t i, const char *s)
{
	int k = x->kind[i];

	if (k == XL_TEXT || s == NULL || *s == '\0')
		return XL_TEXT;
	if (k == XL_NUMBER ? xl_is_plain_number(s) : xl_is_date(s))
		return k;
	if (!x->warned[i] && !crm_g.quiet)
		crm_warn("%s: %s: '%.60s' is not a %s; written as text (the"
		    " first such value of a column is reported)", where(x),
		    x->names[i], s, k == XL_NUMBER ?
		    "plain number of at most 15 digits" :
		    "date YYYY-MM-DD[ HH:MM[:SS]]");
	x->warned[i] = 1;
	return XL_TEXT;
}

/*
** Re-encode the row held in x->mem into x->enc on standard output.  A
** character the encoding lacks stops the export.
*/
static void
put_encoded(struct export *x)
{
	char obuf[16384], *in, *o;
	size_t inleft, outleft;
	off_t len;

	if (fflush(x->mem) != 0 || (len = ftello(x->mem)) < 0)
		crm_die_errno("cannot buffer a row");
	in = x->membuf;
	inleft = (size_t)len;
	while (inleft > 0) {
		o = obuf;
		outleft = sizeof obuf;
		if (iconv(x->cd, &in, &inleft, &o, &outleft) == (size_t)-1 &&
		    errno != E2BIG) {
			const char *p = in;
			unsigned c = utf8_next(&p);

			if (c == 0xFFFD && !(p - in == 3 &&
			    memcmp(in, "\xEF\xBF\xBD", 3) == 0))
				crm_die("%s: invalid UTF-8", where(x));
			crm_die("%s: %s has no character U+%04X '%.*s'; try"
			    " --encoding GB18030 or UTF-8", where(x), x->enc, c,
			    (int)(p - in), in);
		}
		fwrite_unlocked(obuf, 1, (size_t)(o - obuf), stdout);
	}
	if (fseeko(x->mem, 0, SEEK_SET) != 0)
		crm_die_errno("cannot buffer a row");
}

/* Write one record V (x->ncol values) in the chosen form. */
static void
put_row(struct export *x, const char *const *v)
{
	FILE *f = x->out;
	int sheet = 0;

	if (x->pick != NULL) {
		for (size_t k = 0; k < x->npick; k++)
			x->picked[k] = v[x->pick[k]];
		v = x->picked;
	}
	x->nrow++;
	switch (x->mode) {
	case OUT_EXCEL:
		for (size_t i = 0; i < x->ncol; i++) {
			if (i)
				PUTC(',', f);
			xl_csv_put_cell(f, v[i], x->a->raw ? XL_RAW :
			    cell_kind(x, i, v[i]));
		}
		PUTS(XL_EOL, f);
		break;
	case OUT_PLAIN:
		recw_row(x->w, x->ncol, v);
		break;
	case OUT_JSON:
		for (size_t i = 0; i < x->ncol; i++)
			x->eff[i] = cell_kind(x, i, v[i]) == XL_NUMBER;
		json_row(x->jw, v, x->eff);
		break;
	case OUT_XLSX:
		for (size_t i = 0; i < x->ncol; i++)
			x->eff[i] = cell_kind(x, i, v[i]);
		if (x->sheet_col >= 0)
			sheet = xlsx_sheet_for(x->xl, v[x->sheet_col]);
		xlsx_row(x->xl, sheet, v, x->eff, where(x));
		break;
	}
	if (x->mem != NULL)
		put_encoded(x);
	if ((x->nrow & 4095) == 0) {
		if (ferror(stdout))
			crm_flush_or_die(stdout, "standard output");
		progress_update(x->prog, x->r ? rec_bytes(x->r) : x->nrow);
	}
}

static void
on_query_row(const char *const *v, void *ctx)
{
	put_row(ctx, v);
}

/* Export the records of INPUT ("-" is standard input). */
static void
export_records(struct export *x, const char *input)
{
	const char **names, **canon;
	struct rec *rec;
	const char *err;
	size_t n;

	x->r = rec_open(input, crm_g.csv, NULL);
	x->source = rec_name(x->r);
	n = rec_ncol(x->r);
	names = xcalloc(n + 1, sizeof *names);
	canon = xcalloc(n + 1, sizeof *canon);
	for (size_t i = 0; i < n; i++) {
		names[i] = rec_header(x->r, i);
		canon[i] = rec_colname(x->r, i);
	}
	x->prog = progress_start("exporting", rec_size(x->r));
	setup(x, n, names, canon);
	free(names);
	free(canon);
	while ((rec = rec_next(x->r)) != NULL) {
		x->line = rec->line;
		if ((err = rec_width_error(x->r, rec)) != NULL)
			crm_die("%s: %s", where(x), err);
		put_row(x, (const char *const *)rec->v);
	}
	rec_close(x->r);
	x->r = NULL;
}

/* Export the database table or report NAME. */
static void
export_query(struct export *x, const char *name)
{
	struct crm_db *db = crm_db_open(CRM_DB_READ);
	static char source[64];

	snprintf(source, sizeof source, "query %s", name);
	x->source = source;
	x->from_query = 1;
	x->prog = progress_start("exporting", 0);
	if (crm_export_query(db, name, on_query_header, on_query_row, x) == -1)
		crm_usage_error("--query: no query '%s'", name);
	crm_db_close(db);
}

/* Check the options against each other; pick the output. */
static void
check_args(struct export *x, struct args *a, int argc, char **argv)
{
	int n = a->plain + crm_g.json + (a->xlsx != NULL);
	const char *const *q;

	if (n > 1)
		crm_usage_error("choose one of --plain, --xlsx and --json");
	x->mode = a->plain ? OUT_PLAIN : crm_g.json ? OUT_JSON : a->xlsx ?
	    OUT_XLSX : OUT_EXCEL;
	if (a->raw && (x->mode == OUT_JSON || x->mode == OUT_XLSX))
		crm_usage_error("--raw is for CSV output (XLSX and JSON cells "
		    "need no protection)");
	if (a->encoding && (x->mode == OUT_JSON || x->mode == OUT_XLSX))
		crm_usage_error("--encoding is for CSV output (XLSX and JSON "
		    "are always UTF-8)");
	if (a->sheet_by && x->mode != OUT_XLSX)
		crm_usage_error("--sheet-by needs --xlsx");
	if (a->date.n && x->mode == OUT_JSON)
		crm_usage_error("--date is not for JSON (dates stay ISO 8601 "
		    "text)");
	if (argc > 1)
		crm_usage_error("one INPUT at most, got %d", argc);
	if (a->query && argc > 0)
		crm_usage_error("--query reads the database: no INPUT '%s'",
		    argv[0]);
	if (a->query) {
		for (q = crm_export_queries; *q != NULL; q++)
			if (strcmp(*q, a->query) == 0)
				break;
		if (*q == NULL)
			crm_usage_error("--query: no query '%s' (customers, leads,"
			    " deals, activities or history)", a->query);
	}
}

/*
** Set up re-encoding for --encoding ENC: rows are built in memory and
** converted; UTF-8 (any spelling) needs none.  An encoding iconv does
** not know is a usage error.
*/
static void
set_encoding(struct export *x, const char *enc)
{
	x->cd = (iconv_t)-1;
	x->out = stdout;
	if (enc == NULL || strcasecmp(enc, "UTF-8") == 0 ||
	    strcasecmp(enc, "UTF8") == 0)
		return;
	if ((x->cd = iconv_open(enc, "UTF-8")) == (iconv_t)-1)
		crm_usage_error("--encoding: unknown encoding '%s'", enc);
	x->enc = enc;
	if ((x->mem = open_memstream(&x->membuf, &x->memsize)) == NULL)
		crm_die_errno("cannot allocate memory");
	x->out = x->mem;
}

/* Flush and close whatever was written. */
static void
finish(struct export *x)
{
	if (x->mode == OUT_PLAIN)
		recw_close(x->w);
	else if (x->mode == OUT_XLSX)
		xlsx_close(x->xl);
	if (x->mem != NULL)
		put_encoded(x);	/* the header, when there were no rows */
	progress_stop(x->prog);
	crm_flush_or_die(stdout, "standard output");
	if (x->mem != NULL) {
		fclose(x->mem);
		free(x->membuf);
	}
	if (x->cd != (iconv_t)-1)
		iconv_close(x->cd);
	json_close(x->jw);
	for (size_t i = 0; i < x->ncol; i++)
		free(x->names[i]);
	free(x->pick);
	free(x->picked);
	free(x->names);
	free(x->kind);
	free(x->eff);
	free(x->warned);
}

int
cmd_main(int argc, char **argv)
{
	struct args a;
	struct export x;

	memset(&a, 0, sizeof a);
	memset(&x, 0, sizeof x);
	argc = crm_parse_options(argc, argv, on_opt, &a);
	x.a = &a;
	check_args(&x, &a, argc, argv);
	set_encoding(&x, a.encoding);
	if (a.query)
		export_query(&x, a.query);
	else
		export_records(&x, argc ? argv[0] : "-");
	finish(&x);
	sv_free(&a.number);
	sv_free(&a.date);
	sv_free(&a.text);
	return 0;
}
