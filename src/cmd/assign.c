/* crm-assign: give customers owners: one user, round-robin, balanced, weighted, rules. */
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
	int nstrategies, explain, dry_run, seed_given;
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

/* What one run did, and the refusals to report at its end. */
struct run {
	struct args *args;
	struct crm_db *db;
	struct crm_assigner *as;
	struct rec_writer *w;
	struct strvec msgs;
	long long n[CRM_NOT_FOUND + 1];
	long long deals, followups;
};

/* Count RES and keep a message for a row that was not assigned. */
static void
note(struct run *run, const char *where, long long id,
    const struct crm_assign_result *res)
{
	char *m = NULL;

	run->n[res->outcome]++;
	run->deals += res->deals;
	run->followups += res->followups;
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
	sv_push(&run->msgs, m);
	free(m);
}

/* A customer id operand; anything else is a usage error. */
static long long
id_operand(const char *s)
{
	char *end;
	long long id;

	if (*s < '0' || *s > '9')
		crm_usage_error("'%s' is not a customer id", s);
	id = strtoll(s, &end, 10);
	if (*end != '\0' || id <= 0)
		crm_usage_error("'%s' is not a customer id", s);
	return id;
}

/* Assign the ids in IDS[0..N): records "id owner [deals followups] [explain]". */
static void
assign_ids(struct run *run, const long long *ids, size_t n, int from_args)
{
	const char *h[5], *v[5];
	size_t nh = 0;
	int transfer = run->args->o.transfer_from != NULL;

	h[nh++] = "id";
	h[nh++] = "owner";
	if (transfer) {
		h[nh++] = "deals";
		h[nh++] = "followups";
	}
	if (run->args->explain)
		h[nh++] = "explain";
	recw_header(run->w, nh, h);
	crm_assigner_columns(run->as, 0, NULL);
	for (size_t i = 0; i < n; i++) {
		struct crm_assign_result res;
		char idb[32], db[32], fb[32], where[64];
		size_t k = 0;

		crm_assign_one(run->as, ids[i], 0, NULL, &res);
		if (from_args)
			snprintf(where, sizeof where, "argument %zu", i + 1);
		else
			snprintf(where, sizeof where, "%s's customer", run->args->o.transfer_from);
		note(run, where, ids[i], &res);
		snprintf(idb, sizeof idb, "%lld", ids[i]);
		v[k++] = idb;
		v[k++] = res.owner;
		if (transfer) {
			snprintf(db, sizeof db, "%lld", res.deals);
			snprintf(fb, sizeof fb, "%lld", res.followups);
			v[k++] = db;
			v[k++] = fb;
		}
		if (run->args->explain)
			v[k++] = res.explain;
		recw_row(run->w, k, v);
	}
}

/* Assign the records of R, passing every column through. */
static void
assign_stream(struct run *run, struct rec_reader *r)
{
	struct progress *pg = progress_start("assigning", rec_size(r));
	size_t n = rec_ncol(r), nout;
	int idcol = rec_col(r, "id"), ocol = rec_col(r, "owner"), xcol = -1;
	const char **names, **out;
	struct rec *rec;
	char where[64];

	names = xcalloc(n + 2, sizeof *names);
	out = xcalloc(n + 2, sizeof *out);
	for (size_t i = 0; i < n; i++)
		names[i] = rec_colname(r, i);
	crm_assigner_columns(run->as, n, names);
	nout = n;
	if (ocol < 0)
		names[ocol = (int)nout++] = "owner";
	if (run->args->explain) {
		if ((xcol = rec_col(r, "explain")) < 0)
			names[xcol = (int)nout++] = "explain";
	}
	recw_header(run->w, nout, names);
	while ((rec = rec_next(r)) != NULL) {
		struct crm_assign_result res;
		const char *err, *s;
		char *end;
		long long id;

		progress_update(pg, rec_bytes(r));
		if ((err = rec_width_error(r, rec)) != NULL)
			crm_die("%s:%lu: %s", rec_name(r), rec->line, err);
		s = rec->v[idcol];
		if (s == NULL || *s < '0' || *s > '9' ||
		    (id = strtoll(s, &end, 10)) <= 0 || *end != '\0')
			crm_die("%s:%lu: id: '%s' is not a customer id", rec_name(r),
			    rec->line, s ? s : "\\N");
		crm_assign_one(run->as, id, rec->n, (const char *const *)rec->v,
		    &res);
		snprintf(where, sizeof where, "%s:%lu", rec_name(r), rec->line);
		note(run, where, id, &res);
		for (size_t i = 0; i < n; i++)
			out[i] = rec->v[i];
		if ((size_t)ocol >= n)
			out[ocol] = NULL;
		if (res.outcome == CRM_ASSIGNED || res.outcome == CRM_KEPT)
			out[ocol] = res.owner;
		if (xcol >= 0)
			out[xcol] = res.explain;
		recw_row(run->w, nout, out);
	}
	progress_stop(pg);
	free(names);
	free(out);
	rec_close(r);
}

/* Report a change --undo left alone; CTX counts them. */
static void
undo_skipped(const char *entity, long long id, const char *field,
    const char *why, void *ctx)
{
	long long *n = ctx;

	crm_warn("%s %lld: %s not restored: %s", entity, id, field, why);
	(*n)++;
}

/*
** --undo BATCH: revert a crm-assign batch in a new batch.  Returns 1
** when some changes were skipped (changed since), else 0; dies when the
** batch is no crm-assign batch or the actor no admin.
*/
static int
assign_undo(struct args *a, int argc)
{
	struct crm_db *db;
	long long undone, skipped = 0, batch;

	if (argc > 0)
		crm_usage_error("--undo takes no ids");
	if (a->nstrategies || a->o.transfer_from || a->o.force || a->o.seeded ||
	    a->explain)
		crm_usage_error("--undo takes no strategy, --transfer-from, "
		    "--force, --seed or --explain");
	db = crm_db_open(CRM_DB_WRITE);
	crm_db_begin(db);
	crm_require_admin(db, "undo");
	batch = crm_batch_start(db, CRM_BATCH_ASSIGN_UNDO, NULL);
	undone = crm_assign_undo(db, a->undo, undo_skipped, &skipped);
	crm_batch_set_rows(db, undone);
	if (a->dry_run)
		crm_db_rollback(db);
	else
		crm_db_commit(db);
	if (crm_g.quiet)
		;
	else if (a->dry_run)
		crm_warn("dry run: would undo %lld change%s of batch %lld, %lld "
		    "skipped; nothing was changed", undone, undone == 1 ? "" : "s",
		    a->undo, skipped);
	else
		crm_warn("batch %lld: undid %lld change%s of batch %lld, %lld "
		    "skipped", batch, undone, undone == 1 ? "" : "s", a->undo,
		    skipped);
	crm_db_close(db);
	return skipped ? CRM_EXIT_FAIL : CRM_EXIT_OK;
}

/* "3 assigned, 1 already owned, 2 refused": the nonzero counts. */
static void
summary(struct run *run, long long batch)
{
	static const char *const what[] = {
		[CRM_ASSIGNED] = "assigned", [CRM_KEPT] = "already owned",
		[CRM_REFUSED] = "refused", [CRM_UNASSIGNED] = "not assigned",
		[CRM_NOT_FOUND] = "not found"
	};
	struct strbuf sb = STRBUF_INIT;

	sb_init(&sb);
	for (int i = 0; i <= CRM_NOT_FOUND; i++)
		if (run->n[i] || i == CRM_ASSIGNED)
			sb_addf(&sb, "%s%lld %s", sb.len ? ", " : "", run->n[i],
			    what[i]);
	if (run->args->o.transfer_from)
		sb_addf(&sb, "; %lld open deal%s and %lld planned follow-up%s "
		    "moved", run->deals, run->deals == 1 ? "" : "s",
		    run->followups, run->followups == 1 ? "" : "s");
	if (run->args->dry_run)
		crm_warn("dry run: would have: %s; nothing was changed", sb.buf);
	else
		crm_warn("batch %lld: %s", batch, sb.buf);
	sb_free(&sb);
}

/*
** One run: check the options, read the rules and the input header, then
** in one transaction and batch assign every row, store the round-robin
** and weighted state, and commit (roll back with --dry-run) before the
** records and the refusals are written.  Returns 1 when any row was
** refused, not assigned or not found.
*/
int
cmd_main(int argc, char **argv)
{
	struct args a;
	struct run run;
	struct crm_rules *rs = NULL;
	struct rec_reader *in = NULL;
	long long *ids = NULL, batch;
	size_t nids = 0;
	char err[512];
	int rc;

	memset(&a, 0, sizeof a);
	memset(&run, 0, sizeof run);
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
	if (argc > 0) {
		nids = (size_t)argc;
		ids = xcalloc(nids, sizeof *ids);
		for (int i = 0; i < argc; i++)
			ids[i] = id_operand(argv[i]);
	}
	if (a.rules &&
	    (rs = crm_rules_load(a.rules, crm_assign_action_check, NULL, err,
	    sizeof err)) == NULL)
		crm_usage_error("%s", err);
	/*
	** Read the header before taking the write lock: a writer upstream
	** (crm-lead import | crm-assign) holds it until its output comes.
	*/
	if (ids == NULL && a.o.transfer_from == NULL &&
	    rec_col(in = rec_open("-", crm_g.csv, NULL), "id") < 0)
		crm_die("%s: no 'id' column in the input", rec_name(in));

	run.args = &a;
	run.db = crm_db_open(CRM_DB_WRITE);
	crm_db_begin(run.db);
	crm_require_admin(run.db, a.o.transfer_from ? "a transfer" :
	    "assigning customers");
	batch = crm_batch_start(run.db, a.o.transfer_from ?
	    CRM_BATCH_ASSIGN_TRANSFER : CRM_BATCH_ASSIGN, a.rules);
	run.as = crm_assigner_new(run.db, &a.o);
	if (rs)
		crm_assigner_use_rules(run.as, rs);
	else
		crm_assigner_use(run.as, a.s, a.set);
	if (a.o.seeded && !crm_assigner_is_weighted(run.as))
		crm_usage_error("--seed is for weighted choices, and the rules "
		    "in '%s' make none", a.rules);
	run.w = recw_open_held(crm_g.csv);
	if (a.o.transfer_from) {
		if (ids == NULL)
			nids = crm_assign_transfer_ids(run.as, &ids);
		assign_ids(&run, ids, nids, argc > 0);
	} else if (ids)
		assign_ids(&run, ids, nids, 1);
	else
		assign_stream(&run, in);
	crm_assigner_finish(run.as);
	crm_batch_set_rows(run.db, run.n[CRM_ASSIGNED]);
	if (a.o.transfer_from && !crm_g.quiet) {
		long long d, f;

		crm_assign_transfer_left(run.as, &d, &f);
		if (d || f) {
			char *m = xasprintf("note: %s still has %lld open deal%s "
			    "and %lld planned follow-up%s on customers of others",
			    a.o.transfer_from, d, d == 1 ? "" : "s", f,
			    f == 1 ? "" : "s");

			sv_push(&run.msgs, m);
			free(m);
		}
	}
	if (a.dry_run)
		crm_db_rollback(run.db);
	else
		crm_db_commit(run.db);
	recw_close(run.w);
	for (size_t i = 0; i < run.msgs.n; i++)
		crm_warn("%s", run.msgs.v[i]);
	if (!crm_g.quiet)
		summary(&run, batch);
	rc = run.n[CRM_REFUSED] || run.n[CRM_UNASSIGNED] ||
	    run.n[CRM_NOT_FOUND] ? CRM_EXIT_FAIL : CRM_EXIT_OK;
	sv_free(&run.msgs);
	crm_assigner_free(run.as);
	crm_db_close(run.db);
	free(ids);
	return rc;
}
