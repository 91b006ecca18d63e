/* export.c: the tables crm-export reads, as the actor may see them; column kinds; re-encoding. */
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include "customer.h"
#include "db.h"
#include "die.h"
#include "export.h"
#include "norm.h"
#include "opt.h"
#include "policy.h"
#include "rec.h"
#include "str.h"

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
** A query of the database.  SQL has the N columns NAMES, then the id,
** owner_id and pool_id of the customer the row is about, for the sight:
** an id of -1 for a row about no customer, NULL for a customer no longer
** known (seen only by admins).  Its one parameter, ?1, is 1 for an admin,
** who sees every row: the query may then give -1 without finding the
** customer.  MONEY is
** the column of an amount in minor units, passed as major units with two
** decimals ("12345" -> "123.45"), or -1.  FIELD is the column that names
** the field whose old and new values follow it (history), or -1.
*/
struct query {
	const char *const *names;
	size_t n;
	const char *sql;
	int money, field;
};

/* The actor's sight of the customer in columns C, C + 1, C + 2 of ST's row. */
static enum crm_sight
row_sight(struct crm_db *db, struct crm_stmt *st, int c)
{
	if (crm_actor_is_admin(db))
		return CRM_SIGHT_FULL;
	if (crm_col_null(st, c))
		return CRM_SIGHT_NAME;
	if (crm_col_int(st, c) < 0)
		return CRM_SIGHT_FULL;
	return crm_sight(db, crm_col_int(st, c),
	    crm_col_null(st, c + 1) ? -1 : crm_col_int(st, c + 1),
	    crm_col_null(st, c + 2) ? -1 : crm_col_int(st, c + 2));
}

/*
** Run Q and pass each row the actor may see to ROW, as it may see it,
** and Q's names to HEADER first.
*/
static void
export_sql(struct crm_db *db, const struct query *q, header_fn header,
    row_fn row, void *ctx)
{
	struct crm_stmt *st = crm_sql_take(db, q->sql);
	char *masks[2][2] = { { NULL, NULL }, { NULL, NULL } };
	const char *v[32];
	char amount[32];

	header(q->n, q->names, ctx);
	crm_bind_int(st, 1, crm_actor_is_admin(db));
	while (crm_step(st)) {
		enum crm_sight sight = row_sight(db, st, (int)q->n);

		if (sight == CRM_SIGHT_NAME)
			continue;
		for (size_t i = 0; i < q->n; i++)
			v[i] = crm_col_text(st, (int)i);
		if (q->money >= 0 && v[q->money] != NULL) {
			long long a = crm_col_int(st, q->money);
			unsigned long long u = a < 0 ? 0ULL - (unsigned long long)a :
			    (unsigned long long)a;

			snprintf(amount, sizeof amount, "%s%llu.%02llu",
			    a < 0 ? "-" : "", u / 100, u % 100);
			v[q->money] = amount;
		}
		if (q->field >= 0 && v[q->field] != NULL) {
			/* a phone or email changed: its values as the field's */
			const char *const *name = &v[q->field];

			crm_sight_apply(sight, 1, name, &v[q->field + 1], masks[0]);
			crm_sight_apply(sight, 1, name, &v[q->field + 2], masks[1]);
		} else
			crm_sight_apply(sight, q->n, q->names, v, masks[0]);
		row(v, ctx);
	}
	crm_sight_free(masks[0]);
	crm_sight_free(masks[1]);
	crm_sql_give(st);
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
	static const struct query q = {
	    names, sizeof names / sizeof names[0],
	    "SELECT d.id, d.customer_id, c.name, u.login, d.title, d.amount,"
	    " d.currency, s.name, s.probability, d.stage_since,"
	    " d.expected_close, d.closed_at, d.lost_reason, d.created_at,"
	    " CASE WHEN ?1 = 1 THEN -1 ELSE c.id END, c.owner_id, c.pool_id"
	    " FROM deals d JOIN customers c ON c.id = d.customer_id"
	    " JOIN stages s ON s.id = d.stage_id"
	    " LEFT JOIN users u ON u.id = d.owner_id"
	    " ORDER BY d.id", 5, -1
	};

	export_sql(db, &q, header, row, ctx);
}

/* Follow-ups, done and planned, with customer and user by name. */
static void
export_activities(struct crm_db *db, header_fn header, row_fn row, void *ctx)
{
	static const char *const names[] = {
		"id", "customer_id", "customer", "user", "kind", "at", "note",
		"next", "due_at", "done_at", "created_at"
	};
	static const struct query q = {
	    names, sizeof names / sizeof names[0],
	    "SELECT a.id, a.customer_id, c.name, u.login, a.kind, a.at,"
	    " a.note, a.next_step, a.due_at, a.done_at, a.created_at,"
	    " CASE WHEN ?1 = 1 THEN -1 ELSE c.id END, c.owner_id, c.pool_id"
	    " FROM activities a JOIN customers c ON c.id = a.customer_id"
	    " LEFT JOIN users u ON u.id = a.user_id"
	    " ORDER BY a.id", -1, -1
	};

	export_sql(db, &q, header, row, ctx);
}

/*
** The history log: every change, oldest first.  For a rep, the customer
** of each row: the customer's own, or that of its follow-up, deal or
** contact (as it is now, else as the history last recorded it); -1 for
** other entities (users, pools, settings).
*/
static void
export_history(struct crm_db *db, header_fn header, row_fn row, void *ctx)
{
	static const char *const names[] = {
		"id", "at", "actor", "command", "batch_id", "entity",
		"entity_id", "field", "old_value", "new_value", "reason"
	};
	static const struct query q = {
	    names, sizeof names / sizeof names[0],
	    "SELECT h.id, h.at, h.actor, h.command, h.batch_id, h.entity,"
	    " h.entity_id, h.field, h.old_value, h.new_value, h.reason,"
	    " h.cust, c.owner_id, c.pool_id FROM (SELECT h.*, CASE"
	    "  WHEN ?1 = 1 THEN -1"
	    "  WHEN h.entity = 'customer' THEN h.entity_id"
	    "  WHEN h.entity <> 'activity' AND h.entity <> 'deal'"
	    "   AND h.entity <> 'contact' THEN -1"
	    "  ELSE coalesce(CASE h.entity"
	    "   WHEN 'activity' THEN (SELECT customer_id FROM activities"
	    "    WHERE id = h.entity_id)"
	    "   WHEN 'deal' THEN (SELECT customer_id FROM deals"
	    "    WHERE id = h.entity_id)"
	    "   ELSE (SELECT customer_id FROM contacts WHERE id = h.entity_id)"
	    "   END, (SELECT CAST(coalesce(x.new_value, x.old_value) AS INTEGER)"
	    "    FROM history x WHERE x.entity = h.entity"
	    "    AND x.entity_id = h.entity_id AND x.field = 'customer_id'"
	    "    ORDER BY x.id DESC LIMIT 1))"
	    " END AS cust FROM history h) h"
	    " LEFT JOIN customers c ON c.id = h.cust ORDER BY h.id", -1, 7
	};

	export_sql(db, &q, header, row, ctx);
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
	"no_deal_days", "not_won_days",
	/* the figures of crm-score, crm-report, crm-pool due, crm-user targets */
	"health", "recency", "frequency", "monetary", "r", "f", "m",
	"deals", "entered", "to_next", "to_won", "median_days", "p90_days",
	"stalled", "pipeline", "weighted", "committed", "best_case", "won",
	"new_leads", "new_customers", "calls", "visits", "activities",
	"deals_won", "deals_lost", "won_amount", "win_rate", "avg_deal",
	"avg_cycle_days", "target", "achieved", "left_to_target", "left",
	"leads", "converted", "conversion", "put_in", "reclaimed", "released",
	"claimed", "assigned", "claimed_back", "median_days_in_pool",
	"customers", "avg_health", "open_amount", "overdue_days", "idle_days",
	"limit_days", "days_left", "dup_line", "reject_line", NULL
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

void
crm_export_cols_init(struct crm_export_cols *c, size_t n,
    const char *const *names, const char *const *canon,
    const struct strvec *text, const struct strvec *number,
    const struct strvec *date)
{
	static const char *const optname[] = { "text", "number", "date" };
	const struct strvec *given[] = { text, number, date };
	unsigned char *set = xcalloc(n + 1, 1);

	c->n = n;
	c->names = xcalloc(n + 1, sizeof *c->names);
	c->canon = xcalloc(n + 1, sizeof *c->canon);
	c->kind = xcalloc(n + 1, sizeof *c->kind);
	c->warned = xcalloc(n + 1, 1);
	for (size_t i = 0; i < n; i++) {
		c->names[i] = xstrdup(names[i]);
		c->canon[i] = xstrdup(canon[i]);
		c->kind[i] = crm_export_kind(canon[i]);
	}
	/* optname[k] is the name of kind k: XL_TEXT, XL_NUMBER, XL_DATE */
	for (int k = XL_TEXT; k <= XL_DATE; k++)
		for (size_t j = 0; j < given[k]->n; j++) {
			size_t i = crm_export_col(c, optname[k], given[k]->v[j]);

			if (set[i] && c->kind[i] != k)
				crm_usage_error("column '%s' given as --%s and --%s",
				    c->names[i], optname[c->kind[i]], optname[k]);
			set[i] = 1;
			c->kind[i] = k;
		}
	free(set);
}

void
crm_export_cols_free(struct crm_export_cols *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->names[i]);
		free(c->canon[i]);
	}
	free(c->names);
	free(c->canon);
	free(c->kind);
	free(c->warned);
}

size_t
crm_export_col(const struct crm_export_cols *c, const char *opt,
    const char *col)
{
	char buf[256];
	const char *want;

	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->names[i], col) == 0)
			return i;
	want = rec_canonical(col, buf, sizeof buf);
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->canon[i], want) == 0)
			return i;
	crm_usage_error("--%s: no column '%s'", opt, col);
}

int
crm_export_cell_kind(struct crm_export_cols *c, size_t i, const char *s,
    const char *where)
{
	int k = c->kind[i];

	if (k == XL_TEXT || s == NULL || *s == '\0')
		return XL_TEXT;
	if (k == XL_NUMBER ? xl_is_plain_number(s) : xl_is_date(s))
		return k;
	if (!c->warned[i] && !crm_g.quiet)
		crm_warn("%s: %s: '%.60s' is not a %s; written as text (the"
		    " first such value of a column is reported)", where,
		    c->names[i], s, k == XL_NUMBER ?
		    "plain number of at most 15 digits" :
		    "date YYYY-MM-DD[ HH:MM[:SS]]");
	c->warned[i] = 1;
	return XL_TEXT;
}

struct crm_recode {
	iconv_t cd;
	const char *enc;
	FILE *mem;
	char *buf;
	size_t size;
};

struct crm_recode *
crm_recode_open(const char *enc, FILE **out)
{
	struct crm_recode *r;
	iconv_t cd;

	*out = stdout;
	if (enc == NULL || strcasecmp(enc, "UTF-8") == 0 ||
	    strcasecmp(enc, "UTF8") == 0)
		return NULL;
	if ((cd = iconv_open(enc, "UTF-8")) == (iconv_t)-1)
		crm_usage_error("--encoding: unknown encoding '%s'", enc);
	r = xcalloc(1, sizeof *r);
	r->cd = cd;
	r->enc = enc;
	if ((r->mem = open_memstream(&r->buf, &r->size)) == NULL)
		crm_die_errno("cannot allocate memory");
	*out = r->mem;
	return r;
}

void
crm_recode_put(struct crm_recode *r, const char *where)
{
	char obuf[16384], *in, *o;
	size_t inleft, outleft;
	off_t len;

	if (fflush(r->mem) != 0 || (len = ftello(r->mem)) < 0)
		crm_die_errno("cannot buffer a row");
	in = r->buf;
	inleft = (size_t)len;
	while (inleft > 0) {
		o = obuf;
		outleft = sizeof obuf;
		if (iconv(r->cd, &in, &inleft, &o, &outleft) == (size_t)-1 &&
		    errno != E2BIG) {
			const char *p = in;
			unsigned ch = utf8_next(&p);

			if (ch == 0xFFFD && !(p - in == 3 &&
			    memcmp(in, "\xEF\xBF\xBD", 3) == 0))
				crm_die("%s: invalid UTF-8", where);
			crm_die("%s: %s has no character U+%04X '%.*s'; try"
			    " --encoding GB18030 or UTF-8", where, r->enc, ch,
			    (int)(p - in), in);
		}
		fwrite_unlocked(obuf, 1, (size_t)(o - obuf), stdout);
	}
	if (fseeko(r->mem, 0, SEEK_SET) != 0)
		crm_die_errno("cannot buffer a row");
}

void
crm_recode_close(struct crm_recode *r)
{
	if (r == NULL)
		return;
	fclose(r->mem);
	free(r->buf);
	iconv_close(r->cd);
	free(r);
}
