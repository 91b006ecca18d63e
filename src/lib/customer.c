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
#include "deal.h"
#include "die.h"
#include "history.h"
#include "norm.h"
#include "opt.h"
#include "re.h"
#include "rec.h"
#include "policy.h"
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
crm_lead_check_fields(const struct crm_lead *l, struct crm_lead_refs *refs,
    char *msg, size_t msgsize)
{
	const char *const *v = l->v, *e;
	time_t t;

	memset(refs, 0, sizeof *refs);
	refs->owner_id = refs->pool_id = -1;
	refs->status = "lead";
	refs->key[CRM_KEY_PHONE] = norm_phone(v[CC_PHONE]);
	refs->key[CRM_KEY_EMAIL] = norm_email(v[CC_EMAIL]);
	refs->key[CRM_KEY_COMPANY] = norm_company(v[CC_COMPANY]);
	for (int k = 0; k < CRM_NKEYS; k++)
		refs->hash[k] = refs->key[k] ? norm_key_hash(k, refs->key[k]) : 0;
#define BAD(...) do { snprintf(msg, msgsize, __VA_ARGS__); return msg; } while (0)
	if (str_blank(v[CC_NAME]) && str_blank(v[CC_COMPANY]) &&
	    str_blank(v[CC_PHONE]) && str_blank(v[CC_EMAIL]))
		BAD("name: a lead needs a name, a company, a phone or an email");
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

const char *
crm_lead_check_refs(struct crm_db *db, const struct crm_lead *l,
    struct crm_lead_refs *refs)
{
	static char msg[512];
	const char *const *v = l->v;

	if (!str_blank(v[CC_OWNER])) {
		refs->owner_id = crm_user_id(db, v[CC_OWNER]);
		if (refs->owner_id < 0) {
			snprintf(msg, sizeof msg, "owner: no user '%s'", v[CC_OWNER]);
			return msg;
		}
	}
	if (!str_blank(v[CC_POOL])) {
		refs->pool_id = crm_pool_id(db, v[CC_POOL]);
		if (refs->pool_id < 0) {
			snprintf(msg, sizeof msg, "pool: no pool '%s'", v[CC_POOL]);
			return msg;
		}
		if (refs->owner_id >= 0)
			return "pool: a customer is owned or pooled, not both";
	}
	return NULL;
}

const char *
crm_lead_check(struct crm_db *db, const struct crm_lead *l,
    struct crm_lead_refs *refs)
{
	static char msg[512];
	const char *err = crm_lead_check_fields(l, refs, msg, sizeof msg);

	return err ? err : crm_lead_check_refs(db, l, refs);
}

/* The holder columns of a duplicate's query (owner, pool, batch) into DUP. */
#define HOLDER_COLS "c.owner_id, c.pool_id, c.batch_id FROM customers c"

static void
holder(struct crm_db *db, struct crm_stmt *s, long long id, int k,
    struct crm_dup *dup)
{
	long long v[3];

	for (int i = 0; i < 3; i++)
		v[i] = crm_col_null(s, i) ? -1 : crm_col_int(s, i);
	crm_reset(s);
	crm_dup_set(db, dup, id, k, v[0], v[1], v[2]);
}

void
crm_dup_set(struct crm_db *db, struct crm_dup *dup, long long id, int k,
    long long owner_id, long long pool_id, long long batch_id)
{
	const char *n;

	dup->id = id;
	dup->on = crm_key_names[k];
	n = crm_user_login(db, owner_id);
	snprintf(dup->owner, sizeof dup->owner, "%s", n ? n : "");
	n = crm_pool_name(db, pool_id);
	snprintf(dup->pool, sizeof dup->pool, "%s", n ? n : "");
	dup->this_batch = batch_id > 0 && batch_id == crm_batch_id(db);
}

/*
** One statement finds the lowest live id on each key (a NULL key finds
** nothing), by its integer in customer_keys and then its text; the
** holder is looked up only on a hit.  Three probes in one statement,
** because an import makes one per row.  Keys not in ONLY (a mask of
** 1 << CRM_KEY_*) are not looked for.
*/
static int
find_dup(struct crm_db *db, const struct crm_lead_refs *refs, unsigned only,
    long long except_id, long long before_id, struct crm_dup *dup)
{
	struct crm_stmt *s;
	long long id = 0;
	int k, any = 0;

	for (k = 0; k < CRM_NKEYS; k++)
		any |= refs->key[k] && (only & 1u << k);
	if (!any)
		return 0;
	/* A contact's phone or email is its customer's (联系人 count too). */
#define KEY(col, hash, text) \
	" (SELECT min(c.id) FROM customer_keys k JOIN customers c" \
	" ON c.id = k.customer_id WHERE k.key = " hash " AND c." col " = " text \
	" AND c.merged_into IS NULL AND c.id <> ?7 AND c.id < ?8)"
#define KEY_OR_CONTACT(col, hash, text) \
	" (SELECT min(i) FROM (SELECT" KEY(col, hash, text) " AS i" \
	" UNION ALL SELECT c.id FROM contacts t JOIN customers c" \
	" ON c.id = t.customer_id WHERE t." col " = " text \
	" AND c.merged_into IS NULL AND c.id <> ?7 AND c.id < ?8))"
	/*
	 * On PostgreSQL a rep may not read other customers' keys: the server
	 * answers the same question (rights.sql), for everyone.
	 */
	s = crm_sql(db, crm_db_variant(db, "SELECT"
	    KEY_OR_CONTACT("phone_key", "?1", "?4") ","
	    KEY_OR_CONTACT("email_key", "?2", "?5") ","
	    KEY("company_key", "?3", "?6"),
	    "SELECT crm.dup_key('phone', ?1, ?4, ?7, ?8),"
	    " crm.dup_key('email', ?2, ?5, ?7, ?8),"
	    " crm.dup_key('company', ?3, ?6, ?7, ?8)"));
#undef KEY_OR_CONTACT
#undef KEY
	for (k = 0; k < CRM_NKEYS; k++)
		if (refs->key[k] && (only & 1u << k)) {
			crm_bind_int(s, k + 1, refs->hash[k]);
			crm_bind_text_static(s, k + 4, refs->key[k]);
		}
	crm_bind_int(s, 7, except_id);
	crm_bind_int(s, 8, before_id);
	crm_step(s);
	for (k = 0; k < CRM_NKEYS && id == 0; k++)
		if (!crm_col_null(s, k))
			id = crm_col_int(s, k);
	crm_reset(s);
	if (id == 0)
		return 0;
	s = crm_sql(db, "SELECT " HOLDER_COLS " WHERE c.id = ?");
	crm_bind_int(s, 1, id);
	if (!crm_step(s))
		return 0;
	holder(db, s, id, k - 1, dup);
	return 1;
}

int
crm_lead_find_dup(struct crm_db *db, const struct crm_lead_refs *refs,
    long long except_id, struct crm_dup *dup)
{
	return find_dup(db, refs, ~0u, except_id, LLONG_MAX, dup);
}

int
crm_lead_find_dup_key(struct crm_db *db, const struct crm_lead_refs *refs,
    int k, struct crm_dup *dup)
{
	return find_dup(db, refs, 1u << k, 0, LLONG_MAX, dup);
}

int
crm_lead_key_is(struct crm_db *db, long long id, int k, const char *key,
    struct crm_dup *dup)
{
	static const char *const sql[CRM_NKEYS] = {
		"SELECT " HOLDER_COLS " WHERE c.id = ? AND c.phone_key = ?"
		" AND c.merged_into IS NULL",
		"SELECT " HOLDER_COLS " WHERE c.id = ? AND c.email_key = ?"
		" AND c.merged_into IS NULL",
		"SELECT " HOLDER_COLS " WHERE c.id = ? AND c.company_key = ?"
		" AND c.merged_into IS NULL",
	};
	struct crm_stmt *s = crm_sql(db, sql[k]);

	crm_bind_int(s, 1, id);
	crm_bind_text_static(s, 2, key);
	if (!crm_step(s))
		return 0;
	holder(db, s, id, k, dup);
	return 1;
}

/* Customer ID's keys into KEY (malloc'd; NULL when none). */
static void
keys_of(struct crm_db *db, long long id, char *key[CRM_NKEYS])
{
	struct crm_stmt *s = crm_sql(db, "SELECT phone_key, email_key,"
	    " company_key FROM customers WHERE id = ?");
	int row;

	crm_bind_int(s, 1, id);
	row = crm_step(s);
	for (int k = 0; k < CRM_NKEYS; k++)
		key[k] = row && !crm_col_null(s, k) ?
		    xstrdup(crm_col_text(s, k)) : NULL;
	if (row)
		crm_reset(s);
}

/* Add (ADD) or take out the rows of customer_keys of keys KEY of ID. */
static void
keys_put(struct crm_db *db, long long id, char *const key[CRM_NKEYS], int add)
{
	for (int k = 0; k < CRM_NKEYS; k++) {
		struct crm_stmt *s;

		if (key[k] == NULL)
			continue;
		s = crm_sql(db, add ? "INSERT OR IGNORE INTO customer_keys"
		    " (key, customer_id) VALUES (?, ?)" :
		    "DELETE FROM customer_keys WHERE key = ? AND customer_id = ?");
		crm_bind_int(s, 1, norm_key_hash(k, key[k]));
		crm_bind_int(s, 2, id);
		crm_step(s);
	}
}

/*
** Set customer ID's keys to KEY (NULL entries: none), in its row and in
** customer_keys.  The one way keys change after a customer is created.
*/
static void
set_keys(struct crm_db *db, long long id, char *const key[CRM_NKEYS])
{
	struct crm_stmt *s;
	char *old[CRM_NKEYS];

	keys_of(db, id, old);
	keys_put(db, id, old, 0);
	s = crm_sql(db, "UPDATE customers SET phone_key = ?, email_key = ?,"
	    " company_key = ? WHERE id = ?");
	for (int k = 0; k < CRM_NKEYS; k++)
		crm_bind_text(s, k + 1, key[k]);
	crm_bind_int(s, 4, id);
	crm_step(s);
	keys_put(db, id, key, 1);
	for (int k = 0; k < CRM_NKEYS; k++)
		free(old[k]);
}

void
crm_customer_keys_fill(struct crm_db *db)
{
	struct crm_stmt *s = crm_sql_take(db, "SELECT id, phone_key, email_key,"
	    " company_key FROM customers");

	while (crm_step(s)) {
		char *key[CRM_NKEYS];

		for (int k = 0; k < CRM_NKEYS; k++)
			key[k] = crm_col_null(s, k + 1) ? NULL :
			    (char *)crm_col_text(s, k + 1);
		keys_put(db, crm_col_int(s, 0), key, 1);
	}
	crm_sql_give(s);
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
set_custom(struct crm_db *db, long long id, long long fid, const char *value)
{
	struct crm_stmt *s;

	s = crm_sql(db, "INSERT INTO customer_fields (customer_id, field_id, value)"
	    " VALUES (?, ?, ?) ON CONFLICT (customer_id, field_id)"
	    " DO UPDATE SET value = excluded.value");
	crm_bind_int(s, 1, id);
	crm_bind_int(s, 2, fid);
	crm_bind_text(s, 3, value);
	crm_step(s);
}

/* The value of custom field NAME of customer ID, or NULL (caller frees). */
static char *
get_custom(struct crm_db *db, long long id, const char *name)
{
	struct crm_stmt *s = crm_sql(db, "SELECT v.value FROM customer_fields v"
	    " JOIN custom_fields f ON f.id = v.field_id"
	    " WHERE v.customer_id = ? AND f.name = ?");
	char *v = NULL;

	crm_bind_int(s, 1, id);
	crm_bind_text(s, 2, name);
	if (crm_step(s)) {
		if (!crm_col_null(s, 0))
			v = xstrdup(crm_col_text(s, 0));
		crm_reset(s);
	}
	return v;
}

/*
** The columns undo may set back one by one (owner, pool, status and
** merged_into have their own rules in history.c), with the SQL that does.
*/
static const struct {
	const char *name, *get, *set;
	int key;		/* CRM_KEY_* to recompute, or -1 */
} plain_fields[] = {
#define F(col, key) { #col, "SELECT " #col " FROM customers WHERE id = ?", \
	"UPDATE customers SET " #col " = ?, updated_at = ? WHERE id = ?", key }
	F(name, -1), F(company, CRM_KEY_COMPANY), F(phone, CRM_KEY_PHONE),
	F(email, CRM_KEY_EMAIL), F(region, -1), F(industry, -1), F(source, -1),
	F(grade, -1), F(score, -1), F(locked, -1), F(owner_since, -1),
	F(pool_since, -1),
#undef F
	{ "reason", "SELECT status_reason FROM customers WHERE id = ?",
	  "UPDATE customers SET status_reason = ?, updated_at = ? WHERE id = ?", -1 },
};

static int
plain_field(const char *name)
{
	for (size_t i = 0; i < sizeof plain_fields / sizeof plain_fields[0]; i++)
		if (strcmp(plain_fields[i].name, name) == 0)
			return (int)i;
	return -1;
}

int
crm_customer_is_field(struct crm_db *db, const char *name)
{
	return plain_field(name) >= 0 ||
	    crm_db_id(db, "SELECT id FROM custom_fields WHERE name = ?", name) >= 0;
}

char *
crm_customer_field(struct crm_db *db, long long id, const char *name, int *gone)
{
	int f = plain_field(name);
	struct crm_stmt *s;
	char *v = NULL;

	*gone = crm_db_int(db, "SELECT count(*) FROM customers WHERE id = ?", id) == 0;
	if (*gone)
		return NULL;
	if (f < 0)
		return get_custom(db, id, name);
	s = crm_sql(db, plain_fields[f].get);
	crm_bind_int(s, 1, id);
	if (crm_step(s)) {
		if (!crm_col_null(s, 0))
			v = xstrdup(crm_col_text(s, 0));
		crm_reset(s);
	}
	return v;
}

void
crm_customer_set_field(struct crm_db *db, long long id, const char *name,
    const char *value)
{
	int f = plain_field(name);
	struct crm_stmt *s;

	if (f < 0) {
		set_custom(db, id, custom_field_id(db, name), value);
		return;
	}
	s = crm_sql(db, plain_fields[f].set);
	crm_bind_text(s, 1, value);
	crm_bind_text(s, 2, crm_now_text());
	crm_bind_int(s, 3, id);
	crm_step(s);
	if (plain_fields[f].key >= 0) {
		int k = plain_fields[f].key;
		char *key[CRM_NKEYS];

		keys_of(db, id, key);
		free(key[k]);
		key[k] = k == CRM_KEY_PHONE ? norm_phone(value) :
		    k == CRM_KEY_EMAIL ? norm_email(value) : norm_company(value);
		set_keys(db, id, key);
		for (k = 0; k < CRM_NKEYS; k++)
			free(key[k]);
	}
}

/* Empty strings are stored as NULL: an empty cell is no value. */
static const char *
val(const char *s)
{
	return str_blank(s) ? NULL : s;
}

/* The columns of a new customer, in the order of crm_lead_values(). */
#define LEAD_COLS "id, name, company, phone, email, region, industry," \
	" source, status, status_reason, grade, score, owner_id, owner_since," \
	" pool_id, pool_since, phone_key, email_key, company_key, batch_id," \
	" created_by, created_at, updated_at"

const char crm_lead_feed_sql[] = "INSERT INTO customers (" LEAD_COLS ")"
    " SELECT c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14,"
    " c15, c16, c17, c18, c19, c20, c21, c22 FROM crm_feed";

void
crm_lead_values(struct crm_db *db, const struct crm_lead *l,
    const struct crm_lead_refs *refs, long long id,
    struct crm_value *v, char when[CRM_TIME_LEN])
{
	const char *const *x = l->v;
	const char *created = val(x[CC_CREATED_AT]);
	time_t t;

#define TEXT(col, str) (v[col].type = CRM_VTEXT, v[col].s = (str))
#define INT(col, n) (v[col].type = CRM_VINT, v[col].i = (n))
	memset(v, 0, CRM_LEAD_NVALUES * sizeof *v);
	if (created && crm_parse_time(created, &t) == 0) {
		crm_format_time(t, when);
		created = when;
	} else
		created = crm_now_text();
	if (id > 0)
		INT(0, id);
	for (int i = CC_NAME; i <= CC_SOURCE; i++)
		TEXT(i, val(x[i]));
	TEXT(8, refs->status);
	TEXT(9, val(x[CC_STATUS_REASON]));
	TEXT(10, val(x[CC_GRADE]));
	if (val(x[CC_SCORE]))
		INT(11, strtoll(x[CC_SCORE], NULL, 10));
	if (refs->owner_id >= 0) {
		INT(12, refs->owner_id);
		TEXT(13, created);
	}
	if (refs->pool_id >= 0) {
		INT(14, refs->pool_id);
		TEXT(15, created);
	}
	for (int k = 0; k < CRM_NKEYS; k++)
		TEXT(16 + k, refs->key[k]);
	if (crm_batch_id(db))
		INT(19, crm_batch_id(db));
	TEXT(20, crm_actor(db));
	TEXT(21, created);
	TEXT(22, crm_now_text());
#undef TEXT
#undef INT
}

void
crm_lead_created(struct crm_db *db, long long id, const struct crm_lead *l,
    const struct crm_lead_refs *refs)
{
	/* An empty cell stores nothing, but its column is kept for list. */
	for (size_t i = 0; i < l->ncustom; i++) {
		long long fid = l->custom_ids && l->custom_ids[i] >= 0 ?
		    l->custom_ids[i] : custom_field_id(db, l->custom_names[i]);

		if (l->custom_ids)
			l->custom_ids[i] = fid;
		if (val(l->custom_values[i]) != NULL) {
			/* appended: a new customer has no values to replace */
			char cid[24], fidb[24];
			const char *row[3] = { cid, fidb, l->custom_values[i] };

			snprintf(cid, sizeof cid, "%lld", id);
			snprintf(fidb, sizeof fidb, "%lld", fid);
			crm_db_append(db, "customer_fields",
			    "(customer_id, field_id, value)", 3, row);
		}
	}
	/* An owner or pool given at creation is a change of owner or pool. */
	if (refs->owner_id >= 0)
		crm_history(db, "customer", id, "owner", NULL,
		    crm_user_login(db, refs->owner_id), "created");
	if (refs->pool_id >= 0)
		crm_history(db, "customer", id, "pool", NULL, l->v[CC_POOL],
		    "created");
}

/* Every bound string outlives the step below: bound without copies. */
long long
crm_lead_insert_row(struct crm_db *db, const struct crm_lead *l,
    const struct crm_lead_refs *refs)
{
	struct crm_stmt *s = crm_sql(db, "INSERT INTO customers (" LEAD_COLS ")"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
	    " ?, ?, ?)");
	struct crm_value v[CRM_LEAD_NVALUES];
	char when[CRM_TIME_LEN];
	long long id;

	crm_lead_values(db, l, refs, 0, v, when);
	for (int i = 0; i < CRM_LEAD_NVALUES; i++)
		crm_bind_value(s, i + 1, &v[i]);
	crm_step(s);
	id = crm_db_last_id(db);
	crm_lead_created(db, id, l, refs);
	return id;
}

long long
crm_lead_insert(struct crm_db *db, const struct crm_lead *l,
    const struct crm_lead_refs *refs)
{
	long long id = crm_lead_insert_row(db, l, refs);

	keys_put(db, id, refs->key, 1);
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
	if ((err = crm_may_change(db, id)) != NULL) {
		free_customer(cur);
		return err;
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
		crm_history(db, "customer", id, crm_customer_cols[i], cur[i],
		    val(l->v[i]), "update");
		*changed = 1;
	}
	set_keys(db, id, refs.key);
	for (size_t i = 0; i < l->ncustom; i++) {
		char *old;

		if (l->custom_values[i] == NULL)
			continue;
		old = get_custom(db, id, l->custom_names[i]);
		if (!same(old, val(l->custom_values[i]))) {
			set_custom(db, id, custom_field_id(db,
			    l->custom_names[i]), val(l->custom_values[i]));
			crm_history(db, "customer", id, l->custom_names[i], old,
			    val(l->custom_values[i]), "update");
			*changed = 1;
		}
		free(old);
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
	const char *err;

	*changed = 0;
	if (!load_customer(db, id, rec)) {
		snprintf(msg, sizeof msg, "id: no customer %lld", id);
		return msg;
	}
	cur = rec[CC_STATUS];
	if ((err = crm_may_change(db, id)) != NULL) {
		free_customer(rec);
		return err;
	}
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
	const char *err;
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
	if ((err = crm_may_change(db, keep)) != NULL ||
	    (err = crm_may_change(db, dup)) != NULL)
		return err;
	move_children(db, "activity", "SELECT id FROM activities WHERE customer_id = ?",
	    "UPDATE activities SET customer_id = ? WHERE id = ?", keep, dup);
	crm_customer_followup_refresh(db, keep);
	crm_customer_followup_refresh(db, dup);
	move_children(db, "deal", "SELECT id FROM deals WHERE customer_id = ?",
	    "UPDATE deals SET customer_id = ? WHERE id = ?", keep, dup);
	{	/* the open deals that came follow KEEP's holder, as its own do */
		long long keep_owner, keep_pool;

		if (crm_customer_holder(db, keep, &keep_owner, &keep_pool))
			crm_deals_follow_owner(db, keep, keep_owner, keep_owner < 0 ?
			    NULL : crm_user_login(db, keep_owner), "merge");
	}
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
	crm_bind_int(s, 3, crm_batch_id(db));
	crm_bind_text(s, 4, crm_now_text());
	crm_step(s);
	free_customer(rec);
	return NULL;
}

const char *
crm_lead_unmerge(struct crm_db *db, long long dup)
{
	static char msg[256];
	const char *err;
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
	if ((err = crm_may_change(db, keep)) != NULL)
		return err;
	crm_batch_undo(db, b, crm_undo_skipped, NULL);
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
	int wide, have_custom, raw;
	size_t nbase, ncol;
	const char **names;
	long long *field_ids;
	const char **vals;
	char **owned;		/* custom values of the current row */
	long long cust_id, cust_field;	/* the custom row read ahead */
	int cust_more;
	char *masks[2];		/* masked phone and email of the current row */
};

static const char list_sql[] =
	"SELECT c.id, c.name, c.company, c.phone, c.email, c.region, c.industry,"
	" c.source, c.status, u.login, p.name, c.score, c.created_at, c.grade,"
	" c.status_reason, c.owner_since, c.pool_since, c.last_activity_at,"
	" c.next_due_at, c.locked, c.merged_into, c.updated_at,"
	" c.owner_id, c.pool_id"	/* for the rights policy, not shown */
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
	" AND (?11 IS NULL OR c.phone_key = ?11) AND (?12 IS NULL OR c.email_key = ?12)"
	" AND (?13 IS NULL OR c.company_key = ?13)"
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
	c->raw = f->raw;
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
	c->main = (f->id ? crm_sql_take_few : crm_sql_take)(db, list_sql);
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
	for (int k = 0; k < CRM_NKEYS; k++)
		crm_bind_text(c->main, 11 + k, f->key[k]);
	if (nfield) {
		c->have_custom = 1;
		c->custom = (f->id ? crm_sql_take_few : crm_sql_take)(db,
		    "SELECT customer_id, field_id, value"
		    " FROM customer_fields WHERE customer_id BETWEEN"
		    " (CASE WHEN ?1 = 0 THEN 1 ELSE ?1 END)"
		    " AND (CASE WHEN ?1 = 0 THEN 9223372036854775807 ELSE ?1 END)"
		    " ORDER BY customer_id, field_id");
		crm_bind_int(c->custom, 1, f->id);
		custom_advance(c);
	}
	return c;
}

/* The cursor of live customer ID alone, with every column, unmasked. */
static struct crm_cursor *
open_one(struct crm_db *db, long long id)
{
	struct crm_filter f = { 0 };

	f.id = id;
	f.wide = 1;
	f.raw = 1;
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
	if (!c->raw)
		crm_sight_apply(crm_sight(c->db, id,
		    crm_col_null(c->main, CC_NLONG) ? -1 : crm_col_int(c->main, CC_NLONG),
		    crm_col_null(c->main, CC_NLONG + 1) ? -1 :
		    crm_col_int(c->main, CC_NLONG + 1)),
		    c->ncol, c->names, c->vals, c->masks);
	return c->vals;
}

void
crm_cursor_close(struct crm_cursor *c)
{
	size_t nf;

	if (c == NULL)
		return;
	nf = c->ncol - c->nbase;
	crm_sql_give(c->main);
	crm_sql_give(c->custom);
	crm_sight_free(c->masks);
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

/*
** The holder of a customer as history writes it: logins, names and
** clocks; and as ids (-1 for none).
*/
struct holder {
	char *owner, *pool, *owner_since, *pool_since;
	long long owner_id, pool_id;
};

/*
** The holder of live customer ID into H, and into TO the holder it gets
** from an UPDATE that gives it to user USER_ID or to pool POOL_ID (-1:
** neither) now: one read.  0 when there is no such customer.
*/
static int
holder_load(struct crm_db *db, long long id, long long user_id,
    long long pool_id, struct holder *h, struct holder *to)
{
	struct crm_stmt *s = crm_sql(db, "SELECT u.login, p.name, c.owner_since,"
	    " c.pool_since, c.owner_id, c.pool_id,"
	    " (SELECT login FROM users WHERE id = ?2),"
	    " (SELECT name FROM pools WHERE id = ?3)"
	    " FROM customers c LEFT JOIN users u ON u.id = c.owner_id"
	    " LEFT JOIN pools p ON p.id = c.pool_id"
	    " WHERE c.id = ?1 AND c.merged_into IS NULL");
	char **f[4] = { &h->owner, &h->pool, &h->owner_since, &h->pool_since };
	const char *now = crm_now_text();

	memset(h, 0, sizeof *h);
	memset(to, 0, sizeof *to);
	crm_bind_int(s, 1, id);
	crm_bind_int(s, 2, user_id);
	crm_bind_int(s, 3, pool_id);
	if (!crm_step(s))
		return 0;
	for (int i = 0; i < 4; i++)
		*f[i] = crm_col_null(s, i) ? NULL : xstrdup(crm_col_text(s, i));
	h->owner_id = crm_col_null(s, 4) ? -1 : crm_col_int(s, 4);
	h->pool_id = crm_col_null(s, 5) ? -1 : crm_col_int(s, 5);
	to->owner_id = user_id;
	to->pool_id = pool_id;
	if (user_id >= 0) {
		to->owner = crm_col_null(s, 6) ? NULL : xstrdup(crm_col_text(s, 6));
		to->owner_since = xstrdup(now);
	}
	if (pool_id >= 0) {
		to->pool = crm_col_null(s, 7) ? NULL : xstrdup(crm_col_text(s, 7));
		to->pool_since = xstrdup(now);
	}
	crm_reset(s);
	return 1;
}

static void
holder_free(struct holder *h)
{
	free(h->owner);
	free(h->pool);
	free(h->owner_since);
	free(h->pool_since);
}

/* Step S, an UPDATE ... RETURNING of customer ID; die when nothing changed. */
static void
holder_update(struct crm_stmt *s, long long id)
{
	if (!crm_step(s))
		crm_die("customer %lld: not changed: the database refused it", id);
	crm_reset(s);
}

/*
** History rows for what changed from holder A to B: the holder cleared
** first, the one set last, each clock before its holder, so that undo,
** newest first, clears what was set before it restores what was cleared
** (owned or pooled, never both) and puts each clock back after its holder.
*/
static void
holder_history(struct crm_db *db, long long id, const struct holder *a,
    const struct holder *b, int to_pool, const char *reason)
{
	for (int k = 0; k < 2; k++) {
		int pool = k == 0 ? !to_pool : to_pool;

		if (pool && !same(a->pool_since, b->pool_since))
			crm_history(db, "customer", id, "pool_since", a->pool_since,
			    b->pool_since, reason);
		if (pool && !same(a->pool, b->pool))
			crm_history(db, "customer", id, "pool", a->pool, b->pool,
			    reason);
		if (!pool && !same(a->owner_since, b->owner_since))
			crm_history(db, "customer", id, "owner_since", a->owner_since,
			    b->owner_since, reason);
		if (!pool && !same(a->owner, b->owner))
			crm_history(db, "customer", id, "owner", a->owner, b->owner,
			    reason);
	}
}

int
crm_customer_set_owner(struct crm_db *db, long long id, long long user_id,
    const char *reason)
{
	struct crm_stmt *s;
	struct holder before, after;

	if (!holder_load(db, id, user_id, -1, &before, &after))
		crm_die("no customer %lld", id);
	if (before.owner_id == user_id && (user_id >= 0 || before.pool_id < 0)) {
		holder_free(&before);
		holder_free(&after);
		return 0;
	}
	s = crm_sql(db, "UPDATE customers SET owner_id = ?, owner_since = ?,"
	    " pool_id = NULL, pool_since = NULL, updated_at = ? WHERE id = ?"
	    " RETURNING id");
	if (user_id >= 0) {
		crm_bind_int(s, 1, user_id);
		crm_bind_text(s, 2, after.owner_since);
	}
	crm_bind_text(s, 3, crm_now_text());
	crm_bind_int(s, 4, id);
	holder_update(s, id);
	holder_history(db, id, &before, &after, 0, reason);
	crm_deals_follow_owner(db, id, user_id, after.owner, reason);
	holder_free(&before);
	holder_free(&after);
	return 1;
}

int
crm_customer_set_pool(struct crm_db *db, long long id, long long pool_id,
    const char *reason)
{
	struct crm_stmt *s;
	struct holder before, after;

	if (!holder_load(db, id, -1, pool_id, &before, &after))
		crm_die("no customer %lld", id);
	if (before.pool_id == pool_id && (pool_id >= 0 || before.owner_id < 0)) {
		holder_free(&before);
		holder_free(&after);
		return 0;
	}
	/* The rep who loses a customer to a pool is remembered for lockout. */
	s = crm_sql(db, "UPDATE customers SET pool_id = ?, pool_since = ?,"
	    " owner_id = NULL, owner_since = NULL,"
	    " prev_owner_id = coalesce(?, prev_owner_id), updated_at = ?"
	    " WHERE id = ? RETURNING id");
	if (pool_id >= 0) {
		crm_bind_int(s, 1, pool_id);
		crm_bind_text(s, 2, after.pool_since);
	}
	if (before.owner_id >= 0)
		crm_bind_int(s, 3, before.owner_id);
	crm_bind_text(s, 4, crm_now_text());
	crm_bind_int(s, 5, id);
	holder_update(s, id);
	holder_history(db, id, &before, &after, 1, reason);
	holder_free(&before);
	holder_free(&after);
	/* Open deals of a pooled customer are nobody's until it is claimed. */
	crm_deals_follow_owner(db, id, -1, NULL, reason);
	return 1;
}

const char *
crm_lead_lock(struct crm_db *db, long long id, int locked, const char *reason,
    int *changed)
{
	static char msg[128];
	struct crm_stmt *s;
	long long cur;
	char from[2] = "0", to[2] = "0";

	*changed = 0;
	cur = crm_db_int(db, "SELECT locked FROM customers WHERE id = ?"
	    " AND merged_into IS NULL", id);
	if (cur < 0) {
		snprintf(msg, sizeof msg, "id: no customer %lld", id);
		return msg;
	}
	if (cur == locked)
		return NULL;
	s = crm_sql(db, "UPDATE customers SET locked = ?, updated_at = ? WHERE id = ?");
	crm_bind_int(s, 1, locked);
	crm_bind_text(s, 2, crm_now_text());
	crm_bind_int(s, 3, id);
	crm_step(s);
	from[0] = (char)('0' + cur);
	to[0] = (char)('0' + locked);
	crm_history(db, "customer", id, "locked", from, to, reason);
	*changed = 1;
	return NULL;
}

/* The personal data of a customer, and where else it is written. */
static const char *const personal[] = { "name", "phone", "email", NULL };

/*
** Blank ENTITY ID's values of FIELD in every history row: the one
** exception to append-only, so an erased value is gone everywhere.
*/
static void
blank_history(struct crm_db *db, const char *entity, long long id,
    const char *field)
{
	struct crm_stmt *s = crm_sql(db, "UPDATE history SET"
	    " old_value = CASE WHEN old_value IS NULL THEN NULL ELSE '' END,"
	    " new_value = CASE WHEN new_value IS NULL THEN NULL ELSE '' END"
	    " WHERE entity = ? AND entity_id = ? AND field = ?");

	crm_bind_text(s, 1, entity);
	crm_bind_int(s, 2, id);
	crm_bind_text(s, 3, field);
	crm_step(s);
}

const char *
crm_lead_erase(struct crm_db *db, long long id, const char *reason,
    struct strbuf *erased)
{
	static char msg[128];
	struct crm_stmt *s;
	struct strvec custom = STRVEC_INIT, kids = STRVEC_INIT;
	char idtext[24];

	sb_reset(erased);
	if (crm_db_int(db, "SELECT count(*) FROM customers WHERE id = ?", id) <= 0) {
		snprintf(msg, sizeof msg, "id: no customer %lld", id);
		return msg;
	}
	crm_require_admin(db, "erasing personal data");
	for (int i = 0; personal[i]; i++) {
		sb_addf(erased, "%s%s", erased->len ? "," : "", personal[i]);
		blank_history(db, "customer", id, personal[i]);
	}
	s = crm_sql(db, "UPDATE customers SET name = NULL, phone = NULL,"
	    " email = NULL, updated_at = ? WHERE id = ?");
	crm_bind_text(s, 1, crm_now_text());
	crm_bind_int(s, 2, id);
	crm_step(s);
	{
		char *key[CRM_NKEYS];

		keys_of(db, id, key);
		for (int k = CRM_KEY_PHONE; k <= CRM_KEY_EMAIL; k++) {
			free(key[k]);
			key[k] = NULL;
		}
		set_keys(db, id, key);
		free(key[CRM_KEY_COMPANY]);
	}
	/* Fields of the user's own may hold anything: WeChat ids, addresses. */
	s = crm_sql(db, "SELECT f.name FROM customer_fields v JOIN custom_fields f"
	    " ON f.id = v.field_id WHERE v.customer_id = ? ORDER BY f.id");
	crm_bind_int(s, 1, id);
	while (crm_step(s))
		sv_push(&custom, crm_col_text(s, 0));
	for (size_t i = 0; i < custom.n; i++) {
		sb_addf(erased, ",%s", custom.v[i]);
		blank_history(db, "customer", id, custom.v[i]);
	}
	s = crm_sql(db, "DELETE FROM customer_fields WHERE customer_id = ?");
	crm_bind_int(s, 1, id);
	crm_step(s);
	/* Its contacts (removed ones too), and the notes of its follow-ups. */
	s = crm_sql(db, "SELECT id FROM contacts WHERE customer_id = ?1"
	    " UNION SELECT entity_id FROM history WHERE entity = 'contact'"
	    " AND (field = 'created' OR field = 'removed' OR field = 'customer_id')"
	    " AND (old_value = ?2 OR new_value = ?2)");
	crm_bind_int(s, 1, id);
	snprintf(idtext, sizeof idtext, "%lld", id);	/* as history has it */
	crm_bind_text(s, 2, idtext);
	while (crm_step(s))
		sv_push(&kids, crm_col_text(s, 0));
	for (size_t i = 0; i < kids.n; i++)
		for (int k = 0; k < 4; k++)
			blank_history(db, "contact", strtoll(kids.v[i], NULL, 10),
			    (const char *const[]){ "name", "title", "phone", "email" }[k]);
	if (kids.n)
		sb_adds(erased, ",contacts");
	s = crm_sql(db, "UPDATE contacts SET name = NULL, title = NULL,"
	    " phone = NULL, email = NULL WHERE customer_id = ?");
	crm_bind_int(s, 1, id);
	crm_step(s);
	if (crm_db_int(db, "SELECT count(*) FROM activities WHERE customer_id = ?"
	    " AND (note IS NOT NULL OR next_step IS NOT NULL)", id) > 0)
		sb_adds(erased, ",activity notes");
	/* Its follow-ups' notes in the history, cancelled ones' included. */
	sv_free(&kids);
	s = crm_sql(db, "SELECT id FROM activities WHERE customer_id = ?1"
	    " UNION SELECT entity_id FROM history WHERE entity = 'activity'"
	    " AND field = 'customer_id' AND (old_value = ?2 OR new_value = ?2)");
	{
		char idb[32];

		snprintf(idb, sizeof idb, "%lld", id);
		crm_bind_int(s, 1, id);
		crm_bind_text(s, 2, idb);
		while (crm_step(s))
			sv_push(&kids, crm_col_text(s, 0));
	}
	for (size_t i = 0; i < kids.n; i++) {
		blank_history(db, "activity", strtoll(kids.v[i], NULL, 10), "note");
		blank_history(db, "activity", strtoll(kids.v[i], NULL, 10), "next");
	}
	s = crm_sql(db, "UPDATE activities SET note = NULL, next_step = NULL"
	    " WHERE customer_id = ?");
	crm_bind_int(s, 1, id);
	crm_step(s);
	crm_history(db, "customer", id, "erased", NULL, erased->buf, reason);
	sv_free(&custom);
	sv_free(&kids);
	return NULL;
}

/*
** A customer created by batch B that nothing else touched since: no
** history row of another batch, no follow-up, deal, contact or merge.
*/
static int
untouched_since(struct crm_db *db, long long id, long long b)
{
	struct crm_stmt *s = crm_sql(db, "SELECT"
	    " (SELECT count(*) FROM history WHERE entity = 'customer'"
	    "  AND entity_id = ?1 AND (batch_id IS NULL OR batch_id <> ?2))"
	    " + (SELECT count(*) FROM activities WHERE customer_id = ?1)"
	    " + (SELECT count(*) FROM deals WHERE customer_id = ?1)"
	    " + (SELECT count(*) FROM contacts WHERE customer_id = ?1)"
	    " + (SELECT count(*) FROM merges WHERE keep_id = ?1 OR dup_id = ?1)"
	    " + (SELECT count(*) FROM customers WHERE merged_into = ?1)");
	long long n = 1;

	crm_bind_int(s, 1, id);
	crm_bind_int(s, 2, b);
	if (crm_step(s)) {
		n = crm_col_int(s, 0);
		crm_reset(s);
	}
	return n == 0;
}

long long
crm_lead_undo(struct crm_db *db, long long b,
    void (*skipped)(const char *entity, long long id, const char *field,
    const char *why, void *ctx), void *ctx)
{
	struct crm_stmt *s;
	long long *ids = NULL, undone;
	size_t n = 0, cap = 0;

	undone = crm_batch_undo(db, b, skipped, ctx);
	s = crm_sql(db, "SELECT id FROM customers WHERE batch_id = ? ORDER BY id");
	crm_bind_int(s, 1, b);
	while (crm_step(s)) {
		if (n == cap)
			ids = xrealloc(ids, (cap = cap ? cap * 2 : 64) * sizeof *ids);
		ids[n++] = crm_col_int(s, 0);
	}
	for (size_t i = n; i-- > 0;) {
		char *rec[CC_NLONG], *json;
		struct strbuf sb = STRBUF_INIT;

		if (!untouched_since(db, ids[i], b)) {
			if (skipped)
				skipped("customer", ids[i], "created", "changed since",
				    ctx);
			continue;
		}
		/* What is removed is kept in the history, as JSON. */
		load_customer(db, ids[i], rec);
		sb_init(&sb);
		sb_addc(&sb, '{');
		for (int k = 0; k < CC_NLONG; k++) {
			if (rec[k] == NULL)
				continue;
			sb_addf(&sb, "%s\"%s\":", sb.len > 1 ? "," : "",
			    crm_customer_cols[k]);
			str_json(&sb, rec[k]);
		}
		sb_addc(&sb, '}');
		json = sb_detach(&sb);
		free_customer(rec);
		s = crm_sql(db, "DELETE FROM customer_fields WHERE customer_id = ?");
		crm_bind_int(s, 1, ids[i]);
		crm_step(s);
		{
			char *key[CRM_NKEYS];

			keys_of(db, ids[i], key);
			keys_put(db, ids[i], key, 0);
			for (int k = 0; k < CRM_NKEYS; k++)
				free(key[k]);
		}
		s = crm_sql(db, "DELETE FROM customers WHERE id = ?");
		crm_bind_int(s, 1, ids[i]);
		crm_step(s);
		crm_history(db, "customer", ids[i], "deleted", json, NULL, "undo");
		free(json);
		undone++;
	}
	free(ids);
	return undone;
}

void
crm_filter_check(struct crm_db *db, const struct crm_filter *f)
{
	if (f->owner && crm_user_id(db, f->owner) < 0)
		crm_die("--owner: no user '%s'", f->owner);
	if (f->pool && crm_pool_id(db, f->pool) < 0)
		crm_die("--pool: no pool '%s'", f->pool);
}

struct crm_matches {
	size_t n;
	char *key[CRM_NKEYS];	/* the filter's keys, owned here */
	struct match {
		char *field;
		int col;
		struct crm_re *re;
	} *m;
};

/* Is S a plain phone number (digits and + - ( ) . space), not a pattern? */
static int
plain_phone(const char *s)
{
	int digits = 0;

	for (; *s; s++)
		if (*s >= '0' && *s <= '9')
			digits++;
		else if (!strchr("+-(). ", *s))
			return 0;
	return digits >= 5;
}

struct crm_matches *
crm_matches_compile(const struct strvec *specs, struct crm_filter *f)
{
	struct crm_matches *m = xcalloc(1, sizeof *m);

	m->m = xcalloc(specs->n + 1, sizeof *m->m);
	for (size_t i = 0; i < specs->n; i++) {
		const char *spec = specs->v[i], *pat = strchr(spec, '=') + 1;
		char buf[256], err[300], *field = xstrndup(spec, (size_t)(pat - 1 - spec));
		const char *canon = rec_canonical(field, buf, sizeof buf);

		if (strcmp(canon, "phone") == 0 && plain_phone(pat)) {
			free(m->key[CRM_KEY_PHONE]);
			f->key[CRM_KEY_PHONE] = m->key[CRM_KEY_PHONE] = norm_phone(pat);
			free(field);
			continue;
		}
		if (strcmp(canon, "email") == 0 && strchr(pat, '@') &&
		    strpbrk(pat, "^$*+?()[]{}|\\") == NULL) {
			free(m->key[CRM_KEY_EMAIL]);
			f->key[CRM_KEY_EMAIL] = m->key[CRM_KEY_EMAIL] = norm_email(pat);
			free(field);
			continue;
		}
		m->m[m->n].field = xstrdup(canon);
		m->m[m->n].col = -1;
		if ((m->m[m->n].re = crm_re_compile(pat, err, sizeof err)) == NULL)
			crm_usage_error("--match %s: bad pattern: %s", field, err);
		free(field);
		m->n++;
	}
	return m;
}

void
crm_matches_columns(struct crm_matches *m, size_t n, const char *const *names)
{
	for (size_t i = 0; i < m->n; i++) {
		for (size_t k = 0; k < n; k++)
			if (strcmp(names[k], m->m[i].field) == 0)
				m->m[i].col = (int)k;
		if (m->m[i].col < 0)
			crm_usage_error("--match: no column '%s'", m->m[i].field);
	}
}

int
crm_matches(const struct crm_matches *m, const char *const *v)
{
	for (size_t i = 0; i < m->n; i++)
		if (!crm_re_match(m->m[i].re, v[m->m[i].col]))
			return 0;
	return 1;
}

void
crm_matches_free(struct crm_matches *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n; i++) {
		free(m->m[i].field);
		crm_re_free(m->m[i].re);
	}
	for (int k = 0; k < CRM_NKEYS; k++)
		free(m->key[k]);
	free(m->m);
	free(m);
}

void
crm_lead_dups(struct crm_db *db, struct rec_writer *w)
{
	static const char *const cols[] = {
		"keep", "dup", "on", "keep_name", "keep_company", "dup_name",
		"dup_company"
	};
	/*
	 * Per key, each live customer against the lowest live id holding
	 * it: first the hashes held more than once (customer_keys is in
	 * their order: no sort), then, of those only, the customers, by
	 * hash and text.
	 */
#define DUPS(kind, col, k) \
	"SELECT k.keep, c.id, '" kind "', a.name, a.company, c.name, c.company" \
	" FROM (SELECT y.key AS h, c." col " AS t, min(c.id) AS keep" \
	"  FROM (SELECT key FROM customer_keys WHERE key & 3 = " k \
	"   GROUP BY key HAVING count(*) > 1) g" \
	"  JOIN customer_keys y ON y.key = g.key" \
	"  JOIN customers c ON c.id = y.customer_id" \
	"  WHERE c." col " IS NOT NULL AND c.merged_into IS NULL" \
	"  GROUP BY y.key, c." col " HAVING count(*) > 1) k" \
	" JOIN customer_keys z ON z.key = k.h" \
	" JOIN customers c ON c.id = z.customer_id AND c." col " = k.t" \
	"  AND c.merged_into IS NULL AND c.id > k.keep" \
	" JOIN customers a ON a.id = k.keep"
	static const char sql[] = DUPS("phone", "phone_key", "0") " UNION ALL "
	    DUPS("email", "email_key", "1") " UNION ALL "
	    DUPS("company", "company_key", "2") " ORDER BY 2, 1";
#undef DUPS
	struct crm_stmt *s = crm_sql(db, sql);
	const char *v[7];
	long long last = 0;

	recw_header(w, 7, cols);
	while (crm_step(s)) {
		if (crm_col_int(s, 1) == last)
			continue;	/* one line per duplicate: its first key */
		last = crm_col_int(s, 1);
		for (int i = 0; i < 7; i++)
			v[i] = crm_col_text(s, i);
		recw_row(w, 7, v);
	}
}
