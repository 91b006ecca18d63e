/* activity.h: follow-ups (跟进): activities done and planned, and the agenda. */
#ifndef CRM_ACTIVITY_H
#define CRM_ACTIVITY_H

struct crm_db;

/*
** An activity is done when it has at and done_at (the time it happened),
** planned when it has due_at and no done_at.  Doing a planned one sets
** its at and done_at.  customers.last_activity_at is the time of the
** latest done follow-up (the reclaim clock's other half, with
** owner_since); customers.next_due_at the earliest open due date.
*/

/* The canonical kind for "call", "电话", "微信", ...; NULL if unknown. */
const char *crm_activity_kind(const char *s);

/*
** May the actor log or complete a follow-up on CUSTOMER_ID?  The actor
** must be an active user; an admin may act on any customer, a rep only
** on those it owns.  Returns NULL, or the reason it may not (static):
** "--as: no user 'x'", "no customer 12", "customer 12 is owned by
** 'wang', not by you", ...  *USER_ID gets the actor's id.
*/
const char *crm_activity_may_log(struct crm_db *db, long long customer_id,
    long long *user_id);

/* A follow-up to record: strings are borrowed, times UTC ISO 8601. */
struct crm_activity_in {
	long long customer_id, user_id;
	const char *kind;	/* canonical */
	const char *at;		/* when it was done; NULL for a planned one */
	const char *due;	/* for a planned one */
	const char *note, *next;
};

/*
** Insert A and keep the customer's last_activity_at (the later of the
** one stored and A->at) and next_due_at right, in the caller's
** transaction.  Returns the new activity id.
*/
long long crm_activity_insert(struct crm_db *db, const struct crm_activity_in *a);

/*
** Mark planned activity ID done at AT (by user USER_ID, with NOTE when
** not NULL).  Returns NULL, or why not ("no activity 7", "activity 7
** was done already at ...").  *CUSTOMER_ID gets its customer.
*/
const char *crm_activity_done(struct crm_db *db, long long id, const char *at,
    long long user_id, const char *note, long long *customer_id);
/* The customer of activity ID, or -1. */
long long crm_activity_customer(struct crm_db *db, long long id);

/*
** Recompute CUSTOMER_ID's last_activity_at (the latest done follow-up,
** NULL when none) and next_due_at from its activities: call it after
** activities move between customers (crm_lead_merge, unmerge).
*/
void crm_customer_followup_refresh(struct crm_db *db, long long customer_id);

/*
** The canonical column for a call-log header ("客户编号" -> "customer_id",
** "类型" -> "kind", "跟进人" -> "user", ...), or NULL when unknown.  NAME
** is what rec_colname() gives.
*/
const char *crm_activity_colname(const char *name);

/* Listing. */
enum {
	AC_ID, AC_CUSTOMER_ID, AC_CUSTOMER, AC_USER, AC_KIND, AC_AT, AC_NOTE,
	AC_NEXT, AC_DUE_AT, AC_DONE_AT, AC_N
};
extern const char *const crm_activity_cols[AC_N];

struct crm_activity_filter {
	long long id;			/* 0 for any */
	long long customer_id;		/* 0 for any */
	const char *user;		/* login, or NULL */
	const char *since, *until;	/* bounds on at (due_at for planned) */
	int planned;			/* only open planned ones */
};
/* Call FN with each matching activity's AC_N values, oldest first. */
void crm_activities_each(struct crm_db *db, const struct crm_activity_filter *f,
    void (*fn)(const char *const *v, void *ctx), void *ctx);

/*
** The agenda: open planned follow-ups due before CUTOFF, of USER (login,
** NULL for all), ordered by user then due time.  Columns AD_*; overdue
** is "1" when due before TODAY (the start of the current day), else "0".
*/
enum {
	AD_USER, AD_DUE_AT, AD_OVERDUE, AD_ID, AD_CUSTOMER_ID, AD_CUSTOMER,
	AD_PHONE, AD_KIND, AD_NOTE, AD_NEXT, AD_N
};
extern const char *const crm_due_cols[AD_N];
void crm_activities_due(struct crm_db *db, const char *user, const char *cutoff,
    const char *today, void (*fn)(const char *const *v, void *ctx), void *ctx);

#endif
