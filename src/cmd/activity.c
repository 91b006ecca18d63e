/* crm-activity: follow-ups (跟进): log, plan, complete, import, list, agenda. */
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
	"log [-n] ID --kind KIND [--note TEXT] [--next STEP] [--at TIME] [--due DATE]",
	"done [-n] [--at TIME] [--note TEXT] ACTIVITY_ID ...",
	"import [-n] [--skip-bad] [--rejects FILE] [-E ENC] [FILE ...]",
	"list [--customer ID] [--user LOGIN] [--since DATE] [--until DATE] [--planned]",
	"due [--user LOGIN] [--within DURATION]",
	NULL
};

const struct crm_prog crm_prog = {
	"crm-activity", "follow-ups: log calls and visits, plan the next, today's agenda",
	activity_usage, activity_options, NULL
};

struct args {
	const char *kind, *note, *next, *user, *encoding, *rejects;
	char at[CRM_TIME_LEN], due[CRM_TIME_LEN];
	char since[CRM_TIME_LEN], until[CRM_TIME_LEN];
	long long customer, within;
	int have_at, have_due, have_since, have_until, planned, skip_bad, dry_run;
	int have_within;
};

/* Parse the date option NAME into OUT (exit 2 when bad). */
static void
opt_time(const char *name, const char *arg, char out[CRM_TIME_LEN])
{
	time_t t;

	if (crm_parse_time(arg, &t) == -1)
		crm_usage_error("--%s: bad date '%s' (use YYYY-MM-DD[THH:MM[:SS]])",
		    name, arg);
	crm_format_time(t, out);
}

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
	case OPT_AT: opt_time("at", arg, a->at); a->have_at = 1; break;
	case OPT_DUE: opt_time("due", arg, a->due); a->have_due = 1; break;
	case OPT_SINCE: opt_time("since", arg, a->since); a->have_since = 1; break;
	case OPT_UNTIL: opt_time("until", arg, a->until); a->have_until = 1; break;
	case OPT_CUSTOMER:
		a->customer = crm_parse_int("customer", arg, 1, 1LL << 62);
		break;
	case OPT_USER: a->user = arg; break;
	case OPT_PLANNED: a->planned = 1; break;
	case OPT_WITHIN:
		if ((a->within = crm_parse_duration(arg)) < 0)
			crm_usage_error("--within takes a duration such as 1d, "
			    "12h or 2w, got '%s'", arg);
		a->have_within = 1;
		break;
	case OPT_ENCODING: a->encoding = arg; break;
	case OPT_SKIP_BAD: a->skip_bad = 1; break;
	case OPT_REJECTS: a->rejects = arg; break;
	case OPT_DRY_RUN: a->dry_run = 1; break;
	}
}

/* NULL for empty text: an empty cell or option is no value. */
static const char *
val(const char *s)
{
	return s && *s ? s : NULL;
}

/* A writing run: one transaction and batch; output held until commit. */
struct wctx {
	struct crm_db *db;
	struct rec_writer *w;
	long long rows;
};

static void
open_writer(struct wctx *x, const char *command, const char *source)
{
	x->db = crm_db_open(CRM_DB_WRITE);
	crm_db_begin(x->db);
	crm_batch_start(x->db, crm_batch_kind(command), source);
	x->w = recw_open_held(crm_g.csv);
	recw_header(x->w, AC_N, crm_activity_cols);
	x->rows = 0;
}

static void
finish(struct wctx *x, struct args *a)
{
	crm_batch_set_rows(x->db, x->rows);
	if (a->dry_run) {
		crm_db_rollback(x->db);
		if (!crm_g.quiet)
			crm_warn("dry run: nothing was changed");
	} else
		crm_db_commit(x->db);
	recw_close(x->w);
	crm_db_close(x->db);
}

static void
put_row(const char *const *v, void *ctx)
{
	recw_row(ctx, AC_N, v);
}

/* Write activity ID as list does. */
static void
put_activity(struct wctx *x, long long id)
{
	struct crm_activity_filter f;

	memset(&f, 0, sizeof f);
	f.id = id;
	crm_activities_each(x->db, &f, put_row, x->w);
}

static long long
id_operand(const char *s, const char *what)
{
	char *end;
	long long id = strtoll(s, &end, 10);

	if (*s < '0' || *s > '9' || *end != '\0' || id <= 0)
		crm_usage_error("'%s' is not %s id", s, what);
	return id;
}

/* Refuse a done time later than now: the clock cannot be run ahead. */
static const char *
future(const char *at)
{
	return strcmp(at, crm_now_text()) > 0 ? "is in the future (a follow-up "
	    "is logged once done; plan one with --due)" : NULL;
}

/*
** Record one follow-up from IN: done when IN->at is set (and then also a
** planned one when IN->due is set), else planned.  Writes the rows.
*/
static void
record(struct wctx *x, const struct crm_activity_in *in)
{
	struct crm_activity_in plan;

	put_activity(x, crm_activity_insert(x->db, in));
	x->rows++;
	if (in->at && in->due) {
		plan = *in;
		plan.at = NULL;
		plan.note = in->next;
		plan.next = NULL;
		put_activity(x, crm_activity_insert(x->db, &plan));
		x->rows++;
	}
}

static int
act_log(struct args *a, int argc, char **argv)
{
	struct crm_activity_in in;
	struct wctx x;
	const char *err;

	if (argc != 2)
		crm_usage_error("log takes one customer ID");
	if (a->kind == NULL)
		crm_usage_error("log needs --kind (call, visit, meeting, email, "
		    "wechat or note)");
	memset(&in, 0, sizeof in);
	in.customer_id = id_operand(argv[1], "a customer");
	in.kind = a->kind;
	in.note = val(a->note);
	in.next = val(a->next);
	in.due = a->have_due ? a->due : NULL;
	in.at = a->have_at || !a->have_due ? (a->have_at ? a->at :
	    crm_now_text()) : NULL;
	if (in.at && (err = future(in.at)) != NULL)
		crm_die("--at: '%s' %s", in.at, err);
	open_writer(&x, "crm-activity log", NULL);
	if ((err = crm_activity_may_log(x.db, in.customer_id, &in.user_id)))
		crm_die("%s", err);
	record(&x, &in);
	finish(&x, a);
	return 0;
}

static int
act_done(struct args *a, int argc, char **argv)
{
	struct wctx x;
	const char *at = a->have_at ? a->at : crm_now_text(), *err;

	if (argc < 2)
		crm_usage_error("done needs at least one ACTIVITY_ID");
	if ((err = future(at)) != NULL)
		crm_die("--at: '%s' %s", at, err);
	for (int i = 1; i < argc; i++)
		(void)id_operand(argv[i], "an activity");
	open_writer(&x, "crm-activity done", NULL);
	for (int i = 1; i < argc; i++) {
		long long id = id_operand(argv[i], "an activity"), cust, user;

		if ((cust = crm_activity_customer(x.db, id)) < 0)
			crm_die("no activity %lld", id);
		if ((err = crm_activity_may_log(x.db, cust, &user)) != NULL)
			crm_die("activity %lld: %s", id, err);
		if ((err = crm_activity_done(x.db, id, at, user, val(a->note),
		    &cust)) != NULL)
			crm_die("%s", err);
		put_activity(&x, id);
		x.rows++;
	}
	finish(&x, a);
	return 0;
}

enum { IC_CUSTOMER, IC_KIND, IC_AT, IC_NOTE, IC_USER, IC_NEXT, IC_DUE, IC_N };
static const char *const import_cols[IC_N] = {
	"customer_id", "kind", "at", "note", "user", "next", "due"
};

/*
** Check one call-log row and fill IN (times into AT and DUE); NULL or
** "FIELD: reason" (static buffer).
*/
static const char *
import_check(struct crm_db *db, const int *col, const struct rec *rec,
    int admin, long long actor, struct crm_activity_in *in,
    char at[CRM_TIME_LEN], char due[CRM_TIME_LEN])
{
	static char msg[600];
	const char *v[IC_N], *err;
	char *end;
	time_t t;

#define BAD(...) do { snprintf(msg, sizeof msg, __VA_ARGS__); return msg; } while (0)
	for (int i = 0; i < IC_N; i++)
		v[i] = col[i] >= 0 ? val(rec->v[col[i]]) : NULL;
	memset(in, 0, sizeof *in);
	if (v[IC_CUSTOMER] == NULL)
		BAD("customer_id: empty");
	in->customer_id = strtoll(v[IC_CUSTOMER], &end, 10);
	if (*end != '\0' || in->customer_id <= 0)
		BAD("customer_id: '%s' is not a customer id", v[IC_CUSTOMER]);
	if (v[IC_KIND] == NULL)
		BAD("kind: empty (call, visit, meeting, email, wechat or note)");
	if ((in->kind = crm_activity_kind(v[IC_KIND])) == NULL)
		BAD("kind: '%s' is not call, visit, meeting, email, wechat or note",
		    v[IC_KIND]);
	if (v[IC_AT]) {
		if (crm_parse_time(v[IC_AT], &t) == -1)
			BAD("at: '%s' is not a date (YYYY-MM-DD[THH:MM[:SS]])",
			    v[IC_AT]);
		crm_format_time(t, at);
		if ((err = future(at)) != NULL)
			BAD("at: '%s' %s", v[IC_AT], err);
		in->at = at;
	}
	if (v[IC_DUE]) {
		if (crm_parse_time(v[IC_DUE], &t) == -1)
			BAD("due: '%s' is not a date (YYYY-MM-DD[THH:MM[:SS]])",
			    v[IC_DUE]);
		crm_format_time(t, due);
		in->due = due;
	}
	if (in->at == NULL && in->due == NULL)
		BAD("at: empty (give at for a follow-up done, or due for one "
		    "planned)");
	in->user_id = actor;
	if (v[IC_USER]) {
		if ((in->user_id = crm_user_id(db, v[IC_USER])) < 0)
			BAD("user: no user '%s'", v[IC_USER]);
		if (!admin && in->user_id != actor)
			BAD("user: permission denied: a rep logs only their own "
			    "follow-ups (you are '%s', not '%s')", crm_g.actor,
			    v[IC_USER]);
	} else if (actor < 0)
		BAD("user: empty, and you ('%s') are not a user", crm_g.actor);
	in->note = v[IC_NOTE];
	in->next = v[IC_NEXT];
	if (admin) {
		if (!crm_customer_exists(db, in->customer_id))
			BAD("customer_id: no customer %lld", in->customer_id);
	} else {
		long long me;

		if ((err = crm_activity_may_log(db, in->customer_id, &me)) != NULL)
			BAD("customer_id: %s", err);
	}
#undef BAD
	return NULL;
}

static void
import_one(struct wctx *x, struct args *a, const char *path)
{
	struct rec_reader *r = rec_open(path, crm_g.csv, a->encoding);
	struct rec_rejects rj = { a->skip_bad, a->rejects, path, NULL, NULL, NULL, 0 };
	struct progress *pg = progress_start("importing", rec_size(r));
	long long actor = crm_actor_id(x->db);
	int col[IC_N], admin = crm_actor_is_admin(x->db);
	struct rec *rec;

	for (int i = 0; i < IC_N; i++)
		col[i] = -1;
	for (size_t i = 0; i < rec_ncol(r); i++) {
		const char *c = crm_activity_colname(rec_colname(r, i));
		int k;

		for (k = 0; c && k < IC_N; k++)
			if (strcmp(c, import_cols[k]) == 0)
				break;
		if (c == NULL || k == IC_N) {
			if (!crm_g.quiet)
				crm_warn("note: %s: column '%s' is not an activity "
				    "field: ignored", rec_name(r), rec_colname(r, i));
		} else if (col[k] < 0)
			col[k] = (int)i;
	}
	if (col[IC_CUSTOMER] < 0)
		crm_die("%s: no customer id column (customer_id, id or 客户编号)",
		    rec_name(r));
	if (col[IC_KIND] < 0)
		crm_die("%s: no 'kind' (类型) column", rec_name(r));
	if (actor >= 0) {
		struct crm_user u;
		int active = crm_user_get(x->db, NULL, actor, &u) && u.active;

		crm_user_free(&u);
		if (!active)
			crm_die("--as: user '%s' is deactivated", crm_g.actor);
	}
	while ((rec = rec_next(r)) != NULL) {
		struct crm_activity_in in;
		char at[CRM_TIME_LEN], due[CRM_TIME_LEN];
		const char *err;

		progress_update(pg, rec_bytes(r));
		if ((err = rec_width_error(r, rec)) != NULL ||
		    (err = import_check(x->db, col, rec, admin, actor, &in, at,
		    due)) != NULL) {
			rec_reject(&rj, r, rec, err);
			continue;
		}
		record(x, &in);
	}
	progress_stop(pg);
	if (rj.n && !a->skip_bad)
		crm_die("%s: %zu bad row%s: nothing imported (fix them, or use "
		    "--skip-bad)", rec_name(r), rj.n, rj.n == 1 ? "" : "s");
	rec_rejects_close(&rj);
	rec_close(r);
}

static int
act_import(struct args *a, int argc, char **argv)
{
	struct wctx x;

	open_writer(&x, "crm-activity import", argc > 1 ? argv[1] : "-");
	if (argc == 1)
		import_one(&x, a, "-");
	for (int i = 1; i < argc; i++)
		import_one(&x, a, argv[i]);
	if (!crm_g.quiet)
		crm_warn("%s%lld activit%s imported", a->dry_run ?
		    "would have: " : "", x.rows, x.rows == 1 ? "y" : "ies");
	finish(&x, a);
	return 0;
}

static int
act_list(struct args *a, int argc)
{
	struct crm_activity_filter f;
	struct crm_db *db;
	struct rec_writer *w;

	if (argc > 1)
		crm_usage_error("list takes no operands (filters are options)");
	memset(&f, 0, sizeof f);
	f.customer_id = a->customer;
	f.user = a->user;
	f.since = a->have_since ? a->since : NULL;
	f.until = a->have_until ? a->until : NULL;
	f.planned = a->planned;
	db = crm_db_open(CRM_DB_READ);
	if (a->user && crm_user_id(db, a->user) < 0)
		crm_die("no user '%s'", a->user);
	if (a->customer && !crm_customer_exists(db, a->customer))
		crm_die("no customer %lld", a->customer);
	w = recw_open(stdout, "standard output", crm_g.csv);
	recw_header(w, AC_N, crm_activity_cols);
	crm_activities_each(db, &f, put_row, w);
	recw_close(w);
	crm_db_close(db);
	return 0;
}

static void
put_due(const char *const *v, void *ctx)
{
	recw_row(ctx, AD_N, v);
}

static int
act_due(struct args *a, int argc)
{
	struct crm_db *db;
	struct rec_writer *w;
	char cutoff[CRM_TIME_LEN], today[CRM_TIME_LEN];
	time_t now = crm_now(), midnight = now - now % 86400;

	if (argc > 1)
		crm_usage_error("due takes no operands (use --user LOGIN)");
	crm_format_time(midnight, today);
	crm_format_time(a->have_within ? now + (time_t)a->within :
	    midnight + 86400, cutoff);
	db = crm_db_open(CRM_DB_READ);
	if (a->user && crm_user_id(db, a->user) < 0)
		crm_die("no user '%s'", a->user);
	w = recw_open(stdout, "standard output", crm_g.csv);
	recw_header(w, AD_N, crm_due_cols);
	crm_activities_due(db, a->user, cutoff, today, put_due, w);
	recw_close(w);
	crm_db_close(db);
	return 0;
}

int
cmd_main(int argc, char **argv)
{
	struct args a;
	const char *cmd;

	memset(&a, 0, sizeof a);
	argc = crm_parse_options(argc, argv, on_opt, &a);
	if (argc == 0)
		crm_usage_error("missing command (log, done, import, list, due)");
	cmd = argv[0];
	if (strcmp(cmd, "log") == 0)
		return act_log(&a, argc, argv);
	if (strcmp(cmd, "done") == 0)
		return act_done(&a, argc, argv);
	if (strcmp(cmd, "import") == 0)
		return act_import(&a, argc, argv);
	if (strcmp(cmd, "list") == 0)
		return act_list(&a, argc);
	if (strcmp(cmd, "due") == 0)
		return act_due(&a, argc);
	crm_usage_error("unknown command '%s'", cmd);
}
