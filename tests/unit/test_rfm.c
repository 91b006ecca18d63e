/*
** test_rfm.c: RFM quintiles and segments (rfm.h).  The quintiles are
** worked out by hand for a small set, and compared with SQLite's own
** NTILE(5) for a large one with many ties.
*/
#include "unit.h"

#include <sqlite3.h>

#include "rfm.h"

/*
** Seven customers with a won deal and two without.  With 7 rows NTILE(5)
** makes tiles of 2, 2, 1, 1, 1 (7 / 5 = 1, and the first 7 % 5 = 2 tiles
** get one more): positions 1-2 are tile 1, 3-4 tile 2, then 3, 4, 5.
*/
static struct rfm_customer small[] = {
	/* id won days amount active */
	{ 1, 3, 10, 5000, -1, 0, 0, 0 },
	{ 2, 1, 200, 100, -1, 0, 0, 0 },
	{ 3, 1, 10, 800, -1, 0, 0, 0 },
	{ 4, 5, 40, 5000, -1, 0, 0, 0 },
	{ 5, 2, 5, 300, -1, 0, 0, 0 },
	{ 6, 1, 400, 2000, -1, 0, 0, 0 },
	{ 7, 2, 90, 100, -1, 0, 0, 0 },
	{ 8, 0, 0, 0, 12, 0, 0, 0 },	/* contacted 12 days ago */
	{ 9, 0, 0, 0, 45, 0, 0, 0 },	/* 45 days ago */
};
#define NSMALL (sizeof small / sizeof small[0])

/* Customer ID's R, F and M as one number, e.g. 545. */
static int
code(long long id)
{
	for (size_t i = 0; i < NSMALL; i++)
		if (small[i].id == id)
			return small[i].r * 100 + small[i].f * 10 + small[i].m;
	fail_msg("no customer %lld", id);
	return -1;
}

static void
test_quintiles(void **state)
{
	(void)state;
	rfm_score(small, NSMALL);
	/*
	** R, ORDER BY days DESC, id: 400 (6), 200 (2) | 90 (7), 40 (4) |
	**    10 (1) | 10 (3) | 5 (5): 6 and 2 get 1, 7 and 4 get 2, 1 gets
	**    3, 3 gets 4 (the tie at 10 days goes by id), 5 gets 5.
	** F, ORDER BY won, id: 1 (2), 1 (3) | 1 (6), 2 (5) | 2 (7) | 3 (1) |
	**    5 (4): 2, 3: 1; 6, 5: 2; 7: 3; 1: 4; 4: 5.
	** M, ORDER BY amount, id: 100 (2), 100 (7) | 300 (5), 800 (3) |
	**    2000 (6) | 5000 (1) | 5000 (4): 2, 7: 1; 5, 3: 2; 6: 3; 1: 4;
	**    4: 5.
	*/
	assert_int_equal(code(1), 344);
	assert_int_equal(code(2), 111);
	assert_int_equal(code(3), 412);
	assert_int_equal(code(4), 255);
	assert_int_equal(code(5), 522);
	assert_int_equal(code(6), 123);
	assert_int_equal(code(7), 231);
	/* no won deal: no R, F or M */
	assert_int_equal(code(8), 0);
	assert_int_equal(code(9), 0);
	/* the array keeps its order */
	for (size_t i = 0; i < NSMALL; i++)
		assert_int_equal(small[i].id, (long long)i + 1);
}

static void
test_segments(void **state)
{
	struct rfm_segments *t;
	struct rfm_settings s = rfm_defaults;
	const char *want_default[] = { "强意愿", "强意愿", "强活跃", "强意愿",
		"强活跃", "强意愿", "强意愿", "弱意愿", "无意向" };
	const char *want_classic[] = { "Loyal", "Hibernating", "Promising",
		"Can't Lose Them", "Potential Loyalist", "Hibernating", "At Risk",
		NULL, NULL };

	(void)state;
	rfm_score(small, NSMALL);
	/*
	** Default (R >= 4 is 强活跃): customers 3 (R 4) and 5 (R 5) are 强活跃,
	** the other five with a won deal 强意愿; 8 was contacted 12 < 30
	** days ago (弱意愿), 9 45 days ago (无意向).
	*/
	t = rfm_segments_default(&s);
	for (size_t i = 0; i < NSMALL; i++)
		assert_string_equal(rfm_segment(t, &small[i]), want_default[i]);
	rfm_segments_free(t);
	/* 强活跃 from R 2 up: only 2 (R 1) and 6 (R 1) stay 强意愿 */
	s.strong_r = 2;
	s.active_days = 13;		/* 12 days is still in it */
	t = rfm_segments_default(&s);
	assert_string_equal(rfm_segment(t, &small[0]), "强活跃");
	assert_string_equal(rfm_segment(t, &small[1]), "强意愿");
	assert_string_equal(rfm_segment(t, &small[5]), "强意愿");
	assert_string_equal(rfm_segment(t, &small[7]), "弱意愿");
	rfm_segments_free(t);
	s.active_days = 12;		/* 12 days is not within 12 */
	t = rfm_segments_default(&s);
	assert_string_equal(rfm_segment(t, &small[7]), "无意向");
	rfm_segments_free(t);
	/*
	** Classic, by R and F: 1 (R3 F4) Loyal, 2 (R1 F1) Hibernating, 3
	** (R4 F1) Promising, 4 (R2 F5) Can't Lose Them, 5 (R5 F2) Potential
	** Loyalist, 6 (R1 F2) Hibernating, 7 (R2 F3) At Risk; 8 and 9 have
	** no won deal and no segment.
	*/
	t = rfm_segments_classic(&rfm_defaults);
	for (size_t i = 0; i < NSMALL; i++)
		if (want_classic[i] == NULL)
			assert_null(rfm_segment(t, &small[i]));
		else
			assert_string_equal(rfm_segment(t, &small[i]),
			    want_classic[i]);
	/* the ten rows cover each of the 25 R/F cells exactly once */
	assert_int_equal(t->n, 10);
	for (int r = 1; r <= 5; r++)
		for (int f = 1; f <= 5; f++) {
			int rows = 0;

			for (size_t i = 0; i < t->n; i++)
				rows += r >= t->v[i].rlo && r <= t->v[i].rhi &&
				    f >= t->v[i].flo && f <= t->v[i].fhi;
			if (rows != 1)
				fail_msg("R%d F%d is in %d classic segments", r, f,
				    rows);
		}
	rfm_segments_free(t);
}

static void
test_segment_file(void **state)
{
	struct rfm_segments *t;
	char err[512];
	/* the m column is missing: any M; empty cells are any too */
	const char *path = unit_writes(
	    "segment\tr\tf\twon\tactive\n"
	    "VIP\t5\t4-5\tyes\t\n"
	    "活跃\t4-5\t*\tyes\t*\n"
	    "沉睡\t1-2\t\tyes\t\n"
	    "新线索\t\t\tno\tyes\n");

	(void)state;
	rfm_score(small, NSMALL);
	t = rfm_segments_load(path, &rfm_defaults, err, sizeof err);
	if (t == NULL)
		fail_msg("%s", err);
	assert_int_equal(t->n, 4);
	/*
	** 5 (R5 F2) is not VIP (F 4-5) but 活跃; 3 (R4) 活跃; 2, 4, 6, 7
	** (R 1-2) 沉睡; 1 (R3) none of them; 8 (no won deal, active) 新线索;
	** 9 (not active) none.
	*/
	assert_string_equal(rfm_segment(t, &small[4]), "活跃");
	assert_string_equal(rfm_segment(t, &small[2]), "活跃");
	assert_string_equal(rfm_segment(t, &small[1]), "沉睡");
	assert_string_equal(rfm_segment(t, &small[3]), "沉睡");
	assert_null(rfm_segment(t, &small[0]));
	assert_string_equal(rfm_segment(t, &small[7]), "新线索");
	assert_null(rfm_segment(t, &small[8]));
	rfm_segments_free(t);
}

/* Assert that the segment table TEXT fails with "PATH:" and WANT. */
static void
segment_error(const char *text, const char *want)
{
	const char *path = unit_writes(text);
	char err[512], full[1024];
	struct rfm_segments *t = rfm_segments_load(path, &rfm_defaults, err,
	    sizeof err);

	if (t != NULL) {
		rfm_segments_free(t);
		fail_msg("expected '%s', but the table loaded", want);
	}
	snprintf(full, sizeof full, "%s:%s", path, want);
	assert_string_equal(err, full);
}

static void
test_segment_errors(void **state)
{
	(void)state;
	segment_error("segment\tr\nA\t6\n",
	    "2: bad r range '6' (N or N-M of 1 to 5, or *)");
	segment_error("segment\tf\nA\t1\nB\t3-2\n",
	    "3: bad f range '3-2' (N or N-M of 1 to 5, or *)");
	segment_error("segment\tm\nA\t1-\n",
	    "2: bad m range '1-' (N or N-M of 1 to 5, or *)");
	segment_error("segment\twon\nA\tmaybe\n", "2: bad won 'maybe' (yes, no "
	    "or *)");
	segment_error("segment\tactive\nA\t1\n", "2: bad active '1' (yes, no "
	    "or *)");
	segment_error("segment\tx\nA\t1\n", "1: unknown column 'x' (segment, r, "
	    "f, m, won, active)");
	segment_error("r\tf\n1\t1\n", "1: no column 'segment'");
	segment_error("segment\tr\n\t1\n", "2: a segment needs a name");
	segment_error("segment\tr\nA\t1\t2\n", "2: expected 2 fields, got 3");
}

static int
ntile_row(void *ctx, int n, char **v, char **names)
{
	struct rfm_customer *c = (struct rfm_customer *)ctx + atoll(v[0]) - 1;

	(void)n;
	(void)names;
	if (c->r != atoi(v[1]) || c->f != atoi(v[2]) || c->m != atoi(v[3]))
		fail_msg("customer %s: SQLite says %s%s%s, rfm_score %d%d%d",
		    v[0], v[1], v[2], v[3], c->r, c->f, c->m);
	return 0;
}

/*
** Against SQLite's NTILE(5): customers with ids in a shuffled order,
** heavy ties, and for each of 1..60 and 5003 customers.
*/
static void
test_against_sqlite(void **state)
{
	unsigned seed = 42;
	static struct rfm_customer v[5003];
	sqlite3 *db;
	sqlite3_stmt *st;
	size_t sizes[62], nsizes = 0;

	(void)state;
	for (size_t n = 1; n <= 60; n++)
		sizes[nsizes++] = n;
	sizes[nsizes++] = 5003;
	sizes[nsizes++] = 4;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	for (size_t k = 0; k < nsizes; k++) {
		size_t n = sizes[k];

		assert_int_equal(sqlite3_exec(db, "DROP TABLE IF EXISTS c;"
		    "CREATE TABLE c (id INTEGER, won INTEGER, days INTEGER,"
		    " amount INTEGER)", NULL, NULL, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO c VALUES "
		    "(?, ?, ?, ?)", -1, &st, NULL), SQLITE_OK);
		/* v[i] has id i + 1 */
		for (size_t i = 0; i < n; i++) {
			struct rfm_customer *c = &v[i];

			memset(c, 0, sizeof *c);
			c->id = (long long)i + 1;
			c->won = rand_r(&seed) % 4 ? rand_r(&seed) % 6 + 1 : 0;
			c->won_days = rand_r(&seed) % 40;
			c->won_amount = (rand_r(&seed) % 8) * 100000LL;
		}
		/* 7919 is a prime above every n: j * 7919 % n is a shuffle */
		for (size_t j = 0; j < n; j++) {
			struct rfm_customer *c = &v[(j * 7919) % n];

			sqlite3_bind_int64(st, 1, c->id);
			sqlite3_bind_int64(st, 2, c->won);
			sqlite3_bind_int64(st, 3, c->won_days);
			sqlite3_bind_int64(st, 4, c->won_amount);
			assert_int_equal(sqlite3_step(st), SQLITE_DONE);
			sqlite3_reset(st);
		}
		sqlite3_finalize(st);
		rfm_score(v, n);
		assert_int_equal(sqlite3_exec(db,
		    "SELECT id,"
		    " NTILE(5) OVER (ORDER BY days DESC, id),"
		    " NTILE(5) OVER (ORDER BY won, id),"
		    " NTILE(5) OVER (ORDER BY amount, id)"
		    " FROM c WHERE won > 0", ntile_row, v, NULL), SQLITE_OK);
		for (size_t i = 0; i < n; i++)
			if (v[i].won == 0)
				assert_int_equal(v[i].r + v[i].f + v[i].m, 0);
	}
	sqlite3_close(db);
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
		cmocka_unit_test(test_quintiles),
		cmocka_unit_test(test_segments),
		cmocka_unit_test(test_segment_file),
		cmocka_unit_test(test_segment_errors),
		cmocka_unit_test(test_against_sqlite),
	};

	crm_set_progname("test_rfm");
	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
