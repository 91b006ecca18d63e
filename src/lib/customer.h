/* customer.h: customers and leads (a lead is a customer in status 'lead'). */
#ifndef CRM_CUSTOMER_H
#define CRM_CUSTOMER_H

#include <stddef.h>

#include "when.h"

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
	long long *custom_ids;	/* or NULL: the fields' ids once known, else -1 */
};

/* The keys a duplicate is found by, in the order they are tried. */
enum { CRM_KEY_PHONE, CRM_KEY_EMAIL, CRM_KEY_COMPANY, CRM_NKEYS };
extern const char *const crm_key_names[CRM_NKEYS];	/* "phone", ... */

/* Resolved references and keys, filled by crm_lead_check(). */
struct crm_lead_refs {
	long long owner_id, pool_id;
	const char *status;		/* canonical */
	char *key[CRM_NKEYS];		/* normalized; NULL when there is none */
	long long hash[CRM_NKEYS];	/* norm_key_hash() of each key */
};
void crm_lead_refs_free(struct crm_lead_refs *r);

/*
** Check a lead for creation: returns NULL when it is fine, else
** "FIELD: reason" (static buffer).  Fills REFS, the keys even for a bad
** lead: free them with crm_lead_refs_free() either way.
*/
const char *crm_lead_check(struct crm_db *db, const struct crm_lead *l,
    struct crm_lead_refs *refs);
/*
** crm_lead_check() is these two, in this order.  The first needs no
** database and keeps nothing between calls, so any thread may call it
** (an import's reader does): the fields' checks, the keys and their
** hashes; the message goes to MSG.  The second resolves the owner and
** the pool by name (static buffer).
*/
const char *crm_lead_check_fields(const struct crm_lead *l,
    struct crm_lead_refs *refs, char *msg, size_t msgsize);
const char *crm_lead_check_refs(struct crm_db *db, const struct crm_lead *l,
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
/* The same for REFS's key K alone (CRM_KEY_*). */
int crm_lead_find_dup_key(struct crm_db *db, const struct crm_lead_refs *refs,
    int k, struct crm_dup *dup);
/*
** Whether customer ID is live and its key K is KEY: a hash found
** elsewhere (a bulk import's own keys) compared as text.  1, with DUP
** filled, if so.
*/
int crm_lead_key_is(struct crm_db *db, long long id, int k, const char *key,
    struct crm_dup *dup);
/*
** DUP as customer ID, found by key K, of OWNER_ID and POOL_ID (-1: none)
** made in batch BATCH_ID: where the caller knows them without a query.
*/
void crm_dup_set(struct crm_db *db, struct crm_dup *dup, long long id, int k,
    long long owner_id, long long pool_id, long long batch_id);

/*
** Insert; returns the new id.  Custom columns are stored too, and the
** keys in customer_keys; crm_lead_insert_row() leaves the keys to the
** caller (a bulk import writes them at its end, in key order).
*/
long long crm_lead_insert(struct crm_db *db, const struct crm_lead *l,
    const struct crm_lead_refs *refs);
long long crm_lead_insert_row(struct crm_db *db, const struct crm_lead *l,
    const struct crm_lead_refs *refs);
/*
** crm_lead_insert_row() in parts, for many rows in one statement: the
** values of the new customer ID (0: the next id) into V, their text
** borrowed from L, REFS and WHEN, for crm_lead_feed_sql (crm_db_feed);
** then, once the row is there, crm_lead_created() stores the rest.
*/
#define CRM_LEAD_NVALUES 23
struct crm_value;
extern const char crm_lead_feed_sql[];
void crm_lead_values(struct crm_db *db, const struct crm_lead *l,
    const struct crm_lead_refs *refs, long long id,
    struct crm_value *v, char when[CRM_TIME_LEN]);
void crm_lead_created(struct crm_db *db, long long id, const struct crm_lead *l,
    const struct crm_lead_refs *refs);
/* Fill customer_keys from the customers' keys (migration 007). */
void crm_customer_keys_fill(struct crm_db *db);


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

/*
** Lock (LOCKED 1) or unlock customer ID: the exemption "locked" of a
** pool keeps a locked customer from reclaim.  NULL or a message.
*/
const char *crm_lead_lock(struct crm_db *db, long long id, int locked,
    const char *reason, int *changed);

/*
** Erase the personal data of customer ID on request (PIPL, GDPR): name,
** phone, email, its fields of the user's own, its contacts and the notes
** of its follow-ups are blanked, in earlier history rows too (the one
** exception to append-only); the record stays for statistics, and the
** erasure is recorded (field "erased": which fields, with REASON).  An
** admin's right (dies otherwise).  ERASED gets the list.  NULL or a
** message.
*/
struct strbuf;
const char *crm_lead_erase(struct crm_db *db, long long id, const char *reason,
    struct strbuf *erased);

/*
** Undo crm-lead batch B in the current batch: its changes of fields are
** set back (crm_batch_undo), and the customers it created that nothing
** touched since are removed, each recorded in the history (field
** "deleted", the record as JSON).  SKIPPED gets what was left and why.
** Returns the number of changes undone.
*/
long long crm_lead_undo(struct crm_db *db, long long b,
    void (*skipped)(const char *entity, long long id, const char *field,
    const char *why, void *ctx), void *ctx);

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
	int raw;			/* unmasked: for the library's own reads */
	const char *key[CRM_NKEYS];	/* normalized duplicate keys to equal */
};
/* Die (status 1) when F names an owner or pool that does not exist. */
void crm_filter_check(struct crm_db *db, const struct crm_filter *f);

/*
** --match FIELD=REGEX, repeatable: a record is listed when every pattern
** matches its field (as the actor sees it).  A phone or email given as
** a plain number or address is compared as the duplicate check does
** (normalized, equal) through F's keys instead.  Bad patterns and unknown
** fields are usage errors.
*/
struct strvec;
struct crm_matches;
struct crm_matches *crm_matches_compile(const struct strvec *specs,
    struct crm_filter *f);
void crm_matches_columns(struct crm_matches *m, size_t n,
    const char *const *names);
int crm_matches(const struct crm_matches *m, const char *const *v);
void crm_matches_free(struct crm_matches *m);

/*
** Duplicates already inside the database (imported with --on-duplicate
** allow, or older than a normalisation fix): records keep, dup, on,
** keep_name, keep_company, dup_name, dup_company, one per customer that
** shares a key with a live one of a lower id, ready for crm-lead merge.
*/
struct rec_writer;
void crm_lead_dups(struct crm_db *db, struct rec_writer *w);
/*
** Customers in id order, each as the rights policy lets the actor see
** it (policy.h; RAW for the library's own reads).  Cursors nest.
*/
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

/*
** One field of customer ID as history records it (a column such as
** "phone" or "owner_since", or a field of the user's own), for undo:
** the value (caller frees) or NULL, *GONE when there is no customer ID.
** crm_customer_set_field sets it back, duplicate keys with it; no history.
*/
char *crm_customer_field(struct crm_db *db, long long id, const char *name,
    int *gone);
/* Is NAME such a field: a column undo sets, or a field of the user's own? */
int crm_customer_is_field(struct crm_db *db, const char *name);
void crm_customer_set_field(struct crm_db *db, long long id, const char *name,
    const char *value);

/* Current holder of ID: *USER_ID / *POOL_ID are -1 when none; 0 if no such customer. */
int crm_customer_holder(struct crm_db *db, long long id, long long *user_id,
    long long *pool_id);

#endif
