/* export.c: the tables and reports crm-export reads from the database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "customer.h"
#include "db.h"
#include "export.h"

const char *const crm_export_queries[] = {
	"customers", "leads", "deals", "activities", "history", NULL
};

typedef void (*header_fn)(size_t n, const char *const *names, void *ctx);
typedef void (*row_fn)(const char *const *v, void *ctx);

/*
** Customers as crm-lead list shows them (its columns, then the user's
** own fields), live ones only; STATUS NULL for every status.
*/
static void
export_customers(struct crm_db *db, const char *status, header_fn header,
    row_fn row, void *ctx)
{
	struct crm_filter f = { 0 };
	struct crm_cursor *c;
	const char *const *v;

	f.status = status;
	c = crm_customers_open(db, &f);
	header(crm_cursor_ncol(c), crm_cursor_names(c), ctx);
	while ((v = crm_cursor_next(c)) != NULL)
		row(v, ctx);
	crm_cursor_close(c);
}

/*
** Run SQL (no parameters) and pass each row to ROW as text, NAMES
** (N of them) as the header.  If MONEY is a column index, that column
** holds integer minor units and is passed as major units with two
** decimals ("12345" -> "123.45").
*/
static void
export_sql(struct crm_db *db, const char *sql, size_t n,
    const char *const *names, int money, header_fn header, row_fn row,
    void *ctx)
{
	struct crm_stmt *st = crm_sql(db, sql);
	const char *v[32];
	char amount[32];

	header(n, names, ctx);
	while (crm_step(st)) {
		for (size_t i = 0; i < n; i++)
			v[i] = crm_col_text(st, (int)i);
		if (money >= 0 && v[money] != NULL) {
			long long a = crm_col_int(st, money);
			unsigned long long u = a < 0 ? 0ULL - (unsigned long long)a :
			    (unsigned long long)a;

			snprintf(amount, sizeof amount, "%s%llu.%02llu",
			    a < 0 ? "-" : "", u / 100, u % 100);
			v[money] = amount;
		}
		row(v, ctx);
	}
}

/* Deals, with customer, owner and stage by name; amounts in major units. */
static void
export_deals(struct crm_db *db, header_fn header, row_fn row, void *ctx)
{
	static const char *const names[] = {
		"id", "customer_id", "customer", "owner", "title", "amount",
		"currency", "stage", "probability", "stage_since",
		"expected_close", "closed_at", "lost_reason", "created_at"
	};
	static const char sql[] =
	    "SELECT d.id, d.customer_id, c.name, u.login, d.title, d.amount,"
	    " d.currency, s.name, s.probability, d.stage_since,"
	    " d.expected_close, d.closed_at, d.lost_reason, d.created_at"
	    " FROM deals d JOIN customers c ON c.id = d.customer_id"
	    " JOIN stages s ON s.id = d.stage_id"
	    " LEFT JOIN users u ON u.id = d.owner_id"
	    " ORDER BY d.id";

	export_sql(db, sql, sizeof names / sizeof names[0], names, 5, header,
	    row, ctx);
}

/* Follow-ups, done and planned, with customer and user by name. */
static void
export_activities(struct crm_db *db, header_fn header, row_fn row, void *ctx)
{
	static const char *const names[] = {
		"id", "customer_id", "customer", "user", "kind", "at", "note",
		"next", "due_at", "done_at", "created_at"
	};
	static const char sql[] =
	    "SELECT a.id, a.customer_id, c.name, u.login, a.kind, a.at,"
	    " a.note, a.next_step, a.due_at, a.done_at, a.created_at"
	    " FROM activities a JOIN customers c ON c.id = a.customer_id"
	    " LEFT JOIN users u ON u.id = a.user_id"
	    " ORDER BY a.id";

	export_sql(db, sql, sizeof names / sizeof names[0], names, -1, header,
	    row, ctx);
}

/* The history log: every change, oldest first. */
static void
export_history(struct crm_db *db, header_fn header, row_fn row, void *ctx)
{
	static const char *const names[] = {
		"id", "at", "actor", "command", "batch_id", "entity",
		"entity_id", "field", "old_value", "new_value", "reason"
	};
	static const char sql[] =
	    "SELECT id, at, actor, command, batch_id, entity, entity_id,"
	    " field, old_value, new_value, reason"
	    " FROM history ORDER BY id";

	export_sql(db, sql, sizeof names / sizeof names[0], names, -1, header,
	    row, ctx);
}

int
crm_export_query(struct crm_db *db, const char *name, header_fn header,
    row_fn row, void *ctx)
{
	if (strcmp(name, "customers") == 0)
		export_customers(db, NULL, header, row, ctx);
	else if (strcmp(name, "leads") == 0)
		export_customers(db, "lead", header, row, ctx);
	else if (strcmp(name, "deals") == 0)
		export_deals(db, header, row, ctx);
	else if (strcmp(name, "activities") == 0)
		export_activities(db, header, row, ctx);
	else if (strcmp(name, "history") == 0)
		export_history(db, header, row, ctx);
	else
		return -1;
	return 0;
}

/* Columns of the schema and of the queries above that hold numbers. */
static const char *const number_cols[] = {
	"id", "score", "amount", "capacity", "weight", "rows", "probability",
	"customer_id", "entity_id", "batch_id", "user_id", "owner_id",
	"pool_id", "team_id", "stage_id", "keep_id", "dup_id", "merged_into",
	"position", "locked", "active", "owned", "claim_limit", "max_owned",
	"warn_days", "lockout_days", "cooling_days", "no_followup_days",
	"no_deal_days", "not_won_days", NULL
};

/* Columns that hold dates and times (UTC ISO 8601). */
static const char *const date_cols[] = {
	"created_at", "updated_at", "owner_since", "pool_since", "at",
	"due_at", "done_at", "closed_at", "expected_close",
	"last_activity_at", "next_due_at", "stage_since", "away_from",
	"away_until", "undone_at", NULL
};

int
crm_export_kind(const char *name)
{
	for (const char *const *p = number_cols; *p != NULL; p++)
		if (strcmp(*p, name) == 0)
			return XL_NUMBER;
	for (const char *const *p = date_cols; *p != NULL; p++)
		if (strcmp(*p, name) == 0)
			return XL_DATE;
	return XL_TEXT;
}
