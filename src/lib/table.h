/* table.h: aligned text tables for a terminal, and the display width of text. */
#ifndef CRM_TABLE_H
#define CRM_TABLE_H

#include <stdio.h>

struct strbuf;

/*
** Terminal cells of code point C as term_text() shows it: 2 for East
** Asian Wide and Fullwidth (Unicode's EastAsianWidth.txt, emoji
** included), 0 for combining marks and format characters, else 1.
** The tables are built in, so the answer does not depend on the locale.
*/
int display_width_cp(unsigned c);

/* Terminal cells of the UTF-8 text S (invalid bytes count as U+FFFD). */
int display_width(const char *s);

/*
** Append S to SB made safe to print on a terminal: tab, newline and
** carriage return become a space; other control characters (an escape
** sequence in a customer's name), bidirectional overrides and invalid
** UTF-8 become U+FFFD.  display_width() measures exactly this text.
*/
void term_text(struct strbuf *sb, const char *s);

/* True when S is a decimal number as the TSV output writes one: -?D+(.D+)? */
int table_is_number(const char *s);

/*
** The fraction S as a percentage, exactly: "0.6315" gives "63.15%",
** "1" gives "100%", "-0.05" gives "-5%".  Returns a new string the
** caller frees, or NULL when S is not a decimal number.
*/
char *table_percent(const char *s);

enum table_kind {
	TABLE_AUTO,	/* NUMBER when every non-empty cell is a number */
	TABLE_TEXT,	/* left-aligned */
	TABLE_NUMBER,	/* right-aligned; summed in the totals row */
	TABLE_RATE	/* a fraction shown as a percentage, right-aligned */
};

/*
** A table is held in memory until table_close() writes it: a header,
** a rule, the rows, and the totals row (after another rule) if any.
** Columns are two spaces apart and as wide as their widest cell in
** display width; nothing is cut.  Text is cleaned by term_text().
*/
struct table;

/* A table of NCOL columns named HEADER[0..NCOL-1] (copied). */
struct table *table_open(size_t ncol, const char *const *header);

/* Set how column COL is shown (TABLE_AUTO until set). */
void table_kind(struct table *t, size_t col, enum table_kind kind);

/* Add a row of NCOL cells (copied); a NULL cell is empty. */
void table_row(struct table *t, const char *const *cells);

/*
** Add the totals row.  CELLS[i] is shown as given when not NULL; a NULL
** cell is the exact sum of a NUMBER column (empty when a cell of it is
** not a number or the sum does not fit 18 digits), and empty for any
** other column.  Put the label ("合计") in CELLS[0].
*/
void table_totals(struct table *t, const char *const *cells);

/* Write T to OUT and free it.  Write errors are left in ferror(OUT). */
void table_close(struct table *t, FILE *out);

#endif
