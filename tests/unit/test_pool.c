/*
** test_pool.c: the pool logic crm-pool is a thin shell over (pool.h):
** settings by option name, names, the cooling-off, the why-due words,
** days left in the site's calendar, and the due list's order and rights
** on a temporary database.
*/
#include "unit.h"

#include "db.h"
#include "pool.h"
#include "rec.h"
#include "str.h"
#include "when.h"

#define NOW "2026-11-22T09:00:00Z"

static time_t
at(const char *iso)
{
	time_t t;

	if (crm_parse_time(iso, &t) == -1)
		fail_msg("bad time '%s'", iso);
	return t;
}

/* ---- settings and names ------------------------------------------------- */

static void
test_setting_numbers(void **state)
{
	struct crm_pool p;

	(void)state;
	crm_pool_init(&p);
	assert_null(crm_pool_setting(&p, "no-followup-days", "30"));
	assert_null(crm_pool_setting(&p, "not-won-days", "90"));
	assert_null(crm_pool_setting(&p, "claim-limit", "0"));
	assert_null(crm_pool_setting(&p, "max-owned", "100000000"));
	assert_null(crm_pool_setting(&p, "cooling-days", "2"));
	assert_int_equal(p.days[CRM_RULE_FOLLOWUP], 30);
	assert_int_equal(p.days[CRM_RULE_DEAL], -1);
	assert_int_equal(p.days[CRM_RULE_WON], 90);
	assert_int_equal(p.claim_limit, 0);
	assert_int_equal(p.max_owned, 100000000);
	assert_int_equal(p.cooling_days, 2);
	/* off and none turn a rule off */
	assert_null(crm_pool_setting(&p, "no-followup-days", "off"));
	assert_null(crm_pool_setting(&p, "claim-limit", "none"));
	assert_int_equal(p.days[CRM_RULE_FOLLOWUP], -1);
	assert_int_equal(p.claim_limit, -1);
	/* out of range or not a whole number: the option is named, P is kept */
	assert_string_equal(crm_pool_setting(&p, "no-deal-days", "0"),
	    "--no-deal-days must be a whole number from 1 to 36500, or off, got '0'");
	assert_string_equal(crm_pool_setting(&p, "warn-days", "36501"),
	    "--warn-days must be a whole number from 0 to 36500, or off, got '36501'");
	assert_string_equal(crm_pool_setting(&p, "lockout-days", "-1"),
	    "--lockout-days must be a whole number from 0 to 36500, or off, got '-1'");
	assert_string_equal(crm_pool_setting(&p, "cooling-days", "2d"),
	    "--cooling-days must be a whole number from 0 to 36500, or off, got '2d'");
	assert_string_equal(crm_pool_setting(&p, "max-owned", ""),
	    "--max-owned must be a whole number from 0 to 100000000, or off, got ''");
	assert_int_equal(p.cooling_days, 2);
	assert_int_equal(p.days[CRM_RULE_DEAL], -1);
	assert_string_equal(crm_pool_setting(&p, "colour", "red"),
	    "no pool setting 'colour'");
	crm_pool_free(&p);
}

static void
test_setting_lists(void **state)
{
	struct crm_pool p;
	char *s;

	(void)state;
	crm_pool_init(&p);
	assert_null(crm_pool_setting(&p, "region", "华东"));
	assert_string_equal(p.region, "华东");
	assert_null(crm_pool_setting(&p, "region", "none"));
	assert_null(p.region);
	assert_null(crm_pool_setting(&p, "industry", ""));
	assert_null(p.industry);
	assert_null(crm_pool_setting(&p, "exempt", "locked,no-deal:open-deal"));
	s = crm_pool_format_exempt(p.exempt);
	assert_string_equal(s, "locked,no-deal:open_deal");
	free(s);
	assert_null(crm_pool_setting(&p, "grade-days", "A=60,B=45"));
	s = crm_pool_format_grades(&p);
	assert_string_equal(s, "A=60,B=45");
	free(s);
	assert_string_equal(crm_pool_setting(&p, "exempt", "sleepy"),
	    "--exempt: no exemption 'sleepy' (locked, won, open-deal, each "
	    "optionally after RULE:)");
	assert_string_equal(crm_pool_setting(&p, "grade-days", "A"),
	    "--grade-days: 'A' is not GRADE=DAYS");
	/* a bad value keeps what was there */
	s = crm_pool_format_grades(&p);
	assert_string_equal(s, "A=60,B=45");
	free(s);
	/* the database's settings pass untouched, for crm_pool_configure */
	assert_null(crm_pool_setting(&p, "members", "team:east"));
	assert_null(crm_pool_setting(&p, "admins", "chen"));
	crm_pool_free(&p);
}

static void
test_check_name(void **state)
{
	(void)state;
	assert_null(crm_pool_check_name("华东公海"));
	assert_null(crm_pool_check_name("east pool"));
	assert_string_equal(crm_pool_check_name(""), "pool name: empty");
	assert_string_equal(crm_pool_check_name(" \t"), "pool name: empty");
	assert_string_equal(crm_pool_check_name("east\tpool"),
	    "pool name: control characters are not allowed");
	assert_string_equal(crm_pool_check_name("east\033[2J"),
	    "pool name: control characters are not allowed");
	assert_string_equal(crm_pool_check_name("east\177"),
	    "pool name: control characters are not allowed");
	assert_string_equal(crm_pool_check_name("east\n"),
	    "pool name: control characters are not allowed");
}

/* ---- clocks ------------------------------------------------------------- */

static void
test_claimable_at(void **state)
{
	struct crm_pool p;
	time_t since = at("2026-11-21T09:00:00Z");

	(void)state;
	crm_pool_init(&p);
	assert_true(crm_pool_claimable_at(&p, since) == since);	/* rule off */
	p.cooling_days = 0;
	assert_true(crm_pool_claimable_at(&p, since) == since);
	p.cooling_days = 2;
	assert_true(crm_pool_claimable_at(&p, since) ==
	    at("2026-11-23T09:00:00Z"));
	crm_pool_free(&p);
}

static void
test_days_left(void **state)
{
	time_t now = at(NOW);

	(void)state;
	crm_tz_set("UTC");
	assert_int_equal(crm_pool_days_left(at("2026-11-01T00:00:00Z"), now), 0);
	assert_int_equal(crm_pool_days_left(at("2026-11-22T23:59:59Z"), now), 0);
	assert_int_equal(crm_pool_days_left(at("2026-11-23T00:00:00Z"), now), 1);
	assert_int_equal(crm_pool_days_left(at("2026-11-24T23:00:00Z"), now), 2);
	/* now is 17:00 on the 22nd in Shanghai: 16:00Z is its midnight */
	crm_tz_set("Asia/Shanghai");
	assert_int_equal(crm_pool_days_left(at("2026-11-22T15:59:59Z"), now), 0);
	assert_int_equal(crm_pool_days_left(at("2026-11-22T16:00:00Z"), now), 1);
	assert_int_equal(crm_pool_days_left(at("2026-11-23T23:00:00Z"), now), 2);
	/* a day of 23 hours (New York's spring) is still one day */
	crm_tz_set("America/New_York");
	assert_int_equal(crm_pool_days_left(at("2027-03-15T04:30:00Z"),
	    at("2027-03-13T17:00:00Z")), 2);
	crm_tz_set("UTC");
}

/* ---- why due ------------------------------------------------------------ */

static void
test_due_explain(void **state)
{
	struct crm_due d;
	char buf[700];

	(void)state;
	memset(&d, 0, sizeof d);
	d.rule = CRM_RULE_FOLLOWUP;
	d.owner_since = "2026-09-01T09:00:00Z";
	d.last_activity_at = "2026-10-01T09:00:00Z";
	d.idle_days = 52;
	d.limit_days = 30;
	crm_pool_due_explain(&d, buf, sizeof buf);
	assert_string_equal(buf, "last follow-up 2026-10-01T09:00:00Z, owner since "
	    "2026-09-01T09:00:00Z: 52 days without a follow-up, limit 30");
	d.last_activity_at = NULL;
	d.grade_limit = "A";
	d.limit_days = 60;
	d.exempt_by = "locked";
	crm_pool_due_explain(&d, buf, sizeof buf);
	assert_string_equal(buf, "last follow-up never, owner since "
	    "2026-09-01T09:00:00Z: 52 days without a follow-up, limit 60 for "
	    "grade A; exempt: locked");
	memset(&d, 0, sizeof d);
	d.rule = CRM_RULE_DEAL;
	d.owner_since = "2026-08-01T09:00:00Z";
	d.last_deal_at = "2026-09-01T09:00:00Z";
	d.idle_days = 82;
	d.limit_days = 45;
	crm_pool_due_explain(&d, buf, sizeof buf);
	assert_string_equal(buf, "last deal 2026-09-01T09:00:00Z, owner since "
	    "2026-08-01T09:00:00Z: 82 days without a new deal, limit 45");
	d.rule = CRM_RULE_WON;
	d.idle_days = 113;
	d.limit_days = 60;
	crm_pool_due_explain(&d, buf, sizeof buf);
	assert_string_equal(buf, "owner since 2026-08-01T09:00:00Z and no deal "
	    "won: 113 days, limit 60");
	/* a short buffer is cut, never overrun */
	crm_pool_due_explain(&d, buf, 12);
	assert_string_equal(buf, "owner since");
}

/* ---- the due list on a database ----------------------------------------- */

static struct crm_db *db;

static int
setup(void **state)
{
	(void)state;
	crm_g.db_path = strdup(unit_path(".db"));
	crm_g.actor = "tester";
	crm_g.now = NOW;
	crm_g.wait_ms = 2000;
	crm_g.quiet = 1;
	db = crm_db_open(CRM_DB_CREATE);
	crm_db_exec(db, "INSERT INTO users (id, login, email, created_at) VALUES"
	    " (1, 'li', 'li@example.com', '" NOW "'),"
	    " (2, 'wang', 'wang@example.com', '" NOW "');"
	    "INSERT INTO pools (id, name, no_followup_days, created_at)"
	    " VALUES (1, 'east', 30, '" NOW "');"
	    "INSERT INTO pool_members (pool_id, user_id) VALUES (1, 1), (1, 2);"
	    /* due: 5 on the 20th, 2 and 4 on the 23rd (the same second), 1 on
	       the 24th, 3 on the 27th (beyond three days) */
	    "INSERT INTO customers (id, name, company, owner_id, owner_since,"
	    " created_at, updated_at) VALUES"
	    " (1, 'a', 'A', 2, '2026-10-25T09:00:00Z', '" NOW "', '" NOW "'),"
	    " (2, 'b', 'B', 1, '2026-10-24T10:00:00Z', '" NOW "', '" NOW "'),"
	    " (3, 'c', 'C', 1, '2026-10-28T09:00:00Z', '" NOW "', '" NOW "'),"
	    " (4, 'd', 'D', 1, '2026-10-24T10:00:00Z', '" NOW "', '" NOW "'),"
	    " (5, 'e', 'E', 2, '2026-10-21T09:00:00Z', '" NOW "', '" NOW "')");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	crm_db_close(db);
	db = NULL;
	crm_g.actor = "tester";
	free((char *)crm_g.db_path);
	crm_g.db_path = NULL;
	return 0;
}

/* The due list as text, from crm_pool_due_list (a file in between). */
static char *
due_text(const char *pool, const char *owner, long long within)
{
	const char *path = unit_path(".tsv");
	FILE *f = fopen(path, "w");
	struct rec_writer *w;

	assert_non_null(f);
	w = recw_open(f, path, 0);
	crm_pool_due_list(db, w, pool, owner, within);
	recw_close(w);
	assert_int_equal(fclose(f), 0);
	return unit_slurp(path, NULL);
}

#define HEADER "owner\towner_email\tid\tname\tcompany\tpool\trule\tidle_days" \
	"\tlimit_days\tdue_at\tdays_left\n"

static void
test_due_list_order(void **state)
{
	char *t;

	(void)state;
	/* by owner, then due time, then id; due by the end of the 25th */
	t = due_text(NULL, NULL, 3 * 86400);
	assert_string_equal(t, HEADER
	    "li\tli@example.com\t2\tb\tB\teast\tno-followup\t28\t30"
	    "\t2026-11-23T10:00:00Z\t1\n"
	    "li\tli@example.com\t4\td\tD\teast\tno-followup\t28\t30"
	    "\t2026-11-23T10:00:00Z\t1\n"
	    "wang\twang@example.com\t5\te\tE\teast\tno-followup\t32\t30"
	    "\t2026-11-20T09:00:00Z\t0\n"
	    "wang\twang@example.com\t1\ta\tA\teast\tno-followup\t28\t30"
	    "\t2026-11-24T09:00:00Z\t2\n");
	free(t);
	/* no window and no warn days: what is due by the end of today */
	t = due_text("east", "wang", -1);
	assert_string_equal(t, HEADER
	    "wang\twang@example.com\t5\te\tE\teast\tno-followup\t32\t30"
	    "\t2026-11-20T09:00:00Z\t0\n");
	free(t);
}

static void
unknown_pool(void *ctx)
{
	(void)ctx;
	free(due_text("west", NULL, -1));
}

static void
unknown_owner(void *ctx)
{
	(void)ctx;
	free(due_text(NULL, "zhao", -1));
}

static void
rep_asks_for_another(void *ctx)
{
	(void)ctx;
	free(due_text(NULL, "wang", -1));
}

static void
test_due_list_rights(void **state)
{
	struct unit_child c;
	char *t;

	(void)state;
	unit_run(unknown_pool, NULL, &c);
	assert_died(&c, "no pool 'west'");
	unit_run(unknown_owner, NULL, &c);
	assert_died(&c, "no user 'zhao'");
	/* once an admin exists, a rep sees its own only */
	crm_db_exec(db, "INSERT INTO users (login, role, created_at)"
	    " VALUES ('boss', 'admin', '" NOW "')");
	crm_config_set(db, "test-clock", "on");	/* reps act at NOW too */
	crm_db_close(db);
	crm_g.actor = "wang";
	db = crm_db_open(CRM_DB_READ);
	t = due_text(NULL, NULL, 3 * 86400);
	assert_string_equal(t, HEADER
	    "wang\twang@example.com\t5\te\tE\teast\tno-followup\t32\t30"
	    "\t2026-11-20T09:00:00Z\t0\n"
	    "wang\twang@example.com\t1\ta\tA\teast\tno-followup\t28\t30"
	    "\t2026-11-24T09:00:00Z\t2\n");
	free(t);
	crm_g.actor = "li";
	crm_db_close(db);
	db = crm_db_open(CRM_DB_READ);
	unit_run(rep_asks_for_another, NULL, &c);
	assert_died(&c, "permission denied: only an admin may see the customers "
	    "due of 'wang' (you are 'li', a rep)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_setting_numbers),
		cmocka_unit_test(test_setting_lists),
		cmocka_unit_test(test_check_name),
		cmocka_unit_test(test_claimable_at),
		cmocka_unit_test(test_days_left),
		cmocka_unit_test(test_due_explain),
		cmocka_unit_test_setup_teardown(test_due_list_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_due_list_rights, setup, teardown),
	};
	int rc;

	setenv("TZ", "UTC", 1);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	unit_cleanup();
	return rc;
}
