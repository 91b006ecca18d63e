/* score.h: what crm-score reads from the database for scoring, and what it saves. */
#ifndef CRM_SCORE_H
#define CRM_SCORE_H

#include <stddef.h>

#include "policy.h"
#include "rfm.h"
#include "scorerules.h"

struct crm_db;

/*
** Local days.  Times are stored as UTC text; a rule's "within 30d" and
** RFM's R count the site's calendar days (crm_db_open() sets its zone).
** The offset of the zone is cached per quarter of an hour, the finest
** step zones change by, so a pass over millions of times asks the C
** library a few thousand times.
*/
#define SCORE_DAYS_CACHE 512
struct score_days {
	long today;			/* the day scoring is done for */
	long long key[SCORE_DAYS_CACHE];	/* quarter hours since 1970, + 1 */
	long off[SCORE_DAYS_CACHE];	/* the zone's offset then, seconds */
};
/* TODAY is a day number (period.h); score_today() is the clock's. */
void score_days_init(struct score_days *d, long today);
long score_today(void);
/* The local day of the stored time ISO ("2026-11-22T09:30:00Z"), or
** SCORE_NO_DAY for NULL or text that is no time. */
#define SCORE_NO_DAY (-2147483647L - 1)
long score_day(struct score_days *d, const char *iso);

/* The columns crm-score saves on a customer. */
enum score_col {
	SCORE_COL_SCORE, SCORE_COL_GRADE, SCORE_COL_RFM, SCORE_COL_SEGMENT,
	SCORE_COL_HEALTH, SCORE_NCOLS
};
extern const char *const score_col_names[SCORE_NCOLS];	/* "score", ... */

/*
** Customers with their follow-ups and deals, in one pass of a few
** statements read side by side in customer id order (no query per
** customer), so memory stays flat in the number of customers.
*/
enum {
	SCORE_WITH_CUSTOM = 1,	/* the user's own fields too */
	SCORE_WITH_ACTS = 2,	/* follow-ups done and planned */
	SCORE_WITH_DEALS = 4,
	SCORE_WITH_ACTIVE = 8,	/* active_days, for RFM segments */
	SCORE_STORED = 16,	/* stored[]: what is saved, to compare */
	SCORE_LIVE = 32,	/* not merged ones */
	SCORE_EXISTING = 64	/* status customer only */
};

struct score_customer {
	long long id;
	long long owner_id, pool_id;	/* -1 for none */
	enum crm_sight sight;	/* CRM_SIGHT_NAME: no follow-ups or deals */
	const char *stored[SCORE_NCOLS];	/* SCORE_STORED: as stored */
	long active_days;	/* SCORE_WITH_ACTIVE: days since the last
				   follow-up done or open deal moved, within
				   the window; -1 for none */
	struct score_input in;	/* fields as the actor sees them */
};

struct score_reader;

/*
** Open a reader over DB for the parts WHAT asks for.  Days are counted
** back from D->today (D must outlive the reader).  ACTIVE_DAYS is the
** window of SCORE_WITH_ACTIVE.  The field names are the customer
** columns (crm_customer_cols, all of them) and then the user's own
** fields; stage names come from the stages table.
*/
struct score_reader *score_reader_open(struct crm_db *db, unsigned what,
    struct score_days *d, long active_days);
const struct score_names *score_reader_names(const struct score_reader *r);
/*
** Before the first customer is read: read only the parts WHAT (of those
** asked when opening) and the fields with FIELDS[i] set (NULL: all);
** the others are NULL.  Scoring reads what its rules use (scorerules.h
** score_rules_uses) and no more.
*/
void score_reader_need(struct score_reader *r, unsigned what,
    const unsigned char *fields);
/*
** Customer ID into *C: 1, or 0 when there is none (or it is merged and
** the reader SCORE_LIVE, or no customer and the reader SCORE_EXISTING).  Asking in ascending order reads on; asking back or far ahead
** starts the statements again from ID.  *C, its strings and arrays,
** belong to the reader and change with the next call.
*/
int score_reader_get(struct score_reader *r, long long id,
    struct score_customer *c);
/* The next customer in id order (after the last one asked); 0 at the end. */
int score_reader_next(struct score_reader *r, struct score_customer *c);
void score_reader_close(struct score_reader *r);

/*
** Save NEW[i] as column COLS[i] (i < N) of customer ID where it differs
** from OLD[i] (as stored), each change with a history row giving
** REASON, and updated_at.  Returns the number of columns changed, or -1
** when the actor may not change the customer (crm_may_change), with the
** reason in *WHY.
*/
int score_save(struct crm_db *db, long long id, size_t n,
    const enum score_col *cols, const char *const *old,
    const char *const *new, const char *reason, const char **why);

/*
** RFM: the customers the actor sees (policy.h: masked or in full) with
** a won deal closed before the end of day D->today, in id order, into
** *V (caller frees): the won deals, the days since the last (R), and
** the amount won in CURRENCY (M; deals in other currencies count for R
** and F only).  Returns how many.
*/
size_t score_rfm_won(struct crm_db *db, struct score_days *d,
    const char *currency, struct rfm_customer **v);

/*
** Cases for the win prediction: deals (or leads) of customers the actor
** sees, closed ones to learn from and open ones to predict, with the
** values of their fields.
**
** Deal fields: stage (an open deal's stage; for a closed one the last
** open stage it was in, from deal_stages), product, source (the deal's,
** else the customer's), owner (the deal's), region and industry (the
** customer's), amount (its order of magnitude: "CNY 10000-99999").
** Lead fields: source, region, industry, owner, pool.  A lead is won
** when it became a customer, lost when it was disqualified, open while
** it is a lead or qualified.
*/
enum { SCORE_DEALS, SCORE_LEADS };
enum { SCORE_OPEN_CASES, SCORE_CLOSED_CASES };
extern const char *const score_deal_fields[];	/* NULL-terminated */
extern const char *const score_lead_fields[];

struct score_case {
	long long id;		/* the deal's, or the lead's */
	long long customer_id;
	const char *title;	/* the deal's title, or the lead's name */
	const char *state;	/* its stage or status */
	int won;		/* closed ones: 1 won, 0 lost */
	long long predicted;	/* deals: as stored (1/10000), -1 for NULL */
	const char *const *v;	/* the values of the fields asked for */
};

struct score_cases;
/*
** Open the cases of KIND (SCORE_DEALS or SCORE_LEADS) that are WHICH
** (open or closed); closed ones only when they closed at or after the
** UTC time FROM and before UNTIL (either NULL for no bound).  FIELDS are
** names of the kind's fields (NULL-terminated; checked by the caller
** with score_case_field()).
*/
struct score_cases *score_cases_open(struct crm_db *db, int kind, int which,
    const char *from, const char *until, const char *const *fields);
/* The next case into *C (valid until the next call); 0 at the end. */
int score_cases_next(struct score_cases *cs, struct score_case *c);
void score_cases_close(struct score_cases *cs);
/* Is NAME a field of KIND? */
int score_case_field(int kind, const char *name);

/*
** Save PREDICTED (1/10000) on deal ID of customer CUSTOMER_ID where it
** differs from OLD (-1: NULL), with a history row.  1 changed, 0 the
** same, -1 when the actor may not change the customer (*WHY).
*/
int score_save_deal(struct crm_db *db, long long id, long long customer_id,
    long long old, long long predicted, const char *reason, const char **why);

#endif
