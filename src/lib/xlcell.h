/* xlcell.h: CSV cells for Excel: text stays text, formulas stay inert. */
#ifndef CRM_XLCELL_H
#define CRM_XLCELL_H

#include <stddef.h>
#include <stdio.h>

/*
** How a column is to be read by the spreadsheet.  XL_TEXT keeps the value
** as the exact text (a guarded cell becomes a constant string formula
** such as ="0123"); XL_NUMBER and XL_DATE write values that are plainly
** a number or an ISO date as such and fall back to XL_TEXT otherwise;
** XL_RAW is RFC 4180 quoting and nothing else (--raw).
*/
enum xl_kind {
	XL_TEXT,
	XL_NUMBER,
	XL_DATE,
	XL_RAW
};

#define XL_BOM		"\xEF\xBB\xBF"	/* UTF-8 byte order mark, once at the start */
#define XL_EOL		"\r\n"		/* row terminator */
#define XL_LITERAL_MAX	255	/* Excel: longest string literal in a formula */
#define XL_FORMULA_MAX	8192	/* Excel: longest formula, in characters */

int xl_is_plain_number(const char *s);
int xl_is_date(const char *s);
int xl_is_formula_like(const char *s);
int xl_needs_text_guard(const char *s);
void xl_csv_put_cell(FILE *f, const char *s, int kind);
void xl_csv_put_row(FILE *f, size_t n, const char *const *v, const int *kinds);

#endif
