/*
** test_scoredb.c: crm-score's database glue (score.h): the site's days of
** stored times (zones, summer time, the offset cache), the reader that
** reads customers beside their custom fields, follow-ups and deals in id
** order (forward, back, far ahead, merged ones), and the RFM measures of
** won deals.  Every expected day count is worked out in the comments.
*/
#include "unit.h"

#include "customer.h"
#include "db.h"
#include "period.h"
#include "score.h"
#include "when.h"

#define NOW "2026-11-22T09:00:00Z"

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
	crm_tz_set("UTC");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	crm_db_close(db);
	db = NULL;
	free((char *)crm_g.db_path);
	crm_g.db_path = NULL;
	crm_tz_set("UTC");
	return 0;
}

static long
day(int y, int m, int d)
{
	return day_from_civil(y, m, d);
}

static void
test_days(void **state)
{
	struct score_days d;

	(void)state;
	score_days_init(&d, day(2026, 11, 22));
	assert_int_equal(score_today(), day(2026, 11, 22));
	assert_int_equal(score_day(&d, "2026-11-21T23:59:59Z"), day(2026, 11, 21));
	assert_int_equal(score_day(&d, "2026-11-22T00:00:00Z"), day(2026, 11, 22));
	assert_int_equal(score_day(&d, NULL), SCORE_NO_DAY);
	assert_int_equal(score_day(&d, "yesterday"), SCORE_NO_DAY);
	assert_int_equal(score_day(&d, "1969-12-31T23:59:59Z"), -1);
	/* Shanghai is 8 hours ahead all year */
	crm_tz_set("Asia/Shanghai");
	score_days_init(&d, day(2026, 11, 22));
	assert_int_equal(score_day(&d, "2026-11-21T15:59:59Z"), day(2026, 11, 21));
	assert_int_equal(score_day(&d, "2026-11-21T16:00:00Z"), day(2026, 11, 22));
	/* a time without an offset is the site's: its own day */
	assert_int_equal(score_day(&d, "2026-11-22 00:30"), day(2026, 11, 22));
	assert_int_equal(score_date("2026-11-22"), day(2026, 11, 22));
	assert_int_equal(score_date("2026-02-30"), SCORE_NO_DAY);
	/*
	** New York moves from UTC-5 to UTC-4 at 07:00 UTC on 2026-03-08:
	** midnight is 05:00 UTC before and 04:00 UTC after.  The same
	** cache answers both sides.
	*/
	crm_tz_set("America/New_York");
	score_days_init(&d, day(2026, 11, 22));
	assert_int_equal(score_day(&d, "2026-03-08T04:59:59Z"), day(2026, 3, 7));
	assert_int_equal(score_day(&d, "2026-03-08T05:00:00Z"), day(2026, 3, 8));
	assert_int_equal(score_day(&d, "2026-03-09T03:59:59Z"), day(2026, 3, 8));
	assert_int_equal(score_day(&d, "2026-03-09T04:00:00Z"), day(2026, 3, 9));
	assert_int_equal(score_day(&d, "2026-03-08T04:59:59Z"), day(2026, 3, 7));
	/* every hour of a year against the C library, through the cache */
	for (long long t = 1767225600LL; t < 1767225600LL + 366 * 86400LL;
	    t += 3599) {
		char iso[CRM_TIME_LEN];
		time_t tt = (time_t)t;
		struct tm tm;

		crm_format_time(tt, iso);
		localtime_r(&tt, &tm);
		assert_int_equal(score_day(&d, iso), day(tm.tm_year + 1900,
		    tm.tm_mon + 1, tm.tm_mday));
	}
}

/*
** Customers 1-5: 2 merged into 1; 4 has a field of its own; follow-ups
** of 1 and 3; deals of 3 and 5.
*/
static void
data(void)
{
	crm_db_exec(db,
	    "INSERT INTO customers (id, name, status, created_at, updated_at) VALUES"
	    " (1, 'a', 'lead', '" NOW "', '" NOW "'),"
	    " (2, 'b', 'lead', '" NOW "', '" NOW "'),"
	    " (3, 'c', 'customer', '" NOW "', '" NOW "'),"
	    " (4, 'd', 'lead', '" NOW "', '" NOW "'),"
	    " (5, 'e', 'customer', '" NOW "', '" NOW "');"
	    "UPDATE customers SET merged_into = 1 WHERE id = 2;"
	    "INSERT INTO custom_fields (id, name) VALUES (7, '预算');"
	    "INSERT INTO customer_fields VALUES (4, 7, '50万');"
	    "INSERT INTO activities (customer_id, kind, at, done_at, created_at) VALUES"
	    " (1, 'call', '2026-11-20T10:00:00Z', '2026-11-20T10:00:00Z', '" NOW "'),"
	    " (3, 'visit', '2026-10-23T10:00:00Z', '2026-10-23T10:00:00Z', '" NOW "'),"
	    " (1, 'note', '2026-11-22T01:00:00Z', '2026-11-22T01:00:00Z', '" NOW "');"
	    "INSERT INTO activities (customer_id, kind, due_at, created_at) VALUES"
	    " (3, 'call', '2026-11-25T00:00:00Z', '" NOW "');"
	    "INSERT INTO deals (customer_id, title, amount, currency, stage_id,"
	    " stage_since, closed_at, created_at) VALUES"
	    " (3, 'x', 150000, 'CNY', 3, '2026-11-12T00:00:00Z', NULL, '" NOW "'),"
	    " (5, 'y', NULL, 'USD', 5, '2026-01-10T00:00:00Z',"
	    " '2026-01-10T00:00:00Z', '" NOW "'),"
	    " (3, 'z', 100, 'CNY', 6, '2026-11-01T00:00:00Z',"
	    " '2026-11-02T00:00:00Z', '" NOW "');");
}

/* Find the follow-up of kind KIND in C; its index, or fail. */
static const struct score_activity *
act(const struct score_customer *c, const char *kind)
{
	for (size_t i = 0; i < c->in.nact; i++)
		if (c->in.act[i].kind && strcmp(c->in.act[i].kind, kind) == 0)
			return &c->in.act[i];
	fail_msg("customer %lld has no %s", c->id, kind);
	return NULL;
}

static void
test_reader(void **state)
{
	struct score_days d;
	struct score_reader *r;
	struct score_customer c;
	const struct score_names *nm;

	(void)state;
	data();
	score_days_init(&d, day(2026, 11, 22));
	r = score_reader_open(db, SCORE_WITH_CUSTOM | SCORE_WITH_ACTS |
	    SCORE_WITH_DEALS | SCORE_STORED | SCORE_LIVE, &d, 0);
	nm = score_reader_names(r);
	assert_int_equal(nm->nfields, CC_NLONG + 1);
	assert_string_equal(nm->fields[CC_NLONG], "预算");
	assert_string_equal(nm->fields[CC_INDUSTRY], "industry");
	assert_int_equal(nm->nstages, 6);

	/* in id order; 2 is merged */
	assert_int_equal(score_reader_next(r, &c), 1);
	assert_int_equal(c.id, 1);
	assert_int_equal(c.sight, CRM_SIGHT_FULL);	/* no admin yet: all */
	assert_string_equal(c.in.fields[CC_NAME], "a");
	assert_null(c.in.fields[CC_NLONG]);
	assert_int_equal(c.in.nact, 2);
	/* 2026-11-20 is 2 days before the 22nd; the note is today */
	assert_int_equal(act(&c, "call")->days, 2);
	assert_int_equal(act(&c, "note")->days, 0);
	assert_int_equal(c.in.ndeal, 0);

	assert_int_equal(score_reader_next(r, &c), 1);
	assert_int_equal(c.id, 3);
	assert_int_equal(c.in.nact, 2);
	assert_int_equal(act(&c, "visit")->days, 30);	/* Oct 23 - Nov 22 */
	assert_int_equal(act(&c, "call")->planned, 1);
	assert_int_equal(act(&c, "call")->days, -3);	/* due in 3 days */
	assert_int_equal(c.in.ndeal, 2);
	assert_string_equal(c.in.deal[0].stage, "proposal");
	assert_int_equal(c.in.deal[0].outcome, SCORE_OPEN);
	assert_int_equal(c.in.deal[0].amount, 150000);
	assert_int_equal(c.in.deal[0].stage_days, 10);
	assert_int_equal(c.in.deal[0].closed_days, -1);
	assert_string_equal(c.in.deal[1].stage, "lost");
	assert_int_equal(c.in.deal[1].closed_days, 20);	/* Nov 2 */
	assert_string_equal(c.in.deal[1].currency, "CNY");

	assert_int_equal(score_reader_next(r, &c), 1);
	assert_int_equal(c.id, 4);
	assert_string_equal(c.in.fields[CC_NLONG], "50万");
	assert_int_equal(c.in.nact, 0);

	assert_int_equal(score_reader_next(r, &c), 1);
	assert_int_equal(c.id, 5);
	assert_int_equal(c.in.ndeal, 1);
	assert_int_equal(c.in.deal[0].outcome, SCORE_WON);
	assert_int_equal(c.in.deal[0].amount, 0);	/* NULL */
	assert_string_equal(c.in.deal[0].currency, "USD");
	assert_int_equal(c.in.deal[0].closed_days, 316);	/* Jan 10 */
	assert_int_equal(score_reader_next(r, &c), 0);
	score_reader_close(r);

	/* asked for by id: back, far ahead, merged, missing, then on */
	r = score_reader_open(db, SCORE_WITH_ACTS | SCORE_WITH_DEALS, &d, 0);
	assert_int_equal(score_reader_get(r, 5, &c), 1);
	assert_int_equal(c.in.ndeal, 1);
	assert_int_equal(score_reader_get(r, 3, &c), 1);
	assert_int_equal(c.in.ndeal, 2);
	assert_int_equal(c.in.nact, 2);
	assert_int_equal(score_reader_get(r, 3, &c), 1);	/* again */
	assert_int_equal(c.in.nact, 2);
	assert_int_equal(score_reader_get(r, 2, &c), 1);	/* merged */
	assert_int_equal(c.in.nact, 0);
	assert_int_equal(score_reader_get(r, 1, &c), 1);
	assert_int_equal(c.in.nact, 2);
	assert_int_equal(score_reader_get(r, 9, &c), 0);
	assert_int_equal(score_reader_get(r, 1000, &c), 0);
	assert_int_equal(score_reader_get(r, 4, &c), 1);
	assert_int_equal(score_reader_next(r, &c), 1);
	assert_int_equal(c.id, 5);
	assert_int_equal(score_reader_next(r, &c), 0);
	score_reader_close(r);

	/* existing customers only, and only the fields asked for */
	r = score_reader_open(db, SCORE_EXISTING | SCORE_WITH_DEALS, &d, 0);
	{
		unsigned char want[CC_NLONG + 1] = { 0 };

		want[CC_NAME] = 1;
		score_reader_need(r, ~0u, want);
	}
	assert_int_equal(score_reader_next(r, &c), 1);
	assert_int_equal(c.id, 3);
	assert_string_equal(c.in.fields[CC_NAME], "c");
	assert_null(c.in.fields[CC_STATUS]);
	assert_string_equal(c.in.fields[CC_ID], "3");
	assert_int_equal(score_reader_next(r, &c), 1);
	assert_int_equal(c.id, 5);
	assert_int_equal(score_reader_next(r, &c), 0);
	score_reader_close(r);
}

static void
test_active(void **state)
{
	struct score_days d;
	struct score_reader *r;
	struct score_customer c;

	(void)state;
	data();
	score_days_init(&d, day(2026, 11, 22));
	/*
	** Within 10 days: 1's call 2 days ago (and note today: 0); 3's open
	** deal moved 10 days ago is out, its visit 30 days ago too.
	*/
	r = score_reader_open(db, SCORE_WITH_ACTIVE | SCORE_LIVE, &d, 10);
	assert_int_equal(score_reader_next(r, &c), 1);
	assert_int_equal(c.active_days, 0);
	assert_int_equal(score_reader_next(r, &c), 1);
	assert_int_equal(c.id, 3);
	assert_int_equal(c.active_days, -1);
	score_reader_close(r);
	/* within 11 days the deal is in */
	r = score_reader_open(db, SCORE_WITH_ACTIVE | SCORE_LIVE, &d, 11);
	assert_int_equal(score_reader_get(r, 3, &c), 1);
	assert_int_equal(c.active_days, 10);
	score_reader_close(r);
}

static void
test_rfm_won(void **state)
{
	struct score_days d;
	struct rfm_customer *v;
	size_t n;

	(void)state;
	data();
	crm_db_exec(db,
	    "INSERT INTO deals (customer_id, title, amount, currency, stage_id,"
	    " stage_since, closed_at, created_at) VALUES"
	    " (3, 'w1', 1000, 'CNY', 5, '2026-11-01T00:00:00Z',"
	    " '2026-11-01T00:00:00Z', '" NOW "'),"
	    " (3, 'w2', 2500, 'CNY', 5, '2026-06-01T00:00:00Z', NULL, '" NOW "'),"
	    " (3, 'w3', 99999, 'USD', 5, '2026-11-20T00:00:00Z',"
	    " '2026-11-20T00:00:00Z', '" NOW "'),"
	    " (2, 'merged', 1, 'CNY', 5, '2026-11-20T00:00:00Z',"
	    " '2026-11-20T00:00:00Z', '" NOW "');");
	score_days_init(&d, day(2026, 11, 22));
	n = score_rfm_won(db, &d, "CNY", &v);
	/* 3: three won (one closed_at NULL: its stage_since), the last 2
	** days ago, 1000 + 2500 in CNY; 5: one, 316 days, NULL amount 0;
	** 2 is merged */
	assert_int_equal(n, 2);
	assert_int_equal(v[0].id, 3);
	assert_int_equal(v[0].won, 3);
	assert_int_equal(v[0].won_days, 2);
	assert_int_equal(v[0].won_amount, 3500);
	assert_int_equal(v[1].id, 5);
	assert_int_equal(v[1].won_days, 316);
	free(v);
	/* as of Nov 19: the USD deal of the 20th is not yet won */
	score_days_init(&d, day(2026, 11, 19));
	n = score_rfm_won(db, &d, "USD", &v);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].won, 2);
	assert_int_equal(v[0].won_days, 18);	/* Nov 1 */
	assert_int_equal(v[0].won_amount, 0);
	free(v);
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
		cmocka_unit_test_setup_teardown(test_days, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reader, setup, teardown),
		cmocka_unit_test_setup_teardown(test_active, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rfm_won, setup, teardown),
	};

	crm_set_progname("test_scoredb");
	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
