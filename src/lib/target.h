/* target.h: what a rep or a team should win in a period (crm-user target). */
#ifndef CRM_TARGET_H
#define CRM_TARGET_H

struct crm_db;
struct rec_writer;

/*
** Set the target of WHO (a login, or "team:NAME") for PERIOD ("2026",
** "2026-Q4", "2026-11", "2026-W48") to AMOUNT (major units as people
** type them: "500000", "¥500,000"; "none" removes it) in CURRENCY (NULL:
** the one AMOUNT names, else CNY).  An admin's right; a history row
** (entity "target") records the change.  Returns NULL, or why not
** (static buffer); *CHANGED tells whether anything changed.
*/
const char *crm_target_set(struct crm_db *db, const char *who,
    const char *period, const char *amount, const char *currency,
    int *changed);

/*
** The targets, with what was won so far, as records: who, period,
** currency, target, won, achieved (won / target, four decimals; empty for
** a zero target), left (target - won, 0 when passed).  PERIOD (NULL: all)
** and WHO (NULL: all; a login or "team:NAME") narrow them.  Won is the
** amount of the deals won (closed) in the period's site days, in that
** currency, owned by the user or by the team's members.  A rep sees its
** own and its team's; an admin all.
*/
void crm_targets_list(struct crm_db *db, struct rec_writer *w,
    const char *period, const char *who);

#endif
