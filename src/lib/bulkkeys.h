/*
** bulkkeys.h: the duplicate keys of a bulk import, held back from
** customer_keys until its end and then written in key order: one pass
** along the table's B-tree instead of a descent into it per key.  Until
** then they can be looked up.  Memory stays fixed: a full chunk is sorted
** and written to a temporary file as a run, and a run is searched through
** every 256th of its keys, kept in memory, and one read of the file.
*/
#ifndef CRM_BULKKEYS_H
#define CRM_BULKKEYS_H

struct crm_db;
struct bulkkeys;

struct bulkkeys *bulkkeys_open(void);
/* Hold KEY (a norm_key_hash()) of customer ID; IDs must grow. */
void bulkkeys_add(struct bulkkeys *b, long long key, long long id);
/*
** Give FN each id held under KEY, lowest first, until it returns
** nonzero; returns that, or 0.
*/
int bulkkeys_find(struct bulkkeys *b, long long key,
    int (*fn)(long long id, void *ctx), void *ctx);
/* Write every key held into customer_keys, and free B.  Dies on errors. */
void bulkkeys_write(struct bulkkeys *b, struct crm_db *db);
void bulkkeys_free(struct bulkkeys *b);

#endif
