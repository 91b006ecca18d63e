/* svg.h: self-contained SVG charts, and escaping for XML and HTML. */
#ifndef CRM_SVG_H
#define CRM_SVG_H

#include <stddef.h>

struct strbuf;

/*
** The font-family of charts and pages: families that come with the
** common CJK fonts of Linux, Windows and macOS, then sans-serif.  Only
** installed fonts are used; none is fetched.
*/
#define SVG_FONTS "'Noto Sans CJK SC','Source Han Sans SC'," \
	"'WenQuanYi Zen Hei','WenQuanYi Micro Hei','Microsoft YaHei'," \
	"'PingFang SC','Hiragino Sans GB',SimHei,sans-serif"

/*
** Append S to SB escaped for XML and HTML text and for attribute values
** in either quote: & < > " ' become entities; characters XML does not
** allow (controls other than tab, newline and carriage return, U+FFFE,
** U+FFFF) and invalid UTF-8 become U+FFFD, so the result always parses.
*/
void markup_escape(struct strbuf *sb, const char *s);

/*
** Every chart below is appended to OUT as one <svg> element with its
** own width and height, worked out from the data (label widths by
** display_width()), a white background, TITLE (may be NULL) on top and
** as its <title>, and text in the locally installed CJK families ending
** in sans-serif.  No scripts, styles, fonts, images or links: it can be
** saved as a .svg file or put into an HTML page as it is.  All text is
** escaped with markup_escape().  Values that are NaN or below zero are
** drawn as zero; their text is still shown.
*/

/* A horizontal bar (funnel, performance), optionally with a target. */
struct svg_bar {
	const char *label;
	double value;
	const char *text;	/* the exact figure, after the bar */
	double target;		/* a marker across the bar; NaN or < 0: none */
};

/* Horizontal bars scaled so that the largest value or target fills the width. */
void svg_bars(struct strbuf *out, const char *title,
    const struct svg_bar *bars, size_t n);

#define SVG_SERIES_MAX 4

/* One month of svg_months(): a value and its text per series. */
struct svg_month {
	const char *month;		/* the label under the group */
	double value[SVG_SERIES_MAX];
	const char *text[SVG_SERIES_MAX];	/* above each bar; may be NULL */
};

/*
** Vertical bars grouped by month, one per series (forecast: weighted and
** best case), on an axis from zero with round ticks, and a legend of the
** NSERIES (1..SVG_SERIES_MAX) names SERIES.
*/
void svg_months(struct strbuf *out, const char *title,
    const char *const *series, size_t nseries,
    const struct svg_month *months, size_t n);

/* One event of svg_timeline(). */
struct svg_event {
	const char *date;	/* left of the axis */
	const char *label;	/* right of the axis */
	const char *detail;	/* under the label, smaller; NULL or "": none */
};

/* Events, in the order given, down a vertical axis. */
void svg_timeline(struct strbuf *out, const char *title,
    const struct svg_event *events, size_t n);

#endif
