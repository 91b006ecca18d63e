/*
** test_money.c: amounts of money (money.h): ISO 4217 exponents, parsing
** what people type (separators, full-width digits, signs and codes),
** exact formatting back to major units, and sums per currency.
*/
#include "unit.h"

#include <limits.h>

#include "money.h"

/* Assert that S (in CURRENCY, with FLAGS) parses to MINOR units of CUR. */
static void
ok(const char *s, const char *currency, unsigned flags, long long minor,
    const char *cur)
{
	struct money m;
	char err[256];

	if (money_parse(s, currency, flags, &m, err, sizeof err) != 0)
		fail_msg("money_parse('%s', %s): %s", s, currency, err);
	if (m.minor != minor || strcmp(m.cur, cur) != 0)
		fail_msg("money_parse('%s', %s): expected %lld %s, got %lld %s",
		    s, currency, minor, cur, m.minor, m.cur);
}

/* Assert that S is refused with exactly the message WANT. */
static void
bad(const char *s, const char *currency, unsigned flags, const char *want)
{
	struct money m;
	char err[256];

	if (money_parse(s, currency, flags, &m, err, sizeof err) == 0)
		fail_msg("money_parse('%s', %s): expected '%s', got %lld %s", s,
		    currency, want, m.minor, m.cur);
	if (strcmp(err, want) != 0)
		fail_msg("money_parse('%s'): expected '%s', got '%s'", s, want,
		    err);
}

static void
test_exponent(void **state)
{
	(void)state;
	/* ISO 4217 minor units */
	assert_int_equal(money_exponent("CNY"), 2);
	assert_int_equal(money_exponent("USD"), 2);
	assert_int_equal(money_exponent("EUR"), 2);
	assert_int_equal(money_exponent("JPY"), 0);
	assert_int_equal(money_exponent("KRW"), 0);
	assert_int_equal(money_exponent("KWD"), 3);
	assert_int_equal(money_exponent("CLF"), 4);
	assert_int_equal(money_exponent("cny"), 2);
	/* not currencies */
	assert_int_equal(money_exponent("XYZ"), -1);
	assert_int_equal(money_exponent("RMB"), -1);	/* a name, not a code */
	assert_int_equal(money_exponent("CN"), -1);
	assert_int_equal(money_exponent("CNYY"), -1);
	assert_int_equal(money_exponent(""), -1);
	assert_int_equal(money_exponent(NULL), -1);
}

static void
test_parse(void **state)
{
	(void)state;
	/* 1054 yuan is 105400 fen; .50 yuan is 50 fen */
	ok("1054", "CNY", 0, 105400, "CNY");
	ok("1,054.50", "CNY", 0, 105450, "CNY");
	ok("¥1,054.50", "CNY", 0, 105450, "CNY");
	ok("￥1,054.50", "CNY", 0, 105450, "CNY");
	ok("１，０５４．５０", "CNY", 0, 105450, "CNY");
	ok("1054.5元", "CNY", 0, 105450, "CNY");
	ok("1054.5 元", NULL, 0, 105450, "CNY");	/* NULL is CNY */
	ok("RMB 1,054.50", "CNY", 0, 105450, "CNY");
	ok("人民币1054", "CNY", 0, 105400, "CNY");
	ok("CNY1054", "CNY", 0, 105400, "CNY");
	ok("1054 cny", "CNY", 0, 105400, "CNY");
	ok("ＣＮＹ　１０５４", "CNY", 0, 105400, "CNY");	/* all full-width */
	ok("  1054\t", "CNY", 0, 105400, "CNY");
	ok("0.05", "CNY", 0, 5, "CNY");
	ok("0", "CNY", 0, 0, "CNY");
	ok("1,000,000", "CNY", 0, 100000000, "CNY");
	ok("007", "CNY", 0, 700, "CNY");
	/* a written currency wins over the caller's; the caller compares */
	ok("$99.99", "CNY", 0, 9999, "USD");
	ok("1054.50 USD", "CNY", 0, 105450, "USD");
	ok("US$5", "CNY", 0, 500, "USD");
	ok("5美元", "CNY", 0, 500, "USD");
	ok("€5", "CNY", 0, 500, "EUR");
	ok("5 EUR", "CNY", 0, 500, "EUR");
	ok("HK$5", "CNY", 0, 500, "HKD");
	ok("£5", "CNY", 0, 500, "GBP");
	/* ... but an ambiguous sign takes the caller's currency if it can */
	ok("$99.99", "HKD", 0, 9999, "HKD");
	ok("＄99.99", "TWD", 0, 9999, "TWD");
	ok("¥1000", "JPY", 0, 1000, "JPY");	/* JPY has no minor unit */
	ok("¥1000", "USD", 0, 100000, "CNY");
	/* the exponent is the currency's: 3 decimals for KWD, 0 for JPY */
	ok("1.234", "KWD", 0, 1234, "KWD");
	ok("1.2", "KWD", 0, 1200, "KWD");
	ok("1,054", "JPY", 0, 1054, "JPY");
	ok("1054 JPY", "CNY", 0, 1054, "JPY");
	/* negative amounts when asked for, the sign before or after ¥ */
	ok("-5", "CNY", MONEY_NEGATIVE, -500, "CNY");
	ok("-¥5", "CNY", MONEY_NEGATIVE, -500, "CNY");
	ok("¥-5", "CNY", MONEY_NEGATIVE, -500, "CNY");
	ok("－５", "CNY", MONEY_NEGATIVE, -500, "CNY");
	ok("\xE2\x88\x92" "5", "CNY", MONEY_NEGATIVE, -500, "CNY");	/* − */
	ok("-0", "CNY", 0, 0, "CNY");	/* no amount is not negative */
	/*
	** The limits: LLONG_MAX = 9223372036854775807 minor units is
	** 92233720368547758.07 yuan, or as many yen.
	*/
	ok("92233720368547758.07", "CNY", 0, LLONG_MAX, "CNY");
	ok("92,233,720,368,547,758.07", "CNY", 0, LLONG_MAX, "CNY");
	ok("9223372036854775807", "JPY", 0, LLONG_MAX, "JPY");
	ok("-92233720368547758.07", "CNY", MONEY_NEGATIVE, -LLONG_MAX, "CNY");
}

static void
test_parse_errors(void **state)
{
	(void)state;
	bad("1.234", "CNY", 0, "'1.234' has more than 2 decimals for CNY");
	bad("1.23456", "KWD", 0, "'1.23456' has more than 3 decimals for KWD");
	bad("1000.5", "JPY", 0,
	    "'1000.5' has decimals, but JPY has no minor unit");
	bad("¥1000.50", "JPY", 0,
	    "'¥1000.50' has decimals, but JPY has no minor unit");
	bad("-5", "CNY", 0, "'-5' is negative");
	bad("¥-0.01", "CNY", 0, "'¥-0.01' is negative");
	/* groups of three only: a decimal comma must not become thousands */
	bad("1054,50", "CNY", 0, "'1054,50' has a misplaced thousands separator");
	bad("1,05", "CNY", 0, "'1,05' has a misplaced thousands separator");
	bad("1,0540", "CNY", 0, "'1,0540' has a misplaced thousands separator");
	bad("10,5400", "CNY", 0, "'10,5400' has a misplaced thousands separator");
	bad("1,", "CNY", 0, "'1,' has a misplaced thousands separator");
	bad("1,000,00", "CNY", 0,
	    "'1,000,00' has a misplaced thousands separator");
	bad("", "CNY", 0, "'' is not an amount");
	bad("   ", "CNY", 0, "'   ' is not an amount");
	bad("abc", "CNY", 0, "'abc' is not an amount");
	bad("1.", "CNY", 0, "'1.' is not an amount");
	bad(".5", "CNY", 0, "'.5' is not an amount");
	bad("1 054", "CNY", 0, "'1 054' is not an amount");
	bad("¥5 CNY", "CNY", 0, "'¥5 CNY' is not an amount");
	bad("--5", "CNY", MONEY_NEGATIVE, "'--5' is not an amount");
	bad("5 XYZ", "CNY", 0, "unknown currency 'XYZ' in '5 XYZ'");
	bad("5", "XYZ", 0, "unknown currency 'XYZ'");
	/* one more than LLONG_MAX minor units */
	bad("92233720368547758.08", "CNY", 0,
	    "'92233720368547758.08' is too large");
	bad("9223372036854775808", "JPY", 0, "'9223372036854775808' is too large");
	bad("99999999999999999999999", "CNY", 0,
	    "'99999999999999999999999' is too large");
	bad("999,999,999,999,999,999,999", "CNY", 0,
	    "'999,999,999,999,999,999,999' is too large");
}

/* Assert that MINOR units of CUR format as WANT. */
static void
fmt(long long minor, const char *cur, const char *want)
{
	char out[MONEY_LEN];

	assert_int_equal(money_format(minor, cur, out), 0);
	assert_string_equal(out, want);
}

static void
test_format(void **state)
{
	char out[MONEY_LEN];
	long long vals[] = { 0, 1, 9, 10, 99, 100, 105450, -5, -105450,
		LLONG_MAX, -LLONG_MAX };
	const char *curs[] = { "CNY", "JPY", "KWD", "CLF" };

	(void)state;
	fmt(105450, "CNY", "1054.50");
	fmt(105400, "CNY", "1054.00");
	fmt(5, "CNY", "0.05");
	fmt(-5, "CNY", "-0.05");
	fmt(0, "CNY", "0.00");
	fmt(1054, "JPY", "1054");
	fmt(1234, "KWD", "1.234");
	fmt(7, "CLF", "0.0007");
	fmt(LLONG_MAX, "CNY", "92233720368547758.07");
	fmt(LLONG_MIN, "CNY", "-92233720368547758.08");
	assert_int_equal(money_format(1, "XYZ", out), -1);
	assert_string_equal(out, "");
	/* what is formatted parses back to the same amount */
	for (size_t c = 0; c < sizeof curs / sizeof curs[0]; c++)
		for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
			struct money m;
			char err[256];

			assert_int_equal(money_format(vals[i], curs[c], out), 0);
			assert_int_equal(money_parse(out, curs[c], MONEY_NEGATIVE,
			    &m, err, sizeof err), 0);
			assert_int_equal(m.minor, vals[i]);
			assert_string_equal(m.cur, curs[c]);
		}
}

static void
test_sum(void **state)
{
	struct money_sum s = MONEY_SUM_INIT;
	const struct money_total *t;

	(void)state;
	assert_int_equal(money_sum_add(&s, "CNY", 100), 0);
	assert_int_equal(money_sum_add(&s, "USD", 250), 0);
	assert_int_equal(money_sum_add(&s, "CNY", 50), 0);
	assert_int_equal(money_sum_add(&s, "cny", 1), 0);	/* the same */
	assert_int_equal(money_sum_add(&s, "EUR", -7), 0);
	/* CNY 100 + 50 + 1 = 151 in 3 amounts; kept sorted by code */
	assert_int_equal(s.n, 3);
	assert_string_equal(s.v[0].cur, "CNY");
	assert_int_equal(s.v[0].minor, 151);
	assert_int_equal(s.v[0].count, 3);
	assert_string_equal(s.v[1].cur, "EUR");
	assert_int_equal(s.v[1].minor, -7);
	assert_string_equal(s.v[2].cur, "USD");
	assert_int_equal(s.v[2].minor, 250);
	assert_int_equal(s.v[2].count, 1);
	t = money_sum_get(&s, "usd");
	assert_non_null(t);
	assert_int_equal(t->minor, 250);
	assert_null(money_sum_get(&s, "JPY"));
	/* overflow is refused and changes nothing */
	assert_int_equal(money_sum_add(&s, "JPY", LLONG_MAX), 0);
	assert_int_equal(money_sum_add(&s, "JPY", 1), -1);
	t = money_sum_get(&s, "JPY");
	assert_int_equal(t->minor, LLONG_MAX);
	assert_int_equal(t->count, 1);
	assert_int_equal(money_sum_add(&s, "JPY", -1), 0);
	assert_int_equal(t->minor, LLONG_MAX - 1);
	/* a code that does not fit */
	assert_int_equal(money_sum_add(&s, "", 1), -1);
	assert_int_equal(money_sum_add(&s, "TOOLONGX", 1), -1);
	assert_int_equal(s.n, 4);
	money_sum_free(&s);
	assert_int_equal(s.n, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exponent),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_sum),
	};

	crm_set_progname("test_money");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
