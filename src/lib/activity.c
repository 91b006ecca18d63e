/* activity.c: follow-ups (跟进): logging, planning, completing, listing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "activity.h"
#include "db.h"
#include "die.h"
#include "history.h"
#include "opt.h"
#include "policy.h"
#include "str.h"
#include "user.h"
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
crm_activity_may_log(struct crm_db *db, long long customer_id,
    long long *user_id)
{
	static char msg[512];
	struct crm_stmt *s;
	long long owner = -1, pool = -1, merged = -1;
	char *owner_login = NULL, *pool_name = NULL;
	int active;

	*user_id = crm_actor_id(db);
	if (*user_id < 0) {
		snprintf(msg, sizeof msg, "--as: no user '%s' (add it with "
		    "crm-user add)", crm_actor(db));
		return msg;
	}
	active = (int)crm_db_int(db, "SELECT active FROM users WHERE id = ?",
	    *user_id);
	if (!active) {
		snprintf(msg, sizeof msg, "--as: user '%s' is deactivated",
		    crm_actor(db));
		return msg;
	}
	s = crm_sql(db, "SELECT c.owner_id, u.login, c.pool_id, p.name,"
	    " c.merged_into FROM customers c LEFT JOIN users u ON u.id = c.owner_id"
	    " LEFT JOIN pools p ON p.id = c.pool_id WHERE c.id = ?");
	crm_bind_int(s, 1, customer_id);
	if (!crm_step(s)) {
		snprintf(msg, sizeof msg, "no customer %lld", customer_id);
		return msg;
	}
	if (!crm_col_null(s, 0)) {
		owner = crm_col_int(s, 0);
		owner_login = xstrdup(crm_col_text(s, 1));
	}
	if (!crm_col_null(s, 2)) {
		pool = crm_col_int(s, 2);
		pool_name = xstrdup(crm_col_text(s, 3));
	}
	if (!crm_col_null(s, 4))
		merged = crm_col_int(s, 4);
	crm_reset(s);
	if (merged >= 0)
		snprintf(msg, sizeof msg, "customer %lld was merged into %lld "
		    "(log on %lld)", customer_id, merged, merged);
	else if (owner == *user_id || crm_actor_is_admin(db))
		msg[0] = '\0';
	else if (owner >= 0)
		snprintf(msg, sizeof msg, "permission denied: customer %lld is "
		    "owned by '%s', not by you ('%s', a rep)", customer_id,
		    owner_login, crm_actor(db));
	else if (pool >= 0)
		snprintf(msg, sizeof msg, "permission denied: customer %lld is in "
		    "pool '%s', not owned by you ('%s', a rep): claim it first",
		    customer_id, pool_name, crm_actor(db));
	else
		snprintf(msg, sizeof msg, "permission denied: customer %lld has "
		    "no owner; a rep logs only on customers they own (you are "
		    "'%s')", customer_id, crm_actor(db));
	free(owner_login);
	free(pool_name);
	return msg[0] ? msg : NULL;
}

/* The customer's clock: last_activity_at moves only forward. */
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

long long
crm_activity_insert(struct crm_db *db, const struct crm_activity_in *a)
{
	struct crm_stmt *s = crm_sql(db,
	    "INSERT INTO activities (customer_id, user_id, kind, at, note,"
	    " next_step, due_at, done_at, batch_id, created_at)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
	long long id;

	crm_bind_int(s, 1, a->customer_id);
	if (a->user_id >= 0)
		crm_bind_int(s, 2, a->user_id);
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
	id = crm_col_int(s, 0);
	crm_reset(s);
	if (a->at)
		touch_last(db, a->customer_id, a->at);
	else
		refresh_due(db, a->customer_id);
	return id;
}

long long
crm_activity_customer(struct crm_db *db, long long id)
{
	return crm_db_int(db, "SELECT customer_id FROM activities WHERE id = ?", id);
}

const char *
crm_activity_done(struct crm_db *db, long long id, const char *at,
    long long user_id, const char *note, long long *customer_id)
{
	static char msg[256];
	struct crm_stmt *s = crm_sql(db, "SELECT customer_id, due_at, done_at"
	    " FROM activities WHERE id = ?");
	int planned, done;

	crm_bind_int(s, 1, id);
	if (!crm_step(s)) {
		snprintf(msg, sizeof msg, "no activity %lld", id);
		return msg;
	}
	*customer_id = crm_col_int(s, 0);
	planned = !crm_col_null(s, 1);
	done = !crm_col_null(s, 2);
	if (done)
		snprintf(msg, sizeof msg, "activity %lld was done already (at %s)",
		    id, crm_col_text(s, 2));
	crm_reset(s);
	if (done)
		return msg;
	if (!planned) {
		snprintf(msg, sizeof msg, "activity %lld is not a planned "
		    "follow-up", id);
		return msg;
	}
	s = crm_sql(db, "UPDATE activities SET at = ?1, done_at = ?1,"
	    " user_id = ?2, note = coalesce(?3, note) WHERE id = ?4");
	crm_bind_text(s, 1, at);
	crm_bind_int(s, 2, user_id);
	crm_bind_text(s, 3, note);
	crm_bind_int(s, 4, id);
	crm_step(s);
	touch_last(db, *customer_id, at);
	refresh_due(db, *customer_id);
	return NULL;
}

void
crm_activities_each(struct crm_db *db, const struct crm_activity_filter *f,
    void (*fn)(const char *const *v, void *ctx), void *ctx)
{
	struct crm_stmt *s = crm_sql(db,
	    "SELECT a.id, a.customer_id, coalesce(c.company, c.name), u.login,"
	    " a.kind, a.at, a.note, a.next_step, a.due_at, a.done_at"
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
		for (int i = 0; i < AC_N; i++)
			v[i] = crm_col_text(s, i);
		fn(v, ctx);
	}
}

void
crm_activities_due(struct crm_db *db, const char *user, const char *cutoff,
    const char *today, void (*fn)(const char *const *v, void *ctx), void *ctx)
{
	struct crm_stmt *s = crm_sql(db,
	    "SELECT u.login, a.due_at, a.id, a.customer_id,"
	    " coalesce(c.company, c.name), c.phone, a.kind, a.note, a.next_step"
	    " FROM activities a JOIN customers c ON c.id = a.customer_id"
	    " LEFT JOIN users u ON u.id = a.user_id"
	    " WHERE a.due_at IS NOT NULL AND a.done_at IS NULL AND a.due_at < ?1"
	    " AND (?2 IS NULL OR u.login = ?2) AND c.merged_into IS NULL"
	    " ORDER BY u.login, a.due_at, a.id");
	const char *v[AD_N];

	crm_bind_text(s, 1, cutoff);
	crm_bind_text(s, 2, user);
	while (crm_step(s)) {
		v[AD_USER] = crm_col_text(s, 0);
		v[AD_DUE_AT] = crm_col_text(s, 1);
		v[AD_OVERDUE] = strcmp(v[AD_DUE_AT], today) < 0 ? "1" : "0";
		for (int i = 2; i < 9; i++)
			v[AD_ID + i - 2] = crm_col_text(s, i);
		fn(v, ctx);
	}
}

const char *
crm_activity_colname(const char *name)
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
