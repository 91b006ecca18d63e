/* deal.c: deals (see deal.h): one deal's checks and changes, listing, echo. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "customer.h"
#include "db.h"
#include "deal.h"
#include "die.h"
#include "history.h"
#include "map.h"
#include "money.h"
#include "opt.h"
#include "period.h"
#include "policy.h"
#include "rec.h"
#include "run.h"
#include "str.h"
#include "when.h"

const char *const crm_deal_cols[DC_N] = {
	"id", "customer_id", "customer", "title", "amount", "currency", "stage",
	"stage_label", "outcome", "probability", "owner", "expected_close",
	"product", "source", "lost_reason", "external_id", "created_at",
	"stage_since", "closed_at", "updated_at"
};

/* An empty value is no value. */
static const char *
val(const char *s)
{
	return str_blank(s) ? NULL : s;
}

static int
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

static char msg[700];
#define BAD(...) do { snprintf(msg, sizeof msg, __VA_ARGS__); return msg; } while (0)

/*
** Time S as UTC text in OUT, no later than now; FIELD names it in the
** message.  NULL or why not.
*/
static const char *
past_time(const char *field, const char *s, char out[CRM_TIME_LEN])
{
	time_t t;

	if (crm_parse_time(s, &t) == -1)
		BAD("%s: '%s' is not a date (YYYY-MM-DD[THH:MM[:SS]])", field, s);
	crm_format_time(t, out);
	if (strcmp(out, crm_now_text()) > 0)
		BAD("%s: '%s' is in the future", field, s);
	return NULL;
}

/* A calendar date "YYYY-MM-DD" in OUT: S is one, or a time of that day. */
static const char *
deal_date(const char *field, const char *s, char out[DAY_LEN])
{
	long day;
	time_t t;

	if (strlen(s) == 10 && day_parse(s, &day) == 0)
		day_format(day, out);
	else if (crm_parse_time(s, &t) == 0)
		crm_format_date(t, out);
	else
		BAD("%s: '%s' is not a date (YYYY-MM-DD)", field, s);
	return NULL;
}

/*
** The amount AMOUNT (or none) in currency CURRENCY (or none given) of a
** deal whose currency is DEAL_CUR (NULL for a new deal) into *MINOR and
** CUR; *HAS 0 for no amount.
*/
static const char *
deal_money(const char *amount, const char *currency, const char *deal_cur,
    long long *minor, char cur[4], int *has)
{
	struct money m;
	char err[200];

	*has = 0;
	snprintf(cur, 4, "%s", deal_cur ? deal_cur : "CNY");
	if (currency) {
		if (money_exponent(currency) < 0)
			BAD("currency: '%s' is not an ISO 4217 currency code",
			    currency);
		for (int i = 0; i < 3; i++)
			cur[i] = (char)(currency[i] >= 'a' && currency[i] <= 'z' ?
			    currency[i] - 'a' + 'A' : currency[i]);
	}
	if (amount == NULL)
		return NULL;
	if (money_parse(amount, cur, 0, &m, err, sizeof err) == -1)
		BAD("amount: %s", err);
	if (strcmp(m.cur, cur) != 0 && (currency || deal_cur))
		BAD("amount: '%s' is in %s, but the deal's currency is %s%s",
		    amount, m.cur, cur, currency ? "" : " (give the currency "
		    "too to change it)");
	memcpy(cur, m.cur, 4);
	*minor = m.minor;
	*has = 1;
	return NULL;
}

/*
** The user LOGIN, to own a deal: *ID; NULL or why not.  OWNERS (or NULL)
** holds the active users found so far, so an import asks once for each.
*/
static const char *
deal_owner(struct crm_db *db, const char *login, long long *id,
    struct strmap *owners)
{
	if (owners == NULL || (*id = map_get(owners, login)) < 0) {
		struct crm_stmt *s = crm_sql(db, "SELECT id, active FROM users"
		    " WHERE login = ?");
		int active;

		crm_bind_text(s, 1, login);
		if (!crm_step(s))
			BAD("owner: no user '%s'", login);
		*id = crm_col_int(s, 0);
		active = crm_col_int(s, 1) != 0;
		crm_reset(s);
		if (!active)
			BAD("owner: refused: '%s' is deactivated and may own "
			    "nothing", login);
		if (owners)
			map_put(owners, login, *id);
	}
	if (!crm_actor_is_admin(db) && *id != crm_actor_id(db))
		BAD("owner: permission denied: a rep makes only itself an owner, "
		    "not '%s' (you are '%s', %s)", login, crm_actor(db),
		    crm_actor_describe(db));
	return NULL;
}

int
crm_deal_customer_get(struct crm_db *db, long long id,
    struct crm_deal_customer *c)
{
	struct crm_stmt *s = crm_sql(db, "SELECT owner_id FROM customers"
	    " WHERE id = ? AND merged_into IS NULL");

	memset(c, 0, sizeof *c);
	crm_bind_int(s, 1, id);
	if (!crm_step(s))
		return 0;
	c->id = id;
	c->owner_id = crm_col_null(s, 0) ? -1 : crm_col_int(s, 0);
	crm_reset(s);
	return 1;
}

/* May the actor change the deals of customer C?  NULL or why not. */
static const char *
may_change(struct crm_db *db, const struct crm_deal_customer *c)
{
	if (crm_actor_is_admin(db) ||
	    (c->owner_id >= 0 && c->owner_id == crm_actor_id(db)))
		return NULL;
	return crm_may_change(db, c->id);
}

/*
** The deals with ids LO..HI (of batch B, or of any batch for B 0) that
** are won make their customers customers: one history row each, naming
** the first such deal and dated when it closed (a back-filled win makes
** a customer then, for the reports).  Rights were checked when the deals
** were.
*/
static void
won_customers(struct crm_db *db, long long lo, long long hi, long long b)
{
#define WON_DEALS "SELECT customer_id AS cid, min(id) AS deal FROM deals" \
	" WHERE id BETWEEN ?1 AND ?2 AND (?3 = 0 OR batch_id = ?3)" \
	" AND stage_id IN (SELECT id FROM stages WHERE outcome = 'won')" \
	" GROUP BY customer_id"
	struct crm_stmt *s = crm_sql(db, "INSERT INTO history (entity,"
	    " entity_id, field, old_value, new_value, actor, at, reason,"
	    " command, batch_id) SELECT 'customer', c.id, 'status', c.status,"
	    " 'customer', ?4, coalesce((SELECT closed_at FROM deals"
	    "  WHERE id = w.deal), ?5), 'deal ' || w.deal || ' won', ?6, ?7"
	    " FROM (" WON_DEALS ") w JOIN customers c ON c.id = w.cid"
	    " WHERE c.status <> 'customer' ORDER BY c.id");

	crm_bind_int(s, 1, lo);
	crm_bind_int(s, 2, hi);
	crm_bind_int(s, 3, b);
	crm_bind_text(s, 4, crm_actor(db));
	crm_bind_text(s, 5, crm_now_text());
	crm_bind_text(s, 6, crm_ctx(db)->command);
	crm_bind_int(s, 7, crm_batch_id(db));
	crm_step(s);
	s = crm_sql(db, "UPDATE customers SET status = 'customer',"
	    " status_reason = NULL, updated_at = ?4 WHERE status <> 'customer'"
	    " AND id IN (SELECT cid FROM (" WON_DEALS ") w)");
#undef WON_DEALS
	crm_bind_int(s, 1, lo);
	crm_bind_int(s, 2, hi);
	crm_bind_int(s, 3, b);
	crm_bind_text(s, 4, crm_now_text());
	crm_step(s);
}

/*
** Deal ID, having been in stage OLD, enters stage ST at AT: a
** deal_stages row and a history row (crm_deals_enter() does the same for
** new deals, in bulk).
*/
static void
enter_stage(struct crm_db *db, long long id, const char *old,
    const struct crm_stage *st, const char *at, const char *reason)
{
	struct crm_stmt *s = crm_sql(db, "INSERT INTO deal_stages (deal_id,"
	    " stage_id, entered_at, left_at) VALUES (?, ?, ?, ?)");

	crm_bind_int(s, 1, id);
	crm_bind_int(s, 2, st->id);
	crm_bind_text_static(s, 3, at);
	crm_step(s);
	crm_history_at(db, at, "deal", id, "stage", old, st->name, reason);
}

const char *
crm_deal_check(struct crm_db *db, const struct crm_pipeline *pl,
    const struct crm_deal_customer *c, const struct crm_deal_in *in,
    struct crm_deal_new *d, struct strmap *owners)
{
	const char *const *v = in->v, *err;
	const struct crm_stage *st;

	memset(d, 0, sizeof *d);
	d->owner_id = c->owner_id;
	if ((err = may_change(db, c)) != NULL)
		return err;
	if (val(v[DC_TITLE]) == NULL)
		BAD("title: a deal needs a title");
	if ((err = deal_money(val(v[DC_AMOUNT]), val(v[DC_CURRENCY]), NULL,
	    &d->amount, d->currency, &d->has_amount)) != NULL)
		return err;
	if (val(v[DC_STAGE]) == NULL)
		st = crm_stage_first(pl, CRM_OPEN);
	else if ((st = crm_stage_find(pl, v[DC_STAGE])) == NULL)
		BAD("stage: no stage '%s' (%s)", v[DC_STAGE], pl->names);
	d->stage = st;
	if (val(v[DC_OWNER]) &&
	    (err = deal_owner(db, v[DC_OWNER], &d->owner_id, owners)))
		return err;
	if (val(v[DC_CREATED_AT]) == NULL)
		memcpy(d->created, crm_now_text(), CRM_TIME_LEN);
	else if ((err = past_time("created_at", v[DC_CREATED_AT], d->created)))
		return err;
	if (st->outcome == CRM_OPEN && val(v[DC_CLOSED_AT]))
		BAD("closed_at: an open deal (stage '%s') is not closed", st->name);
	if (st->outcome != CRM_OPEN) {
		if (val(v[DC_CLOSED_AT]) == NULL)
			BAD("closed_at: a %s deal needs the date it closed",
			    crm_outcome_names[st->outcome]);
		if ((err = past_time("closed_at", v[DC_CLOSED_AT], d->closed)))
			return err;
		if (strcmp(d->closed, d->created) < 0)
			BAD("closed_at: '%s' is before created_at", v[DC_CLOSED_AT]);
		d->first = crm_stage_first(pl, CRM_OPEN);
	}
	if (st->outcome == CRM_LOST && val(v[DC_LOST_REASON]) == NULL)
		BAD("lost_reason: a lost deal needs a reason");
	if (st->outcome != CRM_LOST && val(v[DC_LOST_REASON]))
		BAD("lost_reason: only a lost deal has one (stage '%s')", st->name);
	if (val(v[DC_EXPECTED_CLOSE]) && (err = deal_date("expected_close",
	    v[DC_EXPECTED_CLOSE], d->expected)) != NULL)
		return err;
	return NULL;
}

long long
crm_deal_insert(struct crm_db *db, const struct crm_deal_customer *c,
    const struct crm_deal_in *in, const struct crm_deal_new *d)
{
	static const char sql[] = "INSERT INTO deals (customer_id, owner_id,"
	    " title, amount, currency, stage_id, stage_since, expected_close,"
	    " closed_at, lost_reason, product, source, external_id, batch_id,"
	    " created_at, updated_at)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	const char *const *v = in->v;
	struct crm_stmt *s = crm_sql(db, sql);

	crm_bind_int(s, 1, c->id);
	if (d->owner_id >= 0)
		crm_bind_int(s, 2, d->owner_id);
	crm_bind_text_static(s, 3, v[DC_TITLE]);
	if (d->has_amount)
		crm_bind_int(s, 4, d->amount);
	crm_bind_text_static(s, 5, d->currency);
	crm_bind_int(s, 6, d->stage->id);
	crm_bind_text_static(s, 7, d->first ? d->closed : d->created);
	crm_bind_text_static(s, 8, d->expected[0] ? d->expected : NULL);
	crm_bind_text_static(s, 9, d->first ? d->closed : NULL);
	crm_bind_text_static(s, 10, val(v[DC_LOST_REASON]));
	crm_bind_text_static(s, 11, val(v[DC_PRODUCT]));
	crm_bind_text_static(s, 12, val(v[DC_SOURCE]));
	crm_bind_text_static(s, 13, val(v[DC_EXTERNAL_ID]));
	if (crm_batch_id(db))
		crm_bind_int(s, 14, crm_batch_id(db));
	crm_bind_text_static(s, 15, d->created);
	crm_bind_text_static(s, 16, crm_now_text());
	crm_step(s);
	return crm_db_last_id(db);
}

long long
crm_deal_append(struct crm_db *db, const struct crm_deal_customer *c,
    const struct crm_deal_in *in, const struct crm_deal_new *d)
{
	const char *const *v = in->v, *row[17];
	char idb[24], cid[24], owner[24], amount[24], stage[24], batch[24];
	long long id;

	if (!crm_db_bulk(db))
		return crm_deal_insert(db, c, in, d);
	id = crm_db_next_id(db, "deals");
	snprintf(idb, sizeof idb, "%lld", id);
	snprintf(cid, sizeof cid, "%lld", c->id);
	snprintf(owner, sizeof owner, "%lld", d->owner_id);
	snprintf(amount, sizeof amount, "%lld", d->amount);
	snprintf(stage, sizeof stage, "%lld", d->stage->id);
	snprintf(batch, sizeof batch, "%lld", crm_batch_id(db));
	row[0] = idb;
	row[1] = cid;
	row[2] = d->owner_id >= 0 ? owner : NULL;
	row[3] = v[DC_TITLE];
	row[4] = d->has_amount ? amount : NULL;
	row[5] = d->currency;
	row[6] = stage;
	row[7] = d->first ? d->closed : d->created;
	row[8] = d->expected[0] ? d->expected : NULL;
	row[9] = d->first ? d->closed : NULL;
	row[10] = val(v[DC_LOST_REASON]);
	row[11] = val(v[DC_PRODUCT]);
	row[12] = val(v[DC_SOURCE]);
	row[13] = val(v[DC_EXTERNAL_ID]);
	row[14] = crm_batch_id(db) ? batch : NULL;
	row[15] = d->created;
	row[16] = crm_now_text();
	crm_db_append(db, "deals", "(id, customer_id, owner_id, title, amount,"
	    " currency, stage_id, stage_since, expected_close, closed_at,"
	    " lost_reason, product, source, external_id, batch_id, created_at,"
	    " updated_at)", 17, row);
	return id;
}

void
crm_deals_enter(struct crm_db *db, const struct crm_pipeline *pl,
    long long first)
{
	/* The stage a closed deal entered first: deal_stages rows and history. */
	static const char stages_sql[] = "INSERT INTO deal_stages (deal_id,"
	    " stage_id, entered_at, left_at)"
	    " SELECT id, ?3, created_at, closed_at FROM deals WHERE id >= ?1"
	    " AND batch_id = ?2 AND closed_at IS NOT NULL"
	    " UNION ALL SELECT id, stage_id, coalesce(closed_at, created_at),"
	    " NULL FROM deals WHERE id >= ?1 AND batch_id = ?2";
	static const char history_sql[] = "INSERT INTO history (entity,"
	    " entity_id, field, old_value, new_value, actor, at, reason, command,"
	    " batch_id)"
	    " SELECT 'deal', id, 'stage', NULL, ?3, ?4, created_at, NULL, ?5, ?2"
	    " FROM deals WHERE id >= ?1 AND batch_id = ?2 AND closed_at IS NOT NULL"
	    " UNION ALL SELECT 'deal', d.id, 'stage', CASE WHEN d.closed_at IS NULL"
	    " THEN NULL ELSE ?3 END, s.name, ?4, coalesce(d.closed_at, d.created_at),"
	    " NULL, ?5, ?2 FROM deals d JOIN stages s ON s.id = d.stage_id"
	    " WHERE d.id >= ?1 AND d.batch_id = ?2";
	const struct crm_stage *open = crm_stage_first(pl, CRM_OPEN);
	struct crm_stmt *s = crm_sql(db, stages_sql);

	crm_bind_int(s, 1, first);
	crm_bind_int(s, 2, crm_batch_id(db));
	crm_bind_int(s, 3, open->id);
	crm_step(s);
	s = crm_sql(db, history_sql);
	crm_bind_int(s, 1, first);
	crm_bind_int(s, 2, crm_batch_id(db));
	crm_bind_text(s, 3, open->name);
	crm_bind_text(s, 4, crm_actor(db));
	crm_bind_text(s, 5, crm_ctx(db)->command);
	crm_step(s);
	won_customers(db, first, (1LL << 62), crm_batch_id(db));
}

void
crm_deal_text(const struct crm_deal_in *in, const struct crm_deal_new *d,
    long long id, long long customer_id, const char *customer,
    const char *owner, struct crm_deal_text *t)
{
	const char *const *v = in->v;
	const char **o = t->v;

	snprintf(t->id, sizeof t->id, "%lld", id);
	snprintf(t->customer_id, sizeof t->customer_id, "%lld", customer_id);
	snprintf(t->probability, sizeof t->probability, "%d",
	    d->stage->probability);
	if (d->has_amount)
		money_format(d->amount, d->currency, t->amount);
	o[DC_ID] = t->id;
	o[DC_CUSTOMER_ID] = t->customer_id;
	o[DC_CUSTOMER] = customer;
	o[DC_TITLE] = v[DC_TITLE];
	o[DC_AMOUNT] = d->has_amount ? t->amount : NULL;
	o[DC_CURRENCY] = d->currency;
	o[DC_STAGE] = d->stage->name;
	o[DC_STAGE_LABEL] = d->stage->label;
	o[DC_OUTCOME] = crm_outcome_names[d->stage->outcome];
	o[DC_PROBABILITY] = t->probability;
	o[DC_OWNER] = owner;
	o[DC_EXPECTED_CLOSE] = d->expected[0] ? d->expected : NULL;
	o[DC_PRODUCT] = val(v[DC_PRODUCT]);
	o[DC_SOURCE] = val(v[DC_SOURCE]);
	o[DC_LOST_REASON] = val(v[DC_LOST_REASON]);
	o[DC_EXTERNAL_ID] = val(v[DC_EXTERNAL_ID]);
	o[DC_CREATED_AT] = d->created;
	o[DC_STAGE_SINCE] = d->first ? d->closed : d->created;
	o[DC_CLOSED_AT] = d->first ? d->closed : NULL;
	o[DC_UPDATED_AT] = crm_now_text();
}

long long
crm_deal_customer_of(struct crm_db *db, long long id)
{
	return crm_db_int(db, "SELECT customer_id FROM deals WHERE id = ?", id);
}

/*
** The policy for deals: the actor reads a deal of a customer it sees
** more of than the name (SIGHT), or one it owns (OWNER, its login or
** NULL) whoever holds the customer now: a rep's own work, which its
** reports count.  rights.sql has the same on PostgreSQL.
*/
static int
deal_readable(struct crm_db *db, enum crm_sight sight, const char *owner)
{
	return sight != CRM_SIGHT_NAME ||
	    (owner != NULL && strcmp(owner, crm_actor(db)) == 0);
}

int
crm_deal_readable(struct crm_db *db, long long id)
{
	struct crm_stmt *s = crm_sql(db, "SELECT d.customer_id, u.login"
	    " FROM deals d LEFT JOIN users u ON u.id = d.owner_id WHERE d.id = ?");
	int r;

	crm_bind_int(s, 1, id);
	if (!crm_step(s))
		return 0;
	r = deal_readable(db, crm_sight_of(db, crm_col_int(s, 0)),
	    crm_col_null(s, 1) ? NULL : crm_col_text(s, 1));
	crm_reset(s);
	return r;
}

/* Deal ID as it is stored, with names for ids; strings owned here. */
struct stored {
	long long customer_id, owner_id, stage_id, amount;
	int has_amount;
	enum crm_outcome outcome;
	char *f[DC_N];		/* text of the columns below, or NULL */
};

static int
stored_load(struct crm_db *db, long long id, struct stored *d)
{
	static const int col[] = {
		DC_TITLE, DC_CURRENCY, DC_OWNER, DC_EXPECTED_CLOSE, DC_PRODUCT,
		DC_SOURCE, DC_EXTERNAL_ID, DC_LOST_REASON, DC_STAGE,
		DC_STAGE_SINCE, DC_CLOSED_AT
	};
	struct crm_stmt *s = crm_sql(db, "SELECT d.title, d.currency, u.login,"
	    " d.expected_close, d.product, d.source, d.external_id,"
	    " d.lost_reason, s.name, d.stage_since, d.closed_at, d.customer_id,"
	    " d.owner_id, d.stage_id, d.amount, s.outcome"
	    " FROM deals d LEFT JOIN stages s ON s.id = d.stage_id"
	    " LEFT JOIN users u ON u.id = d.owner_id WHERE d.id = ?");
	const char *o;
	const int n = (int)(sizeof col / sizeof col[0]);

	memset(d, 0, sizeof *d);
	crm_bind_int(s, 1, id);
	if (!crm_step(s))
		return 0;
	for (int i = 0; i < n; i++)
		d->f[col[i]] = crm_col_null(s, i) ? NULL :
		    xstrdup(crm_col_text(s, i));
	d->customer_id = crm_col_int(s, n);
	d->owner_id = crm_col_null(s, n + 1) ? -1 : crm_col_int(s, n + 1);
	d->stage_id = crm_col_int(s, n + 2);
	d->has_amount = !crm_col_null(s, n + 3);
	d->amount = crm_col_int(s, n + 3);
	/* no stage: a deal whose customer the actor may not see (a server's view) */
	o = crm_col_null(s, n + 4) ? "open" : crm_col_text(s, n + 4);
	d->outcome = strcmp(o, "won") == 0 ? CRM_WON : strcmp(o, "lost") == 0 ?
	    CRM_LOST : CRM_OPEN;
	crm_reset(s);
	return 1;
}

static void
stored_free(struct stored *d)
{
	for (int i = 0; i < DC_N; i++)
		free(d->f[i]);
}

/* Rights over deal ID's customer; NULL or why not. */
static const char *
may_change_deal(struct crm_db *db, long long id, const struct stored *d)
{
	struct crm_deal_customer c;
	const char *err;

	if (!crm_deal_customer_get(db, d->customer_id, &c))
		BAD("deal %lld: no customer %lld", id, d->customer_id);
	if ((err = may_change(db, &c)) != NULL)
		BAD("deal %lld: %s", id, err);
	return NULL;
}

/* Set one text column of deal ID and write its history. */
static void
set_text(struct crm_db *db, long long id, const char *sql, const char *field,
    const char *old, const char *new, const char *at)
{
	struct crm_stmt *s = crm_sql(db, sql);

	crm_bind_text(s, 1, new);
	crm_bind_text(s, 2, crm_now_text());
	crm_bind_int(s, 3, id);
	crm_step(s);
	crm_history_at(db, at, "deal", id, field, old, new, "update");
}

const char *
crm_deal_update(struct crm_db *db, long long id, const struct crm_deal_in *in,
    const char *at, int *changed)
{
	static const struct {
		int col;
		const char *sql;
		int required;
	} plain[] = {
		{ DC_TITLE, "UPDATE deals SET title = ?, updated_at = ? WHERE id = ?", 1 },
		{ DC_PRODUCT, "UPDATE deals SET product = ?, updated_at = ? WHERE id = ?", 0 },
		{ DC_SOURCE, "UPDATE deals SET source = ?, updated_at = ? WHERE id = ?", 0 },
		{ DC_EXTERNAL_ID, "UPDATE deals SET external_id = ?, updated_at = ? WHERE id = ?", 0 },
		{ DC_EXPECTED_CLOSE, "UPDATE deals SET expected_close = ?, updated_at = ? WHERE id = ?", 0 },
		{ DC_LOST_REASON, "UPDATE deals SET lost_reason = ?, updated_at = ? WHERE id = ?", 1 },
	};
	const char *const *v = in->v, *err = NULL;
	struct stored d;
	char expected[DAY_LEN], cur[4];
	long long minor = 0, owner;
	int has_amount;

	*changed = 0;
	if (at == NULL)
		at = crm_now_text();
	if (!stored_load(db, id, &d))
		BAD("no deal %lld", id);
	if ((err = may_change_deal(db, id, &d)) != NULL)
		goto out;
	err = msg;
	for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
		const char *nv = v[plain[i].col];
		const char *name = crm_deal_cols[plain[i].col];

		if (nv == NULL)
			continue;
		if (plain[i].required && val(nv) == NULL) {
			snprintf(msg, sizeof msg, "%s: cannot be empty", name);
			goto out;
		}
		if (plain[i].col == DC_LOST_REASON && d.outcome != CRM_LOST) {
			snprintf(msg, sizeof msg, "lost_reason: the deal is not lost");
			goto out;
		}
		if (plain[i].col == DC_EXPECTED_CLOSE && val(nv)) {
			if (deal_date(name, nv, expected) != NULL)
				goto out;
			nv = expected;
		}
		if (same(val(nv), d.f[plain[i].col]))
			continue;
		set_text(db, id, plain[i].sql, name, d.f[plain[i].col], val(nv), at);
		++*changed;
	}
	if (v[DC_OWNER]) {
		struct crm_stmt *s;

		if (val(v[DC_OWNER]) == NULL) {
			snprintf(msg, sizeof msg, "owner: cannot be empty");
			goto out;
		}
		if (deal_owner(db, v[DC_OWNER], &owner, NULL) != NULL)
			goto out;
		if (owner != d.owner_id) {
			s = crm_sql(db, "UPDATE deals SET owner_id = ?, updated_at = ?"
			    " WHERE id = ?");
			crm_bind_int(s, 1, owner);
			crm_bind_text(s, 2, crm_now_text());
			crm_bind_int(s, 3, id);
			crm_step(s);
			crm_history_at(db, at, "deal", id, "owner", d.f[DC_OWNER],
			    crm_user_login(db, owner), "update");
			++*changed;
		}
	}
	if (v[DC_AMOUNT] || v[DC_CURRENCY]) {
		char was[MONEY_LEN] = "", now[MONEY_LEN] = "";
		struct crm_stmt *s;

		if (v[DC_CURRENCY] && !v[DC_AMOUNT] && d.has_amount &&
		    val(v[DC_CURRENCY]) && strcasecmp(v[DC_CURRENCY],
		    d.f[DC_CURRENCY]) != 0) {
			snprintf(msg, sizeof msg, "currency: its amount is in %s: give "
			    "the amount in %s too", d.f[DC_CURRENCY], v[DC_CURRENCY]);
			goto out;
		}
		if (deal_money(val(v[DC_AMOUNT]), val(v[DC_CURRENCY]),
		    d.f[DC_CURRENCY], &minor, cur, &has_amount) != NULL)
			goto out;
		if (!v[DC_AMOUNT]) {
			has_amount = d.has_amount;
			minor = d.amount;
		}
		if (d.has_amount)
			money_format(d.amount, d.f[DC_CURRENCY], was);
		if (has_amount)
			money_format(minor, cur, now);
		if (strcmp(cur, d.f[DC_CURRENCY]) != 0) {
			set_text(db, id, "UPDATE deals SET currency = ?, updated_at = ?"
			    " WHERE id = ?", "currency", d.f[DC_CURRENCY], cur, at);
			++*changed;
		}
		if (has_amount != d.has_amount || minor != d.amount ||
		    strcmp(was, now) != 0) {
			s = crm_sql(db, "UPDATE deals SET amount = ?, updated_at = ?"
			    " WHERE id = ?");
			if (has_amount)
				crm_bind_int(s, 1, minor);
			crm_bind_text(s, 2, crm_now_text());
			crm_bind_int(s, 3, id);
			crm_step(s);
			crm_history_at(db, at, "deal", id, "amount", was[0] ? was :
			    NULL, now[0] ? now : NULL, "update");
			++*changed;
		}
	}
	err = NULL;
out:
	stored_free(&d);
	if (err && err == msg && strncmp(msg, "deal ", 5) != 0) {
		static char which[sizeof msg + 32];	/* which deal it was */

		snprintf(which, sizeof which, "deal %lld: %s", id, msg);
		err = which;
	}
	return err;
}

const char *
crm_deal_move(struct crm_db *db, long long id, const struct crm_stage *st,
    const char *at, const char *reason, int *changed)
{
	struct crm_stmt *s;
	struct stored d;
	const char *err;
	int closing = st->outcome != CRM_OPEN;

	*changed = 0;
	if (at == NULL)
		at = crm_now_text();
	if (!stored_load(db, id, &d))
		BAD("no deal %lld", id);
	err = msg;
	if (may_change_deal(db, id, &d) != NULL)
		goto out;
	if (d.stage_id == st->id) {
		err = NULL;
		goto out;
	}
	if (d.outcome != CRM_OPEN) {
		snprintf(msg, sizeof msg, "deal %lld is closed (%s at %s): its "
		    "stage cannot change", id, d.f[DC_STAGE], d.f[DC_CLOSED_AT]);
		goto out;
	}
	if (strcmp(at, d.f[DC_STAGE_SINCE]) < 0) {
		snprintf(msg, sizeof msg, "deal %lld: %s is before it entered "
		    "stage '%s' at %s", id, at, d.f[DC_STAGE], d.f[DC_STAGE_SINCE]);
		goto out;
	}
	if (st->outcome == CRM_LOST && val(reason) == NULL) {
		snprintf(msg, sizeof msg, "deal %lld: a lost deal needs --reason",
		    id);
		goto out;
	}
	s = crm_sql(db, "UPDATE deals SET stage_id = ?, stage_since = ?,"
	    " closed_at = ?, lost_reason = coalesce(?, lost_reason),"
	    " updated_at = ? WHERE id = ?");
	crm_bind_int(s, 1, st->id);
	crm_bind_text(s, 2, at);
	crm_bind_text(s, 3, closing ? at : NULL);
	crm_bind_text(s, 4, st->outcome == CRM_LOST ? val(reason) : NULL);
	crm_bind_text(s, 5, crm_now_text());
	crm_bind_int(s, 6, id);
	crm_step(s);
	s = crm_sql(db, "UPDATE deal_stages SET left_at = ? WHERE deal_id = ?"
	    " AND left_at IS NULL");
	crm_bind_text(s, 1, at);
	crm_bind_int(s, 2, id);
	crm_step(s);
	enter_stage(db, id, d.f[DC_STAGE], st, at, val(reason));
	if (closing)
		crm_history_at(db, at, "deal", id, "closed_at", NULL, at,
		    val(reason));
	if (st->outcome == CRM_LOST)
		crm_history_at(db, at, "deal", id, "lost_reason",
		    d.f[DC_LOST_REASON], val(reason), val(reason));
	if (st->outcome == CRM_WON)
		won_customers(db, id, id, 0);
	*changed = 1;
	err = NULL;
out:
	stored_free(&d);
	return err;
}

void
crm_deals_follow_owner(struct crm_db *db, long long customer_id,
    long long user_id, const char *login, const char *reason)
{
	struct crm_stmt *s = crm_sql(db, "SELECT d.id, u.login FROM deals d"
	    " LEFT JOIN users u ON u.id = d.owner_id WHERE d.customer_id = ?"
	    " AND d.closed_at IS NULL AND d.owner_id IS DISTINCT FROM ? ORDER BY d.id");
	struct strvec ids = STRVEC_INIT, old = STRVEC_INIT;

	crm_bind_int(s, 1, customer_id);
	if (user_id >= 0)
		crm_bind_int(s, 2, user_id);
	while (crm_step(s)) {
		sv_push(&ids, crm_col_text(s, 0));
		sv_push(&old, crm_col_text(s, 1));
	}
	if (ids.n == 0)
		return;
	/* the same deals, in one statement */
	s = crm_sql(db, "UPDATE deals SET owner_id = ?1, updated_at = ?2"
	    " WHERE customer_id = ?3 AND closed_at IS NULL"
	    " AND owner_id IS DISTINCT FROM ?1");
	if (user_id >= 0)
		crm_bind_int(s, 1, user_id);
	crm_bind_text(s, 2, crm_now_text());
	crm_bind_int(s, 3, customer_id);
	crm_step(s);
	for (size_t i = 0; i < ids.n; i++)
		crm_history(db, "deal", strtoll(ids.v[i], NULL, 10), "owner",
		    old.v[i], login, reason);
	sv_free(&ids);
	sv_free(&old);
}

/* ---- listing ---------------------------------------------------------- */

static const char list_sql[] =
	"SELECT d.id, d.customer_id, coalesce(c.company, c.name), d.title,"
	" d.amount, d.currency, s.name, s.label, s.outcome, s.probability,"
	" u.login, d.expected_close, d.product, d.source, d.lost_reason,"
	" d.external_id, d.created_at, d.stage_since, d.closed_at, d.updated_at,"
	" c.owner_id, c.pool_id"	/* for the rights policy, not shown */
	" FROM deals d JOIN customers c ON c.id = d.customer_id"
	" JOIN stages s ON s.id = d.stage_id LEFT JOIN users u ON u.id = d.owner_id"
	/* a range, not "?1 = 0 OR d.id = ?1", so one id is a key lookup */
	" WHERE d.id BETWEEN (CASE WHEN ?1 = 0 THEN 1 ELSE ?1 END)"
	" AND (CASE WHEN ?1 = 0 THEN 9223372036854775807 ELSE ?1 END)"
	" AND (?2 = 0 OR d.customer_id = ?2) AND (?3 IS NULL OR d.owner_id = ?3)"
	" AND (?4 IS NULL OR d.owner_id IN (SELECT id FROM users WHERE team_id = ?4))"
	" AND (?5 = 0 OR d.stage_id = ?5) AND (?6 IS NULL OR s.outcome = ?6)"
	" AND (?7 = 0 OR (d.closed_at IS NULL AND d.expected_close >= ?8"
	"  AND d.expected_close < ?9) OR (d.closed_at >= ?10 AND d.closed_at < ?11))"
	" ORDER BY d.id";

int
crm_deal_filter_closing(struct crm_deal_filter *f, const char *s)
{
	const char *dots = strstr(s, "..");
	struct period p;
	long day[2] = { 0, 0 };
	int have[2] = { 1, 1 };

	if (dots) {
		char from[DAY_LEN];

		have[0] = dots > s;
		have[1] = dots[2] != '\0';
		if ((have[0] && (dots - s >= DAY_LEN ||
		    (snprintf(from, sizeof from, "%.*s", (int)(dots - s), s),
		    day_parse(from, &day[0]) == -1))) ||
		    (have[1] && day_parse(dots + 2, &day[1]) == -1) ||
		    (!have[0] && !have[1]))
			return -1;
		day[1]++;		/* TO is the last day in it */
	} else if (period_parse(s, &p) == 0) {
		day[0] = p.start;
		day[1] = p.end;
	} else if (day_parse(s, &day[0]) == 0)
		day[1] = day[0] + 1;
	else
		return -1;
	for (int i = 0; i < 2; i++) {
		char *date = f->bounds[i], *time = f->bounds[2 + i];
		time_t t;

		if (!have[i]) {
			strcpy(date, i ? "9999" : "0000");
			strcpy(time, date);
			continue;
		}
		day_format(day[i], date);
		crm_parse_time(date, &t);	/* the site's midnight */
		crm_format_time(t, time);
	}
	f->from_date = f->bounds[0];
	f->to_date = f->bounds[1];
	f->from_time = f->bounds[2];
	f->to_time = f->bounds[3];
	return 0;
}

struct crm_deal_cursor {
	struct crm_db *db;
	struct crm_stmt *st;
	int raw;
	const char *v[DC_N];
	char amount[MONEY_LEN];
};

struct crm_deal_cursor *
crm_deals_open(struct crm_db *db, const struct crm_deal_filter *f)
{
	struct crm_deal_cursor *c = xcalloc(1, sizeof *c);
	struct crm_stmt *s;
	long long id;
	int closing = f->from_date || f->to_date;

	c->db = db;
	c->raw = f->raw;
	s = c->st = crm_sql_take(db, list_sql);
	crm_bind_int(s, 1, f->id);
	crm_bind_int(s, 2, f->customer_id);
	if (f->owner) {
		if ((id = crm_user_id(db, f->owner)) < 0)
			crm_die("--owner: no user '%s'", f->owner);
		crm_bind_int(s, 3, id);
	}
	if (f->team) {
		if ((id = crm_db_id(db, "SELECT id FROM teams WHERE name = ?",
		    f->team)) < 0)
			crm_die("--team: no team '%s'", f->team);
		crm_bind_int(s, 4, id);
	}
	crm_bind_int(s, 5, f->stage_id);
	crm_bind_text(s, 6, f->outcome >= 0 ? crm_outcome_names[f->outcome] : NULL);
	crm_bind_int(s, 7, closing);
	crm_bind_text(s, 8, f->from_date ? f->from_date : "0000");
	crm_bind_text(s, 9, f->to_date ? f->to_date : "9999");
	crm_bind_text(s, 10, f->from_time ? f->from_time : "0000");
	crm_bind_text(s, 11, f->to_time ? f->to_time : "9999");
	return c;
}

const char *const *
crm_deals_next(struct crm_deal_cursor *c)
{
	struct crm_stmt *s = c->st;

	while (crm_step(s)) {
		if (!c->raw && !deal_readable(c->db, crm_sight(c->db,
		    crm_col_int(s, 1),
		    crm_col_null(s, DC_N) ? -1 : crm_col_int(s, DC_N),
		    crm_col_null(s, DC_N + 1) ? -1 : crm_col_int(s, DC_N + 1)),
		    crm_col_null(s, DC_OWNER) ? NULL : crm_col_text(s, DC_OWNER)))
			continue;
		for (int i = 0; i < DC_N; i++)
			c->v[i] = crm_col_text(s, i);
		if (c->v[DC_AMOUNT]) {
			money_format(crm_col_int(s, DC_AMOUNT), c->v[DC_CURRENCY],
			    c->amount);
			c->v[DC_AMOUNT] = c->amount;
		}
		return c->v;
	}
	return NULL;
}

void
crm_deals_close(struct crm_deal_cursor *c)
{
	if (c == NULL)
		return;
	crm_sql_give(c->st);
	free(c);
}

/* ---- records out ------------------------------------------------------ */

struct crm_deal_echo {
	struct rec_writer *w;
	struct strvec names;	/* the output header */
	int *src;		/* deal column of each output column, or -1 */
	size_t nin;		/* input columns, a prefix of names */
	const char **v;
};

struct crm_deal_echo *
crm_deal_echo_open(struct rec_writer *w, struct rec_reader *in)
{
	struct crm_deal_echo *e = xcalloc(1, sizeof *e);
	size_t n;

	e->w = w;
	for (size_t i = 0; in && i < rec_ncol(in); i++)
		sv_push(&e->names, rec_colname(in, i));
	e->nin = e->names.n;
	for (int k = 0; k < DC_N; k++) {
		size_t i;

		for (i = 0; i < e->nin && strcmp(e->names.v[i], crm_deal_cols[k]); i++)
			;
		if (i == e->nin)
			sv_push(&e->names, crm_deal_cols[k]);
	}
	n = e->names.n;
	e->src = xcalloc(n, sizeof *e->src);
	e->v = xcalloc(n, sizeof *e->v);
	for (size_t i = 0; i < n; i++) {
		e->src[i] = -1;
		for (int k = 0; k < DC_N; k++)
			if (strcmp(e->names.v[i], crm_deal_cols[k]) == 0)
				e->src[i] = k;
	}
	recw_header(w, n, (const char *const *)e->names.v);
	return e;
}

int
crm_deal_echo(struct crm_deal_echo *e, struct crm_db *db, long long id,
    const struct rec *rec)
{
	struct crm_deal_filter f;
	struct crm_deal_cursor *c;
	const char *const *v;

	memset(&f, 0, sizeof f);
	f.id = id;
	f.outcome = -1;
	f.raw = 1;
	c = crm_deals_open(db, &f);
	if ((v = crm_deals_next(c)) != NULL) {
		for (size_t i = 0; i < e->names.n; i++)
			e->v[i] = e->src[i] >= 0 ? v[e->src[i]] :
			    rec && i < rec->n ? rec->v[i] : NULL;
		recw_row(e->w, e->names.n, e->v);
	}
	crm_deals_close(c);
	return v != NULL;
}

void
crm_deal_echo_close(struct crm_deal_echo *e)
{
	if (e == NULL)
		return;
	sv_free(&e->names);
	free(e->src);
	free(e->v);
	free(e);
}

/* What crm_deal_each passes through rec_ids. */
struct deal_each {
	struct crm_run *run;
	struct crm_deal_echo *echo;
	int (*fn)(long long id, const char *where, void *ctx);
	void *ctx;
};

static void
deal_each_start(struct rec_reader *r, void *ctx)
{
	struct deal_each *e = ctx;

	e->echo = crm_deal_echo_open(e->run->out, r);
}

static int
deal_each_one(long long id, const char *where, const struct rec *rec,
    void *ctx)
{
	struct deal_each *e = ctx;

	if (!e->fn(id, where, e->ctx))
		return 0;
	crm_deal_echo(e->echo, e->run->db, id, rec);
	return 1;
}

void
crm_deal_each(struct crm_run *run, int argc, char **argv,
    int (*fn)(long long id, const char *where, void *ctx), void *ctx)
{
	struct deal_each e = { run, NULL, fn, ctx };

	rec_ids(argc, argv, "deal", deal_each_start, deal_each_one, &e);
	crm_deal_echo_close(e.echo);
}
