/* score.c: what crm-score reads and saves, and the work of its commands. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "customer.h"
#include "db.h"
#include "die.h"
#include "history.h"
#include "money.h"
#include "opt.h"
#include "period.h"
#include "policy.h"
#include "rec.h"
#include "score.h"
#include "str.h"
#include "when.h"

/* ---- days ------------------------------------------------------------ */

void
score_days_init(struct score_days *d, long today)
{
	d->today = today;
	for (size_t i = 0; i < SCORE_DAYS_CACHE; i++)
		d->key[i] = LLONG_MIN;
}

/* Floor division, for times before 1970 too. */
static long long
floordiv(long long a, long long b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* The local day of time T, the zone's offset cached per quarter hour. */
static long
local_day(struct score_days *d, long long t)
{
	long long q = floordiv(t, 900);
	size_t k = (size_t)((unsigned long long)q & (SCORE_DAYS_CACHE - 1));

	if (d->key[k] != q) {
		time_t tt = (time_t)t;
		struct tm tm;

		localtime_r(&tt, &tm);
		d->off[k] = tm.tm_gmtoff;
		d->key[k] = q;
	}
	return (long)floordiv(t + d->off[k], 86400);
}

long
score_today(void)
{
	time_t t = crm_now();
	struct tm tm;

	localtime_r(&t, &tm);
	return day_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* Two digits at S, or -1. */
static int
digits2(const char *s)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

long
score_day(struct score_days *d, const char *s)
{
	int y1, y2, mo, dd, h, mi, sec;
	time_t t;

	if (s == NULL)
		return SCORE_NO_DAY;
	/* The stored form, "2026-11-22T09:30:00Z", without sscanf or mktime. */
	if (strlen(s) == 20 && s[4] == '-' && s[7] == '-' && s[10] == 'T' &&
	    s[13] == ':' && s[16] == ':' && s[19] == 'Z' &&
	    (y1 = digits2(s)) >= 0 && (y2 = digits2(s + 2)) >= 0 &&
	    (mo = digits2(s + 5)) >= 1 && mo <= 12 &&
	    (dd = digits2(s + 8)) >= 1 && dd <= 31 &&
	    (h = digits2(s + 11)) >= 0 && h < 24 &&
	    (mi = digits2(s + 14)) >= 0 && mi < 60 &&
	    (sec = digits2(s + 17)) >= 0 && sec <= 60)
		return local_day(d, day_from_civil(y1 * 100 + y2, mo, dd) * 86400LL +
		    h * 3600 + mi * 60 + sec);
	if (crm_parse_time(s, &t) == -1)
		return SCORE_NO_DAY;
	return local_day(d, (long long)t);
}

long
score_date(const char *date)
{
	long day;

	return day_parse(date, &day) == -1 ? SCORE_NO_DAY : day;
}

/* The UTC text of the start of local day DAY, into OUT. */
static void
day_start_text(long day, char out[CRM_TIME_LEN])
{
	struct tm tm;
	int y, m, dd;

	day_to_civil(day, &y, &m, &dd);
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = dd;
	tm.tm_isdst = -1;
	crm_format_time(crm_day_start(mktime(&tm)), out);
}

/* ---- stages ------------------------------------------------------------ */

struct stages {
	size_t n;
	long long *id;
	char **name;
	enum score_outcome *outcome;
};

/* The stages, in pipeline order, into *ST (free with stages_free()). */
static void
stages_load(struct crm_db *db, struct stages *st)
{
	struct crm_stmt *s = crm_sql(db, "SELECT id, name, outcome FROM stages"
	    " ORDER BY position, id");
	size_t cap = 0;

	memset(st, 0, sizeof *st);
	while (crm_step(s)) {
		const char *o = crm_col_text(s, 2);

		if (st->n == cap) {
			cap = cap ? 2 * cap : 8;
			st->id = xrealloc(st->id, cap * sizeof *st->id);
			st->name = xrealloc(st->name, cap * sizeof *st->name);
			st->outcome = xrealloc(st->outcome, cap * sizeof *st->outcome);
		}
		st->id[st->n] = crm_col_int(s, 0);
		st->name[st->n] = xstrdup(crm_col_text(s, 1));
		st->outcome[st->n] = strcmp(o, "won") == 0 ? SCORE_WON :
		    strcmp(o, "lost") == 0 ? SCORE_LOST : SCORE_OPEN;
		st->n++;
	}
}

static void
stages_free(struct stages *st)
{
	for (size_t i = 0; i < st->n; i++)
		free(st->name[i]);
	free(st->id);
	free(st->name);
	free(st->outcome);
}

/* The index of stage ID, or -1. */
static long
stage_index(const struct stages *st, long long id)
{
	for (size_t i = 0; i < st->n; i++)
		if (st->id[i] == id)
			return (long)i;
	return -1;
}

/* ---- the reader -------------------------------------------------------- */

/* A statement read in customer id order, with the row it holds. */
struct cur {
	struct crm_stmt *st;
	int has;		/* a row is waiting */
	long long id;		/* its customer id */
};

enum { C_MAIN, C_CUSTOM, C_ACTS, C_DEALS, C_ACTIVE, C_N };

/* Column 0 of each is the customer id; ?1 the id to start from. */
static const char *const reader_sql[C_N] = {
	NULL,			/* main_sql(): the columns asked for */
	"SELECT customer_id, field_id, value FROM customer_fields"
	" WHERE customer_id >= ?1 ORDER BY customer_id, field_id",
	"SELECT customer_id, kind, coalesce(at, done_at), due_at,"
	" done_at IS NOT NULL FROM activities WHERE customer_id >= ?1"
	" ORDER BY customer_id",
	"SELECT customer_id, stage_id, amount, currency, stage_since, closed_at"
	" FROM deals WHERE customer_id >= ?1 ORDER BY customer_id",
	/*
	** A follow-up done, or an open deal made or moved, in [?2, ?3): few
	** rows of many, so read in table order and sorted (the unary + keeps
	** SQLite from walking the customer index and seeking every row).
	*/
	"SELECT id, at FROM (SELECT customer_id AS id, at FROM activities"
	" WHERE done_at IS NOT NULL AND at >= ?2 AND at < ?3"
	" UNION ALL SELECT d.customer_id, d.stage_since FROM deals d"
	" JOIN stages s ON s.id = d.stage_id WHERE s.outcome = 'open'"
	" AND d.stage_since >= ?2 AND d.stage_since < ?3)"
	" WHERE +id >= ?1 ORDER BY +id",
};

/*
** The customers statement: id, owner id, pool id, what is saved (with
** SCORE_STORED), then the columns of crm_customer_cols the reader needs,
** and no others: unread columns and joins cost a pass over a million
** customers a quarter of its time.  Made of these constants only.
*/
static const char *const col_sql[CC_NLONG] = {
	"c.id", "c.name", "c.company", "c.phone", "c.email", "c.region",
	"c.industry", "c.source", "c.status", "u.login", "p.name", "c.score",
	"c.created_at", "c.grade", "c.status_reason", "c.owner_since",
	"c.pool_since", "c.last_activity_at", "c.next_due_at", "c.locked",
	"c.merged_into", "c.updated_at"
};
enum { M_OWNER_ID = 1, M_POOL_ID, M_STORED };

/* Past this many ids ahead, starting the statements again is cheaper. */
#define SEEK_GAP 16

/* The activity kinds as scorerules.c knows them. */
static const char *const kinds[] = {
	"call", "visit", "meeting", "email", "wechat", "note"
};

struct score_reader {
	struct crm_db *db;
	unsigned what;
	struct score_days *d;
	char *main_text;	/* the customers statement's SQL */
	long active_days;
	unsigned char *want;	/* the fields to read */
	int col[CC_NLONG];	/* their columns in the statement; -1 none */
	struct cur c[C_N];
	int started;
	long long last;		/* the id asked for last */
	struct stages stages;
	struct score_names names;
	const char **fnames;	/* the columns, then the user's own fields */
	size_t nfield;
	long long *field_ids;	/* of the user's own fields, by slot */
	size_t ncustom;
	struct strbuf *custom;	/* their values for the customer at hand */
	const char **v;
	char *masks[2];
	struct score_activity *act;
	size_t actcap;
	struct score_deal *deal;
	char (*currency)[8];	/* the deals' currencies */
	size_t dealcap;
};

/* The next row of C, or none. */
static void
step(struct cur *c)
{
	if ((c->has = crm_step(c->st)) != 0)
		c->id = crm_col_int(c->st, 0);
}

/* Skip C's rows of customers before ID. */
static void
advance(struct cur *c, long long id)
{
	while (c->has && c->id < id)
		step(c);
}

/* The customers statement for what R needs (see col_sql). */
static struct crm_stmt *
main_sql(struct score_reader *r)
{
	struct strbuf sql = STRBUF_INIT;
	struct crm_stmt *st;
	int n = M_STORED;

	sb_init(&sql);
	sb_adds(&sql, "SELECT c.id, c.owner_id, c.pool_id");
	if (r->what & SCORE_STORED) {
		sb_adds(&sql, ", c.score, c.grade, c.rfm, c.segment, c.health");
		n += SCORE_NCOLS;
	}
	r->col[CC_ID] = 0;
	for (size_t i = 1; i < CC_NLONG; i++) {
		r->col[i] = r->want[i] ? n++ : -1;
		if (r->want[i])
			sb_addf(&sql, ", %s", col_sql[i]);
	}
	sb_adds(&sql, " FROM customers c");
	if (r->want[CC_OWNER])
		sb_adds(&sql, " LEFT JOIN users u ON u.id = c.owner_id");
	if (r->want[CC_POOL])
		sb_adds(&sql, " LEFT JOIN pools p ON p.id = c.pool_id");
	sb_adds(&sql, " WHERE c.id >= ?1 AND (?2 = 0 OR c.merged_into IS NULL)"
	    " AND (?3 = 0 OR c.status = 'customer') ORDER BY c.id");
	st = crm_sql_own(r->db, sql.buf);
	r->main_text = sb_detach(&sql);	/* the statement keeps a pointer */
	return st;
}

/* Take the statements the parts asked for need. */
static void
prepare(struct score_reader *r)
{
	struct crm_db *db = r->db;
	int custom = 0;

	for (size_t i = 0; i < r->ncustom; i++)
		custom |= r->want[CC_NLONG + i];
	r->c[C_MAIN].st = main_sql(r);
	crm_bind_int(r->c[C_MAIN].st, 2, (r->what & SCORE_LIVE) != 0);
	crm_bind_int(r->c[C_MAIN].st, 3, (r->what & SCORE_EXISTING) != 0);
	if ((r->what & SCORE_WITH_CUSTOM) && custom)
		r->c[C_CUSTOM].st = crm_sql_take(db, reader_sql[C_CUSTOM]);
	if (r->what & SCORE_WITH_ACTS)
		r->c[C_ACTS].st = crm_sql_take(db, reader_sql[C_ACTS]);
	if (r->what & SCORE_WITH_DEALS)
		r->c[C_DEALS].st = crm_sql_take(db, reader_sql[C_DEALS]);
	if (r->what & SCORE_WITH_ACTIVE) {
		char lo[CRM_TIME_LEN], hi[CRM_TIME_LEN];

		r->c[C_ACTIVE].st = crm_sql_take(db, reader_sql[C_ACTIVE]);
		day_start_text(r->d->today - r->active_days + 1, lo);
		day_start_text(r->d->today + 1, hi);
		crm_bind_text(r->c[C_ACTIVE].st, 2, lo);
		crm_bind_text(r->c[C_ACTIVE].st, 3, hi);
	}
}

/* Start every statement again at customer ID. */
static void
seek(struct score_reader *r, long long id)
{
	if (!r->started)
		prepare(r);
	r->started = 1;
	for (int i = 0; i < C_N; i++) {
		if (r->c[i].st == NULL)
			continue;
		crm_reset(r->c[i].st);
		crm_bind_int(r->c[i].st, 1, id);
		step(&r->c[i]);
	}
}

struct score_reader *
score_reader_open(struct crm_db *db, unsigned what, struct score_days *d,
    long active_days)
{
	struct score_reader *r = xcalloc(1, sizeof *r);
	struct crm_stmt *s;
	struct strvec custom = STRVEC_INIT;
	size_t cap = 0;

	r->db = db;
	r->what = what;
	r->d = d;
	r->active_days = active_days;
	stages_load(db, &r->stages);
	s = crm_sql(db, "SELECT id, name FROM custom_fields ORDER BY id");
	while (crm_step(s)) {
		if (r->ncustom == cap) {
			cap = cap ? 2 * cap : 8;
			r->field_ids = xrealloc(r->field_ids, cap *
			    sizeof *r->field_ids);
		}
		r->field_ids[r->ncustom++] = crm_col_int(s, 0);
		sv_push(&custom, crm_col_text(s, 1));
	}
	r->nfield = CC_NLONG + r->ncustom;
	r->fnames = xcalloc(r->nfield, sizeof *r->fnames);
	for (size_t i = 0; i < CC_NLONG; i++)
		r->fnames[i] = crm_customer_cols[i];
	for (size_t i = 0; i < r->ncustom; i++)
		r->fnames[CC_NLONG + i] = custom.v[i];	/* ownership moves */
	free(custom.v);
	r->custom = xcalloc(r->ncustom + 1, sizeof *r->custom);
	for (size_t i = 0; i < r->ncustom; i++)
		sb_init(&r->custom[i]);
	r->v = xcalloc(r->nfield, sizeof *r->v);
	r->want = xmalloc(r->nfield);
	memset(r->want, 1, r->nfield);
	r->names.fields = r->fnames;
	r->names.nfields = r->nfield;
	r->names.stages = (const char *const *)r->stages.name;
	r->names.nstages = r->stages.n;
	return r;
}

void
score_reader_need(struct score_reader *r, unsigned what,
    const unsigned char *fields)
{
	r->what &= what;
	if (fields)
		memcpy(r->want, fields, r->nfield);
}

const struct score_names *
score_reader_names(const struct score_reader *r)
{
	return &r->names;
}

/* The follow-ups of customer ID into C->in (none when KEEP is 0). */
static void
load_acts(struct score_reader *r, long long id, int keep,
    struct score_customer *c)
{
	struct cur *k = &r->c[C_ACTS];
	size_t n = 0;

	advance(k, id);
	for (; k->has && k->id == id; step(k)) {
		const char *kind = crm_col_text(k->st, 1);
		struct score_activity a = { NULL, 0, 0 };
		long day;

		if (!keep)
			continue;
		for (size_t i = 0; kind && i < sizeof kinds / sizeof kinds[0]; i++)
			if (strcmp(kind, kinds[i]) == 0)
				a.kind = kinds[i];
		if (crm_col_int(k->st, 4))
			day = score_day(r->d, crm_col_text(k->st, 2));
		else {
			a.planned = 1;
			day = score_day(r->d, crm_col_text(k->st, 3));
		}
		if (day == SCORE_NO_DAY)
			continue;
		a.days = r->d->today - day;
		if (n == r->actcap) {
			r->actcap = r->actcap ? 2 * r->actcap : 16;
			r->act = xrealloc(r->act, r->actcap * sizeof *r->act);
		}
		r->act[n++] = a;
	}
	c->in.act = r->act;
	c->in.nact = n;
}

/* The deals of customer ID into C->in (none when KEEP is 0). */
static void
load_deals(struct score_reader *r, long long id, int keep,
    struct score_customer *c)
{
	struct cur *k = &r->c[C_DEALS];
	size_t n = 0;

	advance(k, id);
	for (; k->has && k->id == id; step(k)) {
		struct score_deal *d;
		const char *cur = crm_col_text(k->st, 3);
		long si = stage_index(&r->stages, crm_col_int(k->st, 1));
		long since, closed;

		if (!keep || si < 0)
			continue;
		if (n == r->dealcap) {
			r->dealcap = r->dealcap ? 2 * r->dealcap : 8;
			r->deal = xrealloc(r->deal, r->dealcap * sizeof *r->deal);
			r->currency = xrealloc(r->currency, r->dealcap *
			    sizeof *r->currency);
		}
		d = &r->deal[n];
		snprintf(r->currency[n], sizeof r->currency[n], "%s",
		    cur ? cur : "CNY");
		d->stage = r->stages.name[si];
		d->outcome = r->stages.outcome[si];
		d->amount = crm_col_null(k->st, 2) ? 0 : crm_col_int(k->st, 2);
		since = score_day(r->d, crm_col_text(k->st, 4));
		d->stage_days = since == SCORE_NO_DAY ? 0 : r->d->today - since;
		d->closed_days = -1;
		if (d->outcome != SCORE_OPEN) {
			closed = crm_col_null(k->st, 5) ? since :
			    score_day(r->d, crm_col_text(k->st, 5));
			if (closed != SCORE_NO_DAY)
				d->closed_days = r->d->today - closed;
		}
		n++;
	}
	for (size_t i = 0; i < n; i++)
		r->deal[i].currency = r->currency[i];	/* after the last realloc */
	c->in.deal = r->deal;
	c->in.ndeal = n;
}

/* The user's own fields of customer ID into r->v. */
static void
load_custom(struct score_reader *r, long long id)
{
	struct cur *k = &r->c[C_CUSTOM];

	for (size_t i = 0; i < r->ncustom; i++)
		r->v[CC_NLONG + i] = NULL;
	if (k->st == NULL)
		return;
	advance(k, id);
	for (; k->has && k->id == id; step(k)) {
		long long fid = crm_col_int(k->st, 1);
		const char *val = crm_col_text(k->st, 2);

		for (size_t i = 0; i < r->ncustom; i++)
			if (r->field_ids[i] == fid && val) {
				sb_reset(&r->custom[i]);
				sb_adds(&r->custom[i], val);
				r->v[CC_NLONG + i] = r->custom[i].buf;
			}
	}
}

/* Days since customer ID was last active in the window, or -1. */
static long
load_active(struct score_reader *r, long long id)
{
	struct cur *k = &r->c[C_ACTIVE];
	long best = -1;

	if (k->st == NULL)
		return -1;
	advance(k, id);
	for (; k->has && k->id == id; step(k)) {
		long day = score_day(r->d, crm_col_text(k->st, 1));
		long ago = r->d->today - day;

		if (day != SCORE_NO_DAY && ago >= 0 && (best < 0 || ago < best))
			best = ago;
	}
	return best;
}

/* The customer the main statement holds, with the rest, into *C. */
static void
load(struct score_reader *r, struct score_customer *c)
{
	struct crm_stmt *m = r->c[C_MAIN].st;
	long long id = r->c[C_MAIN].id;
	int seen;

	memset(c, 0, sizeof *c);
	c->id = id;
	for (size_t i = 0; i < CC_NLONG; i++)
		r->v[i] = r->col[i] >= 0 ? crm_col_text(m, r->col[i]) : NULL;
	c->owner_id = crm_col_null(m, M_OWNER_ID) ? -1 : crm_col_int(m, M_OWNER_ID);
	c->pool_id = crm_col_null(m, M_POOL_ID) ? -1 : crm_col_int(m, M_POOL_ID);
	for (int i = 0; (r->what & SCORE_STORED) && i < SCORE_NCOLS; i++)
		c->stored[i] = crm_col_text(m, M_STORED + i);
	c->sight = crm_sight(r->db, id, c->owner_id, c->pool_id);
	seen = c->sight != CRM_SIGHT_NAME;
	load_custom(r, id);
	crm_sight_apply(c->sight, r->nfield, r->fnames, r->v, r->masks);
	c->in.fields = r->v;
	if (r->c[C_ACTS].st)
		load_acts(r, id, seen, c);
	if (r->c[C_DEALS].st)
		load_deals(r, id, seen, c);
	c->active_days = load_active(r, id);
	if (!seen)
		c->active_days = -1;
}

int
score_reader_get(struct score_reader *r, long long id, struct score_customer *c)
{
	struct cur *m = &r->c[C_MAIN];

	if (!r->started || id <= r->last || id - r->last > SEEK_GAP)
		seek(r, id);
	else
		advance(m, id);
	r->last = id;
	if (!m->has || m->id != id)
		return 0;
	load(r, c);
	return 1;
}

int
score_reader_next(struct score_reader *r, struct score_customer *c)
{
	struct cur *m = &r->c[C_MAIN];

	if (!r->started)
		seek(r, LLONG_MIN);
	else if (m->has && m->id <= r->last)
		step(m);
	if (!m->has)
		return 0;
	r->last = m->id;
	load(r, c);
	return 1;
}

void
score_reader_close(struct score_reader *r)
{
	if (r == NULL)
		return;
	crm_stmt_free(r->c[C_MAIN].st);
	for (int i = C_MAIN + 1; i < C_N; i++)
		crm_sql_give(r->c[i].st);
	free(r->main_text);
	for (size_t i = 0; i < r->ncustom; i++) {
		free((char *)r->fnames[CC_NLONG + i]);
		sb_free(&r->custom[i]);
	}
	crm_sight_free(r->masks);
	stages_free(&r->stages);
	free(r->fnames);
	free(r->field_ids);
	free(r->custom);
	free(r->v);
	free(r->want);
	free(r->act);
	free(r->deal);
	free(r->currency);
	free(r);
}

/* ---- saving ------------------------------------------------------------ */

const char *const score_col_names[SCORE_NCOLS] = {
	"score", "grade", "rfm", "segment", "health"
};

static const char *const update_sql[SCORE_NCOLS] = {
	"UPDATE customers SET score = ?1, updated_at = ?2 WHERE id = ?3",
	"UPDATE customers SET grade = ?1, updated_at = ?2 WHERE id = ?3",
	"UPDATE customers SET rfm = ?1, updated_at = ?2 WHERE id = ?3",
	"UPDATE customers SET segment = ?1, updated_at = ?2 WHERE id = ?3",
	"UPDATE customers SET health = ?1, updated_at = ?2 WHERE id = ?3",
};

static int
same(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

int
score_save(struct crm_db *db, long long id, size_t n,
    const enum score_col *cols, const char *const *old,
    const char *const *new, const char *reason, const char **why)
{
	int changed = 0;

	if ((*why = crm_may_change(db, id)) != NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct crm_stmt *s;

		if (same(old[i], new[i]))
			continue;
		s = crm_sql(db, update_sql[cols[i]]);
		crm_bind_text(s, 1, new[i]);
		crm_bind_text(s, 2, crm_now_text());
		crm_bind_int(s, 3, id);
		crm_step(s);
		crm_history(db, "customer", id, score_col_names[cols[i]], old[i],
		    new[i], reason);
		changed++;
	}
	return changed;
}

int
score_save_deal(struct crm_db *db, long long id, long long customer_id,
    long long old, long long predicted, const char *reason, const char **why)
{
	struct crm_stmt *s;
	char o[32], p[32];

	if ((*why = crm_may_change(db, customer_id)) != NULL)
		return -1;
	if (old == predicted)
		return 0;
	s = crm_sql(db, "UPDATE deals SET predicted = ?1, updated_at = ?2"
	    " WHERE id = ?3");
	crm_bind_int(s, 1, predicted);
	crm_bind_text(s, 2, crm_now_text());
	crm_bind_int(s, 3, id);
	crm_step(s);
	snprintf(o, sizeof o, "%lld", old);
	snprintf(p, sizeof p, "%lld", predicted);
	crm_history(db, "deal", id, "predicted", old < 0 ? NULL : o, p, reason);
	return 1;
}

/* ---- where records go --------------------------------------------------- */

void
score_out_begin(struct score_out *o, int save, int dry_run,
    enum crm_batch_kind kind)
{
	memset(o, 0, sizeof *o);
	o->save = save;
	if (save) {
		crm_run_begin(&o->run, kind, dry_run ? CRM_RUN_DRY : 0, NULL);
		o->db = o->run.db;
		o->w = o->run.out;
	} else {
		o->db = crm_db_open(CRM_DB_READ);
		o->w = recw_open(stdout, "standard output", crm_g.csv);
	}
}

int
score_out_save(struct score_out *o, long long id, size_t n,
    const enum score_col *cols, const char *const *old,
    const char *const *new, const char *reason)
{
	const char *why;
	int k;

	if (!o->save)
		return 1;
	if ((k = score_save(o->db, id, n, cols, old, new, reason, &why)) < 0) {
		if (o->refused++ == 0)
			snprintf(o->why, sizeof o->why, "%s", why);
		return 0;
	}
	o->run.rows += k > 0;
	return 1;
}

void
score_out_end(struct score_out *o, const char *what)
{
	if (o->refused && !crm_g.quiet)
		crm_warn("note: %lld %s%s not saved, as you may not change %s "
		    "(the first: %s)", o->refused, what, o->refused == 1 ? "" :
		    "s", o->refused == 1 ? "it" : "them", o->why);
	if (o->save)
		crm_run_end(&o->run);
	else {
		recw_close(o->w);
		crm_db_close(o->db);
	}
}

/* ---- explanations ------------------------------------------------------ */

void
score_explain(struct strbuf *sb, const struct score_result *res)
{
	sb_reset(sb);
	for (size_t i = 0; i < res->nfired; i++)
		sb_addf(sb, "%s%+lld line %lu: %s", i ? "; " : "",
		    res->fired[i].points, res->fired[i].line, res->fired[i].text);
}

void
score_explain_health(struct strbuf *sb, const struct health_params *p,
    const struct health_result *hr)
{
	int wsum = 0;

	sb_reset(sb);
	for (int i = 0; i < HEALTH_N; i++)
		wsum += p->weight[i];
	for (int i = 0; i < HEALTH_N; i++)
		if (p->weight[i])
			sb_addf(sb, "%s%s %d = %.2f of %.4g", sb->len ? "; " : "",
			    health_names[i], hr->points[i], hr->fraction[i],
			    100.0 * p->weight[i] / wsum);
}

void
score_explain_chance(struct strbuf *sb, unsigned long won, unsigned long lost,
    size_t nf, const struct bayes_term *t)
{
	sb_reset(sb);
	sb_addf(sb, "prior ×%.4g (%lu won, %lu lost)", (won + 1.0) /
	    (lost + 1.0), won, lost);
	for (size_t i = 0; i < nf; i++)
		if (t[i].value && *t[i].value)
			sb_addf(sb, "; %s=%s ×%.4g (%lu won, %lu lost)", t[i].field,
			    t[i].value, t[i].ratio, t[i].won, t[i].lost);
}

/* ---- scoring by rules --------------------------------------------------- */

struct scoring {
	struct score_out *o;
	struct score_reader *rd;
	struct score_rules *rules;
	int explain;
	char reason[256], num[32];
	struct strbuf ex;
	struct score_result res;
};

/* V in decimal into OUT (room for 21 bytes), without snprintf per record. */
static void
decimal(long long v, char *out)
{
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v :
	    (unsigned long long)v;
	char tmp[24];
	size_t n = 0;

	do
		tmp[n++] = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*out++ = '-';
	while (n > 0)
		*out++ = tmp[--n];
	*out = '\0';
}

/*
** Score C into s->res (and its explanation into s->ex) and save it with
** --save.  Returns 0 when the actor may not change C.  Dies on a match
** limit.
*/
static int
score_one(struct scoring *s, struct score_customer *c)
{
	static const enum score_col cols[] = { SCORE_COL_SCORE, SCORE_COL_GRADE };
	char err[1024];

	if (score_eval(s->rules, &c->in, &s->res, err, sizeof err) == -1)
		crm_die("%s", err);
	decimal(s->res.score, s->num);
	if (s->explain)
		score_explain(&s->ex, &s->res);
	return score_out_save(s->o, c->id, 2, cols, (const char *const []){
	    c->stored[SCORE_COL_SCORE], c->stored[SCORE_COL_GRADE] },
	    (const char *const []){ s->num, s->res.grade }, s->reason);
}

/* Is column I of the reader's one crm-lead list shows? */
static int
listed(size_t i)
{
	return i < CC_N || i >= CC_NLONG;
}

/*
** Whole customers, as crm-lead list shows them, with grade (and
** explain): every one the actor sees (NIDS 0), or IDS.  Returns 1 when
** an id was not scored (said on stderr).
*/
static int
score_customers(struct scoring *s, int nids, char **ids)
{
	const struct score_names *nm = score_reader_names(s->rd);
	struct score_customer c;
	const char **v = xcalloc(nm->nfields + 3, sizeof *v);
	size_t n = 0;
	long long id;
	int rc = 0;

	for (size_t i = 0; i < nm->nfields; i++)
		if (listed(i))
			v[n++] = nm->fields[i];
	v[n++] = "grade";
	v[n++] = "explain";
	recw_header(s->o->w, n - !s->explain, v);
	for (int i = 0; nids == 0 ? score_reader_next(s->rd, &c) : i < nids;
	    i++) {
		if (nids > 0) {
			crm_parse_id(ids[i], &id);
			if (!score_reader_get(s->rd, id, &c)) {
				crm_warn("argument %d: no customer %lld", i + 1, id);
				rc = 1;
				continue;
			}
			if (c.sight == CRM_SIGHT_NAME) {
				crm_warn("argument %d: customer %lld not scored: you "
				    "see only its name", i + 1, id);
				rc = 1;
				continue;
			}
		} else if (c.sight == CRM_SIGHT_NAME)
			continue;
		if (!score_one(s, &c) && nids > 0) {
			crm_warn("argument %d: customer %lld not saved: %s", i + 1,
			    id, s->o->why);
			s->o->refused = 0;	/* said here */
			rc = 1;
		}
		n = 0;
		for (size_t k = 0; k < nm->nfields; k++)
			if (listed(k))
				v[n++] = k == CC_SCORE ? s->num : c.in.fields[k];
		v[n++] = s->res.grade;
		v[n++] = s->ex.buf;
		recw_row(s->o->w, n - !s->explain, v);
	}
	free(v);
	return rc;
}

/*
** The records on stdin, each passing through with score, grade (and
** explain) set, added at the end when the input lacks them.  Returns 1
** when an id was not scored or saved (said on stderr).
*/
static int
score_stream(struct scoring *s)
{
	static const char *const added[] = { "score", "grade", "explain" };
	struct rec_reader *r = rec_open("-", crm_g.csv, NULL);
	struct score_customer c;
	struct rec *rec;
	int idcol = rec_col(r, "id"), at[3], rc = 0;
	size_t n = rec_ncol(r), nh, unseen = 0;
	const char **v = xcalloc(n + 3, sizeof *v);
	long long id;

	if (idcol < 0)
		crm_die("%s: no 'id' column in the input", rec_name(r));
	for (size_t i = 0; i < n; i++)
		v[i] = rec_colname(r, i);
	nh = n;
	for (int k = 0; k < 3; k++)
		if ((at[k] = rec_col(r, added[k])) < 0 && (k < 2 || s->explain))
			v[at[k] = (int)nh++] = added[k];
	recw_header(s->o->w, nh, v);
	while ((rec = rec_next(r)) != NULL) {
		const char *err = rec_width_error(r, rec);

		if (err)
			crm_die("%s:%lu: %s", rec_name(r), rec->line, err);
		if (crm_parse_id(rec->v[idcol], &id) == -1)
			crm_die("%s:%lu: id: '%s' is not a customer id", rec_name(r),
			    rec->line, rec->v[idcol] ? rec->v[idcol] : "");
		memcpy(v, rec->v, n * sizeof *v);
		for (int k = 0; k < 3; k++)
			if (at[k] >= 0)
				v[at[k]] = NULL;
		if (!score_reader_get(s->rd, id, &c)) {
			crm_warn("%s:%lu: no customer %lld", rec_name(r), rec->line,
			    id);
			rc = 1;
		} else if (c.sight == CRM_SIGHT_NAME)
			unseen++;
		else {
			if (!score_one(s, &c)) {
				crm_warn("%s:%lu: customer %lld not saved: %s",
				    rec_name(r), rec->line, id, s->o->why);
				s->o->refused = 0;	/* said here */
				rc = 1;
			}
			v[at[0]] = s->num;
			v[at[1]] = s->res.grade;
			if (at[2] >= 0)
				v[at[2]] = s->ex.buf;
		}
		recw_row(s->o->w, nh, v);
	}
	if (unseen && !crm_g.quiet)
		crm_warn("note: %zu customer%s not scored: you see only %s name",
		    unseen, unseen == 1 ? "" : "s", unseen == 1 ? "its" : "their");
	rec_close(r);
	free(v);
	return rc;
}

int
score_by_rules(struct score_out *o, const char *rules, int explain, int all,
    int nids, char **ids)
{
	struct scoring s;
	struct score_days days;
	const struct score_names *nm;
	unsigned char *use;
	unsigned uses;
	char err[1024];
	int rc, whole = all || nids > 0;

	memset(&s, 0, sizeof s);
	s.o = o;
	s.explain = explain;
	snprintf(s.reason, sizeof s.reason, "rules %s", rules);
	score_days_init(&days, score_today());
	s.rd = score_reader_open(o->db, SCORE_WITH_CUSTOM | SCORE_WITH_ACTS |
	    SCORE_WITH_DEALS | (o->save ? SCORE_STORED : 0) |
	    (all ? SCORE_LIVE : 0), &days, 0);
	nm = score_reader_names(s.rd);
	if ((s.rules = score_rules_load(rules, nm, err, sizeof err)) == NULL)
		crm_die("%s", err);
	/* Read what the rules use, and the columns of whole customers. */
	use = xmalloc(nm->nfields);
	uses = score_rules_uses(s.rules, use);
	for (size_t i = 0; whole && i < nm->nfields; i++)
		use[i] |= listed(i);
	score_reader_need(s.rd, ~(unsigned)(SCORE_WITH_ACTS | SCORE_WITH_DEALS) |
	    (uses & SCORE_USES_ACTS ? SCORE_WITH_ACTS : 0) |
	    (uses & SCORE_USES_DEALS ? SCORE_WITH_DEALS : 0), use);
	free(use);
	sb_init(&s.ex);
	rc = whole ? score_customers(&s, all ? 0 : nids, ids) : score_stream(&s);
	score_reader_close(s.rd);
	score_rules_free(s.rules);
	sb_free(&s.ex);
	return rc;
}

/* ---- RFM --------------------------------------------------------------- */

/* Customer ids to their place in an array: open addressing, ids > 0. */
struct idmap {
	long long *key;		/* 0: empty */
	size_t *at;
	size_t n, cap;		/* cap a power of 2 */
};

static size_t
idmap_slot(const struct idmap *m, long long id)
{
	size_t i = (size_t)((unsigned long long)id * 0x9E3779B97F4A7C15ULL >> 20);

	for (i &= m->cap - 1; m->key[i] != 0 && m->key[i] != id;
	    i = (i + 1) & (m->cap - 1))
		;
	return i;
}

/* The place of ID, or -1 with *SLOT where it goes (see idmap_put). */
static long
idmap_get(struct idmap *m, long long id, size_t *slot)
{
	if (2 * (m->n + 1) > m->cap) {
		struct idmap old = *m;

		m->cap = m->cap ? 2 * m->cap : 1024;
		m->key = xcalloc(m->cap, sizeof *m->key);
		m->at = xcalloc(m->cap, sizeof *m->at);
		for (size_t i = 0; i < old.cap; i++)
			if (old.key[i] != 0) {
				size_t k = idmap_slot(m, old.key[i]);

				m->key[k] = old.key[i];
				m->at[k] = old.at[i];
			}
		free(old.key);
		free(old.at);
	}
	*slot = idmap_slot(m, id);
	return m->key[*slot] == id ? (long)m->at[*slot] : -1;
}

static int
rfm_id_cmp(const void *a, const void *b)
{
	long long x = ((const struct rfm_customer *)a)->id;
	long long y = ((const struct rfm_customer *)b)->id;

	return x < y ? -1 : x > y;
}

size_t
score_rfm_won(struct crm_db *db, struct score_days *d, const char *currency,
    struct rfm_customer **v)
{
	/*
	** The won deals in table order, summed per customer here: SQL's
	** GROUP BY would walk the customer index and seek every deal, or
	** hold all of them in its sorter.
	*/
	struct crm_stmt *s = crm_sql_take(db,
	    "SELECT customer_id, amount, currency = ?2,"
	    " coalesce(closed_at, stage_since) FROM deals"
	    " WHERE stage_id IN (SELECT id FROM stages WHERE outcome = 'won')"
	    " AND coalesce(closed_at, stage_since) < ?1");
	struct idmap map = { NULL, NULL, 0, 0 };
	char end[CRM_TIME_LEN];
	size_t n = 0, cap = 0, k, slot;

	*v = NULL;
	day_start_text(d->today + 1, end);
	crm_bind_text(s, 1, end);
	crm_bind_text(s, 2, currency);
	while (crm_step(s)) {
		long long id = crm_col_int(s, 0), amount = crm_col_int(s, 1);
		long day = score_day(d, crm_col_text(s, 3)), at;
		struct rfm_customer *c;

		if ((at = idmap_get(&map, id, &slot)) < 0) {
			if (n == cap) {
				cap = cap ? 2 * cap : 1024;
				*v = xrealloc(*v, cap * sizeof **v);
			}
			map.key[slot] = id;
			map.at[slot] = n;
			map.n++;
			c = &(*v)[at = (long)n++];
			memset(c, 0, sizeof *c);
			c->id = id;
			c->won_days = LONG_MAX;
			c->active_days = -1;
		}
		c = &(*v)[at];
		c->won++;
		if (crm_col_int(s, 2) &&
		    __builtin_add_overflow(c->won_amount, amount, &c->won_amount))
			c->won_amount = LLONG_MAX;
		if (day != SCORE_NO_DAY && d->today - day < c->won_days)
			c->won_days = d->today - day;
	}
	crm_sql_give(s);
	free(map.key);
	free(map.at);
	for (size_t i = 0; i < n; i++)
		if ((*v)[i].won_days == LONG_MAX)
			(*v)[i].won_days = 0;
	if (n > 1)	/* qsort(NULL, 0, ...) is undefined */
		qsort(*v, n, sizeof **v, rfm_id_cmp);
	/* Keep the live customers the actor sees, reading them in id order. */
	s = crm_sql_take(db, "SELECT id, owner_id, pool_id FROM customers"
	    " WHERE merged_into IS NULL ORDER BY id");
	k = 0;
	for (size_t i = 0; i < n && crm_step(s); ) {
		long long id = crm_col_int(s, 0);

		while (i < n && (*v)[i].id < id)
			i++;	/* merged, or gone */
		if (i < n && (*v)[i].id == id) {
			if (crm_sight(db, id, crm_col_null(s, 1) ? -1 :
			    crm_col_int(s, 1), crm_col_null(s, 2) ? -1 :
			    crm_col_int(s, 2)) != CRM_SIGHT_NAME)
				(*v)[k++] = (*v)[i];
			i++;
		}
	}
	crm_sql_give(s);
	return k;
}

/* ---- prediction cases ------------------------------------------------- */

const char *const score_deal_fields[] = {
	"stage", "product", "source", "owner", "region", "industry", "amount",
	NULL
};
const char *const score_lead_fields[] = {
	"source", "region", "industry", "owner", "pool", NULL
};

/*
** Columns: 0 id, 1 customer id, 2 title, 3 stage or status, 4 won
** (closed ones), 5-11 the fields in the order of the lists above, 12
** the amount's currency, 13 predicted, 14 owner id, 15 pool id; leads
** have NULL where they have no such column.
*/
static const char deals_sql[] =
	"SELECT d.id, d.customer_id, d.title, s.name, s.outcome = 'won',"
	" CASE WHEN s.outcome = 'open' THEN s.name ELSE"
	"  (SELECT st.name FROM deal_stages ds JOIN stages st ON st.id = ds.stage_id"
	"   WHERE ds.deal_id = d.id AND st.outcome = 'open'"
	"   ORDER BY ds.entered_at DESC, ds.rowid DESC LIMIT 1) END,"
	" d.product, coalesce(d.source, c.source), u.login, c.region, c.industry,"
	" d.amount, d.currency, d.predicted, c.owner_id, c.pool_id"
	" FROM deals d JOIN stages s ON s.id = d.stage_id"
	" JOIN customers c ON c.id = d.customer_id"
	" LEFT JOIN users u ON u.id = d.owner_id"
	" WHERE c.merged_into IS NULL AND CASE WHEN s.outcome = 'open' THEN ?1 = 0"
	" ELSE ?1 = 1 AND (?2 IS NULL OR coalesce(d.closed_at, d.stage_since) >= ?2)"
	" AND (?3 IS NULL OR coalesce(d.closed_at, d.stage_since) < ?3) END"
	" ORDER BY d.id";
static const char leads_sql[] =
	"SELECT c.id, c.id, c.name, c.status, c.status = 'customer',"
	" c.source, c.region, c.industry, u.login, p.name,"
	" NULL, NULL, NULL, NULL, c.owner_id, c.pool_id"
	" FROM customers c LEFT JOIN users u ON u.id = c.owner_id"
	" LEFT JOIN pools p ON p.id = c.pool_id"
	" WHERE c.merged_into IS NULL AND CASE WHEN c.status = 'lead'"
	" OR c.status = 'qualified' THEN ?1 = 0 ELSE ?1 = 1 END ORDER BY c.id";
enum { K_FIELDS = 5 };

struct score_cases {
	struct crm_db *db;
	int kind;
	struct crm_stmt *st;
	size_t nf;
	int *col;		/* the column of each field asked for */
	const char **v;
	char band[64];
};

int
score_case_field(int kind, const char *name)
{
	const char *const *f = kind == SCORE_DEALS ? score_deal_fields :
	    score_lead_fields;

	for (; *f; f++)
		if (strcmp(*f, name) == 0)
			return 1;
	return 0;
}

struct score_cases *
score_cases_open(struct crm_db *db, int kind, int which, const char *from,
    const char *until, const char *const *fields)
{
	struct score_cases *cs = xcalloc(1, sizeof *cs);
	const char *const *all = kind == SCORE_DEALS ? score_deal_fields :
	    score_lead_fields;

	cs->db = db;
	cs->kind = kind;
	while (fields[cs->nf])
		cs->nf++;
	cs->col = xcalloc(cs->nf + 1, sizeof *cs->col);
	cs->v = xcalloc(cs->nf + 1, sizeof *cs->v);
	for (size_t i = 0; i < cs->nf; i++)
		for (int k = 0; all[k]; k++)
			if (strcmp(all[k], fields[i]) == 0)
				cs->col[i] = K_FIELDS + k;
	cs->st = crm_sql_take(db, kind == SCORE_DEALS ? deals_sql : leads_sql);
	crm_bind_int(cs->st, 1, which == SCORE_CLOSED_CASES);
	if (kind == SCORE_DEALS) {
		crm_bind_text(cs->st, 2, from);
		crm_bind_text(cs->st, 3, until);
	}
	return cs;
}

/*
** An amount's order of magnitude in major units, "CNY 10000-99999", in
** OUT; NULL without an amount.
*/
static const char *
amount_band(long long minor, const char *cur, char *out, size_t n)
{
	int exp = money_exponent(cur ? cur : "CNY");
	long long major = minor, lo = 1;

	for (int i = 0; i < (exp > 0 ? exp : 0); i++)
		major /= 10;
	if (major < 0)
		major = 0;
	while (lo <= major / 10)
		lo *= 10;
	if (lo < 1000)
		snprintf(out, n, "%s 0-999", cur ? cur : "CNY");
	else
		snprintf(out, n, "%s %lld-%lld", cur ? cur : "CNY", lo, lo * 10 - 1);
	return out;
}

int
score_cases_next(struct score_cases *cs, struct score_case *c)
{
	struct crm_stmt *s = cs->st;

	while (crm_step(s)) {
		long long cid = crm_col_int(s, 1);

		if (crm_sight(cs->db, cid, crm_col_null(s, 14) ? -1 :
		    crm_col_int(s, 14), crm_col_null(s, 15) ? -1 :
		    crm_col_int(s, 15)) == CRM_SIGHT_NAME)
			continue;
		memset(c, 0, sizeof *c);
		c->id = crm_col_int(s, 0);
		c->customer_id = cid;
		c->title = crm_col_text(s, 2);
		c->state = crm_col_text(s, 3);
		c->won = (int)crm_col_int(s, 4);
		c->predicted = crm_col_null(s, 13) ? -1 : crm_col_int(s, 13);
		for (size_t i = 0; i < cs->nf; i++) {
			int col = cs->col[i];

			if (cs->kind == SCORE_DEALS && col == 11)
				cs->v[i] = crm_col_null(s, 11) ? NULL :
				    amount_band(crm_col_int(s, 11),
				    crm_col_text(s, 12), cs->band,
				    sizeof cs->band);
			else
				cs->v[i] = crm_col_text(s, col);
		}
		c->v = cs->v;
		return 1;
	}
	return 0;
}

void
score_cases_close(struct score_cases *cs)
{
	if (cs == NULL)
		return;
	crm_sql_give(cs->st);
	free(cs->col);
	free(cs->v);
	free(cs);
}

/* ---- the commands ------------------------------------------------------- */

/* Of the customers' fields, read only id and name. */
static void
need_id_name(struct score_reader *rd)
{
	unsigned char *use = xcalloc(score_reader_names(rd)->nfields, 1);

	use[CC_ID] = use[CC_NAME] = 1;
	score_reader_need(rd, ~0u, use);
	free(use);
}

void
score_rfm(struct score_out *o, long today, const struct rfm_segments *t,
    const char *currency, const char *reason)
{
	static const char *const hdr[] = { "id", "name", "recency", "frequency",
		"monetary", "r", "f", "m", "rfm", "segment" };
	static const enum score_col cols[] = { SCORE_COL_RFM, SCORE_COL_SEGMENT };
	struct rfm_customer *won, rc;
	struct score_customer c;
	struct score_reader *rd;
	struct score_days days;
	char ndays[24], deals[24], amount[MONEY_LEN];
	char rfm[4] = "", r[2] = "", f[2] = "", m[2] = "";
	size_t n, k = 0;

	score_days_init(&days, today);
	n = score_rfm_won(o->db, &days, currency, &won);
	rfm_score(won, n);
	rd = score_reader_open(o->db, SCORE_LIVE | SCORE_WITH_ACTIVE |
	    (o->save ? SCORE_STORED : 0), &days, t->active_days);
	need_id_name(rd);
	recw_header(o->w, 10, hdr);
	while (score_reader_next(rd, &c)) {
		const char *v[10] = { NULL };

		if (c.sight == CRM_SIGHT_NAME)
			continue;
		/* both in id order: the won ones are a subsequence */
		while (k < n && won[k].id < c.id)
			k++;
		memset(&rc, 0, sizeof rc);
		if (k < n && won[k].id == c.id)
			rc = won[k];
		rc.active_days = c.active_days;
		v[0] = c.in.fields[CC_ID];
		v[1] = c.in.fields[CC_NAME];
		if (rc.won > 0) {
			snprintf(ndays, sizeof ndays, "%ld", rc.won_days);
			snprintf(deals, sizeof deals, "%lld", rc.won);
			money_format(rc.won_amount, currency, amount);
			rfm[0] = r[0] = (char)('0' + rc.r);	/* 1-5 */
			rfm[1] = f[0] = (char)('0' + rc.f);
			rfm[2] = m[0] = (char)('0' + rc.m);
			v[2] = ndays, v[3] = deals, v[4] = amount;
			v[5] = r, v[6] = f, v[7] = m, v[8] = rfm;
		}
		v[9] = rfm_segment(t, &rc);
		recw_row(o->w, 10, v);
		score_out_save(o, c.id, 2, cols, (const char *const []){
		    c.stored[SCORE_COL_RFM], c.stored[SCORE_COL_SEGMENT] }, v + 8,
		    reason);
	}
	score_reader_close(rd);
	free(won);
}

void
score_health(struct score_out *o, const char *rules, int explain)
{
	static const char *const hdr[] = { "id", "name", "health", "explain" };
	static const enum score_col col = SCORE_COL_HEALTH;
	struct score_rules *rs = NULL;
	const struct health_params *p = &health_defaults;
	struct score_customer c;
	struct score_reader *rd;
	struct score_days days;
	struct health_result hr;
	struct strbuf ex = STRBUF_INIT;
	char err[1024], num[16];
	size_t nh = explain ? 4 : 3;

	score_days_init(&days, score_today());
	rd = score_reader_open(o->db, SCORE_WITH_ACTS | SCORE_WITH_DEALS |
	    SCORE_LIVE | SCORE_EXISTING | (o->save ? SCORE_STORED : 0), &days, 0);
	if (rules && (rs = score_rules_load(rules, score_reader_names(rd), err,
	    sizeof err)) == NULL)
		crm_die("%s", err);
	if (rs)
		p = score_rules_health(rs);
	need_id_name(rd);
	sb_init(&ex);
	recw_header(o->w, nh, hdr);
	while (score_reader_next(rd, &c)) {
		if (c.sight == CRM_SIGHT_NAME)
			continue;
		health_eval(p, &c.in, &hr);
		snprintf(num, sizeof num, "%d", hr.score);
		if (explain)
			score_explain_health(&ex, p, &hr);
		recw_row(o->w, nh, (const char *const []){ c.in.fields[CC_ID],
		    c.in.fields[CC_NAME], num, ex.buf });
		score_out_save(o, c.id, 1, &col, &c.stored[SCORE_COL_HEALTH],
		    (const char *const []){ num }, "health");
	}
	sb_free(&ex);
	score_reader_close(rd);
	score_rules_free(rs);
}

/*
** Train B on the closed cases of KIND closed in [FROM, UNTIL) (NULL: no
** bound).  Returns how many, the won ones in *WON.
*/
static unsigned long
train(struct crm_db *db, int kind, const char *from, const char *until,
    const char *const *fields, struct bayes *b, unsigned long *won)
{
	struct score_cases *cs = score_cases_open(db, kind, SCORE_CLOSED_CASES,
	    from, until, fields);
	struct score_case c;
	unsigned long n = 0;

	*won = 0;
	while (score_cases_next(cs, &c)) {
		bayes_train(b, c.v, c.won);
		*won += c.won != 0;
		n++;
	}
	score_cases_close(cs);
	return n;
}

static size_t
count(const char *const *v)
{
	size_t n = 0;

	while (v[n])
		n++;
	return n;
}

void
score_predict(struct score_out *o, int kind, const char *const *fields,
    int explain, int model)
{
	static const char *const hdr[] = { "id", "customer_id", "title", "stage",
		"probability", "explain" };
	static const char *const lead_hdr[] = { "id", "name", "status",
		"probability", "explain" };
	size_t nf = count(fields), nh = (kind == SCORE_LEADS ? 4 : 5) +
	    (explain != 0);
	struct bayes *b = bayes_new(nf, fields);
	struct bayes_term *terms = xcalloc(nf + 1, sizeof *terms);
	struct strbuf ex = STRBUF_INIT;
	struct score_cases *cs;
	struct score_case c;
	unsigned long trained, won;
	char reason[64], prob[32], id[24], cid[24];
	const char *why;

	trained = train(o->db, kind, NULL, NULL, fields, b, &won);
	if (trained == 0 && !crm_g.quiet)
		crm_warn("note: nothing closed to learn from: every chance is 0.5");
	if (model) {
		bayes_export(b, o->w);
		goto done;
	}
	snprintf(reason, sizeof reason, "naive Bayes over %lu closed", trained);
	sb_init(&ex);
	recw_header(o->w, nh, kind == SCORE_LEADS ? lead_hdr : hdr);
	cs = score_cases_open(o->db, kind, SCORE_OPEN_CASES, NULL, NULL, fields);
	while (score_cases_next(cs, &c)) {
		double p = bayes_predict(b, c.v, terms);

		snprintf(prob, sizeof prob, "%.4f", p);
		snprintf(id, sizeof id, "%lld", c.id);
		snprintf(cid, sizeof cid, "%lld", c.customer_id);
		if (explain)
			score_explain_chance(&ex, won, trained - won, nf, terms);
		if (kind == SCORE_LEADS)
			recw_row(o->w, nh, (const char *const []){ id, c.title,
			    c.state, prob, ex.buf });
		else
			recw_row(o->w, nh, (const char *const []){ id, cid,
			    c.title, c.state, prob, ex.buf });
		if (!o->save)
			continue;
		switch (score_save_deal(o->db, c.id, c.customer_id, c.predicted,
		    (long long)(p * 10000 + 0.5), reason, &why)) {
		case -1:
			if (o->refused++ == 0)
				snprintf(o->why, sizeof o->why, "%s", why);
			break;
		case 1:
			o->run.rows++;
			break;
		}
	}
	score_cases_close(cs);
done:
	sb_free(&ex);
	free(terms);
	bayes_free(b);
}

/* A ratio for a record: "%.4f", or NULL for NaN (nothing to divide by). */
static const char *
ratio(double x, char out[32])
{
	if (isnan(x))
		return NULL;
	snprintf(out, 32, "%.4f", x);
	return out;
}

void
score_backtest(struct score_out *o, const char *since, double threshold,
    const char *const *fields)
{
	static const char *const hdr[] = { "trained", "tested", "won", "threshold",
		"tp", "fp", "fn", "tn", "precision", "recall", "lift", "auc" };
	struct bayes *b = bayes_new(count(fields), fields);
	struct score_cases *cs;
	struct score_case c;
	struct bayes_point *pt = NULL;
	struct bayes_metrics m;
	size_t n = 0, cap = 0;
	unsigned long trained, won, tested_won = 0;
	char f[12][32];

	trained = train(o->db, SCORE_DEALS, NULL, since, fields, b, &won);
	cs = score_cases_open(o->db, SCORE_DEALS, SCORE_CLOSED_CASES, since, NULL,
	    fields);
	while (score_cases_next(cs, &c)) {
		if (n == cap)
			pt = xrealloc(pt, (cap = cap ? 2 * cap : 256) * sizeof *pt);
		pt[n].p = bayes_predict(b, c.v, NULL);
		tested_won += (pt[n++].won = c.won) != 0;
	}
	score_cases_close(cs);
	bayes_metrics_at(pt, n, threshold, &m);
	snprintf(f[0], 32, "%lu", trained);
	snprintf(f[1], 32, "%zu", n);
	snprintf(f[2], 32, "%lu", tested_won);
	snprintf(f[3], 32, "%g", threshold);
	snprintf(f[4], 32, "%lu", m.tp);
	snprintf(f[5], 32, "%lu", m.fp);
	snprintf(f[6], 32, "%lu", m.fn);
	snprintf(f[7], 32, "%lu", m.tn);
	recw_header(o->w, 12, hdr);
	recw_row(o->w, 12, (const char *const []){ f[0], f[1], f[2], f[3], f[4],
	    f[5], f[6], f[7], ratio(m.precision, f[8]), ratio(m.recall, f[9]),
	    ratio(m.lift, f[10]), ratio(bayes_auc(pt, n), f[11]) });
	free(pt);
	bayes_free(b);
}
