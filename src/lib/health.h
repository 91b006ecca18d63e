/* health.h: a 0-100 health score for existing customers, explained by component. */
#ifndef CRM_HEALTH_H
#define CRM_HEALTH_H

struct score_input;

/* The components, in the order they are explained. */
enum {
	HEALTH_RECENCY,		/* how lately the customer was contacted */
	HEALTH_TREND,		/* won amount: this year against the last */
	HEALTH_OVERDUE,		/* planned follow-ups past their due day */
	HEALTH_STALLED,		/* open deals stuck in one stage */
	HEALTH_N
};
extern const char *const health_names[HEALTH_N];	/* "recency", ... */

/*
** Weights (relative: the score is 100 times the weighted mean of the
** components' fractions) and the limits in days that shape them.
*/
struct health_params {
	int weight[HEALTH_N];
	long recent_days;	/* contact within this many days: full marks */
	long lapsed_days;	/* none within this many: nothing */
	long stalled_days;	/* an open deal this long in one stage stalls */
	long trend_days;	/* the length of each window of the trend */
};

/* Recency 40, trend 30, overdue 15, stalled 15; 7, 90, 30 and 365 days. */
extern const struct health_params health_defaults;

struct health_result {
	int score;			/* 0-100, the sum of POINTS */
	int points[HEALTH_N];		/* each component's share */
	double fraction[HEALTH_N];	/* each component's 0-1 before weighting */
};

/*
** The health of the customer IN under P (see crm-score-rules(5) for the
** formulas).  POINTS are rounded so that they sum to SCORE exactly.
** P's weights must not all be 0.
*/
void health_eval(const struct health_params *p, const struct score_input *in,
    struct health_result *r);

#endif
