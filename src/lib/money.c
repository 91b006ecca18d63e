/* money.c: amounts in integer minor units: ISO 4217 exponents, parse, format, sum. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "money.h"
#include "norm.h"
#include "str.h"

/* Current ISO 4217 codes and minor-unit exponents, sorted by code. */
static const struct iso4217 {
	char code[4];
	int exponent;
} iso4217[] = {
	{ "AED", 2 }, { "AFN", 2 }, { "ALL", 2 }, { "AMD", 2 }, { "AOA", 2 },
	{ "ARS", 2 }, { "AUD", 2 }, { "AWG", 2 }, { "AZN", 2 }, { "BAM", 2 },
	{ "BBD", 2 }, { "BDT", 2 }, { "BGN", 2 }, { "BHD", 3 }, { "BIF", 0 },
	{ "BMD", 2 }, { "BND", 2 }, { "BOB", 2 }, { "BOV", 2 }, { "BRL", 2 },
	{ "BSD", 2 }, { "BTN", 2 }, { "BWP", 2 }, { "BYN", 2 }, { "BZD", 2 },
	{ "CAD", 2 }, { "CDF", 2 }, { "CHE", 2 }, { "CHF", 2 }, { "CHW", 2 },
	{ "CLF", 4 }, { "CLP", 0 }, { "CNY", 2 }, { "COP", 2 }, { "COU", 2 },
	{ "CRC", 2 }, { "CUP", 2 }, { "CVE", 2 }, { "CZK", 2 }, { "DJF", 0 },
	{ "DKK", 2 }, { "DOP", 2 }, { "DZD", 2 }, { "EGP", 2 }, { "ERN", 2 },
	{ "ETB", 2 }, { "EUR", 2 }, { "FJD", 2 }, { "FKP", 2 }, { "GBP", 2 },
	{ "GEL", 2 }, { "GHS", 2 }, { "GIP", 2 }, { "GMD", 2 }, { "GNF", 0 },
	{ "GTQ", 2 }, { "GYD", 2 }, { "HKD", 2 }, { "HNL", 2 }, { "HTG", 2 },
	{ "HUF", 2 }, { "IDR", 2 }, { "ILS", 2 }, { "INR", 2 }, { "IQD", 3 },
	{ "IRR", 2 }, { "ISK", 0 }, { "JMD", 2 }, { "JOD", 3 }, { "JPY", 0 },
	{ "KES", 2 }, { "KGS", 2 }, { "KHR", 2 }, { "KMF", 0 }, { "KPW", 2 },
	{ "KRW", 0 }, { "KWD", 3 }, { "KYD", 2 }, { "KZT", 2 }, { "LAK", 2 },
	{ "LBP", 2 }, { "LKR", 2 }, { "LRD", 2 }, { "LSL", 2 }, { "LYD", 3 },
	{ "MAD", 2 }, { "MDL", 2 }, { "MGA", 2 }, { "MKD", 2 }, { "MMK", 2 },
	{ "MNT", 2 }, { "MOP", 2 }, { "MRU", 2 }, { "MUR", 2 }, { "MVR", 2 },
	{ "MWK", 2 }, { "MXN", 2 }, { "MXV", 2 }, { "MYR", 2 }, { "MZN", 2 },
	{ "NAD", 2 }, { "NGN", 2 }, { "NIO", 2 }, { "NOK", 2 }, { "NPR", 2 },
	{ "NZD", 2 }, { "OMR", 3 }, { "PAB", 2 }, { "PEN", 2 }, { "PGK", 2 },
	{ "PHP", 2 }, { "PKR", 2 }, { "PLN", 2 }, { "PYG", 0 }, { "QAR", 2 },
	{ "RON", 2 }, { "RSD", 2 }, { "RUB", 2 }, { "RWF", 0 }, { "SAR", 2 },
	{ "SBD", 2 }, { "SCR", 2 }, { "SDG", 2 }, { "SEK", 2 }, { "SGD", 2 },
	{ "SHP", 2 }, { "SLE", 2 }, { "SOS", 2 }, { "SRD", 2 }, { "SSP", 2 },
	{ "STN", 2 }, { "SVC", 2 }, { "SYP", 2 }, { "SZL", 2 }, { "THB", 2 },
	{ "TJS", 2 }, { "TMT", 2 }, { "TND", 3 }, { "TOP", 2 }, { "TRY", 2 },
	{ "TTD", 2 }, { "TWD", 2 }, { "TZS", 2 }, { "UAH", 2 }, { "UGX", 0 },
	{ "USD", 2 }, { "USN", 2 }, { "UYI", 0 }, { "UYU", 2 }, { "UYW", 4 },
	{ "UZS", 2 }, { "VED", 2 }, { "VES", 2 }, { "VND", 0 }, { "VUV", 0 },
	{ "WST", 2 }, { "XAF", 0 }, { "XCD", 2 }, { "XCG", 2 }, { "XOF", 0 },
	{ "XPF", 0 }, { "YER", 2 }, { "ZAR", 2 }, { "ZMW", 2 }, { "ZWG", 2 },
};

static int
iso_cmp(const void *key, const void *elt)
{
	return strcmp(key, ((const struct iso4217 *)elt)->code);
}

int
money_exponent(const char *code)
{
	const struct iso4217 *c;
	char up[4];

	if (code == NULL || strlen(code) != 3)
		return -1;
	for (int i = 0; i < 3; i++)
		up[i] = (char)(code[i] >= 'a' && code[i] <= 'z' ?
		    code[i] - 'a' + 'A' : code[i]);
	up[3] = '\0';
	c = bsearch(up, iso4217, sizeof iso4217 / sizeof iso4217[0],
	    sizeof iso4217[0], iso_cmp);
	return c ? c->exponent : -1;
}

/*
** Signs and words that name a currency before or after the number.  A
** sign that several currencies use stands for CODE unless the caller's
** currency is one of ALSO.  Full-width forms are folded before this.
*/
static const struct marker {
	const char *text, *code, *also;
} markers[] = {
	{ "\xC2\xA5", "CNY", "JPY" },		/* ¥ (and ￥) */
	{ "元", "CNY", "HKD TWD MOP" },
	{ "人民币", "CNY", NULL },
	{ "RMB", "CNY", NULL },
	{ "$", "USD", "HKD TWD SGD AUD CAD NZD MOP MXN" },
	{ "US$", "USD", NULL },
	{ "美元", "USD", NULL },
	{ "HK$", "HKD", NULL },
	{ "港元", "HKD", NULL },
	{ "港币", "HKD", NULL },
	{ "NT$", "TWD", NULL },
	{ "\xE2\x82\xAC", "EUR", NULL },	/* € */
	{ "欧元", "EUR", NULL },
	{ "\xC2\xA3", "GBP", NULL },		/* £ (and ￡) */
	{ "英镑", "GBP", NULL },
	{ "日元", "JPY", NULL },
	{ "円", "JPY", NULL },
	{ "\xE2\x82\xA9", "KRW", NULL },	/* ₩ (and ￦) */
	{ "韩元", "KRW", NULL },
};

/* Is the 3-letter CODE a word of the space-separated LIST? */
static int
listed(const char *list, const char *code)
{
	for (const char *p = list; p && *p; p += p[3] ? 4 : 3)
		if (strncmp(p, code, 3) == 0)
			return 1;
	return 0;
}

/*
** Fold S into OUT (size N): full-width digits, letters, separators and
** signs to ASCII (and ￥ to ¥ ...), every kind of blank to ' '.  Returns
** 0, or -1 when S does not fit.
*/
static int
fold(const char *s, char *out, size_t n)
{
	char *o = out, tmp[4];

	while (*s) {
		const char *b = s;
		unsigned c = utf8_next(&s);
		char *t = tmp;

		if (c >= 0xFF01 && c <= 0xFF5E)	/* full-width ASCII */
			c -= 0xFEE0;
		else if (c == 0x3000 || c == 0xA0 || c == 0x202F || c == '\t')
			c = ' ';
		else if (c == 0x2212)		/* minus sign */
			c = '-';
		else if (c == 0xFFE5)		/* ￥ */
			c = 0xA5;
		else if (c == 0xFFE1)		/* ￡ */
			c = 0xA3;
		else if (c == 0xFFE6)		/* ￦ */
			c = 0x20A9;
		if (c == 0xFFFD) {		/* keep bad bytes as they are */
			if ((size_t)(o - out) + (size_t)(s - b) >= n)
				return -1;
			memcpy(o, b, (size_t)(s - b));
			o += s - b;
			continue;
		}
		utf8_put(c, &t);
		if ((size_t)(o - out) + (size_t)(t - tmp) >= n)
			return -1;
		memcpy(o, tmp, (size_t)(t - tmp));
		o += t - tmp;
	}
	*o = '\0';
	return 0;
}

static int
is_letter(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/*
** The currency named at *P: a marker, or three ASCII letters.  With
** WHOLE, the marker must be all that is left of *P (a suffix).  Sets
** *CODE (upper case) and advances *P; returns 1, 0 when there is none
** there, or -1 for three letters that are no currency (in BAD).
*/
static int
currency_at(const char **p, int whole, const char *context, char code[4],
    char bad[4])
{
	for (size_t i = 0; i < sizeof markers / sizeof markers[0]; i++) {
		const struct marker *m = &markers[i];
		size_t k = strlen(m->text);

		if (strncmp(*p, m->text, k) != 0 || (whole && (*p)[k] != '\0'))
			continue;
		*p += k;
		snprintf(code, 4, "%s", context && listed(m->also, context) ?
		    context : m->code);
		return 1;
	}
	/* a code before the number needs one after it: "abc" is no amount */
	if (is_letter((*p)[0]) && is_letter((*p)[1]) && is_letter((*p)[2]) &&
	    !is_letter((*p)[3]) && (whole ? (*p)[3] == '\0' : (*p)[3] != '\0')) {
		for (int i = 0; i < 3; i++)
			code[i] = (char)((*p)[i] & ~0x20);	/* upper case */
		code[3] = '\0';
		if (money_exponent(code) == -1) {
			memcpy(bad, *p, 3);
			bad[3] = '\0';
			return -1;
		}
		*p += 3;
		return 1;
	}
	return 0;
}

static int __attribute__((format(printf, 3, 4)))
fail(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *
skip_blanks(const char *p)
{
	while (*p == ' ')
		p++;
	return p;
}

int
money_parse(const char *s, const char *currency, unsigned flags,
    struct money *out, char *err, size_t n)
{
	char buf[256], code[4] = "", bad[4];
	const char *p, *num;
	unsigned long long whole = 0, frac = 0, scale = 1;
	int neg = 0, exp, ndec = 0, found;
	size_t len;

	if (currency == NULL)
		currency = "CNY";
	if (money_exponent(currency) == -1)
		return fail(err, n, "unknown currency '%s'", currency);
	if (fold(s, buf, sizeof buf) == -1)
		return fail(err, n, "'%.40s...' is too long for an amount", s);
	for (len = strlen(buf); len > 0 && buf[len - 1] == ' '; len--)
		buf[len - 1] = '\0';
	p = skip_blanks(buf);
	if (*p == '-') {
		neg = 1;
		p = skip_blanks(p + 1);
	}
	if ((found = currency_at(&p, 0, currency, code, bad)) == -1)
		return fail(err, n, "unknown currency '%s' in '%s'", bad, s);
	p = skip_blanks(p);
	if (!neg && found && *p == '-') {
		neg = 1;
		p = skip_blanks(p + 1);
	}
	if (!found)
		snprintf(code, sizeof code, "%s", currency);
	exp = money_exponent(code);	/* a suffix may change it below */

	/* The number: digits grouped by three, or not grouped at all. */
	num = p;
	if (*p < '0' || *p > '9')
		return fail(err, n, "'%s' is not an amount", s);
	while (*p >= '0' && *p <= '9' && whole <= ULLONG_MAX / 10 - 1)
		whole = whole * 10 + (unsigned long long)(*p++ - '0');
	if (*p >= '0' && *p <= '9')
		return fail(err, n, "'%s' is too large", s);
	if (*p == ',') {
		if (p - num > 3)
			return fail(err, n, "'%s' has a misplaced thousands "
			    "separator", s);
		while (*p == ',') {
			for (int i = 1; i <= 3; i++)
				if (p[i] < '0' || p[i] > '9')
					return fail(err, n, "'%s' has a misplaced "
					    "thousands separator", s);
			if (p[4] >= '0' && p[4] <= '9')
				return fail(err, n, "'%s' has a misplaced "
				    "thousands separator", s);
			for (int i = 1; i <= 3; i++) {
				if (whole > (ULLONG_MAX - 9) / 10)
					return fail(err, n, "'%s' is too large", s);
				whole = whole * 10 + (unsigned long long)(p[i] - '0');
			}
			p += 4;
		}
	}
	if (*p == '.') {
		const char *d = ++p;

		while (*p >= '0' && *p <= '9')
			p++;
		ndec = (int)(p - d);
		if (ndec == 0)
			return fail(err, n, "'%s' is not an amount", s);
		for (int i = 0; i < ndec && i < 4; i++)
			frac = frac * 10 + (unsigned long long)(d[i] - '0');
	}
	p = skip_blanks(p);
	if (!found && *p) {
		if ((found = currency_at(&p, 1, currency, code, bad)) == -1)
			return fail(err, n, "unknown currency '%s' in '%s'", bad, s);
		exp = money_exponent(code);
	}
	if (*p)
		return fail(err, n, "'%s' is not an amount", s);
	if (ndec > exp)
		return exp == 0 ?
		    fail(err, n, "'%s' has decimals, but %s has no minor unit",
		    s, code) :
		    fail(err, n, "'%s' has more than %d decimal%s for %s", s,
		    exp, exp == 1 ? "" : "s", code);
	for (int i = 0; i < exp; i++)
		scale *= 10;
	for (int i = ndec; i < exp; i++)
		frac *= 10;
	if (whole > ((unsigned long long)LLONG_MAX - frac) / scale)
		return fail(err, n, "'%s' is too large", s);
	if (neg && !(flags & MONEY_NEGATIVE) && whole + frac > 0)
		return fail(err, n, "'%s' is negative", s);
	out->minor = (long long)(whole * scale + frac);
	if (neg)
		out->minor = -out->minor;
	memcpy(out->cur, code, sizeof out->cur);
	return 0;
}

int
money_format(long long minor, const char *currency, char out[MONEY_LEN])
{
	int exp = money_exponent(currency);
	unsigned long long u, scale = 1;

	out[0] = '\0';
	if (exp == -1)
		return -1;
	u = minor < 0 ? 0 - (unsigned long long)minor : (unsigned long long)minor;
	for (int i = 0; i < exp; i++)
		scale *= 10;
	if (exp == 0)
		snprintf(out, MONEY_LEN, "%s%llu", minor < 0 ? "-" : "", u);
	else
		snprintf(out, MONEY_LEN, "%s%llu.%0*llu", minor < 0 ? "-" : "",
		    u / scale, exp, u % scale);
	return 0;
}

/* The index in S where CUR is or would go (S->v is sorted by code). */
static size_t
sum_slot(const struct money_sum *s, const char *cur)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcasecmp(s->v[mid].cur, cur) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int
money_sum_add(struct money_sum *s, const char *currency, long long minor)
{
	size_t i, len = strlen(currency);
	long long total;

	if (len == 0 || len >= sizeof s->v[0].cur)
		return -1;
	i = sum_slot(s, currency);
	if (i < s->n && strcasecmp(s->v[i].cur, currency) == 0) {
		if (__builtin_add_overflow(s->v[i].minor, minor, &total))
			return -1;
		s->v[i].minor = total;
		s->v[i].count++;
		return 0;
	}
	s->v = xrealloc(s->v, (s->n + 1) * sizeof *s->v);
	memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof *s->v);
	s->n++;
	memset(&s->v[i], 0, sizeof s->v[i]);
	for (size_t k = 0; k < len; k++)
		s->v[i].cur[k] = (char)(currency[k] >= 'a' && currency[k] <= 'z' ?
		    currency[k] - 'a' + 'A' : currency[k]);
	s->v[i].minor = minor;
	s->v[i].count = 1;
	return 0;
}

const struct money_total *
money_sum_get(const struct money_sum *s, const char *currency)
{
	size_t i = sum_slot(s, currency);

	return i < s->n && strcasecmp(s->v[i].cur, currency) == 0 ?
	    &s->v[i] : NULL;
}

void
money_sum_free(struct money_sum *s)
{
	free(s->v);
	s->v = NULL;
	s->n = 0;
}
