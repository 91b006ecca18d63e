/*
** assign.c: who gets a customer.  The reps a run may choose are loaded
** once (crm_user_get, crm_user_away, crm_user_owned) and their owned
** counts kept in memory; round-robin cursors and weighted state are read
** once per set and stored at the end, so a run of any size costs a few
** indexed statements per row and nothing that scans.  A customer in a
** pool is taken with crm_pool_take(), under the pool's rules.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assign.h"
#include "customer.h"
#include "db.h"
#include "die.h"
#include "history.h"
#include "map.h"
#include "policy.h"
#include "pool.h"
#include "re.h"
#include "rec.h"
#include "rules.h"
#include "str.h"
#include "user.h"
#include "when.h"

/* A user the run may give customers to, as loaded at its start. */
struct rep {
	long long id;
	char *login;
	char *away_from, *away_until;
	long long capacity;	/* -1: no limit */
	long long weight;
	long long owned;	/* live customers owned, kept up to date */
	int active, away;
	long long member_of;	/* the pool last asked about (0: none) */
	int member;		/* ... and whether R is a member of it */
};

/* The records written (crm_assign_out_open); columns -1 when absent. */
struct assign_out {
	struct rec_writer *w;
	size_t nin, n;		/* the input's columns; all */
	const char **names, **v;
	int holder[4], deals, followups, explain;
};

/* The pool of the customer at hand, whose rules a taker must meet. */
struct from_pool {
	long long id;		/* -1: the customer is in no pool */
	char *name;
	long long max_owned;	/* -1: no limit */
};

/* A set of reps and how to choose among them. */
struct group {
	char *key;		/* "team:east", "li", "a,b,team:x": sorted items */
	enum crm_strategy s;
	char *reason;		/* "round-robin team:east", for the history */
	size_t n;
	struct rep **m;		/* ordered by login */
	long long stand_in;	/* balanced: capacity of reps without one */
	/* round-robin */
	int rr_loaded, rr_dirty;
	const struct rep *last;	/* chosen last; NULL at the start */
	char *last_login;	/* from the stored cursor */
	/* weighted */
	int wrr_loaded, wrr_dirty;
	long long *cw;		/* current weights, per member */
};

struct crm_assigner {
	struct crm_db *db;
	struct crm_assign_opts o;
	time_t now;
	unsigned long long rng;
	struct rep **reps;
	size_t nreps;
	struct strmap rep_ix;	/* decimal id -> index in reps */
	struct group **groups;
	size_t ngroups;
	struct group *only;	/* the strategy when there are no rules */
	struct crm_rules *rules;
	struct rep *from;	/* transfer_from */
	char *transfer_reason;
	/* per row */
	struct from_pool pool;
	struct strbuf explain, why, owner;
	char *holder[4];	/* holder_now() */
	struct assign_out out;
	struct crm_cursor *stored;	/* the customer as stored, for rules */
	long long stored_id;
	const char *const *stored_v;
};

/* ---- reps ------------------------------------------------------------ */

/* The rep with id ID, loaded on first use; NULL when there is no such user. */
static struct rep *
rep_get(struct crm_assigner *a, long long id)
{
	struct crm_user u;
	struct rep *r;
	char key[32];
	long long ix;

	snprintf(key, sizeof key, "%lld", id);
	if ((ix = map_get(&a->rep_ix, key)) >= 0)
		return a->reps[ix];
	if (!crm_user_get(a->db, NULL, id, &u))
		return NULL;
	r = xcalloc(1, sizeof *r);
	r->id = u.id;
	r->login = xstrdup(u.login);
	r->away_from = u.away_from ? xstrdup(u.away_from) : NULL;
	r->away_until = u.away_until ? xstrdup(u.away_until) : NULL;
	r->capacity = u.capacity;
	r->weight = u.weight;
	r->active = u.active;
	r->away = crm_user_away(a->db, id, a->now);
	r->owned = crm_user_owned(a->db, id);
	crm_user_free(&u);
	a->reps = xrealloc(a->reps, (a->nreps + 1) * sizeof *a->reps);
	a->reps[a->nreps] = r;
	map_put(&a->rep_ix, key, (long long)a->nreps++);
	return r;
}

/* The rep already loaded with id ID, or NULL. */
static struct rep *
rep_loaded(struct crm_assigner *a, long long id)
{
	char key[32];
	long long ix;

	snprintf(key, sizeof key, "%lld", id);
	return (ix = map_get(&a->rep_ix, key)) >= 0 ? a->reps[ix] : NULL;
}

/*
** NULL when R may receive the customer at hand now, else why not (static
** buffer), worded as crm_user_available() words it, and for a customer
** in a pool as the pool's rules (crm_pool_take) would refuse it: R not a
** member, or owning its --max-owned.  FORCE ignores leave, capacity and
** the pool's rules (a single --to user with --force); never inactivity.
*/
static const char *
rep_unavailable(struct crm_assigner *a, struct rep *r, int force)
{
	static char buf[400];
	const struct from_pool *p = &a->pool;

	if (!r->active)
		return "inactive";
	if (force)
		return NULL;
	if (r->away) {
		if (r->away_until)
			snprintf(buf, sizeof buf, "away until %s", r->away_until);
		else
			snprintf(buf, sizeof buf, "away since %s", r->away_from);
		return buf;
	}
	if (r->capacity >= 0 && r->owned >= r->capacity) {
		snprintf(buf, sizeof buf, "at capacity (%lld of %lld)", r->owned,
		    r->capacity);
		return buf;
	}
	if (p->id < 0)
		return NULL;
	if (r->member_of != p->id) {
		r->member_of = p->id;
		r->member = crm_pool_is_member(a->db, p->id, r->id);
	}
	if (!r->member) {
		snprintf(buf, sizeof buf, "not a member of pool '%s'", p->name);
		return buf;
	}
	if (p->max_owned >= 0 && r->owned >= p->max_owned) {
		snprintf(buf, sizeof buf, "at the max-owned of pool '%s' (%lld of "
		    "%lld)", p->name, r->owned, p->max_owned);
		return buf;
	}
	return NULL;
}

/* Make pool POOL_ID (-1 for none) the one of the customer at hand. */
static void
pool_at_hand(struct crm_assigner *a, long long pool_id)
{
	struct crm_pool p;

	if (pool_id == a->pool.id)
		return;
	free(a->pool.name);
	a->pool.name = NULL;
	a->pool.id = -1;
	if (pool_id < 0 || !crm_pool_get(a->db, NULL, pool_id, &p))
		return;
	a->pool.id = p.id;
	a->pool.name = xstrdup(p.name);
	a->pool.max_owned = p.max_owned;
	crm_pool_free(&p);
}

/* ---- sets of reps ---------------------------------------------------- */

static int
cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static int
cmp_rep(const void *x, const void *y)
{
	return strcmp((*(struct rep *const *)x)->login,
	    (*(struct rep *const *)y)->login);
}

static const char *const strategy_names[] = {
	[CRM_TO] = "to", [CRM_ROUND_ROBIN] = "round-robin",
	[CRM_BALANCED] = "balanced", [CRM_WEIGHTED] = "weighted"
};

/* Add R to G unless there already (or the user a transfer is from). */
static void
group_add(struct crm_assigner *a, struct group *g, struct rep *r)
{
	if (a->from && r == a->from)
		return;
	for (size_t i = 0; i < g->n; i++)
		if (g->m[i] == r)
			return;
	g->m = xrealloc(g->m, (g->n + 1) * sizeof *g->m);
	g->m[g->n++] = r;
}

/*
** The group for strategy S over SET, made once per (set, strategy).
** Returns NULL with a message in ERR (size N) naming an unknown user or
** team.
*/
static struct group *
group_for(struct crm_assigner *a, enum crm_strategy s, const char *set,
    char *err, size_t n)
{
	struct strvec items = STRVEC_INIT, keys = STRVEC_INIT;
	struct strbuf key = STRBUF_INIT;
	struct group *g = NULL;
	long long *ids;
	size_t nteams = 0, nusers = 0;

	if (strncmp(set, "users:", 6) == 0)
		set += 6;
	sv_split(&items, set, ',');
	if (items.n == 0) {
		snprintf(err, n, "no users in '%s'", set);
		goto out;
	}
	g = xcalloc(1, sizeof *g);
	for (size_t i = 0; i < items.n; i++) {
		const char *it = items.v[i];

		if (strncmp(it, "team:", 5) == 0) {
			long long tid = crm_team_id(a->db, it + 5);
			size_t k;

			if (tid < 0) {
				snprintf(err, n, "no team '%s'", it + 5);
				goto bad;
			}
			k = crm_team_members(a->db, tid, 0, &ids);
			for (size_t j = 0; j < k; j++)
				group_add(a, g, rep_get(a, ids[j]));
			free(ids);
			sv_push(&keys, it);
			nteams++;
		} else {
			long long uid;

			if (strncmp(it, "user:", 5) == 0)
				it += 5;
			if ((uid = crm_user_id(a->db, it)) < 0) {
				snprintf(err, n, "no user '%s'", it);
				goto bad;
			}
			if (a->from && uid == a->from->id) {
				snprintf(err, n, "cannot transfer from '%s' to '%s'",
				    it, it);
				goto bad;
			}
			group_add(a, g, rep_get(a, uid));
			sv_push(&keys, it);
			nusers++;
		}
	}
	if (s == CRM_TO && (nteams > 0 || nusers > 1))
		s = CRM_ROUND_ROBIN;	/* --to a set */
	if (keys.n > 1)
		qsort(keys.v, keys.n, sizeof *keys.v, cmp_str);
	sb_init(&key);
	for (size_t i = 0; i < keys.n; i++) {
		if (i == 0 || strcmp(keys.v[i], keys.v[i - 1]) != 0) {
			if (key.len)
				sb_addc(&key, ',');
			sb_adds(&key, keys.v[i]);
		}
	}
	for (size_t i = 0; i < a->ngroups; i++)
		if (a->groups[i]->s == s && strcmp(a->groups[i]->key, key.buf) == 0) {
			free(g->m);
			free(g);
			g = a->groups[i];
			goto out;
		}
	g->key = sb_detach(&key);
	g->s = s;
	g->reason = s == CRM_TO ? xasprintf("to %s", g->key) :
	    xasprintf("%s %s", strategy_names[s], g->key);
	if (a->o.seeded && s == CRM_WEIGHTED) {
		char *r = xasprintf("%s, seed %llu", g->reason, a->o.seed);

		free(g->reason);
		g->reason = r;
	}
	if (g->n > 1)
		qsort(g->m, g->n, sizeof *g->m, cmp_rep);
	g->stand_in = 1;
	for (size_t i = 0; i < g->n; i++)
		if (g->m[i]->capacity > g->stand_in)
			g->stand_in = g->m[i]->capacity;
	a->groups = xrealloc(a->groups, (a->ngroups + 1) * sizeof *a->groups);
	a->groups[a->ngroups++] = g;
	goto out;
bad:
	free(g->m);
	free(g);
	g = NULL;
out:
	sv_free(&items);
	sv_free(&keys);
	sb_free(&key);
	return g;
}

static int
group_has(const struct group *g, long long uid)
{
	for (size_t i = 0; i < g->n; i++)
		if (g->m[i]->id == uid)
			return 1;
	return 0;
}

/* Append "LOGIN (WHY)" for each member WHY is not NULL for, to a->why. */
static void
list_unavailable(struct crm_assigner *a, const struct group *g)
{
	size_t k = 0;

	for (size_t i = 0; i < g->n; i++) {
		const char *why = rep_unavailable(a, g->m[i], 0);

		if (why == NULL && g->s == CRM_WEIGHTED && g->m[i]->weight == 0)
			why = "weight 0";
		if (why == NULL)
			continue;
		sb_addf(&a->why, "%s%s: %s", k++ ? ", " : "", g->m[i]->login, why);
	}
}

/* The next random number of the run's seeded stream (splitmix64). */
static unsigned long long
next_random(struct crm_assigner *a)
{
	unsigned long long z = (a->rng += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static void
rr_load(struct crm_assigner *a, struct group *g)
{
	struct crm_stmt *s = crm_sql(a->db,
	    "SELECT u.login FROM rr_cursors c JOIN users u ON u.id = c.last_user_id"
	    " WHERE c.key = ?");

	g->rr_loaded = 1;
	crm_bind_text(s, 1, g->key);
	if (crm_step(s)) {
		g->last_login = xstrdup(crm_col_text(s, 0));
		crm_reset(s);
	}
}

static void
wrr_load(struct crm_assigner *a, struct group *g)
{
	struct crm_stmt *s = crm_sql(a->db,
	    "SELECT user_id, current FROM wrr_state WHERE key = ?");

	g->wrr_loaded = 1;
	g->cw = xcalloc(g->n + 1, sizeof *g->cw);
	crm_bind_text(s, 1, g->key);
	while (crm_step(s)) {
		long long uid = crm_col_int(s, 0);

		for (size_t i = 0; i < g->n; i++)
			if (g->m[i]->id == uid)
				g->cw[i] = crm_col_int(s, 1);
	}
}

/* Round-robin: the first available member after the last one chosen. */
static struct rep *
pick_rr(struct crm_assigner *a, struct group *g)
{
	const char *last;
	size_t start = 0, skipped = 0;

	if (!g->rr_loaded)
		rr_load(a, g);
	last = g->last ? g->last->login : g->last_login;
	if (last)
		while (start < g->n && strcmp(g->m[start]->login, last) <= 0)
			start++;
	for (size_t k = 0; k < g->n; k++) {
		struct rep *r = g->m[(start + k) % g->n];
		const char *why = rep_unavailable(a, r, 0);

		if (why) {
			sb_addf(&a->why, "%s%s: %s", skipped++ ? ", " : "",
			    r->login, why);
			continue;
		}
		if (skipped) {
			char *s = xasprintf(" (skipped %s)", a->why.buf);

			sb_reset(&a->why);
			sb_adds(&a->why, s);
			free(s);
		}
		sb_addf(&a->explain, "%s: %s is %s%s%s", g->reason, r->login,
		    last ? "next after " : "first", last ? last : "", a->why.buf);
		g->last = r;
		g->rr_dirty = 1;
		return r;
	}
	return NULL;
}

/* Balanced: the lowest owned/capacity, the first by login among equals. */
static struct rep *
pick_balanced(struct crm_assigner *a, struct group *g)
{
	struct rep *best = NULL;
	long long bc = 1;

	for (size_t i = 0; i < g->n; i++) {
		struct rep *r = g->m[i];
		long long c = r->capacity >= 0 ? r->capacity : g->stand_in;

		if (rep_unavailable(a, r, 0))
			continue;
		if (best == NULL || r->owned * bc < best->owned * c) {
			best = r;
			bc = c;
		}
	}
	if (best) {
		sb_addf(&a->explain, "%s: %s has the lowest load (owns %lld",
		    g->reason, best->login, best->owned);
		if (best->capacity >= 0)
			sb_addf(&a->explain, " of %lld)", best->capacity);
		else
			sb_addf(&a->explain, ", no capacity)");
	}
	return best;
}

/* Weighted: smooth weighted round-robin, or a seeded draw. */
static struct rep *
pick_weighted(struct crm_assigner *a, struct group *g)
{
	long long total = 0;
	size_t best = (size_t)-1;

	if (!g->wrr_loaded && !a->o.seeded)
		wrr_load(a, g);
	for (size_t i = 0; i < g->n; i++) {
		struct rep *r = g->m[i];

		if (r->weight <= 0 || rep_unavailable(a, r, 0))
			continue;
		total += r->weight;
		if (a->o.seeded)
			continue;
		g->cw[i] += r->weight;
		if (best == (size_t)-1 || g->cw[i] > g->cw[best])
			best = i;
	}
	if (total == 0)
		return NULL;
	if (a->o.seeded) {
		long long x = (long long)(next_random(a) % (unsigned long long)total);

		for (size_t i = 0; i < g->n; i++) {
			struct rep *r = g->m[i];

			if (r->weight <= 0 || rep_unavailable(a, r, 0))
				continue;
			if (x < r->weight) {
				best = i;
				break;
			}
			x -= r->weight;
		}
	} else {
		g->cw[best] -= total;
		g->wrr_dirty = 1;
	}
	sb_addf(&a->explain, "%s: %s (weight %lld of %lld)", g->reason,
	    g->m[best]->login, g->m[best]->weight, total);
	return g->m[best];
}

/*
** Choose a member of G for one customer, with the choice explained in
** a->explain; NULL (with why in a->explain) when nobody is available.
*/
static struct rep *
pick(struct crm_assigner *a, struct group *g)
{
	struct rep *r = NULL;

	sb_reset(&a->why);
	if (g->n == 0) {
		sb_addf(&a->explain, "%s has no active users", g->key);
		return NULL;
	}
	switch (g->s) {
	case CRM_TO: {
		const char *why = rep_unavailable(a, g->m[0], a->o.force);

		if (why) {
			sb_addf(&a->explain, "%s is %s%s", g->m[0]->login, why,
			    strcmp(why, "inactive") ? " (use --force)" : "");
			return NULL;
		}
		r = g->m[0];
		sb_addf(&a->explain, "%s", g->reason);
		if ((why = rep_unavailable(a, r, 0)) != NULL)
			sb_addf(&a->explain, " although %s (--force)", why);
		return r;
	}
	case CRM_ROUND_ROBIN:
		r = pick_rr(a, g);
		break;
	case CRM_BALANCED:
		r = pick_balanced(a, g);
		break;
	case CRM_WEIGHTED:
		r = pick_weighted(a, g);
		break;
	}
	if (r == NULL) {
		sb_reset(&a->why);
		list_unavailable(a, g);
		sb_addf(&a->explain, "no available user in %s (%s)", g->key,
		    a->why.buf);
	}
	return r;
}

/* ---- the assigner ---------------------------------------------------- */

struct crm_assigner *
crm_assigner_new(struct crm_db *db, const struct crm_assign_opts *o)
{
	struct crm_assigner *a;

	crm_require_admin(db, o->transfer_from ? "a transfer" :
	    "assigning customers");
	a = xcalloc(1, sizeof *a);
	a->db = db;
	a->pool.id = -1;
	a->o = *o;
	a->now = crm_now();
	a->rng = o->seed;
	sb_init(&a->explain);
	sb_init(&a->why);
	sb_init(&a->owner);
	if (o->transfer_from) {
		long long uid = crm_user_id(db, o->transfer_from);

		if (uid < 0)
			crm_die("--transfer-from: no user '%s'", o->transfer_from);
		a->from = rep_get(a, uid);
		a->transfer_reason = xasprintf("transfer from %s", a->from->login);
	}
	return a;
}

void
crm_assigner_use(struct crm_assigner *a, enum crm_strategy s, const char *set)
{
	char err[300];

	if ((a->only = group_for(a, s, set, err, sizeof err)) == NULL)
		crm_die("--%s: %s", s == CRM_TO ? "to" : strategy_names[s], err);
}

/* Split ACTION into its kind ("user", "team", "users"), names and strategy. */
static const char *
parse_action(const char *action, char **set, enum crm_strategy *s)
{
	static char buf[300];
	const char *p = action, *sp;
	size_t n;

	*s = CRM_ROUND_ROBIN;
	*set = NULL;
	if (strncmp(p, "user:", 5) != 0 && strncmp(p, "team:", 5) != 0 &&
	    strncmp(p, "users:", 6) != 0) {
		snprintf(buf, sizeof buf, "expected user:LOGIN, team:NAME or "
		    "users:A,B after '->', got '%s'", action);
		return buf;
	}
	sp = strpbrk(p, " \t");
	n = sp ? (size_t)(sp - p) : strlen(p);
	if (n == (size_t)(strchr(p, ':') - p) + 1) {
		snprintf(buf, sizeof buf, "no name after '%.*s'", (int)n, p);
		return buf;
	}
	if (sp) {
		while (*sp == ' ' || *sp == '\t')
			sp++;
		if (strcmp(sp, "round-robin") == 0)
			*s = CRM_ROUND_ROBIN;
		else if (strcmp(sp, "balanced") == 0)
			*s = CRM_BALANCED;
		else if (strcmp(sp, "weighted") == 0)
			*s = CRM_WEIGHTED;
		else {
			snprintf(buf, sizeof buf, "unknown strategy '%s' (round-robin, "
			    "balanced or weighted)", sp);
			return buf;
		}
		if (strncmp(p, "user:", 5) == 0) {
			snprintf(buf, sizeof buf, "a strategy ('%s') needs "
			    "team:NAME or users:A,B, not user:LOGIN", sp);
			return buf;
		}
	} else if (strncmp(p, "user:", 5) == 0)
		*s = CRM_TO;
	if (strncmp(p, "user:", 5) == 0 && memchr(p, ',', n)) {
		snprintf(buf, sizeof buf, "user:LOGIN names one user (use "
		    "users:A,B for several)");
		return buf;
	}
	if (strncmp(p, "team:", 5) == 0 && memchr(p, ',', n)) {
		snprintf(buf, sizeof buf, "team:NAME names one team (use "
		    "users:team:A,team:B for several)");
		return buf;
	}
	*set = xstrndup(p, n);
	return NULL;
}

const char *
crm_assign_action_check(const char *action, void *unused)
{
	enum crm_strategy s;
	const char *err;
	char *set;

	(void)unused;
	err = parse_action(action, &set, &s);
	free(set);
	return err;
}

void
crm_assigner_use_rules(struct crm_assigner *a, struct crm_rules *rs)
{
	a->rules = rs;
	for (size_t i = 0; i < rs->n; i++) {
		struct crm_rule *r = &rs->v[i];
		enum crm_strategy s;
		const char *err;
		char *set, msg[300];

		if ((err = parse_action(r->action, &set, &s)) != NULL)
			crm_die("%s:%lu: %s", rs->path, r->line, err);
		if ((r->data = group_for(a, s, set, msg, sizeof msg)) == NULL)
			crm_die("%s:%lu: %s", rs->path, r->line, msg);
		free(set);
	}
}

int
crm_assigner_is_weighted(const struct crm_assigner *a)
{
	for (size_t i = 0; i < a->ngroups; i++)
		if (a->groups[i]->s == CRM_WEIGHTED)
			return 1;
	return 0;
}

void
crm_assigner_columns(struct crm_assigner *a, size_t n, const char *const *names)
{
	struct crm_filter f = { 0 };
	struct crm_cursor *c = NULL;

	if (a->rules == NULL)
		return;
	for (size_t i = 0; i < a->rules->n; i++)
		for (size_t k = 0; k < a->rules->v[i].ncond; k++) {
			struct crm_rule_cond *cd = &a->rules->v[i].cond[k];
			size_t j;

			for (j = 0; j < n; j++)
				if (strcmp(names[j], cd->field) == 0)
					break;
			if (j < n) {
				cd->col = (int)j;
				continue;
			}
			if (c == NULL) {
				f.id = -1;	/* no rows: the names only */
				f.wide = 1;
				c = crm_customers_open(a->db, &f);
			}
			for (j = 0; j < crm_cursor_ncol(c); j++)
				if (strcmp(crm_cursor_names(c)[j], cd->field) == 0)
					break;
			if (j == crm_cursor_ncol(c))
				crm_die("%s:%lu: no field '%s' in the input or in "
				    "customer records", a->rules->path,
				    a->rules->v[i].line, cd->field);
			cd->col = -2 - (int)j;	/* read from the stored record */
		}
	if (c)
		crm_cursor_close(c);
}

/* The current row, for rule conditions. */
struct row {
	struct crm_assigner *a;
	long long id;
	size_t n;
	const char *const *v;
};

static const char *
row_field(const struct crm_rule_cond *c, void *ctx)
{
	struct row *row = ctx;
	struct crm_assigner *a = row->a;

	if (c->col >= 0)
		return (size_t)c->col < row->n ? row->v[c->col] : NULL;
	if (a->stored == NULL) {
		struct crm_filter f = { 0 };

		f.id = row->id;
		f.wide = 1;
		a->stored = crm_customers_open(a->db, &f);
		a->stored_v = crm_cursor_next(a->stored);
	}
	if (a->stored_v == NULL || (size_t)(-2 - c->col) >= crm_cursor_ncol(a->stored))
		return NULL;
	return a->stored_v[-2 - c->col];
}

/* The login of user UID as a->owner (a copy), or NULL for -1. */
static const char *
login_of(struct crm_assigner *a, long long uid)
{
	struct rep *r;
	const char *l;

	if (uid < 0)
		return NULL;
	l = (r = rep_loaded(a, uid)) != NULL ? r->login : crm_user_login(a->db, uid);
	sb_reset(&a->owner);
	sb_adds(&a->owner, l ? l : "?");
	return a->owner.buf;
}

/*
** Move the planned follow-ups of customer ID from -> to.  Its open deals
** follow it by themselves (crm_customer_set_owner).
*/
static void
transfer_work(struct crm_assigner *a, long long id, const struct rep *to,
    struct crm_assign_result *res)
{
	struct crm_stmt *s = crm_sql(a->db, "SELECT id FROM activities"
	    " WHERE customer_id = ? AND user_id = ? AND due_at IS NOT NULL"
	    " AND done_at IS NULL ORDER BY id");
	long long *ids = NULL;
	size_t n = 0;

	crm_bind_int(s, 1, id);
	crm_bind_int(s, 2, a->from->id);
	while (crm_step(s)) {
		ids = xrealloc(ids, (n + 1) * sizeof *ids);
		ids[n++] = crm_col_int(s, 0);
	}
	for (size_t i = 0; i < n; i++) {
		s = crm_sql(a->db, "UPDATE activities SET user_id = ? WHERE id = ?");
		crm_bind_int(s, 1, to->id);
		crm_bind_int(s, 2, ids[i]);
		crm_step(s);
		crm_history(a->db, "activity", ids[i], "user", a->from->login,
		    to->login, a->transfer_reason);
	}
	free(ids);
	res->followups = (long long)n;
}

/* The open deals of customer ID that will follow it to user UID. */
static long long
deals_to_follow(struct crm_assigner *a, long long id, long long uid)
{
	struct crm_stmt *s = crm_sql(a->db, "SELECT count(*) FROM deals"
	    " WHERE customer_id = ? AND closed_at IS NULL AND owner_id IS DISTINCT FROM ?");
	long long n;

	crm_bind_int(s, 1, id);
	crm_bind_int(s, 2, uid);
	crm_step(s);
	n = crm_col_int(s, 0);
	crm_reset(s);
	return n;
}

/* crm_assign_one() but for res->explain, which may move as it grows. */
static void
assign_row(struct crm_assigner *a, long long id, size_t n,
    const char *const *v, struct crm_assign_result *res)
{
	struct row row = { a, id, n, v };
	struct group *g = a->only;
	struct crm_rule *rule = NULL;
	struct rep *r, *old;
	struct crm_refusal refusal;
	long long uid, pid;
	const char *cur, *reason;
	char *why = NULL;

	if (!crm_customer_holder(a->db, id, &uid, &pid)) {
		res->outcome = CRM_NOT_FOUND;
		sb_addf(&a->explain, "no customer %lld", id);
		return;
	}
	res->owner = cur = login_of(a, uid);
	pool_at_hand(a, pid);
	if (a->rules) {
		rule = crm_rules_match(a->rules, row_field, &row);
		if (a->stored) {
			crm_cursor_close(a->stored);
			a->stored = NULL;
		}
		if (rule == NULL) {
			res->outcome = CRM_UNASSIGNED;
			sb_addf(&a->explain, "no rule matched%s",
			    a->rules->has_default ? "" : " and the rules have no default");
			return;
		}
		g = rule->data;
		sb_addf(&a->explain, "rules: line %lu (", rule->line);
		for (size_t i = 0; i < rule->ncond; i++)
			sb_addf(&a->explain, "%s%s", i ? " && " : "",
			    crm_rule_cond_text(&rule->cond[i]));
		sb_addf(&a->explain, "%s-> %s): ", rule->ncond ? " " : "default ",
		    rule->action);
	}
	if (a->from) {
		if (uid != a->from->id) {
			res->outcome = CRM_REFUSED;
			if (cur)
				sb_addf(&a->explain, "owned by %s, not by %s", cur,
				    a->from->login);
			else
				sb_addf(&a->explain, "not owned by %s", a->from->login);
			return;
		}
	} else if (uid >= 0 && !a->o.force) {
		if (group_has(g, uid)) {
			res->outcome = CRM_KEPT;
			sb_addf(&a->explain, "already owned by %s", cur);
			if (g->s != CRM_TO)
				sb_addf(&a->explain, " (in %s)", g->key);
			return;
		}
		res->outcome = CRM_REFUSED;
		sb_addf(&a->explain, "owned by %s (use --force)", cur);
		return;
	}
	if ((r = pick(a, g)) == NULL) {
		res->outcome = CRM_UNASSIGNED;
		return;
	}
	if (r->id == uid) {
		res->outcome = CRM_KEPT;
		sb_addf(&a->explain, "; already owned by %s", cur);
		return;
	}
	if (a->from)
		reason = a->transfer_reason;
	else if (rule)
		reason = why = xasprintf("rules: line %lu", rule->line);
	else
		reason = g->reason;
	if (uid >= 0 && !a->from) {
		char *f = xasprintf("%s (--force: was %s's)", reason, cur);

		free(why);
		reason = why = f;
		sb_addf(&a->explain, "; taken from %s (--force)", cur);
	}
	if (a->from)
		res->deals = deals_to_follow(a, id, r->id);
	if (pid < 0)
		crm_customer_set_owner(a->db, id, r->id, reason);
	else if (!crm_pool_take(a->db, id, r->id, g->s == CRM_TO && a->o.force ?
	    CRM_TAKE_FORCE : CRM_TAKE_ASSIGN, reason, &refusal)) {
		free(why);
		res->outcome = CRM_UNASSIGNED;
		sb_addf(&a->explain, "; %s", refusal.why);
		res->deals = 0;
		return;
	} else
		sb_addf(&a->explain, "; taken from pool %s", a->pool.name);
	free(why);
	r->owned++;
	if (uid >= 0 && (old = rep_loaded(a, uid)) != NULL)
		old->owned--;
	if (a->from) {
		transfer_work(a, id, r, res);
		if (res->deals || res->followups)
			sb_addf(&a->explain, "; with %lld open deal%s and %lld "
			    "planned follow-up%s", res->deals,
			    res->deals == 1 ? "" : "s", res->followups,
			    res->followups == 1 ? "" : "s");
	}
	res->outcome = CRM_ASSIGNED;
	res->owner = r->login;
}

void
crm_assign_one(struct crm_assigner *a, long long id, size_t n,
    const char *const *v, struct crm_assign_result *res)
{
	sb_reset(&a->explain);
	memset(res, 0, sizeof *res);
	assign_row(a, id, n, v, res);
	res->explain = a->explain.buf;
}

size_t
crm_assign_transfer_ids(struct crm_assigner *a, long long **ids)
{
	struct crm_stmt *s = crm_sql(a->db, "SELECT id FROM customers"
	    " WHERE owner_id = ? AND merged_into IS NULL ORDER BY id");
	size_t n = 0, cap = 0;

	*ids = NULL;
	crm_bind_int(s, 1, a->from->id);
	while (crm_step(s)) {
		if (n == cap)
			*ids = xrealloc(*ids, (cap = cap ? cap * 2 : 64) * sizeof **ids);
		(*ids)[n++] = crm_col_int(s, 0);
	}
	return n;
}

void
crm_assign_transfer_left(struct crm_assigner *a, long long *deals,
    long long *followups)
{
	*deals = crm_db_int(a->db, "SELECT count(*) FROM deals"
	    " WHERE owner_id = ? AND closed_at IS NULL", a->from->id);
	*followups = crm_db_int(a->db, "SELECT count(*) FROM activities"
	    " WHERE user_id = ? AND due_at IS NOT NULL AND done_at IS NULL",
	    a->from->id);
}

void
crm_assigner_finish(struct crm_assigner *a)
{
	for (size_t i = 0; i < a->ngroups; i++) {
		struct group *g = a->groups[i];
		struct crm_stmt *s;

		if (g->rr_dirty) {
			s = crm_sql(a->db, "INSERT INTO rr_cursors (key, last_user_id)"
			    " VALUES (?, ?) ON CONFLICT (key) DO UPDATE"
			    " SET last_user_id = excluded.last_user_id");
			crm_bind_text(s, 1, g->key);
			crm_bind_int(s, 2, g->last->id);
			crm_step(s);
		}
		if (g->wrr_dirty)
			for (size_t k = 0; k < g->n; k++) {
				s = crm_sql(a->db, "INSERT INTO wrr_state"
				    " (key, user_id, current) VALUES (?, ?, ?)"
				    " ON CONFLICT (key, user_id) DO UPDATE"
				    " SET current = excluded.current");
				crm_bind_text(s, 1, g->key);
				crm_bind_int(s, 2, g->m[k]->id);
				crm_bind_int(s, 3, g->cw[k]);
				crm_step(s);
			}
		g->rr_dirty = g->wrr_dirty = 0;
	}
}

void
crm_assigner_free(struct crm_assigner *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->ngroups; i++) {
		struct group *g = a->groups[i];

		free(g->key);
		free(g->reason);
		free(g->m);
		free(g->last_login);
		free(g->cw);
		free(g);
	}
	free(a->groups);
	for (size_t i = 0; i < a->nreps; i++) {
		free(a->reps[i]->login);
		free(a->reps[i]->away_from);
		free(a->reps[i]->away_until);
		free(a->reps[i]);
	}
	free(a->reps);
	map_free(&a->rep_ix);
	crm_rules_free(a->rules);
	if (a->stored)
		crm_cursor_close(a->stored);
	free(a->transfer_reason);
	free(a->pool.name);
	for (int k = 0; k < 4; k++)
		free(a->holder[k]);
	free(a->out.names);
	free(a->out.v);
	sb_free(&a->explain);
	sb_free(&a->why);
	sb_free(&a->owner);
	free(a);
}

long long
crm_assign_undo(struct crm_db *db, long long b,
    void (*skipped)(const char *, long long, const char *, const char *, void *),
    void *ctx)
{
	crm_require_admin(db, "undo");
	crm_batch_require(db, b, "crm-assign");
	return crm_batch_undo(db, b, skipped, ctx);
}

/*
** Customer ID's owner, owner_since, pool and pool_since as they stand in
** the run's transaction, as crm-lead list writes them (the rights policy
** applied), into V[0..4): NULL for none, all NULL when there is no
** customer ID.  The strings stay valid until the next call.
*/
static void
holder_now(struct crm_assigner *a, long long id, const char *v[4])
{
	static const char *const cols[4] = {
		"owner", "owner_since", "pool", "pool_since"
	};
	struct crm_stmt *s = crm_sql(a->db, "SELECT u.login, c.owner_since,"
	    " p.name, c.pool_since, c.owner_id, c.pool_id FROM customers c"
	    " LEFT JOIN users u ON u.id = c.owner_id"
	    " LEFT JOIN pools p ON p.id = c.pool_id WHERE c.id = ?");
	char *masks[2] = { NULL, NULL };
	long long owner_id = -1, pool_id = -1;
	int found;

	crm_bind_int(s, 1, id);
	found = crm_step(s);
	for (int k = 0; k < 4; k++) {
		free(a->holder[k]);
		a->holder[k] = found && !crm_col_null(s, k) ?
		    xstrdup(crm_col_text(s, k)) : NULL;
		v[k] = a->holder[k];
	}
	if (!found)
		return;
	if (!crm_col_null(s, 4))
		owner_id = crm_col_int(s, 4);
	if (!crm_col_null(s, 5))
		pool_id = crm_col_int(s, 5);
	crm_reset(s);
	/* what crm-lead list shows of it, by the same policy */
	crm_sight_apply(crm_sight(a->db, id, owner_id, pool_id), 4, cols, v, masks);
	crm_sight_free(masks);
}

/* The output column NAME, added at the end when there is none. */
static int
out_col(struct crm_assigner *a, const char *name)
{
	struct assign_out *o = &a->out;

	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->names[i], name) == 0)
			return (int)i;
	o->names[o->n] = name;
	return (int)o->n++;
}

void
crm_assign_out_open(struct crm_assigner *a, struct rec_writer *w, size_t n,
    const char *const *names, int explain)
{
	static const char *const holder[4] = {
		"owner", "owner_since", "pool", "pool_since"
	};
	struct assign_out *o = &a->out;

	o->w = w;
	o->names = xcalloc(n + 8, sizeof *o->names);
	o->v = xcalloc(n + 8, sizeof *o->v);
	memcpy(o->names, names, n * sizeof *names);
	o->nin = o->n = n;
	for (int k = 0; k < 4; k++)
		o->holder[k] = out_col(a, holder[k]);
	o->deals = a->from ? out_col(a, "deals") : -1;
	o->followups = a->from ? out_col(a, "followups") : -1;
	o->explain = explain ? out_col(a, "explain") : -1;
	recw_header(w, o->n, o->names);
}

void
crm_assign_out_row(struct crm_assigner *a, long long id,
    const char *const *v, const struct crm_assign_result *res)
{
	struct assign_out *o = &a->out;
	const char *h[4];
	char idb[32], db[32], fb[32];

	for (size_t i = 0; i < o->n; i++)
		o->v[i] = v && i < o->nin ? v[i] : NULL;
	if (v == NULL) {
		snprintf(idb, sizeof idb, "%lld", id);
		o->v[0] = idb;
	}
	holder_now(a, id, h);
	for (int k = 0; k < 4; k++)
		o->v[o->holder[k]] = h[k];
	if (o->deals >= 0) {
		snprintf(db, sizeof db, "%lld", res->deals);
		snprintf(fb, sizeof fb, "%lld", res->followups);
		o->v[o->deals] = db;
		o->v[o->followups] = fb;
	}
	if (o->explain >= 0)
		o->v[o->explain] = res->explain;
	recw_row(o->w, o->n, o->v);
}
