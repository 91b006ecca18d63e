/* html.c: a self-contained one-page HTML overview: facts, tables, charts. */
#include <stddef.h>

#include "html.h"
#include "str.h"
#include "svg.h"
#include "table.h"

static const char style[] =
    "body{font-family:" SVG_FONTS ";color:#222;line-height:1.5;"
    "max-width:60em;margin:2em auto;padding:0 1em}\n"
    "h1{font-size:1.6em;margin:0 0 .5em}\n"
    "h2{font-size:1.2em;margin:1.6em 0 .6em;border-bottom:1px solid #ddd}\n"
    "dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1.5em}\n"
    "dt{color:#666}\n"
    "dd{margin:0}\n"
    "dd,td{white-space:pre-wrap}\n"
    "table{border-collapse:collapse}\n"
    "th,td{padding:.2em .8em;border-bottom:1px solid #eee;"
    "text-align:left;vertical-align:top}\n"
    "th{border-bottom-color:#bbb}\n"
    ".n{text-align:right;font-variant-numeric:tabular-nums}\n"
    "figure{margin:1em 0}\n"
    "svg{max-width:100%;height:auto}\n";

/* Append <TAG>S</TAG>, S escaped (NULL is empty). */
static void
element(struct strbuf *out, const char *tag, const char *s)
{
	sb_addf(out, "<%s>", tag);
	markup_escape(out, s ? s : "");
	sb_addf(out, "</%s>", tag);
}

void
html_begin(struct strbuf *out, const char *title)
{
	sb_adds(out, "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" "
	    "content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width\">\n");
	element(out, "title", title);
	sb_addf(out, "\n<style>\n%s</style>\n</head>\n<body>\n", style);
	element(out, "h1", title);
	sb_addc(out, '\n');
}

void
html_section(struct strbuf *out, const char *heading)
{
	element(out, "h2", heading);
	sb_addc(out, '\n');
}

void
html_facts(struct strbuf *out, size_t n, const char *const *keys,
    const char *const *values)
{
	sb_adds(out, "<dl>\n");
	for (size_t i = 0; i < n; i++) {
		element(out, "dt", keys[i]);
		element(out, "dd", values[i]);
		sb_addc(out, '\n');
	}
	sb_adds(out, "</dl>\n");
}

void
html_table(struct strbuf *out, size_t ncol, const char *const *header,
    size_t nrow, const char *const *cells)
{
	size_t r, c;

	sb_adds(out, "<table>\n<thead><tr>");
	for (c = 0; c < ncol; c++)
		element(out, "th", header[c]);
	sb_adds(out, "</tr></thead>\n<tbody>\n");
	for (r = 0; r < nrow; r++) {
		sb_adds(out, "<tr>");
		for (c = 0; c < ncol; c++) {
			const char *s = cells[r * ncol + c];

			sb_adds(out, table_is_number(s) ? "<td class=\"n\">" : "<td>");
			markup_escape(out, s ? s : "");
			sb_adds(out, "</td>");
		}
		sb_adds(out, "</tr>\n");
	}
	sb_adds(out, "</tbody>\n</table>\n");
}

void
html_svg(struct strbuf *out, const char *svg)
{
	sb_adds(out, "<figure>\n");
	sb_adds(out, svg);
	sb_adds(out, "</figure>\n");
}

void
html_end(struct strbuf *out)
{
	sb_adds(out, "</body>\n</html>\n");
}
