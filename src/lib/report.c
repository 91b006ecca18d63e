/*
** report.c: crm-report's figures, computed from the database as tables
** of text (report.h).  Rows of deals, customers, follow-ups and history
** are read once, in the order an index gives them, and summed in C into
** groups (one per row of the report), so memory grows with the rows of
** the report, not with the deals.  Money is summed in integer minor
** units; rates and averages are exact decimal roundings of integer sums.
*/
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chart.h"
#include "db.h"
#include "die.h"
#include "history.h"
#include "html.h"
#include "map.h"
#include "money.h"
#include "period.h"
#include "policy.h"
#include "pool.h"
#include "rec.h"
#include "report.h"
#include "str.h"
#include "svg.h"
#include "table.h"
#include "user.h"
#include "when.h"

/* Sums that a long long could overflow (amounts times probabilities). */
typedef __int128 i128;

#define DAY 86400LL
#define NOKEY LLONG_MIN		/* a key part with no value (no owner, no date) */

const char *const report_by_names[BY_N] = {
	"owner", "team", "region", "industry", "source",
	"week", "month", "quarter", "year"
};

void
report_opts_init(struct report_opts *o)
{
	memset(o, 0, sizeof *o);
	o->stalled_days = REPORT_STALLED_DAYS;
	o->commit_pct = REPORT_COMMIT_PCT;
	o->within_days = -1;
}

/*
** The class of grouping B: 0 a person, 1 a place, 2 a period.  BY_N
** stands for the report's own first column (a segment, a grade), which
** is text like a place.
*/
static int
by_class(enum report_by b)
{
	return b <= BY_TEAM ? 0 : b <= BY_SOURCE || b == BY_N ? 1 : 2;
}

static int
is_period(enum report_by b)
{
	return by_class(b) == 2;
}

static enum period_kind
by_kind(enum report_by b)
{
	return b == BY_WEEK ? PERIOD_WEEK : b == BY_MONTH ? PERIOD_MONTH :
	    b == BY_QUARTER ? PERIOD_QUARTER : PERIOD_YEAR;
}

const char *
report_by_add(struct report_opts *o, const char *list, unsigned allowed)
{
	static char why[300];
	struct strvec items = STRVEC_INIT;
	const char *err = NULL;
	size_t i, k;

	sv_split(&items, list, ',');
	if (items.n == 0)
		err = "--by needs a grouping";
	for (i = 0; err == NULL && i < items.n; i++) {
		enum report_by b;

		for (b = 0; b < BY_N; b++)
			if (strcmp(items.v[i], report_by_names[b]) == 0)
				break;
		if (b == BY_N || !(allowed & (1u << b))) {
			struct strbuf names = STRBUF_INIT;

			sb_init(&names);
			for (enum report_by x = 0; x < BY_N; x++)
				if (allowed & (1u << x))
					sb_addf(&names, "%s%s", names.len ? ", " :
					    "", report_by_names[x]);
			snprintf(why, sizeof why, "--by: %s '%s' here (%s)",
			    b == BY_N ? "no grouping" : "no grouping by",
			    items.v[i], names.len ? names.buf : "none");
			sb_free(&names);
			err = why;
			break;
		}
		for (k = 0; k < o->nby; k++)
			if (by_class(o->by[k]) == by_class(b)) {
				snprintf(why, sizeof why, "--by: '%s' and '%s' "
				    "together: one person, one place and one "
				    "period at most", report_by_names[o->by[k]],
				    report_by_names[b]);
				err = why;
			}
		if (err == NULL)
			o->by[o->nby++] = b;
	}
	sv_free(&items);
	return err;
}

/* ---- exact figures --------------------------------------------------- */

/* |V| as text into BUF (at least 48 bytes); the sign is the caller's. */
static char *
u128_text(i128 v, char *buf, size_t n)
{
	char tmp[48];
	size_t k = 0;
	unsigned __int128 u = v < 0 ? (unsigned __int128)-v : (unsigned __int128)v;

	do {
		tmp[k++] = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u > 0 && k < sizeof tmp);
	for (size_t i = 0; i < k && i + 1 < n; i++)
		buf[i] = tmp[k - 1 - i];
	buf[k < n ? k : n - 1] = '\0';
	return buf;
}

/*
** NUM / DEN rounded to an integer, halves away from zero.  DEN is not 0.
*/
static i128
div_round(i128 num, i128 den)
{
	int neg = (num < 0) != (den < 0);
	i128 a = num < 0 ? -num : num, b = den < 0 ? -den : den;
	i128 q = (2 * a + b) / (2 * b);

	return neg ? -q : q;
}

/* V / 10^DEC as exact decimal text with DEC decimals (caller frees). */
static char *
fixed_text(i128 v, int dec)
{
	char digits[48];
	size_t len;
	struct strbuf sb = STRBUF_INIT;

	u128_text(v, digits, sizeof digits);
	len = strlen(digits);
	sb_init(&sb);
	if (v < 0)
		sb_addc(&sb, '-');
	if (dec == 0) {
		sb_adds(&sb, digits);
		return sb_detach(&sb);
	}
	if (len <= (size_t)dec) {
		sb_adds(&sb, "0.");
		for (size_t i = len; i < (size_t)dec; i++)
			sb_addc(&sb, '0');
		sb_adds(&sb, digits);
	} else {
		sb_add(&sb, digits, len - (size_t)dec);
		sb_addc(&sb, '.');
		sb_adds(&sb, digits + len - dec);
	}
	return sb_detach(&sb);
}

char *
report_rate(long long num, long long den)
{
	if (den == 0)
		return NULL;
	return fixed_text(div_round((i128)num * 10000, den), 4);
}

/* NUM / DEN as a rate, or NULL: the same for sums of money. */
static char *
rate128(i128 num, i128 den)
{
	return den == 0 ? NULL : fixed_text(div_round(num * 10000, den), 4);
}

/* The K-th smallest (0-based) of the values counted in HIST. */
static long long
hist_kth(const long long *hist, size_t n, long long k)
{
	long long seen = 0;

	for (size_t d = 0; d < n; d++)
		if ((seen += hist[d]) > k)
			return (long long)d;
	return n ? (long long)n - 1 : 0;
}

char *
report_percentile(const long long *hist, size_t n, int p)
{
	long long total = 0, lo, frac, a, b, v100;

	for (size_t d = 0; d < n; d++)
		total += hist[d];
	if (total == 0)
		return NULL;
	lo = (total - 1) * p / 100;
	frac = (total - 1) * p % 100;
	a = hist_kth(hist, n, lo);
	b = frac ? hist_kth(hist, n, lo + 1) : a;
	v100 = a * 100 + frac * (b - a);
	if (v100 % 100 == 0)
		return xasprintf("%lld", v100 / 100);
	if (v100 % 10 == 0)
		return xasprintf("%lld.%lld", v100 / 100, v100 % 100 / 10);
	return xasprintf("%lld.%02lld", v100 / 100, v100 % 100);
}

/* The decimals of currency CUR (ISO 4217; 2 for a code it does not know). */
static int
cur_exp(const char *cur)
{
	int e = cur ? money_exponent(cur) : -1;

	return e < 0 ? 2 : e;
}

/* MINOR units of CUR in major units, exactly (caller frees). */
static char *
money_text(i128 minor, const char *cur)
{
	return fixed_text(minor, cur_exp(cur));
}

/* A histogram of whole days, grown as needed (memory: the longest stay). */
struct hist {
	long long *v;
	size_t n;
};

static void
hist_add(struct hist *h, long long days)
{
	if (days < 0)
		days = 0;
	if (days > 1000000)
		days = 1000000;	/* 2700 years: bad data, not a stay */
	if ((size_t)days >= h->n) {
		size_t n = (size_t)days + 64;

		h->v = xrealloc(h->v, n * sizeof *h->v);
		memset(h->v + h->n, 0, (n - h->n) * sizeof *h->v);
		h->n = n;
	}
	h->v[days]++;
}

/* ---- times ----------------------------------------------------------- */

/*
** Seconds since the epoch of stored time S, "YYYY-MM-DDTHH:MM:SSZ", read
** without the C library: LLONG_MIN when S is not of that form.
*/
static long long
utc_seconds(const char *s)
{
	int v[6], i;
	static const int at[6] = { 0, 5, 8, 11, 14, 17 }, len[6] = { 4, 2, 2, 2,
		2, 2 };

	if (s == NULL || strlen(s) != 20 || s[4] != '-' || s[7] != '-' ||
	    s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
		return LLONG_MIN;
	for (i = 0; i < 6; i++) {
		v[i] = 0;
		for (int k = 0; k < len[i]; k++) {
			char c = s[at[i] + k];

			if (c < '0' || c > '9')
				return LLONG_MIN;
			v[i] = v[i] * 10 + (c - '0');
		}
	}
	if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31)
		return LLONG_MIN;
	return (long long)day_from_civil(v[0], v[1], v[2]) * DAY +
	    v[3] * 3600LL + v[4] * 60LL + v[5];
}

/* Seconds of stored time S, in any form crm_parse_time() reads. */
static long long
seconds_of(const char *s)
{
	long long t = utc_seconds(s);
	time_t tt;

	if (t != LLONG_MIN || s == NULL)
		return t;
	return crm_parse_time(s, &tt) == 0 ? (long long)tt : LLONG_MIN;
}

/* Floor division, for days before 1970. */
static long long
floor_div(long long a, long long b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/*
** The site's UTC offset at T, remembered per hour (offsets change on the
** hour where they change at all).
*/
struct tzcache {
	long long hour[1024];
	long off[1024];
	int init;
};

static long
tz_offset(struct tzcache *z, long long t)
{
	long long h = floor_div(t, 3600);
	size_t i = (size_t)(h & 1023);
	time_t tt = (time_t)t;
	struct tm tm;

	if (!z->init) {
		for (size_t k = 0; k < 1024; k++)
			z->hour[k] = LLONG_MIN;
		z->init = 1;
	}
	if (z->hour[i] != h) {
		z->hour[i] = h;
		z->off[i] = localtime_r(&tt, &tm) ? tm.tm_gmtoff : 0;
	}
	return z->off[i];
}

/* The site's local day (day number) of instant T. */
static long
day_at(struct tzcache *z, long long t)
{
	return (long)floor_div(t + tz_offset(z, t), DAY);
}

/*
** The site's local day of stored text S: a time, or a date alone
** ("2026-12-31", as an expected close may be), which is that day.
** NOKEY for NULL or unreadable text.
*/
static long long
day_of(struct tzcache *z, const char *s)
{
	long d;
	long long t;

	if (s == NULL)
		return NOKEY;
	if (strlen(s) == 10 && day_parse(s, &d) == 0)
		return d;
	if ((t = seconds_of(s)) == LLONG_MIN)
		return NOKEY;
	return day_at(z, t);
}

/* Whole days (24 hours, rounded down) from A to B; -1 when unknown. */
static long long
days_between(const char *a, const char *b)
{
	long long x = seconds_of(a), y = seconds_of(b);

	if (x == LLONG_MIN || y == LLONG_MIN)
		return -1;
	return y > x ? (y - x) / DAY : 0;
}

/* The instant the site's day DAY starts. */
static time_t
day_start_time(long day)
{
	char buf[DAY_LEN];
	time_t t;

	day_format(day, buf);
	if (crm_parse_time(buf, &t) == -1)
		crm_die("internal error: day %ld", day);
	return t;
}

/* The site's day number of instant T. */
static long
local_day(time_t t)
{
	char buf[11];
	long d;

	crm_format_date(t, buf);
	return day_parse(buf, &d) == 0 ? d : 0;
}

/* ---- building reports ------------------------------------------------ */

static struct report *
report_new(enum report_type type, const char *title)
{
	struct report *r = xcalloc(1, sizeof *r);

	r->type = type;
	r->title = xstrdup(title);
	return r;
}

/* Add column NAME of KIND; for a rate, the columns of its totals. */
static void
col_add(struct report *r, const char *name, enum report_kind kind)
{
	struct report_col *c;

	r->col = xrealloc(r->col, (r->ncol + 1) * sizeof *r->col);
	c = &r->col[r->ncol++];
	c->name = name;
	c->kind = kind;
	c->num = c->den = c->den2 = -1;
}

static void
col_rate(struct report *r, const char *name, const char *num, const char *den,
    const char *den2)
{
	col_add(r, name, RK_RATE);
	r->col[r->ncol - 1].num = num ? report_colidx(r, num) : -1;
	r->col[r->ncol - 1].den = den ? report_colidx(r, den) : -1;
	r->col[r->ncol - 1].den2 = den2 ? report_colidx(r, den2) : -1;
}

/* Cells are added left to right; cell_end() closes the row. */
static void
cell(struct report *r, const char *s)
{
	sv_push(&r->cells, s);
}

static void
cell_take(struct report *r, char *s)
{
	sv_push(&r->cells, s);
	free(s);
}

static void
cell_int(struct report *r, long long v)
{
	cell_take(r, xasprintf("%lld", v));
}

static void
cell_money(struct report *r, i128 minor, const char *cur)
{
	cell_take(r, money_text(minor, cur));
}

static void
cell_end(struct report *r)
{
	r->nrow++;
	if (r->cells.n != r->nrow * r->ncol)
		crm_die("internal error: report row %zu has %zu cells, not %zu",
		    r->nrow, r->cells.n - (r->nrow - 1) * r->ncol, r->ncol);
}

const char *
report_cell(const struct report *r, size_t row, size_t col)
{
	return row < r->nrow && col < r->ncol ? r->cells.v[row * r->ncol + col] :
	    NULL;
}

int
report_colidx(const struct report *r, const char *name)
{
	for (size_t i = 0; i < r->ncol; i++)
		if (strcmp(r->col[i].name, name) == 0)
			return (int)i;
	return -1;
}

void
report_free(struct report *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->npart; i++)
		report_free(r->part[i]);
	free(r->part);
	free(r->title);
	free(r->col);
	sv_free(&r->cells);
	free(r);
}

/* ---- the context of a report: who asks, for when, by what ------------ */

struct user_info {
	char *login;
	long long team;		/* -1: none */
	int active, rep;
};

struct rctx {
	struct crm_db *db;
	const struct report_opts *o;
	long long self;			/* the actor's user id, -1 none */
	int admin;
	long long owner, team;		/* the scope: -1 any */
	time_t now;
	long today;			/* the site's day now */
	int has_since, has_until;
	char since_s[CRM_TIME_LEN], until_s[CRM_TIME_LEN];	/* UTC text */
	long since_day, until_day;	/* the days they fall in */
	int exact;			/* [since, until) is EXACT_PERIOD */
	struct period exact_period;
	enum report_by by[REPORT_BY_MAX];
	size_t nby;
	struct user_info *users;	/* by id; NULL login: no such user */
	size_t nusers;
	char **teams;			/* by id */
	size_t nteams;
	struct strmap names;		/* places, currencies, pools, logins */
	struct strvec name_of;
	const char *label_col;		/* the name of the BY_N column */
	long long last_day[REPORT_BY_MAX], last_start[REPORT_BY_MAX];
	struct strmap logins;		/* login -> user id */
	struct strmap pool_admin;	/* pool -> whether the actor administers it */
	struct tzcache tz;
};

/* An id for text S (NULL and "" are NOKEY): places, currencies, pools. */
static long long
intern(struct rctx *c, const char *s)
{
	long long id;

	if (s == NULL || *s == '\0')
		return NOKEY;
	if ((id = map_get(&c->names, s)) >= 0)
		return id;
	sv_push(&c->name_of, s);
	return map_put(&c->names, s, (long long)c->name_of.n - 1);
}

static const char *
name_of(const struct rctx *c, long long id)
{
	return id >= 0 && (size_t)id < c->name_of.n ? c->name_of.v[id] : NULL;
}

static const char *
login_of(const struct rctx *c, long long id)
{
	return id >= 0 && (size_t)id < c->nusers ? c->users[id].login : NULL;
}

static long long
team_of(const struct rctx *c, long long user)
{
	return user >= 0 && (size_t)user < c->nusers ? c->users[user].team : -1;
}

static const char *
team_name(const struct rctx *c, long long team)
{
	return team >= 0 && (size_t)team < c->nteams ? c->teams[team] : NULL;
}

/* Users and teams, by id: a few hundred rows read once. */
static void
load_people(struct rctx *c)
{
	struct crm_stmt *s;
	long long max;

	max = crm_db_int(c->db, "SELECT coalesce(max(id), 0) FROM users", 0);
	c->nusers = (size_t)max + 1;
	c->users = xcalloc(c->nusers, sizeof *c->users);
	s = crm_sql(c->db, "SELECT id, login, team_id, active, role = 'rep'"
	    " FROM users");
	while (crm_step(s)) {
		struct user_info *u = &c->users[crm_col_int(s, 0)];

		u->login = xstrdup(crm_col_text(s, 1));
		map_put(&c->logins, u->login, crm_col_int(s, 0));
		u->team = crm_col_null(s, 2) ? -1 : crm_col_int(s, 2);
		u->active = crm_col_int(s, 3) != 0;
		u->rep = crm_col_int(s, 4) != 0;
	}
	max = crm_db_int(c->db, "SELECT coalesce(max(id), 0) FROM teams", 0);
	c->nteams = (size_t)max + 1;
	c->teams = xcalloc(c->nteams, sizeof *c->teams);
	s = crm_sql(c->db, "SELECT id, name FROM teams");
	while (crm_step(s))
		c->teams[crm_col_int(s, 0)] = xstrdup(crm_col_text(s, 1));
}

/* Read date option OPT's text S as an instant (a date: the site's midnight). */
static time_t
date_option(const char *opt, const char *s)
{
	time_t t;

	if (crm_parse_time(s, &t) == -1)
		crm_usage_error("--%s: bad date '%s' (YYYY-MM-DD, or a time)",
		    opt, s);
	return t;
}

static void
set_since(struct rctx *c, time_t t)
{
	c->has_since = 1;
	crm_format_time(t, c->since_s);
	c->since_day = local_day(t);
}

static void
set_until(struct rctx *c, time_t t)
{
	c->has_until = 1;
	crm_format_time(t, c->until_s);
	c->until_day = local_day(t);
}

/*
** The period [since, until) is exactly, when it is one: a year, quarter,
** month or ISO week from its first midnight to the next period's.
*/
static void
find_exact_period(struct rctx *c)
{
	static const enum period_kind kinds[] = {
		PERIOD_YEAR, PERIOD_QUARTER, PERIOD_MONTH, PERIOD_WEEK
	};
	struct period p;

	char a[CRM_TIME_LEN], b[CRM_TIME_LEN];

	if (!c->has_since || !c->has_until)
		return;
	crm_format_time(day_start_time(c->since_day), a);
	crm_format_time(day_start_time(c->until_day), b);
	if (strcmp(a, c->since_s) != 0 || strcmp(b, c->until_s) != 0)
		return;		/* a time of day, not midnight */
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		period_of(c->since_day, kinds[i], &p);
		if (p.start == c->since_day && p.end == c->until_day) {
			c->exact = 1;
			c->exact_period = p;
			return;
		}
	}
}

/*
** Open the context of a report on DB: the scope the rights policy and
** --owner/--team give, the dates, and the grouping (DEF when --by was
** not given).  Dies as report.h says.
*/
static void
ctx_open(struct rctx *c, struct crm_db *db, const struct report_opts *o,
    const enum report_by *def, size_t ndef)
{
	memset(c, 0, sizeof *c);
	c->db = db;
	c->o = o;
	c->self = crm_actor_id(db);
	c->admin = crm_actor_is_admin(db);
	c->owner = c->team = -1;
	for (size_t i = 0; i < REPORT_BY_MAX; i++)
		c->last_day[i] = NOKEY;
	c->now = crm_now();
	c->today = local_day(c->now);
	load_people(c);
	if (o->owner) {
		if ((c->owner = crm_user_id(db, o->owner)) < 0)
			crm_die("no user '%s'", o->owner);
		if (!c->admin && c->owner != c->self)
			crm_die("permission denied: a rep's reports cover its own "
			    "work; --owner %s needs an admin (you are '%s', %s)",
			    o->owner, crm_actor(db), crm_actor_describe(db));
	}
	if (o->team) {
		if ((c->team = crm_team_id(db, o->team)) < 0)
			crm_die("no team '%s'", o->team);
		if (!c->admin && c->team != team_of(c, c->self))
			crm_die("permission denied: a rep's reports cover its own "
			    "work; --team %s is not its team (you are '%s', %s)",
			    o->team, crm_actor(db), crm_actor_describe(db));
	}
	if (!c->admin)
		c->owner = c->self;
	if (o->period) {
		struct period p;

		if (o->since || o->until)
			crm_usage_error("--period with --since or --until: "
			    "give one or the other");
		if (period_parse(o->period, &p) == -1)
			crm_usage_error("--period must be a year, quarter, month "
			    "or ISO week (2026, 2026-Q4, 2026-11, 2026-W48), "
			    "got '%s'", o->period);
		set_since(c, day_start_time(p.start));
		set_until(c, day_start_time(p.end));
	}
	if (o->since)
		set_since(c, date_option("since", o->since));
	if (o->until)
		set_until(c, date_option("until", o->until));
	if (c->has_since && c->has_until && strcmp(c->since_s, c->until_s) >= 0)
		crm_usage_error("--until must be after --since");
	find_exact_period(c);
	if (o->nby) {
		memcpy(c->by, o->by, o->nby * sizeof *o->by);
		c->nby = o->nby;
	} else {
		for (size_t i = 0; i < ndef; i++)
			c->by[i] = def[i];
		c->nby = ndef;
	}
}

static void
ctx_close(struct rctx *c)
{
	for (size_t i = 0; i < c->nusers; i++)
		free(c->users[i].login);
	free(c->users);
	for (size_t i = 0; i < c->nteams; i++)
		free(c->teams[i]);
	free(c->teams);
	map_free(&c->names);
	map_free(&c->logins);
	map_free(&c->pool_admin);
	sv_free(&c->name_of);
}

/* Does user OWNER's row belong in the report (the team part of the scope)? */
static int
in_team(const struct rctx *c, long long owner)
{
	return c->team < 0 || (owner >= 0 && team_of(c, owner) == c->team);
}

/*
** Append to SB the scope's condition on the user column COL (a constant
** such as "d.owner_id"), bound as ?9 by bind_scope(); the team part is
** checked row by row (in_team).
*/
static void
scope_sql(const struct rctx *c, struct strbuf *sb, const char *col)
{
	if (c->owner >= 0)
		sb_addf(sb, " AND %s = ?9", col);
}

/* Bind the dates (?1 since, ?2 until) and the scope (?9) of C to S. */
static void
bind_ctx(const struct rctx *c, struct crm_stmt *s)
{
	if (c->has_since)
		crm_bind_text(s, 1, c->since_s);
	if (c->has_until)
		crm_bind_text(s, 2, c->until_s);
	if (c->owner >= 0)
		crm_bind_int(s, 9, c->owner);
}

/* Append the date conditions on COL: COL >= ?1 AND COL < ?2. */
static void
range_sql(const struct rctx *c, struct strbuf *sb, const char *col)
{
	if (c->has_since)
		sb_addf(sb, " AND %s >= ?1", col);
	if (c->has_until)
		sb_addf(sb, " AND %s < ?2", col);
}

/* A statement of its own for SQL built from constant fragments in SB. */
static struct crm_stmt *
prepare(struct rctx *c, struct strbuf *sb)
{
	struct crm_stmt *s = crm_sql_own(c->db, sb->buf);

	bind_ctx(c, s);
	return s;
}

/* Does the grouping use a place (so queries need the customer)? */
static int
needs_place(const struct rctx *c)
{
	for (size_t i = 0; i < c->nby; i++)
		if (by_class(c->by[i]) == 1)
			return 1;
	return 0;
}

/* ---- groups: one per row of a report --------------------------------- */

/*
** A group's key: the grouping's parts (a user or team id, a place id,
** or a period's first day), then K_CUR a currency id (NOKEY: none) and
** K_EXTRA what a report adds (a stage, a section).
*/
#define NK 6
#define K_CUR (NK - 2)
#define K_EXTRA (NK - 1)

struct group {
	long long k[NK];
	void *agg;
};

struct gtab {
	struct group *v;
	size_t n, cap;
	long *slot;		/* index into v, -1 empty; nslot a power of 2 */
	size_t nslot;
	size_t aggsz;
};

static size_t
khash(const long long *k)
{
	unsigned long long h = 1469598103934665603ULL;

	for (int i = 0; i < NK; i++) {
		h ^= (unsigned long long)k[i];
		h *= 1099511628211ULL;
		h ^= h >> 29;
	}
	return (size_t)h;
}

static void
gtab_init(struct gtab *t, size_t aggsz)
{
	memset(t, 0, sizeof *t);
	t->aggsz = aggsz;
}

/* The aggregate of key K, made (zeroed) when new. */
static void *
gtab_get(struct gtab *t, const long long *k)
{
	size_t i;

	if (t->n * 2 >= t->nslot) {
		size_t ns = t->nslot ? t->nslot * 2 : 64;

		free(t->slot);
		t->slot = xmalloc(ns * sizeof *t->slot);
		for (i = 0; i < ns; i++)
			t->slot[i] = -1;
		t->nslot = ns;
		for (size_t g = 0; g < t->n; g++) {
			i = khash(t->v[g].k) & (ns - 1);
			while (t->slot[i] >= 0)
				i = (i + 1) & (ns - 1);
			t->slot[i] = (long)g;
		}
	}
	i = khash(k) & (t->nslot - 1);
	while (t->slot[i] >= 0) {
		struct group *g = &t->v[t->slot[i]];

		if (memcmp(g->k, k, sizeof g->k) == 0)
			return g->agg;
		i = (i + 1) & (t->nslot - 1);
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->v = xrealloc(t->v, t->cap * sizeof *t->v);
	}
	memcpy(t->v[t->n].k, k, sizeof t->v[t->n].k);
	t->v[t->n].agg = xcalloc(1, t->aggsz);
	t->slot[i] = (long)t->n;
	return t->v[t->n++].agg;
}

static void
gtab_free(struct gtab *t, void (*fn)(void *agg))
{
	for (size_t i = 0; i < t->n; i++) {
		if (fn)
			fn(t->v[i].agg);
		free(t->v[i].agg);
	}
	free(t->v);
	free(t->slot);
}

/* The values a row of the database brings to the grouping. */
struct rowkey {
	long long owner;		/* user id, -1 none */
	const char *region, *industry, *source;
	const char *label;		/* BY_N: a segment, a grade */
	long long day;			/* the site's day of its date; NOKEY */
	const char *cur;		/* NULL: no currency */
	long long extra;
};

/* Fill K for row R under C's grouping. */
static void
key_of(struct rctx *c, const struct rowkey *r, long long *k)
{
	for (int i = 0; i < NK; i++)
		k[i] = 0;
	for (size_t i = 0; i < c->nby; i++) {
		struct period p;

		switch (c->by[i]) {
		case BY_OWNER:
			k[i] = r->owner >= 0 ? r->owner : NOKEY;
			break;
		case BY_TEAM:
			k[i] = team_of(c, r->owner);
			if (k[i] < 0)
				k[i] = NOKEY;
			break;
		case BY_REGION:
			k[i] = intern(c, r->region);
			break;
		case BY_INDUSTRY:
			k[i] = intern(c, r->industry);
			break;
		case BY_SOURCE:
			k[i] = intern(c, r->source);
			break;
		case BY_N:
			k[i] = intern(c, r->label);
			break;
		default:
			if (r->day == NOKEY)
				k[i] = NOKEY;
			else if (r->day == c->last_day[i])
				k[i] = c->last_start[i];	/* rows come in runs of a day */
			else {
				period_of((long)r->day, by_kind(c->by[i]), &p);
				k[i] = c->last_start[i] = p.start;
				c->last_day[i] = r->day;
			}
		}
	}
	k[K_CUR] = intern(c, r->cur);
	k[K_EXTRA] = r->extra;
}

/* The text of key part I of K (a static buffer for a period), or NULL. */
static const char *
key_label(const struct rctx *c, size_t i, const long long *k)
{
	static char buf[REPORT_BY_MAX][PERIOD_LEN];
	struct period p;

	if (k[i] == NOKEY)
		return NULL;
	switch (c->by[i]) {
	case BY_OWNER:
		return login_of(c, k[i]);
	case BY_TEAM:
		return team_name(c, k[i]);
	case BY_REGION: case BY_INDUSTRY: case BY_SOURCE: case BY_N:
		return name_of(c, k[i]);
	default:
		period_of((long)k[i], by_kind(c->by[i]), &p);
		period_format(&p, buf[i]);
		return buf[i];
	}
}

/* Text with NULL last. */
static int
cmp_text(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == NULL) - (b == NULL);
	return strcmp(a, b);
}

static const struct rctx *sort_ctx;

/* Groups in the order rows come out: by key part, currency, extra. */
static int
group_cmp(const void *pa, const void *pb)
{
	const struct group *a = pa, *b = pb;
	const struct rctx *c = sort_ctx;
	int d;

	for (size_t i = 0; i < c->nby; i++) {
		if (a->k[i] == b->k[i])
			continue;
		if (is_period(c->by[i]) || a->k[i] == NOKEY || b->k[i] == NOKEY) {
			if (a->k[i] == NOKEY || b->k[i] == NOKEY)
				return a->k[i] == NOKEY ? 1 : -1;
			return a->k[i] < b->k[i] ? -1 : 1;
		}
		if ((d = cmp_text(key_label(c, i, a->k), key_label(c, i, b->k))))
			return d;
		return a->k[i] < b->k[i] ? -1 : 1;
	}
	if (a->k[K_CUR] != b->k[K_CUR]) {
		if (a->k[K_CUR] == NOKEY || b->k[K_CUR] == NOKEY)
			return a->k[K_CUR] == NOKEY ? -1 : 1;
		return cmp_text(name_of(c, a->k[K_CUR]), name_of(c, b->k[K_CUR]));
	}
	return (a->k[K_EXTRA] > b->k[K_EXTRA]) - (a->k[K_EXTRA] < b->k[K_EXTRA]);
}

static void
gtab_sort(struct rctx *c, struct gtab *t)
{
	sort_ctx = c;
	if (t->n > 1)
		qsort(t->v, t->n, sizeof *t->v, group_cmp);
	sort_ctx = NULL;
	free(t->slot);		/* the table is read in order from now on */
	t->slot = NULL;
	t->nslot = 0;
}

/* Do A and B have the same grouping key (currency and extra aside)? */
static int
same_key(const struct rctx *c, const long long *a, const long long *b)
{
	for (size_t i = 0; i < c->nby; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

/* Add the key columns of C's grouping to R: owner (and its team), ... */
static void
key_cols(const struct rctx *c, struct report *r)
{
	for (size_t i = 0; i < c->nby; i++) {
		col_add(r, c->by[i] == BY_N ? c->label_col :
		    report_by_names[c->by[i]], RK_TEXT);
		if (c->by[i] == BY_OWNER)
			col_add(r, "team", RK_TEXT);
	}
	r->nkey = r->ncol;
}

/* Add the key cells of K. */
static void
key_cells(const struct rctx *c, struct report *r, const long long *k)
{
	for (size_t i = 0; i < c->nby; i++) {
		cell(r, key_label(c, i, k));
		if (c->by[i] == BY_OWNER)
			cell(r, k[i] == NOKEY ? NULL : team_name(c, team_of(c, k[i])));
	}
}

/*
** Seed T with an empty group for each key part C's grouping can list in
** advance (every rep and team in the scope; every period between --since
** and --until), so that a rep with nothing done still has its row.
** Nothing is seeded when a part cannot be listed (a place, an open
** period range).
*/
static void
seed(struct rctx *c, struct gtab *t)
{
	long long *vals[REPORT_BY_MAX] = { NULL }, k[NK];
	size_t nval[REPORT_BY_MAX] = { 0 }, idx[REPORT_BY_MAX], i;

	for (i = 0; i < c->nby; i++) {
		if (c->by[i] == BY_OWNER) {
			vals[i] = xcalloc(c->nusers + 1, sizeof *vals[i]);
			for (size_t u = 0; u < c->nusers; u++)
				if (c->users[u].login && c->users[u].active &&
				    (c->users[u].rep || (long long)u == c->owner) &&
				    (c->owner < 0 || (long long)u == c->owner) &&
				    in_team(c, (long long)u))
					vals[i][nval[i]++] = (long long)u;
		} else if (c->by[i] == BY_TEAM) {
			vals[i] = xcalloc(c->nteams + 1, sizeof *vals[i]);
			for (size_t m = 0; m < c->nteams; m++)
				if (c->teams[m] && (c->team < 0 ||
				    (long long)m == c->team) && (c->owner < 0 ||
				    team_of(c, c->owner) == (long long)m))
					vals[i][nval[i]++] = (long long)m;
		} else if (is_period(c->by[i]) && c->has_since && c->has_until &&
		    c->until_day - c->since_day <= 3700) {
			struct period p;
			long d = c->since_day;

			vals[i] = xcalloc((size_t)(c->until_day - c->since_day) + 2,
			    sizeof *vals[i]);
			while (d < c->until_day) {
				period_of(d, by_kind(c->by[i]), &p);
				vals[i][nval[i]++] = p.start;
				d = p.end;
			}
		} else
			goto out;
		if (nval[i] == 0)
			goto out;
	}
	for (i = 0; i < c->nby; i++)
		idx[i] = 0;
	for (;;) {
		for (i = 0; i < NK; i++)
			k[i] = 0;
		for (i = 0; i < c->nby; i++)
			k[i] = vals[i][idx[i]];
		k[K_CUR] = NOKEY;
		(void)gtab_get(t, k);
		for (i = c->nby; i-- > 0;) {
			if (++idx[i] < nval[i])
				break;
			idx[i] = 0;
		}
		if (i == (size_t)-1)
			break;
	}
out:
	for (i = 0; i < c->nby; i++)
		free(vals[i]);
}

/* ---- performance, sources, regions, industries ----------------------- */

/* What was done in a group; counts in the group without a currency. */
struct perf {
	long long leads, converted, customers, calls, visits, acts;
	long long won, lost, cycle_days, cycle_n;
	i128 won_minor;
};

enum {
	P_LEADS = 1,		/* customers created in the period */
	P_CONVERTED = 2,	/* ... and whether they became customers */
	P_CUSTOMERS = 4,	/* customers that became customers in the period */
	P_ACTS = 8,		/* follow-ups done in the period */
	P_DEALS = 16		/* deals won or lost in the period */
};

/* The group of row R in T, or NULL when its owner is outside the team scope. */
static struct perf *
perf_at(struct rctx *c, struct gtab *t, const struct rowkey *r)
{
	long long k[NK];

	if (!in_team(c, r->owner))
		return NULL;
	key_of(c, r, k);
	return gtab_get(t, k);
}

/* Customers created in the period, by their owner. */
static void
collect_leads(struct rctx *c, struct gtab *t, int converted)
{
	struct strbuf sb = STRBUF_INIT;
	struct crm_stmt *s;
	struct rowkey r;
	struct perf *p;

	sb_init(&sb);
	sb_adds(&sb, "SELECT c.owner_id, c.created_at, c.region, c.industry,"
	    " c.source");
	if (converted)
		sb_adds(&sb, ", c.status = 'customer' OR EXISTS (SELECT 1 FROM"
		    " history h WHERE h.entity = 'customer' AND h.entity_id = c.id"
		    " AND h.field = 'status' AND h.new_value = 'customer')");
	sb_adds(&sb, " FROM customers c WHERE c.merged_into IS NULL");
	range_sql(c, &sb, "c.created_at");
	scope_sql(c, &sb, "c.owner_id");
	s = prepare(c, &sb);
	memset(&r, 0, sizeof r);
	while (crm_step(s)) {
		r.owner = crm_col_null(s, 0) ? -1 : crm_col_int(s, 0);
		r.day = day_of(&c->tz, crm_col_text(s, 1));
		r.region = crm_col_text(s, 2);
		r.industry = crm_col_text(s, 3);
		r.source = crm_col_text(s, 4);
		if ((p = perf_at(c, t, &r)) == NULL)
			continue;
		p->leads++;
		if (converted && crm_col_int(s, 5))
			p->converted++;
	}
	crm_stmt_free(s);
	sb_free(&sb);
}

/*
** Customers that became customers in the period, by their owner: the
** first history row that set status 'customer', or, for a customer
** created as one, its creation.
*/
static void
collect_customers(struct rctx *c, struct gtab *t)
{
	struct strbuf sb = STRBUF_INIT;
	struct crm_stmt *s;
	struct rowkey r;
	struct perf *p;

	sb_init(&sb);
	sb_adds(&sb, "SELECT c.owner_id, v.at, c.region, c.industry, c.source"
	    " FROM (SELECT h.entity_id AS id, min(h.at) AS at FROM history h"
	    " WHERE h.entity = 'customer' AND h.field = 'status'"
	    " AND h.new_value = 'customer' GROUP BY h.entity_id) v"
	    " JOIN customers c ON c.id = v.id WHERE c.merged_into IS NULL");
	range_sql(c, &sb, "v.at");
	scope_sql(c, &sb, "c.owner_id");
	sb_adds(&sb, " UNION ALL SELECT c.owner_id, c.created_at, c.region,"
	    " c.industry, c.source FROM customers c WHERE c.status = 'customer'"
	    " AND c.merged_into IS NULL AND NOT EXISTS (SELECT 1 FROM history h"
	    " WHERE h.entity = 'customer' AND h.entity_id = c.id"
	    " AND h.field = 'status' AND h.new_value = 'customer')");
	range_sql(c, &sb, "c.created_at");
	scope_sql(c, &sb, "c.owner_id");
	s = prepare(c, &sb);
	memset(&r, 0, sizeof r);
	while (crm_step(s)) {
		r.owner = crm_col_null(s, 0) ? -1 : crm_col_int(s, 0);
		r.day = day_of(&c->tz, crm_col_text(s, 1));
		r.region = crm_col_text(s, 2);
		r.industry = crm_col_text(s, 3);
		r.source = crm_col_text(s, 4);
		if ((p = perf_at(c, t, &r)) != NULL)
			p->customers++;
	}
	crm_stmt_free(s);
	sb_free(&sb);
}

/* Follow-ups done in the period, by who did them. */
static void
collect_acts(struct rctx *c, struct gtab *t)
{
	struct strbuf sb = STRBUF_INIT;
	struct crm_stmt *s;
	struct rowkey r;
	struct perf *p;
	int place = needs_place(c), period = 0;

	for (size_t i = 0; i < c->nby; i++)
		period |= is_period(c->by[i]);
	sb_init(&sb);
	sb_adds(&sb, "SELECT a.user_id, a.kind, a.at");
	if (place)
		sb_adds(&sb, ", c.region, c.industry, c.source FROM activities a"
		    " JOIN customers c ON c.id = a.customer_id");
	else
		sb_adds(&sb, " FROM activities a");
	sb_adds(&sb, " WHERE a.done_at IS NOT NULL");
	range_sql(c, &sb, "a.at");
	scope_sql(c, &sb, "a.user_id");
	s = prepare(c, &sb);
	memset(&r, 0, sizeof r);
	r.day = NOKEY;
	while (crm_step(s)) {
		const char *kind = crm_col_text(s, 1);

		r.owner = crm_col_null(s, 0) ? -1 : crm_col_int(s, 0);
		if (period)
			r.day = day_of(&c->tz, crm_col_text(s, 2));
		if (place) {
			r.region = crm_col_text(s, 3);
			r.industry = crm_col_text(s, 4);
			r.source = crm_col_text(s, 5);
		}
		if ((p = perf_at(c, t, &r)) == NULL)
			continue;
		p->acts++;
		if (strcmp(kind, "call") == 0)
			p->calls++;
		else if (strcmp(kind, "visit") == 0)
			p->visits++;
	}
	crm_stmt_free(s);
	sb_free(&sb);
}

/* Deals won or lost in the period, by their owner and currency. */
static void
collect_deals(struct rctx *c, struct gtab *t)
{
	struct strbuf sb = STRBUF_INIT;
	struct crm_stmt *s;
	struct rowkey r;
	struct perf *p;
	int place = needs_place(c);

	sb_init(&sb);
	sb_adds(&sb, "SELECT d.owner_id, s.outcome = 'won', d.amount, d.currency,"
	    " d.created_at, d.closed_at");
	if (place)
		sb_adds(&sb, ", c.region, c.industry, coalesce(d.source, c.source)"
		    " FROM deals d JOIN stages s ON s.id = d.stage_id"
		    " JOIN customers c ON c.id = d.customer_id");
	else
		sb_adds(&sb, " FROM deals d JOIN stages s ON s.id = d.stage_id");
	sb_adds(&sb, " WHERE d.closed_at IS NOT NULL AND s.outcome <> 'open'");
	range_sql(c, &sb, "d.closed_at");
	scope_sql(c, &sb, "d.owner_id");
	s = prepare(c, &sb);
	memset(&r, 0, sizeof r);
	while (crm_step(s)) {
		int won = crm_col_int(s, 1) != 0;
		const char *closed = crm_col_text(s, 5);

		r.owner = crm_col_null(s, 0) ? -1 : crm_col_int(s, 0);
		r.cur = crm_col_text(s, 3);
		r.day = day_of(&c->tz, closed);
		if (place) {
			r.region = crm_col_text(s, 6);
			r.industry = crm_col_text(s, 7);
			r.source = crm_col_text(s, 8);
		}
		if ((p = perf_at(c, t, &r)) == NULL)
			continue;
		if (!won) {
			p->lost++;
			continue;
		}
		p->won++;
		p->won_minor += crm_col_int(s, 2);
		{
			long long d = days_between(crm_col_text(s, 4), closed);

			if (d >= 0) {
				p->cycle_days += d;
				p->cycle_n++;
			}
		}
	}
	crm_stmt_free(s);
	sb_free(&sb);
}

/* A target: of a user or a team, for a period, in a currency. */
struct target {
	long long user, team, cur, minor;
	struct period p;
};

static size_t
load_targets(struct rctx *c, struct target **out)
{
	struct crm_stmt *s = crm_sql(c->db, "SELECT user_id, team_id, period,"
	    " amount, currency FROM targets ORDER BY id");
	struct target *v = NULL;
	size_t n = 0, cap = 0;

	while (crm_step(s)) {
		struct target x;

		if (period_parse(crm_col_text(s, 2), &x.p) == -1)
			continue;	/* not a period crm-report knows */
		x.user = crm_col_null(s, 0) ? -1 : crm_col_int(s, 0);
		x.team = crm_col_null(s, 1) ? -1 : crm_col_int(s, 1);
		x.minor = crm_col_int(s, 3);
		x.cur = intern(c, crm_col_text(s, 4));
		if (n == cap)
			v = xrealloc(v, (cap = cap ? cap * 2 : 16) * sizeof *v);
		v[n++] = x;
	}
	*out = v;
	return n;
}

/*
** Who and when the target of a row with key K would be set for: *USER
** or *TEAM (-1: neither) and *P.  0 when the row has no target: it is
** not one user's or team's, or not exactly one period's.
*/
static int
target_of(const struct rctx *c, const long long *k, long long *user,
    long long *team, struct period *p)
{
	int have_p = 0;

	*user = *team = -1;
	for (size_t i = 0; i < c->nby; i++) {
		if (c->by[i] == BY_OWNER && k[i] != NOKEY)
			*user = k[i];
		else if (c->by[i] == BY_TEAM && k[i] != NOKEY)
			*team = k[i];
		else if (is_period(c->by[i]) && k[i] != NOKEY) {
			period_of((long)k[i], by_kind(c->by[i]), p);
			have_p = 1;
		}
	}
	if (!have_p && c->exact) {
		*p = c->exact_period;
		have_p = 1;
	}
	if (*team >= 0 && !c->admin)
		return 0;	/* a rep's row of its team is its own share */
	return have_p && (*user >= 0 || *team >= 0);
}

static const struct target *
target_find(const struct target *v, size_t n, long long user, long long team,
    const struct period *p, long long cur)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].cur == cur && v[i].p.kind == p->kind &&
		    v[i].p.start == p->start &&
		    (user >= 0 ? v[i].user == user : v[i].team == team))
			return &v[i];
	return NULL;
}

/* The cells of a group's deals: won, lost, amount, rate, average, cycle. */
static void
deal_cells(struct report *r, const struct perf *p, const char *cur)
{
	cell_int(r, p ? p->won : 0);
	cell_int(r, p ? p->lost : 0);
	cell_money(r, p ? p->won_minor : 0, cur);
	cell_take(r, p ? report_rate(p->won, p->won + p->lost) : NULL);
	cell_take(r, p && p->won ? money_text(div_round(p->won_minor, p->won),
	    cur) : NULL);
	cell_take(r, p && p->cycle_n ? fixed_text(div_round((i128)p->cycle_days *
	    10, p->cycle_n), 1) : NULL);
}

/*
** Rows of performance (DIM false) or of a dimension report: for each key
** in T (sorted), one row per currency of its deals and targets, the
** counts on the first.
*/
static void
perf_rows(struct rctx *c, struct gtab *t, struct report *r, int dim)
{
	struct target *tv;
	size_t ntv = load_targets(c, &tv), i = 0, j, nc, cap = 0;
	long long *curs = NULL, first_cur = NOKEY;
	int multi = 0;

	while (i < t->n) {
		const long long *k = t->v[i].k;
		struct perf *counts = NULL;
		long long user, team;
		struct period p;
		int has_target = target_of(c, k, &user, &team, &p);

		/* the currencies of its deals (by name), then of its targets */
		nc = 0;
		for (j = i; j < t->n && same_key(c, t->v[j].k, k); j++) {
			if (nc + ntv + 1 > cap)
				curs = xrealloc(curs, (cap = 2 * (nc + ntv + 1)) *
				    sizeof *curs);
			if (t->v[j].k[K_CUR] == NOKEY)
				counts = t->v[j].agg;
			else
				curs[nc++] = t->v[j].k[K_CUR];
		}
		if (nc + ntv + 1 > cap)
			curs = xrealloc(curs, (cap = nc + ntv + 1) * sizeof *curs);
		for (size_t x = 0; has_target && !dim && x < ntv; x++) {
			size_t y;

			if (target_find(&tv[x], 1, user, team, &p, tv[x].cur) == NULL)
				continue;
			for (y = 0; y < nc && curs[y] != tv[x].cur; y++)
				;
			if (y == nc)
				curs[nc++] = tv[x].cur;
		}
		for (size_t y = 0; y < (nc ? nc : 1); y++) {
			long long cur = nc ? curs[y] : NOKEY;
			const char *curname = name_of(c, cur);
			const struct perf *m = NULL;
			const struct target *tg;

			if (cur != NOKEY) {
				if (first_cur == NOKEY)
					first_cur = cur;
				else if (cur != first_cur)
					multi = 1;
				for (size_t g = i; g < j; g++)
					if (t->v[g].k[K_CUR] == cur)
						m = t->v[g].agg;
			}
			key_cells(c, r, k);
			cell(r, curname);
			if (dim) {
				cell_take(r, y ? NULL : xasprintf("%lld", counts ?
				    counts->leads : 0));
				cell_take(r, y ? NULL : xasprintf("%lld", counts ?
				    counts->converted : 0));
				cell_take(r, y || !counts ? NULL :
				    report_rate(counts->converted, counts->leads));
				cell_int(r, m ? m->won : 0);
				cell_money(r, m ? m->won_minor : 0, curname);
				cell_end(r);
				continue;
			}
			if (y == 0) {
				cell_int(r, counts ? counts->leads : 0);
				cell_int(r, counts ? counts->customers : 0);
				cell_int(r, counts ? counts->calls : 0);
				cell_int(r, counts ? counts->visits : 0);
				cell_int(r, counts ? counts->acts : 0);
			} else
				for (int z = 0; z < 5; z++)
					cell(r, NULL);
			deal_cells(r, m, curname);
			tg = has_target ? target_find(tv, ntv, user, team, &p, cur) :
			    NULL;
			if (tg) {
				i128 won = m ? m->won_minor : 0;

				cell_money(r, tg->minor, curname);
				cell_take(r, rate128(won, tg->minor));
				cell_money(r, tg->minor > won ? tg->minor - won : 0,
				    curname);
			} else {
				cell(r, NULL);
				cell(r, NULL);
				cell(r, NULL);
			}
			cell_end(r);
		}
		i = j;
	}
	r->multi_currency = multi;
	free(curs);
	free(tv);
}

struct report *
report_performance(struct crm_db *db, const struct report_opts *o)
{
	static const enum report_by def[] = { BY_OWNER };
	struct rctx c;
	struct gtab t;
	struct report *r;

	ctx_open(&c, db, o, def, 1);
	gtab_init(&t, sizeof(struct perf));
	seed(&c, &t);
	collect_leads(&c, &t, 0);
	collect_customers(&c, &t);
	collect_acts(&c, &t);
	collect_deals(&c, &t);
	gtab_sort(&c, &t);
	r = report_new(RT_PERFORMANCE, "业绩 performance");
	key_cols(&c, r);
	col_add(r, "currency", RK_TEXT);
	col_add(r, "new_leads", RK_COUNT);
	col_add(r, "new_customers", RK_COUNT);
	col_add(r, "calls", RK_COUNT);
	col_add(r, "visits", RK_COUNT);
	col_add(r, "activities", RK_COUNT);
	col_add(r, "deals_won", RK_COUNT);
	col_add(r, "deals_lost", RK_COUNT);
	col_add(r, "won_amount", RK_MONEY);
	col_rate(r, "win_rate", "deals_won", "deals_won", "deals_lost");
	col_add(r, "avg_deal", RK_FIGURE);
	col_add(r, "avg_cycle_days", RK_FIGURE);
	col_add(r, "target", RK_MONEY);
	col_rate(r, "achieved", "won_amount", "target", NULL);
	col_add(r, "left_to_target", RK_MONEY);
	perf_rows(&c, &t, r, 0);
	gtab_free(&t, NULL);
	ctx_close(&c);
	return r;
}

struct report *
report_dimension(struct crm_db *db, const struct report_opts *o,
    enum report_by dim)
{
	struct rctx c;
	struct gtab t;
	struct report *r;
	const char *title = dim == BY_SOURCE ? "线索来源 sources" :
	    dim == BY_REGION ? "地区 regions" : "行业 industries";

	ctx_open(&c, db, o, NULL, 0);
	if (c.nby + 1 > REPORT_BY_MAX)
		crm_usage_error("--by: too many groupings");
	memmove(c.by + 1, c.by, c.nby * sizeof *c.by);
	c.by[0] = dim;
	c.nby++;
	gtab_init(&t, sizeof(struct perf));
	collect_leads(&c, &t, 1);
	collect_deals(&c, &t);
	gtab_sort(&c, &t);
	r = report_new(RT_DIMENSION, title);
	key_cols(&c, r);
	col_add(r, "currency", RK_TEXT);
	col_add(r, "leads", RK_COUNT);
	col_add(r, "converted", RK_COUNT);
	col_rate(r, "conversion", "converted", "leads", NULL);
	col_add(r, "deals_won", RK_COUNT);
	col_add(r, "won_amount", RK_MONEY);
	perf_rows(&c, &t, r, 1);
	gtab_free(&t, NULL);
	ctx_close(&c);
	return r;
}

/* ---- funnel ---------------------------------------------------------- */

struct stage {
	long long id;
	char *name, *label;
	int pos, prob;
	char outcome;		/* 'o'pen, 'w'on, 'l'ost */
};

struct stages {
	struct stage *v;
	size_t n;
};

static void
load_stages(struct crm_db *db, struct stages *st)
{
	struct crm_stmt *s = crm_sql(db, "SELECT id, name, label, position,"
	    " probability, outcome FROM stages ORDER BY position, id");
	size_t cap = 0;

	memset(st, 0, sizeof *st);
	while (crm_step(s)) {
		struct stage *x;

		if (st->n == cap)
			st->v = xrealloc(st->v, (cap = cap ? cap * 2 : 8) *
			    sizeof *st->v);
		x = &st->v[st->n++];
		x->id = crm_col_int(s, 0);
		x->name = xstrdup(crm_col_text(s, 1));
		x->label = crm_col_null(s, 2) ? NULL : xstrdup(crm_col_text(s, 2));
		x->pos = (int)crm_col_int(s, 3);
		x->prob = (int)crm_col_int(s, 4);
		x->outcome = crm_col_text(s, 5)[0];
	}
}

static void
free_stages(struct stages *st)
{
	for (size_t i = 0; i < st->n; i++) {
		free(st->v[i].name);
		free(st->v[i].label);
	}
	free(st->v);
}

static int
stage_index(const struct stages *st, long long id)
{
	for (size_t i = 0; i < st->n; i++)
		if (st->v[i].id == id)
			return (int)i;
	return -1;
}

/* One funnel (a key and a currency): per stage. */
struct funnel {
	long long *deals, *entered, *stalled;
	i128 *amount;
	struct hist *days;	/* whole days of each finished stay */
	long long won;		/* deals that entered a won stage */
};

static void
funnel_free(void *agg)
{
	struct funnel *f = agg;

	free(f->deals);
	free(f->entered);
	free(f->stalled);
	free(f->amount);
	if (f->days)
		for (size_t i = 0; f->days[i].n != (size_t)-1; i++)
			free(f->days[i].v);
	free(f->days);
}

static void
funnel_alloc(struct funnel *f, size_t n)
{
	if (f->deals)
		return;
	f->deals = xcalloc(n, sizeof *f->deals);
	f->entered = xcalloc(n, sizeof *f->entered);
	f->stalled = xcalloc(n, sizeof *f->stalled);
	f->amount = xcalloc(n, sizeof *f->amount);
	f->days = xcalloc(n + 1, sizeof *f->days);
	f->days[n].n = (size_t)-1;	/* the end, for funnel_free() */
}

/* A stay of a deal in a stage: seconds; LLONG_MIN for none. */
struct stay {
	int stage;
	long long entered, left;
};

/* What the funnel needs of one deal while its stays are read. */
struct fdeal {
	long long id, k[NK], amount, since;
	int stage, skip;
	struct stay *stays;
	size_t n, cap;
};

/* Count deal D (its stays read) into funnel F. */
static void
funnel_add(const struct rctx *c, const struct stages *st, struct funnel *f,
    const struct fdeal *d)
{
	int furthest = INT_MIN, won = 0, cur = d->stage;
	char buf[64], *in = st->n <= sizeof buf ? buf : xmalloc(st->n);

	memset(in, 0, st->n);

	if (cur >= 0)
		in[cur] = 1;
	for (size_t i = 0; i < d->n; i++) {
		const struct stay *s = &d->stays[i];

		in[s->stage] = 1;
		if (s->left != LLONG_MIN && s->entered != LLONG_MIN)
			hist_add(&f->days[s->stage], s->left > s->entered ?
			    (s->left - s->entered) / DAY : 0);
	}
	for (size_t i = 0; i < st->n; i++) {
		if (!in[i])
			continue;
		if (st->v[i].outcome == 'o' && st->v[i].pos > furthest)
			furthest = st->v[i].pos;
		if (st->v[i].outcome == 'w')
			won = 1;
	}
	for (size_t i = 0; i < st->n; i++)
		if (st->v[i].outcome == 'o' ? won || st->v[i].pos <= furthest :
		    in[i])
			f->entered[i]++;
	f->won += won;
	if (cur >= 0) {
		long long start = d->since;

		f->deals[cur]++;
		f->amount[cur] += d->amount;
		for (size_t i = 0; i < d->n; i++)
			if (d->stays[i].stage == cur && d->stays[i].left == LLONG_MIN)
				start = d->stays[i].entered;
		if (st->v[cur].outcome == 'o' && start != LLONG_MIN &&
		    (long long)c->now - start > c->o->stalled_days * DAY)
			f->stalled[cur]++;
	}
	if (in != buf)
		free(in);
}

/* Read the deals of the scope with their stays into T, one funnel per key. */
static void
collect_funnel(struct rctx *c, const struct stages *st, struct gtab *t)
{
	struct strbuf sb = STRBUF_INIT;
	struct crm_stmt *s;
	struct fdeal d;
	int place = needs_place(c);

	sb_init(&sb);
	sb_adds(&sb, "SELECT d.id, d.owner_id, d.stage_id, d.amount, d.currency,"
	    " d.stage_since, d.created_at, ds.stage_id, ds.entered_at,"
	    " ds.left_at");
	if (place)
		sb_adds(&sb, ", c.region, c.industry, coalesce(d.source, c.source)"
		    " FROM deals d JOIN customers c ON c.id = d.customer_id");
	else
		sb_adds(&sb, " FROM deals d");
	sb_adds(&sb, " LEFT JOIN deal_stages ds ON ds.deal_id = d.id WHERE 1 = 1");
	range_sql(c, &sb, "d.created_at");
	scope_sql(c, &sb, "d.owner_id");
	/* a deal's stays in the order they came: SQLite reads them so by its index */
	sb_adds(&sb, crm_db_variant(c->db, " ORDER BY d.id",
	    " ORDER BY d.id, ds.entered_at, ds.rowid"));
	s = prepare(c, &sb);
	memset(&d, 0, sizeof d);
	d.id = -1;
	for (;;) {
		int more = crm_step(s);

		if (d.id >= 0 && (!more || crm_col_int(s, 0) != d.id)) {
			if (!d.skip) {
				struct funnel *f = gtab_get(t, d.k);

				funnel_alloc(f, st->n);
				funnel_add(c, st, f, &d);
			}
			d.id = -1;
		}
		if (!more)
			break;
		if (d.id < 0) {
			struct rowkey r;

			memset(&r, 0, sizeof r);
			d.id = crm_col_int(s, 0);
			d.n = 0;
			r.owner = crm_col_null(s, 1) ? -1 : crm_col_int(s, 1);
			d.skip = !in_team(c, r.owner);
			d.stage = stage_index(st, crm_col_int(s, 2));
			d.amount = crm_col_int(s, 3);
			r.cur = crm_col_text(s, 4);
			d.since = seconds_of(crm_col_text(s, 5));
			r.day = day_of(&c->tz, crm_col_text(s, 6));
			if (place) {
				r.region = crm_col_text(s, 10);
				r.industry = crm_col_text(s, 11);
				r.source = crm_col_text(s, 12);
			}
			if (!d.skip)
				key_of(c, &r, d.k);
		}
		if (!crm_col_null(s, 7)) {
			int i = stage_index(st, crm_col_int(s, 7));

			if (i < 0)
				continue;
			if (d.n == d.cap)
				d.stays = xrealloc(d.stays, (d.cap = d.cap ? d.cap * 2 :
				    8) * sizeof *d.stays);
			d.stays[d.n].stage = i;
			d.stays[d.n].entered = seconds_of(crm_col_text(s, 8));
			d.stays[d.n].left = crm_col_null(s, 9) ? LLONG_MIN :
			    seconds_of(crm_col_text(s, 9));
			d.n++;
		}
	}
	free(d.stays);
	crm_stmt_free(s);
	sb_free(&sb);
}

struct report *
report_funnel(struct crm_db *db, const struct report_opts *o)
{
	struct rctx c;
	struct stages st;
	struct gtab t;
	struct report *r;
	long long k[NK] = { 0 };

	ctx_open(&c, db, o, NULL, 0);
	load_stages(db, &st);
	gtab_init(&t, sizeof(struct funnel));
	collect_funnel(&c, &st, &t);
	if (t.n == 0 && c.nby == 0) {
		k[K_CUR] = NOKEY;
		funnel_alloc(gtab_get(&t, k), st.n);
	}
	gtab_sort(&c, &t);
	r = report_new(RT_FUNNEL, "销售漏斗 funnel");
	key_cols(&c, r);
	col_add(r, "stage", RK_TEXT);
	col_add(r, "label", RK_TEXT);
	col_add(r, "currency", RK_TEXT);
	col_add(r, "deals", RK_COUNT);
	col_add(r, "amount", RK_MONEY);
	col_add(r, "entered", RK_FIGURE);
	col_rate(r, "to_next", NULL, NULL, NULL);
	col_rate(r, "to_won", NULL, NULL, NULL);
	col_add(r, "median_days", RK_FIGURE);
	col_add(r, "p90_days", RK_FIGURE);
	col_add(r, "stalled", RK_COUNT);
	for (size_t g = 0; g < t.n; g++) {
		struct funnel *f = t.v[g].agg;
		const char *cur = name_of(&c, t.v[g].k[K_CUR]);

		if (g > 0 && t.v[g].k[K_CUR] != t.v[0].k[K_CUR])
			r->multi_currency = 1;
		for (size_t i = 0; i < st.n; i++) {
			const struct stage *s = &st.v[i];
			long long next = -1;

			key_cells(&c, r, t.v[g].k);
			cell(r, s->name);
			cell(r, s->label);
			cell(r, cur);
			cell_int(r, f->deals[i]);
			cell_money(r, f->amount[i], cur);
			cell_int(r, f->entered[i]);
			if (s->outcome == 'o') {
				size_t j;

				for (j = i + 1; j < st.n && st.v[j].outcome != 'o'; j++)
					;
				next = j < st.n ? f->entered[j] : f->won;
			}
			cell_take(r, next >= 0 ? report_rate(next, f->entered[i]) :
			    NULL);
			cell_take(r, s->outcome == 'o' ? report_rate(f->won,
			    f->entered[i]) : NULL);
			cell_take(r, report_percentile(f->days[i].v, f->days[i].n, 50));
			cell_take(r, report_percentile(f->days[i].v, f->days[i].n, 90));
			if (s->outcome == 'o')
				cell_int(r, f->stalled[i]);
			else
				cell(r, NULL);
			cell_end(r);
		}
	}
	gtab_free(&t, funnel_free);
	free_stages(&st);
	ctx_close(&c);
	return r;
}

/* ---- forecast -------------------------------------------------------- */

struct forecast {
	long long deals;
	i128 pipeline, won, committed;
	i128 weighted;		/* minor units times percent */
	i128 predicted;		/* minor units times 1/10000 */
};

/*
** Open deals expected to close in the period (from the start of this
** month when --since is not given), by the month (or the grouping's
** period) of their expected close, and deals won in it by their close.
*/
static void
collect_forecast(struct rctx *c, struct gtab *t)
{
	struct strbuf sb = STRBUF_INIT;
	struct crm_stmt *s;
	struct rowkey r;
	struct forecast *f;
	long long k[NK];
	int place = needs_place(c);
	const char *from = place ? ", c.region, c.industry,"
	    " coalesce(d.source, c.source) FROM deals d JOIN stages s"
	    " ON s.id = d.stage_id JOIN customers c ON c.id = d.customer_id" :
	    " FROM deals d JOIN stages s ON s.id = d.stage_id";

	sb_init(&sb);
	sb_addf(&sb, "SELECT d.owner_id, s.probability, d.predicted, d.amount,"
	    " d.currency, d.expected_close%s WHERE s.outcome = 'open'"
	    " AND d.expected_close IS NOT NULL", from);
	scope_sql(c, &sb, "d.owner_id");
	s = prepare(c, &sb);
	memset(&r, 0, sizeof r);
	while (crm_step(s)) {
		long long amount = crm_col_int(s, 3), prob = crm_col_int(s, 1);

		r.owner = crm_col_null(s, 0) ? -1 : crm_col_int(s, 0);
		r.cur = crm_col_text(s, 4);
		r.day = day_of(&c->tz, crm_col_text(s, 5));
		if (r.day == NOKEY || r.day < c->since_day ||
		    (c->has_until && r.day >= c->until_day) || !in_team(c, r.owner))
			continue;
		if (place) {
			r.region = crm_col_text(s, 6);
			r.industry = crm_col_text(s, 7);
			r.source = crm_col_text(s, 8);
		}
		key_of(c, &r, k);
		f = gtab_get(t, k);
		f->deals++;
		f->pipeline += amount;
		f->weighted += (i128)amount * prob;
		f->predicted += crm_col_null(s, 2) ? (i128)amount * prob * 100 :
		    (i128)amount * crm_col_int(s, 2);
		if (prob >= c->o->commit_pct)
			f->committed += amount;
	}
	crm_stmt_free(s);
	sb_reset(&sb);
	sb_addf(&sb, "SELECT d.owner_id, d.amount, d.currency, d.closed_at%s"
	    " WHERE s.outcome = 'won' AND d.closed_at >= ?1", from);
	if (c->has_until)
		sb_adds(&sb, " AND d.closed_at < ?2");
	scope_sql(c, &sb, "d.owner_id");
	s = prepare(c, &sb);
	while (crm_step(s)) {
		r.owner = crm_col_null(s, 0) ? -1 : crm_col_int(s, 0);
		r.cur = crm_col_text(s, 2);
		r.day = day_of(&c->tz, crm_col_text(s, 3));
		if (!in_team(c, r.owner))
			continue;
		if (place) {
			r.region = crm_col_text(s, 4);
			r.industry = crm_col_text(s, 5);
			r.source = crm_col_text(s, 6);
		}
		key_of(c, &r, k);
		f = gtab_get(t, k);
		f->won += crm_col_int(s, 1);
	}
	crm_stmt_free(s);
	sb_free(&sb);
}

struct report *
report_forecast(struct crm_db *db, const struct report_opts *o)
{
	static const enum report_by def[] = { BY_MONTH, BY_OWNER };
	struct rctx c;
	struct gtab t;
	struct report *r;

	ctx_open(&c, db, o, def, 2);
	if (!c.has_since) {
		int y, m, d;

		day_to_civil(c.today, &y, &m, &d);
		set_since(&c, day_start_time(day_from_civil(y, m, 1)));
	}
	gtab_init(&t, sizeof(struct forecast));
	collect_forecast(&c, &t);
	gtab_sort(&c, &t);
	r = report_new(RT_FORECAST, "销售预测 forecast");
	key_cols(&c, r);
	col_add(r, "currency", RK_TEXT);
	col_add(r, "deals", RK_COUNT);
	col_add(r, "pipeline", RK_MONEY);
	col_add(r, "weighted", RK_MONEY);
	if (o->predicted)
		col_add(r, "predicted", RK_MONEY);
	col_add(r, "committed", RK_MONEY);
	col_add(r, "best_case", RK_MONEY);
	col_add(r, "won", RK_MONEY);
	for (size_t g = 0; g < t.n; g++) {
		const struct forecast *f = t.v[g].agg;
		const char *cur = name_of(&c, t.v[g].k[K_CUR]);

		if (g > 0 && t.v[g].k[K_CUR] != t.v[0].k[K_CUR])
			r->multi_currency = 1;
		key_cells(&c, r, t.v[g].k);
		cell(r, cur);
		cell_int(r, f->deals);
		cell_money(r, f->pipeline, cur);
		cell_money(r, f->won + div_round(f->weighted, 100), cur);
		if (o->predicted)
			cell_money(r, f->won + div_round(f->predicted, 10000), cur);
		cell_money(r, f->won + f->committed, cur);
		cell_money(r, f->won + f->pipeline, cur);
		cell_money(r, f->won, cur);
		cell_end(r);
	}
	gtab_free(&t, NULL);
	ctx_close(&c);
	return r;
}

/* ---- pools ----------------------------------------------------------- */

struct poolrow {
	long long put_in, reclaimed, released, claimed, assigned, claimed_back;
	struct hist days;	/* in the pool until claimed or assigned */
};

static void
poolrow_free(void *agg)
{
	free(((struct poolrow *)agg)->days.v);
}

/* One customer's pool and owner changes of one batch, and its state. */
struct poolstate {
	long long id, batch;
	char *pool_old, *pool_new, *owner_old, *owner_new, *command;
	long long at;
	int has_pool;
	char *lost_by;		/* who held it when it went in */
	long long since;
};

static void
set_text(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? xstrdup(s) : NULL;
}

/* May the actor see the row of pool POOL and rep WHO (logins and names)? */
static int
pool_row_visible(struct rctx *c, const char *pool, const char *who)
{
	long long pid, uid, adm;

	if (c->o->pool && (pool == NULL || strcmp(pool, c->o->pool) != 0))
		return 0;
	uid = who ? map_get(&c->logins, who) : -1;
	if (c->owner >= 0 && uid != c->owner) {
		if (c->admin || pool == NULL || c->o->owner)
			return 0;
		/* a pool's admin sees the rows of every rep of its pool */
		if ((adm = map_get(&c->pool_admin, pool)) < 0) {
			pid = crm_pool_id(c->db, pool);
			adm = pid >= 0 && crm_pool_is_admin(c->db, pid, c->self);
			map_put(&c->pool_admin, pool, adm);
		}
		if (!adm)
			return 0;
	}
	return c->team < 0 || (uid >= 0 && team_of(c, uid) == c->team);
}

/* The row of POOL and WHO in T, when visible and AT is in the period. */
static struct poolrow *
pool_row(struct rctx *c, struct gtab *t, const char *pool, const char *who,
    long long at)
{
	long long k[NK] = { 0 };
	char buf[CRM_TIME_LEN];

	if (at == LLONG_MIN)
		return NULL;
	crm_format_time((time_t)at, buf);
	if ((c->has_since && strcmp(buf, c->since_s) < 0) ||
	    (c->has_until && strcmp(buf, c->until_s) >= 0))
		return NULL;
	if (!pool_row_visible(c, pool, who))
		return NULL;
	k[0] = intern(c, pool);
	k[1] = intern(c, who);
	k[K_CUR] = NOKEY;
	return gtab_get(t, k);
}

/* Count the changes of one batch of customer S->id into T. */
static void
pool_batch(struct rctx *c, struct gtab *t, struct poolstate *s)
{
	struct poolrow *p;
	size_t len = strlen(s->command);
	/* an undo puts back what a batch did: no move of its own */
	int undo = len >= 5 && strcmp(s->command + len - 5, " undo") == 0;

	if (!s->has_pool)
		return;
	if (s->pool_old && (s->pool_new == NULL ||
	    strcmp(s->pool_old, s->pool_new) != 0)) {
		/* out of a pool: to an owner, or to another pool */
		int claim = strcmp(s->command, "crm-pool claim") == 0;
		int assign = strcmp(s->command, "crm-pool assign") == 0 ||
		    strcmp(s->command, "crm-assign") == 0;

		if ((claim || assign) && s->owner_new && (p = pool_row(c, t,
		    s->pool_old, s->owner_new, s->at)) != NULL) {
			if (claim)
				p->claimed++;
			else
				p->assigned++;
			if (claim && s->lost_by && strcmp(s->lost_by,
			    s->owner_new) == 0)
				p->claimed_back++;
			if (s->since != LLONG_MIN)
				hist_add(&p->days, (s->at - s->since) / DAY);
		}
	}
	if (s->pool_new && (s->pool_old == NULL ||
	    strcmp(s->pool_old, s->pool_new) != 0)) {
		const char *who = s->owner_old ? s->owner_old :
		    s->pool_old ? s->lost_by : NULL;

		if (!undo && (p = pool_row(c, t, s->pool_new, who, s->at)) !=
		    NULL) {
			p->put_in++;
			if (strcmp(s->command, "crm-pool reclaim") == 0)
				p->reclaimed++;
			else if (strcmp(s->command, "crm-pool release") == 0)
				p->released++;
		}
		set_text(&s->lost_by, who);
		s->since = s->at;
	}
	if (s->pool_new == NULL) {
		set_text(&s->lost_by, NULL);
		s->since = LLONG_MIN;
	}
}

struct report *
report_pool(struct crm_db *db, const struct report_opts *o)
{
	struct rctx c;
	struct gtab t;
	struct report *r;
	struct crm_stmt *s;
	struct poolstate st;

	ctx_open(&c, db, o, NULL, 0);
	if (o->pool && crm_pool_id(db, o->pool) < 0)
		crm_die("no pool '%s'", o->pool);
	gtab_init(&t, sizeof(struct poolrow));
	memset(&st, 0, sizeof st);
	st.id = -1;
	s = crm_sql_own(db, "SELECT entity_id, batch_id, field, old_value,"
	    " new_value, at, command FROM history WHERE entity = 'customer'"
	    " AND (field = 'pool' OR field = 'owner')"
	    " ORDER BY entity_id, at, id");
	for (;;) {
		int more = crm_step(s);
		long long id = more ? crm_col_int(s, 0) : -1;
		long long b = more && !crm_col_null(s, 1) ? crm_col_int(s, 1) : -1;

		if (st.id >= 0 && (!more || id != st.id || b != st.batch)) {
			pool_batch(&c, &t, &st);
			set_text(&st.pool_old, NULL);
			set_text(&st.pool_new, NULL);
			set_text(&st.owner_old, NULL);
			set_text(&st.owner_new, NULL);
			st.has_pool = 0;
		}
		if (!more)
			break;
		if (id != st.id) {
			set_text(&st.lost_by, NULL);
			st.since = LLONG_MIN;
		}
		st.id = id;
		st.batch = b;
		st.at = seconds_of(crm_col_text(s, 5));
		set_text(&st.command, crm_col_text(s, 6));
		if (strcmp(crm_col_text(s, 2), "pool") == 0) {
			st.has_pool = 1;
			set_text(&st.pool_old, crm_col_text(s, 3));
			set_text(&st.pool_new, crm_col_text(s, 4));
		} else {
			set_text(&st.owner_old, crm_col_text(s, 3));
			set_text(&st.owner_new, crm_col_text(s, 4));
		}
	}
	crm_stmt_free(s);
	set_text(&st.command, NULL);
	set_text(&st.lost_by, NULL);
	c.by[0] = BY_REGION;	/* both parts are text: sorted by name */
	c.by[1] = BY_REGION;
	c.nby = 2;
	gtab_sort(&c, &t);
	r = report_new(RT_POOL, "公海 pools");
	col_add(r, "pool", RK_TEXT);
	col_add(r, "owner", RK_TEXT);
	r->nkey = 2;
	col_add(r, "put_in", RK_COUNT);
	col_add(r, "reclaimed", RK_COUNT);
	col_add(r, "released", RK_COUNT);
	col_add(r, "claimed", RK_COUNT);
	col_add(r, "assigned", RK_COUNT);
	col_add(r, "claimed_back", RK_COUNT);
	col_add(r, "median_days_in_pool", RK_FIGURE);
	for (size_t g = 0; g < t.n; g++) {
		const struct poolrow *p = t.v[g].agg;

		cell(r, name_of(&c, t.v[g].k[0]));
		cell(r, name_of(&c, t.v[g].k[1]));
		cell_int(r, p->put_in);
		cell_int(r, p->reclaimed);
		cell_int(r, p->released);
		cell_int(r, p->claimed);
		cell_int(r, p->assigned);
		cell_int(r, p->claimed_back);
		cell_take(r, report_percentile(p->days.v, p->days.n, 50));
		cell_end(r);
	}
	gtab_free(&t, poolrow_free);
	ctx_close(&c);
	return r;
}

/* ---- rfm and health -------------------------------------------------- */

struct segrow {
	long long customers, health_n, health_sum;
	i128 won, open;
};

/* Prepend the report's own column NAME (BY_N) to C's grouping. */
static void
own_column(struct rctx *c, const char *name)
{
	if (c->nby + 1 > REPORT_BY_MAX)
		crm_usage_error("--by: too many groupings");
	memmove(c->by + 1, c->by, c->nby * sizeof *c->by);
	c->by[0] = BY_N;
	c->nby++;
	c->label_col = name;
}

struct report *
report_segments(struct crm_db *db, const struct report_opts *o, int health)
{
	const char *col = health ? "c.grade" : "c.segment";
	struct strbuf sb = STRBUF_INIT;
	struct rctx c;
	struct gtab t;
	struct report *r;
	struct crm_stmt *s;
	struct rowkey rk;
	struct segrow *g;
	long long k[NK];
	long long first_cur = NOKEY;
	size_t i, j;

	ctx_open(&c, db, o, NULL, 0);
	own_column(&c, health ? "grade" : "segment");
	gtab_init(&t, sizeof(struct segrow));
	sb_init(&sb);
	sb_addf(&sb, "SELECT c.owner_id, %s, c.health, c.region, c.industry,"
	    " c.source FROM customers c WHERE c.merged_into IS NULL", col);
	scope_sql(&c, &sb, "c.owner_id");
	s = prepare(&c, &sb);
	memset(&rk, 0, sizeof rk);
	while (crm_step(s)) {
		rk.owner = crm_col_null(s, 0) ? -1 : crm_col_int(s, 0);
		if (!in_team(&c, rk.owner))
			continue;
		rk.label = crm_col_text(s, 1);
		rk.region = crm_col_text(s, 3);
		rk.industry = crm_col_text(s, 4);
		rk.source = crm_col_text(s, 5);
		rk.cur = NULL;
		key_of(&c, &rk, k);
		g = gtab_get(&t, k);
		g->customers++;
		if (!crm_col_null(s, 2)) {
			g->health_n++;
			g->health_sum += crm_col_int(s, 2);
		}
	}
	crm_stmt_free(s);
	sb_reset(&sb);
	sb_addf(&sb, "SELECT c.owner_id, %s, c.region, c.industry,"
	    " coalesce(d.source, c.source), d.amount, d.currency,"
	    " s.outcome = 'won', d.closed_at FROM deals d"
	    " JOIN stages s ON s.id = d.stage_id"
	    " JOIN customers c ON c.id = d.customer_id"
	    " WHERE c.merged_into IS NULL AND s.outcome <> 'lost'", col);
	scope_sql(&c, &sb, "c.owner_id");
	s = prepare(&c, &sb);
	while (crm_step(s)) {
		const char *closed = crm_col_text(s, 8);
		int won = crm_col_int(s, 7) != 0;

		rk.owner = crm_col_null(s, 0) ? -1 : crm_col_int(s, 0);
		if (!in_team(&c, rk.owner))
			continue;
		if (won && (closed == NULL ||
		    (c.has_since && strcmp(closed, c.since_s) < 0) ||
		    (c.has_until && strcmp(closed, c.until_s) >= 0)))
			continue;
		rk.label = crm_col_text(s, 1);
		rk.region = crm_col_text(s, 2);
		rk.industry = crm_col_text(s, 3);
		rk.source = crm_col_text(s, 4);
		rk.cur = crm_col_text(s, 6);
		key_of(&c, &rk, k);
		g = gtab_get(&t, k);
		if (won)
			g->won += crm_col_int(s, 5);
		else
			g->open += crm_col_int(s, 5);
	}
	crm_stmt_free(s);
	sb_free(&sb);
	gtab_sort(&c, &t);
	r = report_new(RT_SEGMENT, health ? "客户健康 health" : "RFM 分群 rfm");
	key_cols(&c, r);
	col_add(r, "customers", RK_COUNT);
	col_add(r, "avg_health", RK_FIGURE);
	col_add(r, "currency", RK_TEXT);
	col_add(r, "won_amount", RK_MONEY);
	col_add(r, "open_amount", RK_MONEY);
	for (i = 0; i < t.n; i = j) {
		const struct segrow *counts = NULL;
		size_t first = r->nrow;

		for (j = i; j < t.n && same_key(&c, t.v[j].k, t.v[i].k); j++)
			if (t.v[j].k[K_CUR] == NOKEY)
				counts = t.v[j].agg;
		for (size_t x = i; x < j; x++) {
			const struct segrow *m = t.v[x].agg;
			long long cur = t.v[x].k[K_CUR];

			if (cur == NOKEY && j - i > 1)
				continue;	/* its counts go on the first row */
			if (cur != NOKEY && first_cur == NOKEY)
				first_cur = cur;
			else if (cur != NOKEY && cur != first_cur)
				r->multi_currency = 1;
			key_cells(&c, r, t.v[i].k);
			if (r->nrow == first) {
				cell_int(r, counts ? counts->customers : 0);
				cell_take(r, counts && counts->health_n ?
				    fixed_text(div_round((i128)counts->health_sum *
				    10, counts->health_n), 1) : NULL);
			} else {
				cell(r, NULL);
				cell(r, NULL);
			}
			cell(r, name_of(&c, cur));
			cell_money(r, cur == NOKEY ? 0 : m->won, name_of(&c, cur));
			cell_money(r, cur == NOKEY ? 0 : m->open, name_of(&c, cur));
			cell_end(r);
		}
	}
	gtab_free(&t, NULL);
	ctx_close(&c);
	return r;
}

/* ---- agenda ---------------------------------------------------------- */

enum { AG_FOLLOWUP, AG_RECLAIM, AG_DEAL };
static const char *const agenda_kinds[] = { "follow-up", "reclaim", "deal" };

struct agitem {
	long long owner, customer;
	int kind;
	long long day;
	char *due, *name, *ref, *detail;
};

struct agenda {
	struct rctx *c;
	struct agitem *v;
	size_t n, cap;
	const struct crm_pool *pool;
};

static void
agenda_add(struct agenda *a, long long owner, int kind, const char *due,
    long long customer, const char *name, char *ref, char *detail)
{
	struct agitem *x;

	if (a->n == a->cap)
		a->v = xrealloc(a->v, (a->cap = a->cap ? a->cap * 2 : 32) *
		    sizeof *a->v);
	x = &a->v[a->n++];
	x->owner = owner;
	x->kind = kind;
	x->due = due ? xstrdup(due) : NULL;
	x->day = day_of(&a->c->tz, due);
	x->customer = customer;
	x->name = name ? xstrdup(name) : NULL;
	x->ref = ref;
	x->detail = detail;
}

/* Is user OWNER in the agenda's scope? */
static int
agenda_for(const struct rctx *c, long long owner)
{
	return owner >= 0 && (c->owner < 0 || owner == c->owner) &&
	    in_team(c, owner);
}

static void
agenda_due(const struct crm_due *d, void *ctx)
{
	struct agenda *a = ctx;

	if (!agenda_for(a->c, d->owner_id))
		return;
	agenda_add(a, d->owner_id, AG_RECLAIM, d->due_at, d->id,
	    d->company ? d->company : d->name, xstrdup(a->pool->name),
	    xasprintf("%s: %lld days idle, limit %lld", crm_rule_names[d->rule],
	    d->idle_days, d->limit_days));
}

static void
agenda_pool(const struct crm_pool *p, void *ctx)
{
	struct agenda *a = ctx;
	long long days = a->c->o->within_days;

	if (days < 0)
		days = p->warn_days > 0 ? p->warn_days : REPORT_WITHIN_DAYS;
	a->pool = p;
	crm_pool_due(a->c->db, p, a->c->now + (time_t)(days * DAY), 0,
	    agenda_due, a);
}

static const struct rctx *agenda_sort_ctx;

static int
agenda_cmp(const void *pa, const void *pb)
{
	const struct agitem *a = pa, *b = pb;
	int d;

	if ((d = cmp_text(login_of(agenda_sort_ctx, a->owner),
	    login_of(agenda_sort_ctx, b->owner))) != 0)
		return d;
	if (a->kind != b->kind)
		return a->kind - b->kind;
	if ((d = cmp_text(a->due, b->due)) != 0)
		return d;
	return (a->customer > b->customer) - (a->customer < b->customer);
}

struct report *
report_agenda(struct crm_db *db, const struct report_opts *o)
{
	struct strbuf sb = STRBUF_INIT;
	struct rctx c;
	struct agenda a;
	struct report *r;
	struct crm_stmt *s;
	char tomorrow[CRM_TIME_LEN], soon[CRM_TIME_LEN];

	ctx_open(&c, db, o, NULL, 0);
	memset(&a, 0, sizeof a);
	a.c = &c;
	crm_format_time(day_start_time(c.today + 1), tomorrow);
	crm_format_time(day_start_time(c.today + 2), soon);

	/* planned follow-ups due today or before */
	sb_init(&sb);
	sb_adds(&sb, "SELECT a.user_id, a.due_at, a.customer_id,"
	    " coalesce(c.company, c.name), a.id, a.kind, a.note, a.next_step"
	    " FROM activities a JOIN customers c ON c.id = a.customer_id"
	    " WHERE a.due_at IS NOT NULL AND a.done_at IS NULL AND a.due_at < ?3"
	    " AND c.merged_into IS NULL");
	scope_sql(&c, &sb, "a.user_id");
	s = prepare(&c, &sb);
	crm_bind_text(s, 3, tomorrow);
	while (crm_step(s)) {
		long long owner = crm_col_null(s, 0) ? -1 : crm_col_int(s, 0);
		const char *note = crm_col_text(s, 6), *next = crm_col_text(s, 7);

		if (!agenda_for(&c, owner))
			continue;
		agenda_add(&a, owner, AG_FOLLOWUP, crm_col_text(s, 1),
		    crm_col_int(s, 2), crm_col_text(s, 3),
		    xasprintf("activity %lld", crm_col_int(s, 4)),
		    xasprintf("%s%s%s", crm_col_text(s, 5), next || note ? ": " :
		    "", next ? next : note ? note : ""));
	}
	crm_stmt_free(s);

	/* customers a pool will reclaim soon */
	crm_pools_each(db, agenda_pool, &a);

	/* open deals past their expected close */
	sb_reset(&sb);
	sb_adds(&sb, "SELECT d.owner_id, d.expected_close, d.customer_id,"
	    " coalesce(c.company, c.name), d.id, d.title, d.amount, d.currency,"
	    " coalesce(st.label, st.name) FROM deals d"
	    " JOIN stages st ON st.id = d.stage_id"
	    " JOIN customers c ON c.id = d.customer_id"
	    " WHERE d.closed_at IS NULL AND d.expected_close < ?3"
	    " AND st.outcome = 'open'");
	scope_sql(&c, &sb, "d.owner_id");
	s = prepare(&c, &sb);
	crm_bind_text(s, 3, soon);
	while (crm_step(s)) {
		long long owner = crm_col_null(s, 0) ? -1 : crm_col_int(s, 0);
		const char *cur = crm_col_text(s, 7);
		char *amount;

		if (!agenda_for(&c, owner) ||
		    day_of(&c.tz, crm_col_text(s, 1)) >= c.today)
			continue;
		amount = money_text(crm_col_int(s, 6), cur);
		agenda_add(&a, owner, AG_DEAL, crm_col_text(s, 1),
		    crm_col_int(s, 2), crm_col_text(s, 3),
		    xasprintf("deal %lld", crm_col_int(s, 4)),
		    xasprintf("%s (%s %s, %s)", crm_col_text(s, 5), amount, cur,
		    crm_col_text(s, 8)));
		free(amount);
	}
	crm_stmt_free(s);
	sb_free(&sb);

	agenda_sort_ctx = &c;
	if (a.n > 1)
		qsort(a.v, a.n, sizeof *a.v, agenda_cmp);
	r = report_new(RT_AGENDA, "今日待办 agenda");
	col_add(r, "owner", RK_TEXT);
	col_add(r, "kind", RK_TEXT);
	col_add(r, "due", RK_TEXT);
	col_add(r, "overdue_days", RK_FIGURE);
	col_add(r, "customer_id", RK_FIGURE);
	col_add(r, "customer", RK_TEXT);
	col_add(r, "ref", RK_TEXT);
	col_add(r, "detail", RK_TEXT);
	r->nkey = 1;
	for (size_t i = 0; i < a.n; i++) {
		struct agitem *x = &a.v[i];

		cell(r, login_of(&c, x->owner));
		cell(r, agenda_kinds[x->kind]);
		cell(r, x->due);
		if (x->day == NOKEY)
			cell(r, NULL);
		else
			cell_int(r, c.today - x->day);
		cell_int(r, x->customer);
		cell(r, x->name);
		cell(r, x->ref);
		cell(r, x->detail);
		cell_end(r);
		free(x->due);
		free(x->name);
		free(x->ref);
		free(x->detail);
	}
	free(a.v);
	ctx_close(&c);
	return r;
}

/* ---- a customer's overview (客户总览) --------------------------------- */

/* One event of a customer's timeline. */
struct event {
	char *at, *kind, *what, *detail;
	size_t seq;
};

struct timeline {
	struct event *v;
	size_t n, cap;
};

/* Add an event; WHAT and DETAIL are taken (freed later). */
static void
event_add(struct timeline *tl, const char *at, const char *kind, char *what,
    char *detail)
{
	struct event *e;

	if (at == NULL) {
		free(what);
		free(detail);
		return;
	}
	if (tl->n == tl->cap)
		tl->v = xrealloc(tl->v, (tl->cap = tl->cap ? tl->cap * 2 : 32) *
		    sizeof *tl->v);
	e = &tl->v[tl->n];
	e->at = xstrdup(at);
	e->kind = xstrdup(kind);
	e->what = what;
	e->detail = detail;
	e->seq = tl->n++;
}

/* Newest first; of the same moment, the one added last first. */
static int
event_cmp(const void *pa, const void *pb)
{
	const struct event *a = pa, *b = pb;
	int d = strcmp(b->at, a->at);

	return d ? d : (a->seq < b->seq) - (a->seq > b->seq);
}

/* "A" or "A, B" of the non-NULL ones (caller frees); NULL for none. */
static char *
join2(const char *a, const char *b, const char *sep)
{
	if (a && b)
		return xasprintf("%s%s%s", a, sep, b);
	return a ? xstrdup(a) : b ? xstrdup(b) : NULL;
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* The customer's timeline: follow-ups, stages, holders, merges. */
static void
customer_timeline(struct crm_db *db, long long id, const char *created_at,
    const char *created_by, struct timeline *tl)
{
	struct crm_stmt *s;

	event_add(tl, created_at, "created", NULL, created_by ?
	    xasprintf("by %s", created_by) : NULL);
	s = crm_sql(db, "SELECT a.at, a.due_at, a.done_at, a.kind, a.note,"
	    " a.next_step, u.login FROM activities a"
	    " LEFT JOIN users u ON u.id = a.user_id WHERE a.customer_id = ?"
	    " ORDER BY a.id");
	crm_bind_int(s, 1, id);
	while (crm_step(s)) {
		const char *by = crm_col_text(s, 6), *next = crm_col_text(s, 5);
		char *b = by ? xasprintf("by %s", by) : NULL;

		if (!crm_col_null(s, 2))
			event_add(tl, crm_col_text(s, 0), crm_col_text(s, 3),
			    dup_or_null(crm_col_text(s, 4)), next ? xasprintf("%s%s"
			    "next: %s", b ? b : "", b ? "; " : "", next) :
			    dup_or_null(b));
		else
			event_add(tl, crm_col_text(s, 1), "planned", join2(
			    crm_col_text(s, 3), crm_col_text(s, 4), ": "),
			    dup_or_null(b));
		free(b);
	}
	s = crm_sql(db, "SELECT ds.entered_at, d.id, d.title,"
	    " coalesce(st.label, st.name), st.name, st.probability"
	    " FROM deals d JOIN deal_stages ds ON ds.deal_id = d.id"
	    " JOIN stages st ON st.id = ds.stage_id WHERE d.customer_id = ?"
	    " ORDER BY ds.entered_at, d.id");
	crm_bind_int(s, 1, id);
	while (crm_step(s))
		event_add(tl, crm_col_text(s, 0), "stage", xasprintf("deal %lld "
		    "%s: %s", crm_col_int(s, 1), crm_col_text(s, 2),
		    crm_col_text(s, 3)), xasprintf("%s, %lld%%", crm_col_text(s, 4),
		    crm_col_int(s, 5)));
	s = crm_sql(db, "SELECT at, field, old_value, new_value, actor, reason"
	    " FROM history WHERE entity = 'customer' AND entity_id = ?"
	    " AND (field = 'owner' OR field = 'pool' OR field = 'status'"
	    " OR field = 'merged_into' OR field = 'locked') ORDER BY id");
	crm_bind_int(s, 1, id);
	while (crm_step(s)) {
		const char *old = crm_col_text(s, 2), *new = crm_col_text(s, 3);
		const char *why = crm_col_text(s, 5);

		event_add(tl, crm_col_text(s, 0), crm_col_text(s, 1),
		    xasprintf("%s → %s", old ? old : "—", new ? new : "—"),
		    xasprintf("%s%sby %s", why ? why : "", why ? ", " : "",
		    crm_col_text(s, 4)));
	}
	s = crm_sql(db, "SELECT m.at, m.dup_id, d.name, m.undone_at FROM merges m"
	    " JOIN customers d ON d.id = m.dup_id WHERE m.keep_id = ? ORDER BY m.id");
	crm_bind_int(s, 1, id);
	while (crm_step(s))
		event_add(tl, crm_col_text(s, 0), "merge", xasprintf("customer %lld "
		    "%s merged in", crm_col_int(s, 1), crm_col_text(s, 2) ?
		    crm_col_text(s, 2) : ""), crm_col_null(s, 3) ? NULL :
		    xasprintf("undone at %s", crm_col_text(s, 3)));
	if (tl->n > 1)
		qsort(tl->v, tl->n, sizeof *tl->v, event_cmp);
}

/* Won amounts per currency closed in the site's days [FROM, TO) of ID. */
static void
customer_won(struct crm_db *db, long long id, long from, long to,
    const char *item, struct report *fig)
{
	struct crm_stmt *s = crm_sql(db, "SELECT d.currency, sum(d.amount)"
	    " FROM deals d JOIN stages s ON s.id = d.stage_id"
	    " WHERE d.customer_id = ?1 AND s.outcome = 'won'"
	    " AND d.closed_at >= ?2 AND d.closed_at < ?3"
	    " GROUP BY d.currency ORDER BY d.currency");
	char a[CRM_TIME_LEN], b[CRM_TIME_LEN];
	int any = 0;

	crm_format_time(day_start_time(from), a);
	crm_format_time(day_start_time(to), b);
	crm_bind_int(s, 1, id);
	crm_bind_text(s, 2, a);
	crm_bind_text(s, 3, b);
	while (crm_step(s)) {
		cell(fig, item);
		cell(fig, NULL);
		cell_money(fig, crm_col_int(s, 1), crm_col_text(s, 0));
		cell(fig, crm_col_text(s, 0));
		cell_end(fig);
		any = 1;
	}
	if (!any) {
		cell(fig, item);
		cell(fig, NULL);
		cell(fig, "0");
		cell(fig, NULL);
		cell_end(fig);
	}
}

/* The figures of customer ID (see crm-report(1)). */
static void
customer_figures(struct rctx *c, long long id, const char *last_activity,
    const char *health, struct report *fig)
{
	struct crm_stmt *s;
	struct crm_pool p;
	struct crm_due d;
	long long pool, day;
	int y, m, dd;

	day_to_civil(c->today, &y, &m, &dd);
	customer_won(c->db, id, day_from_civil(y, 1, 1), day_from_civil(y + 1, 1,
	    1), "won_this_year", fig);
	customer_won(c->db, id, day_from_civil(y - 1, 1, 1), day_from_civil(y, 1,
	    1), "won_last_year", fig);
	cell(fig, "last_contact");
	cell(fig, last_activity);
	day = day_of(&c->tz, last_activity);
	if (day == NOKEY)
		cell(fig, NULL);
	else
		cell_int(fig, c->today - day);
	cell(fig, last_activity ? "days since" : NULL);
	cell_end(fig);
	cell(fig, "health");
	cell(fig, NULL);
	cell(fig, health);
	cell(fig, NULL);
	cell_end(fig);
	s = crm_sql(c->db, "SELECT a.due_at, a.kind, coalesce(a.next_step,"
	    " a.note), u.login FROM activities a LEFT JOIN users u"
	    " ON u.id = a.user_id WHERE a.customer_id = ? AND a.due_at IS NOT NULL"
	    " AND a.done_at IS NULL ORDER BY a.due_at, a.id LIMIT 1");
	crm_bind_int(s, 1, id);
	cell(fig, "next_followup");
	if (crm_step(s)) {
		cell(fig, crm_col_text(s, 0));
		cell(fig, crm_col_text(s, 1));
		cell_take(fig, join2(crm_col_text(s, 2), crm_col_text(s, 3) ?
		    crm_col_text(s, 3) : NULL, ", by "));
		crm_reset(s);
	} else {
		cell(fig, NULL);
		cell(fig, NULL);
		cell(fig, NULL);
	}
	cell_end(fig);
	cell(fig, "days_until_reclaim");
	pool = crm_pool_covering(c->db, id);
	crm_pool_init(&p);
	if (pool >= 0 && crm_pool_get(c->db, NULL, pool, &p) &&
	    crm_pool_due_one(c->db, &p, id, &d)) {
		cell(fig, d.due_at);
		cell_int(fig, day_of(&c->tz, d.due_at) - c->today);
		cell_take(fig, xasprintf("%s: %s %lld days", p.name,
		    crm_rule_names[d.rule], d.limit_days));
	} else {
		cell(fig, NULL);
		cell(fig, NULL);
		cell(fig, NULL);
	}
	crm_pool_free(&p);
	cell_end(fig);
}

/* The facts of a customer, in the order shown, as the customers table names them. */
static const char *const fact_names[] = {
	"id", "name", "company", "phone", "email", "region", "industry",
	"source", "status", "grade", "score", "segment", "rfm", "health",
	"owner", "team", "pool", "owner_since", "pool_since", "locked",
	"merged_into", "created_at"
};
#define NFACTS (sizeof fact_names / sizeof fact_names[0])

static struct report *
part_new(const char *title, const char *const *cols, size_t n)
{
	struct report *r = report_new(RT_CUSTOMER, title);

	for (size_t i = 0; i < n; i++)
		col_add(r, cols[i], RK_TEXT);
	return r;
}

/* The parts of R as one stream: section, at, item, value, detail. */
static void
customer_flatten(struct report *r)
{
	static const char *const sec[] = { "fact", "figure", "contact", "deal",
	    "event" };

	for (size_t p = 0; p < r->npart; p++) {
		const struct report *x = r->part[p];

		for (size_t i = 0; i < x->nrow; i++) {
			const char *const *v = (const char *const *)x->cells.v +
			    i * x->ncol;

			cell(r, sec[p]);
			switch (p) {
			case 0:		/* key, value */
				cell(r, NULL);
				cell(r, v[0]);
				cell(r, v[1]);
				cell(r, NULL);
				break;
			case 1:		/* figure, at, value, detail */
				cell(r, v[1]);
				cell(r, v[0]);
				cell(r, v[2]);
				cell(r, v[3]);
				break;
			case 2:		/* name, title, phone, email */
				cell(r, NULL);
				cell(r, v[0]);
				cell(r, v[2]);
				cell_take(r, join2(v[1], v[3], ", "));
				break;
			case 3:		/* id, title, stage, label, probability, amount,
					   currency, expected_close, owner */
				cell(r, v[7]);
				cell_take(r, xasprintf("deal %s %s", v[0], v[1]));
				cell(r, v[5]);
				cell_take(r, xasprintf("%s, %s, %s%%", v[6], v[3] ?
				    v[3] : v[2], v[4]));
				break;
			default:	/* at, kind, what, detail */
				cell(r, v[0]);
				cell(r, v[1]);
				cell(r, v[2]);
				cell(r, v[3]);
			}
			cell_end(r);
		}
	}
}

struct report *
report_customer(struct crm_db *db, const struct report_opts *o, long long id)
{
	static const char *const fig_cols[] = { "figure", "at", "value", "detail" };
	static const char *const con_cols[] = { "name", "title", "phone", "email" };
	static const char *const deal_cols[] = { "id", "title", "stage", "label",
	    "probability", "amount", "currency", "expected_close", "owner" };
	static const char *const ev_cols[] = { "at", "kind", "what", "detail" };
	static const char *const kv_cols[] = { "fact", "value" };
	struct rctx c;
	struct report *r, *facts, *fig, *con, *deals, *ev;
	struct crm_stmt *s;
	const char *v[NFACTS];
	char *own[NFACTS], *masks[2] = { NULL, NULL };
	char *created_by, *last_activity;
	enum crm_sight sight;
	struct timeline tl = { NULL, 0, 0 };

	ctx_open(&c, db, o, NULL, 0);
	s = crm_sql(db, "SELECT c.id, c.name, c.company, c.phone, c.email,"
	    " c.region, c.industry, c.source, c.status, c.grade, c.score,"
	    " c.segment, c.rfm, c.health, u.login, t.name, p.name, c.owner_since,"
	    " c.pool_since, c.locked, c.merged_into, c.created_at,"
	    " c.owner_id, c.pool_id, c.created_by, c.last_activity_at"
	    " FROM customers c LEFT JOIN users u ON u.id = c.owner_id"
	    " LEFT JOIN teams t ON t.id = u.team_id"
	    " LEFT JOIN pools p ON p.id = c.pool_id WHERE c.id = ?");
	crm_bind_int(s, 1, id);
	if (!crm_step(s))
		crm_die("no customer %lld", id);
	for (size_t i = 0; i < NFACTS; i++)
		v[i] = own[i] = dup_or_null(crm_col_text(s, (int)i));
	sight = crm_sight(db, id, crm_col_null(s, 22) ? -1 : crm_col_int(s, 22),
	    crm_col_null(s, 23) ? -1 : crm_col_int(s, 23));
	created_by = dup_or_null(crm_col_text(s, 24));
	last_activity = dup_or_null(crm_col_text(s, 25));
	crm_reset(s);
	crm_sight_apply(sight, NFACTS, fact_names, v, masks);

	r = report_new(RT_CUSTOMER, "");
	free(r->title);
	r->title = xasprintf("客户总览 %s", v[2] ? v[2] : v[1] ? v[1] : v[0]);
	col_add(r, "section", RK_TEXT);
	col_add(r, "at", RK_TEXT);
	col_add(r, "item", RK_TEXT);
	col_add(r, "value", RK_TEXT);
	col_add(r, "detail", RK_TEXT);
	r->nkey = 1;
	facts = part_new("客户 customer", kv_cols, 2);
	fig = part_new("关键数字 figures", fig_cols, 4);
	con = part_new("联系人 contacts", con_cols, 4);
	deals = part_new("进行中的商机 open deals", deal_cols, 9);
	ev = part_new("时间线 timeline", ev_cols, 4);
	r->npart = 5;
	r->part = xcalloc(r->npart, sizeof *r->part);
	r->part[0] = facts;
	r->part[1] = fig;
	r->part[2] = con;
	r->part[3] = deals;
	r->part[4] = ev;
	for (size_t i = 0; i < NFACTS; i++) {
		cell(facts, fact_names[i]);
		cell(facts, v[i]);
		cell_end(facts);
	}
	if (sight != CRM_SIGHT_NAME) {
		customer_figures(&c, id, last_activity, v[13], fig);
		s = crm_sql(db, "SELECT name, title, phone, email FROM contacts"
		    " WHERE customer_id = ? ORDER BY id");
		crm_bind_int(s, 1, id);
		while (crm_step(s)) {
			static const char *const names[] = { "name", "title",
			    "phone", "email" };
			const char *cv[4];
			char *cm[2] = { NULL, NULL };

			for (int i = 0; i < 4; i++)
				cv[i] = crm_col_text(s, i);
			crm_sight_apply(sight, 4, names, cv, cm);
			for (int i = 0; i < 4; i++)
				cell(con, cv[i]);
			cell_end(con);
			crm_sight_free(cm);
		}
		s = crm_sql(db, "SELECT d.id, d.title, st.name, st.label,"
		    " st.probability, d.amount, d.currency, d.expected_close, u.login"
		    " FROM deals d JOIN stages st ON st.id = d.stage_id"
		    " LEFT JOIN users u ON u.id = d.owner_id"
		    " WHERE d.customer_id = ? AND st.outcome = 'open'"
		    " ORDER BY d.expected_close, d.id");
		crm_bind_int(s, 1, id);
		while (crm_step(s)) {
			for (int i = 0; i < 9; i++)
				if (i == 5)
					cell_money(deals, crm_col_int(s, 5),
					    crm_col_text(s, 6));
				else
					cell(deals, crm_col_text(s, i));
			cell_end(deals);
		}
		customer_timeline(db, id, own[21], created_by, &tl);
		for (size_t i = 0; i < tl.n; i++) {
			cell(ev, tl.v[i].at);
			cell(ev, tl.v[i].kind);
			cell(ev, tl.v[i].what);
			cell(ev, tl.v[i].detail);
			cell_end(ev);
			free(tl.v[i].at);
			free(tl.v[i].kind);
			free(tl.v[i].what);
			free(tl.v[i].detail);
		}
		free(tl.v);
	}
	customer_flatten(r);
	crm_sight_free(masks);
	for (size_t i = 0; i < NFACTS; i++)
		free(own[i]);
	free(created_by);
	free(last_activity);
	ctx_close(&c);
	return r;
}

/* ---- output ---------------------------------------------------------- */

void
report_write(const struct report *r, struct rec_writer *w)
{
	const char **names = xcalloc(r->ncol, sizeof *names);

	for (size_t i = 0; i < r->ncol; i++)
		names[i] = r->col[i].name;
	recw_header(w, r->ncol, names);
	for (size_t i = 0; i < r->nrow; i++)
		recw_row(w, r->ncol, (const char *const *)r->cells.v + i * r->ncol);
	free(names);
}

/*
** Decimal text S ("-12.5") as an integer in units of 1/10000 into *OUT:
** 0, or -1 when S is empty or not such a number.
*/
static int
dec_scaled(const char *s, i128 *out)
{
	i128 v = 0;
	int neg = 0, frac = -1;

	if (s == NULL || !table_is_number(s))
		return -1;
	if (*s == '-')
		neg = 1, s++;
	for (; *s; s++) {
		if (*s == '.') {
			frac = 0;
			continue;
		}
		if (frac >= 4)
			continue;	/* beyond a ten-thousandth: not ours */
		v = v * 10 + (*s - '0');
		if (frac >= 0)
			frac++;
	}
	for (frac = frac < 0 ? 0 : frac; frac < 4; frac++)
		v *= 10;
	*out = neg ? -v : v;
	return 0;
}

/* The sum of column COL over rows where column IF (-1: any) has a value. */
static i128
col_sum(const struct report *r, int col, int if_col)
{
	i128 sum = 0, v;

	if (col < 0)
		return 0;
	for (size_t i = 0; i < r->nrow; i++)
		if ((if_col < 0 || table_is_number(report_cell(r, i, (size_t)if_col)))
		    && dec_scaled(report_cell(r, i, (size_t)col), &v) == 0)
			sum += v;
	return sum;
}

static int
has_totals(const struct report *r)
{
	return r->nrow > 0 && r->type != RT_AGENDA && r->type != RT_CUSTOMER;
}

void
report_table(const struct report *r, FILE *out)
{
	static const enum table_kind kinds[] = {
		[RK_TEXT] = TABLE_TEXT, [RK_COUNT] = TABLE_NUMBER,
		[RK_MONEY] = TABLE_NUMBER, [RK_RATE] = TABLE_RATE,
		[RK_FIGURE] = TABLE_NUMBER
	};
	const char **names = xcalloc(r->ncol, sizeof *names);
	char **tot = xcalloc(r->ncol, sizeof *tot);
	struct table *t;

	for (size_t i = 0; i < r->ncol; i++)
		names[i] = r->col[i].name;
	t = table_open(r->ncol, names);
	for (size_t i = 0; i < r->ncol; i++)
		table_kind(t, i, r->type == RT_CUSTOMER ? TABLE_AUTO :
		    kinds[r->col[i].kind]);
	for (size_t i = 0; i < r->nrow; i++)
		table_row(t, (const char *const *)r->cells.v + i * r->ncol);
	if (has_totals(r)) {
		for (size_t i = 0; i < r->ncol; i++) {
			const struct report_col *c = &r->col[i];

			if (c->kind == RK_COUNT ||
			    (c->kind == RK_MONEY && !r->multi_currency))
				tot[i] = NULL;	/* table.c sums it */
			else if (c->kind == RK_RATE && c->num >= 0 && c->den >= 0 &&
			    !(r->multi_currency && r->col[c->num].kind == RK_MONEY))
				tot[i] = rate128(col_sum(r, c->num, c->den),
				    col_sum(r, c->den, -1) + col_sum(r, c->den2, -1));
			else
				tot[i] = xstrdup("");
		}
		free(tot[0]);
		tot[0] = xstrdup("合计");
		for (size_t i = 0; i < r->ncol; i++)
			if (tot[i] == NULL && r->col[i].kind == RK_RATE)
				tot[i] = xstrdup("");
		table_totals(t, (const char *const *)tot);
	}
	table_close(t, out);
	for (size_t i = 0; i < r->ncol; i++)
		free(tot[i]);
	free(tot);
	free(names);
}

/* Row I's label: its key cells (and stage, currency) joined by spaces. */
static char *
row_label(const struct report *r, size_t i)
{
	struct strbuf sb = STRBUF_INIT;
	int stage = report_colidx(r, "label"), name = report_colidx(r, "stage");
	int cur = report_colidx(r, "currency");

	sb_init(&sb);
	for (size_t k = 0; k < r->nkey; k++) {
		const char *s = report_cell(r, i, k);

		if (r->col[k].name && strcmp(r->col[k].name, "team") == 0 &&
		    k > 0 && strcmp(r->col[k - 1].name, "owner") == 0)
			continue;	/* the owner says it */
		sb_addf(&sb, "%s%s", sb.len ? " " : "", s ? s : "—");
	}
	if (r->type == RT_FUNNEL) {
		const char *s = report_cell(r, i, (size_t)stage);

		if (s == NULL)
			s = report_cell(r, i, (size_t)name);
		sb_addf(&sb, "%s%s", sb.len ? " " : "", s);
	}
	if (r->multi_currency && cur >= 0 && report_cell(r, i, (size_t)cur))
		sb_addf(&sb, " %s", report_cell(r, i, (size_t)cur));
	return sb_detach(&sb);
}

/* The cell of row I, column NAME, as a number for drawing (NaN: none). */
static double
cell_num(const struct report *r, size_t i, const char *name)
{
	int c = report_colidx(r, name);
	const char *s = c >= 0 ? report_cell(r, i, (size_t)c) : NULL;

	return s && table_is_number(s) ? strtod(s, NULL) : NAN;
}

static const char *
cell_of(const struct report *r, size_t i, const char *name)
{
	int c = report_colidx(r, name);

	return c >= 0 ? report_cell(r, i, (size_t)c) : NULL;
}

/* RATE as a percentage ("63.15%"), or NULL (caller frees). */
static char *
percent(const char *rate)
{
	return rate ? table_percent(rate) : NULL;
}

/* The bars of R: label, value, the exact text and a target. */
struct bar {
	char *label, *text;
	double value, target;
};

static size_t
report_bars(const struct report *r, struct bar **out)
{
	struct bar *b = xcalloc(r->nrow + 1, sizeof *b);

	for (size_t i = 0; i < r->nrow; i++) {
		b[i].label = row_label(r, i);
		b[i].target = NAN;
		if (r->type == RT_FUNNEL) {
			char *p = percent(cell_of(r, i, "to_next"));

			b[i].value = cell_num(r, i, "entered");
			b[i].text = p ? xasprintf("%s (%s)", cell_of(r, i,
			    "entered"), p) : xstrdup(cell_of(r, i, "entered"));
			free(p);
		} else if (r->type == RT_FORECAST) {
			b[i].value = cell_num(r, i, "weighted");
			b[i].text = xasprintf("%s / %s", cell_of(r, i, "weighted"),
			    cell_of(r, i, "best_case"));
		} else {
			const char *tg = cell_of(r, i, "target");
			char *p = percent(cell_of(r, i, "achieved"));

			b[i].value = cell_num(r, i, "won_amount");
			b[i].target = cell_num(r, i, "target");
			b[i].text = tg ? xasprintf("%s / %s (%s)", cell_of(r, i,
			    "won_amount"), tg, p ? p : "") :
			    xstrdup(cell_of(r, i, "won_amount"));
			free(p);
		}
	}
	*out = b;
	return r->nrow;
}

static void
bars_free(struct bar *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(b[i].label);
		free(b[i].text);
	}
	free(b);
}

static int
has_chart(const struct report *r)
{
	return r->type == RT_FUNNEL || r->type == RT_FORECAST ||
	    r->type == RT_PERFORMANCE;
}

int
report_chart(const struct report *r, FILE *out, int color)
{
	struct bar *b;
	struct chart_bar *cb;
	size_t n;

	if (!has_chart(r))
		return -1;
	n = report_bars(r, &b);
	cb = xcalloc(n + 1, sizeof *cb);
	for (size_t i = 0; i < n; i++) {
		cb[i].label = b[i].label;
		cb[i].value = b[i].value;
		cb[i].text = b[i].text;
	}
	fprintf(out, "%s\n", r->title);
	chart_bars(out, cb, n, 40, color);
	free(cb);
	bars_free(b, n);
	return 0;
}

/* The site's local time of stored text S, "YYYY-MM-DD HH:MM" (a date stays). */
static char *
local_text(const char *s)
{
	long long t = seconds_of(s);
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[32];

	if (s == NULL)
		return NULL;
	if (strlen(s) == 10 || t == LLONG_MIN || localtime_r(&tt, &tm) == NULL)
		return xstrdup(s);
	strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
	return xstrdup(buf);
}

/* The forecast by period: weighted and best case summed per month. */
static void
forecast_svg(const struct report *r, struct strbuf *out)
{
	static const char *const series[] = { "加权 weighted", "最佳 best case" };
	int pc = -1, cc = report_colidx(r, "currency");
	struct svg_month *m = xcalloc(r->nrow + 1, sizeof *m);
	char **labels = xcalloc(r->nrow + 1, sizeof *labels);
	i128 (*sum)[2] = xcalloc(r->nrow + 1, sizeof *sum);
	const char **curs = xcalloc(r->nrow + 1, sizeof *curs);
	size_t n = 0;

	for (size_t k = 0; k < r->nkey; k++)
		if (strcmp(r->col[k].name, "week") == 0 ||
		    strcmp(r->col[k].name, "month") == 0 ||
		    strcmp(r->col[k].name, "quarter") == 0 ||
		    strcmp(r->col[k].name, "year") == 0)
			pc = (int)k;
	for (size_t i = 0; i < r->nrow; i++) {
		char *label = pc < 0 ? row_label(r, i) :
		    r->multi_currency ? xasprintf("%s %s", report_cell(r, i,
		    (size_t)pc), report_cell(r, i, (size_t)cc)) :
		    xstrdup(report_cell(r, i, (size_t)pc));
		size_t g;
		i128 v;

		for (g = 0; g < n && strcmp(labels[g], label) != 0; g++)
			;
		if (g == n) {
			labels[n] = label;
			curs[n++] = report_cell(r, i, (size_t)cc);
		} else
			free(label);
		if (dec_scaled(cell_of(r, i, "weighted"), &v) == 0)
			sum[g][0] += v;
		if (dec_scaled(cell_of(r, i, "best_case"), &v) == 0)
			sum[g][1] += v;
	}
	for (size_t g = 0; g < n; g++) {
		int e = cur_exp(curs[g]);
		i128 scale = 1;

		for (int k = e; k < 4; k++)
			scale *= 10;
		m[g].month = labels[g];
		for (int s = 0; s < 2; s++) {
			char *t = fixed_text(sum[g][s] / scale, e);

			m[g].value[s] = strtod(t, NULL);
			m[g].text[s] = t;
		}
	}
	svg_months(out, r->title, series, 2, m, n);
	for (size_t g = 0; g < n; g++) {
		free(labels[g]);
		free((char *)m[g].text[0]);
		free((char *)m[g].text[1]);
	}
	free(m);
	free(labels);
	free(sum);
	free(curs);
}

/* A customer's timeline (its last part), newest first. */
static void
timeline_svg(const struct report *r, struct strbuf *out)
{
	const struct report *ev = r->part[r->npart - 1];
	struct svg_event *e = xcalloc(ev->nrow + 1, sizeof *e);
	char **own = xcalloc(2 * ev->nrow + 1, sizeof *own);

	for (size_t i = 0; i < ev->nrow; i++) {
		const char *what = report_cell(ev, i, 2);

		e[i].date = own[2 * i] = local_text(report_cell(ev, i, 0));
		e[i].label = own[2 * i + 1] = what ? xasprintf("%s  %s",
		    report_cell(ev, i, 1), what) : xstrdup(report_cell(ev, i, 1));
		e[i].detail = report_cell(ev, i, 3);
	}
	svg_timeline(out, r->title, e, ev->nrow);
	for (size_t i = 0; i < 2 * ev->nrow; i++)
		free(own[i]);
	free(own);
	free(e);
}

int
report_svg(const struct report *r, struct strbuf *out)
{
	struct bar *b;
	struct svg_bar *sb;
	size_t n;

	if (r->type == RT_CUSTOMER) {
		timeline_svg(r, out);
		return 0;
	}
	if (r->type == RT_FORECAST) {
		forecast_svg(r, out);
		return 0;
	}
	if (!has_chart(r))
		return -1;
	n = report_bars(r, &b);
	sb = xcalloc(n + 1, sizeof *sb);
	for (size_t i = 0; i < n; i++) {
		sb[i].label = b[i].label;
		sb[i].value = b[i].value;
		sb[i].text = b[i].text;
		sb[i].target = b[i].target;
	}
	svg_bars(out, r->title, sb, n);
	free(sb);
	bars_free(b, n);
	return 0;
}

/* The Chinese name of a fact or figure of the page, or NAME itself. */
static const char *
page_label(const char *name)
{
	static const char *const map[][2] = {
		{ "id", "编号" }, { "name", "名称" }, { "company", "公司" },
		{ "phone", "电话" }, { "email", "邮箱" }, { "region", "地区" },
		{ "industry", "行业" }, { "source", "来源" }, { "status", "状态" },
		{ "grade", "等级" }, { "score", "评分" }, { "segment", "分群" },
		{ "rfm", "RFM" }, { "health", "健康度" }, { "owner", "负责人" },
		{ "team", "团队" }, { "pool", "公海" },
		{ "owner_since", "领取于" }, { "pool_since", "入公海于" },
		{ "locked", "锁定" }, { "merged_into", "已合并到" },
		{ "created_at", "创建于" }, { "won_this_year", "今年赢单" },
		{ "won_last_year", "去年赢单" }, { "last_contact", "最近联系" },
		{ "next_followup", "下次跟进" },
		{ "days_until_reclaim", "距公海回收" },
	};

	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(map[i][0], name) == 0)
			return map[i][1];
	return name;
}

/* The text of figure row I of FIG for the page (caller frees). */
static char *
figure_text(const struct report *fig, size_t i)
{
	const char *name = report_cell(fig, i, 0), *at = report_cell(fig, i, 1);
	const char *value = report_cell(fig, i, 2), *detail = report_cell(fig, i, 3);
	char *when = local_text(at), *s;

	if (strcmp(name, "last_contact") == 0)
		s = when ? xasprintf("%s（%s 天前）", when, value) : NULL;
	else if (strcmp(name, "next_followup") == 0)
		s = when ? xasprintf("%s %s%s%s", when, value ? value : "",
		    detail ? " · " : "", detail ? detail : "") : NULL;
	else if (strcmp(name, "days_until_reclaim") == 0)
		s = when ? xasprintf("%s 天（%s，%s）", value, when, detail) : NULL;
	else
		s = value ? xasprintf("%s%s%s", value, detail ? " " : "",
		    detail ? detail : "") : NULL;
	free(when);
	return s;
}

/* A part of the page as a table, times in the site's zone. */
static void
page_table(const struct report *x, const char *const *header,
    struct strbuf *out)
{
	const char **cells = xcalloc(x->nrow * x->ncol + 1, sizeof *cells);
	char **own = xcalloc(x->nrow * x->ncol + 1, sizeof *own);

	for (size_t i = 0; i < x->nrow * x->ncol; i++) {
		const char *name = x->col[i % x->ncol].name;

		cells[i] = x->cells.v[i];
		if (strcmp(name, "at") == 0 || strcmp(name, "expected_close") == 0)
			cells[i] = own[i] = local_text(x->cells.v[i]);
	}
	html_table(out, x->ncol, header, x->nrow, cells);
	for (size_t i = 0; i < x->nrow * x->ncol; i++)
		free(own[i]);
	free(own);
	free(cells);
}

int
report_html(const struct report *r, struct strbuf *out)
{
	static const char *const con_h[] = { "姓名", "职务", "电话", "邮箱" };
	static const char *const deal_h[] = { "编号", "商机", "阶段", "阶段名",
	    "赢率%", "金额", "币种", "预计成交", "负责人" };
	static const char *const ev_h[] = { "时间", "类型", "内容", "说明" };
	const struct report *facts, *fig;
	const char **k, **v;
	char **own;
	size_t n = 0;

	if (r->type != RT_CUSTOMER)
		return -1;
	facts = r->part[0];
	fig = r->part[1];
	k = xcalloc(facts->nrow + fig->nrow + 1, sizeof *k);
	v = xcalloc(facts->nrow + fig->nrow + 1, sizeof *v);
	own = xcalloc(facts->nrow + fig->nrow + 1, sizeof *own);
	html_begin(out, r->title);
	for (size_t i = 0; i < facts->nrow; i++)
		if (report_cell(facts, i, 1)) {
			k[n] = page_label(report_cell(facts, i, 0));
			v[n] = own[n] = local_text(report_cell(facts, i, 1));
			n++;
		}
	html_facts(out, n, k, (const char *const *)v);
	if (fig->nrow) {
		html_section(out, fig->title);
		for (size_t i = 0; i < n; i++)
			free(own[i]);
		for (n = 0; n < fig->nrow; n++) {
			k[n] = page_label(report_cell(fig, n, 0));
			v[n] = own[n] = figure_text(fig, n);
		}
		html_facts(out, n, k, (const char *const *)v);
	}
	if (r->part[2]->nrow) {
		html_section(out, r->part[2]->title);
		page_table(r->part[2], con_h, out);
	}
	if (r->part[3]->nrow) {
		html_section(out, r->part[3]->title);
		page_table(r->part[3], deal_h, out);
	}
	if (r->part[4]->nrow) {
		struct strbuf svg = STRBUF_INIT;

		html_section(out, r->part[4]->title);
		sb_init(&svg);
		timeline_svg(r, &svg);
		html_svg(out, svg.buf);
		sb_free(&svg);
		page_table(r->part[4], ev_h, out);
	}
	html_end(out);
	for (size_t i = 0; i < n; i++)
		free(own[i]);
	free(own);
	free(k);
	free(v);
	return 0;
}
