/* customer.h: customers and leads (a lead is a customer in status 'lead'). */
#ifndef CRM_CUSTOMER_H
#define CRM_CUSTOMER_H

#include <stddef.h>

struct crm_db;

/* The stable columns of a customer record, in output order. */
enum {
	CC_ID, CC_NAME, CC_COMPANY, CC_PHONE, CC_EMAIL, CC_REGION, CC_INDUSTRY,
	CC_SOURCE, CC_STATUS, CC_OWNER, CC_POOL, CC_SCORE, CC_CREATED_AT,
	CC_N,
	/* more, for show and --long */
	CC_GRADE = CC_N, CC_STATUS_REASON, CC_OWNER_SINCE, CC_POOL_SINCE,
	CC_LAST_ACTIVITY_AT, CC_NEXT_DUE_AT, CC_LOCKED, CC_MERGED_INTO,
	CC_UPDATED_AT, CC_NLONG
};
extern const char *const crm_customer_cols[CC_NLONG];
int crm_customer_col(const char *name);	/* index, or -1 */

/* A lead as given on input: borrowed strings, NULL for absent. */
struct crm_lead {
	const char *v[CC_NLONG];
	size_t ncustom;
	const char *const *custom_names;
	const char *const *custom_values;
};

/* The keys a duplicate is found by, in the order they are tried. */
enum { CRM_KEY_PHONE, CRM_KEY_EMAIL, CRM_KEY_COMPANY, CRM_NKEYS };
extern const char *const crm_key_names[CRM_NKEYS];	/* "phone", ... */

/* Resolved references and keys, filled by crm_lead_check(). */
struct crm_lead_refs {
	long long owner_id, pool_id;
	const char *status;		/* canonical */
	char *key[CRM_NKEYS];		/* normalized; NULL when there is none */
};
void crm_lead_refs_free(struct crm_lead_refs *r);

/*
** Check a lead for creation: returns NULL when it is fine, else
** "FIELD: reason" (static buffer).  Fills REFS, the keys even for a bad
** lead: free them with crm_lead_refs_free() either way.
*/
const char *crm_lead_check(struct crm_db *db, const struct crm_lead *l,
    struct crm_lead_refs *refs);

/* A customer a new record would duplicate. */
struct crm_dup {
	long long id;
	const char *on;		/* one of crm_key_names */
	char owner[128], pool[128];
	int this_batch;		/* created by the running command itself */
};
/* Find a live customer sharing a key with REFS; 1 if found. */
int crm_lead_find_dup(struct crm_db *db, const struct crm_lead_refs *refs,
    long long except_id, struct crm_dup *dup);

/*
** For customer ID, created by the running batch: find a live customer
** with a lower id sharing a key, as crm_lead_find_dup() would have found
** when ID was about to be created.  1 if found.
*/
int crm_lead_find_earlier_dup(struct crm_db *db, long long id,
    struct crm_dup *dup);
/* Remove customer ID, created by the running batch, as if never written. */
void crm_lead_retract(struct crm_db *db, long long id);

/* Insert; returns the new id.  Custom columns are stored too. */
long long crm_lead_insert(struct crm_db *db, const struct crm_lead *l,
    const struct crm_lead_refs *refs);

/*
** Update customer ID with the non-NULL values of L (owner and pool may
** only repeat the current ones).  Returns NULL, or "FIELD: reason".
** *CHANGED is set when anything changed.
*/
const char *crm_lead_update(struct crm_db *db, long long id,
    const struct crm_lead *l, int *changed);

/* Move ID to STATUS (with REASON for disqualified); NULL or a message. */
const char *crm_lead_set_status(struct crm_db *db, long long id,
    const char *status, const char *reason, int *changed);

/* Merge DUP into KEEP in its own batch; NULL or a message. */
const char *crm_lead_merge(struct crm_db *db, long long keep, long long dup);
/* Undo the last merge of DUP; NULL or a message. */
const char *crm_lead_unmerge(struct crm_db *db, long long dup);

/* The canonical status for "lead", "线索", "不合格", ...; NULL if unknown. */
const char *crm_status_canonical(const char *s);
int crm_customer_exists(struct crm_db *db, long long id);	/* live only */

/* Listing. */
struct crm_filter {
	const char *status, *owner, *pool, *region, *industry, *source;
	const char *since, *until;	/* created_at bounds, ISO 8601 */
	long long id;			/* 0 for all; < 0 for none (names only) */
	int merged;			/* include merged duplicates */
	int wide;			/* the columns after CC_N too */
};
struct crm_cursor;
struct crm_cursor *crm_customers_open(struct crm_db *db,
    const struct crm_filter *f);
size_t crm_cursor_ncol(const struct crm_cursor *c);
const char *const *crm_cursor_names(const struct crm_cursor *c);
/* The next row's values (NULL entries are NULL fields), or NULL at the end. */
const char *const *crm_cursor_next(struct crm_cursor *c);
void crm_cursor_close(struct crm_cursor *c);

/*
** The ownership primitives: the only code that changes who holds a
** customer.  Both keep "owned or pooled, never both", restart the clock
** (owner_since / pool_since = now) and write a history row for every
** field that changes, with REASON (e.g. "round-robin", "claim",
** "reclaim: no follow-up 31 days").  USER_ID / POOL_ID -1 clears.
** Return 1 when anything changed, 0 when it was so already.
*/
int crm_customer_set_owner(struct crm_db *db, long long id, long long user_id,
    const char *reason);
int crm_customer_set_pool(struct crm_db *db, long long id, long long pool_id,
    const char *reason);

/* Current holder of ID: *USER_ID / *POOL_ID are -1 when none; 0 if no such customer. */
int crm_customer_holder(struct crm_db *db, long long id, long long *user_id,
    long long *pool_id);

#endif
