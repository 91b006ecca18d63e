/* period.c: calendar dates as day numbers, ISO 8601 weeks, reporting periods. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "period.h"

/*
** Day numbers from and to the civil calendar: Howard Hinnant's
** days_from_civil / civil_from_days, which count in 400-year eras so
** they hold for any year without a table.
*/
long
day_from_civil(int year, int month, int mday)
{
	long y = year - (month <= 2);
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 +
	    mday - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

void
day_to_civil(long day, int *year, int *month, int *mday)
{
	long z = day + 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;

	*mday = (int)(doy - (153 * mp + 2) / 5 + 1);
	*month = (int)(mp < 10 ? mp + 3 : mp - 9);
	*year = (int)(yoe + era * 400 + (*month <= 2));
}

int
day_weekday(long day)
{
	/* day 0, 1970-01-01, was a Thursday */
	return (int)(((day % 7 + 7) % 7 + 3) % 7) + 1;
}

static int
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };

	return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* The value of the N digits at S, or -1 when they are not all digits. */
static int
digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
day_parse(const char *s, long *day)
{
	int y, m, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    (y = digits(s, 4)) < 1 || (m = digits(s + 5, 2)) < 1 || m > 12 ||
	    (d = digits(s + 8, 2)) < 1 || d > month_days(y, m))
		return -1;
	*day = day_from_civil(y, m, d);
	return 0;
}

void
day_format(long day, char out[DAY_LEN])
{
	int y, m, d;

	day_to_civil(day, &y, &m, &d);
	snprintf(out, DAY_LEN, "%04u-%02u-%02u", (unsigned)y % 10000,
	    (unsigned)m % 100, (unsigned)d % 100);
}

void
day_iso_week(long day, int *year, int *week)
{
	/* A week belongs to the year its Thursday is in. */
	long thu = day - (day_weekday(day) - 1) + 3;
	int m, d;

	day_to_civil(thu, year, &m, &d);
	*week = (int)((thu - day_from_civil(*year, 1, 1)) / 7) + 1;
}

int
iso_weeks_in_year(int year)
{
	int wd = day_weekday(day_from_civil(year, 1, 1));

	return wd == 4 || (wd == 3 && leap(year)) ? 53 : 52;
}

/* The Monday of ISO week 1 of YEAR: the week holding 4 January. */
static long
iso_week1(int year)
{
	long jan4 = day_from_civil(year, 1, 4);

	return jan4 - (day_weekday(jan4) - 1);
}

/* Fill in P->start and P->end from its kind, year and n. */
static void
bounds(struct period *p)
{
	switch (p->kind) {
	case PERIOD_YEAR:
		p->start = day_from_civil(p->year, 1, 1);
		p->end = day_from_civil(p->year + 1, 1, 1);
		break;
	case PERIOD_QUARTER:
		p->start = day_from_civil(p->year, 3 * p->n - 2, 1);
		p->end = p->n == 4 ? day_from_civil(p->year + 1, 1, 1) :
		    day_from_civil(p->year, 3 * p->n + 1, 1);
		break;
	case PERIOD_MONTH:
		p->start = day_from_civil(p->year, p->n, 1);
		p->end = p->start + month_days(p->year, p->n);
		break;
	case PERIOD_WEEK:
		p->start = iso_week1(p->year) + 7L * (p->n - 1);
		p->end = p->start + 7;
		break;
	}
}

int
period_parse(const char *s, struct period *p)
{
	size_t len = strlen(s);

	if (len < 4 || (p->year = digits(s, 4)) < 1)
		return -1;
	if (len == 4) {
		p->kind = PERIOD_YEAR;
		p->n = 0;
	} else if (len == 7 && s[4] == '-' && (s[5] == 'Q' || s[5] == 'q')) {
		p->kind = PERIOD_QUARTER;
		if ((p->n = digits(s + 6, 1)) < 1 || p->n > 4)
			return -1;
	} else if (len == 8 && s[4] == '-' && (s[5] == 'W' || s[5] == 'w')) {
		p->kind = PERIOD_WEEK;
		if ((p->n = digits(s + 6, 2)) < 1 ||
		    p->n > iso_weeks_in_year(p->year))
			return -1;
	} else if (len == 7 && s[4] == '-') {
		p->kind = PERIOD_MONTH;
		if ((p->n = digits(s + 5, 2)) < 1 || p->n > 12)
			return -1;
	} else
		return -1;
	bounds(p);
	return 0;
}

void
period_of(long day, enum period_kind kind, struct period *p)
{
	int y, m, d;

	day_to_civil(day, &y, &m, &d);
	p->kind = kind;
	p->year = y;
	switch (kind) {
	case PERIOD_YEAR:
		p->n = 0;
		break;
	case PERIOD_QUARTER:
		p->n = (m + 2) / 3;
		break;
	case PERIOD_MONTH:
		p->n = m;
		break;
	case PERIOD_WEEK:
		day_iso_week(day, &p->year, &p->n);
		break;
	}
	bounds(p);
}

void
period_format(const struct period *p, char out[PERIOD_LEN])
{
	static const char *const fmt[] = { "%04d", "%04d-Q%d", "%04d-%02d",
		"%04d-W%02d" };

	snprintf(out, PERIOD_LEN, fmt[p->kind], p->year, p->n);
}

int
period_kind_parse(const char *s, enum period_kind *kind)
{
	static const struct { const char *name; enum period_kind kind; } k[] = {
		{ "year", PERIOD_YEAR }, { "年", PERIOD_YEAR },
		{ "quarter", PERIOD_QUARTER }, { "季度", PERIOD_QUARTER },
		{ "季", PERIOD_QUARTER },
		{ "month", PERIOD_MONTH }, { "月", PERIOD_MONTH },
		{ "week", PERIOD_WEEK }, { "周", PERIOD_WEEK },
	};

	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
		if (strcasecmp(s, k[i].name) == 0) {
			*kind = k[i].kind;
			return 0;
		}
	return -1;
}
