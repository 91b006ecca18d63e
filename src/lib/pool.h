/* pool.h: public pools (公海): rules, membership, claims and the reclaim. */
#ifndef CRM_POOL_H
#define CRM_POOL_H

#include <stddef.h>
#include <time.h>

#include "when.h"

struct crm_db;

/* The reclaim rules, in the order ties between them are broken. */
enum { CRM_RULE_FOLLOWUP, CRM_RULE_DEAL, CRM_RULE_WON, CRM_RULE_N };
extern const char *const crm_rule_names[CRM_RULE_N];	/* "no-followup", ... */

/* What exempts a customer from a rule: a bit set per rule. */
enum { CRM_EX_LOCKED = 1, CRM_EX_WON = 2, CRM_EX_OPEN_DEAL = 4 };

#define CRM_POOL_MAX_GRADES 8

/*
** A pool and its rules.  A number that is -1 is a rule that is off.
** Strings are owned by the struct (crm_pool_free).
*/
struct crm_pool {
	long long id;
	char *name, *region, *industry, *created_at;
	long long days[CRM_RULE_N];	/* no-followup, no-deal, not-won */
	long long warn_days, claim_limit, max_owned, lockout_days, cooling_days;
	unsigned exempt[CRM_RULE_N];
	int ngrades;			/* per-grade no-follow-up limits */
	char *grade[CRM_POOL_MAX_GRADES];
	long long grade_days[CRM_POOL_MAX_GRADES];
};
void crm_pool_init(struct crm_pool *p);	/* everything off */
void crm_pool_free(struct crm_pool *p);

/*
** Parse "--exempt" text: items locked, won, open-deal (or open_deal),
** each optionally prefixed by a rule and a colon ("no-deal:open-deal")
** to exempt from that rule only; "none" clears.  Sets EX; returns NULL,
** or a message (static buffer).
*/
const char *crm_pool_parse_exempt(const char *s, unsigned ex[CRM_RULE_N]);
/* The canonical text of EX, as stored and shown (caller frees; "" for none). */
char *crm_pool_format_exempt(const unsigned ex[CRM_RULE_N]);
/* Parse "A=60,B=30" into P's grade limits ("none" clears); NULL or a message. */
const char *crm_pool_parse_grades(const char *s, struct crm_pool *p);
char *crm_pool_format_grades(const struct crm_pool *p);	/* caller frees */

/*
** A rule or filter of P by the name of its option, without the dashes
** ("claim-limit", "no-followup-days", "exempt", "region", ...): parse
** VALUE ("off" or "none" turns a rule off) onto P.  Returns NULL, or a
** message naming the option (static buffer): for crm-pool, a usage error.
** "members" and "admins" are accepted as they are: they are stored
** elsewhere (crm_pool_configure applies them).
*/
const char *crm_pool_setting(struct crm_pool *p, const char *name,
    const char *value);

/*
** A pool's name: not blank, no control characters (they would corrupt a
** terminal or a record), as logins.  NULL, or a message (static).
*/
const char *crm_pool_check_name(const char *name);

/* Load pool NAME (or id ID when NAME is NULL) into P; 1 when found, else 0. */
int crm_pool_get(struct crm_db *db, const char *name, long long id,
    struct crm_pool *p);
/* Call FN for every pool, by id; P is valid during the call. */
void crm_pools_each(struct crm_db *db,
    void (*fn)(const struct crm_pool *p, void *ctx), void *ctx);

/*
** Writing pools (the caller holds the transaction and a batch).
** crm_pool_insert creates P (its name must be free) and sets P->id.
** crm_pool_update stores P's rules over the stored ones, with a history
** row (entity "pool") for each setting that changed; returns how many.
*/
void crm_pool_insert(struct crm_db *db, struct crm_pool *p);
int crm_pool_update(struct crm_db *db, const struct crm_pool *p);

/*
** crm-pool create (CREATE set) and set: apply SETTINGS, each
** "NAME=VALUE" as crm_pool_setting() takes it, "members" and "admins"
** included, to pool NAME: a new one (an admin's right; the name must be
** free and fit) or an existing one (its admins' right), with history
** rows.  Returns the number of settings that changed (1 for a new pool).
** Dies on a refusal or a bad setting, maybe after writing some: the
** caller's transaction is rolled back.
*/
struct strvec;
long long crm_pool_configure(struct crm_db *db, const char *name, int create,
    const struct strvec *settings);

/*
** Pools as records: the columns name, region, industry, members, admins,
** no_followup_days, no_deal_days, not_won_days, grade_days, exempt,
** warn_days, claim_limit, max_owned, lockout_days, cooling_days,
** customers, created_at (NULL for a rule that is off).  With NAME, that
** pool only (the caller checked the actor's rights); else every pool the
** actor is a member or an admin of.  The header is always written.
*/
struct rec_writer;
void crm_pools_write(struct crm_db *db, struct rec_writer *w, const char *name);

/*
** Die unless the actor administers pool POOL_ID (an admin, or one of its
** admins): "permission denied: WHAT pool 'P' needs an admin of it (you
** are 'li', a rep)".
*/
void crm_pool_require_admin(struct crm_db *db, long long pool_id,
    const char *what);
/* The id of pool NAME, or death ("no pool 'NAME'"). */
long long crm_pool_find(struct crm_db *db, const char *name);

/*
** Replace the members (ROLE "member") or admins (ROLE "admin") of pool
** POOL_ID with LIST: "team:NAME" and "user:LOGIN" (or a bare LOGIN),
** comma-separated.  Returns NULL, or a message naming the unknown team
** or user (static buffer) having changed nothing.  A change is recorded
** in the history, and *CHANGED (may be NULL) tells whether there was one.
*/
const char *crm_pool_set_members(struct crm_db *db, long long pool_id,
    const char *role, const char *list, int *changed);
/* The members or admins of POOL_ID as that LIST text (caller frees). */
char *crm_pool_members_text(struct crm_db *db, long long pool_id,
    const char *role);

/* Is active USER_ID a member (an admin) of POOL_ID, itself or through its team? */
int crm_pool_is_member(struct crm_db *db, long long pool_id, long long user_id);
int crm_pool_is_admin(struct crm_db *db, long long pool_id, long long user_id);
/* May the actor administer POOL_ID: an admin, or one of the pool's admins? */
int crm_pool_actor_is_admin(struct crm_db *db, long long pool_id);

/*
** The pool that covers customer ID's owner: the first pool, by id, that
** has the owner among its members (itself or through its team) and
** whose --region and --industry filters (when set) match the customer.
** -1 when none does, or when ID has no owner.
*/
long long crm_pool_covering(struct crm_db *db, long long id);

/*
** The user claim (TO NULL: the actor, who must be a user) or assign
** (user TO, who must exist) gives customers to; dies otherwise.
*/
long long crm_pool_taker(struct crm_db *db, const char *to);

/*
** When a customer that entered pool P at POOL_SINCE may be claimed: at
** once, or after P's cooling-off days.
*/
time_t crm_pool_claimable_at(const struct crm_pool *p, time_t pool_since);

/* Why a change was refused: the rule, and the details for the message. */
struct crm_refusal {
	const char *rule;		/* "claim-limit", "lockout", ... */
	char why[400];			/* "refused by claim-limit (3 a day; ...)" */
};

/*
** Give pooled customer ID to USER_ID (crm_customer_set_owner, with
** REASON in the history).  HOW says which rules apply:
**   CRM_TAKE_CLAIM  the user claims it: membership, cooling-off,
**                   lockout, claim limit (claims since the start of the
**                   site's day), max-owned, and the user's leave and
**                   capacity;
**   CRM_TAKE_ASSIGN an admin of the pool hands it out: membership,
**                   max-owned, leave and capacity;
**   CRM_TAKE_FORCE  an admin of the pool overrides the pool's rules; the
**                   user's leave and capacity only an admin overrides.
** Nobody gives a deactivated user a customer.
** Returns 1 when done, else 0 with R filled; dies when ID is no customer.
*/
enum { CRM_TAKE_CLAIM, CRM_TAKE_ASSIGN, CRM_TAKE_FORCE };
int crm_pool_take(struct crm_db *db, long long id, long long user_id, int how,
    const char *reason, struct crm_refusal *r);

/*
** Claim for USER_ID the customer longest in pool POOL_ID that the claim
** rules let it take, passing over those another claimer is taking (on a
** server, which runs claims side by side) and those its lockout keeps
** from it.  Returns the customer's id, or -1 with R saying why none
** ("none-free", or the rule that stops every further claim).
*/
long long crm_pool_claim_next(struct crm_db *db, long long pool_id,
    long long user_id, const char *reason, struct crm_refusal *r);

/*
** Put customer ID into pool POOL_ID (-1: the pool covering its owner)
** with REASON (crm_customer_set_pool).  RELEASE: a give-back, so ID
** must be owned; its owner may release it into a pool it may put
** customers into (crm_may_pool: a member of it), anyone else must
** administer that pool.  Otherwise (a move) the actor must administer
** the pool, and the pool ID is in, if any.
** Returns 1 when moved, else 0 with R->why saying why: it was there
** already (R->rule NULL), or it was refused (R->rule set).
*/
int crm_pool_put(struct crm_db *db, long long id, long long pool_id,
    int release, const char *reason, struct crm_refusal *r);

/*
** A customer under a pool's rules, as the reclaim sees it.  Strings are
** valid during the callback only.
*/
struct crm_due {
	long long id, owner_id;
	const char *owner, *owner_email, *name, *company, *grade;
	const char *owner_since, *last_activity_at, *last_deal_at;
	int locked, won, open_deal;
	int rule;			/* CRM_RULE_* that makes it due */
	const char *exempt_by;		/* set when only exempt rules are due */
	long long limit_days, idle_days;	/* idle at now, on the rule's clock */
	const char *grade_limit;	/* the grade whose limit applied, or NULL */
	char clock[CRM_TIME_LEN];	/* the start of the rule's clock */
	char due_at[CRM_TIME_LEN];	/* when the rule fires */
};

/*
** Call FN for each customer that pool P reclaims and that is due at time
** AT (now for the reclaim, later for warnings), ordered by id.  With
** EXEMPT set, customers that only an exemption keeps are passed too,
** with exempt_by set.  Returns how many were passed.
*/
long long crm_pool_due(struct crm_db *db, const struct crm_pool *p, time_t at,
    int exempt, void (*fn)(const struct crm_due *d, void *ctx), void *ctx);

/*
** Why D is due, in words, into BUF of N bytes: "last follow-up T, owner
** since T: 52 days without a follow-up, limit 30", with "; exempt: why"
** for one only an exemption keeps.
*/
void crm_pool_due_explain(const struct crm_due *d, char *buf, size_t n);

/*
** Whole days of the site's calendar from NOW's day to T's (0 when T's
** day is today or past): "due in 1 day" is tomorrow, whatever the hour.
*/
long long crm_pool_days_left(time_t t, time_t now);

/*
** crm-pool due: the customers that fall due by the end of the site's day
** WITHIN seconds from now (-1: each pool's warn days; those due today
** when a pool has none), including those due already, of every pool
** (or of POOL only), ordered by owner, then due time, then id, with the
** columns owner, owner_email, id, name, company, pool, rule, idle_days,
** limit_days, due_at, days_left (crm_pool_days_left).  A rep
** sees its own; an admin everyone's, or OWNER's.  Dies on an unknown
** pool or user, or when a rep asks for another's.
*/
void crm_pool_due_list(struct crm_db *db, struct rec_writer *w,
    const char *pool, const char *owner, long long within);

/*
** When pool P would reclaim owned customer ID (the pool covering it,
** crm_pool_covering()) by its rules: 1 with D filled as crm_pool_due()
** fills it (D->due_at the time the first rule fires, which may be past),
** 0 when no rule of P applies to it (off, exempt, or ID not owned).
** D's strings are valid until the next call.
*/
int crm_pool_due_one(struct crm_db *db, const struct crm_pool *p, long long id,
    struct crm_due *d);

/*
** The reclaim of pool P: every customer due now moves into P, as
** crm_customer_set_pool() would move it, with the reason
** "reclaim: RULE N days (limit M)".  FN (may be NULL) gets each one
** after the move (and, with EXEMPT, those an exemption kept).
** Returns the number moved.
*/
long long crm_pool_reclaim(struct crm_db *db, const struct crm_pool *p,
    int exempt, void (*fn)(const struct crm_due *d, void *ctx), void *ctx);

/*
** crm-pool reclaim: the reclaim of every pool (an admin's right) or of
** pool NAME (its admins'), writing one record per customer moved (with
** EXPLAIN also the exempt ones, and the columns action and explain):
** id, name, company, owner, pool, rule, idle_days, limit_days, since.
** Says on stderr, unless quiet, how many each pool took.  Returns the
** number moved.
*/
long long crm_pools_reclaim(struct crm_db *db, struct rec_writer *w,
    const char *name, int explain);

/*
** crm-pool list: the live customers of the pools the actor is a member or
** an admin of (or of pool NAME, which it must be), by pool and id, with
** the columns id, name, company, phone, email, region, industry, grade,
** pool, pool_since, days_in_pool, prev_owner (who lost it to the pool)
** and claimable_from, phone and email as the rights policy lets the actor
** see them (masked for members, in full for the pool's admins).
*/
void crm_pool_list(struct crm_db *db, struct rec_writer *w, const char *name);
long long crm_pool_count(struct crm_db *db, long long pool_id);

/* T plus DAYS days, as ISO text in OUT. */
void crm_add_days(time_t t, long long days, char out[CRM_TIME_LEN]);

#endif
