/* rfm.h: recency, frequency and monetary quintiles over won deals, and segments. */
#ifndef CRM_RFM_H
#define CRM_RFM_H

#include <stddef.h>

/*
** One customer.  The caller fills ID to ACTIVE_DAYS from the database;
** rfm_score() sets R, F and M.  WON_AMOUNT is in minor units of one
** currency: RFM does not mix currencies.
*/
struct rfm_customer {
	long long id;
	long long won;		/* won deals (F); 0: none, and no R, F, M */
	long won_days;		/* days since the last won deal (R) */
	long long won_amount;	/* the won amount (M) */
	long active_days;	/* days since the last activity or open-deal
				   change; -1 for none */
	unsigned char r, f, m;	/* 1-5 (5 best); 0 without a won deal */
};

/*
** Score R, F and M of the customers with a won deal by quintile, as
** SQL's NTILE(5) does over those customers:
**   r = NTILE(5) OVER (ORDER BY won_days DESC, id)   (fewer days: better)
**   f = NTILE(5) OVER (ORDER BY won, id)
**   m = NTILE(5) OVER (ORDER BY won_amount, id)
** With N customers, the first N % 5 tiles hold N / 5 + 1 of them and
** the rest N / 5.  V keeps its order; one array of N entries is
** allocated for the sorting and freed.
*/
void rfm_score(struct rfm_customer *v, size_t n);

/* One row of a segment table; the first row a customer meets names it. */
struct rfm_segment {
	char *name;
	unsigned char rlo, rhi, flo, fhi, mlo, mhi;	/* 1-5; 0-5 is any */
	signed char won;	/* 1 yes, 0 no, -1 either */
	signed char active;	/* 1 yes, 0 no, -1 either */
};

struct rfm_segments {
	size_t n;
	struct rfm_segment *v;
	long active_days;	/* active: a contact within this many days */
};

/* The settings of the default segments. */
struct rfm_settings {
	int strong_r;		/* 强活跃 from this R up (default 4) */
	long active_days;	/* "in the last N days" (default 30) */
};
extern const struct rfm_settings rfm_defaults;

/*
** The default segments, as Chinese sales teams use them: 强活跃 (won,
** R >= strong_r), 强意愿 (won, R below it), 弱意愿 (no won deal, active),
** 无意向 (no won deal, not active).
*/
struct rfm_segments *rfm_segments_default(const struct rfm_settings *s);

/*
** The ten classic segments of the widely published R/F score map
** (Champions: R 5, F 4-5; ...; Hibernating: R 1-2, F 1-2).  Customers
** without a won deal have none.
*/
struct rfm_segments *rfm_segments_classic(const struct rfm_settings *s);

/*
** A segment table from the TSV file PATH ("-" is stdin): a header with
** the columns segment (required), r, f, m, won and active (any order;
** a missing column is "any"), then a row per segment.  Ranges are "N"
** or "N-M" of 1..5, and "*" or empty for any; won and active are yes,
** no, or "*" / empty.  On a bad row returns NULL with "PATH:LINE:
** reason" in ERR (size N); malformed TSV is fatal, as for every reader.
*/
struct rfm_segments *rfm_segments_load(const char *path,
    const struct rfm_settings *s, char *err, size_t n);

/* The segment of C (after rfm_score()), or NULL when no row holds. */
const char *rfm_segment(const struct rfm_segments *t,
    const struct rfm_customer *c);

void rfm_segments_free(struct rfm_segments *t);

#endif
