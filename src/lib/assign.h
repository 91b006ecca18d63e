/* assign.h: choosing owners for customers: one user, round-robin, balanced, weighted, rules. */
#ifndef CRM_ASSIGN_H
#define CRM_ASSIGN_H

#include <stddef.h>

#include "rules.h"

struct crm_db;
struct crm_assigner;

enum crm_strategy {
	CRM_TO,			/* one user */
	CRM_ROUND_ROBIN,	/* the next available after the stored cursor */
	CRM_BALANCED,		/* lowest owned/capacity, ties by login */
	CRM_WEIGHTED		/* smooth weighted round-robin, or seeded draws */
};

struct crm_assign_opts {
	int force;		/* take customers owned by others; a single
				   --to user even when away, at capacity or
				   past a pool's rules (never when inactive) */
	int seeded;		/* weighted: random draws from SEED */
	unsigned long long seed;
	const char *transfer_from;	/* a login: hand over its customers */
};

/*
** A new assigner for one run, inside the caller's transaction (and
** batch).  Dies (status 1) when the actor is no admin ("permission
** denied: assigning customers needs an admin ...") or O->transfer_from
** is no user.  Free it with crm_assigner_free() after
** crm_assigner_finish().
*/
struct crm_assigner *crm_assigner_new(struct crm_db *db,
    const struct crm_assign_opts *o);

/*
** Use strategy S over SET for every row.  SET is comma-separated logins
** and "team:NAME" items (a "user:" or "users:" prefix is allowed); CRM_TO
** with more than one user means round-robin.  Dies (status 1) naming an
** unknown user or team.
*/
void crm_assigner_use(struct crm_assigner *a, enum crm_strategy s,
    const char *set);

/*
** Whether ACTION, the right side of a rule, is well formed: NULL, or why
** not (static buffer).  For crm_rules_load().  The forms are
** "user:LOGIN", "team:NAME [STRATEGY]" and "users:A,B,... [STRATEGY]",
** STRATEGY being round-robin (the default), balanced or weighted.
*/
const char *crm_assign_action_check(const char *action, void *unused);

/*
** Use RS (loaded with crm_assign_action_check) instead of one strategy;
** the assigner keeps RS and frees it.  Dies with "FILE:LINE: ..."
** (status 1) naming an unknown user or team.
*/
void crm_assigner_use_rules(struct crm_assigner *a, struct crm_rules *rs);

/* Does any strategy in use draw at random with --seed (weighted)? */
int crm_assigner_is_weighted(const struct crm_assigner *a);

/*
** The input's columns (canonical names), so rules can read their fields.
** A field the input lacks is read from the stored customer instead; one
** that neither has is fatal ("FILE:LINE: no field ...", status 1).
*/
void crm_assigner_columns(struct crm_assigner *a, size_t n,
    const char *const *names);

enum crm_assign_outcome {
	CRM_ASSIGNED,		/* the owner changed */
	CRM_KEPT,		/* already owned by its target: nothing to do */
	CRM_REFUSED,		/* owned by someone else (no --force) */
	CRM_UNASSIGNED,		/* no rule matched, nobody available, or
				   the pool's rules refused */
	CRM_NOT_FOUND		/* no such customer (or merged away) */
};

struct crm_assign_result {
	enum crm_assign_outcome outcome;
	const char *owner;	/* the owner's login afterwards, or NULL */
	const char *explain;	/* which rule or strategy, and why */
	long long deals, followups;	/* moved along by a transfer */
};

/*
** Assign customer ID, whose input record is V[0..N) (N 0 when there is
** none).  Changes go through crm_customer_set_owner(), or for a customer
** in a pool crm_pool_take() (CRM_TAKE_ASSIGN: the taker must be a member
** and below the pool's --max-owned and its own capacity; with --force to
** one user, CRM_TAKE_FORCE); the members of a set who fail the pool's
** rules are passed over as those away or full are.  RES's strings stay
** valid until the next call.
*/
void crm_assign_one(struct crm_assigner *a, long long id, size_t n,
    const char *const *v, struct crm_assign_result *res);

/*
** Transfers: the ids of the live customers the transfer_from user owns,
** by id, in a new array *IDS (caller frees); returns how many.
*/
size_t crm_assign_transfer_ids(struct crm_assigner *a, long long **ids);
/* Open deals and planned follow-ups the transfer_from user still holds. */
void crm_assign_transfer_left(struct crm_assigner *a, long long *deals,
    long long *followups);

/* Store the round-robin cursors and weighted state for the next run. */
void crm_assigner_finish(struct crm_assigner *a);
void crm_assigner_free(struct crm_assigner *a);

/*
** Undo crm-assign batch B in the current batch (crm_batch_undo), every
** clock it moved included: SKIPPED gets each change that was not undone
** and why.  Dies when the actor is no admin or B is not a crm-assign
** batch.  Returns the number of changes undone.
*/
long long crm_assign_undo(struct crm_db *db, long long b,
    void (*skipped)(const char *entity, long long id, const char *field,
    const char *why, void *ctx), void *ctx);

/*
** The records of a run, written to W: the input's columns NAMES[0..N)
** (for ids that came without records, just "id"), then those of owner,
** owner_since, pool and pool_since the input lacks, then deals and
** followups for a transfer and explain with EXPLAIN.  Each row that
** crm_assign_out_row() writes for customer ID has its input values V
** (NULL: the id alone), what RES says, and the customer's owner, pool
** and their clocks as they now stand (after the row's change), so
** columns such as an unsaved score pass through while the old pool does
** not.  Call crm_assign_out_open() once.
*/
struct rec_writer;
void crm_assign_out_open(struct crm_assigner *a, struct rec_writer *w,
    size_t n, const char *const *names, int explain);
void crm_assign_out_row(struct crm_assigner *a, long long id,
    const char *const *v, const struct crm_assign_result *res);

#endif
