#!/usr/bin/env bats
# crm-report's charts and a customer's page, from the database of
# report_fixture.bash, rendered by headless Chromium: to a PNG (the
# picture is not blank; bars are drawn to scale) and to a DOM (labels and
# figures are there as text; a customer named <script>alert(1)</script>
# shows as that text, and nothing runs).  The files are self-contained:
# no scripts, no fonts or URLs fetched.  Without Chromium the rendering
# tests are skipped, saying so.

load helpers
load chromium
load report_fixture

local_setup() {
	export CRM_USER=boss
	fixture
	find_chromium
}

@test "--svg FILE: the chart in FILE, the records still on standard output; - is standard output" {
	run_split crm-report funnel --svg funnel.svg
	assert_status 0
	[ "$(sed -n 1p <<<"$output" | cut -f1-3)" = $'stage\tlabel\tcurrency' ]
	well_formed funnel.svg
	run_split crm-report funnel --svg -
	assert_status 0
	[[ "$output" == "<svg "* ]]
	[ "$output" = "$(cat funnel.svg)" ]
	run_split crm-report funnel --svg - --table
	assert_status 2
	run_split crm-report funnel --svg /nonexistent/dir/f.svg
	assert_status 1
	[[ "$stderr" == *"cannot write '/nonexistent/dir/f.svg'"* ]]
}

@test "the charts and the page are self-contained: their own elements only, nothing loaded" {
	crm-report funnel --svg funnel.svg >/dev/null
	crm-report performance --period 2026-11 --svg perf.svg >/dev/null
	crm-report forecast --svg forecast.svg >/dev/null
	CRM_USER=li crm-report customer 5 --svg tl.svg --html page.html >/dev/null
	for f in funnel perf forecast tl; do
		well_formed $f.svg
	done
	made_of funnel.svg "rect svg text title" \
	    "fill font-family font-size font-weight height viewbox width x xmlns y"
	made_of perf.svg "line rect svg text title" \
	    "fill font-family font-size font-weight height stroke stroke-width viewbox width x x1 x2 xmlns y y1 y2"
	made_of forecast.svg "line rect svg text title" \
	    "fill font-family font-size font-weight height stroke text-anchor viewbox width x x1 x2 xmlns y y1 y2"
	made_of tl.svg "circle line rect svg text title" \
	    "cx cy fill font-family font-size font-weight height r stroke stroke-width text-anchor viewbox width x x1 x2 xmlns y y1 y2"
	made_of page.html "body circle dd dl dt figure h1 h2 head html line meta rect style svg table tbody td text th thead title tr" \
	    "charset class content cx cy fill font-family font-size font-weight height http-equiv name r stroke stroke-width text-anchor viewbox width x x1 x2 xmlns y y1 y2"
}

# Entered 8, 6, 5, 4, 3, 1 of 8: bars of 400, 300, 250, 200, 150 and 50
# pixels, 18 high: 24300 pixels of the bars' blue.
@test "funnel --svg in Chromium: a bar per stage to scale, labels and figures as text" {
	need_chromium
	crm-report funnel --svg funnel.svg >/dev/null
	dom funnel.svg
	has '<title>销售漏斗 funnel</title>'
	for t in '初步接洽' '8 (75.00%)' '需求确认' '6 (83.33%)' '方案报价' \
	    '5 (80.00%)' '谈判' '4 (75.00%)' '赢单' '输单'; do
		has ">$t</text>"
	done
	read -r w h < <(svg_size funnel.svg)
	screenshot funnel.svg "$w" "$h" 4e79a7
	read -r pw ph colours nonwhite blue <<<"$stat"
	echo "$stat"
	[ "$pw $ph" = "$w $h" ]
	[ "$colours" -gt 20 ]
	[ "$blue" -ge 24200 ]
	[ "$blue" -le 24300 ]
	[ "$nonwhite" -gt "$((blue + 2000))" ]
}

# li won 140000.00 of its 200000.00: a bar of 280 of 400 pixels (the
# target is the longest), 18 high, and the target's mark (3 by 24) at
# 400; wang and zhao have no bar.
@test "performance --svg in Chromium: won against the target's mark" {
	need_chromium
	crm-report performance --period 2026-11 --svg perf.svg >/dev/null
	dom perf.svg
	has '>li</text>'
	has '>140000.00 / 200000.00 (70.00%)</text>'
	has '>wang</text>'
	has '>0.00</text>'
	read -r w h < <(svg_size perf.svg)
	screenshot perf.svg "$w" "$h" 4e79a7 222222
	read -r pw ph colours nonwhite blue mark <<<"$stat"
	echo "$stat"
	[ "$blue" -ge 5000 ]
	[ "$blue" -le 5040 ]
	[ "$mark" -ge 40 ]		# 3 by 24, its edges smoothed
	[ "$nonwhite" -gt "$((blue + mark + 1000))" ]
}

# November: weighted 141000 + 16000, best case 150000 + 20000; December
# 48000 + 3000 and 80000 + 30000.
@test "forecast --svg in Chromium: weighted and best case by month" {
	need_chromium
	crm-report forecast --svg forecast.svg >/dev/null
	dom forecast.svg
	for t in 2026-11 2026-12 157000.00 170000.00 51000.00 110000.00 \
	    '加权 weighted' '最佳 best case'; do
		has ">$t</text>"
	done
	read -r w h < <(svg_size forecast.svg)
	screenshot forecast.svg "$w" "$h" 4e79a7 f28e2b
	read -r pw ph colours nonwhite blue orange <<<"$stat"
	echo "$stat"
	[ "$blue" -gt 1000 ]
	[ "$orange" -gt "$blue" ]
}

@test "customer --svg in Chromium: the timeline, a dot per event, newest first" {
	need_chromium
	CRM_USER=li crm-report customer 1 --svg tl.svg >/dev/null
	dom tl.svg
	has '<title>客户总览 上海甲科技有限公司</title>'
	has '>2026-11-25 10:00</text>'		# 02:00Z in Beijing
	has '>planned  call: 回访</text>'
	has '>stage  deal 7 甲-二期: 赢单</text>'
	has '>merge  customer 8 王总 merged in</text>'
	# 18 events: 18 dots of radius 5 (about 78 pixels each, rims smoothed)
	read -r w h < <(svg_size tl.svg)
	screenshot tl.svg "$w" "$h" 4e79a7
	read -r pw ph colours nonwhite blue <<<"$stat"
	echo "$stat"
	[ "$blue" -ge "$((18 * 50))" ]
	[ "$blue" -le "$((18 * 80))" ]
}

@test "customer --html in Chromium: a page for its owner, every value shown as text, nothing run" {
	need_chromium
	CRM_USER=li crm-report customer 5 --html page.html >/dev/null
	dom page.html
	has '<title>客户总览 &lt;b&gt;戊&lt;/b&gt;公司 &amp; Co</title>'
	has '<h1>客户总览 &lt;b&gt;戊&lt;/b&gt;公司 &amp; Co</h1>'
	has '<dd>&lt;b&gt;戊&lt;/b&gt;公司 &amp; Co</dd>'
	has '<td>&lt;script&gt;alert(1)&lt;/script&gt;</td><td>"总监"</td>'
	has '<td>戊-样品</td>'
	has '<td class="n">10000.00</td>'
	has '<dd>-3 天（2026-11-19 08:00，华东公海: no-followup 30 days）</dd>'
	! grep -q '<script' dom.html
	grep -q '^<body>' dom.html
	screenshot page.html 900 1400 4e79a7
	read -r pw ph colours nonwhite blue <<<"$stat"
	echo "$stat"
	[ "$colours" -gt 20 ]
	[ "$nonwhite" -gt 20000 ]
	[ "$blue" -ge 100 ]		# the timeline's dots
}

@test "customer --html of another rep's customer: its name, company and owner only" {
	CRM_USER=wang crm-report customer 5 --html page.html >/dev/null
	grep -q '<dd>&lt;b&gt;戊&lt;/b&gt;公司 &amp; Co</dd>' page.html
	grep -q '<dd>li</dd>' page.html
	! grep -q -e '<h2>' -e '华东' -e '戊-样品' -e 'alert' page.html
}
