/* svg.c: self-contained SVG charts, and escaping for XML and HTML. */
#include <float.h>
#include <stdio.h>
#include <string.h>

#include "norm.h"
#include "str.h"
#include "svg.h"
#include "table.h"

enum {
	FS = 13,		/* font size of labels */
	FS_SMALL = 11,		/* of figures over bars and details */
	FS_TITLE = 16,
	MARGIN = 16,
	BAR_W = 400,		/* the longest horizontal bar */
	BAR_H = 18,
	ROW_H = 28,		/* a horizontal bar and the gap under it */
	PLOT_H = 220		/* the tallest vertical bar */
};

static const char *const colour[SVG_SERIES_MAX] = {
	"#4e79a7", "#f28e2b", "#59a14f", "#e15759"
};

void
markup_escape(struct strbuf *sb, const char *s)
{
	while (*s) {
		const char *p = s;
		unsigned c = utf8_next(&s);

		switch (c) {
		case '&': sb_adds(sb, "&amp;"); continue;
		case '<': sb_adds(sb, "&lt;"); continue;
		case '>': sb_adds(sb, "&gt;"); continue;
		case '"': sb_adds(sb, "&quot;"); continue;
		case '\'': sb_adds(sb, "&#39;"); continue;
		}
		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
		    (c >= 0x7f && c < 0xa0) || c == 0xfffe || c == 0xffff ||
		    c == 0xfffd)	/* also what utf8_next() made of a bad byte */
			sb_adds(sb, "\xef\xbf\xbd");
		else
			sb_add(sb, p, (size_t)(s - p));
	}
}

/* V when it is a finite number not below zero, else 0. */
static double
val(double v)
{
	return v >= 0 && v <= DBL_MAX ? v : 0;
}

/* Pixels of SPAN that V takes when MAX takes all of it. */
static int
scale(double v, double max, int span)
{
	double r;

	if (!(max > 0) || !((r = val(v) / max) > 0))
		return 0;
	return r >= 1 ? span : (int)(r * span + 0.5);
}

/*
** The width in pixels S is given at font size FS: 0.6 em a terminal
** cell, which is more than a Latin letter takes and gives a Chinese
** character (two cells) 1.2 em, so text never runs into what follows.
*/
static int
text_px(const char *s, int fs)
{
	return s ? (display_width(s) * fs * 6 + 9) / 10 : 0;
}

static int
imax(int a, int b)
{
	return a > b ? a : b;
}

/* Append <text> at X, Y with the attributes ATTRS (constant) around S. */
static void
text(struct strbuf *out, int x, int y, const char *attrs, const char *s)
{
	sb_addf(out, "<text x=\"%d\" y=\"%d\"%s%s>", x, y, *attrs ? " " : "",
	    attrs);
	markup_escape(out, s ? s : "");
	sb_adds(out, "</text>\n");
}

/* The height the title takes above a chart. */
static int
title_h(const char *title)
{
	return title ? MARGIN + FS_TITLE + 12 : MARGIN;
}

/* Open the <svg> of W by H pixels (at least as wide as TITLE) with TITLE. */
static void
svg_open(struct strbuf *out, const char *title, int w, int h)
{
	w = imax(w, 2 * MARGIN + text_px(title, FS_TITLE));
	sb_addf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"%s\" "
	    "font-size=\"%d\">\n", w, h, w, h, SVG_FONTS, FS);
	if (title) {
		sb_adds(out, "<title>");
		markup_escape(out, title);
		sb_adds(out, "</title>\n");
	}
	sb_addf(out, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", w, h);
	if (title)
		text(out, MARGIN, MARGIN + FS_TITLE, "font-size=\"16\" "
		    "font-weight=\"bold\"", title);
}

void
svg_bars(struct strbuf *out, const char *title, const struct svg_bar *bars,
    size_t n)
{
	int lw = 0, tw = 0, top = title_h(title), x0;
	double max = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		lw = imax(lw, text_px(bars[i].label, FS));
		tw = imax(tw, text_px(bars[i].text, FS));
		if (val(bars[i].value) > max)
			max = val(bars[i].value);
		if (val(bars[i].target) > max)
			max = val(bars[i].target);
	}
	x0 = MARGIN + lw + 12;
	svg_open(out, title, x0 + BAR_W + 8 + tw + MARGIN,
	    top + (int)n * ROW_H + MARGIN);
	for (i = 0; i < n; i++) {
		int y = top + (int)i * ROW_H;

		text(out, MARGIN, y + 14, "", bars[i].label);
		sb_addf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
		    "fill=\"%s\"/>\n", x0, y, scale(bars[i].value, max, BAR_W),
		    BAR_H, colour[0]);
		if (bars[i].target >= 0 && bars[i].target <= DBL_MAX) {
			int tx = x0 + scale(bars[i].target, max, BAR_W);

			sb_addf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" "
			    "y2=\"%d\" stroke=\"#222\" stroke-width=\"3\"/>\n",
			    tx, y - 3, tx, y + BAR_H + 3);
		}
		text(out, x0 + BAR_W + 8, y + 14, "", bars[i].text);
	}
	sb_adds(out, "</svg>\n");
}

/*
** A round step for an axis from zero to MAX in about four steps: 1, 2
** or 5 times a power of ten, as *M times ten to the *E.
*/
static void
axis_step(double max, long long *m, int *e)
{
	double raw = max / 4, p = 1;
	int k = 0;

	*m = 1;
	*e = 0;
	if (!(raw > 0))
		return;
	while (p * 10 <= raw && k < 300)
		p *= 10, k++;
	while (p > raw && k > -300)
		p /= 10, k--;
	*e = k;
	if (raw <= p)
		*m = 1;
	else if (raw <= 2 * p)
		*m = 2;
	else if (raw <= 5 * p)
		*m = 5;
	else
		*e = k + 1;
}

/* Append V times ten to the E in decimal, without trailing zeros. */
static void
add_scaled(struct strbuf *sb, long long v, int e)
{
	struct strbuf d = STRBUF_INIT;
	size_t point;

	sb_addf(&d, "%lld", v);
	if (v == 0 || e >= 0) {
		sb_adds(sb, d.buf);
		for (; v != 0 && e > 0; e--)
			sb_addc(sb, '0');
		sb_free(&d);
		return;
	}
	while (d.len < (size_t)-e + 1) {	/* v is not negative here */
		sb_grow(&d, 1);
		memmove(d.buf + 1, d.buf, d.len + 1);
		d.buf[0] = '0';
		d.len++;
	}
	point = d.len - (size_t)-e;
	while (d.len > point && d.buf[d.len - 1] == '0')
		d.buf[--d.len] = '\0';
	sb_add(sb, d.buf, point);
	if (d.len > point) {
		sb_addc(sb, '.');
		sb_adds(sb, d.buf + point);
	}
	sb_free(&d);
}

void
svg_months(struct strbuf *out, const char *title, const char *const *series,
    size_t nseries, const struct svg_month *months, size_t n)
{
	struct strbuf tick[11];
	int top = title_h(title), tlw = 0, barw = 22, gw = 0, legend = 0;
	int x0, y0, base, right, nt = 1;
	double max = 0, step, axis;
	long long m;
	int e;
	size_t i, s;

	if (nseries > SVG_SERIES_MAX)
		nseries = SVG_SERIES_MAX;
	for (i = 0; i < n; i++)
		for (s = 0; s < nseries; s++) {
			if (val(months[i].value[s]) > max)
				max = val(months[i].value[s]);
			barw = imax(barw, text_px(months[i].text[s], FS_SMALL) + 4);
		}
	for (i = 0; i < n; i++)
		gw = imax(gw, text_px(months[i].month, FS));
	gw = imax(gw, (int)nseries * barw) + 16;
	for (s = 0; s < nseries; s++)
		legend += 14 + text_px(series[s], FS) + 16;
	axis_step(max, &m, &e);
	step = (double)m;
	for (int k = e; k > 0; k--)
		step *= 10;
	for (int k = e; k < 0; k++)
		step /= 10;
	while (nt < 10 && nt * step < max)
		nt++;
	axis = nt * step;
	for (int k = 0; k <= nt; k++) {
		sb_init(&tick[k]);
		add_scaled(&tick[k], k * m, e);
		tlw = imax(tlw, text_px(tick[k].buf, FS_SMALL));
	}

	x0 = MARGIN + tlw + 8;
	y0 = top + 20 + 8 + FS_SMALL + 4;	/* legend, room for figures */
	base = y0 + PLOT_H;
	right = x0 + (int)n * gw;
	svg_open(out, title, imax(right, MARGIN + legend) + MARGIN,
	    base + 8 + FS + MARGIN);

	for (s = 0, legend = MARGIN; s < nseries; s++) {
		sb_addf(out, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" "
		    "fill=\"%s\"/>\n", legend, top + 2, colour[s]);
		text(out, legend + 14, top + 11, "", series[s]);
		legend += 14 + text_px(series[s], FS) + 16;
	}
	for (int k = 0; k <= nt; k++) {
		int y = base - scale(k * step, axis, PLOT_H);

		sb_addf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
		    "stroke=\"%s\"/>\n", x0, y, right, y, k ? "#ddd" : "#888");
		text(out, x0 - 6, y + 4, "font-size=\"11\" text-anchor=\"end\"",
		    tick[k].buf);
		sb_free(&tick[k]);
	}
	for (i = 0; i < n; i++) {
		int gx = x0 + (int)i * gw + 8;
		int bx = gx + (gw - 16 - (int)nseries * barw) / 2;

		for (s = 0; s < nseries; s++, bx += barw) {
			int h = scale(months[i].value[s], axis, PLOT_H);

			sb_addf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" "
			    "height=\"%d\" fill=\"%s\"/>\n", bx + 1, base - h,
			    barw - 2, h, colour[s]);
			if (months[i].text[s])
				text(out, bx + barw / 2, base - h - 4,
				    "font-size=\"11\" text-anchor=\"middle\"",
				    months[i].text[s]);
		}
		text(out, gx + (gw - 16) / 2, base + 8 + FS,
		    "text-anchor=\"middle\"", months[i].month);
	}
	sb_adds(out, "</svg>\n");
}

void
svg_timeline(struct strbuf *out, const char *title,
    const struct svg_event *events, size_t n)
{
	int top = title_h(title), dw = 0, lw = 0, row = 30, ax;
	size_t i;

	for (i = 0; i < n; i++) {
		dw = imax(dw, text_px(events[i].date, FS));
		lw = imax(lw, text_px(events[i].label, FS));
		lw = imax(lw, text_px(events[i].detail, FS_SMALL));
		if (events[i].detail && *events[i].detail)
			row = 46;
	}
	ax = MARGIN + dw + 16;
	svg_open(out, title, ax + 14 + lw + MARGIN, top + (int)n * row + MARGIN);
	if (n > 1)
		sb_addf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
		    "stroke=\"#bbb\" stroke-width=\"2\"/>\n", ax, top + 10, ax,
		    top + (int)(n - 1) * row + 10);
	for (i = 0; i < n; i++) {
		int cy = top + (int)i * row + 10;

		text(out, ax - 12, cy + 4, "text-anchor=\"end\" fill=\"#555\"",
		    events[i].date);
		sb_addf(out, "<circle cx=\"%d\" cy=\"%d\" r=\"5\" fill=\"%s\"/>\n",
		    ax, cy, colour[0]);
		text(out, ax + 14, cy + 4, "", events[i].label);
		if (events[i].detail && *events[i].detail)
			text(out, ax + 14, cy + 21, "font-size=\"11\" "
			    "fill=\"#555\"", events[i].detail);
	}
	sb_adds(out, "</svg>\n");
}
