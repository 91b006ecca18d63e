/* history.h: batches (one per command run that writes) and the history log. */
#ifndef CRM_HISTORY_H
#define CRM_HISTORY_H

struct crm_db;

/*
** The kinds of batch: what a run that writes did.  The names are stored
** (batches.command, history.command) and read back, by the claim limit
** for one, so they are constants here, never built from argv.
*/
#define CRM_BATCH_KINDS \
	K(LEAD_ADD, "crm-lead add") K(LEAD_IMPORT, "crm-lead import") \
	K(LEAD_UPDATE, "crm-lead update") K(LEAD_QUALIFY, "crm-lead qualify") \
	K(LEAD_DISQUALIFY, "crm-lead disqualify") \
	K(LEAD_CONVERT, "crm-lead convert") K(LEAD_MERGE, "crm-lead merge") \
	K(LEAD_UNMERGE, "crm-lead unmerge") K(LEAD_LOCK, "crm-lead lock") \
	K(LEAD_UNLOCK, "crm-lead unlock") K(LEAD_ERASE, "crm-lead erase") \
	K(LEAD_UNDO, "crm-lead undo") \
	K(CONTACT_ADD, "crm-lead contact add") \
	K(CONTACT_UPDATE, "crm-lead contact update") \
	K(CONTACT_REMOVE, "crm-lead contact remove") \
	K(USER_ADD, "crm-user add") K(USER_UPDATE, "crm-user update") \
	K(USER_DEACTIVATE, "crm-user deactivate") \
	K(USER_ACTIVATE, "crm-user activate") K(USER_IMPORT, "crm-user import") \
	K(USER_TEAM_ADD, "crm-user team add") K(USER_TARGET, "crm-user target") \
	K(ACTIVITY_LOG, "crm-activity log") K(ACTIVITY_DONE, "crm-activity done") \
	K(ACTIVITY_IMPORT, "crm-activity import") \
	K(ACTIVITY_CANCEL, "crm-activity cancel") \
	K(ACTIVITY_EDIT, "crm-activity edit") \
	K(ASSIGN, "crm-assign") K(ASSIGN_TRANSFER, "crm-assign transfer") \
	K(ASSIGN_UNDO, "crm-assign undo") \
	K(POOL_CREATE, "crm-pool create") K(POOL_SET, "crm-pool set") \
	K(POOL_CLAIM, "crm-pool claim") K(POOL_ASSIGN, "crm-pool assign") \
	K(POOL_RELEASE, "crm-pool release") K(POOL_MOVE, "crm-pool move") \
	K(POOL_RECLAIM, "crm-pool reclaim") K(POOL_UNDO, "crm-pool undo") \
	K(DEAL_ADD, "crm-deal add") K(DEAL_IMPORT, "crm-deal import") \
	K(DEAL_UPDATE, "crm-deal update") K(DEAL_STAGE, "crm-deal stage") \
	K(DEAL_STAGES_SET, "crm-deal stages set") \
	K(SCORE_SAVE, "crm-score") K(SCORE_RFM, "crm-score rfm") \
	K(SCORE_HEALTH, "crm-score health") K(SCORE_PREDICT, "crm-score predict") \
	K(DB_INIT, "crm-db init") \
	K(DB_CONFIG, "crm-db config")

enum crm_batch_kind {
#define K(id, name) CRM_BATCH_##id,
	CRM_BATCH_KINDS
#undef K
	CRM_BATCH_NKINDS
};
extern const char *const crm_batch_names[CRM_BATCH_NKINDS];

/*
** Open a batch of KIND for this run inside the current transaction, as
** the batch of DB's context (crm_ctx): the history rows written from now
** on belong to it.  SOURCE is an input file, or NULL.  Returns its id.
*/
long long crm_batch_start(struct crm_db *db, enum crm_batch_kind kind,
    const char *source);
long long crm_batch_id(struct crm_db *db);
/* The kind named NAME ("crm-pool claim"); dies when there is none. */
enum crm_batch_kind crm_batch_kind(const char *name);	/* 0 before crm_batch_start() */
void crm_batch_set_rows(struct crm_db *db, long long rows);

/* Append one history row (actor, time and batch from DB's context). */
void crm_history(struct crm_db *db, const char *entity, long long id,
    const char *field, const char *old_value, const char *new_value,
    const char *reason);
/* The same for a change that happened at AT (UTC ISO text), back-filled. */
void crm_history_at(struct crm_db *db, const char *at, const char *entity,
    long long id, const char *field, const char *old_value,
    const char *new_value, const char *reason);

/*
** Undo batch B in a new batch: every change it made is reverted, newest
** first, unless the row changed again since; those are passed to SKIPPED
** (may be NULL) with a reason.  Returns the number of changes undone.
** Dies when B does not exist or was undone already.
*/
long long crm_batch_undo(struct crm_db *db, long long b,
    void (*skipped)(const char *entity, long long id, const char *field,
    const char *why, void *ctx), void *ctx);

/*
** Die unless batch B exists and was made by a program whose batch names
** start with PREFIX ("crm-lead "): undo it with the program that made it.
*/
void crm_batch_require(struct crm_db *db, long long b, const char *prefix);

/*
** A customer's trail as records (crm-lead history): its own changes and
** those of its deals, contacts and follow-ups, oldest first, in the
** columns id (the customer), at, actor, entity, entity_id, field, old,
** new, reason, batch, command, as the rights policy lets the actor see
** them: a rep sees the trail of its own customers, and of pooled ones of
** its pools with phone and email masked; of others none (exit 1).
*/
struct rec_writer;
struct crm_history_out {
	struct crm_db *db;
	struct rec_writer *w;
};
void crm_history_header(struct crm_history_out *h);
void crm_history_write(struct crm_history_out *h, long long id);

/*
** The SKIPPED callback of every undo: "not undone: customer 2 owner:
** changed since by batch 7" on stderr; CTX, when not NULL, is a long
** long that counts them.
*/
void crm_undo_skipped(const char *entity, long long id, const char *field,
    const char *why, void *ctx);

/* Names for ids and back, as history records them; -1 / NULL when absent. */
long long crm_user_id(struct crm_db *db, const char *login);
const char *crm_user_login(struct crm_db *db, long long id);	/* static buffer */
long long crm_pool_id(struct crm_db *db, const char *name);
const char *crm_pool_name(struct crm_db *db, long long id);	/* static buffer */

#endif
