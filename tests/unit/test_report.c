/*
** test_report.c: the exact figures of crm-report (report.h): rates to
** four decimals with halves rounded up, and percentiles of whole days by
** linear interpolation between closest ranks, as PostgreSQL's
** percentile_cont gives them; and which groupings --by takes together.
*/
#include "unit.h"

#include <limits.h>

#include "report.h"

/* Assert that NUM / DEN is WANT (NULL: no rate). */
static void
rate_is(long long num, long long den, const char *want)
{
	char *got = report_rate(num, den);

	if (want == NULL ? got != NULL : got == NULL || strcmp(got, want) != 0)
		fail_msg("report_rate(%lld, %lld): expected %s, got %s", num, den,
		    want ? want : "NULL", got ? got : "NULL");
	free(got);
}

static void
test_rate(void **state)
{
	(void)state;
	rate_is(2, 3, "0.6667");		/* 0.66666... */
	rate_is(1, 3, "0.3333");
	rate_is(5, 6, "0.8333");
	rate_is(1, 8, "0.1250");		/* exact */
	rate_is(1, 20000, "0.0001");		/* 0.00005: the half goes up */
	rate_is(1, 20001, "0.0000");		/* just under the half */
	rate_is(0, 7, "0.0000");
	rate_is(7, 7, "1.0000");
	rate_is(3, 2, "1.5000");		/* achieved beyond the target */
	rate_is(-1, 3, "-0.3333");		/* halves away from zero */
	rate_is(-1, 20000, "-0.0001");
	rate_is(0, 0, NULL);			/* no denominator: no rate */
	rate_is(5, 0, NULL);
	/* money in minor units near the top of a long long */
	rate_is(LLONG_MAX, LLONG_MAX, "1.0000");
	rate_is(LLONG_MAX / 2, LLONG_MAX, "0.5000");
}

/* Assert the P-th percentile of the days VALS[0..N) is WANT. */
static void
pct_is(const long long *vals, size_t n, int p, const char *want)
{
	long long hist[64] = { 0 };
	char *got;

	for (size_t i = 0; i < n; i++)
		hist[vals[i]]++;
	got = report_percentile(hist, 64, p);
	if (want == NULL ? got != NULL : got == NULL || strcmp(got, want) != 0)
		fail_msg("percentile %d: expected %s, got %s", p,
		    want ? want : "NULL", got ? got : "NULL");
	free(got);
}

static void
test_percentile(void **state)
{
	static const long long odd[] = { 10, 1, 8, 4, 1 };
	static const long long even[] = { 31, 10, 21, 16 };
	static const long long one[] = { 5 };
	static const long long two[] = { 0, 1 };
	static const long long same[] = { 7, 7, 7 };

	(void)state;
	/* sorted 1 1 4 8 10: the middle one; p90 at rank 3.6 */
	pct_is(odd, 5, 50, "4");
	pct_is(odd, 5, 90, "9.2");
	pct_is(odd, 5, 0, "1");
	pct_is(odd, 5, 100, "10");
	/* sorted 10 16 21 31: the mean of the middle two; p90 at rank 2.7 */
	pct_is(even, 4, 50, "18.5");
	pct_is(even, 4, 90, "28");
	pct_is(one, 1, 50, "5");
	pct_is(one, 1, 90, "5");
	/* a quarter of the way from 0 to 1: two decimals are exact */
	pct_is(two, 2, 25, "0.25");
	pct_is(two, 2, 90, "0.9");
	pct_is(same, 3, 90, "7");
	pct_is(NULL, 0, 50, NULL);		/* no stays: no median */
	assert_null(report_percentile(NULL, 0, 50));
}

static void
test_by(void **state)
{
	struct report_opts o;
	unsigned all = REPORT_BY_PEOPLE | REPORT_BY_PLACES | REPORT_BY_PERIODS;

	(void)state;
	report_opts_init(&o);
	assert_null(report_by_add(&o, "owner, month", all));
	assert_int_equal(o.nby, 2);
	assert_int_equal(o.by[0], BY_OWNER);
	assert_int_equal(o.by[1], BY_MONTH);
	assert_null(report_by_add(&o, "region", all));
	assert_int_equal(o.nby, 3);
	assert_string_equal(report_by_add(&o, "team", all),
	    "--by: 'owner' and 'team' together: one person, one place and one "
	    "period at most");
	report_opts_init(&o);
	assert_string_equal(report_by_add(&o, "week,quarter", all),
	    "--by: 'week' and 'quarter' together: one person, one place and one "
	    "period at most");
	report_opts_init(&o);
	assert_string_equal(report_by_add(&o, "month", REPORT_BY_PEOPLE),
	    "--by: no grouping by 'month' here (owner, team)");
	assert_string_equal(report_by_add(&o, "weekly", all),
	    "--by: no grouping 'weekly' here (owner, team, region, industry, "
	    "source, week, month, quarter, year)");
	assert_string_equal(report_by_add(&o, " , ", all),
	    "--by needs a grouping");
	/* defaults */
	report_opts_init(&o);
	assert_int_equal(o.stalled_days, 30);
	assert_int_equal(o.commit_pct, 70);
	assert_int_equal(o.within_days, -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_percentile),
		cmocka_unit_test(test_by),
	};

	crm_set_progname("test_report");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
