/* xlcell.c: CSV cells for Excel: text stays text, formulas stay inert. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xlcell.h"

/*
** ASCII classes that do not depend on the locale (main() sets LC_CTYPE,
** and in a single-byte locale isalpha() would take bytes of UTF-8 for
** letters).  Output goes through the unlocked stdio calls: the export
** writes millions of cells from one thread.
*/
#define IS_DIGIT(c)	((unsigned)(c) - '0' < 10)
#define IS_ALPHA(c)	((unsigned)(((c) | 0x20) - 'a') < 26)
#define PUTC(c, f)	putc_unlocked((c), (f))
#define PUTS(s, f)	fputs_unlocked((s), (f))

/*
** The scheme, found by importing CSV into LibreOffice Calc 7.4 with the
** options Excel uses (UTF-8, detect special numbers) and by Excel's
** documented behaviour:
**
**   - a plain or "quoted" 0123 becomes the number 123; quoting does not
**     make text, and neither does anything else inside the field: a
**     leading apostrophe, tab or invisible character is kept as part of
**     the text, so the value changes;
**   - a field that starts with = is a formula ("=1+1" gives 2);
**   - ="0123" is a formula whose only content is a string literal: the
**     cell shows and holds exactly 0123 as text, and a payload inside
**     the literal (="=cmd|' /C calc'!A0") is inert text.
**
** So a text cell that a spreadsheet would convert or evaluate is written
** as a constant string formula: ="..." with " doubled, line breaks as
** CHAR(10) and CHAR(13) (a formula field may not span lines), literals of
** at most XL_LITERAL_MAX characters joined with &.  Everything else is
** written as is, quoted only where RFC 4180 needs it, and also where the
** text starts with "ID" (Excel takes a file that starts so for SYLK,
** KB 323626) or "sep=" (Excel reads a first line sep=x as a directive).
*/

/* Decode the UTF-8 sequence at P into *CP; return its length, 0 if invalid. */
static int
u8_decode(const unsigned char *p, uint32_t *cp)
{
	int n, i;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xE0) == 0xC0) {
		n = 2;
		*cp = p[0] & 0x1F;
	} else if ((p[0] & 0xF0) == 0xE0) {
		n = 3;
		*cp = p[0] & 0x0F;
	} else if ((p[0] & 0xF8) == 0xF0) {
		n = 4;
		*cp = p[0] & 0x07;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (p[i] & 0x3F);
	}
	return n;
}

/* Return the length of the run of ASCII digits at S. */
static size_t
digits(const char *s)
{
	size_t n = 0;

	while (IS_DIGIT((unsigned char)s[n]))
		n++;
	return n;
}

/*
** Return 1 if S is what Excel reads as a plain decimal number and shows
** unchanged: an optional sign, digits without leading zeros (a lone 0
** is fine), an optional fraction, at most 15 significant digits, no
** exponent, no thousands separators, no spaces.
*/
int
xl_is_plain_number(const char *s)
{
	size_t ni, nf, sig;
	const char *p, *q;

	if (s == NULL)
		return 0;
	if (*s == '-' || *s == '+')
		s++;
	ni = digits(s);
	if (ni == 0 || (ni > 1 && s[0] == '0'))
		return 0;
	nf = 0;
	if (s[ni] == '.' && (nf = digits(s + ni + 1)) == 0)
		return 0;
	if (s[ni + (nf ? nf + 1 : 0)] != '\0')
		return 0;
	/* Significant digits: from the first non-zero digit to the end. */
	sig = 0;
	for (p = s, q = NULL; *p != '\0'; p++)
		if (*p != '.' && (q != NULL || *p != '0')) {
			q = p;
			sig++;
		}
	return sig <= 15;
}

/* Return 1 if the N characters at S are digits, as a number in [LO, HI]. */
static int
field(const char *s, size_t n, int lo, int hi)
{
	int v = 0;

	if (digits(s) < n)
		return 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v >= lo && v <= hi;
}

/*
** Return 1 if S is an ISO date Excel and LibreOffice read as a date in
** any locale: YYYY-MM-DD, optionally followed by a space or T and
** HH:MM or HH:MM:SS, and then optionally by Z (UTC, as crm stores
** times; the cell holds the UTC time without it).
*/
int
xl_is_date(const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int y, m;

	if (s == NULL || !field(s, 4, 1900, 9999) || s[4] != '-' ||
	    !field(s + 5, 2, 1, 12) || s[7] != '-')
		return 0;
	y = atoi(s);
	m = (s[5] - '0') * 10 + (s[6] - '0');
	if (!field(s + 8, 2, 1, mdays[m - 1]) || (m == 2 && s[9] == '9' &&
	    s[8] == '2' && (y % 4 != 0 || (y % 100 == 0 && y % 400 != 0))))
		return 0;
	s += 10;
	if (*s == '\0')
		return 1;
	if ((*s != ' ' && *s != 'T') || !field(s + 1, 2, 0, 23) ||
	    s[3] != ':' || !field(s + 4, 2, 0, 59))
		return 0;
	s += 6;
	if (*s == ':' && field(s + 1, 2, 0, 59))
		s += 3;
	if (*s == 'Z')
		s++;
	return *s == '\0';
}

/* Return 1 if S is a sign, digits and at most one decimal point or comma. */
static int
is_numeral(const char *s)
{
	size_t n;

	if (*s == '-' || *s == '+')
		s++;
	if ((n = digits(s)) == 0)
		return 0;
	s += n;
	if (*s == '.' || *s == ',') {
		if ((n = digits(s + 1)) == 0)
			return 0;
		s += n + 1;
	}
	return *s == '\0';
}

/*
** Return 1 if S would be taken for a formula, or could become one: it
** starts with = + - @ TAB CR LF (OWASP) or | % (defusedcsv), also after
** spaces that an importer may trim, and is not just a signed number
** such as -1.3 or -1,2.
*/
int
xl_is_formula_like(const char *s)
{
	if (s == NULL)
		return 0;
	while (*s == ' ')
		s++;
	if (*s == '\0' || strchr("=+-@\t\r\n|%", *s) == NULL)
		return 0;
	return !is_numeral(s);
}

/* Words a spreadsheet reads inside dates, times and numbers (lower case). */
static const char *const date_words[] = {
	"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
	"sept", "oct", "nov", "dec", "january", "february", "march",
	"april", "june", "july", "august", "september", "october",
	"november", "december", "mon", "tue", "tues", "wed", "thu", "thur",
	"thurs", "fri", "sat", "sun", "monday", "tuesday", "wednesday",
	"thursday", "friday", "saturday", "sunday", "am", "pm", "a", "p",
	"e", "t", "z", NULL
};

/* Return 1 if the N letters at S are one of date_words, ignoring case. */
static int
is_date_word(const char *s, size_t n)
{
	for (const char *const *w = date_words; *w != NULL; w++)
		if (strlen(*w) == n && strncasecmp(s, *w, n) == 0)
			return 1;
	return 0;
}

/*
** Return 1 if code point C may appear in a number, date or time in some
** locale: currency signs, spaces, full-width digits and signs, and the
** CJK and Hangul date and time words.  Full-width digits count as
** digits through *DIGIT.
*/
static int
is_numeric_cp(uint32_t c, int *digit)
{
	static const uint32_t cps[] = {
		0x00A0, 0x2009, 0x202F, 0x3000,		/* spaces */
		0x00A2, 0x00A3, 0x00A4, 0x00A5, 0xFF04,	/* currency */
		0x2212, 0xFF0B, 0xFF0D, 0xFF0E, 0xFF0C, 0xFF0F, 0xFF1A,
		0xFF05,					/* − ＋－．，／：％ */
		0x5E74, 0x6708, 0x65E5, 0x65F6, 0x6642, 0x5206, 0x79D2,
		0x4E0A, 0x4E0B, 0x5348,			/* 年月日时時分秒上下午 */
		0xB144, 0xC6D4, 0xC77C, 0xC2DC, 0xBD84, 0xCD08,	/* 년월일시분초 */
		0
	};

	if (c >= 0xFF10 && c <= 0xFF19) {
		*digit = 1;
		return 1;
	}
	if ((c >= 0x20A0 && c <= 0x20CF) || (c >= 0xFFE0 && c <= 0xFFE6))
		return 1;
	for (const uint32_t *p = cps; *p != 0; p++)
		if (*p == c)
			return 1;
	return 0;
}

/*
** Return 1 if S has a digit and nothing but digits, separators, signs,
** currency and date words: what some spreadsheet, in some locale, may
** read as a number, date, time, fraction, percentage or currency
** (0123, 1/2, 2-22, MARCH1, SEPT2, 1E5, 12:30, 50 %, 1'000.00).
*/
static int
is_numeric_like(const char *s)
{
	int ndigit = 0;
	size_t n;
	uint32_t c;

	while (*s != '\0') {
		unsigned char u = (unsigned char)*s;

		if (IS_DIGIT(u)) {
			ndigit = 1;
			s++;
		} else if (strchr(" +-.,/:%$()'", u) != NULL)
			s++;
		else if (IS_ALPHA(u)) {
			for (n = 0; IS_ALPHA((unsigned char)s[n]); n++)
				;
			if (!is_date_word(s, n))
				return 0;
			s += n;
		} else if (u >= 0x80 && (n = (size_t)u8_decode(
		    (const unsigned char *)s, &c)) != 0 &&
		    is_numeric_cp(c, &ndigit))
			s += n;
		else
			return 0;
	}
	return ndigit;
}

/* Excel's error values, which it reads back as errors, not text. */
static const char *const error_words[] = {
	"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
	"#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!",
	"#UNKNOWN!", "#CONNECT!", "#BUSY!", NULL
};

/*
** Return 1 if text S would not come back from a spreadsheet as the same
** text: it is formula-like, or it would be read as a number, date, time,
** percentage, currency, boolean or error value, or it holds a CR,
** which a plain cell gives back as LF.  Generous by design: a
** guarded cell costs a visible ="..." in the formula bar, an unguarded
** one can lose data.  Plain words, names, e-mail addresses and the like
** are not guarded.
*/
int
xl_needs_text_guard(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	if (xl_is_formula_like(s))
		return 1;
	if (strchr(s, '\r') != NULL)
		return 1;	/* a cell's line breaks are read back as LF alone */
	if ((*s | 0x20) == 't' || (*s | 0x20) == 'f')
		if (strcasecmp(s, "TRUE") == 0 || strcasecmp(s, "FALSE") == 0)
			return 1;
	if (*s == '#')
		for (const char *const *w = error_words; *w != NULL; w++)
			if (strcasecmp(s, *w) == 0)
				return 1;
	return is_numeric_like(s);
}

/* Write C to F, doubling it if it is a double quote (inside a quoted field). */
static void
put_q(FILE *f, int c)
{
	if (c == '"')
		PUTC('"', f);
	PUTC(c, f);
}

/* Write string S to F inside a quoted field. */
static void
puts_q(FILE *f, const char *s)
{
	for (; *s != '\0'; s++)
		put_q(f, (unsigned char)*s);
}

/*
** Write S as the constant formula ="..."&CHAR(10)&"..." to F (already
** inside a quoted CSV field), or only measure it if F is NULL.  Return
** the formula's length in UTF-16 units, Excel's unit for its limits.
** A literal is cut before it passes XL_LITERAL_MAX, counting a doubled
** quote twice, and never inside a UTF-8 sequence.
*/
static size_t
put_formula(FILE *f, const char *s)
{
	size_t len = 1, lit = 0;	/* formula so far; current literal */
	int open = 0, first = 1;
	uint32_t c;

	if (f != NULL)
		PUTC('=', f);
	while (*s != '\0') {
		const unsigned char *u = (const unsigned char *)s;
		int n = u8_decode(u, &c), w;

		if (*s == '\r' || *s == '\n') {
			if (open && f != NULL)
				puts_q(f, "\"");
			open = 0;
			if (f != NULL) {
				if (!first)
					PUTC('&', f);
				PUTS(*s == '\n' ? "CHAR(10)" : "CHAR(13)", f);
			}
			len += (first ? 0U : 1U) + 8;
			first = 0;
			s++;
			continue;
		}
		if (n == 0)
			n = 1;	/* invalid UTF-8: pass the byte through */
		w = (n == 4 ? 2 : 1) * (*s == '"' ? 2 : 1);
		if (open && lit + (size_t)w > XL_LITERAL_MAX) {
			if (f != NULL)
				puts_q(f, "\"");
			open = 0;
		}
		if (!open) {
			if (f != NULL) {
				if (!first)
					PUTC('&', f);
				puts_q(f, "\"");
			}
			len += (first ? 0U : 1U) + 2;
			open = 1;
			first = 0;
			lit = 0;
		}
		if (f != NULL) {
			if (*s == '"')
				puts_q(f, "\"\"");
			else
				for (int i = 0; i < n; i++)
					PUTC(u[i], f);
		}
		lit += (size_t)w;
		len += (size_t)w;
		s += n;
	}
	if (open && f != NULL)
		puts_q(f, "\"");
	return len;
}

/* Return 1 if S must be quoted: for RFC 4180 and, if XL, for Excel. */
static int
needs_quotes(const char *s, int xl)
{
	size_t n = strlen(s);

	if (n == 0 || strpbrk(s, ",\"\r\n") != NULL || s[0] == ' ' ||
	    s[n - 1] == ' ')
		return 1;
	return xl && (strncmp(s, "ID", 2) == 0 ||
	    strncasecmp(s, "sep=", 4) == 0);
}

/* Write S to F as one CSV field, quoted if needed, with PREFIX before it. */
static void
put_plain(FILE *f, const char *prefix, const char *s, int xl)
{
	if (*prefix == '\0' && !needs_quotes(s, xl)) {
		PUTS(s, f);
		return;
	}
	PUTC('"', f);
	puts_q(f, prefix);
	puts_q(f, s);
	PUTC('"', f);
}

/*
** Write one CSV cell holding S to F, for a column of KIND (enum
** xl_kind).  NULL is an empty cell.  A text cell that a spreadsheet
** would convert or evaluate (xl_needs_text_guard) becomes a constant
** string formula, as the comment at the top explains; if that would
** pass Excel's XL_FORMULA_MAX the cell is made inert with a leading
** apostrophe instead, which shows in the cell.  The caller writes
** XL_BOM, the separators and XL_EOL (or uses xl_csv_put_row), and checks
** F for write errors.
*/
void
xl_csv_put_cell(FILE *f, const char *s, int kind)
{
	if (s == NULL)
		return;
	switch (kind) {
	case XL_RAW:
		put_plain(f, "", s, 0);
		return;
	case XL_NUMBER:
		if (xl_is_plain_number(s)) {
			PUTS(s, f);
			return;
		}
		break;
	case XL_DATE:
		if (xl_is_date(s)) {
			/*
			 * Excel does not read the ISO T, nor a Z; a space it
			 * does.  The time stays UTC.
			 */
			size_t n = strlen(s);

			if (s[n - 1] == 'Z')
				n--;
			fwrite_unlocked(s, 1, n < 10 ? n : 10, f);
			if (n > 10) {
				PUTC(' ', f);
				fwrite_unlocked(s + 11, 1, n - 11, f);
			}
			return;
		}
		break;
	}
	if (!xl_needs_text_guard(s))
		put_plain(f, "", s, 1);
	else if (put_formula(NULL, s) > XL_FORMULA_MAX)
		put_plain(f, "'", s, 1);
	else {
		PUTC('"', f);
		put_formula(f, s);
		PUTC('"', f);
	}
}

/* Write the N cells V to F as one CSV row, cell I of kind KINDS[I], and XL_EOL. */
void
xl_csv_put_row(FILE *f, size_t n, const char *const *v, const int *kinds)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			PUTC(',', f);
		xl_csv_put_cell(f, v[i], kinds[i]);
	}
	PUTS(XL_EOL, f);
}
