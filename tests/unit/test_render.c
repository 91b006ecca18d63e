/*
** test_render.c: the output layer of crm-report: display width and
** terminal text (table.h), tables, percentages, bar charts (chart.h),
** escaping and the SVG and HTML builders (svg.h, html.h).  Expected
** output is worked out by hand from the documented layout.
*/
#include "unit.h"

#include <locale.h>
#include <math.h>

#include "chart.h"
#include "html.h"
#include "str.h"
#include "svg.h"
#include "table.h"

/* ---- display width ------------------------------------------------- */

/* Assert that S is W cells wide. */
static void
check_width(const char *s, int w)
{
	if (display_width(s) != w)
		fail_msg("display_width(\"%s\"): expected %d, got %d", s, w,
		    display_width(s));
}

static void
test_width(void **state)
{
	(void)state;
	check_width("", 0);
	check_width("abc 123", 7);			/* ASCII */
	check_width("张三", 4);				/* CJK ideographs */
	check_width("上海某某科技有限公司", 20);
	check_width("\xe3\x80\x80", 2);			/* U+3000 ideographic space (F) */
	check_width("\xef\xbc\xa1\xef\xbc\xa2\xef\xbc\x91", 6);	/* ＡＢ１ (F) */
	check_width("\xef\xbc\x8c", 2);			/* U+FF0C fullwidth comma */
	check_width("\xef\xbd\xb1", 1);			/* U+FF71 halfwidth katakana (H) */
	check_width("\xea\xb0\x80", 2);			/* U+AC00 Hangul syllable */
	check_width("\xe3\x81\x82\xe3\x82\xa2", 4);	/* あア */
	check_width("\xf0\x9f\x98\x80", 2);		/* U+1F600 emoji */
	check_width("\xf0\x9f\x91\x8d", 2);		/* U+1F44D emoji */
	check_width("\xe2\x9c\x85", 2);			/* U+2705 (W) */
	check_width("\xe2\x98\x85", 1);			/* U+2605 star (A): one */
	check_width("\xf0\xa0\x80\x80", 2);		/* U+20000 Extension B */
	check_width("\xf0\xaa\x9b\xa0", 2);		/* U+2A6E0 unassigned, plane 2 */
	check_width("e\xcc\x81", 1);			/* e + U+0301 combining acute */
	check_width("\xe4\xb8\xad\xcc\x81", 2);		/* 中 + U+0301 */
	check_width("a\xe2\x83\x9d", 1);		/* a + U+20DD enclosing circle (Me) */
	check_width("a\xe2\x80\x8b" "b", 2);		/* U+200B zero width space (Cf) */
	check_width("\xc2\xad", 1);			/* U+00AD soft hyphen shows */
	check_width("\xe1\x84\x80\xe1\x85\xa1", 2);	/* U+1100 U+1161 conjoining jamo */
	check_width("\xe1\x85\x9f", 2);			/* U+115F last wide jamo */
	check_width("\xe1\x88\x80", 1);			/* U+1200 Ethiopic */
	check_width("\xe3\x80\xaa", 0);			/* U+302A: Mn and W, Mn wins */
	check_width("\xe2\x96\x88\xe2\x96\x8f", 2);	/* █▏ (A): one each */
	check_width("\xff", 1);				/* a bad byte is U+FFFD */
	check_width("\xe4\xb8", 2);			/* each byte of a cut one too */
	check_width("\t\x1b", 2);			/* controls are shown as one */
}

/* The width does not come from the locale (wcwidth would say -1 in "C"). */
static void
test_width_locale(void **state)
{
	(void)state;
	assert_non_null(setlocale(LC_ALL, "C"));
	check_width("客户名称", 8);
	check_width("\xf0\x9f\x98\x80", 2);
	check_width("e\xcc\x81", 1);
}

/* Assert that term_text(IN) is WANT. */
static void
check_term(const char *in, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	sb_init(&sb);
	term_text(&sb, in);
	if (strcmp(sb.buf, want) != 0)
		fail_msg("term_text(\"%s\"): expected \"%s\", got \"%s\"", in,
		    want, sb.buf);
	assert_int_equal(display_width(in), display_width(sb.buf));
	sb_free(&sb);
}

#define FFFD "\xef\xbf\xbd"

static void
test_term_text(void **state)
{
	(void)state;
	check_term("张三 Zhang", "张三 Zhang");
	check_term("a\tb\nc\rd", "a b c d");
	check_term("\x1b[2J\x1b]0;pwned\x07", FFFD "[2J" FFFD "]0;pwned" FFFD);
	check_term("del\x7f", "del" FFFD);
	check_term("c1\xc2\x9b" "31m", "c1" FFFD "31m");	/* U+009B CSI */
	check_term("\xe2\x80\xae" "abc", FFFD "abc");		/* U+202E RLO */
	check_term("\xe2\x81\xa6x\xe2\x81\xa9", FFFD "x" FFFD);	/* U+2066, U+2069 */
	check_term("bad\xff\xfe", "bad" FFFD FFFD);
	check_term("\xe2\x80\xa8", "\xe2\x80\xa8");	/* U+2028 is not a control */
	check_term(FFFD, FFFD);
}

/* ---- numbers and percentages --------------------------------------- */

static void
test_is_number(void **state)
{
	static const char *const yes[] = { "0", "7", "-1.5", "12345.67",
		"0.6315", "00012", "-0", "13800138000" };
	static const char *const no[] = { "", "1.", ".5", "-", "-.5",
		"1e3", "+1", "--1", "1,000", " 1", "1 ", "NaN", "inf", "0x10",
		"１２", "1.2.3" };

	(void)state;
	for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
		if (!table_is_number(yes[i]))
			fail_msg("'%s' should be a number", yes[i]);
	for (size_t i = 0; i < sizeof no / sizeof *no; i++)
		if (table_is_number(no[i]))
			fail_msg("'%s' should not be a number", no[i]);
	assert_false(table_is_number(NULL));
}

/* Assert that table_percent(IN) is WANT (NULL: not a number). */
static void
check_percent(const char *in, const char *want)
{
	char *got = table_percent(in);

	if (!((got == NULL && want == NULL) ||
	    (got && want && strcmp(got, want) == 0)))
		fail_msg("table_percent('%s'): expected %s, got %s", in,
		    want ? want : "NULL", got ? got : "NULL");
	free(got);
}

static void
test_percent(void **state)
{
	(void)state;
	check_percent("0.6315", "63.15%");
	check_percent("1", "100%");
	check_percent("0", "0%");
	check_percent("0.5", "50%");
	check_percent("0.05", "5%");
	check_percent("0.6300", "63.00%");		/* digits kept as given */
	check_percent("0.123456", "12.3456%");
	check_percent("0.0001", "0.01%");
	check_percent("12.5", "1250%");
	check_percent("-0.05", "-5%");
	check_percent("-1.25", "-125%");
	check_percent("-0.00", "0%");
	check_percent("0.333333333333333333333", "33.3333333333333333333%");
	check_percent("", NULL);
	check_percent("n/a", NULL);
	check_percent("63%", NULL);
}

/* ---- tables -------------------------------------------------------- */

/* Write T with table_close() into a new string the caller frees. */
static char *
render(struct table *t)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	assert_non_null(f);
	table_close(t, f);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void
assert_text(const char *got, const char *want)
{
	if (strcmp(got, want) != 0)
		fail_msg("expected:\n%s\ngot:\n%s", want, got);
}

/*
** Widths: 客户 column 7 (ABC公司), 金额 column 7 (the total 1323.25),
** 转化率 column 6 (63.15%).  Text left, numbers and rates right, two
** spaces between columns, no blanks at the ends of lines.
*/
static void
test_table(void **state)
{
	static const char *const head[] = { "客户", "金额", "转化率" };
	static const char *const r1[] = { "张三", "1234.5", "0.6315" };
	static const char *const r2[] = { "ABC公司", "99", "0.05" };
	static const char *const r3[] = { "\xef\xbc\xb8", "-10.25", "1" };
	static const char *const tot[] = { "合计", NULL, NULL };
	struct table *t = table_open(3, head);
	char *out;

	(void)state;
	table_kind(t, 2, TABLE_RATE);
	table_row(t, r1);
	table_row(t, r2);
	table_row(t, r3);
	table_totals(t, tot);
	out = render(t);
	assert_text(out,
	    "客户        金额  转化率\n"
	    "-------  -------  ------\n"
	    "张三      1234.5  63.15%\n"
	    "ABC公司       99      5%\n"
	    "\xef\xbc\xb8        -10.25    100%\n"
	    "-------  -------  ------\n"
	    "合计     1323.25\n");
	free(out);
}

/*
** A column is a number column when every cell that is not empty is a
** number; a text column stays left-aligned even where it holds digits.
** Cells are cleaned for the terminal and nothing is cut.
*/
static void
test_table_auto(void **state)
{
	static const char *const head[] = { "id", "name", "phone", "note" };
	static const char *const r1[] = { "7", "王\t芳", "13800138000", "1" };
	static const char *const r2[] = { "12", "\x1b[31mred", NULL, "两件" };
	struct table *t = table_open(4, head);
	char *out;

	(void)state;
	table_row(t, r1);
	table_row(t, r2);
	out = render(t);
	assert_text(out,
	    "id  name            phone  note\n"
	    "--  --------  -----------  ----\n"
	    " 7  王 芳     13800138000  1\n"
	    "12  " FFFD "[31mred               两件\n");
	free(out);
}

/* Totals are exact decimal sums; a caller's cell wins over the sum. */
static void
test_table_totals(void **state)
{
	static const char *const head[] = { "k", "a", "b", "c", "d" };
	static const char *const r1[] = { "x", "0.1", "999999999999999999",
		"1", "0.5" };
	static const char *const r2[] = { "y", "0.20", "1", "n/a", NULL };
	static const char *const r3[] = { "z", NULL, "0", "2", "0.25" };
	static const char *const tot[] = { "all", NULL, NULL, NULL, "0.6" };
	struct table *t = table_open(5, head);
	char *out;

	(void)state;
	table_kind(t, 3, TABLE_NUMBER);		/* but "n/a" is not a number */
	table_kind(t, 4, TABLE_RATE);
	table_row(t, r1);
	table_row(t, r2);
	table_row(t, r3);
	table_totals(t, tot);
	out = render(t);
	/* a: 0.1 + 0.20 = 0.30; b: past 18 digits, so none; d: the caller's */
	assert_text(out,
	    "k       a                   b    c    d\n"
	    "---  ----  ------------------  ---  ---\n"
	    "x     0.1  999999999999999999    1  50%\n"
	    "y    0.20                   1  n/a\n"
	    "z                           0    2  25%\n"
	    "---  ----  ------------------  ---  ---\n"
	    "all  0.30                           60%\n");
	free(out);
}

static void
test_table_empty(void **state)
{
	static const char *const head[] = { "名称", "n" };
	char *out;

	(void)state;
	out = render(table_open(2, head));
	assert_text(out, "名称  n\n----  -\n");
	free(out);
}

/* ---- terminal charts ----------------------------------------------- */

/* chart_bars() into a new string the caller frees. */
static char *
chart(const struct chart_bar *b, size_t n, int width, int color)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	chart_bars(f, b, n, width, color);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/*
** Width 8: 100 of 100 is 64 eighths (8 full blocks), 50 is 32 (4), 1 is
** 0.64 eighths, shown as one; zero and below draw nothing.  Labels are
** padded to 4 cells (线索) plus one space; figures right-aligned after
** the 8 cells of bar and a space.
*/
static void
test_chart(void **state)
{
	static const struct chart_bar b[] = {
		{ "线索", 100, "100" },
		{ "商机", 50, "50" },
		{ "a", 1, "1" },
		{ "零", 0, "0" },
		{ "负", -5, "-5" },
	};
	char *out;

	(void)state;
	out = chart(b, 5, 8, 0);
	assert_text(out,
	    "线索 ████████ 100\n"
	    "商机 ████      50\n"
	    "a    ▏          1\n"
	    "零              0\n"
	    "负             -5\n");
	free(out);
}

/*
** Values that are not finite numbers draw no bar and do not change the
** scale (5 fills the 4 cells); a line without bar or text has no blanks
** at the end.
*/
static void
test_chart_odd(void **state)
{
	static const struct chart_bar b[] = {
		{ "a", NAN, NULL },
		{ "bb", INFINITY, "inf" },
		{ "c", 5, "5" },
	};
	char *out;

	(void)state;
	out = chart(b, 3, 4, 0);
	assert_text(out,
	    "a\n"
	    "bb" "      " "inf\n"		/* 1 + 4 (no bar) + 1 */
	    "c  ████" "   " "5\n");
	free(out);
}

/* Value K of 8 at width 1 is K eighths: ▏▎▍▌▋▊▉█. */
static void
test_chart_eighths(void **state)
{
	static const char *const want[] = { "▏", "▎", "▍", "▌", "▋", "▊",
		"▉", "█" };
	struct chart_bar b[2] = { { "", 8, NULL }, { "", 0, NULL } };
	char line[64];

	(void)state;
	for (int k = 1; k <= 8; k++) {
		char *out;

		b[1].value = k;
		out = chart(b, 2, 1, 0);
		snprintf(line, sizeof line, "█\n %s\n", want[k - 1]);
		assert_text(out + strlen(" "), line);
		free(out);
	}
}

static void
test_chart_color(void **state)
{
	static const struct chart_bar b[] = {
		{ "\x1b[2Jx", 2, "2" }, { "y", 0, "0" },
	};
	char *out;

	(void)state;
	out = chart(b, 2, 1, 1);
	assert_text(out,
	    FFFD "[2Jx \x1b[36m█\x1b[0m 2\n"
	    "y       0\n");
	free(out);

	unsetenv("NO_COLOR");
	setenv("CRM_FORCE_TTY", "1", 1);
	assert_true(chart_color());
	setenv("NO_COLOR", "", 1);		/* empty: as if unset */
	assert_true(chart_color());
	setenv("NO_COLOR", "1", 1);
	assert_false(chart_color());
	unsetenv("NO_COLOR");
	unsetenv("CRM_FORCE_TTY");
	if (!isatty(STDOUT_FILENO))
		assert_false(chart_color());
}

/* ---- escaping ------------------------------------------------------ */

/* Assert that markup_escape(IN) is WANT. */
static void
check_escape(const char *in, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	sb_init(&sb);
	markup_escape(&sb, in);
	if (strcmp(sb.buf, want) != 0)
		fail_msg("markup_escape(\"%s\"): expected \"%s\", got \"%s\"",
		    in, want, sb.buf);
	sb_free(&sb);
}

static void
test_escape(void **state)
{
	(void)state;
	check_escape("", "");
	check_escape("张三", "张三");
	check_escape("<script>alert(1)</script>",
	    "&lt;script&gt;alert(1)&lt;/script&gt;");
	check_escape("A&B \"贸易\" 'x'", "A&amp;B &quot;贸易&quot; &#39;x&#39;");
	check_escape("&amp;", "&amp;amp;");
	check_escape("a\tb\nc\rd", "a\tb\nc\rd");
	check_escape("\x01\x1b\x7f\xc2\x85", FFFD FFFD FFFD FFFD);
	check_escape("\xef\xbf\xbe\xef\xbf\xbf", FFFD FFFD);	/* U+FFFE U+FFFF */
	check_escape("x\xffy\xe4\xb8", "x" FFFD "y" FFFD FFFD);
	check_escape("\xe2\x80\xa8\xe2\x80\xa9", "\xe2\x80\xa8\xe2\x80\xa9");
	check_escape("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80");
}

/* ---- SVG and HTML -------------------------------------------------- */

/* Fail when DOC holds any of the things a self-contained page must not. */
static void
assert_self_contained(const char *doc)
{
	static const char *const bad[] = { "<script", "href", "src=", "url(",
		"@import", "@font-face", "<image", "<foreignObject", "<iframe",
		"<object", "<embed", "<link", " on" };

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		if (strstr(doc, bad[i]))
			fail_msg("found '%s' in:\n%s", bad[i], doc);
}

/* The number in attribute NAME="..." of the first element at or after P. */
static int
attr(const char *p, const char *name)
{
	char key[32];
	const char *q;

	snprintf(key, sizeof key, " %s=\"", name);
	q = strstr(p, key);
	assert_non_null(q);
	return atoi(q + strlen(key));
}

/*
** The largest value or target gets 400 pixels, the others their share;
** a longer label moves the bars right by its estimated width (0.6 em a
** cell at 13 px: 7.8 px, so 8 cells more are 62 px more).
*/
static void
test_svg_bars(void **state)
{
	struct svg_bar b[] = {
		{ "华东 <b>", 50, "50 / 100", 100 },
		{ "华南", 25, "25", NAN },
	};
	struct strbuf a = STRBUF_INIT, w = STRBUF_INIT;
	const char *r;

	(void)state;
	sb_init(&a);
	sb_init(&w);
	svg_bars(&a, "业绩 & 目标", b, 2);
	assert_self_contained(a.buf);
	assert_non_null(strstr(a.buf, "<title>业绩 &amp; 目标</title>"));
	assert_non_null(strstr(a.buf, ">华东 &lt;b&gt;</text>"));
	assert_non_null(strstr(a.buf, ">50 / 100</text>"));
	assert_non_null(strstr(a.buf, ",sans-serif\""));
	r = strstr(a.buf, "<rect x=");
	assert_int_equal(attr(r, "width"), 200);
	assert_int_equal(attr(strstr(r + 1, "<rect x="), "width"), 100);
	assert_int_equal(attr(strstr(a.buf, "<line"), "x1") - attr(r, "x"), 400);
	assert_null(strstr(strstr(a.buf, "<line") + 1, "<line"));	/* NaN: none */

	b[1].label = "华南华南华南华南";	/* 8 cells more than 华东 <b> */
	svg_bars(&w, "业绩 & 目标", b, 2);
	assert_int_equal(attr(strstr(w.buf, "<rect x="), "x") - attr(r, "x"), 62);
	assert_int_equal(attr(w.buf, "width") - attr(a.buf, "width"), 62);
	sb_free(&a);
	sb_free(&w);
}

/* Round ticks: a top of 0.9 gives steps of 0.5 up to 1; 300000 gives 100000. */
static void
test_svg_months(void **state)
{
	static const char *const series[] = { "加权", "最佳情况" };
	struct svg_month m[] = {
		{ "2026-01", { 0.3, 0.9 }, { "0.3", "0.9" } },
		{ "2026-02", { 0.1, NAN }, { "<0.1>", NULL } },
	};
	struct strbuf s = STRBUF_INIT;

	(void)state;
	sb_init(&s);
	svg_months(&s, NULL, series, 2, m, 2);
	assert_self_contained(s.buf);
	assert_null(strstr(s.buf, "<title>"));
	assert_non_null(strstr(s.buf, ">0</text>"));
	assert_non_null(strstr(s.buf, ">0.5</text>"));
	assert_non_null(strstr(s.buf, ">1</text>"));
	assert_null(strstr(s.buf, ">1.5</text>"));
	assert_non_null(strstr(s.buf, ">最佳情况</text>"));
	assert_non_null(strstr(s.buf, ">&lt;0.1&gt;</text>"));
	assert_non_null(strstr(s.buf, ">2026-02</text>"));
	sb_reset(&s);
	m[0].value[1] = 300000;
	svg_months(&s, NULL, series, 2, m, 2);
	assert_non_null(strstr(s.buf, ">300000</text>"));
	assert_non_null(strstr(s.buf, ">100000</text>"));
	assert_null(strstr(s.buf, ">400000</text>"));
	sb_free(&s);
}

static void
test_svg_timeline(void **state)
{
	static const struct svg_event e[] = {
		{ "2026-01-03", "首次电话 <script>alert(1)</script>", "报价 & 样品" },
		{ "2026-02-11", "拜访", NULL },
	};
	struct strbuf s = STRBUF_INIT;

	(void)state;
	sb_init(&s);
	svg_timeline(&s, "客户 \"甲\"", e, 2);
	assert_self_contained(s.buf);
	assert_non_null(strstr(s.buf, "<title>客户 &quot;甲&quot;</title>"));
	assert_non_null(strstr(s.buf,
	    ">首次电话 &lt;script&gt;alert(1)&lt;/script&gt;</text>"));
	assert_non_null(strstr(s.buf, ">报价 &amp; 样品</text>"));
	assert_int_equal(attr(s.buf, "height"), 16 + 16 + 12 + 2 * 46 + 16);
	sb_free(&s);
}

static void
test_html(void **state)
{
	static const char *const keys[] = { "名称", "地址" };
	static const char *const values[] = { "<script>alert(1)</script>",
		"上海\xe2\x80\xa8浦东 & 'x'" };
	static const char *const head[] = { "商机", "金额" };
	static const char *const cells[] = { "<b>大单</b>", "1200000.50",
		"小单", NULL };
	struct strbuf s = STRBUF_INIT;

	(void)state;
	sb_init(&s);
	html_begin(&s, "<script>alert(1)</script>");
	html_section(&s, "概况");
	html_facts(&s, 2, keys, values);
	html_table(&s, 2, head, 2, cells);
	html_svg(&s, "<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>\n");
	html_end(&s);
	assert_self_contained(s.buf);
	assert_int_equal(strncmp(s.buf, "<!DOCTYPE html>\n", 16), 0);
	assert_non_null(strstr(s.buf, "<meta charset=\"utf-8\">"));
	assert_non_null(strstr(s.buf,
	    "<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>"));
	assert_non_null(strstr(s.buf,
	    "<dd>&lt;script&gt;alert(1)&lt;/script&gt;</dd>"));
	assert_non_null(strstr(s.buf,
	    "<dd>上海\xe2\x80\xa8浦东 &amp; &#39;x&#39;</dd>"));
	assert_non_null(strstr(s.buf, "<td>&lt;b&gt;大单&lt;/b&gt;</td>"
	    "<td class=\"n\">1200000.50</td>"));
	assert_non_null(strstr(s.buf, "<td>小单</td><td></td>"));
	assert_non_null(strstr(s.buf, "<figure>\n<svg xmlns"));
	assert_int_equal(strcmp(s.buf + s.len - 16, "</body>\n</html>\n"), 0);
	sb_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_width_locale),
		cmocka_unit_test(test_term_text),
		cmocka_unit_test(test_is_number),
		cmocka_unit_test(test_percent),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_table_auto),
		cmocka_unit_test(test_table_totals),
		cmocka_unit_test(test_table_empty),
		cmocka_unit_test(test_chart),
		cmocka_unit_test(test_chart_odd),
		cmocka_unit_test(test_chart_eighths),
		cmocka_unit_test(test_chart_color),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_svg_bars),
		cmocka_unit_test(test_svg_months),
		cmocka_unit_test(test_svg_timeline),
		cmocka_unit_test(test_html),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	unit_cleanup();
	return rc;
}
