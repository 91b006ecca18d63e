/* bayes.h: naive Bayes win probabilities over field values, explained, and backtest metrics. */
#ifndef CRM_BAYES_H
#define CRM_BAYES_H

#include <stddef.h>

struct bayes;
struct rec_writer;

/*
** A model over the NFIELD fields NAMES (copied).  Values are then
** passed as arrays in the same order; a NULL or empty value is no
** evidence and is skipped.  Free with bayes_free().
*/
struct bayes *bayes_new(size_t nfield, const char *const *names);
void bayes_free(struct bayes *b);

/* Learn from one closed deal (or lead): its VALUES and whether it was won. */
void bayes_train(struct bayes *b, const char *const *values, int won);

/* What one field did to a prediction. */
struct bayes_term {
	const char *field;	/* the model's */
	const char *value;	/* the caller's */
	unsigned long won, lost;	/* closed deals with this value */
	double ratio;		/* P(value | won) / P(value | lost); 1 when
				   the value is NULL, empty or never seen */
};

/*
** The probability that a deal with VALUES is won:
**   odds = (won + 1) / (lost + 1) * ratio(field 1) * ... * ratio(field n)
**   ratio = ((w + 1) / (W + K)) / ((l + 1) / (L + K))
** with Laplace smoothing: w and l the won and lost deals with the value,
** W and L the won and lost deals with any value of the field, K the
** number of values of the field seen.  Returns odds / (1 + odds).
** TERMS, when not NULL, gets one entry per field.
*/
double bayes_predict(const struct bayes *b, const char *const *values,
    struct bayes_term *terms);

/*
** Write the model to W as a header and rows "field value won lost
** ratio": first "(prior)" with a NULL value, the won and lost deals of
** all and the prior odds, then every value of every field, fields in
** model order and values in byte order; ratios as "%.6g".
*/
void bayes_export(const struct bayes *b, struct rec_writer *w);

/* A prediction and what happened, for the metrics. */
struct bayes_point {
	double p;
	int won;
};

/*
** Precision, recall and lift when every point with P >= THRESHOLD is
** predicted won.  Lift is precision over the share of won points.  A
** ratio with nothing to divide by is NaN.
*/
struct bayes_metrics {
	unsigned long tp, fp, fn, tn;
	double precision, recall, lift;
};
void bayes_metrics_at(const struct bayes_point *v, size_t n, double threshold,
    struct bayes_metrics *m);

/*
** The area under the ROC curve: the chance that a won point has a
** higher P than a lost one, a tie counting one half (the Mann-Whitney
** U over the won and lost points).  Sorts V by P.  NaN when V has no won
** or no lost point.
*/
double bayes_auc(struct bayes_point *v, size_t n);

#endif
