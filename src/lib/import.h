/*
** import.h: creating leads by the thousand in one transaction.
**
** The first rows of an import are checked and inserted one at a time,
** as crm-lead add does: a probe of each duplicate key, then an insert
** that adds the keys to customer_keys, a B-tree descent per key.  Once
** an import has created as many rows as the table held before it (and
** at least CRM_IMPORT_BULK_ROWS), that is the larger cost, so the import
** turns to bulk: rows go into the table in one statement, and their keys
** are held back and written at the end in key order, one pass
** (bulkkeys.h).  Duplicates are caught by a Bloom filter of every key
** there is and every key written since: a row none of whose keys is in
** it duplicates nothing; a key that may have been seen is looked for
** exactly, in the database and among the keys held back, so each row is
** decided at once, as one at a time would decide it.  Records are read
** and checked in a thread of their own (leadread.h).  Memory stays
** fixed: the filter, a chunk of keys, the page cache.
*/
#ifndef CRM_IMPORT_H
#define CRM_IMPORT_H

struct crm_dup;
struct crm_lead;
struct crm_lead_refs;
struct crm_db;

/* ---- the import protocol: record streams in, leads out -------------- */

struct crm_run;
struct rec;
struct rec_reader;

/* The columns of an input stream mapped onto a lead. */
struct crm_colmap {
	int *canon;		/* customer column per input column, or -1 */
	int idcol;		/* the input's id column, or -1 */
	size_t ncustom;		/* columns of the user's own, kept as fields */
	const char **custom_names;
	int *custom_cols;
	long long *custom_ids;	/* each field's id, -1 until a lead is made */
	const char **vals;	/* scratch for one record's custom values */
};
/*
** Map R's columns: ours by name, derived ones (owner_since, ...) and the
** annotations of check (dup_*) and --skip-bad (reject_*) ignored, the
** rest kept as the user's own fields.
*/
void crm_colmap_init(struct crm_colmap *m, struct rec_reader *r);
void crm_colmap_free(struct crm_colmap *m);
/* Fill L from REC through M; L borrows from REC and M until the next call. */
void crm_colmap_lead(struct crm_colmap *m, const struct rec *rec,
    struct crm_lead *l);

/* What an import does with a row that duplicates a customer. */
enum crm_on_dup {
	CRM_DUP_SKIP,		/* report it, write nothing (the default) */
	CRM_DUP_UPDATE,		/* update the customer (yours only) */
	CRM_DUP_ERROR,		/* a bad row */
	CRM_DUP_ALLOW,		/* create it anyway: an admin's right */
	CRM_DUP_PASS		/* write the existing customer's id: reruns finish */
};

struct crm_import_opts {
	enum crm_on_dup on_dup;
	int skip_bad;		/* reject bad rows into a file and go on */
	const char *rejects;	/* that file, else INPUT.rejects */
	const char *encoding;	/* NULL: detect */
	const char *map;	/* --map FROM=TO,...: header names of your own */
};

struct crm_import_stats {
	long long created, updated, skipped, passed;
};

/*
** "duplicate of customer 12 (same phone), owned by li" (static buffer).
*/
const char *crm_dup_why(const struct crm_dup *d);

/*
** Who a new lead belongs to, under the rights policy: a rep's leads are
** its own unless put into a pool; an owner or pool given must be one the
** actor may give (crm_may_own, crm_may_pool).  Fills REFS->owner_id;
** returns NULL or "FIELD: why" (static buffer).
*/
const char *crm_lead_rights(struct crm_db *db, const struct crm_lead *l,
    struct crm_lead_refs *refs);

/*
** Import the record streams PATHS[0..N) (none: stdin) in RUN: each row is
** checked, given its owner, and created, unless it duplicates a customer
** (O->on_dup says what then), and written to RUN's output as "id" and
** the input's columns, in input order.  Bad rows stop the import before
** anything is written, unless O->skip_bad.  Counts go to ST.
*/
void crm_import_streams(struct crm_run *run, int n, char **paths,
    const struct crm_import_opts *o, struct crm_import_stats *st);


/*
** crm-lead check: annotate the record streams PATHS[0..N) (none: stdin)
** with what each row would collide with, in DB or earlier in the input:
** the columns dup_id, dup_on, dup_owner, dup_pool and dup_line are
** added.  Nothing is written to DB.
*/
void crm_lead_check_streams(struct crm_db *db, int n, char **paths,
    const struct crm_import_opts *o);

/*
** crm-lead update from records keyed by "id" (PATHS[0..N), none: stdin)
** in RUN: each row's fields change that customer, under the rights
** policy; the records are echoed with their customer columns as they now
** stand.  Bad rows as crm_import_streams() handles them.
*/
void crm_lead_update_streams(struct crm_run *run, int n, char **paths,
    const struct crm_import_opts *o);

#endif
