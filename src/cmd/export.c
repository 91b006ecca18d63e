/* crm-export: records or tables to Excel-safe CSV, XLSX or JSON Lines. */
#include "../crm.h"
#include "../lib/json.h"
#include "../lib/xlsx.h"

enum {
	OPT_FIRST_ = 0,
#define OPT(id, s, l, a, m, c, k, h) OPT_##id,
#include "export.opts"
#undef OPT
};

static const struct crm_opt export_options[] = {
#define OPT(id, s, l, a, m, c, k, h) { OPT_##id, s, l, a, m, c, k, h },
#include "export.opts"
#include "../lib/common.opts"
#undef OPT
	{ 0, 0, NULL, ARG_NONE, NULL, NULL, NULL, NULL }
};

static const char *const export_usage[] = {
	"[-q] [--csv] [--raw | --plain] [--encoding ENC] [--number COL] [--date COL] [--text COL] [--query NAME | INPUT]",
	"--xlsx FILE [--sheet-by FIELD] [-q] [--csv] [--number COL] [--date COL] [--text COL] [--query NAME | INPUT]",
	"--json [-q] [--csv] [--number COL] [--text COL] [--query NAME | INPUT]",
	NULL
};

const struct crm_prog crm_prog = {
	"crm-export", "export records for Excel: safe CSV, XLSX, JSON Lines",
	export_usage, export_options, NULL
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

	struct crm_export_cols cols;
	int *eff;		/* this row's kinds, after checking the values */
	int sheet_col;		/* --sheet-by column, or -1 */

	FILE *out;		/* stdout, or memory when re-encoding */
	struct crm_recode *rc;	/* --encoding, or NULL */

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

/* Start the output once the columns are known; the header row for CSV. */
static void
start_output(struct export *x)
{
	switch (x->mode) {
	case OUT_EXCEL:
		if (x->rc == NULL)
			PUTS(XL_BOM, x->out);
		/* a first ID is guarded even --raw: Excel would read SYLK */
		for (size_t i = 0; i < x->cols.n; i++)
			x->eff[i] = x->a->raw && (i > 0 ||
			    strncmp(x->cols.names[0], "ID", 2) != 0) ? XL_RAW : XL_TEXT;
		xl_csv_put_row(x->out, x->cols.n,
		    (const char *const *)x->cols.names, x->eff);
		break;
	case OUT_PLAIN:
		x->w = recw_open_via(x->out, 1);
		recw_header(x->w, x->cols.n, (const char *const *)x->cols.names);
		break;
	case OUT_JSON:
		x->jw = json_open(x->out, "standard output", x->cols.n,
		    (const char *const *)x->cols.names, NULL);
		break;
	case OUT_XLSX:
		x->xl = xlsx_open(x->a->xlsx, x->from_query ? x->a->query :
		    "Sheet1", x->cols.n, (const char *const *)x->cols.names);
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

	/* -o: the columns it names, in its order (--plain's writer does it) */
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
	crm_export_cols_init(&x->cols, n, names, canon, &x->a->text,
	    &x->a->number, &x->a->date);
	x->eff = xcalloc(n + 1, sizeof *x->eff);
	x->sheet_col = x->a->sheet_by ? (int)crm_export_col(&x->cols,
	    "sheet-by", x->a->sheet_by) : -1;
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

/* How to write value S of column I (crm_export_cell_kind). */
static int
cell_kind(struct export *x, size_t i, const char *s)
{
	return crm_export_cell_kind(&x->cols, i, s, where(x));
}

/* Write one record V (x->cols.n values) in the chosen form. */
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
		for (size_t i = 0; i < x->cols.n; i++)
			x->eff[i] = x->a->raw ? XL_RAW : cell_kind(x, i, v[i]);
		xl_csv_put_row(f, x->cols.n, v, x->eff);
		break;
	case OUT_PLAIN:
		recw_row(x->w, x->cols.n, v);
		break;
	case OUT_JSON:
		for (size_t i = 0; i < x->cols.n; i++)
			x->eff[i] = cell_kind(x, i, v[i]) == XL_NUMBER;
		json_row(x->jw, v, x->eff);
		break;
	case OUT_XLSX:
		for (size_t i = 0; i < x->cols.n; i++)
			x->eff[i] = cell_kind(x, i, v[i]);
		if (x->sheet_col >= 0)
			sheet = xlsx_sheet_for(x->xl, v[x->sheet_col]);
		xlsx_row(x->xl, sheet, v, x->eff, where(x));
		break;
	}
	if (x->rc != NULL)
		crm_recode_put(x->rc, where(x));
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

/* Flush and close whatever was written. */
static void
finish(struct export *x)
{
	if (x->mode == OUT_PLAIN)
		recw_close(x->w);
	else if (x->mode == OUT_XLSX)
		xlsx_close(x->xl);
	if (x->rc != NULL)
		crm_recode_put(x->rc, "header");	/* when there were no rows */
	progress_stop(x->prog);
	crm_flush_or_die(stdout, "standard output");
	crm_recode_close(x->rc);
	json_close(x->jw);
	free(x->pick);
	free(x->picked);
	crm_export_cols_free(&x->cols);
	free(x->eff);
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
	x.rc = crm_recode_open(a.encoding, &x.out);
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
