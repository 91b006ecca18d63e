/*
** test_score.c: score rule files (scorerules.h, crm-score-rules(5)) and
** the health score (health.h).  Every expected score is added up by
** hand in the comments; errors must name FILE:LINE:COLUMN exactly.
*/
#include "unit.h"

#include <time.h>

#include "health.h"
#include "scorerules.h"

static const char *const fields[] = {
	"name", "company", "industry", "region", "source", "phone", "email"
};
enum { F_NAME, F_COMPANY, F_INDUSTRY, F_REGION, F_SOURCE, F_PHONE, F_EMAIL,
	F_N };
static const char *const stages[] = {
	"new", "qualified", "proposal", "negotiation", "won", "lost"
};
static const struct score_names names = { fields, F_N, stages, 6 };

/* Load TEXT as a rule file; it must load. */
static struct score_rules *
load(const char *text)
{
	char err[512];
	struct score_rules *rs = score_rules_load(unit_writes(text), &names,
	    err, sizeof err);

	if (rs == NULL)
		fail_msg("rules did not load: %s", err);
	return rs;
}

/* Score IN with RS; it must not fail. */
static struct score_result
eval(struct score_rules *rs, const struct score_input *in)
{
	struct score_result res;
	char err[512];

	if (score_eval(rs, in, &res, err, sizeof err) != 0)
		fail_msg("score_eval: %s", err);
	return res;
}

/* Assert that RES fired exactly the rules on LINES with POINTS. */
static void
fired(const struct score_result *res, size_t n, const unsigned long *lines,
    const long long *points)
{
	long long sum = 0;

	if (res->nfired != n)
		fail_msg("expected %zu rules to fire, got %zu", n, res->nfired);
	for (size_t i = 0; i < n; i++) {
		if (res->fired[i].line != lines[i] ||
		    res->fired[i].points != points[i])
			fail_msg("fired[%zu]: expected line %lu %+lld, got line "
			    "%lu %+lld (%s)", i, lines[i], points[i],
			    res->fired[i].line, res->fired[i].points,
			    res->fired[i].text);
		sum += res->fired[i].points;
	}
	/* the explanation always adds up to the score */
	assert_int_equal(sum, res->score);
}

static const char main_rules[] =
    "# 评分规则\n"					/* 1 */
    "+20 industry ~ 教育|医疗\n"				/* 2 */
    "-10 source ~ ^展会$\n"				/* 3 */
    "+5 region !~ 华东\n"				/* 4 */
    "-5 phone is empty\n"				/* 5 */
    "+3 email is not empty\n"				/* 6 */
    "\n"						/* 7 */
    "+5 per call within 30d max 20\n"			/* 8 */
    "+10 visit within 90d\n"				/* 9 */
    "+2 per 跟进 within 7d\n"				/* 10 */
    "  -3 per note within 7d max 5  \r\n"		/* 11 */
    "+15 deal open in proposal,negotiation\n"		/* 12 */
    "+10 deal open amount >= ¥500,000\n"		/* 13 */
    "+30 deal won within 365d\n"			/* 14 */
    "+1 source ~ /^WEB$/i\n"				/* 15 */
    "+4 行业 ~ 器械\n"					/* 16 */
    "grade A >= 60\n"					/* 17 */
    "grade C >= 0\n"					/* 18 */
    "grade B>=30\n";					/* 19 */

static void
test_score_x(void **state)
{
	struct score_rules *rs = load(main_rules);
	const char *v[F_N] = { "李四", NULL, "医疗器械", "华南", "展会", NULL,
		"li@example.cn" };
	const struct score_activity act[] = {
		{ "call", 1, 0 }, { "call", 5, 0 }, { "call", 29, 0 },
		{ "call", 30, 0 }, { "call", 2, 0 }, { "call", 10, 0 },
		{ "visit", 100, 0 }, { "call", -3, 1 }, { "note", 3, 0 },
		{ "note", 6, 0 }, { "note", 0, 0 }, { "call", 7, 0 },
	};
	const struct score_deal deal[] = {
		{ "proposal", SCORE_OPEN, 60000000, "CNY", 12, -1 },
		{ "won", SCORE_WON, 100000, "CNY", 400, 400 },
	};
	struct score_input in = { v, act, 12, deal, 2 };
	struct score_result res;
	/*
	** line  2: industry 医疗器械 has 医疗                     +20
	** line  3: source is 展会                                 -10
	** line  4: region 华南 has no 华东                         +5
	** line  5: no phone                                       -5
	** line  6: an email                                       +3
	** line  8: calls 1, 5, 29, 2, 10, 7 days ago (30 is not
	**          within 30d; the planned one does not count):
	**          6 * 5 = 30, capped at                          +20
	** line  9: the one visit is 100 days old: nothing
	** line 10: done follow-ups of any kind within 7d (today
	**          and the 6 days before): calls 1, 5, 2 and notes
	**          3, 6, 0, not the call 7 days ago: 6 * 2 =      +12
	** line 11: notes 3, 6, 0: 3 * -3 = -9, capped at          -5
	** line 12: an open deal in proposal                       +15
	** line 13: it is ¥600,000.00 >= ¥500,000 (in 分)          +10
	** line 14: the won deal closed 400 days ago: nothing
	** line 15: source 展会 is not web: nothing
	** line 16: 行业 is industry; 医疗器械 has 器械              +4
	** 20 - 10 + 5 - 5 + 3 + 20 + 12 - 5 + 15 + 10 + 4 = 69: grade A
	*/
	const unsigned long lines[] = { 2, 3, 4, 5, 6, 8, 10, 11, 12, 13, 16 };
	const long long points[] = { 20, -10, 5, -5, 3, 20, 12, -5, 15, 10, 4 };

	(void)state;
	res = eval(rs, &in);
	fired(&res, 11, lines, points);
	assert_int_equal(res.score, 69);
	assert_string_equal(res.grade, "A");
	assert_string_equal(res.fired[7].text, "-3 per note within 7d max 5");
	assert_int_equal(score_rules_count(rs), 14);	/* lines 2-16 but 7 */
	assert_int_equal(score_rules_ngrades(rs), 3);
	score_rules_free(rs);
}

static void
test_score_y_z(void **state)
{
	struct score_rules *rs = load(main_rules);
	const char *y[F_N] = { NULL };
	struct score_input in = { y, NULL, 0, NULL, 0 };
	struct score_result res;
	/*
	** Y has nothing: line 4 (no region is not 华东) +5 and line 5
	** (no phone) -5: 0, which is grade C (>= 0), not B (>= 30).
	*/
	const unsigned long ylines[] = { 4, 5 };
	const long long ypoints[] = { 5, -5 };
	/*
	** Z: source Web matches /^WEB$/i (line 15) +1; region 华东区 and a
	** phone: nothing; an empty email is empty: nothing.  Its open deal
	** is in USD, so "amount >= ¥500,000" (line 13) does not compare, and
	** its stage (new) is not proposal or negotiation (line 12).  The won
	** deal closed 364 days ago, within 365d (line 14) +30; the one
	** closed 365 days ago does not add to it.  1 + 30 = 31: grade B.
	*/
	const char *z[F_N] = { "王五", NULL, NULL, "华东区", "Web", "13812345678",
		"" };
	const struct score_deal zdeal[] = {
		{ "new", SCORE_OPEN, 100000000, "USD", 3, -1 },
		{ "won", SCORE_WON, 50000, "CNY", 0, 364 },
		{ "won", SCORE_WON, 50000, "CNY", 0, 365 },
	};
	const unsigned long zlines[] = { 14, 15 };
	const long long zpoints[] = { 30, 1 };

	(void)state;
	res = eval(rs, &in);
	fired(&res, 2, ylines, ypoints);
	assert_int_equal(res.score, 0);
	assert_string_equal(res.grade, "C");
	in.fields = z;
	in.deal = zdeal;
	in.ndeal = 3;
	res = eval(rs, &in);
	fired(&res, 2, zlines, zpoints);
	assert_int_equal(res.score, 31);
	assert_string_equal(res.grade, "B");
	/* below every threshold there is no grade */
	assert_null(score_grade(rs, -1));
	assert_string_equal(score_grade(rs, 60), "A");
	assert_string_equal(score_grade(rs, 59), "B");
	score_rules_free(rs);
}

static void
test_deal_rules(void **state)
{
	struct score_rules *rs = load(
	    "+5 per deal won max 12\n"			/* 1 */
	    "+1 per deal lost within 30d\n"		/* 2 */
	    "+7 deal amount > 100 USD\n"		/* 3 */
	    "-4 deal in qualified amount < 1\n"		/* 4 */
	    "+9 deal lost in new\n");			/* 5 */
	const char *v[F_N] = { NULL };
	const struct score_deal deal[] = {
		{ "won", SCORE_WON, 1, "CNY", 0, 500 },
		{ "won", SCORE_WON, 2, "CNY", 0, 10 },
		{ "won", SCORE_WON, 3, "CNY", 0, 0 },
		{ "lost", SCORE_LOST, 0, "CNY", 0, 29 },
		{ "lost", SCORE_LOST, 0, "CNY", 0, 30 },
		{ "qualified", SCORE_OPEN, 10001, "USD", 5, -1 },
		{ "qualified", SCORE_OPEN, 0, NULL, 5, -1 },
	};
	struct score_input in = { v, NULL, 0, deal, 7 };
	/*
	** line 1: 3 won deals, 3 * 5 = 15, capped at 12          +12
	** line 2: lost 29 days ago counts, 30 days ago not: 1 * 1  +1
	** line 3: USD 100.01 is 10001 cents > 10000              +7
	** line 4: the qualified deal with no currency is CNY, and
	**         its 0 is < 1 分 (the USD one does not compare)  -4
	** line 5: no lost deal is in stage new: nothing
	** 12 + 1 + 7 - 4 = 16
	*/
	const unsigned long lines[] = { 1, 2, 3, 4 };
	const long long points[] = { 12, 1, 7, -4 };
	struct score_result res;

	(void)state;
	res = eval(rs, &in);
	fired(&res, 4, lines, points);
	assert_int_equal(res.score, 16);
	assert_null(res.grade);		/* no grades in the file */
	score_rules_free(rs);
}

/* Assert that TEXT does not load, with "PATH:" followed by WANT. */
static void
load_error(const char *text, const char *want)
{
	const char *path = unit_writes(text);
	char err[512], full[1024];
	struct score_rules *rs = score_rules_load(path, &names, err,
	    sizeof err);

	if (rs != NULL) {
		score_rules_free(rs);
		fail_msg("expected '%s', but the rules loaded", want);
	}
	snprintf(full, sizeof full, "%s:%s", path, want);
	if (strcmp(err, full) != 0)
		fail_msg("expected '%s', got '%s'", full, err);
}

static void
test_load_errors(void **state)
{
	(void)state;
	/*
	** A bad pattern: "+20 industry ~ " is 15 characters, so the pattern
	** starts in column 16; PCRE2 finds the missing ")" at its end, after
	** the 6 characters 教育|(医疗: column 22.
	*/
	load_error("# ok\n+20 industry ~ 教育|(医疗\n",
	    "2:22: bad pattern '教育|(医疗': missing closing parenthesis");
	/* "+1 行业 ~ " is 8 characters; the ")" is the 3rd of the pattern */
	load_error("+1 行业 ~ 教育)\n",
	    "1:11: bad pattern '教育)': unmatched closing parenthesis");
	load_error("+1 name ~ /(/i\n",
	    "1:13: bad pattern '(': missing closing parenthesis");
	/* an unknown field: the caller's list has no budget */
	load_error("+5 budget ~ x\n", "1:4: unknown field 'budget'");
	load_error("+5 预算 is empty\n", "1:4: unknown field '预算'");
	/* grade lines */
	load_error("grade A 60\n", "1:9: expected '>=' after 'grade A'");
	load_error("grade A >= lots\n", "1:12: expected a whole number of "
	    "points after 'grade A >=', got 'lots'");
	load_error("grade\n", "1:6: expected a label after 'grade'");
	load_error("grade A >= 60 or so\n", "1:15: unexpected 'or' after the "
	    "grade");
	load_error("grade A >= 60\ngrade B >= 60\n",
	    "2:7: grade 'B' has the threshold of grade 'A' (line 1)");
	load_error("grade A >= 60\ngrade A >= 30\n",
	    "2:7: grade 'A' is given twice (first on line 1)");
	/* points rules */
	load_error("20 industry ~ x\n", "1:1: expected points such as '+10' "
	    "or '-5', 'grade' or 'health', got '20'");
	load_error("+2000000 industry ~ x\n", "1:1: bad points '+2000000' (a "
	    "whole number from -1000000 to +1000000)");
	load_error("+5\n", "1:3: expected a field, an activity kind or 'deal' "
	    "after the points");
	load_error("+5 per industry ~ x\n", "1:4: 'per' counts activities or "
	    "deals; a field rule adds its points once");
	load_error("+5 industry\n",
	    "1:12: expected '~', '!~' or 'is' after field 'industry'");
	load_error("+5 industry ~   \n",
	    "1:17: missing pattern after 'industry ~'");
	load_error("+5 email is blank\n",
	    "1:13: expected 'empty' or 'not empty' after 'email is'");
	load_error("+5 callz within 3d\n",
	    "1:4: unknown field or activity kind 'callz'");
	load_error("+5 call,vist within 3d\n", "1:9: unknown activity kind 'vist'");
	load_error("+5 call, within 3d\n",
	    "1:9: expected an activity kind after ','");
	load_error("+5 per visit,,call\n",
	    "1:14: expected an activity kind after ','");
	load_error("+5 per call within 30 max 20\n", "1:20: expected days such "
	    "as '30d' or weeks such as '4w' after 'within', got '30'");
	load_error("+5 call max 3\n",
	    "1:9: 'max' caps a 'per' rule; this one adds its points once");
	load_error("+5 per call max 3\n",
	    "1:17: max 3 is less than the 5 points of one event");
	load_error("+5 per call within 7d within 8d\n", "1:23: 'within' given "
	    "twice");
	load_error("+5 call today\n", "1:9: unexpected 'today' in an activity "
	    "rule");
	load_error("+5 deal open within 30d\n", "1:14: 'within' counts days "
	    "since a deal closed: write 'won' or 'lost' too");
	load_error("+5 deal in proposal,nosuch\n", "1:21: unknown stage 'nosuch'");
	load_error("+5 deal in proposal,\n", "1:21: expected a stage name");
	load_error("+5 deal in\n", "1:9: expected stage names after 'in'");
	load_error("+5 deal won won\n", "1:13: 'won' given twice");
	load_error("+5 deal amount = 5\n",
	    "1:16: expected '>=', '>', '<=' or '<' after 'amount'");
	load_error("+5 deal amount >= 1.234\n",
	    "1:19: '1.234' has more than 2 decimals for CNY");
	/* health settings */
	load_error("health recency = 2000\n", "1:18: expected a whole number "
	    "from 0 to 1000 after 'health recency =', got '2000'");
	load_error("health mood = 1\n", "1:8: expected recency, trend, overdue, "
	    "stalled, recent-days, lapsed-days, stalled-days or trend-days "
	    "after 'health', got 'mood'");
	load_error("health recency 5\n", "1:16: expected '=' after 'health "
	    "recency'");
	load_error("health recency = 0\nhealth trend = 0\nhealth overdue = 0\n"
	    "health stalled = 0\n# end\n", "4:1: the health weights are all 0");
	load_error("health recent-days = 100\n", "1:1: health recent-days (100) "
	    "must be less than lapsed-days (90)");
}

static void
test_match_limit(void **state)
{
	/* "+1 name ~ " is 10 characters: the pattern is in column 11 */
	const char *path = unit_writes("+1 company ~ x\n+1 name ~ (a+)+$\n");
	char value[4096], err[512], want[1024];
	struct score_rules *rs = score_rules_load(path, &names, err,
	    sizeof err);
	const char *v[F_N] = { value };
	struct score_input in = { v, NULL, 0, NULL, 0 };
	struct score_result res;
	struct timespec t0, t1;
	double secs;

	(void)state;
	assert_non_null(rs);
	/* (a+)+$ against aaa...ab tries every way to split the a's */
	memset(value, 'a', sizeof value - 2);
	value[sizeof value - 2] = 'b';
	value[sizeof value - 1] = '\0';
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(score_eval(rs, &in, &res, err, sizeof err), -1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	snprintf(want, sizeof want, "%s:2:11: name ~ (a+)+$: match limit "
	    "exceeded", path);
	assert_string_equal(err, want);
	if (secs > 2)
		fail_msg("the match limit took %.2f s", secs);
	/* a value it can decide quickly still scores */
	strcpy(value, "aaaa");
	res = eval(rs, &in);
	assert_int_equal(res.score, 1);
	score_rules_free(rs);
}

static void
test_health_settings(void **state)
{
	struct score_rules *rs = load("health recency = 0\nhealth trend=0\n"
	    "health stalled-days = 60\n");
	const struct health_params *h = score_rules_health(rs);

	(void)state;
	/* the documented defaults, as far as the file left them */
	assert_int_equal(health_defaults.weight[HEALTH_RECENCY], 40);
	assert_int_equal(health_defaults.weight[HEALTH_TREND], 30);
	assert_int_equal(health_defaults.weight[HEALTH_OVERDUE], 15);
	assert_int_equal(health_defaults.weight[HEALTH_STALLED], 15);
	assert_int_equal(health_defaults.recent_days, 7);
	assert_int_equal(health_defaults.lapsed_days, 90);
	assert_int_equal(health_defaults.stalled_days, 30);
	assert_int_equal(health_defaults.trend_days, 365);
	assert_int_equal(h->weight[HEALTH_RECENCY], 0);
	assert_int_equal(h->weight[HEALTH_TREND], 0);
	assert_int_equal(h->weight[HEALTH_OVERDUE], 15);
	assert_int_equal(h->weight[HEALTH_STALLED], 15);
	assert_int_equal(h->stalled_days, 60);
	assert_int_equal(h->recent_days, 7);
	assert_int_equal(score_rules_count(rs), 0);
	score_rules_free(rs);
}

/* The customer of the health tests. */
static const struct score_activity h_act[] = {
	{ "call", 48, 0 },	/* the last contact, 48 days ago */
	{ "visit", 200, 0 },
	{ "call", 3, 1 },	/* planned, due 3 days ago: overdue */
	{ "call", -2, 1 },	/* planned, due in 2 days */
	{ "note", 0, 1 },	/* planned, due today: not overdue yet */
};
static const struct score_deal h_deal[] = {
	{ "won", SCORE_WON, 30000, "CNY", 0, 100 },	/* this year */
	{ "won", SCORE_WON, 10000, "CNY", 0, 400 },	/* the year before */
	{ "won", SCORE_WON, 99999, "CNY", 0, 730 },	/* too old */
	{ "proposal", SCORE_OPEN, 0, "CNY", 45, -1 },	/* stalled */
	{ "new", SCORE_OPEN, 0, "CNY", 10, -1 },
	{ "lost", SCORE_LOST, 0, "CNY", 50, 50 },
};

static void
test_health(void **state)
{
	const char *v[F_N] = { NULL };
	struct score_input in = { v, h_act, 5, h_deal, 6 };
	struct health_result r;
	struct health_params p = health_defaults;

	(void)state;
	/*
	** recency: 48 days is between 7 and 90: (90 - 48) / (90 - 7) = 42/83
	**          = 0.50602; 40 * 42/83 = 20.2410
	** trend:   won 300.00 in the last 365 days, 100.00 in the 365
	**          before (730 days is out): 300 / (300 + 100) = 0.75;
	**          30 * 0.75 = 22.5
	** overdue: one planned follow-up past its day: 1 / (1 + 1) = 0.5;
	**          15 * 0.5 = 7.5
	** stalled: of 2 open deals, 1 has been 45 >= 30 days in its stage:
	**          1 - 1/2 = 0.5; 15 * 0.5 = 7.5
	** score:   20.2410 + 22.5 + 7.5 + 7.5 = 57.741, rounded 58.  The
	**          floors 20 + 22 + 7 + 7 = 56 leave 2 points, for the
	**          largest remainders: .5 of trend (first of the three .5s),
	**          then .5 of overdue: 20, 23, 8, 7.
	*/
	health_eval(&p, &in, &r);
	assert_true(r.fraction[HEALTH_RECENCY] > 42.0 / 83 - 1e-12 &&
	    r.fraction[HEALTH_RECENCY] < 42.0 / 83 + 1e-12);
	assert_true(r.fraction[HEALTH_TREND] == 0.75);
	assert_true(r.fraction[HEALTH_OVERDUE] == 0.5);
	assert_true(r.fraction[HEALTH_STALLED] == 0.5);
	assert_int_equal(r.score, 58);
	assert_int_equal(r.points[HEALTH_RECENCY], 20);
	assert_int_equal(r.points[HEALTH_TREND], 23);
	assert_int_equal(r.points[HEALTH_OVERDUE], 8);
	assert_int_equal(r.points[HEALTH_STALLED], 7);

	/*
	** Weights 0, 0, 15, 15 (as test_health_settings's file sets them):
	** overdue and stalled share 100: 100 * 15 * 0.5 / 30 = 25 each.
	*/
	p.weight[HEALTH_RECENCY] = p.weight[HEALTH_TREND] = 0;
	health_eval(&p, &in, &r);
	assert_int_equal(r.score, 50);
	assert_int_equal(r.points[HEALTH_RECENCY], 0);
	assert_int_equal(r.points[HEALTH_TREND], 0);
	assert_int_equal(r.points[HEALTH_OVERDUE], 25);
	assert_int_equal(r.points[HEALTH_STALLED], 25);
}

static void
test_health_edges(void **state)
{
	const char *v[F_N] = { NULL };
	struct score_input in = { v, NULL, 0, NULL, 0 };
	struct health_result r;
	struct score_activity a = { "call", 0, 0 };
	const struct score_deal usd[] = {
		{ "won", SCORE_WON, 10000, "USD", 0, 10 },	/* recent */
		{ "won", SCORE_WON, 30000, "usd", 0, 500 },	/* before */
		{ "won", SCORE_WON, 900000, "CNY", 0, 10 },	/* recent */
	};

	(void)state;
	/*
	** Nothing at all: no contact 0, no won amount 0, nothing overdue 1,
	** no open deal to stall 1: 15 + 15 = 30.
	*/
	health_eval(&health_defaults, &in, &r);
	assert_int_equal(r.score, 30);
	assert_int_equal(r.points[HEALTH_RECENCY], 0);
	assert_int_equal(r.points[HEALTH_TREND], 0);
	/* recency at its limits: 6 and 7 days are full, 90 is nothing */
	in.act = &a;
	in.nact = 1;
	a.days = 6;
	health_eval(&health_defaults, &in, &r);
	assert_int_equal(r.points[HEALTH_RECENCY], 40);
	a.days = 7;
	health_eval(&health_defaults, &in, &r);
	assert_int_equal(r.points[HEALTH_RECENCY], 40);
	a.days = 89;	/* 40 * 1/83 = 0.48: the largest remainder, 1 */
	health_eval(&health_defaults, &in, &r);
	assert_int_equal(r.points[HEALTH_RECENCY], 0);
	assert_true(r.fraction[HEALTH_RECENCY] > 0);
	a.days = 90;
	health_eval(&health_defaults, &in, &r);
	assert_true(r.fraction[HEALTH_RECENCY] == 0);
	/*
	** Two currencies: USD has two won deals to CNY's one, so USD
	** decides: 100 / (100 + 300) = 0.25; 30 * 0.25 = 7.5.  With the
	** contact of today (40) and 15 + 15: 77.5, rounded 78.
	*/
	a.days = 0;
	in.deal = usd;
	in.ndeal = 3;
	health_eval(&health_defaults, &in, &r);
	assert_true(r.fraction[HEALTH_TREND] == 0.25);
	assert_int_equal(r.score, 78);
	assert_int_equal(r.points[HEALTH_RECENCY] + r.points[HEALTH_TREND] +
	    r.points[HEALTH_OVERDUE] + r.points[HEALTH_STALLED], 78);
	assert_int_equal(r.points[HEALTH_TREND], 8);
}

/* For many made-up customers the parts add up to the score, 0..100. */
static void
test_health_sums(void **state)
{
	unsigned seed = 12345;
	struct score_activity act[6];
	struct score_deal deal[6];
	const char *v[F_N] = { NULL };
	struct health_params p = health_defaults;

	(void)state;
	for (int i = 0; i < 20000; i++) {
		struct score_input in = { v, act, 0, deal, 0 };
		struct health_result r;
		int sum = 0;

		in.nact = (size_t)(rand_r(&seed) % 7);
		in.ndeal = (size_t)(rand_r(&seed) % 7);
		for (size_t k = 0; k < in.nact; k++) {
			act[k].kind = "call";
			act[k].days = rand_r(&seed) % 200 - 20;
			act[k].planned = rand_r(&seed) % 3 == 0;
		}
		for (size_t k = 0; k < in.ndeal; k++) {
			deal[k].stage = "x";
			deal[k].outcome = (enum score_outcome)(rand_r(&seed) % 3);
			deal[k].amount = rand_r(&seed) % 100000;
			deal[k].currency = rand_r(&seed) % 4 ? "CNY" : "USD";
			deal[k].stage_days = rand_r(&seed) % 90;
			deal[k].closed_days = deal[k].outcome == SCORE_OPEN ? -1 :
			    rand_r(&seed) % 900;
		}
		for (int w = 0; w < HEALTH_N; w++)
			p.weight[w] = i % 5 == 0 ? rand_r(&seed) % 50 + 1 :
			    health_defaults.weight[w];
		health_eval(&p, &in, &r);
		for (int w = 0; w < HEALTH_N; w++) {
			assert_true(r.points[w] >= 0);
			sum += r.points[w];
		}
		assert_int_equal(sum, r.score);
		assert_true(r.score >= 0 && r.score <= 100);
	}
}

/* Bytes that are not UTF-8 match nothing, but the text around them can. */
static void
test_invalid_utf8(void **state)
{
	struct score_rules *rs = load("+1 industry ~ 教育\n"
	    "+2 industry ~ ^教育$\n+4 industry ~ ^.教育\n");
	const char *v[F_N] = { NULL, NULL, "\xff教育" };
	struct score_input in = { v, NULL, 0, NULL, 0 };
	struct score_result res;

	(void)state;
	/* only the first: ^ is before the bad byte, which . cannot take */
	res = eval(rs, &in);
	assert_int_equal(res.score, 1);
	v[F_INDUSTRY] = "教\xff育";	/* 教育 is not in it any more */
	res = eval(rs, &in);
	assert_int_equal(res.score, 0);
	score_rules_free(rs);
}

/*
** The example of man/crm-score-rules.5 (its EXAMPLES display, which has
** no mdoc escapes) loads, and scores as the page reads.
*/
static void
test_manual_example(void **state)
{
	char *page = unit_slurp("man/crm-score-rules.5", NULL);
	char *b, *e;
	struct score_rules *rs;
	const char *v[F_N] = { NULL, NULL, "教育", "华东", "Web", NULL, NULL };
	const struct score_activity act[] = { { "call", 3, 0 } };
	struct score_input in = { v, act, 1, NULL, 0 };
	struct score_result res;
	const struct health_params *h;

	(void)state;
	assert_non_null(page);
	assert_non_null(b = strstr(page, "\n.Sh EXAMPLES\n.Bd -literal"));
	b = strchr(b + 1, '\n');
	b = strchr(b + 1, '\n') + 1;
	assert_non_null(e = strstr(b, ".Ed\n"));
	*e = '\0';
	rs = load(b);
	/*
	** industry 教育 +20, 地区 (region) 华东 +10, source Web matches
	** /^web$/i +5, no phone -5, one call 3 days ago: per call +5 and per
	** 跟进 within 7d -3; no deals.  20 + 10 + 5 - 5 + 5 - 3 = 32: B.
	*/
	res = eval(rs, &in);
	assert_int_equal(res.score, 32);
	assert_string_equal(res.grade, "B");
	h = score_rules_health(rs);
	assert_int_equal(h->weight[HEALTH_RECENCY], 50);
	assert_int_equal(h->weight[HEALTH_TREND], 20);
	assert_int_equal(h->stalled_days, 45);
	score_rules_free(rs);
	free(page);
}

/* What a rule file looks at: the fields it names, follow-ups, deals. */
static void
test_uses(void **state)
{
	struct score_rules *rs = load(main_rules);
	unsigned char used[F_N];
	unsigned uses;

	(void)state;
	uses = score_rules_uses(rs, used);
	assert_int_equal(uses, SCORE_USES_ACTS | SCORE_USES_DEALS);
	/* industry (and 行业), source, region, phone, email; not name, company */
	assert_int_equal(used[F_INDUSTRY], 1);
	assert_int_equal(used[F_SOURCE], 1);
	assert_int_equal(used[F_REGION], 1);
	assert_int_equal(used[F_PHONE], 1);
	assert_int_equal(used[F_EMAIL], 1);
	assert_int_equal(used[F_NAME], 0);
	assert_int_equal(used[F_COMPANY], 0);
	score_rules_free(rs);
	rs = load("+1 name ~ x\ngrade A >= 1\n");
	assert_int_equal(score_rules_uses(rs, NULL), 0);
	score_rules_free(rs);
}

/*
** A field's values are remembered with what its patterns said: the
** answers stay right over many records, for a field whose few values
** repeat (industry) and one whose values never do (name), which stops
** remembering, and for values too long to keep.
*/
static void
test_memo(void **state)
{
	struct score_rules *rs = load(
	    "+1 industry ~ ^教\n"
	    "+10 industry ~ 医疗\n"
	    "+100 industry !~ 零售\n"
	    "+1000 name ~ 7$\n");
	static const char *const ind[] = { "教育", "医疗器械", "零售", "教育培训",
		"能源", NULL,
		"教育 and a very long tail that is longer than what is kept xx" };
	/* 教育 1 + 100; 医疗器械 10 + 100; 零售 0; 教育培训 101; 能源 100;
	** no value: only !~ holds, 100; the long one 101 */
	static const long long want[] = { 101, 110, 0, 101, 100, 100, 101 };
	char name[32];
	const char *v[F_N] = { NULL };
	struct score_input in = { v, NULL, 0, NULL, 0 };

	(void)state;
	for (int i = 0; i < 20000; i++) {
		struct score_result res;

		snprintf(name, sizeof name, "n%d", i);
		v[F_NAME] = name;
		v[F_INDUSTRY] = ind[i % 7];
		res = eval(rs, &in);
		if (res.score != want[i % 7] + (i % 10 == 7 ? 1000 : 0))
			fail_msg("record %d (%s, %s): %lld", i, name,
			    ind[i % 7] ? ind[i % 7] : "NULL", res.score);
	}
	score_rules_free(rs);
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
		cmocka_unit_test(test_score_x),
		cmocka_unit_test(test_score_y_z),
		cmocka_unit_test(test_deal_rules),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_match_limit),
		cmocka_unit_test(test_health_settings),
		cmocka_unit_test(test_health),
		cmocka_unit_test(test_health_edges),
		cmocka_unit_test(test_health_sums),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_manual_example),
		cmocka_unit_test(test_uses),
		cmocka_unit_test(test_memo),
	};

	crm_set_progname("test_score");
	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
