/* pool.c: public pools (公海): rules, membership, claims and the reclaim. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "customer.h"
#include "db.h"
#include "die.h"
#include "history.h"
#include "norm.h"
#include "opt.h"
#include "policy.h"
#include "pool.h"
#include "rec.h"
#include "str.h"
#include "user.h"
#include "when.h"

#define DAY 86400

const char *const crm_rule_names[CRM_RULE_N] = {
	"no-followup", "no-deal", "not-won"
};

static const struct {
	unsigned bit;
	const char *name;
} exempt_kinds[] = {
	{ CRM_EX_LOCKED, "locked" },
	{ CRM_EX_WON, "won" },
	{ CRM_EX_OPEN_DEAL, "open_deal" },
};
#define NKINDS (sizeof exempt_kinds / sizeof exempt_kinds[0])

/* ---- SQL fragments shared by several statements ------------------------ */

/* The user ids whose customers pool ?1 covers: named users, team members. */
#define MEMBERS_OF_1 \
	"SELECT m.user_id FROM pool_members m WHERE m.pool_id = ?1" \
	" AND m.role = 'member' AND m.user_id IS NOT NULL" \
	" UNION SELECT u.id FROM pool_members m JOIN users u" \
	" ON u.team_id = m.team_id WHERE m.pool_id = ?1 AND m.role = 'member'"

/*
** Pool Q covers a customer owned by OWNER in REGION and INDUSTRY: the
** owner is a member (itself or through its team) and the pool's filters,
** when set, match.  One definition for the reclaim and for release.
*/
#define COVERS(q, owner, region, industry) \
	"EXISTS (SELECT 1 FROM pool_members m WHERE m.pool_id = " q ".id" \
	" AND m.role = 'member' AND (m.user_id = " owner \
	" OR m.team_id = (SELECT team_id FROM users WHERE id = " owner ")))" \
	" AND (" q ".region IS NULL OR " q ".region = " region ")" \
	" AND (" q ".industry IS NULL OR " q ".industry = " industry ")"

#define WON_SQL \
	"EXISTS (SELECT 1 FROM deals d JOIN stages s ON s.id = d.stage_id" \
	" WHERE d.customer_id = c.id AND s.outcome = 'won')"
#define OPEN_SQL \
	"EXISTS (SELECT 1 FROM deals d JOIN stages s ON s.id = d.stage_id" \
	" WHERE d.customer_id = c.id AND s.outcome = 'open')"

/* ---- small helpers --------------------------------------------------- */

void
crm_add_days(time_t t, long long days, char out[CRM_TIME_LEN])
{
	crm_format_time(t + (time_t)(days * DAY), out);
}

/* TEXT as a time; NULL or unreadable text is the epoch (before anything). */
static time_t
when(const char *text)
{
	time_t t;

	if (text == NULL || crm_parse_time(text, &t) == -1)
		return 0;
	return t;
}

static char *
dup_col(struct crm_stmt *s, int i)
{
	return crm_col_null(s, i) ? NULL : xstrdup(crm_col_text(s, i));
}

static long long
days_col(struct crm_stmt *s, int i)
{
	return crm_col_null(s, i) ? -1 : crm_col_int(s, i);
}

static void
bind_days(struct crm_stmt *s, int i, long long v)
{
	if (v < 0)
		crm_bind_null(s, i);
	else
		crm_bind_int(s, i, v);
}

static void
refuse(struct crm_refusal *r, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Fill R: RULE, and the message from FMT. */
static void
refuse(struct crm_refusal *r, const char *rule, const char *fmt, ...)
{
	va_list ap;

	r->rule = rule;
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof r->why, fmt, ap);
	va_end(ap);
}

/* ---- rules as text --------------------------------------------------- */

void
crm_pool_init(struct crm_pool *p)
{
	memset(p, 0, sizeof *p);
	p->id = -1;
	for (int i = 0; i < CRM_RULE_N; i++)
		p->days[i] = -1;
	p->warn_days = p->claim_limit = p->max_owned = -1;
	p->lockout_days = p->cooling_days = -1;
}

static void
grades_clear(struct crm_pool *p)
{
	for (int i = 0; i < p->ngrades; i++)
		free(p->grade[i]);
	p->ngrades = 0;
}

void
crm_pool_free(struct crm_pool *p)
{
	free(p->name);
	free(p->region);
	free(p->industry);
	free(p->created_at);
	grades_clear(p);
	crm_pool_init(p);
}

const char *
crm_pool_parse_exempt(const char *s, unsigned ex[CRM_RULE_N])
{
	static char msg[256];
	struct strvec items = STRVEC_INIT;
	unsigned out[CRM_RULE_N] = { 0 };

	sv_split(&items, s, ',');
	for (size_t i = 0; i < items.n; i++) {
		char *item = items.v[i], *colon = strchr(item, ':'), *kind = item;
		int rule = -1;
		size_t k;

		if (strcmp(item, "none") == 0 && items.n == 1)
			break;
		if (colon) {
			*colon = '\0';
			kind = colon + 1;
			for (int r = 0; r < CRM_RULE_N; r++)
				if (strcmp(item, crm_rule_names[r]) == 0)
					rule = r;
			if (rule < 0) {
				snprintf(msg, sizeof msg, "no rule '%s' (no-followup, "
				    "no-deal, not-won)", item);
				sv_free(&items);
				return msg;
			}
		}
		for (k = 0; k < NKINDS; k++)
			if (strcmp(kind, exempt_kinds[k].name) == 0 ||
			    (exempt_kinds[k].bit == CRM_EX_OPEN_DEAL &&
			    strcmp(kind, "open-deal") == 0))
				break;
		if (k == NKINDS) {
			snprintf(msg, sizeof msg, "no exemption '%s' (locked, won, "
			    "open-deal, each optionally after RULE:)", kind);
			sv_free(&items);
			return msg;
		}
		for (int r = 0; r < CRM_RULE_N; r++)
			if (rule < 0 || rule == r)
				out[r] |= exempt_kinds[k].bit;
	}
	sv_free(&items);
	memcpy(ex, out, sizeof out);
	return NULL;
}

char *
crm_pool_format_exempt(const unsigned ex[CRM_RULE_N])
{
	struct strbuf sb;

	sb_init(&sb);
	for (size_t k = 0; k < NKINDS; k++) {
		unsigned bit = exempt_kinds[k].bit;
		int all = 1;

		for (int r = 0; r < CRM_RULE_N; r++)
			all &= (ex[r] & bit) != 0;
		for (int r = 0; r < CRM_RULE_N; r++) {
			if (!(ex[r] & bit))
				continue;
			if (sb.len)
				sb_addc(&sb, ',');
			if (!all)
				sb_addf(&sb, "%s:", crm_rule_names[r]);
			sb_adds(&sb, exempt_kinds[k].name);
			if (all)
				break;
		}
	}
	return sb_detach(&sb);
}

const char *
crm_pool_parse_grades(const char *s, struct crm_pool *p)
{
	static char msg[256];
	struct strvec items = STRVEC_INIT;
	struct crm_pool tmp;

	crm_pool_init(&tmp);
	sv_split(&items, s, ',');
	for (size_t i = 0; i < items.n; i++) {
		char *item = items.v[i], *eq = strchr(item, '='), *end;
		long long d;

		if (strcmp(item, "none") == 0 && items.n == 1)
			break;
		if (eq == NULL || eq == item) {
			snprintf(msg, sizeof msg, "'%s' is not GRADE=DAYS", item);
			goto bad;
		}
		*eq = '\0';
		d = strtoll(eq + 1, &end, 10);
		if (eq[1] < '0' || eq[1] > '9' || *end != '\0' || d < 1 ||
		    d > 36500) {
			snprintf(msg, sizeof msg, "grade %s: days must be a whole "
			    "number from 1 to 36500, got '%s'", item, eq + 1);
			goto bad;
		}
		for (int g = 0; g < tmp.ngrades; g++)
			if (strcmp(tmp.grade[g], item) == 0) {
				snprintf(msg, sizeof msg, "grade %s is given twice", item);
				goto bad;
			}
		if (tmp.ngrades == CRM_POOL_MAX_GRADES) {
			snprintf(msg, sizeof msg, "at most %d grades",
			    CRM_POOL_MAX_GRADES);
			goto bad;
		}
		tmp.grade[tmp.ngrades] = xstrdup(item);
		tmp.grade_days[tmp.ngrades++] = d;
	}
	sv_free(&items);
	grades_clear(p);
	for (int g = 0; g < tmp.ngrades; g++) {
		p->grade[g] = tmp.grade[g];
		p->grade_days[g] = tmp.grade_days[g];
	}
	p->ngrades = tmp.ngrades;
	return NULL;
bad:
	sv_free(&items);
	grades_clear(&tmp);
	return msg;
}

char *
crm_pool_format_grades(const struct crm_pool *p)
{
	struct strbuf sb;

	sb_init(&sb);
	for (int g = 0; g < p->ngrades; g++)
		sb_addf(&sb, "%s%s=%lld", g ? "," : "", p->grade[g],
		    p->grade_days[g]);
	return sb_detach(&sb);
}

/* ---- settings by option name ---------------------------------------- */

/* The numeric settings: where each is kept, and its range. */
static const struct setting {
	const char *name;
	size_t off;		/* of the long long in struct crm_pool */
	long long min, max;
} numbers[] = {
	{ "no-followup-days", offsetof(struct crm_pool, days[CRM_RULE_FOLLOWUP]),
	    1, 36500 },
	{ "no-deal-days", offsetof(struct crm_pool, days[CRM_RULE_DEAL]), 1, 36500 },
	{ "not-won-days", offsetof(struct crm_pool, days[CRM_RULE_WON]), 1, 36500 },
	{ "warn-days", offsetof(struct crm_pool, warn_days), 0, 36500 },
	{ "claim-limit", offsetof(struct crm_pool, claim_limit), 0, 36500 },
	{ "max-owned", offsetof(struct crm_pool, max_owned), 0, 100000000 },
	{ "lockout-days", offsetof(struct crm_pool, lockout_days), 0, 36500 },
	{ "cooling-days", offsetof(struct crm_pool, cooling_days), 0, 36500 },
};

/* A filter's value: "none" or empty is no filter. */
static void
set_filter(char **field, const char *value)
{
	free(*field);
	*field = strcmp(value, "none") == 0 || *value == '\0' ? NULL :
	    xstrdup(value);
}

const char *
crm_pool_setting(struct crm_pool *p, const char *name, const char *value)
{
	static char msg[300];
	const char *err;
	char *end;
	long long v;

	if (strcmp(name, "members") == 0 || strcmp(name, "admins") == 0)
		return NULL;
	if (strcmp(name, "region") == 0 || strcmp(name, "industry") == 0) {
		set_filter(name[0] == 'r' ? &p->region : &p->industry, value);
		return NULL;
	}
	if (strcmp(name, "exempt") == 0 || strcmp(name, "grade-days") == 0) {
		err = name[0] == 'e' ? crm_pool_parse_exempt(value, p->exempt) :
		    crm_pool_parse_grades(value, p);
		if (err == NULL)
			return NULL;
		snprintf(msg, sizeof msg, "--%s: %s", name, err);
		return msg;
	}
	for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
		const struct setting *st = &numbers[i];

		if (strcmp(name, st->name) != 0)
			continue;
		if (strcmp(value, "off") == 0 || strcmp(value, "none") == 0)
			v = -1;
		else {
			errno = 0;
			v = strtoll(value, &end, 10);
			if (*value < '0' || *value > '9' || *end != '\0' ||
			    errno == ERANGE || v < st->min || v > st->max) {
				snprintf(msg, sizeof msg, "--%s must be a whole number "
				    "from %lld to %lld, or off, got '%s'", name, st->min,
				    st->max, value);
				return msg;
			}
		}
		*(long long *)((char *)p + st->off) = v;
		return NULL;
	}
	snprintf(msg, sizeof msg, "no pool setting '%s'", name);
	return msg;
}

const char *
crm_pool_check_name(const char *name)
{
	if (str_blank(name))
		return "pool name: empty";
	for (const unsigned char *c = (const unsigned char *)name; *c; c++)
		if (*c < ' ' || *c == 0x7f)
			return "pool name: control characters are not allowed";
	return NULL;
}

/* ---- reading and writing pools ------------------------------------- */

#define POOL_COLS \
	"SELECT id, name, region, industry, no_followup_days, no_deal_days," \
	" not_won_days, warn_days, claim_limit, max_owned, lockout_days," \
	" cooling_days, exempt, grade_days, created_at FROM pools"

/* Fill P from a row of POOL_COLS.  Dies on rules the database mangled. */
static void
pool_from_row(struct crm_stmt *s, struct crm_pool *p)
{
	const char *err;

	crm_pool_init(p);
	p->id = crm_col_int(s, 0);
	p->name = dup_col(s, 1);
	p->region = dup_col(s, 2);
	p->industry = dup_col(s, 3);
	for (int r = 0; r < CRM_RULE_N; r++)
		p->days[r] = days_col(s, 4 + r);
	p->warn_days = days_col(s, 7);
	p->claim_limit = days_col(s, 8);
	p->max_owned = days_col(s, 9);
	p->lockout_days = days_col(s, 10);
	p->cooling_days = days_col(s, 11);
	if (!crm_col_null(s, 12) &&
	    (err = crm_pool_parse_exempt(crm_col_text(s, 12), p->exempt)) != NULL)
		crm_die("pool '%s': stored exemptions: %s", p->name, err);
	if (!crm_col_null(s, 13) &&
	    (err = crm_pool_parse_grades(crm_col_text(s, 13), p)) != NULL)
		crm_die("pool '%s': stored grade limits: %s", p->name, err);
	p->created_at = dup_col(s, 14);
}

int
crm_pool_get(struct crm_db *db, const char *name, long long id,
    struct crm_pool *p)
{
	struct crm_stmt *s = crm_sql(db, POOL_COLS
	    " WHERE (?1 IS NOT NULL AND name = ?1) OR (?1 IS NULL AND id = ?2)");

	crm_pool_init(p);
	crm_bind_text(s, 1, name);
	crm_bind_int(s, 2, id);
	if (!crm_step(s))
		return 0;
	pool_from_row(s, p);
	crm_reset(s);
	return 1;
}

void
crm_pools_each(struct crm_db *db,
    void (*fn)(const struct crm_pool *p, void *ctx), void *ctx)
{
	struct crm_stmt *s = crm_sql(db, POOL_COLS " ORDER BY id");
	struct crm_pool *v = NULL;
	size_t n = 0, cap = 0;

	/* Read them all first: FN may run statements of its own. */
	while (crm_step(s)) {
		if (n == cap)
			v = xrealloc(v, (cap = cap ? cap * 2 : 8) * sizeof *v);
		pool_from_row(s, &v[n++]);
	}
	for (size_t i = 0; i < n; i++) {
		fn(&v[i], ctx);
		crm_pool_free(&v[i]);
	}
	free(v);
}

/* Bind P's settings as parameters 1..13 of an INSERT or UPDATE. */
static void
bind_pool(struct crm_stmt *s, const struct crm_pool *p)
{
	char *ex = crm_pool_format_exempt(p->exempt);
	char *gr = crm_pool_format_grades(p);

	crm_bind_text(s, 1, p->name);
	crm_bind_text(s, 2, p->region);
	crm_bind_text(s, 3, p->industry);
	for (int r = 0; r < CRM_RULE_N; r++)
		bind_days(s, 4 + r, p->days[r]);
	bind_days(s, 7, p->warn_days);
	bind_days(s, 8, p->claim_limit);
	bind_days(s, 9, p->max_owned);
	bind_days(s, 10, p->lockout_days);
	bind_days(s, 11, p->cooling_days);
	crm_bind_text(s, 12, *ex ? ex : NULL);
	crm_bind_text(s, 13, *gr ? gr : NULL);
	free(ex);
	free(gr);
}

void
crm_pool_insert(struct crm_db *db, struct crm_pool *p)
{
	struct crm_stmt *s = crm_sql(db, "INSERT INTO pools (name, region,"
	    " industry, no_followup_days, no_deal_days, not_won_days, warn_days,"
	    " claim_limit, max_owned, lockout_days, cooling_days, exempt,"
	    " grade_days, created_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
	    " RETURNING id");

	bind_pool(s, p);
	crm_bind_text(s, 14, crm_now_text());
	if (!crm_step(s))
		crm_die("internal error: no pool id");
	p->id = crm_col_int(s, 0);
	crm_reset(s);
	crm_history(db, "pool", p->id, "name", NULL, p->name, "create");
}

/* A setting as history records it: the number, or NULL when off. */
static char *
days_text(long long v)
{
	return v < 0 ? NULL : xasprintf("%lld", v);
}

static int
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

int
crm_pool_update(struct crm_db *db, const struct crm_pool *p)
{
	static const char *const fields[] = {
		"region", "industry", "no_followup_days", "no_deal_days",
		"not_won_days", "warn_days", "claim_limit", "max_owned",
		"lockout_days", "cooling_days", "exempt", "grade_days"
	};
	struct crm_pool old;
	struct crm_stmt *s;
	char *before[12], *after[12];
	int changed = 0;

	if (!crm_pool_get(db, NULL, p->id, &old))
		crm_die("no pool %lld", p->id);
	for (int pass = 0; pass < 2; pass++) {
		const struct crm_pool *q = pass ? p : &old;
		char **v = pass ? after : before;

		v[0] = q->region ? xstrdup(q->region) : NULL;
		v[1] = q->industry ? xstrdup(q->industry) : NULL;
		for (int r = 0; r < CRM_RULE_N; r++)
			v[2 + r] = days_text(q->days[r]);
		v[5] = days_text(q->warn_days);
		v[6] = days_text(q->claim_limit);
		v[7] = days_text(q->max_owned);
		v[8] = days_text(q->lockout_days);
		v[9] = days_text(q->cooling_days);
		v[10] = crm_pool_format_exempt(q->exempt);
		v[11] = crm_pool_format_grades(q);
		for (int i = 10; i < 12; i++)
			if (*v[i] == '\0') {
				free(v[i]);
				v[i] = NULL;
			}
	}
	s = crm_sql(db, "UPDATE pools SET name = ?1, region = ?2, industry = ?3,"
	    " no_followup_days = ?4, no_deal_days = ?5, not_won_days = ?6,"
	    " warn_days = ?7, claim_limit = ?8, max_owned = ?9,"
	    " lockout_days = ?10, cooling_days = ?11, exempt = ?12,"
	    " grade_days = ?13 WHERE id = ?14");
	bind_pool(s, p);
	crm_bind_int(s, 14, p->id);
	crm_step(s);
	for (int i = 0; i < 12; i++) {
		if (!same(before[i], after[i])) {
			crm_history(db, "pool", p->id, fields[i], before[i], after[i],
			    "configure");
			changed++;
		}
		free(before[i]);
		free(after[i]);
	}
	crm_pool_free(&old);
	return changed;
}

long long
crm_pool_find(struct crm_db *db, const char *name)
{
	long long id = crm_pool_id(db, name);

	if (id < 0)
		crm_die("no pool '%s'", name);
	return id;
}

void
crm_pool_require_admin(struct crm_db *db, long long pool_id, const char *what)
{
	if (!crm_pool_actor_is_admin(db, pool_id))
		crm_die("permission denied: %s pool '%s' needs an admin of it (you "
		    "are '%s', %s)", what, crm_pool_name(db, pool_id), crm_actor(db),
		    crm_actor_describe(db));
}

long long
crm_pool_configure(struct crm_db *db, const char *name, int create,
    const struct strvec *settings)
{
	struct crm_pool p;
	const char *err;
	long long changed = 0;
	int roles_changed;

	if (create) {
		crm_require_admin(db, "creating a pool");
		if ((err = crm_pool_check_name(name)) != NULL)
			crm_die("%s", err);
		if (crm_pool_id(db, name) >= 0)
			crm_die("pool '%s' exists already (change it with set)", name);
		crm_pool_init(&p);
		p.name = xstrdup(name);
	} else {
		crm_pool_require_admin(db, crm_pool_find(db, name), "configuring");
		crm_pool_get(db, name, 0, &p);
	}
	for (size_t i = 0; i < settings->n; i++) {
		char *set = xstrdup(settings->v[i]), *eq = strchr(set, '=');

		if (eq == NULL)
			crm_die("internal error: setting '%s' is not NAME=VALUE", set);
		*eq = '\0';
		if ((err = crm_pool_setting(&p, set, eq + 1)) != NULL)
			crm_die("%s", err);
		free(set);
	}
	if (create) {
		crm_pool_insert(db, &p);
		changed = 1;
	} else
		changed = crm_pool_update(db, &p);
	for (size_t i = 0; i < settings->n; i++) {
		const char *set = settings->v[i];
		int admins = strncmp(set, "admins=", 7) == 0;

		if (!admins && strncmp(set, "members=", 8) != 0)
			continue;
		if ((err = crm_pool_set_members(db, p.id, admins ? "admin" :
		    "member", strchr(set, '=') + 1, &roles_changed)) != NULL)
			crm_die("%s", err);
		changed += roles_changed && !create;
	}
	crm_pool_free(&p);
	return changed;
}

static const char *const pool_record_cols[] = {
	"name", "region", "industry", "members", "admins", "no_followup_days",
	"no_deal_days", "not_won_days", "grade_days", "exempt", "warn_days",
	"claim_limit", "max_owned", "lockout_days", "cooling_days", "customers",
	"created_at"
};
#define NPOOLCOLS (sizeof pool_record_cols / sizeof pool_record_cols[0])

struct pools_out {
	struct crm_db *db;
	struct rec_writer *w;
	const char *name;
};

/* A rule's number as text in BUF, or NULL when the rule is off. */
static const char *
rule_text(long long v, char buf[32])
{
	if (v < 0)
		return NULL;
	snprintf(buf, 32, "%lld", v);
	return buf;
}

/* An empty list is no value. */
static const char *
list_text(const char *s)
{
	return *s ? s : NULL;
}

/* Pool P as a record: the one asked for, or each the actor may see. */
static void
pool_record(const struct crm_pool *p, void *ctx)
{
	struct pools_out *o = ctx;
	char num[9][32];
	char *members, *admins, *grades, *exempt;
	const char *v[NPOOLCOLS];

	if (o->name ? strcmp(o->name, p->name) != 0 :
	    crm_may_pool(o->db, p->id) != NULL)
		return;
	members = crm_pool_members_text(o->db, p->id, "member");
	admins = crm_pool_members_text(o->db, p->id, "admin");
	grades = crm_pool_format_grades(p);
	exempt = crm_pool_format_exempt(p->exempt);
	v[0] = p->name;
	v[1] = p->region;
	v[2] = p->industry;
	v[3] = list_text(members);
	v[4] = list_text(admins);
	v[5] = rule_text(p->days[CRM_RULE_FOLLOWUP], num[0]);
	v[6] = rule_text(p->days[CRM_RULE_DEAL], num[1]);
	v[7] = rule_text(p->days[CRM_RULE_WON], num[2]);
	v[8] = list_text(grades);
	v[9] = list_text(exempt);
	v[10] = rule_text(p->warn_days, num[3]);
	v[11] = rule_text(p->claim_limit, num[4]);
	v[12] = rule_text(p->max_owned, num[5]);
	v[13] = rule_text(p->lockout_days, num[6]);
	v[14] = rule_text(p->cooling_days, num[7]);
	v[15] = rule_text(crm_pool_count(o->db, p->id), num[8]);
	v[16] = p->created_at;
	recw_row(o->w, NPOOLCOLS, v);
	free(members);
	free(admins);
	free(grades);
	free(exempt);
}

void
crm_pools_write(struct crm_db *db, struct rec_writer *w, const char *name)
{
	struct pools_out o = { db, w, name };

	recw_header(w, NPOOLCOLS, pool_record_cols);
	crm_pools_each(db, pool_record, &o);
}

/* ---- members and admins -------------------------------------------- */

char *
crm_pool_members_text(struct crm_db *db, long long pool_id, const char *role)
{
	struct crm_stmt *s = crm_sql(db, "SELECT t.name, u.login"
	    " FROM pool_members m LEFT JOIN teams t ON t.id = m.team_id"
	    " LEFT JOIN users u ON u.id = m.user_id"
	    " WHERE m.pool_id = ? AND m.role = ?"
	    " ORDER BY m.team_id IS NULL, t.name, u.login");
	struct strbuf sb;

	sb_init(&sb);
	crm_bind_int(s, 1, pool_id);
	crm_bind_text(s, 2, role);
	while (crm_step(s)) {
		if (sb.len)
			sb_addc(&sb, ',');
		if (!crm_col_null(s, 0))
			sb_addf(&sb, "team:%s", crm_col_text(s, 0));
		else
			sb_addf(&sb, "user:%s", crm_col_text(s, 1));
	}
	return sb_detach(&sb);
}

const char *
crm_pool_set_members(struct crm_db *db, long long pool_id, const char *role,
    const char *list, int *changed)
{
	static char msg[300];
	struct strvec items = STRVEC_INIT;
	long long *team, *user;
	const char *what = strcmp(role, "admin") == 0 ? "admins" : "members";
	struct crm_stmt *s;
	char *before, *after;

	sv_split(&items, list, ',');
	team = xcalloc(items.n + 1, sizeof *team);
	user = xcalloc(items.n + 1, sizeof *user);
	for (size_t i = 0; i < items.n; i++) {
		const char *it = items.v[i];

		team[i] = user[i] = -1;
		if (strcmp(it, "none") == 0 && items.n == 1)
			continue;
		if (crm_pool_check_name(it) != NULL) {
			/* not echoed: it would reach the terminal as it is */
			snprintf(msg, sizeof msg, "%s: control characters are not "
			    "allowed in names", what);
			goto bad;
		}
		if (strncmp(it, "team:", 5) == 0) {
			if ((team[i] = crm_team_id(db, it + 5)) < 0) {
				snprintf(msg, sizeof msg, "%s: no team '%s'", what, it + 5);
				goto bad;
			}
		} else {
			const char *login = strncmp(it, "user:", 5) == 0 ? it + 5 : it;

			if ((user[i] = crm_user_id(db, login)) < 0) {
				snprintf(msg, sizeof msg, "%s: no user '%s'", what, login);
				goto bad;
			}
		}
	}
	before = crm_pool_members_text(db, pool_id, role);
	s = crm_sql(db, "DELETE FROM pool_members WHERE pool_id = ? AND role = ?");
	crm_bind_int(s, 1, pool_id);
	crm_bind_text(s, 2, role);
	crm_step(s);
	for (size_t i = 0; i < items.n; i++) {
		int seen = 0;

		if (team[i] < 0 && user[i] < 0)
			continue;
		for (size_t j = 0; j < i; j++)
			seen |= team[j] == team[i] && user[j] == user[i];
		if (seen)
			continue;
		s = crm_sql(db, "INSERT INTO pool_members (pool_id, team_id, user_id,"
		    " role) VALUES (?, ?, ?, ?)");
		crm_bind_int(s, 1, pool_id);
		if (team[i] >= 0)
			crm_bind_int(s, 2, team[i]);
		if (user[i] >= 0)
			crm_bind_int(s, 3, user[i]);
		crm_bind_text(s, 4, role);
		crm_step(s);
	}
	after = crm_pool_members_text(db, pool_id, role);
	if (changed)
		*changed = strcmp(before, after) != 0;
	if (strcmp(before, after) != 0)
		crm_history(db, "pool", pool_id, what, *before ? before : NULL,
		    *after ? after : NULL, "configure");
	free(before);
	free(after);
	sv_free(&items);
	free(team);
	free(user);
	return NULL;
bad:
	sv_free(&items);
	free(team);
	free(user);
	return msg;
}

/* Has active USER_ID the ROLE in POOL_ID, itself or through its team? */
static int
has_role(struct crm_db *db, long long pool_id, long long user_id,
    const char *role)
{
	struct crm_stmt *s = crm_sql(db, "SELECT count(*) FROM pool_members m"
	    " JOIN users u ON u.id = ?2 AND u.active = 1"
	    " WHERE m.pool_id = ?1 AND m.role = ?3"
	    " AND (m.user_id = u.id OR m.team_id = u.team_id)");
	int yes = 0;

	if (user_id < 0)
		return 0;
	crm_bind_int(s, 1, pool_id);
	crm_bind_int(s, 2, user_id);
	crm_bind_text(s, 3, role);
	if (crm_step(s)) {
		yes = crm_col_int(s, 0) > 0;
		crm_reset(s);
	}
	return yes;
}

int
crm_pool_is_member(struct crm_db *db, long long pool_id, long long user_id)
{
	return has_role(db, pool_id, user_id, "member");
}

int
crm_pool_is_admin(struct crm_db *db, long long pool_id, long long user_id)
{
	return has_role(db, pool_id, user_id, "admin");
}

int
crm_pool_actor_is_admin(struct crm_db *db, long long pool_id)
{
	return crm_actor_is_admin(db) ||
	    has_role(db, pool_id, crm_actor_id(db), "admin");
}

long long
crm_pool_covering(struct crm_db *db, long long id)
{
	return crm_db_int(db, "SELECT q.id FROM customers c, pools q"
	    " WHERE c.id = ? AND c.owner_id IS NOT NULL AND "
	    COVERS("q", "c.owner_id", "c.region", "c.industry")
	    " ORDER BY q.id LIMIT 1", id);
}

/* ---- claiming ------------------------------------------------------ */

long long
crm_pool_taker(struct crm_db *db, const char *to)
{
	long long id;

	if (to == NULL) {
		if ((id = crm_actor_id(db)) < 0)
			crm_die("claim: you ('%s') are not a user, so you cannot own "
			    "customers (crm-user add %s)", crm_actor(db), crm_actor(db));
	} else if ((id = crm_user_id(db, to)) < 0)
		crm_die("assign: no user '%s'", to);
	return id;
}

time_t
crm_pool_claimable_at(const struct crm_pool *p, time_t pool_since)
{
	return pool_since +
	    (time_t)(p->cooling_days > 0 ? p->cooling_days : 0) * DAY;
}

/* The claims USER made from POOL since START (history rows of claims). */
static long long
claims_since(struct crm_db *db, const char *login, const char *pool,
    const char *start)
{
	struct crm_stmt *s = crm_sql(db, "SELECT count(*) FROM history"
	    " WHERE command = ? AND actor = ? AND at >= ?"
	    " AND entity = 'customer' AND field = 'pool' AND old_value = ?");
	long long n = 0;

	crm_bind_text(s, 1, crm_batch_names[CRM_BATCH_POOL_CLAIM]);
	crm_bind_text(s, 2, login);
	crm_bind_text(s, 3, start);
	crm_bind_text(s, 4, pool);
	if (crm_step(s)) {
		n = crm_col_int(s, 0);
		crm_reset(s);
	}
	return n;
}

/* When LOGIN last lost customer ID to a pool (its owner became none). */
static time_t
lost_at(struct crm_db *db, long long id, const char *login)
{
	struct crm_stmt *s = crm_sql(db, "SELECT max(at) FROM history"
	    " WHERE entity = 'customer' AND entity_id = ? AND field = 'owner'"
	    " AND old_value = ? AND new_value IS NULL");
	time_t t = 0;

	crm_bind_int(s, 1, id);
	crm_bind_text(s, 2, login);
	if (crm_step(s)) {
		t = when(crm_col_null(s, 0) ? NULL : crm_col_text(s, 0));
		crm_reset(s);
	}
	return t;
}

/* The pool a customer is in, and since when: 0 when ID is no customer. */
static int
pooled(struct crm_db *db, long long id, long long *owner, long long *pool,
    time_t *since)
{
	struct crm_stmt *s = crm_sql(db, "SELECT owner_id, pool_id, pool_since"
	    " FROM customers WHERE id = ? AND merged_into IS NULL");

	crm_bind_int(s, 1, id);
	if (!crm_step(s))
		return 0;
	*owner = crm_col_null(s, 0) ? -1 : crm_col_int(s, 0);
	*pool = crm_col_null(s, 1) ? -1 : crm_col_int(s, 1);
	*since = when(crm_col_null(s, 2) ? NULL : crm_col_text(s, 2));
	crm_reset(s);
	return 1;
}

/* The user's own limits, leave and capacity: 1 when they allow one more. */
static int
user_allows(struct crm_db *db, const struct crm_user *u, const char *who,
    int self, long long owned, struct crm_refusal *r)
{
	if (crm_user_away(db, u->id, crm_now())) {
		if (u->away_until)
			refuse(r, "away", "refused: %s %s away until %s", who,
			    self ? "are" : "is", u->away_until);
		else
			refuse(r, "away", "refused: %s %s away since %s", who,
			    self ? "are" : "is", u->away_from);
		return 0;
	}
	if (u->capacity >= 0) {
		if (owned < 0)
			owned = crm_user_owned(db, u->id);
		if (owned >= u->capacity) {
			refuse(r, "capacity", "refused by capacity (%s own%s %lld of "
			    "at most %lld)", who, self ? "" : "s", owned, u->capacity);
			return 0;
		}
	}
	return 1;
}

/* The rules of HOW for USER taking ID from P; 1 when they allow it. */
static int
take_allowed(struct crm_db *db, const struct crm_pool *p, long long id,
    const struct crm_user *u, int how, time_t since, struct crm_refusal *r)
{
	time_t now = crm_now(), t;
	char t1[CRM_TIME_LEN], t2[CRM_TIME_LEN];
	int self = how == CRM_TAKE_CLAIM && strcmp(u->login, crm_actor(db)) == 0;
	char who[300];
	long long n = -1;

	snprintf(who, sizeof who, self ? "you" : "'%s'", u->login);
	if (how != CRM_TAKE_CLAIM && !crm_pool_actor_is_admin(db, p->id)) {
		refuse(r, "permission", "permission denied: %s needs an admin of "
		    "pool '%s' (you are '%s', %s)", how == CRM_TAKE_FORCE ?
		    "--force" : "assigning", p->name, crm_actor(db),
		    crm_actor_describe(db));
		return 0;
	}
	if (!u->active) {
		refuse(r, "inactive", "refused: %s %s deactivated", who,
		    self ? "are" : "is");
		return 0;
	}
	if (how == CRM_TAKE_FORCE)
		return crm_actor_is_admin(db) || user_allows(db, u, who, self, -1, r);
	if (!crm_pool_is_member(db, p->id, u->id) &&
	    !(how == CRM_TAKE_CLAIM && crm_pool_actor_is_admin(db, p->id))) {
		refuse(r, "membership", "refused by membership (%s %s not a member "
		    "of pool '%s')", who, self ? "are" : "is", p->name);
		return 0;
	}
	if (how == CRM_TAKE_CLAIM && (t = crm_pool_claimable_at(p, since)) > now) {
		crm_format_time(since, t1);
		crm_format_time(t, t2);
		refuse(r, "cooling-off", "refused by cooling-off (%lld day%s; in the "
		    "pool since %s, claimable from %s)", p->cooling_days,
		    p->cooling_days == 1 ? "" : "s", t1, t2);
		return 0;
	}
	if (how == CRM_TAKE_CLAIM && p->lockout_days > 0) {
		time_t lost = lost_at(db, id, u->login);

		if (lost && lost + p->lockout_days * DAY > now) {
			crm_format_time(lost, t1);
			crm_add_days(lost, p->lockout_days, t2);
			refuse(r, "lockout", "refused by lockout (%lld day%s; %s lost it "
			    "on %s, and may claim it back from %s)", p->lockout_days,
			    p->lockout_days == 1 ? "" : "s", who, t1, t2);
			return 0;
		}
	}
	if (how == CRM_TAKE_CLAIM && p->claim_limit >= 0) {
		/* "today" is the site's day (crm-db config timezone), not UTC's */
		crm_format_time(crm_day_start(now), t1);
		n = claims_since(db, u->login, p->name, t1);
		if (n >= p->claim_limit) {
			refuse(r, "claim-limit", "refused by claim-limit (%lld a day; "
			    "%s claimed %lld today)", p->claim_limit, who, n);
			return 0;
		}
		n = -1;
	}
	if (p->max_owned >= 0 && (n = crm_user_owned(db, u->id)) >= p->max_owned) {
		refuse(r, "max-owned", "refused by max-owned (%lld at most in pool "
		    "'%s'; %s own%s %lld)", p->max_owned, p->name, who,
		    self ? "" : "s", n);
		return 0;
	}
	return user_allows(db, u, who, self, n, r);
}

int
crm_pool_take(struct crm_db *db, long long id, long long user_id, int how,
    const char *reason, struct crm_refusal *r)
{
	struct crm_pool p;
	struct crm_user u;
	long long owner, pool;
	time_t since;
	int ok;

	r->rule = NULL;
	r->why[0] = '\0';
	/*
	 * Claims run side by side on a server (CRM_TX_ROWS): the taker, whose
	 * limits are counted, then the customer, locked until the commit, in
	 * that order everywhere; on SQLite the write lock holds them all.
	 */
	crm_db_lock_row(db, "users", user_id);
	crm_db_lock_row(db, "customers", id);
	if (!pooled(db, id, &owner, &pool, &since)) {
		refuse(r, "not-found", "no such customer");
		return 0;
	}
	if (pool < 0) {
		const char *login = crm_user_login(db, owner);

		if (owner >= 0 && owner == user_id)
			refuse(r, "not-pooled", "refused: not in a pool (%s own%s it "
			    "already)", how == CRM_TAKE_CLAIM ? "you" : login,
			    how == CRM_TAKE_CLAIM ? "" : "s");
		else if (login)
			refuse(r, "not-pooled", "refused: not in a pool (owned by "
			    "'%s')", login);
		else
			refuse(r, "not-pooled", "refused: not in a pool");
		return 0;
	}
	if (!crm_user_get(db, NULL, user_id, &u))
		crm_die("no user %lld", user_id);
	if (!crm_pool_get(db, NULL, pool, &p))
		crm_die("no pool %lld", pool);
	ok = take_allowed(db, &p, id, &u, how, since, r);
	if (ok)
		crm_customer_set_owner(db, id, user_id, reason);
	crm_pool_free(&p);
	crm_user_free(&u);
	return ok;
}

long long
crm_pool_claim_next(struct crm_db *db, long long pool_id, long long user_id,
    const char *reason, struct crm_refusal *r)
{
	/*
	 * The oldest in the pool first.  On a server, a customer another
	 * claimer holds is passed over (SKIP LOCKED), not waited for: each
	 * takes the next free one.  A reader's view would not do here: a rep
	 * locks the table's own row.
	 */
	static const char *const pick[2] = {
		"SELECT id, pool_since FROM customers WHERE pool_id = ?1"
		" AND merged_into IS NULL AND (pool_since > ?2 OR (pool_since = ?2"
		" AND id > ?3)) ORDER BY pool_since, id LIMIT 1",
		"SELECT id, pool_since FROM crm.customers WHERE pool_id = ?1"
		" AND merged_into IS NULL AND (pool_since > ?2 OR (pool_since = ?2"
		" AND id > ?3)) ORDER BY pool_since, id LIMIT 1"
		" FOR UPDATE SKIP LOCKED",
	};
	struct crm_stmt *s;
	char since[CRM_TIME_LEN] = "";
	long long id = 0;

	crm_db_lock_row(db, "users", user_id);
	for (;;) {
		s = crm_sql(db, crm_db_variant(db, pick[0], pick[1]));
		crm_bind_int(s, 1, pool_id);
		crm_bind_text(s, 2, since);
		crm_bind_int(s, 3, id);
		if (!crm_step(s)) {
			refuse(r, "none-free", "no customer left to claim in pool '%s'",
			    crm_pool_name(db, pool_id));
			return -1;
		}
		id = crm_col_int(s, 0);
		snprintf(since, sizeof since, "%s", crm_col_text(s, 1));
		crm_reset(s);
		if (crm_pool_take(db, id, user_id, CRM_TAKE_CLAIM, reason, r))
			return id;
		/* a rule of this customer's: the next may be claimable */
		if (strcmp(r->rule, "lockout") != 0 && strcmp(r->rule, "not-pooled") != 0)
			return -1;
	}
}

int
crm_pool_put(struct crm_db *db, long long id, long long pool_id, int release,
    const char *reason, struct crm_refusal *r)
{
	long long owner, pool, me = crm_actor_id(db);
	char owner_login[256] = "", name[256];
	const char *n;
	time_t since;

	r->rule = NULL;
	r->why[0] = '\0';
	if (!pooled(db, id, &owner, &pool, &since)) {
		refuse(r, "not-found", "no such customer");
		return 0;
	}
	if ((n = crm_user_login(db, owner)) != NULL)
		snprintf(owner_login, sizeof owner_login, "%s", n);
	if (release && owner < 0) {
		if (pool >= 0)
			refuse(r, "not-owned", "refused: not owned (it is in pool "
			    "'%s')", crm_pool_name(db, pool));
		else
			refuse(r, "not-owned", "refused: not owned by anyone");
		return 0;
	}
	if (pool_id < 0 && (pool_id = crm_pool_covering(db, id)) < 0) {
		refuse(r, "no-pool", "refused: no pool covers %s customers "
		    "(name one with --to)", owner >= 0 ? owner_login : "unowned");
		return 0;
	}
	snprintf(name, sizeof name, "%s", crm_pool_name(db, pool_id));
	if (pool == pool_id) {
		snprintf(r->why, sizeof r->why, "in pool '%s' already", name);
		return 0;
	}
	if (release && owner == me && me >= 0) {
		if ((n = crm_may_pool(db, pool_id)) != NULL) {
			refuse(r, "membership", "%s", n);
			return 0;
		}
	} else if (!crm_pool_actor_is_admin(db, pool_id)) {
		if (release)
			refuse(r, "not-yours", "refused: owned by '%s', not you",
			    owner_login);
		else
			refuse(r, "permission", "permission denied: moving into pool "
			    "'%s' needs an admin of it (you are '%s', %s)", name,
			    crm_actor(db), crm_actor_describe(db));
		return 0;
	} else if (pool >= 0 && !crm_pool_actor_is_admin(db, pool)) {
		refuse(r, "permission", "permission denied: moving out of pool "
		    "'%s' needs an admin of it (you are '%s', %s)",
		    crm_pool_name(db, pool), crm_actor(db), crm_actor_describe(db));
		return 0;
	}
	return crm_customer_set_pool(db, id, pool_id, reason);
}

/* ---- which customers are due --------------------------------------- */

/*
** The customers pool ?1 reclaims that are due at the cutoffs bound:
** ?2 the latest cutoff of any rule (the index range on owner_since),
** ?3/?4 the pool's region and industry filters, ?5 1 when an earlier pool
** may cover some of them, ?6 the no-follow-up cutoff and ?7..?22 up to 8
** (grade, cutoff) pairs that replace it, ?23 the no-deal and ?24 the
** not-won cutoff (NULL: rule off), ?25 1 to keep exempt ones, ?26..?34
** the exemptions (locked, won, open deal) of each rule.  A cutoff is the
** time a clock must have started by for its rule to fire.  evaluate()
** below applies the same rules to each row found.
*/
#define FOLLOWUP_CUT \
	"(CASE c.grade WHEN ?7 THEN ?8 WHEN ?9 THEN ?10 WHEN ?11 THEN ?12" \
	" WHEN ?13 THEN ?14 WHEN ?15 THEN ?16 WHEN ?17 THEN ?18" \
	" WHEN ?19 THEN ?20 WHEN ?21 THEN ?22 ELSE ?6 END)"
#define NOT_EXEMPT(locked, won, open) \
	"(?25 = 1 OR NOT ((" locked " = 1 AND c.locked = 1)" \
	" OR (" won " = 1 AND " WON_SQL ")" \
	" OR (" open " = 1 AND " OPEN_SQL ")))"

static const char due_sql[] =
	"SELECT c.id, c.owner_id, u.login, u.email, c.name, c.company, c.grade,"
	" c.owner_since, c.last_activity_at,"
	" (SELECT max(d.created_at) FROM deals d WHERE d.customer_id = c.id),"
	" c.locked,"
	" CASE WHEN " WON_SQL " THEN 1 ELSE 0 END,"
	" CASE WHEN " OPEN_SQL " THEN 1 ELSE 0 END"
	" FROM customers c JOIN users u ON u.id = c.owner_id"
	" WHERE c.owner_id IN (" MEMBERS_OF_1 ")"
	" AND c.owner_since <= ?2 AND c.merged_into IS NULL"
	" AND (?3 IS NULL OR c.region = ?3) AND (?4 IS NULL OR c.industry = ?4)"
	" AND ((" FOLLOWUP_CUT " IS NOT NULL AND c.owner_since <= " FOLLOWUP_CUT
	"   AND (c.last_activity_at IS NULL OR c.last_activity_at <= "
	    FOLLOWUP_CUT ")"
	"   AND " NOT_EXEMPT("?26", "?27", "?28") ")"
	" OR (?23 IS NOT NULL AND c.owner_since <= ?23"
	"   AND NOT EXISTS (SELECT 1 FROM deals d WHERE d.customer_id = c.id"
	"   AND d.created_at > ?23)"
	"   AND " NOT_EXEMPT("?29", "?30", "?31") ")"
	" OR (?24 IS NOT NULL AND c.owner_since <= ?24 AND NOT " WON_SQL
	"   AND " NOT_EXEMPT("?32", "?33", "?34") "))"
	" AND (?5 = 0 OR NOT EXISTS (SELECT 1 FROM pools q WHERE q.id < ?1 AND "
	    COVERS("q", "c.owner_id", "c.region", "c.industry") "))"
	" ORDER BY c.id";

/*
** Decide what makes D due at AT under P's rules, the same rules as
** due_sql: of the rules due by then, the one that fired first (ties go
** to the earlier rule).  Returns 1 when a rule applies, 2 when only
** exempt ones do (D->exempt_by says why), 0 when none.
*/
static int
evaluate(const struct crm_pool *p, struct crm_due *d, time_t at, time_t now)
{
	time_t owner_since = when(d->owner_since);
	time_t act = when(d->last_activity_at), deal = when(d->last_deal_at);
	time_t best_due = 0, ex_due = 0, best_clock = 0, ex_clock = 0;
	int best = -1, ex_rule = -1;
	const char *ex_by = NULL, *best_grade = NULL, *ex_grade = NULL;
	long long best_limit = 0, ex_limit = 0;

	for (int r = 0; r < CRM_RULE_N; r++) {
		long long limit = p->days[r];
		const char *grade = NULL, *by = NULL;
		time_t clock, due;

		if (r == CRM_RULE_FOLLOWUP && d->grade)
			for (int g = 0; g < p->ngrades; g++)
				if (strcmp(p->grade[g], d->grade) == 0) {
					limit = p->grade_days[g];
					grade = p->grade[g];
				}
		if (limit < 0 || (r == CRM_RULE_WON && d->won))
			continue;
		clock = owner_since;
		if (r == CRM_RULE_FOLLOWUP && act > clock)
			clock = act;
		if (r == CRM_RULE_DEAL && deal > clock)
			clock = deal;
		due = clock + (time_t)(limit * DAY);
		if (due > at)
			continue;
		if ((p->exempt[r] & CRM_EX_LOCKED) && d->locked)
			by = "locked";
		else if ((p->exempt[r] & CRM_EX_WON) && d->won)
			by = "won deal";
		else if ((p->exempt[r] & CRM_EX_OPEN_DEAL) && d->open_deal)
			by = "open deal";
		if (by == NULL && (best < 0 || due < best_due)) {
			best = r;
			best_due = due;
			best_clock = clock;
			best_limit = limit;
			best_grade = grade;
		} else if (by && (ex_rule < 0 || due < ex_due)) {
			ex_rule = r;
			ex_due = due;
			ex_clock = clock;
			ex_limit = limit;
			ex_grade = grade;
			ex_by = by;
		}
	}
	if (best < 0 && ex_rule < 0)
		return 0;
	if (best < 0) {
		best = ex_rule;
		best_due = ex_due;
		best_clock = ex_clock;
		best_limit = ex_limit;
		best_grade = ex_grade;
		d->exempt_by = ex_by;
	} else
		d->exempt_by = NULL;
	d->rule = best;
	d->limit_days = best_limit;
	d->grade_limit = best_grade;
	d->idle_days = now > best_clock ? (long long)((now - best_clock) / DAY) : 0;
	crm_format_time(best_clock, d->clock);
	crm_format_time(best_due, d->due_at);
	return d->exempt_by ? 2 : 1;
}

long long
crm_pool_due(struct crm_db *db, const struct crm_pool *p, time_t at,
    int exempt, void (*fn)(const struct crm_due *d, void *ctx), void *ctx)
{
	struct crm_stmt *s;
	char cut[CRM_RULE_N][CRM_TIME_LEN], gcut[CRM_POOL_MAX_GRADES][CRM_TIME_LEN];
	char cutmax[CRM_TIME_LEN] = "";
	time_t now = crm_now();
	long long n = 0;
	int i, earlier;

	for (int r = 0; r < CRM_RULE_N; r++)
		if (p->days[r] >= 0) {
			crm_add_days(at, -p->days[r], cut[r]);
			if (strcmp(cut[r], cutmax) > 0)
				memcpy(cutmax, cut[r], sizeof cutmax);
		}
	for (int g = 0; g < p->ngrades; g++) {
		crm_add_days(at, -p->grade_days[g], gcut[g]);
		if (strcmp(gcut[g], cutmax) > 0)
			memcpy(cutmax, gcut[g], sizeof cutmax);
	}
	if (cutmax[0] == '\0')
		return 0;		/* no rule: nothing is ever due */
	earlier = crm_db_int(db, "SELECT count(*) FROM pools WHERE id < ?",
	    p->id) > 0;
	s = crm_sql(db, due_sql);
	crm_bind_int(s, 1, p->id);
	crm_bind_text(s, 2, cutmax);
	crm_bind_text(s, 3, p->region);
	crm_bind_text(s, 4, p->industry);
	crm_bind_int(s, 5, earlier);
	crm_bind_text(s, 6, p->days[CRM_RULE_FOLLOWUP] >= 0 ?
	    cut[CRM_RULE_FOLLOWUP] : NULL);
	for (int g = 0; g < p->ngrades; g++) {
		crm_bind_text(s, 7 + 2 * g, p->grade[g]);
		crm_bind_text(s, 8 + 2 * g, gcut[g]);
	}
	crm_bind_text(s, 23, p->days[CRM_RULE_DEAL] >= 0 ? cut[CRM_RULE_DEAL] : NULL);
	crm_bind_text(s, 24, p->days[CRM_RULE_WON] >= 0 ? cut[CRM_RULE_WON] : NULL);
	crm_bind_int(s, 25, exempt != 0);
	i = 26;
	for (int r = 0; r < CRM_RULE_N; r++) {
		crm_bind_int(s, i++, (p->exempt[r] & CRM_EX_LOCKED) != 0);
		crm_bind_int(s, i++, (p->exempt[r] & CRM_EX_WON) != 0);
		crm_bind_int(s, i++, (p->exempt[r] & CRM_EX_OPEN_DEAL) != 0);
	}
	while (crm_step(s)) {
		struct crm_due d;
		int e;

		memset(&d, 0, sizeof d);
		d.id = crm_col_int(s, 0);
		d.owner_id = crm_col_int(s, 1);
		d.owner = crm_col_text(s, 2);
		d.owner_email = crm_col_text(s, 3);
		d.name = crm_col_text(s, 4);
		d.company = crm_col_text(s, 5);
		d.grade = crm_col_text(s, 6);
		d.owner_since = crm_col_text(s, 7);
		d.last_activity_at = crm_col_text(s, 8);
		d.last_deal_at = crm_col_text(s, 9);
		d.locked = crm_col_int(s, 10) != 0;
		d.won = crm_col_int(s, 11) != 0;
		d.open_deal = crm_col_int(s, 12) != 0;
		e = evaluate(p, &d, at, now);
		if (e == 1 || (e == 2 && exempt)) {
			fn(&d, ctx);
			n++;
		}
	}
	return n;
}

void
crm_pool_due_explain(const struct crm_due *d, char *buf, size_t n)
{
	char limit[128];
	int len;

	if (d->grade_limit)
		snprintf(limit, sizeof limit, "limit %lld for grade %s",
		    d->limit_days, d->grade_limit);
	else
		snprintf(limit, sizeof limit, "limit %lld", d->limit_days);
	switch (d->rule) {
	case CRM_RULE_FOLLOWUP:
		len = snprintf(buf, n, "last follow-up %s, owner since %s: %lld "
		    "days without a follow-up, %s", d->last_activity_at ?
		    d->last_activity_at : "never", d->owner_since, d->idle_days,
		    limit);
		break;
	case CRM_RULE_DEAL:
		len = snprintf(buf, n, "last deal %s, owner since %s: %lld days "
		    "without a new deal, %s", d->last_deal_at ? d->last_deal_at :
		    "never", d->owner_since, d->idle_days, limit);
		break;
	default:
		len = snprintf(buf, n, "owner since %s and no deal won: %lld "
		    "days, %s", d->owner_since, d->idle_days, limit);
	}
	if (d->exempt_by && len > 0 && (size_t)len < n)
		snprintf(buf + len, n - (size_t)len, "; exempt: %s", d->exempt_by);
}

long long
crm_pool_days_left(time_t t, time_t now)
{
	/* whole days between midnights; DST makes a day 23 or 25 hours */
	double d = difftime(crm_day_start(t), crm_day_start(now)) / DAY;

	return d > 0 ? (long long)(d + 0.5) : 0;
}

/* The last second of the site's day that holds T. */
static time_t
day_end(time_t t)
{
	return crm_day_start(crm_day_start(t) + DAY + DAY / 2) - 1;
}

static const char *const due_cols[] = {
	"owner", "owner_email", "id", "name", "company", "pool", "rule",
	"idle_days", "limit_days", "due_at", "days_left"
};
#define NDUECOLS (sizeof due_cols / sizeof due_cols[0])

/* A row of the due list, kept for sorting: its values, owned. */
struct due_row {
	long long id;
	char *v[NDUECOLS];
};

struct due_list {
	const char *pool, *owner;
	long long within;
	time_t now;
	const struct crm_pool *p;
	struct due_row *rows;
	size_t n, cap;
	struct crm_db *db;
};

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void
due_keep(const struct crm_due *d, void *ctx)
{
	struct due_list *dl = ctx;
	struct due_row *r;
	time_t due = when(d->due_at);

	if (dl->owner && strcmp(dl->owner, d->owner) != 0)
		return;
	if (dl->n == dl->cap)
		dl->rows = xrealloc(dl->rows, (dl->cap = dl->cap ? dl->cap * 2 :
		    64) * sizeof *dl->rows);
	r = &dl->rows[dl->n++];
	r->id = d->id;
	r->v[0] = xstrdup(d->owner);
	r->v[1] = dup_or_null(d->owner_email);
	r->v[2] = xasprintf("%lld", d->id);
	r->v[3] = dup_or_null(d->name);
	r->v[4] = dup_or_null(d->company);
	r->v[5] = xstrdup(dl->p->name);
	r->v[6] = xstrdup(crm_rule_names[d->rule]);
	r->v[7] = xasprintf("%lld", d->idle_days);
	r->v[8] = xasprintf("%lld", d->limit_days);
	r->v[9] = xstrdup(d->due_at);
	r->v[10] = xasprintf("%lld", crm_pool_days_left(due, dl->now));
}

/* The customers of pool P due by the end of the day of the window. */
static void
due_pool(const struct crm_pool *p, void *ctx)
{
	struct due_list *dl = ctx;
	long long ahead = dl->within;

	if (dl->pool && strcmp(dl->pool, p->name) != 0)
		return;
	if (ahead < 0)
		ahead = p->warn_days > 0 ? p->warn_days * DAY : 0;
	dl->p = p;
	crm_pool_due(dl->db, p, day_end(dl->now + (time_t)ahead), 0, due_keep, dl);
}

/* By owner, then due time (ISO text sorts as time), then id. */
static int
due_cmp(const void *a, const void *b)
{
	const struct due_row *x = a, *y = b;
	int c;

	if ((c = strcmp(x->v[0], y->v[0])) != 0)
		return c;
	if ((c = strcmp(x->v[9], y->v[9])) != 0)
		return c;
	return x->id < y->id ? -1 : x->id > y->id;
}

void
crm_pool_due_list(struct crm_db *db, struct rec_writer *w, const char *pool,
    const char *owner, long long within)
{
	struct due_list dl;

	memset(&dl, 0, sizeof dl);
	if (pool)
		(void)crm_pool_find(db, pool);
	if (!crm_actor_is_admin(db)) {
		if (owner && strcmp(owner, crm_actor(db)) != 0)
			crm_die("permission denied: only an admin may see the "
			    "customers due of '%s' (you are '%s', %s)", owner,
			    crm_actor(db), crm_actor_describe(db));
		owner = crm_actor(db);
	}
	if (owner && crm_user_id(db, owner) < 0)
		crm_die("no user '%s'", owner);
	dl.db = db;
	dl.pool = pool;
	dl.owner = owner;
	dl.within = within;
	dl.now = crm_now();
	crm_pools_each(db, due_pool, &dl);
	if (dl.n > 1)
		qsort(dl.rows, dl.n, sizeof *dl.rows, due_cmp);
	recw_header(w, NDUECOLS, due_cols);
	for (size_t i = 0; i < dl.n; i++) {
		recw_row(w, NDUECOLS, (const char *const *)dl.rows[i].v);
		for (size_t k = 0; k < NDUECOLS; k++)
			free(dl.rows[i].v[k]);
	}
	free(dl.rows);
}

/* One customer, with what evaluate() needs, for crm_pool_due_one(). */
static const char due_one_sql[] =
	"SELECT c.id, c.owner_id, u.login, u.email, c.name, c.company, c.grade,"
	" c.owner_since, c.last_activity_at,"
	" (SELECT max(d.created_at) FROM deals d WHERE d.customer_id = c.id),"
	" c.locked,"
	" CASE WHEN " WON_SQL " THEN 1 ELSE 0 END,"
	" CASE WHEN " OPEN_SQL " THEN 1 ELSE 0 END"
	" FROM customers c JOIN users u ON u.id = c.owner_id"
	" WHERE c.id = ?1 AND c.merged_into IS NULL";

int
crm_pool_due_one(struct crm_db *db, const struct crm_pool *p, long long id,
    struct crm_due *d)
{
	struct crm_stmt *s = crm_sql(db, due_one_sql);

	memset(d, 0, sizeof *d);
	crm_bind_int(s, 1, id);
	if (!crm_step(s))
		return 0;
	d->id = crm_col_int(s, 0);
	d->owner_id = crm_col_int(s, 1);
	d->owner = crm_col_text(s, 2);
	d->owner_email = crm_col_text(s, 3);
	d->name = crm_col_text(s, 4);
	d->company = crm_col_text(s, 5);
	d->grade = crm_col_text(s, 6);
	d->owner_since = crm_col_text(s, 7);
	d->last_activity_at = crm_col_text(s, 8);
	d->last_deal_at = crm_col_text(s, 9);
	d->locked = crm_col_int(s, 10) != 0;
	d->won = crm_col_int(s, 11) != 0;
	d->open_deal = crm_col_int(s, 12) != 0;
	/* at the end of time every rule has fired: the first one wins */
	return evaluate(p, d, (time_t)1 << 60, crm_now()) == 1;
}

/* The reclaim collects the due customers first, then moves them. */
struct due_copy {
	struct crm_due d;
	char *s[10];
};
struct due_vec {
	struct due_copy *v;
	size_t n, cap;
};

static void
collect(const struct crm_due *d, void *ctx)
{
	struct due_vec *dv = ctx;
	struct due_copy *c;
	const char **f[10];

	if (dv->n == dv->cap)
		dv->v = xrealloc(dv->v, (dv->cap = dv->cap ? dv->cap * 2 : 256) *
		    sizeof *dv->v);
	c = &dv->v[dv->n++];
	c->d = *d;
	f[0] = &c->d.owner;
	f[1] = &c->d.owner_email;
	f[2] = &c->d.name;
	f[3] = &c->d.company;
	f[4] = &c->d.grade;
	f[5] = &c->d.owner_since;
	f[6] = &c->d.last_activity_at;
	f[7] = &c->d.last_deal_at;
	f[8] = &c->d.grade_limit;
	f[9] = &c->d.exempt_by;
	for (int i = 0; i < 10; i++) {
		c->s[i] = *f[i] ? xstrdup(*f[i]) : NULL;
		*f[i] = c->s[i];
	}
}

long long
crm_pool_reclaim(struct crm_db *db, const struct crm_pool *p, int exempt,
    void (*fn)(const struct crm_due *d, void *ctx), void *ctx)
{
	struct due_vec dv = { NULL, 0, 0 };
	long long moved = 0;
	char reason[200];

	crm_pool_due(db, p, crm_now(), exempt, collect, &dv);
	for (size_t i = 0; i < dv.n; i++) {
		struct crm_due *d = &dv.v[i].d;

		if (d->exempt_by == NULL) {
			if (d->grade_limit)
				snprintf(reason, sizeof reason, "reclaim: %s %lld days "
				    "(limit %lld for grade %s)", crm_rule_names[d->rule],
				    d->idle_days, d->limit_days, d->grade_limit);
			else
				snprintf(reason, sizeof reason, "reclaim: %s %lld days "
				    "(limit %lld)", crm_rule_names[d->rule],
				    d->idle_days, d->limit_days);
			moved += crm_customer_set_pool(db, d->id, p->id, reason);
		}
		if (fn)
			fn(d, ctx);
		for (int k = 0; k < 10; k++)
			free(dv.v[i].s[k]);
	}
	free(dv.v);
	return moved;
}

/* ---- the reclaim of every pool -------------------------------------- */

static const char *const reclaim_cols[] = {
	"id", "name", "company", "owner", "pool", "rule", "idle_days",
	"limit_days", "since", "action", "explain"
};

struct reclaim_out {
	struct rec_writer *w;
	struct crm_db *db;
	const char *name;
	const struct crm_pool *p;
	long long moved;
	int explain;
};

/* The record of a customer the reclaim moved (or, explaining, kept). */
static void
reclaim_record(const struct crm_due *d, void *ctx)
{
	struct reclaim_out *o = ctx;
	char id[32], idle[32], lim[32], why[700];
	const char *v[11];

	snprintf(id, sizeof id, "%lld", d->id);
	snprintf(idle, sizeof idle, "%lld", d->idle_days);
	snprintf(lim, sizeof lim, "%lld", d->limit_days);
	v[0] = id;
	v[1] = d->name;
	v[2] = d->company;
	v[3] = d->owner;
	v[4] = o->p->name;
	v[5] = crm_rule_names[d->rule];
	v[6] = idle;
	v[7] = lim;
	v[8] = d->clock;
	v[9] = d->exempt_by ? "exempt" : "move";
	crm_pool_due_explain(d, why, sizeof why);
	v[10] = why;
	recw_row(o->w, o->explain ? 11 : 9, v);
}

static void
reclaim_pool(const struct crm_pool *p, void *ctx)
{
	struct reclaim_out *o = ctx;
	long long n;

	if (o->name && strcmp(o->name, p->name) != 0)
		return;
	o->p = p;
	n = crm_pool_reclaim(o->db, p, o->explain, reclaim_record, o);
	o->moved += n;
	if (n > 0 && !crm_g.quiet)
		crm_warn("pool '%s': %lld customer%s %s", p->name, n,
		    n == 1 ? "" : "s", crm_ctx(o->db)->dry_run ?
		    "would be reclaimed" : "reclaimed");
}

long long
crm_pools_reclaim(struct crm_db *db, struct rec_writer *w, const char *name,
    int explain)
{
	struct reclaim_out o = { w, db, name, NULL, 0, explain };

	if (name)
		crm_pool_require_admin(db, crm_pool_find(db, name), "reclaiming into");
	else
		crm_require_admin(db, "reclaim of every pool");
	recw_header(w, explain ? 11 : 9, reclaim_cols);
	crm_pools_each(db, reclaim_pool, &o);
	if (o.moved == 0 && !crm_g.quiet)
		crm_warn("nothing is due");
	return o.moved;
}

/* ---- listing -------------------------------------------------------- */

static const char *const list_cols[] = {
	"id", "name", "company", "phone", "email", "region", "industry", "grade",
	"pool", "pool_since", "days_in_pool", "prev_owner", "claimable_from"
};
#define NLISTCOLS (sizeof list_cols / sizeof list_cols[0])

struct list_out {
	struct crm_db *db;
	struct rec_writer *w;
	const char *name;
	char *masks[2];
};

/* The customers of pool P, when the actor may see them. */
static void
list_pool(const struct crm_pool *p, void *ctx)
{
	struct list_out *o = ctx;
	struct crm_stmt *s;
	time_t now = crm_now();

	if ((o->name && strcmp(o->name, p->name) != 0) ||
	    crm_may_pool(o->db, p->id) != NULL)
		return;
	s = crm_sql(o->db, "SELECT c.id, c.name, c.company, c.phone,"
	    " c.email, c.region, c.industry, c.grade, c.pool_since, u.login"
	    " FROM customers c LEFT JOIN users u ON u.id = c.prev_owner_id"
	    " WHERE c.pool_id = ? AND c.merged_into IS NULL ORDER BY c.id");
	crm_bind_int(s, 1, p->id);
	while (crm_step(s)) {
		char id[32], days[32], from[CRM_TIME_LEN];
		const char *v[NLISTCOLS];
		long long cid = crm_col_int(s, 0);
		time_t since = when(crm_col_text(s, 8));

		snprintf(id, sizeof id, "%lld", cid);
		snprintf(days, sizeof days, "%lld", now > since ?
		    (long long)((now - since) / DAY) : 0LL);
		crm_format_time(crm_pool_claimable_at(p, since), from);
		v[0] = id;
		for (int k = 1; k < 8; k++)
			v[k] = crm_col_text(s, k);
		v[8] = p->name;
		v[9] = crm_col_text(s, 8);
		v[10] = v[9] ? days : NULL;
		v[11] = crm_col_text(s, 9);
		v[12] = v[9] ? from : NULL;
		crm_sight_apply(crm_sight(o->db, cid, -1, p->id), NLISTCOLS,
		    list_cols, v, o->masks);
		recw_row(o->w, NLISTCOLS, v);
	}
}

void
crm_pool_list(struct crm_db *db, struct rec_writer *w, const char *name)
{
	struct list_out o = { db, w, name, { NULL, NULL } };
	const char *why;

	if (name && (why = crm_may_pool(db, crm_pool_find(db, name))) != NULL)
		crm_die("%s", why);
	recw_header(w, NLISTCOLS, list_cols);
	crm_pools_each(db, list_pool, &o);
	crm_sight_free(o.masks);
}

long long
crm_pool_count(struct crm_db *db, long long pool_id)
{
	return crm_db_int(db, "SELECT count(*) FROM customers WHERE pool_id = ?"
	    " AND merged_into IS NULL", pool_id);
}
