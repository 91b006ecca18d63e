/* crm-report: funnel, forecast, performance and the other reports, read-only. */
#include "../crm.h"
#include "../lib/chart.h"
#include "../lib/report.h"

enum {
	OPT_FIRST_ = 0,
#define OPT(id, s, l, a, m, c, k, h) OPT_##id,
#include "report.opts"
#undef OPT
};

static const struct crm_opt report_options[] = {
#define OPT(id, s, l, a, m, c, k, h) { OPT_##id, s, l, a, m, c, k, h },
#include "report.opts"
#include "../lib/common.opts"
#undef OPT
	{ 0, 0, NULL, ARG_NONE, NULL, NULL, NULL, NULL }
};

static const char *const report_usage[] = {
	"funnel [-t] [--chart] [--svg FILE] [--since DATE] [--until DATE] [--period PERIOD] [--owner USER] [--team TEAM] [--by LIST] [--stalled DAYS]",
	"forecast [-t] [--chart] [--svg FILE] [--since DATE] [--until DATE] [--period PERIOD] [--owner USER] [--team TEAM] [--by LIST] [--commit PCT] [--predicted]",
	"performance [-t] [--chart] [--svg FILE] [--since DATE] [--until DATE] [--period PERIOD] [--owner USER] [--team TEAM] [--by LIST]",
	"sources | regions | industries [-t] [--since DATE] [--until DATE] [--period PERIOD] [--owner USER] [--team TEAM] [--by LIST]",
	"pool [-t] [--since DATE] [--until DATE] [--period PERIOD] [--owner USER] [--team TEAM] [--pool POOL]",
	"rfm | health [-t] [--since DATE] [--until DATE] [--period PERIOD] [--owner USER] [--team TEAM] [--by LIST]",
	"customer [-t] [--svg FILE] [--html FILE] ID",
	"agenda [-t] [--owner USER] [--team TEAM] [--within DAYS]",
	NULL
};

static int report_run(int, char **, void *);

static const struct crm_cmd report_cmds[] = {
	{ "funnel", report_run }, { "forecast", report_run },
	{ "performance", report_run }, { "sources", report_run },
	{ "regions", report_run }, { "industries", report_run },
	{ "pool", report_run }, { "rfm", report_run }, { "health", report_run },
	{ "customer", report_run }, { "agenda", report_run }, { NULL, NULL }
};

const struct crm_prog crm_prog = {
	"crm-report", "reports: funnel, forecast, performance, a customer's overview",
	report_usage, report_options, report_cmds
};

struct args {
	struct report_opts o;
	struct strvec by;		/* --by lists, read once the command is known */
	const char *svg, *html;
	int table, chart;
};

static void
on_opt(int id, const char *arg, void *ctx)
{
	struct args *a = ctx;

	switch (id) {
	case OPT_SINCE: a->o.since = arg; break;
	case OPT_UNTIL: a->o.until = arg; break;
	case OPT_PERIOD: a->o.period = arg; break;
	case OPT_OWNER: a->o.owner = arg; break;
	case OPT_TEAM: a->o.team = arg; break;
	case OPT_POOL: a->o.pool = arg; break;
	case OPT_BY: sv_push(&a->by, arg); break;
	case OPT_STALLED:
		a->o.stalled_days = (long)crm_parse_int("stalled", arg, 1, 36500);
		break;
	case OPT_COMMIT:
		a->o.commit_pct = (int)crm_parse_int("commit", arg, 0, 100);
		break;
	case OPT_PREDICTED: a->o.predicted = 1; break;
	case OPT_WITHIN:
		a->o.within_days = (long)crm_parse_int("within", arg, 0, 3650);
		break;
	case OPT_TABLE: a->table = 1; break;
	case OPT_CHART: a->chart = 1; break;
	case OPT_SVG: a->svg = arg; break;
	case OPT_HTML: a->html = arg; break;
	}
}

/* The groupings --by may name for command CMD. */
static unsigned
by_allowed(const char *cmd)
{
	if (strcmp(cmd, "sources") == 0 || strcmp(cmd, "regions") == 0 ||
	    strcmp(cmd, "industries") == 0)
		return REPORT_BY_PEOPLE | REPORT_BY_PERIODS;
	if (strcmp(cmd, "rfm") == 0 || strcmp(cmd, "health") == 0)
		return REPORT_BY_PEOPLE | REPORT_BY_PLACES;
	return REPORT_BY_PEOPLE | REPORT_BY_PLACES | REPORT_BY_PERIODS;
}

/* Write SB to PATH ("-": standard output); dies on failure. */
static void
write_file(const char *path, const struct strbuf *sb)
{
	FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");

	if (f == NULL)
		crm_die_errno("cannot write '%s'", path);
	if (fwrite(sb->buf, 1, sb->len, f) != sb->len || (f != stdout &&
	    fclose(f) != 0))
		crm_die_errno("cannot write '%s'", path);
}

/* The report CMD names, with ARGV its operands. */
static struct report *
make(struct crm_db *db, const char *cmd, int argc, char **argv,
    const struct report_opts *o)
{
	long long id;

	if (strcmp(cmd, "customer") == 0) {
		if (argc != 2 || crm_parse_id(argv[1], &id) == -1)
			crm_usage_error("customer takes one customer ID");
		return report_customer(db, o, id);
	}
	if (argc > 1)
		crm_usage_error("%s takes no operands", cmd);
	if (strcmp(cmd, "funnel") == 0)
		return report_funnel(db, o);
	if (strcmp(cmd, "forecast") == 0)
		return report_forecast(db, o);
	if (strcmp(cmd, "performance") == 0)
		return report_performance(db, o);
	if (strcmp(cmd, "sources") == 0)
		return report_dimension(db, o, BY_SOURCE);
	if (strcmp(cmd, "regions") == 0)
		return report_dimension(db, o, BY_REGION);
	if (strcmp(cmd, "industries") == 0)
		return report_dimension(db, o, BY_INDUSTRY);
	if (strcmp(cmd, "pool") == 0)
		return report_pool(db, o);
	if (strcmp(cmd, "rfm") == 0 || strcmp(cmd, "health") == 0)
		return report_segments(db, o, strcmp(cmd, "health") == 0);
	return report_agenda(db, o);
}

/*
** Every command: read the database, make the report, write it as
** records, a table or a chart on standard output, and as SVG or HTML to
** the files named.
*/
static int
report_run(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct strbuf sb = STRBUF_INIT;
	struct crm_db *db;
	struct report *r;
	const char *err;
	int to_stdout;

	for (size_t i = 0; i < a->by.n; i++)
		if ((err = report_by_add(&a->o, a->by.v[i], by_allowed(argv[0])))
		    != NULL)
			crm_usage_error("%s", err);
	if (a->table + a->chart + crm_g.csv > 1)
		crm_usage_error("--table, --chart and --csv: choose one");
	to_stdout = !(a->svg && strcmp(a->svg, "-") == 0) &&
	    !(a->html && strcmp(a->html, "-") == 0);
	if (!to_stdout && (a->table || a->chart))
		crm_usage_error("--table and --chart write to standard output, "
		    "which the SVG or HTML goes to");
	db = crm_db_open(CRM_DB_READ);
	r = make(db, argv[0], argc, argv, &a->o);
	if (a->svg) {
		sb_init(&sb);
		(void)report_svg(r, &sb);
		write_file(a->svg, &sb);
		sb_free(&sb);
	}
	if (a->html) {
		sb_init(&sb);
		(void)report_html(r, &sb);
		write_file(a->html, &sb);
		sb_free(&sb);
	}
	if (!to_stdout)
		;
	else if (a->table)
		report_table(r, stdout);
	else if (a->chart)
		(void)report_chart(r, stdout, chart_color());
	else {
		struct rec_writer *w = recw_open(stdout, "standard output",
		    crm_g.csv);

		report_write(r, w);
		recw_close(w);
	}
	report_free(r);
	crm_db_close(db);
	return 0;
}

int
cmd_main(int argc, char **argv)
{
	struct args a;
	int rc;

	memset(&a, 0, sizeof a);
	report_opts_init(&a.o);
	argc = crm_parse_options(argc, argv, on_opt, &a);
	rc = crm_run_command(argc, argv, &a);
	sv_free(&a.by);
	return rc;
}
