/* scorerules.h: lead-scoring rule files (crm-score-rules(5)): load, evaluate, grade. */
#ifndef CRM_SCORERULES_H
#define CRM_SCORERULES_H

#include <stddef.h>

/*
** What one customer brings to scoring; the caller fills it from the
** database.  Strings are borrowed.  Days are whole calendar days before
** the day of scoring, worked out by the caller.
*/
struct score_activity {
	const char *kind;	/* canonical: "call", "visit", ... */
	long days;		/* done: days since it was done (0 today);
				   planned: days since it was due (> 0 overdue) */
	int planned;		/* a planned follow-up not yet done */
};

enum score_outcome { SCORE_OPEN, SCORE_WON, SCORE_LOST };

struct score_deal {
	const char *stage;	/* its stage's name */
	enum score_outcome outcome;	/* its stage's outcome */
	long long amount;	/* minor units; a NULL amount is 0 */
	const char *currency;	/* "CNY" ... */
	long stage_days;	/* days in its current stage */
	long closed_days;	/* days since it closed; -1 while open */
};

struct score_input {
	const char *const *fields;	/* values by the FIELDS index given to
					   score_rules_load(); NULL: no value */
	const struct score_activity *act;
	size_t nact;
	const struct score_deal *deal;
	size_t ndeal;
};

/* The names a rule file may use, given by the caller. */
struct score_names {
	const char *const *fields;	/* canonical customer field names */
	size_t nfields;
	const char *const *stages;	/* stage names; NULL: not checked */
	size_t nstages;
};

struct score_rules;
struct health_params;

/*
** Read the rule file PATH ("-" is stdin) against NAMES (which must
** outlive the result).  On any error returns NULL with
** "PATH:LINE:COLUMN: reason" in ERR (size N); columns count characters
** from 1.  A file that cannot be opened is fatal, as in rules.c.
** Patterns are compiled once here (JIT where it works).  Free the
** result with score_rules_free().
*/
struct score_rules *score_rules_load(const char *path,
    const struct score_names *names, char *err, size_t n);
void score_rules_free(struct score_rules *rs);

/* One rule that fired, for the explanation. */
struct score_fired {
	unsigned long line;
	const char *text;	/* the rule as written, trimmed */
	long long points;
};

/*
** The score of a customer: SCORE is the sum of FIRED[0..NFIRED).points,
** in file order; GRADE the label of the highest grade threshold SCORE
** meets, or NULL.  FIRED and GRADE belong to the rules and are
** overwritten by the next evaluation.
*/
struct score_result {
	long long score;
	const char *grade;
	size_t nfired;
	const struct score_fired *fired;
};

/*
** Score IN with RS into *RES.  Nothing is allocated.  Returns 0, or -1
** when a pattern fails on a value (the match limit), with
** "PATH:LINE:COLUMN: FIELD ~ PATTERN: match limit exceeded" in ERR
** (size N).
*/
int score_eval(struct score_rules *rs, const struct score_input *in,
    struct score_result *res, char *err, size_t n);

/* The grade label of SCORE under RS's thresholds, or NULL. */
const char *score_grade(const struct score_rules *rs, long long score);

/* The health weights and limits: the defaults as the file changed them. */
const struct health_params *score_rules_health(const struct score_rules *rs);

/*
** What RS looks at, so a caller reads no more than that: SCORE_USES_ACTS
** and SCORE_USES_DEALS when it has activity or deal rules; with FIELDS
** (room for the names' nfields) also FIELDS[i] set to 1 for each field
** a rule names, and 0 for the others.
*/
enum { SCORE_USES_ACTS = 1, SCORE_USES_DEALS = 2 };
unsigned score_rules_uses(const struct score_rules *rs, unsigned char *fields);

/* How many point rules and grades RS has. */
size_t score_rules_count(const struct score_rules *rs);
size_t score_rules_ngrades(const struct score_rules *rs);

#endif
