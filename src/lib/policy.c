/* policy.c: the rights policy (see policy.h): actor, sight, and changes. */
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
#include "str.h"
#include "user.h"
#include "when.h"

/* What the actor is in each pool it was asked about. */
enum { POOL_MEMBER = 1, POOL_ADMIN = 2 };
struct crm_sight_cache {
	long long *pool;
	unsigned char *role;
	size_t n, cap;
};

void
crm_policy_open(struct crm_db *db)
{
	struct crm_ctx *c = crm_ctx(db);
	struct crm_stmt *s;
	int role_admin = 0;
	const char *clock;

	c->actor = crm_g.actor;
	c->bootstrap = crm_db_int(db, "SELECT count(*) FROM users"
	    " WHERE role = 'admin' AND active = 1", 0) == 0;
	s = crm_sql(db, "SELECT id, role, active FROM users WHERE login = ?");
	crm_bind_text(s, 1, c->actor);
	if (crm_step(s)) {
		c->actor_id = crm_col_int(s, 0);
		role_admin = strcmp(crm_col_text(s, 1), "admin") == 0;
		c->actor_active = crm_col_int(s, 2) != 0;
		crm_reset(s);
	}
	c->admin = c->bootstrap || (role_admin && c->actor_active);
	if (!c->bootstrap && c->actor_id < 0)
		crm_die("you ('%s') are not a crm user: act as your login with "
		    "--as or CRM_USER (crm-user list shows them)", c->actor);
	if (!c->bootstrap && !c->actor_active)
		crm_die("permission denied: user '%s' is deactivated", c->actor);
	if (crm_g.now && !c->admin &&
	    ((clock = crm_config_get(db, "test-clock")) == NULL ||
	    strcmp(clock, "on") != 0))
		crm_die("permission denied: --now and CRM_NOW move the clock, "
		    "which needs an admin (you are '%s', %s), or a database whose "
		    "admin switched the test clock on (crm-db config test-clock on)",
		    c->actor, crm_actor_describe(db));
	(void)crm_now();	/* a bad --now is a usage error before any work */
}

void
crm_policy_close(struct crm_db *db)
{
	struct crm_sight_cache *sc = crm_ctx(db)->sight;

	if (sc == NULL)
		return;
	free(sc->pool);
	free(sc->role);
	free(sc);
	crm_ctx(db)->sight = NULL;
}

const char *
crm_actor(struct crm_db *db)
{
	return crm_ctx(db)->actor;
}

long long
crm_actor_id(struct crm_db *db)
{
	return crm_ctx(db)->actor_id;
}

int
crm_actor_is_admin(struct crm_db *db)
{
	return crm_ctx(db)->admin;
}

const char *
crm_actor_describe(struct crm_db *db)
{
	struct crm_stmt *s = crm_sql(db,
	    "SELECT role, active FROM users WHERE login = ?");
	const char *d = crm_ctx(db)->bootstrap ? "an admin until one is made" :
	    "not a user";

	crm_bind_text(s, 1, crm_actor(db));
	if (crm_step(s)) {
		int admin = strcmp(crm_col_text(s, 0), "admin") == 0;

		if (crm_col_int(s, 1))
			d = admin ? "an admin" : "a rep";
		else
			d = admin ? "an inactive admin" : "an inactive rep";
		crm_reset(s);
	}
	return d;
}

void
crm_require_admin(struct crm_db *db, const char *what)
{
	if (!crm_actor_is_admin(db))
		crm_die("permission denied: %s needs an admin (you are '%s', %s)",
		    what, crm_actor(db), crm_actor_describe(db));
}

/* ---- sight ----------------------------------------------------------- */

/* The actor's POOL_MEMBER and POOL_ADMIN bits for POOL_ID, asked once. */
static unsigned
pool_role(struct crm_db *db, long long pool_id)
{
	struct crm_ctx *c = crm_ctx(db);
	struct crm_sight_cache *sc = c->sight;
	unsigned role;

	if (sc == NULL)
		sc = c->sight = xcalloc(1, sizeof *sc);
	for (size_t i = 0; i < sc->n; i++)
		if (sc->pool[i] == pool_id)
			return sc->role[i];
	role = (crm_pool_is_member(db, pool_id, c->actor_id) ? POOL_MEMBER : 0) |
	    (crm_pool_is_admin(db, pool_id, c->actor_id) ? POOL_ADMIN : 0);
	if (sc->n == sc->cap) {
		sc->cap = sc->cap ? sc->cap * 2 : 8;
		sc->pool = xrealloc(sc->pool, sc->cap * sizeof *sc->pool);
		sc->role = xrealloc(sc->role, sc->cap);
	}
	sc->pool[sc->n] = pool_id;
	sc->role[sc->n++] = (unsigned char)role;
	return role;
}

/*
** In a dry run nothing is kept, so what the actor gained in the running
** batch does not count: the holder of ID before it, from the history.
*/
static void
holder_before_batch(struct crm_db *db, long long id, long long *owner_id,
    long long *pool_id)
{
	struct crm_stmt *s = crm_sql(db, "SELECT field, old_value FROM history"
	    " WHERE batch_id = ? AND entity = 'customer' AND entity_id = ?"
	    " AND (field = 'owner' OR field = 'pool') ORDER BY id");
	int seen_owner = 0, seen_pool = 0;

	crm_bind_int(s, 1, crm_ctx(db)->batch);
	crm_bind_int(s, 2, id);
	while (crm_step(s)) {
		const char *f = crm_col_text(s, 0), *old = crm_col_text(s, 1);

		if (strcmp(f, "owner") == 0 && !seen_owner++)
			*owner_id = old ? crm_user_id(db, old) : -1;
		else if (strcmp(f, "pool") == 0 && !seen_pool++)
			*pool_id = old ? crm_pool_id(db, old) : -1;
	}
}

enum crm_sight
crm_sight(struct crm_db *db, long long id, long long owner_id, long long pool_id)
{
	struct crm_ctx *c = crm_ctx(db);
	unsigned role;

	if (c->admin)
		return CRM_SIGHT_FULL;
	if (c->dry_run && c->batch)
		holder_before_batch(db, id, &owner_id, &pool_id);
	if (owner_id >= 0 && owner_id == c->actor_id)
		return CRM_SIGHT_FULL;
	if (pool_id < 0)
		return CRM_SIGHT_NAME;
	role = pool_role(db, pool_id);
	if (role & POOL_ADMIN)
		return CRM_SIGHT_FULL;
	return role & POOL_MEMBER ? CRM_SIGHT_MASKED : CRM_SIGHT_NAME;
}

enum crm_sight
crm_sight_of(struct crm_db *db, long long id)
{
	long long owner, pool;

	if (!crm_customer_holder(db, id, &owner, &pool))
		return crm_actor_is_admin(db) ? CRM_SIGHT_FULL : CRM_SIGHT_NAME;
	return crm_sight(db, id, owner, pool);
}

/* The columns a rep sees of every customer: what 防撞单 needs. */
static int
always_seen(const char *name)
{
	return strcmp(name, "id") == 0 || strcmp(name, "name") == 0 ||
	    strcmp(name, "company") == 0 || strcmp(name, "owner") == 0 ||
	    strcmp(name, "pool") == 0;
}

void
crm_sight_apply(enum crm_sight sight, size_t n, const char *const *names,
    const char **v, char *masks[2])
{
	crm_sight_free(masks);
	if (sight == CRM_SIGHT_FULL)
		return;
	for (size_t i = 0; i < n; i++) {
		if (sight == CRM_SIGHT_NAME) {
			if (!always_seen(names[i]))
				v[i] = NULL;
		} else if (strcmp(names[i], "phone") == 0 && v[i]) {
			free(masks[0]);
			v[i] = masks[0] = crm_mask_phone(v[i]);
		} else if (strcmp(names[i], "email") == 0 && v[i]) {
			free(masks[1]);
			v[i] = masks[1] = crm_mask_email(v[i]);
		}
	}
}

void
crm_sight_free(char *masks[2])
{
	free(masks[0]);
	free(masks[1]);
	masks[0] = masks[1] = NULL;
}

char *
crm_mask_phone(const char *phone)
{
	char *key, *out, *o;
	const char *d;
	size_t n, head, tail;

	if (phone == NULL)
		return NULL;
	if (strchr(phone, '*'))
		return xstrdup(phone);	/* masked already: a phone has no '*' */
	if ((key = norm_phone(phone)) == NULL) {
		key = xmalloc(strlen(phone) + 1);
		for (o = key, d = phone; *d; d++)
			if (*d >= '0' && *d <= '9')
				*o++ = *d;
		*o = '\0';
	}
	n = strlen(key);
	if (n >= 11)
		head = 3, tail = 4;
	else if (n >= 8)
		head = 2, tail = 2;
	else
		head = 0, tail = n > 2 ? 2 : 0;
	out = xmalloc(n + 1);
	for (size_t i = 0; i < n; i++)
		out[i] = i < head || i >= n - tail ? key[i] : '*';
	out[n] = '\0';
	free(key);
	return out;
}

char *
crm_mask_email(const char *email)
{
	const char *b, *at, *p;

	if (email == NULL)
		return NULL;
	for (b = email; *b == ' ' || *b == '\t'; b++)
		;
	at = strrchr(b, '@');
	if (at == NULL || at == b)
		return xstrdup("***");
	p = b;
	(void)utf8_next(&p);
	if (p > at)
		p = at;
	return xasprintf("%.*s***%s", (int)(p - b), b, at);
}

/* ---- changing -------------------------------------------------------- */

static char refusal[600];

const char *
crm_may_change(struct crm_db *db, long long id)
{
	long long owner, pool;
	const char *who;

	if (crm_actor_is_admin(db))
		return NULL;
	if (!crm_customer_holder(db, id, &owner, &pool) ||
	    (owner >= 0 && owner == crm_actor_id(db)))
		return NULL;	/* "no customer" is the caller's message */
	if (owner >= 0) {
		who = crm_user_login(db, owner);
		snprintf(refusal, sizeof refusal, "permission denied: customer %lld "
		    "is owned by '%s', not by you ('%s', %s)", id, who ? who : "?",
		    crm_actor(db), crm_actor_describe(db));
	} else if (pool >= 0)
		snprintf(refusal, sizeof refusal, "permission denied: customer %lld "
		    "is in pool '%s', not owned by you ('%s', %s): claim it first",
		    id, crm_pool_name(db, pool), crm_actor(db),
		    crm_actor_describe(db));
	else
		snprintf(refusal, sizeof refusal, "permission denied: customer %lld "
		    "has no owner, and a rep changes only its own customers (you "
		    "are '%s')", id, crm_actor(db));
	return refusal;
}

const char *
crm_may_own(struct crm_db *db, long long user_id)
{
	struct crm_user u;
	const char *why;
	int self = user_id == crm_actor_id(db);

	if (!crm_user_get(db, NULL, user_id, &u)) {
		snprintf(refusal, sizeof refusal, "no user %lld", user_id);
		return refusal;
	}
	if (!u.active)
		snprintf(refusal, sizeof refusal, "refused: '%s' is deactivated and "
		    "may own nothing", u.login);
	else if (crm_actor_is_admin(db))
		refusal[0] = '\0';
	else if (!self)
		snprintf(refusal, sizeof refusal, "permission denied: a rep makes "
		    "only itself an owner, not '%s' (you are '%s', %s)", u.login,
		    crm_actor(db), crm_actor_describe(db));
	else if (!crm_user_available(db, user_id, crm_now(), &why))
		snprintf(refusal, sizeof refusal, "refused: you ('%s') are %s",
		    u.login, why);
	else
		refusal[0] = '\0';
	crm_user_free(&u);
	return refusal[0] ? refusal : NULL;
}

const char *
crm_may_pool(struct crm_db *db, long long pool_id)
{
	if (crm_actor_is_admin(db) || pool_role(db, pool_id))
		return NULL;
	snprintf(refusal, sizeof refusal, "permission denied: you ('%s', %s) are "
	    "not a member of pool '%s'", crm_actor(db), crm_actor_describe(db),
	    crm_pool_name(db, pool_id));
	return refusal;
}
