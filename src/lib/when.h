/* when.h: the one clock (honours --now and $CRM_NOW) and date parsing. */
#ifndef CRM_WHEN_H
#define CRM_WHEN_H

#include <time.h>

/* Times are stored as UTC ISO 8601 text "YYYY-MM-DDTHH:MM:SSZ" (20 chars). */
#define CRM_TIME_LEN 21

time_t crm_now(void);			/* dies (status 2) on a bad --now */
void crm_format_time(time_t t, char out[CRM_TIME_LEN]);
const char *crm_now_text(void);		/* static buffer */

/*
** Parse "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]" or with "T", optionally
** ending in "Z" or "+HH:MM"; a time without an offset is in the site's
** time zone (crm_tz_set), a date alone its midnight.  Returns 0 and sets
** *T, or -1.
*/
int crm_parse_time(const char *s, time_t *t);

/*
** The site's time zone: crm_db_open() sets it from the database's
** setting, so "today", claim limits and dates without an offset are the
** site's days, not UTC's.  crm_tz_valid: 1 for a zone name the system
** knows ("Asia/Shanghai", "UTC").  crm_tz_default: $TZ, else the zone of
** /etc/localtime, else "UTC" (static).
*/
void crm_tz_set(const char *zone);
int crm_tz_valid(const char *zone);
const char *crm_tz_default(void);

/* The start of T's day in the site's zone, and that day as "YYYY-MM-DD". */
time_t crm_day_start(time_t t);
void crm_format_date(time_t t, char out[11]);

/* Parse a duration such as "3d", "12h", "30m" or "2w" into seconds; -1 if bad. */
long long crm_parse_duration(const char *s);

#endif
