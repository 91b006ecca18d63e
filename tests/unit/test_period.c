/*
** test_period.c: dates as day numbers and reporting periods (period.h):
** 2026, 2026-Q4, 2026-11 and ISO 8601 weeks 2026-W48, both ways.
*/
#include "unit.h"

#include "period.h"

/* The day number of "YYYY-MM-DD", which must parse. */
static long
day(const char *s)
{
	long d;

	if (day_parse(s, &d) != 0)
		fail_msg("day_parse('%s') failed", s);
	return d;
}

/* Assert that S parses to the period [START, END) of KIND, Y and N. */
static void
period_ok(const char *s, enum period_kind kind, int y, int n,
    const char *start, const char *end)
{
	struct period p;
	char name[PERIOD_LEN];

	if (period_parse(s, &p) != 0)
		fail_msg("period_parse('%s') failed", s);
	assert_int_equal(p.kind, kind);
	assert_int_equal(p.year, y);
	assert_int_equal(p.n, n);
	assert_int_equal(p.start, day(start));
	assert_int_equal(p.end, day(end));
	period_format(&p, name);
	/* the name as read back, upper case */
	if (strcasecmp(name, s) != 0)
		fail_msg("period_format: '%s' came back as '%s'", s, name);
}

static void
test_days(void **state)
{
	char out[DAY_LEN];
	int y, m, d;

	(void)state;
	assert_int_equal(day("1970-01-01"), 0);
	assert_int_equal(day("1970-01-02"), 1);
	assert_int_equal(day("1969-12-31"), -1);
	/*
	** 2026-01-01: 56 years after 1970, 14 of them leap (1972, 1976, ...,
	** 2024): 56 * 365 + 14 = 20454.  November 22 is 31+28+31+30+31+30+
	** 31+31+30+31 = 304 days into the year plus 21: 20454 + 325 = 20779.
	*/
	assert_int_equal(day("2026-01-01"), 20454);
	assert_int_equal(day("2026-11-22"), 20779);
	day_format(20779, out);
	assert_string_equal(out, "2026-11-22");
	day_to_civil(day("2000-02-29"), &y, &m, &d);
	assert_int_equal(y, 2000);
	assert_int_equal(m, 2);
	assert_int_equal(d, 29);
	/* 1970-01-01 and 2026-01-01 were Thursdays, 2026-11-22 a Sunday */
	assert_int_equal(day_weekday(0), 4);
	assert_int_equal(day_weekday(day("2026-01-01")), 4);
	assert_int_equal(day_weekday(day("2026-11-22")), 7);
	assert_int_equal(day_weekday(day("2026-11-23")), 1);
	assert_int_equal(day_weekday(-1), 3);	/* 1969-12-31, a Wednesday */
	/* only real dates, written in full */
	assert_int_equal(day("2024-02-29"), day("2024-03-01") - 1);
	{
		const char *bad[] = { "2026-02-29", "1900-02-29", "2026-13-01",
			"2026-00-10", "2026-04-31", "2026-1-01", "0000-01-01",
			"2026-11-22x", "2026/11/22", "", "２０２６-11-22" };
		long dd;

		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
			if (day_parse(bad[i], &dd) != -1)
				fail_msg("day_parse('%s') should fail", bad[i]);
	}
	/* every day from 1600 to 2400 goes out and back the same */
	for (long dd = day("1600-01-01"); dd < day("2400-01-01"); dd++) {
		long back;

		day_format(dd, out);
		if (day_parse(out, &back) != 0 || back != dd)
			fail_msg("day %ld -> '%s' -> %ld", dd, out, back);
	}
}

static void
test_weeks_in_year(void **state)
{
	(void)state;
	/* 53 weeks: 1 January a Thursday, or a Wednesday in a leap year */
	assert_int_equal(iso_weeks_in_year(2026), 53);	/* Thursday */
	assert_int_equal(iso_weeks_in_year(2015), 53);	/* Thursday */
	assert_int_equal(iso_weeks_in_year(2020), 53);	/* Wednesday, leap */
	assert_int_equal(iso_weeks_in_year(2025), 52);	/* Wednesday */
	assert_int_equal(iso_weeks_in_year(2021), 52);	/* Friday */
	assert_int_equal(iso_weeks_in_year(2027), 52);	/* Friday */
}

static void
test_parse(void **state)
{
	(void)state;
	period_ok("2026", PERIOD_YEAR, 2026, 0, "2026-01-01", "2027-01-01");
	period_ok("2026-Q1", PERIOD_QUARTER, 2026, 1, "2026-01-01", "2026-04-01");
	period_ok("2026-Q4", PERIOD_QUARTER, 2026, 4, "2026-10-01", "2027-01-01");
	period_ok("2026-q4", PERIOD_QUARTER, 2026, 4, "2026-10-01", "2027-01-01");
	period_ok("2026-11", PERIOD_MONTH, 2026, 11, "2026-11-01", "2026-12-01");
	period_ok("2026-12", PERIOD_MONTH, 2026, 12, "2026-12-01", "2027-01-01");
	period_ok("2024-02", PERIOD_MONTH, 2024, 2, "2024-02-01", "2024-03-01");
	/*
	** ISO weeks start on Monday; week 1 holds the first Thursday.
	** 2026-01-01 is a Thursday, so W01 starts Monday 2025-12-29;
	** W48 starts 47 weeks later, 2025-12-29 + 329 days = 2026-11-23.
	** 2026 has 53 weeks: W53 is 2026-12-28 to 2027-01-03.
	*/
	period_ok("2026-W01", PERIOD_WEEK, 2026, 1, "2025-12-29", "2026-01-05");
	period_ok("2026-W48", PERIOD_WEEK, 2026, 48, "2026-11-23", "2026-11-30");
	period_ok("2026-w48", PERIOD_WEEK, 2026, 48, "2026-11-23", "2026-11-30");
	period_ok("2026-W53", PERIOD_WEEK, 2026, 53, "2026-12-28", "2027-01-04");
	/* 2025-01-01 is a Wednesday: W01 starts Monday 2024-12-30 */
	period_ok("2025-W01", PERIOD_WEEK, 2025, 1, "2024-12-30", "2025-01-06");
	{
		const char *bad[] = { "2025-W53", "2026-W54", "2026-W00",
			"2026-W1", "2026-Q0", "2026-Q5", "2026-13", "2026-00",
			"2026-1", "26", "0000", "2026-", "2026-11-22", "2026Q4",
			"2026-H1", "", "２０２６" };
		struct period p;

		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
			if (period_parse(bad[i], &p) != -1)
				fail_msg("period_parse('%s') should fail", bad[i]);
	}
}

/* Assert that DAY is in the period of KIND named WANT. */
static void
of(const char *d, enum period_kind kind, const char *want)
{
	struct period p;
	char name[PERIOD_LEN];

	period_of(day(d), kind, &p);
	period_format(&p, name);
	if (strcmp(name, want) != 0)
		fail_msg("period_of(%s): expected %s, got %s", d, want, name);
}

static void
test_period_of(void **state)
{
	(void)state;
	/* W48 is 2026-11-23 (Monday) to 11-29: the Sunday before is W47 */
	of("2026-11-22", PERIOD_WEEK, "2026-W47");
	of("2026-11-23", PERIOD_WEEK, "2026-W48");
	of("2026-11-29", PERIOD_WEEK, "2026-W48");
	of("2026-11-22", PERIOD_MONTH, "2026-11");
	of("2026-11-22", PERIOD_QUARTER, "2026-Q4");
	of("2026-09-30", PERIOD_QUARTER, "2026-Q3");
	of("2026-11-22", PERIOD_YEAR, "2026");
	/* the ISO week-year is not always the calendar year */
	of("2027-01-03", PERIOD_WEEK, "2026-W53");
	of("2027-01-03", PERIOD_MONTH, "2027-01");
	of("2025-12-29", PERIOD_WEEK, "2026-W01");
	of("2024-12-30", PERIOD_WEEK, "2025-W01");
	of("2021-01-03", PERIOD_WEEK, "2020-W53");
	/*
	** Every day of 1990-2060 lies in its period of each kind; a week
	** starts on a Monday and lasts 7 days; each name parses back to the
	** same bounds; and consecutive periods of a kind leave no gap.
	*/
	for (int k = PERIOD_YEAR; k <= PERIOD_WEEK; k++) {
		struct period prev = { 0, 0, 0, 0, 0 };

		for (long d = day("1990-01-01"); d < day("2060-01-01"); d++) {
			struct period p, q;
			char name[PERIOD_LEN];

			period_of(d, (enum period_kind)k, &p);
			assert_true(p.start <= d && d < p.end);
			if (k == PERIOD_WEEK) {
				assert_int_equal(day_weekday(p.start), 1);
				assert_int_equal(p.end - p.start, 7);
			}
			period_format(&p, name);
			assert_int_equal(period_parse(name, &q), 0);
			assert_int_equal(q.start, p.start);
			assert_int_equal(q.end, p.end);
			if (prev.end && p.start != prev.start)
				assert_int_equal(p.start, prev.end);
			prev = p;
		}
	}
}

static void
test_kind_parse(void **state)
{
	enum period_kind k;

	(void)state;
	assert_int_equal(period_kind_parse("week", &k), 0);
	assert_int_equal(k, PERIOD_WEEK);
	assert_int_equal(period_kind_parse("Month", &k), 0);
	assert_int_equal(k, PERIOD_MONTH);
	assert_int_equal(period_kind_parse("季度", &k), 0);
	assert_int_equal(k, PERIOD_QUARTER);
	assert_int_equal(period_kind_parse("年", &k), 0);
	assert_int_equal(k, PERIOD_YEAR);
	assert_int_equal(period_kind_parse("fortnight", &k), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_days),
		cmocka_unit_test(test_weeks_in_year),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_period_of),
		cmocka_unit_test(test_kind_parse),
	};

	crm_set_progname("test_period");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
