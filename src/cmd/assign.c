/*
** crm-assign: give customers owners: one user, round-robin, balanced,
** weighted, rules.  It has no commands: one run reads its input, takes
** the write lock, assigns every row in one batch, commits and only then
** prints the rows with their owners and pools as they now stand.
*/
#include <limits.h>

#include "../crm.h"

enum {
	OPT_FIRST_ = 0,
#define OPT(id, s, l, a, m, c, k, h) OPT_##id,
#include "assign.opts"
#undef OPT
};

static const struct crm_opt assign_options[] = {
#define OPT(id, s, l, a, m, c, k, h) { OPT_##id, s, l, a, m, c, k, h },
#include "assign.opts"
#include "../lib/common.opts"
#undef OPT
	{ 0, 0, NULL, ARG_NONE, NULL, NULL, NULL, NULL }
};

static const char *const assign_usage[] = {
	"[-fnx] --to USER [ID ...]",
	"[-fnx] --round-robin SET | --balanced SET | --weighted SET [--seed N] [ID ...]",
	"[-fnx] --rules FILE [--seed N] [ID ...]",
	"[-nx] --transfer-from USER --to USER[,USER...] [ID ...]",
	"[-n] --undo BATCH",
	NULL
};

const struct crm_prog crm_prog = {
	"crm-assign", "give customers owners: round-robin, balanced, weighted, rules",
	assign_usage, assign_options, NULL
};

struct args {
	struct crm_assign_opts o;
	enum crm_strategy s;
	const char *set, *rules, *strategy_opt;
	int nstrategies, explain, dry_run;
	long long undo;
};

static void
on_opt(int id, const char *arg, void *ctx)
{
	struct args *a = ctx;

	switch (id) {
	case OPT_TO:
	case OPT_ROUND_ROBIN:
	case OPT_BALANCED:
	case OPT_WEIGHTED:
	case OPT_RULES:
		a->nstrategies++;
		a->s = id == OPT_TO ? CRM_TO : id == OPT_ROUND_ROBIN ?
		    CRM_ROUND_ROBIN : id == OPT_BALANCED ? CRM_BALANCED :
		    CRM_WEIGHTED;
		a->strategy_opt = id == OPT_TO ? "--to" : id == OPT_ROUND_ROBIN ?
		    "--round-robin" : id == OPT_BALANCED ? "--balanced" :
		    id == OPT_WEIGHTED ? "--weighted" : "--rules";
		if (id == OPT_RULES)
			a->rules = arg;
		else
			a->set = arg;
		break;
	case OPT_SEED:
		a->o.seeded = 1;
		a->o.seed = (unsigned long long)crm_parse_int("seed", arg, 0,
		    LLONG_MAX);
		break;
	case OPT_FORCE: a->o.force = 1; break;
	case OPT_TRANSFER_FROM: a->o.transfer_from = arg; break;
	case OPT_EXPLAIN: a->explain = 1; break;
	case OPT_DRY_RUN: a->dry_run = 1; break;
	case OPT_UNDO: a->undo = crm_parse_int("undo", arg, 1, LLONG_MAX); break;
	}
}

/* What one run did, and the refusals to report once it has committed. */
struct tally {
	const struct args *args;
	struct strvec msgs;
	long long n[CRM_NOT_FOUND + 1];
	long long deals, followups;
};

/* Count RES and keep a message for a row that was not assigned. */
static void
note(struct tally *t, const char *where, long long id,
    const struct crm_assign_result *res)
{
	char *m = NULL;

	t->n[res->outcome]++;
	t->deals += res->deals;
	t->followups += res->followups;
	switch (res->outcome) {
	case CRM_ASSIGNED:
	case CRM_KEPT:
		return;
	case CRM_REFUSED:
		m = xasprintf("%s: customer %lld is %s", where, id, res->explain);
		break;
	case CRM_UNASSIGNED:
		m = xasprintf("%s: customer %lld not assigned: %s", where, id,
		    res->explain);
		break;
	case CRM_NOT_FOUND:
		m = xasprintf("%s: no customer %lld", where, id);
		break;
	}
	sv_push(&t->msgs, m);
	free(m);
}

/*
** Assign the ID operands, or without any the customers a transfer
** takes: records of "id" and the columns out_open() adds.
*/
static void
assign_ids(struct crm_run *run, struct crm_assigner *as, struct tally *t,
    int argc, char **argv)
{
	static const char *const id[] = { "id" };
	long long *ids = NULL;
	size_t n = (size_t)argc;
	char where[64];

	if (argc > 0) {
		ids = xcalloc(n, sizeof *ids);
		for (size_t i = 0; i < n; i++)
			crm_parse_id(argv[i], &ids[i]);
	} else
		n = crm_assign_transfer_ids(as, &ids);
	crm_assigner_columns(as, 0, NULL);
	crm_assign_out_open(as, run->out, 1, id, t->args->explain);
	for (size_t i = 0; i < n; i++) {
		struct crm_assign_result res;

		crm_assign_one(as, ids[i], 0, NULL, &res);
		if (argc > 0)
			snprintf(where, sizeof where, "argument %zu", i + 1);
		else
			snprintf(where, sizeof where, "%s's customer",
			    t->args->o.transfer_from);
		note(t, where, ids[i], &res);
		crm_assign_out_row(as, ids[i], NULL, &res);
	}
	free(ids);
}

/* Assign the customers of the records on stdin, every column passed through. */
static void
assign_stream(struct crm_run *run, struct crm_assigner *as, struct tally *t)
{
	struct rec_reader *r = rec_open("-", crm_g.csv, NULL);
	struct progress *pg;
	size_t n = rec_ncol(r);
	int idcol = rec_col(r, "id");
	const char **names;
	struct rec *rec;
	char where[64];

	if (idcol < 0)
		crm_die("%s: no 'id' column in the input", rec_name(r));
	names = xcalloc(n + 1, sizeof *names);
	for (size_t i = 0; i < n; i++)
		names[i] = rec_colname(r, i);
	crm_assigner_columns(as, n, names);
	crm_assign_out_open(as, run->out, n, names, t->args->explain);
	pg = progress_start("assigning", rec_size(r));
	while ((rec = rec_next(r)) != NULL) {
		struct crm_assign_result res;
		const char *err;
		long long id;

		progress_update(pg, rec_bytes(r));
		if ((err = rec_width_error(r, rec)) != NULL)
			crm_die("%s:%lu: %s", rec_name(r), rec->line, err);
		if (crm_parse_id(rec->v[idcol], &id) == -1)
			crm_die("%s:%lu: id: '%s' is not a customer id", rec_name(r),
			    rec->line, rec->v[idcol] ? rec->v[idcol] : "");
		crm_assign_one(as, id, rec->n, (const char *const *)rec->v, &res);
		snprintf(where, sizeof where, "%s:%lu", rec_name(r), rec->line);
		note(t, where, id, &res);
		crm_assign_out_row(as, id, (const char *const *)rec->v, &res);
	}
	progress_stop(pg);
	free(names);
	rec_close(r);
}

/*
** --undo BATCH: revert a crm-assign batch, clocks included, in a new
** batch.  Returns 1 when some changes were skipped (changed since).
*/
static int
assign_undo(const struct args *a, int argc)
{
	struct crm_run run;
	long long skipped = 0, batch;

	if (argc > 0)
		crm_usage_error("--undo takes no ids");
	if (a->nstrategies || a->o.transfer_from || a->o.force || a->o.seeded ||
	    a->explain)
		crm_usage_error("--undo takes no strategy, --transfer-from, "
		    "--force, --seed or --explain");
	crm_run_begin(&run, CRM_BATCH_ASSIGN_UNDO, a->dry_run ? CRM_RUN_DRY : 0,
	    NULL);
	batch = crm_batch_id(run.db);
	run.rows = crm_assign_undo(run.db, a->undo, crm_undo_skipped, &skipped);
	if (a->dry_run && !crm_g.quiet)
		crm_warn("would have: undone %lld change%s of batch %lld, %lld "
		    "skipped", run.rows, run.rows == 1 ? "" : "s", a->undo, skipped);
	crm_run_end(&run);
	if (!a->dry_run && !crm_g.quiet)
		crm_warn("batch %lld: undid %lld change%s of batch %lld, %lld "
		    "skipped", batch, run.rows, run.rows == 1 ? "" : "s", a->undo,
		    skipped);
	return skipped ? CRM_EXIT_FAIL : CRM_EXIT_OK;
}

/*
** The refusals, then "batch 7: 3 assigned, 1 already owned, 2 refused"
** (the nonzero counts; "would have: ..." in a dry run, batch 0).
*/
static void
report(struct tally *t, long long batch)
{
	static const char *const what[] = {
		[CRM_ASSIGNED] = "assigned", [CRM_KEPT] = "already owned",
		[CRM_REFUSED] = "refused", [CRM_UNASSIGNED] = "not assigned",
		[CRM_NOT_FOUND] = "not found"
	};
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < t->msgs.n; i++)
		crm_warn("%s", t->msgs.v[i]);
	if (crm_g.quiet)
		return;
	sb_init(&sb);
	for (int i = 0; i <= CRM_NOT_FOUND; i++)
		if (t->n[i] || i == CRM_ASSIGNED)
			sb_addf(&sb, "%s%lld %s", sb.len ? ", " : "", t->n[i],
			    what[i]);
	if (t->args->o.transfer_from)
		sb_addf(&sb, "; %lld open deal%s and %lld planned follow-up%s "
		    "moved", t->deals, t->deals == 1 ? "" : "s", t->followups,
		    t->followups == 1 ? "" : "s");
	if (batch)
		crm_warn("batch %lld: %s", batch, sb.buf);
	else
		crm_warn("would have: %s", sb.buf);
	sb_free(&sb);
}

/* A transfer's note of the deals and follow-ups its user keeps elsewhere. */
static void
transfer_note(struct tally *t, struct crm_assigner *as)
{
	long long d, f;
	char *m;

	crm_assign_transfer_left(as, &d, &f);
	if (crm_g.quiet || (d == 0 && f == 0))
		return;
	m = xasprintf("note: %s still has %lld open deal%s and %lld planned "
	    "follow-up%s on customers of others", t->args->o.transfer_from, d,
	    d == 1 ? "" : "s", f, f == 1 ? "" : "s");
	sv_push(&t->msgs, m);
	free(m);
}

/*
** One run: check the options and read the rules and the piped input
** before the lock; then in one transaction and batch assign every row
** and store the round-robin and weighted state; commit (roll back with
** --dry-run), print the records, then the refusals.  Returns 1 when any
** row was refused, not assigned or not found.
*/
int
cmd_main(int argc, char **argv)
{
	struct args a;
	struct tally t;
	struct crm_run run;
	struct crm_assigner *as;
	struct crm_rules *rs = NULL;
	long long id, batch;
	char err[512];
	int rc;

	memset(&a, 0, sizeof a);
	memset(&t, 0, sizeof t);
	t.args = &a;
	argc = crm_parse_options(argc, argv, on_opt, &a);
	if (a.undo)
		return assign_undo(&a, argc);
	if (a.nstrategies == 0)
		crm_usage_error("say how to assign: --to, --round-robin, "
		    "--balanced, --weighted or --rules");
	if (a.nstrategies > 1)
		crm_usage_error("only one of --to, --round-robin, --balanced, "
		    "--weighted and --rules");
	if (a.o.seeded && a.rules == NULL && a.s != CRM_WEIGHTED)
		crm_usage_error("--seed is for --weighted (or weighted rules), "
		    "not %s", a.strategy_opt);
	for (int i = 0; i < argc; i++)
		if (crm_parse_id(argv[i], &id) == -1)
			crm_usage_error("'%s' is not a customer id", argv[i]);
	if (a.rules &&
	    (rs = crm_rules_load(a.rules, crm_assign_action_check, NULL, err,
	    sizeof err)) == NULL)
		crm_usage_error("%s", err);
	if (argc == 0 && a.o.transfer_from == NULL)
		crm_run_read_inputs(0, NULL);

	crm_run_begin(&run, a.o.transfer_from ? CRM_BATCH_ASSIGN_TRANSFER :
	    CRM_BATCH_ASSIGN, a.dry_run ? CRM_RUN_DRY : 0, a.rules);
	as = crm_assigner_new(run.db, &a.o);
	if (rs)
		crm_assigner_use_rules(as, rs);
	else
		crm_assigner_use(as, a.s, a.set);
	if (a.o.seeded && !crm_assigner_is_weighted(as))
		crm_usage_error("--seed is for weighted choices, and the rules "
		    "in '%s' make none", a.rules);
	if (argc > 0 || a.o.transfer_from)
		assign_ids(&run, as, &t, argc, argv);
	else
		assign_stream(&run, as, &t);
	crm_assigner_finish(as);
	if (a.o.transfer_from)
		transfer_note(&t, as);
	run.rows = t.n[CRM_ASSIGNED];
	batch = crm_batch_id(run.db);
	if (a.dry_run)
		report(&t, 0);
	crm_assigner_free(as);
	crm_run_end(&run);
	if (!a.dry_run)
		report(&t, batch);
	rc = t.n[CRM_REFUSED] || t.n[CRM_UNASSIGNED] || t.n[CRM_NOT_FOUND] ?
	    CRM_EXIT_FAIL : CRM_EXIT_OK;
	sv_free(&t.msgs);
	return rc;
}
