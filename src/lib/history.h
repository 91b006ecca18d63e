/* history.h: batches (one per command run that writes) and the history log. */
#ifndef CRM_HISTORY_H
#define CRM_HISTORY_H

struct crm_db;

/* Open a batch for this run inside the current transaction; returns its id. */
long long crm_batch_start(struct crm_db *db, const char *command,
    const char *source);
long long crm_batch_id(void);		/* 0 before crm_batch_start() */
const char *crm_batch_command(void);
void crm_batch_set_rows(struct crm_db *db, long long rows);

/* Append one history row (actor, time and batch from the context). */
void crm_history(struct crm_db *db, const char *entity, long long id,
    const char *field, const char *old_value, const char *new_value,
    const char *reason);

/*
** Undo batch B in a new batch: every change it made is reverted, newest
** first, unless the row changed again since; those are passed to SKIPPED
** (may be NULL) with a reason.  Returns the number of changes undone.
** Dies when B does not exist or was undone already.
*/
long long crm_batch_undo(struct crm_db *db, long long b,
    void (*skipped)(const char *entity, long long id, const char *field,
    const char *why, void *ctx), void *ctx);

/* Names for ids and back, as history records them; -1 / NULL when absent. */
long long crm_user_id(struct crm_db *db, const char *login);
const char *crm_user_login(struct crm_db *db, long long id);	/* static buffer */
long long crm_pool_id(struct crm_db *db, const char *name);
const char *crm_pool_name(struct crm_db *db, long long id);	/* static buffer */

#endif
