/* score.h: what crm-score reads and saves, and the work of its commands. */
#ifndef CRM_SCORE_H
#define CRM_SCORE_H

#include <stddef.h>

#include "bayes.h"
#include "health.h"
#include "history.h"
#include "policy.h"
#include "rfm.h"
#include "run.h"
#include "scorerules.h"

struct crm_db;
struct strbuf;

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
	long long key[SCORE_DAYS_CACHE];	/* quarter hours since 1970 */
	long off[SCORE_DAYS_CACHE];	/* the zone's offset then, seconds */
};
/* TODAY is a day number (period.h); score_today() is the clock's. */
void score_days_init(struct score_days *d, long today);
long score_today(void);
/* The local day of the stored time ISO ("2026-11-22T09:30:00Z"), or
** SCORE_NO_DAY for NULL or text that is no time. */
#define SCORE_NO_DAY (-2147483647L - 1)
long score_day(struct score_days *d, const char *iso);
/* The site's day of DATE ("2026-11-22"), or SCORE_NO_DAY. */
long score_date(const char *date);

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
	SCORE_WITH_ACTIVE = 8,	/* active_days, for RFM segments: a sort of
				   the window at each start, so for reading
				   in order (score_reader_next) */
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
** the reader SCORE_LIVE, or not a customer and the reader
** SCORE_EXISTING).  Asking in ascending order reads on; asking back or
** far ahead starts the statements again from ID.  *C, its strings and
** arrays, belong to the reader and change with the next call.
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
** Where a crm-score command's records go: with SAVE, into a write run
** of KIND (policy.h: --dry-run rolls it back), held until the commit;
** else straight to standard output from a database opened to read.
** score_out_save() saves a customer's figures where the actor may
** change it, and counts the customers it may not; score_out_end() notes
** those on standard error (unless quiet) and ends the run.
*/
struct score_out {
	struct crm_run run;
	struct crm_db *db;
	struct rec_writer *w;
	int save;
	long long refused;	/* customers not saved: not the actor's */
	char why[512];		/* the first of them */
};
void score_out_begin(struct score_out *o, int save, int dry_run,
    enum crm_batch_kind kind);
/* As score_save(); 1 when saved or unchanged, 0 when refused. */
int score_out_save(struct score_out *o, long long id, size_t n,
    const enum score_col *cols, const char *const *old,
    const char *const *new, const char *reason);
/* WHAT names the things saved: "customer" or "deal". */
void score_out_end(struct score_out *o, const char *what);

/*
** Explanations, into SB (reset first), so that the points or factors
** listed make the figure:
**   score:  "+20 line 2: +20 industry ~ 教育; -5 line 5: -5 phone is empty"
**   health: "recency 30 = 0.75 of 40; trend 15 = 0.50 of 30; ..."
**   chance: "prior ×0.6 (2 won, 4 lost); stage=proposal ×2 (1 won, 0 lost)"
** (the chance is odds / (1 + odds), the odds the product of the factors;
** fields without a value are left out, as they change nothing).
*/
void score_explain(struct strbuf *sb, const struct score_result *res);
void score_explain_health(struct strbuf *sb, const struct health_params *p,
    const struct health_result *hr);
void score_explain_chance(struct strbuf *sb, unsigned long won,
    unsigned long lost, size_t nf, const struct bayes_term *t);

/*
** Scoring by the rule file RULES (crm-score-rules(5)), records to O,
** saved with O->save: with ALL every customer the actor sees, with NIDS
** > 0 the customers IDS, each whole as crm-lead list shows it with
** grade (and EXPLAIN, explain) added; else the records on standard
** input, passing through with score, grade (and explain) set.  Only
** what the rules use is read.  A customer the actor sees only by name
** is not scored.  Returns 1 when an id named no customer, or one not
** scored or saved (each said on stderr), else 0.  Dies on a bad rule
** file or a match limit.
*/
int score_by_rules(struct score_out *o, const char *rules, int explain,
    int all, int nids, char **ids);

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
** crm-score rfm as of day TODAY: every live customer the actor sees,
** with recency (days), frequency (won deals), monetary (won in
** CURRENCY), r, f, m, rfm and its segment in T; saved (rfm, segment)
** with O->save, REASON in the history.
*/
void score_rfm(struct score_out *o, long today, const struct rfm_segments *t,
    const char *currency, const char *reason);

/*
** crm-score health: every existing customer (status customer) the actor
** sees, with its health under the defaults or the settings of the rule
** file RULES (NULL: none), and with EXPLAIN its parts; saved with
** O->save.  Dies on a bad rule file.
*/
void score_health(struct score_out *o, const char *rules, int explain);

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
** crm-score predict: learn from every closed case of KIND the actor
** sees, over FIELDS (NULL-terminated, checked with score_case_field()),
** then write to O the model (MODEL: bayes_export()) or each open case
** with its chance (and with EXPLAIN its factors), saving the chances of
** deals with O->save.
*/
void score_predict(struct score_out *o, int kind, const char *const *fields,
    int explain, int model);

/*
** crm-score predict --backtest: learn from the deals closed before SINCE
** (UTC text), predict those closed since, and write one record: how many
** were learnt from and tested, the won ones tested, THRESHOLD, the counts
** tp, fp, fn, tn of calling a chance of THRESHOLD or more won, precision,
** recall, lift and the area under the ROC curve (NULL where there is
** nothing to divide by).
*/
void score_backtest(struct score_out *o, const char *since, double threshold,
    const char *const *fields);

/*
** Save PREDICTED (1/10000) on deal ID of customer CUSTOMER_ID where it
** differs from OLD (-1: NULL), with a history row.  1 changed, 0 the
** same, -1 when the actor may not change the customer (*WHY).
*/
int score_save_deal(struct crm_db *db, long long id, long long customer_id,
    long long old, long long predicted, const char *reason, const char **why);

#endif
