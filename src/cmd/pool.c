/* crm-pool: public pools (公海): configure, list, claim, release, reclaim. */
#include "../crm.h"

enum {
	OPT_FIRST_ = 0,
#define OPT(id, s, l, a, m, c, k, h) OPT_##id,
#include "pool.opts"
#undef OPT
};

static const struct crm_opt pool_options[] = {
#define OPT(id, s, l, a, m, c, k, h) { OPT_##id, s, l, a, m, c, k, h },
#include "pool.opts"
#include "../lib/common.opts"
#undef OPT
	{ 0, 0, NULL, ARG_NONE, NULL, NULL, NULL, NULL }
};

static const char *const pool_usage[] = {
	"create [-n] NAME [--members LIST] [--admins LIST] [--region REGION] [--industry INDUSTRY] [RULE-OPTIONS]",
	"set [-n] NAME [--members LIST] [--admins LIST] [--region REGION] [--industry INDUSTRY] [RULE-OPTIONS]",
	"pools",
	"list [-p POOL]",
	"claim [-nf] [--partial] [ID ...]",
	"claim [-n] --next N -p POOL",
	"release [-n] --reason TEXT [--to POOL] [ID ...]",
	"assign [-nf] [--partial] --to USER [ID ...]",
	"move [-n] --to POOL [--reason TEXT] [ID ...]",
	"reclaim [-n] [--explain] [-p POOL]",
	"due [--within DURATION] [-p POOL] [--owner USER]",
	"undo [-n] BATCH",
	NULL
};

static int pool_configure(int, char **, void *), pool_read(int, char **, void *);
static int pool_take(int, char **, void *), pool_put(int, char **, void *);
struct args;
static int claim_next(struct args *a);
static int pool_reclaim(int, char **, void *), pool_undo(int, char **, void *);

static const struct crm_cmd pool_cmds[] = {
	{ "create", pool_configure }, { "set", pool_configure },
	{ "pools", pool_read }, { "list", pool_read }, { "due", pool_read },
	{ "claim", pool_take }, { "assign", pool_take },
	{ "release", pool_put }, { "move", pool_put },
	{ "reclaim", pool_reclaim }, { "undo", pool_undo }, { NULL, NULL }
};

const struct crm_prog crm_prog = {
	"crm-pool", "public pools: claim, release and reclaim customers",
	pool_usage, pool_options, pool_cmds
};

struct args {
	struct strvec settings;		/* "NAME=VALUE" for create and set */
	struct crm_pool check;		/* the settings parsed, to check them */
	const char *pool, *to, *reason, *owner;
	long long within;		/* seconds; -1: each pool's warn days */
	long long next;			/* claim --next N */
	int dry_run, explain, force, partial;
};

/* The columns a change of holder changes, refreshed in the records echoed. */
static const char *const holder_cols[] = {
	"owner", "owner_since", "pool", "pool_since", NULL
};

static void
on_opt(int id, const char *arg, void *ctx)
{
	struct args *a = ctx;
	const struct crm_opt *o;
	const char *err;
	char *set;

	switch (id) {
	case OPT_POOL: a->pool = arg; break;
	case OPT_NEXT: a->next = crm_parse_int("next", arg, 1, 1000000); break;
	case OPT_TO: a->to = arg; break;
	case OPT_REASON: a->reason = arg; break;
	case OPT_OWNER: a->owner = arg; break;
	case OPT_WITHIN:
		if ((a->within = crm_parse_duration(arg)) < 0)
			crm_usage_error("--within takes a duration such as 3d, 12h "
			    "or 2w, got '%s'", arg);
		break;
	case OPT_EXPLAIN: a->explain = 1; break;
	case OPT_FORCE: a->force = 1; break;
	case OPT_PARTIAL: a->partial = 1; break;
	case OPT_DRY_RUN: a->dry_run = 1; break;
	default:
		/* A pool setting: checked now, applied by create or set. */
		for (o = pool_options; o->name && o->id != id; o++)
			;
		if ((err = crm_pool_setting(&a->check, o->name, arg)) != NULL)
			crm_usage_error("%s", err);
		set = xasprintf("%s=%s", o->name, arg);
		sv_push(&a->settings, set);
		free(set);
	}
}

static unsigned
run_flags(const struct args *a)
{
	return a->dry_run ? CRM_RUN_DRY : 0;
}

/* create NAME, set NAME: a pool's members, admins, filters and rules. */
static int
pool_configure(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct crm_run run;
	int create = strcmp(argv[0], "create") == 0;

	if (argc != 2)
		crm_usage_error("%s takes one NAME", argv[0]);
	if (!create && a->settings.n == 0)
		crm_usage_error("set: nothing to change (give a rule, --members "
		    "or --admins)");
	crm_run_begin(&run, create ? CRM_BATCH_POOL_CREATE : CRM_BATCH_POOL_SET,
	    run_flags(a), NULL);
	run.rows = crm_pool_configure(run.db, argv[1], create, &a->settings);
	if (run.rows == 0 && !crm_g.quiet)
		crm_warn("pool '%s': no change", argv[1]);
	crm_pools_write(run.db, run.out, argv[1]);
	crm_run_end(&run);
	return 0;
}

/* pools, list, due: records from the database, as the actor may see them. */
static int
pool_read(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct crm_db *db;
	struct rec_writer *w;

	if (argc != 1)
		crm_usage_error("%s takes no operands%s", argv[0],
		    strcmp(argv[0], "pools") == 0 ? "" : " (use --pool)");
	db = crm_db_open(CRM_DB_READ);
	w = recw_open(stdout, "standard output", crm_g.csv);
	if (strcmp(argv[0], "pools") == 0)
		crm_pools_write(db, w, NULL);
	else if (strcmp(argv[0], "list") == 0)
		crm_pool_list(db, w, a->pool);
	else
		crm_pool_due_list(db, w, a->pool, a->owner, a->within);
	recw_close(w);
	crm_db_close(db);
	return 0;
}

struct take {
	struct crm_run *run;
	const char *verb, *reason;
	long long user_id, refused;
	int how, partial;
};

/* Give customer ID to the taker; a refusal ends the run unless --partial. */
static int
take_one(long long id, const char *where, void *ctx)
{
	struct take *t = ctx;
	struct crm_refusal r;

	(void)where;
	if (crm_pool_take(t->run->db, id, t->user_id, t->how, t->reason, &r)) {
		t->run->rows++;
		return 1;
	}
	if (!t->partial)
		crm_die("%s %lld: %s", t->verb, id, r.why);
	crm_warn("%s %lld: %s", t->verb, id, r.why);
	t->refused++;
	return 0;
}

/*
** claim --next N -p POOL: the actor takes the N customers longest in the
** pool that it may claim, each echoed whole; fewer when the pool runs out
** or a rule stops it (exit 1 then, saying why).
*/
static int
claim_next(struct args *a)
{
	struct crm_run run;
	struct crm_refusal r;
	long long pool, user, id;

	if (a->pool == NULL)
		crm_usage_error("claim --next needs --pool POOL");
	if (a->force || a->partial)
		crm_usage_error("claim --next takes neither --force nor --partial");
	crm_run_begin(&run, CRM_BATCH_POOL_CLAIM, run_flags(a) | CRM_RUN_ROWS, NULL);
	pool = crm_pool_find(run.db, a->pool);
	user = crm_pool_taker(run.db, NULL);
	crm_run_echo_open(&run, NULL, NULL);
	while (run.rows < a->next) {
		if ((id = crm_pool_claim_next(run.db, pool, user, "claim", &r)) < 0)
			break;
		crm_run_echo(&run, id, NULL);
		run.rows++;
	}
	if (run.rows < a->next)
		crm_warn("claim --next %lld: %lld %sclaimed: %s", a->next, run.rows,
		    a->dry_run ? "would be " : "", r.why);
	crm_run_end(&run);
	return run.rows < a->next ? 1 : 0;
}

/* claim (for the actor) and assign (to --to): pooled customers get an owner. */
static int
pool_take(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct crm_run run;
	struct take t = { &run, argv[0], NULL, -1, 0, CRM_TAKE_ASSIGN, a->partial };
	int claim = strcmp(argv[0], "claim") == 0;

	if (!claim && a->to == NULL)
		crm_usage_error("assign needs --to USER");
	if (a->next)
		return claim_next(a);
	if (claim && a->pool)
		crm_usage_error("claim: --pool goes with --next");
	if (claim)
		t.how = CRM_TAKE_CLAIM;
	if (a->force)
		t.how = CRM_TAKE_FORCE;
	t.reason = claim ? (a->force ? "claim (forced)" : "claim") :
	    (a->force ? "assign (forced)" : "assign");
	if (argc == 1)
		crm_run_read_inputs(0, NULL);	/* ids from stdin: read them first */
	crm_run_begin(&run, claim ? CRM_BATCH_POOL_CLAIM : CRM_BATCH_POOL_ASSIGN,
	    run_flags(a) | (claim ? CRM_RUN_ROWS : 0), NULL);
	t.user_id = crm_pool_taker(run.db, claim ? NULL : a->to);
	crm_run_each_if(&run, argc - 1, argv + 1, holder_cols, take_one, &t);
	if (t.refused && !crm_g.quiet)
		crm_warn("%lld %s%s, %lld refused", run.rows, a->dry_run ?
		    "would be " : "", claim ? "claimed" : "assigned", t.refused);
	crm_run_end(&run);
	return t.refused ? 1 : 0;
}

struct put {
	struct crm_run *run;
	const char *verb;
	char *reason;
	long long pool_id;
	int release;
};

/* Put customer ID into the pool; a refusal ends the run. */
static int
put_one(long long id, const char *where, void *ctx)
{
	struct put *x = ctx;
	struct crm_refusal r;

	(void)where;
	if (crm_pool_put(x->run->db, id, x->pool_id, x->release, x->reason, &r))
		x->run->rows++;
	else if (r.rule)
		crm_die("%s %lld: %s", x->verb, id, r.why);
	else if (!crm_g.quiet)
		crm_warn("%s %lld: %s", x->verb, id, r.why);
	return 1;
}

/* release (its owner gives it back) and move (an admin's): into a pool. */
static int
pool_put(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct crm_run run;
	struct put x = { &run, argv[0], NULL, -1, 0 };

	x.release = strcmp(argv[0], "release") == 0;
	if (x.release && str_blank(a->reason))
		crm_usage_error("release needs --reason TEXT");
	if (!x.release && a->to == NULL)
		crm_usage_error("move needs --to POOL");
	if (argc == 1)
		crm_run_read_inputs(0, NULL);
	crm_run_begin(&run, x.release ? CRM_BATCH_POOL_RELEASE :
	    CRM_BATCH_POOL_MOVE, run_flags(a), NULL);
	if (a->to)
		x.pool_id = crm_pool_find(run.db, a->to);
	x.reason = a->reason ? xasprintf("%s: %s", argv[0], a->reason) :
	    xstrdup(argv[0]);
	crm_run_each_if(&run, argc - 1, argv + 1, holder_cols, put_one, &x);
	crm_run_end(&run);
	free(x.reason);
	return 0;
}

/* reclaim: for cron, every customer due now goes back to its pool. */
static int
pool_reclaim(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct crm_run run;

	(void)argv;
	if (argc != 1)
		crm_usage_error("reclaim takes no operands (use --pool)");
	crm_run_begin(&run, CRM_BATCH_POOL_RECLAIM, run_flags(a), NULL);
	run.rows = crm_pools_reclaim(run.db, run.out, a->pool, a->explain);
	crm_run_end(&run);
	return 0;
}

/* undo BATCH: of crm-pool's, with the clocks it moved. */
static int
pool_undo(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct crm_run run;
	long long b;

	if (argc != 2 || crm_parse_id(argv[1], &b) == -1)
		crm_usage_error("undo takes one BATCH number");
	crm_run_begin(&run, CRM_BATCH_POOL_UNDO, run_flags(a), NULL);
	crm_require_admin(run.db, "undo");
	crm_batch_require(run.db, b, "crm-pool ");
	run.rows = crm_batch_undo(run.db, b, crm_undo_skipped, NULL);
	if (!crm_g.quiet)
		crm_warn("%s%lld change%s of batch %lld undone", a->dry_run ?
		    "would have: " : "", run.rows, run.rows == 1 ? "" : "s", b);
	crm_run_end(&run);
	return 0;
}

int
cmd_main(int argc, char **argv)
{
	struct args a;
	int rc;

	memset(&a, 0, sizeof a);
	crm_pool_init(&a.check);
	a.within = -1;
	argc = crm_parse_options(argc, argv, on_opt, &a);
	rc = crm_run_command(argc, argv, &a);
	sv_free(&a.settings);
	crm_pool_free(&a.check);
	return rc;
}
