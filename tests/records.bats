#!/usr/bin/env bats
# The record streams of crm-tsv(5) as other tools see them: what we write,
# Miller, Python's csv module and sqlite3 read exactly, and what they
# write back, we read exactly.  Also the common output options.

load helpers

# Two leads: A has no email, no owner and no score (NULL in the database).
seed_two() {
	printf 'name\tphone\temail\nA\t13800000001\t\nB\t13800000002\tb@x.cn\n' |
	    crm-lead import -q >/dev/null
}

@test "NULL is an empty field by default; --null '\\N' writes \\N" {
	seed_two
	run_split crm-lead list
	assert_status 0
	[ "$(field 1 email <<<"$output")" = '' ]
	[ "$(field 1 owner <<<"$output")" = '' ]
	[ "$(field 2 email <<<"$output")" = 'b@x.cn' ]
	# the row of A, field by field: id name company phone email region
	# industry source status owner pool score created_at
	[ "$(sed -n 2p <<<"$output")" = "1	A		13800000001					lead				$CRM_NOW" ]
	run_split crm-lead list --null '\N'
	assert_status 0
	[ "$(sed -n 2p <<<"$output")" = "1	A	\\N	13800000001	\\N	\\N	\\N	\\N	lead	\\N	\\N	\\N	$CRM_NOW" ]
	run_split crm-lead list --csv --null NULL
	assert_status 0
	[ "$(sed -n 2p <<<"$output")" = "1,A,NULL,13800000001,NULL,NULL,NULL,NULL,lead,NULL,NULL,NULL,$CRM_NOW" ]
	# \N is still read as NULL: no value given, so B keeps its email
	printf 'id\temail\n2\t\\N\n' | crm-lead update -q >/dev/null
	[ "$(sql 'SELECT email FROM customers WHERE id = 2')" = b@x.cn ]
	run_split crm-lead list --null "$(printf 'a\tb')"
	assert_status 2
	[[ "$stderr" == *"--null: TEXT may not hold a tab or a line break"* ]]
}

@test "crm-lead list | mlr --tsv put '\$score=5' | crm-lead update" {
	command -v mlr >/dev/null || skip "miller is not installed"
	seed_two
	run_split sh -c "crm-lead list | mlr --tsv put '\$score=5' | crm-lead update -q"
	assert_status 0
	[ "$(sql 'SELECT id, score, owner_id IS NULL, email IS NULL FROM customers ORDER BY id')" = "1	5	1	1
2	5	1	0" ]
}

# Eleven leads L1..L11 whose note is one awkward value each (L9 none);
# the same values as JSON strings, one a line, in NOTES_JSON.
seed_tricky() {
	printf 'name\tnote\n' >tricky.tsv
	printf 'L1\ta\\tb\nL2\tl1\\nl2\nL3\tback\\\\slash\nL4\t\\\\N\n' >>tricky.tsv
	printf 'L5\tcomma, "q"\nL6\t lead \nL7\t中文，全角\nL8\tcr\\rx\n' >>tricky.tsv
	printf 'L9\t\nL10\t=1+2\nL11\tx\342\200\250y\n' >>tricky.tsv
	crm-lead import -q tricky.tsv >/dev/null
	NOTES_JSON='"a\tb"
"l1\nl2"
"back\\slash"
"\\N"
"comma, \"q\""
" lead "
"中文，全角"
"cr\rx"
null
"=1+2"
"x'$'\342\200\250''y"'	# U+2028, as jq writes it
}

# A jq filter: .note, with "" as null (an empty field is no value).
EMPTY_IS_NULL='.note | if . == "" then null else . end'

# notes: the notes of L1..L11 as JSON strings, one a line, from the database.
notes() {
	crm-lead list -o note --json | jq -c .note
}

@test "--json: JSON Lines, keys in header order, numbers typed as crm-export types them" {
	seed_tricky
	run_split crm-lead list -o id,name,score,note --json
	assert_status 0
	[ "$(wc -l <<<"$output")" = 11 ]
	[ "$(sed -n 1p <<<"$output")" = '{"id":1,"name":"L1","score":null,"note":"a\tb"}' ]
	# U+2028 and U+2029 are escaped: JavaScript takes them as line ends
	[ "$(sed -n 11p <<<"$output")" = '{"id":11,"name":"L11","score":null,"note":"x\u2028y"}' ]
	[ "$(jq -c .note <<<"$output")" = "$NOTES_JSON" ]
	[ "$(jq -r '[keys_unsorted[]] | join(",")' <<<"$output" | sort -u)" = id,name,score,note ]
	# a number column holds a number only when its text is one
	printf 'id\tscore\tamount\tzip\n1\t90\t12.50\t00501\n2\t\tn/a\t1\n' |
	    crm-lead update -q >/dev/null
	run_split crm-lead list -o id,score,amount,zip --json
	[ "$(sed -n 1,3p <<<"$output")" = '{"id":1,"score":90,"amount":12.50,"zip":"00501"}
{"id":2,"score":null,"amount":"n/a","zip":"1"}
{"id":3,"score":null,"amount":null,"zip":null}' ]
	# a control character, a leading +, and a writing command's held output
	printf 'name\tnote\tamount\nC\tbell\a!\t+5\n' | crm-lead import -q --json >out.json
	[ "$(cat out.json)" = '{"id":12,"name":"C","note":"bell\u0007!","amount":5}' ]
	# crm-export's own typing options work with it
	run_split sh -c 'crm-lead list -o id,name | crm-export --json --text id -o name,id | sed -n 1p'
	[ "$output" = '{"name":"L1","id":"1"}' ]
}

@test "-o/--columns: only these columns, in this order; an unknown one is exit 2 before anything is written" {
	seed_two
	run_split crm-lead list -o phone,id,手机
	assert_status 0
	[ "$output" = "phone	id	phone
13800000001	1	13800000001
13800000002	2	13800000002" ]
	run_split crm-lead list --columns=name --csv
	[ "$output" = "name
A
B" ]
	run_split crm-lead list -o id,nosuch
	assert_status 2
	[ -z "$output" ]
	[[ "$stderr" == *"--columns: no column 'nosuch'; the columns are: id, name, company, phone, email, region, industry, source, status, owner, pool, score, created_at"* ]]
	# a writing command stops before it commits: the database is as it was
	run_split crm-lead import -o id,nosuch <<<"$(printf 'name\nC\n')"
	assert_status 2
	[ -z "$output" ]
	[ "$(sql 'SELECT count(*) FROM customers')" = 2 ]
	run_split crm-lead update -o nosuch <<<"$(printf 'id\tscore\n1\t7\n')"
	assert_status 2
	[ "$(sql 'SELECT score IS NULL FROM customers WHERE id = 1')" = 1 ]
	# reject files keep every column
	printf 'name\tphone\nD\tnot a phone\n' >bad.tsv
	run_split crm-lead import --skip-bad -o name bad.tsv
	assert_status 0
	[ "$(head -1 bad.tsv.rejects)" = "reject_line	reject_reason	name	phone" ]
}

@test "input: JSON is refused with exit 2; a format named with --csv is not overridden" {
	run_split crm-lead import <<<'{"name": "A"}'
	assert_status 2
	[[ "$stderr" == *"stdin: JSON input is not read: give TSV or CSV"* ]]
	printf '[\n  {"name": "A"}\n]\n' >in.json
	run_split crm-export in.json
	assert_status 2
	[[ "$stderr" == *"in.json: JSON input is not read: give TSV or CSV"* ]]
	# tabs in the header: TSV unless --csv was given
	run_split crm-export --json <<<"$(printf 'a\tb\n1,2\t3\n')"
	[ "$output" = '{"a":"1,2","b":"3"}' ]
	run_split crm-export --json --csv <<<"$(printf 'a\tb\n1,2\t3\n')"
	assert_status 1
	[[ "$stderr" == *"stdin:2: expected 1 fields, got 2"* ]]
	run_split crm-export --json --csv <<<"$(printf 'a\tb\n"1,2\t3"\n')"
	[ "$output" = '{"a\tb":"1,2\t3"}' ]
}

@test "input: lone CR line ends are read; UTF-16 without a BOM gets a hint" {
	printf 'name\tphone\r甲\t13800000001\r乙\t13800000002\r' >mac.tsv
	run_split crm-lead import mac.tsv
	assert_status 0
	[ "$(sql 'SELECT name, phone FROM customers ORDER BY id')" = "甲	13800000001
乙	13800000002" ]
	printf 'name,phone\r丙,13800000003\r' >mac.csv
	run_split crm-lead import mac.csv
	assert_status 0
	[ "$(sql 'SELECT name FROM customers WHERE id = 3')" = 丙 ]
	printf 'name\tphone\n丁\t13800000004\n' | iconv -f UTF-8 -t UTF-16LE >u16.tsv
	run_split crm-lead import u16.tsv
	assert_status 1
	[[ "$stderr" == *"u16.tsv: this looks like UTF-16LE without a byte order mark; name the encoding with --encoding UTF-16LE"* ]]
	run_split crm-lead import -q --encoding UTF-16LE u16.tsv
	assert_status 0
	[ "$(sql 'SELECT name FROM customers WHERE id = 4')" = 丁 ]
}

@test "import --skip-bad: a line of bytes of no encoding is a rejected row, not the end" {
	# 1,000 leads; line 501 (lead 500) has a byte that is neither UTF-8 nor GB18030
	awk 'BEGIN { print "name\tphone"
		for (i = 1; i <= 1000; i++)
			printf "%s%d\t139%08d\n", i == 500 ? "bad\377" : "n", i, i }' >in.tsv
	run_split crm-lead import in.tsv
	assert_status 1
	[[ "$stderr" == *"in.tsv:501: invalid UTF-8; name the encoding with --encoding"* ]]
	[ "$(sql 'SELECT count(*) FROM customers')" = 0 ]
	run_split crm-lead import --skip-bad in.tsv
	assert_status 0
	[[ "$stderr" == *"in.tsv:501: invalid UTF-8 (skipped)"* ]]
	[[ "$stderr" == *"999 created"* ]]
	[ "$(sql 'SELECT count(*) FROM customers')" = 999 ]
	[ "$(sql "SELECT count(*) FROM customers WHERE phone = '13900000500'")" = 0 ]
	# the row is in the reject file, its bad byte as U+FFFD
	[ "$(sed -n 2p in.tsv.rejects)" = "501	invalid UTF-8	bad�500	13900000500" ]
	# more than 100 such lines: a wrong encoding, not bad rows
	new_db
	awk 'BEGIN { print "name"; for (i = 1; i <= 101; i++) printf "x\377%d\n", i }' >many.tsv
	run_split crm-lead import --skip-bad many.tsv
	assert_status 1
	[[ "$stderr" == *"many.tsv:102: invalid UTF-8 on more than 100 lines; name the encoding with --encoding"* ]]
	[ "$(sql 'SELECT count(*) FROM customers')" = 0 ]
}

@test "header: names that mean one column give the same result in either order" {
	printf 'name\tcontact_name\nA\tB\n' >ab.tsv
	printf 'contact_name\tname\nB\tA\n' >ba.tsv
	for f in ab ba; do
		new_db
		run_split crm-lead import $f.tsv
		assert_status 0
		[[ "$stderr" == *"header: 'contact_name' means 'name' too, as 'name' does; kept as a column of its own"* ]]
		[ "$(crm-lead list -o name,contact_name | sed 1d)" = "A	B" ]
	done
	printf 'foo,Foo\n1,2\n' >case.csv
	run_split crm-lead import case.csv
	assert_status 1
	[[ "$stderr" == *"case.csv:1: header: columns 'foo' and 'Foo' differ only in case"* ]]
}

# ---- round trips through other tools -------------------------------------

@test "round trip through Miller, TSV: it reads what we write, we read what it writes" {
	command -v mlr >/dev/null || skip "miller is not installed"
	seed_tricky
	crm-lead list -o id,name,note >ours.tsv
	# Miller reads each value exactly (NULL is an empty field) ...
	[ "$(mlr --itsv --ojsonl cat ours.tsv | jq -c "$EMPTY_IS_NULL")" = "$NOTES_JSON" ]
	# ... and writes them back as we do
	mlr --tsv cat ours.tsv >theirs.tsv
	cmp ours.tsv theirs.tsv
	# what it changes, we read exactly
	mlr --tsv put '$note = "<" . $note . ">"' ours.tsv | crm-lead update -q >/dev/null
	[ "$(notes)" = "$(sed 's/^"\(.*\)"$/"<\1>"/; s/^null$/"<>"/' <<<"$NOTES_JSON")" ]
}

@test "round trip through Miller, CSV" {
	command -v mlr >/dev/null || skip "miller is not installed"
	seed_tricky
	crm-lead list --csv -o id,name,note >ours.csv
	[ "$(mlr --icsv --ojsonl cat ours.csv | jq -c "$EMPTY_IS_NULL")" = "$NOTES_JSON" ]
	# Miller quotes less (" lead " bare, "" as nothing): the values are ours
	mlr --csv cat ours.csv >theirs.csv
	! cmp -s ours.csv theirs.csv
	[ "$(crm-export --csv --json theirs.csv | jq -c "$EMPTY_IS_NULL")" = "$NOTES_JSON" ]
	mlr --csv put '$note = "<" . $note . ">"' ours.csv >theirs.csv
	crm-lead update -q --csv theirs.csv >/dev/null
	[ "$(notes)" = "$(sed 's/^"\(.*\)"$/"<\1>"/; s/^null$/"<>"/' <<<"$NOTES_JSON")" ]
}

@test "round trip through Python's csv module" {
	command -v python3 >/dev/null || skip "python3 is not installed"
	seed_tricky
	crm-lead list --csv -o id,name,note >ours.csv
	# the values, written out by hand; Python reads NULL as ""
	cat >check.py <<'PY'
import csv, sys
want = ["a\tb", "l1\nl2", "back\\slash", "\\N", 'comma, "q"', " lead ",
        "中文，全角", "cr\rx", "", "=1+2", "x\u2028y"]
with open("ours.csv", newline="", encoding="utf-8") as f:
    rows = list(csv.reader(f))
assert rows[0] == ["id", "name", "note"], rows[0]
got = [r[2] for r in rows[1:]]
assert got == want, got
# written back the way Python writes (CRLF, its own quoting), changed
with open("theirs.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(rows[0])
    for r in rows[1:]:
        w.writerow([r[0], r[1], "<" + r[2] + ">"])
PY
	run python3 check.py
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	grep -q $'\r$' theirs.csv
	crm-lead update -q --csv theirs.csv >/dev/null
	[ "$(notes)" = "$(sed 's/^"\(.*\)"$/"<\1>"/; s/^null$/"<>"/' <<<"$NOTES_JSON")" ]
}

@test "round trip through sqlite3 .import and .mode csv" {
	seed_tricky
	crm-lead list --csv -o id,name,note >ours.csv
	# sqlite3 reads each value exactly (an empty field as '')
	run sqlite3 :memory: '.import --csv ours.csv t' "SELECT group_concat(name, ' ') FROM t WHERE note IS NOT CASE name
	    WHEN 'L1' THEN 'a' || char(9) || 'b' WHEN 'L2' THEN 'l1' || char(10) || 'l2'
	    WHEN 'L3' THEN 'back\\slash' WHEN 'L4' THEN '\\N' WHEN 'L5' THEN 'comma, \"q\"'
	    WHEN 'L6' THEN ' lead ' WHEN 'L7' THEN '中文，全角' WHEN 'L8' THEN 'cr' || char(13) || 'x'
	    WHEN 'L9' THEN '' WHEN 'L10' THEN '=1+2' WHEN 'L11' THEN 'x' || char(8232) || 'y' END"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(sqlite3 :memory: '.import --csv ours.csv t' 'SELECT count(*) FROM t')" = 11 ]
	# and what it writes, changed, we read exactly
	sqlite3 :memory: '.import --csv ours.csv t' '.headers on' '.mode csv' \
	    "SELECT id, name, '<' || note || '>' AS note FROM t ORDER BY id" >theirs.csv
	crm-lead update -q --csv theirs.csv >/dev/null
	[ "$(notes)" = "$(sed 's/^"\(.*\)"$/"<\1>"/; s/^null$/"<>"/' <<<"$NOTES_JSON")" ]
}
