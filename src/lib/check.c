/* check.c: crm-db check: the file, and the invariants of the data. */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "db.h"

struct check_job {
	void (*fn)(const char *, const char *, long long, const char *, void *);
	void *ctx;
	long long n;
};

static void
file_problem(const char *msg, void *ctx)
{
	struct check_job *j = ctx;

	j->fn("integrity", "file", 0, msg, j->ctx);
}

/*
** The invariants, each a query whose rows are problems: the entity's id
** and what is wrong with it, as text.  PG is the query on PostgreSQL
** where it differs: "" for none (the server enforces foreign keys).
*/
static const struct {
	const char *check, *entity, *sql, *pg;
} invariants[] = {
	{ "foreign-key", "row",
	  "SELECT rowid, \"table \" || \"table\" || \" refers to a missing \" ||"
	  " parent FROM pragma_foreign_key_check", "" },
	{ "owned-or-pooled", "customer",
	  "SELECT id, 'owned and pooled at once' FROM customers"
	  " WHERE owner_id IS NOT NULL AND pool_id IS NOT NULL", NULL },
	{ "merged", "customer",
	  "SELECT id, 'merged into ' || merged_into || ' but still held' FROM customers"
	  " WHERE merged_into IS NOT NULL"
	  " AND (owner_id IS NOT NULL OR pool_id IS NOT NULL)", NULL },
	{ "clock", "customer",
	  "SELECT id, CASE WHEN owner_id IS NOT NULL AND owner_since IS NULL"
	  " THEN 'owned, no owner_since' WHEN owner_id IS NULL AND"
	  " owner_since IS NOT NULL THEN 'owner_since without an owner'"
	  " WHEN pool_id IS NOT NULL AND pool_since IS NULL"
	  " THEN 'pooled, no pool_since' ELSE 'pool_since without a pool' END"
	  " FROM customers WHERE (owner_id IS NOT NULL) <> (owner_since IS NOT NULL)"
	  " OR (pool_id IS NOT NULL) <> (pool_since IS NOT NULL)", NULL },
	{ "history-owner", "customer",
	  "SELECT id, 'owner is ' || coalesce(cur, 'nobody') || ', history says '"
	  " || coalesce(last, 'nobody') FROM (SELECT c.id, u.login AS cur,"
	  " (SELECT h.new_value FROM history h WHERE h.entity = 'customer'"
	  " AND h.entity_id = c.id AND h.field = 'owner' ORDER BY h.id DESC"
	  " LIMIT 1) AS last FROM customers c LEFT JOIN users u"
	  " ON u.id = c.owner_id) x WHERE cur IS DISTINCT FROM last", NULL },
	{ "history-pool", "customer",
	  "SELECT id, 'pool is ' || coalesce(cur, 'none') || ', history says '"
	  " || coalesce(last, 'none') FROM (SELECT c.id, p.name AS cur,"
	  " (SELECT h.new_value FROM history h WHERE h.entity = 'customer'"
	  " AND h.entity_id = c.id AND h.field = 'pool' ORDER BY h.id DESC"
	  " LIMIT 1) AS last FROM customers c LEFT JOIN pools p"
	  " ON p.id = c.pool_id) x WHERE cur IS DISTINCT FROM last", NULL },
	{ "follow-up-clock", "customer",
	  "SELECT id, 'last_activity_at ' || coalesce(last_activity_at, 'none')"
	  " || ', latest follow-up done ' || coalesce(done, 'none') FROM"
	  " (SELECT c.id, c.last_activity_at, (SELECT max(a.at) FROM activities a"
	  " WHERE a.customer_id = c.id AND a.at IS NOT NULL) AS done"
	  " FROM customers c) x WHERE last_activity_at IS DISTINCT FROM done", NULL },
	{ "follow-up-due", "customer",
	  "SELECT id, 'next_due_at ' || coalesce(next_due_at, 'none')"
	  " || ', earliest open follow-up ' || coalesce(due, 'none') FROM"
	  " (SELECT c.id, c.next_due_at, (SELECT min(a.due_at) FROM activities a"
	  " WHERE a.customer_id = c.id AND a.due_at IS NOT NULL"
	  " AND a.done_at IS NULL) AS due FROM customers c) x"
	  " WHERE next_due_at IS DISTINCT FROM due", NULL },
};

long long
crm_db_check(struct crm_db *db,
    void (*fn)(const char *, const char *, long long, const char *, void *),
    void *ctx)
{
	struct check_job j = { fn, ctx, 0 };

	j.n = crm_db_integrity(db, file_problem, &j);
	if (j.n)
		return j.n;	/* the rest would read a damaged file */
	for (size_t i = 0; i < sizeof invariants / sizeof invariants[0]; i++) {
		const char *sql = crm_db_variant(db, invariants[i].sql,
		    invariants[i].pg ? invariants[i].pg : invariants[i].sql);
		struct crm_stmt *s;

		if (*sql == '\0')
			continue;
		s = crm_sql(db, sql);

		while (crm_step(s)) {
			j.n++;
			fn(invariants[i].check, invariants[i].entity,
			    crm_col_int(s, 0), crm_col_text(s, 1), ctx);
		}
	}
	return j.n;
}
