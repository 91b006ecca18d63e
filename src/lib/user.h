/* user.h: reps and teams: who they are, their limits and leave, and changing them. */
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
** Writing users (the caller holds the transaction and a batch).  Only
** an admin changes users (policy.h; while no admin exists everyone is
** one): each of these dies with "permission denied: ... needs an admin"
** (status 1) for anyone else.  Every field that changes is a history row
** (entity "user", a team's creation entity "team").
**
** A change request: NULL fields are left alone (blank clears name,
** email, team and capacity); CLEAR_AWAY ends a leave.
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
** nothing: a bad login (1 to 64 bytes, no blanks, commas or control
** characters, no leading '-') or team name (1 to 128 bytes, no commas or
** control characters), a value out of range, demoting or deactivating
** the last active admin.  *CHANGED (may be NULL) tells whether anything
** changed.
*/
const char *crm_user_save(struct crm_db *db, const char *login,
    const struct crm_user_change *c, int update, long long *id, int *changed);

/* Deactivate (ACTIVE 0) or activate LOGIN; NULL or a message. */
const char *crm_user_set_active(struct crm_db *db, const char *login,
    int active, int *changed);

/*
** Create team NAME unless it exists, setting *ID and *CREATED; NULL, or
** why NAME is no team name (static buffer).
*/
const char *crm_team_add(struct crm_db *db, const char *name, long long *id,
    int *created);

/*
** Users from the record stream PATH ("-" is stdin) keyed by login: a
** login that exists is updated with the row's non-empty values, a new one
** added (columns by crm_user_colname(); "owned" and unknown ones are
** ignored, the latter with a note).  Each user is written to W as it now
** stands.  All or nothing: every bad row is reported as "FILE:LINE:
** FIELD: reason" and then it dies (status 1).  Returns the users written.
*/
struct rec_writer;
long long crm_user_import(struct crm_db *db, const char *path,
    struct rec_writer *w);

/* The columns of a user record, in output order. */
enum {
	UC_LOGIN, UC_NAME, UC_EMAIL, UC_TEAM, UC_ROLE, UC_CAPACITY, UC_WEIGHT,
	UC_REGIONS, UC_INDUSTRIES, UC_AWAY_FROM, UC_AWAY_UNTIL, UC_ACTIVE,
	UC_OWNED, UC_N
};
extern const char *const crm_user_cols[UC_N];

/*
** Write users to W as records of crm_user_cols (the header is the
** caller's): those of TEAM (NULL for all), only active ones unless ALL,
** or just LOGIN when it is not NULL; ordered by login.  Returns how many.
** Anyone who may open the database may read users.
*/
long long crm_users_write(struct crm_db *db, struct rec_writer *w,
    const char *team, int all, const char *login);

/* Write every team, by name, with its header: team, members (active), created_at. */
void crm_teams_write(struct crm_db *db, struct rec_writer *w);

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
