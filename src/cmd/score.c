/* crm-score: scores and grades by rules; RFM, health, win chances. */
#include "../crm.h"
#include "../lib/money.h"
#include "../lib/period.h"

enum {
	OPT_FIRST_ = 0,
#define OPT(id, s, l, a, m, c, k, h) OPT_##id,
#include "score.opts"
#undef OPT
};

static const struct crm_opt score_options[] = {
#define OPT(id, s, l, a, m, c, k, h) { OPT_##id, s, l, a, m, c, k, h },
#include "score.opts"
#include "../lib/common.opts"
#undef OPT
	{ 0, 0, NULL, ARG_NONE, NULL, NULL, NULL, NULL }
};

static const char *const score_usage[] = {
	"[score] [-nx] [--save] --rules FILE [--all | ID ...]",
	"rfm [-n] [--save] [--as-of DATE] [--segments cn|classic|FILE] [--strong-r N] [--active-days N] [--currency CODE]",
	"health [-nx] [--save] [--rules FILE]",
	"predict [-nx] [--save] [--leads] [--fields LIST] [--model]",
	"predict --backtest --since DATE [--threshold P] [--fields LIST]",
	NULL
};

static int cmd_score(int, char **, void *), cmd_rfm(int, char **, void *);
static int cmd_health(int, char **, void *), cmd_predict(int, char **, void *);

static const struct crm_cmd score_cmds[] = {
	{ "score", cmd_score }, { "rfm", cmd_rfm },
	{ "health", cmd_health }, { "predict", cmd_predict }, { NULL, NULL }
};

const struct crm_prog crm_prog = {
	"crm-score", "score and grade customers by rules; RFM, health, win chances",
	score_usage, score_options, score_cmds
};

struct args {
	const char *rules, *as_of, *segments, *fields, *since;
	double threshold;	/* -1: not given */
	char currency[4];
	int all, explain, save, dry_run, leads, model, backtest;
	struct rfm_settings rfm;
};

static void
on_opt(int id, const char *arg, void *ctx)
{
	struct args *a = ctx;
	char *end;

	switch (id) {
	case OPT_RULES: a->rules = arg; break;
	case OPT_ALL: a->all = 1; break;
	case OPT_EXPLAIN: a->explain = 1; break;
	case OPT_SAVE: a->save = 1; break;
	case OPT_DRY_RUN: a->dry_run = 1; break;
	case OPT_AS_OF: a->as_of = arg; break;
	case OPT_SEGMENTS: a->segments = arg; break;
	case OPT_STRONG_R:
		a->rfm.strong_r = (int)crm_parse_int("strong-r", arg, 2, 5);
		break;
	case OPT_ACTIVE_DAYS:
		a->rfm.active_days = (long)crm_parse_int("active-days", arg, 1,
		    36500);
		break;
	case OPT_CURRENCY:
		if (money_exponent(arg) < 0)
			crm_usage_error("--currency: '%s' is no ISO 4217 code", arg);
		for (int i = 0; i < 3; i++)
			a->currency[i] = (char)(arg[i] & ~0x20);	/* upper */
		break;
	case OPT_LEADS: a->leads = 1; break;
	case OPT_FIELDS: a->fields = arg; break;
	case OPT_MODEL: a->model = 1; break;
	case OPT_BACKTEST: a->backtest = 1; break;
	case OPT_SINCE: a->since = arg; break;
	case OPT_THRESHOLD:
		a->threshold = strtod(arg, &end);
		if (*arg == '\0' || *end != '\0' || !(a->threshold >= 0 &&
		    a->threshold <= 1))
			crm_usage_error("--threshold must be a number from 0 to 1, "
			    "got '%s'", arg);
		break;
	}
}

static int
cmd_score(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct score_out o;
	long long id;
	int rc;

	if (a->rules == NULL)
		crm_usage_error("score needs --rules FILE (see crm-score-rules(5))");
	if (a->all && argc > 1)
		crm_usage_error("--all scores every customer: no ID operands");
	for (int i = 1; i < argc; i++)
		if (crm_parse_id(argv[i], &id) == -1)
			crm_usage_error("'%s' is not a customer id", argv[i]);
	if (!a->all && argc == 1)
		crm_run_read_inputs(0, NULL);
	score_out_begin(&o, a->save, a->dry_run, CRM_BATCH_SCORE_SAVE);
	rc = score_by_rules(&o, a->rules, a->explain, a->all, argc - 1, argv + 1);
	score_out_end(&o, "customer");
	return rc;
}

/* ---- rfm --------------------------------------------------------------- */

/* The segment table --segments names; dies on a bad file. */
static struct rfm_segments *
segments(const struct args *a)
{
	struct rfm_segments *t;
	char err[1024];

	if (a->segments == NULL || strcmp(a->segments, "cn") == 0)
		return rfm_segments_default(&a->rfm);
	if (strcmp(a->segments, "classic") == 0)
		return rfm_segments_classic(&a->rfm);
	if ((t = rfm_segments_load(a->segments, &a->rfm, err, sizeof err)) == NULL)
		crm_die("%s", err);
	return t;
}

static int
cmd_rfm(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct rfm_segments *t;
	struct score_out o;
	char reason[64], day[DAY_LEN];
	long today;

	(void)argv;
	if (argc > 1)
		crm_usage_error("rfm takes no operands");
	t = segments(a);
	score_out_begin(&o, a->save, a->dry_run, CRM_BATCH_SCORE_RFM);
	today = score_today();
	if (a->as_of && (today = score_date(a->as_of)) == SCORE_NO_DAY)
		crm_usage_error("--as-of: bad date '%s' (YYYY-MM-DD)", a->as_of);
	day_format(today, day);
	snprintf(reason, sizeof reason, "rfm as of %s", day);
	score_rfm(&o, today, t, a->currency, reason);
	rfm_segments_free(t);
	score_out_end(&o, "customer");
	return 0;
}

/* ---- health ------------------------------------------------------------ */

static int
cmd_health(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct score_out o;

	(void)argv;
	if (argc > 1)
		crm_usage_error("health takes no operands");
	score_out_begin(&o, a->save, a->dry_run, CRM_BATCH_SCORE_HEALTH);
	score_health(&o, a->rules, a->explain);
	score_out_end(&o, "customer");
	return 0;
}

/* ---- predict ----------------------------------------------------------- */

/* The fields --fields names (or all of KIND's), NULL-terminated, into SV. */
static void
predict_fields(const struct args *a, int kind, struct strvec *sv)
{
	if (a->fields)
		sv_split(sv, a->fields, ',');
	else
		for (const char *const *f = kind == SCORE_LEADS ?
		    score_lead_fields : score_deal_fields; *f; f++)
			sv_push(sv, *f);
	for (size_t i = 0; i < sv->n; i++)
		if (!score_case_field(kind, sv->v[i]))
			crm_usage_error("--fields: no field '%s' for %s", sv->v[i],
			    kind == SCORE_LEADS ? "leads (source, region, "
			    "industry, owner, pool)" : "deals (stage, product, "
			    "source, owner, region, industry, amount)");
	if (sv->n == 0)
		crm_usage_error("--fields: no field given");
	sv_push(sv, NULL);
}

static int
cmd_predict(int argc, char **argv, void *args)
{
	struct args *a = args;
	int kind = a->leads ? SCORE_LEADS : SCORE_DEALS;
	struct strvec fields = STRVEC_INIT;
	struct score_out o;
	char since[CRM_TIME_LEN];
	time_t t;

	(void)argv;
	if (argc > 1)
		crm_usage_error("predict takes no operands");
	if (a->backtest && (a->save || a->model || a->explain || a->leads))
		crm_usage_error("--backtest tests the deal model: no --save, "
		    "--model, --explain or --leads");
	if (a->backtest && a->since == NULL)
		crm_usage_error("--backtest needs --since DATE");
	if (!a->backtest && (a->since || a->threshold >= 0))
		crm_usage_error("--since and --threshold go with --backtest");
	if (a->model && (a->save || a->explain))
		crm_usage_error("--model prints the model: no --save or --explain");
	if (a->save && a->leads)
		crm_usage_error("--save stores the chances of deals; a lead has no "
		    "place for one");
	predict_fields(a, kind, &fields);
	score_out_begin(&o, a->save, a->dry_run, CRM_BATCH_SCORE_PREDICT);
	if (a->backtest) {
		/* the site's day: parsed once the database set the zone */
		if (crm_parse_time(a->since, &t) == -1)
			crm_usage_error("--since: bad date '%s' (YYYY-MM-DD)",
			    a->since);
		crm_format_time(crm_day_start(t), since);
		score_backtest(&o, since, a->threshold >= 0 ? a->threshold : 0.5,
		    (const char *const *)fields.v);
	} else
		score_predict(&o, kind, (const char *const *)fields.v, a->explain,
		    a->model);
	sv_free(&fields);
	score_out_end(&o, "deal");
	return 0;
}

int
cmd_main(int argc, char **argv)
{
	struct args a;

	memset(&a, 0, sizeof a);
	a.rfm = rfm_defaults;
	memcpy(a.currency, "CNY", 4);
	a.threshold = -1;
	argc = crm_parse_options(argc, argv, on_opt, &a);
	if (a.dry_run && !a.save)
		crm_usage_error("--dry-run goes with --save");
	/*
	** Scoring records is the command named "score", and the name may be
	** left out: put it in.  argv has room, as the program's own name
	** was in argv[0] before the operands moved down over it.
	*/
	if (argc == 0 || strspn(argv[0], "0123456789") == strlen(argv[0])) {
		memmove(argv + 1, argv, ((size_t)argc + 1) * sizeof *argv);
		argv[0] = (char *)"score";
		argc++;
	}
	return crm_run_command(argc, argv, &a);
}
