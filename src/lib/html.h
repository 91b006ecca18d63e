/* html.h: a self-contained one-page HTML overview: facts, tables, charts. */
#ifndef CRM_HTML_H
#define CRM_HTML_H

#include <stddef.h>

struct strbuf;

/*
** A page is appended to OUT by html_begin(), any of the calls between,
** and html_end(), in reading order.  It is UTF-8 with its CSS inline;
** it has no scripts and refers to nothing outside itself, and its
** Content-Security-Policy tells the browser to load nothing either.
** Every value passes through markup_escape() (svg.h), so a name such
** as <script>alert(1)</script> shows as that text.
*/

/* The document head, TITLE as <title> and as the page's heading. */
void html_begin(struct strbuf *out, const char *title);

/* A section heading. */
void html_section(struct strbuf *out, const char *heading);

/* N facts: KEYS[i] and VALUES[i] side by side; a NULL value is empty. */
void html_facts(struct strbuf *out, size_t n, const char *const *keys,
    const char *const *values);

/*
** A table of NCOL columns named HEADER and NROW rows of CELLS, row
** after row (NCOL * NROW strings; NULL is empty).  Cells holding a
** number (table_is_number()) are right-aligned.
*/
void html_table(struct strbuf *out, size_t ncol, const char *const *header,
    size_t nrow, const char *const *cells);

/* A chart made by svg.h, put in as it is (it is not escaped again). */
void html_svg(struct strbuf *out, const char *svg);

/* Close the document. */
void html_end(struct strbuf *out);

#endif
