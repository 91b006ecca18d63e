/* check.h: what crm-db check verifies: the file, and the invariants of the data. */
#ifndef CRM_CHECK_H
#define CRM_CHECK_H

struct crm_db;

/*
** Check DB: SQLite's integrity and foreign keys, then the invariants
** crm keeps: a customer is owned or pooled, never both; a merged one
** holds nothing; a holder has its clock and a clock its holder; the
** history replays to the current owners and pools; the follow-up clocks
** agree with the activities.  FN gets each problem: the check's name,
** the entity and its id (0 for the file), and what is wrong.  Returns
** how many problems there were.
*/
long long crm_db_check(struct crm_db *db,
    void (*fn)(const char *check, const char *entity, long long id,
    const char *problem, void *ctx), void *ctx);

#endif
