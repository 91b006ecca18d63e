/* crm-pool: public pools (公海): configure, list, claim, release, reclaim. */
#include "../crm.h"

enum {
	OPT_FIRST_ = 0,
#define OPT(id, s, l, a, m, c, k, h) OPT_##id,
#include "pool.opts"
#undef OPT
};

static const struct crm_opt pool_options[] = {
#define OPT(id, s, l, a, m, c, k, h) { OPT_##id, s, l, a, m, c, k, h },
#include "pool.opts"
#include "../lib/common.opts"
#undef OPT
	{ 0, 0, NULL, ARG_NONE, NULL, NULL, NULL, NULL }
};

static const char *const pool_usage[] = {
	"create [-n] NAME [--members LIST] [--admins LIST] [--region REGION] [--industry INDUSTRY] [RULE-OPTIONS]",
	"set [-n] NAME [--members LIST] [--admins LIST] [--region REGION] [--industry INDUSTRY] [RULE-OPTIONS]",
	"pools",
	"list [-p POOL]",
	"claim [-nf] [--partial] [ID ...]",
	"release [-n] --reason TEXT [--to POOL] [ID ...]",
	"assign [-nf] [--partial] --to USER [ID ...]",
	"move [-n] --to POOL [--reason TEXT] [ID ...]",
	"reclaim [-n] [--explain] [-p POOL]",
	"due [--within DURATION] [-p POOL] [--owner USER]",
	"undo [-n] BATCH",
	NULL
};

const struct crm_prog crm_prog = {
	"crm-pool", "public pools: claim, release and reclaim customers",
	pool_usage, pool_options, NULL
};

/* Which settings of a pool the options gave. */
enum {
	G_REGION = 1 << 0, G_INDUSTRY = 1 << 1, G_DAYS = 1 << 2,	/* +rule */
	G_WARN = 1 << 5, G_CLAIM = 1 << 6, G_MAX = 1 << 7, G_LOCKOUT = 1 << 8,
	G_COOLING = 1 << 9, G_EXEMPT = 1 << 10, G_GRADES = 1 << 11
};

struct args {
	struct crm_pool set;		/* the settings given */
	unsigned given;
	const char *members, *admins, *pool, *to, *reason, *within, *owner;
	int dry_run, explain, force, partial;
};

/* A rule's number: "off" or "none" is -1, else MIN..36500. */
static long long
setting(const char *opt, const char *arg, long long min)
{
	if (strcmp(arg, "off") == 0 || strcmp(arg, "none") == 0)
		return -1;
	return crm_parse_int(opt, arg, min, 36500);
}

static void
on_opt(int id, const char *arg, void *ctx)
{
	struct args *a = ctx;
	struct crm_pool *p = &a->set;
	const char *err;

	switch (id) {
	case OPT_MEMBERS: a->members = arg; break;
	case OPT_ADMINS: a->admins = arg; break;
	case OPT_REGION:
		free(p->region);
		p->region = strcmp(arg, "none") && *arg ? xstrdup(arg) : NULL;
		a->given |= G_REGION;
		break;
	case OPT_INDUSTRY:
		free(p->industry);
		p->industry = strcmp(arg, "none") && *arg ? xstrdup(arg) : NULL;
		a->given |= G_INDUSTRY;
		break;
	case OPT_NO_FOLLOWUP:
	case OPT_NO_DEAL:
	case OPT_NOT_WON: {
		int r = id == OPT_NO_FOLLOWUP ? CRM_RULE_FOLLOWUP :
		    id == OPT_NO_DEAL ? CRM_RULE_DEAL : CRM_RULE_WON;
		char opt[32];

		snprintf(opt, sizeof opt, "%s-days", crm_rule_names[r]);
		p->days[r] = setting(opt, arg, 1);
		a->given |= G_DAYS << r;
		break;
	}
	case OPT_GRADE_DAYS:
		if ((err = crm_pool_parse_grades(arg, p)) != NULL)
			crm_usage_error("--grade-days: %s", err);
		a->given |= G_GRADES;
		break;
	case OPT_EXEMPT:
		if ((err = crm_pool_parse_exempt(arg, p->exempt)) != NULL)
			crm_usage_error("--exempt: %s", err);
		a->given |= G_EXEMPT;
		break;
	case OPT_WARN:
		p->warn_days = setting("warn-days", arg, 0);
		a->given |= G_WARN;
		break;
	case OPT_CLAIM_LIMIT:
		p->claim_limit = setting("claim-limit", arg, 0);
		a->given |= G_CLAIM;
		break;
	case OPT_MAX_OWNED:
		if (strcmp(arg, "off") == 0 || strcmp(arg, "none") == 0)
			p->max_owned = -1;
		else
			p->max_owned = crm_parse_int("max-owned", arg, 0, 100000000);
		a->given |= G_MAX;
		break;
	case OPT_LOCKOUT:
		p->lockout_days = setting("lockout-days", arg, 0);
		a->given |= G_LOCKOUT;
		break;
	case OPT_COOLING:
		p->cooling_days = setting("cooling-days", arg, 0);
		a->given |= G_COOLING;
		break;
	case OPT_POOL: a->pool = arg; break;
	case OPT_TO: a->to = arg; break;
	case OPT_REASON: a->reason = arg; break;
	case OPT_WITHIN:
		if (crm_parse_duration(arg) < 0)
			crm_usage_error("--within takes a duration such as 3d, 12h "
			    "or 2w, got '%s'", arg);
		a->within = arg;
		break;
	case OPT_OWNER: a->owner = arg; break;
	case OPT_EXPLAIN: a->explain = 1; break;
	case OPT_FORCE: a->force = 1; break;
	case OPT_PARTIAL: a->partial = 1; break;
	case OPT_DRY_RUN: a->dry_run = 1; break;
	}
}

/* ---- writers ---------------------------------------------------------- */

/* A writing run: one transaction and batch; output held until commit. */
struct wctx {
	struct args *a;
	struct crm_db *db;
	struct rec_writer *w;
	int header;
	long long rows, refused;
	long long user_id, pool_id;	/* the --to of assign, move, release */
	const char *verb, *reason;
};

static void
open_writer(struct wctx *x, struct args *a, const char *verb)
{
	char command[64];

	memset(x, 0, sizeof *x);
	x->a = a;
	x->verb = verb;
	x->db = crm_db_open(CRM_DB_WRITE);
	crm_db_begin(x->db);
	snprintf(command, sizeof command, "crm-pool %s", verb);
	crm_batch_start(x->db, crm_batch_kind(command), NULL);
	x->w = recw_open_held(crm_g.csv);
}

/* Commit, or roll back for --dry-run; then print what was written. */
static void
finish(struct wctx *x)
{
	crm_batch_set_rows(x->db, x->rows);
	if (x->a->dry_run) {
		crm_db_rollback(x->db);
		if (!crm_g.quiet)
			crm_warn("dry run: nothing was changed");
	} else
		crm_db_commit(x->db);
	recw_close(x->w);
	crm_db_close(x->db);
}

/* Write customer ID as crm-lead show does. */
static void
put_customer(struct wctx *x, long long id)
{
	struct crm_filter f = { 0 };
	struct crm_cursor *c;
	const char *const *v;

	f.id = id;
	f.merged = 1;
	f.wide = 1;
	c = crm_customers_open(x->db, &f);
	if (!x->header) {
		recw_header(x->w, crm_cursor_ncol(c), crm_cursor_names(c));
		x->header = 1;
	}
	if ((v = crm_cursor_next(c)) != NULL)
		recw_row(x->w, crm_cursor_ncol(c), v);
	crm_cursor_close(c);
}

/* The pool named NAME, or death. */
static long long
pool_or_die(struct crm_db *db, const char *name)
{
	long long id = crm_pool_id(db, name);

	if (id < 0)
		crm_die("no pool '%s'", name);
	return id;
}

/* ---- create, set, pools ----------------------------------------------- */

static const char *const pool_cols[] = {
	"name", "region", "industry", "members", "admins", "no_followup_days",
	"no_deal_days", "not_won_days", "grade_days", "exempt", "warn_days",
	"claim_limit", "max_owned", "lockout_days", "cooling_days", "customers",
	"created_at"
};
#define NPOOLCOLS (sizeof pool_cols / sizeof pool_cols[0])

struct pools_out {
	struct crm_db *db;
	struct rec_writer *w;
	int header, all;
};

/* Write pool P as a record (if the actor may see it, unless ALL). */
static void
put_pool(const struct crm_pool *p, void *ctx)
{
	struct pools_out *o = ctx;
	char num[8][32], count[32], *members, *admins, *grades, *exempt;
	const char *v[NPOOLCOLS];
	long long nums[8];

	if (!o->all && !crm_pool_actor_is_admin(o->db, p->id) &&
	    !crm_pool_is_member(o->db, p->id, crm_actor_id(o->db)))
		return;
	if (!o->header) {
		recw_header(o->w, NPOOLCOLS, pool_cols);
		o->header = 1;
	}
	members = crm_pool_members_text(o->db, p->id, "member");
	admins = crm_pool_members_text(o->db, p->id, "admin");
	grades = crm_pool_format_grades(p);
	exempt = crm_pool_format_exempt(p->exempt);
	nums[0] = p->days[CRM_RULE_FOLLOWUP];
	nums[1] = p->days[CRM_RULE_DEAL];
	nums[2] = p->days[CRM_RULE_WON];
	nums[3] = p->warn_days;
	nums[4] = p->claim_limit;
	nums[5] = p->max_owned;
	nums[6] = p->lockout_days;
	nums[7] = p->cooling_days;
	for (int i = 0; i < 8; i++)
		snprintf(num[i], sizeof num[i], "%lld", nums[i]);
	v[0] = p->name;
	v[1] = p->region;
	v[2] = p->industry;
	v[3] = *members ? members : NULL;
	v[4] = *admins ? admins : NULL;
	v[5] = nums[0] < 0 ? NULL : num[0];
	v[6] = nums[1] < 0 ? NULL : num[1];
	v[7] = nums[2] < 0 ? NULL : num[2];
	v[8] = *grades ? grades : NULL;
	v[9] = *exempt ? exempt : NULL;
	for (int i = 3; i < 8; i++)
		v[7 + i] = nums[i] < 0 ? NULL : num[i];
	snprintf(count, sizeof count, "%lld", crm_pool_count(o->db, p->id));
	v[15] = count;
	v[16] = p->created_at;
	recw_row(o->w, NPOOLCOLS, v);
	free(members);
	free(admins);
	free(grades);
	free(exempt);
}

/* Copy the settings A gave onto P. */
static void
apply_settings(const struct args *a, struct crm_pool *p)
{
	const struct crm_pool *s = &a->set;

	if (a->given & G_REGION) {
		free(p->region);
		p->region = s->region ? xstrdup(s->region) : NULL;
	}
	if (a->given & G_INDUSTRY) {
		free(p->industry);
		p->industry = s->industry ? xstrdup(s->industry) : NULL;
	}
	for (int r = 0; r < CRM_RULE_N; r++)
		if (a->given & (G_DAYS << r))
			p->days[r] = s->days[r];
	if (a->given & G_WARN)
		p->warn_days = s->warn_days;
	if (a->given & G_CLAIM)
		p->claim_limit = s->claim_limit;
	if (a->given & G_MAX)
		p->max_owned = s->max_owned;
	if (a->given & G_LOCKOUT)
		p->lockout_days = s->lockout_days;
	if (a->given & G_COOLING)
		p->cooling_days = s->cooling_days;
	if (a->given & G_EXEMPT)
		memcpy(p->exempt, s->exempt, sizeof p->exempt);
	if (a->given & G_GRADES) {
		char *g = crm_pool_format_grades(s);

		(void)crm_pool_parse_grades(*g ? g : "none", p);
		free(g);
	}
}

/* Set the members and admins A gave for pool ID; dies on unknown names. */
static void
apply_members(struct wctx *x, long long id)
{
	const char *err;

	if (x->a->members &&
	    (err = crm_pool_set_members(x->db, id, "member", x->a->members)))
		crm_die("%s", err);
	if (x->a->admins &&
	    (err = crm_pool_set_members(x->db, id, "admin", x->a->admins)))
		crm_die("%s", err);
}

static int
pool_create(struct args *a, int argc, char **argv)
{
	struct pools_out o = { NULL, NULL, 0, 1 };
	struct crm_pool p;
	struct wctx x;

	if (argc != 2 || argv[1][0] == '\0')
		crm_usage_error("create takes one NAME");
	open_writer(&x, a, "create");
	crm_require_admin(x.db, "creating a pool");
	if (crm_pool_id(x.db, argv[1]) >= 0)
		crm_die("pool '%s' exists already (change it with set)", argv[1]);
	crm_pool_init(&p);
	p.name = xstrdup(argv[1]);
	apply_settings(a, &p);
	crm_pool_insert(x.db, &p);
	apply_members(&x, p.id);
	crm_pool_free(&p);
	crm_pool_get(x.db, argv[1], 0, &p);
	o.db = x.db;
	o.w = x.w;
	put_pool(&p, &o);
	crm_pool_free(&p);
	x.rows = 1;
	finish(&x);
	return 0;
}

static int
pool_set(struct args *a, int argc, char **argv)
{
	struct pools_out o = { NULL, NULL, 0, 1 };
	struct crm_pool p;
	struct wctx x;
	int changed;
	char *before[2];

	if (argc != 2)
		crm_usage_error("set takes one NAME");
	if (a->given == 0 && !a->members && !a->admins)
		crm_usage_error("set: nothing to change (give a rule, --members "
		    "or --admins)");
	open_writer(&x, a, "set");
	if (!crm_pool_get(x.db, argv[1], 0, &p))
		crm_die("no pool '%s'", argv[1]);
	if (!crm_pool_actor_is_admin(x.db, p.id))
		crm_die("permission denied: configuring pool '%s' needs an admin "
		    "of it (you are '%s', %s)", p.name, crm_g.actor,
		    crm_actor_describe(x.db));
	apply_settings(a, &p);
	changed = crm_pool_update(x.db, &p);
	before[0] = crm_pool_members_text(x.db, p.id, "member");
	before[1] = crm_pool_members_text(x.db, p.id, "admin");
	apply_members(&x, p.id);
	{
		char *m = crm_pool_members_text(x.db, p.id, "member");
		char *ad = crm_pool_members_text(x.db, p.id, "admin");

		changed += strcmp(m, before[0]) != 0;
		changed += strcmp(ad, before[1]) != 0;
		free(m);
		free(ad);
	}
	free(before[0]);
	free(before[1]);
	if (!changed && !crm_g.quiet)
		crm_warn("pool '%s': no change", p.name);
	crm_pool_free(&p);
	crm_pool_get(x.db, argv[1], 0, &p);
	o.db = x.db;
	o.w = x.w;
	put_pool(&p, &o);
	crm_pool_free(&p);
	x.rows = changed;
	finish(&x);
	return 0;
}

static int
pool_pools(int argc)
{
	struct pools_out o = { NULL, NULL, 0, 0 };

	if (argc != 1)
		crm_usage_error("pools takes no operands");
	o.db = crm_db_open(CRM_DB_READ);
	o.w = recw_open(stdout, "standard output", crm_g.csv);
	crm_pools_each(o.db, put_pool, &o);
	if (!o.header)
		recw_header(o.w, NPOOLCOLS, pool_cols);
	recw_close(o.w);
	crm_db_close(o.db);
	return 0;
}

/* ---- list ------------------------------------------------------------- */

static const char *const list_cols[] = {
	"id", "name", "company", "phone", "email", "region", "industry", "grade",
	"pool", "pool_since", "days_in_pool", "prev_owner", "claimable_from"
};
#define NLISTCOLS (sizeof list_cols / sizeof list_cols[0])

struct list_ctx {
	struct crm_db *db;
	struct rec_writer *w;
	const char *only;
	int mask;			/* the actor may not see contacts */
	long long cooling;
	long long me;
	long long shown;
};

static void
list_row(const struct crm_pooled *c, void *ctx)
{
	struct list_ctx *l = ctx;
	char id[32], days[32], from[CRM_TIME_LEN], *phone = NULL, *email = NULL;
	const char *v[NLISTCOLS];
	time_t since = 0, now = crm_now();

	snprintf(id, sizeof id, "%lld", c->id);
	if (c->pool_since && crm_parse_time(c->pool_since, &since) == 0) {
		snprintf(days, sizeof days, "%lld", now > since ?
		    (long long)((now - since) / 86400) : 0LL);
		crm_add_days(since, l->cooling > 0 ? l->cooling : 0, from);
	} else
		days[0] = from[0] = '\0';
	if (l->mask) {
		phone = crm_mask_phone(c->phone);
		email = crm_mask_email(c->email);
	}
	v[0] = id;
	v[1] = c->name;
	v[2] = c->company;
	v[3] = l->mask ? phone : c->phone;
	v[4] = l->mask ? email : c->email;
	v[5] = c->region;
	v[6] = c->industry;
	v[7] = c->grade;
	v[8] = c->pool;
	v[9] = c->pool_since;
	v[10] = days[0] ? days : NULL;
	v[11] = c->prev_owner;
	v[12] = from[0] ? from : NULL;
	recw_row(l->w, NLISTCOLS, v);
	free(phone);
	free(email);
	l->shown++;
}

/* List pool P when the actor is a member or an admin of it. */
static void
list_pool(const struct crm_pool *p, void *ctx)
{
	struct list_ctx *l = ctx;
	int admin;

	if (l->only && strcmp(l->only, p->name) != 0)
		return;
	admin = crm_pool_actor_is_admin(l->db, p->id);
	if (!admin && !crm_pool_is_member(l->db, p->id, l->me)) {
		if (l->only)
			crm_die("permission denied: you ('%s') are not a member of "
			    "pool '%s'", crm_g.actor, p->name);
		return;
	}
	l->mask = !admin;
	l->cooling = p->cooling_days;
	crm_pool_customers(l->db, p->id, list_row, l);
}

static int
pool_list(struct args *a, int argc)
{
	struct list_ctx l;

	if (argc != 1)
		crm_usage_error("list takes no operands (use --pool)");
	memset(&l, 0, sizeof l);
	l.db = crm_db_open(CRM_DB_READ);
	l.only = a->pool;
	if (a->pool)
		(void)pool_or_die(l.db, a->pool);
	l.me = crm_actor_id(l.db);
	l.w = recw_open(stdout, "standard output", crm_g.csv);
	recw_header(l.w, NLISTCOLS, list_cols);
	crm_pools_each(l.db, list_pool, &l);
	recw_close(l.w);
	crm_db_close(l.db);
	return 0;
}

/* ---- claim, assign, release, move ------------------------------------- */

/* Report a refusal of ID: fatal (all or nothing) unless --partial. */
static void
refused(struct wctx *x, long long id, const struct crm_refusal *r)
{
	if (!x->a->partial)
		crm_die("%s %lld: %s", x->verb, id, r->why);
	crm_warn("%s %lld: %s", x->verb, id, r->why);
	x->refused++;
}

static void
take_one(long long id, const char *where, void *ctx)
{
	struct wctx *x = ctx;
	struct crm_refusal r;
	int how;

	(void)where;
	if (strcmp(x->verb, "claim") == 0)
		how = x->a->force ? CRM_TAKE_FORCE : CRM_TAKE_CLAIM;
	else
		how = x->a->force ? CRM_TAKE_FORCE : CRM_TAKE_ASSIGN;
	if (!crm_pool_take(x->db, id, x->user_id, how, x->reason, &r)) {
		refused(x, id, &r);
		return;
	}
	x->rows++;
	put_customer(x, id);
}

/* claim and assign: give pooled customers to the actor or to --to. */
static int
pool_take(struct args *a, int argc, char **argv)
{
	struct wctx x;
	int claim = strcmp(argv[0], "claim") == 0;

	if (claim && a->to)
		crm_usage_error("claim is for yourself: use assign --to USER");
	if (!claim && a->to == NULL)
		crm_usage_error("assign needs --to USER");
	open_writer(&x, a, argv[0]);
	if (claim) {
		if ((x.user_id = crm_actor_id(x.db)) < 0)
			crm_die("claim: you ('%s') are not a user, so you cannot own "
			    "customers (crm-user add %s)", crm_g.actor, crm_g.actor);
		x.reason = a->force ? "claim (forced)" : "claim";
	} else {
		if ((x.user_id = crm_user_id(x.db, a->to)) < 0)
			crm_die("assign: no user '%s'", a->to);
		x.reason = a->force ? "assign (forced)" : "assign";
	}
	rec_each_id(argc - 1, argv + 1, crm_g.csv, take_one, &x);
	if (x.refused && !crm_g.quiet)
		crm_warn("%lld %s%s, %lld refused", x.rows, a->dry_run ?
		    "would be " : "", claim ? "claimed" : "assigned", x.refused);
	finish(&x);
	return x.refused ? 1 : 0;
}

static void
put_one(long long id, const char *where, void *ctx)
{
	struct wctx *x = ctx;
	struct crm_refusal r;
	int release = strcmp(x->verb, "release") == 0;

	(void)where;
	if (!crm_pool_put(x->db, id, x->pool_id, release, x->reason, &r)) {
		if (r.rule)
			refused(x, id, &r);
		else if (!crm_g.quiet)
			crm_warn("%s %lld: in pool '%s' already", x->verb, id,
			    crm_pool_name(x->db, x->pool_id));
		return;
	}
	x->rows++;
	put_customer(x, id);
}

/* release and move: into a pool. */
static int
pool_put(struct args *a, int argc, char **argv)
{
	struct wctx x;
	int release = strcmp(argv[0], "release") == 0;
	char *reason;

	if (release && (a->reason == NULL || a->reason[0] == '\0'))
		crm_usage_error("release needs --reason TEXT");
	if (!release && a->to == NULL)
		crm_usage_error("move needs --to POOL");
	if (a->force || a->partial)
		crm_usage_error("--force and --partial are for claim and assign");
	open_writer(&x, a, argv[0]);
	x.pool_id = a->to ? pool_or_die(x.db, a->to) : -1;
	if (a->reason)
		reason = xasprintf("%s: %s", argv[0], a->reason);
	else
		reason = xstrdup(argv[0]);
	x.reason = reason;
	rec_each_id(argc - 1, argv + 1, crm_g.csv, put_one, &x);
	finish(&x);
	free(reason);
	return 0;
}

/* ---- reclaim ---------------------------------------------------------- */

static const char *const reclaim_cols[] = {
	"id", "name", "company", "owner", "pool", "rule", "idle_days",
	"limit_days", "since", "action", "explain"
};

struct reclaim_ctx {
	struct wctx *x;
	const struct crm_pool *p;
	long long moved, exempt, total;
	int explain;
};

/* Why D is due, in words. */
static void
explain(const struct crm_due *d, char *buf, size_t n)
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

static void
reclaim_row(const struct crm_due *d, void *ctx)
{
	struct reclaim_ctx *rc = ctx;
	char id[32], idle[32], lim[32], why[700];
	const char *v[11];
	size_t ncol = rc->explain ? 11 : 9;

	snprintf(id, sizeof id, "%lld", d->id);
	snprintf(idle, sizeof idle, "%lld", d->idle_days);
	snprintf(lim, sizeof lim, "%lld", d->limit_days);
	if (d->exempt_by)
		rc->exempt++;
	else
		rc->moved++;
	v[0] = id;
	v[1] = d->name;
	v[2] = d->company;
	v[3] = d->owner;
	v[4] = rc->p->name;
	v[5] = crm_rule_names[d->rule];
	v[6] = idle;
	v[7] = lim;
	v[8] = d->clock;
	v[9] = d->exempt_by ? "exempt" : "move";
	explain(d, why, sizeof why);
	v[10] = why;
	recw_row(rc->x->w, ncol, v);
}

static void
reclaim_pool(const struct crm_pool *p, void *ctx)
{
	struct reclaim_ctx *rc = ctx;
	long long before = rc->moved;

	if (rc->x->a->pool && strcmp(rc->x->a->pool, p->name) != 0)
		return;
	rc->p = p;
	rc->total += crm_pool_reclaim(rc->x->db, p, rc->explain, reclaim_row, rc);
	if (!crm_g.quiet && rc->moved > before)
		crm_warn("pool '%s': %lld customer%s %s", p->name,
		    rc->moved - before, rc->moved - before == 1 ? "" : "s",
		    rc->x->a->dry_run ? "would be reclaimed" : "reclaimed");
}

static int
pool_reclaim(struct args *a, int argc)
{
	struct reclaim_ctx rc;
	struct wctx x;

	if (argc != 1)
		crm_usage_error("reclaim takes no operands (use --pool)");
	open_writer(&x, a, "reclaim");
	if (a->pool) {
		long long id = pool_or_die(x.db, a->pool);

		if (!crm_pool_actor_is_admin(x.db, id))
			crm_die("permission denied: reclaiming into pool '%s' needs "
			    "an admin of it (you are '%s', %s)", a->pool, crm_g.actor,
			    crm_actor_describe(x.db));
	} else
		crm_require_admin(x.db, "reclaim of every pool");
	memset(&rc, 0, sizeof rc);
	rc.x = &x;
	rc.explain = a->explain;
	recw_header(x.w, a->explain ? 11 : 9, reclaim_cols);
	crm_pools_each(x.db, reclaim_pool, &rc);
	if (!crm_g.quiet && rc.moved == 0)
		crm_warn("nothing is due");
	x.rows = rc.total;
	finish(&x);
	return 0;
}

/* ---- due -------------------------------------------------------------- */

static const char *const due_cols[] = {
	"owner", "owner_email", "id", "name", "company", "pool", "rule",
	"idle_days", "limit_days", "due_at", "days_left"
};
#define NDUECOLS (sizeof due_cols / sizeof due_cols[0])

struct due_row {
	char *v[NDUECOLS];
};

struct due_ctx {
	struct crm_db *db;
	const char *only, *owner, *within;
	const struct crm_pool *p;
	struct due_row *rows;
	size_t n, cap;
};

static char *
xdup(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void
due_row(const struct crm_due *d, void *ctx)
{
	struct due_ctx *dc = ctx;
	struct due_row *r;
	time_t due = 0, now = crm_now();
	long long left = 0;

	if (dc->owner && strcmp(dc->owner, d->owner) != 0)
		return;
	if (dc->n == dc->cap)
		dc->rows = xrealloc(dc->rows, (dc->cap = dc->cap ? dc->cap * 2 : 64) *
		    sizeof *dc->rows);
	r = &dc->rows[dc->n++];
	(void)crm_parse_time(d->due_at, &due);
	if (due > now)
		left = (long long)((due - now + 86399) / 86400);
	r->v[0] = xdup(d->owner);
	r->v[1] = xdup(d->owner_email);
	r->v[2] = xasprintf("%lld", d->id);
	r->v[3] = xdup(d->name);
	r->v[4] = xdup(d->company);
	r->v[5] = xdup(dc->p->name);
	r->v[6] = xdup(crm_rule_names[d->rule]);
	r->v[7] = xasprintf("%lld", d->idle_days);
	r->v[8] = xasprintf("%lld", d->limit_days);
	r->v[9] = xdup(d->due_at);
	r->v[10] = xasprintf("%lld", left);
}

static void
due_pool(const struct crm_pool *p, void *ctx)
{
	struct due_ctx *dc = ctx;
	long long ahead;

	if (dc->only && strcmp(dc->only, p->name) != 0)
		return;
	if (dc->within)
		ahead = crm_parse_duration(dc->within);
	else
		ahead = p->warn_days > 0 ? p->warn_days * 86400 : 0;
	dc->p = p;
	crm_pool_due(dc->db, p, crm_now() + (time_t)ahead, 0, due_row, dc);
}

/* By owner, then due time, then id. */
static int
due_cmp(const void *a, const void *b)
{
	const struct due_row *x = a, *y = b;
	int c;

	if ((c = strcmp(x->v[0], y->v[0])) != 0)
		return c;
	if ((c = strcmp(x->v[9], y->v[9])) != 0)
		return c;
	return atoll(x->v[2]) < atoll(y->v[2]) ? -1 : 1;
}

static int
pool_due(struct args *a, int argc)
{
	struct due_ctx dc;
	struct rec_writer *w;

	if (argc != 1)
		crm_usage_error("due takes no operands");
	memset(&dc, 0, sizeof dc);
	dc.db = crm_db_open(CRM_DB_READ);
	dc.only = a->pool;
	dc.within = a->within;
	if (a->pool)
		(void)pool_or_die(dc.db, a->pool);
	if (crm_actor_is_admin(dc.db))
		dc.owner = a->owner;
	else if (a->owner && strcmp(a->owner, crm_g.actor) != 0)
		crm_die("permission denied: only an admin may see the customers "
		    "due of '%s' (you are '%s', %s)", a->owner, crm_g.actor,
		    crm_actor_describe(dc.db));
	else
		dc.owner = crm_g.actor;
	if (dc.owner && crm_user_id(dc.db, dc.owner) < 0)
		crm_die("no user '%s'", dc.owner);
	crm_pools_each(dc.db, due_pool, &dc);
	if (dc.n > 1)
		qsort(dc.rows, dc.n, sizeof *dc.rows, due_cmp);
	w = recw_open(stdout, "standard output", crm_g.csv);
	recw_header(w, NDUECOLS, due_cols);
	for (size_t i = 0; i < dc.n; i++) {
		recw_row(w, NDUECOLS, (const char *const *)dc.rows[i].v);
		for (size_t k = 0; k < NDUECOLS; k++)
			free(dc.rows[i].v[k]);
	}
	free(dc.rows);
	recw_close(w);
	crm_db_close(dc.db);
	return 0;
}

/* ---- undo ------------------------------------------------------------- */

static void
undo_skipped(const char *entity, long long id, const char *field,
    const char *why, void *ctx)
{
	(void)ctx;
	crm_warn("not undone: %s %lld %s: %s", entity, id, field, why);
}

static int
pool_undo(struct args *a, int argc, char **argv)
{
	struct wctx x;
	long long b, n;
	int ours;

	if (argc != 2)
		crm_usage_error("undo takes one BATCH");
	b = crm_parse_int("BATCH", argv[1], 1, 1LL << 62);
	open_writer(&x, a, "undo");
	crm_require_admin(x.db, "undo");
	if ((ours = crm_pool_batch_ours(x.db, b)) < 0)
		crm_die("no batch %lld", b);
	if (!ours)
		crm_die("batch %lld was not made by crm-pool: undo it with the "
		    "program that made it", b);
	n = crm_batch_undo(x.db, b, undo_skipped, NULL);
	if (!crm_g.quiet)
		crm_warn("%s%lld change%s of batch %lld undone", a->dry_run ?
		    "would have: " : "", n, n == 1 ? "" : "s", b);
	x.rows = n;
	finish(&x);
	return 0;
}

int
cmd_main(int argc, char **argv)
{
	struct args a;
	const char *cmd;
	int rc;

	memset(&a, 0, sizeof a);
	crm_pool_init(&a.set);
	argc = crm_parse_options(argc, argv, on_opt, &a);
	if (argc == 0)
		crm_usage_error("missing command (create, set, pools, list, claim, "
		    "release, assign, move, reclaim, due, undo)");
	cmd = argv[0];
	if ((a.given || a.members || a.admins) && strcmp(cmd, "create") != 0 &&
	    strcmp(cmd, "set") != 0)
		crm_usage_error("pool settings are for create and set");
	if (a.explain && strcmp(cmd, "reclaim") != 0)
		crm_usage_error("--explain is for reclaim");
	if (strcmp(cmd, "create") == 0)
		rc = pool_create(&a, argc, argv);
	else if (strcmp(cmd, "set") == 0)
		rc = pool_set(&a, argc, argv);
	else if (strcmp(cmd, "pools") == 0)
		rc = pool_pools(argc);
	else if (strcmp(cmd, "list") == 0)
		rc = pool_list(&a, argc);
	else if (strcmp(cmd, "claim") == 0 || strcmp(cmd, "assign") == 0)
		rc = pool_take(&a, argc, argv);
	else if (strcmp(cmd, "release") == 0 || strcmp(cmd, "move") == 0)
		rc = pool_put(&a, argc, argv);
	else if (strcmp(cmd, "reclaim") == 0)
		rc = pool_reclaim(&a, argc);
	else if (strcmp(cmd, "due") == 0)
		rc = pool_due(&a, argc);
	else if (strcmp(cmd, "undo") == 0)
		rc = pool_undo(&a, argc, argv);
	else
		crm_usage_error("unknown command '%s'", cmd);
	crm_pool_free(&a.set);
	return rc;
}
