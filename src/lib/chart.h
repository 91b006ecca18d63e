/* chart.h: horizontal bar charts for a terminal, drawn in eighth blocks. */
#ifndef CRM_CHART_H
#define CRM_CHART_H

#include <stdio.h>

struct chart_bar {
	const char *label;
	double value;		/* the bar's length; NaN, infinite or < 0: none */
	const char *text;	/* printed after the bar: the exact figure */
};

/*
** Write one line per bar to OUT: the label padded to the widest label
** (in display width), the bar, then the text right-aligned in a column
** after the longest bar.  The largest value gets WIDTH cells and the
** others their share, to an eighth of a cell (▏▎▍▌▋▊▉█); a value above
** zero shows at least ▏.  With COLOR the bars are in ANSI colour.
** Labels and texts are cleaned by term_text().  Write errors are left
** in ferror(OUT).
*/
void chart_bars(FILE *out, const struct chart_bar *bars, size_t n,
    int width, int color);

/* Whether to colour stdout: it is a terminal and NO_COLOR is unset or empty. */
int chart_color(void);

#endif
