/*
** render_demo.c: test driver for tests/render.bats: TSV on stdin through
** table.h, chart.h, svg.h or html.h to stdout, as crm-report will.
**
**   render_demo table [-t LABEL] [-n|-r|-s COL]...   any columns
**   render_demo chart WIDTH                          label value text
**   render_demo bars TITLE                           label value text target
**   render_demo months TITLE SERIES1 SERIES2         month v1 text1 v2 text2
**   render_demo timeline TITLE                       date label detail
**   render_demo page TITLE FACTS TABLE EVENTS        three TSV files:
**       key value; any columns; date label detail
**
** In a table, -n, -r and -s make column COL (1 is the first) a number,
** a rate or text; -t adds a totals row labelled LABEL.  An empty or NULL
** value or target is NaN.  The chart is in colour when chart_color() says.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "die.h"
#include "html.h"
#include "io.h"
#include "opt.h"
#include "rec.h"
#include "str.h"
#include "svg.h"
#include "table.h"

static const struct crm_opt no_opts[] = {
	{ 0, 0, NULL, ARG_NONE, NULL, NULL, NULL, NULL }
};
static const char *const no_usage[] = { NULL };
const struct crm_prog crm_prog = { "render_demo", "render test driver",
	no_usage, no_opts, NULL };

/* All records of the TSV file PATH: NCOL columns, the header first. */
struct sheet {
	size_t ncol, nrow;	/* nrow counts the header */
	struct strvec cell;	/* row after row; NULL stays NULL */
};

/* Read PATH ("-" is stdin) into S; bad input is fatal. */
static void
load(const char *path, struct sheet *s)
{
	struct rec_reader *r = rec_open(path, 0, NULL);
	struct rec *rec;
	size_t i;

	memset(s, 0, sizeof *s);
	s->ncol = rec_ncol(r);
	for (i = 0; i < s->ncol; i++)
		sv_push(&s->cell, rec_header(r, i));
	for (s->nrow = 1; (rec = rec_next(r)) != NULL; s->nrow++) {
		if (rec_width_error(r, rec))
			crm_die("%s", rec_width_error(r, rec));
		for (i = 0; i < s->ncol; i++)
			sv_push(&s->cell, rec->v[i]);
	}
	rec_close(r);
}

/* Cell COL of record ROW (1 is the first after the header), or NULL. */
static const char *
at(const struct sheet *s, size_t row, size_t col)
{
	return col < s->ncol ? s->cell.v[row * s->ncol + col] : NULL;
}

/* S as a number; NaN when it is NULL or empty. */
static double
num(const char *s)
{
	return s && *s ? strtod(s, NULL) : NAN;
}

static void
usage(void)
{
	crm_usage_error("usage: render_demo table|chart|bars|months|timeline|"
	    "page ...");
}

static void
do_table(int argc, char **argv, const struct sheet *s)
{
	struct table *t = table_open(s->ncol, (const char *const *)s->cell.v);
	const char *label = NULL;
	size_t r;

	for (int i = 0; i + 1 < argc; i += 2) {
		size_t col = (size_t)atoi(argv[i + 1]) - 1;

		if (strcmp(argv[i], "-t") == 0)
			label = argv[i + 1];
		else if (strcmp(argv[i], "-n") == 0)
			table_kind(t, col, TABLE_NUMBER);
		else if (strcmp(argv[i], "-r") == 0)
			table_kind(t, col, TABLE_RATE);
		else if (strcmp(argv[i], "-s") == 0)
			table_kind(t, col, TABLE_TEXT);
		else
			usage();
	}
	for (r = 1; r < s->nrow; r++)
		table_row(t, (const char *const *)s->cell.v + r * s->ncol);
	if (label) {
		const char **tot = xcalloc(s->ncol, sizeof *tot);

		tot[0] = label;
		table_totals(t, tot);
		free(tot);
	}
	table_close(t, stdout);
}

static void
do_chart(int width, const struct sheet *s)
{
	struct chart_bar *b = xcalloc(s->nrow, sizeof *b);

	for (size_t r = 1; r < s->nrow; r++) {
		b[r - 1].label = at(s, r, 0);
		b[r - 1].value = num(at(s, r, 1));
		b[r - 1].text = at(s, r, 2);
	}
	chart_bars(stdout, b, s->nrow - 1, width, chart_color());
	free(b);
}

static void
do_bars(struct strbuf *out, const char *title, const struct sheet *s)
{
	struct svg_bar *b = xcalloc(s->nrow, sizeof *b);

	for (size_t r = 1; r < s->nrow; r++) {
		b[r - 1].label = at(s, r, 0);
		b[r - 1].value = num(at(s, r, 1));
		b[r - 1].text = at(s, r, 2);
		b[r - 1].target = num(at(s, r, 3));
	}
	svg_bars(out, title, b, s->nrow - 1);
	free(b);
}

static void
do_months(struct strbuf *out, const char *title, const char *const *series,
    const struct sheet *s)
{
	struct svg_month *m = xcalloc(s->nrow, sizeof *m);

	for (size_t r = 1; r < s->nrow; r++) {
		m[r - 1].month = at(s, r, 0);
		for (size_t k = 0; k < 2; k++) {
			m[r - 1].value[k] = num(at(s, r, 1 + 2 * k));
			m[r - 1].text[k] = at(s, r, 2 + 2 * k);
		}
	}
	svg_months(out, title, series, 2, m, s->nrow - 1);
	free(m);
}

static void
do_timeline(struct strbuf *out, const char *title, const struct sheet *s)
{
	struct svg_event *e = xcalloc(s->nrow, sizeof *e);

	for (size_t r = 1; r < s->nrow; r++) {
		e[r - 1].date = at(s, r, 0);
		e[r - 1].label = at(s, r, 1);
		e[r - 1].detail = at(s, r, 2);
	}
	svg_timeline(out, title, e, s->nrow - 1);
	free(e);
}

/* The customer page: facts, a table, the timeline as a chart. */
static void
do_page(struct strbuf *out, char **argv)
{
	struct sheet facts, tab, ev;
	struct strbuf svg = STRBUF_INIT;
	const char **k, **v;
	size_t r;

	load(argv[1], &facts);
	load(argv[2], &tab);
	load(argv[3], &ev);
	k = xcalloc(facts.nrow, sizeof *k);
	v = xcalloc(facts.nrow, sizeof *v);
	for (r = 1; r < facts.nrow; r++) {
		k[r - 1] = at(&facts, r, 0);
		v[r - 1] = at(&facts, r, 1);
	}
	sb_init(&svg);
	do_timeline(&svg, NULL, &ev);
	html_begin(out, argv[0]);
	html_section(out, "概况");
	html_facts(out, facts.nrow - 1, k, v);
	html_section(out, "表");
	html_table(out, tab.ncol, (const char *const *)tab.cell.v, tab.nrow - 1,
	    (const char *const *)tab.cell.v + tab.ncol);
	html_section(out, "时间线");
	html_svg(out, svg.buf);
	html_end(out);
	free(k);
	free(v);
	sb_free(&svg);
	sv_free(&facts.cell);
	sv_free(&tab.cell);
	sv_free(&ev.cell);
}

int
main(int argc, char **argv)
{
	struct strbuf out = STRBUF_INIT;
	struct sheet s;
	const char *cmd;

	crm_set_progname(crm_prog.name);
	crm_io_init();
	if (argc < 2)
		usage();
	cmd = argv[1];
	sb_init(&out);
	if (strcmp(cmd, "page") == 0) {
		if (argc != 6)
			usage();
		do_page(&out, argv + 2);
	} else {
		load("-", &s);
		if (strcmp(cmd, "table") == 0)
			do_table(argc - 2, argv + 2, &s);
		else if (strcmp(cmd, "chart") == 0 && argc == 3)
			do_chart(atoi(argv[2]), &s);
		else if (strcmp(cmd, "bars") == 0 && argc == 3)
			do_bars(&out, argv[2], &s);
		else if (strcmp(cmd, "months") == 0 && argc == 5)
			do_months(&out, argv[2], (const char *const *)argv + 3, &s);
		else if (strcmp(cmd, "timeline") == 0 && argc == 3)
			do_timeline(&out, argv[2], &s);
		else
			usage();
		sv_free(&s.cell);
	}
	fputs(out.buf, stdout);
	sb_free(&out);
	crm_flush_or_die(stdout, "standard output");
	return 0;
}
