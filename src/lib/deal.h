/*
** deal.h: deals (商机): adding, importing, changing, moving through the
** pipeline of stages (stage.h), and listing, under the rights policy.
**
** A deal belongs to a customer and is owned by the customer's owner
** unless given another.  Its amount is kept in integer minor units of
** its currency (money.h) and written in major units.  Every stage it
** enters is a row of deal_stages (entered_at, left_at) and a history row
** (entity "deal", field "stage") dated when it happened, so that time in
** stage and stage-to-stage conversion can be measured.  A deal in a won
** or lost stage is closed (closed_at) and its stage never changes again;
** a won deal makes its customer a customer.  The rights: whoever sees a
** customer at CRM_SIGHT_MASKED or better reads its deals; whoever may
** change the customer (crm_may_change) changes them.
*/
#ifndef CRM_DEAL_H
#define CRM_DEAL_H

#include "stage.h"
#include "when.h"

struct strmap;

struct crm_db;
struct crm_run;
struct rec;
struct rec_reader;
struct rec_writer;

/* The columns of a deal record, in output order. */
enum {
	DC_ID, DC_CUSTOMER_ID, DC_CUSTOMER, DC_TITLE, DC_AMOUNT, DC_CURRENCY,
	DC_STAGE, DC_STAGE_LABEL, DC_OUTCOME, DC_PROBABILITY, DC_OWNER,
	DC_EXPECTED_CLOSE, DC_PRODUCT, DC_SOURCE, DC_LOST_REASON,
	DC_EXTERNAL_ID, DC_CREATED_AT, DC_STAGE_SINCE, DC_CLOSED_AT,
	DC_UPDATED_AT, DC_N
};
extern const char *const crm_deal_cols[DC_N];

/*
** A deal as given, by options or a row of input: borrowed strings, NULL
** for absent, indexed by DC_*.  Read are TITLE, AMOUNT ("1054",
** "1,054.50", "¥1,054.50": major units), CURRENCY, STAGE (name or
** label), OWNER (a login), EXPECTED_CLOSE (a date), PRODUCT, SOURCE,
** LOST_REASON, EXTERNAL_ID, CREATED_AT and CLOSED_AT (times).
*/
struct crm_deal_in {
	const char *v[DC_N];
};

/* The customer of a deal, as a deal needs it. */
struct crm_deal_customer {
	long long id, owner_id;		/* owner -1 when none */
};
/* Live customer ID into C: 1, or 0 when there is none. */
int crm_deal_customer_get(struct crm_db *db, long long id,
    struct crm_deal_customer *c);

/* A deal checked and resolved by crm_deal_check(), ready to insert. */
struct crm_deal_new {
	const struct crm_stage *stage;
	const struct crm_stage *first;	/* a closed deal: the open stage it entered */
	long long owner_id, amount;	/* owner -1 when none */
	int has_amount;
	char currency[4];
	char created[CRM_TIME_LEN], closed[CRM_TIME_LEN];
	char expected[11];		/* "" when none */
};

/*
** Check a deal of customer C (C->id 0 for one about to be created) from
** IN under the rights policy (the actor may change C) into D: its stage
** (default: the first open one), owner (default C's), amount, currency
** (default CNY, or the one the amount names) and times.  NULL, or
** "field: why" (static buffer).
*/
const char *crm_deal_check(struct crm_db *db, const struct crm_pipeline *pl,
    const struct crm_deal_customer *c, const struct crm_deal_in *in,
    struct crm_deal_new *d, struct strmap *owners);
/*
** Insert the deal D of C, IN's text fields with it, and return its id.
** It enters its stages with crm_deals_enter(), once the run's deals are
** in.
*/
long long crm_deal_insert(struct crm_db *db, const struct crm_deal_customer *c,
    const struct crm_deal_in *in, const struct crm_deal_new *d);
/* The same appended in bulk (crm_db_append) where the engine can. */
long long crm_deal_append(struct crm_db *db, const struct crm_deal_customer *c,
    const struct crm_deal_in *in, const struct crm_deal_new *d);
/*
** The deals the running batch inserted, ids from FIRST on, enter their
** stages: an open one its stage at its creation; a closed one the first
** open stage of pipeline PL at its creation and its outcome at its
** closing; deal_stages rows and history rows, in one statement each.
** Their won deals make their customers customers.
*/
void crm_deals_enter(struct crm_db *db, const struct crm_pipeline *pl,
    long long first);

/* The record of a deal just inserted, without reading it back. */
struct crm_deal_text {
	char id[24], customer_id[24], probability[8], amount[32];
	const char *v[DC_N];
};
/*
** T->v from IN and D of deal ID (CUSTOMER, OWNER: names to show); it
** points into IN, D and T.
*/
void crm_deal_text(const struct crm_deal_in *in, const struct crm_deal_new *d,
    long long id, long long customer_id, const char *customer,
    const char *owner, struct crm_deal_text *t);

/*
** Change deal ID's fields given in IN (TITLE, AMOUNT, CURRENCY, OWNER,
** EXPECTED_CLOSE, PRODUCT, SOURCE, EXTERNAL_ID, LOST_REASON of a lost
** deal; an empty string clears a field that may be empty), each change
** in the history at AT (UTC text; NULL for now).  *CHANGED counts the
** fields changed.  NULL or "field: why" (static buffer).
*/
const char *crm_deal_update(struct crm_db *db, long long id,
    const struct crm_deal_in *in, const char *at, int *changed);

/*
** Move deal ID into stage ST at AT (UTC text; NULL for now): the stage
** it is in is left at AT, which may not be before it entered it.  A lost
** stage needs REASON (the lost reason); REASON also goes to the history.
** Moving into the stage it is in changes nothing (*CHANGED 0); a closed
** deal cannot move.  NULL or why not (static buffer).
*/
const char *crm_deal_move(struct crm_db *db, long long id,
    const struct crm_stage *st, const char *at, const char *reason,
    int *changed);

/* The customer of deal ID, or -1 when there is no deal ID. */
long long crm_deal_customer_of(struct crm_db *db, long long id);
/* May the actor read deal ID (the policy: deal.c)?  0 when there is none. */
int crm_deal_readable(struct crm_db *db, long long id);

/*
** A customer's open deals follow it to its new owner USER_ID, whose login
** is LOGIN (-1 and NULL: none, as when it goes to a pool): one history
** row each (field "owner") with REASON.  Closed deals keep the owner that
** closed them.  Called by crm_customer_set_owner() and
** crm_customer_set_pool().
*/
void crm_deals_follow_owner(struct crm_db *db, long long customer_id,
    long long user_id, const char *login, const char *reason);

/* ---- listing ---------------------------------------------------------- */

struct crm_deal_filter {
	long long id;			/* one deal, or 0 */
	long long customer_id;		/* one customer's, or 0 */
	const char *owner;		/* a login */
	const char *team;		/* a team name: its members' deals */
	long long stage_id;		/* or 0 */
	int outcome;			/* CRM_OPEN.., or -1 for any */
	/*
	 * Closing in [FROM, TO): expected_close (dates) of open deals,
	 * closed_at (UTC times, the site's midnights) of closed ones.
	 */
	const char *from_date, *to_date, *from_time, *to_time;
	int raw;			/* no rights check: the library's own reads */
	char bounds[4][CRM_TIME_LEN];	/* crm_deal_filter_closing()'s */
};
/*
** Set F's closing bounds to PERIOD: a year (2026), quarter (2026-Q4),
** month (2026-11), ISO week (2026-W48), day (2026-11-22), or FROM..TO,
** two days both in it, either left out for no bound; the site's days.
** Returns 0, or -1 when PERIOD is none of these.  F points into itself.
*/
int crm_deal_filter_closing(struct crm_deal_filter *f, const char *period);

/*
** Deals in id order that pass F, each as DC_N values (NULL for NULL),
** the deals of customers the actor may not see left out.  Dies when F
** names an owner or team that does not exist.
*/
struct crm_deal_cursor;
struct crm_deal_cursor *crm_deals_open(struct crm_db *db,
    const struct crm_deal_filter *f);
const char *const *crm_deals_next(struct crm_deal_cursor *c);
void crm_deals_close(struct crm_deal_cursor *c);

/*
** Deals as records through W: with IN, an input stream of deals, each
** record is the input record with the deal columns set as they now stand
** (those missing added at the end) and other columns passed through;
** without IN, the whole deal.  crm_deal_echo() returns 0 when there is
** no deal ID.
*/
struct crm_deal_echo;
struct crm_deal_echo *crm_deal_echo_open(struct rec_writer *w,
    struct rec_reader *in);
int crm_deal_echo(struct crm_deal_echo *e, struct crm_db *db, long long id,
    const struct rec *rec);
void crm_deal_echo_close(struct crm_deal_echo *e);

/*
** For each deal id of the operands ARGV[0..ARGC) (whole numbers, else
** exit 2) or, without operands, of the "id" column of the records on
** stdin: call FN(ID, WHERE, CTX), WHERE saying where the id came from
** ("argument 2", "stdin:12"), then, when FN returns 1, echo the deal to
** RUN->out (only RUN's db and out are used).
*/
void crm_deal_each(struct crm_run *run, int argc, char **argv,
    int (*fn)(long long id, const char *where, void *ctx), void *ctx);

/* ---- import ----------------------------------------------------------- */

struct crm_deal_import_opts {
	int create_customers;	/* an unmatched company becomes a new lead */
	int skip_bad;		/* reject bad rows into a file and go on */
	const char *rejects;	/* that file, else INPUT.rejects */
	const char *encoding;	/* NULL: detect */
};
struct crm_deal_import_stats {
	long long deals, customers;	/* created */
};

/*
** Import the record streams PATHS[0..N) (none: stdin) in RUN, one deal
** per row: its customer by customer_id, else by company, matched through
** the company key of the duplicate check (norm.h) to the live customer
** with the lowest id, or created as a lead owned by the deal's owner
** with O->create_customers.  Each deal is written to RUN's output with
** the input's other columns after it.  Bad rows stop the import before
** anything is written, unless O->skip_bad.
*/
void crm_deal_import(struct crm_run *run, int n, char **paths,
    const struct crm_deal_import_opts *o, struct crm_deal_import_stats *st);

#endif
