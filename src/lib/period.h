/* period.h: calendar dates as day numbers; periods 2026, 2026-Q4, 2026-11, 2026-W48. */
#ifndef CRM_PERIOD_H
#define CRM_PERIOD_H

/*
** A date is a local calendar date, counted in days from 1970-01-01
** (day 0) in the proleptic Gregorian calendar; no time zones here.
*/
#define DAY_LEN 11		/* "YYYY-MM-DD" and a NUL */
#define PERIOD_LEN 16		/* "2026-W48", "2026-Q4", ... and a NUL */

/* Parse "YYYY-MM-DD" (years 0001-9999, a real date) into *DAY: 0 or -1. */
int day_parse(const char *s, long *day);
void day_format(long day, char out[DAY_LEN]);
long day_from_civil(int year, int month, int mday);	/* no checks */
void day_to_civil(long day, int *year, int *month, int *mday);
int day_weekday(long day);		/* ISO: 1 Monday ... 7 Sunday */

/* ISO 8601 weeks: the week-year and week (1-53) of DAY. */
void day_iso_week(long day, int *year, int *week);
/* 53 when YEAR has an ISO week 53 (its 1 January is a Thursday, or a
** Wednesday in a leap year), else 52. */
int iso_weeks_in_year(int year);

enum period_kind { PERIOD_YEAR, PERIOD_QUARTER, PERIOD_MONTH, PERIOD_WEEK };

/*
** A period: the days [START, END).  YEAR is the ISO week-year for a
** week; N is the quarter (1-4), month (1-12) or week (1-53), 0 for a
** year.
*/
struct period {
	enum period_kind kind;
	int year, n;
	long start, end;
};

/*
** Parse "2026", "2026-Q4", "2026-11" or "2026-W48" (q and w in either
** case; the month and week in two digits) into *P.  Returns 0, or -1
** when S is none of these or names no such period (2026-Q5, 2025-W53).
*/
int period_parse(const char *s, struct period *p);
/* The period of KIND that DAY falls in. */
void period_of(long day, enum period_kind kind, struct period *p);
/* P's name as period_parse() reads it: "2026-W48". */
void period_format(const struct period *p, char out[PERIOD_LEN]);
/* "year", "quarter", "month" or "week" (also 年, 季度, 月, 周) to *KIND:
** 0 or -1. */
int period_kind_parse(const char *s, enum period_kind *kind);

#endif
