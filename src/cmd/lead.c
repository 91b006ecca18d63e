/* crm-lead: add, import, list, check, update, qualify, merge and erase leads. */
#include "../crm.h"
#include "../lib/contact.h"

enum {
	OPT_FIRST_ = 0,
#define OPT(id, s, l, a, m, c, k, h) OPT_##id,
#include "lead.opts"
#undef OPT
};

static const struct crm_opt lead_options[] = {
#define OPT(id, s, l, a, m, c, k, h) { OPT_##id, s, l, a, m, c, k, h },
#include "lead.opts"
#include "../lib/common.opts"
#undef OPT
	{ 0, 0, NULL, ARG_NONE, NULL, NULL, NULL, NULL }
};

static const char *const lead_usage[] = {
	"add [-n] [--name NAME] [--company COMPANY] [--phone PHONE] [--email EMAIL] [--field NAME=VALUE] ...",
	"import [-n] [--skip-bad] [--on-duplicate MODE] [-E ENC] [--map FROM=TO,...] [FILE ...]",
	"list [-al] [--status STATUS] [--owner USER] [--pool POOL] [--region REGION] [-m FIELD=REGEX] ...",
	"show [ID ...]",
	"check [-E ENC] [FILE ...]",
	"update [-n] [ID --FIELD VALUE ... | [--skip-bad] [FILE ...]]",
	"qualify | convert [-n] [ID ...]",
	"disqualify [-n] --reason TEXT [ID ...]",
	"merge [-n] KEEP DUP ...",
	"unmerge [-n] DUP ...",
	"lock | unlock [-n] [--reason TEXT] [ID ...]",
	"history [ID ...]",
	"erase [-n] --reason TEXT ID ...",
	"undo [-n] BATCH",
	"dups",
	"contact add [-n] ID [--name NAME] [--title TITLE] [--phone PHONE] [--email EMAIL]",
	"contact list [ID ...]",
	"contact update [-n] CONTACT_ID [--name NAME] [--title TITLE] [--phone PHONE] [--email EMAIL]",
	"contact remove [-n] CONTACT_ID ...",
	NULL
};

static int lead_add(int, char **, void *), lead_import(int, char **, void *);
static int lead_list(int, char **, void *), lead_show(int, char **, void *);
static int lead_check(int, char **, void *), lead_update(int, char **, void *);
static int lead_status(int, char **, void *), lead_merge(int, char **, void *);
static int lead_lock(int, char **, void *), lead_history(int, char **, void *);
static int lead_erase(int, char **, void *), lead_undo(int, char **, void *);
static int lead_dups(int, char **, void *), lead_contact(int, char **, void *);

static const struct crm_cmd lead_cmds[] = {
	{ "add", lead_add }, { "import", lead_import }, { "list", lead_list },
	{ "show", lead_show }, { "check", lead_check }, { "update", lead_update },
	{ "qualify", lead_status }, { "disqualify", lead_status },
	{ "convert", lead_status }, { "merge", lead_merge },
	{ "unmerge", lead_merge }, { "lock", lead_lock }, { "unlock", lead_lock },
	{ "history", lead_history }, { "erase", lead_erase },
	{ "undo", lead_undo }, { "dups", lead_dups },
	{ "contact", lead_contact }, { NULL, NULL }
};

const struct crm_prog crm_prog = {
	"crm-lead", "manage leads: import, find duplicates, qualify, merge",
	lead_usage, lead_options, lead_cmds
};

struct args {
	const char *v[CC_NLONG];
	struct strvec fnames, fvals;	/* --field NAME=VALUE, split */
	struct strvec matches;		/* FIELD=REGEX */
	const char *since, *until, *title;
	struct crm_import_opts im;
	int dry_run, all, wide;
	long long limit;
};

static void
on_opt(int id, const char *arg, void *ctx)
{
	static const char *const dup_modes[] = {
		[CRM_DUP_SKIP] = "skip", [CRM_DUP_UPDATE] = "update",
		[CRM_DUP_ERROR] = "error", [CRM_DUP_ALLOW] = "allow",
		[CRM_DUP_PASS] = "pass",
	};
	static const int col[] = {
		[OPT_NAME] = CC_NAME, [OPT_COMPANY] = CC_COMPANY,
		[OPT_PHONE] = CC_PHONE, [OPT_EMAIL] = CC_EMAIL,
		[OPT_REGION] = CC_REGION, [OPT_INDUSTRY] = CC_INDUSTRY,
		[OPT_SOURCE] = CC_SOURCE, [OPT_STATUS] = CC_STATUS,
		[OPT_OWNER] = CC_OWNER, [OPT_POOL] = CC_POOL,
		[OPT_SCORE] = CC_SCORE, [OPT_GRADE] = CC_GRADE,
		[OPT_REASON] = CC_STATUS_REASON,
	};
	struct args *a = ctx;
	const char *eq = strchr(arg ? arg : "", '=');
	size_t i;

	switch (id) {
	case OPT_FIELD:
		if (eq == NULL || eq == arg)
			crm_usage_error("--field takes NAME=VALUE, got '%s'", arg);
		{
			char *name = xstrndup(arg, (size_t)(eq - arg));

			sv_push(&a->fnames, name);
			sv_push(&a->fvals, eq + 1);
			free(name);
		}
		break;
	case OPT_MATCH:
		if (eq == NULL || eq == arg)
			crm_usage_error("--match takes FIELD=REGEX, got '%s'", arg);
		sv_push(&a->matches, arg);
		break;
	case OPT_SINCE: a->since = arg; break;
	case OPT_UNTIL: a->until = arg; break;
	case OPT_TITLE: a->title = arg; break;
	case OPT_ALL: a->all = 1; break;
	case OPT_LONG: a->wide = 1; break;
	case OPT_LIMIT: a->limit = crm_parse_int("limit", arg, 1, 1LL << 62); break;
	case OPT_ENCODING: a->im.encoding = arg; break;
	case OPT_MAP: a->im.map = arg; break;
	case OPT_SKIP_BAD: a->im.skip_bad = 1; break;
	case OPT_REJECTS: a->im.rejects = arg; break;
	case OPT_DRY_RUN: a->dry_run = 1; break;
	case OPT_ON_DUP:
		for (i = 0; i < sizeof dup_modes / sizeof dup_modes[0]; i++)
			if (strcmp(arg, dup_modes[i]) == 0)
				break;
		if (i == sizeof dup_modes / sizeof dup_modes[0])
			crm_usage_error("--on-duplicate must be skip, update, error, "
			    "allow or pass, got '%s'", arg);
		a->im.on_dup = (enum crm_on_dup)i;
		break;
	default:
		if ((size_t)id < sizeof col / sizeof col[0] && col[id])
			a->v[col[id]] = arg;
		else if (id == OPT_NAME)
			a->v[CC_NAME] = arg;
	}
}

static unsigned
run_flags(const struct args *a, unsigned flags)
{
	return flags | (a->dry_run ? CRM_RUN_DRY : 0);
}

/* The lead the options describe; it borrows from A. */
static void
lead_from_options(struct crm_lead *l, const struct args *a)
{
	memset(l, 0, sizeof *l);
	memcpy(l->v, a->v, sizeof l->v);
	l->ncustom = a->fnames.n;
	l->custom_names = (const char *const *)a->fnames.v;
	l->custom_values = (const char *const *)a->fvals.v;
}

/* add: one lead from options, created or, by --on-duplicate, otherwise. */
static int
lead_add(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct crm_lead l;
	struct crm_lead_refs refs;
	struct crm_dup dup;
	struct crm_run run;
	const char *err;
	long long id;
	int changed;

	(void)argv;
	if (argc > 1)
		crm_usage_error("add takes no operands");
	lead_from_options(&l, a);
	crm_run_begin(&run, CRM_BATCH_LEAD_ADD, run_flags(a, CRM_RUN_CREATE), NULL);
	crm_run_echo_open(&run, NULL, NULL);
	if ((err = crm_lead_check(run.db, &l, &refs)) != NULL ||
	    (err = crm_lead_rights(run.db, &l, &refs)) != NULL)
		crm_die("%s", err);
	if (a->im.on_dup == CRM_DUP_ALLOW)
		crm_require_admin(run.db, "--on-duplicate allow");
	if (a->im.on_dup != CRM_DUP_ALLOW &&
	    crm_lead_find_dup(run.db, &refs, 0, &dup)) {
		if (a->im.on_dup == CRM_DUP_SKIP || a->im.on_dup == CRM_DUP_ERROR)
			crm_die("not added: %s", crm_dup_why(&dup));
		if (a->im.on_dup == CRM_DUP_UPDATE &&
		    (err = crm_lead_update(run.db, dup.id, &l, &changed)) != NULL)
			crm_die("customer %lld: %s", dup.id, err);
		id = dup.id;
	} else
		id = crm_lead_insert(run.db, &l, &refs);
	run.rows = 1;
	crm_run_echo(&run, id, NULL);
	crm_lead_refs_free(&refs);
	crm_run_end(&run);
	return 0;
}

static int
lead_import(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct crm_import_stats st;
	struct crm_run run;

	crm_run_read_inputs(argc - 1, argv + 1);
	crm_run_begin(&run, CRM_BATCH_LEAD_IMPORT, run_flags(a, CRM_RUN_CREATE),
	    argc > 1 ? argv[1] : "-");
	crm_import_streams(&run, argc - 1, argv + 1, &a->im, &st);
	if (!crm_g.quiet)
		crm_warn("%s%lld created, %lld updated, %lld duplicate%s skipped%s",
		    a->dry_run ? "would have: " : "", st.created, st.updated,
		    st.skipped, st.skipped == 1 ? "" : "s",
		    a->im.on_dup == CRM_DUP_PASS ? ", passed on" : "");
	crm_run_end(&run);
	return 0;
}

/* A date option as UTC text in OUT (a date alone: the site's midnight). */
static const char *
date_opt(const char *opt, const char *s, char out[CRM_TIME_LEN])
{
	time_t t;

	if (s == NULL)
		return NULL;
	if (crm_parse_time(s, &t) == -1)
		crm_usage_error("--%s: bad date '%s'", opt, s);
	crm_format_time(t, out);
	return out;
}

static int
lead_list(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct crm_filter f = { 0 };
	struct crm_db *db;
	struct crm_cursor *c;
	struct crm_matches *mt;
	struct rec_writer *w;
	const char *const *v;
	char since[CRM_TIME_LEN], until[CRM_TIME_LEN];
	long long n = 0;

	(void)argv;
	if (argc > 1)
		crm_usage_error("list takes no operands (filters are options)");
	for (int i = CC_NAME; i <= CC_EMAIL; i++)
		if (a->v[i])
			crm_usage_error("list does not filter by --%s: use --match "
			    "%s=REGEX", crm_customer_cols[i], crm_customer_cols[i]);
	f.status = a->v[CC_STATUS] ? crm_status_canonical(a->v[CC_STATUS]) : NULL;
	if (a->v[CC_STATUS] && f.status == NULL)
		crm_usage_error("--status must be lead, qualified, customer or "
		    "disqualified, got '%s'", a->v[CC_STATUS]);
	f.owner = a->v[CC_OWNER];
	f.pool = a->v[CC_POOL];
	f.region = a->v[CC_REGION];
	f.industry = a->v[CC_INDUSTRY];
	f.source = a->v[CC_SOURCE];
	f.merged = a->all;
	f.wide = a->wide;
	db = crm_db_open(CRM_DB_READ);
	f.since = date_opt("since", a->since, since);
	f.until = date_opt("until", a->until, until);
	crm_filter_check(db, &f);
	mt = crm_matches_compile(&a->matches, &f);
	c = crm_customers_open(db, &f);
	crm_matches_columns(mt, crm_cursor_ncol(c), crm_cursor_names(c));
	w = recw_open(stdout, "standard output", crm_g.csv);
	recw_header(w, crm_cursor_ncol(c), crm_cursor_names(c));
	while ((a->limit == 0 || n < a->limit) && (v = crm_cursor_next(c)) != NULL)
		if (crm_matches(mt, v)) {
			recw_row(w, crm_cursor_ncol(c), v);
			n++;
		}
	recw_close(w);
	crm_matches_free(mt);
	crm_cursor_close(c);
	crm_db_close(db);
	return 0;
}

struct show_ctx {
	struct crm_db *db;
	struct crm_run run;	/* for its echo; nothing is written */
	int missing;
};

static void
show_one(long long id, const char *where, void *ctx)
{
	struct show_ctx *s = ctx;

	if (!crm_run_echo(&s->run, id, NULL)) {
		crm_warn("%s: no customer %lld", where, id);
		s->missing = 1;
	}
}

static int
lead_show(int argc, char **argv, void *args)
{
	struct show_ctx s;

	(void)args;
	memset(&s, 0, sizeof s);
	crm_run_read_ids(argc - 1);	/* a writer upstream commits first */
	s.run.db = crm_db_open(CRM_DB_READ);
	s.run.out = recw_open(stdout, "standard output", crm_g.csv);
	crm_run_echo_open(&s.run, NULL, NULL);
	rec_each_id(argc - 1, argv + 1, show_one, &s);
	recw_close(s.run.out);
	crm_run_echo_close(&s.run);
	crm_db_close(s.run.db);
	return s.missing ? 1 : 0;
}

/* check: annotate a stream with what each row would collide with. */
static int
lead_check(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct crm_db *db;

	crm_run_read_inputs(argc - 1, argv + 1);
	if (crm_db_exists())
		db = crm_db_open(CRM_DB_READ);
	else {
		if (!crm_g.quiet)
			crm_warn("note: no database '%s': checking against nothing "
			    "but the input itself", crm_g.db_path);
		db = crm_db_open(CRM_DB_MEMORY);
	}
	crm_lead_check_streams(db, argc - 1, argv + 1, &a->im);
	crm_db_close(db);
	return 0;
}

struct ids {
	struct crm_run *run;
	const char *status, *reason;
	int locked;
	long long changed;
};

static void
status_one(long long id, const char *where, void *ctx)
{
	struct ids *x = ctx;
	const char *err;
	int changed;

	if ((err = crm_lead_set_status(x->run->db, id, x->status, x->reason,
	    &changed)) != NULL)
		crm_die("%s: %s", where, err);
	x->run->rows += changed;
}

/*
** qualify, disqualify, convert.  Ids come from the operands or from the
** "id" column of stdin; input records pass through with their status.
*/
static int
lead_status(int argc, char **argv, void *args)
{
	static const char *const changed[] = { "status", "reason", NULL };
	struct args *a = args;
	struct crm_run run;
	struct ids x = { &run, "qualified", a->v[CC_STATUS_REASON], 0, 0 };
	enum crm_batch_kind kind = CRM_BATCH_LEAD_QUALIFY;

	if (strcmp(argv[0], "disqualify") == 0) {
		x.status = "disqualified";
		kind = CRM_BATCH_LEAD_DISQUALIFY;
		if (a->v[CC_STATUS_REASON] == NULL)
			crm_usage_error("disqualify needs --reason");
	} else if (strcmp(argv[0], "convert") == 0) {
		x.status = "customer";
		kind = CRM_BATCH_LEAD_CONVERT;
	}
	crm_run_read_ids(argc - 1);
	crm_run_begin(&run, kind, run_flags(a, 0), NULL);
	crm_run_each(&run, argc - 1, argv + 1, changed, status_one, &x);
	crm_run_end(&run);
	return 0;
}

static void
lock_one(long long id, const char *where, void *ctx)
{
	struct ids *x = ctx;
	const char *err;
	int changed;

	if ((err = crm_lead_lock(x->run->db, id, x->locked, x->reason,
	    &changed)) != NULL)
		crm_die("%s: %s", where, err);
	x->run->rows += changed;
}

/* lock, unlock: an admin's exemption from the reclaim. */
static int
lead_lock(int argc, char **argv, void *args)
{
	static const char *const changed[] = { "locked", NULL };
	struct args *a = args;
	struct crm_run run;
	struct ids x = { &run, NULL, a->v[CC_STATUS_REASON], 0, 0 };

	x.locked = strcmp(argv[0], "lock") == 0;
	crm_run_read_ids(argc - 1);
	crm_run_begin(&run, x.locked ? CRM_BATCH_LEAD_LOCK : CRM_BATCH_LEAD_UNLOCK,
	    run_flags(a, 0), NULL);
	crm_require_admin(run.db, x.locked ? "locking customers" :
	    "unlocking customers");
	crm_run_each(&run, argc - 1, argv + 1, changed, lock_one, &x);
	crm_run_end(&run);
	return 0;
}

/* update: ID with options, or records keyed by id from files or stdin. */
static int
lead_update(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct crm_run run;
	struct crm_lead l;
	const char *err;
	long long id;
	int changed;

	if (argc == 2 && crm_parse_id(argv[1], &id) == 0) {
		lead_from_options(&l, a);
		crm_run_begin(&run, CRM_BATCH_LEAD_UPDATE, run_flags(a, 0), NULL);
		crm_run_echo_open(&run, NULL, NULL);
		if ((err = crm_lead_update(run.db, id, &l, &changed)) != NULL)
			crm_die("customer %lld: %s", id, err);
		run.rows = changed;
		crm_run_echo(&run, id, NULL);
		crm_run_end(&run);
		return 0;
	}
	for (int i = 0; i < CC_NLONG; i++)
		if (a->v[i] || a->fnames.n)
			crm_usage_error("update takes field options with one ID; "
			    "records from files or stdin carry their own");
	crm_run_read_inputs(argc - 1, argv + 1);
	crm_run_begin(&run, CRM_BATCH_LEAD_UPDATE, run_flags(a, 0),
	    argc > 1 ? argv[1] : "-");
	crm_lead_update_streams(&run, argc - 1, argv + 1, &a->im);
	crm_run_end(&run);
	return 0;
}

/* merge KEEP DUP..., one batch each; unmerge DUP... */
static int
lead_merge(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct crm_run run;
	long long keep = 0, id;
	int unmerge = strcmp(argv[0], "unmerge") == 0;

	if (argc < (unmerge ? 2 : 3))
		crm_usage_error(unmerge ? "unmerge needs at least one DUP" :
		    "merge needs KEEP and at least one DUP");
	for (int i = 1; i < argc; i++)
		if (crm_parse_id(argv[i], &id) == -1)
			crm_usage_error("'%s' is not a customer id", argv[i]);
	crm_run_begin(&run, unmerge ? CRM_BATCH_LEAD_UNMERGE :
	    CRM_BATCH_LEAD_MERGE, run_flags(a, 0), NULL);
	crm_run_echo_open(&run, NULL, NULL);
	if (!unmerge)
		crm_parse_id(argv[1], &keep);
	for (int i = unmerge ? 1 : 2; i < argc; i++) {
		const char *err;

		crm_parse_id(argv[i], &id);
		if (i > 2 && !unmerge)
			crm_run_new_batch(&run, CRM_BATCH_LEAD_MERGE);
		if (unmerge && (err = crm_lead_unmerge(run.db, id)) != NULL)
			crm_die("unmerge %lld: %s", id, err);
		if (!unmerge && (err = crm_lead_merge(run.db, keep, id)) != NULL)
			crm_die("merge %lld into %lld: %s", id, keep, err);
		run.rows++;
		if (unmerge)
			crm_run_echo(&run, id, NULL);
	}
	if (!unmerge)
		crm_run_echo(&run, keep, NULL);
	crm_run_end(&run);
	return 0;
}

static void
history_one(long long id, const char *where, void *ctx)
{
	(void)where;
	crm_history_write(ctx, id);
}

static int
lead_history(int argc, char **argv, void *args)
{
	struct crm_history_out h;

	(void)args;
	crm_run_read_ids(argc - 1);
	h.db = crm_db_open(CRM_DB_READ);
	h.w = recw_open(stdout, "standard output", crm_g.csv);
	crm_history_header(&h);
	rec_each_id(argc - 1, argv + 1, history_one, &h);
	recw_close(h.w);
	crm_db_close(h.db);
	return 0;
}

/* erase: personal data, on request, everywhere it is written. */
static int
lead_erase(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct crm_run run;
	struct strbuf erased = STRBUF_INIT;
	long long id;

	if (argc < 2)
		crm_usage_error("erase needs at least one ID");
	if (str_blank(a->v[CC_STATUS_REASON]))
		crm_usage_error("erase needs --reason (the request it answers)");
	for (int i = 1; i < argc; i++)
		if (crm_parse_id(argv[i], &id) == -1)
			crm_usage_error("'%s' is not a customer id", argv[i]);
	crm_run_begin(&run, CRM_BATCH_LEAD_ERASE, run_flags(a, 0), NULL);
	crm_run_echo_open(&run, NULL, NULL);
	sb_init(&erased);
	for (int i = 1; i < argc; i++) {
		const char *err;

		crm_parse_id(argv[i], &id);
		if ((err = crm_lead_erase(run.db, id, a->v[CC_STATUS_REASON],
		    &erased)) != NULL)
			crm_die("erase %lld: %s", id, err);
		if (!crm_g.quiet)
			crm_warn("customer %lld: erased %s", id, erased.buf);
		run.rows++;
		crm_run_echo(&run, id, NULL);
	}
	sb_free(&erased);
	crm_run_end(&run);
	return 0;
}

/* undo BATCH: of crm-lead's batches, import and add included. */
static int
lead_undo(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct crm_run run;
	long long b;

	if (argc != 2 || crm_parse_id(argv[1], &b) == -1)
		crm_usage_error("undo takes one BATCH number");
	crm_run_begin(&run, CRM_BATCH_LEAD_UNDO, run_flags(a, 0), NULL);
	crm_require_admin(run.db, "undo");
	crm_batch_require(run.db, b, "crm-lead ");
	run.rows = crm_lead_undo(run.db, b, crm_undo_skipped, NULL);
	if (!crm_g.quiet)
		crm_warn("%s%lld change%s of batch %lld undone", a->dry_run ?
		    "would have: " : "", run.rows, run.rows == 1 ? "" : "s", b);
	crm_run_end(&run);
	return 0;
}

/* dups: customers already in the database that share a key. */
static int
lead_dups(int argc, char **argv, void *args)
{
	struct crm_db *db;
	struct rec_writer *w;

	(void)argv;
	(void)args;
	if (argc > 1)
		crm_usage_error("dups takes no operands");
	db = crm_db_open(CRM_DB_READ);
	w = recw_open(stdout, "standard output", crm_g.csv);
	crm_lead_dups(db, w);
	recw_close(w);
	crm_db_close(db);
	return 0;
}

/* contact add|list|update|remove: a customer's contacts (联系人). */
static int
lead_contact(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct crm_contact_in in = { a->v[CC_NAME], a->title, a->v[CC_PHONE],
	    a->v[CC_EMAIL] };

	return crm_contact_command(argc - 1, argv + 1, &in, run_flags(a, 0));
}

int
cmd_main(int argc, char **argv)
{
	struct args a;
	int rc;

	memset(&a, 0, sizeof a);
	argc = crm_parse_options(argc, argv, on_opt, &a);
	rc = crm_run_command(argc, argv, &a);
	sv_free(&a.fnames);
	sv_free(&a.fvals);
	sv_free(&a.matches);
	return rc;
}
