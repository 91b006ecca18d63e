/* user.c: reps and teams, and who may do what. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db.h"
#include "die.h"
#include "history.h"
#include "opt.h"
#include "str.h"
#include "user.h"
#include "when.h"

const char *const crm_user_cols[UC_N] = {
	"login", "name", "email", "team", "role", "capacity", "weight",
	"regions", "industries", "away_from", "away_until", "active", "owned"
};

/* The number of active admins: 0 means everyone counts as one (policy.h). */
static long long
active_admins(struct crm_db *db)
{
	return crm_db_int(db, "SELECT count(*) FROM users"
	    " WHERE role = 'admin' AND active = 1", 0);
}

/* ---- reading --------------------------------------------------------- */

static char *
dup_col(struct crm_stmt *s, int i)
{
	return crm_col_null(s, i) ? NULL : xstrdup(crm_col_text(s, i));
}

int
crm_user_get(struct crm_db *db, const char *login, long long id,
    struct crm_user *u)
{
	struct crm_stmt *s = crm_sql(db,
	    "SELECT u.id, u.login, u.name, u.email, t.name, u.role, u.regions,"
	    " u.industries, u.away_from, u.away_until, u.created_at, u.team_id,"
	    " u.capacity, u.weight, u.active"
	    " FROM users u LEFT JOIN teams t ON t.id = u.team_id"
	    " WHERE (?1 IS NOT NULL AND u.login = ?1) OR (?1 IS NULL AND u.id = ?2)");

	memset(u, 0, sizeof *u);
	crm_bind_text(s, 1, login);
	crm_bind_int(s, 2, id);
	if (!crm_step(s))
		return 0;
	u->id = crm_col_int(s, 0);
	u->login = dup_col(s, 1);
	u->name = dup_col(s, 2);
	u->email = dup_col(s, 3);
	u->team = dup_col(s, 4);
	u->role = dup_col(s, 5);
	u->regions = dup_col(s, 6);
	u->industries = dup_col(s, 7);
	u->away_from = dup_col(s, 8);
	u->away_until = dup_col(s, 9);
	u->created_at = dup_col(s, 10);
	u->team_id = crm_col_null(s, 11) ? -1 : crm_col_int(s, 11);
	u->capacity = crm_col_null(s, 12) ? -1 : crm_col_int(s, 12);
	u->weight = crm_col_int(s, 13);
	u->active = (int)crm_col_int(s, 14);
	crm_reset(s);
	return 1;
}

void
crm_user_free(struct crm_user *u)
{
	free(u->login);
	free(u->name);
	free(u->email);
	free(u->team);
	free(u->role);
	free(u->regions);
	free(u->industries);
	free(u->away_from);
	free(u->away_until);
	free(u->created_at);
	memset(u, 0, sizeof *u);
}

/*
** A merged duplicate has no owner (crm_lead_merge clears it), so owned
** customers are counted from the customers_owner index alone.
*/
long long
crm_user_owned(struct crm_db *db, long long user_id)
{
	return crm_db_int(db, "SELECT count(*) FROM customers WHERE owner_id = ?",
	    user_id);
}

/* Is U on leave at AT (text)?  away_until NULL is an open-ended leave. */
static int
away_at(const struct crm_user *u, const char *at)
{
	return u->away_from && strcmp(u->away_from, at) <= 0 &&
	    (u->away_until == NULL || strcmp(at, u->away_until) <= 0);
}

int
crm_user_away(struct crm_db *db, long long user_id, time_t at)
{
	struct crm_user u;
	char t[CRM_TIME_LEN];
	int away;

	if (!crm_user_get(db, NULL, user_id, &u))
		return 0;
	crm_format_time(at, t);
	away = away_at(&u, t);
	crm_user_free(&u);
	return away;
}

int
crm_user_available(struct crm_db *db, long long user_id, time_t at,
    const char **why)
{
	static char buf[128];
	struct crm_user u;
	char t[CRM_TIME_LEN];
	long long owned;
	int ok = 0;

	if (!crm_user_get(db, NULL, user_id, &u)) {
		snprintf(buf, sizeof buf, "no user %lld", user_id);
		goto out;
	}
	crm_format_time(at, t);
	if (!u.active)
		snprintf(buf, sizeof buf, "inactive");
	else if (away_at(&u, t)) {
		if (u.away_until)
			snprintf(buf, sizeof buf, "away until %s", u.away_until);
		else
			snprintf(buf, sizeof buf, "away since %s", u.away_from);
	} else if (u.capacity >= 0 &&
	    (owned = crm_user_owned(db, user_id)) >= u.capacity)
		snprintf(buf, sizeof buf, "at capacity (%lld of %lld)", owned,
		    u.capacity);
	else
		ok = 1;
	crm_user_free(&u);
out:
	if (why)
		*why = ok ? NULL : buf;
	return ok;
}

long long
crm_team_id(struct crm_db *db, const char *name)
{
	return crm_db_id(db, "SELECT id FROM teams WHERE name = ?", name);
}

size_t
crm_team_members(struct crm_db *db, long long team_id, int all,
    long long **ids)
{
	struct crm_stmt *s = crm_sql(db, "SELECT id FROM users WHERE team_id = ?"
	    " AND (? = 1 OR active = 1) ORDER BY login");
	size_t n = 0, cap = 0;

	*ids = NULL;
	crm_bind_int(s, 1, team_id);
	crm_bind_int(s, 2, all != 0);
	while (crm_step(s)) {
		if (n == cap)
			*ids = xrealloc(*ids, (cap = cap ? cap * 2 : 16) * sizeof **ids);
		(*ids)[n++] = crm_col_int(s, 0);
	}
	return n;
}

/* ---- listing --------------------------------------------------------- */

void
crm_users_each(struct crm_db *db, const char *team, int all, const char *login,
    void (*fn)(const char *const *v, void *ctx), void *ctx)
{
	struct crm_stmt *s = crm_sql(db,
	    "SELECT u.login, u.name, u.email, t.name, u.role, u.capacity,"
	    " u.weight, u.regions, u.industries, u.away_from, u.away_until,"
	    " u.active, (SELECT count(*) FROM customers c WHERE c.owner_id = u.id)"
	    " FROM users u LEFT JOIN teams t ON t.id = u.team_id"
	    " WHERE (?1 IS NULL OR t.name = ?1) AND (?2 = 1 OR u.active = 1)"
	    " AND (?3 IS NULL OR u.login = ?3)"
	    " ORDER BY u.login");
	const char *v[UC_N];

	crm_bind_text(s, 1, team);
	crm_bind_int(s, 2, all || login != NULL);
	crm_bind_text(s, 3, login);
	while (crm_step(s)) {
		for (int i = 0; i < UC_N; i++)
			v[i] = crm_col_text(s, i);
		fn(v, ctx);
	}
}

void
crm_teams_each(struct crm_db *db, void (*fn)(const char *const *v, void *ctx),
    void *ctx)
{
	struct crm_stmt *s = crm_sql(db,
	    "SELECT t.name, (SELECT count(*) FROM users u WHERE u.team_id = t.id"
	    " AND u.active = 1), t.created_at FROM teams t ORDER BY t.name");
	const char *v[3];

	while (crm_step(s)) {
		for (int i = 0; i < 3; i++)
			v[i] = crm_col_text(s, i);
		fn(v, ctx);
	}
}

/* ---- writing --------------------------------------------------------- */

long long
crm_team_add(struct crm_db *db, const char *name, int *created)
{
	struct crm_stmt *s;
	long long id = crm_team_id(db, name);

	*created = 0;
	if (id >= 0)
		return id;
	s = crm_sql(db, "INSERT INTO teams (name, created_at) VALUES (?, ?)"
	    " RETURNING id");
	crm_bind_text(s, 1, name);
	crm_bind_text(s, 2, crm_now_text());
	crm_step(s);
	id = crm_col_int(s, 0);
	crm_reset(s);
	*created = 1;
	return id;
}

int
crm_parse_away(const char *s, char from[CRM_TIME_LEN], char until[CRM_TIME_LEN])
{
	const char *dots = strstr(s, "..");
	char a[64];
	time_t f, u;
	size_t n;

	if (dots == NULL || (n = (size_t)(dots - s)) == 0 || n >= sizeof a)
		return -1;
	memcpy(a, s, n);
	a[n] = '\0';
	if (crm_parse_time(a, &f) == -1)
		return -1;
	crm_format_time(f, from);
	until[0] = '\0';
	if (dots[2] == '\0')
		return 0;
	if (crm_parse_time(dots + 2, &u) == -1)
		return -1;
	if (strlen(dots + 2) == 10)	/* a date: to the end of that day */
		u += 86400 - 1;
	if (u < f)
		return -1;
	crm_format_time(u, until);
	return 0;
}

/* "admin" or "rep" for the role S (English or Chinese), else NULL. */
static const char *
role_canonical(const char *s)
{
	static const struct { const char *alias, *canon; } r[] = {
		{ "admin", "admin" }, { "管理员", "admin" }, { "主管", "admin" },
		{ "经理", "admin" }, { "rep", "rep" }, { "销售", "rep" },
		{ "业务员", "rep" }, { "销售代表", "rep" }, { "代表", "rep" },
	};

	for (size_t i = 0; i < sizeof r / sizeof r[0]; i++)
		if (strcasecmp(s, r[i].alias) == 0)
			return r[i].canon;
	return NULL;
}

/* 1, 0, or -1 for a yes/no word. */
static int
yes_no(const char *s)
{
	static const char *const yes[] = { "1", "yes", "y", "true", "active",
	    "是", "在职", "启用", NULL };
	static const char *const no[] = { "0", "no", "n", "false", "inactive",
	    "否", "离职", "停用", NULL };

	for (int i = 0; yes[i]; i++)
		if (strcasecmp(s, yes[i]) == 0)
			return 1;
	for (int i = 0; no[i]; i++)
		if (strcasecmp(s, no[i]) == 0)
			return 0;
	return -1;
}

/*
** Tags "华东, 华南，华北、" as "华东,华南,华北": ASCII and full-width
** commas and 、 separate; blanks are trimmed; empty items dropped.  The
** caller frees the result; NULL when no tag is left.
*/
static char *
tags_canonical(const char *s)
{
	struct strbuf in = STRBUF_INIT, out = STRBUF_INIT;
	struct strvec sv = STRVEC_INIT;

	sb_init(&in);
	for (const char *p = s; *p; ) {
		if (strncmp(p, "，", 3) == 0 || strncmp(p, "、", 3) == 0) {
			sb_addc(&in, ',');
			p += 3;
		} else
			sb_addc(&in, *p++);
	}
	sv_split(&sv, in.buf, ',');
	sb_init(&out);
	for (size_t i = 0; i < sv.n; i++) {
		if (i)
			sb_addc(&out, ',');
		sb_adds(&out, sv.v[i]);
	}
	sv_free(&sv);
	sb_free(&in);
	if (out.len == 0) {
		sb_free(&out);
		return NULL;
	}
	return sb_detach(&out);
}

static int
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

static const char *
num_text(long long v, char *buf, size_t n)
{
	if (v < 0)
		return NULL;
	snprintf(buf, n, "%lld", v);
	return buf;
}

/* A login: 1..64 bytes, no blanks or control characters, no leading '-'. */
static const char *
check_login(const char *login)
{
	size_t n = strlen(login);

	if (n == 0)
		return "login: empty";
	if (n > 64)
		return "login: longer than 64 bytes";
	if (login[0] == '-')
		return "login: may not start with '-'";
	for (const unsigned char *p = (const unsigned char *)login; *p; p++)
		if (*p <= ' ' || *p == 0x7f || *p == ',')
			return "login: blanks, commas and control characters are "
			    "not allowed";
	return NULL;
}

const char *
crm_user_save(struct crm_db *db, const char *login,
    const struct crm_user_change *c, int update, long long *id, int *changed)
{
	static char msg[512];
	struct crm_user cur;
	struct crm_stmt *s;
	const char *role, *err, *team;
	char *regions = NULL, *industries = NULL;
	char from[CRM_TIME_LEN] = "", until[CRM_TIME_LEN] = "";
	char ob[32], nb[32];
	long long capacity, weight, team_id;
	int active, exists, created;
	char *away_from, *away_until;

#define BAD(...) do { snprintf(msg, sizeof msg, __VA_ARGS__); \
	err = msg; goto out; } while (0)
	if (changed)
		*changed = 0;
	exists = crm_user_get(db, login, 0, &cur);
	err = NULL;
	if (!exists) {
		if (update)
			BAD("login: no user '%s'", login);
		if ((err = check_login(login)) != NULL)
			goto out;
		cur.role = xstrdup("rep");
		cur.capacity = -1;
		cur.weight = 1;
		cur.active = 1;
		cur.team_id = -1;
	} else if (!update)
		BAD("login: user '%s' exists already (use update)", login);

	/* Check everything before changing anything. */
	role = cur.role;
	if (!str_blank(c->role) && (role = role_canonical(c->role)) == NULL)
		BAD("role: '%s' is not admin or rep", c->role);
	capacity = cur.capacity;
	if (c->capacity) {
		char *end;

		if (str_blank(c->capacity) || strcasecmp(c->capacity, "none") == 0)
			capacity = -1;
		else if ((capacity = strtoll(c->capacity, &end, 10)) < 0 ||
		    *end != '\0' || end == c->capacity || capacity > 1000000)
			BAD("capacity: '%s' is not a whole number from 0 to "
			    "1000000 (or none)", c->capacity);
	}
	weight = cur.weight;
	if (!str_blank(c->weight)) {
		char *end;

		if ((weight = strtoll(c->weight, &end, 10)) < 0 || *end != '\0' ||
		    weight > 1000)
			BAD("weight: '%s' is not a whole number from 0 to 1000",
			    c->weight);
	}
	active = cur.active;
	if (!str_blank(c->active) && (active = yes_no(c->active)) < 0)
		BAD("active: '%s' is not yes or no", c->active);
	if (!str_blank(c->email) && (strchr(c->email, '@') == NULL ||
	    strpbrk(c->email, " \t,;<>") != NULL))
		BAD("email: '%s' is not an email address", c->email);
	if (!str_blank(c->away) && crm_parse_away(c->away, from, until) == -1)
		BAD("away: '%s' is not FROM..TO (dates YYYY-MM-DD[THH:MM], "
		    "TO not before FROM; TO may be left out)", c->away);
	if (c->team && !str_blank(c->team) && strlen(c->team) > 128)
		BAD("team: name longer than 128 bytes");
	/* The last active admin stays, so the bootstrap rule cannot return. */
	if (exists && cur.active && strcmp(cur.role, "admin") == 0 &&
	    (strcmp(role, "admin") != 0 || !active) && active_admins(db) == 1)
		BAD("%s: '%s' is the last active admin (make another user an "
		    "admin first)", !active ? "active" : "role", login);

	team = cur.team;
	team_id = cur.team_id;
	if (c->team) {
		team = str_blank(c->team) ? NULL : c->team;
		team_id = -1;
		if (team) {
			team_id = crm_team_add(db, team, &created);
			if (created && !crm_g.quiet)
				crm_warn("note: created team '%s'", team);
		}
	}
	regions = c->regions ? tags_canonical(c->regions) :
	    (cur.regions ? xstrdup(cur.regions) : NULL);
	industries = c->industries ? tags_canonical(c->industries) :
	    (cur.industries ? xstrdup(cur.industries) : NULL);
	away_from = cur.away_from;
	away_until = cur.away_until;
	if (!str_blank(c->away)) {
		away_from = from;
		away_until = until[0] ? until : NULL;
	} else if (c->clear_away)
		away_from = away_until = NULL;

	if (!exists) {
		s = crm_sql(db, "INSERT INTO users (login, name, email, team_id,"
		    " role, regions, industries, capacity, weight, away_from,"
		    " away_until, active, created_at)"
		    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
		crm_bind_text(s, 1, login);
		crm_bind_text(s, 13, crm_now_text());
	} else {
		s = crm_sql(db, "UPDATE users SET login = ?, name = ?, email = ?,"
		    " team_id = ?, role = ?, regions = ?, industries = ?,"
		    " capacity = ?, weight = ?, away_from = ?, away_until = ?,"
		    " active = ? WHERE id = ?");
		crm_bind_text(s, 1, login);
		crm_bind_int(s, 13, cur.id);
	}
	crm_bind_text(s, 2, c->name ? (str_blank(c->name) ? NULL : c->name) : cur.name);
	crm_bind_text(s, 3, c->email ? (str_blank(c->email) ? NULL : c->email) :
	    cur.email);
	if (team_id >= 0)
		crm_bind_int(s, 4, team_id);
	crm_bind_text(s, 5, role);
	crm_bind_text(s, 6, regions);
	crm_bind_text(s, 7, industries);
	if (capacity >= 0)
		crm_bind_int(s, 8, capacity);
	crm_bind_int(s, 9, weight);
	crm_bind_text(s, 10, away_from);
	crm_bind_text(s, 11, away_until);
	crm_bind_int(s, 12, active);
	if (crm_step(s)) {	/* the INSERT's RETURNING */
		*id = crm_col_int(s, 0);
		crm_reset(s);
	} else
		*id = cur.id;

	if (!exists) {
		crm_history(db, "user", *id, "role", NULL, role, "created");
		if (capacity >= 0)
			crm_history(db, "user", *id, "capacity", NULL,
			    num_text(capacity, nb, sizeof nb), "created");
		if (team)
			crm_history(db, "user", *id, "team", NULL, team, "created");
		if (changed)
			*changed = 1;
		goto out;
	}
	if (strcmp(role, cur.role) != 0)
		crm_history(db, "user", *id, "role", cur.role, role, "update");
	if (capacity != cur.capacity)
		crm_history(db, "user", *id, "capacity",
		    num_text(cur.capacity, ob, sizeof ob),
		    num_text(capacity, nb, sizeof nb), "update");
	if (!same(team, cur.team))
		crm_history(db, "user", *id, "team", cur.team, team, "update");
	if (weight != cur.weight)
		crm_history(db, "user", *id, "weight",
		    num_text(cur.weight, ob, sizeof ob),
		    num_text(weight, nb, sizeof nb), "update");
	if (active != cur.active)
		crm_history(db, "user", *id, "active", cur.active ? "1" : "0",
		    active ? "1" : "0", "update");
	if (changed)
		*changed = strcmp(role, cur.role) != 0 || capacity != cur.capacity ||
		    !same(team, cur.team) || weight != cur.weight ||
		    active != cur.active || !same(regions, cur.regions) ||
		    !same(industries, cur.industries) ||
		    !same(away_from, cur.away_from) ||
		    !same(away_until, cur.away_until) ||
		    (c->name && !same(str_blank(c->name) ? NULL : c->name, cur.name)) ||
		    (c->email && !same(str_blank(c->email) ? NULL : c->email, cur.email));
#undef BAD
out:
	free(regions);
	free(industries);
	crm_user_free(&cur);
	return err;
}

const char *
crm_user_set_active(struct crm_db *db, const char *login, int active,
    int *changed)
{
	struct crm_user_change c;
	long long id;

	memset(&c, 0, sizeof c);
	c.active = active ? "1" : "0";
	return crm_user_save(db, login, &c, 1, &id, changed);
}

/* ---- import headers -------------------------------------------------- */

const char *
crm_user_colname(const char *name)
{
	static const struct {
		const char *canon;
		const char *alias[10];
	} cols[] = {
		{ "login", { "login", "账号", "帐号", "用户名", "登录名", "工号",
		    "user", "username", NULL } },
		{ "name", { "name", "姓名", NULL } },
		{ "email", { "email", "邮箱", NULL } },
		{ "team", { "team", "团队", "小组", "部门", "组", NULL } },
		{ "role", { "role", "角色", "职位", NULL } },
		{ "capacity", { "capacity", "容量", "上限", "客户上限", NULL } },
		{ "weight", { "weight", "权重", NULL } },
		{ "regions", { "regions", "region", "区域", "负责区域", "负责地区",
		    NULL } },
		{ "industries", { "industries", "industry", "负责行业", NULL } },
		{ "away", { "away", "请假", "休假", NULL } },
		{ "away_from", { "away_from", "请假开始", "休假开始", NULL } },
		{ "away_until", { "away_until", "请假结束", "休假结束", NULL } },
		{ "active", { "active", "status", "在职", "启用", NULL } },
		{ "owned", { "owned", NULL } },
	};

	for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
		for (size_t k = 0; cols[i].alias[k]; k++)
			if (strcasecmp(name, cols[i].alias[k]) == 0)
				return cols[i].canon;
	return NULL;
}
