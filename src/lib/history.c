/* history.c: the append-only change log and batch undo. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "customer.h"
#include "db.h"
#include "die.h"
#include "history.h"
#include "opt.h"
#include "policy.h"
#include "rec.h"
#include "str.h"
#include "when.h"

const char *const crm_batch_names[CRM_BATCH_NKINDS] = {
#define K(id, name) name,
	CRM_BATCH_KINDS
#undef K
};

long long
crm_batch_start(struct crm_db *db, enum crm_batch_kind kind, const char *source)
{
	struct crm_ctx *c = crm_ctx(db);
	const char *command = crm_batch_names[kind];
	struct crm_stmt *s = crm_sql(db,
	    "INSERT INTO batches (command, actor, at, source) VALUES (?, ?, ?, ?)"
	    " RETURNING id");

	crm_bind_text(s, 1, command);
	crm_bind_text(s, 2, c->actor);
	crm_bind_text(s, 3, crm_now_text());
	crm_bind_text(s, 4, source);
	if (!crm_step(s))
		crm_die("internal error: no batch id");
	c->batch = crm_col_int(s, 0);
	c->command = command;
	crm_reset(s);
	return c->batch;
}

long long
crm_batch_id(struct crm_db *db)
{
	return crm_ctx(db)->batch;
}

void
crm_batch_set_rows(struct crm_db *db, long long rows)
{
	struct crm_stmt *s = crm_sql(db, "UPDATE batches SET rows = ? WHERE id = ?");

	crm_bind_int(s, 1, rows);
	crm_bind_int(s, 2, crm_batch_id(db));
	crm_step(s);
}

void
crm_history(struct crm_db *db, const char *entity, long long id,
    const char *field, const char *old_value, const char *new_value,
    const char *reason)
{
	crm_history_at(db, crm_now_text(), entity, id, field, old_value,
	    new_value, reason);
}

/*
** Appended: where the engine appends in bulk (a server: COPY), a command
** that changes thousands of customers sends their history in one go, not
** one round trip each; the row is there for every statement after it
** all the same.
*/
void
crm_history_at(struct crm_db *db, const char *at, const char *entity,
    long long id, const char *field, const char *old_value,
    const char *new_value, const char *reason)
{
	long long batch = crm_batch_id(db);
	char idb[24], batchb[24];
	const char *v[10] = { entity, idb, field, old_value, new_value,
	    crm_actor(db), at, reason,
	    crm_ctx(db)->command ? crm_ctx(db)->command : "",
	    batch ? batchb : NULL };

	snprintf(idb, sizeof idb, "%lld", id);
	snprintf(batchb, sizeof batchb, "%lld", batch);
	crm_db_append(db, "history", "(entity, entity_id, field, old_value,"
	    " new_value, actor, at, reason, command, batch_id)", 10, v);
}

long long
crm_user_id(struct crm_db *db, const char *login)
{
	return crm_db_id(db, "SELECT id FROM users WHERE login = ?", login);
}

static const char *
name_of(struct crm_db *db, const char *sql, long long id)
{
	static char buf[2][256];
	static int which;
	struct crm_stmt *s;
	char *out;

	if (id < 0)
		return NULL;
	s = crm_sql(db, sql);
	crm_bind_int(s, 1, id);
	if (!crm_step(s))
		return NULL;
	out = buf[which ^= 1];
	snprintf(out, sizeof buf[0], "%s", crm_col_text(s, 0));
	crm_reset(s);
	return out;
}

const char *
crm_user_login(struct crm_db *db, long long id)
{
	return name_of(db, "SELECT login FROM users WHERE id = ?", id);
}

long long
crm_pool_id(struct crm_db *db, const char *name)
{
	return crm_db_id(db, "SELECT id FROM pools WHERE name = ?", name);
}

const char *
crm_pool_name(struct crm_db *db, long long id)
{
	return name_of(db, "SELECT name FROM pools WHERE id = ?", id);
}

/*
** How to read and restore one (entity, field) that history records.
** NAMED: the value is a user login (1) or pool name (2) for an id column.
*/
static const struct undoable {
	const char *entity, *field;
	const char *get, *set;
	int named;
} undoables[] = {
	{ "customer", "owner",
	  "SELECT owner_id FROM customers WHERE id = ?",
	  "UPDATE customers SET owner_id = ?, owner_since = ?,"
	  " updated_at = ? WHERE id = ?", 1 },
	{ "customer", "pool",
	  "SELECT pool_id FROM customers WHERE id = ?",
	  "UPDATE customers SET pool_id = ?, pool_since = ?,"
	  " updated_at = ? WHERE id = ?", 2 },
	{ "customer", "status",
	  "SELECT status FROM customers WHERE id = ?",
	  "UPDATE customers SET status = ?, status_reason = NULL,"
	  " updated_at = ? WHERE id = ?", 0 },
	{ "customer", "score",
	  "SELECT score FROM customers WHERE id = ?",
	  "UPDATE customers SET score = ?, updated_at = ? WHERE id = ?", 0 },
	{ "customer", "merged_into",
	  "SELECT merged_into FROM customers WHERE id = ?",
	  "UPDATE customers SET merged_into = ?, updated_at = ? WHERE id = ?", 0 },
	{ "activity", "customer_id",
	  "SELECT customer_id FROM activities WHERE id = ?",
	  "UPDATE activities SET customer_id = ? WHERE id = ?", 0 },
	{ "activity", "user",
	  "SELECT user_id FROM activities WHERE id = ?",
	  "UPDATE activities SET user_id = ? WHERE id = ?", 1 },
	{ "deal", "customer_id",
	  "SELECT customer_id FROM deals WHERE id = ?",
	  "UPDATE deals SET customer_id = ? WHERE id = ?", 0 },
	{ "deal", "owner",
	  "SELECT owner_id FROM deals WHERE id = ?",
	  "UPDATE deals SET owner_id = ? WHERE id = ?", 1 },
	{ "contact", "customer_id",
	  "SELECT customer_id FROM contacts WHERE id = ?",
	  "UPDATE contacts SET customer_id = ? WHERE id = ?", 0 },
};

/* A field of a customer that undo sets back as it is (crm_customer_field). */
static int
customer_field(struct crm_db *db, const char *entity, const char *field)
{
	return strcmp(entity, "customer") == 0 && crm_customer_is_field(db, field);
}

static const struct undoable *
find_undoable(const char *entity, const char *field)
{
	for (size_t i = 0; i < sizeof undoables / sizeof undoables[0]; i++)
		if (strcmp(undoables[i].entity, entity) == 0 &&
		    strcmp(undoables[i].field, field) == 0)
			return &undoables[i];
	return NULL;
}

/* The current value as history would write it, or NULL; *GONE if no row. */
static char *
current_value(struct crm_db *db, const struct undoable *u, long long id,
    int *gone)
{
	struct crm_stmt *s = crm_sql(db, u->get);
	char *v = NULL;

	crm_bind_int(s, 1, id);
	*gone = !crm_step(s);
	if (*gone)
		return NULL;
	if (!crm_col_null(s, 0)) {
		long long ref = crm_col_int(s, 0);

		v = xstrdup(crm_col_text(s, 0));
		crm_reset(s);
		if (u->named) {
			const char *n = u->named == 1 ? crm_user_login(db, ref) :
			    crm_pool_name(db, ref);
			free(v);
			v = n ? xstrdup(n) : NULL;
		}
	} else
		crm_reset(s);
	return v;
}

static int
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* Set the field back to OLD. */
static void
restore(struct crm_db *db, const struct undoable *u, long long id,
    const char *old)
{
	struct crm_stmt *s = crm_sql(db, u->set);
	int i = 1;

	if (u->named && old) {
		long long ref = u->named == 1 ? crm_user_id(db, old) :
		    crm_pool_id(db, old);
		if (ref < 0)
			crm_die("cannot undo: %s '%s' no longer exists",
			    u->named == 1 ? "user" : "pool", old);
		s = crm_sql(db, u->set);
		crm_bind_int(s, i++, ref);
	} else
		crm_bind_text(s, i++, old);
	if (u->named && strcmp(u->entity, "customer") == 0)
		crm_bind_text(s, i++, old ? crm_now_text() : NULL);
	if (strcmp(u->entity, "customer") == 0)
		crm_bind_text(s, i++, crm_now_text());
	crm_bind_int(s, i, id);
	if (crm_step_try(s) < 0)
		crm_die("cannot undo %s %s of %s %lld: %s", u->entity, u->field,
		    u->entity, id, crm_db_errmsg(db));
}

/* A change of the batch being undone, newest first. */
struct undo_row {
	long long hid, id;
	char *entity, *field, *old, *new;
	int done;
};

/*
** Row I as a clock (owner_since, pool_since): a clock goes back exactly
** when its holder's change, the row written just after it (so undone
** just before it), went back.  -1 when row I is no clock (or has no
** holder row), else whether its holder went back.
*/
static int
clock_follows(const struct undo_row *rows, size_t i)
{
	const char *f = rows[i].field;
	size_t len = strlen(f);

	if (len < 7 || strcmp(f + len - 6, "_since") != 0)
		return -1;
	for (size_t k = i; k-- > 0;)
		if (rows[k].id == rows[i].id &&
		    strcmp(rows[k].entity, rows[i].entity) == 0 &&
		    strncmp(rows[k].field, f, len - 6) == 0 &&
		    rows[k].field[len - 6] == '\0')
			return rows[k].done;
	return -1;
}

long long
crm_batch_undo(struct crm_db *db, long long b,
    void (*skipped)(const char *, long long, const char *, const char *, void *),
    void *ctx)
{
	struct crm_stmt *s;
	struct undo_row *rows = NULL;
	size_t n = 0, cap = 0;
	long long undone = 0, by;
	char why[128];

	by = crm_db_int(db, "SELECT coalesce(undone_by, 0) FROM batches WHERE id = ?", b);
	if (by < 0)
		crm_die("no batch %lld", b);
	if (by > 0)
		crm_die("batch %lld was undone already (by batch %lld)", b, by);
	s = crm_sql(db, "SELECT id, entity, entity_id, field, old_value, new_value"
	    " FROM history WHERE batch_id = ? ORDER BY id DESC");
	crm_bind_int(s, 1, b);
	while (crm_step(s)) {
		if (n == cap)
			rows = xrealloc(rows, (cap = cap ? cap * 2 : 64) * sizeof *rows);
		rows[n].hid = crm_col_int(s, 0);
		rows[n].entity = xstrdup(crm_col_text(s, 1));
		rows[n].id = crm_col_int(s, 2);
		rows[n].field = xstrdup(crm_col_text(s, 3));
		rows[n].old = crm_col_null(s, 4) ? NULL : xstrdup(crm_col_text(s, 4));
		rows[n].new = crm_col_null(s, 5) ? NULL : xstrdup(crm_col_text(s, 5));
		rows[n].done = 0;
		n++;
	}
	for (size_t i = 0; i < n; i++) {
		struct undo_row *r = &rows[i];
		const struct undoable *u = find_undoable(r->entity, r->field);
		struct crm_stmt *later;
		long long newer = 0;
		char *cur;
		int gone, plain = u == NULL && customer_field(db, r->entity, r->field);
		int clock = clock_follows(rows, i);

		if (u == NULL && !plain)
			continue;	/* not a change undo can make */
		if (clock == 0)
			continue;	/* its holder stays, and so does its clock */
		later = crm_sql(db, "SELECT min(batch_id) FROM history WHERE entity = ?"
		    " AND entity_id = ? AND field = ? AND id > ? AND batch_id <> ?");
		crm_bind_text(later, 1, r->entity);
		crm_bind_int(later, 2, r->id);
		crm_bind_text(later, 3, r->field);
		crm_bind_int(later, 4, r->hid);
		crm_bind_int(later, 5, b);
		if (crm_step(later)) {
			newer = crm_col_null(later, 0) ? 0 : crm_col_int(later, 0);
			crm_reset(later);
		}
		cur = plain ? crm_customer_field(db, r->id, r->field, &gone) :
		    current_value(db, u, r->id, &gone);
		if (clock != 1 && (gone || newer || !same(cur, r->new))) {
			if (newer)
				snprintf(why, sizeof why, "changed since by batch %lld", newer);
			else
				snprintf(why, sizeof why, gone ? "no longer exists" :
				    "changed since");
			if (skipped)
				skipped(r->entity, r->id, r->field, why, ctx);
		} else {
			if (plain)
				crm_customer_set_field(db, r->id, r->field, r->old);
			else
				restore(db, u, r->id, r->old);
			snprintf(why, sizeof why, "undo batch %lld", b);
			crm_history(db, r->entity, r->id, r->field, r->new, r->old, why);
			r->done = 1;
			undone++;
		}
		free(cur);
	}
	for (size_t i = 0; i < n; i++) {
		free(rows[i].entity);
		free(rows[i].field);
		free(rows[i].old);
		free(rows[i].new);
	}
	free(rows);
	s = crm_sql(db, "UPDATE batches SET undone_by = ? WHERE id = ?");
	crm_bind_int(s, 1, crm_batch_id(db));
	crm_bind_int(s, 2, b);
	crm_step(s);
	return undone;
}

void
crm_batch_require(struct crm_db *db, long long b, const char *prefix)
{
	struct crm_stmt *s = crm_sql(db, "SELECT command FROM batches WHERE id = ?");
	int ours;

	crm_bind_int(s, 1, b);
	if (!crm_step(s))
		crm_die("no batch %lld", b);
	ours = strncmp(crm_col_text(s, 0), prefix, strlen(prefix)) == 0;
	if (!ours) {
		char *cmd = xstrdup(crm_col_text(s, 0));

		crm_reset(s);
		crm_die("batch %lld was made by '%s': undo it with that program",
		    b, cmd);
	}
	crm_reset(s);
}

static const char *const history_cols[] = {
	"id", "at", "actor", "entity", "entity_id", "field", "old", "new",
	"reason", "batch", "command"
};
#define NHISTCOLS (sizeof history_cols / sizeof history_cols[0])

void
crm_history_header(struct crm_history_out *h)
{
	recw_header(h->w, NHISTCOLS, history_cols);
}

void
crm_history_write(struct crm_history_out *h, long long id)
{
	struct crm_stmt *s;
	enum crm_sight sight = crm_sight_of(h->db, id);
	const char *v[NHISTCOLS];
	char idb[32];

	if (sight == CRM_SIGHT_NAME)
		crm_die("permission denied: the history of customer %lld is for "
		    "its owner and the members of its pool (you are '%s', %s)", id,
		    crm_actor(h->db), crm_actor_describe(h->db));
	snprintf(idb, sizeof idb, "%lld", id);
	/* The customer's own rows, and those of its deals, contacts, follow-ups. */
	s = crm_sql_take(h->db, "SELECT at, actor, entity, entity_id, field,"
	    " old_value, new_value, reason, batch_id, command FROM history"
	    " WHERE (entity = 'customer' AND entity_id = ?1)"
	    " OR (entity = 'deal' AND entity_id IN"
	    "  (SELECT id FROM deals WHERE customer_id = ?1))"
	    " OR (entity = 'contact' AND entity_id IN"
	    "  (SELECT id FROM contacts WHERE customer_id = ?1))"
	    " OR (entity = 'activity' AND entity_id IN"
	    "  (SELECT id FROM activities WHERE customer_id = ?1))"
	    " ORDER BY id");
	crm_bind_int(s, 1, id);
	while (crm_step(s)) {
		char *masks[2][2] = { { NULL, NULL }, { NULL, NULL } };
		const char *names[1];
		enum crm_sight as = sight == CRM_SIGHT_MASKED ? sight : CRM_SIGHT_FULL;

		v[0] = idb;
		for (size_t i = 1; i < NHISTCOLS; i++)
			v[i] = crm_col_text(s, (int)i - 1);
		/* a changed phone or email is masked as the field itself is */
		names[0] = v[5];
		crm_sight_apply(as, 1, names, &v[6], masks[0]);
		crm_sight_apply(as, 1, names, &v[7], masks[1]);
		recw_row(h->w, NHISTCOLS, v);
		crm_sight_free(masks[0]);
		crm_sight_free(masks[1]);
	}
	crm_sql_give(s);
}

void
crm_undo_skipped(const char *entity, long long id, const char *field,
    const char *why, void *ctx)
{
	crm_warn("not undone: %s %lld %s: %s", entity, id, field, why);
	if (ctx)
		(*(long long *)ctx)++;
}
