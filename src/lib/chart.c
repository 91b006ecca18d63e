/* chart.c: horizontal bar charts for a terminal, drawn in eighth blocks. */
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "chart.h"
#include "io.h"
#include "str.h"
#include "table.h"

/* U+258F..U+2588: one eighth of a cell to a full cell. */
static const char *const eighth[9] = {
	"", "▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"
};

int
chart_color(void)
{
	const char *nc = getenv("NO_COLOR");

	return crm_isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0');
}

/* Eighths of a cell for VALUE when MAX gets WIDTH cells. */
static long
bar_eighths(double value, double max, int width)
{
	double r, e;

	if (!(value <= DBL_MAX) || !(max > 0) || !((r = value / max) > 0))
		return 0;	/* NaN, infinite, zero or below */
	if (r >= 1)
		return (long)width * 8;
	e = r * width * 8 + 0.5;
	return e < 1 ? 1 : (long)e;
}

void
chart_bars(FILE *out, const struct chart_bar *bars, size_t n, int width,
    int color)
{
	struct strbuf line = STRBUF_INIT, label = STRBUF_INIT,
	    text = STRBUF_INIT;
	int lw = 0, tw = 0, w;
	double max = 0;
	size_t i;

	if (width < 1)
		width = 1;
	for (i = 0; i < n; i++) {
		if (bars[i].value > max && bars[i].value <= DBL_MAX)
			max = bars[i].value;
		if ((w = display_width(bars[i].label ? bars[i].label : "")) > lw)
			lw = w;
		if ((w = display_width(bars[i].text ? bars[i].text : "")) > tw)
			tw = w;
	}
	sb_init(&line);
	for (i = 0; i < n; i++) {
		long e = bar_eighths(bars[i].value, max, width);
		int pad;

		sb_reset(&line);
		sb_reset(&label);
		sb_reset(&text);
		term_text(&label, bars[i].label ? bars[i].label : "");
		term_text(&text, bars[i].text ? bars[i].text : "");
		sb_adds(&line, label.buf);
		for (pad = lw - display_width(label.buf) + 1; pad > 0; pad--)
			sb_addc(&line, ' ');
		if (color && e > 0)
			sb_adds(&line, "\033[36m");
		for (long k = 0; k < e / 8; k++)
			sb_adds(&line, eighth[8]);
		sb_adds(&line, eighth[e % 8]);
		if (color && e > 0)
			sb_adds(&line, "\033[0m");
		pad = width - (int)(e / 8) - (e % 8 != 0) + 1 +
		    tw - display_width(text.buf);
		for (; text.len > 0 && pad > 0; pad--)
			sb_addc(&line, ' ');
		sb_adds(&line, text.buf);
		while (line.len > 0 && line.buf[line.len - 1] == ' ')
			line.buf[--line.len] = '\0';	/* no bar, no text */
		sb_addc(&line, '\n');
		fputs(line.buf, out);
	}
	sb_free(&line);
	sb_free(&label);
	sb_free(&text);
}
