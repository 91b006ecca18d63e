#!/usr/bin/env bats
# crm-export: Excel CSV, plain CSV, XLSX and JSON Lines, the database
# queries, the errors; and, when LibreOffice is installed, what a real
# spreadsheet reads back from the CSV and XLSX that crm-export writes.

load helpers

# ---- LibreOffice round trip, done once for the whole file ----------------
#
# setup_file exports tests/data/ext/excel/*.csv, the csv_injection/
# strings and a --query of customers with crm-export, as Excel CSV and as
# XLSX; then one soffice run opens the CSVs as Excel does (UTF-8, special
# numbers detected: 44,34,76,1,,1033,false,true) and saves them as XLSX,
# and one more opens crm-export's XLSX files and saves them again.  The
# tests read the cells LibreOffice wrote (xl.py, below) and compare them
# with crm-export's input.  Without soffice or python3 they are skipped.

setup_file() {
	local d=$BATS_FILE_TMPDIR td f b
	if [ -n "${CRM_TEST_PG:-}" ]; then
		CRM_DB=$(pg_new_db "x$(printf %s "$d" | md5sum | cut -c1-20)")
	else
		CRM_DB="$d/query.db"
	fi
	export CRM_DB CRM_NOW=2026-11-22T09:00:00Z CRM_USER=tester
	export NO_COLOR=1 CRM_RC=/dev/null
	td=${CRM_TESTDATA:-$BATS_TEST_DIRNAME/data/ext}
	if ! command -v soffice >/dev/null 2>&1; then
		echo "LibreOffice (soffice) is not installed" >"$d/skip"
		return 0
	fi
	if ! command -v python3 >/dev/null 2>&1; then
		echo "python3 is not installed" >"$d/skip"
		return 0
	fi
	mkdir -p "$d/src" "$d/csv" "$d/xlsx" "$d/back-csv" "$d/back-xlsx"
	for f in "$td"/excel/*.csv; do
		cp "$f" "$d/src/${f##*/}"
	done
	python3 "$BATS_TEST_DIRNAME/xl.py" injections "$td/csv_injection" >"$d/src/injections.csv"
	printf '%s\n' \
	    'name,company,phone,email,region,身份证' \
	    '张伟,上海某某科技有限公司,+86 138 0013 8000,zw@example.com,华东,350303199002033073' \
	    '李娜,"=HYPERLINK(""http://x"")",02162345678,,华北,33112219790511623x' \
	    'ID,北京某某,0013800138000,x@y.z,华南,0012' \
	    '@SUM(1),"-2+3",010-1234,foo@example.org,2/4,MARCH1' >"$d/src/leads.csv"
	crm-lead import --csv -q "$d/src/leads.csv" >/dev/null
	for f in "$d"/src/*.csv; do
		b=${f##*/}
		b=${b%.csv}
		[ "$b" = leads ] && continue
		crm-export -q --csv "$f" >"$d/csv/$b.csv"
		crm-export -q --csv --xlsx "$d/xlsx/$b.xlsx" "$f"
	done
	crm-export -q --query customers >"$d/csv/query.csv"
	crm-export -q --query customers --xlsx "$d/xlsx/query.xlsx"
	crm-export -q --csv --xlsx "$d/xlsx/split.xlsx" --sheet-by category \
	    "$d/src/excel_messy_values.csv"
	(cd "$d" && soffice -env:UserInstallation="file://$d/lo" --headless \
	    --infilter='CSV:44,34,76,1,,1033,false,true' --convert-to xlsx \
	    --outdir back-csv csv/*.csv >soffice-csv.log 2>&1)
	(cd "$d" && soffice -env:UserInstallation="file://$d/lo" --headless \
	    --convert-to xlsx --outdir back-xlsx xlsx/*.xlsx \
	    >soffice-xlsx.log 2>&1)
}

# skip_without_lo: skip the test when setup_file found no LibreOffice.
skip_without_lo() {
	if [ -f "$BATS_FILE_TMPDIR/skip" ]; then
		skip "$(cat "$BATS_FILE_TMPDIR/skip")"
	fi
}

# roundtrip PROPERTY KIND NAME...: check PROPERTY (exact, formulas,
# chinese) of what LibreOffice read from crm-export's KIND (csv, xlsx)
# output of each input NAME.
roundtrip() {
	local prop=$1 kind=$2 d=$BATS_FILE_TMPDIR n
	shift 2
	for n in "$@"; do
		[ -f "$d/back-$kind/$n.xlsx" ] || {
			echo "LibreOffice wrote no back-$kind/$n.xlsx:"
			cat "$d/soffice-$kind.log"
			return 1
		}
		python3 "$BATS_TEST_DIRNAME/xl.py" check "$prop" "$kind" "$d/src/$n.csv" \
		    "$d/back-$kind/$n.xlsx"
		if [ "$kind" = xlsx ]; then
			python3 "$BATS_TEST_DIRNAME/xl.py" check "$prop" own "$d/src/$n.csv" \
			    "$d/xlsx/$n.xlsx"
		fi
	done
}


# ---- helpers for the other tests ----------------------------------------

# csv_cells: the fields of CSV on stdin (BOM dropped), one per line, as
# Python's csv module reads them, with \r and \n shown as \r and \n.
csv_cells() {
	python3 -c '
import csv, sys
data = sys.stdin.buffer.read().decode("utf-8")
if data.startswith("\ufeff"):
	data = data[1:]
for row in csv.reader(data.splitlines(True)):
	for v in row:
		print(v.replace("\r", "\\r").replace("\n", "\\n"))'
}

# A TSV of awkward values, with a header that looks like SYLK to Excel.
awkward_tsv() {
	printf 'ID\tphone\tnote\tscore\tcreated_at\n'
	printf '1\t0123\t=1+1\t80\t2026-11-22T09:00:00Z\n'
	printf '2\t+8613800000000\t张伟, "王芳"\t-1.3\t2026-11-22\n'
	printf '3\t350303199002033073\ta\\r\\nb\t\\N\t\n'
	printf '4\t2/4\t-1.3\t7\t2026-02-30\n'
}

# ---- Excel CSV (the default) --------------------------------------------

@test "default output: UTF-8 BOM, CRLF after every row, the header first" {
	awkward_tsv >in.tsv
	run_split crm-export -q in.tsv
	assert_status 0
	[ -z "$stderr" ]
	crm-export -q in.tsv >out.csv
	[ "$(head -c 3 out.csv | od -An -tx1 | tr -d ' ')" = efbbbf ]
	# 5 rows, each ending in CR LF (the value a\r\nb is a formula)
	[ "$(tr -cd '\n' <out.csv | wc -c)" -eq 5 ]
	[ "$(grep -c $'\r$' out.csv)" -eq 5 ]
	[ "$(tail -c 2 out.csv | od -An -c | tr -d ' ')" = '\r\n' ]
	[ "$(sed -n 1p out.csv)" = $'\xef\xbb\xbf"ID",phone,note,score,created_at\r' ]
}

@test "a first header of ID is quoted so Excel does not take the file for SYLK" {
	printf 'ID,name\n1,a\n' | crm-export --csv >out.csv
	[ "$(head -c 7 out.csv)" = $'\xef\xbb\xbf"ID"' ]
	# also when the column is not named id at all
	printf 'IDENT\n1\n' | crm-export >out.csv
	[ "$(head -c 10 out.csv)" = $'\xef\xbb\xbf"IDENT"' ]
	# and under --raw, which otherwise leaves values alone
	printf 'ID,name\n1,a\n' | crm-export --csv --raw >out.csv
	[ "$(head -c 7 out.csv)" = $'\xef\xbb\xbf"ID"' ]
}

@test "text that a spreadsheet would convert or evaluate becomes a constant string" {
	awkward_tsv | crm-export -q | csv_cells >cells
	cell() { sed -n "$1p" cells; }
	# the header (1-5), then row by row: id and score are numbers,
	# created_at a date, the rest text
	[ "$(cell 6)" = 1 ]
	[ "$(cell 7)" = '="0123"' ]
	[ "$(cell 8)" = '="=1+1"' ]
	[ "$(cell 9)" = 80 ]
	[ "$(cell 10)" = '2026-11-22 09:00:00' ]
	[ "$(cell 12)" = '="+8613800000000"' ]
	[ "$(cell 13)" = '张伟, "王芳"' ]
	[ "$(cell 14)" = -1.3 ]
	[ "$(cell 15)" = 2026-11-22 ]
	[ "$(cell 17)" = '="350303199002033073"' ]
	[ "$(cell 18)" = '="a"&CHAR(13)&CHAR(10)&"b"' ]
	[ "$(cell 19)" = '' ]
	[ "$(cell 20)" = '' ]
	[ "$(cell 22)" = '="2/4"' ]
	# -1.3 as text: not a formula, but still kept from becoming a number
	[ "$(cell 23)" = '="-1.3"' ]
	# 2026-02-30 is no date: text, kept from becoming one
	[ "$(cell 25)" = '="2026-02-30"' ]
	[ "$(wc -l <cells)" -eq 25 ]
}

@test "a declared number or date that is not one is written as text, with one warning per column" {
	printf 'id,score,at\n0012,1,2026-01-01\nx,high,soon\n3,low,never\n' >in.csv
	run_split crm-export --csv in.csv
	assert_status 0
	[[ "$stderr" == *"in.csv:2: id: '0012' is not a plain number"* ]]
	[[ "$stderr" == *"in.csv:3: score: 'high' is not a plain number"* ]]
	[[ "$stderr" == *"in.csv:3: at: 'soon' is not a date"* ]]
	[[ "$stderr" != *"low"* ]]
	[[ "$stderr" != *"never"* ]]
	[ "$(grep -c . <<<"$stderr")" -eq 3 ]
	run csv_cells <<<"$output"
	[ "${lines[3]}" = '="0012"' ]
	[ "${lines[4]}" = 1 ]
	[ "${lines[5]}" = 2026-01-01 ]
	[ "${lines[6]}" = x ]
	[ "${lines[7]}" = high ]
	# -q keeps the notes back, not the data
	run_split crm-export -q --csv in.csv
	[ -z "$stderr" ]
}

@test "--number, --date and --text override the known kinds; names match as the header says or canonically" {
	printf '编号,amount,due,手机\n7,12.50,2026-12-01,13800000000\n' >in.csv
	crm-export --csv in.csv | csv_cells >plain
	# 编号 is id (a number), amount a number, due unknown (text), 手机 text
	[ "$(sed -n 5p plain)" = 7 ]
	[ "$(sed -n 6p plain)" = 12.50 ]
	[ "$(sed -n 7p plain)" = '="2026-12-01"' ]
	[ "$(sed -n 8p plain)" = '="13800000000"' ]
	crm-export --csv --text id --date due --number phone in.csv | csv_cells >typed
	[ "$(sed -n 5p typed)" = '="7"' ]
	[ "$(sed -n 7p typed)" = 2026-12-01 ]
	[ "$(sed -n 8p typed)" = 13800000000 ]
	# the header as written works too
	crm-export --csv --text 编号 in.csv | csv_cells >byname
	[ "$(sed -n 5p byname)" = '="7"' ]
}

@test "--raw: values byte for byte, only RFC 4180 quoting; BOM and CRLF kept" {
	awkward_tsv >in.tsv
	crm-export --raw in.tsv >out.csv
	[ "$(head -c 3 out.csv | od -An -tx1 | tr -d ' ')" = efbbbf ]
	csv_cells <out.csv >got
	# the TSV values, unescaped: \N and empty both give an empty cell
	# the TSV fields as they are: its only escapes are \r, \n (which
	# csv_cells shows the same way) and \N (an empty cell)
	tr '\t' '\n' <in.tsv | sed 's/^\\N$//' >want
	diff want got
	grep -q '^1,0123,=1+1,80,2026-11-22T09:00:00Z' out.csv
}

@test "--plain: RFC 4180 for other programs: no BOM, LF, nothing guarded" {
	awkward_tsv >in.tsv
	crm-export --plain in.tsv >out.csv
	[ "$(head -c 2 out.csv)" = '"I' ] || [ "$(head -c 2 out.csv)" = ID ]
	! grep -q $'\r$' out.csv
	[ "$(sed -n 2p out.csv)" = '1,0123,=1+1,80,2026-11-22T09:00:00Z' ]
	# the same as crm-lead's CSV writer would give: read back, same values
	csv_cells <out.csv >got
	crm-export --raw in.tsv | csv_cells >want
	diff want got
}

@test "--csv reads CSV input; the default input is TSV" {
	printf 'a,b\n1,"x,y"\n' | crm-export --plain --csv >out
	[ "$(cat out)" = $'a,b\n1,"x,y"' ]
	printf 'a\tb\n1\tx,y\n' | crm-export --plain >out
	[ "$(cat out)" = $'a,b\n1,"x,y"' ]
}

@test "--encoding gbk: no BOM, and iconv decodes it back to the UTF-8 output" {
	printf 'name,region,phone\n张伟,华东,0123\n歐陽,北京市朝阳区,x\n' >in.csv
	crm-export --csv in.csv >utf8.csv
	crm-export --csv --encoding gbk in.csv >gbk.csv
	[ "$(head -c 4 gbk.csv)" = name ]
	iconv -f GBK -t UTF-8 gbk.csv >back.csv
	# the UTF-8 export without its BOM
	tail -c +4 utf8.csv | cmp - back.csv
	! cmp -s gbk.csv back.csv
	# GB18030 too
	crm-export --csv --encoding GB18030 in.csv | iconv -f GB18030 -t UTF-8 |
	    cmp - back.csv
	# a header alone
	printf '姓名\n' | crm-export --encoding gbk | iconv -f GBK -t UTF-8 >head.csv
	[ "$(cat head.csv)" = $'姓名\r' ]
	printf '姓名\n' | crm-export --plain --encoding gbk | iconv -f GBK -t UTF-8 >head.csv
	[ "$(cat head.csv)" = 姓名 ]
}

@test "--encoding gbk: a character GBK does not have stops the export" {
	printf 'name\n张伟\n😍\n' >in.csv
	run_split crm-export --csv --encoding gbk in.csv
	assert_status 1
	[[ "$stderr" == *"in.csv:3: gbk has no character U+1F60D"* ]]
	[[ "$stderr" == *"GB18030"* ]]
	run_split crm-export --csv --encoding gb18030 in.csv
	assert_status 0
}

# ---- JSON Lines -------------------------------------------------------------

@test "--json: one valid object per record, null for NULL, numbers for numeric columns" {
	awkward_tsv >in.tsv
	printf '5\ttab\\there\t\\\\ back \\u2028\t\\N\t\\N\n' >>in.tsv
	printf '6\t\001ctl\t\xe2\x80\xa8ls\t+5\t\\N\n' >>in.tsv
	run_split crm-export -q --json in.tsv
	assert_status 0
	[ "$(grep -c . <<<"$output")" -eq 6 ]
	python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
assert list(rows[0]) == ["ID", "phone", "note", "score", "created_at"], rows[0]
assert rows[0]["ID"] == 1 and rows[0]["phone"] == "0123", rows[0]
assert rows[0]["note"] == "=1+1" and rows[0]["score"] == 80, rows[0]
assert rows[0]["created_at"] == "2026-11-22T09:00:00Z", rows[0]
assert rows[1]["note"] == "张伟, \"王芳\"" and rows[1]["score"] == -1.3, rows[1]
assert rows[2]["phone"] == "350303199002033073", rows[2]
assert rows[2]["note"] == "a\r\nb" and rows[2]["score"] is None, rows[2]
assert rows[2]["created_at"] == "", rows[2]
assert rows[3]["created_at"] == "2026-02-30", rows[3]
assert rows[4]["phone"] == "tab\there" and rows[4]["note"] == "\\ back \\u2028", rows[4]
assert rows[5]["phone"] == "\x01ctl" and rows[5]["note"] == "\u2028ls", rows[5]
assert rows[5]["score"] == 5, rows[5]
' <<<"$output"
	# control characters and U+2028 are escaped, not raw
	[[ "$output" == *'"\u0001ctl"'* ]]
	[[ "$output" == *'"\u2028ls"'* ]]
}

# ---- XLSX ----------------------------------------------------------------

@test "--xlsx: typed cells, a bold frozen header, an autofilter, widths from the content" {
	printf 'id,name,phone,score,created_at,note\n' >in.csv
	printf '1,张伟张伟张伟张伟张伟,0123,80,2026-11-22T09:00:00Z,=1+1\n' >>in.csv
	printf '2,Li,+8613800000000,high,2026-11-22,%s\n' "$(printf 'x%.0s' $(seq 80))" >>in.csv
	run_split crm-export --csv --xlsx out.xlsx in.csv
	assert_status 0
	[ -z "$output" ]
	[[ "$stderr" == *"in.csv:3: score: 'high' is not a plain number"* ]]
	unzip -p out.xlsx xl/worksheets/sheet1.xml >sheet.xml
	unzip -p out.xlsx xl/workbook.xml >book.xml
	unzip -p out.xlsx xl/styles.xml >styles.xml
	# numbers and dates as numbers (2026-11-22 09:00 is serial 46348.375)
	grep -q '<c r="A2"><v>1</v></c>' sheet.xml
	grep -q '<c r="D2"><v>80</v></c>' sheet.xml
	grep -q '<c r="E2" s="[0-9]*"><v>46348.375</v></c>' sheet.xml
	grep -q '<c r="E3" s="[0-9]*"><v>46348</v></c>' sheet.xml
	# text as text, =1+1 too (a string, not a formula)
	grep -q '<c r="C2" t="inlineStr"><is><t>0123</t></is></c>' sheet.xml
	grep -q '<c r="F2" t="inlineStr"><is><t>=1+1</t></is></c>' sheet.xml
	grep -q '<c r="D3" t="inlineStr"><is><t>high</t></is></c>' sheet.xml
	! grep -q '<f>' sheet.xml
	# header: bold style, frozen pane under row 1, autofilter over all rows
	grep -q '<c r="A1" s="1" t="inlineStr"><is><t>id</t>' sheet.xml
	grep -q '<b/>' styles.xml
	grep -q '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' sheet.xml
	grep -q '<autoFilter ref="A1:F3"/>' sheet.xml
	grep -q '_xlnm._FilterDatabase' book.xml
	# widths: 10 CJK characters count 20, long text is capped at 60
	b=$(grep -o '<col min="2" max="2" width="[0-9.]*"' sheet.xml | grep -o '"[0-9]*\.' | tr -d '".')
	c=$(grep -o '<col min="3" max="3" width="[0-9.]*"' sheet.xml | grep -o '"[0-9]*\.' | tr -d '".')
	f=$(grep -o '<col min="6" max="6" width="[0-9.]*"' sheet.xml | grep -o '"[0-9]*\.' | tr -d '".')
	[ "$b" -ge 20 ]
	[ "$b" -le 24 ]
	[ "$c" -ge 14 ]
	[ "$c" -le 18 ]
	[ "$f" -ge 60 ]
	[ "$f" -le 62 ]
	# the one sheet is named Sheet1 for records, after the query for --query
	grep -q '<sheet name="Sheet1"' book.xml
}

@test "--xlsx: text past 32767 characters is cut with a warning naming the row and column" {
	python3 -c 'print("id,note"); print("1," + "长" * 40000); print("2,ok")' >in.csv
	run_split crm-export --csv --xlsx out.xlsx in.csv
	assert_status 0
	[ "$stderr" = "crm-export: in.csv:2: note: text longer than 32767 characters, cut" ]
	n=$(unzip -p out.xlsx xl/worksheets/sheet1.xml | python3 -c '
import re, sys
print(len(re.search(r"<c r=\"B2\"[^>]*><is><t>([^<]*)</t>", sys.stdin.read()).group(1)))')
	[ "$n" -eq 32767 ]
}

@test "--xlsx: a literal _x0041_ and control characters survive as text" {
	printf 'v\nx_x0041_y\na\001b\n' | crm-export --xlsx out.xlsx
	unzip -p out.xlsx xl/worksheets/sheet1.xml >sheet.xml
	grep -q '<t>x_x005F_x0041_y</t>' sheet.xml
	grep -q '<t>a_x0001_b</t>' sheet.xml
}

@test "--xlsx -: the workbook goes to standard output" {
	mkdir tmp
	printf 'id\n1\n' | TMPDIR=$PWD/tmp crm-export --xlsx - >out.xlsx
	unzip -p out.xlsx xl/worksheets/sheet1.xml | grep -q '<c r="A2"><v>1</v></c>'
	# the workbook was built in $TMPDIR and removed
	[ -z "$(ls -A tmp)" ]
}

@test "--sheet-by: one sheet per value, names made valid, unique after cutting" {
	long="客户$(printf '甲%.0s' $(seq 40))"
	{
		printf 'owner\tn\n'
		printf 'a/b\t1\n'
		printf 'x[1]:*?\\\\y\t2\n'
		printf "'quoted'\t3\n"
		printf '%s1\t4\n' "$long"
		printf '%s2\t5\n' "$long"
		printf 'Beijing\t6\n'
		printf 'BEIJING\t7\n'
		printf 'History\t8\n'
		printf '\\N\t9\n'
		printf 'a/b\t10\n'
		printf 'abcdefghijklmnopqrstuvwxyz0123456789\t11\n'
	} >in.tsv
	run_split crm-export --xlsx out.xlsx --sheet-by owner in.tsv
	assert_status 0
	unzip -p out.xlsx xl/workbook.xml | grep -o '<sheet name="[^"]*"' |
	    sed 's/<sheet name="//; s/"$//' >names
	cut31="客户$(printf '甲%.0s' $(seq 29))"
	cut29="客户$(printf '甲%.0s' $(seq 27))"
	printf '%s\n' 'a_b' 'x_1_____y' 'quoted' "$cut31" "$cut29~2" \
	    Beijing 'BEIJING~2' 'History~2' '(blank)' \
	    'abcdefghijklmnopqrstuvwxyz01234' >want
	diff want names
	# a_b holds rows 1 and 10: its sheet has the header and two rows
	unzip -p out.xlsx xl/worksheets/sheet1.xml | grep -q '<autoFilter ref="A1:B3"/>'
}

@test "--sheet-by: with no rows there is still one sheet with the header" {
	printf 'owner\tn\n' | crm-export --xlsx out.xlsx --sheet-by owner
	unzip -p out.xlsx xl/workbook.xml | grep -q '<sheet name="Sheet1"'
	unzip -p out.xlsx xl/worksheets/sheet1.xml | grep -q '<t>owner</t>'
}

# ---- --query -------------------------------------------------------------

# A small database: three leads (one qualified), a user, a deal, an
# activity and a status change in the history.
seed_db() {
	printf 'name,company,phone,region,score\n' >leads.csv
	printf '张伟,上海某某科技有限公司,0123456789,华东,80\n' >>leads.csv
	printf '李娜,"=HYPERLINK(""x"")",+8613800000000,华北,\n' >>leads.csv
	printf '王芳,北京某某,13800138000,华南,7\n' >>leads.csv
	crm-lead import --csv -q leads.csv >/dev/null
	crm-lead qualify -q 3 >/dev/null
	sql "INSERT INTO users (login, created_at) VALUES ('li', '2026-01-01T00:00:00Z');
	     INSERT INTO deals (customer_id, owner_id, title, amount, stage_id, stage_since, expected_close, created_at)
	       VALUES (1, 1, '=1+1 采购', 1234567, 3, '2026-11-01T00:00:00Z', '2026-12-31', '2026-11-01T00:00:00Z'),
	              (2, NULL, 'small', -5, 1, '2026-11-02T00:00:00Z', NULL, '2026-11-02T00:00:00Z');
	     INSERT INTO activities (customer_id, user_id, kind, at, note, done_at, created_at)
	       VALUES (1, 1, 'call', '2026-11-20T10:00:00Z', '0123 回电', '2026-11-20T10:00:00Z', '2026-11-20T10:00:00Z')"
}

@test "--query customers and leads: the crm-lead list columns, typed" {
	seed_db
	run_split crm-export --query customers --plain
	assert_status 0
	[ "$(sed -n 1p <<<"$output")" = id,name,company,phone,email,region,industry,source,status,owner,pool,score,created_at ]
	[ "$(grep -c . <<<"$output")" -eq 4 ]
	[[ "$(sed -n 3p <<<"$output")" == '2,李娜,"=HYPERLINK(""x"")",+8613800000000,,华北,,,lead,,,,2026-11-22T09:00:00Z' ]]
	run_split crm-export --query leads
	assert_status 0
	[ "$(grep -c . <<<"$output")" -eq 3 ]	# 王芳 is qualified
	[[ "$output" != *王芳* ]]
	csv_cells <<<"$output" >cells
	[ "$(sed -n 14p cells)" = 1 ]
	[ "$(sed -n 17p cells)" = '="0123456789"' ]
	[ "$(sed -n 25p cells)" = 80 ]
	[ "$(sed -n 26p cells)" = '2026-11-22 09:00:00' ]
	[ "$(sed -n 29p cells)" = '="=HYPERLINK(""x"")"' ]
}

@test "--query deals, activities, history: amounts in major units, names for ids" {
	seed_db
	run_split crm-export --query deals --plain
	assert_status 0
	[ "$(sed -n 1p <<<"$output")" = id,customer_id,customer,owner,title,amount,currency,stage,probability,stage_since,expected_close,closed_at,lost_reason,created_at ]
	[ "$(sed -n 2p <<<"$output")" = '1,1,张伟,li,=1+1 采购,12345.67,CNY,proposal,60,2026-11-01T00:00:00Z,2026-12-31,,,2026-11-01T00:00:00Z' ]
	[ "$(sed -n 3p <<<"$output")" = '2,2,李娜,,small,-0.05,CNY,new,10,2026-11-02T00:00:00Z,,,,2026-11-02T00:00:00Z' ]
	run_split crm-export --query deals --json
	python3 -c '
import json, sys
r = [json.loads(l) for l in sys.stdin]
assert r[0]["amount"] == 12345.67 and r[1]["amount"] == -0.05, r
assert r[0]["probability"] == 60 and r[0]["title"] == "=1+1 采购", r
' <<<"$output"
	run_split crm-export --query activities --plain
	assert_status 0
	[ "$(sed -n 1p <<<"$output")" = id,customer_id,customer,user,kind,at,note,next,due_at,done_at,created_at ]
	[ "$(sed -n 2p <<<"$output")" = '1,1,张伟,li,call,2026-11-20T10:00:00Z,0123 回电,,,2026-11-20T10:00:00Z,2026-11-20T10:00:00Z' ]
	run_split crm-export --query history --plain
	assert_status 0
	[ "$(sed -n 1p <<<"$output")" = id,at,actor,command,batch_id,entity,entity_id,field,old_value,new_value,reason ]
	grep -q ',customer,3,status,lead,qualified,' <<<"$output"
	grep -q '^[0-9]*,2026-11-22T09:00:00Z,tester,crm-lead qualify,' <<<"$output"
}

@test "--query --xlsx names the sheet after the query" {
	seed_db
	crm-export --query deals --xlsx deals.xlsx
	unzip -p deals.xlsx xl/workbook.xml | grep -q '<sheet name="deals"'
	unzip -p deals.xlsx xl/worksheets/sheet1.xml | grep -q '<c r="F2"><v>12345.67</v></c>'
}

# ---- errors --------------------------------------------------------------

@test "an unknown --query exits 2 and names the queries" {
	seed_db
	run_split crm-export --query contacts
	assert_status 2
	[ -z "$output" ]
	[[ "$stderr" == *"--query: no query 'contacts' (customers, leads, deals, activities or history)"* ]]
}

@test "--query without a database exits 1" {
	nowhere=$(other_db nowhere.db)
	run_split crm-export --query customers --db "$nowhere"
	assert_status 1
	[[ "$stderr" == *"no database '$nowhere'"* ]]
	CRM_DB=$nowhere no_db
}

@test "an unknown column in --number, --date, --text or --sheet-by exits 2" {
	printf 'a\tb\n1\t2\n' >in.tsv
	for o in number date text; do
		run_split crm-export --$o nope in.tsv
		assert_status 2
		[ -z "$output" ]
		[[ "$stderr" == *"--$o: no column 'nope'"* ]]
	done
	run_split crm-export --xlsx out.xlsx --sheet-by nope in.tsv
	assert_status 2
	[[ "$stderr" == *"--sheet-by: no column 'nope'"* ]]
	[ ! -e out.xlsx ]
	run_split crm-export --number a --date a in.tsv
	assert_status 2
	[[ "$stderr" == *"column 'a' given as --number and --date"* ]]
}

@test "a bad --encoding exits 2" {
	printf 'a\n1\n' >in.tsv
	run_split crm-export --encoding klingon in.tsv
	assert_status 2
	[ -z "$output" ]
	[[ "$stderr" == *"--encoding: unknown encoding 'klingon'"* ]]
	run_split crm-export --encoding gbk --xlsx x.xlsx in.tsv
	assert_status 2
	[[ "$stderr" == *"--encoding is for CSV output"* ]]
}

@test "an --xlsx path that cannot be written exits 1 at once and leaves nothing" {
	printf 'a\n1\n' >in.tsv
	run_split crm-export --xlsx no/such/dir/out.xlsx in.tsv
	assert_status 1
	[[ "$stderr" == *"cannot write 'no/such/dir/out.xlsx': No such file or directory"* ]]
	mkdir ro && chmod 555 ro
	if [ "$(id -u)" -ne 0 ]; then
		run_split crm-export --xlsx ro/out.xlsx in.tsv
		assert_status 1
		[[ "$stderr" == *"cannot write 'ro/out.xlsx': Permission denied"* ]]
	fi
	run_split crm-export --xlsx ro in.tsv
	assert_status 1
	[[ "$stderr" == *"cannot write 'ro': Is a directory"* ]]
	[ -z "$(ls -A ro)" ]
	# a bad row after the start leaves no half-written workbook either
	printf 'a\tb\n1\t2\n3\n' >bad.tsv
	run_split crm-export --xlsx out.xlsx bad.tsv
	assert_status 1
	[[ "$stderr" == *"bad.tsv:3: expected 2 fields, got 1"* ]]
	# (bats keeps stderr in separate-stderr-* files here)
	run ls -A
	echo "left: $output"
	[ "$(grep -v '^separate-stderr-' <<<"$output")" = "$(printf 'bad.tsv\nin.tsv\nro')" ]
}

@test "options that do not go together exit 2" {
	printf 'a\n1\n' >in.tsv
	for args in "--plain --json" "--xlsx x.xlsx --json" "--raw --json" \
	    "--raw --xlsx x.xlsx" "--sheet-by a" "--json --date a" \
	    "--query customers in.tsv" "in.tsv in.tsv"; do
		# shellcheck disable=SC2086
		run_split crm-export $args
		[ "$status" -eq 2 ] || { echo "$args: status $status"; return 1; }
		[ -z "$output" ]
	done
	run_split crm-export --sheet-by a in.tsv
	[[ "$stderr" == *"--sheet-by needs --xlsx"* ]]
	run_split crm-export --raw --json in.tsv
	[[ "$stderr" == *"--raw is for CSV output"* ]]
}

@test "a record of the wrong width stops the export with its line" {
	printf 'a,b\n1,2\n3\n' >in.csv
	run_split crm-export --csv in.csv
	assert_status 1
	[[ "$stderr" == *"in.csv:3: expected 2 fields, got 1"* ]]
}

# ---- LibreOffice ------------------------------------------------------------

@test "LibreOffice: excel/ values come back exactly from the Excel CSV" {
	skip_without_lo
	roundtrip exact csv excel_messy_values cldr_chinese_person_names \
	    gb11643_id_number_vectors injections
}

@test "LibreOffice: excel/ values come back exactly from the XLSX" {
	skip_without_lo
	roundtrip exact xlsx excel_messy_values cldr_chinese_person_names \
	    gb11643_id_number_vectors injections
}

@test "LibreOffice: no formula from the data is evaluated (Excel CSV)" {
	skip_without_lo
	roundtrip formulas csv excel_messy_values cldr_chinese_person_names \
	    gb11643_id_number_vectors injections
}

@test "LibreOffice: no formula from the data is evaluated (XLSX)" {
	skip_without_lo
	roundtrip formulas xlsx excel_messy_values cldr_chinese_person_names \
	    gb11643_id_number_vectors injections
}

@test "LibreOffice: Chinese text is intact (Excel CSV and XLSX)" {
	skip_without_lo
	roundtrip chinese csv excel_messy_values cldr_chinese_person_names
	roundtrip chinese xlsx excel_messy_values cldr_chinese_person_names
}

@test "LibreOffice: --query customers comes back typed: ids and scores numbers, dates dates, the rest exact text" {
	skip_without_lo
	local d=$BATS_FILE_TMPDIR
	python3 "$BATS_TEST_DIRNAME/xl.py" query "$d/src/leads.csv" "$d/back-csv/query.xlsx" "$CRM_NOW"
	python3 "$BATS_TEST_DIRNAME/xl.py" query "$d/src/leads.csv" "$d/back-xlsx/query.xlsx" "$CRM_NOW"
}

@test "LibreOffice: a --sheet-by workbook opens, every row in the sheet of its value" {
	skip_without_lo
	local d=$BATS_FILE_TMPDIR
	python3 "$BATS_TEST_DIRNAME/xl.py" split "$d/src/excel_messy_values.csv" "$d/back-xlsx/split.xlsx" category
	[ "$(python3 "$BATS_TEST_DIRNAME/xl.py" sheets "$d/back-xlsx/split.xlsx" | wc -l)" -gt 10 ]
}

@test "LibreOffice: every cell kind of xlcell.c, through xl_roundtrip.sh" {
	skip_without_lo
	run "$TOP/tests/xl_roundtrip.sh"
	if [ "$status" -eq 77 ]; then
		skip "$output"
	fi
	echo "$output"
	assert_status 0
	[[ "$output" == *" cells, 0 failed"* ]]
}

# ---- the rights policy -----------------------------------------------------

# A database with boss (admin), reps li and wang, pool 公海 (li a member),
# and three customers: 1 li's, 2 pooled in 公海, 3 wang's; each with a
# deal, a follow-up and a phone changed by boss (the history).
seed_rights() {
	crm-user add boss --role admin -q >/dev/null
	export CRM_USER=boss
	crm-db config test-clock on -q >/dev/null
	crm-user add li -q >/dev/null
	crm-user add wang -q >/dev/null
	sql "INSERT INTO pools (name, created_at) VALUES ('公海', '2026-01-01T00:00:00Z');
	     INSERT INTO pool_members (pool_id, user_id) SELECT 1, id FROM users WHERE login = 'li'"
	printf 'name\tphone\temail\towner\tpool\n' >leads.tsv
	printf 'Ann\t13800000001\tann@example.com\tli\t\\N\n' >>leads.tsv
	printf 'Bob\t13800000002\tbob@example.com\t\\N\t公海\n' >>leads.tsv
	printf 'Cai\t13800000003\tcai@example.com\twang\t\\N\n' >>leads.tsv
	crm-lead import -q leads.tsv >/dev/null
	for id in 1 2 3; do
		crm-lead update -q "$id" --phone "1390000000$id" >/dev/null
		crm-activity log -q "$id" --kind call --note "note-$id" >/dev/null
	done
	sql "INSERT INTO deals (customer_id, title, amount, stage_id, stage_since, created_at)
	     VALUES (1, 'deal-1', 100, 1, '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z'),
	            (2, 'deal-2', 200, 1, '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z'),
	            (3, 'deal-3', 300, 1, '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z')"
}

# cells FORMAT ARGS...: crm-export ARGS in FORMAT (csv, plain, gbk, xlsx,
# json), read back: one cell value a line, a guarded ="..." unwrapped.
cells() {
	local format=$1
	shift
	case $format in
	csv) crm-export -q "$@" | csv_cells ;;
	plain) crm-export -q --plain "$@" | csv_cells ;;
	gbk) crm-export -q --encoding gbk "$@" | iconv -f GBK -t UTF-8 | csv_cells ;;
	xlsx) crm-export -q --xlsx out.xlsx "$@" &&
	    python3 "$BATS_TEST_DIRNAME/xl.py" cells out.xlsx ;;
	json) crm-export -q --json "$@" | jq -r '.[] | select(. != null) | tostring' ;;
	esac | sed 's/^="\(.*\)"$/\1/'
}

# has CELLS VALUE... / lacks CELLS VALUE...: each VALUE is (is not) a cell.
has() {
	local c=$1 v
	shift
	for v in "$@"; do
		grep -qxF -- "$v" <<<"$c" || { echo "no cell '$v' in: $c"; return 1; }
	done
}
lacks() {
	local c=$1 v
	shift
	for v in "$@"; do
		! grep -qF -- "$v" <<<"$c" || { echo "'$v' is in: $c"; return 1; }
	done
}

@test "--query in every format: a rep sees its own customers in full, its pools' masked, others by name" {
	seed_rights
	for f in csv plain gbk xlsx json; do
		echo "format $f"
		c=$(CRM_USER=li cells $f --query customers)
		has "$c" Ann 13900000001 ann@example.com Bob 139****0002 b***@example.com Cai
		lacks "$c" 13900000002 13800000002 bob@example.com 0003 cai@example.com
		c=$(CRM_USER=li cells $f --query deals)
		has "$c" deal-1 deal-2
		lacks "$c" deal-3
		c=$(CRM_USER=li cells $f --query activities)
		has "$c" note-1 note-2
		lacks "$c" note-3
		# history: customer 2's phone change masked, 3's left out;
		# the users' history is no customer's
		c=$(CRM_USER=li cells $f --query history)
		has "$c" 13800000001 13900000001 138****0002 139****0002 "crm-user add" note-1 note-2
		lacks "$c" 13800000002 13900000002 0003 note-3
		# an admin sees everything
		c=$(cells $f --query history)
		has "$c" 13800000002 13900000002 13800000003 13900000003 note-3
		c=$(cells $f --query deals)
		has "$c" deal-1 deal-2 deal-3
	done
}

@test "--query history: a cancelled follow-up's rows follow its customer's sight" {
	seed_rights
	crm-activity log -q 3 --kind visit --due 2026-11-25 --note plan-3 >/dev/null
	crm-activity cancel -q 4 --reason gone-3 >/dev/null
	c=$(CRM_USER=li cells plain --query history)
	lacks "$c" plan-3 gone-3
	c=$(CRM_USER=wang cells plain --query history)
	has "$c" plan-3 gone-3 note-3
	lacks "$c" note-1 note-2
}

@test "records on stdin are exported as they come, whoever exports them" {
	seed_rights
	printf 'name\tphone\temail\nCai\t13800000003\tcai@example.com\n' >mine.tsv
	c=$(CRM_USER=li cells plain mine.tsv)
	has "$c" Cai 13800000003 cai@example.com
	c=$(crm-lead list | CRM_USER=li crm-export -q --plain | csv_cells)
	# what crm-lead list showed boss, li exports as it is
	has "$c" 13900000003 cai@example.com
}

@test "--query: an unknown actor is refused once an admin exists" {
	seed_rights
	run_split env CRM_USER=ghost crm-export --query customers
	assert_status 1
	[ -z "$output" ]
	[[ "$stderr" == *"you ('ghost') are not a crm user"* ]]
}
