/* crm-deal: deals (商机): add, import, list, change and move through the pipeline. */
#include "../crm.h"
#include "../lib/deal.h"

enum {
	OPT_FIRST_ = 0,
#define OPT(id, s, l, a, m, c, k, h) OPT_##id,
#include "deal.opts"
#undef OPT
};

static const struct crm_opt deal_options[] = {
#define OPT(id, s, l, a, m, c, k, h) { OPT_##id, s, l, a, m, c, k, h },
#include "deal.opts"
#include "../lib/common.opts"
#undef OPT
	{ 0, 0, NULL, ARG_NONE, NULL, NULL, NULL, NULL }
};

static const char *const deal_usage[] = {
	"add [-n] --title TITLE [--amount AMOUNT] [--currency CODE] [--stage STAGE] [--owner USER] [--at TIME] ... [ID ...]",
	"import [-n] [--create-customers] [--skip-bad] [--rejects FILE] [-E ENC] [FILE ...]",
	"list [--owner USER] [--team TEAM] [--customer ID] [--stage STAGE] [--open | --won | --lost] [--closing PERIOD] [-m FIELD=REGEX] ...",
	"show [ID ...]",
	"update [-n] [--at TIME] --FIELD VALUE ... [ID ...]",
	"stage [-n] [--at TIME] [--reason TEXT] [ID ...] STAGE",
	"won [-n] [--at TIME] [ID ...]",
	"lost [-n] [--at TIME] --reason TEXT [ID ...]",
	"stages [set [-n] [-E ENC] FILE]",
	NULL
};

static int deal_add(int, char **, void *), deal_import(int, char **, void *);
static int deal_list(int, char **, void *), deal_show(int, char **, void *);
static int deal_update(int, char **, void *), deal_stage(int, char **, void *);
static int deal_stages(int, char **, void *);

static const struct crm_cmd deal_cmds[] = {
	{ "add", deal_add }, { "import", deal_import }, { "list", deal_list },
	{ "show", deal_show }, { "update", deal_update }, { "stage", deal_stage },
	{ "won", deal_stage }, { "lost", deal_stage }, { "stages", deal_stages },
	{ NULL, NULL }
};

const struct crm_prog crm_prog = {
	"crm-deal", "deals (商机): a pipeline of stages, amounts, won and lost",
	deal_usage, deal_options, deal_cmds
};

struct args {
	struct crm_deal_in in;		/* the deal's fields from options */
	const char *stage, *owner, *team, *reason, *at, *closing;
	struct strvec matches;
	struct crm_deal_import_opts im;
	long long customer;
	int outcome, dry_run;
};

static void
on_opt(int id, const char *arg, void *ctx)
{
	static const int col[] = {
		[OPT_TITLE] = DC_TITLE, [OPT_AMOUNT] = DC_AMOUNT,
		[OPT_CURRENCY] = DC_CURRENCY, [OPT_PRODUCT] = DC_PRODUCT,
		[OPT_SOURCE] = DC_SOURCE, [OPT_EXPECTED] = DC_EXPECTED_CLOSE,
		[OPT_EXTERNAL] = DC_EXTERNAL_ID,
	};
	struct args *a = ctx;

	switch (id) {
	case OPT_STAGE: a->stage = arg; break;
	case OPT_OWNER: a->owner = a->in.v[DC_OWNER] = arg; break;
	case OPT_TEAM: a->team = arg; break;
	case OPT_CUSTOMER:
		a->customer = crm_parse_int("customer", arg, 1, 1LL << 62);
		break;
	case OPT_REASON: a->reason = a->in.v[DC_LOST_REASON] = arg; break;
	case OPT_AT: a->at = arg; break;
	case OPT_OPEN: case OPT_WON: case OPT_LOST:
		if (a->outcome >= 0)
			crm_usage_error("--open, --won and --lost exclude each other");
		a->outcome = id == OPT_OPEN ? CRM_OPEN : id == OPT_WON ? CRM_WON :
		    CRM_LOST;
		break;
	case OPT_CLOSING: a->closing = arg; break;
	case OPT_MATCH:
		if (strchr(arg, '=') == NULL || *arg == '=')
			crm_usage_error("--match takes FIELD=REGEX, got '%s'", arg);
		sv_push(&a->matches, arg);
		break;
	case OPT_CREATE: a->im.create_customers = 1; break;
	case OPT_ENCODING: a->im.encoding = arg; break;
	case OPT_SKIP_BAD: a->im.skip_bad = 1; break;
	case OPT_REJECTS: a->im.rejects = arg; break;
	case OPT_DRY_RUN: a->dry_run = 1; break;
	default:
		if ((size_t)id < sizeof col / sizeof col[0] && col[id])
			a->in.v[col[id]] = arg;
	}
}

/* --at as UTC text in OUT, or NULL without it; after the database is open. */
static const char *
at_opt(const struct args *a, char out[CRM_TIME_LEN])
{
	time_t t;

	if (a->at == NULL)
		return NULL;
	if (crm_parse_time(a->at, &t) == -1)
		crm_usage_error("--at: bad date '%s' (use YYYY-MM-DD[THH:MM[:SS]])",
		    a->at);
	crm_format_time(t, out);
	if (strcmp(out, crm_now_text()) > 0)
		crm_die("--at: '%s' is in the future", a->at);
	return out;
}

struct add_ctx {
	struct crm_run *run;
	struct crm_pipeline pl;
	struct crm_deal_echo *echo;
	const struct crm_deal_in *in;
	long long first;		/* the first deal added */
};

static void
add_one(long long cid, const char *where, void *ctx)
{
	struct add_ctx *x = ctx;
	struct crm_deal_customer c;
	struct crm_deal_new d;
	const char *err;
	long long id;

	if (!crm_deal_customer_get(x->run->db, cid, &c))
		crm_die("%s: no customer %lld", where, cid);
	if ((err = crm_deal_check(x->run->db, &x->pl, &c, x->in, &d, NULL)) != NULL)
		crm_die("%s: customer %lld: %s", where, cid, err);
	id = crm_deal_insert(x->run->db, &c, x->in, &d);
	if (x->first == 0)
		x->first = id;
	crm_deal_echo(x->echo, x->run->db, id, NULL);
	x->run->rows++;
}

/* add: a deal of each customer, by operands or the id column of stdin. */
static int
deal_add(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct crm_run run;
	struct add_ctx x = { &run, { 0, NULL, NULL }, NULL, &a->in, 0 };
	const struct crm_stage *st;
	char at[CRM_TIME_LEN];

	if (a->in.v[DC_TITLE] == NULL)
		crm_usage_error("add needs --title");
	a->in.v[DC_STAGE] = a->stage;
	if (argc == 1)
		crm_run_read_inputs(0, NULL);
	crm_run_begin(&run, CRM_BATCH_DEAL_ADD, a->dry_run ? CRM_RUN_DRY : 0, NULL);
	a->in.v[DC_CREATED_AT] = at_opt(a, at);
	crm_pipeline_load(run.db, &x.pl);
	/* a deal added won or lost was created and closed at once */
	if (a->stage && (st = crm_stage_find(&x.pl, a->stage)) != NULL &&
	    st->outcome != CRM_OPEN)
		a->in.v[DC_CLOSED_AT] = a->at ? at : crm_now_text();
	x.echo = crm_deal_echo_open(run.out, NULL);
	rec_each_id(argc - 1, argv + 1, add_one, &x);
	if (x.first)
		crm_deals_enter(run.db, &x.pl, x.first);
	crm_deal_echo_close(x.echo);
	crm_pipeline_free(&x.pl);
	crm_run_end(&run);
	return 0;
}

static int
deal_import(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct crm_deal_import_stats st;
	struct crm_run run;

	crm_run_read_inputs(argc - 1, argv + 1);
	crm_run_begin(&run, CRM_BATCH_DEAL_IMPORT, a->dry_run ? CRM_RUN_DRY : 0,
	    argc > 1 ? argv[1] : "-");
	crm_deal_import(&run, argc - 1, argv + 1, &a->im, &st);
	if (!crm_g.quiet)
		crm_warn("%s%lld deal%s imported, %lld customer%s created",
		    a->dry_run ? "would have: " : "", st.deals,
		    st.deals == 1 ? "" : "s", st.customers,
		    st.customers == 1 ? "" : "s");
	crm_run_end(&run);
	return 0;
}

static int
deal_list(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct crm_deal_filter f;
	struct crm_filter unused = { 0 };
	struct crm_pipeline pl;
	struct crm_matches *mt;
	struct crm_deal_cursor *c;
	struct crm_db *db;
	struct rec_writer *w;
	const char *const *v;

	(void)argv;
	if (argc > 1)
		crm_usage_error("list takes no operands (filters are options)");
	memset(&f, 0, sizeof f);
	f.owner = a->owner;
	f.team = a->team;
	f.customer_id = a->customer;
	f.outcome = a->outcome;
	mt = crm_matches_compile(&a->matches, &unused);
	crm_matches_columns(mt, DC_N, crm_deal_cols);
	db = crm_db_open(CRM_DB_READ);
	crm_pipeline_load(db, &pl);
	if (a->stage) {
		const struct crm_stage *st = crm_stage_find(&pl, a->stage);

		if (st == NULL)
			crm_die("--stage: no stage '%s' (%s)", a->stage, pl.names);
		f.stage_id = st->id;
	}
	if (a->closing && crm_deal_filter_closing(&f, a->closing) == -1)
		crm_usage_error("--closing: '%s' is no period (2026, 2026-Q4, "
		    "2026-11, 2026-W48, 2026-11-22 or FROM..TO)", a->closing);
	c = crm_deals_open(db, &f);
	w = recw_open(stdout, "standard output", crm_g.csv);
	recw_header(w, DC_N, crm_deal_cols);
	while ((v = crm_deals_next(c)) != NULL)
		if (crm_matches(mt, v))
			recw_row(w, DC_N, v);
	recw_close(w);
	crm_deals_close(c);
	crm_matches_free(mt);
	crm_pipeline_free(&pl);
	crm_db_close(db);
	return 0;
}

struct each {
	struct crm_run *run;
	struct args *a;
	const struct crm_stage *stage;
	const char *at;
	int failed;
};

/* show: a deal the actor may read, else a note and exit 1 at the end. */
static int
show_one(long long id, const char *where, void *ctx)
{
	struct each *x = ctx;
	struct crm_db *db = x->run->db;
	long long cid = crm_deal_customer_of(db, id);

	if (cid < 0)
		crm_warn("%s: no deal %lld", where, id);
	else if (!crm_deal_readable(db, id))
		crm_warn("%s: permission denied: deal %lld is of customer %lld, "
		    "which you ('%s', %s) neither own nor share a pool with, "
		    "and not yours", where, id, cid, crm_actor(db),
		    crm_actor_describe(db));
	else
		return 1;
	x->failed = 1;
	return 0;
}

static int
deal_show(int argc, char **argv, void *args)
{
	struct crm_run run;
	struct each x = { &run, args, NULL, NULL, 0 };

	memset(&run, 0, sizeof run);
	if (argc == 1)
		crm_run_read_inputs(0, NULL);	/* a writer upstream commits first */
	run.db = crm_db_open(CRM_DB_READ);
	run.out = recw_open(stdout, "standard output", crm_g.csv);
	crm_deal_each(&run, argc - 1, argv + 1, show_one, &x);
	recw_close(run.out);
	crm_db_close(run.db);
	return x.failed;
}

static int
update_one(long long id, const char *where, void *ctx)
{
	struct each *x = ctx;
	const char *err;
	int changed;

	if ((err = crm_deal_update(x->run->db, id, &x->a->in, x->at,
	    &changed)) != NULL)
		crm_die("%s: %s", where, err);
	x->run->rows += changed;
	return 1;
}

/* update: the fields given, of each deal by operand or the id column of stdin. */
static int
deal_update(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct crm_run run;
	struct each x = { &run, a, NULL, NULL, 0 };
	char at[CRM_TIME_LEN];
	int any = 0;

	for (int i = 0; i < DC_N; i++)
		any |= a->in.v[i] != NULL;
	if (!any)
		crm_usage_error("update needs a field to change (--title, "
		    "--amount, --owner, ...)");
	if (argc == 1)
		crm_run_read_inputs(0, NULL);
	crm_run_begin(&run, CRM_BATCH_DEAL_UPDATE, a->dry_run ? CRM_RUN_DRY : 0,
	    NULL);
	x.at = at_opt(a, at);
	crm_deal_each(&run, argc - 1, argv + 1, update_one, &x);
	crm_run_end(&run);
	return 0;
}

static int
move_one(long long id, const char *where, void *ctx)
{
	struct each *x = ctx;
	const char *err;
	int changed;

	if ((err = crm_deal_move(x->run->db, id, x->stage, x->at, x->a->reason,
	    &changed)) != NULL)
		crm_die("%s: %s", where, err);
	x->run->rows += changed;
	return 1;
}

/* stage [ID ...] STAGE, won [ID ...], lost [ID ...]: move deals. */
static int
deal_stage(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct crm_run run;
	struct crm_pipeline pl;
	struct each x = { &run, a, NULL, NULL, 0 };
	const char *name = NULL;
	char at[CRM_TIME_LEN];

	if (strcmp(argv[0], "stage") == 0) {
		if (argc < 2)
			crm_usage_error("stage needs a STAGE (and deal ids, or "
			    "records on stdin)");
		name = argv[--argc];
	} else if (strcmp(argv[0], "lost") == 0 && str_blank(a->reason))
		crm_usage_error("lost needs --reason");
	if (argc == 1)
		crm_run_read_inputs(0, NULL);
	crm_run_begin(&run, CRM_BATCH_DEAL_STAGE, a->dry_run ? CRM_RUN_DRY : 0,
	    NULL);
	x.at = at_opt(a, at);
	crm_pipeline_load(run.db, &pl);
	if (name && (x.stage = crm_stage_find(&pl, name)) == NULL)
		crm_die("no stage '%s' (%s)", name, pl.names);
	if (name == NULL)
		x.stage = crm_stage_first(&pl, strcmp(argv[0], "won") == 0 ?
		    CRM_WON : CRM_LOST);
	crm_deal_each(&run, argc - 1, argv + 1, move_one, &x);
	crm_pipeline_free(&pl);
	crm_run_end(&run);
	return 0;
}

/* stages: the pipeline; stages set FILE: replace it. */
static int
deal_stages(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct crm_run run;
	struct rec_reader *r;
	struct crm_db *db;
	struct rec_writer *w;

	if (argc == 1) {
		if (a->dry_run || a->im.encoding)
			crm_usage_error("-n and -E are for stages set");
		db = crm_db_open(CRM_DB_READ);
		w = recw_open(stdout, "standard output", crm_g.csv);
		crm_stages_write(db, w);
		recw_close(w);
		crm_db_close(db);
		return 0;
	}
	if (argc != 3 || strcmp(argv[1], "set") != 0)
		crm_usage_error("stages takes nothing, or set FILE");
	crm_run_read_inputs(1, argv + 2);
	crm_run_begin(&run, CRM_BATCH_DEAL_STAGES_SET, a->dry_run ? CRM_RUN_DRY :
	    0, argv[2]);
	r = rec_open(argv[2], crm_g.csv, a->im.encoding);
	run.rows = crm_stages_set(run.db, r);
	rec_close(r);
	crm_stages_write(run.db, run.out);
	crm_run_end(&run);
	return 0;
}

int
cmd_main(int argc, char **argv)
{
	struct args a;
	int rc;

	memset(&a, 0, sizeof a);
	a.outcome = -1;
	argc = crm_parse_options(argc, argv, on_opt, &a);
	rc = crm_run_command(argc, argv, &a);
	sv_free(&a.matches);
	return rc;
}
