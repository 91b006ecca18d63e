/* crm-activity: follow-ups (跟进): log, plan, complete, edit, cancel, import, list, agenda. */
#include "../crm.h"

enum {
	OPT_FIRST_ = 0,
#define OPT(id, s, l, a, m, c, k, h) OPT_##id,
#include "activity.opts"
#undef OPT
};

static const struct crm_opt activity_options[] = {
#define OPT(id, s, l, a, m, c, k, h) { OPT_##id, s, l, a, m, c, k, h },
#include "activity.opts"
#include "../lib/common.opts"
#undef OPT
	{ 0, 0, NULL, ARG_NONE, NULL, NULL, NULL, NULL }
};

static const char *const activity_usage[] = {
	"log [-n] --kind KIND [--note TEXT] [--next STEP] [--at TIME] [--due DATE] [ID ...]",
	"done [-n] [--at TIME] [--note TEXT] [ACTIVITY_ID ...]",
	"edit [-n] [--due DATE] [--note TEXT] [--kind KIND] [--reason TEXT] [ACTIVITY_ID ...]",
	"cancel [-n] [--reason TEXT] [ACTIVITY_ID ...]",
	"import [-n] [--skip-bad] [--rejects FILE] [-E ENC] [FILE ...]",
	"list [--customer ID] [--user LOGIN] [--since DATE] [--until DATE] [--planned]",
	"due [--user LOGIN] [--within DURATION]",
	NULL
};

static int act_log(int, char **, void *), act_done(int, char **, void *);
static int act_edit(int, char **, void *), act_cancel(int, char **, void *);
static int act_import(int, char **, void *), act_list(int, char **, void *);
static int act_due(int, char **, void *);

static const struct crm_cmd activity_cmds[] = {
	{ "log", act_log }, { "done", act_done }, { "edit", act_edit },
	{ "cancel", act_cancel }, { "import", act_import }, { "list", act_list },
	{ "due", act_due }, { NULL, NULL }
};

const struct crm_prog crm_prog = {
	"crm-activity", "follow-ups: log calls and visits, plan the next, today's agenda",
	activity_usage, activity_options, activity_cmds
};

struct args {
	const char *kind, *note, *next, *user, *reason;
	const char *at, *due, *since, *until;	/* read once the database is open */
	struct crm_activity_import im;
	long long customer, within;
	int planned, dry_run;
};

static void
on_opt(int id, const char *arg, void *ctx)
{
	struct args *a = ctx;

	switch (id) {
	case OPT_KIND:
		if ((a->kind = crm_activity_kind(arg)) == NULL)
			crm_usage_error("--kind must be call, visit, meeting, email, "
			    "wechat or note, got '%s'", arg);
		break;
	case OPT_NOTE: a->note = arg; break;
	case OPT_NEXT: a->next = arg; break;
	case OPT_AT: a->at = arg; break;
	case OPT_DUE: a->due = arg; break;
	case OPT_REASON: a->reason = arg; break;
	case OPT_SINCE: a->since = arg; break;
	case OPT_UNTIL: a->until = arg; break;
	case OPT_CUSTOMER:
		if (crm_parse_id(arg, &a->customer) == -1)
			crm_usage_error("--customer: '%s' is not a customer id", arg);
		break;
	case OPT_USER: a->user = arg; break;
	case OPT_PLANNED: a->planned = 1; break;
	case OPT_WITHIN:
		if ((a->within = crm_parse_duration(arg)) < 0)
			crm_usage_error("--within takes a duration such as 1d, "
			    "12h or 2w, got '%s'", arg);
		break;
	case OPT_ENCODING: a->im.encoding = arg; break;
	case OPT_SKIP_BAD: a->im.skip_bad = 1; break;
	case OPT_REJECTS: a->im.rejects = arg; break;
	case OPT_DRY_RUN: a->dry_run = 1; break;
	}
}

/* NULL for empty text: an empty option is no value. */
static const char *
val(const char *s)
{
	return s && *s ? s : NULL;
}

/*
** Date option NAME, given as S, as UTC text in OUT, or NULL when not
** given.  Call it once the database is open: a date without an offset
** is in the site's time zone.
*/
static const char *
date_opt(const char *name, const char *s, char out[CRM_TIME_LEN])
{
	time_t t;

	if (s == NULL)
		return NULL;
	if (crm_parse_time(s, &t) == -1)
		crm_usage_error("--%s: bad date '%s' (use YYYY-MM-DD[THH:MM[:SS]])",
		    name, s);
	crm_format_time(t, out);
	return out;
}

/*
** Without ID operands, ids come from records on standard input: read
** them to the end now, before the run takes the write lock.
*/
static void
read_ids(int argc, const char *cmd, const char *what)
{
	if (argc > 1)
		return;
	if (isatty(STDIN_FILENO))
		crm_usage_error("%s needs %s, as operands or as records on "
		    "standard input", cmd, what);
	crm_run_read_inputs(0, NULL);
}

/* Open the run of KIND and start its output: activities. */
static void
begin(struct crm_run *run, const struct args *a, enum crm_batch_kind kind,
    const char *source)
{
	crm_run_begin(run, kind, a->dry_run ? CRM_RUN_DRY : 0, source);
	recw_header(run->out, AC_N, crm_activity_cols);
}

/* Die with the library's refusal ERR, saying where the id came from. */
static void
refuse(const char *where, const char *err)
{
	if (where)
		crm_die("%s: %s", where, err);
	crm_die("%s", err);
}

/* What the callbacks of log, done, edit and cancel share. */
struct ctx {
	struct crm_run *run;
	const struct args *a;
	struct crm_activity_in in;	/* log */
	struct crm_activity_edit e;	/* edit */
	const char *at;			/* done */
};

static void
log_one(long long id, const char *where, void *ctx)
{
	struct ctx *x = ctx;
	const char *err;
	long long ids[2];
	int n;

	x->in.customer_id = id;
	if ((err = crm_activity_record(x->run->db, &x->in, ids, &n)) != NULL)
		refuse(where, err);
	for (int i = 0; i < n; i++)
		crm_activity_write(x->run->db, ids[i], x->run->out);
	x->run->rows += n;
}

/* log: a follow-up done, planned, or both, on each customer given. */
static int
act_log(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct crm_run run;
	struct ctx x = { &run, a, { 0 }, { 0 }, NULL };
	char at[CRM_TIME_LEN], due[CRM_TIME_LEN];
	const char *err;

	if (a->kind == NULL)
		crm_usage_error("log needs --kind (call, visit, meeting, email, "
		    "wechat or note)");
	read_ids(argc, "log", "customer IDs");
	begin(&run, a, CRM_BATCH_ACTIVITY_LOG, NULL);
	x.in.user_id = -1;
	x.in.kind = a->kind;
	x.in.note = val(a->note);
	x.in.next = val(a->next);
	x.in.due = date_opt("due", a->due, due);
	if (a->at || a->due == NULL)	/* done: at --at, else now */
		x.in.at = date_opt("at", a->at ? a->at : crm_now_text(), at);
	if (x.in.at && (err = crm_activity_future(x.in.at)) != NULL)
		crm_die("--at: '%s' %s", x.in.at, err);
	crm_activity_ids(run.db, CRM_IDS_CUSTOMERS, argc - 1, argv + 1, log_one,
	    &x);
	crm_run_end(&run);
	return 0;
}

static void
done_one(long long id, const char *where, void *ctx)
{
	struct ctx *x = ctx;
	const char *err;

	if ((err = crm_activity_done(x->run->db, id, x->at, val(x->a->note))))
		refuse(where, err);
	crm_activity_write(x->run->db, id, x->run->out);
	x->run->rows++;
}

/* done: planned follow-ups done, at --at or now, by the actor. */
static int
act_done(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct crm_run run;
	struct ctx x = { &run, a, { 0 }, { 0 }, NULL };
	char at[CRM_TIME_LEN];
	const char *err;

	read_ids(argc, "done", "ACTIVITY_IDs");
	begin(&run, a, CRM_BATCH_ACTIVITY_DONE, NULL);
	x.at = date_opt("at", a->at ? a->at : crm_now_text(), at);
	if ((err = crm_activity_future(x.at)) != NULL)
		crm_die("--at: '%s' %s", x.at, err);
	crm_activity_ids(run.db, CRM_IDS_ACTIVITIES, argc - 1, argv + 1, done_one,
	    &x);
	crm_run_end(&run);
	return 0;
}

static void
edit_one(long long id, const char *where, void *ctx)
{
	struct ctx *x = ctx;
	const char *err;
	int changed;

	if ((err = crm_activity_edit(x->run->db, id, &x->e, &changed)) != NULL)
		refuse(where, err);
	crm_activity_write(x->run->db, id, x->run->out);
	x->run->rows += changed;
}

/* edit: a planned follow-up moved, renamed or noted anew. */
static int
act_edit(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct crm_run run;
	struct ctx x = { &run, a, { 0 }, { 0 }, NULL };
	char due[CRM_TIME_LEN];

	if (a->due == NULL && a->note == NULL && a->kind == NULL)
		crm_usage_error("edit needs --due, --note or --kind");
	read_ids(argc, "edit", "ACTIVITY_IDs");
	begin(&run, a, CRM_BATCH_ACTIVITY_EDIT, NULL);
	x.e.kind = a->kind;
	x.e.due = date_opt("due", a->due, due);
	x.e.note = a->note;
	x.e.reason = val(a->reason);
	crm_activity_ids(run.db, CRM_IDS_ACTIVITIES, argc - 1, argv + 1, edit_one,
	    &x);
	crm_run_end(&run);
	return 0;
}

static void
cancel_one(long long id, const char *where, void *ctx)
{
	struct ctx *x = ctx;
	const char *err;

	crm_activity_write(x->run->db, id, x->run->out);	/* as it was */
	if ((err = crm_activity_cancel(x->run->db, id, val(x->a->reason))))
		refuse(where, err);
	x->run->rows++;
}

/* cancel: planned follow-ups that will not happen, gone but in the history. */
static int
act_cancel(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct crm_run run;
	struct ctx x = { &run, a, { 0 }, { 0 }, NULL };

	read_ids(argc, "cancel", "ACTIVITY_IDs");
	begin(&run, a, CRM_BATCH_ACTIVITY_CANCEL, NULL);
	crm_activity_ids(run.db, CRM_IDS_ACTIVITIES, argc - 1, argv + 1,
	    cancel_one, &x);
	crm_run_end(&run);
	return 0;
}

/* import: call logs, all or nothing (or with --skip-bad, the good rows). */
static int
act_import(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct crm_run run;

	crm_run_read_inputs(argc - 1, argv + 1);
	begin(&run, a, CRM_BATCH_ACTIVITY_IMPORT, argc > 1 ? argv[1] : "-");
	if (argc == 1)
		crm_activity_import(&run, "-", &a->im);
	for (int i = 1; i < argc; i++)
		crm_activity_import(&run, argv[i], &a->im);
	if (!crm_g.quiet)
		crm_warn("%s%lld activit%s imported", a->dry_run ?
		    "would have: " : "", run.rows, run.rows == 1 ? "y" : "ies");
	crm_run_end(&run);
	return 0;
}

/* list: the follow-ups the actor may see that pass every filter. */
static int
act_list(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct crm_activity_filter f;
	struct crm_db *db;
	struct rec_writer *w;
	char since[CRM_TIME_LEN], until[CRM_TIME_LEN];

	(void)argv;
	if (argc > 1)
		crm_usage_error("list takes no operands (filters are options)");
	memset(&f, 0, sizeof f);
	f.customer_id = a->customer;
	f.user = a->user;
	f.planned = a->planned;
	db = crm_db_open(CRM_DB_READ);
	f.since = date_opt("since", a->since, since);
	f.until = date_opt("until", a->until, until);
	w = recw_open(stdout, "standard output", crm_g.csv);
	crm_activities_list(db, &f, w);
	recw_close(w);
	crm_db_close(db);
	return 0;
}

/* due: the agenda, today's or --within's. */
static int
act_due(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct crm_db *db;
	struct rec_writer *w;

	(void)argv;
	if (argc > 1)
		crm_usage_error("due takes no operands (use --user LOGIN)");
	db = crm_db_open(CRM_DB_READ);
	w = recw_open(stdout, "standard output", crm_g.csv);
	crm_activities_due(db, a->user, a->within, w);
	recw_close(w);
	crm_db_close(db);
	return 0;
}

int
cmd_main(int argc, char **argv)
{
	struct args a;

	memset(&a, 0, sizeof a);
	a.within = -1;
	argc = crm_parse_options(argc, argv, on_opt, &a);
	return crm_run_command(argc, argv, &a);
}
