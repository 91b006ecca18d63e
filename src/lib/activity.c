/* activity.c: follow-ups (跟进): logging, planning, completing, cancelling, listing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "activity.h"
#include "customer.h"
#include "db.h"
#include "die.h"
#include "history.h"
#include "io.h"
#include "opt.h"
#include "policy.h"
#include "rec.h"
#include "run.h"
#include "str.h"
#include "when.h"

const char *const crm_activity_cols[AC_N] = {
	"id", "customer_id", "customer", "user", "kind", "at", "note", "next",
	"due_at", "done_at"
};

const char *const crm_due_cols[AD_N] = {
	"user", "due_at", "overdue", "id", "customer_id", "customer", "phone",
	"kind", "note", "next"
};

const char *
crm_activity_kind(const char *s)
{
	static const struct { const char *alias, *canon; } k[] = {
		{ "call", "call" }, { "phone", "call" }, { "电话", "call" },
		{ "打电话", "call" }, { "通话", "call" }, { "来电", "call" },
		{ "去电", "call" },
		{ "visit", "visit" }, { "拜访", "visit" }, { "上门", "visit" },
		{ "面访", "visit" },
		{ "meeting", "meeting" }, { "会议", "meeting" }, { "开会", "meeting" },
		{ "见面", "meeting" },
		{ "email", "email" }, { "e-mail", "email" }, { "mail", "email" },
		{ "邮件", "email" }, { "电子邮件", "email" },
		{ "wechat", "wechat" }, { "weixin", "wechat" }, { "微信", "wechat" },
		{ "note", "note" }, { "备注", "note" }, { "笔记", "note" },
		{ "记录", "note" },
	};

	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
		if (strcasecmp(s, k[i].alias) == 0)
			return k[i].canon;
	return NULL;
}

const char *
crm_activity_future(const char *at)
{
	return strcmp(at, crm_now_text()) > 0 ? "is in the future (a follow-up "
	    "is logged once done; plan one with --due)" : NULL;
}

/* ---- the fields history records ---------------------------------------- */

enum { F_CUSTOMER, F_USER, F_KIND, F_AT, F_NOTE, F_NEXT, F_DUE, F_DONE, F_N };
static const char *const field_names[F_N] = {
	"customer_id", "user", "kind", "at", "note", "next", "due_at", "done_at"
};

/*
** Activity ID's fields, as history writes them, into V (new strings,
** NULL for NULL; free them with unload()).  0, and V all NULL, when
** there is no such activity.
*/
static int
load(struct crm_db *db, long long id, char *v[F_N])
{
	struct crm_stmt *s = crm_sql(db, "SELECT a.customer_id, u.login, a.kind,"
	    " a.at, a.note, a.next_step, a.due_at, a.done_at FROM activities a"
	    " LEFT JOIN users u ON u.id = a.user_id WHERE a.id = ?");
	int found;

	crm_bind_int(s, 1, id);
	found = crm_step(s);
	for (int i = 0; i < F_N; i++)
		v[i] = found && !crm_col_null(s, i) ?
		    xstrdup(crm_col_text(s, i)) : NULL;
	if (found)
		crm_reset(s);
	return found;
}

static void
unload(char *v[F_N])
{
	for (int i = 0; i < F_N; i++) {
		free(v[i]);
		v[i] = NULL;
	}
}

static int
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/*
** A history row for each field in which OLD and NOW differ; frees both.
** Returns whether any did.
*/
static int
trail(struct crm_db *db, long long id, char *old[F_N], char *now[F_N],
    const char *reason)
{
	int changed = 0;

	for (int i = 0; i < F_N; i++)
		if (!same(old[i], now[i])) {
			crm_history(db, "activity", id, field_names[i], old[i],
			    now[i], reason);
			changed = 1;
		}
	unload(old);
	unload(now);
	return changed;
}

/* ---- rights ---------------------------------------------------------------- */

static char refusal[600];

/* May the actor change the follow-ups of CUSTOMER_ID?  NULL or why not. */
static const char *
may_act(struct crm_db *db, long long customer_id)
{
	long long into = crm_db_int(db, "SELECT coalesce(merged_into, 0)"
	    " FROM customers WHERE id = ?", customer_id);

	if (into < 0)
		snprintf(refusal, sizeof refusal, "no customer %lld", customer_id);
	else if (into > 0)
		snprintf(refusal, sizeof refusal, "customer %lld was merged into "
		    "%lld (log on %lld)", customer_id, into, into);
	else
		return crm_may_change(db, customer_id);
	return refusal;
}

/* The actor's user id for a follow-up it does, or -1 with *WHY set. */
static long long
actor_user(struct crm_db *db, const char **why)
{
	if (crm_actor_id(db) >= 0)
		return crm_actor_id(db);
	snprintf(refusal, sizeof refusal, "you ('%s') are not a crm user, and a "
	    "follow-up is someone's (crm-user add makes one)", crm_actor(db));
	*why = refusal;
	return -1;
}

/*
** Load activity ID into V when it is planned, not done, and the actor may
** change it; NULL, or why not (V then all NULL).
*/
static const char *
load_open(struct crm_db *db, long long id, char *v[F_N])
{
	const char *err;

	if (!load(db, id, v)) {
		snprintf(refusal, sizeof refusal, "no activity %lld", id);
		return refusal;
	}
	/* Rights first: the state of another's follow-up is none of ours. */
	if ((err = may_act(db, strtoll(v[F_CUSTOMER], NULL, 10))) != NULL) {
		char *why = xstrdup(err);

		snprintf(refusal, sizeof refusal, "activity %lld: %s", id, why);
		free(why);
	} else if (v[F_DONE])
		snprintf(refusal, sizeof refusal, "activity %lld was done already "
		    "(at %s)", id, v[F_DONE]);
	else if (v[F_DUE] == NULL)
		snprintf(refusal, sizeof refusal, "activity %lld is not a planned "
		    "follow-up", id);
	else
		return NULL;
	unload(v);
	return refusal;
}

/* ---- the customer's clocks ------------------------------------------------- */

/* last_activity_at moves only forward. */
static void
touch_last(struct crm_db *db, long long customer_id, const char *at)
{
	struct crm_stmt *s = crm_sql(db, "UPDATE customers SET last_activity_at = ?"
	    " WHERE id = ? AND (last_activity_at IS NULL OR last_activity_at < ?)");

	crm_bind_text(s, 1, at);
	crm_bind_int(s, 2, customer_id);
	crm_bind_text(s, 3, at);
	crm_step(s);
}

/* next_due_at: the earliest open due date, or NULL. */
static void
refresh_due(struct crm_db *db, long long customer_id)
{
	struct crm_stmt *s = crm_sql(db, "UPDATE customers SET next_due_at ="
	    " (SELECT min(a.due_at) FROM activities a WHERE a.customer_id = ?1"
	    " AND a.due_at IS NOT NULL AND a.done_at IS NULL) WHERE id = ?1");

	crm_bind_int(s, 1, customer_id);
	crm_step(s);
}

void
crm_customer_followup_refresh(struct crm_db *db, long long customer_id)
{
	struct crm_stmt *s = crm_sql(db, "UPDATE customers SET last_activity_at ="
	    " (SELECT max(a.at) FROM activities a WHERE a.customer_id = ?1"
	    " AND a.done_at IS NOT NULL) WHERE id = ?1");

	crm_bind_int(s, 1, customer_id);
	crm_step(s);
	refresh_due(db, customer_id);
}

/* ---- changes ---------------------------------------------------------------- */

/* Insert A for USER (done when A->at, else planned); its history; the clocks. */
static long long
insert(struct crm_db *db, const struct crm_activity_in *a, long long user)
{
	struct crm_stmt *s = crm_sql(db,
	    "INSERT INTO activities (customer_id, user_id, kind, at, note,"
	    " next_step, due_at, done_at, batch_id, created_at)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	char *none[F_N] = { NULL }, *now[F_N];
	long long id;

	crm_bind_int(s, 1, a->customer_id);
	crm_bind_int(s, 2, user);
	crm_bind_text(s, 3, a->kind);
	crm_bind_text(s, 4, a->at);
	crm_bind_text(s, 5, a->note);
	crm_bind_text(s, 6, a->next);
	crm_bind_text(s, 7, a->at ? NULL : a->due);
	crm_bind_text(s, 8, a->at);
	if (crm_batch_id(db))
		crm_bind_int(s, 9, crm_batch_id(db));
	crm_bind_text(s, 10, crm_now_text());
	crm_step(s);
	id = crm_db_last_id(db);
	load(db, id, now);
	trail(db, id, none, now, NULL);
	if (a->at)
		touch_last(db, a->customer_id, a->at);
	else
		refresh_due(db, a->customer_id);
	return id;
}

const char *
crm_activity_record(struct crm_db *db, const struct crm_activity_in *in,
    long long ids[2], int *n)
{
	struct crm_activity_in plan;
	const char *err = NULL;
	long long user = in->user_id;

	*n = 0;
	if ((err = may_act(db, in->customer_id)) != NULL)
		return err;
	if (user < 0 && (user = actor_user(db, &err)) < 0)
		return err;
	if (in->at && (err = crm_activity_future(in->at)) != NULL) {
		char *why = xstrdup(err);

		snprintf(refusal, sizeof refusal, "at '%s' %s", in->at, why);
		free(why);
		return refusal;
	}
	if (in->at == NULL && in->due == NULL)
		crm_die("internal error: a follow-up with neither at nor due");
	ids[(*n)++] = insert(db, in, user);
	if (in->at && in->due) {
		plan = *in;
		plan.at = NULL;
		plan.note = in->next;
		plan.next = NULL;
		ids[(*n)++] = insert(db, &plan, user);
	}
	return NULL;
}

const char *
crm_activity_done(struct crm_db *db, long long id, const char *at,
    const char *note)
{
	struct crm_stmt *s;
	char *old[F_N], *now[F_N];
	const char *err;
	long long user, customer;

	if ((err = load_open(db, id, old)) != NULL)
		return err;
	if ((user = actor_user(db, &err)) < 0) {
		unload(old);
		return err;
	}
	if (crm_activity_future(at) != NULL) {
		unload(old);
		snprintf(refusal, sizeof refusal, "at '%s' %s", at,
		    crm_activity_future(at));
		return refusal;
	}
	s = crm_sql(db, "UPDATE activities SET at = ?1, done_at = ?1,"
	    " user_id = ?2, note = coalesce(?3, note) WHERE id = ?4");
	crm_bind_text(s, 1, at);
	crm_bind_int(s, 2, user);
	crm_bind_text(s, 3, note);
	crm_bind_int(s, 4, id);
	crm_step(s);
	customer = strtoll(old[F_CUSTOMER], NULL, 10);
	load(db, id, now);
	trail(db, id, old, now, NULL);
	touch_last(db, customer, at);
	refresh_due(db, customer);
	return NULL;
}

const char *
crm_activity_cancel(struct crm_db *db, long long id, const char *reason)
{
	struct crm_stmt *s;
	char *old[F_N], *none[F_N] = { NULL };
	const char *err;
	long long customer;

	if ((err = load_open(db, id, old)) != NULL)
		return err;
	s = crm_sql(db, "DELETE FROM activities WHERE id = ?");
	crm_bind_int(s, 1, id);
	crm_step(s);
	customer = strtoll(old[F_CUSTOMER], NULL, 10);
	trail(db, id, old, none, reason);
	refresh_due(db, customer);
	return NULL;
}

const char *
crm_activity_edit(struct crm_db *db, long long id,
    const struct crm_activity_edit *e, int *changed)
{
	struct crm_stmt *s;
	char *old[F_N], *now[F_N];
	const char *err;
	long long customer;

	*changed = 0;
	if ((err = load_open(db, id, old)) != NULL)
		return err;
	s = crm_sql(db, "UPDATE activities SET kind = coalesce(?1, kind),"
	    " due_at = coalesce(?2, due_at), note = CASE WHEN ?3 IS NULL"
	    " THEN note WHEN ?3 = '' THEN NULL ELSE ?3 END WHERE id = ?4");
	crm_bind_text(s, 1, e->kind);
	crm_bind_text(s, 2, e->due);
	crm_bind_text(s, 3, e->note);
	crm_bind_int(s, 4, id);
	crm_step(s);
	customer = strtoll(old[F_CUSTOMER], NULL, 10);
	load(db, id, now);
	*changed = trail(db, id, old, now, e->reason);
	refresh_due(db, customer);
	return NULL;
}

long long
crm_activity_customer(struct crm_db *db, long long id)
{
	return crm_db_int(db, "SELECT customer_id FROM activities WHERE id = ?", id);
}

/* ---- ids from operands or records ------------------------------------------ */

void
crm_activity_ids(struct crm_db *db, enum crm_ids what, int argc, char **argv,
    void (*fn)(long long id, const char *where, void *ctx), void *ctx)
{
	const char *noun = what == CRM_IDS_CUSTOMERS ? "a customer" : "an activity";
	struct rec_reader *r;
	struct rec *rec;
	char where[64];
	long long id, cust, of;
	int col, ccol;

	for (int i = 0; i < argc; i++)
		if (crm_parse_id(argv[i], &id) == -1)
			crm_usage_error("'%s' is not %s id", argv[i], noun);
	for (int i = 0; i < argc; i++) {
		crm_parse_id(argv[i], &id);
		fn(id, NULL, ctx);
	}
	if (argc > 0)
		return;
	r = rec_open("-", crm_g.csv, NULL);
	col = rec_col(r, "id");
	ccol = rec_col(r, "customer_id");
	if (what == CRM_IDS_CUSTOMERS && ccol >= 0) {
		col = ccol;	/* follow-ups: their customer */
		ccol = -1;
	}
	if (col < 0)
		crm_die("%s: no 'id' column in the input", rec_name(r));
	if (what == CRM_IDS_ACTIVITIES && ccol < 0)
		crm_die("%s: no 'customer_id' column: the input is no follow-ups "
		    "(crm-activity list and due write them)", rec_name(r));
	while ((rec = rec_next(r)) != NULL) {
		const char *err = rec_width_error(r, rec);

		snprintf(where, sizeof where, "%s:%lu", rec_name(r), rec->line);
		if (err)
			crm_die("%s: %s", where, err);
		if (crm_parse_id(rec->v[col], &id) == -1)
			crm_die("%s: %s: '%s' is not %s id", where,
			    rec_colname(r, (size_t)col), rec->v[col] ?
			    rec->v[col] : "", noun);
		if (ccol >= 0 && (crm_parse_id(rec->v[ccol], &cust) == -1 ||
		    ((of = crm_activity_customer(db, id)) > 0 && of != cust)))
			crm_die("%s: activity %lld is not of customer '%s', as the "
			    "input says", where, id, rec->v[ccol] ? rec->v[ccol] :
			    "");
		fn(id, where, ctx);
	}
	rec_close(r);
}

/* ---- import ----------------------------------------------------------------- */

/*
** The canonical column for a call-log header ("客户编号" -> "customer_id",
** "类型" -> "kind", "跟进人" -> "user", ...), or NULL when unknown.  NAME
** is what rec_colname() gives.
*/
static const char *
import_colname(const char *name)
{
	static const struct {
		const char *canon;
		const char *alias[10];
	} cols[] = {
		{ "customer_id", { "customer_id", "id", "customer", "客户", NULL } },
		{ "kind", { "kind", "类型", "方式", "跟进方式", "跟进类型", NULL } },
		{ "at", { "at", "时间", "跟进时间", "date", "日期", "time", NULL } },
		{ "note", { "note", "内容", "跟进内容", "备注", "notes", NULL } },
		{ "user", { "user", "owner", "login", "跟进人", "销售", NULL } },
		{ "next", { "next", "next_step", "下一步", "下一步计划", NULL } },
		{ "due", { "due", "due_at", "计划时间", "下次跟进时间",
		    "下次跟进", NULL } },
	};

	for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
		for (size_t k = 0; cols[i].alias[k]; k++)
			if (strcasecmp(name, cols[i].alias[k]) == 0)
				return cols[i].canon;
	return NULL;
}

enum { IC_CUSTOMER, IC_KIND, IC_AT, IC_NOTE, IC_USER, IC_NEXT, IC_DUE, IC_N };
static const char *const import_cols[IC_N] = {
	"customer_id", "kind", "at", "note", "user", "next", "due"
};

/* NULL for empty text: an empty cell is no value. */
static const char *
val(const char *s)
{
	return s && *s ? s : NULL;
}

/*
** Check one call-log row and fill IN (times into AT and DUE); NULL or
** "FIELD: reason" (static buffer).  The customer is checked when the row
** is recorded.
*/
static const char *
import_check(struct crm_db *db, const int *col, const struct rec *rec,
    struct crm_activity_in *in, char at[CRM_TIME_LEN], char due[CRM_TIME_LEN])
{
	static char msg[600];
	const char *v[IC_N], *err;
	time_t t;

#define BAD(...) do { snprintf(msg, sizeof msg, __VA_ARGS__); return msg; } while (0)
	for (int i = 0; i < IC_N; i++)
		v[i] = col[i] >= 0 && (size_t)col[i] < rec->n ?
		    val(rec->v[col[i]]) : NULL;
	memset(in, 0, sizeof *in);
	if (v[IC_CUSTOMER] == NULL)
		BAD("customer_id: empty");
	if (crm_parse_id(v[IC_CUSTOMER], &in->customer_id) == -1)
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
		if ((err = crm_activity_future(at)) != NULL)
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
	in->user_id = crm_actor_id(db);
	if (v[IC_USER]) {
		if ((in->user_id = crm_user_id(db, v[IC_USER])) < 0)
			BAD("user: no user '%s'", v[IC_USER]);
		if (!crm_actor_is_admin(db) && in->user_id != crm_actor_id(db))
			BAD("user: permission denied: a rep logs only their own "
			    "follow-ups (you are '%s', not '%s')", crm_actor(db),
			    v[IC_USER]);
	} else if (in->user_id < 0)
		BAD("user: empty, and you ('%s') are not a user", crm_actor(db));
	in->note = v[IC_NOTE];
	in->next = v[IC_NEXT];
#undef BAD
	return NULL;
}

/* The column of each of import_cols in R's header, or -1; notes the rest. */
static void
import_columns(struct rec_reader *r, int col[IC_N])
{
	for (int k = 0; k < IC_N; k++)
		col[k] = -1;
	for (size_t i = 0; i < rec_ncol(r); i++) {
		const char *c = import_colname(rec_colname(r, i));
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
}

void
crm_activity_import(struct crm_run *run, const char *path,
    const struct crm_activity_import *o)
{
	struct rec_reader *r = rec_open(path, crm_g.csv, o->encoding);
	struct rec_rejects rj = { o->skip_bad, o->rejects, path, NULL, NULL,
	    NULL, 0 };
	struct progress *pg = progress_start("importing", rec_size(r));
	struct rec *rec;
	int col[IC_N];

	import_columns(r, col);
	while ((rec = rec_next(r)) != NULL) {
		struct crm_activity_in in;
		char at[CRM_TIME_LEN], due[CRM_TIME_LEN], why[700];
		const char *err;
		long long ids[2];
		int n;

		progress_update(pg, rec_bytes(r));
		if ((err = rec_width_error(r, rec)) == NULL &&
		    (err = import_check(run->db, col, rec, &in, at, due)) == NULL &&
		    (err = crm_activity_record(run->db, &in, ids, &n)) != NULL) {
			snprintf(why, sizeof why, "customer_id: %s", err);
			err = why;
		}
		if (err) {
			rec_reject(&rj, r, rec, err);
			continue;
		}
		for (int i = 0; i < n; i++)
			crm_activity_write(run->db, ids[i], run->out);
		run->rows += n;
	}
	progress_stop(pg);
	if (rj.n && !o->skip_bad)
		crm_die("%s: %zu bad row%s: nothing imported (fix them, or use "
		    "--skip-bad)", rec_name(r), rj.n, rj.n == 1 ? "" : "s");
	rec_rejects_close(&rj);
	rec_close(r);
}

/* ---- listing ------------------------------------------------------------------ */

/*
** The actor's sight of the customer whose id is in column ID_COL of S's
** row, and its owner_id and pool_id in columns HOLDER and HOLDER + 1.
*/
static enum crm_sight
row_sight(struct crm_db *db, struct crm_stmt *s, int id_col, int holder)
{
	return crm_sight(db, crm_col_int(s, id_col),
	    crm_col_null(s, holder) ? -1 : crm_col_int(s, holder),
	    crm_col_null(s, holder + 1) ? -1 : crm_col_int(s, holder + 1));
}

/* The rows of crm_activities_list(), without the header and checks. */
static void
list_rows(struct crm_db *db, const struct crm_activity_filter *f,
    struct rec_writer *w)
{
	struct crm_stmt *s = crm_sql_take(db,
	    "SELECT a.id, a.customer_id, coalesce(c.company, c.name), u.login,"
	    " a.kind, a.at, a.note, a.next_step, a.due_at, a.done_at,"
	    " c.owner_id, c.pool_id"
	    " FROM activities a JOIN customers c ON c.id = a.customer_id"
	    " LEFT JOIN users u ON u.id = a.user_id"
	    " WHERE (?1 = 0 OR a.id = ?1) AND (?2 = 0 OR a.customer_id = ?2)"
	    " AND (?3 IS NULL OR u.login = ?3)"
	    " AND (?4 IS NULL OR coalesce(a.at, a.due_at) >= ?4)"
	    " AND (?5 IS NULL OR coalesce(a.at, a.due_at) < ?5)"
	    " AND (?6 = 0 OR (a.due_at IS NOT NULL AND a.done_at IS NULL))"
	    " ORDER BY coalesce(a.at, a.due_at), a.id");
	const char *v[AC_N];

	crm_bind_int(s, 1, f->id);
	crm_bind_int(s, 2, f->customer_id);
	crm_bind_text(s, 3, f->user);
	crm_bind_text(s, 4, f->since);
	crm_bind_text(s, 5, f->until);
	crm_bind_int(s, 6, f->planned != 0);
	while (crm_step(s)) {
		if (row_sight(db, s, AC_CUSTOMER_ID, AC_N) == CRM_SIGHT_NAME)
			continue;
		for (int i = 0; i < AC_N; i++)
			v[i] = crm_col_text(s, i);
		recw_row(w, AC_N, v);
	}
	crm_sql_give(s);
}

void
crm_activities_list(struct crm_db *db, const struct crm_activity_filter *f,
    struct rec_writer *w)
{
	if (f->user && crm_user_id(db, f->user) < 0)
		crm_die("no user '%s'", f->user);
	if (f->customer_id && !crm_customer_exists(db, f->customer_id))
		crm_die("no customer %lld", f->customer_id);
	if (f->customer_id && crm_sight_of(db, f->customer_id) == CRM_SIGHT_NAME)
		crm_die("permission denied: the follow-ups of customer %lld are "
		    "for its owner and the members of its pool (you are '%s', %s)",
		    f->customer_id, crm_actor(db), crm_actor_describe(db));
	recw_header(w, AC_N, crm_activity_cols);
	list_rows(db, f, w);
}

void
crm_activity_write(struct crm_db *db, long long id, struct rec_writer *w)
{
	struct crm_activity_filter f;

	memset(&f, 0, sizeof f);
	f.id = id;
	list_rows(db, &f, w);
}

void
crm_activities_due(struct crm_db *db, const char *user, long long within,
    struct rec_writer *w)
{
	static const char *const phone[] = { "phone" };
	struct crm_stmt *s;
	const char *v[AD_N];
	char *masks[2] = { NULL, NULL };
	char today[CRM_TIME_LEN], cutoff[CRM_TIME_LEN];
	time_t now = crm_now(), day = crm_day_start(now);

	crm_format_time(day, today);
	/* tomorrow's start: 36 hours on is tomorrow, even across a DST change */
	crm_format_time(within >= 0 ? now + (time_t)within :
	    crm_day_start(day + 36 * 3600), cutoff);

	if (user && crm_user_id(db, user) < 0)
		crm_die("no user '%s'", user);
	recw_header(w, AD_N, crm_due_cols);
	s = crm_sql_take(db,
	    "SELECT u.login, a.due_at, a.id, a.customer_id,"
	    " coalesce(c.company, c.name), c.phone, a.kind, a.note, a.next_step,"
	    " c.owner_id, c.pool_id"
	    " FROM activities a JOIN customers c ON c.id = a.customer_id"
	    " LEFT JOIN users u ON u.id = a.user_id"
	    " WHERE a.due_at IS NOT NULL AND a.done_at IS NULL AND a.due_at < ?1"
	    " AND (?2 IS NULL OR u.login = ?2) AND c.merged_into IS NULL"
	    " ORDER BY u.login, a.due_at, a.id");
	crm_bind_text(s, 1, cutoff);
	crm_bind_text(s, 2, user);
	while (crm_step(s)) {
		enum crm_sight sight = row_sight(db, s, 3, 9);

		if (sight == CRM_SIGHT_NAME)
			continue;
		v[AD_USER] = crm_col_text(s, 0);
		v[AD_DUE_AT] = crm_col_text(s, 1);
		v[AD_OVERDUE] = strcmp(v[AD_DUE_AT], today) < 0 ? "1" : "0";
		for (int i = 2; i < 9; i++)
			v[AD_ID + i - 2] = crm_col_text(s, i);
		crm_sight_apply(sight, 1, phone, &v[AD_PHONE], masks);
		recw_row(w, AD_N, v);
	}
	crm_sight_free(masks);
	crm_sql_give(s);
}
