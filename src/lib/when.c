/* when.c: time as UTC ISO 8601 text, one source of "now". */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "die.h"
#include "opt.h"
#include "when.h"

/* Bumped by crm_tz_set(): a --now without an offset is read again. */
static int tz_generation = 1;

int
crm_parse_time(const char *s, time_t *t)
{
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0, off = 0;
	const char *p;
	int zoned = 0;

	memset(&tm, 0, sizeof tm);
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return -1;
	p = s + n;
	if (*p == 'T' || *p == ' ') {
		int m = 0;

		if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &m) != 2 || m != 5)
			return -1;
		p += 1 + m;
		if (*p == ':') {
			if (sscanf(p + 1, "%2d%n", &sec, &m) != 1 || m != 2)
				return -1;
			p += 3;
			if (*p == '.')	/* fractions of a second are dropped */
				for (p++; *p >= '0' && *p <= '9'; p++)
					;
		}
	}
	if (*p == 'Z') {
		p++;
		zoned = 1;
	} else if (*p == '+' || *p == '-') {
		int oh, om, m = 0;

		if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &m) != 2 || m != 5)
			return -1;
		off = (oh * 60 + om) * 60 * (*p == '+' ? 1 : -1);
		p += 1 + m;
		zoned = 1;
	}
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	if (!zoned) {
		/* the site's wall clock; in a gap or overlap mktime picks one */
		tm.tm_isdst = -1;
		*t = mktime(&tm);
		if (tm.tm_mday != d)	/* normalised: 2026-02-31 and the like */
			return -1;
		return 0;
	}
	*t = timegm(&tm) - off;
	{	/* reject 2026-02-31 and the like */
		struct tm back;
		time_t local = *t + off;

		gmtime_r(&local, &back);
		if (back.tm_mday != d)
			return -1;
	}
	return 0;
}

int
crm_tz_valid(const char *zone)
{
	char path[PATH_MAX];
	struct stat st;

	if (zone == NULL || *zone == '\0' || strstr(zone, "..") || zone[0] == '/')
		return 0;
	if (strcmp(zone, "UTC") == 0)
		return 1;
	snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", zone);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

void
crm_tz_set(const char *zone)
{
	setenv("TZ", crm_tz_valid(zone) ? zone : "UTC", 1);
	tzset();
	tz_generation++;
}

const char *
crm_tz_default(void)
{
	static char buf[PATH_MAX];
	const char *e = getenv("TZ"), *z;
	ssize_t n;

	if (e && *e == ':')
		e++;
	if (e && crm_tz_valid(e))
		return e;
	if ((n = readlink("/etc/localtime", buf, sizeof buf - 1)) > 0) {
		buf[n] = '\0';
		if ((z = strstr(buf, "zoneinfo/")) != NULL &&
		    crm_tz_valid(z + 9))
			return z + 9;
	}
	return "UTC";
}

time_t
crm_day_start(time_t t)
{
	struct tm tm;

	localtime_r(&t, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

void
crm_format_date(time_t t, char out[11])
{
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

time_t
crm_now(void)
{
	static time_t cached;
	static int have;

	if (have == tz_generation)
		return cached;
	if (crm_g.now) {
		if (crm_parse_time(crm_g.now, &cached) == -1)
			crm_usage_error("bad time '%s' in --now or CRM_NOW "
			    "(use YYYY-MM-DD[THH:MM[:SS]])", crm_g.now);
	} else if (!have)
		cached = time(NULL);
	have = tz_generation;
	return cached;
}

void
crm_format_time(time_t t, char out[CRM_TIME_LEN])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, CRM_TIME_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Formatted again only when "now" moves (an import asks once a row). */
const char *
crm_now_text(void)
{
	static char buf[CRM_TIME_LEN];
	static time_t was = -1;
	time_t t = crm_now();

	if (t != was || buf[0] == '\0') {
		crm_format_time(t, buf);
		was = t;
	}
	return buf;
}

long long
crm_parse_duration(const char *s)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	if (end == s || v < 0)
		return -1;
	if (*end == '\0' || strcmp(end, "d") == 0)
		return v * 86400;
	if (strcmp(end, "w") == 0)
		return v * 7 * 86400;
	if (strcmp(end, "h") == 0)
		return v * 3600;
	if (strcmp(end, "m") == 0)
		return v * 60;
	if (strcmp(end, "s") == 0)
		return v;
	return -1;
}
