/*
** import.h: creating leads by the thousand in one transaction.
**
** The first rows of an import are checked and inserted one at a time,
** as crm-lead add does: a probe of each duplicate key, then an insert
** that updates three indexes, two B-tree descents per key and row.  Once
** an import has created as many rows as the table held before it (and
** at least CRM_IMPORT_BULK_ROWS), that is the larger cost, so the import
** turns to bulk: the key indexes are dropped, rows are appended, and the
** indexes are built again at the end with one sort each.  Without
** indexes, duplicates are caught by a Bloom filter of every key written:
** a row none of whose keys is in it duplicates nothing and is final; a
** row that may duplicate something is inserted as a suspect and checked
** exactly, in input order, once the indexes are back.  Memory stays
** fixed: the filter and the page cache.
*/
#ifndef CRM_IMPORT_H
#define CRM_IMPORT_H

struct crm_db;
struct crm_lead;
struct crm_lead_refs;
struct crm_dup;

enum crm_import_mode {
	CRM_IMPORT_DEFER,	/* duplicates are skipped: suspects may wait */
	CRM_IMPORT_NOW,		/* every duplicate is answered at once */
	CRM_IMPORT_ALLOW,	/* no duplicate check */
};
/* What crm_import_add() did with a row. */
enum crm_import_result {
	CRM_IMPORT_CREATED,	/* created for good */
	CRM_IMPORT_SUSPECT,	/* created; ask crm_import_verify() after crm_import_end() */
	CRM_IMPORT_DUPLICATE,	/* not created: DUP says what it duplicates */
};

struct crm_import;
struct crm_import *crm_import_begin(struct crm_db *db, enum crm_import_mode mode);
/* A lead that passed crm_lead_check(); *ID is set unless a duplicate. */
enum crm_import_result crm_import_add(struct crm_import *im,
    const struct crm_lead *l, const struct crm_lead_refs *refs,
    struct crm_dup *dup, long long *id);
int crm_import_bulk(const struct crm_import *im);	/* turned to bulk? */
void crm_import_end(struct crm_import *im);	/* builds the indexes again */
/*
** After crm_import_end(), for each suspect in input order: 1 if it
** duplicates a customer created before it, which DUP names; the suspect
** is then removed.
*/
int crm_import_verify(struct crm_import *im, long long id, struct crm_dup *dup);
void crm_import_free(struct crm_import *im);

#endif
