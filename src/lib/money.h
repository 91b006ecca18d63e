/* money.h: amounts in integer minor units of a currency: parse, format, sum. */
#ifndef CRM_MONEY_H
#define CRM_MONEY_H

#include <stddef.h>

/* Room for any formatted amount: a sign, 19 digits, a point and a NUL. */
#define MONEY_LEN 32

/*
** The ISO 4217 minor-unit exponent of CODE ("CNY" 2, "JPY" 0, "KWD" 3;
** case-blind), or -1 for a code that is not a current ISO 4217 currency.
*/
int money_exponent(const char *code);

/* An amount: MINOR units (分 for CNY) of the currency CUR (upper case). */
struct money {
	long long minor;
	char cur[4];
};

enum {
	MONEY_NEGATIVE = 1	/* money_parse: accept a negative amount */
};

/*
** Parse S, an amount in major units ("1054", "1,054.50", "¥1,054.50",
** "１０５４．５元", "USD 99.99", "-5 EUR") into *OUT.  CURRENCY (NULL for
** "CNY") is the currency of the amount when S names none; a sign or
** code in S wins over it, but an ambiguous sign ("¥" is CNY or JPY, "$"
** is USD or another dollar) takes CURRENCY when it can mean it.  So
** OUT->cur may differ from CURRENCY: the caller decides whether that is
** an error.  Thousands separators must group by three; there may be no
** more decimals than the currency's exponent.  Full-width digits and
** signs are read as their ASCII forms.  A negative amount is refused
** unless FLAGS has MONEY_NEGATIVE.  Returns 0, or -1 with the reason in
** ERR (size N), e.g. "'1.234' has more than 2 decimals for CNY".
*/
int money_parse(const char *s, const char *currency, unsigned flags,
    struct money *out, char *err, size_t n);

/*
** Write MINOR units of CURRENCY to OUT in major units, exactly, with as
** many decimals as the currency's exponent: "1054.50", "-0.05", "1054"
** for JPY; no separators or sign.  Returns 0, or -1 for an unknown
** currency (OUT is then "").
*/
int money_format(long long minor, const char *currency, char out[MONEY_LEN]);

/* The running total of one currency in a money_sum. */
struct money_total {
	char cur[8];		/* the code as given, upper case */
	long long minor;
	unsigned long count;	/* amounts added */
};

/*
** Totals per currency: V[0..N) sorted by code.  Sums never mix
** currencies, and use integer arithmetic only.
*/
struct money_sum {
	size_t n;
	struct money_total *v;
};
#define MONEY_SUM_INIT { 0, NULL }

/*
** Add MINOR units of CURRENCY (at most 7 letters; case-blind) to S.
** Returns 0, or -1 when the total would overflow, leaving S unchanged.
*/
int money_sum_add(struct money_sum *s, const char *currency, long long minor);
/* The total of CURRENCY in S, or NULL when none was added. */
const struct money_total *money_sum_get(const struct money_sum *s,
    const char *currency);
void money_sum_free(struct money_sum *s);

#endif
