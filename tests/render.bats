#!/usr/bin/env bats
# The output layer of crm-report (src/lib/table.c, chart.c, svg.c, html.c)
# through tests/unit/render_demo, which make check builds next to the
# unit tests: terminal tables and bar charts; SVG charts and a customer
# page that headless Chromium renders to a PNG (the picture is not blank,
# the bars are drawn to scale) and to a DOM (labels and figures are there
# as text, nothing was injected, no script ran).  The data is Chinese and
# hostile.  Without Chromium (Debian chromium-headless-shell or chromium)
# those tests are skipped, saying so; a Chinese font (fonts-wqy-zenhei)
# and the Unicode data (unicode-data) are checked for the same way.

load helpers
load chromium

local_setup() {
	DEMO=${CRM_BIN:-$TOP/build/san/bin}/../unit/render_demo
	if [ ! -x "$DEMO" ]; then
		echo "no $DEMO: make check builds it"
		return 1
	fi
	find_chromium
}

# sp N: N spaces.
sp() {
	printf '%*s' "$1" ''
}

@test "table: columns by display width, numbers right, rates as percentages, exact totals" {
	printf '%s\n' $'客户\t金额\t转化率' \
	    $'王\\t芳\t1200000.50\t0.6315' \
	    $'<script>alert(1)</script>\t3000\t0.05' \
	    $'上海某某科技有限公司\t-0.5\t1' >t.tsv
	run_split "$DEMO" table -r 3 -t 合计 <t.tsv
	assert_status 0
	# widths: 25 (the script tag), 10 (1200000.50 and its total), 6 (转化率)
	diff -u - <(printf '%s\n' "$output") <<-EOF
	客户$(sp 29)金额  转化率
	$(printf -- '-%.0s' {1..25})  ----------  ------
	王 芳$(sp 22)1200000.50  63.15%
	<script>alert(1)</script>$(sp 8)3000      5%
	上海某某科技有限公司$(sp 13)-0.5    100%
	$(printf -- '-%.0s' {1..25})  ----------  ------
	合计$(sp 23)1203000.00
	EOF
}

@test "chart: eighth blocks, colour on a terminal only and never with NO_COLOR" {
	printf '%s\n' $'阶段\tn\ttext' $'线索\t100\t100' $'商机\t63\t63' \
	    $'\e[2J成交\t1\t1' >f.tsv
	# width 10: 100 is 80 eighths, 63 is 50.4 (6 blocks and ▎), 1 is 0.8 (▏)
	run_split "$DEMO" chart 10 <f.tsv
	assert_status 0
	diff -u - <(printf '%s\n' "$output") <<-EOF
	线索$(sp 5)██████████ 100
	商机$(sp 5)██████▎$(sp 5)63
	�[2J成交 ▏$(sp 12)1
	EOF
	run_split env CRM_FORCE_TTY=1 NO_COLOR= "$DEMO" chart 10 <f.tsv
	assert_status 0
	[ "$(grep -c $'\e\\[36m' <<<"$output")" = 3 ]
	run_split env CRM_FORCE_TTY=1 NO_COLOR=1 "$DEMO" chart 10 <f.tsv
	assert_status 0
	! grep -q $'\e' <<<"$output"
	run_split env -u CRM_FORCE_TTY -u NO_COLOR "$DEMO" chart 10 <f.tsv
	assert_status 0
	! grep -q $'\e' <<<"$output"
}

@test "the width tables in table.c are those of the installed Unicode data" {
	local eaw=/usr/share/unicode/EastAsianWidth.txt ud=/usr/share/unicode/UnicodeData.txt
	local want have
	if [ ! -f "$eaw" ] || [ ! -f "$ud" ]; then
		skip "no $eaw or $ud (apt-get install unicode-data)"
	fi
	want=$(sed -n 's/.*BEGIN WIDTH TABLES (tests\/width.awk, \(.*\)) .*/\1/p' "$TOP/src/lib/table.c")
	have=$(sed -n '1s/^# \(.*\)\.txt$/\1/p' "$eaw")
	[ -n "$want" ]
	if [ "$want" != "$have" ]; then
		skip "table.c has $want, $eaw is $have: regenerate with tests/width.awk"
	fi
	awk -f "$TOP/tests/width.awk" "$eaw" "$ud" >generated
	sed -n '/BEGIN WIDTH TABLES/,/END WIDTH TABLES/p' "$TOP/src/lib/table.c" >held
	diff -u held generated
}

# ---- the charts and the page, from Chinese and hostile data ----------------

# bars_svg: bars.svg, the performance chart: a bar and a target per rep.
bars_svg() {
	printf '%s\n' $'label\tvalue\ttext\ttarget' \
	    $'华东区 王芳\t850000\t850000 / 1000000\t1000000' \
	    $'华南区 <script>alert(1)</script>\t1200000\t1200000 / 900000\t900000' \
	    $'西南区 "李娜" & \'张伟\'\t300000\t300000 / 500000\t500000' \
	    $'东北区 \x01赵磊\xe2\x80\xa8\t0\t0\t' |
	    "$DEMO" bars '业绩 vs 目标 </svg><script>alert(1)</script>' >bars.svg
}

# months_svg: months.svg, the forecast: weighted and best case by month.
months_svg() {
	printf '%s\n' $'month\tw\twt\tb\tbt' \
	    $'2026-01\t120000\t120000\t300000\t300000' \
	    $'2026-02\t98000.5\t98000.5\t150000\t150000' \
	    $'2026-03\t0\t0\t45000\t<45000>' |
	    "$DEMO" months '预测：加权 vs 最佳' '加权' '最佳情况' >months.svg
}

# timeline_svg: tl.svg, a customer's timeline.
timeline_svg() {
	printf '%s\n' $'date\tlabel\tdetail' \
	    $'2026-01-03\t首次电话 <script>alert(1)</script>\t客户对报价感兴趣 & 要求样品' \
	    $'2026-02-11\t拜访 王经理\t带了样品 "A型"' \
	    $'2026-03-20\t签约\t合同金额 ¥1,200,000' |
	    "$DEMO" timeline '客户时间线：上海某某科技' >tl.svg
}

# make_page: page.html, a customer from hostile facts, a table and a timeline.
make_page() {
	printf '%s\n' $'key\tvalue' \
	    $'名称\t<script>alert(1)</script>' \
	    $'公司\tA&B "贸易" \'有限\' 公司' \
	    $'地址\t上海市\xe2\x80\xa8浦东新区' \
	    $'备注\t<img src=x onerror="document.body.setAttribute(\'data-pwned\',1)">' \
	    $'联系人\t"><script>document.title=\'PWNED\'</script>' >facts.tsv
	printf '%s\n' $'商机\t金额\t阶段' \
	    $'<b>大单</b>\t1200000.50\t谈判' \
	    $'小单\t3000\t初访' >table.tsv
	printf '%s\n' $'date\tlabel\tdetail' \
	    $'2026-01-03\t首次电话 <script>alert(1)</script>\t' \
	    $'2026-02-11\t拜访\t带了样品' >events.tsv
	"$DEMO" page "</title><script>document.title='PWNED'</script>王芳" \
	    facts.tsv table.tsv events.tsv >page.html
}

@test "the charts are well-formed XML and the page is self-contained: only their own elements, nothing loaded" {
	bars_svg
	months_svg
	timeline_svg
	make_page
	well_formed bars.svg
	well_formed months.svg
	well_formed tl.svg
	made_of bars.svg "line rect svg text title" \
	    "fill font-family font-size font-weight height stroke stroke-width viewbox width x x1 x2 xmlns y y1 y2"
	made_of months.svg "line rect svg text title" \
	    "fill font-family font-size font-weight height stroke text-anchor viewbox width x x1 x2 xmlns y y1 y2"
	made_of tl.svg "circle line rect svg text title" \
	    "cx cy fill font-family font-size font-weight height r stroke stroke-width text-anchor viewbox width x x1 x2 xmlns y y1 y2"
	made_of page.html "body circle dd dl dt figure h1 h2 head html line meta rect style svg table tbody td text th thead title tr" \
	    "charset class content cx cy fill font-family font-size height http-equiv name r stroke stroke-width text-anchor viewbox width x x1 x2 xmlns y y1 y2"
	grep -q '^<meta charset="utf-8">$' page.html
	# the font list ends in the generic family
	grep -q "font-family=\"[^\"]*,sans-serif\"" bars.svg
}

@test "svg bars in Chromium: the bars to scale, the labels and figures as text" {
	need_chromium
	bars_svg
	dom bars.svg
	has '<title>业绩 vs 目标 &lt;/svg&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>'
	has '>华东区 王芳</text>'
	has '>850000 / 1000000</text>'
	has '>华南区 &lt;script&gt;alert(1)&lt;/script&gt;</text>'
	has ">西南区 \"李娜\" &amp; '张伟'</text>"
	has $'>东北区 \xef\xbf\xbd赵磊\xe2\x80\xa8</text>'
	has '>1200000 / 900000</text>'
	! grep -q '<script' dom.html
	# 850000, 1200000 and 300000 of 1200000 are 283, 400 and 100 of 400
	# pixels, 18 high: 14094 pixels of #4e79a7, less the 3 or 4 columns
	# where the 900000 marker crosses the longest bar
	read -r w h < <(svg_size bars.svg)
	screenshot bars.svg "$w" "$h" 4e79a7 222222
	read -r pw ph colours nonwhite blue marker <<<"$stat"
	echo "$stat"
	[ "$pw $ph" = "$w $h" ]
	[ "$colours" -gt 20 ]			# text is drawn, smoothed
	[ "$blue" -ge 14000 ]
	[ "$blue" -le 14040 ]
	[ "$marker" -gt 100 ]			# three markers of 3 by 24
	[ "$nonwhite" -gt "$((blue + marker + 2000))" ]	# and the labels
}

@test "svg months in Chromium: grouped bars for two series, a legend and round ticks" {
	need_chromium
	months_svg
	dom months.svg
	for t in 加权 最佳情况 2026-01 2026-02 2026-03 120000 98000.5 300000 \
	    150000 '&lt;45000&gt;' 0 100000 200000; do
		has ">$t</text>"
	done
	! grep -q '>400000<' dom.html
	# the axis ends at 300000 = 220 pixels; bars are 49 wide (the widest
	# figure, 98000.5, at 11 px: 7 cells * 6.6 = 47, +4, -2):
	# weighted 88 + 72 high, best case 220 + 110 + 33; and the legend's
	# square of 10 by 10 in each colour
	read -r w h < <(svg_size months.svg)
	screenshot months.svg "$w" "$h" 4e79a7 f28e2b
	read -r pw ph colours nonwhite blue orange <<<"$stat"
	echo "$stat"
	[ "$pw $ph" = "$w $h" ]
	[ "$blue" -ge "$((49 * (88 + 72) + 10 * 10 - 100))" ]
	[ "$blue" -le "$((49 * (88 + 72) + 10 * 10))" ]
	[ "$orange" -ge "$((49 * (220 + 110 + 33) + 10 * 10 - 100))" ]
	[ "$orange" -le "$((49 * (220 + 110 + 33) + 10 * 10))" ]
	[ "$nonwhite" -gt "$((blue + orange + 1000))" ]
}

@test "svg timeline in Chromium: dated events down an axis, labels and details as text" {
	need_chromium
	timeline_svg
	dom tl.svg
	has '>2026-01-03</text>'
	has '>首次电话 &lt;script&gt;alert(1)&lt;/script&gt;</text>'
	has '>客户对报价感兴趣 &amp; 要求样品</text>'
	has '>带了样品 "A型"</text>'
	has '>合同金额 ¥1,200,000</text>'
	read -r w h < <(svg_size tl.svg)
	screenshot tl.svg "$w" "$h" 4e79a7
	read -r pw ph colours nonwhite blue <<<"$stat"
	echo "$stat"
	[ "$pw $ph" = "$w $h" ]
	# three dots of radius 5 (78 pixels each, the rims smoothed)
	[ "$blue" -ge 150 ]
	[ "$blue" -le 240 ]
	[ "$nonwhite" -gt 3000 ]
}

@test "html page in Chromium: every value shows as text, nothing is injected, no script runs" {
	need_chromium
	make_page
	dom page.html
	# the title is as written: no script set it
	has "<title>&lt;/title&gt;&lt;script&gt;document.title='PWNED'&lt;/script&gt;王芳</title>"
	has "<h1>&lt;/title&gt;&lt;script&gt;document.title='PWNED'&lt;/script&gt;王芳</h1>"
	has '<dd>&lt;script&gt;alert(1)&lt;/script&gt;</dd>'
	has "<dd>A&amp;B \"贸易\" '有限' 公司</dd>"
	has $'<dd>上海市\xe2\x80\xa8浦东新区</dd>'
	has "<dd>&lt;img src=x onerror=\"document.body.setAttribute('data-pwned',1)\"&gt;</dd>"
	has "<dd>\"&gt;&lt;script&gt;document.title='PWNED'&lt;/script&gt;</dd>"
	has '<td>&lt;b&gt;大单&lt;/b&gt;</td><td class="n">1200000.50</td>'
	has '>首次电话 &lt;script&gt;alert(1)&lt;/script&gt;</text>'
	grep -q '^<body>' dom.html	# no attribute was set on it
	# only the elements html.c and svg.c write
	run_split sh -c "grep -o '<[a-zA-Z][a-zA-Z0-9]*' dom.html | sort -u | tr -d '<' | tr '\n' ' '"
	[ "$output" = "body circle dd dl dt figure h1 h2 head html line meta rect style svg table tbody td text th thead title tr " ]
}

@test "html page in Chromium: rendered, the chart included, in an installed Chinese font" {
	need_chromium
	local fams f found=
	if ! command -v fc-list >/dev/null 2>&1 || [ -z "$(fc-list :lang=zh family)" ]; then
		skip "no Chinese font for Chromium (apt-get install fonts-wqy-zenhei)"
	fi
	make_page
	# one of the families the page asks for is installed and covers Chinese
	fams=$(sed -n 's/^body{font-family:\([^;]*\);.*/\1/p' page.html | tr -d "'")
	[ "${fams##*,}" = sans-serif ]
	IFS=, read -ra fams <<<"$fams"
	for f in "${fams[@]}"; do
		if [ "$f" != sans-serif ] && [ -n "$(fc-list ":family=$f:lang=zh" family)" ]; then
			found=$f
			break
		fi
	done
	echo "installed: ${found:-none of ${fams[*]}}"
	[ -n "$found" ]
	screenshot page.html 900 900 4e79a7
	read -r pw ph colours nonwhite blue <<<"$stat"
	echo "$stat"
	[ "$colours" -gt 20 ]
	[ "$nonwhite" -gt 10000 ]
	[ "$blue" -ge 100 ]		# the timeline's two dots
}
