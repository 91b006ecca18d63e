/* activity.h: follow-ups (跟进): activities done and planned, and the agenda. */
#ifndef CRM_ACTIVITY_H
#define CRM_ACTIVITY_H

struct crm_db;
struct crm_run;
struct rec_writer;

/*
** An activity is done when it has at and done_at (the time it happened),
** planned when it has due_at and no done_at.  Doing a planned one sets
** its at and done_at; cancelling one deletes it, its fields kept in the
** history.  customers.last_activity_at is the time of the latest done
** follow-up (the reclaim clock's other half, with owner_since);
** customers.next_due_at the earliest open due date.  Every change below
** keeps both right and writes a history row (entity "activity") for
** each field it changes: customer_id, user, kind, at, note, next,
** due_at, done_at.
**
** Rights (policy.h): the actor changes follow-ups of the customers it may
** change (crm_may_change: an admin any, a rep its own), and sees them
** where it sees the customer's contacts (crm_sight MASKED or FULL).
** Functions that change return NULL, or why not (static buffer, valid
** until the next call): "no customer 12", "customer 12 was merged into
** 3 (log on 3)", "permission denied: customer 12 is owned by 'wang',
** not by you ('li', a rep)", ...
*/

/* The canonical kind for "call", "电话", "微信", ...; NULL if unknown. */
const char *crm_activity_kind(const char *s);

/* Why AT (UTC ISO 8601) may not be a done time (later than now), or NULL. */
const char *crm_activity_future(const char *at);

/* A follow-up to record: strings are borrowed, times UTC ISO 8601. */
struct crm_activity_in {
	long long customer_id;
	long long user_id;	/* whose; -1 for the actor, who must be a user */
	const char *kind;	/* canonical */
	const char *at;		/* when it was done; NULL for a planned one */
	const char *due;	/* for a planned one */
	const char *note, *next;
};

/*
** Record IN, in the caller's transaction: done at IN->at when set (and,
** when IN->due is set too, a second one planned, due IN->due, with
** IN->next as its note), else planned, due IN->due.  IDS gets the new
** ids, *N how many (1 or 2).
*/
const char *crm_activity_record(struct crm_db *db,
    const struct crm_activity_in *in, long long ids[2], int *n);

/*
** Mark planned activity ID done at AT by the actor, with NOTE in place of
** the planned note when not NULL.  Refused when it is done already or is
** no planned one.
*/
const char *crm_activity_done(struct crm_db *db, long long id, const char *at,
    const char *note);

/* Cancel (delete) planned activity ID, not yet done; REASON may be NULL. */
const char *crm_activity_cancel(struct crm_db *db, long long id,
    const char *reason);

/*
** Change planned activity ID, not yet done: each of E that is not NULL
** (a NOTE of "" clears it).  *CHANGED is set when something changed.
*/
struct crm_activity_edit {
	const char *kind, *due, *note, *reason;
};
const char *crm_activity_edit(struct crm_db *db, long long id,
    const struct crm_activity_edit *e, int *changed);

/* The customer of activity ID, or -1. */
long long crm_activity_customer(struct crm_db *db, long long id);

/*
** Recompute CUSTOMER_ID's last_activity_at (the latest done follow-up,
** NULL when none) and next_due_at from its activities: call it after
** activities move between customers (crm_lead_merge, unmerge).
*/
void crm_customer_followup_refresh(struct crm_db *db, long long customer_id);

/*
** The ids a command acts on, in the order given: the operands ARGV[0..ARGC)
** (each a whole number, else exit 2, all checked before FN is called),
** or without operands the records on standard input.  For
** CRM_IDS_CUSTOMERS those are customers or follow-ups: their
** "customer_id" column, else their "id".  For CRM_IDS_ACTIVITIES they
** must be follow-ups, with "id" and "customer_id" (customer records are
** no follow-ups), and each activity must be of the customer its record
** names (dies otherwise).  FN gets WHERE NULL for operands, else where
** the record is ("stdin:12").
*/
enum crm_ids { CRM_IDS_CUSTOMERS, CRM_IDS_ACTIVITIES };
void crm_activity_ids(struct crm_db *db, enum crm_ids what, int argc,
    char **argv, void (*fn)(long long id, const char *where, void *ctx),
    void *ctx);

/*
** Import the call log PATH ("-" for standard input) into the open run:
** each good row is recorded as crm_activity_record() does and written to
** RUN->out.  Bad rows are reported as "FILE:LINE: FIELD: reason"; with
** SKIP_BAD they go to the reject file (REJECTS, else INPUT.rejects) and
** the rest is imported, else the run dies after reporting them all.
** Dates without an offset are the site's.  ENCODING as rec_open() takes.
*/
struct crm_activity_import {
	const char *encoding, *rejects;
	int skip_bad;
};
void crm_activity_import(struct crm_run *run, const char *path,
    const struct crm_activity_import *o);

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
/*
** Write the header, then each matching activity (AC_N columns) the actor
** may see, oldest first, to W.  With a customer that the actor sees only
** by name, dies: "permission denied: the follow-ups of customer 3 are
** ...".
*/
void crm_activities_list(struct crm_db *db, const struct crm_activity_filter *f,
    struct rec_writer *w);
/* Write activity ID to W as crm_activities_list() does, without a header. */
void crm_activity_write(struct crm_db *db, long long id, struct rec_writer *w);

/*
** The agenda, header and rows to W: open planned follow-ups due by the
** end of the site's day (or, with WITHIN >= 0, before now + WITHIN
** seconds) that the actor may see, of USER (login, NULL for all), ordered
** by user then due time.  Columns AD_*: overdue is "1" when due before
** the start of the site's day, else "0"; phone as the actor may see it
** (masked for a pooled customer of its pools).
*/
enum {
	AD_USER, AD_DUE_AT, AD_OVERDUE, AD_ID, AD_CUSTOMER_ID, AD_CUSTOMER,
	AD_PHONE, AD_KIND, AD_NOTE, AD_NEXT, AD_N
};
extern const char *const crm_due_cols[AD_N];
void crm_activities_due(struct crm_db *db, const char *user, long long within,
    struct rec_writer *w);

#endif
