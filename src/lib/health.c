/* health.c: the health score of an existing customer, component by component. */
#include <strings.h>

#include "health.h"
#include "scorerules.h"

const char *const health_names[HEALTH_N] = {
	"recency", "trend", "overdue", "stalled"
};

const struct health_params health_defaults = {
	{ 40, 30, 15, 15 }, 7, 90, 30, 365
};

/*
** Recency: 1 when the last done follow-up is less than recent_days
** old, 0 when it is lapsed_days old or more (or there is none), falling
** in a straight line between.
*/
static double
recency(const struct health_params *p, const struct score_input *in)
{
	long last = -1;

	for (size_t i = 0; i < in->nact; i++)
		if (!in->act[i].planned && in->act[i].days >= 0 &&
		    (last < 0 || in->act[i].days < last))
			last = in->act[i].days;
	if (last < 0 || last >= p->lapsed_days)
		return 0;
	if (last < p->recent_days)
		return 1;
	return (double)(p->lapsed_days - last) /
	    (double)(p->lapsed_days - p->recent_days);
}

static const char *
currency(const struct score_deal *d)
{
	return d->currency ? d->currency : "CNY";
}

/* Is D a won deal that closed in the last 2 * trend_days days? */
static int
in_trend(const struct health_params *p, const struct score_deal *d)
{
	return d->outcome == SCORE_WON && d->closed_days >= 0 &&
	    d->closed_days < 2 * p->trend_days;
}

/*
** Trend: R / (R + P), R the amount won in the last trend_days days and
** P in the trend_days before those; 0 when both are 0.  Amounts of two
** currencies are never added: the currency of most won deals in the two
** windows counts (on a tie, the first code in alphabetical order).
*/
static double
trend(const struct health_params *p, const struct score_input *in)
{
	const char *cur = NULL;
	size_t best = 0;
	double recent = 0, before = 0;

	for (size_t i = 0; i < in->ndeal; i++) {
		size_t k = 0;

		if (!in_trend(p, &in->deal[i]))
			continue;
		for (size_t j = 0; j < in->ndeal; j++)
			if (in_trend(p, &in->deal[j]) && strcasecmp(
			    currency(&in->deal[i]), currency(&in->deal[j])) == 0)
				k++;
		if (k > best || (k == best &&
		    strcasecmp(currency(&in->deal[i]), cur) < 0)) {
			best = k;
			cur = currency(&in->deal[i]);
		}
	}
	for (size_t i = 0; cur && i < in->ndeal; i++) {
		const struct score_deal *d = &in->deal[i];

		if (!in_trend(p, d) || strcasecmp(currency(d), cur) != 0 ||
		    d->amount <= 0)
			continue;
		if (d->closed_days < p->trend_days)
			recent += (double)d->amount;
		else
			before += (double)d->amount;
	}
	return recent + before > 0 ? recent / (recent + before) : 0;
}

/* Overdue: 1 / (1 + the planned follow-ups whose due day has passed). */
static double
overdue(const struct score_input *in)
{
	long n = 0;

	for (size_t i = 0; i < in->nact; i++)
		if (in->act[i].planned && in->act[i].days > 0)
			n++;
	return 1.0 / (double)(1 + n);
}

/* Stalled: the share of open deals not stalled; 1 with no open deal. */
static double
stalled(const struct health_params *p, const struct score_input *in)
{
	long open = 0, stuck = 0;

	for (size_t i = 0; i < in->ndeal; i++)
		if (in->deal[i].outcome == SCORE_OPEN) {
			open++;
			stuck += in->deal[i].stage_days >= p->stalled_days;
		}
	return open ? 1 - (double)stuck / (double)open : 1;
}

void
health_eval(const struct health_params *p, const struct score_input *in,
    struct health_result *r)
{
	double raw[HEALTH_N], sum = 0;
	int wsum = 0, floors = 0, rest;

	r->fraction[HEALTH_RECENCY] = recency(p, in);
	r->fraction[HEALTH_TREND] = trend(p, in);
	r->fraction[HEALTH_OVERDUE] = overdue(in);
	r->fraction[HEALTH_STALLED] = stalled(p, in);
	for (int i = 0; i < HEALTH_N; i++)
		wsum += p->weight[i];
	for (int i = 0; i < HEALTH_N; i++) {
		raw[i] = 100.0 * p->weight[i] * r->fraction[i] / wsum;
		sum += raw[i];
		r->points[i] = (int)raw[i];	/* raw >= 0: floor */
		floors += r->points[i];
	}
	/*
	** The score is the rounded sum; what the parts lost to floor()
	** goes to those that lost the most (largest remainders), so the
	** parts always add up to the score.
	*/
	r->score = (int)(sum + 0.5);
	for (rest = r->score - floors; rest > 0; rest--) {
		int top = 0;

		for (int i = 1; i < HEALTH_N; i++)
			if (raw[i] - r->points[i] > raw[top] - r->points[top])
				top = i;
		r->points[top]++;
		raw[top] = r->points[top];	/* no second share */
	}
}
