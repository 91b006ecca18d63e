/* user.h: reps and teams, and who may do what (the authorization API). */
#ifndef CRM_USER_H
#define CRM_USER_H

#include <stddef.h>
#include <time.h>

#include "policy.h"
#include "when.h"

struct crm_db;

/* One user as stored; strings owned by the struct (crm_user_free). */
struct crm_user {
	long long id;
	char *login, *name, *email, *team, *role, *regions, *industries;
	char *away_from, *away_until, *created_at;
	long long team_id;		/* -1 when none */
	long long capacity;		/* -1 when unlimited */
	long long weight;
	int active;
};
/* Load LOGIN (or id ID when LOGIN is NULL) into U; 1 when found, else 0. */
int crm_user_get(struct crm_db *db, const char *login, long long id,
    struct crm_user *u);
void crm_user_free(struct crm_user *u);

/*
** Ownership questions crm-assign and crm-pool ask.
**
** crm_user_owned: the number of live customers (not merged away) that
** USER_ID owns now.
**
** crm_user_available: 1 when USER_ID may receive a customer at time AT:
** active, not on leave at AT (away_from <= AT <= away_until), and owning
** fewer customers than its capacity (no capacity is no limit).  Else 0,
** and *WHY (may be NULL) points at a static reason such as "inactive",
** "away until 2026-11-30T23:59:59Z" or "at capacity (30 of 30)".
**
** crm_user_away: 1 when USER_ID is on leave at AT.
*/
long long crm_user_owned(struct crm_db *db, long long user_id);
int crm_user_available(struct crm_db *db, long long user_id, time_t at,
    const char **why);
int crm_user_away(struct crm_db *db, long long user_id, time_t at);

/*
** Teams.  crm_team_id: the id of team NAME, or -1.  crm_team_members:
** the user ids of team TEAM_ID ordered by login (only active users
** unless ALL), in a new array *IDS (caller frees); returns the count.
*/
long long crm_team_id(struct crm_db *db, const char *name);
size_t crm_team_members(struct crm_db *db, long long team_id, int all,
    long long **ids);

/*
** Writing users (the caller holds the transaction and a batch).
** A change request: NULL fields are left alone; SET_* flags say which
** of the numeric fields are given; CLEAR_AWAY ends a leave.
*/
struct crm_user_change {
	const char *name, *email, *team, *role, *regions, *industries;
	const char *away;		/* "FROM..TO", "FROM.." */
	const char *capacity;		/* a number, or "none" for no limit */
	const char *weight;
	const char *active;		/* "1"/"0", yes/no, 是/否 */
	int clear_away;
};

/*
** Create LOGIN (creating its team when missing, with a note on stderr
** unless quiet) or, with UPDATE set, change an existing one.  Returns
** NULL and sets *ID, or "FIELD: reason" (static buffer) having changed
** nothing.  Role, capacity, team, weight and active changes write
** history rows (entity "user").  *CHANGED (may be NULL) tells whether
** anything changed.
*/
const char *crm_user_save(struct crm_db *db, const char *login,
    const struct crm_user_change *c, int update, long long *id, int *changed);

/* Deactivate (ACTIVE 0) or activate LOGIN; NULL or a message. */
const char *crm_user_set_active(struct crm_db *db, const char *login,
    int active, int *changed);

/* Create team NAME; returns its id; *CREATED tells whether it is new. */
long long crm_team_add(struct crm_db *db, const char *name, int *created);

/* The columns of a user record, in output order. */
enum {
	UC_LOGIN, UC_NAME, UC_EMAIL, UC_TEAM, UC_ROLE, UC_CAPACITY, UC_WEIGHT,
	UC_REGIONS, UC_INDUSTRIES, UC_AWAY_FROM, UC_AWAY_UNTIL, UC_ACTIVE,
	UC_OWNED, UC_N
};
extern const char *const crm_user_cols[UC_N];

/*
** Listing: users of TEAM (NULL for all), only active ones unless ALL,
** or just LOGIN when it is not NULL; ordered by login.  FN gets each
** row's UC_N values (NULL for NULL), valid during the call.
*/
void crm_users_each(struct crm_db *db, const char *team, int all,
    const char *login, void (*fn)(const char *const *v, void *ctx), void *ctx);

/* Teams: name, members (active), created_at, for each team by name. */
void crm_teams_each(struct crm_db *db,
    void (*fn)(const char *const *v, void *ctx), void *ctx);

/*
** The canonical user column for an import header ("账号" -> "login",
** "团队" -> "team", "容量" -> "capacity"), or NULL when unknown.
** NAME is what rec_colname() gives.
*/
const char *crm_user_colname(const char *name);

/* Parse "FROM..TO" (or "FROM..") into ISO times; 0, or -1 when bad. */
int crm_parse_away(const char *s, char from[CRM_TIME_LEN],
    char until[CRM_TIME_LEN]);

#endif
