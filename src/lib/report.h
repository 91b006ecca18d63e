/* report.h: crm-report's figures (funnel, forecast, performance, ...) as tables of text. */
#ifndef CRM_REPORT_H
#define CRM_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "str.h"

struct crm_db;
struct rec_writer;

/*
** What rows are grouped by (--by), in the order columns come out.
** Periods are the site's local days; a week is an ISO 8601 week.
*/
enum report_by {
	BY_OWNER, BY_TEAM, BY_REGION, BY_INDUSTRY, BY_SOURCE,
	BY_WEEK, BY_MONTH, BY_QUARTER, BY_YEAR, BY_N
};
extern const char *const report_by_names[BY_N];	/* "owner", ... "year" */
#define REPORT_BY_MAX 4
/* The groupings of each kind, as bits (1 << BY_x), for checking --by. */
#define REPORT_BY_PEOPLE ((1u << BY_OWNER) | (1u << BY_TEAM))
#define REPORT_BY_PLACES ((1u << BY_REGION) | (1u << BY_INDUSTRY) | \
	(1u << BY_SOURCE))
#define REPORT_BY_PERIODS ((1u << BY_WEEK) | (1u << BY_MONTH) | \
	(1u << BY_QUARTER) | (1u << BY_YEAR))

/*
** The options of a report.  Dates and names are kept as given and read
** when the report runs, after the database is open: dates are in the
** site's days, and names must exist.
*/
struct report_opts {
	const char *since, *until;	/* [since, until): dates or times */
	const char *period;		/* 2026, 2026-Q4, 2026-11, 2026-W48 */
	const char *owner, *team, *pool;
	enum report_by by[REPORT_BY_MAX];
	size_t nby;			/* 0: the report's default grouping */
	long stalled_days;		/* funnel: stalled after this many days */
	int commit_pct;			/* forecast: committed from this probability */
	int predicted;			/* forecast: also crm-score's probability */
	long within_days;		/* agenda: reclaims this many days ahead; -1: pools' */
};
#define REPORT_STALLED_DAYS 30
#define REPORT_COMMIT_PCT 70
#define REPORT_WITHIN_DAYS 3
void report_opts_init(struct report_opts *o);

/*
** Add the groupings of LIST ("owner,month"; repeatable) to O, allowing
** those in the bit set ALLOWED: at most one person (owner, team), one
** place (region, industry, source) and one period.  NULL when fine, else
** why not (static buffer): a usage error.
*/
const char *report_by_add(struct report_opts *o, const char *list,
    unsigned allowed);

/* How a column shows in --table and what its totals row holds. */
enum report_kind {
	RK_TEXT,	/* left-aligned; no total */
	RK_COUNT,	/* a whole number, summed */
	RK_MONEY,	/* major units, summed when one currency */
	RK_RATE,	/* a fraction, shown as a percentage; total from sums */
	RK_FIGURE	/* a number not summed (an average, a median, days) */
};

struct report_col {
	const char *name;
	enum report_kind kind;
	int num, den, den2;	/* RK_RATE: total = sum(num) / (sum(den) + sum(den2)); -1 none */
};

/* What a report is, for the charts. */
enum report_type {
	RT_FUNNEL, RT_FORECAST, RT_PERFORMANCE, RT_DIMENSION, RT_POOL,
	RT_SEGMENT, RT_AGENDA, RT_CUSTOMER
};

/*
** A report: NCOL columns and NROW rows of text (NULL is an empty
** field), row after row in CELLS.  NKEY leading columns name a row;
** MULTI_CURRENCY is set when money of more than one currency is in it
** (its totals are then not summed).  TITLE heads charts and pages.
** A customer's overview keeps its parts (facts, figures, contacts, open
** deals, timeline) as reports of their own in PART, for its page; its
** records are those parts in one stream.
*/
struct report {
	enum report_type type;
	char *title;
	size_t ncol, nrow, nkey;
	struct report_col *col;
	struct strvec cells;
	int multi_currency;
	struct report **part;
	size_t npart;
};
const char *report_cell(const struct report *r, size_t row, size_t col);
int report_colidx(const struct report *r, const char *name);	/* -1 if none */
void report_free(struct report *r);

/*
** The reports.  Each opens nothing: DB is open for reading, and the
** rights policy (policy.h) narrows what the actor sees: a rep's reports
** cover its own deals, customers and follow-ups (a rep naming another
** rep or team dies with status 1), an admin's everything.  Bad option
** values die with status 2, unknown names with 1.  The caller frees the
** result with report_free().  crm-report(1) defines every column.
*/
struct report *report_funnel(struct crm_db *db, const struct report_opts *o);
struct report *report_forecast(struct crm_db *db, const struct report_opts *o);
struct report *report_performance(struct crm_db *db,
    const struct report_opts *o);
/* sources, regions, industries: DIM is BY_SOURCE, BY_REGION or BY_INDUSTRY. */
struct report *report_dimension(struct crm_db *db, const struct report_opts *o,
    enum report_by dim);
struct report *report_pool(struct crm_db *db, const struct report_opts *o);
/* rfm (by segment) or, with HEALTH, health (by grade). */
struct report *report_segments(struct crm_db *db, const struct report_opts *o,
    int health);
struct report *report_agenda(struct crm_db *db, const struct report_opts *o);
/* Customer ID's overview (客户总览); dies with status 1 when there is none. */
struct report *report_customer(struct crm_db *db, const struct report_opts *o,
    long long id);

/*
** Output.  report_write: the records (TSV or CSV by the writer).
** report_table: aligned for a terminal with a totals row (合计) where
** the report has figures to sum, rates as percentages.  report_chart:
** horizontal bars (funnel: deals that entered each stage; forecast:
** weighted pipeline; performance: won amount), in colour when COLOR.
** report_svg: a self-contained chart (the same, with targets and best
** case; a customer's timeline).  report_html: a customer's page.  The
** last three return -1 for a report that has no such form.
*/
void report_write(const struct report *r, struct rec_writer *w);
void report_table(const struct report *r, FILE *out);
int report_chart(const struct report *r, FILE *out, int color);
int report_svg(const struct report *r, struct strbuf *out);
int report_html(const struct report *r, struct strbuf *out);

/*
** Exact figures, exposed for the unit tests.  report_rate: NUM / DEN
** with four decimals, halves rounded up ("0.6315"); NULL when DEN is 0.
** report_percentile: the P-th (0-100) percentile of the whole numbers
** counted in HIST[0..N) (HIST[d] values equal to d) by linear
** interpolation between closest ranks, as PostgreSQL's percentile_cont
** (P 50 is the median), to a tenth ("12.5", "3"); NULL when empty.
** Strings are new (caller frees).
*/
char *report_rate(long long num, long long den);
char *report_percentile(const long long *hist, size_t n, int p);

#endif
