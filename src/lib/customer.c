/* customer.c: creating, checking, listing and changing customers. */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "activity.h"
#include "customer.h"
#include "db.h"
#include "die.h"
#include "history.h"
#include "norm.h"
#include "opt.h"
#include "str.h"
#include "when.h"

const char *const crm_customer_cols[CC_NLONG] = {
	"id", "name", "company", "phone", "email", "region", "industry",
	"source", "status", "owner", "pool", "score", "created_at",
	"grade", "reason", "owner_since", "pool_since", "last_activity_at",
	"next_due_at", "locked", "merged_into", "updated_at"
};

int
crm_customer_col(const char *name)
{
	for (int i = 0; i < CC_NLONG; i++)
		if (strcmp(crm_customer_cols[i], name) == 0)
			return i;
	return -1;
}

const char *
crm_status_canonical(const char *s)
{
	static const struct { const char *alias, *canon; } st[] = {
		{ "lead", "lead" }, { "线索", "lead" }, { "新线索", "lead" },
		{ "qualified", "qualified" }, { "合格", "qualified" },
		{ "已合格", "qualified" }, { "有效", "qualified" },
		{ "customer", "customer" }, { "客户", "customer" },
		{ "成交客户", "customer" }, { "已成交", "customer" },
		{ "disqualified", "disqualified" }, { "不合格", "disqualified" },
		{ "无效", "disqualified" },
	};

	for (size_t i = 0; i < sizeof st / sizeof st[0]; i++)
		if (strcasecmp(s, st[i].alias) == 0)
			return st[i].canon;
	return NULL;
}

const char *const crm_key_names[CRM_NKEYS] = { "phone", "email", "company" };

void
crm_lead_refs_free(struct crm_lead_refs *r)
{
	for (int k = 0; k < CRM_NKEYS; k++)
		free(r->key[k]);
	memset(r, 0, sizeof *r);
}

static const char *
check_phone(const char *p)
{
	int digits = 0;

	for (const char *q = p; *q; q++) {
		if (isdigit((unsigned char)*q))
			digits++;
		else if (!strchr(" +-()./", *q) && !(q[0] == 'x' || q[0] == '#'))
			return "not a phone number";
	}
	return digits >= 5 && digits <= 20 ? NULL : "not a phone number";
}

/* An address is checked as the key is made: trimmed, so padding is no error. */
static const char *
check_email(const char *e)
{
	const char *at = strchr(e, '@'), *end = e + strlen(e);

	while (*e == ' ' || *e == '\t')
		e++;
	while (end > e && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (at == NULL || at <= e || at >= end || memchr(at + 1, '@', (size_t)(end - at - 1)) ||
	    !memchr(at + 1, '.', (size_t)(end - at - 1)))
		return "not an email address";
	for (const char *p = e; p < end; p++)
		if (strchr(" ,;<>\"", *p))
			return "not an email address";
	return NULL;
}

const char *
crm_lead_check(struct crm_db *db, const struct crm_lead *l,
    struct crm_lead_refs *refs)
{
	static char msg[512];
	const char *const *v = l->v, *e;
	time_t t;

	memset(refs, 0, sizeof *refs);
	refs->owner_id = refs->pool_id = -1;
	refs->status = "lead";
	refs->key[CRM_KEY_PHONE] = norm_phone(v[CC_PHONE]);
	refs->key[CRM_KEY_EMAIL] = norm_email(v[CC_EMAIL]);
	refs->key[CRM_KEY_COMPANY] = norm_company(v[CC_COMPANY]);
#define BAD(...) do { snprintf(msg, sizeof msg, __VA_ARGS__); return msg; } while (0)
	if (str_blank(v[CC_NAME]) && str_blank(v[CC_COMPANY]))
		BAD("name: a lead needs a name or a company");
	if (!str_blank(v[CC_PHONE]) && (e = check_phone(v[CC_PHONE])) != NULL)
		BAD("phone: '%s' is %s", v[CC_PHONE], e);
	if (!str_blank(v[CC_EMAIL]) && (e = check_email(v[CC_EMAIL])) != NULL)
		BAD("email: '%s' is %s", v[CC_EMAIL], e);
	if (!str_blank(v[CC_STATUS]) &&
	    (refs->status = crm_status_canonical(v[CC_STATUS])) == NULL)
		BAD("status: '%s' is not one of lead, qualified, customer, "
		    "disqualified", v[CC_STATUS]);
	if (strcmp(refs->status, "disqualified") == 0 && str_blank(v[CC_STATUS_REASON]))
		BAD("reason: a disqualified lead needs a reason");
	if (!str_blank(v[CC_OWNER])) {
		refs->owner_id = crm_user_id(db, v[CC_OWNER]);
		if (refs->owner_id < 0)
			BAD("owner: no user '%s'", v[CC_OWNER]);
	}
	if (!str_blank(v[CC_POOL])) {
		refs->pool_id = crm_pool_id(db, v[CC_POOL]);
		if (refs->pool_id < 0)
			BAD("pool: no pool '%s'", v[CC_POOL]);
		if (refs->owner_id >= 0)
			BAD("pool: a customer is owned or pooled, not both");
	}
	if (!str_blank(v[CC_SCORE])) {
		char *end;

		(void)strtoll(v[CC_SCORE], &end, 10);
		if (*end != '\0')
			BAD("score: '%s' is not a whole number", v[CC_SCORE]);
	}
	if (!str_blank(v[CC_CREATED_AT]) && crm_parse_time(v[CC_CREATED_AT], &t) == -1)
		BAD("created_at: '%s' is not a date (YYYY-MM-DD[THH:MM:SS])",
		    v[CC_CREATED_AT]);
#undef BAD
	return NULL;
}

/*
** One statement finds the lowest live id on each key (a NULL key finds
** nothing); the holder is looked up only on a hit.  Three probes in one
** statement, because an import makes one per row.
*/
static int
find_dup(struct crm_db *db, const struct crm_lead_refs *refs,
    long long except_id, long long before_id, struct crm_dup *dup)
{
	struct crm_stmt *s;
	long long id = 0;
	int k;

	if (!refs->key[0] && !refs->key[1] && !refs->key[2])
		return 0;
	s = crm_sql(db, "SELECT"
	    " (SELECT min(id) FROM customers WHERE phone_key = ?1"
	    " AND merged_into IS NULL AND id <> ?4 AND id < ?5),"
	    " (SELECT min(id) FROM customers WHERE email_key = ?2"
	    " AND merged_into IS NULL AND id <> ?4 AND id < ?5),"
	    " (SELECT min(id) FROM customers WHERE company_key = ?3"
	    " AND merged_into IS NULL AND id <> ?4 AND id < ?5)");
	for (k = 0; k < CRM_NKEYS; k++)
		crm_bind_text_static(s, k + 1, refs->key[k]);
	crm_bind_int(s, 4, except_id);
	crm_bind_int(s, 5, before_id);
	crm_step(s);
	for (k = 0; k < CRM_NKEYS && id == 0; k++)
		if (!crm_col_null(s, k))
			id = crm_col_int(s, k);
	crm_reset(s);
	if (id == 0)
		return 0;
	s = crm_sql(db, "SELECT u.login, p.name, c.batch_id FROM customers c"
	    " LEFT JOIN users u ON u.id = c.owner_id"
	    " LEFT JOIN pools p ON p.id = c.pool_id WHERE c.id = ?");
	crm_bind_int(s, 1, id);
	crm_step(s);
	dup->id = id;
	dup->on = crm_key_names[k - 1];
	snprintf(dup->owner, sizeof dup->owner, "%s",
	    crm_col_null(s, 0) ? "" : crm_col_text(s, 0));
	snprintf(dup->pool, sizeof dup->pool, "%s",
	    crm_col_null(s, 1) ? "" : crm_col_text(s, 1));
	dup->this_batch = !crm_col_null(s, 2) && crm_col_int(s, 2) == crm_batch_id();
	crm_reset(s);
	return 1;
}

int
crm_lead_find_dup(struct crm_db *db, const struct crm_lead_refs *refs,
    long long except_id, struct crm_dup *dup)
{
	return find_dup(db, refs, except_id, LLONG_MAX, dup);
}

int
crm_lead_find_earlier_dup(struct crm_db *db, long long id, struct crm_dup *dup)
{
	struct crm_stmt *s = crm_sql(db, "SELECT phone_key, email_key,"
	    " company_key FROM customers WHERE id = ?");
	struct crm_lead_refs refs = { 0 };
	int hit;

	crm_bind_int(s, 1, id);
	if (!crm_step(s))
		return 0;
	for (int k = 0; k < CRM_NKEYS; k++)
		refs.key[k] = crm_col_null(s, k) ? NULL : xstrdup(crm_col_text(s, k));
	crm_reset(s);
	hit = find_dup(db, &refs, id, id, dup);
	crm_lead_refs_free(&refs);
	return hit;
}

/*
** Nothing of it was committed, so its history goes with it: history is
** append-only once written for good.
*/
void
crm_lead_retract(struct crm_db *db, long long id)
{
	struct crm_stmt *s;

	s = crm_sql(db, "DELETE FROM customer_fields WHERE customer_id = ?");
	crm_bind_int(s, 1, id);
	crm_step(s);
	s = crm_sql(db, "DELETE FROM history WHERE entity = 'customer'"
	    " AND entity_id = ? AND batch_id = ?");
	crm_bind_int(s, 1, id);
	crm_bind_int(s, 2, crm_batch_id());
	crm_step(s);
	s = crm_sql(db, "DELETE FROM customers WHERE id = ? AND batch_id = ?");
	crm_bind_int(s, 1, id);
	crm_bind_int(s, 2, crm_batch_id());
	crm_step(s);
}

static long long
custom_field_id(struct crm_db *db, const char *name)
{
	struct crm_stmt *s = crm_sql(db,
	    "INSERT INTO custom_fields (name) VALUES (?) ON CONFLICT (name) DO NOTHING");
	long long id;

	crm_bind_text(s, 1, name);
	crm_step(s);
	s = crm_sql(db, "SELECT id FROM custom_fields WHERE name = ?");
	crm_bind_text(s, 1, name);
	crm_step(s);
	id = crm_col_int(s, 0);
	crm_reset(s);
	return id;
}

static void
set_custom(struct crm_db *db, long long id, const char *name, const char *value)
{
	struct crm_stmt *s;
	long long fid = custom_field_id(db, name);

	s = crm_sql(db, "INSERT INTO customer_fields (customer_id, field_id, value)"
	    " VALUES (?, ?, ?) ON CONFLICT (customer_id, field_id)"
	    " DO UPDATE SET value = excluded.value");
	crm_bind_int(s, 1, id);
	crm_bind_int(s, 2, fid);
	crm_bind_text(s, 3, value);
	crm_step(s);
}

/* Empty strings are stored as NULL: an empty cell is no value. */
static const char *
val(const char *s)
{
	return str_blank(s) ? NULL : s;
}

/* Every bound string outlives the step below: bound without copies. */
long long
crm_lead_insert(struct crm_db *db, const struct crm_lead *l,
    const struct crm_lead_refs *refs)
{
	struct crm_stmt *s = crm_sql(db,
	    "INSERT INTO customers (name, company, phone, email, region, industry,"
	    " source, status, status_reason, grade, score, owner_id, owner_since,"
	    " pool_id, pool_since, phone_key, email_key, company_key, batch_id,"
	    " created_by, created_at, updated_at)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	const char *const *v = l->v;
	const char *created = val(v[CC_CREATED_AT]);
	char when[CRM_TIME_LEN];
	long long id;
	time_t t;

	if (created && crm_parse_time(created, &t) == 0) {
		crm_format_time(t, when);
		created = when;
	} else
		created = crm_now_text();
	for (int i = CC_NAME; i <= CC_SOURCE; i++)
		crm_bind_text_static(s, i, val(v[i]));
	crm_bind_text_static(s, 8, refs->status);
	crm_bind_text_static(s, 9, val(v[CC_STATUS_REASON]));
	crm_bind_text_static(s, 10, val(v[CC_GRADE]));
	if (val(v[CC_SCORE]))
		crm_bind_int(s, 11, strtoll(v[CC_SCORE], NULL, 10));
	if (refs->owner_id >= 0) {
		crm_bind_int(s, 12, refs->owner_id);
		crm_bind_text_static(s, 13, created);
	}
	if (refs->pool_id >= 0) {
		crm_bind_int(s, 14, refs->pool_id);
		crm_bind_text_static(s, 15, created);
	}
	for (int k = 0; k < CRM_NKEYS; k++)
		crm_bind_text_static(s, 16 + k, refs->key[k]);
	if (crm_batch_id())
		crm_bind_int(s, 19, crm_batch_id());
	crm_bind_text_static(s, 20, crm_g.actor);
	crm_bind_text_static(s, 21, created);
	crm_bind_text_static(s, 22, crm_now_text());
	crm_step(s);
	id = crm_db_last_id(db);
	/* An empty cell stores nothing, but its column is kept for list. */
	for (size_t i = 0; i < l->ncustom; i++)
		if (val(l->custom_values[i]))
			set_custom(db, id, l->custom_names[i], l->custom_values[i]);
		else
			(void)custom_field_id(db, l->custom_names[i]);
	/* An owner or pool given at creation is a change of owner or pool. */
	if (refs->owner_id >= 0)
		crm_history(db, "customer", id, "owner", NULL, v[CC_OWNER], "created");
	if (refs->pool_id >= 0)
		crm_history(db, "customer", id, "pool", NULL, v[CC_POOL], "created");
	return id;
}

int
crm_customer_exists(struct crm_db *db, long long id)
{
	return crm_db_int(db, "SELECT count(*) FROM customers WHERE id = ?"
	    " AND merged_into IS NULL", id) > 0;
}

static struct crm_cursor *open_one(struct crm_db *db, long long id);

/*
** Customer ID's columns as list shows them (owner login, pool name), as
** copies in CUR, which the caller frees with free_customer().  Returns 0,
** with CUR all NULL, when there is no live customer ID.  One statement
** for the whole record, not one per column.
*/
static int
load_customer(struct crm_db *db, long long id, char *cur[CC_NLONG])
{
	struct crm_cursor *c = open_one(db, id);
	const char *const *v = crm_cursor_next(c);

	for (int i = 0; i < CC_NLONG; i++)
		cur[i] = v && v[i] ? xstrdup(v[i]) : NULL;
	crm_cursor_close(c);
	return v != NULL;
}

static void
free_customer(char *cur[CC_NLONG])
{
	for (int i = 0; i < CC_NLONG; i++)
		free(cur[i]);
}

static int
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

const char *
crm_lead_update(struct crm_db *db, long long id, const struct crm_lead *l,
    int *changed)
{
	static const char *const set_sql[CC_NLONG] = {
		[CC_NAME] = "UPDATE customers SET name = ?, updated_at = ? WHERE id = ?",
		[CC_COMPANY] = "UPDATE customers SET company = ?, updated_at = ? WHERE id = ?",
		[CC_PHONE] = "UPDATE customers SET phone = ?, updated_at = ? WHERE id = ?",
		[CC_EMAIL] = "UPDATE customers SET email = ?, updated_at = ? WHERE id = ?",
		[CC_REGION] = "UPDATE customers SET region = ?, updated_at = ? WHERE id = ?",
		[CC_INDUSTRY] = "UPDATE customers SET industry = ?, updated_at = ? WHERE id = ?",
		[CC_SOURCE] = "UPDATE customers SET source = ?, updated_at = ? WHERE id = ?",
		[CC_SCORE] = "UPDATE customers SET score = ?, updated_at = ? WHERE id = ?",
		[CC_GRADE] = "UPDATE customers SET grade = ?, updated_at = ? WHERE id = ?",
	};
	static char msg[512];
	struct crm_lead_refs refs;
	struct crm_lead merged = *l;
	char *cur[CC_NLONG];
	const char *err;

	*changed = 0;
	if (!load_customer(db, id, cur)) {
		snprintf(msg, sizeof msg, "id: no customer %lld", id);
		return msg;
	}
	/* Check the record as it would be after the update. */
	for (int i = CC_NAME; i < CC_NLONG; i++)
		if (merged.v[i] == NULL)
			merged.v[i] = cur[i];
	merged.v[CC_CREATED_AT] = NULL;
	if ((err = crm_lead_check(db, &merged, &refs)) != NULL)
		goto out;
	err = msg;
	if (!same(val(l->v[CC_OWNER]), cur[CC_OWNER]) && l->v[CC_OWNER]) {
		snprintf(msg, sizeof msg, "owner: changing owners is crm-assign's job");
		goto out;
	}
	if (!same(val(l->v[CC_POOL]), cur[CC_POOL]) && l->v[CC_POOL]) {
		snprintf(msg, sizeof msg, "pool: moving to a pool is crm-pool's job");
		goto out;
	}
	if (l->v[CC_STATUS] && !same(refs.status, cur[CC_STATUS])) {
		err = crm_lead_set_status(db, id, refs.status,
		    l->v[CC_STATUS_REASON], changed);
		if (err)
			goto out;
	}
	for (int i = CC_NAME; i < CC_NLONG; i++) {
		struct crm_stmt *s;

		if (set_sql[i] == NULL || l->v[i] == NULL ||
		    same(val(l->v[i]), cur[i]))
			continue;
		s = crm_sql(db, set_sql[i]);
		if (i == CC_SCORE && val(l->v[i]))
			crm_bind_int(s, 1, strtoll(l->v[i], NULL, 10));
		else
			crm_bind_text(s, 1, val(l->v[i]));
		crm_bind_text(s, 2, crm_now_text());
		crm_bind_int(s, 3, id);
		crm_step(s);
		if (i == CC_SCORE)
			crm_history(db, "customer", id, "score", cur[i],
			    val(l->v[i]), "update");
		*changed = 1;
	}
	{
		struct crm_stmt *s = crm_sql(db, "UPDATE customers SET phone_key = ?,"
		    " email_key = ?, company_key = ? WHERE id = ?");
		for (int k = 0; k < CRM_NKEYS; k++)
			crm_bind_text(s, k + 1, refs.key[k]);
		crm_bind_int(s, 4, id);
		crm_step(s);
	}
	for (size_t i = 0; i < l->ncustom; i++)
		if (l->custom_values[i]) {
			set_custom(db, id, l->custom_names[i], val(l->custom_values[i]));
			*changed = 1;
		}
	err = NULL;
out:
	crm_lead_refs_free(&refs);
	free_customer(cur);
	return err;
}

const char *
crm_lead_set_status(struct crm_db *db, long long id, const char *status,
    const char *reason, int *changed)
{
	static char msg[256];
	struct crm_stmt *s;
	char *rec[CC_NLONG], *cur;

	*changed = 0;
	if (!load_customer(db, id, rec)) {
		snprintf(msg, sizeof msg, "id: no customer %lld", id);
		return msg;
	}
	cur = rec[CC_STATUS];
	if (strcmp(cur, status) == 0) {
		free_customer(rec);
		return NULL;
	}
	if (strcmp(cur, "customer") == 0) {
		snprintf(msg, sizeof msg, "status: customer %lld is already a "
		    "customer; it cannot become %s", id, status);
		free_customer(rec);
		return msg;
	}
	if (strcmp(status, "disqualified") == 0 && str_blank(reason)) {
		free_customer(rec);
		return "reason: disqualifying needs a reason";
	}
	s = crm_sql(db, "UPDATE customers SET status = ?, status_reason = ?,"
	    " updated_at = ? WHERE id = ?");
	crm_bind_text(s, 1, status);
	crm_bind_text(s, 2, strcmp(status, "disqualified") == 0 ? reason : NULL);
	crm_bind_text(s, 3, crm_now_text());
	crm_bind_int(s, 4, id);
	crm_step(s);
	crm_history(db, "customer", id, "status", cur, status, val(reason));
	free_customer(rec);
	*changed = 1;
	return NULL;
}

/* Move the children of DUP to KEEP, one history row each. */
static void
move_children(struct crm_db *db, const char *entity, const char *select_sql,
    const char *update_sql, long long keep, long long dup)
{
	struct crm_stmt *s = crm_sql(db, select_sql);
	long long *ids = NULL;
	size_t n = 0, cap = 0;
	char from[32], to[32];

	crm_bind_int(s, 1, dup);
	while (crm_step(s)) {
		if (n == cap)
			ids = xrealloc(ids, (cap = cap ? cap * 2 : 16) * sizeof *ids);
		ids[n++] = crm_col_int(s, 0);
	}
	snprintf(from, sizeof from, "%lld", dup);
	snprintf(to, sizeof to, "%lld", keep);
	for (size_t i = 0; i < n; i++) {
		s = crm_sql(db, update_sql);
		crm_bind_int(s, 1, keep);
		crm_bind_int(s, 2, ids[i]);
		crm_step(s);
		crm_history(db, entity, ids[i], "customer_id", from, to, "merge");
	}
	free(ids);
}

const char *
crm_lead_merge(struct crm_db *db, long long keep, long long dup)
{
	static char msg[256];
	struct crm_stmt *s;
	char *rec[CC_NLONG], *owner, *pool, to[32];

	if (keep == dup)
		return "id: cannot merge a customer into itself";
	if (!crm_customer_exists(db, keep)) {
		snprintf(msg, sizeof msg, "id: no customer %lld", keep);
		return msg;
	}
	if (!crm_customer_exists(db, dup)) {
		snprintf(msg, sizeof msg, "id: no customer %lld (or merged already)", dup);
		return msg;
	}
	move_children(db, "activity", "SELECT id FROM activities WHERE customer_id = ?",
	    "UPDATE activities SET customer_id = ? WHERE id = ?", keep, dup);
	crm_customer_followup_refresh(db, keep);
	crm_customer_followup_refresh(db, dup);
	move_children(db, "deal", "SELECT id FROM deals WHERE customer_id = ?",
	    "UPDATE deals SET customer_id = ? WHERE id = ?", keep, dup);
	move_children(db, "contact", "SELECT id FROM contacts WHERE customer_id = ?",
	    "UPDATE contacts SET customer_id = ? WHERE id = ?", keep, dup);
	load_customer(db, dup, rec);
	owner = rec[CC_OWNER];
	pool = rec[CC_POOL];
	s = crm_sql(db, "UPDATE customers SET merged_into = ?, owner_id = NULL,"
	    " owner_since = NULL, pool_id = NULL, pool_since = NULL, updated_at = ?"
	    " WHERE id = ?");
	crm_bind_int(s, 1, keep);
	crm_bind_text(s, 2, crm_now_text());
	crm_bind_int(s, 3, dup);
	crm_step(s);
	if (owner)
		crm_history(db, "customer", dup, "owner", owner, NULL, "merge");
	if (pool)
		crm_history(db, "customer", dup, "pool", pool, NULL, "merge");
	snprintf(to, sizeof to, "%lld", keep);
	crm_history(db, "customer", dup, "merged_into", NULL, to, "merge");
	s = crm_sql(db, "INSERT INTO merges (keep_id, dup_id, batch_id, at)"
	    " VALUES (?, ?, ?, ?)");
	crm_bind_int(s, 1, keep);
	crm_bind_int(s, 2, dup);
	crm_bind_int(s, 3, crm_batch_id());
	crm_bind_text(s, 4, crm_now_text());
	crm_step(s);
	free_customer(rec);
	return NULL;
}

static void
unmerge_skipped(const char *entity, long long id, const char *field,
    const char *why, void *ctx)
{
	(void)ctx;
	crm_warn("unmerge: %s %lld %s not restored: %s", entity, id, field, why);
}

const char *
crm_lead_unmerge(struct crm_db *db, long long dup)
{
	static char msg[256];
	struct crm_stmt *s = crm_sql(db, "SELECT id, batch_id, keep_id FROM merges"
	    " WHERE dup_id = ? AND undone_at IS NULL ORDER BY id DESC LIMIT 1");
	long long mid, b, keep;

	crm_bind_int(s, 1, dup);
	if (!crm_step(s)) {
		snprintf(msg, sizeof msg, "id: customer %lld is not merged", dup);
		return msg;
	}
	mid = crm_col_int(s, 0);
	b = crm_col_int(s, 1);
	keep = crm_col_int(s, 2);
	crm_reset(s);
	crm_batch_undo(db, b, unmerge_skipped, NULL);
	crm_customer_followup_refresh(db, keep);
	crm_customer_followup_refresh(db, dup);
	s = crm_sql(db, "UPDATE merges SET undone_at = ? WHERE id = ?");
	crm_bind_text(s, 1, crm_now_text());
	crm_bind_int(s, 2, mid);
	crm_step(s);
	return NULL;
}

/* Listing: one fixed statement with optional filters, custom columns merged in. */

struct crm_cursor {
	struct crm_db *db;
	struct crm_stmt *main, *custom;
	int wide, have_custom;
	size_t nbase, ncol;
	const char **names;
	long long *field_ids;
	const char **vals;
	char **owned;		/* custom values of the current row */
	long long cust_id, cust_field;	/* the custom row read ahead */
	int cust_more;
};

static const char list_sql[] =
	"SELECT c.id, c.name, c.company, c.phone, c.email, c.region, c.industry,"
	" c.source, c.status, u.login, p.name, c.score, c.created_at, c.grade,"
	" c.status_reason, c.owner_since, c.pool_since, c.last_activity_at,"
	" c.next_due_at, c.locked, c.merged_into, c.updated_at"
	" FROM customers c LEFT JOIN users u ON u.id = c.owner_id"
	" LEFT JOIN pools p ON p.id = c.pool_id"
	" WHERE (?1 IS NULL OR c.status = ?1) AND (?2 IS NULL OR u.login = ?2)"
	" AND (?3 IS NULL OR p.name = ?3) AND (?4 IS NULL OR c.region = ?4)"
	" AND (?5 IS NULL OR c.industry = ?5) AND (?6 IS NULL OR c.source = ?6)"
	" AND (?7 IS NULL OR c.created_at >= ?7) AND (?8 IS NULL OR c.created_at < ?8)"
	/* a range, not "?9 = 0 OR c.id = ?9", so one id is a key lookup */
	" AND c.id BETWEEN (CASE WHEN ?9 = 0 THEN 1 ELSE ?9 END)"
	" AND (CASE WHEN ?9 = 0 THEN 9223372036854775807 ELSE ?9 END)"
	" AND (?10 = 1 OR c.merged_into IS NULL)"
	" ORDER BY c.id";

static void
custom_advance(struct crm_cursor *c)
{
	c->cust_more = crm_step(c->custom);
	if (c->cust_more) {
		c->cust_id = crm_col_int(c->custom, 0);
		c->cust_field = crm_col_int(c->custom, 1);
	}
}

struct crm_cursor *
crm_customers_open(struct crm_db *db, const struct crm_filter *f)
{
	struct crm_cursor *c = xcalloc(1, sizeof *c);
	struct crm_stmt *s;
	size_t nfield = 0, cap = 0;
	char **fnames = NULL;
	long long *fids = NULL;

	c->db = db;
	c->wide = f->wide;
	c->nbase = f->wide ? CC_NLONG : CC_N;
	s = crm_sql(db, "SELECT id, name FROM custom_fields ORDER BY id");
	while (crm_step(s)) {
		if (nfield == cap) {
			cap = cap ? cap * 2 : 8;
			fnames = xrealloc(fnames, cap * sizeof *fnames);
			fids = xrealloc(fids, cap * sizeof *fids);
		}
		fids[nfield] = crm_col_int(s, 0);
		fnames[nfield++] = xstrdup(crm_col_text(s, 1));
	}
	c->ncol = c->nbase + nfield;
	c->names = xcalloc(c->ncol, sizeof *c->names);
	for (size_t i = 0; i < c->nbase; i++)
		c->names[i] = crm_customer_cols[i];
	for (size_t i = 0; i < nfield; i++)
		c->names[c->nbase + i] = fnames[i];
	free(fnames);
	c->field_ids = fids;
	c->vals = xcalloc(c->ncol, sizeof *c->vals);
	c->owned = xcalloc(nfield + 1, sizeof *c->owned);
	c->main = crm_sql(db, list_sql);
	crm_bind_text(c->main, 1, f->status);
	crm_bind_text(c->main, 2, f->owner);
	crm_bind_text(c->main, 3, f->pool);
	crm_bind_text(c->main, 4, f->region);
	crm_bind_text(c->main, 5, f->industry);
	crm_bind_text(c->main, 6, f->source);
	crm_bind_text(c->main, 7, f->since);
	crm_bind_text(c->main, 8, f->until);
	crm_bind_int(c->main, 9, f->id);
	crm_bind_int(c->main, 10, f->merged);
	if (nfield) {
		c->have_custom = 1;
		c->custom = crm_sql(db, "SELECT customer_id, field_id, value"
		    " FROM customer_fields WHERE customer_id BETWEEN"
		    " (CASE WHEN ?1 = 0 THEN 1 ELSE ?1 END)"
		    " AND (CASE WHEN ?1 = 0 THEN 9223372036854775807 ELSE ?1 END)"
		    " ORDER BY customer_id, field_id");
		crm_bind_int(c->custom, 1, f->id);
		custom_advance(c);
	}
	return c;
}

/* The cursor of live customer ID alone, with every column. */
static struct crm_cursor *
open_one(struct crm_db *db, long long id)
{
	struct crm_filter f = { 0 };

	f.id = id;
	f.wide = 1;
	return crm_customers_open(db, &f);
}

size_t
crm_cursor_ncol(const struct crm_cursor *c)
{
	return c->ncol;
}

const char *const *
crm_cursor_names(const struct crm_cursor *c)
{
	return c->names;
}

const char *const *
crm_cursor_next(struct crm_cursor *c)
{
	long long id;
	size_t nf = c->ncol - c->nbase;

	if (!crm_step(c->main))
		return NULL;
	for (size_t i = 0; i < c->nbase; i++)
		c->vals[i] = crm_col_text(c->main, (int)i);
	id = crm_col_int(c->main, 0);
	for (size_t i = 0; i < nf; i++) {
		free(c->owned[i]);
		c->owned[i] = NULL;
	}
	while (c->have_custom && c->cust_more && c->cust_id <= id) {
		if (c->cust_id == id)
			for (size_t i = 0; i < nf; i++)
				if (c->field_ids[i] == c->cust_field &&
				    !crm_col_null(c->custom, 2))
					c->owned[i] = xstrdup(crm_col_text(c->custom, 2));
		custom_advance(c);
	}
	for (size_t i = 0; i < nf; i++)
		c->vals[c->nbase + i] = c->owned[i];
	return c->vals;
}

void
crm_cursor_close(struct crm_cursor *c)
{
	size_t nf;

	if (c == NULL)
		return;
	nf = c->ncol - c->nbase;
	crm_reset(c->main);
	if (c->custom)
		crm_reset(c->custom);
	for (size_t i = 0; i < nf; i++) {
		free(c->owned[i]);
		free((char *)c->names[c->nbase + i]);
	}
	free(c->owned);
	free(c->names);
	free(c->field_ids);
	free(c->vals);
	free(c);
}

int
crm_customer_holder(struct crm_db *db, long long id, long long *user_id,
    long long *pool_id)
{
	struct crm_stmt *s = crm_sql(db, "SELECT owner_id, pool_id FROM customers"
	    " WHERE id = ? AND merged_into IS NULL");

	*user_id = *pool_id = -1;
	crm_bind_int(s, 1, id);
	if (!crm_step(s))
		return 0;
	if (!crm_col_null(s, 0))
		*user_id = crm_col_int(s, 0);
	if (!crm_col_null(s, 1))
		*pool_id = crm_col_int(s, 1);
	crm_reset(s);
	return 1;
}

int
crm_customer_set_owner(struct crm_db *db, long long id, long long user_id,
    const char *reason)
{
	struct crm_stmt *s;
	long long old_user, old_pool;
	char *old_login = NULL, *old_pool_name = NULL;
	const char *n;

	if (!crm_customer_holder(db, id, &old_user, &old_pool))
		crm_die("no customer %lld", id);
	if (old_user == user_id && (user_id >= 0 || old_pool < 0))
		return 0;
	if ((n = crm_user_login(db, old_user)) != NULL)
		old_login = xstrdup(n);
	if ((n = crm_pool_name(db, old_pool)) != NULL)
		old_pool_name = xstrdup(n);
	s = crm_sql(db, "UPDATE customers SET owner_id = ?, owner_since = ?,"
	    " pool_id = NULL, pool_since = NULL, updated_at = ? WHERE id = ?");
	if (user_id >= 0) {
		crm_bind_int(s, 1, user_id);
		crm_bind_text(s, 2, crm_now_text());
	}
	crm_bind_text(s, 3, crm_now_text());
	crm_bind_int(s, 4, id);
	crm_step(s);
	if (old_pool_name)
		crm_history(db, "customer", id, "pool", old_pool_name, NULL, reason);
	if (old_user != user_id)
		crm_history(db, "customer", id, "owner", old_login,
		    crm_user_login(db, user_id), reason);
	free(old_login);
	free(old_pool_name);
	return 1;
}

int
crm_customer_set_pool(struct crm_db *db, long long id, long long pool_id,
    const char *reason)
{
	struct crm_stmt *s;
	long long old_user, old_pool;
	char *old_login = NULL, *old_pool_name = NULL;
	const char *n;

	if (!crm_customer_holder(db, id, &old_user, &old_pool))
		crm_die("no customer %lld", id);
	if (old_pool == pool_id && (pool_id >= 0 || old_user < 0))
		return 0;
	if ((n = crm_user_login(db, old_user)) != NULL)
		old_login = xstrdup(n);
	if ((n = crm_pool_name(db, old_pool)) != NULL)
		old_pool_name = xstrdup(n);
	/* The rep who loses a customer to a pool is remembered for lockout. */
	s = crm_sql(db, "UPDATE customers SET pool_id = ?, pool_since = ?,"
	    " owner_id = NULL, owner_since = NULL,"
	    " prev_owner_id = coalesce(?, prev_owner_id), updated_at = ?"
	    " WHERE id = ?");
	if (pool_id >= 0) {
		crm_bind_int(s, 1, pool_id);
		crm_bind_text(s, 2, crm_now_text());
	}
	if (old_user >= 0)
		crm_bind_int(s, 3, old_user);
	crm_bind_text(s, 4, crm_now_text());
	crm_bind_int(s, 5, id);
	crm_step(s);
	if (old_login)
		crm_history(db, "customer", id, "owner", old_login, NULL, reason);
	if (old_pool != pool_id)
		crm_history(db, "customer", id, "pool", old_pool_name,
		    crm_pool_name(db, pool_id), reason);
	free(old_login);
	free(old_pool_name);
	return 1;
}
