/*
** test_bayes.c: naive Bayes win probabilities (bayes.h): training,
** prediction explained per field, the exported model, and the backtest
** metrics (precision, recall, lift, ROC AUC), all worked out by hand.
*/
#include "unit.h"

#include <math.h>

#include "bayes.h"
#include "rec.h"

static const char *const fields[] = { "industry", "source" };

/* Assert that X is WANT to within 1e-12. */
#define assert_near(x, want) do { \
	double x_ = (x), w_ = (want); \
	if (!(x_ > w_ - 1e-12 && x_ < w_ + 1e-12)) \
		fail_msg("%s: expected %.15g, got %.15g", #x, w_, x_); \
} while (0)

/*
** Six closed deals:
**   教育 web  won      医疗 web   lost
**   教育 展会 won      医疗 展会  lost
**   教育 web  lost     医疗 (none) won
*/
static struct bayes *
trained(void)
{
	static const char *const deals[6][2] = {
		{ "教育", "web" }, { "教育", "展会" }, { "教育", "web" },
		{ "医疗", "web" }, { "医疗", "展会" }, { "医疗", NULL },
	};
	static const int won[6] = { 1, 1, 0, 0, 0, 1 };
	struct bayes *b = bayes_new(2, fields);

	for (int i = 0; i < 6; i++)
		bayes_train(b, deals[i], won[i]);
	return b;
}

static void
test_predict(void **state)
{
	struct bayes *b = trained();
	struct bayes_term t[2];
	const char *edu_fair[] = { "教育", "展会" };
	const char *med_web[] = { "医疗", "web" };
	const char *unseen[] = { "金融", NULL };
	const char *empty[] = { "", "web" };

	(void)state;
	/*
	** Prior odds (3 won + 1) / (3 lost + 1) = 1.
	** industry: W = 3 won and L = 3 lost deals have one, K = 2 values:
	**   教育 (2 won, 1 lost): ((2+1)/(3+2)) / ((1+1)/(3+2)) = 3/2
	**   医疗 (1 won, 2 lost): ((1+1)/5) / ((2+1)/5) = 2/3
	** source: W = 2 won (deal 6 has none), L = 3 lost, K = 2:
	**   web  (1 won, 2 lost): ((1+1)/(2+2)) / ((2+1)/(3+2)) = 0.5/0.6 = 5/6
	**   展会 (1 won, 1 lost): ((1+1)/4) / ((1+1)/5) = 5/4
	** 教育 + 展会: odds 1 * 3/2 * 5/4 = 15/8, p = 15/8 / (23/8) = 15/23
	*/
	assert_near(bayes_predict(b, edu_fair, t), 15.0 / 23);
	assert_string_equal(t[0].field, "industry");
	assert_string_equal(t[0].value, "教育");
	assert_int_equal(t[0].won, 2);
	assert_int_equal(t[0].lost, 1);
	assert_near(t[0].ratio, 1.5);
	assert_string_equal(t[1].field, "source");
	assert_int_equal(t[1].won, 1);
	assert_int_equal(t[1].lost, 1);
	assert_near(t[1].ratio, 1.25);
	/* 医疗 + web: odds 2/3 * 5/6 = 5/9, p = 5/9 / (14/9) = 5/14 */
	assert_near(bayes_predict(b, med_web, t), 5.0 / 14);
	assert_near(t[0].ratio, 2.0 / 3);
	assert_near(t[1].ratio, 5.0 / 6);
	/* a value never seen, and none: no evidence, the prior 1/2 */
	assert_near(bayes_predict(b, unseen, t), 0.5);
	assert_int_equal(t[0].won + t[0].lost, 0);
	assert_near(t[0].ratio, 1);
	assert_null(t[1].value);
	assert_near(t[1].ratio, 1);
	/* an empty value is no value; TERMS may be NULL */
	assert_near(bayes_predict(b, empty, NULL), 5.0 / 11);	/* 5/6 / (11/6) */
	bayes_free(b);
}

static void
test_prior(void **state)
{
	struct bayes *b = bayes_new(2, fields);
	const char *v[] = { "教育", NULL };

	(void)state;
	/* no training at all: odds (0+1)/(0+1), p = 1/2 */
	assert_near(bayes_predict(b, v, NULL), 0.5);
	/*
	** 3 won, 0 lost, all 教育: prior (3+1)/(0+1) = 4; industry W = 3,
	** L = 0, K = 1: ((3+1)/(3+1)) / ((0+1)/(0+1)) = 1: odds 4, p = 4/5.
	*/
	for (int i = 0; i < 3; i++)
		bayes_train(b, v, 1);
	assert_near(bayes_predict(b, v, NULL), 0.8);
	bayes_free(b);
}

static void
test_export(void **state)
{
	struct bayes *b = trained();
	const char *path = unit_path(".tsv");
	FILE *f = fopen(path, "w");
	struct rec_writer *w;
	char *text;

	(void)state;
	assert_non_null(f);
	w = recw_open(f, path, 0);
	bayes_export(b, w);
	recw_close(w);
	fclose(f);
	text = unit_slurp(path, NULL);
	/*
	** The ratios of test_predict, "%.6g"; values in byte order: 医
	** (E5 8C BB) before 教 (E6 95 99), web (77) before 展 (E5).
	** The prior's value is NULL, written \N in TSV.
	*/
	assert_string_equal(text,
	    "field\tvalue\twon\tlost\tratio\n"
	    "(prior)\t\t3\t3\t1\n"
	    "industry\t医疗\t1\t2\t0.666667\n"
	    "industry\t教育\t2\t1\t1.5\n"
	    "source\tweb\t1\t2\t0.833333\n"
	    "source\t展会\t1\t1\t1.25\n");
	free(text);
	bayes_free(b);
}

static void
test_many_values(void **state)
{
	struct bayes *b = bayes_new(2, fields);
	char ind[32], src[32];
	const char *v[] = { ind, src };

	(void)state;
	/*
	** 3000 industries (the table grows many times), each in one won and
	** one lost deal, all from source s: every ratio is
	** ((1+1)/(3000+3000)) / ((1+1)/(3000+3000)) = 1, and source s has
	** ((3000+1)/(3000+1)) / ((3000+1)/(3000+1)) = 1: p = 1/2.
	*/
	strcpy(src, "s");
	for (int i = 0; i < 3000; i++) {
		snprintf(ind, sizeof ind, "行业%d", i);
		bayes_train(b, v, 1);
		bayes_train(b, v, 0);
	}
	for (int i = 0; i < 3000; i += 7) {
		struct bayes_term t[2];

		snprintf(ind, sizeof ind, "行业%d", i);
		assert_near(bayes_predict(b, v, t), 0.5);
		assert_int_equal(t[0].won, 1);
		assert_int_equal(t[0].lost, 1);
		assert_int_equal(t[1].won, 3000);
	}
	bayes_free(b);
}

static void
test_metrics(void **state)
{
	/* 8 deals, 4 won */
	struct bayes_point v[] = {
		{ 0.9, 1 }, { 0.8, 1 }, { 0.8, 0 }, { 0.6, 1 },
		{ 0.5, 0 }, { 0.3, 0 }, { 0.3, 1 }, { 0.1, 0 },
	};
	struct bayes_metrics m;

	(void)state;
	/*
	** At 0.5, predicted won: 0.9, 0.8, 0.8, 0.6, 0.5: tp 3, fp 2; the
	** won 0.3 is a fn, the lost 0.3 and 0.1 tn.  Precision 3/5 = 0.6,
	** recall 3/4 = 0.75; won share 4/8, so lift 0.6 / 0.5 = 1.2.
	*/
	bayes_metrics_at(v, 8, 0.5, &m);
	assert_int_equal(m.tp, 3);
	assert_int_equal(m.fp, 2);
	assert_int_equal(m.fn, 1);
	assert_int_equal(m.tn, 2);
	assert_near(m.precision, 0.6);
	assert_near(m.recall, 0.75);
	assert_near(m.lift, 1.2);
	/* nothing predicted won: precision and lift are NaN, recall 0 */
	bayes_metrics_at(v, 8, 0.95, &m);
	assert_true(isnan(m.precision));
	assert_true(isnan(m.lift));
	assert_near(m.recall, 0);
	/*
	** AUC over the 4 x 4 won/lost pairs, a tie counting 1/2:
	**   won 0.9 beats all 4 lost                      4
	**   won 0.8 beats 0.5, 0.3, 0.1, ties 0.8         3.5
	**   won 0.6 beats 0.5, 0.3, 0.1                   3
	**   won 0.3 beats 0.1, ties 0.3                   1.5
	** 12 / 16 = 0.75
	*/
	assert_near(bayes_auc(v, 8), 0.75);
	/* sorted by p now, and the metrics do not depend on the order */
	assert_true(v[0].p == 0.1 && v[7].p == 0.9);
	bayes_metrics_at(v, 8, 0.5, &m);
	assert_int_equal(m.tp, 3);
	/* all the same p: every pair a tie, 1/2 */
	for (int i = 0; i < 8; i++)
		v[i].p = 0.4;
	assert_near(bayes_auc(v, 8), 0.5);
	/* perfectly ordered, and the reverse */
	for (int i = 0; i < 8; i++)
		v[i].p = v[i].won ? 0.9 - i * 0.01 : 0.1 + i * 0.01;
	assert_near(bayes_auc(v, 8), 1);
	for (int i = 0; i < 8; i++)
		v[i].p = 1 - v[i].p;
	assert_near(bayes_auc(v, 8), 0);
	/* no lost deal: no AUC */
	for (int i = 0; i < 8; i++)
		v[i].won = 1;
	assert_true(isnan(bayes_auc(v, 8)));
	assert_true(isnan(bayes_auc(v, 0)));
}

static int
group_teardown(void **state)
{
	(void)state;
	unit_cleanup();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_predict),
		cmocka_unit_test(test_prior),
		cmocka_unit_test(test_export),
		cmocka_unit_test(test_many_values),
		cmocka_unit_test(test_metrics),
	};

	crm_set_progname("test_bayes");
	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
