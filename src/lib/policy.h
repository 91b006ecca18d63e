/*
** policy.h: the rights policy, one for every program: who may use the
** database, read a customer (and how much of it), and change what.
**
** Roles.  An admin may do everything.  A rep reads its own customers in
** full; pooled customers of the pools it is a member of with phone and
** email masked; of every other customer only what the duplicate check
** (防撞单) needs: that it exists, its name and company, owner and pool.
** A pool's admins see that pool's customers in full.  A rep changes only
** the customers it owns, owns the leads it adds, and cannot pass a
** deactivated, away or full rep's limits.  While no active admin exists
** (a new database) everyone counts as an admin, so a first admin can be
** made.  Moving the clock (--now, $CRM_NOW) is an admin's right, or
** everyone's in a database whose admin switched on the test clock.
**
** Threat model: with a SQLite file every user can open, these rules keep
** honest users within their rights; they are not a defence against
** someone who writes to the file with other tools.  Rights a server
** enforces come with the PostgreSQL backend.
*/
#ifndef CRM_POLICY_H
#define CRM_POLICY_H

#include <stddef.h>

struct crm_db;

/*
** Called by crm_db_open(): resolve the actor (crm_g.actor) into the
** handle's context and refuse, with status 1, an actor that is not a
** user or is deactivated once an admin exists, and a moved clock that
** the actor has no right to.  crm_policy_close frees what it cached.
*/
void crm_policy_open(struct crm_db *db);
void crm_policy_close(struct crm_db *db);

/* The actor: its login, its user id (-1 when none), whether an admin. */
const char *crm_actor(struct crm_db *db);
long long crm_actor_id(struct crm_db *db);
int crm_actor_is_admin(struct crm_db *db);
/* "an admin", "a rep", "an inactive rep", "not a user": for messages. */
const char *crm_actor_describe(struct crm_db *db);
/*
** Die with status 1 unless the actor is an admin:
** "permission denied: WHAT needs an admin (you are 'x', a rep)".
*/
void crm_require_admin(struct crm_db *db, const char *what);

/* How much of a customer the actor sees. */
enum crm_sight {
	CRM_SIGHT_NAME,		/* id, name, company, owner, pool: nothing else */
	CRM_SIGHT_MASKED,	/* all but phone and email, which are masked */
	CRM_SIGHT_FULL
};

/*
** The sight of customer ID, held by user OWNER_ID or pool POOL_ID (-1
** for none).  In a dry run, a customer the actor came to own in the
** running batch is seen as before it (claim -n shows no contacts).
** crm_sight_of looks the holder up; a customer that does not exist is
** CRM_SIGHT_NAME.
*/
enum crm_sight crm_sight(struct crm_db *db, long long id, long long owner_id,
    long long pool_id);
enum crm_sight crm_sight_of(struct crm_db *db, long long id);

/*
** Apply SIGHT to a record of N values named NAMES (canonical customer
** columns and custom fields): hidden values become NULL, phone and email
** masked ones.  Masked strings are kept in MASKS (two slots) until the
** next call with the same MASKS; free them with crm_sight_free().
*/
void crm_sight_apply(enum crm_sight sight, size_t n, const char *const *names,
    const char **v, char *masks[2]);
void crm_sight_free(char *masks[2]);

/*
** Masking, for those who may not copy a contact: a phone of 11 or more
** digits keeps its first 3 and last 4 (138****8000), one of 8 to 10 its
** first and last 2, a shorter one its last 2; an email its first
** character and its domain (z***@example.com).  A value masked already
** (as a server sends it) comes back as it is.  New strings (caller
** frees); NULL for NULL.
*/
char *crm_mask_phone(const char *phone);
char *crm_mask_email(const char *email);

/*
** Changing.  Each returns NULL when the actor may, else why not
** ("permission denied: ...", static buffer, valid until the next call).
**
** crm_may_change: change customer ID (its fields, status, follow-ups,
** deals): an admin, or the rep that owns it.
** crm_may_own: make user USER_ID the owner of a customer the actor adds
** or takes: never a deactivated user; a rep only itself, and not past
** its leave or capacity.
** crm_may_pool: put a customer the actor adds into pool POOL_ID: an
** admin, an admin of the pool, or a member.
*/
const char *crm_may_change(struct crm_db *db, long long id);
const char *crm_may_own(struct crm_db *db, long long user_id);
const char *crm_may_pool(struct crm_db *db, long long pool_id);

#endif
