/* user.c: reps and teams: reading, writing (an admin's), listing and import. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db.h"
#include "die.h"
#include "history.h"
#include "opt.h"
#include "policy.h"
#include "rec.h"
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

long long
crm_users_write(struct crm_db *db, struct rec_writer *w, const char *team,
    int all, const char *login)
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
	long long n = 0;

	crm_bind_text(s, 1, team);
	crm_bind_int(s, 2, all || login != NULL);
	crm_bind_text(s, 3, login);
	while (crm_step(s)) {
		for (int i = 0; i < UC_N; i++)
			v[i] = crm_col_text(s, i);
		recw_row(w, UC_N, v);
		n++;
	}
	return n;
}

void
crm_teams_write(struct crm_db *db, struct rec_writer *w)
{
	static const char *const cols[] = { "team", "members", "created_at" };
	struct crm_stmt *s = crm_sql(db,
	    "SELECT t.name, (SELECT count(*) FROM users u WHERE u.team_id = t.id"
	    " AND u.active = 1), t.created_at FROM teams t ORDER BY t.name");
	const char *v[3];

	recw_header(w, 3, cols);
	while (crm_step(s)) {
		for (int i = 0; i < 3; i++)
			v[i] = crm_col_text(s, i);
		recw_row(w, 3, v);
	}
}

/* ---- writing --------------------------------------------------------- */

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

/*
** A login: 1..64 bytes without blanks, commas or control characters,
** not starting with '-'.
*/
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

/*
** A team name: 1..128 bytes without control characters or commas (sets
** such as "team:east,team:west" are split at commas).
*/
static const char *
check_team(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 128)
		return "team: name must be 1 to 128 bytes";
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < ' ' || *p == 0x7f || *p == ',')
			return "team: commas and control characters are not "
			    "allowed in a name";
	return NULL;
}

/* The fields of a user as history records them, in this order. */
enum { F_NAME, F_EMAIL, F_TEAM, F_ROLE, F_CAPACITY, F_WEIGHT, F_REGIONS,
    F_INDUSTRIES, F_AWAY_FROM, F_AWAY_UNTIL, F_ACTIVE, F_N };
static const char *const field_names[F_N] = {
	"name", "email", "team", "role", "capacity", "weight", "regions",
	"industries", "away_from", "away_until", "active"
};

/* Free the strings of V[0..F_N). */
static void
fields_free(char *v[F_N])
{
	for (int i = 0; i < F_N; i++) {
		free(v[i]);
		v[i] = NULL;
	}
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* U's fields as text into V (NULL for none; free with fields_free). */
static void
fields_of(const struct crm_user *u, char *v[F_N])
{
	v[F_NAME] = dup_or_null(u->name);
	v[F_EMAIL] = dup_or_null(u->email);
	v[F_TEAM] = dup_or_null(u->team);
	v[F_ROLE] = dup_or_null(u->role);
	v[F_CAPACITY] = u->capacity >= 0 ? xasprintf("%lld", u->capacity) : NULL;
	v[F_WEIGHT] = xasprintf("%lld", u->weight);
	v[F_REGIONS] = dup_or_null(u->regions);
	v[F_INDUSTRIES] = dup_or_null(u->industries);
	v[F_AWAY_FROM] = dup_or_null(u->away_from);
	v[F_AWAY_UNTIL] = dup_or_null(u->away_until);
	v[F_ACTIVE] = xstrdup(u->active ? "1" : "0");
}

/*
** Apply change C to the fields V (those of the user as stored, or the
** defaults of a new one).  Returns NULL, or "FIELD: reason" in MSG
** (size N) having checked everything before changing anything.
*/
static const char *
fields_change(char *v[F_N], const struct crm_user_change *c, char *msg,
    size_t n)
{
	char from[CRM_TIME_LEN], until[CRM_TIME_LEN], *end;
	const char *role = NULL, *err;
	long long num;
	int active = -1;

#define BAD(...) do { snprintf(msg, n, __VA_ARGS__); return msg; } while (0)
	if (!str_blank(c->role) && (role = role_canonical(c->role)) == NULL)
		BAD("role: '%s' is not admin or rep", c->role);
	if (c->capacity && !str_blank(c->capacity) &&
	    strcasecmp(c->capacity, "none") != 0 &&
	    ((num = strtoll(c->capacity, &end, 10)) < 0 || *end != '\0' ||
	    num > 1000000))
		BAD("capacity: '%s' is not a whole number from 0 to 1000000 (or "
		    "none)", c->capacity);
	if (!str_blank(c->weight) && ((num = strtoll(c->weight, &end, 10)) < 0 ||
	    *end != '\0' || num > 1000))
		BAD("weight: '%s' is not a whole number from 0 to 1000", c->weight);
	if (!str_blank(c->active) && (active = yes_no(c->active)) < 0)
		BAD("active: '%s' is not yes or no", c->active);
	if (!str_blank(c->email) && (strchr(c->email, '@') == NULL ||
	    strpbrk(c->email, " \t,;<>") != NULL))
		BAD("email: '%s' is not an email address", c->email);
	if (!str_blank(c->away) && crm_parse_away(c->away, from, until) == -1)
		BAD("away: '%s' is not FROM..TO (dates YYYY-MM-DD[THH:MM], TO not "
		    "before FROM; TO may be left out)", c->away);
	if (!str_blank(c->team) && (err = check_team(c->team)) != NULL)
		BAD("%s", err);
#undef BAD

#define SET(f, val) do { char *x_ = (val); free(v[f]); v[f] = x_; } while (0)
	if (c->name)
		SET(F_NAME, str_blank(c->name) ? NULL : xstrdup(c->name));
	if (c->email)
		SET(F_EMAIL, str_blank(c->email) ? NULL : xstrdup(c->email));
	if (c->team)
		SET(F_TEAM, str_blank(c->team) ? NULL : xstrdup(c->team));
	if (role)
		SET(F_ROLE, xstrdup(role));
	if (c->capacity)
		SET(F_CAPACITY, str_blank(c->capacity) ||
		    strcasecmp(c->capacity, "none") == 0 ? NULL :
		    xasprintf("%lld", strtoll(c->capacity, NULL, 10)));
	if (!str_blank(c->weight))
		SET(F_WEIGHT, xasprintf("%lld", strtoll(c->weight, NULL, 10)));
	if (c->regions)
		SET(F_REGIONS, tags_canonical(c->regions));
	if (c->industries)
		SET(F_INDUSTRIES, tags_canonical(c->industries));
	if (!str_blank(c->away)) {
		SET(F_AWAY_FROM, xstrdup(from));
		SET(F_AWAY_UNTIL, until[0] ? xstrdup(until) : NULL);
	} else if (c->clear_away) {
		SET(F_AWAY_FROM, NULL);
		SET(F_AWAY_UNTIL, NULL);
	}
	if (active >= 0)
		SET(F_ACTIVE, xstrdup(active ? "1" : "0"));
#undef SET
	return NULL;
}

const char *
crm_user_save(struct crm_db *db, const char *login,
    const struct crm_user_change *c, int update, long long *id, int *changed)
{
	static char msg[512];
	struct crm_user cur;
	struct crm_stmt *s;
	char *was[F_N] = { 0 }, *now[F_N] = { 0 };
	const char *err = NULL;
	long long team_id;
	int exists, created, active, any = 0;

	crm_require_admin(db, update ? "changing a user" : "adding a user");
	if (changed)
		*changed = 0;
	exists = crm_user_get(db, login, 0, &cur);
	if (!exists && update) {
		snprintf(msg, sizeof msg, "login: no user '%s'", login);
		err = msg;
		goto out;
	}
	if (exists && !update) {
		snprintf(msg, sizeof msg, "login: user '%s' exists already (use "
		    "update)", login);
		err = msg;
		goto out;
	}
	if (!exists) {
		if ((err = check_login(login)) != NULL)
			goto out;
		cur.role = xstrdup("rep");
		cur.capacity = -1;
		cur.weight = 1;
		cur.active = 1;
		cur.team_id = -1;
	}
	fields_of(&cur, now);
	if (exists)
		fields_of(&cur, was);
	if ((err = fields_change(now, c, msg, sizeof msg)) != NULL)
		goto out;
	/* The last active admin stays, so the bootstrap rule cannot return. */
	active = strcmp(now[F_ACTIVE], "1") == 0;
	if (exists && cur.active && strcmp(cur.role, "admin") == 0 &&
	    (strcmp(now[F_ROLE], "admin") != 0 || !active) &&
	    active_admins(db) == 1) {
		snprintf(msg, sizeof msg, "%s: '%s' is the last active admin (make "
		    "another user an admin first)", active ? "role" : "active",
		    login);
		err = msg;
		goto out;
	}

	team_id = cur.team_id;
	if (c->team && now[F_TEAM] == NULL)
		team_id = -1;
	else if (c->team) {
		if ((err = crm_team_add(db, now[F_TEAM], &team_id, &created)))
			goto out;
		if (created && !crm_g.quiet)
			crm_warn("note: created team '%s'", now[F_TEAM]);
	}
	if (!exists) {
		s = crm_sql(db, "INSERT INTO users (login, name, email, team_id,"
		    " role, regions, industries, capacity, weight, away_from,"
		    " away_until, active, created_at)"
		    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
		crm_bind_text(s, 13, crm_now_text());
	} else {
		s = crm_sql(db, "UPDATE users SET login = ?, name = ?, email = ?,"
		    " team_id = ?, role = ?, regions = ?, industries = ?,"
		    " capacity = ?, weight = ?, away_from = ?, away_until = ?,"
		    " active = ? WHERE id = ?");
		crm_bind_int(s, 13, cur.id);
	}
	crm_bind_text(s, 1, login);
	crm_bind_text(s, 2, now[F_NAME]);
	crm_bind_text(s, 3, now[F_EMAIL]);
	if (team_id >= 0)
		crm_bind_int(s, 4, team_id);
	crm_bind_text(s, 5, now[F_ROLE]);
	crm_bind_text(s, 6, now[F_REGIONS]);
	crm_bind_text(s, 7, now[F_INDUSTRIES]);
	if (now[F_CAPACITY])
		crm_bind_int(s, 8, strtoll(now[F_CAPACITY], NULL, 10));
	crm_bind_int(s, 9, strtoll(now[F_WEIGHT], NULL, 10));
	crm_bind_text(s, 10, now[F_AWAY_FROM]);
	crm_bind_text(s, 11, now[F_AWAY_UNTIL]);
	crm_bind_int(s, 12, active);
	crm_step(s);
	*id = exists ? cur.id : crm_db_last_id(db);
	crm_db_sync_login(db, exists ? cur.login : NULL, login, now[F_ROLE], active);
	if (!exists)
		crm_history(db, "user", *id, "login", NULL, login, "created");
	for (int i = 0; i < F_N; i++)
		if (!same(was[i], now[i])) {
			crm_history(db, "user", *id, field_names[i], was[i], now[i],
			    exists ? "update" : "created");
			any = 1;
		}
	if (changed)
		*changed = any || !exists;
out:
	fields_free(was);
	fields_free(now);
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

const char *
crm_team_add(struct crm_db *db, const char *name, long long *id, int *created)
{
	static char msg[300];
	struct crm_stmt *s;
	const char *err;

	crm_require_admin(db, "adding a team");
	*created = 0;
	if ((err = check_team(name)) != NULL) {
		snprintf(msg, sizeof msg, "%s, got '%s'", err, name);
		return msg;
	}
	if ((*id = crm_team_id(db, name)) >= 0)
		return NULL;
	s = crm_sql(db, "INSERT INTO teams (name, created_at) VALUES (?, ?)");
	crm_bind_text(s, 1, name);
	crm_bind_text(s, 2, crm_now_text());
	crm_step(s);
	*id = crm_db_last_id(db);
	crm_history(db, "team", *id, "name", NULL, name, "created");
	*created = 1;
	return NULL;
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

/* ---- import ----------------------------------------------------------- */

/*
** Row REC of R as a change request in C: the row's non-empty values of
** the columns CANON names (away_from and away_until joined into AWAY,
** size N).  Returns NULL, or why the row is bad (static buffer).
*/
static const char *
import_change(const struct rec *rec, const char *const *canon, size_t ncol,
    struct crm_user_change *c, char *away, size_t n)
{
	const char *from = NULL, *until = NULL;

	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < ncol; i++) {
		const char *f = canon[i], *v = rec->v[i];

		if (f == NULL || str_blank(v))
			continue;
		if (strcmp(f, "name") == 0) c->name = v;
		else if (strcmp(f, "email") == 0) c->email = v;
		else if (strcmp(f, "team") == 0) c->team = v;
		else if (strcmp(f, "role") == 0) c->role = v;
		else if (strcmp(f, "capacity") == 0) c->capacity = v;
		else if (strcmp(f, "weight") == 0) c->weight = v;
		else if (strcmp(f, "regions") == 0) c->regions = v;
		else if (strcmp(f, "industries") == 0) c->industries = v;
		else if (strcmp(f, "away") == 0) c->away = v;
		else if (strcmp(f, "away_from") == 0) from = v;
		else if (strcmp(f, "away_until") == 0) until = v;
		else if (strcmp(f, "active") == 0) c->active = v;
	}
	if (from && !c->away) {
		snprintf(away, n, "%s..%s", from, until ? until : "");
		c->away = away;
	} else if (until && !c->away)
		return "away_until: given without away_from";
	return NULL;
}

long long
crm_user_import(struct crm_db *db, const char *path, struct rec_writer *w)
{
	struct rec_reader *r = rec_open(path, crm_g.csv, NULL);
	size_t n = rec_ncol(r), bad = 0;
	const char **canon = xcalloc(n + 1, sizeof *canon);
	long long done = 0;
	int login = -1;
	struct rec *rec;

	crm_require_admin(db, "importing users");
	for (size_t i = 0; i < n; i++) {
		canon[i] = crm_user_colname(rec_colname(r, i));
		if (canon[i] && strcmp(canon[i], "login") == 0)
			login = (int)i;
		else if (canon[i] && strcmp(canon[i], "owned") == 0)
			canon[i] = NULL;	/* derived: ignored */
		else if (canon[i] == NULL && !crm_g.quiet)
			crm_warn("note: %s: column '%s' is not a user field: "
			    "ignored", rec_name(r), rec_colname(r, i));
	}
	if (login < 0)
		crm_die("%s: no 'login' (账号) column", rec_name(r));
	while ((rec = rec_next(r)) != NULL) {
		struct crm_user_change c;
		const char *err, *who = NULL;
		char away[128];
		long long id;

		if ((err = rec_width_error(r, rec)) == NULL &&
		    (err = import_change(rec, canon, n, &c, away,
		    sizeof away)) == NULL &&
		    str_blank(who = rec->v[login]))
			err = "login: empty";
		if (err == NULL)
			err = crm_user_save(db, who, &c, crm_user_id(db, who) >= 0,
			    &id, NULL);
		if (err != NULL) {
			crm_warn("%s:%lu: %s", rec_name(r), rec->line, err);
			bad++;
			continue;
		}
		crm_users_write(db, w, NULL, 1, who);
		done++;
	}
	if (bad)
		crm_die("%s: %zu bad row%s: nothing imported", rec_name(r), bad,
		    bad == 1 ? "" : "s");
	free(canon);
	rec_close(r);
	return done;
}
